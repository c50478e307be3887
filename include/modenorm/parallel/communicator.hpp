// Communicator helpers that return values (heffte style): `comm_rank(comm)` rather than
// out-parameters. Every call is checked and the communicator is switched to error codes.
#pragma once

#include <mpi.h>

#include <concepts>
#include <cstdint>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "modenorm/parallel/mpi_error.hpp"

namespace modenorm::parallel {

// Element types the helpers know an MPI_Datatype for.
template <class T>
concept MpiScalar = std::same_as<T, double> || std::same_as<T, float> || std::same_as<T, int> ||
    std::same_as<T, std::int64_t> || std::same_as<T, std::uint64_t> ||
    std::same_as<T, std::uint8_t> || std::same_as<T, char>;

template <MpiScalar T>
[[nodiscard]] MPI_Datatype mpi_type() {
  if constexpr (std::same_as<T, double>) return MPI_DOUBLE;
  if constexpr (std::same_as<T, float>) return MPI_FLOAT;
  if constexpr (std::same_as<T, int>) return MPI_INT;
  if constexpr (std::same_as<T, std::int64_t>) return MPI_INT64_T;
  if constexpr (std::same_as<T, std::uint64_t>) return MPI_UINT64_T;
  if constexpr (std::same_as<T, std::uint8_t>) return MPI_UINT8_T;
  if constexpr (std::same_as<T, char>) return MPI_CHAR;
}

[[nodiscard]] int comm_rank(MPI_Comm comm);
[[nodiscard]] int comm_size(MPI_Comm comm);
void barrier(MPI_Comm comm);

namespace detail {
// Converts an element count to MPI's int count, throwing if it does not fit.
[[nodiscard]] int mpi_count(std::size_t count, const char* call);
void allreduce_raw(const void* send, void* recv, std::size_t count, MPI_Datatype type, MPI_Op op,
                   MPI_Comm comm);
}  // namespace detail

template <class R>
concept MpiRange = std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
    MpiScalar<std::remove_cv_t<std::ranges::range_value_t<R>>>;

// Scalar reductions: every rank gets the result.
template <MpiScalar T>
[[nodiscard]] T allreduce(T value, MPI_Op op, MPI_Comm comm) {
  T result{};
  detail::allreduce_raw(&value, &result, 1, mpi_type<T>(), op, comm);
  return result;
}
// Element-wise reductions of a contiguous range (span, vector, array); returns a vector.
template <MpiRange R>
[[nodiscard]] auto allreduce(const R& values, MPI_Op op, MPI_Comm comm) {
  using T = std::remove_cv_t<std::ranges::range_value_t<R>>;
  std::vector<T> result(std::ranges::size(values));
  detail::allreduce_raw(std::ranges::data(values), result.data(), result.size(), mpi_type<T>(), op,
                        comm);
  return result;
}

template <MpiScalar T>
[[nodiscard]] T allreduce_sum(T value, MPI_Comm comm) {
  return allreduce(value, MPI_SUM, comm);
}
template <MpiScalar T>
[[nodiscard]] T allreduce_max(T value, MPI_Comm comm) {
  return allreduce(value, MPI_MAX, comm);
}
template <MpiScalar T>
[[nodiscard]] T allreduce_min(T value, MPI_Comm comm) {
  return allreduce(value, MPI_MIN, comm);
}
template <MpiRange R>
[[nodiscard]] auto allreduce_sum(const R& values, MPI_Comm comm) {
  return allreduce(values, MPI_SUM, comm);
}
template <MpiRange R>
[[nodiscard]] auto allreduce_max(const R& values, MPI_Comm comm) {
  return allreduce(values, MPI_MAX, comm);
}
template <MpiRange R>
[[nodiscard]] auto allreduce_min(const R& values, MPI_Comm comm) {
  return allreduce(values, MPI_MIN, comm);
}

// Gathers one value from every rank; element r of the result is rank r's value.
template <MpiScalar T>
[[nodiscard]] std::vector<T> allgather(T value, MPI_Comm comm) {
  use_error_codes(comm);
  std::vector<T> result(static_cast<std::size_t>(comm_size(comm)));
  check_mpi(MPI_Allgather(&value, 1, mpi_type<T>(), result.data(), 1, mpi_type<T>(), comm),
            "MPI_Allgather");
  return result;
}

// Returns root's string on every rank (the argument is ignored on other ranks).
[[nodiscard]] std::string broadcast_string(const std::string& value, int root, MPI_Comm comm);

}  // namespace modenorm::parallel

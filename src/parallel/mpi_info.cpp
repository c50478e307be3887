#include "modenorm/parallel/mpi_info.hpp"

#include <utility>

#include "modenorm/parallel/mpi_error.hpp"

namespace modenorm::parallel {

MpiInfo::MpiInfo() : info_(MPI_INFO_NULL) { check_mpi(MPI_Info_create(&info_), "MPI_Info_create"); }

MpiInfo::~MpiInfo() {
  if (info_ != MPI_INFO_NULL) MPI_Info_free(&info_);
}

MpiInfo::MpiInfo(MpiInfo&& other) noexcept : info_(std::exchange(other.info_, MPI_INFO_NULL)) {}

MpiInfo& MpiInfo::operator=(MpiInfo&& other) noexcept {
  if (this != &other) {
    if (info_ != MPI_INFO_NULL) MPI_Info_free(&info_);
    info_ = std::exchange(other.info_, MPI_INFO_NULL);
  }
  return *this;
}

void MpiInfo::set(const std::string& key, const std::string& value) {
  check_mpi(MPI_Info_set(info_, key.c_str(), value.c_str()), "MPI_Info_set");
}

}  // namespace modenorm::parallel

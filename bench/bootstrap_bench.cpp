// Generation alone, as `modenorm scale` does it: `--rows` bootstrap rows of the bundled credit
// column, made slab by slab into a reused 4 KiB-aligned buffer (16M rows = 128 MiB, the
// command's default slab), by `--threads` workers that each own a contiguous share of the rows
// and a buffer, as the ranks of `scale` do. Prints the median of `--repeat` runs, in rows/s
// and GB/s, for J = 0 and J = 0.005.
//
//   bootstrap_bench [--rows N] [--slab-rows R] [--threads T] [--repeat K]
//                   (defaults: 1e9 rows, 16M-row slabs, 1 thread, 3 runs)

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "modenorm/core/bootstrap.hpp"

namespace {

std::vector<double> credit_amounts() {
  const std::string path = std::string(MODENORM_SOURCE_DIR) + "/data/credit_amount.csv";
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(1);
  }
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> values;
  while (std::getline(in, line)) values.push_back(std::strtod(line.c_str(), nullptr));
  return values;
}

std::uint64_t option(int argc, char** argv, const char* name, std::uint64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtoull(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

// Rows [first, first + count) into `buffer`, slab by slab; returns a value of the last slab so
// the work cannot be optimised away.
double generate_share(const std::vector<double>& source, std::uint64_t first, std::uint64_t count,
                      std::span<double> buffer, double jitter) {
  double checksum = 0.0;
  for (std::uint64_t done = 0; done < count; done += buffer.size()) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), count - done));
    modenorm::core::bootstrap_rows(source, first + done, buffer.first(n), 42, jitter);
    checksum += buffer[n / 2];
  }
  return checksum;
}

using AlignedRows = std::unique_ptr<double, decltype(&std::free)>;

AlignedRows aligned_rows(std::uint64_t rows) {
  AlignedRows memory(
      static_cast<double*>(std::aligned_alloc(4096, (rows * sizeof(double) + 4095) / 4096 * 4096)),
      &std::free);
  if (!memory) {
    std::fprintf(stderr, "cannot allocate %llu rows\n", static_cast<unsigned long long>(rows));
    std::exit(1);
  }
  return memory;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t rows = option(argc, argv, "--rows", 1'000'000'000);
  const std::uint64_t slab = option(argc, argv, "--slab-rows", std::uint64_t{1} << 24);
  const auto threads =
      static_cast<unsigned>(std::max<std::uint64_t>(1, option(argc, argv, "--threads", 1)));
  const auto repeat =
      static_cast<std::size_t>(std::max<std::uint64_t>(1, option(argc, argv, "--repeat", 3)));
  const auto source = credit_amounts();
  std::vector<AlignedRows> buffers;
  for (unsigned t = 0; t < threads; ++t) buffers.push_back(aligned_rows(slab));

  std::printf(
      "bootstrap generation: %llu rows from %zu source rows, slabs of %llu rows, "
      "%u thread(s), median of %zu runs\n",
      static_cast<unsigned long long>(rows), source.size(), static_cast<unsigned long long>(slab),
      threads, repeat);
  std::printf("%-8s %12s %12s %10s %14s\n", "jitter", "seconds", "Mrows/s", "GB/s",
              "ns/row/thread");
  for (const double jitter : {0.0, 0.005}) {
    std::vector<double> times;
    double checksum = 0.0;
    for (std::size_t run = 0; run < repeat; ++run) {
      std::vector<double> checksums(threads, 0.0);
      const auto start = std::chrono::steady_clock::now();
      {
        std::vector<std::jthread> workers;
        for (unsigned t = 0; t < threads; ++t) {
          const std::uint64_t first = rows * t / threads;
          const std::uint64_t count = rows * (t + 1) / threads - first;
          workers.emplace_back([&, t, first, count] {
            checksums[t] = generate_share(source, first, count,
                                          std::span<double>(buffers[t].get(), slab), jitter);
          });
        }
      }
      times.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      checksum = std::accumulate(checksums.begin(), checksums.end(), 0.0);
    }
    std::sort(times.begin(), times.end());
    const double seconds = times[times.size() / 2];
    const double r = static_cast<double>(rows);
    std::printf("%-8g %12.3f %12.1f %10.2f %14.3f   (checksum %.6g)\n", jitter, seconds,
                r / seconds * 1e-6, r * 8.0 / seconds * 1e-9, seconds * threads / r * 1e9,
                checksum);
  }
  return 0;
}

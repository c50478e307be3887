// Generation alone, as `modenorm scale` does it on one rank: `--rows` bootstrap rows of the
// bundled credit column, made slab by slab into one reused buffer (16M rows = 128 MiB, the
// command's default slab), on one core. Prints rows/s and GB/s for J = 0 and J = 0.005.
//
//   bootstrap_bench [--rows N] [--slab-rows R]      (default 1e9 rows)

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <span>
#include <string>
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

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t rows = option(argc, argv, "--rows", 1'000'000'000);
  const std::uint64_t slab = option(argc, argv, "--slab-rows", std::uint64_t{1} << 24);
  const auto source = credit_amounts();
  // 4 KiB-aligned, as `scale` lays out its slabs for O_DIRECT.
  const std::unique_ptr<double, decltype(&std::free)> memory(
      static_cast<double*>(std::aligned_alloc(4096, (slab * sizeof(double) + 4095) / 4096 * 4096)),
      &std::free);
  if (!memory) {
    std::fprintf(stderr, "cannot allocate %llu rows\n", static_cast<unsigned long long>(slab));
    return 1;
  }
  const std::span<double> buffer(memory.get(), slab);
  std::printf("bootstrap generation: %llu rows from %zu source rows, slabs of %llu rows, 1 core\n",
              static_cast<unsigned long long>(rows), source.size(),
              static_cast<unsigned long long>(slab));
  std::printf("%-8s %12s %12s %10s %10s\n", "jitter", "seconds", "Mrows/s", "GB/s", "ns/row");
  for (const double jitter : {0.0, 0.005}) {
    double checksum = 0.0;  // keeps the work observable
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t done = 0; done < rows; done += slab) {
      const auto n = static_cast<std::size_t>(std::min(slab, rows - done));
      modenorm::core::bootstrap_rows(source, done, buffer.first(n), 42, jitter);
      checksum += buffer[n / 2];
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double r = static_cast<double>(rows);
    std::printf("%-8g %12.3f %12.1f %10.2f %10.3f   (checksum %.6g)\n", jitter, seconds,
                r / seconds * 1e-6, r * 8.0 / seconds * 1e-9, seconds / r * 1e9, checksum);
  }
  return 0;
}

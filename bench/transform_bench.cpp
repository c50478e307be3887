// Transform kernel benchmark: compute-only throughput (rows/s/core) of core::transform_block on
// N in-memory rows, with the fitted credit model (scikit-learn's final iterate from
// tests/reference/fixtures/credit.json) and rows bootstrapped from data/credit_amount.csv with
// uniform jitter in [0, 0.005). Also times the inverse. Median of P passes.
//
//   transform_bench [--rows N] [--passes P] [--slab S] [--seed S]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "modenorm/core/transform.hpp"

namespace {

using namespace modenorm::core;
using Clock = std::chrono::steady_clock;

Eigen::ArrayXd to_array(const nlohmann::json& j) {
  const auto v = j.get<std::vector<double>>();
  return Eigen::Map<const Eigen::ArrayXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

FittedModel credit_model() {
  std::ifstream in(std::string(MODENORM_SOURCE_DIR) + "/tests/reference/fixtures/credit.json");
  const auto fixture = nlohmann::json::parse(in);
  const auto& p = fixture["iterations"].back()["params"];
  FittedModel model;
  model.params = {to_array(p["a"]),  to_array(p["b"]), to_array(p["beta"]), to_array(p["m"]),
                  to_array(p["nu"]), to_array(p["C"]), to_array(p["P"])};
  model.settings.components = model.params.components();
  model.stds = to_array(fixture["fit"]["stds"]);
  model.valid.assign(static_cast<std::size_t>(model.components()), false);
  for (const int k : fixture["valid_indices_argmax_rule"].get<std::vector<int>>()) {
    model.valid[static_cast<std::size_t>(k)] = true;
  }
  return model;
}

std::vector<double> credit_rows(std::size_t n, std::uint64_t seed) {
  std::ifstream in(std::string(MODENORM_SOURCE_DIR) + "/data/credit_amount.csv");
  std::string line;
  std::getline(in, line);
  std::vector<double> source;
  while (std::getline(in, line)) source.push_back(std::strtod(line.c_str(), nullptr));
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, source.size() - 1);
  std::uniform_real_distribution<double> jitter(0.0, 0.005);
  std::vector<double> x(n);
  for (auto& v : x) v = source[pick(rng)] + jitter(rng);
  return x;
}

// CPU time of this thread: on a shared machine wall time also counts time spent descheduled.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t rows = 100'000'000;
  int passes = 3;
  std::size_t slab = std::size_t{8} << 20;
  std::uint64_t seed = 42;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--rows") rows = static_cast<std::size_t>(std::strtod(value, nullptr));
    if (key == "--passes") passes = std::atoi(value);
    if (key == "--slab") slab = static_cast<std::size_t>(std::strtod(value, nullptr));
    if (key == "--seed") seed = std::strtoull(value, nullptr, 10);
  }
  const auto model = credit_model();
  const auto tables = make_transform_tables(model);
  const auto inverse = make_inverse_tables(model);
  const auto x = credit_rows(rows, seed);
  std::vector<double> alpha(rows);
  std::vector<std::uint8_t> component(rows);
  std::vector<double> back(rows);
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(model.components()));
  std::vector<double> forward_s;
  std::vector<double> inverse_s;
  std::vector<double> forward_cpu;
  for (int p = 0; p < passes; ++p) {
    std::fill(counts.begin(), counts.end(), 0);
    const double c0 = thread_cpu_seconds();
    const auto t0 = Clock::now();
    // Slab by slab, as the command calls it.
    for (std::size_t start = 0; start < rows; start += slab) {
      const std::size_t n = std::min(slab, rows - start);
      transform_block(std::span(x).subspan(start, n), start, 42, tables,
                      std::span(alpha).subspan(start, n), std::span(component).subspan(start, n),
                      counts);
    }
    const auto t1 = Clock::now();
    forward_cpu.push_back(thread_cpu_seconds() - c0);
    inverse_block(alpha, component, inverse, false, back);
    const auto t2 = Clock::now();
    forward_s.push_back(std::chrono::duration<double>(t1 - t0).count());
    inverse_s.push_back(std::chrono::duration<double>(t2 - t1).count());
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    const double m = model.params.m[component[i]];
    worst = std::max(worst, std::abs(back[i] - x[i]) / (std::abs(x[i]) + std::abs(m)));
  }
  const double fwd = median(forward_s);
  const double inv = median(inverse_s);
  const double n = static_cast<double>(rows);
  std::printf("transform_bench: %zu rows, K=%d, %d valid, slab %zu, %d pass(es), 1 core\n", rows,
              model.components(), tables.valid_count(), slab, passes);
  std::printf("  transform  %8.3f s  %7.2f ns/row  %8.2f M rows/s/core\n", fwd, fwd / n * 1e9,
              n / fwd / 1e6);
  const double cpu = median(forward_cpu);
  std::printf("  transform  %8.3f s CPU time: %7.2f ns/row  %8.2f M rows/s/core\n", cpu,
              cpu / n * 1e9, n / cpu / 1e6);
  std::printf("  inverse    %8.3f s  %7.2f ns/row  %8.2f M rows/s/core\n", inv, inv / n * 1e9,
              n / inv / 1e6);
  std::printf("  round trip max |x'-x|/(|x|+|m|) = %.3g\n", worst);
  return 0;
}

// E-step kernel benchmark: ns per row per core of the reference and the fast kernel on
// Amount-like data, sorted in fit blocks, with parameters fitted for a while first so that the
// components look like a real fit (narrow spikes, wide tails, dead components).
//
//   estep_bench [--rows N] [--csv FILE] [--passes P] [--fit-iters T] [--reference-rows M]
//               [--threads 1|2] [--seed S]
//
// Data: lognormal(3.1, 1.6) amounts rounded to cents (0.6 % zeros, 4.4 % exactly 9.99), or a
// bootstrap of the CSV's single column, plus uniform jitter in [0, 0.01) so values are not all
// repeated. Each figure is the median of P passes over all rows (the reference kernel over the
// first M rows only: it is ~30x slower).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "modenorm/core/block_sort.hpp"
#include "modenorm/core/estep.hpp"
#include "modenorm/core/final_attributes.hpp"
#include "modenorm/core/hard_assignment.hpp"
#include "modenorm/core/kmeans.hpp"
#include "modenorm/core/moments.hpp"
#include "modenorm/core/mstep.hpp"
#include "modenorm/core/tile_quadrature.hpp"

namespace {

using namespace modenorm::core;
using Clock = std::chrono::steady_clock;

struct Options {
  std::size_t rows = 100'000'000;
  std::string csv;
  int passes = 5;
  int fit_iters = 100;
  std::size_t reference_rows = 2'000'000;
  int threads = 1;
  std::uint64_t seed = 42;
  std::string only;  // "fast", "mixed" or "quadrature": time only that kernel (for profilers)
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* value = argv[i + 1];
    if (key == "--rows")
      o.rows = static_cast<std::size_t>(std::strtod(value, nullptr));
    else if (key == "--csv")
      o.csv = value;
    else if (key == "--passes")
      o.passes = std::atoi(value);
    else if (key == "--fit-iters")
      o.fit_iters = std::atoi(value);
    else if (key == "--reference-rows")
      o.reference_rows = static_cast<std::size_t>(std::strtod(value, nullptr));
    else if (key == "--threads")
      o.threads = std::atoi(value);
    else if (key == "--seed")
      o.seed = std::strtoull(value, nullptr, 10);
    else if (key == "--only")
      o.only = value;
    else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  return o;
}

std::vector<double> read_csv_column(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot open %s\n", path.c_str());
    std::exit(2);
  }
  std::string line;
  std::getline(in, line);
  std::vector<double> v;
  while (std::getline(in, line)) {
    if (!line.empty()) v.push_back(std::strtod(line.c_str(), nullptr));
  }
  return v;
}

std::vector<double> make_data(const Options& o) {
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> x(o.rows);
  if (!o.csv.empty()) {
    const std::vector<double> source = read_csv_column(o.csv);
    std::uniform_int_distribution<std::size_t> pick(0, source.size() - 1);
    for (auto& v : x) v = source[pick(rng)] + 0.01 * unit(rng);
  } else {
    std::lognormal_distribution<double> amount(3.1, 1.6);
    for (auto& v : x) {
      const double p = unit(rng);
      const double cents =
          p < 0.006 ? 0.0 : (p < 0.05 ? 9.99 : std::round(amount(rng) * 100.0) / 100.0);
      v = cents + 0.01 * unit(rng);
    }
  }
  return x;
}

// CPU time of the whole process (all threads): on a shared machine it measures the work done,
// not the time spent waiting for a core.
double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// One data pass over `x` split between `threads` threads (contiguous halves, each in blocks).
struct PassTime {
  double wall = 0.0;
  double cpu = 0.0;
};

template <class Kernel>
PassTime timed_pass(std::span<const double> x, int threads, Kernel kernel) {
  const auto start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  if (threads <= 1) {
    kernel(x);
  } else {
    std::vector<std::thread> pool;
    const std::size_t per =
        (x.size() / kFitBlockRows / static_cast<std::size_t>(threads) + 1) * kFitBlockRows;
    for (int t = 0; t < threads; ++t) {
      const std::size_t begin = std::min(x.size(), per * static_cast<std::size_t>(t));
      const std::size_t end = std::min(x.size(), begin + per);
      pool.emplace_back([&, begin, end] { kernel(x.subspan(begin, end - begin)); });
    }
    for (auto& th : pool) th.join();
  }
  return {seconds_since(start), process_cpu_seconds() - cpu_start};
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::printf("rows %zu, passes %d, threads %d, fit iterations %d, source %s\n", o.rows, o.passes,
              o.threads, o.fit_iters, o.csv.empty() ? "lognormal" : o.csv.c_str());

  auto start = Clock::now();
  std::vector<double> x = make_data(o);
  std::printf("generate        %.2f s\n", seconds_since(start));

  // Fit on the first million rows (random order = a uniform sample) so the parameters look
  // like a real fit.
  const FitSettings settings;
  start = Clock::now();
  const std::vector<double> sample(
      x.begin(),
      x.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(x.size(), 1'000'000)));
  const Priors priors = priors_from_moments(moments_of_block(sample), settings);
  std::vector<double> sample_sorted = sample;
  for (std::size_t b = 0; b < sample_sorted.size(); b += kFitBlockRows) {
    sort_block_for_fit(
        std::span(sample_sorted).subspan(b, std::min(kFitBlockRows, sample_sorted.size() - b)));
  }
  const KMeansResult km =
      kmeans_serial(std::span(sample).first(std::min<std::size_t>(sample.size(), 100'000)),
                    settings.components, o.seed, 100);
  Params params = m_step(hard_assignment_stats(sample_sorted, km.centres), priors, settings);
  for (int t = 0; t < o.fit_iters; ++t) {
    params = m_step(estep_blocks(sample_sorted, make_estep_tables(params)), priors, settings);
  }
  const EStepTables tables = make_estep_tables(params);
  const Eigen::ArrayXd weights = mixture_weights(params);
  std::printf("fit (sample)    %.2f s\n", seconds_since(start));
  for (int k = 0; k < settings.components; ++k) {
    std::printf("  component %d: weight %.3g mean %.4g std %.4g E[ln pi] %.4g\n", k, weights[k],
                params.m[k], std::sqrt(params.C[k]), tables.log_weights[k]);
  }

  // std::sort on the first 1e7 rows, for comparison with the radix sort below.
  {
    std::vector<double> copy(
        x.begin(),
        x.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(x.size(), 10'000'000)));
    const double cpu_start = process_cpu_seconds();
    for (std::size_t b = 0; b < copy.size(); b += kFitBlockRows) {
      const auto first = copy.begin() + static_cast<std::ptrdiff_t>(b);
      std::sort(first,
                first + static_cast<std::ptrdiff_t>(std::min(kFitBlockRows, copy.size() - b)));
    }
    std::printf("std::sort blocks %.2f ns/row (CPU)\n",
                (process_cpu_seconds() - cpu_start) * 1e9 / static_cast<double>(copy.size()));
  }
  start = Clock::now();
  const double sort_cpu_start = process_cpu_seconds();
  for (std::size_t b = 0; b < x.size(); b += kFitBlockRows) {
    sort_block_for_fit(std::span(x).subspan(b, std::min(kFitBlockRows, x.size() - b)));
  }
  const double sort_seconds = seconds_since(start);
  std::printf("radix sort blocks %.2f s = %.2f ns/row (CPU %.2f ns/row)\n", sort_seconds,
              sort_seconds * 1e9 / static_cast<double>(x.size()),
              (process_cpu_seconds() - sort_cpu_start) * 1e9 / static_cast<double>(x.size()));

  const auto n = static_cast<double>(x.size());
  volatile double sink = 0.0;
  // ns/row/core from the median CPU time (wall time alongside: equal on an idle machine).
  const auto run = [&](const char* name, std::span<const double> data, auto kernel) {
    std::vector<double> wall, cpu;
    for (int p = 0; p < o.passes; ++p) {
      const PassTime t = timed_pass(data, o.threads, [&](std::span<const double> part) {
        for (std::size_t b = 0; b < part.size(); b += kFitBlockRows) {
          const SufficientStats s =
              kernel(part.subspan(b, std::min(kFitBlockRows, part.size() - b)));
          sink = sink + s.R[0];
        }
      });
      wall.push_back(t.wall);
      cpu.push_back(t.cpu);
    }
    const auto rows = static_cast<double>(data.size());
    const double ns_cpu = median(cpu) * 1e9 / rows;
    std::printf(
        "%-26s %.2f ns/row/core (median CPU; min %.2f); wall %.3f s per pass over %zu rows = "
        "%.2f ns/row x %d threads\n",
        name, ns_cpu, *std::min_element(cpu.begin(), cpu.end()) * 1e9 / rows, median(wall),
        data.size(), median(wall) * 1e9 / rows * o.threads, o.threads);
    return ns_cpu;
  };

  const std::span<const double> all(x);
  // Quadrature E-step (tile_quadrature.hpp): rules built once, then every pass. `fast` is the
  // double kernel's ns/row for the ratio (0: not measured).
  const auto run_quadrature = [&](double fast) {
    start = Clock::now();
    const double rules_cpu_start = process_cpu_seconds();
    std::vector<BlockQuadrature> rules;
    for (std::size_t b = 0; b < x.size(); b += kFitBlockRows) {
      rules.push_back(make_block_quadrature(all.subspan(b, std::min(kFitBlockRows, x.size() - b))));
    }
    std::size_t rule_bytes = 0;
    for (const auto& r : rules) rule_bytes += r.bytes();
    std::printf("quadrature rules %.2f s = %.2f ns/row (CPU %.2f ns/row), %.1f bytes/row\n",
                seconds_since(start), seconds_since(start) * 1e9 / n,
                (process_cpu_seconds() - rules_cpu_start) * 1e9 / n,
                static_cast<double>(rule_bytes) / n);
    const auto block_of = [&](std::span<const double> b) {
      return static_cast<std::size_t>(b.data() - x.data()) / kFitBlockRows;
    };
    const double quad = run("quadrature kernel", all, [&](std::span<const double> b) {
      return estep_block_quadrature(b, rules[block_of(b)], tables);
    });
    QuadratureCounts counts;
    SufficientStats exact_total = make_empty_stats(tables.shift);
    SufficientStats quad_total = make_empty_stats(tables.shift);
    for (std::size_t b = 0; b < x.size(); b += kFitBlockRows) {
      const auto block = all.subspan(b, std::min(kFitBlockRows, x.size() - b));
      merge_into(exact_total, estep_block(block, tables));
      merge_into(quad_total,
                 estep_block_quadrature(block, rules[block_of(block)], tables, &counts));
    }
    double worst = 0.0;
    for (int k = 0; k < tables.components(); ++k) {
      const double scale = exact_total.R[k] + 1e-300;
      worst =
          std::max({worst, std::abs(quad_total.R[k] - exact_total.R[k]) / scale,
                    std::abs(quad_total.T1[k] - exact_total.T1[k]) /
                        std::sqrt(scale * exact_total.T2[k] + 1e-300),
                    std::abs(quad_total.T2[k] - exact_total.T2[k]) / (exact_total.T2[k] + 1e-300)});
    }
    std::printf(
        "quadrature: %.2fx the speed of the double kernel; tiles by rule %llu, by rows %llu "
        "(%.2f %% of rows); max relative difference of R, T1, T2 from the double kernel "
        "%.2e, of H %.2e\n",
        fast > 0 ? fast / quad : 0.0, static_cast<unsigned long long>(counts.tiles_by_rule),
        static_cast<unsigned long long>(counts.tiles_by_rows),
        100.0 * static_cast<double>(counts.rows_by_rows) / n, worst,
        std::abs(quad_total.H - exact_total.H) / std::abs(exact_total.H));
  };
  if (o.only == "fast") {
    run("fast kernel", all, [&](std::span<const double> b) { return estep_block(b, tables); });
    return 0;
  }
  if (o.only == "quadrature") {
    run_quadrature(0.0);
    return 0;
  }
  if (o.only == "mixed") {
    run("mixed-precision kernel", all,
        [&](std::span<const double> b) { return estep_block_mixed(b, tables); });
    return 0;
  }
  const std::span<const double> ref_part = all.first(std::min(o.reference_rows, x.size()));
  const double ref = run("reference kernel", ref_part, [&](std::span<const double> b) {
    return estep_block_reference(b, tables);
  });
  const double noskip = run("fast kernel, no skipping", all, [&](std::span<const double> b) {
    return estep_block(b, tables, ComponentSkipping::disabled);
  });
  const double fast = run("fast kernel", all, [&](std::span<const double> b) {
    return estep_block(b, tables, ComponentSkipping::enabled);
  });
  const double mixed = run("mixed-precision kernel", all, [&](std::span<const double> b) {
    return estep_block_mixed(b, tables, ComponentSkipping::enabled);
  });
  std::printf("mixed precision: %.2fx the speed of the double kernel\n", fast / mixed);

  run_quadrature(fast);
  std::printf(
      "speed-up over reference: %.1fx (no skipping %.1fx); E-step pass over 1e9 rows "
      "on 2 cores: %.2f s\n",
      ref / fast, ref / noskip, fast * 1e9 / 2.0 * 1e-9);
  (void)n;
  return 0;
}

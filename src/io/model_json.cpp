#include "modenorm/io/model_json.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <system_error>

#include "modenorm/core/errors.hpp"
#include "modenorm/io/staged_output.hpp"

namespace modenorm::io {
namespace {

using core::InputError;
using nlohmann::json;
using nlohmann::ordered_json;

std::vector<double> to_vector(const Eigen::ArrayXd& a) { return {a.data(), a.data() + a.size()}; }

const char* tol_mode_name(core::ToleranceMode mode) {
  return mode == core::ToleranceMode::absolute ? "absolute" : "per-row";
}

// Reads fields with messages that name the file and the field path.
class Reader {
 public:
  Reader(const json& root, std::string source) : root_(root), source_(std::move(source)) {}

  const json& object(const json& parent, const std::string& path, const char* key) const {
    if (!parent.is_object() || !parent.contains(key)) fail(path + key, "is missing");
    const json& value = parent.at(key);
    if (!value.is_object()) fail(path + key, "must be an object");
    return value;
  }
  double number(const json& parent, const std::string& path, const char* key) const {
    if (!parent.contains(key)) fail(path + key, "is missing");
    const json& value = parent.at(key);
    if (!value.is_number()) fail(path + key, "must be a number");
    const double v = value.get<double>();
    if (!std::isfinite(v)) fail(path + key, "must be finite");
    return v;
  }
  std::uint64_t count(const json& parent, const std::string& path, const char* key) const {
    if (!parent.contains(key)) fail(path + key, "is missing");
    const json& value = parent.at(key);
    if (!value.is_number_unsigned() &&
        !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
      fail(path + key, "must be a non-negative integer");
    }
    return value.get<std::uint64_t>();
  }
  std::string text(const json& parent, const std::string& path, const char* key) const {
    if (!parent.contains(key)) fail(path + key, "is missing");
    const json& value = parent.at(key);
    if (!value.is_string()) fail(path + key, "must be a string");
    return value.get<std::string>();
  }
  bool flag(const json& parent, const std::string& path, const char* key) const {
    if (!parent.contains(key)) fail(path + key, "is missing");
    const json& value = parent.at(key);
    if (!value.is_boolean()) fail(path + key, "must be true or false");
    return value.get<bool>();
  }
  Eigen::ArrayXd array(const json& parent, const std::string& path, const char* key,
                       std::size_t expected) const {
    if (!parent.contains(key)) fail(path + key, "is missing");
    const json& value = parent.at(key);
    if (!value.is_array()) fail(path + key, "must be an array");
    if (value.size() != expected) {
      fail(path + key, "has " + std::to_string(value.size()) + " entries, expected " +
                           std::to_string(expected) + " (one per component)");
    }
    Eigen::ArrayXd out(static_cast<Eigen::Index>(expected));
    for (std::size_t i = 0; i < expected; ++i) {
      if (!value[i].is_number() || !std::isfinite(value[i].get<double>())) {
        fail(path + key + "[" + std::to_string(i) + "]", "must be a finite number");
      }
      out[static_cast<Eigen::Index>(i)] = value[i].get<double>();
    }
    return out;
  }
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw InputError(source_ + ": model field '" + field + "' " + problem);
  }

 private:
  const json& root_;
  std::string source_;
};

}  // namespace

ordered_json model_to_json(const core::FittedModel& model) {
  const auto& s = model.settings;
  ordered_json j;
  j["schema"] = kModelSchema;
  j["settings"] = {{"components", s.components},
                   {"weight_concentration_prior_type", "dirichlet_process"},
                   {"weight_concentration_prior", s.weight_concentration_prior},
                   {"mean_precision_prior", s.mean_precision_prior},
                   {"reg_covar", s.reg_covar},
                   {"tol", s.tol},
                   {"tol_mode", tol_mode_name(s.tol_mode)},
                   {"max_iter", s.max_iter},
                   {"weight_threshold", s.weight_threshold},
                   {"init", model.init},
                   {"seed", model.seed},
                   {"block_rows", model.block_rows},
                   {"data_path", model.data_path}};
  j["input"] = {{"file", model.input.file}, {"dataset", model.input.dataset},
                {"rows", model.input.rows}, {"rows_skipped", model.input.rows_skipped},
                {"min", model.input.min},   {"max", model.input.max},
                {"sum", model.input.sum}};
  j["priors"] = {{"alpha0", model.priors.alpha0},
                 {"beta0", model.priors.beta0},
                 {"m0", model.priors.m0},
                 {"nu0", model.priors.nu0},
                 {"psi0", model.priors.psi0}};
  j["fit"] = {{"n_iter", model.n_iter},
              {"converged", model.converged},
              {"lower_bound", model.lower_bounds.empty() ? 0.0 : model.lower_bounds.back()},
              {"lower_bound_history", model.lower_bounds}};
  const auto& p = model.params;
  std::vector<bool> valid = model.valid;
  j["components"] = {{"weights", to_vector(model.weights)},
                     {"means", to_vector(p.m)},
                     {"covariances", to_vector(p.C)},
                     {"stds", to_vector(model.stds)},
                     {"precisions_cholesky", to_vector(p.P)},
                     {"weight_concentration_a", to_vector(p.a)},
                     {"weight_concentration_b", to_vector(p.b)},
                     {"mean_precision", to_vector(p.beta)},
                     {"degrees_of_freedom", to_vector(p.nu)},
                     {"argmax_counts", model.argmax_counts},
                     {"valid", valid}};
  j["valid_components"] = model.valid_indices();
  return j;
}

core::FittedModel model_from_json(const json& j, const std::string& source) {
  Reader r(j, source);
  if (!j.is_object()) r.fail("(root)", "must be a JSON object");
  const std::string schema = r.text(j, "", "schema");
  if (schema != kModelSchema) {
    r.fail("schema", "is '" + schema + "'; this version of modenorm reads '" +
                         std::string(kModelSchema) + "'");
  }
  core::FittedModel m;
  const json& s = r.object(j, "", "settings");
  const auto components = r.count(s, "settings.", "components");
  if (components < 1 || components > 255) {
    r.fail("settings.components", "must be between 1 and 255");
  }
  const auto k = static_cast<std::size_t>(components);
  m.settings.components = static_cast<int>(components);
  m.settings.weight_concentration_prior = r.number(s, "settings.", "weight_concentration_prior");
  m.settings.mean_precision_prior = r.number(s, "settings.", "mean_precision_prior");
  m.settings.reg_covar = r.number(s, "settings.", "reg_covar");
  m.settings.tol = r.number(s, "settings.", "tol");
  const std::string mode = r.text(s, "settings.", "tol_mode");
  if (mode != "absolute" && mode != "per-row") r.fail("settings.tol_mode", "is unknown: " + mode);
  m.settings.tol_mode =
      mode == "absolute" ? core::ToleranceMode::absolute : core::ToleranceMode::per_row;
  m.settings.max_iter = static_cast<int>(r.count(s, "settings.", "max_iter"));
  m.settings.weight_threshold = r.number(s, "settings.", "weight_threshold");
  m.init = r.text(s, "settings.", "init");
  m.seed = r.count(s, "settings.", "seed");
  m.block_rows = r.count(s, "settings.", "block_rows");
  m.data_path = r.text(s, "settings.", "data_path");
  if (m.data_path != "rows" && m.data_path != "distinct-values" && m.data_path != "quadrature") {
    r.fail("settings.data_path", "must be rows, distinct-values or quadrature");
  }

  const json& in = r.object(j, "", "input");
  m.input.file = r.text(in, "input.", "file");
  m.input.dataset = r.text(in, "input.", "dataset");
  m.input.rows = r.count(in, "input.", "rows");
  m.input.rows_skipped = r.count(in, "input.", "rows_skipped");
  m.input.min = r.number(in, "input.", "min");
  m.input.max = r.number(in, "input.", "max");
  m.input.sum = r.number(in, "input.", "sum");

  const json& pr = r.object(j, "", "priors");
  m.priors = {r.number(pr, "priors.", "alpha0"), r.number(pr, "priors.", "beta0"),
              r.number(pr, "priors.", "m0"), r.number(pr, "priors.", "nu0"),
              r.number(pr, "priors.", "psi0")};

  const json& fit = r.object(j, "", "fit");
  m.n_iter = static_cast<int>(r.count(fit, "fit.", "n_iter"));
  m.converged = r.flag(fit, "fit.", "converged");
  const auto history =
      r.array(fit, "fit.", "lower_bound_history", static_cast<std::size_t>(m.n_iter));
  m.lower_bounds.assign(history.data(), history.data() + history.size());

  const json& c = r.object(j, "", "components");
  m.weights = r.array(c, "components.", "weights", k);
  m.params.m = r.array(c, "components.", "means", k);
  m.params.C = r.array(c, "components.", "covariances", k);
  m.stds = r.array(c, "components.", "stds", k);
  m.params.P = r.array(c, "components.", "precisions_cholesky", k);
  m.params.a = r.array(c, "components.", "weight_concentration_a", k);
  m.params.b = r.array(c, "components.", "weight_concentration_b", k);
  m.params.beta = r.array(c, "components.", "mean_precision", k);
  m.params.nu = r.array(c, "components.", "degrees_of_freedom", k);
  if ((m.params.C <= 0).any() || (m.stds <= 0).any() || (m.params.P <= 0).any()) {
    r.fail("components", "covariances, stds and precisions_cholesky must be positive");
  }
  if ((m.params.beta <= 0).any() || (m.params.nu <= 0).any() || (m.params.a <= 0).any() ||
      (m.params.b <= 0).any()) {
    r.fail("components", "concentrations, mean precisions and degrees of freedom must be positive");
  }
  const auto counts = r.array(c, "components.", "argmax_counts", k);
  m.argmax_counts.assign(k, 0);
  for (std::size_t i = 0; i < k; ++i) {
    m.argmax_counts[i] = static_cast<std::uint64_t>(counts[static_cast<Eigen::Index>(i)]);
  }
  if (!c.contains("valid") || !c.at("valid").is_array() || c.at("valid").size() != k) {
    r.fail("components.valid", "must be an array of " + std::to_string(k) + " booleans");
  }
  for (const auto& v : c.at("valid")) {
    if (!v.is_boolean()) r.fail("components.valid", "must hold booleans");
    m.valid.push_back(v.get<bool>());
  }
  if (m.valid_indices().empty()) r.fail("components.valid", "marks no component valid");
  return m;
}

void write_model_file(const std::filesystem::path& path, const core::FittedModel& model) {
  const auto partial = partial_path_for(path);
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path.string() + ": cannot create the model file");
    out << model_to_json(model).dump(2) << '\n';
    out.close();
    if (!out) throw InputError(path.string() + ": cannot write the model file (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) {
    std::filesystem::remove(partial, ec);
    throw InputError(path.string() + ": cannot rename the finished model file: " + ec.message());
  }
}

core::FittedModel read_model_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": model file not found or unreadable");
  json parsed;
  try {
    parsed = json::parse(in);
  } catch (const json::parse_error& e) {
    throw InputError(path.string() + ": not a valid JSON model file (" + e.what() + ")");
  }
  return model_from_json(parsed, path.string());
}

}  // namespace modenorm::io

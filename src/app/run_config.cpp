#include "modenorm/app/run_config.hpp"

#include <toml++/toml.h>

#include <functional>
#include <map>
#include <sstream>

#include "modenorm/core/errors.hpp"

namespace modenorm::app {
namespace {

using core::InputError;

// Every accepted key, with how to store its TOML value into the config.
using Setter = std::function<void(RunConfig&, const toml::node&, const std::string& where)>;

std::string type_name(const toml::node& node) {
  std::ostringstream out;
  out << node.type();
  return out.str();
}

Setter text(std::string& (*get)(RunConfig&)) {
  return [get](RunConfig& c, const toml::node& n, const std::string& where) {
    const auto v = n.value<std::string>();
    if (!v) throw InputError(where + ": expected a string, got " + type_name(n));
    get(c) = *v;
  };
}
Setter integer(std::int64_t& (*get)(RunConfig&)) {
  return [get](RunConfig& c, const toml::node& n, const std::string& where) {
    if (!n.is_integer()) throw InputError(where + ": expected an integer, got " + type_name(n));
    get(c) = *n.value<std::int64_t>();
  };
}
Setter number(double& (*get)(RunConfig&)) {
  return [get](RunConfig& c, const toml::node& n, const std::string& where) {
    if (!n.is_number()) throw InputError(where + ": expected a number, got " + type_name(n));
    get(c) = *n.value<double>();
  };
}
Setter boolean(bool& (*get)(RunConfig&)) {
  return [get](RunConfig& c, const toml::node& n, const std::string& where) {
    if (!n.is_boolean()) throw InputError(where + ": expected true or false, got " + type_name(n));
    get(c) = *n.value<bool>();
  };
}

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> table = {
      {"input.csv", text([](RunConfig& c) -> std::string& { return c.input.csv; })},
      {"input.h5", text([](RunConfig& c) -> std::string& { return c.input.h5; })},
      {"input.column", text([](RunConfig& c) -> std::string& { return c.input.column; })},
      {"input.dataset", text([](RunConfig& c) -> std::string& { return c.input.dataset; })},
      {"scale.rows", integer([](RunConfig& c) -> std::int64_t& { return c.scale.rows; })},
      {"scale.jitter", number([](RunConfig& c) -> double& { return c.scale.jitter; })},
      {"scale.seed", integer([](RunConfig& c) -> std::int64_t& { return c.scale.seed; })},
      {"fit.components", integer([](RunConfig& c) -> std::int64_t& { return c.fit.components; })},
      {"fit.weight_prior", number([](RunConfig& c) -> double& { return c.fit.weight_prior; })},
      {"fit.max_iter", integer([](RunConfig& c) -> std::int64_t& { return c.fit.max_iter; })},
      {"fit.tol", number([](RunConfig& c) -> double& { return c.fit.tol; })},
      {"fit.tol_mode", text([](RunConfig& c) -> std::string& { return c.fit.tol_mode; })},
      {"fit.reg_covar", number([](RunConfig& c) -> double& { return c.fit.reg_covar; })},
      {"fit.eps", number([](RunConfig& c) -> double& { return c.fit.eps; })},
      {"fit.seed", integer([](RunConfig& c) -> std::int64_t& { return c.fit.seed; })},
      {"fit.init", text([](RunConfig& c) -> std::string& { return c.fit.init; })},
      {"fit.memory_budget", text([](RunConfig& c) -> std::string& { return c.fit.memory_budget; })},
      {"fit.estep", text([](RunConfig& c) -> std::string& { return c.fit.estep; })},
      {"transform.seed", integer([](RunConfig& c) -> std::int64_t& { return c.transform.seed; })},
      {"transform.clip", boolean([](RunConfig& c) -> bool& { return c.transform.clip; })},
      {"transform.alpha_dtype",
       text([](RunConfig& c) -> std::string& { return c.transform.alpha_dtype; })},
      {"check.inverse", boolean([](RunConfig& c) -> bool& { return c.check.inverse; })},
      {"evaluate.enabled", boolean([](RunConfig& c) -> bool& { return c.evaluate.enabled; })},
      {"evaluate.compare_samples",
       text([](RunConfig& c) -> std::string& { return c.evaluate.compare_samples; })},
      {"evaluate.seed", integer([](RunConfig& c) -> std::int64_t& { return c.evaluate.seed; })},
      {"output.dir", text([](RunConfig& c) -> std::string& { return c.output.dir; })},
      {"output.force", boolean([](RunConfig& c) -> bool& { return c.output.force; })},
  };
  return table;
}

void apply(RunConfig& config, const std::string& key, const toml::node& value,
           const std::string& where) {
  const auto& table = setters();
  const auto it = table.find(key);
  if (it == table.end()) {
    throw InputError(where + ": unknown key '" + key + "'");
  }
  it->second(config, value, where + ": " + key);
}

void apply_table(RunConfig& config, const toml::table& root, const std::string& source) {
  for (const auto& [section, node] : root) {
    const std::string name(section.str());
    const auto* table = node.as_table();
    if (!table) {
      throw InputError(source + ": '" + name +
                       "' must be a [section] (input, scale, fit, "
                       "transform, check, evaluate or output)");
    }
    for (const auto& [key, value] : *table) {
      apply(config, name + "." + std::string(key.str()), value, source);
    }
  }
}

}  // namespace

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& overrides) {
  RunConfig config;
  if (!path.empty()) {
    try {
      apply_table(config, toml::parse_file(path), path);
    } catch (const toml::parse_error& e) {
      std::ostringstream where;
      where << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
            << e.description();
      throw InputError(where.str());
    }
  }
  for (const auto& item : overrides) {
    const auto eq = item.find('=');
    const auto dot = item.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq) {
      throw InputError("--set: expected section.key=value, got '" + item + "'");
    }
    const std::string key = item.substr(0, eq);
    try {
      const auto parsed = toml::parse("v = " + item.substr(eq + 1));
      apply(config, key, *parsed.get("v"), "--set");
    } catch (const toml::parse_error& e) {
      throw InputError("--set " + key + ": the value '" + item.substr(eq + 1) +
                       "' is not valid TOML (quote strings: key=\"text\")");
    }
  }
  if (config.input.csv.empty() == config.input.h5.empty()) {
    throw InputError((path.empty() ? std::string("--config") : path) +
                     ": give exactly one of input.csv and input.h5");
  }
  return config;
}

nlohmann::ordered_json to_json(const RunConfig& c) {
  return {{"input",
           {{"csv", c.input.csv},
            {"h5", c.input.h5},
            {"column", c.input.column},
            {"dataset", c.input.dataset}}},
          {"scale", {{"rows", c.scale.rows}, {"jitter", c.scale.jitter}, {"seed", c.scale.seed}}},
          {"fit",
           {{"components", c.fit.components},
            {"weight_prior", c.fit.weight_prior},
            {"max_iter", c.fit.max_iter},
            {"tol", c.fit.tol},
            {"tol_mode", c.fit.tol_mode},
            {"reg_covar", c.fit.reg_covar},
            {"eps", c.fit.eps},
            {"seed", c.fit.seed},
            {"init", c.fit.init},
            {"memory_budget", c.fit.memory_budget},
            {"estep", c.fit.estep}}},
          {"transform",
           {{"seed", c.transform.seed},
            {"clip", c.transform.clip},
            {"alpha_dtype", c.transform.alpha_dtype}}},
          {"check", {{"inverse", c.check.inverse}}},
          {"evaluate",
           {{"enabled", c.evaluate.enabled},
            {"compare_samples", c.evaluate.compare_samples},
            {"seed", c.evaluate.seed}}},
          {"output", {{"dir", c.output.dir}, {"force", c.output.force}}}};
}

}  // namespace modenorm::app

#include "modenorm/app/fit_checkpoint.hpp"

#include <fstream>
#include <system_error>

#include "modenorm/core/errors.hpp"

namespace modenorm::app {
namespace {

using nlohmann::json;
constexpr const char* kSchema = "modenorm-fit-checkpoint/1";

json to_json(const Eigen::ArrayXd& a) { return std::vector<double>(a.data(), a.data() + a.size()); }

Eigen::ArrayXd from_json(const json& j) {
  const auto v = j.get<std::vector<double>>();
  return Eigen::Map<const Eigen::ArrayXd>(v.data(), static_cast<Eigen::Index>(v.size()));
}

}  // namespace

void write_fit_checkpoint(const std::filesystem::path& path, const json& identity,
                          const core::EmState& state) {
  const auto& p = state.params;
  const json j = {{"schema", kSchema},
                  {"identity", identity},
                  {"iteration", state.lower_bounds.size()},
                  {"converged", state.converged},
                  {"lower_bounds", state.lower_bounds},
                  {"params",
                   {{"a", to_json(p.a)},
                    {"b", to_json(p.b)},
                    {"beta", to_json(p.beta)},
                    {"m", to_json(p.m)},
                    {"nu", to_json(p.nu)},
                    {"C", to_json(p.C)},
                    {"P", to_json(p.P)}}}};
  auto partial = path;
  partial += ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << j.dump() << '\n';
    if (!out) throw core::InputError(path.string() + ": cannot write the fit checkpoint");
  }
  std::filesystem::rename(partial, path);
}

std::optional<core::EmState> read_fit_checkpoint(const std::filesystem::path& path,
                                                 const json& identity) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  json j;
  try {
    j = json::parse(in);
    if (j.at("schema") != kSchema) {
      throw core::InputError(path.string() + ": not a modenorm fit checkpoint");
    }
    if (j.at("identity") != identity) {
      throw core::InputError(path.string() +
                             ": the checkpoint was written for other options or another input "
                             "(saved: " + j.at("identity").dump() +
                             ", now: " + identity.dump() + "); remove it to start afresh");
    }
    core::EmState state;
    const json& p = j.at("params");
    state.params = {from_json(p.at("a")),  from_json(p.at("b")), from_json(p.at("beta")),
                    from_json(p.at("m")),  from_json(p.at("nu")), from_json(p.at("C")),
                    from_json(p.at("P"))};
    state.lower_bounds = j.at("lower_bounds").get<std::vector<double>>();
    state.converged = j.at("converged").get<bool>();
    return state;
  } catch (const json::exception& e) {
    throw core::InputError(path.string() + ": malformed fit checkpoint (" + e.what() + ")");
  }
}

}  // namespace modenorm::app

#include "modenorm/app/model_group.hpp"

#include <cstdint>

#include "modenorm/io/attributes.hpp"
#include "modenorm/io/dataset_1d.hpp"
#include "modenorm/io/group.hpp"
#include "modenorm/io/model_json.hpp"
#include "modenorm/io/slab_io.hpp"
#include "modenorm/parallel/communicator.hpp"

namespace modenorm::app {
namespace {

std::vector<double> to_vector(const Eigen::ArrayXd& a) { return {a.data(), a.data() + a.size()}; }

}  // namespace

template <io::Hdf5Element T>
void write_small_dataset(const io::File& file, std::string_view name,
                         const std::vector<T>& values) {
  const auto dataset = io::create_dataset_1d(file, name, io::element_type_of<T>(), values.size());
  const bool root = parallel::comm_rank(file.comm()) == 0;
  const parallel::RowRange rows{0, root ? values.size() : 0};
  const std::span<const T> mine(values.data(), rows.size());
  (void)io::write_rows<T>(dataset, rows, mine);
}

template void write_small_dataset<double>(const io::File&, std::string_view,
                                          const std::vector<double>&);
template void write_small_dataset<std::int64_t>(const io::File&, std::string_view,
                                                const std::vector<std::int64_t>&);
template void write_small_dataset<std::uint8_t>(const io::File&, std::string_view,
                                                const std::vector<std::uint8_t>&);

void write_model_group(const io::File& file, const core::FittedModel& model) {
  const auto& p = model.params;
  write_small_dataset(file, "/model/means", to_vector(p.m));
  write_small_dataset(file, "/model/stds", to_vector(model.stds));
  write_small_dataset(file, "/model/covariances", to_vector(p.C));
  write_small_dataset(file, "/model/weights", to_vector(model.weights));
  write_small_dataset(file, "/model/precisions_cholesky", to_vector(p.P));
  write_small_dataset(file, "/model/weight_concentration_a", to_vector(p.a));
  write_small_dataset(file, "/model/weight_concentration_b", to_vector(p.b));
  write_small_dataset(file, "/model/mean_precision", to_vector(p.beta));
  write_small_dataset(file, "/model/degrees_of_freedom", to_vector(p.nu));
  write_small_dataset(file, "/model/lower_bounds", model.lower_bounds);
  std::vector<std::uint8_t> valid(model.valid.begin(), model.valid.end());
  write_small_dataset(file, "/model/valid", valid);
  std::vector<std::int64_t> counts(model.argmax_counts.begin(), model.argmax_counts.end());
  write_small_dataset(file, "/model/argmax_counts", counts);

  const auto group = io::open_group(file, "/model");
  io::write_attribute(group, "schema", io::kModelSchema);
  io::write_attribute(group, "model_json", io::model_to_json(model).dump());
  io::write_attribute(group, "components", static_cast<std::int64_t>(model.components()));
  io::write_attribute(group, "weight_threshold", model.settings.weight_threshold);
  io::write_attribute(group, "alpha0", model.priors.alpha0);
  io::write_attribute(group, "beta0", model.priors.beta0);
  io::write_attribute(group, "m0", model.priors.m0);
  io::write_attribute(group, "nu0", model.priors.nu0);
  io::write_attribute(group, "psi0", model.priors.psi0);
  io::write_attribute(group, "n_iter", static_cast<std::int64_t>(model.n_iter));
  io::write_attribute(group, "converged", static_cast<std::int64_t>(model.converged ? 1 : 0));
  io::write_attribute(group, "lower_bound",
                      model.lower_bounds.empty() ? 0.0 : model.lower_bounds.back());
  io::write_attribute(group, "fit_input_file", model.input.file);
  io::write_attribute(group, "fit_input_rows", model.input.rows);
}

}  // namespace modenorm::app

#include "modenorm/io/group.hpp"

#include "modenorm/core/errors.hpp"
#include "modenorm/io/hdf5_error.hpp"
#include "modenorm/parallel/collective_check.hpp"

namespace modenorm::io {

Group create_group(const File& file, std::string_view name) {
  const std::string path(name);
  return parallel::run_collectively(
      [&] {
        PropertyListHandle lcpl(check_id(H5Pcreate(H5P_LINK_CREATE), "H5Pcreate(link create)"));
        check(H5Pset_create_intermediate_group(lcpl.get(), 1), "H5Pset_create_intermediate_group");
        GroupHandle group(
            check_id(H5Gcreate2(file.id(), path.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT),
                     file.path() + ": cannot create group '" + path + "'"));
        return Group(std::move(group), file.path(), path);
      },
      file.comm());
}

Group open_group(const File& file, std::string_view name) {
  const std::string path(name);
  return parallel::run_collectively(
      [&] {
        const htri_t exists = H5Lexists(file.id(), path.c_str(), H5P_DEFAULT);
        if (exists <= 0) {
          H5Eclear2(H5E_DEFAULT);  // a missing parent group also fails; both mean "no group"
          throw core::InputError(file.path() + ": no group '" + path + "'");
        }
        GroupHandle group(check_id(H5Gopen2(file.id(), path.c_str(), H5P_DEFAULT),
                                   file.path() + ": cannot open group '" + path + "'"));
        return Group(std::move(group), file.path(), path);
      },
      file.comm());
}

}  // namespace modenorm::io

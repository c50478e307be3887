// RAII owner of an MPI_Info object (used to pass MPI-IO hints).
#pragma once

#include <mpi.h>

#include <string>

namespace modenorm::parallel {

class MpiInfo {
 public:
  MpiInfo();  // MPI_Info_create
  ~MpiInfo();
  MpiInfo(const MpiInfo&) = delete;
  MpiInfo& operator=(const MpiInfo&) = delete;
  MpiInfo(MpiInfo&& other) noexcept;
  MpiInfo& operator=(MpiInfo&& other) noexcept;

  void set(const std::string& key, const std::string& value);
  [[nodiscard]] MPI_Info get() const noexcept { return info_; }

 private:
  MPI_Info info_;
};

}  // namespace modenorm::parallel

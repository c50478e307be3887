# Every third-party package comes from Debian's archive (scripts/install-deps.sh).
find_package(MPI REQUIRED COMPONENTS C)
# Only MPI's C API is used; keep the deprecated C++ bindings out of every translation unit.
add_compile_definitions(OMPI_SKIP_MPICXX=1 MPICH_SKIP_MPICXX=1)

set(HDF5_PREFER_PARALLEL TRUE)
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR
    "modenorm needs a parallel (MPI-IO) HDF5 build; found a serial one at ${HDF5_INCLUDE_DIRS}. "
    "On Debian install libhdf5-openmpi-dev (scripts/install-deps.sh does).")
endif()
add_library(modenorm_hdf5 INTERFACE)
target_include_directories(modenorm_hdf5 SYSTEM INTERFACE ${HDF5_INCLUDE_DIRS})
target_link_libraries(modenorm_hdf5 INTERFACE ${HDF5_C_LIBRARIES} MPI::MPI_C)
target_compile_definitions(modenorm_hdf5 INTERFACE ${HDF5_DEFINITIONS})

find_package(Eigen3 3.4 REQUIRED NO_MODULE)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)

find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(modenorm_random123 INTERFACE)
target_include_directories(modenorm_random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})

if(MODENORM_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()

# modenorm_options: compile options every project target links against.
add_library(modenorm_options INTERFACE)
target_compile_options(modenorm_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(MODENORM_WERROR)
  target_compile_options(modenorm_options INTERFACE -Werror)
endif()
if(MODENORM_ARCH)
  target_compile_options(modenorm_options INTERFACE -march=${MODENORM_ARCH})
endif()
if(MODENORM_VECTOR_WIDTH)
  target_compile_options(modenorm_options INTERFACE -mprefer-vector-width=${MODENORM_VECTOR_WIDTH})
endif()
# Kernels use `#pragma omp simd` to vectorise loops (no OpenMP runtime is linked).
target_compile_options(modenorm_options INTERFACE -fopenmp-simd)
# GCC 12 reports -Wrestrict on ordinary std::string concatenation at -O2/-O3 (GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(modenorm_options INTERFACE -Wno-restrict)
endif()

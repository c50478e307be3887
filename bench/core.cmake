# E-step kernel benchmark (core layer): reference vs fast kernel in ns/row/core.
add_executable(estep_bench ${CMAKE_CURRENT_LIST_DIR}/estep_bench.cpp)
target_link_libraries(estep_bench PRIVATE modenorm_core)

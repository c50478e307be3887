# Bootstrap generation benchmark (core layer, `modenorm scale`): rows/s and GB/s on one core.
# bench/scale_bench.sh runs it beside the whole command and a raw direct-I/O write.
add_executable(bootstrap_bench ${CMAKE_CURRENT_LIST_DIR}/bootstrap_bench.cpp)
find_package(Threads REQUIRED)
target_link_libraries(bootstrap_bench PRIVATE modenorm_core Threads::Threads)
target_compile_definitions(bootstrap_bench PRIVATE MODENORM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

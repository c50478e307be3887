# Transform / inverse kernel benchmark (core layer): compute-only rows/s/core.
add_executable(transform_bench ${CMAKE_CURRENT_LIST_DIR}/transform_bench.cpp)
target_link_libraries(transform_bench PRIVATE modenorm_core nlohmann_json::nlohmann_json)
target_compile_definitions(transform_bench PRIVATE MODENORM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

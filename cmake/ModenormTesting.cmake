# Test registration helpers. Every MPI concern lives here, not in the tests:
# the launcher, oversubscription, running as root, processor counts and timeouts.
include(GoogleTest)

set(MODENORM_TEST_RANKS 1 2 3 7 CACHE STRING "Rank counts every MPI test runs at")
set(MODENORM_MPI_TEST_TIMEOUT 120 CACHE STRING "Seconds before an MPI test is killed")
set(MODENORM_MPIEXEC_ENV
  "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1;OMPI_MCA_btl_vader_single_copy_mechanism=none")

# Settings every test binary shares: tests/support headers, and where the sources (data,
# fixtures) and the modenorm executable are.
function(modenorm_test_common target)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  target_compile_definitions(${target} PRIVATE MODENORM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(TARGET modenorm)
    target_compile_definitions(${target} PRIVATE MODENORM_BINARY="$<TARGET_FILE:modenorm>")
  endif()
endfunction()

# modenorm_add_unit_test(<target> <sources...>): a serial GoogleTest binary, one ctest per test case.
function(modenorm_add_unit_test target)
  add_executable(${target} ${ARGN})
  target_link_libraries(${target} PRIVATE modenorm_options GTest::gmock GTest::gtest_main)
  modenorm_test_common(${target})
  gtest_discover_tests(${target} PROPERTIES LABELS unit TIMEOUT 120
                       DISCOVERY_TIMEOUT 60)
endfunction()

# modenorm_add_mpi_test(<target> <sources...>): a GoogleTest binary run under mpiexec at each
# of MODENORM_TEST_RANKS. The shared main (tests/support) makes every rank agree on the
# result, so a failure on any rank fails the whole run; TIMEOUT stops a hang.
function(modenorm_add_mpi_test target)
  add_executable(${target} ${ARGN})
  target_link_libraries(${target} PRIVATE modenorm_options modenorm_mpi_gtest_main)
  modenorm_test_common(${target})
  foreach(ranks IN LISTS MODENORM_TEST_RANKS)
    set(name "${target}.np${ranks}")
    add_test(NAME ${name}
             COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${ranks} --oversubscribe
                     ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${target}> ${MPIEXEC_POSTFLAGS})
    set_tests_properties(${name} PROPERTIES
      LABELS mpi PROCESSORS ${ranks} TIMEOUT ${MODENORM_MPI_TEST_TIMEOUT}
      ENVIRONMENT "${MODENORM_MPIEXEC_ENV}")
  endforeach()
endfunction()

# opencl.cmake - OpenCL tests beyond the test_opencl unit program: the
# command line on the OpenCL backend and a valgrind run of test_opencl.
# Included by tests/CMakeLists.txt (every tests/*.cmake is a fragment).
if(NOT MCPI_WITH_OPENCL)
  return()
endif()

# The acceptance check of issue 3: DESIGN's known answer through the CLI.
add_test(NAME opencl_cli_known_answer
         COMMAND mcpi --backend opencl -n 1e6 --seed 42 --format json --repeat 1)
set_tests_properties(opencl_cli_known_answer PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV}" LABELS "opencl;cli" TIMEOUT 120
  PASS_REGULAR_EXPRESSION "\"hits\": 785856")

# A broken build surfaces the device's build log (and the row fails).
add_test(NAME opencl_cli_build_log
         COMMAND mcpi --backend opencl -n 1000 --repeat 1 --no-cache
                 --build-options -DMCPI_BREAK_BUILD)
set_tests_properties(opencl_cli_build_log PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV}" LABELS "opencl;cli" TIMEOUT 120
  PASS_REGULAR_EXPRESSION "OpenCL build log for opencl:[0-9]+\\.[0-9]+.*broken on purpose")

# An index that does not exist names what does (and exits non-zero).
add_test(NAME opencl_cli_bad_selector COMMAND mcpi --backend opencl:99.0 -n 10)
set_tests_properties(opencl_cli_bad_selector PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV}" LABELS "opencl;cli" TIMEOUT 120
  PASS_REGULAR_EXPRESSION "opencl:99\\.0.*opencl:0\\.0")
add_test(NAME opencl_cli_bad_selector_fails COMMAND mcpi --backend opencl:99.0 -n 10)
set_tests_properties(opencl_cli_bad_selector_fails PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV}" LABELS "opencl;cli" TIMEOUT 120 WILL_FAIL TRUE)

# Every OpenCL object released on every path: test_opencl under memcheck with
# the runtime's own allocations suppressed (tests/valgrind-opencl.supp).
# PoCL compiles kernels with LLVM in-process, which under memcheck takes
# minutes per kernel, so memcheck must find PoCL's kernel cache warm.  Where
# the CPU has AVX-512, valgrind hides it and PoCL compiles for another target
# (a "haswell" device instead of "skylake-avx512"), so the native tests'
# cache does not serve it: valgrind_opencl_warm first runs the same program
# under valgrind's no-instrumentation tool, which sees the CPU as memcheck
# does at a fraction of the cost (2 min cold on a 2-core AVX-512 VM, then
# memcheck 1.7 min; 10+ min without it).  Where valgrind sees the CPU as it
# is, the warm-up finds the native tests' cache and is short.
find_program(MCPI_VALGRIND valgrind)
if(MCPI_VALGRIND)
  add_test(NAME valgrind_opencl_warm
           COMMAND ${MCPI_VALGRIND} --tool=none -q $<TARGET_FILE:test_opencl>)
  set_tests_properties(valgrind_opencl_warm PROPERTIES
    ENVIRONMENT "${MCPI_TEST_ENV}" LABELS "valgrind;opencl" TIMEOUT 600
    FIXTURES_SETUP mcpi_valgrind_pocl_cache)
  add_test(NAME valgrind_opencl
           COMMAND ${MCPI_VALGRIND} --leak-check=full --error-exitcode=1
                   --suppressions=${CMAKE_CURRENT_SOURCE_DIR}/valgrind-opencl.supp
                   $<TARGET_FILE:test_opencl>)
  set_tests_properties(valgrind_opencl PROPERTIES
    ENVIRONMENT "${MCPI_TEST_ENV}" LABELS "valgrind;opencl" TIMEOUT 600
    FIXTURES_REQUIRED mcpi_valgrind_pocl_cache)
endif()

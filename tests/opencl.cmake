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
# the runtime's own allocations suppressed (tests/valgrind-opencl.supp).  About
# 15 s with a warm PoCL kernel cache and 1.5 min cold on 2 cores (valgrind
# makes PoCL compile for a non-AVX-512 target, so the first run compiles).
find_program(MCPI_VALGRIND valgrind)
if(MCPI_VALGRIND)
  add_test(NAME valgrind_opencl
           COMMAND ${MCPI_VALGRIND} --leak-check=full --error-exitcode=1
                   --suppressions=${CMAKE_CURRENT_SOURCE_DIR}/valgrind-opencl.supp
                   $<TARGET_FILE:test_opencl>)
  set_tests_properties(valgrind_opencl PROPERTIES
    ENVIRONMENT "${MCPI_TEST_ENV}" LABELS "valgrind;opencl" TIMEOUT 600)
endif()

# compare.cmake - mcpi compare end to end: real runs of the real binary, a
# run against a genuinely slower one (simd with --isa portable) in both
# directions and under --fail-if-slower, a file against itself, every
# format parsed back (csv, json against the schema, markdown), a wrong
# number, too few repeats, and the command's refusals.
set(_mcpi_compare_env "${MCPI_TEST_ENV}"
    "MCPI_SCHEMA=${CMAKE_SOURCE_DIR}/schema/mcpi-output.schema.json")
add_test(NAME compare COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/compare_test.py)
set_tests_properties(compare PROPERTIES ENVIRONMENT "${_mcpi_compare_env}" TIMEOUT 600
  LABELS "cli")

# completion.cmake - scripts/completion/mcpi.bash sourced and driven the way
# bash drives it, against the real binary: commands, every flag of --help,
# the values of --format/--isa/--verify/--backend (with the opencl:P.D
# indices PoCL lists), file names, and a binary that hangs.
if(MCPI_WITH_OPENCL)
  set(_mcpi_completion_ocl 1)
else()
  set(_mcpi_completion_ocl 0)
endif()
add_test(NAME completion COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/completion_test.sh)
set_tests_properties(completion PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MCPI_HAVE_OPENCL=${_mcpi_completion_ocl};MCPI_COMPLETION=${PROJECT_SOURCE_DIR}/scripts/completion/mcpi.bash;MCPI_COMPLETION_TMP=${MCPI_TEST_TMP_DIR}/completion"
  TIMEOUT 120 LABELS "cli")

# The bad-input table (tests/bad_input_test.py): every refusal of the real
# binary asserts its exit code, one stderr line naming the flag, variable or
# file, and that nothing was written.  Python's standard library only.
if(MCPI_WITH_OPENCL)
  set(_mcpi_bad_have_ocl 1)
else()
  set(_mcpi_bad_have_ocl 0)
endif()
if(MCPI_WITH_MPI)
  set(_mcpi_bad_have_mpi 1)
else()
  set(_mcpi_bad_have_mpi 0)
endif()
add_test(NAME bad_input COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/bad_input_test.py)
set_tests_properties(bad_input PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MCPI_HAVE_OPENCL=${_mcpi_bad_have_ocl};MCPI_HAVE_MPI=${_mcpi_bad_have_mpi}"
  TIMEOUT 300 LABELS "cli")

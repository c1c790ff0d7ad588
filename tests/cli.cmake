# End-to-end command-line tests (Python's standard library only).
if(MCPI_WITH_OPENCL)
  set(_mcpi_have_ocl 1)
else()
  set(_mcpi_have_ocl 0)
endif()
if(MCPI_WITH_MPI)
  set(_mcpi_have_mpi 1)
else()
  set(_mcpi_have_mpi 0)
endif()
add_test(NAME cli COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/cli_test.py)
set_tests_properties(cli PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MCPI_HAVE_OPENCL=${_mcpi_have_ocl};MCPI_HAVE_MPI=${_mcpi_have_mpi}"
  TIMEOUT 600 LABELS "cli")

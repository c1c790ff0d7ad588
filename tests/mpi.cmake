# MPI tests: the real mpiexec with several ranks (oversubscribed on small
# machines through MCPI_TEST_ENV).
if(MCPI_WITH_MPI)
  if(MCPI_WITH_OPENCL)
    set(_mcpi_have_ocl 1)
  else()
    set(_mcpi_have_ocl 0)
  endif()
  add_test(NAME mpi COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/mpi_test.py)
  set_tests_properties(mpi PROPERTIES
    ENVIRONMENT "${MCPI_TEST_ENV};MPIEXEC=${MPIEXEC_EXECUTABLE};MCPI_HAVE_OPENCL=${_mcpi_have_ocl}"
    TIMEOUT 900 LABELS "mpi" RUN_SERIAL TRUE)
endif()

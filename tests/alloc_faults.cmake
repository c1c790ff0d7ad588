# Allocation failure at every allocation site of representative commands
# (tests/alloc_faults_test.py, the MCPI_TEST_FAIL_ALLOC hook of
# host/run/fault_alloc.c): test-hook builds only.
if(MCPI_TEST_HOOKS)
  set(_mcpi_alloc_ocl 0)
  if(MCPI_WITH_OPENCL)
    set(_mcpi_alloc_ocl 1)
  endif()
  set(_mcpi_alloc_mpiexec "")
  if(MCPI_WITH_MPI)
    set(_mcpi_alloc_mpiexec "${MPIEXEC_EXECUTABLE}")
  endif()
  add_test(NAME alloc_faults COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/alloc_faults_test.py)
  set_tests_properties(alloc_faults PROPERTIES
    ENVIRONMENT "${MCPI_TEST_ENV};MPIEXEC=${_mcpi_alloc_mpiexec};MCPI_HAVE_OPENCL=${_mcpi_alloc_ocl};MCPI_TEST_TMP=${MCPI_TEST_TMP_DIR}"
    TIMEOUT 600 LABELS "faults")
endif()

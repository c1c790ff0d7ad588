# Faults from outside mcpi (tests/faults_test.py): a disk that fills under -o
# and mid-run under --checkpoint (a small tmpfs; skipped with the reason where
# none can be mounted), one MPI rank killed with SIGKILL mid-run, and OpenCL
# calls that fail (the MCPI_TEST_CL_FAIL hook of test-hook builds).
set(_mcpi_faults_ocl 0)
if(MCPI_WITH_OPENCL)
  set(_mcpi_faults_ocl 1)
endif()
set(_mcpi_faults_mpiexec "")
if(MCPI_WITH_MPI)
  set(_mcpi_faults_mpiexec "${MPIEXEC_EXECUTABLE}")
endif()
add_test(NAME faults COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/faults_test.py)
set_tests_properties(faults PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MPIEXEC=${_mcpi_faults_mpiexec};MCPI_HAVE_OPENCL=${_mcpi_faults_ocl};MCPI_TEST_TMP=${MCPI_TEST_TMP_DIR}"
  TIMEOUT 600 LABELS "faults" RUN_SERIAL TRUE)

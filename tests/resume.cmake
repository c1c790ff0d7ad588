# Checkpoint, resume, signals and merge, end to end (tests/resume_test.py):
# runs are interrupted at random moments and resumed with other backends and
# rank counts; the final hits must equal an uninterrupted run's exactly.
if(MCPI_WITH_OPENCL)
  set(_mcpi_resume_ocl 1)
else()
  set(_mcpi_resume_ocl 0)
endif()
set(_mcpi_resume_mpiexec "")
if(MCPI_WITH_MPI)
  set(_mcpi_resume_mpiexec "${MPIEXEC_EXECUTABLE}")
endif()
add_test(NAME resume COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/resume_test.py)
set_tests_properties(resume PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MPIEXEC=${_mcpi_resume_mpiexec};MCPI_HAVE_OPENCL=${_mcpi_resume_ocl};MCPI_TEST_TMP=${MCPI_TEST_TMP_DIR}"
  TIMEOUT 600 LABELS "resume" RUN_SERIAL TRUE)

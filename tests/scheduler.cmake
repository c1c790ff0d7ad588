# The scheduler end to end (tests/scheduler_test.py): combined rows under
# mpiexec, --balance, the same plan on a terminal, in a pipe and with
# --progress, miscounting workers failing the run.
if(MCPI_WITH_OPENCL)
  set(_mcpi_sched_ocl 1)
else()
  set(_mcpi_sched_ocl 0)
endif()
set(_mcpi_sched_mpiexec "")
if(MCPI_WITH_MPI)
  set(_mcpi_sched_mpiexec "${MPIEXEC_EXECUTABLE}")
endif()
add_test(NAME scheduler COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/scheduler_test.py)
set_tests_properties(scheduler PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MPIEXEC=${_mcpi_sched_mpiexec};MCPI_HAVE_OPENCL=${_mcpi_sched_ocl};MCPI_TEST_TMP=${MCPI_TEST_TMP_DIR}"
  TIMEOUT 600 LABELS "cli;mpi")

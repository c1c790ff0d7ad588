# scale.cmake - mcpi scale end to end: exact hits at every point, strong and
# weak, over threads and (with MPI) over sub-communicators of a real
# mpiexec job, the output validated against the schema, a plot drawn from a
# real study, and the command's refusals.
set(_mcpi_scale_env "${MCPI_TEST_ENV}"
    "MCPI_SCHEMA=${CMAKE_SOURCE_DIR}/schema/mcpi-output.schema.json"
    "MCPI_PLOT=${CMAKE_SOURCE_DIR}/scripts/plot")
if(MCPI_WITH_MPI)
  list(APPEND _mcpi_scale_env "MPIEXEC=${MPIEXEC_EXECUTABLE}")
endif()
add_test(NAME scale COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/scale_test.py)
set_tests_properties(scale PROPERTIES ENVIRONMENT "${_mcpi_scale_env}" TIMEOUT 600
  LABELS "cli;mpi")

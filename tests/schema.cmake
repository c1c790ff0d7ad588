# schema.cmake - real output of mcpi (run, sweep, calibrate, and per-rank rows
# under mpiexec when built with MPI) validated against
# schema/mcpi-output.schema.json with Python's jsonschema (Debian
# python3-jsonschema: scripts/deps test).
if(MCPI_WITH_OPENCL)
  set(_mcpi_schema_ocl 1)
else()
  set(_mcpi_schema_ocl 0)
endif()
set(_mcpi_schema_env "${MCPI_TEST_ENV};MCPI_HAVE_OPENCL=${_mcpi_schema_ocl}"
    "MCPI_SCHEMA=${CMAKE_SOURCE_DIR}/schema/mcpi-output.schema.json")
if(MCPI_WITH_MPI)
  list(APPEND _mcpi_schema_env "MPIEXEC=${MPIEXEC_EXECUTABLE}")
endif()
add_test(NAME schema COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/schema_test.py)
set_tests_properties(schema PROPERTIES ENVIRONMENT "${_mcpi_schema_env}" TIMEOUT 600
  LABELS "schema;cli")

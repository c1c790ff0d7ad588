# selftest.cmake - `mcpi selftest` end to end (tests/selftest_test.py), one
# CTest test per class: every device here passes (Pass), its JSON validates
# against schema/selftest.schema.json and its CSV parses (Json), a device
# forced to miscount fails by name (FaultSerial; FaultOpenCL with OpenCL;
# both need MCPI_TEST_HOOKS), and refusals are one line (BadInput).
if(MCPI_WITH_OPENCL)
  set(_mcpi_selftest_ocl 1)
else()
  set(_mcpi_selftest_ocl 0)
endif()
set(_mcpi_selftest_env "${MCPI_TEST_ENV};MCPI_HAVE_OPENCL=${_mcpi_selftest_ocl}"
    "MCPI_SELFTEST_SCHEMA=${PROJECT_SOURCE_DIR}/schema/selftest.schema.json")
if(MCPI_WITH_MPI)
  list(APPEND _mcpi_selftest_env "MPIEXEC=${MPIEXEC_EXECUTABLE}")
endif()
set(_mcpi_selftest_classes pass:Pass json:Json bad_input:BadInput)
if(MCPI_TEST_HOOKS)
  list(APPEND _mcpi_selftest_classes fault_serial:FaultSerial)
  if(MCPI_WITH_OPENCL)
    list(APPEND _mcpi_selftest_classes fault_opencl:FaultOpenCL)
  endif()
endif()
foreach(_pair IN LISTS _mcpi_selftest_classes)
  string(REPLACE ":" ";" _pair "${_pair}")
  list(GET _pair 0 _name)
  list(GET _pair 1 _class)
  add_test(NAME selftest_${_name}
           COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/selftest_test.py ${_class})
  set_tests_properties(selftest_${_name} PROPERTIES ENVIRONMENT "${_mcpi_selftest_env}"
                       TIMEOUT 300 LABELS "selftest;cli")
endforeach()

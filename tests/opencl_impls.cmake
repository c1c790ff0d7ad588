# opencl_impls.cmake - the OpenCL tests on every implementation that
# scripts/deps opencl-impls registered in MCPI_OPENCL_IMPLS_DIR (PoCL, Intel's
# CPU runtime, Mesa rusticl on llvmpipe, Oclgrind; tests/opencl_impls_test.py):
# test_opencl, exact runs in many geometries, mcpi selftest, and Oclgrind's
# checks.  An implementation that is not there skips (exit 77) with the reason
# scripts/deps wrote; scripts/test installs all four first.
if(NOT MCPI_WITH_OPENCL)
  return()
endif()
set(MCPI_OPENCL_IMPLS_DIR "${PROJECT_BINARY_DIR}/opencl-impls" CACHE PATH
    "Where scripts/deps opencl-impls registered the OpenCL implementations to test")
set(_mcpi_impls_env "${MCPI_TEST_ENV}" "MCPI_OPENCL_IMPLS=${MCPI_OPENCL_IMPLS_DIR}")
set(_mcpi_impls_test ${CMAKE_CURRENT_SOURCE_DIR}/opencl_impls_test.py)

# name:impl:check:timeout.  test_opencl already runs on PoCL (the system's
# platform); Oclgrind, a simulator at about 20k samples/s, skips it.
set(_mcpi_impl_tests
    pocl:exact:300 pocl:selftest:300
    intel:unit:600 intel:exact:300 intel:selftest:300
    rusticl:unit:600 rusticl:exact:300 rusticl:selftest:300
    oclgrind:exact:600 oclgrind:selftest:900 oclgrind:checks:900 oclgrind:oclgrind-bug:120)
foreach(_t IN LISTS _mcpi_impl_tests)
  string(REPLACE ":" ";" _t "${_t}")
  list(GET _t 0 _impl)
  list(GET _t 1 _check)
  list(GET _t 2 _timeout)
  string(REPLACE "-" "_" _name "${_check}")
  set(_args ${_impl} ${_check})
  if(_check STREQUAL "unit")
    list(APPEND _args $<TARGET_FILE:test_opencl>)
  endif()
  add_test(NAME opencl_impl_${_impl}_${_name} COMMAND ${MCPI_PYTHON3} ${_mcpi_impls_test} ${_args})
  set_tests_properties(opencl_impl_${_impl}_${_name} PROPERTIES
    ENVIRONMENT "${_mcpi_impls_env}" TIMEOUT ${_timeout} SKIP_RETURN_CODE 77
    LABELS "opencl;opencl-impls;${_impl}")
endforeach()

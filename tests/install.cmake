# install.cmake - `cmake --install` of this build into a fresh prefix under
# the tests' tmp folder, then tests/consumer built against it with
# find_package(mcpi 0.1) and with pkg-config (--static), run, and again after
# the prefix is moved; mcpi 0.2 and 1.0 refused; the man page and the bash
# completion installed and working.
if(MCPI_WITH_OPENCL)
  set(_mcpi_install_ocl 1)
else()
  set(_mcpi_install_ocl 0)
endif()
if(MCPI_WITH_MPI)
  set(_mcpi_install_mpi 1)
else()
  set(_mcpi_install_mpi 0)
endif()
add_test(NAME install COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install_test.sh)
set_tests_properties(install PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MCPI_BUILD_DIR=${CMAKE_BINARY_DIR};MCPI_SOURCE_DIR=${PROJECT_SOURCE_DIR};MCPI_INSTALL_TMP=${MCPI_TEST_TMP_DIR}/install;CMAKE_COMMAND=${CMAKE_COMMAND};CC=${CMAKE_C_COMPILER};PKG_CONFIG=${PKG_CONFIG_EXECUTABLE};MCPI_HAVE_OPENCL=${_mcpi_install_ocl};MCPI_HAVE_MPI=${_mcpi_install_mpi}"
  TIMEOUT 300 LABELS "install")

# Cluster test: one Open MPI job across two "hosts" (network namespaces joined
# by a bridge, an rsh agent that enters them with their own hostnames), exact
# hits and two hostnames in the per-rank records. Needs root (namespaces,
# bridge, /etc/hosts entries removed afterwards); exits 77 (skipped, with the
# reason) where namespaces cannot be created.
if(MCPI_WITH_MPI)
  add_test(NAME multihost COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/multihost_test.sh)
  set_tests_properties(multihost PROPERTIES
    ENVIRONMENT "${MCPI_TEST_ENV};MPIEXEC=${MPIEXEC_EXECUTABLE};MCPI_MULTIHOST_WORK=${MCPI_TEST_TMP_DIR}/multihost;MCPI_MULTIHOST_RUNS=3"
    SKIP_RETURN_CODE 77
    TIMEOUT 180
    RUN_SERIAL TRUE
    LABELS "cluster")
endif()

# Cluster test: the Slurm batch templates (scripts/slurm/) submitted with sbatch
# to a private single-node Slurm that the test starts and stops itself
# (munged, slurmctld, slurmd; config and state under the build tree).
# Needs root and `scripts/deps slurm`; exits 77 (skipped, with the reason) when
# Slurm is not installed or its daemons cannot start here.
if(MCPI_WITH_MPI)
  add_test(NAME slurm COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/slurm_test.sh)
  set_tests_properties(slurm PROPERTIES
    ENVIRONMENT "${MCPI_TEST_ENV};MCPI_SOURCE_DIR=${PROJECT_SOURCE_DIR};MCPI_SLURM_WORK=${MCPI_TEST_TMP_DIR}/slurm"
    SKIP_RETURN_CODE 77
    TIMEOUT 240
    RUN_SERIAL TRUE
    LABELS "cluster")
endif()

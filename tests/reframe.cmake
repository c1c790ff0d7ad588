# ReFrame check (scripts/reframe/): mcpi as an HPC centre's regression test,
# run by scripts/reframe/run on the `local` system of scripts/reframe/settings.py:
# one process and `mpiexec -n 2`, exact hits as the sanity check, samples/s of
# every row as performance variables, then two negative runs that must fail
# their sanity check (a row's hits + 1; a wrong expected value).
# reframe-hpc comes from PyPI into <build>/reframe-venv on first use; where
# PyPI is unreachable (or `python3 -m venv` does not work) the script prints
# why and exits 77: skipped, never passed. ReFrame's output, stage folders and
# perflogs land in <build>/reframe/local/.
# There is no `reframe_slurm` test: tests/slurm_test.sh starts and stops its
# private Slurm inside one test (no fixture to depend on); with a Slurm up,
# `scripts/reframe/run --system slurm` runs the same check by hand (README).
if(MCPI_WITH_MPI)
  set(_mcpi_reframe_mpi "")
else()
  set(_mcpi_reframe_mpi --no-mpi)
endif()
add_test(NAME reframe
  COMMAND ${PROJECT_SOURCE_DIR}/scripts/reframe/run --system local
          --build-dir ${PROJECT_BINARY_DIR} --mcpi $<TARGET_FILE:mcpi> ${_mcpi_reframe_mpi})
set_tests_properties(reframe PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV}"
  SKIP_RETURN_CODE 77
  TIMEOUT 600
  RUN_SERIAL TRUE
  LABELS "reframe")

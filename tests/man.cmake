# man.cmake - docs/mcpi.1 against the real `mcpi --help` (every command, flag
# and exit code, both ways; the variables mcpi reads) and rendered by
# `man -l --warnings` with no warning (man-db, groff-base: scripts/deps test).
add_test(NAME man COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/man_test.py)
set_tests_properties(man PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MCPI_MAN_PAGE=${PROJECT_SOURCE_DIR}/docs/mcpi.1;MCPI_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
  TIMEOUT 120 LABELS "cli")

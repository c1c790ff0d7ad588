# Every format (table, csv, json, markdown) of every subcommand parsed back by
# a real parser (tests/formats_test.py): JSON against the schema, CSV with the
# csv module, Markdown by its table grammar.
add_test(NAME formats COMMAND ${MCPI_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/formats_test.py)
set_tests_properties(formats PROPERTIES
  ENVIRONMENT "${MCPI_TEST_ENV};MCPI_SCHEMA=${PROJECT_SOURCE_DIR}/schema/mcpi-output.schema.json;MCPI_TEST_TMP=${MCPI_TEST_TMP_DIR}"
  TIMEOUT 300 LABELS "cli;schema")

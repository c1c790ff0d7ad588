# The profiling reporters' machine-readable output, checked by Python's
# parsers: test_profile writes its sample report (3 job rows incl. a failed
# and a naive one, 2 rank rows) and json/csv must read it back.  Strict JSON:
# NaN or Infinity literals fail the check.

if(MCPI_PYTHON3 AND TARGET test_profile)
  set(_profile_json ${MCPI_TEST_TMP_DIR}/profile.json)
  set(_profile_csv ${MCPI_TEST_TMP_DIR}/profile.csv)

  add_test(NAME profile_json_write COMMAND test_profile --write-json ${_profile_json})
  add_test(NAME profile_json_valid COMMAND ${MCPI_PYTHON3} -c [=[
import json, sys
d = json.load(open(sys.argv[1]), parse_constant=lambda c: sys.exit('non-finite number: ' + c))
assert set(d) == {'version', 'config', 'results', 'ranks', 'slow_ranks', 'checksum'}, sorted(d)
assert set(d['config']) >= {'samples', 'seed', 'repeat', 'warmup', 'ranks', 'threads'}
r = d['results']
assert [x['name'] for x in r] == ['threads', 'naive', 'opencl:0.0'], r
assert r[0]['ratio'] == 1 and r[2]['ratio'] is None and r[2]['status'] == 'error'
assert r[0]['time_s']['median'] == 0.5 and r[0]['memory']['device_bytes'] is None
assert len(d['ranks']) == 2 and d['ranks'][1]['hostname'] == 'node\x01\ufffd'
]=] ${_profile_json})
  set_tests_properties(profile_json_write PROPERTIES FIXTURES_SETUP mcpi_profile_json LABELS unit)
  set_tests_properties(profile_json_valid PROPERTIES FIXTURES_REQUIRED mcpi_profile_json LABELS unit)

  add_test(NAME profile_csv_write COMMAND test_profile --write-csv ${_profile_csv})
  add_test(NAME profile_csv_valid COMMAND ${MCPI_PYTHON3} -c [=[
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline='')))
assert len(rows) == 6 and all(len(x) == len(rows[0]) for x in rows), [len(x) for x in rows]
h = rows[0]
assert [x[h.index('scope')] for x in rows[1:]] == ['job'] * 3 + ['rank'] * 2
assert '\n' in rows[3][h.index('error')] and '"' in rows[3][h.index('error')]
]=] ${_profile_csv})
  set_tests_properties(profile_csv_write PROPERTIES FIXTURES_SETUP mcpi_profile_csv LABELS unit)
  set_tests_properties(profile_csv_valid PROPERTIES FIXTURES_REQUIRED mcpi_profile_csv LABELS unit)
endif()

#!/usr/bin/env python3
"""mcpi selftest end to end, against the real binary.

Run by CTest (tests/selftest.cmake), one test per class:
  Pass      every exact device of this machine passes: exit 0, one PASS line each,
            every device `mcpi devices` lists (but naive) checked; well under 30 s
  Json      -f json validates against schema/selftest.schema.json and ends with the
            checksum of the other JSON reports; -f csv parses, a record per check
  FaultSerial / FaultOpenCL   (test-hook builds) MCPI_TEST_MISCOUNT=serial or
            =opencl:0.0 makes that device fail: exit 1 and a FAIL line naming it
            and what differed, the other devices still PASS
  BadInput  refusals: exit 2 (3 for a missing device), one line on stderr naming
            the flag, nothing on stdout, no -o file

Environment: MCPI_BIN, MCPI_SELFTEST_SCHEMA, MCPI_HAVE_OPENCL, MCPI_TEST_HOOKS (1/0),
MPIEXEC (when built with MPI), and the private caches of MCPI_TEST_ENV.  jsonschema (python3-jsonschema) for Json.
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MCPI = os.environ.get("MCPI_BIN", "build/mcpi")
SCHEMA = os.environ.get("MCPI_SELFTEST_SCHEMA",
                        os.path.join(HERE, "..", "schema", "selftest.schema.json"))
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"
HOOKS = os.environ.get("MCPI_TEST_HOOKS", "0") in ("1", "ON", "TRUE", "true")
CHECKSUM_KEY = ',\n  "checksum": "fnv1a64:'
TIMEOUT_S = 120


def mcpi(*args, env=None, timeout=TIMEOUT_S):
    e = dict(os.environ)
    e.pop("MCPI_TEST_MISCOUNT", None)
    e.update(env or {})
    return subprocess.run([MCPI, *args], capture_output=True, text=True, timeout=timeout, env=e)


def exact_devices():
    """The ids `mcpi devices` lists for every exact backend."""
    p = mcpi("devices", "--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    ids = []
    for b in doc["backends"]:
        if b.get("exact") and b.get("available"):
            ids += [d["id"] for d in b["devices"]]
    return ids


def lines_of(table):
    """{device: (result, checks)} of a selftest table."""
    rows = {}
    for line in table.splitlines():
        parts = line.split(None, 4)
        if len(parts) >= 4 and parts[1] in ("PASS", "FAIL"):
            rows[parts[0]] = (parts[1], line)
    return rows


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


class Pass(unittest.TestCase):
    def test_every_exact_device_passes(self):
        t0 = time.monotonic()
        p = mcpi("selftest")
        took = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        rows = lines_of(p.stdout)
        want = exact_devices()
        self.assertEqual(sorted(rows), sorted(want), p.stdout)
        for name, (result, line) in rows.items():
            self.assertEqual(result, "PASS", line)
            self.assertIn("known answers 13/13", line)
            self.assertIn("hit counts 5/5", line)
            self.assertIn("statistics 32 seeds x", line)
        self.assertIn("geometry n/a", rows["serial"][1])
        self.assertIn("geometry 3/3", rows["threads"][1])
        self.assertIn(f"selftest: {len(want)} devices passed", p.stdout)
        self.assertNotIn("naive", p.stdout)
        self.assertLess(took, 60, "the default selftest must stay well under 30 s on PoCL")

    def test_one_backend_and_a_seed(self):
        p = mcpi("selftest", "-b", "threads,serial", "-s", "0xffffffffffffffff")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(sorted(lines_of(p.stdout)), ["serial", "threads"])
        self.assertIn("seed 18446744073709551615", p.stdout)

    @unittest.skipUnless(HAVE_OPENCL, "built without OpenCL")
    def test_opencl_runs_every_configuration(self):
        p = mcpi("selftest", "-b", "opencl:0.0", "-f", "json")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        dev = json.loads(p.stdout)["selftest"]["devices"][0]
        self.assertEqual(dev["checks"][0]["via"], "device")
        geo = dev["checks"][2]
        names = [c["name"] for c in geo["configs"]]
        for want in ("default", "work-group 1", "work-group 7", "per-item 1",
                     "launch-samples 37", "scalar kernel"):
            self.assertIn(want, names)
        self.assertTrue(any(n.endswith("(max)") for n in names), names)
        by = {c["name"]: c for c in geo["configs"]}
        self.assertEqual(by["scalar kernel"]["vector"], 1)
        self.assertEqual(by["work-group 7"]["local_size"], 7)
        self.assertEqual(by["per-item 1"]["per_item"], 1)

    def test_help(self):
        p = mcpi("selftest", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("usage: mcpi selftest"), p.stdout)
        for word in ("known answers", "hit counts", "geometry", "statistics", "Exit codes"):
            self.assertIn(word, p.stdout)


class Json(unittest.TestCase):
    def test_json_validates_and_ends_with_its_checksum(self):
        try:
            import jsonschema
        except ImportError:  # a clear failure, not a silent skip: the check is the point
            self.fail("python3-jsonschema is missing; run scripts/deps test")
        with open(SCHEMA) as f:
            schema = json.load(f)
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validator = cls(schema)
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "selftest.json")
            p = mcpi("selftest", "-f", "json", "-o", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "")
            with open(out, "rb") as f:
                raw = f.read()
        text = raw.decode()
        doc = json.loads(text)
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
        self.assertEqual(errors[:5], [])
        at = text.index(CHECKSUM_KEY)
        self.assertEqual(doc["checksum"], "fnv1a64:%016x" % fnv1a64(raw[:at]))
        st = doc["selftest"]
        self.assertTrue(st["passed"])
        self.assertEqual(sorted(dv["name"] for dv in st["devices"]), sorted(exact_devices()))
        for dv in st["devices"]:
            self.assertEqual([c["name"] for c in dv["checks"]],
                             ["philox", "hits", "geometry", "statistics"])
            stats = dv["checks"][3]["statistics"]
            self.assertLess(stats["max_abs_z"], stats["bounds"]["max_abs_z"])
            self.assertLess(abs(stats["mean_z"]), stats["bounds"]["mean_z"])
            self.assertLessEqual(stats["bounds"]["false_fail_probability"], 1e-6)
        # the schema is closed: an unknown key is refused
        doc["selftest"]["devices"][0]["surprise"] = 1
        self.assertFalse(validator.is_valid(doc))

    def test_csv_has_a_record_per_device_and_check(self):
        p = mcpi("selftest", "-b", "serial,simd", "-f", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.DictReader(io.StringIO(p.stdout, newline="")))
        self.assertEqual([(r["device"], r["check"]) for r in rows],
                         [(d, c) for d in ("serial", "simd")
                          for c in ("philox", "hits", "geometry", "statistics")])
        self.assertTrue(all(r["device_passed"] == "true" for r in rows))


    def test_markdown_is_a_table_with_a_row_per_device(self):
        p = mcpi("selftest", "-b", "serial,threads", "-f", "markdown")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = [line for line in p.stdout.splitlines() if line.startswith("|")]
        self.assertEqual(rows[0], "| device | result | time | checks |")
        self.assertRegex(rows[1], r"^\|(:?-+:?\|){4}$")
        self.assertEqual([r.split("|")[1].strip() for r in rows[2:]], ["serial", "threads"])
        self.assertTrue(all(r.split("|")[2].strip() == "PASS" for r in rows[2:]))


class Fault(unittest.TestCase):
    def failing(self, device, args):
        p = mcpi("selftest", *args, env={"MCPI_TEST_MISCOUNT": device})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        rows = lines_of(p.stdout)
        self.assertEqual(rows[device][0], "FAIL", p.stdout)
        self.assertIn("hit counts: seed 0, samples [0, 10): expected 7, got 8", rows[device][1])
        for name, (result, line) in rows.items():
            if name != device:
                self.assertEqual(result, "PASS", line)
        self.assertIn("FAILED: " + device, p.stdout)
        return p

    def json_failing(self, device, args):
        p = mcpi("selftest", *args, "-f", "json", env={"MCPI_TEST_MISCOUNT": device})
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = json.loads(p.stdout)
        self.assertFalse(doc["selftest"]["passed"])
        dev = [d for d in doc["selftest"]["devices"] if d["name"] == device][0]
        self.assertFalse(dev["passed"])
        hits = dev["checks"][1]
        self.assertEqual(hits["outcome"], "fail")
        self.assertEqual(hits["mismatch"], {"where": "seed 0, samples [0, 10)",
                                            "expected": "7", "got": "8"})
        self.assertIn(f"mcpi: selftest: {device} FAIL: hit counts", p.stderr)


@unittest.skipUnless(HOOKS, "built without MCPI_TEST_HOOKS")
class FaultSerial(Fault):
    def test_serial_miscount_fails_serial(self):
        self.failing("serial", ["-b", "serial"])
        self.json_failing("serial", ["-b", "serial"])

    def test_one_miscounted_chunk_is_seen(self):
        # chunk 7: a statistics seed; one hit in 2^16 is no statistical signal,
        # the reference recount of every seed sees it
        p = mcpi("selftest", "-b", "threads", env={"MCPI_TEST_MISCOUNT": "threads:7"})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("statistics: seed 2, samples [0, 65536)", p.stdout)


@unittest.skipUnless(HOOKS and HAVE_OPENCL, "needs MCPI_TEST_HOOKS and OpenCL")
class FaultOpenCL(Fault):
    def test_opencl_miscount_fails_opencl(self):
        self.failing("opencl:0.0", [])
        self.json_failing("opencl:0.0", ["-b", "opencl:0.0"])


class BadInput(unittest.TestCase):
    def refused(self, args, code, *needles):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.json")
            p = mcpi("selftest", "-o", out, *args)
            self.assertEqual(p.returncode, code, (args, p.stdout, p.stderr))
            self.assertEqual(p.stdout, "")
            lines = p.stderr.splitlines()
            self.assertEqual(len(lines), 1, p.stderr)
            self.assertTrue(lines[0].startswith("mcpi: "), lines[0])
            for n in needles:
                self.assertIn(n, lines[0])
            self.assertEqual(os.listdir(d), [])

    def test_rows_of_several_workers(self):
        self.refused(["-b", "threads+serial"], 2, "--backend threads+serial", "one device per row")
        self.refused(["-b", "serial,node"], 2, "--backend node")
        self.refused(["-b", "auto"], 2, "--backend auto")
        self.refused(["-b", "naive"], 2, "--backend naive")
        self.refused(["-b", "bogus"], 2, "--backend", "unknown backend 'bogus'")

    def test_options_selftest_does_not_take(self):
        for args, flag in ((["-n", "1e6"], "-n/--samples"), (["-r", "3"], "-r/--repeat"),
                           (["--work-group", "7"], "--work-group"),
                           (["--range", "0:10"], "--range"), (["-t", "2"], "-t/--threads")):
            self.refused(args, 2, flag, "not accepted by mcpi selftest")
        self.refused(["-s", "x"], 2, "-s/--seed")
        self.refused(["-f", "xml"], 2, "-f/--format")

    @unittest.skipUnless(os.environ.get("MPIEXEC"), "built without MPI")
    def test_several_mpi_ranks_are_refused(self):
        e = dict(os.environ)
        e.pop("MCPI_TEST_MISCOUNT", None)
        p = subprocess.run([os.environ["MPIEXEC"], "-n", "2", MCPI, "selftest", "-b", "serial"],
                           capture_output=True, text=True, timeout=TIMEOUT_S, env=e)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr.count("checks this node's devices from one process"), 1,
                         p.stderr)

    @unittest.skipUnless(HAVE_OPENCL, "built without OpenCL")
    def test_a_missing_device_is_exit_3(self):
        self.refused(["-b", "opencl:9.9"], 3, "--backend opencl:9.9", "available")


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""Real mcpi output validated against schema/mcpi-output.schema.json.

Run by CTest (tests/schema.cmake) with MCPI_BIN, MCPI_SCHEMA, MCPI_HAVE_OPENCL
and, when built with MPI, MPIEXEC.  Uses the jsonschema module of
/usr/bin/python3 (Debian python3-jsonschema, `scripts/deps test`).  Nothing
here depends on timing: crossovers are checked for shape, not value.
"""
import json
import os
import subprocess
import tempfile
import unittest

try:
    import jsonschema
except ImportError:  # a clear failure, not a silent skip: the check is the point
    raise SystemExit("schema_test: python3-jsonschema is missing; run scripts/deps test")

HERE = os.path.dirname(os.path.abspath(__file__))
MCPI = os.environ.get("MCPI_BIN", "build/mcpi")
SCHEMA = os.environ.get("MCPI_SCHEMA", os.path.join(HERE, "..", "schema",
                                                    "mcpi-output.schema.json"))
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"
MPIEXEC = os.environ.get("MPIEXEC", "")

MEMORY_KEYS = {"host_peak_bytes", "host_growth_bytes", "device_bytes", "device_mem_bytes"}


def load_schema():
    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


VALIDATOR = load_schema()


def strict_json(text):
    """JSON without NaN/Infinity literals (which JSON does not have)."""
    def no_constants(c):
        raise ValueError("non-finite number in output: " + c)
    return json.loads(text, parse_constant=no_constants)


class Env:
    """A private cache directory, so no calibration.json leaks between tests."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory()
        self.env = dict(os.environ, MCPI_CACHE_DIR=os.path.join(self.dir.name, "cache"))

    def run(self, *args, mpi=0, timeout=300):
        cmd = [MPIEXEC, "-n", str(mpi), MCPI, *args] if mpi else [MCPI, *args]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=self.env)
        return p

    def json(self, *args, mpi=0):
        p = self.run(*args, "--format", "json", "-q", mpi=mpi)
        assert p.returncode == 0, (args, p.returncode, p.stderr)
        return strict_json(p.stdout)

    def close(self):
        self.dir.cleanup()


class SchemaTest(unittest.TestCase):
    def setUp(self):
        self.e = Env()

    def tearDown(self):
        self.e.close()

    def validate(self, doc):
        errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
        self.assertEqual([], [f"{list(e.path)}: {e.message}" for e in errors[:5]])

    def check_rows(self, rows):
        self.assertTrue(rows)
        for r in rows:
            self.assertIsInstance(r["phases"], dict, r["name"])
            self.assertTrue(r["phases"], f"{r['name']} has no phase")
            self.assertEqual(set(r["memory"]), MEMORY_KEYS, r["name"])


class Run(SchemaTest):
    def backends(self):
        return "serial,threads,opencl" if HAVE_OPENCL else "serial,threads"

    def test_run_validates_with_phases_and_memory(self):
        doc = self.e.json("-n", "100000", "-b", self.backends(), "-r", "2", "-w", "0")
        self.validate(doc)
        names = {r["backend"] for r in doc["results"]}
        self.assertEqual(names, set(self.backends().split(",")))
        self.check_rows(doc["results"])
        self.check_rows(doc["ranks"])
        self.assertNotIn("calibration", doc)
        if HAVE_OPENCL:
            ocl = [r for r in doc["results"] if r["backend"] == "opencl"]
            self.assertIn("opencl", ocl[0])

    def test_auto_row_validates_and_explains(self):
        doc = self.e.json("-n", "1000000", "-s", "42", "-b", "auto,serial", "-r", "1", "-w", "0")
        self.validate(doc)
        auto = [r for r in doc["results"] if "auto" in r]
        self.assertEqual(len(auto), 1, doc["results"])
        self.assertEqual(auto[0]["hits"], 785856)
        self.assertIn("auto chose " + auto[0]["name"], auto[0]["auto"]["note"])
        self.assertGreater(auto[0]["auto"]["predicted_s"], 0)

    def test_naive_row_validates(self):
        doc = self.e.json("-n", "1000", "-b", "serial,naive", "-r", "1", "-w", "0")
        self.validate(doc)
        self.assertIn(False, [r["exact"] for r in doc["results"]])

    def test_failed_rows_validate(self):
        # The runner's test switch fails every count on rank 0: rows keep
        # their identity and carry the error; the report is still written.
        self.e.env["MCPI_TEST_FAIL_RANK"] = "0"
        p = self.e.run("-n", "1000", "-b", "serial", "-r", "1", "-w", "0", "--format", "json")
        self.assertEqual(p.returncode, 1, p.stderr)
        doc = strict_json(p.stdout)
        self.validate(doc)
        row = doc["results"][0]
        self.assertEqual(row["status"], "error")
        self.assertIn("forced failure", row["error"])
        self.assertIsNone(row["ratio"])

    def test_the_schema_rejects_what_it_should(self):
        doc = self.e.json("-n", "1000", "-b", "serial", "-r", "1", "-w", "0")
        broken = json.loads(json.dumps(doc))
        del broken["results"][0]["memory"]
        self.assertFalse(VALIDATOR.is_valid(broken))
        broken = json.loads(json.dumps(doc))
        broken["results"][0]["phases"]["kernel"] = None
        self.assertFalse(VALIDATOR.is_valid(broken))
        broken = json.loads(json.dumps(doc))
        broken["results"][0]["surprise"] = 1
        self.assertFalse(VALIDATOR.is_valid(broken))


class Sweep(SchemaTest):
    def test_sweep_validates_and_names_a_crossover_for_threads(self):
        doc = self.e.json("sweep", "--from", "1e3", "--to", "1e7", "-b", "threads", "-r", "3")
        self.validate(doc)
        sw = doc["sweep"]
        ns = [p["samples"] for p in sw["points"]]
        self.assertEqual(ns, [10 ** k for k in range(3, 8)])
        self.assertTrue(sw["reference_added"])
        for p in sw["points"]:
            self.assertEqual({r["name"] for r in p["results"]}, {"serial", "threads"})
            self.check_rows(p["results"])
            for r in p["results"]:
                self.assertEqual(r["samples"], p["samples"])
        cross = {c["name"]: c for c in sw["crossovers"]}
        self.assertEqual(set(cross), {"threads"})
        c = cross["threads"]["crossover_samples"]
        self.assertTrue(c is None or c in ns, c)

    def test_steps_per_decade_points_are_integers_without_duplicates(self):
        doc = self.e.json("sweep", "--from", "10", "--to", "1000", "--steps-per-decade", "3",
                          "-b", "serial", "-r", "1", "-w", "0")
        self.validate(doc)
        ns = [p["samples"] for p in doc["sweep"]["points"]]
        self.assertEqual(ns, [10, 22, 46, 100, 215, 464, 1000])
        self.assertEqual(doc["sweep"]["crossovers"], [])
        self.assertFalse(doc["sweep"]["reference_added"])


class Calibrate(SchemaTest):
    def test_calibrate_output_and_file_validate_and_normalise_runs(self):
        path = os.path.join(self.e.dir.name, "cal.json")
        doc = self.e.json("calibrate", "--calibration", path)
        self.validate(doc)
        with open(path) as f:
            saved = strict_json(f.read())
        self.validate(saved)
        self.assertEqual(saved["reference_samples_per_s"], doc["reference_samples_per_s"])
        self.assertEqual(saved["reference"]["hits"], doc["reference"]["hits"])

        run = self.e.json("-n", "100000", "-b", "serial,threads", "-r", "2", "-w", "0",
                          "--calibration", path)
        self.validate(run)
        self.assertEqual(run["calibration"]["reference_samples_per_s"],
                         saved["reference_samples_per_s"])
        for r in run["results"]:
            want = r["time_s"]["median"] * saved["reference_samples_per_s"] / 2 ** 24
            self.assertAlmostEqual(r["time_stones"]["median"], want,
                                   delta=1e-9 * max(1.0, want))

        sweep = self.e.json("sweep", "--from", "1e3", "--to", "1e4", "-b", "serial", "-r", "1",
                            "--calibration", path)
        self.validate(sweep)
        self.assertIn("time_stones", sweep["sweep"]["points"][0]["results"][0])

    def test_default_calibration_file_is_used(self):
        cache = self.e.env["MCPI_CACHE_DIR"]
        self.validate(self.e.json("calibrate"))
        self.assertTrue(os.path.exists(os.path.join(cache, "calibration.json")))
        run = self.e.json("-n", "1000", "-b", "serial", "-r", "1", "-w", "0")
        self.validate(run)
        self.assertIn("calibration", run)


@unittest.skipUnless(MPIEXEC, "built without MPI")
class PerRank(SchemaTest):
    def test_two_ranks_run_and_sweep(self):
        doc = self.e.json("-n", "100001", "-b", "serial,threads", "-r", "1", "-w", "0", mpi=2)
        self.validate(doc)
        self.assertEqual(doc["config"]["ranks"], 2)
        for row in doc["results"]:
            self.assertEqual(row["ranks"], 2)
            per = [r for r in doc["ranks"] if r["name"] == row["name"]]
            self.assertEqual(sorted(r["rank"] for r in per), [0, 1])
            self.assertEqual(sum(r["hits"] for r in per), row["hits"])
            self.check_rows(per)
            self.assertIn("communicate", row["phases"])

        sweep = self.e.json("sweep", "--from", "1e3", "--to", "1e5", "-b", "threads", "-r", "1",
                            "-w", "0", mpi=2)
        self.validate(sweep)
        for p in sweep["sweep"]["points"]:
            self.assertEqual(len(p["ranks"]), 2 * len(p["results"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)

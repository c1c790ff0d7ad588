#!/usr/bin/env python3
"""mcpi scale end to end.  Run by CTest (tests/scale.cmake) with MCPI_BIN,
MCPI_SCHEMA, MCPI_PLOT and, when built with MPI, MPIEXEC.

Every point's hits are checked exactly against a plain run of the serial
reference at that point's N (strong scaling: the same N at every point;
weak: p times N at p).  Nothing here depends on timing: speedups and fits
are checked for shape and for their definitions, not for their values."""
import json
import math
import os
import subprocess
import tempfile
import unittest

MCPI = os.environ["MCPI_BIN"]
MPIEXEC = os.environ.get("MPIEXEC", "")
SCHEMA = os.environ.get("MCPI_SCHEMA", "")
PLOT = os.environ.get("MCPI_PLOT", "")
QUICK = ["-r", "2", "-w", "0"]


def run(*args, ranks=0, timeout=300):
    cmd = [MPIEXEC, "-n", str(ranks), MCPI, *args] if ranks else [MCPI, *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def reference_hits(n, seed=0):
    p = run("-n", str(n), "-s", str(seed), "-b", "serial", "-r", "1", "-w", "0", "-f", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["results"][0]["hits"]


def study(*args, ranks=0):
    p = run("scale", *args, "-f", "json", "-q", ranks=ranks)
    if p.returncode != 0:
        raise AssertionError(f"mcpi scale {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return json.loads(p.stdout)


class Exact(unittest.TestCase):
    def check_points(self, doc, workers, n, weak, seed=0):
        sc = doc["scale"]
        self.assertEqual(sc["scaling"], "weak" if weak else "strong")
        self.assertEqual([pt["workers"] for pt in sc["points"]], workers)
        for pt in sc["points"]:
            want_n = n * pt["workers"] if weak else n
            self.assertEqual(pt["samples"], want_n)
            (row,) = pt["results"]
            self.assertEqual(row["status"], "ok", row)
            self.assertEqual(row["samples"], want_n)
            self.assertEqual(row["hits"], reference_hits(want_n, seed), (pt["workers"], want_n))

    def check_derived(self, doc):
        """Speedup, efficiency and Karp-Flatt as their definitions say."""
        sc = doc["scale"]
        pts = sc["points"]
        p0, t0 = pts[0]["workers"], pts[0]["median_s"]
        for pt in pts:
            p, t = pt["workers"], pt["median_s"]
            s = (p if sc["scaling"] == "weak" else p0) * t0 / t
            self.assertAlmostEqual(pt["speedup"], s, delta=1e-9 * s)
            self.assertAlmostEqual(pt["efficiency"], s / p, delta=1e-9 * s)
            if p == 1:
                self.assertIsNone(pt["karp_flatt"])
            else:
                e = (1 / s - 1 / p) / (1 - 1 / p)
                self.assertAlmostEqual(pt["karp_flatt"], e, delta=1e-9 + 1e-9 * abs(e))
        fit = sc["fit"]
        self.assertEqual(fit["law"], "gustafson" if sc["scaling"] == "weak" else "amdahl")
        reps = doc["config"]["repeat"]
        used = [pt for pt in pts if sc["scaling"] == "strong" or pt["workers"] > 1]
        self.assertEqual(fit["observations"], reps * len(used))
        self.assertIsInstance(fit["describes"], bool)
        self.assertEqual(fit["note"] is None, fit["describes"])

    def test_threads_strong(self):
        n = 2_000_003
        doc = study("--threads", "1,2", "-n", str(n), *QUICK)
        self.assertEqual(doc["scale"]["over"], "threads")
        self.assertEqual(doc["scale"]["row"], "threads")
        self.check_points(doc, [1, 2], n, weak=False)
        self.check_derived(doc)
        fit = doc["scale"]["fit"]
        # Two worker counts and four timed repeats: a fraction and its error.
        self.assertTrue(math.isfinite(fit["serial_fraction"]), fit)
        self.assertTrue(math.isfinite(fit["serial_fraction_se"]), fit)
        for pt in doc["scale"]["points"]:
            self.assertEqual(pt["results"][0]["threads"], pt["workers"])

    def test_threads_weak_keeps_n_per_worker(self):
        n = 1_000_001
        doc = study("--weak", "--threads", "1,2,3", "-n", str(n), "-s", "5", *QUICK)
        self.check_points(doc, [1, 2, 3], n, weak=True, seed=5)
        self.check_derived(doc)

    def test_combined_row(self):
        n = 3_000_000
        doc = study("--threads", "1,2", "-b", "threads+simd", "-n", str(n), *QUICK)
        self.check_points(doc, [1, 2], n, weak=False)
        for pt in doc["scale"]["points"]:
            self.assertEqual(sum(w["samples"] for w in pt["results"][0]["workers"]), n)

    def test_default_thread_list_ends_at_the_usable_cores(self):
        doc = study("-n", "100000", *QUICK)
        workers = [pt["workers"] for pt in doc["scale"]["points"]]
        cores = len(os.sched_getaffinity(0))
        self.assertEqual(workers[-1], min(cores, 1024))
        self.assertEqual(workers[0], 1)
        self.assertEqual(workers, sorted(set(workers)))

    @unittest.skipUnless(MPIEXEC, "built without MPI")
    def test_ranks_1_2_4_under_mpiexec(self):
        n = 2_000_000
        doc = study("--ranks", "1,2,4", "-n", str(n), *QUICK, ranks=4)
        self.assertEqual(doc["scale"]["over"], "ranks")
        self.assertEqual(doc["scale"]["row"], "serial")
        self.check_points(doc, [1, 2, 4], n, weak=False)
        self.check_derived(doc)
        for pt in doc["scale"]["points"]:
            p = pt["workers"]
            self.assertEqual(pt["results"][0]["ranks"], p)
            self.assertEqual(sorted(r["rank"] for r in pt["ranks"]), list(range(p)))
            self.assertEqual(sum(r["samples"] for r in pt["ranks"]), n)
            self.assertEqual(pt["hosts"], len({r["hostname"] for r in pt["ranks"]}))

    @unittest.skipUnless(MPIEXEC, "built without MPI")
    def test_ranks_weak_under_mpiexec(self):
        n = 1_000_000
        doc = study("--weak", "--ranks", "1,3", "-b", "simd", "-n", str(n), *QUICK, ranks=3)
        self.check_points(doc, [1, 3], n, weak=True)
        self.check_derived(doc)


class Outputs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.args = ["--threads", "1,2", "-n", "1000000", *QUICK]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_schema(self):
        try:
            import jsonschema
        except ImportError:
            self.fail("python3-jsonschema is missing; run scripts/deps test")
        with open(SCHEMA) as f:
            schema = json.load(f)
        doc = study(*self.args)
        jsonschema.validate(doc, schema)
        if MPIEXEC:
            jsonschema.validate(study("--ranks", "1,2", "-n", "100000", *QUICK, ranks=2), schema)

    def test_table_csv_markdown(self):
        p = run("scale", *self.args, "-q")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("strong scaling", p.stdout)
        self.assertIn("Amdahl fit", p.stdout)
        p = run("scale", *self.args, "-q", "-f", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.strip().splitlines()
        self.assertEqual(len(lines), 3, p.stdout)
        self.assertTrue(lines[0].startswith("scaling,over,row,workers"), lines[0])
        p = run("scale", *self.args, "-q", "-f", "markdown")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("|", p.stdout)

    def test_plot_of_a_real_study(self):
        js = os.path.join(self.tmp.name, "scale.json")
        png = os.path.join(self.tmp.name, "scale.png")
        p = run("scale", *self.args, "-q", "-f", "json", "-o", js)
        self.assertEqual(p.returncode, 0, p.stderr)
        p = subprocess.run(["/usr/bin/python3", PLOT, js, png], capture_output=True, text=True,
                           timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


class Refusals(unittest.TestCase):
    """Each bad input: exit 2, one line naming the flag, no output file."""
    CASES = [
        (["scale", "--strong", "--weak"], "--strong and --weak"),
        (["scale", "--threads", "2,1"], "--threads"),
        (["scale", "--threads", "1,1"], "--threads"),
        (["scale", "--threads", "0,1"], "--threads"),
        (["scale", "--threads", "1,,2"], "--threads"),
        (["scale", "--threads", "1,2", "--ranks", "1"], "--threads LIST and --ranks LIST"),
        (["scale", "--ranks", "1,2"], "--ranks: 2 is more than"),
        (["scale", "--ranks", ""], "--ranks"),
        (["scale", "-b", "serial,threads"], "one row is scaled"),
        (["scale", "-b", "serial"], "no threads worker"),
        (["scale", "--range", "0:100"], "--range"),
        (["scale", "--checkpoint", "ck.json"], "--checkpoint"),
        (["scale", "--weak", "-n", "2^63", "--threads", "1,2"], "--weak"),
        (["run", "--threads", "1,2"], "--threads LIST: accepted by mcpi scale only"),
        (["run", "--ranks", "1"], "--ranks: accepted by mcpi scale only"),
        (["--weak"], "--weak: accepted by mcpi scale only"),
    ]

    def test_refusals(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.json")
            for args, want in self.CASES:
                with self.subTest(args=args):
                    p = run(*args, "-n", "1000", "-o", out) if "-n" not in args else \
                        run(*args, "-o", out)
                    self.assertEqual(p.returncode, 2, (p.stdout, p.stderr))
                    self.assertIn(want, p.stderr)
                    self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                    self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main(verbosity=2)

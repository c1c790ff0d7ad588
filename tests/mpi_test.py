#!/usr/bin/env python3
"""mcpi under mpiexec: exact hits for 1-4 ranks, per-rank records, errors that
end the whole job quickly with the documented code.  Run by CTest with
MPIEXEC, MCPI_BIN and the Open MPI root/oversubscribe variables set."""
import json
import os
import subprocess
import unittest

MCPI = os.environ["MCPI_BIN"]
MPIEXEC = os.environ["MPIEXEC"]
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"


def mpirun(ranks, *args, timeout=120, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([MPIEXEC, "-n", str(ranks), MCPI, *args], capture_output=True,
                          text=True, timeout=timeout, env=e)


def single(seed, n, backend="serial"):
    p = subprocess.run([MCPI, "-n", str(n), "-s", str(seed), "-b", backend, "-r", "1", "-w", "0",
                        "--format", "json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["results"][0]["hits"]


class Exact(unittest.TestCase):
    def check(self, ranks, seed, n, backend, want=None):
        p = mpirun(ranks, "-n", str(n), "-s", str(seed), "-b", backend, "-r", "1", "-w", "0",
                   "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)  # only rank 0 printed: one document
        self.assertEqual(doc["config"]["ranks"], ranks)
        rows = doc["results"]
        self.assertEqual(len(rows), 1, rows)
        row = rows[0]
        if want is None:
            want = single(seed, n)
        self.assertEqual(row["hits"], want, (ranks, seed, n, backend))
        self.assertEqual(row["samples"], n)
        self.assertEqual(row["ranks"], ranks)
        per = [r for r in doc["ranks"] if r["backend"] == row["backend"]]
        self.assertEqual(len(per), ranks)
        self.assertEqual(sorted(r["rank"] for r in per), list(range(ranks)))
        self.assertEqual(sum(r["hits"] for r in per), want)
        self.assertEqual(sum(r["samples"] for r in per), n)
        # contiguous ranges in rank order
        per.sort(key=lambda r: r["rank"])
        self.assertEqual(per[0]["range"]["begin"], 0)
        for a, b in zip(per, per[1:]):
            self.assertEqual(a["range"]["end"], b["range"]["begin"])
        self.assertEqual(per[-1]["range"]["end"], n)
        for r in per:
            self.assertIn("hostname", r)
            self.assertIn("local_rank", r)
        return doc

    def test_known_answers_1_to_4_ranks(self):
        for ranks in (1, 2, 3, 4):
            self.check(ranks, 42, 1000000, "serial", 785856)
            self.check(ranks, 0, 1000, "serial", 783)
            self.check(ranks, 1, 1000, "threads", 801)

    def test_fewer_samples_than_ranks_and_odd_n(self):
        self.check(4, 0, 3, "serial")
        self.check(3, 0, 1, "serial")
        self.check(4, 9, 1000003, "threads")
        self.check(3, 0xFFFFFFFFFFFFFFFF, 99999, "serial")

    @unittest.skipUnless(HAVE_OPENCL, "built without OpenCL")
    def test_opencl_under_mpi(self):
        self.check(3, 0, 1000, "opencl", 783)
        self.check(2, 42, 1000000, "opencl", 785856)

    def test_per_rank_table(self):
        p = mpirun(2, "-n", "1e5", "-b", "serial", "--per-rank", "-r", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        # Printed once, by rank 0: one run header, one per-rank table with
        # one row per rank in rank order.
        headers = [l for l in p.stdout.splitlines() if l.startswith("mcpi ")]
        self.assertEqual(len(headers), 1, p.stdout)
        self.assertIn("ranks=2", headers[0])
        self.assertEqual(p.stdout.count("per rank:"), 1, p.stdout)
        table = p.stdout.split("per rank:", 1)[1].splitlines()
        ranks = [l.split()[0] for l in table if l.strip()[:1].isdigit()]
        self.assertEqual(ranks, ["0", "1"], p.stdout)


class Errors(unittest.TestCase):
    def test_bad_flag_under_3_ranks(self):
        p = mpirun(3, "-n", "0", timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)
        lines = [l for l in p.stderr.splitlines() if l.startswith("mcpi:")]
        self.assertEqual(len(lines), 1, p.stderr)  # rank 0 alone reports it
        self.assertIn("--samples", lines[0])

    def test_unavailable_under_3_ranks(self):
        p = mpirun(3, "-n", "10", "-b", "opencl:99.0", timeout=30)
        self.assertEqual(p.returncode, 3, p.stderr)

    @unittest.skipUnless(os.environ.get("MCPI_TEST_HOOKS") == "1",
                         "built without -DMCPI_TEST_HOOKS=ON (no fault injection)")
    def test_forced_failure_on_one_rank(self):
        p = mpirun(3, "-n", "1e6", "-b", "serial", "-r", "3", timeout=30,
                   env={"MCPI_TEST_FAIL_RANK": "1"})
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("rank 1", p.stderr)


class SlowRanks(unittest.TestCase):
    """A rank far slower than the median rank is named under the table and in
    JSON: here rank 2 runs the simd row with the portable (one-lane) SIMD
    code while ranks 0 and 1 run the widest this CPU has (14x faster on
    AVX-512, 2.5x on SSE2), a real slow node, no test hook."""

    def test_portable_rank_is_named(self):
        args = ["-n", "3e8", "-b", "simd", "-r", "3", "-w", "1"]
        p = subprocess.run([MCPI, "devices", "--format", "json"], capture_output=True,
                           text=True, timeout=120)
        simd = [b for b in json.loads(p.stdout)["backends"] if b["name"] == "simd"][0]
        if simd["devices"][0]["isa"] == "portable":
            self.skipTest("the widest SIMD code here is the portable one")
        for fmt in ("json", "table"):
            p = subprocess.run([MPIEXEC, "-n", "2", MCPI, *args, "--format", fmt, ":", "-n", "1",
                                "-x", "MCPI_ISA=portable", MCPI, *args, "--format", fmt],
                               capture_output=True, text=True, timeout=300)
            self.assertEqual(p.returncode, 0, p.stderr)
            if fmt == "json":
                doc = json.loads(p.stdout)
                self.assertEqual(doc["results"][0]["hits"], single(0, 300_000_000))
                slow = doc["slow_ranks"]
                self.assertEqual([(s["row"], s["rank"]) for s in slow], [("simd", 2)], slow)
                self.assertLess(slow[0]["ratio"], 2 / 3)
            else:
                self.assertRegex(p.stdout, r"warning: slow rank: simd on rank 2 \(.*\) counted "
                                           r".* samples/s, 0\.\d\dx the median rank's")


if __name__ == "__main__":
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""The scheduler end to end, with the real binary: rows of several workers
under mpiexec, --balance, the same plan on a terminal, in a pipe and with
--progress, and a miscounting worker never leaving mcpi with exit code 0
(checkpoints of combined rows: resume_test.py).

Fault injection (MCPI_TEST_*) exists only in builds with -DMCPI_TEST_HOOKS=ON;
the tests that need it are skipped otherwise.  Nothing here depends on
timing: runs that must be interrupted are sized so the signal cannot miss,
and plans are compared with fixed chunk sizes."""
import json
import os
import pty
import subprocess
import tempfile
import unittest

MCPI = os.environ["MCPI_BIN"]
MPIEXEC = os.environ.get("MPIEXEC", "")
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"
HOOKS = os.environ.get("MCPI_TEST_HOOKS") == "1"
ONE_PASS = ["-r", "1", "-w", "0"]


def cmd(ranks, *args):
    return ([MPIEXEC, "-n", str(ranks), MCPI, *args] if ranks > 1 else [MCPI, *args])


def run(*args, ranks=1, env=None, timeout=300):
    e = dict(os.environ, **(env or {}))
    return subprocess.run(cmd(ranks, *args), capture_output=True, text=True, timeout=timeout,
                          env=e)


def rows(p):
    return {r["name"]: r for r in json.loads(p.stdout)["results"]}


def serial_hits(seed, n):
    p = run("-n", str(n), "-s", str(seed), "-b", "serial", *ONE_PASS, "-f", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["results"][0]["hits"]


class Combined(unittest.TestCase):
    def test_design_answer_and_workers(self):
        """The check of the issue: threads+opencl:0.0 (or threads+simd
        without OpenCL), N=1e8, seed 7: one row, 78533964 hits, two workers
        whose samples add up to N."""
        row = "threads+opencl:0.0" if HAVE_OPENCL else "threads+simd"
        p = run("-b", row, "-n", "1e8", "--seed", "7", "-f", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(len(doc["results"]), 1)
        r = doc["results"][0]
        self.assertEqual(r["name"], row)
        self.assertEqual(r["hits"], 78533964)
        self.assertEqual(len(r["workers"]), 2)
        self.assertEqual(sum(w["samples"] for w in r["workers"]), 100_000_000)
        self.assertGreater(r["verify"]["chunks"], 0)
        table = run("-b", row, "-n", "1e7", "--seed", "7", "-r", "1")
        self.assertIn(f"shares of {row}:", table.stdout)
        self.assertIn("finish skew", table.stdout)
        self.assertIn("verified:", table.stdout)

    @unittest.skipUnless(MPIEXEC, "built without MPI")
    def test_ranks_1_to_4_exact(self):
        want = serial_hits(11, 3_000_001)
        for ranks in (1, 2, 3, 4):
            with self.subTest(ranks=ranks):
                p = run("-n", "3000001", "-s", "11", "-b", "simd+serial,threads", *ONE_PASS,
                        "-f", "json", "--per-rank", ranks=ranks)
                self.assertEqual(p.returncode, 0, p.stderr)
                for name, r in rows(p).items():
                    self.assertEqual(r["hits"], want, name)
                ranks_rows = [x for x in json.loads(p.stdout)["ranks"] if x["name"] == "simd+serial"]
                self.assertEqual(len(ranks_rows), ranks)
                self.assertEqual(sum(x["samples"] for x in ranks_rows), 3_000_001)


@unittest.skipUnless(MPIEXEC, "built without MPI")
class Balance(unittest.TestCase):
    def shares(self, extra, env=None):
        p = run("-n", "4000003", "-s", "5", "-b", "serial", *ONE_PASS, "-f", "json", *extra,
                ranks=3, env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["results"][0]["hits"], serial_hits(5, 4_000_003))
        return [x["samples"] for x in sorted(doc["ranks"], key=lambda x: x["rank"])]

    def test_even_split_without_balance(self):
        s = self.shares([])
        self.assertEqual(sum(s), 4_000_003)
        self.assertLessEqual(max(s) - min(s), 1)

    @unittest.skipUnless(HOOKS, "built without -DMCPI_TEST_HOOKS=ON")
    def test_balance_follows_the_rates(self):
        """Injected rates 1:2:5 split the job 1:2:5 (rounded), exactly."""
        s = self.shares(["--balance"], env={"MCPI_TEST_RATES": "1,2,5"})
        self.assertEqual(sum(s), 4_000_003)
        for got, weight in zip(s, (1, 2, 5)):
            self.assertAlmostEqual(got / 4_000_003, weight / 8, delta=1e-6)


@unittest.skipUnless(HOOKS, "built without -DMCPI_TEST_HOOKS=ON")
class SamePath(unittest.TestCase):
    """Progress reads what the scheduler did; it never changes a chunk: the
    same run piped, with --progress, and under a pseudo-terminal counts the
    same hits in the same chunks (chunk sizes and verification positions
    fixed by the test hooks)."""
    ARGS = ["-n", "3000017", "-s", "9", "-b", "simd+serial", *ONE_PASS, "-f", "json"]
    ENV = {"MCPI_TEST_CHUNK": "100003", "MCPI_TEST_VERIFY_SEED": "12345"}

    def plan(self, stdout):
        r = json.loads(stdout)["results"][0]
        return r["hits"], sum(w["chunks"] for w in r["workers"]), r["samples"]

    def test_pipe_progress_and_terminal(self):
        piped = run(*self.ARGS, env=self.ENV)
        forced = run(*self.ARGS, "--progress", env=self.ENV)
        self.assertEqual(piped.returncode, 0, piped.stderr)
        self.assertEqual(forced.returncode, 0, forced.stderr)
        self.assertIn("100.0%", forced.stderr)
        out = tempfile.NamedTemporaryFile(delete=False)
        out.close()
        try:
            pid, fd = pty.fork()
            if pid == 0:  # stderr on the terminal, the report in a file
                os.environ.update(self.ENV)
                os.execv(MCPI, [MCPI, *self.ARGS, "-o", out.name])
            seen = b""
            while True:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            _, status = os.waitpid(pid, 0)
            self.assertEqual(os.waitstatus_to_exitcode(status), 0, seen)
            self.assertIn(b"\r", seen)  # the terminal's progress rewrites its line
            with open(out.name) as f:
                tty = f.read()
        finally:
            os.unlink(out.name)
        want = self.plan(piped.stdout)
        self.assertEqual(want[2], 3_000_017)
        self.assertGreaterEqual(want[1], 30 + 2 * 2)  # 30 fixed chunks, 2 reserved per worker
        self.assertEqual(self.plan(forced.stdout), want)
        self.assertEqual(self.plan(tty), want)


@unittest.skipUnless(HOOKS, "built without -DMCPI_TEST_HOOKS=ON")
class WrongHits(unittest.TestCase):
    def test_miscounting_worker_fails_the_run(self):
        p = run("-n", "1e6", "-s", "42", "-b", "simd+serial", *ONE_PASS,
                env={"MCPI_TEST_MISCOUNT": "serial"})
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("serial counted", p.stderr)
        self.assertIn("reference core", p.stderr)

    def test_rows_that_disagree_fail_the_run(self):
        """With verification off a miscounting row is not caught by the
        reference; the other row over the same samples still says so."""
        p = run("-n", "1e6", "-s", "42", "-b", "simd,serial", *ONE_PASS, "--verify", "off",
                env={"MCPI_TEST_MISCOUNT": "simd"})
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("rows disagree", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)

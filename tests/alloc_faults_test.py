#!/usr/bin/env python3
"""Allocation failure at every allocation site of a run (the
MCPI_TEST_FAIL_ALLOC hook of test-hook builds, host/run/fault_alloc.c).

For each command below a clean run first counts mcpi's own allocations
(MCPI_TEST_FAIL_ALLOC=count); then the command runs once with each K-th
allocation failing (every K up to DENSE, a stride beyond; the stride is
printed), and a few times with every allocation from the K-th on failing.
Each run must end on its own (no hang, no signal, no sanitizer report) with
a documented exit code and, unless it succeeded, a line naming "out of
memory"; it leaves no temporary file, a checkpoint it leaves is a complete
one, and a report (-o) only when a row failed (exit 1: the failed row is
reported in it, the other rows kept).  Under scripts/sanitize (ASan+UBSan,
LeakSanitizer on) the same runs also find leaks on the error paths.

Run by CTest (tests/alloc_faults.cmake) with MCPI_BIN, MPIEXEC,
MCPI_HAVE_OPENCL and MCPI_TEST_TMP."""
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

MCPI = os.environ.get("MCPI_BIN", "build/mcpi")
MPIEXEC = os.environ.get("MPIEXEC", "")
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"
HOOKS = os.environ.get("MCPI_TEST_HOOKS", "0") == "1"
DENSE = int(os.environ.get("MCPI_TEST_ALLOC_DENSE", "200"))  # every K up to this
SPARSE = 50                                                   # at most this many beyond
JOBS = min(4, 2 * (os.cpu_count() or 1))  # the runs mostly wait (start-up, MPI)
TIMEOUT = 120  # a run that takes longer hangs

# README "Exit codes": 1 a backend failed at run time (out of memory maps
# there, mcpi_exit_code(MCPI_ENOMEM)), 2 bad input, 3 unavailable, 4 report
# not written.
DOCUMENTED = {1, 2, 3, 4}
SANITIZER = re.compile(r"Sanitizer|runtime error:|Segmentation fault|Aborted|core dumped")
OOM = re.compile(r"out of memory", re.I)
COUNT = re.compile(r"^mcpi-test: allocations: (\d+)$", re.M)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def checkpoint_ok(path):
    """A checkpoint whose checksum line matches its body."""
    with open(path, "rb") as f:
        data = f.read()
    m = re.search(rb"fnv1a64 ([0-9a-f]{16})\n\Z", data)
    return m is not None and fnv1a64(data[:m.start()]) == int(m.group(1), 16)


def failed_rows_reported(path):
    """A complete JSON report (it parses, the checksum is its last member)
    with a failed row: exit 1's rule, a row that failed at run time (out of
    memory too) is reported in its row and the other rows are kept."""
    try:
        with open(path) as f:
            doc = json.load(f)
    except ValueError:
        return False
    return list(doc)[-1] == "checksum" and \
        any(r.get("status_code", 0) != 0 for r in doc.get("results", []))


def write_partial_checkpoint(path, version, hits_first_half):
    """A checkpoint of serial, seed 0, N = 10^6 with [0, 500000) counted."""
    body = (f"mcpi-checkpoint 2\nversion {version}\nseed 0\nsamples 1000000\nbegin 0\n"
            f"end 1000000\ndone 500000\nhits {hits_first_half}\nelapsed_s 0.01\nrow serial\n"
            f"ranks 1\nintervals 1\ninterval 0 500000 {hits_first_half}\n").encode()
    with open(path, "wb") as f:
        f.write(body + b"fnv1a64 %016x\n" % fnv1a64(body))


def run(argv, env, cwd, timeout=TIMEOUT):
    e = dict(os.environ)
    e.update(env)
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=e, cwd=cwd)


def ks_for(count):
    """K = 1..count when count <= DENSE, else 1..DENSE and a stride beyond
    (always the last one)."""
    ks = list(range(1, min(count, DENSE) + 1))
    stride = 1
    if count > DENSE:
        stride = max(1, -(-(count - DENSE) // SPARSE))
        ks += list(range(DENSE + stride, count + 1, stride))
        if ks[-1] != count:
            ks.append(count)
    return ks, stride


class Command:
    """argv (after the launcher), inputs made in setup, outputs checked."""

    def __init__(self, name, args, output=None, checkpoint=None, mpi=False, rank_env=None):
        self.name, self.args, self.output, self.checkpoint = name, args, output, checkpoint
        self.mpi, self.rank_env = mpi, rank_env or {}

    def argv(self):
        base = [MCPI, *self.args]
        return [MPIEXEC, "-n", "2", *base] if self.mpi else base


class AllocFaults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(dir=os.environ.get("MCPI_TEST_TMP"))
        cls.inputs = os.path.join(cls.tmp.name, "inputs")
        os.mkdir(cls.inputs)
        one = ["-r", "1", "-w", "0"]
        # inputs for merge (two halves), compare (two runs) and --resume
        for name, extra in (("A.json", ["--range", "0:50000"]),
                            ("B.json", ["--range", "50000:100000"]),
                            ("C.json", ["-n", "1e5"]), ("D.json", ["-n", "1e5"])):
            p = run([MCPI, "-b", "serial,simd", "-r", "2", "-w", "0", *extra, "-f", "json",
                     "-o", os.path.join(cls.inputs, name)], {}, cls.inputs)
            assert p.returncode == 0, p.stderr
        p = run([MCPI, "--range", "0:500000", "-b", "serial", *one, "-f", "json"], {},
                cls.inputs)
        assert p.returncode == 0, p.stderr
        doc = json.loads(p.stdout)
        write_partial_checkpoint(os.path.join(cls.inputs, "part.ckpt"), doc["version"],
                                 doc["results"][0]["hits"])

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def commands(self):
        one = ["-r", "1", "-w", "0"]
        cmds = [
            Command("run", ["-n", "1e6", "-b", "serial,simd,threads", "-r", "2", "-w", "1"]),
            # the same rows' sites are run's; threads left out for time (ASan)
            Command("run-json", ["-n", "1e6", "-b", "serial,simd", "-r", "2", "-w", "1",
                                 "-f", "json", "-o", "out.json"], output="out.json"),
            Command("checkpoint", ["-n", "1e6", "-b", "serial", *one, "--checkpoint", "c.ckpt"],
                    checkpoint="c.ckpt"),
            Command("resume", ["--resume", "part.ckpt", *one], checkpoint="part.ckpt"),
            Command("combined", ["-n", "1e6", "-b", "threads+simd", *one]),
            Command("devices", ["devices"]),
            Command("sweep", ["sweep", "--from", "1e3", "--to", "1e4", *one, "-b", "serial"]),
            Command("merge", ["merge", "A.json", "B.json"]),
            Command("scale", ["scale", "--threads", "1,2", "-n", "1e6", *one]),
            Command("compare", ["compare", "C.json", "D.json"]),
        ]
        if HAVE_OPENCL:
            cmds.append(Command("opencl", ["-n", "1e6", "-b", "opencl", *one]))
        if MPIEXEC:
            # every rank fails its K-th allocation, or rank 1 alone (a rank
            # that fails alone must not leave the others waiting); --balance
            # and --checkpoint add the collectives that gather into buffers
            mpi = ["-n", "1e6", "-b", "serial", *one, "--balance", "--checkpoint", "c.ckpt"]
            cmds.append(Command("mpi-both", mpi, checkpoint="c.ckpt", mpi=True))
            cmds.append(Command("mpi-rank1", mpi, checkpoint="c.ckpt", mpi=True,
                                rank_env={"MCPI_TEST_FAIL_ALLOC_RANK": "1"}))
        only = os.environ.get("MCPI_TEST_ALLOC_ONLY")  # names, comma-separated
        return [c for c in cmds if not only or c.name in only.split(",")]

    def workdir(self):
        d = tempfile.mkdtemp(dir=self.tmp.name)
        for f in os.listdir(self.inputs):
            shutil.copy(os.path.join(self.inputs, f), d)
        return d

    def count(self, c):
        d = self.workdir()
        p = run(c.argv(), {"MCPI_TEST_FAIL_ALLOC": "count"}, d)
        shutil.rmtree(d)
        self.assertEqual(p.returncode, 0, f"{c.name}: clean run failed:\n{p.stderr}")
        counts = [int(n) for n in COUNT.findall(p.stderr)]
        self.assertTrue(counts, f"{c.name}: no allocation count on stderr:\n{p.stderr}")
        return max(counts)

    def one(self, c, k):
        """The exit code and the problems of one run with allocation k
        failing ("" when none)."""
        d = self.workdir()
        env = {"MCPI_TEST_FAIL_ALLOC": str(k), **c.rank_env}
        try:
            p = run(c.argv(), env, d)
        except subprocess.TimeoutExpired:
            shutil.rmtree(d)
            return None, f"{c.name} K={k}: no exit within {TIMEOUT} s (a hang)"
        bad = []
        if p.returncode not in DOCUMENTED and p.returncode != 0:
            bad.append(f"exit code {p.returncode} (documented: 0, {sorted(DOCUMENTED)})")
        if SANITIZER.search(p.stderr):
            bad.append("a sanitizer report or a crash on stderr")
        if p.returncode != 0 and not OOM.search(p.stderr):
            bad.append("no line names 'out of memory'")
        out = os.path.join(d, c.output) if c.output else None
        if out and p.returncode != 0 and os.path.exists(out) and not failed_rows_reported(out):
            bad.append(f"{c.output} written by a failed run, and not a report of its failed rows")
        if c.checkpoint and os.path.exists(os.path.join(d, c.checkpoint)) and \
                not checkpoint_ok(os.path.join(d, c.checkpoint)):
            bad.append(f"{c.checkpoint} is not a complete checkpoint")
        stray = [f for f in os.listdir(d) if ".tmp." in f]
        if stray:
            bad.append(f"temporary files left: {stray}")
        shutil.rmtree(d)
        if not bad:
            return p.returncode, ""
        tail = "\n    ".join(p.stderr.splitlines()[-15:])
        return p.returncode, (f"{c.name} K={k}: {'; '.join(bad)}\n  {' '.join(c.argv())}\n"
                              f"  stderr:\n    {tail}")

    def test_every_allocation_fails_cleanly(self):
        if not HOOKS:
            self.skipTest("needs a build with -DMCPI_TEST_HOOKS=ON")
        problems, total_runs, t0 = [], 0, time.time()
        for c in self.commands():
            t = time.time()
            n = self.count(c)
            ks, stride = ks_for(n)
            # every allocation from the K-th on: the error paths' own allocations fail too
            tails = sorted({f"{k}+" for k in (1, max(1, n // 2), n)})
            with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
                results = list(pool.map(lambda k: self.one(c, k), ks + tails))
            found = [msg for _, msg in results if msg]
            # a failed allocation that mcpi works around (exit 0) is fine: say which
            ok = [str(k) for k, (rc, _) in zip(ks + tails, results) if rc == 0]
            total_runs += len(ks) + len(tails)
            note = f"K=1..{n}" if stride == 1 else f"K=1..{DENSE} then every {stride}th to {n}"
            print(f"alloc_faults: {c.name}: {n} allocations, {note}, plus {', '.join(tails)}: "
                  f"{len(found)} failing, exit 0 at K={','.join(ok) or 'none'}, "
                  f"{time.time() - t:.1f} s", flush=True)
            problems += found
        print(f"alloc_faults: {total_runs} runs in {time.time() - t0:.1f} s", flush=True)
        self.assertFalse(problems, "\n".join(problems))


if __name__ == "__main__":
    unittest.main(verbosity=2)

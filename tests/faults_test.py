#!/usr/bin/env python3
"""Faults from outside mcpi, end to end: a disk that fills up under -o and
under --checkpoint (mid-run), and an MPI rank killed with SIGKILL mid-run.
Each ends with a documented exit code and loses nothing that was saved: the
last checkpoint stays valid and resumes to the uninterrupted hits.

Run by CTest (tests/faults.cmake) with the variables of tests/resume.cmake.
The full-disk cases need a tmpfs of their own (mount, as root); where none
can be mounted they are skipped with the reason, not passed."""
import glob
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest

from resume_test import (EXIT_INTERRUPTED, HAVE_OPENCL, MPIEXEC, cmd, mcpi_processes,
                         read_checkpoint, reference, run)

EXIT_WRITE = 4
EXIT_BACKEND = 1
HOOKS = os.environ.get("MCPI_TEST_HOOKS", "0") == "1"


def mount_small_tmpfs(path, kib):
    """A tmpfs of kib KiB at path; None, or the reason it cannot be had."""
    if os.geteuid() != 0:
        return "not root: cannot mount a small tmpfs"
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", path],
                       capture_output=True, text=True)
    return None if p.returncode == 0 else f"mount -t tmpfs failed: {p.stderr.strip()}"


def fill(folder):
    """Writes into folder until it is full."""
    fd = os.open(os.path.join(folder, "filler"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while os.write(fd, b"\0" * 512) > 0:
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(dir=os.environ.get("MCPI_TEST_TMP"))

    def tearDown(self):
        self.tmp.cleanup()

    def wait_for(self, proc, path, what):
        t0 = time.time()
        while not os.path.exists(path):
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
            self.assertLess(time.time() - t0, 120, f"no {what} appeared")
            time.sleep(0.01)


class FullDisk(Base):
    def setUp(self):
        super().setUp()
        self.disk = os.path.join(self.tmp.name, "disk")
        os.mkdir(self.disk)
        why = mount_small_tmpfs(self.disk, 64)
        if why:
            self.skipTest(why)

    def tearDown(self):
        subprocess.run(["umount", "-l", self.disk])
        super().tearDown()

    def test_output_onto_a_full_disk(self):
        fill(self.disk)
        out = os.path.join(self.disk, "out.json")
        p = run("-n", "1e6", "-b", "serial", "--format", "json", "-o", out)
        self.assertEqual(p.returncode, EXIT_WRITE, p.stderr)
        self.assertIn(f"-o/--output: cannot write '{out}'", p.stderr)
        self.assertEqual(sorted(os.listdir(self.disk)), ["filler"])  # no report, no temporary

    def test_checkpoint_disk_fills_mid_run(self):
        """The disk fills after the first checkpoints: the run fails with
        exit 4 naming --checkpoint, and the checkpoint on disk is the last
        complete one (replaced by rename only), which resumes exactly."""
        seed, n = 11, 100_000_000_000  # serial: minutes; it ends on the full disk first
        ck = os.path.join(self.disk, "ck")
        proc = subprocess.Popen(cmd(1, "-n", str(n), "-s", str(seed), "-b", "serial",
                                    "--checkpoint", ck, "--checkpoint-interval", "1"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.wait_for(proc, ck, "checkpoint")
            first = os.stat(ck).st_ino
            t0 = time.time()
            while os.stat(ck).st_ino == first:  # a periodic rewrite happened
                self.assertLess(time.time() - t0, 120, "the checkpoint was not rewritten")
                time.sleep(0.05)
            fill(self.disk)
            _, err = proc.communicate(timeout=120)
        finally:
            proc.kill()
        self.assertEqual(proc.returncode, EXIT_WRITE, err)
        self.assertIn(f"--checkpoint: cannot write '{ck}'", err)
        self.assertEqual(glob.glob(os.path.join(self.disk, "*.tmp.*")), [])
        kept = read_checkpoint(ck)
        done = int(kept["done"])
        self.assertGreater(done, 0)
        self.assertLess(done, n)
        # Resume the saved part's complement over a range small enough to
        # count here: the saved intervals must hold exactly the reference hits.
        for b, e, hits in kept["intervals"]:
            p = run("--range", f"{b}:{e}", "-s", str(seed), "-b", "threads", "--format", "json")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(hits, json.loads(p.stdout)["results"][0]["hits"], (b, e))


@unittest.skipUnless(MPIEXEC, "built without MPI")
class RankKilled(Base):
    def test_sigkill_of_one_rank_ends_the_job(self):
        """kill -9 of one rank mid-run: Open MPI ends the whole job (no rank
        waits forever in a collective) with a non-zero exit code, and the
        checkpoint rank 0 kept resumes to the uninterrupted hits."""
        seed, n = 12, 6_000_000_000  # ~15 s of serial on 3 ranks: the kill comes first
        ck = os.path.join(self.tmp.name, "ck")
        proc = subprocess.Popen(cmd(3, "-n", str(n), "-s", str(seed), "-b", "serial",
                                    "--checkpoint", ck, "--checkpoint-interval", "1"),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.wait_for(proc, ck, "checkpoint")
            ranks = []
            t0 = time.time()
            while len(ranks) < 3:
                ranks = sorted(mcpi_processes(proc.pid))
                self.assertLess(time.time() - t0, 60, "three ranks did not show")
            os.kill(ranks[-1], signal.SIGKILL)
            _, err = proc.communicate(timeout=90)
        finally:
            proc.kill()
        self.assertNotIn(proc.returncode, (0, EXIT_INTERRUPTED), err)

        def alive(pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] != "Z"
            except OSError:
                return False
        t0 = time.time()  # the launcher has ended: its ranks follow within moments
        while any(alive(pid) for pid in ranks):
            self.assertLess(time.time() - t0, 30, "a rank outlived the job by 30 s")
            time.sleep(0.05)
        p = run("--resume", ck, "-b", "threads", "--format", "json", "-q")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["results"][0]["hits"], reference(seed, n))


@unittest.skipUnless(HAVE_OPENCL and HOOKS, "needs OpenCL and a test-hook build")
class OpenCLCallFails(Base):
    """An OpenCL call that fails (the test hook MCPI_TEST_CL_FAIL makes the
    driver's answer an error): that row fails with a line naming the call
    and its error, exit 1; the other rows are counted and reported."""
    CALLS = [("clCreateContext", "CL_OUT_OF_HOST_MEMORY"),
             ("clBuildProgram", "CL_BUILD_PROGRAM_FAILURE"),
             ("clCreateKernel", "CL_OUT_OF_RESOURCES"),
             ("clCreateBuffer", "CL_MEM_OBJECT_ALLOCATION_FAILURE"),
             ("clEnqueueNDRangeKernel", "CL_OUT_OF_RESOURCES"),
             ("clEnqueueNDRangeKernel:4", "CL_OUT_OF_RESOURCES"),  # mid-run, after repeats began
             ("clEnqueueReadBuffer", "CL_OUT_OF_RESOURCES"),
             ("clEnqueueReadBuffer:3", "CL_OUT_OF_RESOURCES")]

    def test_each_call(self):
        seed, n = 13, 10_000_000
        want = reference(seed, n)
        for call, code in self.CALLS:
            with self.subTest(call=call):
                out = os.path.join(self.tmp.name, "out.json")
                env = dict(os.environ, MCPI_TEST_CL_FAIL=call)
                p = subprocess.run(cmd(1, "-n", str(n), "-s", str(seed), "-b", "opencl,serial",
                                       "-r", "2", "-w", "1", "--no-cache", "--format", "json",
                                       "-o", out),
                                   capture_output=True, text=True, timeout=120, env=env)
                self.assertEqual(p.returncode, EXIT_BACKEND, p.stderr)
                name = call.split(":")[0]
                self.assertIn(f"{name} failed: {code}" if name != "clBuildProgram"
                              else f"build failed on", p.stderr)
                with open(out) as f:
                    rows = {r["name"]: r for r in json.load(f)["results"]}
                self.assertEqual(rows["opencl:0.0"]["status"], "error")
                self.assertEqual((rows["serial"]["status"], rows["serial"]["hits"]), ("ok", want))
                os.unlink(out)

    @unittest.skipUnless(MPIEXEC, "built without MPI")
    def test_a_launch_failing_on_every_rank_ends_the_job(self):
        env = dict(os.environ, MCPI_TEST_CL_FAIL="clEnqueueNDRangeKernel:3")
        p = subprocess.run(cmd(2, "-n", "1e8", "-b", "opencl", "-r", "1", "-w", "0"),
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(p.returncode, EXIT_BACKEND, p.stderr)
        self.assertIn("clEnqueueNDRangeKernel failed", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)

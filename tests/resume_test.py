#!/usr/bin/env python3
"""Checkpoint, resume, signals and merge, end to end.

Runs are stopped at random moments (SIGTERM, SIGINT, SIGUSR1 after a random
delay, kill -9) and resumed with another backend and another rank count; the
final hits must equal an uninterrupted run's exactly, every time.  Corrupt,
truncated and mismatched checkpoints are refused with exit 2.  Job-array
parts (--range), including ranges that cross 2^32 and 2^33, merge to the
whole run's exact hits; overlaps, gaps and mismatched seeds are exit 2.

Sizes: N is chosen so a serial run takes 2-3 s on one core (~2.5e8 samples/s)
and a threads run 2-3 s on two; the whole file runs in about 1.5 minutes on
2 cores.  The random delays come from MCPI_TEST_SEED (printed) so a failure
can be replayed."""
import csv
import io
import json
import os
import random
import signal
import subprocess
import tempfile
import time
import unittest

MCPI = os.environ["MCPI_BIN"]
MPIEXEC = os.environ.get("MPIEXEC", "")
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"
SEED = int(os.environ.get("MCPI_TEST_SEED", str(int(time.time()) % 100000)))
RNG = random.Random(SEED)
print(f"resume_test: MCPI_TEST_SEED={SEED}", flush=True)

N_SERIAL = 600_000_000       # ~2.4 s serial
N_THREADS = 5_000_000_000    # ~2.5 s threads on 2 cores
N_MPI = 1_200_000_000        # ~2.4 s for 3 serial ranks on 2 cores
EXIT_INTERRUPTED = 5
ONE_PASS = ["-r", "1", "-w", "0"]


def cmd(ranks, *args):
    if ranks > 1:
        return [MPIEXEC, "-n", str(ranks), MCPI, *args]
    return [MCPI, *args]


def run(*args, ranks=1, timeout=300):
    return subprocess.run(cmd(ranks, *args), capture_output=True, text=True, timeout=timeout)


_reference = {}


def reference(seed, n):
    """Hits of an uninterrupted run (threads: the fastest CPU backend)."""
    if (seed, n) not in _reference:
        p = run("-n", str(n), "-s", str(seed), "-b", "threads", *ONE_PASS, "--format", "json")
        assert p.returncode == 0, p.stderr
        _reference[(seed, n)] = json.loads(p.stdout)["results"][0]["hits"]
    return _reference[(seed, n)]


def read_checkpoint(path):
    """The checkpoint's "key value" lines as a dict; its counted intervals
    (format 2: "interval BEGIN END HITS" lines) as a list under "intervals"."""
    fields, intervals = {}, []
    with open(path) as f:
        for line in f:
            key, value = line.rstrip("\n").split(" ", 1)
            if key == "interval":
                intervals.append(tuple(int(x) for x in value.split()))
            else:
                fields[key] = value
    fields["intervals"] = intervals
    return fields


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1)
MCPI_REAL = os.path.realpath(MCPI)


def catches_stop_signals(pid):
    """True when process pid has handlers installed for SIGTERM, SIGINT and
    SIGUSR1 (its SigCgt mask in /proc).  An exec resets caught signals, so
    for a process running the mcpi binary this means mcpi installed them."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    mask = int(line.split()[1], 16)
                    return all(mask >> (s - 1) & 1 for s in STOP_SIGNALS)
    except OSError:
        pass
    return False


def mcpi_processes(root):
    """root and its descendants that run the mcpi binary (a launcher's
    ranks, or root itself)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        try:
            if os.path.realpath(f"/proc/{pid}/exe") == MCPI_REAL:
                found.append(pid)
        except OSError:
            pass
        todo.extend(children.get(pid, []))
    return found


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(dir=os.environ.get("MCPI_TEST_TMP"))
        # A folder with a name as long as a cluster's scratch paths get: the
        # lines that name the checkpoint must still end with what to type.
        self.dir = os.path.join(self.tmp.name, "scratch-" + "p" * 120)
        os.mkdir(self.dir)
        self.paths = 0
        self.new_checkpoint()

    def tearDown(self):
        self.tmp.cleanup()

    def new_checkpoint(self):
        """A checkpoint path no run has used: a file left by an earlier run
        would prove nothing about the next one."""
        self.paths += 1
        self.ckpt = os.path.join(self.dir, f"run{self.paths}.ckpt")

    def start(self, seed, n, backend, ranks=1, extra=()):
        self.assertFalse(os.path.exists(self.ckpt), "start() needs a fresh checkpoint path")
        args = ["-n", str(n), "-s", str(seed), "-b", backend, *ONE_PASS, "--format", "json",
                "--checkpoint", self.ckpt, "--checkpoint-interval", "1", *extra]
        return subprocess.Popen(cmd(ranks, *args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def wait_ready(self, proc, ranks):
        """Waits until every rank of the job catches the stop signals: from
        then on a signal at any moment must end the run the documented way.
        mcpi installs its handlers first thing in main, before MPI start-up
        (which takes seconds where a name lookup times out)."""
        t0 = time.time()
        while sum(catches_stop_signals(p) for p in mcpi_processes(proc.pid)) < ranks:
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
            self.assertLess(time.time() - t0, 120, f"not every one of {ranks} ranks caught signals")
            time.sleep(0.005)

    def wait_for_checkpoint(self, proc, old_inode=None):
        """Waits until counting has started: the file is (re)written once
        after every rank agreed on the run, before the first chunk.  A
        rewrite is a rename, so a resumed run's file gets a new inode."""
        t0 = time.time()
        while not os.path.exists(self.ckpt) or os.stat(self.ckpt).st_ino == old_inode:
            self.assertIsNone(proc.poll(), proc.stderr.read() if proc.poll() is not None else "")
            self.assertLess(time.time() - t0, 120, "no checkpoint file appeared")
            time.sleep(0.01)

    def interrupt(self, seed, n, backend, sig, ranks=1, delay=(0.2, 2.0)):
        """Starts a checkpointed run, signals it after a random delay and
        returns (exit code, stdout, stderr)."""
        proc = self.start(seed, n, backend, ranks)
        self.wait_ready(proc, ranks)
        self.wait_for_checkpoint(proc)
        time.sleep(RNG.uniform(*delay))
        if proc.poll() is None:
            proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        return proc.returncode, out, err

    def resume(self, seed, n, backend, ranks=1):
        p = run("-n", str(n), "-s", str(seed), "-b", backend, *ONE_PASS, "--format", "json",
                "--resume", self.ckpt, ranks=ranks)
        self.assertEqual(p.returncode, 0, p.stderr)
        row = json.loads(p.stdout)["results"][0]
        self.assertEqual(row["samples"], n)
        return row["hits"]

    def interrupt_and_resume(self, seed, n, first, then, sig=signal.SIGTERM, ranks=1,
                             then_ranks=1, delay=(0.2, 2.0)):
        self.new_checkpoint()
        rc, out, err = self.interrupt(seed, n, first, sig, ranks, delay)
        # 0 when the random delay outlived the run: then the checkpoint is complete.
        ok_codes = (0, EXIT_INTERRUPTED) if ranks == 1 or sig == signal.SIGUSR1 else (0, 1, 5)
        self.assertIn(rc, ok_codes, err)
        ck = read_checkpoint(self.ckpt)
        self.assertEqual(int(ck["seed"]), seed)
        done = int(ck["done"])
        if rc == EXIT_INTERRUPTED:
            self.assertIn("interrupted by", err)
            self.assertIn(f"continue with --resume {self.ckpt}", err)
            self.assertLess(done, n)
        got = self.resume(seed, n, then, then_ranks)
        self.assertEqual(got, reference(seed, n),
                         f"seed {seed}: {first}x{ranks} stopped at {done} of {n}, "
                         f"resumed with {then}x{then_ranks}")
        self.assertEqual(int(read_checkpoint(self.ckpt)["done"]), n)
        return done


class InterruptResume(Base):
    def test_serial_sigterm_then_threads(self):
        for _ in range(3):
            seed = RNG.randrange(2**64)
            with self.subTest(seed=seed):
                self.interrupt_and_resume(seed, N_SERIAL, "serial", "threads")

    def test_threads_sigint_then_another_backend(self):
        then = "opencl" if HAVE_OPENCL else "simd"
        for _ in range(2):
            seed = RNG.randrange(2**64)
            with self.subTest(seed=seed):
                self.interrupt_and_resume(seed, N_THREADS, "threads", then, signal.SIGINT,
                                          delay=(0.2, 1.5))

    @unittest.skipUnless(HAVE_OPENCL, "built without OpenCL")
    def test_opencl_sigusr1_then_threads(self):
        seed = RNG.randrange(2**64)
        self.interrupt_and_resume(seed, N_THREADS, "opencl", "threads", signal.SIGUSR1,
                                  delay=(0.5, 2.0))

    def test_resume_twice_and_from_complete(self):
        seed = RNG.randrange(2**64)
        rc, _, err = self.interrupt(seed, N_SERIAL, "serial", signal.SIGTERM, delay=(0.3, 0.8))
        self.assertIn(rc, (0, EXIT_INTERRUPTED), err)
        # Second session, interrupted again, written to the same file.
        inode = os.stat(self.ckpt).st_ino
        proc = subprocess.Popen([MCPI, "-n", str(N_SERIAL), "-s", str(seed), "-b", "serial",
                                 *ONE_PASS, "--resume", self.ckpt, "--checkpoint-interval", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.wait_ready(proc, 1)
        self.wait_for_checkpoint(proc, inode)
        time.sleep(RNG.uniform(0.3, 0.8))
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        self.assertIn(proc.returncode, (0, EXIT_INTERRUPTED), err)
        self.assertEqual(self.resume(seed, N_SERIAL, "simd"), reference(seed, N_SERIAL))
        # A complete checkpoint resumes to the same answer at once.
        self.assertEqual(self.resume(seed, N_SERIAL, "serial"), reference(seed, N_SERIAL))

    def test_kill_9_leaves_a_valid_checkpoint(self):
        for _ in range(2):
            seed = RNG.randrange(2**64)
            with self.subTest(seed=seed):
                self.new_checkpoint()
                proc = self.start(seed, N_SERIAL, "serial")
                self.wait_for_checkpoint(proc)
                time.sleep(RNG.uniform(0.5, 2.2))
                proc.kill()
                proc.communicate(timeout=60)
                self.assertEqual(self.resume(seed, N_SERIAL, "threads"),
                                 reference(seed, N_SERIAL))

    def test_second_signal_exits_at_once(self):
        seed = RNG.randrange(2**64)
        proc = self.start(seed, N_SERIAL, "serial")
        self.wait_ready(proc, 1)
        self.wait_for_checkpoint(proc)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        self.assertIn(proc.returncode, (128 + signal.SIGTERM, EXIT_INTERRUPTED))
        # Whatever moment it ended at, the checkpoint on disk resumes exactly.
        self.assertEqual(self.resume(seed, N_SERIAL, "threads"), reference(seed, N_SERIAL))

    def test_range_run_resumes(self):
        seed = RNG.randrange(2**64)
        b, e = 2**33 - 300_000_000, 2**33 + 300_000_000
        proc = subprocess.Popen([MCPI, "--range", f"{b}:{e}", "-s", str(seed), "-b", "serial",
                                 *ONE_PASS, "--checkpoint", self.ckpt, "--format", "json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.wait_ready(proc, 1)
        self.wait_for_checkpoint(proc)
        time.sleep(RNG.uniform(0.2, 1.5))
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        p = run("--range", f"{b}:{e}", "-s", str(seed), "-b", "threads", *ONE_PASS,
                "--format", "json", "--resume", self.ckpt)
        self.assertEqual(p.returncode, 0, p.stderr)
        got = json.loads(p.stdout)["results"][0]
        p = run("--range", f"{b}:{e}", "-s", str(seed), "-b", "threads", *ONE_PASS,
                "--format", "json")
        want = json.loads(p.stdout)["results"][0]
        self.assertEqual(got["hits"], want["hits"])
        self.assertEqual(got["range"], {"begin": b, "end": e})


class AsTyped(Base):
    """Batch jobs without repeated flags: --checkpoint is one timed pass of
    one row (auto without -b), and --resume FILE alone takes N, seed, range
    and the row from the file."""

    def test_checkpoint_alone_counts_with_auto(self):
        seed, n = RNG.randrange(2**64), 30_000_000
        p = run("-n", str(n), "-s", str(seed), "--checkpoint", self.ckpt, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(len(doc["results"]), 1)
        row = doc["results"][0]
        self.assertIn("auto", row)  # auto's choice and what it predicted
        self.assertEqual(doc["config"]["repeat"], 1)
        self.assertEqual(len(row["time_s"]["repeats"]), 1)
        self.assertEqual(row["hits"], reference(seed, n))
        ck = read_checkpoint(self.ckpt)
        self.assertEqual(ck["row"], row["name"])
        self.assertEqual((int(ck["done"]), int(ck["hits"])), (n, row["hits"]))

    def interrupted_as_typed(self, args, n, sig=signal.SIGTERM):
        """-b but neither -r nor -w; stopped once counting has started.  Exit
        0 when the run ended first (a loaded machine may take longer to deliver
        the signal than serial takes for N): the checkpoint is complete, and
        what follows must hold all the same."""
        args = [*args, "--checkpoint", self.ckpt, "--checkpoint-interval", "1"]
        proc = subprocess.Popen(cmd(1, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        self.wait_ready(proc, 1)
        self.wait_for_checkpoint(proc)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        self.assertIn(proc.returncode, (0, EXIT_INTERRUPTED), err)
        ck = read_checkpoint(self.ckpt)
        if proc.returncode == EXIT_INTERRUPTED:
            self.assertEqual(out, "")
            self.assertIn(f"continue with --resume {self.ckpt}", err)
            self.assertLess(int(ck["done"]), n)
        return ck

    def test_resume_alone_finishes_with_the_uninterrupted_hits(self):
        seed, n = RNG.randrange(2**64), N_SERIAL
        self.interrupted_as_typed(["-n", str(n), "-s", str(seed), "-b", "serial"], n)
        p = run("--resume", self.ckpt, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(f"seed {seed}, samples [0, {n})", p.stderr)
        self.assertIn("continuing with serial", p.stderr)
        doc = json.loads(p.stdout)
        row = doc["results"][0]
        self.assertEqual((row["name"], row["seed"], row["samples"]), ("serial", seed, n))
        self.assertEqual(row["hits"], reference(seed, n))
        self.assertEqual(int(read_checkpoint(self.ckpt)["done"]), n)

    def test_resume_of_a_range_with_another_row_and_the_same_values(self):
        seed, b, e = RNG.randrange(2**64), 2**33 - 7, 2**33 - 7 + N_SERIAL
        self.interrupted_as_typed(["-s", str(seed), "-b", "serial", "--range", f"{b}:{e}"],
                                  e - b, signal.SIGINT)
        # Values typed again are accepted when they are the checkpoint's.
        p = run("--resume", self.ckpt, "-b", "threads", "-s", str(seed), "-n", str(e - b),
                "--range", f"{b}:{e}", "-r", "1", "-w", "0", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        row = json.loads(p.stdout)["results"][0]
        self.assertEqual((row["name"], row["range"]), ("threads", {"begin": b, "end": e}))
        whole = run("-s", str(seed), "-b", "threads", "--range", f"{b}:{e}", "--format", "json")
        self.assertEqual(row["hits"], json.loads(whole.stdout)["results"][0]["hits"])

    def test_sigusr1_after_an_opencl_runtime_compiled(self):
        """PoCL's LLVM takes SIGUSR1 (its "info" signal) when it compiles a
        kernel and does not pass it on: mcpi puts its handler back, so the
        signal still stops the run.  N = 10^12: a lost signal cannot pass."""
        rows = (["-b", "opencl"], []) if HAVE_OPENCL else ([],)
        for extra in rows:  # [] = -b auto, whose model lists the OpenCL devices
            with self.subTest(backend=extra):
                self.new_checkpoint()
                args = ["-n", "1e12", "--checkpoint", self.ckpt, "--no-cache", *extra]
                proc = subprocess.Popen(cmd(1, *args), stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
                self.wait_ready(proc, 1)
                self.wait_for_checkpoint(proc)  # written after the row's workers opened
                proc.send_signal(signal.SIGUSR1)
                try:
                    out, err = proc.communicate(timeout=120)
                finally:
                    proc.kill()  # a lost signal would leave it counting
                self.assertEqual(proc.returncode, EXIT_INTERRUPTED, err)
                self.assertIn("interrupted by SIGUSR1", err)

    @unittest.skipUnless(MPIEXEC, "built without MPI")
    def test_resume_alone_on_three_ranks(self):
        seed, n = RNG.randrange(2**64), N_SERIAL
        self.interrupted_as_typed(["-n", str(n), "-s", str(seed), "-b", "serial"], n)
        p = run("--resume", self.ckpt, "--format", "json", ranks=3)
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual(doc["config"]["ranks"], 3)
        self.assertEqual(doc["results"][0]["hits"], reference(seed, n))


@unittest.skipUnless(MPIEXEC, "built without MPI")
class InterruptResumeMPI(Base):
    def test_three_ranks_usr1_then_one_rank_threads(self):
        for _ in range(2):
            seed = RNG.randrange(2**64)
            with self.subTest(seed=seed):
                self.interrupt_and_resume(seed, N_MPI, "serial", "threads", signal.SIGUSR1,
                                          ranks=3, then_ranks=1)

    def test_one_rank_then_three_ranks(self):
        seed = RNG.randrange(2**64)
        self.interrupt_and_resume(seed, N_SERIAL, "serial", "serial", signal.SIGTERM,
                                  ranks=1, then_ranks=3)

    def test_combined_row_then_another_composition(self):
        """A row of two workers on two ranks, stopped at a random moment,
        resumed by another row of two workers on one rank."""
        seed = RNG.randrange(2**64)
        self.interrupt_and_resume(seed, N_MPI, "simd+serial", "threads+simd", signal.SIGUSR1,
                                  ranks=2, then_ranks=1)

    def test_three_ranks_then_two_ranks_other_backend(self):
        seed = RNG.randrange(2**64)
        self.interrupt_and_resume(seed, N_THREADS, "threads",
                                  "opencl" if HAVE_OPENCL else "simd", signal.SIGUSR1,
                                  ranks=3, then_ranks=2)


class EarlySignal(Base):
    """A stop signal sent the moment every rank can catch it (before MPI
    start-up has finished, before any device is touched or the checkpoint
    exists) ends the run the documented way: exit 5, a checkpoint whose
    prefix is exact.  N is far beyond what the test could count, so a
    signal that was lost cannot pass: the run would not end in time."""
    N_NEVER = 10**14

    def signal_when_ready(self, proc, ranks, sig):
        """Signals proc once every rank catches stop signals; its exit code
        and stderr."""
        try:
            self.wait_ready(proc, ranks)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=240)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        return proc.returncode, err

    def stop_at_once(self, sig, ranks, backend="serial"):
        seed = RNG.randrange(2**64)
        rc, err = self.signal_when_ready(self.start(seed, self.N_NEVER, backend, ranks), ranks,
                                         sig)
        self.assertEqual(rc, EXIT_INTERRUPTED, err)
        self.assertIn(f"interrupted by {signal.Signals(sig).name}", err)
        self.assertIn(f"continue with --resume {self.ckpt}", err)
        ck = read_checkpoint(self.ckpt)
        self.assertEqual(int(ck["seed"]), seed)
        done = int(ck["done"])
        self.assertLess(done, self.N_NEVER)
        self.assertEqual(sum(e - b for b, e, _ in ck["intervals"]), done)
        # Every counted interval is exact: recounted here by another backend.
        for b, e, hits in ck["intervals"]:
            p = run("--range", f"{b}:{e}", "-s", str(seed), "-b", "threads", *ONE_PASS,
                    "--format", "json")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout)["results"][0]["hits"], hits, (b, e))
        self.assertEqual(int(ck["hits"]), sum(h for _, _, h in ck["intervals"]))

    def test_one_process_sigterm(self):
        self.stop_at_once(signal.SIGTERM, 1)

    def test_one_process_sigint_threads(self):
        self.stop_at_once(signal.SIGINT, 1, "threads")

    @unittest.skipUnless(MPIEXEC, "built without MPI")
    def test_three_ranks_sigusr1_during_start_up(self):
        self.stop_at_once(signal.SIGUSR1, 3)

    def test_plain_run_stops_at_a_chunk_boundary(self):
        """Without --checkpoint a stop signal still ends a run the
        documented way: exit 5, a line saying how much was counted and that
        nothing was kept, no report written."""
        out = os.path.join(self.dir, "report.json")
        proc = subprocess.Popen(cmd(1, "-n", str(self.N_NEVER), "-b", "serial", *ONE_PASS,
                                    "-o", out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        rc, err = self.signal_when_ready(proc, 1, signal.SIGTERM)
        self.assertEqual(rc, EXIT_INTERRUPTED, err)
        self.assertIn("interrupted by SIGTERM", err)
        self.assertIn("nothing kept", err)
        self.assertFalse(os.path.exists(out))

    @unittest.skipUnless(MPIEXEC, "built without MPI")
    def test_plain_run_on_three_ranks_stops_at_a_chunk_boundary(self):
        proc = subprocess.Popen(cmd(3, "-n", str(self.N_NEVER), "-b", "serial", *ONE_PASS),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        rc, err = self.signal_when_ready(proc, 3, signal.SIGUSR1)
        self.assertEqual(rc, EXIT_INTERRUPTED, err)
        self.assertIn("interrupted by SIGUSR1", err)

    def test_commands_that_do_not_count_keep_the_default_action(self):
        """calibrate does not stop at chunk boundaries: a stop signal takes
        its default action whenever it arrives - before main, while the
        handlers are installed (the command line releases them, which
        raises it again) or after.  Popen returns once mcpi is exec'ed."""
        env = dict(os.environ, MCPI_CACHE_DIR=os.path.join(self.dir, "cache"))
        proc = subprocess.Popen([MCPI, "calibrate"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, -signal.SIGTERM)


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


class OldFormat(Base):
    def test_format_1_checkpoint_resumes(self):
        """A checkpoint written before the scheduler (format 1: a counted
        prefix) is read as that one interval and resumed exactly."""
        seed, n, done = 77, 20_000_001, 6_000_003
        p = run("--range", f"0:{done}", "-s", str(seed), "-b", "threads", *ONE_PASS,
                "--format", "json")
        hits = json.loads(p.stdout)["results"][0]["hits"]
        body = (f"mcpi-checkpoint 1\nversion 0.1.0\nseed {seed}\nsamples {n}\nbegin 0\n"
                f"end {n}\ndone {done}\nhits {hits}\nelapsed_s 1.5\nbackend serial\n"
                f"ranks 1\n").encode()
        with open(self.ckpt, "wb") as f:
            f.write(body + b"fnv1a64 %016x\n" % fnv1a64(body))
        self.assertEqual(self.resume(seed, n, "simd+serial"), reference(seed, n))
        ck = read_checkpoint(self.ckpt)
        self.assertEqual(ck["mcpi-checkpoint"], "2")  # rewritten in the current format
        self.assertEqual(int(ck["done"]), n)


class Refusals(Base):
    def make_checkpoint(self, seed=5, n=10_000_000):
        p = run("-n", str(n), "-s", str(seed), "-b", "threads", *ONE_PASS, "--checkpoint",
                self.ckpt, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)

    def refused(self, *extra, want="refused", seed=5, n=10_000_000):
        out = os.path.join(self.tmp.name, "out.json")
        p = run("-n", str(n), "-s", str(seed), "-b", "serial", *ONE_PASS, "--resume",
                self.ckpt, *extra)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(want, p.stderr)
        self.assertIn(self.ckpt, p.stderr)
        self.assertFalse(os.path.exists(out))
        return p

    def test_corrupt_checkpoint(self):
        self.make_checkpoint()
        with open(self.ckpt, "r+") as f:
            text = f.read()
            f.seek(0)
            f.write(text.replace("hits 7", "hits 8", 1).replace("hits 6", "hits 7", 1))
        self.refused(want="checksum")

    def test_truncated_checkpoint(self):
        self.make_checkpoint()
        with open(self.ckpt, "r+") as f:
            f.truncate(os.path.getsize(self.ckpt) - 5)
        self.refused(want="truncated")
        with open(self.ckpt, "w"):
            pass
        self.refused(want="truncated")

    def test_not_a_checkpoint(self):
        with open(self.ckpt, "w") as f:
            f.write('{"version": "0.1.0"}\n')
        self.refused(want="not an mcpi checkpoint")

    def test_mismatched_run(self):
        self.make_checkpoint()
        self.refused(want="seed 5", seed=6)
        self.refused(want="samples [0, 10000000)", n=10_000_001)

    def test_missing_file(self):
        self.refused(want="cannot read")

    def test_one_pass_one_row(self):
        """One timed pass is the default of a checkpointed run; other
        values, several rows, other commands are refused (exit 2, nothing
        written)."""
        for extra, want in [(["-r", "3"], "-r/--repeat 3 and --checkpoint"),
                            (["-w", "1"], "-w/--warmup 1 and --checkpoint"),
                            (["-b", "serial,threads"], "exactly one backend row")]:
            with self.subTest(extra=extra):
                p = run("-n", "1e6", "-b", "serial", "--checkpoint", self.ckpt, *extra)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(want, p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertFalse(os.path.exists(self.ckpt))
        for command in ("sweep", "devices", "calibrate", "merge"):
            with self.subTest(command=command):
                p = run(command, "--checkpoint", self.ckpt)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("--checkpoint: accepted by mcpi run only", p.stderr)
                self.assertFalse(os.path.exists(self.ckpt))

    def test_resume_with_other_values_names_the_field(self):
        self.make_checkpoint(seed=5, n=10_000_000)
        for extra, want in [(["-s", "6"], "-s/--seed and --resume"),
                            (["-n", "1e7", "-s", "6"], "-s/--seed and --resume"),
                            (["-n", "20000000"], "-n/--samples and --resume"),
                            (["--range", "1:10000000"], "--range and --resume"),
                            (["-r", "2"], "-r/--repeat 2 and --resume")]:
            with self.subTest(extra=extra):
                out = os.path.join(self.tmp.name, "out.json")
                p = run("--resume", self.ckpt, "-o", out, *extra)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(want, p.stderr)
                self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
                self.assertFalse(os.path.exists(out))

    def test_unwritable_checkpoint(self):
        """Refused before any work, as an unwritable -o is: exit 2, no report."""
        p = run("-n", "1e6", "-b", "serial", *ONE_PASS, "--checkpoint",
                os.path.join(self.tmp.name, "no-such-dir", "x.ckpt"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--checkpoint", p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)


class Progress(Base):
    def test_forced_progress_and_quiet(self):
        p = run("-n", "2e8", "-b", "serial", *ONE_PASS, "--progress", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"mcpi: serial\s+100\.0%\s+2\.000e\+08 of 2\.000e\+08 samples")
        self.assertEqual(json.loads(p.stdout)["results"][0]["samples"], 200_000_000)
        p = run("-n", "2e8", "-b", "serial", *ONE_PASS, "--progress", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        # Not a terminal and not forced: nothing.
        p = run("-n", "2e8", "-b", "serial", *ONE_PASS)
        self.assertEqual(p.stderr, "")

    def test_progress_keeps_hits_with_repeats(self):
        p = run("-n", "1000000", "-s", "42", "-b", "serial,threads", "-r", "2", "-w", "1",
                "--progress", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        for row in json.loads(p.stdout)["results"]:
            self.assertEqual(row["hits"], 785856)


class Merge(Base):
    def part(self, seed, b, e, backend="threads", name=None):
        path = os.path.join(self.tmp.name, name or f"part-{b}-{e}.json")
        p = run("--range", f"{b}:{e}", "-s", str(seed), "-b", backend, *ONE_PASS, "--format",
                "json", "-o", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        return path

    def merge(self, *args, timeout=300):
        return run("merge", *args, timeout=timeout)

    def test_parts_across_2_32_and_2_33_equal_the_whole(self):
        seed = RNG.randrange(2**64)
        cuts = [2**32 - 700_000_000, 2**32 + 1, 2**33 - 3, 2**33 + 200_000_001]
        cuts[1] += RNG.randrange(1000)
        parts = [self.part(seed, b, e) for b, e in zip(cuts, cuts[1:])]
        RNG.shuffle(parts)
        p = self.merge(*parts, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        row = doc["results"][0]
        whole = run("--range", f"{cuts[0]}:{cuts[-1]}", "-s", str(seed), "-b", "threads",
                    *ONE_PASS, "--format", "json")
        want = json.loads(whole.stdout)["results"][0]
        self.assertEqual(row["hits"], want["hits"])
        self.assertEqual(row["samples"], want["samples"])
        self.assertEqual(row["range"], want["range"])
        self.assertEqual(row["pi"], want["pi"])
        self.assertEqual(row["stderr"], want["stderr"])
        self.assertEqual(doc["config"]["seed"], seed)
        self.assertEqual(len(doc["ranks"]), 3)  # one per-part row each, in range order
        self.assertEqual([r["range"]["begin"] for r in doc["ranks"]], cuts[:-1])

    def test_cover_with_mixed_backends_and_whole_run(self):
        n = 30_000_001
        a = self.part(3, 0, 12_345_677, "serial", "a.json")
        want = run("-n", str(n), "-s", "3", "-b", "threads", *ONE_PASS, "--format", "json")
        whole = json.loads(want.stdout)["results"][0]["hits"]
        # Parts counted by different backends merge by stream, as row "exact".
        b = self.part(3, 12_345_677, n, "simd", "b.json")
        p = self.merge(a, b, "--cover", str(n), "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual([(r["name"], r["backend"], r["hits"], r["samples"])
                          for r in doc["results"]], [("exact", "mixed", whole, n)])
        self.assertEqual([(r["rank"], r["name"]) for r in doc["ranks"]],
                         [(0, "serial"), (1, "simd")])  # which backend counted which part
        self.assertIn("row 'serial' is not in every part", p.stderr)
        # Several exact rows in a part: the fastest counts it; a name in
        # every part merges by name and no "exact" row is added.
        c = self.part(3, 12_345_677, n, "serial,simd", "c.json")
        p = self.merge(a, c, "--cover", str(n), "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual([(r["name"], r["hits"]) for r in doc["results"]], [("serial", whole)])
        self.assertIn(f"row 'simd' is not in every part ({a} has none): left out", p.stderr)
        d = self.part(3, 12_345_677, n, "threads,simd", "d.json")
        p = self.merge(c, d, a, "--format", "json")  # any order
        self.assertEqual(p.returncode, 2, p.stderr)  # c and d overlap
        p = self.merge(a, d, "--cover", str(n), "--format", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        job = [ln for ln in csv.DictReader(io.StringIO(p.stdout)) if ln["scope"] == "job"]
        self.assertEqual([(r["name"], int(r["hits"])) for r in job], [("exact", whole)])
        # naive merges with naive only.
        e = self.part(3, 12_345_677, n, "naive,simd", "e.json")
        p = self.merge(a, e, "--cover", str(n))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("row 'naive' is not exact", p.stderr)
        self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
        b = self.part(3, 12_345_677, n, "serial", "b.json")
        p = self.merge(a, b, "--cover", str(n), "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["results"][0]["hits"], whole)
        out = os.path.join(self.tmp.name, "merged.md")
        p = self.merge(a, b, "--cover", str(n), "--format", "markdown", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.getsize(out) > 0)

    def test_errors(self):
        a = self.part(1, 0, 1000, "serial", "a.json")
        b = self.part(1, 1000, 2000, "serial", "b.json")
        over = self.part(1, 999, 1500, "serial", "over.json")
        gap = self.part(1, 2001, 3000, "serial", "gap.json")
        other = self.part(2, 2000, 3000, "serial", "other.json")
        naive = self.part(1, 2000, 3000, "naive", "naive.json")
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w") as f:
            f.write('{"version": "0.1.0", "config": {"seed": 1}, "results": [')
        ver = os.path.join(self.tmp.name, "ver.json")
        with open(b) as f:
            doc = json.load(f)
        doc["version"] = "9.9.9"
        doc.pop("checksum")  # edited files below carry none (as an older mcpi's)
        with open(ver, "w") as f:
            json.dump(doc, f)
        dup = os.path.join(self.tmp.name, "dup.json")
        with open(b) as f:
            text = f.read()
        with open(dup, "w") as f:  # a second "hits" key: which one would a reader take?
            f.write(text.replace('"hits": ', '"hits": 1, "hits": ', 1))
        huge = os.path.join(self.tmp.name, "huge.json")
        doc["version"] = json.load(open(a))["version"]
        doc["config"]["ranks"] = 2**31 - 1
        for r in doc["results"] + doc["ranks"]:
            r["ranks"] = 2**31 - 1
        with open(huge, "w") as f:
            json.dump(doc, f)
        doc["version"] = "9.9.9"
        cases = [((a, over), over, "overlap"), ((a, gap), gap, "gap"),
                 ((a, dup), dup, 'duplicate key "hits"'),
                 ((huge, huge.replace("huge", "huge2")), huge.replace("huge", "huge2"),
                  "ranks add up"),
                 ((a, b, other), other, "seed"), ((a, b, naive), naive, "not exact"),
                 ((a, bad), bad, "not valid JSON"), ((a, ver), ver, "9.9.9"),
                 ((a, b, "--cover", "3000"), b, "--cover 3000"),
                 ((b, "--cover", "2000"), b, "--cover 2000"),
                 ((a, os.path.join(self.tmp.name, "missing.json")), "missing.json",
                  "cannot read")]
        with open(huge) as f:  # the same ranks, the next range
            doc2 = json.load(f)
        for r in doc2["results"] + doc2["ranks"]:
            r["range"] = {"begin": 2000, "end": 3000}
        with open(huge.replace("huge", "huge2"), "w") as f:
            json.dump(doc2, f)
        for args, culprit, want in cases:
            with self.subTest(args=args):
                out = os.path.join(self.tmp.name, "merged.json")
                p = self.merge(*args, "-o", out)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stderr.count("\n"), 1, p.stderr)  # one line
                self.assertIn(os.path.basename(culprit), p.stderr)
                self.assertIn(want, p.stderr)
                self.assertFalse(os.path.exists(out))

    def test_checksums(self):
        """Every part's checksum is verified: one changed digit is refused; a
        part without a checksum (an older mcpi's) merges with a note."""
        a = self.part(6, 0, 1_000_000, "serial", "a.json")
        b = self.part(6, 1_000_000, 2_000_000, "serial", "b.json")
        with open(a) as f:
            text = f.read()
        doc = json.loads(text)
        hits = doc["results"][0]["hits"]
        self.assertRegex(doc["checksum"], r"^fnv1a64:[0-9a-f]{16}$")
        # The checksum covers every byte before the comma that precedes it.
        body = text[:text.rindex(',\n  "checksum": ')].encode()
        self.assertEqual(int(doc["checksum"][8:], 16), fnv1a64(body))
        tampered = os.path.join(self.tmp.name, "tampered.json")
        with open(tampered, "w") as f:
            f.write(text.replace(f'"hits": {hits}', f'"hits": {hits + 1}'))
        out = os.path.join(self.tmp.name, "merged.json")
        for culprit, want in [(tampered, "checksum does not match its content")]:
            p = self.merge(culprit, b, "-o", out)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertEqual(p.stderr.count("\n"), 1, p.stderr)
            self.assertIn(f"{culprit}: its {want}", p.stderr)
            self.assertFalse(os.path.exists(out))
        reformatted = os.path.join(self.tmp.name, "reformatted.json")
        with open(reformatted, "w") as f:
            json.dump(doc, f, indent=4)
        p = self.merge(reformatted, b)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("checksum is not where mcpi writes it", p.stderr)
        doc.pop("checksum")
        old = os.path.join(self.tmp.name, "old.json")
        with open(old, "w") as f:
            json.dump(doc, f)
        p = self.merge(old, b, "--format", "json", "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("merge: 1 file without a checksum", p.stderr)
        self.assertIn(old, p.stderr)
        with open(out) as f:
            merged = json.load(f)
        self.assertEqual(merged["results"][0]["hits"], reference(6, 2_000_000))
        # the merged report carries its own checksum, and merges again
        p = self.merge(out, self.part(6, 2_000_000, 3_000_000, "serial", "c.json"))
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_many_rows_merge_in_n_log_n(self):
        """20 000 rows per part (rows match by name through a sorted index:
        the quadratic matching took 16 s here)."""
        parts = [self.part(4, 0, 1000, "serial", "p0.json"),
                 self.part(4, 1000, 2000, "serial", "p1.json")]
        rows = 20_000
        for path in parts:
            with open(path) as f:
                doc = json.load(f)
            row = doc["results"][0]
            doc["results"] = [dict(row, name=f"serial-{k:05d}") for k in range(rows)]
            doc["ranks"] = []
            doc.pop("checksum")
            with open(path, "w") as f:
                json.dump(doc, f)
        p = self.merge(*parts, "--format", "csv", timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        job = [ln for ln in p.stdout.splitlines() if ln.startswith("job,")]
        self.assertEqual(len(job), rows)


if __name__ == "__main__":
    unittest.main(verbosity=2)

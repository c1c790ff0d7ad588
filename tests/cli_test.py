#!/usr/bin/env python3
"""End-to-end tests of the mcpi command line (run by CTest with /usr/bin/python3).

The binary is $MCPI_BIN.  Nothing here depends on timing: only on exact hit
counts, exit codes, messages and the shape of each output format.
"""
import csv
import io
import json
import os
import resource
import stat
import subprocess
import tempfile
import threading
import unittest

MCPI = os.environ.get("MCPI_BIN", "build/mcpi")
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"
HAVE_MPI = os.environ.get("MCPI_HAVE_MPI", "0") == "1"


def run(*args, timeout=120, env=None, **kw):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([MCPI, *args], capture_output=True, text=True, timeout=timeout, env=e,
                          **kw)


def json_run(*args):
    p = run(*args, "--format", "json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


class NumberForms(unittest.TestCase):
    def test_each_form_gives_the_same_count(self):
        for form in ["1000", "1e3", "1E3", "1.0e3", "10^3", "0.001e6"]:
            doc = json_run("-n", form, "--seed", "0", "-b", "serial", "-r", "1", "-w", "0")
            row = doc["results"][0]
            self.assertEqual(row["samples"], 1000, form)
            self.assertEqual(row["hits"], 783, form)

    def test_power_of_two_and_equals_syntax(self):
        doc = json_run("--samples=2^10", "--seed=0x1", "--backend=serial", "--repeat=1")
        self.assertEqual(doc["results"][0]["samples"], 1024)
        self.assertEqual(doc["config"]["seed"], 1)

    def test_seed_hex_and_decimal_agree(self):
        a = json_run("-n", "5000", "-s", "0xff", "-b", "serial", "-r", "1")
        b = json_run("-n", "5000", "-s", "255", "-b", "serial", "-r", "1")
        self.assertEqual(a["results"][0]["hits"], b["results"][0]["hits"])

    def test_largest_n_is_accepted_by_the_parser(self):
        # Parsing only: --help after a valid huge N exits 0 without running.
        p = run("-n", "18446744073709551615", "--help")
        self.assertEqual(p.returncode, 0)


class KnownAnswers(unittest.TestCase):
    def test_seed42_serial_threads(self):
        doc = json_run("-n", "1000000", "--seed", "42", "--backend", "serial,threads")
        rows = {r["name"]: r for r in doc["results"]}
        self.assertEqual(set(rows), {"serial", "threads"})
        for r in rows.values():
            self.assertEqual(r["hits"], 785856)
            self.assertEqual(r["samples"], 1000000)
        self.assertEqual(doc["config"]["samples"], 1000000)
        self.assertEqual(doc["config"]["seed"], 42)

    def test_all_exact_backends_agree_odd_n(self):
        doc = json_run("-n", "1000001", "--seed", "7", "-b", "all", "-r", "1", "-w", "0")
        exact = [r for r in doc["results"] if r["exact"]]
        self.assertGreaterEqual(len(exact), 3)
        self.assertEqual(len({r["hits"] for r in exact}), 1, exact)
        naive = [r for r in doc["results"] if r["backend"] == "naive"]
        self.assertEqual(len(naive), 1)
        self.assertFalse(naive[0]["exact"])


BAD_INPUTS = [
    (["--bogus"], "--bogus"),
    (["-x"], "-x"),
    (["-n"], "--samples"),
    (["-n", "0"], "--samples"),
    (["-n", "-5"], "--samples"),
    (["-n", "abc"], "--samples"),
    (["-n", "1.5"], "--samples"),
    (["-n", "2^64"], "--samples"),
    (["-n", "18446744073709551616"], "--samples"),
    (["-n", "1e20"], "--samples"),
    (["-n", "1e-3"], "--samples"),
    (["--seed", "0x"], "--seed"),
    (["--seed", "-1"], "--seed"),
    (["--seed", "18446744073709551616"], "--seed"),
    (["--backend", "cuda"], "--backend"),
    (["--backend", "serial,"], "--backend"),
    (["--backend", "opencl:x.y"], "--backend"),
    (["--backend", ""], "--backend"),
    (["--threads", "0"], "--threads"),
    (["--threads", "1025"], "--threads"),
    (["--threads", "two"], "--threads"),
    (["--repeat", "0"], "--repeat"),
    (["--repeat", "1001"], "--repeat"),
    (["--warmup", "-1"], "--warmup"),
    (["--format", "xml"], "--format"),
    (["--quiet=yes"], "--quiet"),
    (["--isa", "avx9000"], "--isa"),
    (["--work-group", "0"], "--work-group"),
    (["frobnicate"], "frobnicate"),
    (["run", "extra"], "extra"),
    (["-n", "5", "--range", "0:1000"], "-n/--samples and --range"),
]


class BadInput(unittest.TestCase):
    def test_table_of_bad_inputs(self):
        self.assertGreaterEqual(len(BAD_INPUTS), 20)
        for args, needle in BAD_INPUTS:
            with tempfile.TemporaryDirectory() as d:
                out = os.path.join(d, "out.json")
                p = run(*args, "--output", out, "-b", "serial", "-n", "10") if args[0] not in (
                    "-n", "--backend") else run(*args, "--output", out)
                with self.subTest(args=args):
                    self.assertEqual(p.returncode, 2, (args, p.stderr))
                    lines = p.stderr.strip().splitlines()
                    self.assertEqual(len(lines), 1, (args, p.stderr))
                    self.assertTrue(lines[0].startswith("mcpi: "), lines[0])
                    self.assertIn(needle, lines[0])
                    self.assertEqual(p.stdout, "")
                    self.assertFalse(os.path.exists(out), args)
                    self.assertEqual(os.listdir(d), [], args)

    def test_unwritable_output(self):
        for path in ["/nonexistent-dir/x.json", "/"]:
            p = run("-n", "10", "-b", "serial", "--output", path)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("--output", p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1)

    def test_existing_output_is_not_truncated_on_bad_input(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "keep.txt")
            with open(out, "w") as f:
                f.write("precious\n")
            p = run("-n", "0", "--output", out)
            self.assertEqual(p.returncode, 2)
            with open(out) as f:
                self.assertEqual(f.read(), "precious\n")

    def test_unavailable_device_is_exit_3(self):
        p = run("-n", "10", "--backend", "opencl:99.0")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        self.assertIn("opencl", p.stderr)


class Formats(unittest.TestCase):
    ARGS = ["-n", "100000", "--seed", "3", "-b", "serial,threads", "-r", "2", "-w", "0"]

    def expected_hits(self):
        return json_run(*self.ARGS)["results"][0]["hits"]

    def test_json_keys(self):
        doc = json_run(*self.ARGS)
        self.assertIn("version", doc)
        for k in ["samples", "seed", "repeat", "ranks", "threads"]:
            self.assertIn(k, doc["config"])
        for r in doc["results"]:
            for k in ["name", "device", "samples", "hits", "pi", "samples_per_s", "ratio"]:
                self.assertIn(k, r)
            for k in ["median", "min", "max"]:
                self.assertIn(k, r["time_s"])
            self.assertLessEqual(r["time_s"]["min"], r["time_s"]["median"])
            self.assertLessEqual(r["time_s"]["median"], r["time_s"]["max"])
            self.assertIn("host_peak_bytes", r["memory"])
            self.assertIn("device_bytes", r["memory"])
            self.assertAlmostEqual(r["pi"], 4.0 * r["hits"] / r["samples"], places=12)
        ratios = sorted(r["ratio"] for r in doc["results"])
        self.assertAlmostEqual(ratios[0], 1.0, places=9)

    def test_csv(self):
        p = run(*self.ARGS, "--format", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.DictReader(io.StringIO(p.stdout)))
        job = [r for r in rows if r.get("scope", "job") == "job"]
        self.assertEqual({r["name"] for r in job}, {"serial", "threads"})
        want = self.expected_hits()
        for r in job:
            self.assertEqual(int(r["hits"]), want)
            self.assertEqual(int(r["samples"]), 100000)

    def test_markdown(self):
        p = run(*self.ARGS, "--format", "markdown")
        self.assertEqual(p.returncode, 0, p.stderr)
        table = [l for l in p.stdout.splitlines() if l.startswith("|")]
        self.assertGreaterEqual(len(table), 4)  # header, rule, two rows
        header = [c.strip() for c in table[0].strip("|").split("|")]
        self.assertTrue(set(c for c in table[1].strip("|").split("|")) <= {"---", ":--", "--:", "---:", ":---", "-", ":-:", "----"} or
                        all(set(c.strip()) <= set("-:") for c in table[1].strip("|").split("|")))
        names = {[c.strip() for c in l.strip("|").split("|")][0].rstrip("*") for l in table[2:]}
        self.assertTrue({"serial", "threads"} <= names, names)
        self.assertTrue(any("ratio" in h.lower() for h in header), header)

    def test_table(self):
        p = run(*self.ARGS)
        self.assertEqual(p.returncode, 0, p.stderr)
        text = p.stdout
        self.assertIn("serial", text)
        self.assertIn("threads", text)
        self.assertIn("1.00x", text)
        self.assertIn(str(self.expected_hits()), text)

    def test_output_file_is_atomic_and_complete(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "r.json")
            p = run(*self.ARGS, "--format", "json", "--output", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "")
            self.assertEqual(os.listdir(d), ["r.json"])  # no temporary left behind
            with open(out) as f:
                doc = json.load(f)
            self.assertEqual(len(doc["results"]), 2)


class Auto(unittest.TestCase):
    def test_auto_picks_one_exact_backend_and_says_why(self):
        p = run("-n", "1000", "-b", "auto", "-r", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("auto chose ", p.stdout)
        self.assertIn("measured", p.stdout)
        doc = json_run("-n", "1000", "-s", "0", "-b", "auto", "-r", "1")
        self.assertEqual(len(doc["results"]), 1)
        row = doc["results"][0]
        self.assertTrue(row["exact"])
        self.assertEqual(row["hits"], 783)

    def test_the_model_is_probed_once_cached_and_a_corrupt_cache_is_replaced(self):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, MCPI_CACHE_DIR=d)

            def note(*extra):
                p = subprocess.run([MCPI, "-n", "1e5", "-b", "auto", "-r", "1", "--format", "json",
                                    *extra], capture_output=True, text=True, env=env, timeout=120)
                self.assertEqual(p.returncode, 0, p.stderr)
                return json.loads(p.stdout)["results"][0]["auto"]["note"], p.stderr

            first, _ = note()
            self.assertIn("(model probed now and cached)", first)
            models = [f for f in os.listdir(d) if f.startswith("auto-")]
            self.assertEqual(len(models), 1)
            second, _ = note()
            self.assertIn("(model from the cache", second)
            # the cached model gives the same predictions
            self.assertEqual(first.split(" (model")[0], second.split(" (model")[0])
            off, _ = note("--no-cache")
            self.assertIn("not cached (--no-cache)", off)
            # flip one digit of a stored number: the checksum catches it
            path = os.path.join(d, models[0])
            with open(path) as f:
                text = f.read()
            i = text.index("entry serial ") + len("entry serial ")
            with open(path, "w") as f:
                f.write(text[:i] + ("1" if text[i] != "1" else "2") + text[i + 1:])
            again, err = note()
            self.assertIn("(model probed now and cached)", again)
            self.assertIn("is truncated or corrupt", err)
            self.assertIn("from the cache", note()[0])


class Misc(unittest.TestCase):
    def test_readme_shows_the_real_help(self):
        readme = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "README.md")
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        start = text.index("$ ./build/mcpi --help\n") + len("$ ./build/mcpi --help\n")
        shown = text[start:text.index("```", start)]
        self.assertEqual(shown, run("--help").stdout, "README's --help block is stale")

    def test_help_lists_flags_and_exit_codes(self):
        p = run("--help")
        self.assertEqual(p.returncode, 0)
        for flag in ["--samples", "--seed", "--backend", "--threads", "--repeat", "--warmup",
                     "--format", "--output", "--quiet", "--version", "Exit codes"]:
            self.assertIn(flag, p.stdout)

    def test_version(self):
        p = run("--version")
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^mcpi \d+\.\d+\.\d+\n$")

    def test_devices(self):
        p = run("devices")
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ["serial", "simd", "threads", "opencl"]:
            self.assertIn(name, p.stdout)
        doc = json.loads(run("devices", "--format", "json").stdout)
        names = {b["name"]: b for b in doc["backends"]}
        self.assertTrue(names["serial"]["available"])
        if HAVE_OPENCL:
            self.assertTrue(names["opencl"]["available"], names["opencl"])
            self.assertGreaterEqual(len(names["opencl"]["devices"]), 1)
        else:
            self.assertFalse(names["opencl"]["available"])
            self.assertIn("reason", names["opencl"])


class SweepAndCalibrate(unittest.TestCase):
    """mcpi sweep and mcpi calibrate: bad input, output shapes, atomic files.
    Each test has its own MCPI_CACHE_DIR so no calibration leaks into others."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.env = dict(os.environ, MCPI_CACHE_DIR=os.path.join(self.tmp.name, "cache"))

    def tearDown(self):
        self.tmp.cleanup()

    def mcpi(self, *args):
        return subprocess.run([MCPI, *args], capture_output=True, text=True, timeout=300,
                              env=self.env)

    def assert_bad(self, args, needle):
        out = os.path.join(self.tmp.name, "out.json")
        p = self.mcpi(*args, "--output", out)
        self.assertEqual(p.returncode, 2, (args, p.stderr))
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, (args, p.stderr))
        self.assertTrue(lines[0].startswith("mcpi: "), lines[0])
        self.assertIn(needle, lines[0])
        self.assertEqual(p.stdout, "")
        self.assertFalse(os.path.exists(out), args)

    def test_bad_sweep_ranges(self):
        for args, needle in [
            (["sweep", "--from", "0"], "--from"),
            (["sweep", "--from", "abc"], "--from"),
            (["sweep", "--from", "1e-3"], "--from"),
            (["sweep", "--to", "2^64"], "--to"),
            (["sweep", "--to", ""], "--to"),
            (["sweep", "--from", "1e6", "--to", "1e3"], "--to"),
            (["sweep", "--steps-per-decade", "0"], "--steps-per-decade"),
            (["sweep", "--steps-per-decade", "101"], "--steps-per-decade"),
            (["sweep", "--from"], "--from"),
            (["sweep", "--range", "0:10", "--from", "1", "--to", "10"], "--range"),
            (["sweep", "--reference", "serial,simd"], "--reference"),
            (["sweep", "--reference", "all"], "--reference"),
            (["sweep", "--reference", "cuda"], "--reference"),
        ]:
            with self.subTest(args=args):
                self.assert_bad(args, needle)

    def test_sweep_reference_row(self):
        p = self.mcpi("sweep", "--from", "1000", "--to", "1e5", "-b", "threads", "--reference",
                      "simd", "-r", "1", "-w", "0", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        sw = json.loads(p.stdout)["sweep"]
        self.assertEqual(sw["reference"], "simd")
        self.assertEqual({c["name"] for c in sw["crossovers"]}, {"threads"})
        for x in sw["points"]:
            self.assertEqual(len({r["hits"] for r in x["results"]}), 1)

    def test_sweep_points_and_crossovers(self):
        p = self.mcpi("sweep", "--from", "1000", "--to", "5e4", "-b", "threads", "-r", "1",
                      "-w", "0", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("added 'serial'", p.stderr)
        sw = json.loads(p.stdout)["sweep"]
        self.assertEqual([x["samples"] for x in sw["points"]], [1000, 10000, 50000])
        for x in sw["points"]:
            hits = {r["hits"] for r in x["results"]}
            self.assertEqual(len(hits), 1, x)  # serial and threads count the same samples
        (c,) = sw["crossovers"]
        self.assertEqual(c["name"], "threads")
        self.assertIn(c["beats_serial_from"], ["always", "crossover", "never"])
        self.assertEqual(c["crossover_samples"] is None, c["beats_serial_from"] == "never")

    def test_sweep_every_format(self):
        args = ["sweep", "--from", "1e3", "--to", "1e4", "-b", "serial", "-r", "1", "-w", "0",
                "-q"]
        p = self.mcpi(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertIn("N=1000..10000", p.stdout)
        self.assertIn("crossovers", p.stdout)
        self.assertIn("median time by N", p.stdout)
        p = self.mcpi(*args, "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(p.stdout)))
        self.assertEqual([int(r["samples"]) for r in rows], [1000, 10000])
        self.assertIn("crossover_samples", rows[0])
        p = self.mcpi(*args, "--format", "markdown")
        self.assertIn("### N = 1000", p.stdout)
        self.assertIn("### Crossovers", p.stdout)

    def test_calibrate_writes_atomically(self):
        cal = os.path.join(self.tmp.name, "sub", "cal.json")
        os.makedirs(os.path.dirname(cal))
        p = self.mcpi("calibrate", "--calibration", cal, "--format", "json", "-q")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(os.listdir(os.path.dirname(cal)), ["cal.json"])  # no temporary left
        with open(cal) as f:
            doc = json.load(f)
        self.assertEqual(doc["format"], "mcpi-calibration")
        self.assertEqual(doc["stone_samples"], 2 ** 24)
        self.assertGreater(doc["reference_samples_per_s"], 0)
        self.assertEqual(doc["reference"]["hits"], json.loads(p.stdout)["reference"]["hits"])
        for k in ["version", "hostname", "cpu_model", "date"]:
            self.assertIn(k, doc)
        # The default location, created on demand.
        p = self.mcpi("calibrate", "-q")
        self.assertEqual(p.returncode, 0, p.stderr)
        cache = self.env["MCPI_CACHE_DIR"]
        # calibrate also re-probes the --backend auto model (and probing an
        # OpenCL device caches its program); nothing else, no temporaries
        files = sorted(os.listdir(cache))
        self.assertIn("calibration.json", files)
        self.assertEqual(len([f for f in files if f.startswith("auto-") and f.endswith(".txt")]), 1)
        for f in files:
            self.assertTrue(f == "calibration.json" or f.startswith("auto-")
                            or (f.startswith("opencl-") and f.endswith(".bin")), files)
        p = self.mcpi("-n", "1000", "-b", "auto", "-r", "1", "-w", "0")
        self.assertIn("(model from the cache", p.stdout)
        p = self.mcpi("-n", "1000", "-b", "serial", "-r", "1", "-w", "0")
        self.assertIn("stones", p.stdout)

    def test_calibrate_to_unwritable_path(self):
        p = self.mcpi("calibrate", "--calibration", "/nonexistent-dir/cal.json", "-q")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--calibration", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)

    def test_bad_calibration_file_is_exit_2(self):
        bad = os.path.join(self.tmp.name, "bad.json")
        with open(bad, "w") as f:
            f.write('{"format": "something else"}\n')
        for path in [bad, os.path.join(self.tmp.name, "missing.json")]:
            with self.subTest(path=path):
                self.assert_bad(["-n", "10", "-b", "serial", "--calibration", path],
                                "--calibration")

    def test_corrupt_default_calibration_is_skipped(self):
        cache = self.env["MCPI_CACHE_DIR"]
        os.makedirs(cache)
        with open(os.path.join(cache, "calibration.json"), "w") as f:
            f.write("not json")
        p = self.mcpi("-n", "1000", "-b", "serial", "-r", "1", "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("calibration", json.loads(p.stdout))
        self.assertIn("ignored", p.stderr)


class CheckpointAndMergeBadInput(unittest.TestCase):
    """Bad flags of checkpoint/resume/merge: one line naming the flag, exit 2."""

    def test_flag_values(self):
        for args, flag in [(["--checkpoint-interval", "0"], "--checkpoint-interval"),
                           (["--checkpoint-interval", "x"], "--checkpoint-interval"),
                           (["--checkpoint", ""], "--checkpoint"),
                           (["--resume", ""], "--resume"),
                           (["merge"], "merge"),
                           (["merge", "a.json", "--cover", "0"], "--cover")]:
            p = run(*args)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertIn(flag, p.stderr)
            self.assertEqual(p.stderr.count("\n"), 1, p.stderr)

    def test_merge_of_a_non_report(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "x.json")
            with open(path, "w") as f:
                f.write("[1, 2, 3]\n")
            p = run("merge", path)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("x.json", p.stderr)
            self.assertIn("not an mcpi JSON report", p.stderr)

    def test_merge_of_one_whole_run_is_that_run(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "whole.json")
            p = run("-n", "1000000", "-s", "42", "-b", "serial", "-r", "1", "-w", "0",
                    "--format", "json", "-o", path)
            self.assertEqual(p.returncode, 0, p.stderr)
            p = run("merge", path, "--cover", "1e6", "--format", "json")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout)["results"][0]["hits"], 785856)


class WrittenFiles(unittest.TestCase):
    """Where -o and --checkpoint land (README "Output formats"): a regular
    file is replaced atomically, a symlink's target is replaced and the link
    stays, a character device or FIFO is written in place and stays what it
    is; bad paths are refused before any work (exit 2, nothing written)."""
    ARGS = ["-n", "1000", "-b", "serial", "-r", "1", "-w", "0", "-q"]

    def test_character_devices_are_written_in_place(self):
        p = run(*self.ARGS, "-o", "/dev/null")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))
        p = run(*self.ARGS, "-o", "/dev/full")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn("No space left", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/full").st_mode))

    def test_fifo_is_written_not_replaced(self):
        with tempfile.TemporaryDirectory() as d:
            fifo = os.path.join(d, "pipe")
            os.mkfifo(fifo)
            got = []

            def read_all():
                with open(fifo) as f:
                    got.append(f.read())
            # A daemon: should mcpi never open the FIFO, the test fails, not hangs.
            reader = threading.Thread(target=read_all, daemon=True)
            reader.start()
            p = run(*self.ARGS, "-f", "json", "-o", fifo)
            reader.join(60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(got[0])["results"][0]["hits"], 783)
            self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
            self.assertEqual(os.listdir(d), ["pipe"])

    def test_symlink_target_is_replaced_and_link_kept(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "real"))
            target = os.path.join(d, "real", "out.json")
            with open(target, "w") as f:
                f.write("old\n")
            link = os.path.join(d, "link.json")
            os.symlink(os.path.join("real", "out.json"), link)
            p = run(*self.ARGS, "-f", "json", "-o", link)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertTrue(os.path.islink(link))
            with open(target) as f:
                self.assertEqual(json.load(f)["results"][0]["hits"], 783)
            self.assertEqual(sorted(os.listdir(os.path.join(d, "real"))), ["out.json"])

    def test_paths_refused_before_work(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.json")
            ck = os.path.join(d, "ck.json")
            cases = [
                (["-o", d], "is a directory"),
                (["--checkpoint", os.path.join(d, "no", "ck.json"), "-o", out], "--checkpoint"),
                (["--checkpoint", ck, "-o", ck], "the report would replace the checkpoint"),
                (["--checkpoint", ck, "-o", os.path.join(d, ".", "ck.json")],
                 "the report would replace the checkpoint"),
            ]
            for extra, needle in cases:
                with self.subTest(extra=extra):
                    p = run(*self.ARGS, *extra)
                    self.assertEqual(p.returncode, 2, p.stderr)
                    self.assertIn(needle, p.stderr)
                    self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                    self.assertEqual(os.listdir(d), [])
            with open(ck, "w") as f:
                f.write("{}")
            p = run(*self.ARGS, "--resume", ck, "-o", ck)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("--resume", p.stderr)
            with open(ck) as f:
                self.assertEqual(f.read(), "{}")

    def test_file_size_limit_is_exit_4_without_leftovers(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "big.json")
            limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))
            p = run("-n", "1000", "-b", "serial,simd,threads", "-r", "20", "-w", "0", "-q",
                    "-f", "json", "-o", out, preexec_fn=limit)
            self.assertEqual(p.returncode, 4, p.stderr)
            self.assertIn("File too large", p.stderr)
            self.assertEqual(os.listdir(d), [])


class Environment(unittest.TestCase):
    ARGS = ["-n", "1000", "-r", "1", "-w", "0", "-q"]

    def test_isa_flag_beats_the_environment(self):
        p = run(*self.ARGS, "-b", "simd", "--isa", "sse2", "-f", "json",
                env={"MCPI_ISA": "garbage"})
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("sse2", json.loads(p.stdout)["results"][0]["device"])

    def test_bad_isa_in_the_environment_is_bad_input(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.json")
            p = run(*self.ARGS, "-b", "simd", "-o", out, env={"MCPI_ISA": "garbage"})
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("MCPI_ISA=garbage", p.stderr)
            self.assertNotIn("mcpi: mcpi:", p.stderr)
            self.assertEqual(os.listdir(d), [])

    def test_no_doubled_prefix_when_a_backend_is_missing(self):
        p = run(*self.ARGS, "-b", "opencl", env={"OCL_ICD_VENDORS": "/nonexistent"})
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertNotIn("mcpi: mcpi:", p.stderr)
        self.assertNotIn(": mcpi:", p.stderr)

    @unittest.skipUnless(HAVE_MPI, "built without MPI")
    def test_mcpi_mpi_takes_0_or_1(self):
        p = run(*self.ARGS, "-b", "serial", env={"MCPI_MPI": "yes"})
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("MCPI_MPI=yes", p.stderr)
        p = run(*self.ARGS, "-b", "serial", env={"MCPI_MPI": "0"})
        self.assertEqual(p.returncode, 0, p.stderr)

    @unittest.skipUnless(HAVE_OPENCL, "built without OpenCL")
    def test_work_group_above_the_device_maximum_writes_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.json")
            p = run(*self.ARGS, "-b", "opencl", "--work-group", "1000000", "-o", out)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("--work-group", p.stderr)
            self.assertEqual(os.listdir(d), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)

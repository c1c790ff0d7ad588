#!/usr/bin/env python3
"""End-to-end tests of the mcpi command line (run by CTest with /usr/bin/python3).

The binary is $MCPI_BIN.  Nothing here depends on timing: only on exact hit
counts, exit codes, messages and the shape of each output format.
"""
import csv
import io
import json
import os
import subprocess
import tempfile
import unittest

MCPI = os.environ.get("MCPI_BIN", "build/mcpi")
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"


def run(*args, timeout=120):
    return subprocess.run([MCPI, *args], capture_output=True, text=True, timeout=timeout)


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


class Misc(unittest.TestCase):
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


if __name__ == "__main__":
    unittest.main(verbosity=2)

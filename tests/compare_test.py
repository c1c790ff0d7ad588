#!/usr/bin/env python3
"""mcpi compare end to end.  Run by CTest (tests/compare.cmake) with MCPI_BIN
and MCPI_SCHEMA.

Real runs of the real binary, written with -f json -o.  The one timing
claim is made only where the difference is large by construction: the simd
row with --isa portable (one 32-bit lane) against the widest ISA this CPU has
(4 to 16 lanes; 2.5 to 15 times faster on the machines we know), nine
repeats a side so the rank test can decide.  A CPU whose widest ISA is
portable skips those tests.  "Not significant" is checked on identical data
only (a file against itself), never by running twice and hoping."""
import csv
import io
import json
import os
import shutil
import subprocess
import tempfile
import unittest

MCPI = os.environ["MCPI_BIN"]
SCHEMA = os.environ.get("MCPI_SCHEMA", "")
ENV = {k: v for k, v in os.environ.items() if k != "MCPI_ISA"}
N = "1e7"
REPEATS = ["-r", "9", "-w", "1"]


def run(*args, timeout=300):
    return subprocess.run([MCPI, *args], capture_output=True, text=True, timeout=timeout, env=ENV)


def write_run(path, *args):
    p = run(*args, "-q", "-f", "json", "-o", path)
    assert p.returncode == 0, (args, p.returncode, p.stderr)
    return path


def compare_json(*args):
    p = run("compare", *args, "-f", "json", "-q")
    return p, (json.loads(p.stdout) if p.stdout else None)


def the_row(doc, name, block=0):
    rows = [r for r in doc["compare"]["runs"][block]["rows"] if r["name"] == name]
    assert len(rows) == 1, rows
    return rows[0]


def widest_isa():
    doc = json.loads(run("devices", "-f", "json").stdout)
    simd = [b for b in doc["backends"] if b["name"] == "simd"][0]
    return simd["devices"][0]["isa"] if simd["available"] else "portable"


def validator():
    import jsonschema  # Debian python3-jsonschema (scripts/deps test)
    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class Files(unittest.TestCase):
    """Real reports shared by the tests: a fast and a slow simd run, and
    small quick ones."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name
        cls.isa = widest_isa()
        if cls.isa != "portable":
            cls.fast = write_run(cls.path("fast.json"), "-b", "simd", "-n", N, *REPEATS)
            cls.slow = write_run(cls.path("slow.json"), "-b", "simd", "--isa", "portable", "-n", N,
                                 *REPEATS)
        cls.quick = write_run(cls.path("quick.json"), "-b", "serial,simd", "-n", "200000", "-r",
                              "5", "-w", "0")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def path(cls, name):
        return os.path.join(cls.dir, name)

    def needs_speed(self):
        if self.isa == "portable":
            self.skipTest("this CPU's widest SIMD ISA is portable: no slower configuration")


class Speed(Files):
    def test_faster_with_uncertainty_and_a_verdict(self):
        self.needs_speed()
        p, doc = compare_json(self.slow, self.fast)
        self.assertEqual(p.returncode, 0, p.stderr)
        row = the_row(doc, "simd")
        self.assertEqual(row["presence"], "both")
        self.assertEqual(row["direction"], "faster")
        self.assertEqual(row["verdict"], "significant")
        self.assertGreater(row["factor"], 1.5)
        self.assertLess(row["ratio"], 1 / 1.5)
        self.assertGreater(row["ratio_u"], 0)
        # The definitions, from the repeats the document carries.
        a, b = row["baseline"], row["run"]
        self.assertAlmostEqual(row["ratio"], b["median_s"] / a["median_s"], delta=1e-12)
        rel = ((a["spread_s"] / a["median_s"]) ** 2 + (b["spread_s"] / b["median_s"]) ** 2) ** 0.5
        self.assertAlmostEqual(row["ratio_u"], row["ratio"] * rel, delta=1e-12)
        self.assertAlmostEqual(row["factor"], 1 / row["ratio"], delta=1e-9)
        self.assertEqual(len(a["repeats_s"]), 9)
        t = row["u_test"]
        self.assertEqual((t["n_baseline"], t["n_run"], t["method"]), (9, 9, "exact"))
        self.assertLess(t["p"], 0.05)
        self.assertFalse(row["wrong_hits"])
        self.assertEqual(a["hits"], b["hits"])  # one stream, whatever the ISA
        self.assertIsNone(doc["compare"]["gate"])

        p = run("compare", self.slow, self.fast, "-q")
        self.assertEqual(p.returncode, 0, p.stderr)
        line = [ln for ln in p.stdout.splitlines() if ln.startswith("simd ")][0]
        self.assertRegex(line, r"\d+\.\d\d ± \d+\.\d\d times faster")
        self.assertIn("significant", line)
        self.assertNotIn("not significant", line)

    def test_the_other_way_is_slower(self):
        self.needs_speed()
        p, doc = compare_json(self.fast, self.slow)
        self.assertEqual(p.returncode, 0, p.stderr)
        row = the_row(doc, "simd")
        self.assertEqual(row["direction"], "slower")
        self.assertEqual(row["verdict"], "significant")
        self.assertGreater(row["ratio"], 1.5)

    def test_fail_if_slower_gates(self):
        self.needs_speed()
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "gate.json")
            p = run("compare", self.fast, self.slow, "--fail-if-slower", "10", "-f", "json", "-o",
                    out, "-q")
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertIn("--fail-if-slower 10", p.stderr)
            self.assertIn("'simd'", p.stderr)
            with open(out) as f:  # the report is written all the same
                doc = json.load(f)
            self.assertTrue(doc["compare"]["gate"]["failed"])
            self.assertEqual(doc["compare"]["gate"]["rows"], 1)
            row = the_row(doc, "simd")
            self.assertTrue(row["slower_than_gate"])
            self.assertGreater(row["ratio"] - row["ratio_u"], 1.1)
        p = run("compare", self.slow, self.fast, "--fail-if-slower", "10")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("--fail-if-slower 10%: passed", p.stdout)
        self.assertNotIn("--fail-if-slower", p.stderr)

    def test_many_runs_each_against_the_baseline(self):
        self.needs_speed()
        p, doc = compare_json(self.fast, self.slow, self.fast, self.quick)
        self.assertEqual(p.returncode, 0, p.stderr)
        runs = doc["compare"]["runs"]
        self.assertEqual([r["file"] for r in runs], [self.slow, self.fast, self.quick])
        self.assertEqual(the_row(doc, "simd", 0)["direction"], "slower")
        self.assertTrue(the_row(doc, "simd", 1)["same_measurements"])
        quick = the_row(doc, "simd", 2)
        self.assertTrue(quick["per_sample"])  # N differs: time per sample
        self.assertIn("compared per sample", " ".join(quick["notes"]))
        serial = the_row(doc, "serial", 2)
        self.assertEqual(serial["presence"], "run_only")
        self.assertIsNone(serial["baseline"])
        self.assertIsNone(serial["ratio"])
        p = run("compare", self.fast, self.slow, self.quick, "-q")
        self.assertEqual(p.stdout.count(") against the baseline " + self.fast + " ("), 2)
        self.assertIn("only in this run", p.stdout)


class SameData(Files):
    def test_a_file_against_itself(self):
        p, doc = compare_json(self.quick, self.quick, "--fail-if-slower", "0")
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("serial", "simd"):
            row = the_row(doc, name)
            self.assertEqual(row["ratio"], 1)
            self.assertEqual(row["ratio_u"], 0)
            self.assertEqual(row["direction"], "same")
            self.assertEqual(row["u_test"]["p"], 1)
            self.assertEqual(row["verdict"], "not significant")
            self.assertTrue(row["same_measurements"])
            self.assertFalse(row["slower_than_gate"])
        p = run("compare", self.quick, self.quick)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1.000 ± 0.000", p.stdout)
        self.assertIn("not significant", p.stdout)
        self.assertEqual(p.stderr, "")


class Formats(Files):
    def test_json_validates_against_the_schema(self):
        v = validator()
        docs = [compare_json(self.quick, self.quick)[1]]
        other = write_run(self.path("other.json"), "-b", "simd,threads", "-n", "300000", "-r", "3",
                          "-w", "0")
        docs.append(compare_json(self.quick, other, self.quick, "--fail-if-slower", "5")[1])
        if self.isa != "portable":
            docs.append(compare_json(self.fast, self.slow, "--fail-if-slower", "10")[1])
        for doc in docs:
            errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
            self.assertEqual([], [f"{list(e.path)}: {e.message}" for e in errors[:5]])
        # ... and the schema tells a comparison from the other documents.
        with open(self.quick) as f:
            self.assertTrue(v.is_valid(json.load(f)))
        broken = json.loads(json.dumps(docs[0]))
        broken["compare"]["runs"][0]["rows"][0]["verdict"] = "maybe"
        self.assertFalse(v.is_valid(broken))

    def test_csv_parses_back(self):
        p = run("compare", self.quick, self.quick, "-f", "csv")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.DictReader(io.StringIO(p.stdout, newline="")))
        self.assertEqual({r["row"] for r in rows}, {"serial", "simd"})
        for r in rows:
            self.assertEqual(r["baseline"], self.quick)
            self.assertEqual(r["file"], self.quick)
            self.assertEqual(float(r["ratio"]), 1.0)
            self.assertEqual(float(r["ratio_u"]), 0.0)
            self.assertEqual(r["verdict"], "not significant")
            self.assertEqual(r["method"], "normal")  # every value ties with its twin
            self.assertEqual(int(r["repeats"]), 5)

    def test_markdown_is_a_table(self):
        p = run("compare", self.quick, self.quick, "-f", "markdown")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = [ln for ln in p.stdout.splitlines() if ln.startswith("|")]
        self.assertEqual(len(lines), 2 + 2, p.stdout)  # titles, alignment, two rows
        widths = {ln.count(" |") for ln in lines[:1] + lines[2:]}
        self.assertEqual(len(widths), 1, lines)
        self.assertRegex(lines[1], r"^\|(:?-+:?\|)+$")
        self.assertIn("| row | baseline (min-max) |", lines[0])

    def test_output_file(self):
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "cmp.md")
            p = run("compare", self.quick, self.quick, "-f", "markdown", "-o", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stdout, "")
            with open(out) as f:
                self.assertEqual(f.read(), run("compare", self.quick, self.quick, "-f",
                                               "markdown").stdout)


class Verdicts(Files):
    def test_too_few_repeats_warns_once(self):
        a = write_run(self.path("few-a.json"), "-b", "serial,simd", "-n", "100000", "-r", "3",
                      "-w", "0")
        b = write_run(self.path("few-b.json"), "-b", "serial,simd", "-n", "100000", "-r", "3",
                      "-w", "0")
        p = run("compare", a, b, "--fail-if-slower", "10")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertIn("too few repeats to tell on 2 rows", p.stderr)
        self.assertIn("use -r 4 or more", p.stderr)
        self.assertIn("--fail-if-slower cannot trip", p.stderr)
        self.assertIn("too few repeats", p.stdout)
        _, doc = compare_json(a, b)
        self.assertEqual(doc["compare"]["too_few_repeats"], 2)
        self.assertEqual(doc["compare"]["min_repeats"], 4)
        for name in ("serial", "simd"):
            row = the_row(doc, name)
            self.assertEqual(row["verdict"], "too few repeats")
            self.assertAlmostEqual(row["u_test"]["min_p"], 0.1, delta=1e-12)
        self.assertEqual(run("compare", a, b, "-q").stderr, "")
        # A stricter alpha needs more: 5 repeats for 0.01.
        p = run("compare", a, b, "--alpha", "0.01")
        self.assertIn("use -r 5 or more", p.stderr)

    def test_a_wrong_number_fails_loudly(self):
        with open(self.quick) as f:
            doc = json.load(f)
        simd = [r for r in doc["results"] if r["name"] == "simd"][0]
        simd["hits"] += 1
        bad = self.path("miscounted.json")
        with open(bad, "w") as f:  # its checksum no longer matches: refused
            json.dump(doc, f)
        p = run("compare", self.quick, bad)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("checksum", p.stderr)
        doc.pop("checksum")  # as an mcpi before the checksums wrote it
        with open(bad, "w") as f:
            json.dump(doc, f)
        p = run("compare", self.quick, bad)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("WRONG NUMBER", p.stderr)
        self.assertIn("'simd'", p.stderr)
        self.assertEqual(p.stderr.count("WRONG NUMBER"), 1, p.stderr)  # serial is right
        self.assertIn("WRONG NUMBER", p.stdout)
        _, out = compare_json(self.quick, bad)
        self.assertTrue(the_row(out, "simd")["wrong_hits"])
        self.assertFalse(the_row(out, "serial")["wrong_hits"])
        self.assertEqual(out["compare"]["wrong_hits"], 1)

    def test_other_seed_or_range_is_no_wrong_number(self):
        s1 = write_run(self.path("seed1.json"), "-b", "serial", "-n", "200000", "-s", "1", "-r",
                       "2", "-w", "0")
        part = write_run(self.path("part.json"), "-b", "serial", "--range", "0:100000", "-r", "2",
                         "-w", "0")
        p, doc = compare_json(self.quick, s1, part)
        self.assertEqual(p.returncode, 0, p.stderr)
        row = the_row(doc, "serial", 0)
        self.assertIn("seed 1 here, 0 in the baseline", " ".join(row["notes"]))
        self.assertFalse(row["wrong_hits"])
        self.assertTrue(the_row(doc, "serial", 1)["per_sample"])

    def test_a_merge_report_compares_with_the_whole_run(self):
        parts = [write_run(self.path(f"p{k}.json"), "-b", "serial", "--range", rng, "-r", "2",
                           "-w", "0") for k, rng in enumerate(["0:120000", "120000:200000"])]
        merged = self.path("merged.json")
        p = run("merge", *parts, "-f", "json", "-o", merged)
        self.assertEqual(p.returncode, 0, p.stderr)
        p, doc = compare_json(self.quick, merged)
        self.assertEqual(p.returncode, 0, p.stderr)  # the same hits over [0, 200000)
        row = the_row(doc, "serial")
        self.assertFalse(row["wrong_hits"])
        self.assertEqual(row["baseline"]["hits"], row["run"]["hits"])
        self.assertEqual(row["verdict"], "too few repeats")  # a merged row has one time


class Refusals(Files):
    """Each bad input: exit 2, one line naming the file, no output file."""

    def test_refusals(self):
        sweep = self.path("sweep.json")
        p = run("sweep", "--from", "1e3", "--to", "1e4", "-b", "serial", "-r", "1", "-w", "0",
                "-q", "-f", "json", "-o", sweep)
        self.assertEqual(p.returncode, 0, p.stderr)
        scale = self.path("scale.json")
        p = run("scale", "--threads", "1,2", "-n", "100000", "-r", "1", "-w", "0", "-q", "-f",
                "json", "-o", scale)
        self.assertEqual(p.returncode, 0, p.stderr)
        garbage = self.path("garbage.json")
        with open(garbage, "w") as f:
            f.write("this is not json\n")
        empty = self.path("empty.json")
        with open(empty, "w") as f:
            json.dump({"version": "0.1.0", "config": {"seed": 0}, "results": []}, f)
        comparison = self.path("comparison.json")
        with open(comparison, "w") as f:
            f.write(run("compare", self.quick, self.quick, "-f", "json").stdout)
        missing = self.path("missing.json")
        cases = [
            ([self.quick], "expected two or more JSON result files"),
            ([], "expected two or more JSON result files"),
            ([self.quick, missing], "missing.json: cannot read"),
            ([missing, self.quick], "missing.json: cannot read"),
            ([self.quick, sweep], "sweep.json: a sweep (mcpi sweep), not an mcpi JSON run report"),
            ([self.quick, scale], "scale.json: a scaling study (mcpi scale)"),
            ([self.quick, comparison], "comparison.json: a comparison (mcpi compare)"),
            ([self.quick, garbage], "garbage.json: not valid JSON"),
            ([self.quick, empty], "empty.json: has no result rows"),
            ([self.quick, self.dir], "not a regular file"),
            ([self.quick, self.quick, "--alpha", "0"], "--alpha: invalid value '0'"),
            ([self.quick, self.quick, "--alpha", "0.6"], "--alpha: invalid value '0.6'"),
            ([self.quick, self.quick, "--fail-if-slower", "-5"], "--fail-if-slower"),
            ([self.quick, self.quick, "--fail-if-slower", "1e1"], "--fail-if-slower"),
            ([self.quick, self.quick, "--fail-if-slower", "ten"], "--fail-if-slower"),
        ]
        with tempfile.TemporaryDirectory() as d:
            out = os.path.join(d, "out.json")
            for args, want in cases:
                with self.subTest(args=args):
                    p = run("compare", *args, "-o", out)
                    self.assertEqual(p.returncode, 2, (p.stdout, p.stderr))
                    self.assertIn(want, p.stderr)
                    self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                    self.assertFalse(os.path.exists(out))
                    self.assertEqual(p.stdout, "")

    def test_output_may_not_replace_an_input(self):
        copy = self.path("copy.json")
        shutil.copy(self.quick, copy)
        with open(copy) as f:
            before = f.read()
        p = run("compare", self.quick, copy, "-o", copy)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("is also an input", p.stderr)
        with open(copy) as f:
            self.assertEqual(f.read(), before)

    def test_compare_options_elsewhere(self):
        for args, flag in [(["--fail-if-slower", "10"], "--fail-if-slower"),
                           (["merge", self.quick, "--alpha", "0.1"], "--alpha")]:
            p = run(*args)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn(flag + ": accepted by mcpi compare only", p.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)

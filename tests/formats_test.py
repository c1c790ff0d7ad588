#!/usr/bin/env python3
"""Every format of every subcommand, parsed back by a real parser: JSON by
json (and validated against the schema), CSV by the csv module (one header,
every record as wide as it), Markdown by its table grammar (a header row,
a delimiter row, rows of as many cells), the table as aligned text.

Run by CTest (tests/formats.cmake) with MCPI_BIN, MCPI_SCHEMA and the test
environment (a private MCPI_CACHE_DIR: calibrate writes only there)."""
import csv
import io
import json
import os
import re
import subprocess
import tempfile
import unittest

import jsonschema

MCPI = os.environ["MCPI_BIN"]
SCHEMA = os.environ["MCPI_SCHEMA"]
FORMATS = ("table", "csv", "json", "markdown")


def mcpi(*args):
    p = subprocess.run([MCPI, *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, (args, p.stderr)
    return p.stdout


def markdown_tables(text):
    """The pipe tables of a Markdown text: lists of rows of cells."""
    tables, cur = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cur.append([c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif cur:
            tables.append(cur)
            cur = []
    return tables


class Formats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(dir=os.environ.get("MCPI_TEST_TMP"))
        d = cls.tmp.name
        with open(SCHEMA) as f:
            schema = json.load(f)
        cls.validator = jsonschema.validators.validator_for(schema)(schema)
        run = ["-n", "200000", "-b", "serial,simd", "-r", "4", "-w", "0"]
        cls.parts = []
        for k, (b, e) in enumerate([(0, 100000), (100000, 300000)]):
            path = os.path.join(d, f"part{k}.json")
            mcpi("--range", f"{b}:{e}", "-b", "serial", "-r", "1", "-w", "0", "-f", "json",
                 "-o", path, "-q")
            cls.parts.append(path)
        cls.runs = []
        for k in range(2):
            path = os.path.join(d, f"run{k}.json")
            mcpi(*run, "-f", "json", "-o", path, "-q")
            cls.runs.append(path)
        cls.cal = os.path.join(d, "cal.json")
        cls.commands = {
            "run": run,
            "devices": ["devices"],
            "sweep": ["sweep", "--from", "1e3", "--to", "1e4", "-b", "serial,simd", "-r", "1",
                      "-w", "0"],
            "scale": ["scale", "--threads", "1,2", "-n", "1e6", "-r", "1", "-w", "0"],
            "calibrate": ["calibrate", "--calibration", cls.cal],
            "merge": ["merge", *cls.parts],
            "compare": ["compare", *cls.runs],
        }

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def check_json(self, name, text):
        doc = json.loads(text)
        if name == "calibrate":  # its own format; the schema's calibration document
            self.assertEqual(doc["format"], "mcpi-calibration")
        errors = [f"{list(e.path)}: {e.message}" for e in self.validator.iter_errors(doc)]
        if name != "devices":  # devices has no schema document: its keys are checked below
            self.assertEqual(errors, [], name)
        else:
            self.assertTrue(all(b["name"] for b in doc["backends"]))

    def check_csv(self, name, text):
        records = list(csv.reader(io.StringIO(text)))
        self.assertGreaterEqual(len(records), 2, (name, text))
        header = records[0]
        self.assertEqual(len(set(header)), len(header), (name, header))  # no column twice
        self.assertTrue(all(h and h == h.strip() for h in header), header)
        for r in records[1:]:
            self.assertEqual(len(r), len(header), (name, r))

    def check_markdown(self, name, text):
        if name == "calibrate":  # a heading and a list: one machine, no table
            lines = text.splitlines()
            self.assertTrue(lines[0].startswith("## "), text)
            self.assertTrue(all(ln.startswith("- ") for ln in lines[2:] if ln), text)
            return
        tables = markdown_tables(text)
        self.assertGreaterEqual(len(tables), 1, (name, text))
        for t in tables:
            self.assertGreaterEqual(len(t), 3, (name, t))  # header, delimiter, a row
            self.assertTrue(all(re.fullmatch(r":?-+:?", c) for c in t[1]), (name, t[1]))
            for row in t:
                self.assertEqual(len(row), len(t[0]), (name, row))

    def check_table(self, name, text):
        lines = text.splitlines()
        self.assertTrue(lines and lines[0].strip(), name)
        self.assertNotIn("\t", text)
        rules = [i for i, ln in enumerate(lines) if ln and set(ln) == {"-"}]
        for i in rules:  # a rule is as wide as its header line
            self.assertGreater(i, 0)
            self.assertLessEqual(len(lines[i - 1].rstrip()), len(lines[i]), (name, lines[i - 1]))

    def test_every_format_of_every_subcommand(self):
        for name, args in self.commands.items():
            for fmt in FORMATS:
                with self.subTest(command=name, format=fmt):
                    text = mcpi(*args, "--format", fmt, "-q")
                    getattr(self, f"check_{fmt}")(name, text)

    def test_devices_csv_is_csv(self):
        rows = list(csv.DictReader(io.StringIO(mcpi("devices", "--format", "csv"))))
        names = [r["backend"] for r in rows]
        for b in ("serial", "simd", "threads", "naive", "opencl"):
            self.assertIn(b, names)
        self.assertTrue(all(r["available"] in ("true", "false") for r in rows))


if __name__ == "__main__":
    unittest.main(verbosity=2)

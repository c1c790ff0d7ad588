#!/usr/bin/env python3
"""The man page (docs/mcpi.1) against the real `mcpi --help`.

Fails when a command, a flag (long, or a short/long pair) or an exit code of
--help is missing from the page, when the page names a flag --help does not
have, when a variable mcpi reads is missing from ENVIRONMENT, when the page's
version is not the binary's, or when `man -l` renders it with a warning.

Environment: MCPI_BIN (the binary), MCPI_MAN_PAGE (the page), MCPI_SOURCE_DIR
(the sources, for the variables mcpi reads).  Standard library only.
"""
import glob
import os
import re
import shutil
import subprocess
import unittest

MCPI = os.environ.get("MCPI_BIN", "build/mcpi")
SOURCE = os.environ.get("MCPI_SOURCE_DIR",
                        os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
PAGE = os.environ.get("MCPI_MAN_PAGE", os.path.join(SOURCE, "docs", "mcpi.1"))

LONG = re.compile(r"(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)")
PAIR = re.compile(r"(?<![\w-])-([A-Za-z]), --([a-z][a-z0-9-]*)")
SHORT = re.compile(r"(?<![\w-])-([A-Za-z])(?![\w-])")
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS",
            "ENVIRONMENT", "FILES", "EXAMPLES"]


def mcpi(*args):
    p = subprocess.run([MCPI, *args], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, (args, p.returncode, p.stderr)
    return p.stdout


def roff_lines():
    """The page's source lines without comments, escapes turned to text."""
    with open(PAGE, encoding="utf-8") as f:
        src = f.read()
    out = []
    for line in src.splitlines():
        if line.startswith(('.\\"', "'\\\"")):
            continue
        line = re.sub(r"\\f(\[[^]]*\]|\(..|.)", "", line)  # font changes
        line = line.replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
        line = re.sub(r"\\\(em|\\\(en", "-", line)
        out.append(line)
    return out


def sections(lines):
    """{section name: [lines]} from .SH lines."""
    found, name = {}, None
    for line in lines:
        m = re.match(r'\.SH\s+"?([^"]*)"?\s*$', line)
        if m:
            name = m.group(1).strip()
            found[name] = []
        elif name is not None:
            found[name].append(line)
    return found


def tags(lines):
    """The first word of each .TP tag line (.B X, .I X, or plain text)."""
    result = []
    for i, line in enumerate(lines[:-1]):
        if line.strip() == ".TP":
            tag = re.sub(r"^\.(B|I|BR|IR|RB|BI|IB)\s+", "", lines[i + 1]).strip()
            result.append(tag.split()[0].strip('"') if tag else "")
    return result


def help_commands(text):
    """Commands named on the usage lines ("mcpi [run]", "mcpi devices", ...)."""
    usage = text[:text.index("\nOptions:")]
    return set(re.findall(r"^\s*(?:usage:\s*)?mcpi \[?([a-z]+)\]?", usage, re.M))


def help_exit_codes(text):
    para = text[text.index("Exit codes:"):]
    para = " ".join(para.split("\n\n")[0].split())
    return set(re.findall(r"(?:: |; )(\d+(?:\+S)?) ", para))


class ManPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.help = mcpi("--help")
        cls.lines = roff_lines()
        cls.text = "\n".join(cls.lines)
        cls.sections = sections(cls.lines)

    def test_has_the_sections(self):
        missing = [s for s in SECTIONS if s not in self.sections]
        self.assertEqual(missing, [], "docs/mcpi.1 lacks sections")

    def test_commands_match_help(self):
        want = help_commands(self.help)
        self.assertIn("run", want)
        have = set(tags(self.sections["COMMANDS"]))
        self.assertEqual(sorted(want - have), [], "commands of --help missing from COMMANDS")
        self.assertEqual(sorted(have - want), [], "COMMANDS names commands --help does not have")
        synopsis = "\n".join(self.sections["SYNOPSIS"])
        for cmd in want - {"run"}:
            self.assertRegex(synopsis, r"\.B mcpi " + cmd + r"\b", "SYNOPSIS lacks " + cmd)

    def test_long_flags_match_help(self):
        want = set(LONG.findall(self.help))
        have = set(LONG.findall(self.text))
        self.assertEqual(sorted(want - have), [], "flags of --help missing from the man page")
        self.assertEqual(sorted(have - want), [], "the man page names flags --help does not have")
        options = set(LONG.findall("\n".join(self.sections["OPTIONS"])))
        self.assertEqual(sorted(want - options), [], "flags of --help missing from OPTIONS")

    def test_short_flags_match_help(self):
        want = set(PAIR.findall(self.help))
        options = "\n".join(self.sections["OPTIONS"])
        # ".BR \-n ", " \-\-samples" renders as "-n, --samples"
        have = set(re.findall(r'^\.BR -([A-Za-z]) ", " --([a-z][a-z0-9-]*)', options, re.M))
        self.assertEqual(sorted(want - have), [], "short flags of --help missing from OPTIONS")
        self.assertEqual(sorted(have - want), [], "OPTIONS pairs flags --help does not")
        known = set(SHORT.findall(self.help)) | {s for s, _ in want}
        used = set(SHORT.findall(self.text))
        self.assertEqual(sorted(used - known), [], "the man page uses short flags mcpi lacks")

    def test_exit_codes_match_help(self):
        want = help_exit_codes(self.help)
        self.assertTrue({"0", "1", "2", "128+S"} <= want, want)
        have = set(tags(self.sections["EXIT STATUS"]))
        self.assertEqual(have, want, "EXIT STATUS differs from --help's exit codes")

    def test_environment_lists_every_variable_mcpi_reads(self):
        have = set(tags(self.sections["ENVIRONMENT"]))
        named = set(re.findall(r"\b((?:MCPI|XDG)_[A-Z0-9_]+)\b", self.help))
        read = set()
        paths = [p for d in ("host", "mpi", "profiling", "kernels")
                 for p in glob.glob(os.path.join(SOURCE, d, "**", "*.c"), recursive=True)]
        for path in paths:
            if os.path.basename(path) == "fault.c":  # test hooks: not for users
                continue
            with open(path, encoding="utf-8") as f:
                read |= set(re.findall(r'(?:getenv|env_nonempty)\("([A-Z][A-Z0-9_]*)"\)',
                                       f.read()))
        self.assertTrue({"MCPI_ISA", "MCPI_MPI", "MCPI_CACHE_DIR"} <= read, read)
        self.assertEqual(sorted((named | read) - have), [], "ENVIRONMENT lacks variables")

    def test_version_is_the_binarys(self):
        th = next(line for line in self.lines if line.startswith(".TH "))
        self.assertIn('"' + mcpi("--version").strip() + '"', th)

    @unittest.skipUnless(shutil.which("man"), "man-db is not installed (scripts/deps test)")
    def test_renders_without_warnings(self):
        env = dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat", LC_ALL="C.UTF-8")
        p = subprocess.run(["man", "-l", "--warnings", PAGE], capture_output=True, text=True,
                           env=env, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "", "man -l --warnings")
        self.assertIn("EXIT STATUS", p.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)

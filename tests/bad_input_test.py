#!/usr/bin/env python3
"""The bad-input table: every refusal of the real mcpi binary, one row each.

README "Exit codes" and DESIGN section 6: bad input is exit 2 with one line on stderr
that names the flag, variable or file and the accepted form, and nothing written;
a well-formed request for something missing is exit 3 with one line; never a crash
or a hang.  Each case below is a process start, and every case asserts:

  * the exact exit code, and that no signal ended the process;
  * that it ended within TIMEOUT_S (a FIFO with no writer must not block a read);
  * stderr is exactly one line, starting with "mcpi: " and holding it once (no
    "mcpi: mcpi:"), and it contains the case's needles (the flag, variable or
    file, and what is accepted);
  * stdout is empty;
  * the -o file does not exist afterwards, and the case's folder is exactly as
    prepared: no file created, changed or left behind (no "*.tmp.*").

Every case gets "-o <its folder>/out.json" put in front of its arguments
(in front, not behind, so that a flag missing its value stays the last word;
the parser takes options before the command word), unless the case is about
-o itself.  Cases about a variable whose odd value is not an error by design
(ok=True) assert that behaviour instead: exit 0, a complete report at -o, the
prepared files untouched.  Cases marked bug=... record a known defect outside
this test's reach (see the reason): they run, their failure is reported as
expected, and a pass is reported so that the marker can go.

The binary is $MCPI_BIN; the test needs Python's standard library only.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

MCPI = os.environ.get("MCPI_BIN", "build/mcpi")
HAVE_OPENCL = os.environ.get("MCPI_HAVE_OPENCL", "0") == "1"
HAVE_MPI = os.environ.get("MCPI_HAVE_MPI", "0") == "1"
TIMEOUT_S = 20

# Small, quick run settings put before a case's own flags (a later value of
# the same flag wins), so that a case the parser wrongly let through counts
# 1000 samples on one core instead of the default 1e8 on every backend.
RUN = ["-n", "1000", "-b", "serial", "-r", "1", "-w", "0"]
SWEEP = ["sweep", "--from", "10", "--to", "100", "-b", "serial", "-r", "1", "-w", "0"]
SCALE = ["scale", "-n", "1000", "-b", "threads", "-r", "1", "-w", "0"]

COUNT_FORM = "an integer from 1 to 2^64-1"
SEED_FORM = "a 64-bit unsigned integer, decimal or 0x hexadecimal"
ISA_FORM = "one of avx512, avx2, sse2, portable"
ISA_NAMES = "avx512, avx2, sse2, portable"  # as the variable's line lists them
THREADS_FORM = "an integer from 1 to 1024"
OCL_VECTOR_FORM = "one of auto, 1 (the scalar kernel path), 4, 8, 16 (vector lanes)"

# What a prepared file is: text, or one of these.
FIFO = "<fifo>"
DIR = "<dir>"
RO_DIR = "<read-only dir>"


class F:
    """A prepared file made from a fixture (a real checkpoint, report, ...),
    whole, cut to its first `cut` bytes, or with one digit of the first
    `flip` key's value changed."""

    def __init__(self, name, cut=None, flip=None):
        self.name, self.cut, self.flip = name, cut, flip

    def text(self, fixtures):
        t = fixtures[self.name]
        if self.cut is not None:
            t = t[:self.cut]
        if self.flip is not None:
            i = t.index(self.flip) + len(self.flip)
            while not t[i].isdigit():
                i += 1
            t = t[:i] + ("1" if t[i] != "1" else "2") + t[i + 1:]
        return t


class Case:
    def __init__(self, name, args, needles=(), code=2, env=None, files=None, out=True,
                 needs=(), bug=None, ok=False, stderr=None):
        self.name = name
        self.args = list(args)
        self.needles = list(needles)
        self.code = code
        self.env = env or {}
        self.files = files or {}
        self.out = out          # put "-o {d}/out.json" in front
        self.needs = needs      # "opencl", "mpi", "procfs", "unwritable-dir"
        self.bug = bug          # a known defect: the reason, and where
        self.ok = ok            # not an error by design: exit 0, report written
        self.stderr = stderr    # ok cases: stderr must equal this (None: not checked)

    def __repr__(self):
        return self.name


def bad(name, args, *needles, **kw):
    return Case(name, args, needles, **kw)


def missing(flag, printed, form, pre=RUN):
    """A flag given as the last word, without its value."""
    return Case("missing value: " + flag, [*pre, flag], [printed, "missing value", form])


def invalid(name, flag, value, printed, form, pre=RUN, **kw):
    """The parser's refusal of one value: the flag, the value quoted, the form."""
    return Case(name, [*pre, flag, value], [printed, "invalid value '%s'" % value, form], **kw)


def novalue(flag, printed, pre=RUN):
    """A flag that takes no value given one."""
    return Case("no value: " + flag, [*pre, flag], [printed, "takes no value"])


CKPT_ROW = "{d}/ck.txt"

CASES = [
    # ---- values, option by option of host/cli/options.c's table ------------------
    missing("-n", "-n/--samples", COUNT_FORM, pre=[]),
    invalid("-n 0", "-n", "0", "-n/--samples", COUNT_FORM),
    invalid("-n -1", "-n", "-1", "-n/--samples", COUNT_FORM),
    invalid("-n 1e20 (above 2^64-1)", "-n", "1e20", "-n/--samples", COUNT_FORM),
    invalid("-n 2^64", "-n", "2^64", "-n/--samples", COUNT_FORM),
    invalid("-n 18446744073709551616", "-n", "18446744073709551616", "-n/--samples", COUNT_FORM),
    invalid("-n 1.5 (not an integer)", "-n", "1.5", "-n/--samples", COUNT_FORM),
    invalid("-n 1_000", "-n", "1_000", "-n/--samples", COUNT_FORM),
    invalid("-n 0x10 (no hex for counts)", "-n", "0x10", "-n/--samples", COUNT_FORM),
    invalid("-n ' 1' (leading space)", "-n", " 1", "-n/--samples", COUNT_FORM),
    bad("--samples= (empty)", [*RUN, "--samples="], "-n/--samples", "invalid value ''",
        COUNT_FORM),
    bad("-n with a newline in the value: still one line", [*RUN, "-n", "1\n2"],
        "-n/--samples", "invalid value '1?2'", COUNT_FORM),
    missing("--seed", "-s/--seed", SEED_FORM),
    invalid("--seed -1", "--seed", "-1", "-s/--seed", SEED_FORM),
    invalid("--seed 0x1g", "--seed", "0x1g", "-s/--seed", SEED_FORM),
    invalid("--seed 0x (no digits)", "--seed", "0x", "-s/--seed", SEED_FORM),
    invalid("--seed 0x1ffffffffffffffff (65 bits)", "--seed", "0x1ffffffffffffffff", "-s/--seed",
            SEED_FORM),
    invalid("--seed 1e3 (no exponent)", "--seed", "1e3", "-s/--seed", SEED_FORM),
    missing("-b", "-b/--backend", "a comma list of serial"),
    bad("-b cuda", [*RUN, "-b", "cuda"], "--backend", "'cuda'", "accepted: serial"),
    bad("-b serial, (empty item)", [*RUN, "-b", "serial,"], "--backend", "empty"),
    bad("-b naive+serial", [*RUN, "-b", "naive+serial"], "--backend", "naive+serial",
        "cannot be joined"),
    bad("-b opencl:x.y", [*RUN, "-b", "opencl:x.y"], "--backend", "opencl:x.y"),
    bad("-b '' (empty)", [*RUN, "-b", ""], "-b/--backend", "invalid value ''"),
    bad("-b opencl:99.0: no such device (exit 3)", [*RUN, "-b", "opencl:99.0"], "opencl",
        "available", code=3),
    missing("-t", "-t/--threads", THREADS_FORM),
    invalid("-t 0", "-t", "0", "-t/--threads", THREADS_FORM),
    invalid("-t 1025", "-t", "1025", "-t/--threads", THREADS_FORM),
    invalid("-t two", "-t", "two", "-t/--threads", THREADS_FORM),
    missing("-r", "-r/--repeat", "an integer from 1 to 1000"),
    invalid("-r 0", "-r", "0", "-r/--repeat", "an integer from 1 to 1000"),
    invalid("-r 1001", "-r", "1001", "-r/--repeat", "an integer from 1 to 1000"),
    missing("-w", "-w/--warmup", "an integer from 0 to 1000"),
    invalid("-w 1001", "-w", "1001", "-w/--warmup", "an integer from 0 to 1000"),
    invalid("-w -1", "-w", "-1", "-w/--warmup", "an integer from 0 to 1000"),
    missing("-f", "-f/--format", "one of table, csv, json, markdown"),
    invalid("-f xml", "-f", "xml", "-f/--format", "one of table, csv, json, markdown"),
    invalid("-f JSON (names are lower case)", "-f", "JSON", "-f/--format",
            "one of table, csv, json, markdown"),
    Case("missing value: -o", [*RUN, "-o"], ["-o/--output", "missing value",
                                             "a writable file path"], out=False),
    Case("--output= (empty)", [*RUN, "--output="], ["-o/--output", "invalid value ''",
                                                    "a writable file path"], out=False),
    novalue("--quiet=1", "-q/--quiet"),
    novalue("-qx", "-q/--quiet"),
    novalue("--per-rank=1", "--per-rank"),
    missing("--work-group", "--work-group", "an integer from 1 to the device's maximum"),
    invalid("--work-group 0", "--work-group", "0", "--work-group",
            "an integer from 1 to the device's maximum"),
    invalid("--work-group 1048577 (above 2^20)", "--work-group", "1048577", "--work-group",
            "an integer from 1 to the device's maximum"),
    invalid("--per-item 0", "--per-item", "0", "--per-item", "an integer from 1 to 2^32"),
    invalid("--per-item 4294967297", "--per-item", "4294967297", "--per-item",
            "an integer from 1 to 2^32"),
    missing("--launch-samples", "--launch-samples", COUNT_FORM),
    invalid("--launch-samples 0", "--launch-samples", "0", "--launch-samples", COUNT_FORM),
    novalue("--no-cache=1", "--no-cache"),
    missing("--ocl-vector", "--ocl-vector", OCL_VECTOR_FORM),
    invalid("--ocl-vector 2", "--ocl-vector", "2", "--ocl-vector", OCL_VECTOR_FORM),
    invalid("--ocl-vector scalar", "--ocl-vector", "scalar", "--ocl-vector", OCL_VECTOR_FORM),
    invalid("--ocl-vector 0", "--ocl-vector", "0", "--ocl-vector", OCL_VECTOR_FORM),
    novalue("--no-open=1", "--no-open", pre=["devices"]),
    missing("--isa", "--isa", ISA_FORM),
    invalid("--isa avx9", "--isa", "avx9", "--isa", ISA_FORM),
    invalid("--isa '' (empty)", "--isa", "", "--isa", ISA_FORM),
    missing("--build-options", "--build-options", "OpenCL C compiler options"),
    novalue("--help=1", "-h/--help"),
    novalue("-V=1", "-V/--version"),
    missing("--from", "--from", COUNT_FORM, pre=SWEEP),
    invalid("sweep --from 0", "--from", "0", "--from", COUNT_FORM, pre=SWEEP),
    invalid("sweep --to 2^64", "--to", "2^64", "--to", COUNT_FORM, pre=SWEEP),
    bad("sweep --from 1e5 --to 1e4", [*SWEEP, "--from", "1e5", "--to", "1e4"], "--to",
        "must not be below --from"),
    invalid("sweep --steps-per-decade 0", "--steps-per-decade", "0", "--steps-per-decade",
            "an integer from 1 to 100", pre=SWEEP),
    invalid("sweep --steps-per-decade 101", "--steps-per-decade", "101", "--steps-per-decade",
            "an integer from 1 to 100", pre=SWEEP),
    missing("--calibration", "--calibration", "a calibration file written by mcpi calibrate"),
    invalid("--calibration '' (empty)", "--calibration", "", "--calibration",
            "a calibration file written by mcpi calibrate"),
    missing("--range", "--range", "BEGIN:END"),
    invalid("--range 5:5 (empty)", "--range", "5:5", "--range", "BEGIN:END", pre=RUN[2:]),
    invalid("--range 9:1 (backwards)", "--range", "9:1", "--range", "BEGIN:END", pre=RUN[2:]),
    invalid("--range :5", "--range", ":5", "--range", "BEGIN:END", pre=RUN[2:]),
    invalid("--range 5 (no colon)", "--range", "5", "--range", "BEGIN:END", pre=RUN[2:]),
    invalid("--range 0:2^64", "--range", "0:2^64", "--range", "0 <= BEGIN < END <= 2^64-1",
            pre=RUN[2:]),
    invalid("--checkpoint '' (empty)", "--checkpoint", "", "--checkpoint",
            "a writable file path"),
    missing("--resume", "--resume", "a checkpoint file written by --checkpoint", pre=[]),
    invalid("--resume '' (empty)", "--resume", "", "--resume",
            "a checkpoint file written by --checkpoint", pre=[]),
    invalid("--checkpoint-interval 0", "--checkpoint-interval", "0", "--checkpoint-interval",
            "an integer from 1 to 86400"),
    invalid("--checkpoint-interval 86401", "--checkpoint-interval", "86401",
            "--checkpoint-interval", "an integer from 1 to 86400"),
    invalid("--checkpoint-interval 1.5", "--checkpoint-interval", "1.5",
            "--checkpoint-interval", "an integer from 1 to 86400"),
    novalue("--progress=1", "--progress"),
    missing("--cover", "--cover", "an integer N from 1 to 2^64-1", pre=["merge", "{d}/p1.json"]),
    invalid("merge --cover 0", "--cover", "0", "--cover", "an integer N from 1 to 2^64-1",
            pre=["merge", "{d}/p1.json"], files={"p1.json": F("p1")}),
    invalid("merge --cover abc", "--cover", "abc", "--cover", "an integer N from 1 to 2^64-1",
            pre=["merge", "{d}/p1.json"], files={"p1.json": F("p1")}),
    invalid("sweep --reference all", "--reference", "all", "--reference", "one row name",
            pre=SWEEP),
    invalid("sweep --reference serial,simd", "--reference", "serial,simd", "--reference",
            "one row name", pre=SWEEP),
    missing("--verify", "--verify", "one of sample, off, full"),
    invalid("--verify maybe", "--verify", "maybe", "--verify", "one of sample, off, full"),
    novalue("--balance=1", "--balance"),
    missing("--ranks", "--ranks", "a comma list of increasing rank counts", pre=SCALE),
    invalid("scale --ranks 2,1", "--ranks", "2,1", "--ranks",
            "a comma list of increasing rank counts", pre=SCALE),
    invalid("scale --ranks 0", "--ranks", "0", "--ranks",
            "a comma list of increasing rank counts", pre=SCALE),
    invalid("scale --threads 1,1 (not increasing)", "--threads", "1,1", "-t/--threads",
            "a comma list of increasing ones", pre=SCALE),
    invalid("scale --threads 1,,2", "--threads", "1,,2", "-t/--threads",
            "a comma list of increasing ones", pre=SCALE),
    bad("scale --strong --weak", [*SCALE, "--strong", "--weak"], "--strong and --weak",
        "pick one"),
    novalue("--weak=1", "--weak", pre=SCALE),
    missing("--fail-if-slower", "--fail-if-slower", "a percentage from 0 to 10000",
            pre=["compare", "{d}/p1.json", "{d}/p2.json"]),
    invalid("compare --fail-if-slower -5", "--fail-if-slower", "-5", "--fail-if-slower",
            "a percentage from 0 to 10000", pre=["compare", "{d}/p1.json", "{d}/p2.json"]),
    invalid("compare --fail-if-slower 1e1 (no exponent)", "--fail-if-slower", "1e1",
            "--fail-if-slower", "a percentage from 0 to 10000",
            pre=["compare", "{d}/p1.json", "{d}/p2.json"]),
    invalid("compare --alpha 0.6", "--alpha", "0.6", "--alpha", "above 0 and at most 0.5",
            pre=["compare", "{d}/p1.json", "{d}/p2.json"]),
    invalid("compare --alpha 0", "--alpha", "0", "--alpha", "above 0 and at most 0.5",
            pre=["compare", "{d}/p1.json", "{d}/p2.json"]),

    # ---- unknown options and commands, words out of place ----------------------------
    bad("--bogus", [*RUN, "--bogus"], "unknown option '--bogus'", "mcpi --help"),
    bad("--bogus=3", [*RUN, "--bogus=3"], "unknown option '--bogus'", "mcpi --help"),
    bad("-x", [*RUN, "-x"], "unknown option '-x'", "mcpi --help"),
    bad("--sample (no abbreviations)", [*RUN, "--sample", "10"], "unknown option '--sample'"),
    bad("--Samples (case matters)", [*RUN, "--Samples", "10"], "unknown option '--Samples'"),
    bad("an option with a newline in its name", [*RUN, "--bo\ngus"],
        "unknown option '--bo?gus'"),
    bad("unknown command", ["frobnicate"], "unknown command 'frobnicate'",
        "accepted: run, devices, sweep, calibrate, merge, scale, compare"),
    bad("unknown command '-'", ["-"], "unknown command '-'"),
    bad("run with a second word", ["run", "extra", *RUN], "unexpected argument 'extra'"),
    bad("devices with a second word", ["devices", "extra"], "unexpected argument 'extra'"),
    bad("calibrate with a second word", ["calibrate", "extra"], "unexpected argument 'extra'"),
    bad("merge without files", ["merge"], "merge", "one or more JSON result files"),
    bad("compare with one file", ["compare", "{d}/p1.json"], "compare",
        "two or more JSON result files", files={"p1.json": F("p1")}),
    bad("--ranks to run", [*RUN, "--ranks", "1"], "--ranks", "accepted by mcpi scale only"),
    bad("--threads LIST to run", [*RUN, "--threads", "1,2"], "--threads LIST",
        "accepted by mcpi scale only", "one integer from 1 to 1024"),
    bad("--weak to run", [*RUN, "--weak"], "--weak", "accepted by mcpi scale only"),
    bad("--from to run", [*RUN, "--from", "1e3"], "--from", "accepted by mcpi sweep only"),
    bad("--to to scale", ["scale", "--to", "1e6"], "--to", "accepted by mcpi sweep only"),
    bad("--steps-per-decade to run", [*RUN, "--steps-per-decade", "2"], "--steps-per-decade",
        "accepted by mcpi sweep only"),
    bad("--reference to run", [*RUN, "--reference", "simd"], "--reference",
        "accepted by mcpi sweep only"),
    bad("--cover to run", [*RUN, "--cover", "1000"], "--cover", "accepted by mcpi merge only"),
    bad("--no-open to run", [*RUN, "--no-open"], "--no-open", "accepted by mcpi devices only"),
    bad("--fail-if-slower to run", [*RUN, "--fail-if-slower", "5"], "--fail-if-slower",
        "accepted by mcpi compare only"),
    bad("--alpha to merge", ["merge", "{d}/p1.json", "--alpha", "0.1"], "--alpha",
        "accepted by mcpi compare only", files={"p1.json": F("p1")}),
    bad("--checkpoint to sweep", [*SWEEP, "--checkpoint", "{d}/ck"], "--checkpoint",
        "accepted by mcpi run only"),
    bad("--checkpoint to scale", [*SCALE, "--checkpoint", "{d}/ck"], "--checkpoint",
        "accepted by mcpi run only"),
    bad("--resume to merge", ["merge", "{d}/p1.json", "--resume", CKPT_ROW], "--resume",
        "accepted by mcpi run only", files={"p1.json": F("p1"), "ck.txt": F("ck")}),
    bad("--range to sweep", [*SWEEP, "--range", "0:10"], "--range", "not accepted by sweep"),
    bad("--range to scale", [*SCALE, "--range", "0:1000"], "--range", "not accepted by scale"),
    bad("scale --ranks above the job's", [*SCALE, "--ranks", "2"], "--ranks",
        "more than this job's 1 rank"),
    bad("scale --threads LIST and --ranks LIST", [*SCALE, "--threads", "1,2", "--ranks", "1"],
        "--threads LIST and --ranks LIST"),

    # ---- conflicts between flags --------------------------------------------------------
    bad("-n 5 --range 0:1000", ["-b", "serial", "-n", "5", "--range", "0:1000"],
        "-n/--samples and --range", "the range holds 1000"),
    Case("-o and --checkpoint the same file",
         [*RUN, "--checkpoint", "{d}/ck", "-o", "{d}/ck"],
         ["-o/--output and --checkpoint", "the report would replace the checkpoint"],
         out=False),
    Case("-o and --checkpoint the same file by another path",
         [*RUN, "--checkpoint", "{d}/ck", "-o", "{d}/./ck"],
         ["-o/--output and --checkpoint", "the report would replace the checkpoint"],
         out=False),
    bad("-r 3 --checkpoint F", [*RUN, "-r", "3", "--checkpoint", "{d}/ck"],
        "-r/--repeat 3 and --checkpoint", "one timed pass"),
    bad("-w 1 --checkpoint F", [*RUN, "-w", "1", "--checkpoint", "{d}/ck"],
        "-w/--warmup 1 and --checkpoint", "one timed pass"),
    bad("-b naive --checkpoint F", [*RUN, "-b", "naive", "--checkpoint", "{d}/ck"],
        "--checkpoint", "naive is not the exact stream"),
    bad("-b serial,simd --checkpoint F", [*RUN, "-b", "serial,simd", "--checkpoint", "{d}/ck"],
        "--checkpoint", "exactly one backend row"),
    bad("--resume F -s 6, F of seed 5", ["--resume", CKPT_ROW, "-s", "6"],
        "-s/--seed and --resume", "seed 5", files={"ck.txt": F("ck")}),
    bad("--resume F -n 999, F of N 1000", ["--resume", CKPT_ROW, "-n", "999"],
        "-n/--samples and --resume", "N = 1000", files={"ck.txt": F("ck")}),
    bad("--resume F --range 0:10", ["--resume", CKPT_ROW, "--range", "0:10"],
        "--range and --resume", "samples [0, 1000)", files={"ck.txt": F("ck")}),
    bad("--resume F -r 3", ["--resume", CKPT_ROW, "-r", "3"], "-r/--repeat 3 and --resume",
        files={"ck.txt": F("ck")}),
    bad("--resume F -b naive", ["--resume", CKPT_ROW, "-b", "naive"], "--resume",
        "naive is not the exact stream", files={"ck.txt": F("ck")}),
    Case("-o and --resume the same file", ["--resume", CKPT_ROW, "-o", CKPT_ROW],
         ["-o/--output and --resume", "the report would replace the checkpoint"],
         files={"ck.txt": F("ck")}, out=False),

    # ---- environment variables (grep -rn getenv host profiling mpi) ---------------------
    bad("MCPI_ISA=garbage, -b simd", [*RUN, "-b", "simd"], "MCPI_ISA=garbage",
        ISA_NAMES, env={"MCPI_ISA": "garbage"}),
    bad("MCPI_ISA=garbage, -b threads", [*RUN, "-b", "threads"], "MCPI_ISA=garbage",
        ISA_NAMES, env={"MCPI_ISA": "garbage"}),
    bad("MCPI_ISA=garbage, -b serial (the man page: an unknown name is exit 2)", RUN,
        "MCPI_ISA=garbage", ISA_NAMES, env={"MCPI_ISA": "garbage"}),
    bad("MCPI_ISA=garbage, every backend: one line, not one per row",
        ["-n", "1000", "-r", "1", "-w", "0"], "MCPI_ISA=garbage", ISA_NAMES,
        env={"MCPI_ISA": "garbage"}),
    bad("MCPI_ISA=garbage, -b auto with an empty cache (not a silent serial)",
        [*RUN, "-b", "auto"], "MCPI_ISA=garbage", ISA_NAMES,
        env={"MCPI_ISA": "garbage", "MCPI_CACHE_DIR": "{d}/cache"}),
    bad("MCPI_ISA=garbage, sweep: one line, not one per point", [*SWEEP, "-b", "simd"],
        "MCPI_ISA=garbage", ISA_NAMES, env={"MCPI_ISA": "garbage"}),
    bad("MCPI_ISA=garbage, scale: one line, not one per point", [*SCALE, "--threads", "1,2"],
        "MCPI_ISA=garbage", ISA_NAMES, env={"MCPI_ISA": "garbage"}),
    bad("MCPI_ISA=garbage, calibrate: refused before the measurement",
        ["calibrate", "--calibration", "{d}/cal.json"], "MCPI_ISA=garbage", ISA_NAMES,
        env={"MCPI_ISA": "garbage"}),
    bad("MCPI_ISA=garbage, devices", ["devices"], "MCPI_ISA=garbage", ISA_NAMES,
        env={"MCPI_ISA": "garbage"}),
    Case("MCPI_ISA=garbage under --isa sse2: the flag overrides it (not an error)",
         [*RUN, "-b", "simd", "--isa", "sse2", "-q", "-f", "json"],
         env={"MCPI_ISA": "garbage"}, ok=True, stderr=""),
    Case("MCPI_ISA= (empty): unset, the widest set (not an error)",
         [*RUN, "-b", "simd", "-q", "-f", "json"], env={"MCPI_ISA": ""}, ok=True, stderr=""),
    Case("MCPI_ISA=garbage, merge: no SIMD in a merge (not an error)",
         ["merge", "{d}/p1.json", "{d}/p2.json", "-q", "-f", "json"],
         env={"MCPI_ISA": "garbage"}, files={"p1.json": F("p1"), "p2.json": F("p2")},
         ok=True, stderr=""),
    bad("MCPI_MPI=2", RUN, "MCPI_MPI=2", "expected 1 (start MPI) or 0",
        env={"MCPI_MPI": "2"}, needs=("mpi",)),
    bad("MCPI_MPI=yes", RUN, "MCPI_MPI=yes", "expected 1 (start MPI) or 0",
        env={"MCPI_MPI": "yes"}, needs=("mpi",)),
    bad("MCPI_MPI=yes with a bad flag: still one line", [*RUN, "--bogus"], "MCPI_MPI=yes",
        env={"MCPI_MPI": "yes"}, needs=("mpi",)),
    Case("MCPI_MPI= (empty): as unset, no MPI without a launcher (not an error)",
         [*RUN, "-q", "-f", "json"], env={"MCPI_MPI": ""}, ok=True, stderr=""),
    Case("MCPI_CACHE_DIR a regular file: the caches are skipped, the file kept (not an error)",
         [*RUN, "-b", "serial,simd", "-q", "-f", "json"],
         env={"MCPI_CACHE_DIR": "{d}/cache"}, files={"cache": "not a folder\n"}, ok=True,
         stderr=""),
    bad("MCPI_CACHE_DIR a regular file, calibrate: the calibration cannot be saved (exit 4)",
        ["calibrate"], "calibrate", "cannot create '{d}/cache'", "Not a directory", code=4,
        env={"MCPI_CACHE_DIR": "{d}/cache"}, files={"cache": "not a folder\n"}),

    # ---- files written: -o, --checkpoint, calibrate's --calibration --------------------
    Case("-o into a missing folder", [*RUN, "-o", "{d}/no/out.json"],
         ["-o/--output", "cannot write '{d}/no/out.json'", "No such file or directory"],
         out=False),
    Case("-o a directory", [*RUN, "-o", "{d}/sub"],
         ["-o/--output", "'{d}/sub' is a directory", "expected a file path"],
         files={"sub": DIR}, out=False),
    Case("-o in a read-only folder", [*RUN, "-o", "{d}/ro/out.json"],
         ["-o/--output", "cannot write '{d}/ro/out.json'", "Permission denied"],
         files={"ro": RO_DIR}, out=False, needs=("unwritable-dir",)),
    Case("-o where no file can be made (/proc)", [*RUN, "-o", "/proc/mcpi-bad-input.json"],
         ["-o/--output", "cannot write '/proc/mcpi-bad-input.json'"], out=False,
         needs=("procfs",)),
    Case("-o with a newline in the path: still one line", [*RUN, "-o", "{d}/no\nt/out.json"],
         ["-o/--output", "cannot write '{d}/no?t/out.json'"], out=False),
    Case("-o a name longer than the file system allows", [*RUN, "-o", "{d}/" + "a" * 300],
         ["-o/--output", "File name too long"], out=False),
    bad("--checkpoint into a missing folder", [*RUN, "--checkpoint", "{d}/no/ck"],
        "--checkpoint", "cannot write '{d}/no/ck'", "No such file or directory"),
    bad("--checkpoint a directory", [*RUN, "--checkpoint", "{d}/sub"], "--checkpoint",
        "is a directory", files={"sub": DIR}),
    Case("sweep -o into a missing folder", [*SWEEP, "-o", "{d}/no/out.json"],
         ["-o/--output", "cannot write"], out=False),
    Case("merge -o a directory", ["merge", "{d}/p1.json", "-o", "{d}/sub"],
         ["-o/--output", "is a directory"], files={"p1.json": F("p1"), "sub": DIR},
         out=False),
    Case("merge -o naming one of its parts", ["merge", "{d}/p1.json", "{d}/p2.json", "-o",
                                              "{d}/p1.json"],
         ["-o/--output", "p1.json"], files={"p1.json": F("p1"), "p2.json": F("p2")},
         out=False),
    Case("compare -o naming one of its inputs",
         ["compare", "{d}/p1.json", "{d}/p2.json", "-o", "{d}/p2.json"],
         ["-o/--output", "'{d}/p2.json' is also an input"],
         files={"p1.json": F("p1"), "p2.json": F("p2")}, out=False),
    bad("calibrate --calibration into a missing folder: before the measurement",
        ["calibrate", "--calibration", "{d}/no/cal.json"], "--calibration",
        "cannot write '{d}/no/cal.json'"),
    bad("calibrate --calibration a directory", ["calibrate", "--calibration", "{d}/sub"],
        "--calibration", "is a directory", files={"sub": DIR}),

    # ---- files read: --calibration, --resume, merge and compare inputs ------------------
    bad("--calibration a directory", [*RUN, "--calibration", "{d}/sub"], "--calibration",
        "a directory", "expected a file written by mcpi calibrate", files={"sub": DIR}),
    bad("--calibration missing", [*RUN, "--calibration", "{d}/cal.json"], "--calibration",
        "No such file or directory", "expected a file written by mcpi calibrate"),
    bad("--calibration garbage", [*RUN, "--calibration", "{d}/cal.json"], "--calibration",
        "is not a calibration file", files={"cal.json": "garbage {\n"}),
    bad("--calibration a FIFO without a writer (no hang)", [*RUN, "--calibration", "{d}/fifo"],
        "--calibration", "not a regular file", files={"fifo": FIFO}),
    bad("--calibration empty", [*RUN, "--calibration", "{d}/cal.json"], "--calibration",
        "is not a calibration file", files={"cal.json": ""}),
    bad("--calibration a run report", [*RUN, "--calibration", "{d}/run.json"],
        "--calibration", "'{d}/run.json' is not a calibration file",
        files={"run.json": F("run")}),
    bad("--resume missing", ["--resume", "{d}/ck.txt"], "--resume",
        "cannot read '{d}/ck.txt'", "No such file or directory"),
    bad("--resume a directory", ["--resume", "{d}/sub"], "--resume", "not a regular file",
        files={"sub": DIR}),
    bad("--resume garbage", ["--resume", CKPT_ROW], "--resume", "not an mcpi checkpoint",
        files={"ck.txt": "garbage {\n"}),
    bad("--resume a FIFO without a writer (no hang)", ["--resume", "{d}/fifo"], "--resume",
        "not a regular file", files={"fifo": FIFO}),
    bad("--resume empty", ["--resume", CKPT_ROW], "--resume", "truncated (empty file)",
        files={"ck.txt": ""}),
    bad("--resume truncated", ["--resume", CKPT_ROW], "--resume", "truncated",
        files={"ck.txt": F("ck", cut=100)}),
    bad("--resume with a changed count", ["--resume", CKPT_ROW], "--resume",
        "checksum mismatch", files={"ck.txt": F("ck", flip="\ninterval 0 1000 ")}),
    bad("--resume a JSON report", ["--resume", "{d}/run.json"], "--resume",
        "not an mcpi checkpoint", files={"run.json": F("run")}),
    bad("merge a FIFO without a writer (no hang)", ["merge", "{d}/fifo"], "merge",
        "{d}/fifo", "not a regular file", files={"fifo": FIFO}),
    bad("merge a directory", ["merge", "{d}/sub"], "merge", "{d}/sub", "not a regular file",
        files={"sub": DIR}),
    bad("merge a missing file", ["merge", "{d}/p1.json", "{d}/p9.json"], "merge",
        "{d}/p9.json", "No such file or directory", files={"p1.json": F("p1")}),
    bad("merge garbage", ["merge", "{d}/x.json"], "merge", "{d}/x.json", "not valid JSON",
        files={"x.json": "garbage {\n"}),
    bad("merge a file of 0 bytes", ["merge", "{d}/x.json"], "merge", "{d}/x.json",
        "not valid JSON", files={"x.json": ""}),
    bad("merge a sweep document", ["merge", "{d}/sweep.json"], "merge", "{d}/sweep.json",
        "a sweep", "not an mcpi JSON run report", files={"sweep.json": F("sweep")}),
    bad("merge one part twice", ["merge", "{d}/p1.json", "{d}/p1.json"], "merge",
        "{d}/p1.json", "overlap", files={"p1.json": F("p1")}),
    bad("merge one part twice by two paths", ["merge", "{d}/p1.json", "{d}/./p1.json"],
        "merge", "overlap", files={"p1.json": F("p1")}),
    bad("merge parts of two seeds", ["merge", "{d}/p1.json", "{d}/q2.json"], "merge",
        "{d}/q2.json", "seed 6", "seed 5", files={"p1.json": F("p1"), "q2.json": F("p2s6")}),
    bad("merge --cover beyond the parts", ["merge", "{d}/p1.json", "{d}/p2.json",
                                           "--cover", "2000"],
        "merge", "--cover 2000", "not at 2000", files={"p1.json": F("p1"), "p2.json": F("p2")}),
    bad("merge a checkpoint", ["merge", CKPT_ROW], "merge", "{d}/ck.txt", "not valid JSON",
        files={"ck.txt": F("ck")}),
    bad("merge a truncated report", ["merge", "{d}/p1.json"], "merge", "{d}/p1.json",
        "not valid JSON", files={"p1.json": F("p1", cut=300)}),
    bad("merge a report with a changed digit", ["merge", "{d}/p1.json"], "merge",
        "{d}/p1.json", "checksum does not match", files={"p1.json": F("p1", flip='"hits": ')}),
    bad("merge a key given twice", ["merge", "{d}/x.json"], "merge", "duplicate key",
        files={"x.json": '{"version": "0.1.0", "version": "0.1.0"}\n'}),
    bad("compare a missing file", ["compare", "{d}/p1.json", "{d}/p9.json"], "compare",
        "{d}/p9.json", "No such file or directory", files={"p1.json": F("p1")}),
    bad("compare a directory", ["compare", "{d}/p1.json", "{d}/sub"], "compare", "{d}/sub",
        "not a regular file", files={"p1.json": F("p1"), "sub": DIR}),
    bad("compare a FIFO without a writer (no hang)", ["compare", "{d}/p1.json", "{d}/fifo"],
        "compare", "{d}/fifo", "not a regular file", files={"p1.json": F("p1"), "fifo": FIFO}),
    bad("compare garbage", ["compare", "{d}/p1.json", "{d}/x.json"], "compare", "{d}/x.json",
        "not valid JSON", files={"p1.json": F("p1"), "x.json": "garbage {\n"}),
    bad("compare a sweep document", ["compare", "{d}/p1.json", "{d}/sweep.json"], "compare",
        "a sweep", files={"p1.json": F("p1"), "sweep.json": F("sweep")}),

    # ---- a setting a device refuses at run time (README: exit 2, nothing written) -------
    bad("-b opencl --work-group above the device's maximum",
        [*RUN, "-b", "opencl", "--work-group", "1048576"], "--work-group 1048576",
        "too large", needs=("opencl",)),
    bad("sweep -b opencl --work-group above the maximum: one line",
        [*SWEEP, "-b", "opencl", "-q", "--work-group", "1048576"], "--work-group 1048576",
        needs=("opencl",)),
    bad("scale --work-group above the maximum: one line",
        [*SCALE, "-b", "threads+opencl", "--threads", "1,2", "-q", "--work-group", "1048576"],
        "--work-group 1048576", needs=("opencl",)),
    bad("--ocl-vector with the kernel's own -DMCPI_OCL_VEC",
        [*RUN, "-b", "opencl", "--ocl-vector", "4", "--build-options", "-DMCPI_OCL_VEC=8"],
        "--ocl-vector", "--build-options", needs=("opencl",)),
    bad("two rows refuse the same setting: one line",
        [*RUN, "-b", "opencl,threads+opencl", "--work-group", "1048576"],
        "--work-group 1048576", needs=("opencl",)),
    # --no-cache: auto probes every candidate now (no cached model), and no
    # cache entry is written on the way to the refusal.
    bad("-b auto --work-group above the maximum, probed now: not silently skipped",
        [*RUN, "-b", "auto", "--no-cache", "--work-group", "1048576"], "--work-group 1048576",
        needs=("opencl",)),
]


# ---- running one case ------------------------------------------------------------------

def snapshot(root):
    """Every entry under root: its kind and, for a file, the hash of its bytes."""
    seen = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            st = os.lstat(path)
            if os.path.isdir(path) and not os.path.islink(path):
                seen[rel] = ("dir", oct(st.st_mode & 0o777))
            elif os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as f:
                    seen[rel] = ("file", hashlib.sha256(f.read()).hexdigest())
            else:
                seen[rel] = ("other", oct(st.st_mode))
    return seen


def unmet(case, d):
    """Why a case cannot run here, or None."""
    for need in case.needs:
        if need == "opencl" and not HAVE_OPENCL:
            return "built without OpenCL"
        if need == "mpi" and not HAVE_MPI:
            return "built without MPI (MCPI_MPI is not read)"
        if need == "procfs" and not os.path.isdir("/proc/self"):
            return "no /proc"
        if need == "unwritable-dir":
            probe = os.path.join(d, "ro", "probe")
            try:
                with open(probe, "w"):
                    pass
            except OSError:
                continue
            os.unlink(probe)
            return "a read-only folder is writable here (running as root)"
    return None


class BadInputTable(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = tempfile.mkdtemp(prefix="mcpi-bad-input-")
        cls.env = {k: v for k, v in os.environ.items() if k not in ("MCPI_ISA", "MCPI_MPI")}
        cls.env["MCPI_CACHE_DIR"] = os.path.join(cls.root, "cache")
        fx = os.path.join(cls.root, "fixtures")
        os.mkdir(fx)
        # Real files to refuse or to mismatch: small runs, well under a second in all.
        one = ["-b", "serial", "-r", "1", "-w", "0", "-q", "-f", "json"]
        runs = {
            "run": ["-n", "1000", "-s", "5", "-b", "serial", "-q", "-f", "json",
                    "--checkpoint", os.path.join(fx, "ck")],
            "p1": ["--range", "0:500", "-s", "5", *one],
            "p2": ["--range", "500:1000", "-s", "5", *one],
            "p2s6": ["--range", "500:1000", "-s", "6", *one],
            "sweep": ["sweep", "--from", "10", "--to", "100", "-s", "5", *one],
        }
        cls.fixtures = {}
        for name, args in runs.items():
            path = os.path.join(fx, name)
            p = subprocess.run([MCPI, *args, "-o", path], capture_output=True, text=True,
                               timeout=120, env=cls.env)
            assert p.returncode == 0, (name, p.stderr)
            with open(path) as f:
                cls.fixtures[name] = f.read()
        with open(os.path.join(fx, "ck")) as f:
            cls.fixtures["ck"] = f.read()
        assert "\nseed 5\n" in cls.fixtures["ck"], cls.fixtures["ck"]

    @classmethod
    def tearDownClass(cls):
        for dirpath, dirnames, _ in os.walk(cls.root):
            for name in dirnames:
                os.chmod(os.path.join(dirpath, name), 0o700)
        shutil.rmtree(cls.root, ignore_errors=True)

    def prepare(self, case, d):
        for name, what in case.files.items():
            path = os.path.join(d, name)
            if what == FIFO:
                os.mkfifo(path)
            elif what == DIR:
                os.mkdir(path)
            elif what == RO_DIR:
                os.mkdir(path)
                os.chmod(path, 0o555)
            else:
                text = what.text(self.fixtures) if isinstance(what, F) else what
                with open(path, "w") as f:
                    f.write(text)

    def run_case(self, case, d):
        """Runs case in folder d; raises AssertionError on the first broken rule."""
        sub = lambda s: s.replace("{d}", d)
        out = os.path.join(d, "out.json")
        argv = [MCPI, *(["-o", out] if case.out else []), *map(sub, case.args)]
        env = dict(self.env)
        env.update({k: sub(v) for k, v in case.env.items()})
        before = snapshot(d)
        start = time.monotonic()
        try:
            p = subprocess.run(argv, capture_output=True, timeout=TIMEOUT_S, env=env,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise AssertionError("did not end within %d s (a hang)" % TIMEOUT_S)
        took = time.monotonic() - start
        stdout = p.stdout.decode("utf-8", "replace")
        stderr = p.stderr.decode("utf-8", "replace")
        what = "exit %d, stderr %r" % (p.returncode, stderr)
        self.assertGreaterEqual(p.returncode, 0, "killed by signal %d" % -p.returncode)
        self.assertLess(took, TIMEOUT_S)
        after = snapshot(d)
        leftovers = [n for n in after if ".tmp." in n]
        self.assertEqual(leftovers, [], "temporary files left: " + what)
        if case.ok:
            self.assertEqual(p.returncode, 0, what)
            if case.stderr is not None:
                self.assertEqual(stderr, case.stderr)
            with open(out) as f:
                self.assertEqual(f.read()[-1:], "\n")
            with open(out) as f:
                self.assertIn("checksum", json.load(f))
            after.pop("out.json")
            self.assertEqual(after, before, "prepared files changed")
            return
        self.assertEqual(p.returncode, case.code, what)
        self.assertEqual(stdout, "", "stdout: " + what)
        self.assertTrue(stderr.endswith("\n") and stderr.count("\n") == 1,
                        "not exactly one line on stderr: " + what)
        line = stderr[:-1]
        self.assertTrue(line.startswith("mcpi: "), what)
        self.assertEqual(line.count("mcpi: "), 1, "doubled prefix: " + what)
        for needle in case.needles:
            self.assertIn(sub(needle), line, what)
        self.assertFalse(os.path.lexists(out), "-o file written: " + what)
        self.assertEqual(after, before, "files created or changed: " + what)

    def test_table(self):
        start = time.monotonic()
        ran, skipped, known = 0, [], []
        for i, case in enumerate(CASES):
            with self.subTest(case=case.name):
                d = os.path.join(self.root, "case%03d" % i)
                os.mkdir(d)
                self.prepare(case, d)
                why = unmet(case, d)
                if why is not None:
                    skipped.append("%s: %s" % (case.name, why))
                    continue
                ran += 1
                if case.bug is None:
                    self.run_case(case, d)
                    continue
                try:
                    self.run_case(case, d)
                except AssertionError as e:
                    known.append("%s (%s): %s" % (case.name, case.bug, str(e).splitlines()[0]))
                else:
                    known.append("%s: NOW PASSES; remove its bug= marker (%s)"
                                 % (case.name, case.bug))
        took = time.monotonic() - start
        for s in skipped:
            print("skipped: " + s, file=sys.stderr)
        for k in known:
            print("known bug: " + k, file=sys.stderr)
        print("%d cases ran (%d skipped, %d known bugs) in %.1f s"
              % (ran, len(skipped), len(known), took), file=sys.stderr)

    def test_the_table_is_large_distinct_and_covers_every_option(self):
        self.assertGreaterEqual(len(CASES), 80)
        names = [c.name for c in CASES]
        self.assertEqual(len(names), len(set(names)), "two cases share a name")
        keys = [(tuple(c.args), tuple(sorted(c.env.items())),
                 tuple(sorted((k, str(v.__dict__) if isinstance(v, F) else v)
                              for k, v in c.files.items())), c.out) for c in CASES]
        self.assertEqual(len(keys), len(set(keys)), "two cases are the same")
        # Every option --help lists appears in a case, by its long or short name.
        helptext = subprocess.run([MCPI, "--help"], capture_output=True, text=True,
                                  timeout=30).stdout
        words = set()
        for c in CASES:
            for a in c.args:
                words.add(a.split("=", 1)[0])
                if re.fullmatch(r"-[a-zA-Z].+", a):  # -qx, -nx
                    words.add(a[:2])
        shorts = dict(re.findall(r"(?<![\w-])(-[a-zA-Z]), (--[a-z-]+)", helptext))
        longs = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", helptext))
        uncovered = sorted(o for o in longs
                           if o not in words and not any(s in words and l == o
                                                         for s, l in shorts.items()))
        self.assertEqual(uncovered, [], "options of --help without a bad-input case")
        for command in ["run", "devices", "sweep", "calibrate", "merge", "scale", "compare"]:
            self.assertIn(command, words, "command without a bad-input case")


if __name__ == "__main__":
    unittest.main(verbosity=2)

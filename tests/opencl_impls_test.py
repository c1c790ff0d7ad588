#!/usr/bin/env python3
"""mcpi on each OpenCL implementation scripts/deps opencl-impls registered.

Usage (CTest, tests/opencl_impls.cmake): opencl_impls_test.py IMPL CHECK [PROGRAM]
  IMPL   pocl, intel, rusticl or oclgrind: DIR/IMPL/env (DIR = $MCPI_OPENCL_IMPLS)
         selects it; without it the test skips (exit 77) with the reason
         DIR/IMPL/skipped gives, never passes
  CHECK  unit      PROGRAM (test_opencl) on IMPL: known answers, odd ranges, N near
                   2^64, every work-group size up to the kernel's real maximum, tiny
                   launches, every kernel path
         exact     mcpi runs of several (seed, range) pairs, each in several
                   geometries (work-group 1, 7, the kernel's maximum; --ocl-vector 1,
                   and 4, 16 on CPU devices; --per-item 1; --launch-samples 37):
                   exit 0 and the serial backend's hits, every one; and a device
                   forced to miscount (MCPI_TEST_MISCOUNT, test-hook builds) fails
                   with exit 1 instead of reporting wrong hits
         selftest  mcpi selftest -b opencl: exit 0, one PASS line
         checks    (oclgrind) the runs of exact with OCLGRIND_CHECK_API,
                   OCLGRIND_DATA_RACES and OCLGRIND_UNINITIALIZED: the scalar (GPU)
                   path reports nothing (work-groups above 512 without the third,
                   which makes Oclgrind 21.10 crawl there); the vector paths with
                   the first two (the third crashes Oclgrind 21.10 on any vector
                   comparison: see oclgrind-bug)
         oclgrind-bug  the five-line kernel tests/data/oclgrind/vector_compare.cl
                   under oclgrind-kernel: runs without --uninitialized, and with it
                   still crashes Oclgrind (when it stops crashing, this test fails
                   so that the vector paths get that check too)
Environment: MCPI_BIN, MCPI_OPENCL_IMPLS, MCPI_TEST_HOOKS, MCPI_TEST_DATA_DIR and the
private caches of MCPI_TEST_ENV.
"""
import json
import os
import subprocess
import sys
import tempfile

MCPI = os.environ.get("MCPI_BIN", "build/mcpi")
IMPLS = os.environ.get("MCPI_OPENCL_IMPLS", "build-test/opencl-impls")
HOOKS = os.environ.get("MCPI_TEST_HOOKS", "0") in ("1", "ON", "TRUE", "true")
DATA = os.environ.get("MCPI_TEST_DATA_DIR",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
SKIP = 77
OCLGRIND_ALL = {"OCLGRIND_CHECK_API": "1", "OCLGRIND_DATA_RACES": "1",
                "OCLGRIND_UNINITIALIZED": "1"}
OCLGRIND_NO_UNINIT = {"OCLGRIND_CHECK_API": "1", "OCLGRIND_DATA_RACES": "1"}
# What Oclgrind's checks print on stderr (its plugins' messages).
OCLGRIND_REPORTS = ("Invalid ", "Uninitialized", "uninitialized", "data race", "Oclgrind -",
                    "OpenCL runtime error", "Undefined", "Work-group divergence")


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def impl_env(impl):
    """The environment selecting impl, or skip with the reason."""
    d = os.path.join(IMPLS, impl)
    envf = os.path.join(d, "env")
    if not os.path.isfile(envf):
        why = f"not installed in {IMPLS} (run scripts/deps opencl-impls {IMPLS})"
        skipped = os.path.join(d, "skipped")
        if os.path.isfile(skipped):
            with open(skipped) as f:
                why = f.read().strip()
        print(f"SKIP: {impl}: {why}", file=sys.stderr)
        sys.exit(SKIP)
    env = dict(os.environ)
    env.pop("MCPI_TEST_MISCOUNT", None)
    with open(envf) as f:
        for line in f:
            k, sep, v = line.rstrip("\n").partition("=")
            if sep:
                env[k] = v
    # A private program cache per test: runs never share state.
    cache = tempfile.mkdtemp(prefix=f"mcpi-{impl}-")
    env["MCPI_CACHE_DIR"] = cache
    env["POCL_CACHE_DIR"] = os.path.join(cache, "pocl")
    return env


def run(env, *args, timeout=600):
    return subprocess.run([MCPI, *args], capture_output=True, text=True, env=env,
                          timeout=timeout)


def device(env):
    """The one OpenCL device of env, as `mcpi devices -f json` lists it."""
    p = run(env, "devices", "-f", "json")
    if p.returncode != 0:
        fail(f"mcpi devices: exit {p.returncode}: {p.stderr.strip()}")
    devs = [d for b in json.loads(p.stdout)["backends"] if b["name"] == "opencl"
            for d in b["devices"]]
    if len(devs) != 1:
        fail(f"expected the implementation's one device, mcpi devices lists {len(devs)}")
    d = devs[0]
    if "geometry" not in d:
        fail(f"{d['id']}: no geometry: {d.get('geometry_error', '?')}")
    return d


def hits_of(p, what):
    if p.returncode != 0:
        fail(f"{what}: exit {p.returncode}: {p.stderr.strip()[-600:]}")
    rows = json.loads(p.stdout)["results"]
    if len(rows) != 1:
        fail(f"{what}: {len(rows)} rows")
    return rows[0]["hits"]


def reference(env, seed, b, end):
    """The serial backend's hits of seed over [b, end)."""
    return hits_of(run(env, "-b", "serial", "-s", str(seed), "--range", f"{b}:{end}", "-r", "1",
                       "-w", "0", "-q", "-f", "json"), "serial")


def oclgrind_reports(p, what):
    """Fails with what Oclgrind's checks printed on p's stderr, if anything."""
    bad = [ln for ln in p.stderr.splitlines() if any(r in ln for r in OCLGRIND_REPORTS)]
    if bad:
        fail(f"{what}: Oclgrind reports:\n" + "\n".join(bad[:20]))


# (seed, begin, end): DESIGN's known answer, odd ends, blocks across 2^33, the end
# of the stream, an all-ones seed across 2^63.  Oclgrind (a simulator, about 20k
# samples/s) takes the short ones.
RANGES = [
    (42, 0, 1000000),
    (7, 12345, 2012345 + 1),
    (5, 2**33 - 500001, 2**33 + 700003),
    (9, 2**64 - 2000001, 2**64 - 1),
    (2**64 - 1, 2**63 - 999999, 2**63 + 1000000),
]
RANGES_SLOW = [
    (7, 12345, 16346),
    (5, 2**33 - 1501, 2**33 + 1503),
    (9, 2**64 - 3001, 2**64 - 1),
]


def geometries(dev):
    kmax = dev["geometry"]["kernel_max_work_group"]
    g = [[]] + [["--work-group", str(s)] for s in sorted({1, 7, kmax}) if s <= kmax]
    g += [["--ocl-vector", "1"], ["--per-item", "1"], ["--launch-samples", "37"],
          ["--ocl-vector", "1", "--work-group", "7", "--launch-samples", "1001"]]
    if dev["type"] == "cpu":
        g += [["--ocl-vector", "4", "--work-group", "7"], ["--ocl-vector", "16"]]
    return g


def wg_of(g):
    return int(g[g.index("--work-group") + 1]) if "--work-group" in g else 0


def exact_runs(env, dev, slow, extra_env=None, vector_ok=True, check_stderr=False,
               select=lambda g: True):
    """Every range in every geometry select takes: exit 0 and the serial
    backend's hits."""
    ranges = RANGES_SLOW if slow else RANGES + RANGES_SLOW
    e = dict(env)
    e.update(extra_env or {})
    runs = 0
    for seed, b, end in ranges:
        want = reference(env, seed, b, end)
        for g in geometries(dev):
            if "--launch-samples" in g and end - b > 5000:
                continue  # tiny launches on the short ranges only: 37 samples a launch
            vec = "--ocl-vector" in g and g[g.index("--ocl-vector") + 1] != "1"
            if vec and not vector_ok:
                continue
            if not select(g):
                continue
            what = f"{dev['id']} seed {seed} [{b}, {end}) {' '.join(g) or 'default geometry'}"
            p = run(e, "-b", "opencl:0.0", "-s", str(seed), "--range", f"{b}:{end}", "-r", "1",
                    "-w", "0", "-q", "-f", "json", *g)
            got = hits_of(p, what)
            if got != want:
                fail(f"{what}: exit 0 with {got} hits, the reference core counts {want}")
            if check_stderr:
                oclgrind_reports(p, what)
            runs += 1
    return runs


def check_unit(impl, env, program):
    p = subprocess.run([program], env=env, capture_output=True, text=True, timeout=1200)
    sys.stdout.write(p.stdout)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        fail(f"test_opencl on {impl}: exit {p.returncode}")


# Long item loops: N = 10^8 on few work-items makes every item run the most
# trips a launch allows (llvmpipe silently ends loops of about 65535 trips;
# mcpi keeps launches below that).
LONG_LOOPS = [["--ocl-vector", "1", "--work-group", "1"],
              ["--ocl-vector", "1", "--work-group", "4"]]


def check_exact(impl, env):
    dev = device(env)
    slow = impl == "oclgrind"
    n = exact_runs(env, dev, slow)
    if not slow:
        want = reference(env, 0, 0, 10**8)
        for g in LONG_LOOPS + ([["--ocl-vector", "4", "--work-group", "1"]]
                               if dev["type"] == "cpu" else []):
            what = f"{dev['id']} N = 10^8 {' '.join(g)}"
            got = hits_of(run(env, "-b", "opencl:0.0", "-n", "1e8", "-r", "1", "-w", "0", "-q",
                              "-f", "json", *g), what)
            if got != want:
                fail(f"{what}: exit 0 with {got} hits, the reference core counts {want}")
            n += 1
    print(f"{impl}: {dev['description']}: {n} runs, every one exact")
    if HOOKS:
        e = dict(env)
        e["MCPI_TEST_MISCOUNT"] = dev["id"]
        n = "2e4" if slow else "1e6"
        p = run(e, "-b", "opencl:0.0", "-n", n, "-r", "1", "-w", "0", "-q", "-f", "json")
        if p.returncode != 1:
            fail(f"a miscounting {dev['id']} exits {p.returncode}, not 1: {p.stderr.strip()}")
        print(f"{impl}: a miscounting device fails (exit 1): {p.stderr.strip().splitlines()[-1:]}")


def check_selftest(impl, env):
    p = run(env, "selftest", "-b", "opencl", timeout=1200)
    sys.stdout.write(p.stdout)
    if p.returncode != 0 or "PASS" not in p.stdout:
        fail(f"mcpi selftest on {impl}: exit {p.returncode}: {p.stderr.strip()}")


def check_oclgrind(env):
    dev = device(env)
    # OCLGRIND_UNINITIALIZED slows Oclgrind 21.10 down by orders of magnitude
    # at work-group 1024 (over 60 s for 500 samples that take 0.3 s at 512):
    # the kernel's maximum gets the other two checks.
    n = exact_runs(env, dev, True, OCLGRIND_ALL, vector_ok=False, check_stderr=True,
                   select=lambda g: wg_of(g) <= 512)
    n += exact_runs(env, dev, True, OCLGRIND_NO_UNINIT, vector_ok=False, check_stderr=True,
                    select=lambda g: wg_of(g) > 512)
    print(f"scalar path, every Oclgrind check on: {n} runs, nothing reported")
    # The vector paths (a CPU device's) on Oclgrind, a GPU-kind device: forced.
    # Oclgrind 21.10 miscounts there at some work-group sizes (at random: its
    # vector comparisons are wrong, see oclgrind-bug), so a run either gives the
    # reference hits with exit 0 or fails with exit 1 saying so: never a wrong
    # number with exit 0.
    m = caught = 0
    for seed, b, end in RANGES_SLOW[:2]:
        want = reference(env, seed, b, end)
        for v in ("4", "8", "16"):
            for wg in ("1", "7", "64"):
                e = dict(env)
                e.update(OCLGRIND_NO_UNINIT)
                what = f"vector {v} work-group {wg} seed {seed} [{b}, {end})"
                p = run(e, "-b", "opencl:0.0", "-s", str(seed), "--range", f"{b}:{end}", "-r",
                        "1", "-w", "0", "-q", "-f", "json", "--ocl-vector", v, "--work-group", wg)
                oclgrind_reports(p, what)
                if p.returncode == 1 and "the device computes wrong results" in p.stderr:
                    caught += 1
                elif hits_of(p, what) != want:
                    fail(f"{what}: exit 0 with wrong hits")
                m += 1
    print(f"vector paths, API and data-race checks on: {m} runs, nothing reported; "
          f"{m - caught} exact, {caught} miscounted by Oclgrind and failed (exit 1)")


def check_oclgrind_bug(env):
    sim = os.path.join(DATA, "oclgrind", "vector_compare.sim")
    tool = "oclgrind-kernel"
    plain = subprocess.run([tool, sim], capture_output=True, text=True, env=env,
                           cwd=os.path.dirname(sim), timeout=120)
    if plain.returncode != 0:
        fail(f"{tool} {sim}: exit {plain.returncode}: {plain.stderr.strip()}")
    checked = subprocess.run([tool, "--uninitialized", sim], capture_output=True, text=True,
                             env=env, cwd=os.path.dirname(sim), timeout=120)
    if checked.returncode >= 0:
        fail(f"{tool} --uninitialized no longer crashes on a vector comparison (exit "
             f"{checked.returncode}): run the vector paths with OCLGRIND_UNINITIALIZED too "
             "(tests/opencl_impls_test.py, check_oclgrind) and retire this test")
    print(f"{tool} --uninitialized on a five-line vector comparison: killed by signal "
          f"{-checked.returncode} (Oclgrind's bug, not the kernel's)")


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    impl, check = sys.argv[1], sys.argv[2]
    env = impl_env(impl)
    if check == "unit":
        check_unit(impl, env, sys.argv[3])
    elif check == "exact":
        check_exact(impl, env)
    elif check == "selftest":
        check_selftest(impl, env)
    elif check == "checks":
        check_oclgrind(env)
    elif check == "oclgrind-bug":
        check_oclgrind_bug(env)
    else:
        print(f"unknown check '{check}'", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

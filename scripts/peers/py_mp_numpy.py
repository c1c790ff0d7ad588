#!/usr/bin/python3
"""py_mp_numpy.py - the tutorial's "NumPy plus a process pool" version in
Python 3: multiprocessing.Pool with one worker per core, each counting chunks
of CHUNK samples (10^6) with NumPy, every task seeded on its own.

Usage: py_mp_numpy.py N [SEED] [--procs P] [--chunk C]
Output: {"hits": H, "samples": N, "time_s": T, "pi": P, "procs": P,
         "rss_sum_kb": S} on one line; T includes starting the pool (what a
user waits for); rss_sum_kb adds up the peak RSS of the parent and of every
worker (a pool's memory is the sum over its processes)."""
import json
import multiprocessing
import os
import resource
import sys
import time

import numpy


def count_chunk(args):
    seed, n = args
    rng = numpy.random.RandomState(seed)
    x = rng.random_sample(n)
    y = rng.random_sample(n)
    return int(numpy.count_nonzero(x * x + y * y < 1.0))


def worker_rss(_):
    time.sleep(0.05)  # make sure every worker gets one of these tasks
    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    argv = sys.argv[1:]
    opts = {"--procs": os.cpu_count() or 1, "--chunk": 10**6}
    for k in list(opts):
        if k in argv:
            i = argv.index(k)
            opts[k] = int(float(argv[i + 1]))
            del argv[i:i + 2]
    n = int(float(argv[0]))
    seed = int(argv[1]) if len(argv) > 1 else 0
    procs, chunk = opts["--procs"], opts["--chunk"]
    tasks = [(seed * 1000003 + i, min(chunk, n - s)) for i, s in enumerate(range(0, n, chunk))]
    t0 = time.perf_counter()
    with multiprocessing.Pool(procs) as pool:
        hits = sum(pool.imap_unordered(count_chunk, tasks, chunksize=4))
        t = time.perf_counter() - t0
        rss = dict(pool.map(worker_rss, range(procs * 4), chunksize=1))
    rss_sum = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + sum(rss.values())
    print(json.dumps({"hits": hits, "samples": n, "time_s": t, "pi": 4.0 * hits / n,
                      "procs": procs, "rss_sum_kb": rss_sum}))


if __name__ == "__main__":
    main()

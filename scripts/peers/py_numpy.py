#!/usr/bin/python3
"""py_numpy.py - the tutorial's NumPy version in Python 3.

Default: chunked, CHUNK samples at a time (10^6), so memory stays bounded
whatever N is.  --literal: the tutorial's program as written, which draws all
N points at once (x, y, x*x, y*y, their sum, sqrt, the mask and where()'s index
array all live at the same time: about 40 bytes per sample or more).

Usage: py_numpy.py N [SEED] [--literal] [--chunk C]
Output: {"hits": H, "samples": N, "time_s": T, "pi": P} on one line.
A different stream from mcpi (NumPy's Mersenne Twister, doubles)."""
import json
import sys
import time

import numpy


def pi_numpy(total):
    """The tutorial's version: every sample in memory at once."""
    x = numpy.random.rand(total)
    y = numpy.random.rand(total)
    dist = numpy.sqrt(x * x + y * y)
    count_inside = len(numpy.where(dist < 1)[0])
    return count_inside


def pi_numpy_chunked(total, chunk):
    """The same work, `chunk` samples at a time: O(chunk) memory."""
    count_inside = 0
    done = 0
    while done < total:
        n = min(chunk, total - done)
        x = numpy.random.rand(n)
        y = numpy.random.rand(n)
        count_inside += int(numpy.count_nonzero(x * x + y * y < 1.0))
        done += n
    return count_inside


def main():
    argv = sys.argv[1:]
    chunk = 10**6
    if "--chunk" in argv:
        i = argv.index("--chunk")
        chunk = int(float(argv[i + 1]))
        del argv[i:i + 2]
    args = [a for a in argv if not a.startswith("--")]
    n = int(float(args[0]))
    numpy.random.seed(int(args[1]) if len(args) > 1 else 0)
    t0 = time.perf_counter()
    hits = pi_numpy(n) if "--literal" in argv else pi_numpy_chunked(n, chunk)
    t = time.perf_counter() - t0
    print(json.dumps({"hits": hits, "samples": n, "time_s": t, "pi": 4.0 * hits / n}))


if __name__ == "__main__":
    main()

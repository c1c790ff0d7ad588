#!/usr/bin/python3
"""py_plain.py - the tutorial's plain Python loop (EuroPython 2012, "Faster
Python Programs through Optimization"), in Python 3: random.random() for x and
y, math.sqrt (or, with --hypot, math.hypot) and a counter.

Usage: py_plain.py N [SEED] [--hypot]
Output: {"hits": H, "samples": N, "time_s": T, "pi": P} on one line (T: the loop only).
A different stream from mcpi (Mersenne Twister, doubles): hits differ."""
import json
import math
import random
import sys
import time


def pi_plain(total):
    """Calculate pi with `total` hits (the tutorial's version)."""
    count_inside = 0
    for _ in range(int(total)):
        x = random.random()
        y = random.random()
        dist = math.sqrt(x * x + y * y)
        if dist < 1:
            count_inside += 1
    return count_inside


def pi_math(total):
    """The tutorial's math.hypot version."""
    count_inside = 0
    hypot = math.hypot
    rnd = random.random
    for _ in range(int(total)):
        if hypot(rnd(), rnd()) < 1:
            count_inside += 1
    return count_inside


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(float(args[0]))
    random.seed(int(args[1]) if len(args) > 1 else 0)
    fn = pi_math if "--hypot" in sys.argv else pi_plain
    t0 = time.perf_counter()
    hits = fn(n)
    t = time.perf_counter() - t0
    print(json.dumps({"hits": hits, "samples": n, "time_s": t, "pi": 4.0 * hits / n}))


if __name__ == "__main__":
    main()

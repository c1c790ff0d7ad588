/* split.c - exact contiguous splits of a sample range. */
#include <math.h>

#include "mcpi_mpi.h"

void mcpi_split_range(uint64_t begin, uint64_t end, uint64_t parts, uint64_t k, uint64_t *b,
                      uint64_t *e)
{
    /* n = end - begin never overflows; part k gets q samples plus one more
     * when k < r.  k*q <= n and min(k, r) <= r < parts keep every offset
     * below n, so begin + offset never wraps. */
    uint64_t n = end > begin ? end - begin : 0;
    if (parts == 0 || k >= parts) {
        *b = *e = end > begin ? end : begin;
        return;
    }
    uint64_t q = n / parts, r = n % parts;
    uint64_t off = k * q + (k < r ? k : r);
    *b = begin + off;
    *e = *b + q + (k < r ? 1 : 0);
}

/* A weight that can take part: finite and positive (no NaN, no infinity:
 * either would make every cut meaningless). */
static long double usable(double w)
{
    return isfinite(w) && w > 0 ? (long double)w : 0;
}

void mcpi_split_weighted(uint64_t n, const double *w, uint64_t parts, uint64_t *cut)
{
    long double total = 0;
    for (uint64_t k = 0; k < parts; ++k)
        total += usable(w[k]);
    cut[0] = 0;
    long double acc = 0;
    for (uint64_t k = 1; k < parts; ++k) {
        if (!(total > 0)) { /* no usable weight: the even split */
            uint64_t b, e;
            mcpi_split_range(0, n, parts, k, &b, &e);
            cut[k] = b;
            continue;
        }
        acc += usable(w[k - 1]);
        long double x = (long double)n * (acc / total);
        uint64_t c = x >= (long double)n ? n : (uint64_t)x;
        cut[k] = c < cut[k - 1] ? cut[k - 1] : c; /* monotone whatever the rounding */
    }
    cut[parts] = n;
}

/* split.c - exact contiguous splits of a sample range. */
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

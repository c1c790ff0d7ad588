/* backend_naive.c - the tutorial's plain loop, in C: two libc random doubles,
 * sqrt, compare with 1.  A teaching row: it does NOT follow the normative
 * sample stream, so its hits differ from every other row by design (the
 * record says exact = 0).  erand48 keeps its state in the caller, so a range
 * is reproducible for a (seed, begin) pair, but not splittable. */
#define _XOPEN_SOURCE 700 /* erand48 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu.h"
#include "mcpi.h"

static int naive_list(mcpi_device_desc *out, size_t cap, size_t *count, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    *count = 1;
    if (cap > 0)
        mcpi_cpu_device(out, "naive", "scalar double", 1, 1);
    return MCPI_OK;
}

static int naive_open(const mcpi_device_desc *dev, const mcpi_config *cfg, void **state,
                      mcpi_record *rec, char *err, size_t errlen)
{
    (void)cfg;
    (void)err;
    (void)errlen;
    snprintf(rec->device, sizeof rec->device, "%.96s (1 core, erand48 + sqrt)", dev->description);
    rec->threads = 1;
    rec->exact = 0;
    *state = NULL;
    return MCPI_OK;
}

static int naive_count(void *state, uint64_t seed, uint64_t begin, uint64_t end, unsigned flags,
                       uint64_t *hits, mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen)
{
    (void)state;
    (void)flags;
    (void)rec;
    (void)err;
    (void)errlen;
    double t0 = mcpi_now();
    uint64_t mix = seed ^ (begin * 0x9E3779B97F4A7C15ull);
    unsigned short xsubi[3] = {(unsigned short)mix, (unsigned short)(mix >> 16),
                               (unsigned short)(mix >> 32 ^ mix >> 48)};
    uint64_t inside = 0;
    for (uint64_t i = begin; i < end; ++i) {
        double x = erand48(xsubi);
        double y = erand48(xsubi);
        if (sqrt(x * x + y * y) < 1.0)
            ++inside;
    }
    *hits = inside;
    mcpi_phases_add(ph, MCPI_PHASE_KERNEL, mcpi_now() - t0);
    return MCPI_OK;
}

static void naive_close(void *state)
{
    (void)state;
}

const mcpi_backend mcpi_backend_naive = {
    .name = "naive",
    .summary = "the tutorial's plain loop: erand48, double, sqrt (teaching row, not exact)",
    .exact = 0,
    .inexact_note = "the tutorial's plain loop (libc generator, double, sqrt)",
    .list = naive_list,
    .open = naive_open,
    .count = naive_count,
    .close = naive_close,
};

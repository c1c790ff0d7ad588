/* sched_plan.h (private to the scheduler) - the chunk plan of one pass:
 * the front of the to-do list, the verification chunks reserved in it, how
 * big the next chunk of a worker is, and what every finished chunk left
 * (sched_plan.c).  Everything here runs under the pass's mutex. */
#ifndef MCPI_SCHED_PLAN_H
#define MCPI_SCHED_PLAN_H

#include <stdint.h>

#include "intervals.h"
#include "scheduler.h"

/* Verification chunks reserved per worker and pass, and the smallest
 * chunk a worker is handed once its rate is known. */
#define MCPI_PLAN_VERIFY_PER_WORKER 2
#define MCPI_PLAN_MIN_CHUNK (1ull << 16)
/* A pass of at most this many samples is recounted whole in sample mode
 * (the reference core's few milliseconds). */
#define MCPI_PLAN_VERIFY_ALL_BELOW (UINT64_C(1) << 20)
/* A worker's first chunk, before its rate is known: small enough for the
 * slowest exact backend (serial, ~1e8 samples/s: ~40 ms). */
#define MCPI_PLAN_FIRST_CHUNK (1ull << 22)

/* A chunk handed out: [begin, end) to worker.  recount: the reference core
 * recounts it after the pass; sample: a small reserved chunk, counted with
 * MCPI_COUNT_VERIFY (the full launch geometry on fewer samples). */
typedef struct mcpi_chunk {
    uint64_t begin, end, hits;
    size_t worker;
    int recount, sample;
} mcpi_chunk;

/* A growing list of chunks (verification chunks to recount). */
typedef struct mcpi_chunks {
    mcpi_chunk *v;
    size_t n, cap;
} mcpi_chunks;

typedef struct mcpi_plan {
    mcpi_intervals front; /* the to-do list less the reserved chunks */
    size_t fi;            /* front.v[fi] is being handed out ... */
    uint64_t foff;        /* ... from front.v[fi].begin + foff */
    uint64_t unassigned;  /* samples of front not handed out */
    mcpi_chunk reserved[MCPI_MAX_WORKERS * MCPI_PLAN_VERIFY_PER_WORKER];
    int reserved_taken[MCPI_MAX_WORKERS * MCPI_PLAN_VERIFY_PER_WORKER];
    size_t nreserved;
    int verify_all;       /* recount every chunk (--verify full, or a short list) */
    uint64_t fixed_chunk; /* test hook: every chunk this size (0 = sized by rate) */
} mcpi_plan;

/* Plans a pass over todo for n workers: reserves verification chunks at
 * random positions (rng seeds them) unless mode is off, or verifies every
 * chunk when the list is too short to hold them apart.  0 or MCPI_ENOMEM. */
int mcpi_plan_init(mcpi_plan *p, const mcpi_intervals *todo, const mcpi_worker *w, size_t n,
                   mcpi_verify_mode mode, uint64_t rng);
void mcpi_plan_free(mcpi_plan *p);

/* The next chunk of worker k (0 = none left for it): a reserved one the front
 * has passed, else a front chunk sized from the worker's rate (and, with
 * several workers, at most half its proportional share of what is left),
 * else its last reserved ones. */
int mcpi_plan_next(mcpi_plan *p, const mcpi_worker *w, size_t n, size_t k, mcpi_chunk *out);

int mcpi_chunks_push(mcpi_chunks *c, const mcpi_chunk *x);
void mcpi_chunks_free(mcpi_chunks *c);

#endif /* MCPI_SCHED_PLAN_H */

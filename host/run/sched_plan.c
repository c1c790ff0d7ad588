/* sched_plan.c - the chunk plan of one pass (see sched_plan.h). */
#include "sched_plan.h"

#include <stdlib.h>
#include <string.h>

#include "fault.h"

/* splitmix64: the verification positions' random numbers. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The smallest chunk that runs worker w's whole code path. */
static uint64_t verify_unit(const mcpi_worker *w)
{
    uint64_t v = w->backend->verify_samples ? w->backend->verify_samples(w->state) : 0;
    return v > 0 ? v : 4096;
}

/* Reserves one chunk of len samples for worker k at a random position of
 * todo that overlaps no other reservation: 1 when placed. */
static int reserve_one(mcpi_plan *p, const mcpi_intervals *todo, uint64_t total, uint64_t len,
                       size_t k, uint64_t *rng)
{
    for (int attempt = 0; attempt < 8; ++attempt) {
        uint64_t at = next_random(rng) % total;
        size_t i = 0;
        while (at >= todo->v[i].end - todo->v[i].begin) {
            at -= todo->v[i].end - todo->v[i].begin;
            ++i;
        }
        uint64_t b = todo->v[i].begin + at;
        if (todo->v[i].end - b < len)
            continue;
        int clash = 0;
        for (size_t r = 0; r < p->nreserved; ++r)
            clash |= b < p->reserved[r].end && p->reserved[r].begin < b + len;
        if (clash)
            continue;
        p->reserved[p->nreserved++] = (mcpi_chunk){b, b + len, 0, k, 1, 1};
        return 1;
    }
    return 0;
}

/* The front: todo less the reservations. */
static int make_front(mcpi_plan *p, const mcpi_intervals *todo)
{
    mcpi_intervals held;
    mcpi_intervals_init(&held);
    int rc = MCPI_OK;
    for (size_t r = 0; r < p->nreserved && rc == MCPI_OK; ++r)
        rc = mcpi_intervals_add(&held, p->reserved[r].begin, p->reserved[r].end, 0);
    for (size_t i = 0; i < todo->n && rc == MCPI_OK; ++i) {
        mcpi_intervals gaps, part;
        mcpi_intervals_init(&gaps);
        mcpi_intervals_init(&part);
        for (size_t r = 0; r < held.n && rc == MCPI_OK; ++r)
            if (held.v[r].begin >= todo->v[i].begin && held.v[r].end <= todo->v[i].end)
                rc = mcpi_intervals_add(&part, held.v[r].begin, held.v[r].end, 0);
        if (rc == MCPI_OK)
            rc = mcpi_intervals_complement(&part, todo->v[i].begin, todo->v[i].end, &gaps);
        if (rc == MCPI_OK)
            rc = mcpi_intervals_add_all(&p->front, &gaps);
        mcpi_intervals_free(&gaps);
        mcpi_intervals_free(&part);
    }
    mcpi_intervals_free(&held);
    p->unassigned = mcpi_intervals_samples(&p->front);
    return rc;
}

int mcpi_plan_init(mcpi_plan *p, const mcpi_intervals *todo, const mcpi_worker *w, size_t n,
                   mcpi_verify_mode mode, uint64_t rng)
{
    memset(p, 0, sizeof *p);
    mcpi_intervals_init(&p->front);
    p->fixed_chunk = mcpi_fault_fixed_chunk();
    uint64_t total = mcpi_intervals_samples(todo), room = 0;
    int exact = 1;
    for (size_t k = 0; k < n; ++k) {
        room += 8 * MCPI_PLAN_VERIFY_PER_WORKER * verify_unit(&w[k]);
        exact &= w[k].backend->exact;
    }
    if (!exact || mode == MCPI_VERIFY_OFF || total == 0)
        return make_front(p, todo);
    /* A list too short to hold the reservations well apart, or one the
     * reference core recounts in a few milliseconds, is recounted whole:
     * that costs little, and nothing goes unchecked (a device may miscount
     * only in its large launches, which a small run's reservations miss). */
    p->verify_all = mode == MCPI_VERIFY_FULL || total < room || total <= MCPI_PLAN_VERIFY_ALL_BELOW;
    /* The reservations still give every worker its share of checked work
     * (in a short pass one worker may otherwise count everything). */
    for (size_t k = 0; k < n && mode != MCPI_VERIFY_FULL && total >= room; ++k)
        for (int j = 0; j < MCPI_PLAN_VERIFY_PER_WORKER; ++j)
            reserve_one(p, todo, total, verify_unit(&w[k]), k, &rng);
    return make_front(p, todo);
}

void mcpi_plan_free(mcpi_plan *p)
{
    mcpi_intervals_free(&p->front);
}

/* Where the front stands: the next sample it hands out (UINT64_MAX when done). */
static uint64_t front_at(const mcpi_plan *p)
{
    return p->fi < p->front.n ? p->front.v[p->fi].begin + p->foff : UINT64_MAX;
}

/* A reserved chunk of worker k: one the front has passed (passed = 1), or
 * any (passed = 0).  Index or -1. */
static int reserved_of(const mcpi_plan *p, size_t k, int passed)
{
    uint64_t at = front_at(p);
    for (size_t r = 0; r < p->nreserved; ++r)
        if (!p->reserved_taken[r] && p->reserved[r].worker == k &&
            (!passed || p->reserved[r].begin < at))
            return (int)r;
    return -1;
}

/* The size of worker k's next front chunk. */
static uint64_t chunk_size(const mcpi_plan *p, const mcpi_worker *w, size_t n, size_t k)
{
    if (p->fixed_chunk)
        return p->fixed_chunk;
    if (!w[k].backend->exact)
        return UINT64_MAX; /* not splittable: the whole interval */
    if (w[k].rate <= 0) {  /* a first chunk: small, and with company no more than its part */
        uint64_t part = n > 1 ? p->unassigned / (2 * n) : UINT64_MAX;
        part = part > MCPI_PLAN_MIN_CHUNK ? part : MCPI_PLAN_MIN_CHUNK;
        return part < MCPI_PLAN_FIRST_CHUNK ? part : MCPI_PLAN_FIRST_CHUNK;
    }
    double size = w[k].rate * MCPI_SCHED_CHUNK_S;
    if (n > 1) {
        double sum = 0, floor = w[k].rate * 2e-3;
        for (size_t j = 0; j < n; ++j)
            sum += w[j].rate > 0 ? w[j].rate : w[k].rate;
        double fair = (double)p->unassigned * (w[k].rate / sum) / 2;
        if (floor < (double)MCPI_PLAN_MIN_CHUNK)
            floor = (double)MCPI_PLAN_MIN_CHUNK;
        size = fair < size ? (fair > floor ? fair : floor) : size;
    }
    return size >= 1.8e19 ? UINT64_MAX : size < 1 ? 1 : (uint64_t)size;
}

int mcpi_plan_next(mcpi_plan *p, const mcpi_worker *w, size_t n, size_t k, mcpi_chunk *out)
{
    int r = reserved_of(p, k, 1);
    if (r < 0 && p->fi >= p->front.n)
        r = reserved_of(p, k, 0);
    if (r >= 0) {
        p->reserved_taken[r] = 1;
        *out = p->reserved[r];
        return 1;
    }
    if (p->fi >= p->front.n)
        return 0;
    const mcpi_interval *iv = &p->front.v[p->fi];
    uint64_t b = iv->begin + p->foff, avail = iv->end - b;
    uint64_t len = chunk_size(p, w, n, k);
    len = len < avail ? len : avail;
    *out = (mcpi_chunk){b, b + len, 0, k, p->verify_all && w[k].backend->exact, 0};
    p->unassigned -= len;
    p->foff += len;
    if (p->foff == iv->end - iv->begin) {
        ++p->fi;
        p->foff = 0;
    }
    return 1;
}

int mcpi_chunks_push(mcpi_chunks *c, const mcpi_chunk *x)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        mcpi_chunk *v = realloc(c->v, cap * sizeof *v);
        if (v == NULL)
            return MCPI_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    c->v[c->n++] = *x;
    return MCPI_OK;
}

void mcpi_chunks_free(mcpi_chunks *c)
{
    free(c->v);
    memset(c, 0, sizeof *c);
}

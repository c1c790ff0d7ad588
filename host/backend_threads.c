/* backend_threads.c - every core: a pool of POSIX threads, created once per
 * open and reused across repeats, each running the SIMD counter on an exact
 * contiguous share of the range.  The calling thread takes share 0, so a
 * small range that needs one share wakes nobody. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "mcpi.h"
#include "simd.h"

/* Below this many samples per share, fewer threads are faster: waking a
 * thread costs tens of microseconds, about 2^16 samples of work. */
#define MCPI_THREADS_MIN_SHARE (1u << 16)

typedef struct slot {
    uint64_t hits;
    char pad[64 - sizeof(uint64_t)]; /* one cache line per thread */
} slot;

typedef struct pool {
    unsigned n; /* shares, = threads including the caller */
    pthread_t *tid;
    unsigned started; /* worker threads actually created */
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long generation;
    unsigned pending;
    int quit;
    /* the job of the current generation */
    uint64_t seed, begin, end;
    unsigned active;
    slot *slots;
    mcpi_simd_impl simd;
} pool;

typedef struct worker_arg {
    pool *p;
    unsigned index;
} worker_arg;

static void run_share(pool *p, unsigned k)
{
    uint64_t b, e;
    mcpi_split_range(p->begin, p->end, p->active, k, &b, &e);
    p->slots[k].hits = p->simd.count(p->seed, b, e);
}

static void *worker(void *varg)
{
    worker_arg *a = varg;
    pool *p = a->p;
    unsigned k = a->index;
    free(a);
    unsigned long seen = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->quit && p->generation == seen)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit)
            break;
        seen = p->generation;
        if (k >= p->active)
            continue;
        pthread_mutex_unlock(&p->mu);
        run_share(p, k);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static unsigned default_threads(const mcpi_config *cfg)
{
    if (cfg->threads > 0)
        return cfg->threads;
    /* Under MPI the node's cores are divided among its local ranks; a rank
     * bound to fewer cores than that gets what its affinity mask allows. */
    unsigned per_rank = mcpi_cpu_online() / (cfg->ranks_per_node ? cfg->ranks_per_node : 1u);
    unsigned usable = mcpi_cpu_usable();
    unsigned n = per_rank < usable ? per_rank : usable;
    return n > 0 ? n : 1u;
}

static int threads_list(mcpi_device_desc *out, size_t cap, size_t *count, char *err,
                        size_t errlen)
{
    mcpi_simd_impl simd;
    int rc = mcpi_simd_select(NULL, &simd, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    *count = 1;
    if (cap > 0)
        mcpi_cpu_device(out, "threads", simd.name, simd.lanes, mcpi_cpu_usable());
    return MCPI_OK;
}

static void pool_destroy(pool *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->quit = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->started; ++i)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->go);
    pthread_mutex_destroy(&p->mu);
    free(p->tid);
    free(p->slots);
    free(p);
}

static int threads_open(const mcpi_device_desc *dev, const mcpi_config *cfg, void **state,
                        mcpi_record *rec, char *err, size_t errlen)
{
    double t0 = mcpi_now();
    pool *p = calloc(1, sizeof *p);
    if (p == NULL) {
        mcpi_set_error(err, errlen, "threads: out of memory");
        return MCPI_ENOMEM;
    }
    int rc = mcpi_simd_select(cfg->isa, &p->simd, err, errlen);
    if (rc != MCPI_OK) {
        free(p);
        return rc;
    }
    p->n = default_threads(cfg);
    p->tid = calloc(p->n, sizeof *p->tid);
    p->slots = calloc(p->n, sizeof *p->slots);
    if (p->tid == NULL || p->slots == NULL || pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p->tid);
        free(p->slots);
        free(p);
        mcpi_set_error(err, errlen, "threads: out of memory");
        return MCPI_ENOMEM;
    }
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    for (unsigned i = 1; i < p->n; ++i) {
        worker_arg *a = malloc(sizeof *a);
        if (a != NULL) {
            a->p = p;
            a->index = i;
        }
        if (a == NULL || pthread_create(&p->tid[p->started], NULL, worker, a) != 0) {
            free(a);
            mcpi_set_error(err, errlen, "threads: cannot start thread %u of %u", i + 1, p->n);
            pool_destroy(p);
            return MCPI_EBACKEND;
        }
        ++p->started;
    }
    snprintf(rec->device, sizeof rec->device, "%.80s (%u threads, %.16s)", dev->description, p->n,
             p->simd.name);
    rec->threads = p->n;
    mcpi_phases_add(&rec->phases, MCPI_PHASE_INIT, mcpi_now() - t0);
    *state = p;
    return MCPI_OK;
}

static int threads_count(void *state, uint64_t seed, uint64_t begin, uint64_t end, uint64_t *hits,
                         mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen)
{
    (void)rec;
    (void)err;
    (void)errlen;
    pool *p = state;
    double t0 = mcpi_now();
    uint64_t n = end > begin ? end - begin : 0;
    uint64_t want = n / MCPI_THREADS_MIN_SHARE;
    unsigned active = want >= p->n ? p->n : want > 0 ? (unsigned)want : 1u;
    p->seed = seed;
    p->begin = begin;
    p->end = end;
    p->active = active;
    if (active > 1) {
        pthread_mutex_lock(&p->mu);
        p->pending = active - 1;
        ++p->generation;
        pthread_cond_broadcast(&p->go);
        pthread_mutex_unlock(&p->mu);
    }
    run_share(p, 0);
    if (active > 1) {
        pthread_mutex_lock(&p->mu);
        while (p->pending > 0)
            pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
    double t1 = mcpi_now();
    uint64_t sum = 0;
    for (unsigned k = 0; k < active; ++k)
        sum += p->slots[k].hits;
    *hits = sum;
    mcpi_phases_add(ph, MCPI_PHASE_KERNEL, t1 - t0);
    mcpi_phases_add(ph, MCPI_PHASE_REDUCE, mcpi_now() - t1);
    return MCPI_OK;
}

static void threads_close(void *state)
{
    pool_destroy(state);
}

const mcpi_backend mcpi_backend_threads = {
    "threads", "every core: a reused POSIX thread pool, SIMD counter per thread", 1,
    threads_list, threads_open, threads_count, threads_close,
};

/* backend_threads.c - every core: a pool of POSIX threads, created once per
 * open and reused across repeats, each running the SIMD counter on an exact
 * range.  The calling thread takes part too, so a small range that needs one
 * thread wakes nobody.
 *
 * Shares: a range is cut into blocks (about MCPI_THREADS_BLOCKS_PER_THREAD a
 * thread) that the threads take in turn from a counter, so a thread slowed
 * down mid-range (another process, a hypervisor's other guest) leaves its
 * part to the others instead of holding up the call.  With one fixed share a
 * thread, every count call waited for the slowest share, and the
 * scheduler's chunks made that wait once per chunk.  `scripts/ab --rounds 31`
 * of `mcpi -b threads -n 1e9 -r 1 -w 1` on the 2-core VM, median of paired
 * ratios to one fixed share a thread in a single call (the code before the
 * scheduler): fixed shares in chunks 1.062, blocks in chunks 0.972.  A
 * verification chunk keeps one fixed share a thread, so that every thread's
 * counting is checked.
 *
 * Placement: when the pool has one thread per CPU of the affinity mask, each
 * worker is bound to a CPU other than the caller's (the caller is never
 * moved), and idle workers poll for the next job for MCPI_THREADS_SPIN_S
 * before they sleep; the caller polls for their results the same way.
 * Unbound and sleeping, Linux put the woken worker on the caller's CPU in most
 * fresh runs on a 2-core VM and the two shares ran one after the other.
 * Median of `mcpi -n 1e7 -b threads -r 3` over 8 fresh runs: 3.05-3.59 ms
 * unbound and sleeping, 1.7-7.4 ms polling unbound (a poller on the caller's
 * CPU), 1.57-1.78 ms bound and polling (one run 5.8 ms). */
#define _GNU_SOURCE /* pthread_{get,set}affinity_np, pthread_attr_setaffinity_np */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "mcpi.h"
#include "simd.h"

/* Below this many samples per share, fewer threads are faster: waking a
 * thread costs tens of microseconds, about 2^16 samples of work. */
#define MCPI_THREADS_MIN_SHARE (1u << 16)

/* Samples per share of a verification chunk: enough for each thread's
 * vector path (the SIMD counters count 64 samples and more with vectors). */
#define MCPI_THREADS_VERIFY_SHARE 1024u

/* Blocks a thread of a range (at least MCPI_THREADS_MIN_SHARE samples
 * each): the most a thread can finish after the others is one block. */
#define MCPI_THREADS_BLOCKS_PER_THREAD 32u

/* How long an idle thread polls for the next job before it sleeps. */
#define MCPI_THREADS_SPIN_S 2e-3

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
    atomic_ulong generation; /* written under mu, polled while spinning */
    atomic_uint pending;
    atomic_int quit;
    int spin; /* poll before sleeping: only with a CPU per thread */
    /* The job of the current generation, written under mu with the
     * generation.  A worker takes generation and active together under mu;
     * the active ones read the rest while the caller waits for them. */
    uint64_t seed, begin, end;
    unsigned active;
    uint64_t block, nblocks; /* nblocks 0: one fixed share a thread */
    atomic_ulong next_block;
    slot *slots;
    mcpi_simd_impl simd;
    int bound; /* cpu[k] is share k's CPU */
    int *cpu;
} pool;

typedef struct worker_arg {
    pool *p;
    unsigned index;
} worker_arg;

/* Thread k's part of the current job: blocks from the counter until none is
 * left, or its fixed share. */
static void run_share(pool *p, unsigned k)
{
    uint64_t b, e;
    if (p->nblocks == 0) {
        mcpi_split_range(p->begin, p->end, p->active, k, &b, &e);
        p->slots[k].hits = p->simd.count(p->seed, b, e);
        return;
    }
    uint64_t hits = 0;
    for (;;) {
        uint64_t i = atomic_fetch_add_explicit(&p->next_block, 1ul, memory_order_relaxed);
        if (i >= p->nblocks)
            break;
        b = p->begin + i * p->block; /* i * block < end - begin */
        e = p->end - b > p->block ? b + p->block : p->end;
        hits += p->simd.count(p->seed, b, e);
    }
    p->slots[k].hits = hits;
}

/* The blocks of a job of n samples on active threads (a multiple of 4096
 * samples each, so that blocks start where the vectors of the range do). */
static void plan_blocks(pool *p, uint64_t n, unsigned active, unsigned flags)
{
    p->nblocks = 0;
    if (active < 2 || (flags & MCPI_COUNT_VERIFY))
        return;
    uint64_t block = n / ((uint64_t)active * MCPI_THREADS_BLOCKS_PER_THREAD);
    if (block < MCPI_THREADS_MIN_SHARE)
        block = MCPI_THREADS_MIN_SHARE;
    block = (block + 4095u) & ~(uint64_t)4095u;
    p->block = block;
    p->nblocks = n / block + (n % block != 0);
    atomic_store(&p->next_block, 0ul);
}

static void spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* One step of a bounded poll: pauses, and says whether to go on (the clock is
 * read every 256 steps only). */
static int keep_polling(double until, unsigned *step)
{
    spin_pause();
    return (++*step & 255u) != 0 || mcpi_now() < until;
}

static void *worker(void *varg)
{
    worker_arg *a = varg;
    pool *p = a->p;
    unsigned k = a->index;
    free(a);
    unsigned long seen = 0;
    for (;;) {
        /* No polling before the first job: the thread's first wait goes to
         * sleep, so the sleeping path's stack is touched before any timed
         * repeat (else a first sleep mid-run shows as 4 KiB of growth). */
        if (p->spin && seen != 0) {
            double until = mcpi_now() + MCPI_THREADS_SPIN_S;
            unsigned step = 0;
            while (atomic_load(&p->generation) == seen && !atomic_load(&p->quit) &&
                   keep_polling(until, &step)) {
            }
        }
        pthread_mutex_lock(&p->mu);
        while (!atomic_load(&p->quit) && atomic_load(&p->generation) == seen)
            pthread_cond_wait(&p->go, &p->mu);
        int quit = atomic_load(&p->quit);
        seen = atomic_load(&p->generation);
        unsigned active = p->active; /* of generation seen, not of a later job */
        pthread_mutex_unlock(&p->mu);
        if (quit)
            break;
        if (k >= active)
            continue;
        run_share(p, k);
        if (atomic_fetch_sub(&p->pending, 1u) == 1u) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
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

static int threads_list(mcpi_device_desc *out, size_t cap, size_t *count, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    mcpi_simd_impl simd;
    mcpi_simd_listed(&simd);
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
    atomic_store(&p->quit, 1);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->started; ++i)
        pthread_join(p->tid[i], NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->go);
    pthread_mutex_destroy(&p->mu);
    free(p->cpu);
    free(p->tid);
    free(p->slots);
    free(p);
}

/* The CPUs of the caller's affinity mask, when the pool has exactly one
 * thread per CPU.  A pool smaller than the mask stays unbound: two processes
 * (or MPI ranks without binding) would otherwise both pick the first CPUs. */
static int whole_mask(int *cpu, unsigned n)
{
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    if (pthread_getaffinity_np(pthread_self(), sizeof allowed, &allowed) != 0 ||
        CPU_COUNT(&allowed) != (int)n)
        return 0;
    unsigned k = 0;
    for (int c = 0; c < CPU_SETSIZE && k < n; ++c)
        if (CPU_ISSET(c, &allowed))
            cpu[k++] = c;
    return k == n;
}

/* Worker k starts on its CPU when bound (a failure to bind is not an error:
 * the thread runs unbound). */
static int start_worker(pool *p, unsigned k, worker_arg *a)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return -1;
    if (p->bound) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(p->cpu[k], &one);
        (void)pthread_attr_setaffinity_np(&attr, sizeof one, &one);
    }
    int rc = pthread_create(&p->tid[p->started], &attr, worker, a);
    pthread_attr_destroy(&attr);
    return rc;
}

/* Share 0 runs wherever the caller is (mcpi never moves the caller); the
 * workers take the other CPUs.  When the caller has moved onto a worker's
 * CPU, that worker moves to the caller's old one. */
static void follow_caller(pool *p)
{
    int c = sched_getcpu();
    for (unsigned j = 1; j < p->n; ++j)
        if (p->cpu[j] == c) {
            p->cpu[j] = p->cpu[0];
            p->cpu[0] = c;
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(p->cpu[j], &one);
            (void)pthread_setaffinity_np(p->tid[j - 1], sizeof one, &one);
            return;
        }
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
    p->cpu = calloc(p->n, sizeof *p->cpu);
    if (p->tid == NULL || p->slots == NULL || p->cpu == NULL ||
        pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p->cpu);
        free(p->tid);
        free(p->slots);
        free(p);
        mcpi_set_error(err, errlen, "threads: out of memory");
        return MCPI_ENOMEM;
    }
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->bound = p->n > 1 && whole_mask(p->cpu, p->n);
    p->spin = p->n > 1 && p->n <= mcpi_cpu_usable();
    for (unsigned i = 1; i < p->n; ++i) {
        worker_arg *a = malloc(sizeof *a);
        if (a == NULL) {
            mcpi_set_error(err, errlen, "threads: out of memory starting thread %u of %u", i + 1,
                           p->n);
            pool_destroy(p);
            return MCPI_ENOMEM;
        }
        a->p = p;
        a->index = i;
        if (start_worker(p, i, a) != 0) {
            free(a);
            mcpi_set_error(err, errlen, "threads: cannot start thread %u of %u", i + 1, p->n);
            pool_destroy(p);
            return MCPI_EBACKEND;
        }
        ++p->started;
    }
    snprintf(rec->device, sizeof rec->device, "%.80s (%u thread%s%s, %.16s)", dev->description,
             p->n, p->n == 1 ? "" : "s", p->bound ? " bound" : "", p->simd.name);
    rec->threads = p->n;
    mcpi_phases_add(&rec->phases, MCPI_PHASE_INIT, mcpi_now() - t0);
    *state = p;
    return MCPI_OK;
}

static int threads_count(void *state, uint64_t seed, uint64_t begin, uint64_t end, unsigned flags,
                         uint64_t *hits, mcpi_phases *ph, mcpi_record *rec, char *err,
                         size_t errlen)
{
    (void)rec;
    (void)err;
    (void)errlen;
    pool *p = state;
    double t0 = mcpi_now();
    uint64_t n = end > begin ? end - begin : 0;
    /* A verification chunk is small but runs every share, as a large one
     * does; otherwise small ranges wake fewer threads. */
    uint64_t min_share =
        (flags & MCPI_COUNT_VERIFY) ? MCPI_THREADS_VERIFY_SHARE : MCPI_THREADS_MIN_SHARE;
    uint64_t want = n / min_share;
    unsigned active = want >= p->n ? p->n : want > 0 ? (unsigned)want : 1u;
    if (active > 1 && p->bound)
        follow_caller(p);
    /* Under mu: a worker left out of the previous job may be reading active. */
    pthread_mutex_lock(&p->mu);
    p->seed = seed;
    p->begin = begin;
    p->end = end;
    p->active = active;
    plan_blocks(p, n, active, flags);
    if (active > 1) {
        atomic_store(&p->pending, active - 1);
        atomic_fetch_add(&p->generation, 1ul);
        pthread_cond_broadcast(&p->go);
    }
    pthread_mutex_unlock(&p->mu);
    run_share(p, 0);
    if (active > 1) {
        if (p->spin) {
            double until = mcpi_now() + MCPI_THREADS_SPIN_S;
            unsigned step = 0;
            while (atomic_load(&p->pending) > 0 && keep_polling(until, &step)) {
            }
        }
        pthread_mutex_lock(&p->mu);
        while (atomic_load(&p->pending) > 0)
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

static uint64_t threads_verify_samples(void *state)
{
    const pool *p = state;
    return (uint64_t)p->n * MCPI_THREADS_VERIFY_SHARE;
}

const mcpi_backend mcpi_backend_threads = {
    .name = "threads",
    .summary = "every core: a reused POSIX thread pool, SIMD counter per thread",
    .exact = 1,
    .list = threads_list,
    .open = threads_open,
    .count = threads_count,
    .close = threads_close,
    .verify_samples = threads_verify_samples,
};

/* test_ranks.c - the ranks layer (mpi/include/mcpi_mpi.h) without MPI: a
 * fake communicator runs several ranks as threads of this process, so
 * agreement, the fold of every rank's record into the job's row, the rank
 * split and the local-device binding are tested for 1, 2, 3 and 5 ranks
 * exactly as the runner drives them.
 *
 * Rank threads never call cmocka (its failures longjmp into the test's own
 * thread): each rank writes what it saw into its slot and the test thread
 * asserts after joining them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi_mpi.h"

#define MAX_RANKS 5
#define MAX_DOUBLES 16
#define MAX_GATHER (sizeof(mcpi_record))

static const int rank_counts[] = {1, 2, 3, 5};

/* ---- the fake communicator ------------------------------------------------
 *
 * Every collective is "publish my slot, barrier, read every slot, barrier":
 * the second barrier keeps a fast rank from overwriting its slot for the
 * next collective while a slow one still reads this one. */

typedef struct fake_world fake_world;
struct fake_world {
    int size;
    pthread_barrier_t barrier;
    /* per-rank slots of the collective in progress */
    const uint64_t *u64[MAX_RANKS];
    const double *dbl[MAX_RANKS];
    int ints[MAX_RANKS];
    const void *bytes[MAX_RANKS];
    /* injected failures: rank r's min_int reports an MPI error */
    int min_int_fails[MAX_RANKS];
    /* what abort saw */
    int abort_calls[MAX_RANKS];
    int abort_code[MAX_RANKS];
    int collectives[MAX_RANKS]; /* min_int calls per rank */
};

static void fake_sync(fake_world *w)
{
    pthread_barrier_wait(&w->barrier);
}

static fake_world *world_of(mcpi_comm *c)
{
    return c->impl;
}

static int fake_barrier(mcpi_comm *c)
{
    fake_sync(world_of(c));
    return MCPI_OK;
}

static int fake_sum_u64(mcpi_comm *c, uint64_t *v, int n)
{
    fake_world *w = world_of(c);
    uint64_t sum[MAX_DOUBLES] = {0};
    w->u64[c->rank] = v;
    fake_sync(w);
    for (int r = 0; r < w->size; ++r)
        for (int i = 0; i < n && i < MAX_DOUBLES; ++i)
            sum[i] += w->u64[r][i]; /* wraps modulo 2^64, as MPI_SUM of MPI_UINT64_T */
    fake_sync(w);
    for (int i = 0; i < n && i < MAX_DOUBLES; ++i)
        v[i] = sum[i];
    return MCPI_OK;
}

static int fake_max_doubles(mcpi_comm *c, double *v, int n)
{
    fake_world *w = world_of(c);
    double max[MAX_DOUBLES];
    w->dbl[c->rank] = v;
    fake_sync(w);
    for (int i = 0; i < n && i < MAX_DOUBLES; ++i) {
        max[i] = w->dbl[0][i];
        for (int r = 1; r < w->size; ++r)
            max[i] = w->dbl[r][i] > max[i] ? w->dbl[r][i] : max[i];
    }
    fake_sync(w);
    for (int i = 0; i < n && i < MAX_DOUBLES; ++i)
        v[i] = max[i];
    return MCPI_OK;
}

static int fake_min_int(mcpi_comm *c, int *v)
{
    fake_world *w = world_of(c);
    w->ints[c->rank] = *v;
    w->collectives[c->rank]++;
    fake_sync(w);
    int min = w->ints[0];
    for (int r = 1; r < w->size; ++r)
        min = w->ints[r] < min ? w->ints[r] : min;
    fake_sync(w);
    if (w->min_int_fails[c->rank]) {
        snprintf(c->error, sizeof c->error, "mcpi: fake.c:1: MPI_Allreduce failed: injected");
        return MCPI_EMPI; /* *v is left as it was: the caller must not use it */
    }
    *v = min;
    return MCPI_OK;
}

static int fake_gather_bytes(mcpi_comm *c, const void *mine, size_t len, void *all)
{
    fake_world *w = world_of(c);
    w->bytes[c->rank] = mine;
    fake_sync(w);
    if (c->rank == 0)
        for (int r = 0; r < w->size; ++r)
            memcpy((char *)all + (size_t)r * len, w->bytes[r], len);
    fake_sync(w);
    return MCPI_OK;
}

/* The real one ends the job; the fake records the call and returns, so the
 * test can see what the caller does next. */
static void fake_abort(mcpi_comm *c, int code)
{
    fake_world *w = world_of(c);
    w->abort_calls[c->rank]++;
    w->abort_code[c->rank] = code;
}

static void fake_comm(mcpi_comm *c, fake_world *w, int rank)
{
    memset(c, 0, sizeof *c);
    c->rank = rank;
    c->size = w->size;
    c->local_rank = rank;
    c->local_size = w->size;
    snprintf(c->hostname, sizeof c->hostname, "node0");
    c->impl = w;
    c->barrier = fake_barrier;
    c->sum_u64 = fake_sum_u64;
    c->max_doubles = fake_max_doubles;
    c->min_int = fake_min_int;
    c->gather_bytes = fake_gather_bytes;
    c->abort = fake_abort;
}

/* Runs body(comm, ctx) on size ranks, one thread each, and joins them. */
typedef void (*rank_body)(mcpi_comm *c, void *ctx);

typedef struct rank_thread {
    mcpi_comm comm;
    rank_body body;
    void *ctx;
} rank_thread;

static void *rank_main(void *p)
{
    rank_thread *t = p;
    t->body(&t->comm, t->ctx);
    return NULL;
}

static void run_ranks(fake_world *w, int size, rank_body body, void *ctx)
{
    static rank_thread threads[MAX_RANKS];
    pthread_t tid[MAX_RANKS];
    w->size = size;
    assert_int_equal(pthread_barrier_init(&w->barrier, NULL, (unsigned)size), 0);
    for (int r = 0; r < size; ++r) {
        fake_comm(&threads[r].comm, w, r);
        threads[r].body = body;
        threads[r].ctx = ctx;
        assert_int_equal(pthread_create(&tid[r], NULL, rank_main, &threads[r]), 0);
    }
    for (int r = 0; r < size; ++r)
        assert_int_equal(pthread_join(tid[r], NULL), 0);
    assert_int_equal(pthread_barrier_destroy(&w->barrier), 0);
}

/* ---- agreement ------------------------------------------------------------- */

typedef struct agree_case {
    int in[MAX_RANKS];
    int out[MAX_RANKS];
} agree_case;

static void agree_body(mcpi_comm *c, void *ctx)
{
    agree_case *a = ctx;
    a->out[c->rank] = mcpi_agree(c, a->in[c->rank]);
}

/* Every rank gets the smallest value, wherever it came from. */
static void test_agree_minimum_everywhere(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        for (int where = 0; where < size; ++where) { /* the minimum on each rank in turn */
            fake_world w;
            memset(&w, 0, sizeof w);
            agree_case a;
            for (int r = 0; r < size; ++r)
                a.in[r] = 10 + r; /* all larger than the winner, distinct */
            a.in[where] = MCPI_EIO;
            run_ranks(&w, size, agree_body, &a);
            for (int r = 0; r < size; ++r) {
                assert_int_equal(a.out[r], MCPI_EIO);
                assert_int_equal(w.abort_calls[r], 0);
                assert_int_equal(w.collectives[r], 1);
            }
        }
    }
}

/* A verdict only one rank computes: the others pass INT_MAX, which never
 * wins - not even over a success (0). */
static void test_agree_int_max_does_not_win(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        const int verdicts[] = {MCPI_OK, MCPI_EINVAL, MCPI_EUNAVAIL, 7};
        for (size_t v = 0; v < sizeof verdicts / sizeof verdicts[0]; ++v) {
            fake_world w;
            memset(&w, 0, sizeof w);
            agree_case a;
            int decider = size - 1; /* not rank 0: rank 0 is not special here */
            for (int r = 0; r < size; ++r)
                a.in[r] = INT_MAX;
            a.in[decider] = verdicts[v];
            run_ranks(&w, size, agree_body, &a);
            for (int r = 0; r < size; ++r)
                assert_int_equal(a.out[r], verdicts[v]);
        }
        /* Nobody decided: INT_MAX itself comes back (not 0, not a status). */
        fake_world w;
        memset(&w, 0, sizeof w);
        agree_case a;
        for (int r = 0; r < size; ++r)
            a.in[r] = INT_MAX;
        run_ranks(&w, size, agree_body, &a);
        for (int r = 0; r < size; ++r)
            assert_int_equal(a.out[r], INT_MAX);
    }
}

/* When the collective fails no rank knows the others' verdict: the job is
 * aborted with the exit code of MCPI_EMPI (not the status itself), and
 * mcpi_agree does not return a value it never agreed on. */
static void test_agree_failed_collective_aborts(void **state)
{
    (void)state;
    for (size_t s = 0; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        /* on every rank */
        fake_world w;
        memset(&w, 0, sizeof w);
        agree_case a;
        for (int r = 0; r < size; ++r) {
            a.in[r] = MCPI_OK;
            w.min_int_fails[r] = 1;
        }
        run_ranks(&w, size, agree_body, &a);
        for (int r = 0; r < size; ++r) {
            assert_int_equal(w.abort_calls[r], 1);
            assert_int_equal(w.abort_code[r], mcpi_exit_code(MCPI_EMPI));
            assert_int_equal(w.abort_code[r], 1);
            assert_int_equal(a.out[r], MCPI_EMPI); /* the fake's abort returned */
        }
        /* on the last rank only: that rank aborts, the others agree */
        memset(&w, 0, sizeof w);
        for (int r = 0; r < size; ++r)
            a.in[r] = MCPI_OK;
        w.min_int_fails[size - 1] = 1;
        run_ranks(&w, size, agree_body, &a);
        for (int r = 0; r < size; ++r) {
            int failed = r == size - 1;
            assert_int_equal(w.abort_calls[r], failed);
            assert_int_equal(a.out[r], failed ? MCPI_EMPI : MCPI_OK);
        }
    }
}

/* ---- the job's row ------------------------------------------------------------ */

#define REPEATS 3

/* What each rank contributes, and what the test thread gets back. */
typedef struct fold_case {
    uint64_t begin, end;
    /* per rank: the hits it counted (summed by the collective) */
    uint64_t counted[MAX_RANKS];
    mcpi_record mine[MAX_RANKS];
    /* rank 0's results */
    mcpi_record all[MAX_RANKS];
    mcpi_record job;
    uint64_t total;
    double slowest[REPEATS];
    int rc[MAX_RANKS];
} fold_case;

/* As the runner does it: sum the hits, take each repeat's slowest, gather
 * the records, and fold them on rank 0. */
static void fold_body(mcpi_comm *c, void *ctx)
{
    fold_case *f = ctx;
    int r = c->rank;
    uint64_t hits = f->counted[r];
    double t[REPEATS];
    memcpy(t, f->mine[r].repeat_s, sizeof t);
    f->rc[r] = c->sum_u64(c, &hits, 1);
    if (f->rc[r] == MCPI_OK)
        f->rc[r] = c->max_doubles(c, t, REPEATS);
    if (f->rc[r] == MCPI_OK)
        f->rc[r] = c->gather_bytes(c, &f->mine[r], sizeof f->mine[r], f->all);
    if (r == 0) {
        f->total = hits;
        memcpy(f->slowest, t, sizeof t);
        mcpi_fold_job(&f->job, f->all, c->size, hits, t, f->begin, f->end);
    }
}

/* Rank r's record of one row: distinct numbers per rank, so a fold that
 * takes the wrong rank's (or rank 0's) value shows. */
static void fold_setup(fold_case *f, int size)
{
    memset(f, 0, sizeof *f);
    f->begin = 8589934591ull;
    f->end = f->begin + 1000003;
    for (int r = 0; r < size; ++r) {
        mcpi_record *x = &f->mine[r];
        mcpi_record_init(x);
        snprintf(x->name, sizeof x->name, "threads");
        snprintf(x->backend, sizeof x->backend, "threads");
        snprintf(x->device, sizeof x->device, "cpu");
        snprintf(x->hostname, sizeof x->hostname, "node0");
        x->rank = r;
        x->local_rank = r;
        x->seed = 42;
        mcpi_split_range(f->begin, f->end, (uint64_t)size, (uint64_t)r, &x->begin, &x->end);
        x->samples = x->end - x->begin;
        x->hits = 7; /* what the record says is not what the job counts */
        f->counted[r] = 1000000007ull * (uint64_t)(r + 1);
        x->threads = (unsigned)(r + 1);
        x->repeats = REPEATS;
        /* repeat k is slowest on rank (k + 1) % size */
        for (int k = 0; k < REPEATS; ++k)
            x->repeat_s[k] = 1.0 + k + (r == (k + 1) % size ? 0.5 : 0.01 * r);
        /* peak and growth largest on the middle rank */
        x->host_peak_bytes = (r == size / 2) ? 900000 : 100000 + r;
        x->host_growth_bytes = (r == size / 2) ? 4096 : 0;
        x->device_bytes = 1000 * (r + 1);
        mcpi_phases_add(&x->phases, MCPI_PHASE_KERNEL, r == size - 1 ? 2.5 : 1.0 + 0.1 * r);
    }
}

static void fold_run(fold_case *f, int size)
{
    fake_world w;
    memset(&w, 0, sizeof w);
    run_ranks(&w, size, fold_body, f);
    for (int r = 0; r < size; ++r)
        assert_int_equal(f->rc[r], MCPI_OK);
}

static void test_fold_numbers(void **state)
{
    (void)state;
    static fold_case f;
    for (size_t s = 0; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        fold_setup(&f, size);
        fold_run(&f, size);
        const mcpi_record *job = &f.job;
        uint64_t want_hits = 0, want_threads = 0;
        int64_t want_dev = 0;
        for (int r = 0; r < size; ++r) {
            want_hits += f.counted[r];
            want_threads += f.mine[r].threads;
            want_dev += f.mine[r].device_bytes;
        }
        assert_int_equal(f.total, want_hits);
        assert_int_equal(job->hits, want_hits); /* the total, not 7 * size */
        assert_int_equal(job->begin, f.begin);
        assert_int_equal(job->end, f.end);
        assert_int_equal(job->samples, 1000003);
        assert_int_equal(job->ranks, size);
        assert_int_equal(job->rank, size > 1 ? -1 : 0);
        assert_int_equal(job->repeats, REPEATS);
        for (int k = 0; k < REPEATS; ++k) {
            /* the slowest rank's time, bit for bit */
            double want = f.mine[(k + 1) % size].repeat_s[k];
            assert_memory_equal(&job->repeat_s[k], &want, sizeof want);
        }
        assert_int_equal(job->threads, want_threads);
        assert_int_equal(job->host_peak_bytes, 900000);
        assert_int_equal(job->host_growth_bytes, 4096);
        assert_int_equal(job->device_bytes, want_dev);
        double want_kernel = 2.5;
        assert_memory_equal(&job->phases.s[MCPI_PHASE_KERNEL], &want_kernel, sizeof want_kernel);
        assert_true(job->phases.mask & (1u << MCPI_PHASE_KERNEL));
        assert_int_equal(job->status, MCPI_OK);
        assert_string_equal(job->error, "");
        assert_string_equal(job->hostname, "node0");
        assert_string_equal(job->device, "cpu");
        assert_string_equal(job->name, "threads");
        /* the gather put every rank's record in rank order */
        for (int r = 0; r < size; ++r)
            assert_int_equal(f.all[r].rank, r);
    }
}

/* Worker k of the job row is worker k of every rank's row: counts summed,
 * times the largest (a fold that kept rank 0's, or summed times, fails). */
static void test_fold_workers(void **state)
{
    (void)state;
    static fold_case f;
    for (size_t s = 0; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        fold_setup(&f, size);
        uint64_t want_samples[2] = {0, 0}, want_hits[2] = {0, 0}, want_chunks[2] = {0, 0};
        uint64_t want_vs = 0;
        for (int r = 0; r < size; ++r) {
            mcpi_record *x = &f.mine[r];
            x->nworkers = 2;
            for (unsigned k = 0; k < 2; ++k) {
                mcpi_worker_record *wk = &x->workers[k];
                snprintf(wk->name, sizeof wk->name, k ? "opencl:0.0" : "threads");
                wk->samples = 1000u * (unsigned)(r + 1) + k;
                wk->hits = wk->samples / 2;
                wk->chunks = (uint64_t)(r + 2 + (int)k);
                wk->verified_chunks = 1;
                wk->verified_samples = 4096;
                wk->busy_s = (r == size - 1 && k == 0) ? 9.0 : 1.0 + 0.1 * r;
                wk->idle_s = (r == 0 && k == 1) ? 0.75 : 0.01 * r;
                want_samples[k] += wk->samples;
                want_hits[k] += wk->hits;
                want_chunks[k] += wk->chunks;
            }
            x->verified_chunks = 2;
            x->verified_samples = 8192 + (uint64_t)r;
            x->verify_s = r == size / 2 ? 0.5 : 0.001;
            want_vs += x->verified_samples;
        }
        fold_run(&f, size);
        const mcpi_record *job = &f.job;
        assert_int_equal(job->nworkers, 2);
        assert_string_equal(job->workers[1].name, "opencl:0.0");
        for (unsigned k = 0; k < 2; ++k) {
            assert_int_equal(job->workers[k].samples, want_samples[k]);
            assert_int_equal(job->workers[k].hits, want_hits[k]);
            assert_int_equal(job->workers[k].chunks, want_chunks[k]);
            assert_int_equal(job->workers[k].verified_chunks, (uint64_t)size);
            assert_int_equal(job->workers[k].verified_samples, 4096u * (uint64_t)size);
        }
        assert_true(job->workers[0].busy_s == 9.0);
        assert_true(job->workers[1].idle_s == 0.75);
        assert_int_equal(job->verified_chunks, 2u * (uint64_t)size);
        assert_int_equal(job->verified_samples, want_vs);
        assert_true(job->verify_s == 0.5);
    }
}

/* Device memory: ranks without a device buffer (-1) add nothing; a job
 * where no rank has one stays -1 (not 0, not -size). */
static void test_fold_device_bytes_not_applicable(void **state)
{
    (void)state;
    static fold_case f;
    for (size_t s = 0; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        fold_setup(&f, size);
        for (int r = 0; r < size; ++r)
            f.mine[r].device_bytes = -1;
        fold_run(&f, size);
        assert_int_equal(f.job.device_bytes, -1);
        if (size == 1)
            continue;
        /* rank 0 has none, the others do */
        fold_setup(&f, size);
        f.mine[0].device_bytes = -1;
        int64_t want = 0;
        for (int r = 1; r < size; ++r)
            want += f.mine[r].device_bytes;
        fold_run(&f, size);
        assert_int_equal(f.job.device_bytes, want);
    }
}

/* The row's error names the first rank that failed on its own; ranks that
 * only stopped because of it (MCPI_COLLATERAL_ERROR) come earlier in rank
 * order and must not take the blame. */
static void test_fold_first_own_failure_named(void **state)
{
    (void)state;
    static fold_case f;
    for (size_t s = 0; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        fold_setup(&f, size);
        int culprit = size - 1 > 1 ? size - 2 : size - 1; /* 0, 1, 1, 3 */
        for (int r = 0; r < culprit; ++r) {
            f.mine[r].status = MCPI_EBACKEND;
            snprintf(f.mine[r].error, sizeof f.mine[r].error, "%s", MCPI_COLLATERAL_ERROR);
        }
        f.mine[culprit].status = MCPI_EBUILD;
        snprintf(f.mine[culprit].error, sizeof f.mine[culprit].error, "device lost");
        if (culprit + 1 < size) { /* a later own failure does not replace the first */
            f.mine[culprit + 1].status = MCPI_EIO;
            snprintf(f.mine[culprit + 1].error, sizeof f.mine[culprit + 1].error, "later");
        }
        fold_run(&f, size);
        char want[MCPI_ERROR_LEN];
        if (size > 1)
            snprintf(want, sizeof want, "rank %d: device lost", culprit);
        else
            snprintf(want, sizeof want, "device lost");
        assert_string_equal(f.job.error, want);
        assert_int_equal(f.job.status, MCPI_EBUILD);
        /* the hits are still the agreed total */
        uint64_t total = 0;
        for (int r = 0; r < size; ++r)
            total += f.counted[r];
        assert_int_equal(f.job.hits, total);
    }
}

/* Only collateral failures (the rank that failed first lost its record):
 * the row still fails, naming the first such rank. */
static void test_fold_only_collateral(void **state)
{
    (void)state;
    static fold_case f;
    for (size_t s = 1; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        fold_setup(&f, size);
        for (int r = 1; r < size; ++r) {
            f.mine[r].status = MCPI_EMPI;
            snprintf(f.mine[r].error, sizeof f.mine[r].error, "%s", MCPI_COLLATERAL_ERROR);
        }
        fold_run(&f, size);
        assert_int_equal(f.job.status, MCPI_EMPI);
        assert_string_equal(f.job.error, "rank 1: " MCPI_COLLATERAL_ERROR);
    }
}

/* Ranks on different hosts, or driving different devices, are said so
 * rather than shown as rank 0's. */
static void test_fold_hosts_and_devices(void **state)
{
    (void)state;
    static fold_case f;
    for (size_t s = 1; s < sizeof rank_counts / sizeof rank_counts[0]; ++s) {
        int size = rank_counts[s];
        fold_setup(&f, size);
        snprintf(f.mine[size - 1].hostname, sizeof f.mine[size - 1].hostname, "node1");
        fold_run(&f, size);
        char want[MCPI_HOST_LEN];
        snprintf(want, sizeof want, "(%d ranks on several hosts)", size);
        assert_string_equal(f.job.hostname, want);
        assert_string_equal(f.job.device, "cpu");

        fold_setup(&f, size);
        snprintf(f.mine[size - 1].device, sizeof f.mine[size - 1].device, "gpu");
        fold_run(&f, size);
        assert_string_equal(f.job.hostname, "node0");
        assert_non_null(strstr(f.job.device, "differ"));
    }
}

/* ---- splitting ------------------------------------------------------------------ */

/* Checks every part of [begin, begin + n) split parts ways. */
static void check_split(uint64_t begin, uint64_t n, uint64_t parts)
{
    uint64_t end = begin + n; /* callers keep this from wrapping */
    uint64_t expect_b = begin, total = 0, minsz = UINT64_MAX, maxsz = 0;
    for (uint64_t k = 0; k < parts; ++k) {
        uint64_t b = 1, e = 0;
        mcpi_split_range(begin, end, parts, k, &b, &e);
        assert_int_equal(b, expect_b); /* contiguous, ordered */
        assert_true(e >= b);
        assert_true(e <= end);
        uint64_t sz = e - b;
        total += sz;
        minsz = sz < minsz ? sz : minsz;
        maxsz = sz > maxsz ? sz : maxsz;
        expect_b = e;
    }
    assert_int_equal(expect_b, end);
    assert_int_equal(total, n);
    assert_true(maxsz - minsz <= 1);
    /* The larger parts come first (rank 0 never gets less than the last). */
    uint64_t b0, e0, bl, el;
    mcpi_split_range(begin, end, parts, 0, &b0, &e0);
    mcpi_split_range(begin, end, parts, parts - 1, &bl, &el);
    assert_true(e0 - b0 >= el - bl);
}

static void test_split_range_exact(void **state)
{
    (void)state;
    const uint64_t ns[] = {0, 1, 2, 3, 4, 5, 7, 1000, 1001, 1000003, UINT64_MAX - 1, UINT64_MAX};
    const uint64_t parts[] = {1, 2, 3, 4, 5, 7, 64, 1000, 1001, 4096};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a)
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; ++p)
            check_split(0, ns[a], parts[p]);
}

/* Ranges that end at or near 2^64 - 1: begin + offset must not wrap. */
static void test_split_range_top_of_stream(void **state)
{
    (void)state;
    const uint64_t ns[] = {1, 2, 10, 1000003, 0x8000000000000001ull, UINT64_MAX - 1};
    const uint64_t parts[] = {1, 2, 3, 5, 7, 1001};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a)
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; ++p) {
            check_split(UINT64_MAX - ns[a], ns[a], parts[p]);     /* ends at 2^64 - 1 */
            check_split(UINT64_MAX - ns[a] - 1, ns[a], parts[p]); /* one below */
        }
    uint64_t b, e;
    mcpi_split_range(UINT64_MAX - 10, UINT64_MAX, 3, 2, &b, &e);
    assert_int_equal(b, UINT64_MAX - 3);
    assert_int_equal(e, UINT64_MAX);
    mcpi_split_range(UINT64_MAX - 10, UINT64_MAX, 3, 0, &b, &e);
    assert_int_equal(b, UINT64_MAX - 10);
    assert_int_equal(e, UINT64_MAX - 6);
    /* The whole stream in two: 2^63 and 2^63 - 1 samples. */
    mcpi_split_range(0, UINT64_MAX, 2, 0, &b, &e);
    assert_int_equal(b, 0);
    assert_int_equal(e, 0x8000000000000000ull);
    mcpi_split_range(0, UINT64_MAX, 2, 1, &b, &e);
    assert_int_equal(b, 0x8000000000000000ull);
    assert_int_equal(e, UINT64_MAX);
    /* Huge part counts, sampled: every part is 1 or 2 samples. */
    const uint64_t huge[] = {0x8000000000000001ull, UINT64_MAX - 1, UINT64_MAX};
    for (size_t h = 0; h < sizeof huge / sizeof huge[0]; ++h) {
        uint64_t q = UINT64_MAX / huge[h], r = UINT64_MAX % huge[h];
        const uint64_t ks[] = {0, 1, r ? r - 1 : 0, r, huge[h] - 1};
        for (size_t i = 0; i < sizeof ks / sizeof ks[0]; ++i) {
            uint64_t k = ks[i];
            mcpi_split_range(0, UINT64_MAX, huge[h], k, &b, &e);
            assert_int_equal(b, k * q + (k < r ? k : r));
            assert_int_equal(e - b, q + (k < r ? 1 : 0));
        }
    }
}

/* More parts than samples: the first n parts get one sample, the rest are
 * empty (and still placed in order, not at 0). */
static void test_split_range_more_parts_than_samples(void **state)
{
    (void)state;
    const uint64_t begins[] = {0, 1000, UINT64_MAX - 3};
    for (size_t i = 0; i < sizeof begins / sizeof begins[0]; ++i) {
        uint64_t begin = begins[i];
        for (uint64_t parts = 4; parts <= 9; ++parts) {
            check_split(begin, 3, parts);
            for (uint64_t k = 0; k < parts; ++k) {
                uint64_t b, e;
                mcpi_split_range(begin, begin + 3, parts, k, &b, &e);
                assert_int_equal(e - b, k < 3 ? 1 : 0);
                assert_int_equal(b, begin + (k < 3 ? k : 3));
            }
        }
        check_split(begin, 0, 5);
    }
}

/* Each rank of a fake job splits on its own; the ranges it gathers tile
 * the job's range. */
typedef struct split_case {
    uint64_t begin, end;
    uint64_t got[MAX_RANKS * 2];
} split_case;

static void split_body(mcpi_comm *c, void *ctx)
{
    split_case *s = ctx;
    uint64_t mine[2];
    mcpi_split_range(s->begin, s->end, (uint64_t)c->size, (uint64_t)c->rank, &mine[0], &mine[1]);
    c->gather_bytes(c, mine, sizeof mine, s->got);
}

static void test_split_range_per_rank(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rank_counts / sizeof rank_counts[0]; ++i) {
        int size = rank_counts[i];
        split_case s = {UINT64_MAX - 1000003, UINT64_MAX, {0}};
        fake_world w;
        memset(&w, 0, sizeof w);
        run_ranks(&w, size, split_body, &s);
        assert_int_equal(s.got[0], s.begin);
        for (int r = 0; r + 1 < size; ++r)
            assert_int_equal(s.got[2 * r + 1], s.got[2 * (r + 1)]);
        assert_int_equal(s.got[2 * size - 1], s.end);
    }
}

/* Weighted cuts (--balance) cover [0, n) exactly, monotone, whatever the
 * weights; no positive weight is the even split. */
static void test_split_weighted(void **state)
{
    (void)state;
    uint64_t cut[6];
    const double w[] = {1, 3, 0, 4};
    mcpi_split_weighted(800, w, 4, cut);
    assert_int_equal(cut[0], 0);
    assert_int_equal(cut[1], 100);
    assert_int_equal(cut[2], 400);
    assert_int_equal(cut[3], 400); /* a zero weight gets nothing */
    assert_int_equal(cut[4], 800);
    const double none[] = {0, -1, 0};
    mcpi_split_weighted(10, none, 3, cut);
    for (uint64_t k = 0; k < 3; ++k) {
        uint64_t b, e;
        mcpi_split_range(0, 10, 3, k, &b, &e);
        assert_int_equal(cut[k], b);
        assert_int_equal(cut[k + 1], e);
    }
    const double skew[] = {1e300, 1e-300, 1, 5};
    mcpi_split_weighted(UINT64_MAX, skew, 4, cut);
    assert_int_equal(cut[0], 0);
    assert_int_equal(cut[4], UINT64_MAX);
    for (int k = 0; k < 4; ++k)
        assert_true(cut[k] <= cut[k + 1]);
}

/* "Whatever the weights" includes an infinite one (a rate measured over no
 * time, or injected by the test hook): the cuts must still be monotone and
 * inside [0, n]. */
static void test_split_weighted_infinite_weight(void **state)
{
    (void)state;
    const double inf = INFINITY;
    const double cases[][3] = {{inf, 1, 1}, {1, inf, 1}, {1, 1, inf}, {inf, inf, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        uint64_t cut[4];
        mcpi_split_weighted(1000, cases[i], 3, cut);
        assert_int_equal(cut[0], 0);
        assert_int_equal(cut[3], 1000);
        for (int k = 0; k < 3; ++k) {
            if (cut[k] > cut[k + 1])
                print_error("weights %zu: cut[%d] = %llu > cut[%d] = %llu\n", i, k,
                            (unsigned long long)cut[k], k + 1, (unsigned long long)cut[k + 1]);
            assert_true(cut[k] <= cut[k + 1]);
        }
    }
}

/* ---- devices ---------------------------------------------------------------------- */

static void test_local_device(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rank_counts / sizeof rank_counts[0]; ++i) {
        int size = rank_counts[i];
        fake_world w;
        memset(&w, 0, sizeof w);
        w.size = size;
        for (int r = 0; r < size; ++r) {
            mcpi_comm c;
            fake_comm(&c, &w, r);
            c.rank = 10 + r; /* the job rank is not what binds a device */
            c.local_rank = r;
            for (size_t count = 1; count <= 4; ++count)
                assert_int_equal(mcpi_local_device(&c, count), (size_t)r % count);
        }
    }
    /* Two nodes of three ranks each: local rank 2 on either node drives device 0 of 2. */
    mcpi_comm c;
    mcpi_comm_self(&c);
    c.rank = 5;
    c.local_rank = 2;
    assert_int_equal(mcpi_local_device(&c, 2), 0);
    assert_int_equal(mcpi_local_device(&c, 3), 2);
    assert_int_equal(mcpi_local_device(&c, 1), 0);
}

/* The one-process communicator: rank 0 of 1, every collective the identity. */
static void test_comm_self(void **state)
{
    (void)state;
    mcpi_comm c;
    mcpi_comm_self(&c);
    assert_int_equal(c.rank, 0);
    assert_int_equal(c.size, 1);
    assert_int_equal(c.local_rank, 0);
    assert_int_equal(c.local_size, 1);
    assert_true(c.hostname[0] != '\0');
    assert_int_equal(c.barrier(&c), MCPI_OK);
    uint64_t v[2] = {UINT64_MAX, 3};
    assert_int_equal(c.sum_u64(&c, v, 2), MCPI_OK);
    assert_int_equal(v[0], UINT64_MAX);
    assert_int_equal(v[1], 3);
    double d[2] = {-1.5, 2.0};
    assert_int_equal(c.max_doubles(&c, d, 2), MCPI_OK);
    assert_true(d[0] == -1.5 && d[1] == 2.0);
    assert_int_equal(mcpi_agree(&c, MCPI_EIO), MCPI_EIO);
    assert_int_equal(mcpi_agree(&c, INT_MAX), INT_MAX);
    static mcpi_record mine, all;
    mcpi_record_init(&mine);
    mine.hits = 785856;
    assert_int_equal(c.gather_bytes(&c, &mine, sizeof mine, &all), MCPI_OK);
    assert_int_equal(all.hits, 785856);
    assert_memory_equal(&all, &mine, sizeof mine);
}

/* The one-process job split: itself for a color, nothing for none. */
static void test_comm_self_split(void **state)
{
    (void)state;
    mcpi_comm c, sub;
    mcpi_comm_self(&c);
    assert_int_equal(c.split(&c, 0, &sub), MCPI_OK);
    assert_int_equal(sub.rank, 0);
    assert_int_equal(sub.size, 1);
    assert_string_equal(sub.hostname, c.hostname);
    assert_int_equal(sub.barrier(&sub), MCPI_OK);
    c.release(&sub);
    assert_int_equal(c.split(&c, MCPI_COMM_NO_COLOR, &sub), MCPI_OK);
    assert_int_equal(sub.size, 0);
    c.release(&sub);
}

/* A rank's message as long as the record holds keeps its end (what to
 * type next) after the "rank R: " prefix, up to the record's length. */
static void test_fold_long_message_keeps_its_end(void **state)
{
    (void)state;
    static fold_case f;
    fold_setup(&f, 3);
    char msg[MCPI_ERROR_LEN - 32];
    memset(msg, 'p', sizeof msg - 1);
    msg[sizeof msg - 1] = '\0';
    static const char end[] = "--resume ck.json";
    memcpy(msg + sizeof msg - sizeof end, end, sizeof end); /* its NUL ends msg */
    f.mine[2].status = MCPI_EINTERRUPTED;
    snprintf(f.mine[2].error, sizeof f.mine[2].error, "%s", msg);
    fold_run(&f, 3);
    assert_int_equal(f.job.status, MCPI_EINTERRUPTED);
    assert_int_equal(strncmp(f.job.error, "rank 2: ", 8), 0);
    assert_string_equal(f.job.error + 8, msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agree_minimum_everywhere),
        cmocka_unit_test(test_agree_int_max_does_not_win),
        cmocka_unit_test(test_agree_failed_collective_aborts),
        cmocka_unit_test(test_fold_numbers),
        cmocka_unit_test(test_fold_workers),
        cmocka_unit_test(test_fold_device_bytes_not_applicable),
        cmocka_unit_test(test_fold_first_own_failure_named),
        cmocka_unit_test(test_fold_only_collateral),
        cmocka_unit_test(test_fold_hosts_and_devices),
        cmocka_unit_test(test_split_range_exact),
        cmocka_unit_test(test_split_range_top_of_stream),
        cmocka_unit_test(test_split_range_more_parts_than_samples),
        cmocka_unit_test(test_split_range_per_rank),
        cmocka_unit_test(test_split_weighted),
        cmocka_unit_test(test_split_weighted_infinite_weight),
        cmocka_unit_test(test_local_device),
        cmocka_unit_test(test_comm_self),
        cmocka_unit_test(test_comm_self_split),
        cmocka_unit_test(test_fold_long_message_keeps_its_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_scheduler.c - the scheduler through the runner on a one-process
 * job: rows of several workers count exactly DESIGN's known answers, odd
 * ranges, ranges across 2^33 and up to 2^64 - 1, with forced tiny chunks
 * and random per-chunk delays (so the split differs every time); the
 * interval arithmetic a to-do list relies on; verification catches a worker
 * that miscounts (test-only fault injection) and fails its row, --verify
 * full catches a single wrong chunk, a count above its samples fails with
 * verification off, and a clean run passes verified. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "intervals.h"
#include "mcpi.h"
#include "mcpi_core.h"

static mcpi_record g_mine, g_job, g_ranks[1]; /* records are large: not on the stack */

/* The fault injection these tests use exists only in test builds. */
#ifdef MCPI_TEST_HOOKS
#define NEED_HOOKS()
#else
#define NEED_HOOKS() skip()
#endif

/* Resolves list to its first row. */
static int one_row(const char *list, mcpi_target *t)
{
    static mcpi_target all[MCPI_MAX_TARGETS];
    size_t n = 0;
    char err[MCPI_ERROR_LEN];
    if (mcpi_selection_resolve(list, all, MCPI_MAX_TARGETS, &n, err, sizeof err) != MCPI_OK)
        return -1;
    *t = all[0];
    return 0;
}

/* Runs t over [begin, end) of seed; the job's status (its row in g_job). */
static int run(const mcpi_target *t, uint64_t seed, uint64_t begin, uint64_t end,
               mcpi_verify_mode verify, unsigned repeat)
{
    mcpi_comm comm;
    mcpi_comm_self(&comm);
    mcpi_config cfg;
    mcpi_config_default(&cfg);
    cfg.seed = seed;
    cfg.has_range = 1;
    cfg.range_begin = begin;
    cfg.range_end = end;
    cfg.samples = end - begin;
    cfg.repeat = repeat;
    cfg.warmup = 0;
    cfg.verify = verify;
    return mcpi_run_target(&cfg, t, &comm, &g_mine, &g_job, g_ranks);
}

static const struct {
    uint64_t seed, begin, end, hits; /* hits UINT64_MAX: from the scalar core */
} cases[] = {
    {42, 0, 1000000, 785856},
    {0, 8589934092ull, 8589935092ull, 784},
    {0, 0, 1000, 783},
    {7, 12345, 812346, UINT64_MAX},                                  /* odd begin, odd end */
    {9, 8589934591ull - 300001, 8589934591ull + 500002, UINT64_MAX}, /* across 2^33 */
    {11, UINT64_MAX - 700001, UINT64_MAX, UINT64_MAX},               /* the top */
};

static void check_rows(const char *const *rows, size_t nrows)
{
    for (size_t r = 0; r < nrows; ++r) {
        mcpi_target t;
        if (one_row(rows[r], &t) != 0)
            continue; /* a device this machine lacks */
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
            uint64_t want = cases[i].hits != UINT64_MAX
                                ? cases[i].hits
                                : mcpi_count_range(cases[i].seed, cases[i].begin, cases[i].end);
            int rc = run(&t, cases[i].seed, cases[i].begin, cases[i].end, MCPI_VERIFY_SAMPLE, 2);
            if (rc != MCPI_OK || g_job.hits != want)
                fail_msg("%s, case %zu: status %d (%s), %llu hits, want %llu", rows[r], i, rc,
                         g_job.error, (unsigned long long)g_job.hits, (unsigned long long)want);
            uint64_t sum = 0;
            for (unsigned k = 0; k < g_job.nworkers; ++k)
                sum += g_job.workers[k].samples;
            assert_int_equal(sum, cases[i].end - cases[i].begin); /* the shares cover the range */
            assert_int_equal(g_job.nworkers, t.nworkers);
            assert_true(g_job.verified_chunks > 0);
        }
    }
}

static const char *const combined[] = {"simd+serial", "threads+simd+serial", "threads+opencl:0.0",
                                       "opencl:0.0+simd"};

static void test_combined_rows_exact(void **state)
{
    (void)state;
    check_rows(combined, sizeof combined / sizeof combined[0]);
}

static void test_tiny_chunks_and_random_delays(void **state)
{
    (void)state;
    NEED_HOOKS();
    setenv("MCPI_TEST_CHUNK", "4099", 1);       /* an odd size: chunks start odd too */
    setenv("MCPI_TEST_CHUNK_DELAY_MS", "1", 1); /* the split differs from pass to pass */
    check_rows(combined, 2);
    const char *single[] = {"serial", "threads"};
    check_rows(single, 2);
    unsetenv("MCPI_TEST_CHUNK");
    unsetenv("MCPI_TEST_CHUNK_DELAY_MS");
}

/* A worker that counts one hit too many in every chunk is caught by the
 * sampled verification: the row fails with the device, the range and both
 * counts; without verification the wrong number would stand. */
static void test_verification_catches_a_miscounting_worker(void **state)
{
    (void)state;
    NEED_HOOKS();
    mcpi_target t;
    assert_int_equal(one_row("simd+serial", &t), 0);
    setenv("MCPI_TEST_MISCOUNT", "serial", 1);
    int rc = run(&t, 42, 0, 1000000, MCPI_VERIFY_SAMPLE, 1);
    assert_int_equal(rc, MCPI_EBACKEND);
    assert_int_equal(g_job.status, MCPI_EBACKEND);
    assert_non_null(strstr(g_job.error, "serial counted"));
    assert_non_null(strstr(g_job.error, "reference core"));
    /* The fault is real, and without verification it would stand: simd runs
     * on the calling thread, so it surely counts chunks (serial on its own
     * thread may find the list done; its reserved verification chunks
     * above are its own, so sampling surely reached it). */
    setenv("MCPI_TEST_MISCOUNT", "simd", 1);
    rc = run(&t, 42, 0, 1000000, MCPI_VERIFY_OFF, 1);
    assert_int_equal(rc, MCPI_OK);
    assert_true(g_job.hits > 785856);
    unsetenv("MCPI_TEST_MISCOUNT");
    assert_int_equal(run(&t, 42, 0, 1000000, MCPI_VERIFY_SAMPLE, 1), MCPI_OK); /* clean again */
    assert_int_equal(g_job.hits, 785856);
}

/* One wrong chunk among many: --verify full recounts every chunk. */
static void test_full_verification_catches_one_wrong_chunk(void **state)
{
    (void)state;
    NEED_HOOKS();
    mcpi_target t;
    assert_int_equal(one_row("simd", &t), 0);
    setenv("MCPI_TEST_CHUNK", "65536", 1);
    setenv("MCPI_TEST_MISCOUNT", "simd:5", 1); /* its sixth chunk only */
    int rc = run(&t, 3, 0, 2000000, MCPI_VERIFY_FULL, 1);
    assert_int_equal(rc, MCPI_EBACKEND);
    assert_non_null(strstr(g_job.error, "simd counted"));
    assert_int_equal(run(&t, 3, 0, 2000000, MCPI_VERIFY_OFF, 1), MCPI_OK);
    assert_int_equal(g_job.hits, mcpi_count_range(3, 0, 2000000) + 1);
    unsetenv("MCPI_TEST_MISCOUNT");
    assert_int_equal(run(&t, 3, 0, 2000000, MCPI_VERIFY_FULL, 1), MCPI_OK);
    assert_int_equal(g_job.verified_samples, 2000000); /* every sample recounted */
    unsetenv("MCPI_TEST_CHUNK");
}

/* A count above its samples fails the row in every verification mode: one
 * sample that hits, counted as two hits, with verification off. */
static void test_more_hits_than_samples_fails(void **state)
{
    (void)state;
    NEED_HOOKS();
    mcpi_target t;
    assert_int_equal(one_row("serial", &t), 0);
    uint64_t i = 0;
    while (mcpi_count_range(5, i, i + 1) != 1)
        ++i;
    setenv("MCPI_TEST_MISCOUNT", "serial", 1);
    int rc = run(&t, 5, i, i + 1, MCPI_VERIFY_OFF, 1);
    unsetenv("MCPI_TEST_MISCOUNT");
    assert_int_equal(rc, MCPI_EBACKEND);
    assert_non_null(strstr(g_job.error, "serial counted 2 hits over the 1 samples"));
    assert_non_null(strstr(g_job.error, "more hits than samples"));
    assert_int_equal(run(&t, 5, i, i + 1, MCPI_VERIFY_OFF, 1), MCPI_OK);
    assert_int_equal(g_job.hits, 1);
}

/* ---- interval sets ------------------------------------------------------- */

static void test_intervals_merge_refuse_and_complement(void **state)
{
    (void)state;
    mcpi_intervals s, c, part;
    mcpi_intervals_init(&s);
    mcpi_intervals_init(&c);
    mcpi_intervals_init(&part);
    assert_int_equal(mcpi_intervals_add(&s, 10, 20, 3), MCPI_OK);
    assert_int_equal(mcpi_intervals_add(&s, 30, 40, 4), MCPI_OK);
    assert_int_equal(mcpi_intervals_add(&s, 20, 30, 5), MCPI_OK); /* fills the hole: one */
    assert_int_equal(s.n, 1);
    assert_int_equal(mcpi_intervals_hits(&s), 12);
    assert_int_equal(mcpi_intervals_add(&s, 39, 41, 0), MCPI_EINVAL); /* overlap refused */
    assert_int_equal(mcpi_intervals_add(&s, 5, 5, 0), MCPI_EINVAL);   /* empty refused */
    assert_int_equal(mcpi_intervals_add(&s, UINT64_MAX - 5, UINT64_MAX, 1), MCPI_OK);
    assert_int_equal(mcpi_intervals_complement(&s, 0, UINT64_MAX, &c), MCPI_OK);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.v[0].begin, 0);
    assert_int_equal(c.v[0].end, 10);
    assert_int_equal(c.v[1].begin, 40);
    assert_int_equal(c.v[1].end, UINT64_MAX - 5);
    assert_int_equal(mcpi_intervals_samples(&s) + mcpi_intervals_samples(&c), UINT64_MAX);
    /* Slices of the to-do list cut it in order, across its holes. */
    assert_int_equal(mcpi_intervals_slice(&c, 8, 4, &part), MCPI_OK);
    assert_int_equal(part.n, 2);
    assert_int_equal(part.v[0].begin, 8);
    assert_int_equal(part.v[0].end, 10);
    assert_int_equal(part.v[1].begin, 40);
    assert_int_equal(part.v[1].end, 42);
    mcpi_intervals_free(&part);
    mcpi_intervals_free(&c);
    mcpi_intervals_free(&s);
    mcpi_intervals_free(NULL);
}

/* Every rank split of a to-do list, even and weighted, covers it exactly. */
static void test_shares_cover_the_list(void **state)
{
    (void)state;
    mcpi_intervals todo, part, back;
    mcpi_intervals_init(&todo);
    mcpi_intervals_init(&part);
    mcpi_intervals_init(&back);
    assert_int_equal(mcpi_intervals_add(&todo, 3, 1000, 0), MCPI_OK);
    assert_int_equal(mcpi_intervals_add(&todo, 5000, 5001, 0), MCPI_OK);
    assert_int_equal(mcpi_intervals_add(&todo, 1ull << 40, (1ull << 40) + 77777, 0), MCPI_OK);
    uint64_t total = mcpi_intervals_samples(&todo);
    const double w[] = {1, 0, 3.5, 1e-9, 2};
    for (uint64_t parts = 1; parts <= 5; ++parts) {
        uint64_t cut[6];
        mcpi_split_weighted(total, w, parts, cut);
        mcpi_intervals_clear(&back);
        for (uint64_t k = 0; k < parts; ++k) {
            assert_true(cut[k] <= cut[k + 1]);
            assert_int_equal(mcpi_intervals_slice(&todo, cut[k], cut[k + 1] - cut[k], &part),
                             MCPI_OK);
            assert_int_equal(mcpi_intervals_samples(&part), cut[k + 1] - cut[k]);
            assert_int_equal(mcpi_intervals_add_all(&back, &part), MCPI_OK); /* disjoint */
        }
        assert_int_equal(cut[parts], total);
        assert_int_equal(back.n, todo.n); /* the pieces rebuild the list */
        for (size_t i = 0; i < todo.n; ++i) {
            assert_int_equal(back.v[i].begin, todo.v[i].begin);
            assert_int_equal(back.v[i].end, todo.v[i].end);
        }
    }
    mcpi_intervals_free(&back);
    mcpi_intervals_free(&part);
    mcpi_intervals_free(&todo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combined_rows_exact),
        cmocka_unit_test(test_tiny_chunks_and_random_delays),
        cmocka_unit_test(test_verification_catches_a_miscounting_worker),
        cmocka_unit_test(test_full_verification_catches_one_wrong_chunk),
        cmocka_unit_test(test_more_hits_than_samples_fails),
        cmocka_unit_test(test_intervals_merge_refuse_and_complement),
        cmocka_unit_test(test_shares_cover_the_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

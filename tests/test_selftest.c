/* test_selftest.c - mcpi selftest's pieces through the public headers: the
 * known-answer table against tests/data/philox4x32_10_kat.txt (the binary
 * carries the table, the file is the source), the statistical verdict and
 * its bounds, the --backend rules, one device's four checks on serial (and
 * its failure under MCPI_TEST_MISCOUNT in test-hook builds), and the JSON
 * report's checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi_core.h"
#include "mcpi_selftest.h"

static void test_kat_table_is_the_file(void **state)
{
    (void)state;
    size_t n = 0;
    const mcpi_philox_kat *kat = mcpi_selftest_kat(&n);
    FILE *f = fopen(MCPI_TEST_DATA_DIR "/philox4x32_10_kat.txt", "r");
    assert_non_null(f);
    char line[512];
    size_t i = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        unsigned v[10];
        assert_int_equal(sscanf(line, "%x %x %x %x %x %x %x %x %x %x", &v[0], &v[1], &v[2], &v[3],
                                &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]),
                         10);
        assert_true(i < n);
        for (int w = 0; w < 4; ++w) {
            assert_int_equal(kat[i].ctr[w], v[w]);
            assert_int_equal(kat[i].out[w], v[6 + w]);
        }
        assert_int_equal(kat[i].key[0], v[4]);
        assert_int_equal(kat[i].key[1], v[5]);
        ++i;
    }
    fclose(f);
    assert_int_equal(i, n);
    assert_int_equal(n, 13);
}

/* The hits of seeds 0..31 over [0, n): the exact stream's. */
static void stream_hits(uint64_t *hits, uint64_t first, uint64_t n)
{
    for (unsigned i = 0; i < MCPI_SELFTEST_SEEDS; ++i)
        hits[i] = mcpi_count_range(first + i, 0, n);
}

static void test_statistics_pass_on_the_stream(void **state)
{
    (void)state;
    uint64_t hits[MCPI_SELFTEST_SEEDS];
    mcpi_selftest_stats st;
    char why[256];
    stream_hits(hits, 0, MCPI_SELFTEST_SAMPLES_MAX);
    assert_true(
        mcpi_selftest_stats_judge(hits, 0, MCPI_SELFTEST_SAMPLES_MAX, &st, why, sizeof why));
    assert_string_equal(why, "");
    assert_int_equal(st.seeds, MCPI_SELFTEST_SEEDS);
    assert_true(st.max_abs_z < 4.0);
    assert_true(st.variance_z > 0.3 && st.variance_z < 2.0);
    /* the smallest sample a slow device counts, and a seed range that wraps */
    stream_hits(hits, UINT64_MAX - 5, MCPI_SELFTEST_SAMPLES_MIN);
    assert_true(
        mcpi_selftest_stats_judge(hits, UINT64_MAX - 5, MCPI_SELFTEST_SAMPLES_MIN, &st, why, 256));
}

static void test_statistics_fail_where_they_should(void **state)
{
    (void)state;
    const uint64_t n = MCPI_SELFTEST_SAMPLES_MAX;
    const double sd = 105.1; /* sqrt(n p (1 - p)) for n = 2^16 */
    uint64_t hits[MCPI_SELFTEST_SEEDS], h[MCPI_SELFTEST_SEEDS];
    mcpi_selftest_stats st;
    char why[256];
    stream_hits(hits, 0, n);

    memcpy(h, hits, sizeof h); /* one seed 9 standard errors out */
    h[5] += (uint64_t)(9 * sd);
    assert_false(mcpi_selftest_stats_judge(h, 0, n, &st, why, sizeof why));
    assert_non_null(strstr(why, "max |z|"));
    assert_non_null(strstr(why, "(seed 5)"));

    for (unsigned i = 0; i < MCPI_SELFTEST_SEEDS; ++i) /* every seed biased by 1.2 se */
        h[i] = hits[i] + (uint64_t)(1.2 * sd);
    assert_false(mcpi_selftest_stats_judge(h, 0, n, &st, why, sizeof why));
    assert_non_null(strstr(why, "mean z"));

    for (unsigned i = 0; i < MCPI_SELFTEST_SEEDS; ++i) /* too regular: n pi/4 each time */
        h[i] = 51472;
    assert_false(mcpi_selftest_stats_judge(h, 0, n, &st, why, sizeof why));
    assert_non_null(strstr(why, "variance"));

    for (unsigned i = 0; i < MCPI_SELFTEST_SEEDS; ++i) /* too spread: +-2.5 se alternately */
        h[i] = (uint64_t)(51471.9 + (i % 2 ? 2.5 : -2.5) * sd);
    assert_false(mcpi_selftest_stats_judge(h, 0, n, &st, why, sizeof why));
    assert_non_null(strstr(why, "variance"));
}

static void test_backend_rules(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(mcpi_selftest_check_backends("", err, sizeof err), MCPI_OK);
    assert_int_equal(mcpi_selftest_check_backends("serial,threads,opencl:gpu,all", err, sizeof err),
                     MCPI_OK);
    const char *refused[] = {"threads+serial", "serial,node", "auto", "naive",
                             "serial,simd+opencl"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; ++i) {
        err[0] = '\0';
        assert_int_equal(mcpi_selftest_check_backends(refused[i], err, sizeof err), MCPI_EINVAL);
        assert_non_null(strstr(err, "--backend"));
    }
    assert_int_equal(mcpi_selftest_check_backends("bogus", err, sizeof err), MCPI_EINVAL);
}

static int serial_run(mcpi_selftest_device *d)
{
    mcpi_config cfg;
    mcpi_config_default(&cfg);
    snprintf(cfg.backends, sizeof cfg.backends, "serial");
    mcpi_target t[MCPI_MAX_TARGETS];
    size_t n = 0;
    char err[512] = "";
    assert_int_equal(mcpi_selftest_select(&cfg, t, &n, err, sizeof err), MCPI_OK);
    assert_int_equal(n, 1);
    assert_string_equal(t[0].name, "serial");
    return mcpi_selftest_device_run(&cfg, &t[0], d, err, sizeof err);
}

static void test_serial_passes(void **state)
{
    (void)state;
    mcpi_selftest_device *d = calloc(1, sizeof *d);
    assert_non_null(d);
    assert_int_equal(serial_run(d), MCPI_OK);
    assert_true(d->passed);
    assert_int_equal(mcpi_selftest_first_failure(d), -1);
    const mcpi_selftest_check *c = d->checks;
    assert_int_equal(c[MCPI_SELFTEST_PHILOX].passed, 13);
    assert_string_equal(c[MCPI_SELFTEST_PHILOX].via, "host core");
    assert_int_equal(c[MCPI_SELFTEST_HITS].passed, 5);
    assert_int_equal(c[MCPI_SELFTEST_GEOMETRY].outcome, MCPI_SELFTEST_NA);
    assert_int_equal(c[MCPI_SELFTEST_STATISTICS].outcome, MCPI_SELFTEST_PASS);
    assert_int_equal(c[MCPI_SELFTEST_STATISTICS].stats.samples, MCPI_SELFTEST_SAMPLES_MAX);
    free(d);
}

#ifdef MCPI_TEST_HOOKS
static void test_serial_miscount_fails(void **state)
{
    (void)state;
    mcpi_selftest_device *d = calloc(1, sizeof *d);
    assert_non_null(d);
    setenv("MCPI_TEST_MISCOUNT", "serial", 1);
    int rc = serial_run(d);
    unsetenv("MCPI_TEST_MISCOUNT");
    assert_int_equal(rc, MCPI_OK);
    assert_false(d->passed);
    assert_int_equal(mcpi_selftest_first_failure(d), MCPI_SELFTEST_HITS);
    const mcpi_selftest_check *c = &d->checks[MCPI_SELFTEST_HITS];
    assert_string_equal(c->where, "seed 0, samples [0, 10)");
    assert_string_equal(c->expected, "7");
    assert_string_equal(c->got, "8");
    assert_int_equal(d->checks[MCPI_SELFTEST_STATISTICS].outcome, MCPI_SELFTEST_FAIL);
    char line[1024];
    mcpi_selftest_device_summary(line, sizeof line, d);
    assert_non_null(strstr(line, "hit counts: seed 0, samples [0, 10): expected 7, got 8"));
    free(d);
}
#endif

static void test_json_ends_with_its_checksum(void **state)
{
    (void)state;
    mcpi_selftest_device *d = calloc(1, sizeof *d);
    assert_non_null(d);
    assert_int_equal(serial_run(d), MCPI_OK);
    mcpi_selftest_report rep;
    memset(&rep, 0, sizeof rep);
    rep.version = "test";
    snprintf(rep.hostname, sizeof rep.hostname, "host\"1");
    rep.devices = d;
    rep.ndevices = 1;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(mcpi_selftest_write(f, MCPI_FORMAT_JSON, &rep), MCPI_OK);
    fclose(f);
    const char *key = strstr(text, MCPI_REPORT_CHECKSUM_KEY);
    assert_non_null(key);
    unsigned long long sum = 0;
    assert_int_equal(sscanf(key + strlen(MCPI_REPORT_CHECKSUM_KEY), "%16llx", &sum), 1);
    assert_true(sum == mcpi_fnv1a(MCPI_FNV_OFFSET, text, (size_t)(key - text)));
    assert_string_equal(text + len - 4, "\"\n}\n");
    assert_non_null(strstr(text, "\"hostname\": \"host\\\"1\""));
    free(text);
    for (int fmt = MCPI_FORMAT_TABLE; fmt <= MCPI_FORMAT_MARKDOWN; ++fmt) {
        text = NULL;
        f = open_memstream(&text, &len);
        assert_int_equal(mcpi_selftest_write(f, (mcpi_format)fmt, &rep), MCPI_OK);
        fclose(f);
        assert_non_null(strstr(text, "serial"));
        free(text);
    }
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kat_table_is_the_file),
        cmocka_unit_test(test_statistics_pass_on_the_stream),
        cmocka_unit_test(test_statistics_fail_where_they_should),
        cmocka_unit_test(test_backend_rules),
        cmocka_unit_test(test_serial_passes),
#ifdef MCPI_TEST_HOOKS
        cmocka_unit_test(test_serial_miscount_fails),
#endif
        cmocka_unit_test(test_json_ends_with_its_checksum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_host.c - host module pieces that need no device: number parsing,
 * range splitting, status messages, --backend syntax and resolution. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

static void test_parse_count_forms(void **state)
{
    (void)state;
    const struct {
        const char *s;
        uint64_t v;
    } ok[] = {
        {"1", 1},
        {"1000000", 1000000},
        {"1e6", 1000000},
        {"1E6", 1000000},
        {"1e+6", 1000000},
        {"2.5e9", 2500000000ull},
        {"1.25e2", 125},
        {"2^20", 1048576},
        {"10^9", 1000000000},
        {"2^63", 9223372036854775808ull},
        {"18446744073709551615", 18446744073709551615ull},
        {"1.8446744073709551615e19", 18446744073709551615ull},
        {"1e19", 10000000000000000000ull},
        {"0.5e1", 5},
        {"007", 7},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
        uint64_t v = 0;
        assert_int_equal(mcpi_parse_count(ok[i].s, &v), MCPI_OK);
        assert_true(v == ok[i].v);
    }
    const char *bad[] = {"",      "0",     "-1",    "+5",       "1.5",   "1e",    "e6",
                         "2^64",  "2^",    "^3",    "1e20",     "1.5e0", "abc",   "1 ",
                         " 1",    "1k",    "0x10",  "18446744073709551616", "0e5", "1e-3",
                         "2^2^2", "1..2e3", "3.e2x", "nan",     "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        uint64_t v = 42;
        assert_int_equal(mcpi_parse_count(bad[i], &v), MCPI_EINVAL);
        assert_true(v == 42); /* untouched on failure */
    }
}

static void test_parse_u64(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(mcpi_parse_u64("0", &v), MCPI_OK);
    assert_true(v == 0);
    assert_int_equal(mcpi_parse_u64("0xFFFFFFFFFFFFFFFF", &v), MCPI_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(mcpi_parse_u64("0xdeadBEEF", &v), MCPI_OK);
    assert_true(v == 0xdeadbeefull);
    assert_int_equal(mcpi_parse_u64("18446744073709551615", &v), MCPI_OK);
    assert_true(v == UINT64_MAX);
    const char *bad[] = {"", "0x", "0x1FFFFFFFFFFFFFFFF", "18446744073709551616", "-1", "1e3",
                         "0xg", "12a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
        assert_int_equal(mcpi_parse_u64(bad[i], &v), MCPI_EINVAL);
}

static void test_split_range_exact(void **state)
{
    (void)state;
    const uint64_t ns[] = {0, 1, 2, 3, 7, 1000, 1001, UINT64_MAX - 1, UINT64_MAX};
    const uint64_t parts[] = {1, 2, 3, 4, 7, 64, 1000, 1001, 4096};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; ++a) {
        for (size_t p = 0; p < sizeof parts / sizeof parts[0]; ++p) {
            uint64_t expect_b = 0, total = 0, minsz = UINT64_MAX, maxsz = 0;
            for (uint64_t k = 0; k < parts[p]; ++k) {
                uint64_t b, e;
                mcpi_split_range(0, ns[a], parts[p], k, &b, &e);
                assert_true(b == expect_b); /* contiguous, ordered */
                assert_true(e >= b);
                total += e - b;
                minsz = e - b < minsz ? e - b : minsz;
                maxsz = e - b > maxsz ? e - b : maxsz;
                expect_b = e;
            }
            assert_true(expect_b == ns[a]);
            assert_true(total == ns[a]);
            assert_true(maxsz - minsz <= 1);
        }
    }
    /* offset ranges near the top of the index space */
    uint64_t b, e;
    mcpi_split_range(UINT64_MAX - 10, UINT64_MAX, 3, 2, &b, &e);
    assert_true(e == UINT64_MAX && b == UINT64_MAX - 3);
}

static void test_status_messages(void **state)
{
    (void)state;
    assert_string_equal(mcpi_strerror(MCPI_OK), "success");
    assert_string_equal(mcpi_strerror(MCPI_EINVAL), "invalid argument");
    assert_string_equal(mcpi_strerror(-999), "unknown error");
    assert_int_equal(mcpi_exit_code(MCPI_EINVAL), 2);
    assert_int_equal(mcpi_exit_code(MCPI_EUNAVAIL), 3);
    assert_int_equal(mcpi_exit_code(MCPI_EIO), 4);
    assert_int_equal(mcpi_exit_code(MCPI_EBACKEND), 1);
    char err[16];
    mcpi_set_error(err, sizeof err, "a very long message %d", 12345);
    assert_int_equal(strlen(err), sizeof err - 1); /* truncated, terminated */
}

static void test_selection_syntax(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    const char *ok[] = {"", "all", "serial", "serial,threads", "opencl", "opencl:0.0",
                        "opencl:gpu", "opencl:cpu", "opencl:accelerator", "naive,simd",
                        "opencl:12.3"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i)
        assert_int_equal(mcpi_selection_check(ok[i], err, sizeof err), MCPI_OK);
    const char *bad[] = {"cuda", "serial,", ",serial", "serial,,threads", "opencl:", "opencl:x",
                         "opencl:0", "opencl:0.", "opencl:-1.0", "opencl:0.0.0", "SERIAL",
                         "opencl:gpu0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        err[0] = '\0';
        assert_int_equal(mcpi_selection_check(bad[i], err, sizeof err), MCPI_EINVAL);
        assert_non_null(strstr(err, "--backend"));
    }
}

static void test_selection_resolve(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    mcpi_target t[MCPI_MAX_TARGETS];
    size_t n = 0;
    assert_int_equal(mcpi_selection_resolve("serial,threads,serial", t, MCPI_MAX_TARGETS, &n, err,
                                            sizeof err),
                     MCPI_OK);
    assert_int_equal(n, 2); /* duplicates dropped, order kept */
    assert_string_equal(t[0].dev.id, "serial");
    assert_string_equal(t[1].dev.id, "threads");
    assert_int_equal(mcpi_selection_resolve("", t, MCPI_MAX_TARGETS, &n, err, sizeof err),
                     MCPI_OK);
    assert_true(n >= 4); /* serial, simd, threads, naive at least */
    /* A device index that cannot exist names what exists (or that none does). */
    int rc = mcpi_selection_resolve("opencl:99.0", t, MCPI_MAX_TARGETS, &n, err, sizeof err);
    assert_int_equal(rc, MCPI_EUNAVAIL);
    assert_non_null(strstr(err, "opencl"));
    assert_int_equal(mcpi_selection_resolve("bogus", t, MCPI_MAX_TARGETS, &n, err, sizeof err),
                     MCPI_EINVAL);
}

static void test_config_validate(void **state)
{
    (void)state;
    mcpi_config cfg;
    char err[MCPI_ERROR_LEN];
    mcpi_config_default(&cfg);
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_OK);
    cfg.repeat = 0;
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--repeat"));
    mcpi_config_default(&cfg);
    cfg.samples = 0;
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--samples"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_count_forms), cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_split_range_exact), cmocka_unit_test(test_status_messages),
        cmocka_unit_test(test_selection_syntax),  cmocka_unit_test(test_selection_resolve),
        cmocka_unit_test(test_config_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

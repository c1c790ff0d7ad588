/* test_auto.c - the `--backend auto` model with injected numbers (no timing):
 * fitting, prediction, the choice flipping with N, ties, and the
 * explanation line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auto.h"

static mcpi_auto_entry entry(const char *name, double startup, double sps)
{
    mcpi_auto_entry e;
    memset(&e, 0, sizeof e);
    strcpy(e.name, name);
    e.startup_s = startup;
    e.samples_per_s = sps;
    return e;
}

static void test_fit_recovers_the_line(void **state)
{
    (void)state;
    mcpi_auto_entry e;
    /* 20 us startup, 2e9 samples/s */
    double t1 = 20e-6 + 4096 / 2e9, t2 = 20e-6 + 4194304 / 2e9;
    mcpi_auto_fit(&e, 4096, t1, 4194304, t2);
    assert_float_equal(e.samples_per_s, 2e9, 1e-3 * 2e9);
    assert_float_equal(e.startup_s, 20e-6, 1e-9);
    /* noise: the large size no slower than the small one */
    mcpi_auto_fit(&e, 4096, 1e-3, 4194304, 1e-3);
    assert_float_equal(e.startup_s, 0.0, 0.0);
    assert_float_equal(e.samples_per_s, 4194304 / 1e-3, 1.0);
    /* a negative intercept is clamped to zero startup */
    mcpi_auto_fit(&e, 1000, 1e-9, 2000, 1e-3);
    assert_true(e.startup_s == 0.0);
}

static void test_choice_flips_with_n(void **state)
{
    (void)state;
    mcpi_auto_model m;
    memset(&m, 0, sizeof m);
    m.e[m.n++] = entry("serial", 0.0, 2.5e8);
    m.e[m.n++] = entry("simd", 0.0, 3.0e9);
    m.e[m.n++] = entry("threads", 40e-6, 6.0e9);
    m.e[m.n++] = entry("opencl:0.0", 2e-3, 4.0e10);
    /* small N: no startup wins; simd is the fastest such */
    assert_string_equal(m.e[mcpi_auto_choose(&m, 1000)].name, "simd");
    /* threads wins once 40 us of startup is paid back: n/3e9 > 40e-6 + n/6e9,
     * i.e. n > 240000 */
    assert_string_equal(m.e[mcpi_auto_choose(&m, 200000)].name, "simd");
    assert_string_equal(m.e[mcpi_auto_choose(&m, 300000)].name, "threads");
    /* the GPU once its 2 ms are paid back: n/6e9 > 2e-3 + n/4e10 -> n > 1.41e7 */
    assert_string_equal(m.e[mcpi_auto_choose(&m, 10000000)].name, "threads");
    assert_string_equal(m.e[mcpi_auto_choose(&m, 20000000)].name, "opencl:0.0");
    assert_string_equal(m.e[mcpi_auto_choose(&m, UINT64_MAX)].name, "opencl:0.0");
    assert_float_equal(mcpi_auto_predict(&m.e[0], 250000000), 1.0, 1e-12);
}

static void test_ties_keep_the_first(void **state)
{
    (void)state;
    mcpi_auto_model m;
    memset(&m, 0, sizeof m);
    m.e[m.n++] = entry("a", 1e-3, 1e9);
    m.e[m.n++] = entry("b", 1e-3, 1e9);
    assert_int_equal(mcpi_auto_choose(&m, 12345), 0);
    m.n = 1;
    assert_int_equal(mcpi_auto_choose(&m, 1), 0);
}

static void test_explanation(void **state)
{
    (void)state;
    mcpi_auto_model m;
    memset(&m, 0, sizeof m);
    m.e[m.n++] = entry("serial", 0.0, 1e9);
    m.e[m.n++] = entry("threads", 0.0, 2e9);
    char buf[256];
    mcpi_auto_explain(&m, 1, 1000000000, buf, sizeof buf);
    assert_non_null(strstr(buf, "auto chose threads for N=1000000000"));
    assert_non_null(strstr(buf, "predicted 500 ms"));
    assert_non_null(strstr(buf, "serial 1 s"));
    char tiny[16];
    mcpi_auto_explain(&m, 1, 1000000000, tiny, sizeof tiny); /* truncates safely */
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_recovers_the_line),
        cmocka_unit_test(test_choice_flips_with_n),
        cmocka_unit_test(test_ties_keep_the_first),
        cmocka_unit_test(test_explanation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

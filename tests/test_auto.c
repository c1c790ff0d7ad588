/* test_auto.c - the `--backend auto` model with injected numbers (no timing):
 * fitting, prediction, the choice flipping with N, ties, and the
 * explanation line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- the model cache: a real file in a temporary directory ---- */

static char tmpdir[64];
static char model_path[128];

static int make_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mcpi-test-auto-XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(model_path, sizeof model_path, "%s/auto-model.txt", tmpdir);
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    unlink(model_path);
    return rmdir(tmpdir);
}

static mcpi_auto_model sample_model(void)
{
    mcpi_auto_model m;
    memset(&m, 0, sizeof m);
    m.e[m.n++] = entry("serial", 0.0, 2.7213629503140002e8);
    m.e[m.n++] = entry("threads", 7.4785637866542338e-07, 6.0758569273831215e9);
    m.e[m.n++] = entry("opencl:0.0", 4.1724436979833465e-05, 3.0783958466095333e9);
    return m;
}

static const char *const names3[] = {"serial", "threads", "opencl:0.0"};

static void write_text(const char *text)
{
    FILE *f = fopen(model_path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_text(void)
{
    static char buf[4096];
    FILE *f = fopen(model_path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_cache_round_trip_is_exact(void **state)
{
    (void)state;
    mcpi_auto_model m = sample_model(), back;
    char err[256] = "";
    unlink(model_path);
    assert_int_equal(mcpi_auto_load(model_path, 42, names3, 3, &back, err, sizeof err),
                     MCPI_EUNAVAIL);
    assert_int_equal(mcpi_auto_save(model_path, 42, &m, err, sizeof err), 0);
    assert_int_equal(mcpi_auto_load(model_path, 42, names3, 3, &back, err, sizeof err), 0);
    assert_int_equal(back.n, 3);
    for (size_t i = 0; i < 3; ++i) {
        assert_string_equal(back.e[i].name, m.e[i].name);
        /* %.17g: bit-exact */
        assert_memory_equal(&back.e[i].startup_s, &m.e[i].startup_s, sizeof(double));
        assert_memory_equal(&back.e[i].samples_per_s, &m.e[i].samples_per_s, sizeof(double));
    }
}

static void test_cache_refuses_other_keys_candidates_and_damage(void **state)
{
    (void)state;
    mcpi_auto_model m = sample_model(), back;
    char err[256] = "";
    assert_int_equal(mcpi_auto_save(model_path, 42, &m, err, sizeof err), 0);
    /* another key (machine, settings or version changed) */
    assert_int_equal(mcpi_auto_load(model_path, 43, names3, 3, &back, err, sizeof err), MCPI_EIO);
    /* other candidates: fewer, or in another order */
    assert_int_equal(mcpi_auto_load(model_path, 42, names3, 2, &back, err, sizeof err), MCPI_EIO);
    const char *const swapped[] = {"threads", "serial", "opencl:0.0"};
    assert_int_equal(mcpi_auto_load(model_path, 42, swapped, 3, &back, err, sizeof err), MCPI_EIO);
    assert_non_null(strstr(err, "does not match"));

    char good[4096];
    snprintf(good, sizeof good, "%s", read_text());
    /* one changed digit: the checksum */
    char bad[4096];
    snprintf(bad, sizeof bad, "%s", good);
    char *digit = strstr(bad, "entry threads ") + strlen("entry threads ");
    *digit = *digit == '7' ? '8' : '7';
    write_text(bad);
    assert_int_equal(mcpi_auto_load(model_path, 42, names3, 3, &back, err, sizeof err), MCPI_EIO);
    assert_non_null(strstr(err, "checksum"));
    /* truncated anywhere */
    for (size_t cut = 0; cut + 1 < strlen(good); cut += 7) {
        snprintf(bad, sizeof bad, "%.*s", (int)cut, good);
        write_text(bad);
        assert_int_equal(mcpi_auto_load(model_path, 42, names3, 3, &back, err, sizeof err),
                         MCPI_EIO);
    }
    /* trailing garbage after the checksum line */
    assert_true(strlen(good) + 3 < sizeof bad);
    memcpy(bad, good, strlen(good));
    memcpy(bad + strlen(good), "x\n", 3);
    write_text(bad);
    assert_int_equal(mcpi_auto_load(model_path, 42, names3, 3, &back, err, sizeof err), MCPI_EIO);
    /* and the intact file still loads */
    write_text(good);
    assert_int_equal(mcpi_auto_load(model_path, 42, names3, 3, &back, err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit_recovers_the_line),
        cmocka_unit_test(test_choice_flips_with_n),
        cmocka_unit_test(test_ties_keep_the_first),
        cmocka_unit_test(test_explanation),
        cmocka_unit_test_setup_teardown(test_cache_round_trip_is_exact, make_dir, remove_dir),
        cmocka_unit_test_setup_teardown(test_cache_refuses_other_keys_candidates_and_damage,
                                        make_dir, remove_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_sweep.c - crossovers of a sweep (profiling: mcpi_sweep_crossovers)
 * and the stone conversion, on hand-made records: exact, no timing. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi.h"

#define NPOINTS 4
#define NROWS 3 /* serial, threads, opencl:0.0 */

static mcpi_record g_rows[NPOINTS][NROWS];
static mcpi_sweep_point g_points[NPOINTS];

static void set_row(mcpi_record *r, const char *name, const char *backend, double t)
{
    mcpi_record_init(r);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->backend, sizeof r->backend, "%s", backend);
    r->repeats = 1;
    r->repeat_s[0] = t;
}

/* serial: 1, 10, 100, 1000; threads wins from point 2 on; opencl wins at
 * point 1 only, then loses (so never: it does not win at the largest N). */
static mcpi_sweep make_sweep(const double *threads_t, const double *ocl_t)
{
    static const double serial_t[NPOINTS] = {1, 10, 100, 1000};
    for (int k = 0; k < NPOINTS; k++) {
        set_row(&g_rows[k][0], "serial", "serial", serial_t[k]);
        set_row(&g_rows[k][1], "threads", "threads", threads_t[k]);
        set_row(&g_rows[k][2], "opencl:0.0", "opencl", ocl_t[k]);
        g_points[k].samples = 1000ull * (uint64_t)pow(10, k);
        g_points[k].rows = g_rows[k];
        g_points[k].nrows = NROWS;
    }
    mcpi_sweep sw;
    memset(&sw, 0, sizeof sw);
    sw.from = 1000;
    sw.to = 1000000;
    sw.steps_per_decade = 1;
    sw.reference = "serial";
    sw.points = g_points;
    sw.npoints = NPOINTS;
    return sw;
}

static void test_crossover_never_and_always(void **state)
{
    (void)state;
    static const double thr[NPOINTS] = {2, 20, 50, 500};
    static const double ocl[NPOINTS] = {5, 5, 200, 2000};
    mcpi_sweep sw = make_sweep(thr, ocl);
    mcpi_crossover c[4];
    size_t n = 0;
    assert_int_equal(mcpi_sweep_crossovers(&sw, c, 4, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].name, "threads");
    assert_int_equal(c[0].kind, MCPI_CROSS_CROSSOVER);
    assert_int_equal(c[0].samples, 100000);
    assert_string_equal(c[1].name, "opencl:0.0");
    assert_string_equal(c[1].backend, "opencl");
    assert_int_equal(c[1].kind, MCPI_CROSS_NEVER);
    assert_string_equal(mcpi_cross_kind_name(c[1].kind), "never");

    static const double fast[NPOINTS] = {0.5, 5, 50, 500};
    sw = make_sweep(fast, fast);
    assert_int_equal(mcpi_sweep_crossovers(&sw, c, 4, &n), 0);
    assert_int_equal(c[0].kind, MCPI_CROSS_ALWAYS);
    assert_int_equal(c[0].samples, 1000);
}

static void test_failed_point_breaks_the_run(void **state)
{
    (void)state;
    static const double thr[NPOINTS] = {0.5, 5, 50, 500};
    static const double ocl[NPOINTS] = {0.5, 5, 50, 500};
    mcpi_sweep sw = make_sweep(thr, ocl);
    g_rows[1][1].status = MCPI_EBACKEND; /* threads failed at N=1e4 */
    g_rows[2][0].status = MCPI_EBACKEND; /* serial failed at N=1e5: nobody beats it there */
    mcpi_crossover c[2];
    size_t n = 0;
    assert_int_equal(mcpi_sweep_crossovers(&sw, c, 2, &n), 0);
    assert_int_equal(c[0].kind, MCPI_CROSS_CROSSOVER);
    assert_int_equal(c[0].samples, 1000000);
    /* Counting only: cap 0 reports how many there are. */
    assert_int_equal(mcpi_sweep_crossovers(&sw, NULL, 0, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(mcpi_sweep_crossovers(NULL, NULL, 0, &n), MCPI_EINVAL);
}

static void test_sweep_reports_carry_crossovers(void **state)
{
    (void)state;
    static const double thr[NPOINTS] = {2, 20, 50, 500};
    static const double ocl[NPOINTS] = {5, 5, 200, 2000};
    mcpi_sweep sw = make_sweep(thr, ocl);
    mcpi_report rep;
    memset(&rep, 0, sizeof rep);
    rep.info.version = MCPI_VERSION_STRING;
    rep.info.repeat = 1;
    rep.info.ranks = 1;
    rep.sweep = &sw;
    const mcpi_format fmts[] = {MCPI_FORMAT_TABLE, MCPI_FORMAT_CSV, MCPI_FORMAT_JSON,
                                MCPI_FORMAT_MARKDOWN};
    const char *want[] = {"threads        from N=100000", ",crossover,100000\r\n",
                          "\"crossover_samples\": 100000, \"beats_serial_from\": \"crossover\"",
                          "threads        from N=100000"};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        assert_int_equal(mcpi_report_write(f, fmts[i], &rep), 0);
        fclose(f);
        if (strstr(buf, want[i]) == NULL)
            fail_msg("format %zu lacks '%s':\n%s", i, want[i], buf);
        free(buf);
    }
}

static void test_stones(void **state)
{
    (void)state;
    mcpi_calibration cal;
    memset(&cal, 0, sizeof cal);
    cal.samples_per_s = 2.0 * (double)MCPI_STONE_SAMPLES; /* one stone = 0.5 s */
    assert_true(fabs(mcpi_stones(&cal, 1.5) - 3.0) < 1e-12);
    assert_true(isnan(mcpi_stones(NULL, 1.0)));
    cal.samples_per_s = 0.0;
    assert_true(isnan(mcpi_stones(&cal, 1.0)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crossover_never_and_always),
        cmocka_unit_test(test_failed_point_breaks_the_run),
        cmocka_unit_test(test_sweep_reports_carry_crossovers),
        cmocka_unit_test(test_stones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

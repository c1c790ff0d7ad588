/* test_scale.c - scaling studies (profiling: mcpi_scale_analyse): per-point
 * speedup, efficiency and Karp-Flatt fraction, the Amdahl and Gustafson
 * fits and when they describe the data, on hand-made records: exact data
 * with known answers, no timing anywhere. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi_profile.h"

#define MAXP 8
#define SAMPLES 1000000ull

/* Records are large (every repeat inline): keep them out of the stack. */
static mcpi_record g_rows[MAXP];
static mcpi_scale_point g_points[MAXP];

/* Amdahl's time at p workers: T1 (f + (1 - f) / p). */
static double amdahl_t(double t1, double f, unsigned p)
{
    return t1 * (f + (1.0 - f) / p);
}

/* Gustafson's time at p workers when the base (p = 1) takes t0: the scaled
 * speedup is S = p - s (p - 1), and S = p t0 / t. */
static double gustafson_t(double t0, double s, unsigned p)
{
    return p * t0 / (p - s * (p - 1.0));
}

/* Point i: p workers on hosts hosts, repeats copies of t each moved by
 * d[k] (d may be NULL: no perturbation). */
static void set_point(size_t i, unsigned p, unsigned hosts, double t, unsigned repeats,
                      const double *d)
{
    mcpi_record *r = &g_rows[i];
    mcpi_record_init(r);
    snprintf(r->name, sizeof r->name, "%s", "threads");
    r->status = 0;
    r->samples = SAMPLES;
    r->repeats = repeats;
    for (unsigned k = 0; k < repeats; k++)
        r->repeat_s[k] = t + (d ? d[k] : 0.0);
    memset(&g_points[i], 0, sizeof g_points[i]);
    g_points[i].workers = p;
    g_points[i].hosts = hosts;
    g_points[i].row = r;
}

static mcpi_scale make_scale(mcpi_scale_kind kind, size_t npoints)
{
    mcpi_scale s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.over = MCPI_SCALE_THREADS;
    s.row = "threads";
    s.samples = SAMPLES;
    s.points = g_points;
    s.npoints = npoints;
    return s;
}

/* Strong points p = ps[i] of exact Amdahl data (T1 = 2, f = 0.1). */
static mcpi_scale amdahl_study(const unsigned *ps, size_t n, unsigned repeats, const double *d)
{
    for (size_t i = 0; i < n; i++)
        set_point(i, ps[i], 1, amdahl_t(2.0, 0.1, ps[i]), repeats, d);
    return make_scale(MCPI_SCALE_STRONG, n);
}

static void assert_near(double got, double want, double eps, const char *what)
{
    if (!(fabs(got - want) <= eps))
        fail_msg("%s: got %.17g, want %.17g (eps %g)", what, got, want, eps);
}

static void assert_point_nan(const mcpi_scale_point *pt)
{
    assert_true(isnan(pt->st.median) && isnan(pt->st.min) && isnan(pt->st.max));
    assert_true(isnan(pt->st.mean) && isnan(pt->st.rsd));
    assert_true(isnan(pt->samples_per_s) && isnan(pt->speedup));
    assert_true(isnan(pt->efficiency) && isnan(pt->karp_flatt));
}

static const unsigned P1248[] = {1, 2, 4, 8};

/* ---- Amdahl ------------------------------------------------------------- */

static void test_amdahl_exact(void **state)
{
    (void)state;
    mcpi_scale s = amdahl_study(P1248, 4, 3, NULL);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_string_equal(s.fit.law, "amdahl");
    assert_near(s.fit.fraction, 0.1, 1e-9, "fraction");
    assert_true(isfinite(s.fit.fraction_se));
    assert_near(s.fit.fraction_se, 0.0, 1e-9, "se");
    assert_near(s.fit.t1_s, 2.0, 1e-9, "t1_s");
    assert_near(s.fit.r2, 1.0, 1e-9, "r2");
    assert_int_equal(s.fit.observations, 12);
    assert_int_equal(s.fit.describes, 1);
    assert_string_equal(s.fit.note, "");
}

/* Perturbations that cancel at every p: the least-squares line goes through
 * each p's mean, which is exact, and the spread gives a finite, small se. */
static void test_amdahl_cancelling_perturbation(void **state)
{
    (void)state;
    static const double d[] = {0.004, -0.004, 0.002, -0.002, 0.0};
    mcpi_scale s = amdahl_study(P1248, 4, 5, d);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_near(s.fit.fraction, 0.1, 1e-9, "fraction");
    assert_near(s.fit.t1_s, 2.0, 1e-9, "t1_s");
    assert_true(isfinite(s.fit.fraction_se) && s.fit.fraction_se > 0.0);
    assert_true(s.fit.fraction_se < 0.01);
    assert_true(s.fit.r2 > 0.999 && s.fit.r2 < 1.0);
    assert_int_equal(s.fit.observations, 20);
    assert_int_equal(s.fit.describes, 1);
    /* The median is the unperturbed time. */
    assert_near(s.points[2].st.median, amdahl_t(2.0, 0.1, 4), 1e-15, "median");
}

/* Deterministic pseudo-noise in [-1, 1) (a 64-bit LCG), not cancelling. */
static double noise(uint64_t *x)
{
    *x = *x * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(*x >> 11) / 4503599627370496.0 - 1.0; /* 2^52 */
}

static void test_amdahl_perturbed(void **state)
{
    (void)state;
    uint64_t x = 42;
    for (size_t i = 0; i < 4; i++) {
        double t = amdahl_t(2.0, 0.1, P1248[i]), d[7];
        for (unsigned k = 0; k < 7; k++)
            d[k] = 0.01 * t * noise(&x); /* +-1 % of the time */
        set_point(i, P1248[i], 1, t, 7, d);
    }
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG, 4);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_true(s.fit.fraction_se > 0.0 && s.fit.fraction_se < 0.05);
    if (!(fabs(s.fit.fraction - 0.1) < 4.0 * s.fit.fraction_se))
        fail_msg("fraction %g not within 4 se (%g) of 0.1", s.fit.fraction, s.fit.fraction_se);
    assert_near(s.fit.fraction, 0.1, 0.02, "fraction");
    assert_near(s.fit.t1_s, 2.0, 0.05, "t1_s");
    assert_true(s.fit.r2 > 0.99 && s.fit.r2 < 1.0);
    assert_int_equal(s.fit.observations, 28);
    assert_int_equal(s.fit.describes, 1);
}

/* Per point, against hand values: S = 1 / (f + (1 - f)/p), E = S/p, and
 * Karp-Flatt gives back f at every p > 1 for exact Amdahl data. */
static void test_points_strong(void **state)
{
    (void)state;
    mcpi_scale s = amdahl_study(P1248, 4, 3, NULL);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    static const double speedup[] = {1.0, 2.0 / 1.1, 4.0 / 1.3, 8.0 / 1.7};
    for (size_t i = 0; i < 4; i++) {
        const mcpi_scale_point *pt = &s.points[i];
        double t = amdahl_t(2.0, 0.1, P1248[i]);
        assert_near(pt->st.median, t, 1e-15, "median");
        assert_near(pt->st.rsd, 0.0, 1e-15, "rsd");
        assert_near(pt->samples_per_s, SAMPLES / t, 1e-6, "samples_per_s");
        assert_near(pt->speedup, speedup[i], 1e-12, "speedup");
        assert_near(pt->efficiency, speedup[i] / P1248[i], 1e-12, "efficiency");
        if (P1248[i] == 1)
            assert_true(isnan(pt->karp_flatt));
        else
            assert_near(pt->karp_flatt, 0.1, 1e-12, "karp_flatt");
    }
}

/* A study starting at p0 = 2: S = p0 T0 / T(p), so the base has S = 2 and
 * E = 1, and Karp-Flatt is 0 there (the base is taken as perfect). */
static void test_base_above_one(void **state)
{
    (void)state;
    static const unsigned ps[] = {2, 4, 8};
    mcpi_scale s = amdahl_study(ps, 3, 2, NULL);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    double t2 = amdahl_t(2.0, 0.1, 2), t8 = amdahl_t(2.0, 0.1, 8);
    assert_near(s.points[0].speedup, 2.0, 1e-12, "base speedup");
    assert_near(s.points[0].efficiency, 1.0, 1e-12, "base efficiency");
    assert_near(s.points[0].karp_flatt, 0.0, 1e-12, "base karp_flatt");
    double s8 = 2.0 * t2 / t8;
    assert_near(s.points[2].speedup, s8, 1e-12, "speedup at 8");
    assert_near(s.points[2].efficiency, s8 / 8.0, 1e-12, "efficiency at 8");
    assert_near(s.points[2].karp_flatt, (1.0 / s8 - 0.125) / 0.875, 1e-12, "karp_flatt at 8");
    /* The fit reads the times, not the speedups: the law is still found. */
    assert_near(s.fit.fraction, 0.1, 1e-9, "fraction");
    assert_near(s.fit.t1_s, 2.0, 1e-9, "t1_s");
    assert_int_equal(s.fit.describes, 1);
}

/* A failed first point moves the base to the next ok one. */
static void test_failed_first_point_moves_base(void **state)
{
    (void)state;
    mcpi_scale s = amdahl_study(P1248, 4, 2, NULL);
    g_rows[0].status = MCPI_EBACKEND;
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_point_nan(&s.points[0]);
    assert_near(s.points[1].speedup, 2.0, 1e-12, "new base speedup");
    assert_near(s.points[1].efficiency, 1.0, 1e-12, "new base efficiency");
    assert_near(s.fit.fraction, 0.1, 1e-9, "fraction");
    assert_int_equal(s.fit.observations, 6);
}

/* ---- Gustafson ---------------------------------------------------------- */

static void test_gustafson(void **state)
{
    (void)state;
    for (size_t i = 0; i < 4; i++)
        set_point(i, P1248[i], 1, gustafson_t(1.5, 0.2, P1248[i]), 3, NULL);
    mcpi_scale s = make_scale(MCPI_SCALE_WEAK, 4);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_string_equal(s.fit.law, "gustafson");
    assert_near(s.fit.fraction, 0.2, 1e-9, "fraction");
    assert_true(isfinite(s.fit.fraction_se));
    assert_near(s.fit.fraction_se, 0.0, 1e-9, "se");
    assert_near(s.fit.t1_s, 1.5, 1e-15, "t1_s");
    assert_near(s.fit.r2, 1.0, 1e-9, "r2");
    assert_int_equal(s.fit.observations, 9); /* p = 1 takes no part */
    assert_int_equal(s.fit.describes, 1);
    for (size_t i = 0; i < 4; i++) {
        const mcpi_scale_point *pt = &s.points[i];
        double p = P1248[i], S = p - 0.2 * (p - 1.0);
        assert_near(pt->speedup, S, 1e-12, "scaled speedup");
        assert_near(pt->efficiency, 1.5 / pt->st.median, 1e-12, "efficiency = T0/T");
        assert_near(pt->efficiency, S / p, 1e-12, "efficiency = S/p");
    }
    assert_true(isnan(s.points[0].karp_flatt));
}

static void test_gustafson_perturbed(void **state)
{
    (void)state;
    uint64_t x = 7;
    for (size_t i = 0; i < 4; i++) {
        double t = gustafson_t(1.0, 0.2, P1248[i]), d[5];
        for (unsigned k = 0; k < 5; k++)
            d[k] = 0.005 * t * noise(&x);
        set_point(i, P1248[i], 1, t, 5, d);
    }
    mcpi_scale s = make_scale(MCPI_SCALE_WEAK, 4);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_true(s.fit.fraction_se > 0.0);
    if (!(fabs(s.fit.fraction - 0.2) < 4.0 * s.fit.fraction_se + 0.01))
        fail_msg("s %g too far from 0.2 (se %g)", s.fit.fraction, s.fit.fraction_se);
    assert_int_equal(s.fit.observations, 15);
    assert_int_equal(s.fit.describes, 1);
}

/* ---- when the law does not describe the data ---------------------------- */

static void test_superlinear(void **state)
{
    (void)state;
    set_point(0, 1, 1, 1.0, 2, NULL);
    set_point(1, 2, 1, 0.4, 2, NULL); /* E = 1.25 */
    set_point(2, 4, 1, 0.2, 2, NULL);
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG, 3);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_near(s.points[1].efficiency, 1.25, 1e-12, "efficiency");
    assert_int_equal(s.fit.describes, 0);
    assert_non_null(strstr(s.fit.note, "superlinear"));
    assert_non_null(strstr(s.fit.note, "p=2"));
    assert_true(strlen(s.fit.note) < MCPI_NOTE_LEN);
}

/* Time that grows with p: t = 1.2 - 0.2/p, exactly, so f = 1.2 > 1. */
static void test_fraction_outside(void **state)
{
    (void)state;
    static const unsigned ps[] = {1, 2, 4};
    for (size_t i = 0; i < 3; i++)
        set_point(i, ps[i], 1, 1.2 - 0.2 / ps[i], 3, NULL);
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG, 3);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_near(s.fit.fraction, 1.2, 1e-9, "fraction");
    assert_int_equal(s.fit.describes, 0);
    assert_non_null(strstr(s.fit.note, "outside [0, 1]"));
}

/* A fraction just above 1 but within two standard errors is no reason. */
static void test_fraction_within_two_se(void **state)
{
    (void)state;
    static const unsigned ps[] = {1, 2, 4};
    static const double d[] = {0.05, -0.05};
    for (size_t i = 0; i < 3; i++)
        set_point(i, ps[i], 1, 1.0, 2, d);
    g_rows[2].repeat_s[0] += 0.01; /* slower at p = 4: f a little above 1 */
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG, 3);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_true(s.fit.fraction > 1.0);
    assert_true(s.fit.fraction < 1.0 + 2.0 * s.fit.fraction_se);
    assert_int_equal(s.fit.describes, 1);
    assert_string_equal(s.fit.note, "");
}

/* hosts 1, 1, 2: the efficiency halves where the run leaves the node. */
static void test_node_boundary(void **state)
{
    (void)state;
    set_point(0, 1, 1, 1.0, 1, NULL);
    set_point(1, 2, 1, 0.5, 1, NULL);
    set_point(2, 4, 2, 0.5, 1, NULL);
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG, 3);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_true(s.fit.fraction > 0.0 && s.fit.fraction < 1.0);
    assert_int_equal(s.fit.describes, 0);
    assert_non_null(strstr(s.fit.note, "node boundary"));
    assert_non_null(strstr(s.fit.note, "from 1.00 to 0.50 between p=2 and p=4"));
    assert_non_null(strstr(s.fit.note, "1 to 2 hosts"));

    /* The same drop on one host is the law's business, not a boundary. */
    g_points[2].hosts = 1;
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_int_equal(s.fit.describes, 1);
    assert_string_equal(s.fit.note, "");
}

/* ---- too little data ---------------------------------------------------- */

/* Two observations fit a line exactly: a fraction, but no error estimate. */
static void test_two_points_one_repeat(void **state)
{
    (void)state;
    set_point(0, 1, 1, 1.0, 1, NULL);
    set_point(1, 2, 1, 0.55, 1, NULL);
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG, 2);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_near(s.fit.fraction, 0.1, 1e-12, "fraction");
    assert_true(isnan(s.fit.fraction_se));
    assert_near(s.fit.t1_s, 1.0, 1e-12, "t1_s");
    assert_int_equal(s.fit.observations, 2);
    assert_int_equal(s.fit.describes, 1);

    /* Gustafson with one observation above p = 1: s, but no error. */
    s.kind = MCPI_SCALE_WEAK;
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_string_equal(s.fit.law, "gustafson");
    assert_true(isfinite(s.fit.fraction));
    assert_true(isnan(s.fit.fraction_se));
    assert_int_equal(s.fit.observations, 1);
}

static void test_one_point(void **state)
{
    (void)state;
    set_point(0, 4, 1, 1.0, 3, NULL);
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG, 1);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_near(s.points[0].speedup, 4.0, 1e-12, "speedup");
    assert_near(s.points[0].efficiency, 1.0, 1e-12, "efficiency");
    assert_true(isnan(s.fit.fraction) && isnan(s.fit.fraction_se));
    assert_int_equal(s.fit.observations, 3);
    assert_int_equal(s.fit.describes, 0);
    assert_non_null(strstr(s.fit.note, "one worker count"));

    s.kind = MCPI_SCALE_WEAK;
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_true(isnan(s.fit.fraction));
    assert_int_equal(s.fit.describes, 0);
    assert_non_null(strstr(s.fit.note, "one worker count"));
}

/* A point whose row failed, or that has no repeats, is NaN throughout and
 * the fit is the fit without it. */
static void test_failed_point_excluded(void **state)
{
    (void)state;
    static const double d[] = {0.003, -0.001, 0.0005};
    static const unsigned ps[] = {1, 2, 8};
    mcpi_scale s = amdahl_study(ps, 3, 3, d);
    g_rows[1].repeat_s[1] += 0.002; /* break the symmetry: a nonzero se */
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    mcpi_scale_fit want = s.fit;

    /* The same points with p = 4 failed in between. */
    set_point(3, 8, 1, amdahl_t(2.0, 0.1, 8), 3, d);
    set_point(2, 4, 1, 0.01, 3, NULL); /* a wild time: it must not count */
    g_rows[2].status = MCPI_EBACKEND;
    s = make_scale(MCPI_SCALE_STRONG, 4);
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_point_nan(&s.points[2]);
    assert_near(s.fit.fraction, want.fraction, 1e-15, "fraction");
    assert_near(s.fit.fraction_se, want.fraction_se, 1e-15, "se");
    assert_near(s.fit.t1_s, want.t1_s, 1e-15, "t1_s");
    assert_near(s.fit.r2, want.r2, 1e-15, "r2");
    assert_int_equal(s.fit.observations, want.observations);
    assert_int_equal(s.fit.describes, want.describes);

    /* No repeats is a failure too. */
    g_rows[2].status = 0;
    g_rows[2].repeats = 0;
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_point_nan(&s.points[2]);
    assert_near(s.fit.fraction, want.fraction, 1e-15, "fraction");
    assert_int_equal(s.fit.observations, want.observations);
}

static void test_all_failed(void **state)
{
    (void)state;
    mcpi_scale s = amdahl_study(P1248, 2, 2, NULL);
    g_rows[0].status = MCPI_EBACKEND;
    g_rows[1].status = MCPI_EBACKEND;
    assert_int_equal(mcpi_scale_analyse(&s), 0);
    assert_point_nan(&s.points[0]);
    assert_point_nan(&s.points[1]);
    assert_true(isnan(s.fit.fraction) && isnan(s.fit.t1_s) && isnan(s.fit.r2));
    assert_int_equal(s.fit.observations, 0);
    assert_int_equal(s.fit.describes, 0);
    assert_true(strlen(s.fit.note) > 0);
}

/* ---- arguments and names ------------------------------------------------ */

static void test_invalid(void **state)
{
    (void)state;
    assert_int_equal(mcpi_scale_analyse(NULL), MCPI_EINVAL);
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG, 0);
    assert_int_equal(mcpi_scale_analyse(&s), MCPI_EINVAL);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(mcpi_scale_kind_name(MCPI_SCALE_STRONG), "strong");
    assert_string_equal(mcpi_scale_kind_name(MCPI_SCALE_WEAK), "weak");
    assert_string_equal(mcpi_scale_over_name(MCPI_SCALE_THREADS), "threads");
    assert_string_equal(mcpi_scale_over_name(MCPI_SCALE_RANKS), "ranks");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_amdahl_exact),
        cmocka_unit_test(test_amdahl_cancelling_perturbation),
        cmocka_unit_test(test_amdahl_perturbed),
        cmocka_unit_test(test_points_strong),
        cmocka_unit_test(test_base_above_one),
        cmocka_unit_test(test_failed_first_point_moves_base),
        cmocka_unit_test(test_gustafson),
        cmocka_unit_test(test_gustafson_perturbed),
        cmocka_unit_test(test_superlinear),
        cmocka_unit_test(test_fraction_outside),
        cmocka_unit_test(test_fraction_within_two_se),
        cmocka_unit_test(test_node_boundary),
        cmocka_unit_test(test_two_points_one_repeat),
        cmocka_unit_test(test_one_point),
        cmocka_unit_test(test_failed_point_excluded),
        cmocka_unit_test(test_all_failed),
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_compare.c - comparing runs (profiling: compare.c, report_compare.c):
 * the Mann-Whitney U test against SciPy's published values and against
 * brute-force enumeration of every arrangement, ties and the normal
 * approximation, the ratio and its uncertainty on exact data, the too-few-
 * repeats verdict, the --fail-if-slower rule at its boundary, the matching
 * of rows by name and the writers.  Hand-made records: no timing anywhere. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi_profile.h"

#define TOL 1e-12
#define MAXN 16 /* brute force: C(16, 8) = 12870 arrangements at most */

/* Records are large (every repeat inline): keep them out of the stack. */
static mcpi_record g_a[4], g_b[4];

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("got %.17g, want %.17g (tolerance %g)\n", got, want, tol);
        fail();
    }
}

/* A row named name over [0, samples) with the given repeat times. */
static void set_row(mcpi_record *r, const char *name, uint64_t samples, const double *t, unsigned n)
{
    mcpi_record_init(r);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->backend, sizeof r->backend, "%s", name);
    snprintf(r->device, sizeof r->device, "%s", "cpu");
    snprintf(r->hostname, sizeof r->hostname, "%s", "host");
    r->status = MCPI_OK;
    r->exact = 1;
    r->ranks = 1;
    r->threads = 1;
    r->begin = 0;
    r->end = r->samples = samples;
    r->hits = samples / 4 * 3;
    r->repeats = n;
    for (unsigned i = 0; i < n; i++)
        r->repeat_s[i] = t[i];
}

/* ---- Mann-Whitney U ------------------------------------------------------- */

/* SciPy's documented example (scipy.stats.mannwhitneyu): U = 17, exact p
 * 0.1111111111111111, asymptotic p 0.11134688653314041. */
static void test_mw_scipy_example(void **state)
{
    (void)state;
    const double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
    mcpi_mann_whitney mw;
    assert_int_equal(mcpi_mann_whitney_test(males, 5, females, 4, &mw), MCPI_OK);
    assert_true(mw.exact);
    assert_false(mw.ties);
    assert_near(mw.u, 17.0, 0.0);
    assert_near(mw.p, 0.1111111111111111, TOL);
    /* Swapping the samples gives U2 = n m - U1 and the same two-sided p. */
    assert_int_equal(mcpi_mann_whitney_test(females, 4, males, 5, &mw), MCPI_OK);
    assert_near(mw.u, 3.0, 0.0);
    assert_near(mw.p, 0.1111111111111111, TOL);
}

/* U of x against y by counting pairs (the definition, not the ranks). */
static double pairs_u(const double *x, size_t n, const double *y, size_t m)
{
    double u = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < m; j++)
            u += x[i] > y[j] ? 1.0 : x[i] == y[j] ? 0.5 : 0.0;
    return u;
}

/* Splits 0..n+m-1 by the bit mask: set bits to x, the others to y. */
static void split(unsigned mask, size_t total, double *x, size_t *n, double *y, size_t *m)
{
    *n = *m = 0;
    for (size_t i = 0; i < total; i++) {
        if (mask & (1u << i))
            x[(*n)++] = (double)i;
        else
            y[(*m)++] = (double)i;
    }
}

static int popcount(unsigned v)
{
    int c = 0;
    for (; v; v &= v - 1)
        c++;
    return c;
}

/* Every arrangement of n x's among n + m distinct values: the null
 * distribution of U by enumeration, and the test's p for each arrangement
 * against 2 min(P(U <= u), P(U >= u)) from it. */
static void check_enumeration(size_t n, size_t m)
{
    size_t total = n + m;
    static double count[MAXN * MAXN + 1];
    memset(count, 0, sizeof count);
    double all = 0.0, x[MAXN], y[MAXN];
    size_t nx, ny;
    for (unsigned mask = 0; mask < (1u << total); mask++) {
        if (popcount(mask) != (int)n)
            continue;
        split(mask, total, x, &nx, y, &ny);
        count[(size_t)pairs_u(x, nx, y, ny)] += 1.0;
        all += 1.0;
    }
    for (unsigned mask = 0; mask < (1u << total); mask++) {
        if (popcount(mask) != (int)n)
            continue;
        split(mask, total, x, &nx, y, &ny);
        double u = pairs_u(x, nx, y, ny), lo = 0.0, hi = 0.0;
        for (size_t k = 0; k <= n * m; k++) {
            lo += (double)k <= u ? count[k] : 0.0;
            hi += (double)k >= u ? count[k] : 0.0;
        }
        double want = fmin(1.0, 2.0 * fmin(lo, hi) / all);
        mcpi_mann_whitney mw;
        assert_int_equal(mcpi_mann_whitney_test(x, nx, y, ny, &mw), MCPI_OK);
        assert_true(mw.exact);
        assert_near(mw.u, u, 0.0);
        assert_near(mw.p, want, TOL);
    }
    /* The most extreme arrangement has the smallest p: 2 / C(n + m, n). */
    assert_near(mcpi_mann_whitney_min_p(n, m), fmin(1.0, 2.0 / all), TOL);
}

static void test_mw_exact_by_enumeration(void **state)
{
    (void)state;
    static const size_t sizes[][2] = {{1, 1}, {1, 5}, {2, 3}, {3, 3},  {4, 4}, {5, 3},
                                      {3, 9}, {6, 7}, {8, 8}, {2, 14}, {7, 5}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check_enumeration(sizes[i][0], sizes[i][1]);
}

/* The exact distribution at its largest (20 and 20: C(40, 20) arrangements,
 * 64-bit counts): completely separated samples give 2 / C(40, 20), and one
 * swapped pair (U = 1) gives 2 * 2 / C(40, 20). */
static void test_mw_exact_at_the_limit(void **state)
{
    (void)state;
    double x[MCPI_MW_EXACT_MAX], y[MCPI_MW_EXACT_MAX];
    for (int i = 0; i < MCPI_MW_EXACT_MAX; i++) {
        x[i] = i;
        y[i] = 100 + i;
    }
    const double c40_20 = 137846528820.0;
    mcpi_mann_whitney mw;
    assert_int_equal(mcpi_mann_whitney_test(x, 20, y, 20, &mw), MCPI_OK);
    assert_true(mw.exact);
    assert_near(mw.u, 0.0, 0.0);
    assert_near(mw.p / (2.0 / c40_20), 1.0, 1e-12);
    x[19] = 100.5; /* above y[0] only */
    assert_int_equal(mcpi_mann_whitney_test(x, 20, y, 20, &mw), MCPI_OK);
    assert_near(mw.u, 1.0, 0.0);
    assert_near(mw.p / (4.0 / c40_20), 1.0, 1e-12);
    /* One more value on a side leaves the exact range. */
    double x21[21];
    for (int i = 0; i < 21; i++)
        x21[i] = i;
    assert_int_equal(mcpi_mann_whitney_test(x21, 21, y, 20, &mw), MCPI_OK);
    assert_false(mw.exact);
}

/* Ties: midranks for U, the tie-corrected variance, the normal
 * approximation.  x = {1, 2, 2, 3}, y = {2, 3, 3, 4, 5}: ranks of x 1, 3,
 * 3, 6 (sum 13), U = 13 - 10 = 3; two groups of three ties, sum(t^3 - t) =
 * 48; var = 20/12 (10 - 48/72) = 15.5556; z = (|3 - 10| - 0.5) / sqrt(var);
 * p = erfc(z / sqrt 2) = 0.09934224785346527 (SciPy's asymptotic p). */
static void test_mw_ties(void **state)
{
    (void)state;
    const double x[] = {1, 2, 2, 3}, y[] = {2, 3, 3, 4, 5};
    mcpi_mann_whitney mw;
    assert_int_equal(mcpi_mann_whitney_test(x, 4, y, 5, &mw), MCPI_OK);
    assert_true(mw.ties);
    assert_false(mw.exact);
    assert_near(mw.u, 3.0, 0.0);
    assert_near(mw.u, pairs_u(x, 4, y, 5), 0.0);
    double var = 20.0 / 12.0 * (10.0 - 48.0 / 72.0);
    assert_near(mw.p, erfc((7.0 - 0.5) / sqrt(var) / sqrt(2.0)), TOL);
    assert_near(mw.p, 0.09934224785346527, 1e-12);

    /* Ties inside one sample only count too (SciPy: asymptotic). */
    const double xa[] = {1, 1, 2}, ya[] = {3, 4, 5};
    assert_int_equal(mcpi_mann_whitney_test(xa, 3, ya, 3, &mw), MCPI_OK);
    assert_true(mw.ties);
    assert_false(mw.exact);

    /* Every value equal: no evidence at all, p = 1, U = n m / 2. */
    const double same[] = {1, 1, 1, 1, 1};
    assert_int_equal(mcpi_mann_whitney_test(same, 3, same, 5, &mw), MCPI_OK);
    assert_near(mw.u, 7.5, 0.0);
    assert_near(mw.p, 1.0, 0.0);
}

/* P(U <= u) for sizes n, m by the textbook recurrence in doubles (a second
 * way to the exact distribution, independent of the library's):
 * f(n, m, u) = f(n - 1, m, u - m) + f(n, m - 1, u), counts of arrangements. */
static double recurrence_cdf(size_t n, size_t m, size_t u)
{
    static double f[31][31][901];
    memset(f, 0, sizeof f);
    for (size_t a = 0; a <= n; a++)
        for (size_t b = 0; b <= m; b++)
            for (size_t k = 0; k <= a * b; k++) {
                if (a == 0 || b == 0) {
                    f[a][b][k] = k == 0;
                    continue;
                }
                f[a][b][k] = (k >= b ? f[a - 1][b][k - b] : 0.0) + f[a][b - 1][k];
            }
    double lo = 0.0, all = 0.0;
    for (size_t k = 0; k <= n * m; k++) {
        lo += k <= u ? f[n][m][k] : 0.0;
        all += f[n][m][k];
    }
    return lo / all;
}

/* Large samples (30 and 30): the normal approximation, equal to its own
 * formula and within 5 % of the exact permutation p it stands for where p is
 * a few percent (0.0271 against 0.0263; in the far tail the approximation
 * is relatively worse, 1.7 times the exact p at 7e-5, as it is SciPy's). */
static void test_mw_normal_approximation(void **state)
{
    (void)state;
    double x[30], y[30];
    for (int i = 0; i < 30; i++) {
        x[i] = 2.0 * i;        /* 0, 2, ..., 58 */
        y[i] = 2.0 * i + 11.0; /* 11, 13, ..., 69: x mostly below, U = 300 */
    }
    mcpi_mann_whitney mw;
    assert_int_equal(mcpi_mann_whitney_test(x, 30, y, 30, &mw), MCPI_OK);
    assert_false(mw.exact);
    assert_false(mw.ties);
    double u = pairs_u(x, 30, y, 30);
    assert_near(mw.u, u, 0.0);
    double var = 900.0 / 12.0 * 61.0;
    double want = erfc((fabs(u - 450.0) - 0.5) / sqrt(var) / sqrt(2.0));
    assert_near(mw.p, want, TOL);
    double exact = 2.0 * recurrence_cdf(30, 30, (size_t)u);
    assert_near(mw.u, 300.0, 0.0);
    assert_true(mw.p > 0.0 && mw.p < 0.05);
    assert_near(mw.p / exact, 1.0, 0.05);
}

static void test_mw_refusals_and_min_repeats(void **state)
{
    (void)state;
    const double x[] = {1, 2}, nan_[] = {1, NAN};
    mcpi_mann_whitney mw;
    assert_int_equal(mcpi_mann_whitney_test(x, 0, x, 2, &mw), MCPI_EINVAL);
    assert_int_equal(mcpi_mann_whitney_test(x, 2, x, 0, &mw), MCPI_EINVAL);
    assert_int_equal(mcpi_mann_whitney_test(x, 2, nan_, 2, &mw), MCPI_EINVAL);
    /* 3 and 3: the smallest two-sided p is 2 / C(6, 3) = 0.1; 4 and 4: 2/70. */
    assert_near(mcpi_mann_whitney_min_p(3, 3), 0.1, TOL);
    assert_near(mcpi_mann_whitney_min_p(4, 4), 2.0 / 70.0, TOL);
    assert_near(mcpi_mann_whitney_min_p(3, 4), 2.0 / 35.0, TOL); /* still above 0.05 */
    assert_near(mcpi_mann_whitney_min_p(0, 4), 1.0, 0.0);
    assert_int_equal(mcpi_mann_whitney_min_repeats(0.05), 4);
    assert_int_equal(mcpi_mann_whitney_min_repeats(0.01), 5); /* 2/252 */
    assert_int_equal(mcpi_mann_whitney_min_repeats(0.1), 4);  /* 0.1 itself is not below */
    /* One repeat on a side can never be significant, however many on the other. */
    assert_true(mcpi_mann_whitney_min_p(1, 20) > 0.05);
    assert_true(mcpi_mann_whitney_min_p(1, 500) > 0.05);
}

/* ---- spread, ratio and uncertainty ------------------------------------------- */

static void test_robust_spread(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3, 4, 100}; /* median 3, deviations 2 1 0 1 97: MAD 1 */
    assert_near(mcpi_robust_spread(x, 5), MCPI_MAD_TO_SD, TOL);
    assert_near(mcpi_robust_spread(x, 1), 0.0, 0.0);
    assert_true(isnan(mcpi_robust_spread(x, 0)));
    const double even[] = {1, 2, 4, 8}; /* median 3, deviations 2 1 1 5: MAD 1.5 */
    assert_near(mcpi_robust_spread(even, 4), 1.5 * MCPI_MAD_TO_SD, TOL);
}

/* B = 2 x A, five repeats each, binary-exact values: ratio 2, relative
 * spread 0.125 x 1.4826 on each side, u = 2 sqrt(2) 0.125 x 1.4826; every B
 * above every A: U = 0, p = 2 / C(10, 5), significant. */
static void test_ratio_and_uncertainty(void **state)
{
    (void)state;
    const double a[] = {1.0, 1.25, 0.75, 1.125, 0.875};
    double b[5];
    for (int i = 0; i < 5; i++)
        b[i] = 2.0 * a[i];
    set_row(&g_a[0], "simd", 1000, a, 5);
    set_row(&g_b[0], "simd", 1000, b, 5);
    mcpi_compare_row r = {.a = &g_a[0], .b = &g_b[0]};
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 0, 0.0), MCPI_OK);
    assert_false(r.failed);
    assert_int_equal(r.flags, 0);
    double rel = 0.125 * MCPI_MAD_TO_SD, u = 2.0 * sqrt(2.0) * rel;
    assert_near(r.ratio, 2.0, TOL);
    assert_near(r.ratio_u, u, TOL);
    assert_near(r.factor, 2.0, TOL);
    assert_near(r.factor_u, u, TOL);
    assert_int_equal(r.direction, 1);
    assert_near(r.spread_a, 0.125 * MCPI_MAD_TO_SD, TOL);
    assert_near(r.spread_b, 0.25 * MCPI_MAD_TO_SD, TOL);
    assert_near(r.sa.median, 1.0, 0.0);
    assert_near(r.mw.u, 0.0, 0.0);
    assert_near(r.mw.p, 2.0 / 252.0, TOL);
    assert_int_equal(r.verdict, MCPI_VERDICT_SIGNIFICANT);

    /* The other way round: 2 times faster, the same relative uncertainty. */
    mcpi_compare_row s = {.a = &g_b[0], .b = &g_a[0]};
    assert_int_equal(mcpi_compare_row_analyse(&s, 0.05, 0, 0.0), MCPI_OK);
    assert_near(s.ratio, 0.5, TOL);
    assert_near(s.ratio_u, 0.5 * sqrt(2.0) * rel, TOL);
    assert_near(s.factor, 2.0, TOL);
    assert_near(s.factor_u, u, TOL);
    assert_int_equal(s.direction, -1);
    assert_int_equal(s.verdict, MCPI_VERDICT_SIGNIFICANT);
}

/* Three repeats a side: no outcome reaches p < 0.05 (the smallest is 0.1),
 * so the verdict is "too few repeats" even when the samples separate. */
static void test_too_few_repeats(void **state)
{
    (void)state;
    const double a[] = {0.75, 1.0, 1.25}, b[] = {0.375, 0.5, 0.625};
    set_row(&g_a[0], "serial", 1000, a, 3);
    set_row(&g_b[0], "serial", 1000, b, 3);
    mcpi_compare_row r = {.a = &g_a[0], .b = &g_b[0]};
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 1, 0.0), MCPI_OK);
    assert_near(r.ratio, 0.5, TOL);
    assert_near(r.mw.p, 0.1, TOL);
    assert_near(r.mw.min_p, 0.1, TOL);
    assert_int_equal(r.verdict, MCPI_VERDICT_TOO_FEW);
    assert_false(r.slower);
    /* With alpha 0.2 the same data can decide. */
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.2, 0, 0.0), MCPI_OK);
    assert_int_equal(r.verdict, MCPI_VERDICT_SIGNIFICANT);
    /* One repeat a side: a ratio, no uncertainty, no test. */
    set_row(&g_a[1], "serial", 1000, a, 1);
    set_row(&g_b[1], "serial", 1000, b, 1);
    mcpi_compare_row one = {.a = &g_a[1], .b = &g_b[1]};
    assert_int_equal(mcpi_compare_row_analyse(&one, 0.05, 1, 0.0), MCPI_OK);
    assert_near(one.ratio, 0.375 / 0.75, TOL);
    assert_true(isnan(one.ratio_u));
    assert_true(isnan(one.factor_u));
    assert_int_equal(one.verdict, MCPI_VERDICT_TOO_FEW);
}

/* The same measurements on both sides: ratio 1 exactly, no uncertainty,
 * p = 1, not significant. */
static void test_same_measurements(void **state)
{
    (void)state;
    const double a[] = {1.0, 1.25, 0.75, 1.125, 0.875};
    set_row(&g_a[0], "threads", 1000, a, 5);
    mcpi_compare_row r = {.a = &g_a[0], .b = &g_a[0]};
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 1, 0.0), MCPI_OK);
    assert_true(r.flags & MCPI_CMP_SAME_MEASUREMENTS);
    assert_near(r.ratio, 1.0, 0.0);
    assert_near(r.ratio_u, 0.0, 0.0);
    assert_int_equal(r.direction, 0);
    assert_near(r.mw.p, 1.0, 0.0);
    assert_int_equal(r.verdict, MCPI_VERDICT_NOT_SIGNIFICANT);
    assert_false(r.slower);
}

/* N differs: times per sample.  B counts twice the samples in twice the
 * time: the same speed, ratio 1, every per-sample time ties with one of A's. */
static void test_per_sample_when_n_differs(void **state)
{
    (void)state;
    const double a[] = {1.0, 1.25, 0.75, 1.125, 0.875};
    double b[5];
    for (int i = 0; i < 5; i++)
        b[i] = 2.0 * a[i];
    set_row(&g_a[0], "simd", 1000, a, 5);
    set_row(&g_b[0], "simd", 2000, b, 5);
    mcpi_compare_row r = {.a = &g_a[0], .b = &g_b[0]};
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 0, 0.0), MCPI_OK);
    assert_true(r.flags & MCPI_CMP_N_DIFFERS);
    assert_false(r.flags & MCPI_CMP_WRONG_HITS); /* other ranges: other hits */
    assert_near(r.ratio, 1.0, TOL);
    assert_near(r.ratio_u, sqrt(2.0) * 0.125 * MCPI_MAD_TO_SD, TOL);
    assert_true(r.mw.ties);
    assert_near(r.mw.p, 1.0, 0.0);
    assert_int_equal(r.verdict, MCPI_VERDICT_NOT_SIGNIFICANT);
    assert_near(r.sb.median, 2.0, 0.0); /* shown as measured */
}

/* Hits must agree over the same samples of the same stream. */
static void test_wrong_hits(void **state)
{
    (void)state;
    const double a[] = {1.0, 1.1, 0.9, 1.05};
    set_row(&g_a[0], "opencl:0.0", 1000000, a, 4);
    set_row(&g_b[0], "opencl:0.0", 1000000, a, 4);
    g_b[0].hits++;
    mcpi_compare_row r = {.a = &g_a[0], .b = &g_b[0]};
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 0, 0.0), MCPI_OK);
    assert_true(r.flags & MCPI_CMP_WRONG_HITS);
    g_b[0].seed = 1; /* another stream: other hits are right */
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 0, 0.0), MCPI_OK);
    assert_false(r.flags & MCPI_CMP_WRONG_HITS);
    assert_true(r.flags & MCPI_CMP_SEED_DIFFERS);
    g_b[0].seed = 0;
    g_b[0].exact = 0; /* the naive teaching row: its hits are its own */
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 0, 0.0), MCPI_OK);
    assert_false(r.flags & MCPI_CMP_WRONG_HITS);
    g_b[0].exact = 1;
    g_b[0].status = MCPI_EBACKEND; /* a failed row: nothing compared */
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 0, 0.0), MCPI_OK);
    assert_true(r.failed);
    assert_false(r.flags & MCPI_CMP_WRONG_HITS);
    assert_int_equal(r.verdict, MCPI_VERDICT_NONE);
    assert_true(isnan(r.ratio));
}

/* ---- the gate ------------------------------------------------------------------ */

/* ratio - u > 1 + PCT/100, strictly, and significant.  1.5 - 0.25 = 1.25 is
 * exact in binary, so the boundary is tested exactly. */
static void test_gate_boundary(void **state)
{
    (void)state;
    assert_false(mcpi_compare_slower(1.5, 0.25, 1, 25.0)); /* 1.25 > 1.25: no */
    assert_true(mcpi_compare_slower(1.5, 0.25, 1, 24.9));
    assert_false(mcpi_compare_slower(1.5, 0.25, 0, 0.0)); /* not significant */
    assert_false(mcpi_compare_slower(1.5, NAN, 1, 0.0));  /* no uncertainty */
    assert_false(mcpi_compare_slower(NAN, 0.0, 1, 0.0));
    assert_false(mcpi_compare_slower(0.5, 0.0, 1, 0.0)); /* faster */
    assert_true(mcpi_compare_slower(1.0 + 1e-9, 0.0, 1, 0.0));

    /* On a row: ratio 2, u = 2 sqrt(2) 0.125 x 1.4826 = 0.52420, lower bound
     * 1.4758: PCT 47 trips it, PCT 48 does not. */
    const double a[] = {1.0, 1.25, 0.75, 1.125, 0.875};
    double b[5];
    for (int i = 0; i < 5; i++)
        b[i] = 2.0 * a[i];
    set_row(&g_a[0], "simd", 1000, a, 5);
    set_row(&g_b[0], "simd", 1000, b, 5);
    mcpi_compare_row r = {.a = &g_a[0], .b = &g_b[0]};
    double lower = 2.0 - 2.0 * sqrt(2.0) * 0.125 * MCPI_MAD_TO_SD;
    assert_near(lower, 1.4758, 1e-4);
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 1, 47.0), MCPI_OK);
    assert_true(r.slower);
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 1, 48.0), MCPI_OK);
    assert_false(r.slower);
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.05, 0, 0.0), MCPI_OK);
    assert_false(r.slower); /* no gate asked */
    /* At alpha 0.005 the test cannot call 5 against 5 (2/252 = 0.0079). */
    assert_int_equal(mcpi_compare_row_analyse(&r, 0.005, 1, 0.0), MCPI_OK);
    assert_int_equal(r.verdict, MCPI_VERDICT_TOO_FEW);
    assert_false(r.slower);
}

/* ---- a whole comparison ---------------------------------------------------------- */

static void test_matching_by_name(void **state)
{
    (void)state;
    const double t[] = {1.0, 1.25, 0.75, 1.125, 0.875};
    double slow[5];
    for (int i = 0; i < 5; i++)
        slow[i] = 3.0 * t[i];
    set_row(&g_a[0], "serial", 1000, t, 5);
    set_row(&g_a[1], "simd", 1000, t, 5);
    set_row(&g_b[0], "simd", 1000, slow, 5);
    set_row(&g_b[1], "threads", 1000, t, 5);
    mcpi_compare_run runs[3] = {{"a.json", "0.1.0", 0, g_a, 2},
                                {"b.json", "0.1.0", 0, g_b, 2},
                                {"a.json", "0.1.0", 0, g_a, 2}};
    mcpi_compare c;
    memset(&c, 0, sizeof c);
    c.version = "0.1.0";
    c.runs = runs;
    c.nruns = 3;
    c.alpha = 0.05;
    c.gate = 1;
    c.gate_pct = 10.0;
    assert_int_equal(mcpi_compare_analyse(&c), MCPI_OK);
    assert_int_equal(c.nblocks, 2);
    assert_int_equal(c.min_repeats, 4);
    const mcpi_compare_block *b = &c.blocks[0];
    assert_int_equal(b->nrows, 3);
    assert_string_equal(b->rows[0].a->name, "serial");
    assert_null(b->rows[0].b);
    assert_string_equal(b->rows[1].a->name, "simd");
    assert_string_equal(b->rows[1].b->name, "simd");
    assert_null(b->rows[2].a);
    assert_string_equal(b->rows[2].b->name, "threads");
    assert_near(b->rows[1].ratio, 3.0, TOL);
    assert_true(b->rows[1].slower);
    assert_int_equal(b->rows[0].verdict, MCPI_VERDICT_NONE);
    assert_near(b->rows[2].sb.median, 1.0, 0.0); /* a side alone keeps its time */
    assert_int_equal(c.blocks[1].nrows, 2);      /* the baseline against itself */
    assert_true(c.blocks[1].rows[0].flags & MCPI_CMP_SAME_MEASUREMENTS);
    assert_int_equal(c.slower_rows, 1);
    assert_int_equal(c.wrong_hits, 0);
    assert_int_equal(c.too_few, 0);

    /* Every writer writes it, and says what matters. */
    static const mcpi_format formats[] = {MCPI_FORMAT_TABLE, MCPI_FORMAT_CSV, MCPI_FORMAT_JSON,
                                          MCPI_FORMAT_MARKDOWN};
    static const char *const want[] = {"3.00 ± ", "slower_than_gate", "\"slower_than_gate\": true",
                                       "only in the baseline"};
    for (size_t i = 0; i < 4; i++) {
        FILE *f = tmpfile();
        assert_non_null(f);
        assert_int_equal(mcpi_compare_write(f, formats[i], &c), MCPI_OK);
        long len = ftell(f);
        assert_true(len > 0);
        char *text = calloc((size_t)len + 1, 1);
        assert_non_null(text);
        rewind(f);
        assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
        fclose(f);
        if (strstr(text, want[i]) == NULL)
            fail_msg("format %zu lacks '%s':\n%s", i, want[i], text);
        if (formats[i] == MCPI_FORMAT_TABLE)
            assert_non_null(strstr(text, "--fail-if-slower 10%: FAILED"));
        free(text);
    }
    mcpi_compare_free(&c);
    mcpi_compare_free(&c); /* twice is fine */
    mcpi_compare_free(NULL);
}

static void test_analyse_refusals(void **state)
{
    (void)state;
    const double t[] = {1.0, 2.0};
    set_row(&g_a[0], "serial", 1000, t, 2);
    set_row(&g_a[1], "serial", 1000, t, 2);
    set_row(&g_b[0], "serial", 1000, t, 2);
    mcpi_compare_run runs[2] = {{"a.json", "0.1.0", 0, g_b, 1}, {"b.json", "0.1.0", 0, g_a, 2}};
    mcpi_compare c;
    memset(&c, 0, sizeof c);
    c.runs = runs;
    c.nruns = 2;
    c.alpha = 0.05;
    assert_int_equal(mcpi_compare_analyse(&c), MCPI_EINVAL); /* a name twice */
    assert_int_equal(c.bad_run, 1);
    assert_non_null(strstr(c.why, "row 'serial' appears twice"));
    mcpi_compare_free(&c);

    runs[1].nrows = 1;
    g_b[0].repeat_s[1] = NAN;
    assert_int_equal(mcpi_compare_analyse(&c), MCPI_EINVAL); /* not a time */
    assert_int_equal(c.bad_run, 0);
    assert_non_null(strstr(c.why, "time_s.repeats"));
    mcpi_compare_free(&c);
    g_b[0].repeat_s[1] = 2.0;

    c.nruns = 1;
    assert_int_equal(mcpi_compare_analyse(&c), MCPI_EINVAL);
    mcpi_compare_free(&c);
    c.nruns = 2;
    c.alpha = 1.0;
    assert_int_equal(mcpi_compare_analyse(&c), MCPI_EINVAL);
    mcpi_compare_free(&c);
    c.alpha = 0.05;
    assert_int_equal(mcpi_compare_analyse(&c), MCPI_OK);
    assert_int_equal(mcpi_compare_write(stdout, (mcpi_format)99, &c), MCPI_EINVAL);
    mcpi_compare_free(&c);
    assert_int_equal(mcpi_compare_write(stdout, MCPI_FORMAT_TABLE, &c), MCPI_EINVAL);
    mcpi_compare_row none = {0};
    assert_int_equal(mcpi_compare_row_analyse(&none, 0.05, 0, 0.0), MCPI_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mw_scipy_example),
        cmocka_unit_test(test_mw_exact_by_enumeration),
        cmocka_unit_test(test_mw_exact_at_the_limit),
        cmocka_unit_test(test_mw_ties),
        cmocka_unit_test(test_mw_normal_approximation),
        cmocka_unit_test(test_mw_refusals_and_min_repeats),
        cmocka_unit_test(test_robust_spread),
        cmocka_unit_test(test_ratio_and_uncertainty),
        cmocka_unit_test(test_too_few_repeats),
        cmocka_unit_test(test_same_measurements),
        cmocka_unit_test(test_per_sample_when_n_differs),
        cmocka_unit_test(test_wrong_hits),
        cmocka_unit_test(test_gate_boundary),
        cmocka_unit_test(test_matching_by_name),
        cmocka_unit_test(test_analyse_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

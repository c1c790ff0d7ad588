/* compare.c - runs set against a baseline (mcpi compare): rows matched by
 * name, the ratio of medians with its propagated uncertainty, and a
 * Mann-Whitney U test of the repeat times (mcpi_profile.h).
 *
 * Everything here is a pure function of the records.  The exact null
 * distribution of U is the coefficient list of the Gaussian binomial
 * [n + m choose n]_q (the number of arrangements of n x's and m y's with u
 * pairs x > y is the coefficient of q^u), built by the product
 * prod_{i=1..n} (1 - q^(m+i)) / (1 - q^i) in integers: after step i the list
 * is [m + i choose i]_q, so every division is exact and every count stays
 * below 2 C(n + m, n). */
#include "mcpi_profile.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *mcpi_compare_verdict_name(mcpi_compare_verdict v)
{
    switch (v) {
    case MCPI_VERDICT_SIGNIFICANT:
        return "significant";
    case MCPI_VERDICT_NOT_SIGNIFICANT:
        return "not significant";
    case MCPI_VERDICT_TOO_FEW:
        return "too few repeats";
    default:
        return "none";
    }
}

/* ---- order statistics ----------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double sorted_median(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* A sorted copy of x in buf (n <= cap) or in malloc'd memory; NULL when out
 * of memory.  Free with release_copy. */
static double *sorted_copy(const double *x, size_t n, double *buf, size_t cap)
{
    double *s = n <= cap ? buf : malloc(n * sizeof *s);
    if (s == NULL)
        return NULL;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    return s;
}

static void release_copy(double *s, const double *buf)
{
    if (s != buf)
        free(s);
}

static double median_of(const double *x, size_t n)
{
    double buf[MCPI_MAX_REPEAT];
    double *s = n > 0 ? sorted_copy(x, n, buf, MCPI_MAX_REPEAT) : NULL;
    if (s == NULL)
        return NAN;
    double med = sorted_median(s, n);
    release_copy(s, buf);
    return med;
}

double mcpi_robust_spread(const double *x, size_t n)
{
    double buf[MCPI_MAX_REPEAT];
    double *s = n > 0 ? sorted_copy(x, n, buf, MCPI_MAX_REPEAT) : NULL;
    if (s == NULL)
        return NAN;
    double med = sorted_median(s, n);
    for (size_t i = 0; i < n; i++)
        s[i] = fabs(s[i] - med);
    qsort(s, n, sizeof *s, cmp_double);
    double mad = sorted_median(s, n);
    release_copy(s, buf);
    return MCPI_MAD_TO_SD * mad;
}

/* ---- Mann-Whitney U -------------------------------------------------------- */

/* A value of the pooled sample and where it came from. */
typedef struct pooled {
    double v;
    int from_x;
} pooled;

static int cmp_pooled(const void *a, const void *b)
{
    return cmp_double(&((const pooled *)a)->v, &((const pooled *)b)->v);
}

/* U of x from the midranks of the pooled sample, and sum(t^3 - t) over the
 * groups of t tied values (the variance's tie correction). */
static void rank_sums(pooled *p, size_t n, size_t total, double *u, double *tie_term)
{
    qsort(p, total, sizeof *p, cmp_pooled);
    double rank_x = 0.0, ties = 0.0;
    for (size_t i = 0; i < total;) {
        size_t j = i;
        while (j < total && p[j].v == p[i].v)
            j++;
        double t = (double)(j - i), midrank = 0.5 * (double)(i + 1 + j); /* ranks i+1..j */
        for (size_t k = i; k < j; k++)
            rank_x += p[k].from_x ? midrank : 0.0;
        ties += t * t * t - t;
        i = j;
    }
    *u = rank_x - 0.5 * (double)n * (double)(n + 1);
    *tie_term = ties;
}

/* P(U <= u) and P(U >= u) under the null, two-sided: 2 min of them, at most
 * 1.  n, m <= MCPI_MW_EXACT_MAX; u an integer in [0, n m]. */
static double exact_p(size_t n, size_t m, size_t u)
{
    int64_t c[MCPI_MW_EXACT_MAX * MCPI_MW_EXACT_MAX + MCPI_MW_EXACT_MAX + 1] = {0};
    size_t deg = 0;
    c[0] = 1;
    for (size_t i = 1; i <= n; i++) {
        size_t k = m + i;
        for (size_t j = deg + k; j >= k; j--) /* times (1 - q^k) */
            c[j] -= c[j - k];
        deg += k;
        for (size_t j = i; j <= deg; j++) /* over (1 - q^i): exact */
            c[j] += c[j - i];
        deg -= i;
    }
    int64_t total = 0, lo = 0, hi = 0;
    for (size_t j = 0; j <= deg; j++) {
        total += c[j];
        lo += j <= u ? c[j] : 0;
        hi += j >= u ? c[j] : 0;
    }
    double p = 2.0 * (double)(lo < hi ? lo : hi) / (double)total;
    return p < 1.0 ? p : 1.0;
}

/* The normal approximation's two-sided p for U = u (continuity corrected,
 * variance corrected for ties); 1 when the variance is 0 (all values tie). */
static double normal_p(size_t n, size_t m, double u, double tie_term)
{
    double nm = (double)n * (double)m, total = (double)(n + m);
    double var = nm / 12.0 * ((total + 1.0) - tie_term / (total * (total - 1.0)));
    if (!(var > 0.0))
        return 1.0;
    double z = (fabs(u - 0.5 * nm) - 0.5) / sqrt(var);
    double p = erfc(z / sqrt(2.0));
    return p < 1.0 ? p : 1.0;
}

int mcpi_mann_whitney_test(const double *x, size_t n, const double *y, size_t m,
                           mcpi_mann_whitney *out)
{
    memset(out, 0, sizeof *out);
    out->n = n;
    out->m = m;
    out->u = out->p = NAN;
    out->min_p = mcpi_mann_whitney_min_p(n, m);
    if (n == 0 || m == 0 || x == NULL || y == NULL)
        return MCPI_EINVAL;
    pooled *p = malloc((n + m) * sizeof *p);
    if (p == NULL)
        return MCPI_ENOMEM;
    for (size_t i = 0; i < n + m; i++) {
        p[i].v = i < n ? x[i] : y[i - n];
        p[i].from_x = i < n;
        if (isnan(p[i].v)) {
            free(p);
            return MCPI_EINVAL;
        }
    }
    double tie_term;
    rank_sums(p, n, n + m, &out->u, &tie_term);
    free(p);
    out->ties = tie_term > 0.0;
    out->exact = !out->ties && n <= MCPI_MW_EXACT_MAX && m <= MCPI_MW_EXACT_MAX;
    /* Without ties U is a whole number of pairs. */
    out->p = out->exact ? exact_p(n, m, (size_t)out->u) : normal_p(n, m, out->u, tie_term);
    return MCPI_OK;
}

double mcpi_mann_whitney_min_p(size_t n, size_t m)
{
    if (n == 0 || m == 0)
        return 1.0;
    if (n <= MCPI_MW_EXACT_MAX && m <= MCPI_MW_EXACT_MAX) {
        double arrangements = 1.0; /* C(n + m, n), exact in a double up to C(40, 20) */
        for (size_t i = 1; i <= n; i++)
            arrangements = arrangements * (double)(m + i) / (double)i;
        double p = 2.0 / arrangements;
        return p < 1.0 ? p : 1.0;
    }
    return normal_p(n, m, (double)n * (double)m, 0.0);
}

unsigned mcpi_mann_whitney_min_repeats(double alpha)
{
    for (unsigned r = 1; r <= MCPI_MAX_REPEAT; r++)
        if (mcpi_mann_whitney_min_p(r, r) < alpha)
            return r;
    return MCPI_MAX_REPEAT + 1;
}

/* ---- one row ------------------------------------------------------------------- */

int mcpi_compare_slower(double ratio, double u, int significant, double pct)
{
    return significant && isfinite(ratio) && isfinite(u) && ratio - u > 1.0 + pct / 100.0;
}

static unsigned repeats_of(const mcpi_record *r)
{
    return r->repeats < MCPI_MAX_REPEAT ? r->repeats : MCPI_MAX_REPEAT;
}

/* 1 when every repeat time is a finite number >= 0. */
static int times_valid(const mcpi_record *r)
{
    for (unsigned i = 0; i < repeats_of(r); i++)
        if (!isfinite(r->repeat_s[i]) || r->repeat_s[i] < 0.0)
            return 0;
    return 1;
}

/* The statistics and spread of one side, when it has a timed, ok run. */
static void side_stats(const mcpi_record *r, mcpi_stats *st, double *spread)
{
    if (r == NULL || r->status != MCPI_OK || repeats_of(r) == 0)
        return;
    *st = mcpi_record_stats(r);
    *spread = mcpi_robust_spread(r->repeat_s, repeats_of(r));
}

static void row_clear(mcpi_compare_row *r)
{
    const mcpi_record *a = r->a, *b = r->b;
    memset(r, 0, sizeof *r);
    r->a = a;
    r->b = b;
    mcpi_stats none = {NAN, NAN, NAN, NAN, NAN};
    r->sa = r->sb = none;
    r->spread_a = r->spread_b = NAN;
    r->ratio = r->ratio_u = r->factor = r->factor_u = NAN;
    r->mw.u = r->mw.p = r->mw.min_p = NAN;
    r->verdict = MCPI_VERDICT_NONE;
    side_stats(a, &r->sa, &r->spread_a);
    side_stats(b, &r->sb, &r->spread_b);
}

/* Both rows follow the normative stream over the same samples: their hits
 * must be equal. */
static int wrong_hits(const mcpi_record *a, const mcpi_record *b)
{
    return a->status == MCPI_OK && b->status == MCPI_OK && a->exact && b->exact &&
           a->seed == b->seed && a->begin == b->begin && a->end == b->end && a->hits != b->hits;
}

static unsigned row_flags(const mcpi_record *a, const mcpi_record *b)
{
    unsigned f = 0;
    f |= a->samples != b->samples ? MCPI_CMP_N_DIFFERS : 0;
    f |= a->seed != b->seed ? MCPI_CMP_SEED_DIFFERS : 0;
    f |= a->threads != b->threads ? MCPI_CMP_THREADS_DIFFER : 0;
    f |= a->ranks != b->ranks ? MCPI_CMP_RANKS_DIFFER : 0;
    f |= strcmp(a->device, b->device) != 0 ? MCPI_CMP_DEVICE_DIFFERS : 0;
    f |= strcmp(a->hostname, b->hostname) != 0 ? MCPI_CMP_HOST_DIFFERS : 0;
    f |= wrong_hits(a, b) ? MCPI_CMP_WRONG_HITS : 0;
    int same = a->samples == b->samples && repeats_of(a) == repeats_of(b);
    for (unsigned i = 0; same && i < repeats_of(a); i++)
        same = a->repeat_s[i] == b->repeat_s[i];
    f |= same ? MCPI_CMP_SAME_MEASUREMENTS : 0;
    return f;
}

/* The row's times, per sample when the two rows' N differ. */
static void times_of(const mcpi_record *r, int per_sample, double *t)
{
    double scale = per_sample ? 1.0 / (double)r->samples : 1.0;
    for (unsigned i = 0; i < repeats_of(r); i++)
        t[i] = r->repeat_s[i] * scale;
}

/* Ratio, its uncertainty, and the speed factor of the two time lists. */
static void row_ratio(mcpi_compare_row *r, const double *ta, size_t na, const double *tb, size_t nb)
{
    double ma = median_of(ta, na), mb = median_of(tb, nb);
    if (!(ma > 0.0) || !(mb > 0.0) || !isfinite(ma) || !isfinite(mb))
        return; /* a zero median has no ratio */
    r->ratio = mb / ma;
    double rel = NAN;
    if (r->flags & MCPI_CMP_SAME_MEASUREMENTS)
        rel = 0.0;
    else if (na >= 2 && nb >= 2 && mb > 0.0)
        rel = hypot(mcpi_robust_spread(ta, na) / ma, mcpi_robust_spread(tb, nb) / mb);
    r->ratio_u = r->ratio * rel;
    r->direction = (r->ratio > 1.0) - (r->ratio < 1.0);
    r->factor = r->ratio >= 1.0 ? r->ratio : 1.0 / r->ratio;
    r->factor_u = r->factor * rel;
}

int mcpi_compare_row_analyse(mcpi_compare_row *r, double alpha, int gate, double pct)
{
    if (r == NULL || r->a == NULL || r->b == NULL || !times_valid(r->a) || !times_valid(r->b))
        return MCPI_EINVAL;
    row_clear(r);
    const mcpi_record *a = r->a, *b = r->b;
    r->flags = row_flags(a, b);
    size_t na = repeats_of(a), nb = repeats_of(b);
    if (a->status != MCPI_OK || b->status != MCPI_OK || na == 0 || nb == 0) {
        r->failed = 1;
        return MCPI_OK;
    }
    double ta[MCPI_MAX_REPEAT], tb[MCPI_MAX_REPEAT];
    int per_sample = (r->flags & MCPI_CMP_N_DIFFERS) != 0;
    times_of(a, per_sample, ta);
    times_of(b, per_sample, tb);
    row_ratio(r, ta, na, tb, nb);
    int rc = mcpi_mann_whitney_test(ta, na, tb, nb, &r->mw);
    if (rc != MCPI_OK)
        return rc;
    if (!(r->mw.min_p < alpha))
        r->verdict = MCPI_VERDICT_TOO_FEW;
    else
        r->verdict = r->mw.p < alpha ? MCPI_VERDICT_SIGNIFICANT : MCPI_VERDICT_NOT_SIGNIFICANT;
    r->slower = gate && mcpi_compare_slower(r->ratio, r->ratio_u,
                                            r->verdict == MCPI_VERDICT_SIGNIFICANT, pct);
    return MCPI_OK;
}

/* ---- matching rows by name ---------------------------------------------------- */

static int cmp_names(const void *x, const void *y)
{
    const mcpi_record *const *a = x, *const *b = y;
    return strcmp((*a)->name, (*b)->name);
}

/* A run's rows sorted by name, for lookups in O(log n). */
typedef struct name_index {
    const mcpi_record **by_name;
    size_t n;
} name_index;

static const mcpi_record *index_find(const name_index *ix, const char *name)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->by_name[mid]->name, name);
        if (c == 0)
            return ix->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Indexes run k into ix, refusing a name twice (neighbours once sorted) and
 * a repeat time that is not a number.  MCPI_EINVAL with c->why, MCPI_ENOMEM. */
static int index_run(mcpi_compare *c, size_t k, name_index *ix)
{
    const mcpi_compare_run *run = &c->runs[k];
    ix->n = run->nrows;
    ix->by_name = malloc((run->nrows ? run->nrows : 1) * sizeof *ix->by_name);
    if (ix->by_name == NULL)
        return MCPI_ENOMEM;
    for (size_t i = 0; i < run->nrows; i++) {
        ix->by_name[i] = &run->rows[i];
        if (!times_valid(&run->rows[i])) {
            c->bad_run = k;
            snprintf(c->why, sizeof c->why,
                     "row '%s': a repeat time (time_s.repeats) is not a number >= 0",
                     run->rows[i].name);
            return MCPI_EINVAL;
        }
    }
    qsort(ix->by_name, ix->n, sizeof *ix->by_name, cmp_names);
    for (size_t i = 1; i < ix->n; i++)
        if (strcmp(ix->by_name[i - 1]->name, ix->by_name[i]->name) == 0) {
            c->bad_run = k;
            snprintf(c->why, sizeof c->why, "row '%s' appears twice (rows match by name)",
                     ix->by_name[i]->name);
            return MCPI_EINVAL;
        }
    return MCPI_OK;
}

/* Block k (run k + 1 against the baseline): the baseline's rows in order,
 * then the run's own. */
static int fill_block(mcpi_compare *c, size_t k, const name_index *base, const name_index *ix)
{
    const mcpi_compare_run *b0 = &c->runs[0], *run = &c->runs[k + 1];
    mcpi_compare_block *blk = &c->blocks[k];
    blk->run = run;
    blk->rows = calloc(b0->nrows + run->nrows + 1, sizeof *blk->rows);
    if (blk->rows == NULL)
        return MCPI_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < b0->nrows; i++) {
        blk->rows[n].a = &b0->rows[i];
        blk->rows[n++].b = index_find(ix, b0->rows[i].name);
    }
    for (size_t i = 0; i < run->nrows; i++)
        if (index_find(base, run->rows[i].name) == NULL)
            blk->rows[n++].b = &run->rows[i];
    blk->nrows = n;
    for (size_t i = 0; i < n; i++) {
        mcpi_compare_row *r = &blk->rows[i];
        if (r->a == NULL || r->b == NULL) {
            row_clear(r);
            continue;
        }
        int rc = mcpi_compare_row_analyse(r, c->alpha, c->gate, c->gate_pct);
        if (rc != MCPI_OK)
            return rc;
        c->too_few += r->verdict == MCPI_VERDICT_TOO_FEW;
        c->wrong_hits += (r->flags & MCPI_CMP_WRONG_HITS) != 0;
        c->slower_rows += r->slower;
    }
    return MCPI_OK;
}

int mcpi_compare_analyse(mcpi_compare *c)
{
    if (c == NULL)
        return MCPI_EINVAL;
    c->blocks = NULL;
    c->nblocks = 0;
    c->too_few = c->wrong_hits = c->slower_rows = 0;
    c->bad_run = 0;
    c->why[0] = '\0';
    if (c->runs == NULL || c->nruns < 2 || !(c->alpha > 0.0 && c->alpha < 1.0) ||
        (c->gate && !(c->gate_pct >= 0.0 && isfinite(c->gate_pct)))) {
        snprintf(c->why, sizeof c->why, "a comparison needs two or more runs and 0 < alpha < 1");
        return MCPI_EINVAL;
    }
    c->min_repeats = mcpi_mann_whitney_min_repeats(c->alpha);
    name_index *ix = calloc(c->nruns, sizeof *ix);
    c->blocks = calloc(c->nruns - 1, sizeof *c->blocks);
    int rc = ix != NULL && c->blocks != NULL ? MCPI_OK : MCPI_ENOMEM;
    for (size_t k = 0; k < c->nruns && rc == MCPI_OK; k++)
        rc = index_run(c, k, &ix[k]);
    for (size_t k = 0; k + 1 < c->nruns && rc == MCPI_OK; k++) {
        rc = fill_block(c, k, &ix[0], &ix[k + 1]);
        c->nblocks = k + 1;
    }
    for (size_t k = 0; ix != NULL && k < c->nruns; k++)
        free(ix[k].by_name);
    free(ix);
    return rc;
}

void mcpi_compare_free(mcpi_compare *c)
{
    if (c == NULL || c->blocks == NULL)
        return;
    for (size_t k = 0; k + 1 < c->nruns; k++)
        free(c->blocks[k].rows);
    free(c->blocks);
    c->blocks = NULL;
    c->nblocks = 0;
}

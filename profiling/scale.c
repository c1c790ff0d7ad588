/* scale.c - scaling studies: per-point speedup, efficiency and Karp-Flatt
 * fraction, and the Amdahl or Gustafson fit (mcpi_profile.h).
 *
 * Everything here is a pure function of the points' job rows.  The fits
 * read every timed repeat as one observation, straight from the records:
 * a pass over the points computes the means, a second the centred sums and
 * a third the residuals, so nothing is copied or allocated. */
#include "mcpi_profile.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *mcpi_scale_kind_name(mcpi_scale_kind k)
{
    return k == MCPI_SCALE_WEAK ? "weak" : "strong";
}

const char *mcpi_scale_over_name(mcpi_scale_over o)
{
    return o == MCPI_SCALE_RANKS ? "ranks" : "threads";
}

/* ---- points ------------------------------------------------------------ */

/* A point with a timed run: its row exists, succeeded and has repeats.  A
 * point with no workers has no speedup to speak of, so it counts as failed
 * too (and p = 0 would divide by zero below). */
static int point_ok(const mcpi_scale_point *pt)
{
    return pt->row != NULL && pt->row->status == 0 && pt->row->repeats > 0 && pt->workers > 0;
}

/* Timed repeats of an ok point, as many as a record holds (as the stats). */
static unsigned point_repeats(const mcpi_scale_point *pt)
{
    return pt->row->repeats < MCPI_MAX_REPEAT ? pt->row->repeats : MCPI_MAX_REPEAT;
}

static void point_set_nan(mcpi_scale_point *pt)
{
    pt->st.median = pt->st.min = pt->st.max = pt->st.mean = pt->st.rsd = NAN;
    pt->samples_per_s = pt->speedup = pt->efficiency = pt->karp_flatt = NAN;
}

/* The base is the first ok point (the fewest workers with a time); NULL
 * when no point has one. */
static const mcpi_scale_point *find_base(const mcpi_scale *s)
{
    for (size_t i = 0; i < s->npoints; i++)
        if (point_ok(&s->points[i]))
            return &s->points[i];
    return NULL;
}

/* Speedup, efficiency and Karp-Flatt fraction of an ok point against the
 * base (p0, t0).  Weak scaling's speedup is scaled: point p does p times the
 * base's work per worker count, so p * t0 / t is what p workers achieved. */
static void point_derive(mcpi_scale_point *pt, mcpi_scale_kind kind, unsigned p0, double t0)
{
    double p = (double)pt->workers;
    pt->st = mcpi_record_stats(pt->row);
    double t = pt->st.median;
    pt->samples_per_s = (double)pt->row->samples / t;
    pt->speedup = (kind == MCPI_SCALE_WEAK ? p : (double)p0) * t0 / t;
    pt->efficiency = pt->speedup / p;
    /* At p = 1 the fraction is 0/0: there is nothing parallel to measure. */
    pt->karp_flatt =
        pt->workers > 1 ? (1.0 / pt->speedup - 1.0 / p) / (1.0 - 1.0 / p) : (double)NAN;
}

static void derive_points(mcpi_scale *s, const mcpi_scale_point *base)
{
    unsigned p0 = base ? base->workers : 0;
    double t0 = base ? mcpi_record_stats(base->row).median : NAN;
    for (size_t i = 0; i < s->npoints; i++) {
        mcpi_scale_point *pt = &s->points[i];
        if (point_ok(pt))
            point_derive(pt, s->kind, p0, t0);
        else
            point_set_nan(pt);
    }
}

/* Distinct worker counts among ok points; points come in increasing
 * workers, but counting changes keeps a repeated count from counting twice. */
static unsigned distinct_workers(const mcpi_scale *s)
{
    unsigned n = 0, last = 0;
    for (size_t i = 0; i < s->npoints; i++) {
        const mcpi_scale_point *pt = &s->points[i];
        if (point_ok(pt) && (n == 0 || pt->workers != last)) {
            n++;
            last = pt->workers;
        }
    }
    return n;
}

/* ---- Amdahl: t = a + b / p ------------------------------------------------ */

/* Centred moments of the observations (x = 1/p, t): centring keeps the sums
 * of squares exact enough when every t is close to its mean. */
typedef struct line_sums {
    unsigned n;
    double xbar, tbar, sxx, sxt, stt;
} line_sums;

static line_sums amdahl_sums(const mcpi_scale *s)
{
    line_sums m = {0, 0.0, 0.0, 0.0, 0.0, 0.0};
    double sx = 0.0, st = 0.0;
    for (size_t i = 0; i < s->npoints; i++) {
        const mcpi_scale_point *pt = &s->points[i];
        for (unsigned k = 0; point_ok(pt) && k < point_repeats(pt); k++) {
            sx += 1.0 / pt->workers;
            st += pt->row->repeat_s[k];
            m.n++;
        }
    }
    if (m.n == 0)
        return m;
    m.xbar = sx / m.n;
    m.tbar = st / m.n;
    for (size_t i = 0; i < s->npoints; i++) {
        const mcpi_scale_point *pt = &s->points[i];
        for (unsigned k = 0; point_ok(pt) && k < point_repeats(pt); k++) {
            double dx = 1.0 / pt->workers - m.xbar, dt = pt->row->repeat_s[k] - m.tbar;
            m.sxx += dx * dx;
            m.sxt += dx * dt;
            m.stt += dt * dt;
        }
    }
    return m;
}

/* Residual sum of squares, summed directly: stt - b * sxt cancels to noise
 * when the fit is (nearly) exact. */
static double amdahl_ssr(const mcpi_scale *s, double a, double b)
{
    double ssr = 0.0;
    for (size_t i = 0; i < s->npoints; i++) {
        const mcpi_scale_point *pt = &s->points[i];
        for (unsigned k = 0; point_ok(pt) && k < point_repeats(pt); k++) {
            double r = pt->row->repeat_s[k] - (a + b / pt->workers);
            ssr += r * r;
        }
    }
    return ssr;
}

/* Standard error of f = a / (a + b) by the delta method: var f = g' C g
 * with C = sigma^2 (X'X)^-1, which in centred terms is var b = sigma^2/sxx,
 * var a = sigma^2 (1/n + xbar^2/sxx), cov(a, b) = -sigma^2 xbar/sxx. */
static double amdahl_se(const line_sums *m, double a, double b, double ssr)
{
    if (m->n < 3)
        return NAN; /* two observations fit any line exactly: no spread left */
    double sigma2 = ssr / (m->n - 2);
    double var_b = sigma2 / m->sxx;
    double var_a = sigma2 * (1.0 / m->n + m->xbar * m->xbar / m->sxx);
    double cov_ab = -sigma2 * m->xbar / m->sxx;
    double t1 = a + b, ga = b / (t1 * t1), gb = -a / (t1 * t1);
    double var_f = ga * ga * var_a + gb * gb * var_b + 2.0 * ga * gb * cov_ab;
    return sqrt(var_f > 0.0 ? var_f : 0.0); /* rounding may leave -0 */
}

static void amdahl_fit(const mcpi_scale *s, mcpi_scale_fit *fit)
{
    line_sums m = amdahl_sums(s);
    fit->observations = m.n;
    if (distinct_workers(s) < 2)
        return; /* one x: the intercept and slope cannot be told apart */
    double b = m.sxt / m.sxx, a = m.tbar - b * m.xbar;
    double ssr = amdahl_ssr(s, a, b);
    fit->fraction = a / (a + b);
    fit->fraction_se = amdahl_se(&m, a, b, ssr);
    fit->t1_s = a + b;
    fit->r2 = m.stt > 0.0 ? 1.0 - ssr / m.stt : (double)NAN;
}

/* ---- Gustafson: S = p - s (p - 1) ------------------------------------------ */

/* The scaled speedup of one observation of an ok point. */
static double obs_speedup(const mcpi_scale_point *pt, unsigned k, double t0)
{
    return pt->workers * t0 / pt->row->repeat_s[k];
}

/* A weak observation takes part when its point is ok and has p > 1: at
 * p = 1 the law says S = 1 whatever s is, so it carries no information. */
static int weak_obs(const mcpi_scale_point *pt)
{
    return point_ok(pt) && pt->workers > 1;
}

/* Least squares through the origin of y = p - S on u = p - 1 (the law has
 * no intercept, so there is nothing to centre).  Returns the slope s and
 * sets *m, *suu and *sbar (the mean S, for r2). */
static double gustafson_slope(const mcpi_scale *s, double t0, unsigned *m, double *suu,
                              double *sbar)
{
    double suy = 0.0, ssum = 0.0;
    *m = 0;
    *suu = 0.0;
    for (size_t i = 0; i < s->npoints; i++) {
        const mcpi_scale_point *pt = &s->points[i];
        for (unsigned k = 0; weak_obs(pt) && k < point_repeats(pt); k++) {
            double u = pt->workers - 1.0, S = obs_speedup(pt, k, t0);
            suy += u * (pt->workers - S);
            *suu += u * u;
            ssum += S;
            (*m)++;
        }
    }
    *sbar = *m > 0 ? ssum / *m : (double)NAN;
    return *m > 0 ? suy / *suu : (double)NAN;
}

static void gustafson_fit(const mcpi_scale *s, double t0, mcpi_scale_fit *fit)
{
    unsigned m;
    double suu, sbar, ssr = 0.0, sst = 0.0;
    double sf = gustafson_slope(s, t0, &m, &suu, &sbar);
    fit->observations = m;
    fit->t1_s = t0;
    if (m == 0 || distinct_workers(s) < 2)
        return; /* one worker count: T0 is its own time, S = p by definition */
    for (size_t i = 0; i < s->npoints; i++) {
        const mcpi_scale_point *pt = &s->points[i];
        for (unsigned k = 0; weak_obs(pt) && k < point_repeats(pt); k++) {
            double S = obs_speedup(pt, k, t0);
            double r = S - (pt->workers - sf * (pt->workers - 1.0));
            ssr += r * r;
            sst += (S - sbar) * (S - sbar);
        }
    }
    fit->fraction = sf;
    /* One parameter: m - 1 degrees of freedom; var s = sigma^2 / suu. */
    fit->fraction_se = m >= 2 ? sqrt(ssr / (m - 1) / suu) : (double)NAN;
    fit->r2 = sst > 0.0 ? 1.0 - ssr / sst : (double)NAN;
}

/* ---- does the law describe the data? ------------------------------------- */

/* The first ok point above the superlinear threshold, or NULL.  Neither law
 * allows E > 1: caches that fit only at larger p, or a slowed base run. */
static const mcpi_scale_point *find_superlinear(const mcpi_scale *s)
{
    for (size_t i = 0; i < s->npoints; i++) {
        const mcpi_scale_point *pt = &s->points[i];
        if (point_ok(pt) && pt->efficiency > MCPI_SCALE_SUPERLINEAR)
            return pt;
    }
    return NULL;
}

/* 1 when the fraction lies outside [0, 1] by more than two standard errors
 * (by any amount when there is no error estimate). */
static int fraction_outside(const mcpi_scale_fit *fit)
{
    double tol = isfinite(fit->fraction_se) ? 2.0 * fit->fraction_se : 0.0;
    return isfinite(fit->fraction) && (fit->fraction < 0.0 - tol || fit->fraction > 1.0 + tol);
}

/* The first pair of consecutive ok points across a change in hosts where the
 * efficiency falls by more than MCPI_SCALE_DROP; sets *from and returns the
 * later point, or NULL.  A drop there is the interconnect, not the law. */
static const mcpi_scale_point *find_host_drop(const mcpi_scale *s, const mcpi_scale_point **from)
{
    const mcpi_scale_point *prev = NULL;
    for (size_t i = 0; i < s->npoints; i++) {
        const mcpi_scale_point *pt = &s->points[i];
        if (!point_ok(pt))
            continue;
        if (prev && pt->hosts != prev->hosts &&
            prev->efficiency - pt->efficiency > MCPI_SCALE_DROP) {
            *from = prev;
            return pt;
        }
        prev = pt;
    }
    return NULL;
}

/* Sets describes and note: the first reason found, in the documented order. */
static void judge_fit(const mcpi_scale *s, mcpi_scale_fit *fit)
{
    const mcpi_scale_point *pt, *from = NULL;
    char *note = fit->note;
    size_t len = sizeof fit->note;
    fit->describes = 0;
    if ((pt = find_superlinear(s)) != NULL)
        snprintf(note, len,
                 "superlinear: efficiency %.2f at p=%u (caches, or a slowed base run); "
                 "neither law describes it",
                 pt->efficiency, pt->workers);
    else if (fraction_outside(fit) && isfinite(fit->fraction_se))
        snprintf(note, len,
                 "serial fraction %.3f is outside [0, 1] by more than 2 standard errors (%.3f); "
                 "the %s law does not describe it",
                 fit->fraction, fit->fraction_se, fit->law);
    else if (fraction_outside(fit))
        snprintf(note, len,
                 "serial fraction %.3f is outside [0, 1]; the %s law does not describe it",
                 fit->fraction, fit->law);
    else if ((pt = find_host_drop(s, &from)) != NULL)
        snprintf(note, len,
                 "efficiency falls from %.2f to %.2f between p=%u and p=%u, where the run spans "
                 "%u to %u hosts (a node boundary)",
                 from->efficiency, pt->efficiency, from->workers, pt->workers, from->hosts,
                 pt->hosts);
    else if (distinct_workers(s) < 2)
        snprintf(note, len, "%s: no law can be fitted",
                 distinct_workers(s) == 0 ? "no point has a timed run" : "one worker count");
    else if (!isfinite(fit->fraction))
        snprintf(note, len, "the fit has no finite serial fraction: no law describes it");
    else
        fit->describes = 1;
}

/* ---- the study --------------------------------------------------------------- */

static void fit_clear(mcpi_scale_fit *fit, mcpi_scale_kind kind)
{
    memset(fit, 0, sizeof *fit);
    fit->law = kind == MCPI_SCALE_WEAK ? "gustafson" : "amdahl";
    fit->fraction = fit->fraction_se = fit->t1_s = fit->r2 = NAN;
}

int mcpi_scale_analyse(mcpi_scale *s)
{
    if (s == NULL || s->npoints == 0 || s->points == NULL)
        return MCPI_EINVAL;
    const mcpi_scale_point *base = find_base(s);
    derive_points(s, base);
    fit_clear(&s->fit, s->kind);
    if (base != NULL) {
        if (s->kind == MCPI_SCALE_WEAK)
            gustafson_fit(s, base->st.median, &s->fit);
        else
            amdahl_fit(s, &s->fit);
    }
    judge_fit(s, &s->fit);
    return 0;
}

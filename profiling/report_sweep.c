/* report_sweep.c - sweeps: crossovers against the reference row, each
 * point's report, and the time-by-N matrix and crossover lines. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"
#include "report_private.h"

/* ---- sweeps ----------------------------------------------------------- */

const char *mcpi_cross_kind_name(mcpi_cross_kind k)
{
    switch (k) {
    case MCPI_CROSS_ALWAYS:
        return "always";
    case MCPI_CROSS_CROSSOVER:
        return "crossover";
    default:
        return "never";
    }
}

/* The median of the ok row named name at point p; NaN when absent or failed. */
static double point_median(const mcpi_sweep_point *p, const char *name)
{
    for (size_t i = 0; i < p->nrows; i++) {
        const mcpi_record *r = &p->rows[i];
        if (strcmp(r->name, name) == 0)
            return r->status == 0 ? mcpi_record_stats(r).median : NAN;
    }
    return NAN;
}

/* 1 when name's median is below the reference's at point p (NaN never wins). */
static int beats(const mcpi_sweep *sw, const mcpi_sweep_point *p, const char *name)
{
    double mine = point_median(p, name), ref = point_median(p, sw->reference);
    return isfinite(mine) && isfinite(ref) && mine < ref;
}

/* 1 when name was already met at an earlier point or row. */
static int seen_before(const mcpi_sweep *sw, size_t point, size_t row, const char *name)
{
    for (size_t k = 0; k <= point; k++) {
        const mcpi_sweep_point *p = &sw->points[k];
        size_t end = k == point ? row : p->nrows;
        for (size_t i = 0; i < end; i++)
            if (strcmp(p->rows[i].name, name) == 0)
                return 1;
    }
    return 0;
}

int mcpi_sweep_crossovers(const mcpi_sweep *sw, mcpi_crossover *out, size_t cap, size_t *count)
{
    if (!sw || !count || (sw->npoints > 0 && !sw->points))
        return MCPI_EINVAL;
    const char *ref = sw->reference ? sw->reference : "serial";
    mcpi_sweep s = *sw;
    s.reference = ref;
    size_t n = 0;
    for (size_t k = 0; k < s.npoints; k++) {
        for (size_t i = 0; i < s.points[k].nrows; i++) {
            const mcpi_record *r = &s.points[k].rows[i];
            if (strcmp(r->name, ref) == 0 || seen_before(&s, k, i, r->name))
                continue;
            if (n < cap) {
                mcpi_crossover *c = &out[n];
                memset(c, 0, sizeof *c);
                snprintf(c->name, sizeof c->name, "%s", r->name);
                snprintf(c->backend, sizeof c->backend, "%s", r->backend);
                /* Walk down from the largest N while the row keeps winning. */
                size_t from = s.npoints;
                while (from > 0 && beats(&s, &s.points[from - 1], r->name))
                    from--;
                if (from == s.npoints) {
                    c->kind = MCPI_CROSS_NEVER;
                } else {
                    c->kind = from == 0 ? MCPI_CROSS_ALWAYS : MCPI_CROSS_CROSSOVER;
                    c->samples = s.points[from].samples;
                }
            }
            n++;
        }
    }
    *count = n;
    return 0;
}

int mcpi__crossovers_new(const mcpi_sweep *sw, mcpi_crossover **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t count = 0;
    if (mcpi_sweep_crossovers(sw, NULL, 0, &count) != 0 || count == 0)
        return 0;
    mcpi_crossover *c = malloc(count * sizeof *c);
    if (!c)
        return MCPI_ENOMEM;
    mcpi_sweep_crossovers(sw, c, count, &count);
    *out = c;
    *n = count;
    return 0;
}

const mcpi_crossover *mcpi__crossover_find(const mcpi_crossover *c, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(c[i].name, name) == 0)
            return &c[i];
    return NULL;
}

void mcpi__point_report(const mcpi_report *rep, size_t k, mcpi_report *out)
{
    const mcpi_sweep_point *p = &rep->sweep->points[k];
    *out = *rep;
    out->sweep = NULL;
    out->info.samples = p->samples;
    out->rows = p->rows;
    out->nrows = p->nrows;
    out->rank_rows = p->rank_rows;
    out->nrank_rows = p->rank_rows ? p->nrank_rows : 0;
}

void mcpi__sweep_summary(char buf[MCPI__SUMMARY_LEN], const mcpi_report *rep)
{
    const mcpi_sweep *sw = rep->sweep;
    const mcpi_run_info *info = &rep->info;
    int n = snprintf(buf, MCPI__SUMMARY_LEN,
                     "mcpi %s sweep: N=%" PRIu64 "..%" PRIu64 ", %u per decade (%zu points), ",
                     info->version ? info->version : "", sw->from, sw->to, sw->steps_per_decade,
                     sw->npoints);
    if (n >= 0 && n < MCPI__SUMMARY_LEN)
        mcpi__run_tail(buf + n, MCPI__SUMMARY_LEN - (size_t)n, info);
}

/* Width of one cell of the time-by-N matrix. */
#define MATRIX_CELL 14
#define MATRIX_N_WIDTH 12
#define MATRIX_MAX_NAMES 16 /* more rows than this are left to the per-N tables */
#define FASTEST_MARK "*"

/* A median time as a matrix cell: the median only, then the fastest mark
 * or a space. */
static void matrix_cell(char *cell, size_t len, double m, double best)
{
    mcpi__fmt_time(cell, len, m);
    strcat(cell, isfinite(m) && m == best ? FASTEST_MARK : " ");
}

/* Median time by N, one column per row name: the ranking flipping with N,
 * at a glance. */
static void time_matrix(const mcpi_sweep *sw, const char *const *names, size_t nn,
                        void (*emit)(void *ctx, const char *line), void *ctx)
{
    char line[MCPI__NOTE_LEN + MATRIX_MAX_NAMES * MATRIX_CELL];
    emit(ctx, "median time by N (" FASTEST_MARK " fastest at that N):");
    int len = snprintf(line, sizeof line, "%*s", MATRIX_N_WIDTH, "N");
    for (size_t j = 0; j < nn; j++)
        len += snprintf(line + len, sizeof line - (size_t)len, "%*.*s", MATRIX_CELL,
                        MATRIX_CELL - 2, names[j]);
    emit(ctx, line);
    for (size_t k = 0; k < sw->npoints; k++) {
        const mcpi_sweep_point *p = &sw->points[k];
        double best = NAN;
        for (size_t j = 0; j < nn; j++) {
            double m = point_median(p, names[j]);
            if (isfinite(m) && (!isfinite(best) || m < best))
                best = m;
        }
        len = snprintf(line, sizeof line, "%*" PRIu64, MATRIX_N_WIDTH, p->samples);
        for (size_t j = 0; j < nn; j++) {
            char cell[MCPI__CELL_LEN];
            matrix_cell(cell, sizeof cell, point_median(p, names[j]), best);
            len += snprintf(line + len, sizeof line - (size_t)len, "%*s", MATRIX_CELL, cell);
        }
        emit(ctx, line);
    }
    emit(ctx, "");
}

/* One crossover as its line. */
static void crossover_line(char *line, size_t len, const mcpi_crossover *c, const char *ref,
                           const mcpi_sweep *sw)
{
    switch (c->kind) {
    case MCPI_CROSS_ALWAYS:
        snprintf(line, len, "  %-14s always (from N=%" PRIu64 ", the smallest swept)", c->name,
                 c->samples);
        break;
    case MCPI_CROSS_CROSSOVER:
        snprintf(line, len, "  %-14s from N=%" PRIu64, c->name, c->samples);
        break;
    default:
        snprintf(line, len, "  %-14s never (not faster than %s at N=%" PRIu64 ")", c->name, ref,
                 sw->npoints ? sw->points[sw->npoints - 1].samples : 0);
        break;
    }
}

int mcpi__crossover_lines(const mcpi_report *rep, void (*emit)(void *ctx, const char *line),
                          void *ctx)
{
    const mcpi_sweep *sw = rep->sweep;
    const char *ref = sw->reference ? sw->reference : "serial";
    mcpi_crossover *cross;
    size_t n;
    if (mcpi__crossovers_new(sw, &cross, &n) != 0)
        return MCPI_ENOMEM;
    if (n + 1 <= MATRIX_MAX_NAMES && sw->npoints > 0) {
        const char *names[MATRIX_MAX_NAMES + 1];
        size_t nn = 0;
        names[nn++] = ref;
        for (size_t i = 0; i < n; i++)
            names[nn++] = cross[i].name;
        time_matrix(sw, names, nn, emit, ctx);
    }
    char line[MCPI__NOTE_LEN + 2 * MCPI_NAME_LEN];
    snprintf(line, sizeof line,
             "crossovers (the smallest swept N from which a row's median time beats %s's at "
             "that N and every larger one):",
             ref);
    emit(ctx, line);
    if (n == 0)
        emit(ctx, "  (no row besides the reference)");
    for (size_t i = 0; i < n; i++) {
        crossover_line(line, sizeof line, &cross[i], ref, sw);
        emit(ctx, line);
    }
    if (sw->reference_added) {
        snprintf(line, sizeof line,
                 "note: %s was added to the sweep as the reference for crossovers", ref);
        emit(ctx, line);
    }
    free(cross);
    return 0;
}

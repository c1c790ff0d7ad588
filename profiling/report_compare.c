/* report_compare.c - the writers of a comparison (mcpi compare): per run
 * against the baseline, one line per row name with both times, the ratio
 * and its uncertainty, "F ± u times faster|slower", the rank test's p and
 * its verdict; then what else differs between the rows, and the
 * --fail-if-slower verdict, as a table, CSV, JSON or Markdown.
 *
 * Every number comes from the analysed comparison (mcpi_compare_analyse);
 * these writers only choose how it is shown. */
#include "report_private.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "mcpi_profile.h"

#define RATIO_DECIMALS 3  /* 0.510 ± 0.011 */
#define FACTOR_DECIMALS 2 /* 1.96 ± 0.04 times faster (hyperfine's form) */
#define P_DIGITS 2        /* p 0.00058 */
#define LIMIT_DIGITS 4    /* the gate's limit: 1.1, 1.025 */
#define NOT_AVAILABLE "-"
#define LINE_LEN (2 * MCPI_DEVICE_LEN + 3 * MCPI_NAME_LEN + MCPI_ERROR_LEN)
#define JSON_INDENT "  "
#define ROW_INDENT JSON_INDENT JSON_INDENT JSON_INDENT JSON_INDENT

/* ---- what every format shows ---------------------------------------------- */

enum { COL_ROW, COL_BASE, COL_RUN, COL_RATIO, COL_RESULT, COL_P, COL_VERDICT, NCOLS };

static const char *const col_titles[NCOLS] = {
    [COL_ROW] = "row",         [COL_BASE] = "baseline (min-max)", [COL_RUN] = "this run (min-max)",
    [COL_RATIO] = "ratio",     [COL_RESULT] = "result",           [COL_P] = "p",
    [COL_VERDICT] = "verdict",
};

static const int col_numeric[NCOLS] = {0, 0, 0, 1, 0, 1, 0};

static const char *row_name(const mcpi_compare_row *r)
{
    return r->a != NULL ? r->a->name : r->b->name;
}

static const char *presence_name(const mcpi_compare_row *r)
{
    return r->a == NULL ? "run_only" : r->b == NULL ? "baseline_only" : "both";
}

static const char *direction_name(const mcpi_compare_row *r)
{
    if (!isfinite(r->ratio))
        return NULL;
    return r->direction < 0 ? "faster" : r->direction > 0 ? "slower" : "same";
}

static int side_failed(const mcpi_record *r)
{
    return r != NULL && (r->status != MCPI_OK || r->repeats == 0);
}

static const char *side_error(const mcpi_record *r)
{
    if (r->status == MCPI_OK)
        return "no timed repeat";
    return r->error[0] ? r->error : mcpi_strerror(r->status);
}

/* "1.96 ± 0.04 times faster", "1.00 ± 0.00 times as fast", "1.96 times
 * slower" (no spread with one repeat), or what stands in for a ratio. */
static void result_text(char *buf, size_t len, const mcpi_compare_row *r)
{
    if (r->a == NULL || r->b == NULL) {
        snprintf(buf, len, "only in %s", r->a == NULL ? "this run" : "the baseline");
        return;
    }
    if (r->failed) {
        int fa = side_failed(r->a), fb = side_failed(r->b);
        snprintf(buf, len, "failed in %s", fa && fb ? "both" : fa ? "the baseline" : "this run");
        return;
    }
    if (!isfinite(r->ratio)) {
        snprintf(buf, len, NOT_AVAILABLE);
        return;
    }
    const char *how = r->direction < 0 ? "faster" : r->direction > 0 ? "slower" : "as fast";
    if (isfinite(r->factor_u))
        snprintf(buf, len, "%.*f ± %.*f times %s", FACTOR_DECIMALS, r->factor, FACTOR_DECIMALS,
                 r->factor_u, how);
    else
        snprintf(buf, len, "%.*f times %s", FACTOR_DECIMALS, r->factor, how);
}

static void row_cells(const mcpi_compare_row *r, char cells[NCOLS][MCPI__CELL_LEN])
{
    for (int c = 0; c < NCOLS; c++)
        snprintf(cells[c], MCPI__CELL_LEN, NOT_AVAILABLE);
    snprintf(cells[COL_ROW], MCPI__CELL_LEN, "%s", row_name(r));
    mcpi__flatten(cells[COL_ROW]);
    if (r->a != NULL && !side_failed(r->a))
        mcpi__fmt_time_cell(cells[COL_BASE], MCPI__CELL_LEN, &r->sa);
    if (r->b != NULL && !side_failed(r->b))
        mcpi__fmt_time_cell(cells[COL_RUN], MCPI__CELL_LEN, &r->sb);
    if (isfinite(r->ratio) && isfinite(r->ratio_u))
        snprintf(cells[COL_RATIO], MCPI__CELL_LEN, "%.*f ± %.*f", RATIO_DECIMALS, r->ratio,
                 RATIO_DECIMALS, r->ratio_u);
    else if (isfinite(r->ratio))
        snprintf(cells[COL_RATIO], MCPI__CELL_LEN, "%.*f", RATIO_DECIMALS, r->ratio);
    result_text(cells[COL_RESULT], MCPI__CELL_LEN, r);
    if (isfinite(r->mw.p))
        snprintf(cells[COL_P], MCPI__CELL_LEN, "%.*g", P_DIGITS, r->mw.p);
    if (r->verdict != MCPI_VERDICT_NONE)
        snprintf(cells[COL_VERDICT], MCPI__CELL_LEN, "%s", mcpi_compare_verdict_name(r->verdict));
}

/* ---- lines under a block ---------------------------------------------------- */

typedef void (*emit_fn)(void *ctx, const char *line);

static void emit_flat(emit_fn emit, void *ctx, char *line)
{
    mcpi__flatten(line);
    emit(ctx, line);
}

/* What else differs between the two rows of a name, one line each (no
 * "note: " prefix; the table adds it).  A wrong number comes first. */
static void row_notes(const mcpi_compare_row *r, emit_fn emit, void *ctx)
{
    char line[LINE_LEN];
    const char *name = row_name(r);
    const mcpi_record *a = r->a, *b = r->b;
    if (a == NULL || b == NULL)
        return;
    if (r->flags & MCPI_CMP_WRONG_HITS) {
        snprintf(line, sizeof line,
                 "WRONG NUMBER: %s counted %" PRIu64 " hits here and %" PRIu64
                 " in the baseline over the same samples (seed %" PRIu64 ", [%" PRIu64 ", %" PRIu64
                 ")): one of them miscounts",
                 name, b->hits, a->hits, a->seed, a->begin, a->end);
        emit_flat(emit, ctx, line);
    }
    if (side_failed(a) || side_failed(b)) {
        const mcpi_record *f = side_failed(a) ? a : b;
        snprintf(line, sizeof line, "%s failed in %s: %s", name,
                 f == a ? "the baseline" : "this run", side_error(f));
        emit_flat(emit, ctx, line);
        if (f == a && side_failed(b)) {
            snprintf(line, sizeof line, "%s failed in this run: %s", name, side_error(b));
            emit_flat(emit, ctx, line);
        }
    }
    if (r->flags & MCPI_CMP_N_DIFFERS) {
        snprintf(line, sizeof line,
                 "%s: N is %" PRIu64 " here and %" PRIu64
                 " in the baseline: times compared per sample (time / N)",
                 name, b->samples, a->samples);
        emit_flat(emit, ctx, line);
    }
    if (r->flags & MCPI_CMP_SEED_DIFFERS) {
        snprintf(line, sizeof line,
                 "%s: seed %" PRIu64 " here, %" PRIu64
                 " in the baseline (the time does not depend on it; the hits do)",
                 name, b->seed, a->seed);
        emit_flat(emit, ctx, line);
    }
    if (r->flags & MCPI_CMP_THREADS_DIFFER) {
        snprintf(line, sizeof line, "%s: %u thread%s here, %u in the baseline", name, b->threads,
                 b->threads == 1 ? "" : "s", a->threads);
        emit_flat(emit, ctx, line);
    }
    if (r->flags & MCPI_CMP_RANKS_DIFFER) {
        snprintf(line, sizeof line, "%s: %d rank%s here, %d in the baseline", name, b->ranks,
                 b->ranks == 1 ? "" : "s", a->ranks);
        emit_flat(emit, ctx, line);
    }
    if (r->flags & MCPI_CMP_DEVICE_DIFFERS) {
        snprintf(line, sizeof line, "%s: device '%s' here, '%s' in the baseline", name, b->device,
                 a->device);
        emit_flat(emit, ctx, line);
    }
    if (r->flags & MCPI_CMP_HOST_DIFFERS) {
        snprintf(line, sizeof line, "%s: ran on %s here, on %s in the baseline", name, b->hostname,
                 a->hostname);
        emit_flat(emit, ctx, line);
    }
    if (r->flags & MCPI_CMP_SAME_MEASUREMENTS) {
        snprintf(line, sizeof line,
                 "%s: the same measurements on both sides (the same file twice?): the ratio is 1 "
                 "with no uncertainty",
                 name);
        emit_flat(emit, ctx, line);
    }
}

/* One line for a block whose rows have too few repeats for the test. */
static void too_few_line(const mcpi_compare *c, const mcpi_compare_block *blk, emit_fn emit,
                         void *ctx)
{
    const mcpi_compare_row *first = NULL;
    size_t n = 0;
    for (size_t i = 0; i < blk->nrows; i++)
        if (blk->rows[i].verdict == MCPI_VERDICT_TOO_FEW) {
            first = first ? first : &blk->rows[i];
            n++;
        }
    if (first == NULL)
        return;
    char line[LINE_LEN];
    snprintf(line, sizeof line,
             "too few repeats to tell on %zu row%s (%s: %zu and %zu): no outcome reaches p < %g "
             "(the smallest p is %.*g); use -r %u or more on both runs",
             n, n == 1 ? "" : "s", row_name(first), first->mw.n, first->mw.m, c->alpha, P_DIGITS,
             first->mw.min_p, c->min_repeats);
    emit_flat(emit, ctx, line);
}

static void block_notes(const mcpi_compare *c, const mcpi_compare_block *blk, emit_fn emit,
                        void *ctx)
{
    for (size_t i = 0; i < blk->nrows; i++)
        row_notes(&blk->rows[i], emit, ctx);
    too_few_line(c, blk, emit, ctx);
}

static double gate_limit(const mcpi_compare *c)
{
    return 1.0 + c->gate_pct / 100.0;
}

/* The --fail-if-slower verdict: one line, then one per row that trips it. */
static void gate_lines(const mcpi_compare *c, emit_fn emit, void *ctx)
{
    if (!c->gate)
        return;
    char line[LINE_LEN];
    double limit = gate_limit(c);
    if (c->slower_rows == 0) {
        snprintf(line, sizeof line,
                 "--fail-if-slower %g%%: passed: no row's ratio minus its uncertainty is above "
                 "%.*g with a significant verdict",
                 c->gate_pct, LIMIT_DIGITS, limit);
        emit_flat(emit, ctx, line);
        return;
    }
    snprintf(line, sizeof line,
             "--fail-if-slower %g%%: FAILED: %zu row%s slower than %.*g beyond the uncertainty, "
             "significantly:",
             c->gate_pct, c->slower_rows, c->slower_rows == 1 ? "" : "s", LIMIT_DIGITS, limit);
    emit_flat(emit, ctx, line);
    for (size_t k = 0; k < c->nblocks; k++)
        for (size_t i = 0; i < c->blocks[k].nrows; i++) {
            const mcpi_compare_row *r = &c->blocks[k].rows[i];
            if (!r->slower)
                continue;
            snprintf(line, sizeof line,
                     "  %s in %s: ratio %.*f ± %.*f, lower bound %.*f > %.*g, p %.*g", row_name(r),
                     c->blocks[k].run->file, RATIO_DECIMALS, r->ratio, RATIO_DECIMALS, r->ratio_u,
                     RATIO_DECIMALS, r->ratio - r->ratio_u, LIMIT_DIGITS, limit, P_DIGITS, r->mw.p);
            emit_flat(emit, ctx, line);
        }
}

/* "mcpi 0.1.0 compare: 2 runs against the baseline a.json", and the line
 * that says how the numbers are made. */
static void summary(char *buf, size_t len, const mcpi_compare *c)
{
    snprintf(buf, len, "mcpi %s compare: %zu run%s against the baseline %s",
             c->version ? c->version : "", c->nblocks, c->nblocks == 1 ? "" : "s", c->runs[0].file);
}

static void method_line(char *buf, size_t len, const mcpi_compare *c)
{
    snprintf(buf, len,
             "ratio = median time / the baseline's, ± both spreads (1.4826 MAD) propagated; "
             "Mann-Whitney U two-sided, alpha %g",
             c->alpha);
}

static void block_title(char *buf, size_t len, const mcpi_compare *c, const mcpi_compare_block *b)
{
    snprintf(buf, len,
             "%s (mcpi %s, seed %" PRIu64 ") against the baseline %s (mcpi %s, seed %" PRIu64 "):",
             b->run->file, b->run->version ? b->run->version : "?", b->run->seed, c->runs[0].file,
             c->runs[0].version ? c->runs[0].version : "?", c->runs[0].seed);
}

/* ---- table ---------------------------------------------------------------------- */

static void emit_table_note(void *ctx, const char *line)
{
    mcpi__printf(ctx, "note: %s\n", line);
}

static void emit_table_line(void *ctx, const char *line)
{
    mcpi__printf(ctx, "%s\n", line);
}

static void block_table(mcpi__out *o, const mcpi_compare *c, const mcpi_compare_block *blk)
{
    char cells[NCOLS][MCPI__CELL_LEN], line[LINE_LEN];
    const char *ptr[NCOLS];
    size_t width[NCOLS] = {0};
    for (int k = 0; k < NCOLS; k++) {
        ptr[k] = cells[k];
        mcpi__table_widen(&width[k], col_titles[k]);
    }
    for (size_t i = 0; i < blk->nrows; i++) {
        row_cells(&blk->rows[i], cells);
        for (int k = 0; k < NCOLS; k++)
            mcpi__table_widen(&width[k], cells[k]);
    }
    block_title(line, sizeof line, c, blk);
    mcpi__flatten(line);
    mcpi__printf(o, "\n%s\n\n", line);
    mcpi__table_line(o, col_titles, width, col_numeric, NCOLS, NCOLS - 1);
    mcpi__table_rule(o, width, NCOLS);
    for (size_t i = 0; i < blk->nrows; i++) {
        row_cells(&blk->rows[i], cells);
        mcpi__table_line(o, ptr, width, col_numeric, NCOLS, NCOLS - 1);
    }
    block_notes(c, blk, emit_table_note, o);
}

static void compare_table(mcpi__out *o, const mcpi_compare *c)
{
    char line[LINE_LEN];
    summary(line, sizeof line, c);
    mcpi__flatten(line);
    mcpi__printf(o, "%s\n", line);
    method_line(line, sizeof line, c);
    mcpi__printf(o, "%s\n", line);
    for (size_t k = 0; k < c->nblocks; k++)
        block_table(o, c, &c->blocks[k]);
    if (c->gate)
        mcpi__put(o, "\n");
    gate_lines(c, emit_table_line, o);
}

/* ---- Markdown ----------------------------------------------------------------- */

static void emit_md_item(void *ctx, const char *line)
{
    mcpi__out *o = ctx;
    mcpi__put(o, "- ");
    mcpi__md_text(o, line);
    mcpi__put(o, "\n");
}

static void emit_md_paragraph(void *ctx, const char *line)
{
    mcpi__out *o = ctx;
    mcpi__put(o, "\n");
    mcpi__md_text(o, line);
    mcpi__put(o, "\n");
}

static void compare_markdown(mcpi__out *o, const mcpi_compare *c)
{
    char cells[NCOLS][MCPI__CELL_LEN], line[LINE_LEN];
    const char *ptr[NCOLS];
    for (int k = 0; k < NCOLS; k++)
        ptr[k] = cells[k];
    summary(line, sizeof line, c);
    mcpi__flatten(line);
    mcpi__md_text(o, line);
    mcpi__put(o, "\n\n");
    method_line(line, sizeof line, c);
    mcpi__md_text(o, line);
    mcpi__put(o, "\n");
    for (size_t k = 0; k < c->nblocks; k++) {
        const mcpi_compare_block *blk = &c->blocks[k];
        block_title(line, sizeof line, c, blk);
        mcpi__flatten(line);
        mcpi__put(o, "\n");
        mcpi__md_text(o, line);
        mcpi__put(o, "\n\n");
        mcpi__md_header(o, col_titles, col_numeric, NCOLS);
        for (size_t i = 0; i < blk->nrows; i++) {
            row_cells(&blk->rows[i], cells);
            mcpi__md_row(o, ptr, NCOLS);
        }
        mcpi__put(o, "\n");
        block_notes(c, blk, emit_md_item, o);
    }
    gate_lines(c, emit_md_paragraph, o);
}

/* ---- CSV ------------------------------------------------------------------------- */

static void csv_header(mcpi__csv *c)
{
    static const char *const fields[] = {
        "baseline",
        "file",
        "row",
        "presence",
        "failed",
        "base_samples",
        "samples",
        "base_hits",
        "hits",
        "base_repeats",
        "repeats",
        "base_median_s",
        "base_min_s",
        "base_max_s",
        "base_spread_s",
        "median_s",
        "min_s",
        "max_s",
        "spread_s",
        "per_sample",
        "ratio",
        "ratio_u",
        "factor",
        "factor_u",
        "direction",
        "u",
        "p",
        "min_p",
        "method",
        "verdict",
        "wrong_hits",
        "slower_than_gate",
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        mcpi__csv_str(c, fields[i]);
    mcpi__csv_end(c);
}

/* A side's median, min, max and spread; empty fields where it is absent. */
static void csv_times(mcpi__csv *c, const mcpi_record *r, const mcpi_stats *st, double spread)
{
    if (r == NULL) {
        for (int i = 0; i < 4; i++)
            mcpi__csv_empty(c);
        return;
    }
    mcpi__csv_num(c, st->median);
    mcpi__csv_num(c, st->min);
    mcpi__csv_num(c, st->max);
    mcpi__csv_num(c, spread);
}

static void csv_row(mcpi__csv *c, const mcpi_compare *cmp, const mcpi_compare_block *blk,
                    const mcpi_compare_row *r)
{
    mcpi__csv_str(c, cmp->runs[0].file);
    mcpi__csv_str(c, blk->run->file);
    mcpi__csv_str(c, row_name(r));
    mcpi__csv_str(c, presence_name(r));
    mcpi__csv_int(c, r->failed);
    /* base_samples, samples, base_hits, hits, base_repeats, repeats */
    const mcpi_record *sides[2] = {r->a, r->b};
    for (int k = 0; k < 3; k++)
        for (int s = 0; s < 2; s++) {
            const mcpi_record *x = sides[s];
            if (x == NULL)
                mcpi__csv_empty(c);
            else
                mcpi__csv_u64(c, k == 0 ? x->samples : k == 1 ? x->hits : x->repeats);
        }
    csv_times(c, r->a, &r->sa, r->spread_a);
    csv_times(c, r->b, &r->sb, r->spread_b);
    mcpi__csv_int(c, (r->flags & MCPI_CMP_N_DIFFERS) != 0);
    mcpi__csv_num(c, r->ratio);
    mcpi__csv_num(c, r->ratio_u);
    mcpi__csv_num(c, r->factor);
    mcpi__csv_num(c, r->factor_u);
    const char *dir = direction_name(r);
    mcpi__csv_str(c, dir ? dir : "");
    mcpi__csv_num(c, r->mw.u);
    mcpi__csv_num(c, r->mw.p);
    mcpi__csv_num(c, r->mw.min_p);
    mcpi__csv_str(c, r->verdict == MCPI_VERDICT_NONE ? "" : r->mw.exact ? "exact" : "normal");
    mcpi__csv_str(c, r->verdict == MCPI_VERDICT_NONE ? "" : mcpi_compare_verdict_name(r->verdict));
    mcpi__csv_int(c, (r->flags & MCPI_CMP_WRONG_HITS) != 0);
    mcpi__csv_int(c, r->slower);
    mcpi__csv_end(c);
}

static void compare_csv(mcpi__out *o, const mcpi_compare *cmp)
{
    mcpi__csv c = {o, 1};
    csv_header(&c);
    for (size_t k = 0; k < cmp->nblocks; k++)
        for (size_t i = 0; i < cmp->blocks[k].nrows; i++)
            csv_row(&c, cmp, &cmp->blocks[k], &cmp->blocks[k].rows[i]);
}

/* ---- JSON ------------------------------------------------------------------------- */

static void json_bool(mcpi__out *o, int *f, const char *k, int v)
{
    mcpi__json_key(o, f, k);
    mcpi__put(o, v ? "true" : "false");
}

static void json_str_or_null(mcpi__out *o, int *f, const char *k, const char *v)
{
    mcpi__json_key(o, f, k);
    if (v != NULL)
        mcpi__json_str(o, v);
    else
        mcpi__put(o, "null");
}

/* One side of a row: what was counted and the repeat times. */
static void json_side(mcpi__out *o, const mcpi_record *r, const mcpi_stats *st, double spread)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_u64(o, &f, "samples", r->samples);
    mcpi__json_key_u64(o, &f, "seed", r->seed);
    mcpi__json_key(o, &f, "range");
    mcpi__printf(o, "{\"begin\": %" PRIu64 ", \"end\": %" PRIu64 "}", r->begin, r->end);
    mcpi__json_key_u64(o, &f, "hits", r->hits);
    json_bool(o, &f, "exact", r->exact);
    mcpi__json_key_str(o, &f, "status", r->status == MCPI_OK ? "ok" : "error");
    json_str_or_null(o, &f, "error", r->status == MCPI_OK ? NULL : side_error(r));
    mcpi__json_key_u64(o, &f, "threads", r->threads);
    mcpi__json_key_u64(o, &f, "ranks", r->ranks > 0 ? (uint64_t)r->ranks : 1);
    mcpi__json_key_str(o, &f, "device", r->device);
    mcpi__json_key_str(o, &f, "hostname", r->hostname);
    mcpi__json_key(o, &f, "repeats_s");
    mcpi__put(o, "[");
    unsigned n = r->repeats < MCPI_MAX_REPEAT ? r->repeats : MCPI_MAX_REPEAT;
    for (unsigned i = 0; i < n; i++) {
        mcpi__put(o, i ? ", " : "");
        mcpi__json_num(o, r->repeat_s[i]);
    }
    mcpi__put(o, "]");
    mcpi__json_key_num(o, &f, "median_s", st->median);
    mcpi__json_key_num(o, &f, "min_s", st->min);
    mcpi__json_key_num(o, &f, "max_s", st->max);
    mcpi__json_key_num(o, &f, "spread_s", spread);
    mcpi__put(o, "}");
}

static void json_side_key(mcpi__out *o, int *f, const char *k, const mcpi_record *r,
                          const mcpi_stats *st, double spread)
{
    mcpi__json_key(o, f, k);
    if (r == NULL)
        mcpi__put(o, "null");
    else
        json_side(o, r, st, spread);
}

static void json_u_test(mcpi__out *o, const mcpi_compare_row *r)
{
    if (r->verdict == MCPI_VERDICT_NONE) {
        mcpi__put(o, "null");
        return;
    }
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_u64(o, &f, "n_baseline", r->mw.n);
    mcpi__json_key_u64(o, &f, "n_run", r->mw.m);
    mcpi__json_key_num(o, &f, "u", r->mw.u);
    mcpi__json_key_num(o, &f, "p", r->mw.p);
    mcpi__json_key_num(o, &f, "min_p", r->mw.min_p);
    mcpi__json_key_str(o, &f, "method", r->mw.exact ? "exact" : "normal");
    json_bool(o, &f, "ties", r->mw.ties);
    mcpi__put(o, "}");
}

/* Collects note lines into a JSON array. */
typedef struct json_notes {
    mcpi__out *o;
    int n;
} json_notes;

static void emit_json_note(void *ctx, const char *line)
{
    json_notes *j = ctx;
    mcpi__put(j->o, j->n++ ? ", " : "");
    mcpi__json_str(j->o, line);
}

static void json_row(mcpi__out *o, const mcpi_compare_row *r)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_str(o, &f, "name", row_name(r));
    mcpi__json_key_str(o, &f, "presence", presence_name(r));
    json_bool(o, &f, "failed", r->failed);
    mcpi__put(o, ",\n" ROW_INDENT " ");
    f = 1;
    json_side_key(o, &f, "baseline", r->a, &r->sa, r->spread_a);
    mcpi__put(o, ",\n" ROW_INDENT " ");
    f = 1;
    json_side_key(o, &f, "run", r->b, &r->sb, r->spread_b);
    mcpi__put(o, ",\n" ROW_INDENT " ");
    f = 1;
    json_bool(o, &f, "per_sample", (r->flags & MCPI_CMP_N_DIFFERS) != 0);
    json_bool(o, &f, "same_measurements", (r->flags & MCPI_CMP_SAME_MEASUREMENTS) != 0);
    json_bool(o, &f, "wrong_hits", (r->flags & MCPI_CMP_WRONG_HITS) != 0);
    mcpi__json_key_num(o, &f, "ratio", r->ratio);
    mcpi__json_key_num(o, &f, "ratio_u", r->ratio_u);
    mcpi__json_key_num(o, &f, "factor", r->factor);
    mcpi__json_key_num(o, &f, "factor_u", r->factor_u);
    json_str_or_null(o, &f, "direction", direction_name(r));
    mcpi__json_key(o, &f, "u_test");
    json_u_test(o, r);
    json_str_or_null(o, &f, "verdict",
                     r->verdict == MCPI_VERDICT_NONE ? NULL
                                                     : mcpi_compare_verdict_name(r->verdict));
    json_bool(o, &f, "slower_than_gate", r->slower);
    mcpi__json_key(o, &f, "notes");
    mcpi__put(o, "[");
    json_notes notes = {o, 0};
    row_notes(r, emit_json_note, &notes);
    mcpi__put(o, "]}");
}

static void json_run_head(mcpi__out *o, const mcpi_compare_run *run)
{
    int f = 1;
    mcpi__json_key_str(o, &f, "file", run->file);
    json_str_or_null(o, &f, "version", run->version);
    mcpi__json_key_u64(o, &f, "seed", run->seed);
}

static void json_gate(mcpi__out *o, const mcpi_compare *c)
{
    if (!c->gate) {
        mcpi__put(o, "null");
        return;
    }
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_num(o, &f, "fail_if_slower_pct", c->gate_pct);
    mcpi__json_key_num(o, &f, "limit", gate_limit(c));
    json_bool(o, &f, "failed", c->slower_rows > 0);
    mcpi__json_key_u64(o, &f, "rows", c->slower_rows);
    mcpi__put(o, "}");
}

static void compare_json(mcpi__out *o, const mcpi_compare *c)
{
    mcpi__put(o, "{\n" JSON_INDENT "\"version\": ");
    if (c->version)
        mcpi__json_str(o, c->version);
    else
        mcpi__put(o, "null");
    mcpi__put(o, ",\n" JSON_INDENT "\"compare\": {\n" JSON_INDENT JSON_INDENT "\"baseline\": {");
    json_run_head(o, &c->runs[0]);
    mcpi__printf(o, ", \"rows\": %zu},\n" JSON_INDENT JSON_INDENT, c->runs[0].nrows);
    int f = 1;
    mcpi__json_key_str(o, &f, "test", "mann-whitney-u");
    mcpi__json_key_str(o, &f, "alternative", "two-sided");
    mcpi__json_key_num(o, &f, "alpha", c->alpha);
    mcpi__json_key_str(o, &f, "spread", "1.4826 MAD");
    mcpi__json_key_u64(o, &f, "min_repeats", c->min_repeats);
    mcpi__put(o, ",\n" JSON_INDENT JSON_INDENT "\"runs\": [");
    for (size_t k = 0; k < c->nblocks; k++) {
        const mcpi_compare_block *blk = &c->blocks[k];
        mcpi__put(o, k ? ",\n" JSON_INDENT JSON_INDENT JSON_INDENT "{"
                       : "\n" JSON_INDENT JSON_INDENT JSON_INDENT "{");
        json_run_head(o, blk->run);
        mcpi__put(o, ", \"rows\": [");
        for (size_t i = 0; i < blk->nrows; i++) {
            mcpi__put(o, i ? ",\n" ROW_INDENT : "\n" ROW_INDENT);
            json_row(o, &blk->rows[i]);
        }
        mcpi__put(o, blk->nrows ? "\n" JSON_INDENT JSON_INDENT JSON_INDENT "]}" : "]}");
    }
    mcpi__put(o, c->nblocks ? "\n" JSON_INDENT JSON_INDENT "],\n" JSON_INDENT JSON_INDENT
                            : "],\n" JSON_INDENT JSON_INDENT);
    f = 1;
    mcpi__json_key_u64(o, &f, "too_few_repeats", c->too_few);
    mcpi__json_key_u64(o, &f, "wrong_hits", c->wrong_hits);
    mcpi__json_key(o, &f, "gate");
    json_gate(o, c);
    mcpi__put(o, "\n" JSON_INDENT "}\n}\n");
}

/* ---- entry --------------------------------------------------------------------- */

int mcpi_compare_write(FILE *out, mcpi_format fmt, const mcpi_compare *c)
{
    if (out == NULL || c == NULL || c->runs == NULL || c->nruns < 2 || c->nblocks != c->nruns - 1 ||
        c->blocks == NULL)
        return MCPI_EINVAL;
    mcpi__out o = {out, 0};
    switch (fmt) {
    case MCPI_FORMAT_TABLE:
        compare_table(&o, c);
        break;
    case MCPI_FORMAT_CSV:
        compare_csv(&o, c);
        break;
    case MCPI_FORMAT_JSON:
        compare_json(&o, c);
        break;
    case MCPI_FORMAT_MARKDOWN:
        compare_markdown(&o, c);
        break;
    default:
        return MCPI_EINVAL;
    }
    if (!o.failed && (fflush(out) != 0 || ferror(out)))
        o.failed = 1;
    return o.failed ? MCPI_EIO : 0;
}

/* report_table.c - the ratio table (default, for people): aligned columns,
 * fastest first, notes under it, then optionally one row per rank. */
#include "report_private.h"

#include <string.h>

#include "mcpi_profile.h"

#define COL_GAP 2           /* spaces between columns */
#define DEVICE_MAX_WIDTH 40 /* longer device names are shortened with ELLIPSIS */
#define ELLIPSIS "..."
#define RULE_CHAR "-"

/* Display width of UTF-8 text: one column per code point (device names are
 * almost always ASCII; this keeps the rare accented one aligned). */
static size_t disp_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Shortens s in place to at most max columns, ending in ELLIPSIS. */
static void shorten(char *s, size_t max)
{
    if (disp_len(s) <= max)
        return;
    size_t keep = max - strlen(ELLIPSIS), cols = 0, i = 0;
    for (; s[i]; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && cols++ == keep)
            break;
    }
    strcpy(s + i, ELLIPSIS);
}

static void put_padded(mcpi__out *o, const char *s, size_t width, int right)
{
    size_t len = disp_len(s);
    int pad = len < width ? (int)(width - len) : 0;
    if (right)
        mcpi__printf(o, "%*s%s", pad, "", s);
    else
        mcpi__printf(o, "%s%*s", s, pad, "");
}

void mcpi__table_widen(size_t *width, const char *s)
{
    size_t len = disp_len(s);
    if (len > *width)
        *width = len;
}

/* Prints one line of cells.  A failed row stops at its error cell, which is
 * printed as plain text across the numeric columns; no trailing padding. */
void mcpi__table_line(mcpi__out *o, const char *const *cells, const size_t *width,
                      const int *numeric, int ncols, int stop_at)
{
    for (int c = 0; c < ncols && c <= stop_at; c++) {
        if (c > 0)
            mcpi__printf(o, "%*s", COL_GAP, "");
        int error_cell = c == stop_at && stop_at < ncols - 1;
        if (error_cell || (c == ncols - 1 && !numeric[c]))
            mcpi__put(o, cells[c]);
        else
            put_padded(o, cells[c], width[c], numeric[c]);
    }
    mcpi__put(o, "\n");
}

void mcpi__table_rule(mcpi__out *o, const size_t *width, int ncols)
{
    size_t total = 0;
    for (int c = 0; c < ncols; c++)
        total += width[c] + (c > 0 ? COL_GAP : 0);
    for (size_t i = 0; i < total; i++)
        mcpi__put(o, RULE_CHAR);
    mcpi__put(o, "\n");
}

/* Notes follow the table after one blank line (none when there are no notes). */
typedef struct note_ctx {
    mcpi__out *o;
    size_t count;
} note_ctx;

static void emit_note(void *ctx, const char *line)
{
    note_ctx *nc = ctx;
    mcpi__printf(nc->o, "%s%s\n", nc->count++ ? "" : "\n", line);
}

/* The job columns this report shows (col[k] is the k-th shown column) and
 * the shown index of the time column, where a failed row's error goes. */
typedef struct shown_cols {
    int col[MCPI__NCOLS];
    int numeric[MCPI__NCOLS];
    int n, time;
} shown_cols;

static void shown_init(shown_cols *sc, const mcpi_run_info *info)
{
    sc->n = 0;
    sc->time = 0;
    for (int c = 0; c < MCPI__NCOLS; c++) {
        if (!mcpi__col_shown(c, info))
            continue;
        if (c == MCPI__COL_TIME)
            sc->time = sc->n;
        sc->numeric[sc->n] = mcpi__col_numeric(c);
        sc->col[sc->n++] = c;
    }
}

static void job_section(mcpi__out *o, const mcpi__row *rows, size_t n, const mcpi_run_info *info)
{
    char cells[MCPI__NCOLS][MCPI__CELL_LEN];
    const char *ptr[MCPI__NCOLS] = {NULL};
    const char *titles[MCPI__NCOLS] = {NULL};
    size_t width[MCPI__NCOLS] = {0};
    shown_cols sc;
    shown_init(&sc, info);

    for (int k = 0; k < sc.n; k++) {
        titles[k] = mcpi__col_title(sc.col[k]);
        width[k] = disp_len(titles[k]);
        ptr[k] = cells[sc.col[k]];
    }
    for (size_t i = 0; i < n; i++) {
        mcpi__job_cells(&rows[i], cells);
        shorten(cells[MCPI__COL_DEVICE], DEVICE_MAX_WIDTH);
        /* A failed row's error spans the numeric columns; it sets no width. */
        int ncells = rows[i].ok ? sc.n : sc.time;
        for (int k = 0; k < ncells; k++)
            mcpi__table_widen(&width[k], ptr[k]);
    }

    mcpi__table_line(o, titles, width, sc.numeric, sc.n, sc.n - 1);
    mcpi__table_rule(o, width, sc.n);
    for (size_t i = 0; i < n; i++) {
        mcpi__job_cells(&rows[i], cells);
        shorten(cells[MCPI__COL_DEVICE], DEVICE_MAX_WIDTH);
        int stop = rows[i].ok ? sc.n - 1 : sc.time;
        mcpi__table_line(o, ptr, width, sc.numeric, sc.n, stop);
    }
}

static void rank_section(mcpi__out *o, const mcpi__row *rows, size_t n)
{
    char cells[MCPI__NRCOLS][MCPI__CELL_LEN];
    const char *ptr[MCPI__NRCOLS];
    const char *titles[MCPI__NRCOLS];
    size_t width[MCPI__NRCOLS];
    int numeric[MCPI__NRCOLS];

    for (int c = 0; c < MCPI__NRCOLS; c++) {
        titles[c] = mcpi__rcol_title(c);
        width[c] = disp_len(titles[c]);
        ptr[c] = cells[c];
        numeric[c] = mcpi__rcol_numeric(c);
    }
    for (size_t i = 0; i < n; i++) {
        mcpi__rank_cells(&rows[i], cells);
        shorten(cells[MCPI__RCOL_DEVICE], DEVICE_MAX_WIDTH);
        int ncells = rows[i].ok ? MCPI__NRCOLS : MCPI__RCOL_TIME;
        for (int c = 0; c < ncells; c++)
            mcpi__table_widen(&width[c], cells[c]);
    }

    mcpi__put(o, "\nper rank:\n");
    mcpi__table_line(o, titles, width, numeric, MCPI__NRCOLS, MCPI__NRCOLS - 1);
    mcpi__table_rule(o, width, MCPI__NRCOLS);
    for (size_t i = 0; i < n; i++) {
        mcpi__rank_cells(&rows[i], cells);
        shorten(cells[MCPI__RCOL_DEVICE], DEVICE_MAX_WIDTH);
        int stop = rows[i].ok ? MCPI__NRCOLS - 1 : MCPI__RCOL_TIME;
        mcpi__table_line(o, ptr, width, numeric, MCPI__NRCOLS, stop);
    }
}

/* The table of one run (or one sweep point) under its summary line. */
static int run_table(mcpi__out *o, const mcpi_report *rep)
{
    int nomem;
    mcpi__row *rows = mcpi__rows_new(rep->rows, rep->nrows, 1, &nomem);
    if (nomem)
        return MCPI_ENOMEM;
    mcpi__rows_calibrate(rows, rep->nrows, rep->info.calibration);

    char summary[MCPI__SUMMARY_LEN];
    mcpi__run_summary(summary, &rep->info);
    mcpi__printf(o, "%s\n\n", summary);
    job_section(o, rows, rep->nrows, &rep->info);
    note_ctx nc = {o, 0};
    mcpi__notes(rows, rep->nrows, &rep->info, emit_note, &nc);
    mcpi__rows_free(rows);
    if (mcpi__slow_rank_lines(rep, emit_note, &nc) != 0)
        return MCPI_ENOMEM;

    if (rep->show_rank_rows && rep->rank_rows && rep->nrank_rows > 0) {
        mcpi__row *rrows = mcpi__rows_new(rep->rank_rows, rep->nrank_rows, 0, &nomem);
        if (nomem)
            return MCPI_ENOMEM;
        rank_section(o, rrows, rep->nrank_rows);
        mcpi__rows_free(rrows);
    }
    return 0;
}

static void emit_line(void *ctx, const char *line)
{
    mcpi__printf(ctx, "%s\n", line);
}

/* A sweep: its summary, each point's table, then time by N and crossovers. */
static int sweep_table(mcpi__out *o, const mcpi_report *rep)
{
    char summary[MCPI__SUMMARY_LEN];
    mcpi__sweep_summary(summary, rep);
    mcpi__printf(o, "%s\n", summary);
    for (size_t k = 0; k < rep->sweep->npoints; k++) {
        mcpi_report point;
        mcpi__point_report(rep, k, &point);
        mcpi__put(o, "\n");
        int rc = run_table(o, &point);
        if (rc != 0)
            return rc;
    }
    mcpi__put(o, "\n");
    return mcpi__crossover_lines(rep, emit_line, o);
}

int mcpi__report_table(FILE *out, const mcpi_report *rep)
{
    mcpi__out o = {out, 0};
    int rc = rep->sweep ? sweep_table(&o, rep) : run_table(&o, rep);
    if (rc != 0)
        return rc;
    return o.failed ? MCPI_EIO : 0;
}

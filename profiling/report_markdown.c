/* report_markdown.c - the ratio table as a GitHub-flavoured Markdown table,
 * with the run summary above it and the notes below it as a list. */
#include "report_private.h"

#include <string.h>

#include "mcpi_profile.h"

/* Characters that CommonMark would read as markup (or, for '|', as a cell
 * boundary); each is written with a backslash before it. */
#define MD_SPECIALS "\\`*_|<>[]"
#define MD_ALIGN_LEFT ":--"
#define MD_ALIGN_RIGHT "--:"

/* Writes text escaped for a paragraph or a table cell; line breaks, which
 * would end a table row, become spaces. */
void mcpi__md_text(mcpi__out *o, const char *s)
{
    while (*s) {
        size_t run = strcspn(s, MD_SPECIALS "\r\n");
        if (run > 0) {
            mcpi__printf(o, "%.*s", (int)run, s);
            s += run;
            continue;
        }
        if (*s == '\r' || *s == '\n')
            mcpi__put(o, " ");
        else
            mcpi__printf(o, "\\%c", *s);
        s++;
    }
}

void mcpi__md_row(mcpi__out *o, const char *const *cells, int ncols)
{
    mcpi__put(o, "|");
    for (int c = 0; c < ncols; c++) {
        mcpi__put(o, " ");
        mcpi__md_text(o, cells[c]);
        mcpi__put(o, " |");
    }
    mcpi__put(o, "\n");
}

void mcpi__md_header(mcpi__out *o, const char *const *titles, const int *numeric, int ncols)
{
    mcpi__md_row(o, titles, ncols);
    mcpi__put(o, "|");
    for (int c = 0; c < ncols; c++)
        mcpi__printf(o, "%s|", numeric[c] ? MD_ALIGN_RIGHT : MD_ALIGN_LEFT);
    mcpi__put(o, "\n");
}

static void emit_note(void *ctx, const char *line)
{
    mcpi__out *o = ctx;
    mcpi__put(o, "- ");
    mcpi__md_text(o, line);
    mcpi__put(o, "\n");
}

static void job_table(mcpi__out *o, const mcpi__row *rows, size_t n, const mcpi_run_info *info)
{
    char cells[MCPI__NCOLS][MCPI__CELL_LEN];
    const char *ptr[MCPI__NCOLS];
    const char *titles[MCPI__NCOLS];
    int numeric[MCPI__NCOLS];
    int ncols = 0;
    for (int c = 0; c < MCPI__NCOLS; c++) {
        if (!mcpi__col_shown(c, info))
            continue;
        ptr[ncols] = cells[c];
        titles[ncols] = mcpi__col_title(c);
        numeric[ncols++] = mcpi__col_numeric(c);
    }
    mcpi__md_header(o, titles, numeric, ncols);
    for (size_t i = 0; i < n; i++) {
        mcpi__job_cells(&rows[i], cells);
        mcpi__md_row(o, ptr, ncols);
    }
}

static void rank_table(mcpi__out *o, const mcpi__row *rows, size_t n)
{
    char cells[MCPI__NRCOLS][MCPI__CELL_LEN];
    const char *ptr[MCPI__NRCOLS];
    const char *titles[MCPI__NRCOLS];
    int numeric[MCPI__NRCOLS];
    for (int c = 0; c < MCPI__NRCOLS; c++) {
        ptr[c] = cells[c];
        titles[c] = mcpi__rcol_title(c);
        numeric[c] = mcpi__rcol_numeric(c);
    }
    mcpi__put(o, "\nPer rank:\n\n");
    mcpi__md_header(o, titles, numeric, MCPI__NRCOLS);
    for (size_t i = 0; i < n; i++) {
        mcpi__rank_cells(&rows[i], cells);
        mcpi__md_row(o, ptr, MCPI__NRCOLS);
    }
}

static int run_markdown(mcpi__out *o, const mcpi_report *rep)
{
    int nomem;
    mcpi__row *rows = mcpi__rows_new(rep->rows, rep->nrows, 1, &nomem);
    if (nomem)
        return MCPI_ENOMEM;
    mcpi__rows_calibrate(rows, rep->nrows, rep->info.calibration);

    char summary[MCPI__SUMMARY_LEN];
    mcpi__run_summary(summary, &rep->info);
    mcpi__md_text(o, summary);
    mcpi__put(o, "\n\n");
    job_table(o, rows, rep->nrows, &rep->info);
    mcpi__put(o, "\n");
    mcpi__notes(rows, rep->nrows, &rep->info, emit_note, o);
    mcpi__rows_free(rows);
    if (mcpi__slow_rank_lines(rep, emit_note, o) != 0)
        return MCPI_ENOMEM;

    if (rep->show_rank_rows && rep->rank_rows && rep->nrank_rows > 0) {
        mcpi__row *rrows = mcpi__rows_new(rep->rank_rows, rep->nrank_rows, 0, &nomem);
        if (nomem)
            return MCPI_ENOMEM;
        rank_table(o, rrows, rep->nrank_rows);
        mcpi__rows_free(rrows);
    }
    return 0;
}

/* The crossover summary: the time-by-N matrix goes in a code block (it is
 * aligned text); the crossover lines become a list. */
typedef struct md_cross_ctx {
    mcpi__out *o;
    int in_block, after_blank;
} md_cross_ctx;

static void emit_cross(void *ctx, const char *line)
{
    md_cross_ctx *m = ctx;
    if (line[0] == '\0') {
        if (m->in_block)
            mcpi__put(m->o, "```\n");
        m->in_block = 0;
        m->after_blank = 1;
        mcpi__put(m->o, "\n");
        return;
    }
    if (strncmp(line, "median time by N", 16) == 0) {
        mcpi__md_text(m->o, line);
        mcpi__put(m->o, "\n\n```\n");
        m->in_block = 1;
        return;
    }
    if (m->in_block) {
        mcpi__printf(m->o, "%s\n", line);
        return;
    }
    if (strncmp(line, "note:", 5) == 0)
        mcpi__put(m->o, "\n"); /* not a continuation of the list above */
    if (line[0] == ' ') {
        mcpi__put(m->o, "- ");
        mcpi__md_text(m->o, line + strspn(line, " "));
    } else {
        mcpi__md_text(m->o, line);
        if (strncmp(line, "crossovers", 10) == 0)
            mcpi__put(m->o, "\n");
    }
    mcpi__put(m->o, "\n");
}

static int sweep_markdown(mcpi__out *o, const mcpi_report *rep)
{
    char summary[MCPI__SUMMARY_LEN];
    mcpi__sweep_summary(summary, rep);
    mcpi__md_text(o, summary);
    mcpi__put(o, "\n");
    for (size_t k = 0; k < rep->sweep->npoints; k++) {
        mcpi_report point;
        mcpi__point_report(rep, k, &point);
        mcpi__printf(o, "\n### N = %llu\n\n", (unsigned long long)point.info.samples);
        int rc = run_markdown(o, &point);
        if (rc != 0)
            return rc;
    }
    mcpi__put(o, "\n### Crossovers\n\n");
    md_cross_ctx m = {o, 0, 0};
    int rc = mcpi__crossover_lines(rep, emit_cross, &m);
    if (m.in_block)
        mcpi__put(o, "```\n");
    return rc;
}

int mcpi__report_markdown(FILE *out, const mcpi_report *rep)
{
    mcpi__out o = {out, 0};
    int rc = rep->sweep ? sweep_markdown(&o, rep) : run_markdown(&o, rep);
    if (rc != 0)
        return rc;
    return o.failed ? MCPI_EIO : 0;
}

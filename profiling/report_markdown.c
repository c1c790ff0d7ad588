/* report_markdown.c - the ratio table as a GitHub-flavoured Markdown table,
 * with the run summary above it and the notes below it as a list. */
#include "report_private.h"

#include <string.h>

#include "mcpi.h"

/* Characters that CommonMark would read as markup (or, for '|', as a cell
 * boundary); each is written with a backslash before it. */
#define MD_SPECIALS "\\`*_|<>[]"
#define MD_ALIGN_LEFT ":--"
#define MD_ALIGN_RIGHT "--:"
/* Job and rank tables share the header writer. */
#define MD_MAX_COLS ((int)MCPI__NCOLS > (int)MCPI__NRCOLS ? (int)MCPI__NCOLS : (int)MCPI__NRCOLS)

/* Writes text escaped for a paragraph or a table cell; line breaks, which
 * would end a table row, become spaces. */
static void md_text(mcpi__out *o, const char *s)
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

static void md_row(mcpi__out *o, const char *const *cells, int ncols)
{
    mcpi__put(o, "|");
    for (int c = 0; c < ncols; c++) {
        mcpi__put(o, " ");
        md_text(o, cells[c]);
        mcpi__put(o, " |");
    }
    mcpi__put(o, "\n");
}

static void md_header(mcpi__out *o, const char *(*title)(int), int (*numeric)(int), int ncols)
{
    const char *titles[MD_MAX_COLS] = {NULL};
    for (int c = 0; c < ncols; c++)
        titles[c] = title(c);
    md_row(o, titles, ncols);
    mcpi__put(o, "|");
    for (int c = 0; c < ncols; c++)
        mcpi__printf(o, "%s|", numeric(c) ? MD_ALIGN_RIGHT : MD_ALIGN_LEFT);
    mcpi__put(o, "\n");
}

static void emit_note(void *ctx, const char *line)
{
    mcpi__out *o = ctx;
    mcpi__put(o, "- ");
    md_text(o, line);
    mcpi__put(o, "\n");
}

static void job_table(mcpi__out *o, const mcpi__row *rows, size_t n)
{
    char cells[MCPI__NCOLS][MCPI__CELL_LEN];
    const char *ptr[MCPI__NCOLS];
    for (int c = 0; c < MCPI__NCOLS; c++)
        ptr[c] = cells[c];
    md_header(o, mcpi__col_title, mcpi__col_numeric, MCPI__NCOLS);
    for (size_t i = 0; i < n; i++) {
        mcpi__job_cells(&rows[i], cells);
        md_row(o, ptr, MCPI__NCOLS);
    }
}

static void rank_table(mcpi__out *o, const mcpi__row *rows, size_t n)
{
    char cells[MCPI__NRCOLS][MCPI__CELL_LEN];
    const char *ptr[MCPI__NRCOLS];
    for (int c = 0; c < MCPI__NRCOLS; c++)
        ptr[c] = cells[c];
    mcpi__put(o, "\nPer rank:\n\n");
    md_header(o, mcpi__rcol_title, mcpi__rcol_numeric, MCPI__NRCOLS);
    for (size_t i = 0; i < n; i++) {
        mcpi__rank_cells(&rows[i], cells);
        md_row(o, ptr, MCPI__NRCOLS);
    }
}

int mcpi__report_markdown(FILE *out, const mcpi_report *rep)
{
    mcpi__out o = {out, 0};
    int nomem;
    mcpi__row *rows = mcpi__rows_new(rep->rows, rep->nrows, 1, &nomem);
    if (nomem)
        return MCPI_ENOMEM;

    char summary[MCPI__SUMMARY_LEN];
    mcpi__run_summary(summary, &rep->info);
    md_text(&o, summary);
    mcpi__put(&o, "\n\n");
    job_table(&o, rows, rep->nrows);
    mcpi__put(&o, "\n");
    mcpi__notes(rows, rep->nrows, &rep->info, emit_note, &o);
    mcpi__rows_free(rows);

    if (rep->show_rank_rows && rep->rank_rows && rep->nrank_rows > 0) {
        mcpi__row *rrows = mcpi__rows_new(rep->rank_rows, rep->nrank_rows, 0, &nomem);
        if (nomem)
            return MCPI_ENOMEM;
        rank_table(&o, rrows, rep->nrank_rows);
        mcpi__rows_free(rrows);
    }
    return o.failed ? MCPI_EIO : 0;
}

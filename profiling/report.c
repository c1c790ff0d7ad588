/* report.c - the reporters' entry: format names and the dispatch of a report
 * to its writer (table, CSV, JSON, Markdown). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"
#include "report_private.h"

/* ---- dispatch --------------------------------------------------------- */

static const struct {
    const char *name;
    mcpi_format fmt;
} format_names[] = {
    {"table", MCPI_FORMAT_TABLE},
    {"csv", MCPI_FORMAT_CSV},
    {"json", MCPI_FORMAT_JSON},
    {"markdown", MCPI_FORMAT_MARKDOWN},
};

int mcpi_format_parse(const char *s, mcpi_format *out)
{
    if (!s)
        return MCPI_EINVAL;
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(s, format_names[i].name) == 0) {
            if (out)
                *out = format_names[i].fmt;
            return MCPI_OK;
        }
    }
    return MCPI_EINVAL;
}

/* A run or a sweep in its format. */
static int write_rows(FILE *out, mcpi_format fmt, const mcpi_report *rep)
{
    switch (fmt) {
    case MCPI_FORMAT_TABLE:
        return mcpi__report_table(out, rep);
    case MCPI_FORMAT_CSV:
        return mcpi__report_csv(out, rep);
    case MCPI_FORMAT_JSON:
        return mcpi__report_json(out, rep);
    case MCPI_FORMAT_MARKDOWN:
        return mcpi__report_markdown(out, rep);
    default:
        return MCPI_EINVAL;
    }
}

int mcpi_report_write(FILE *out, mcpi_format fmt, const mcpi_report *rep)
{
    /* rank_rows NULL means "no rank rows", whatever nrank_rows says. */
    if (!out || !rep || (rep->nrows > 0 && !rep->rows))
        return MCPI_EINVAL;
    int rc = rep->scale != NULL ? mcpi__report_scale(out, fmt, rep) : write_rows(out, fmt, rep);
    /* A buffered write can fail only when flushed (a full disk, a closed pipe). */
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        rc = MCPI_EIO;
    return rc;
}

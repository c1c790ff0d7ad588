/* report_scale.c - the writers of a scaling study (mcpi scale): one line per
 * worker count with its time, throughput, speedup, efficiency and Karp-Flatt
 * fraction, then the Amdahl or Gustafson fit, as a table, CSV, JSON or
 * Markdown.
 *
 * Every number comes from the analysed study (mcpi_scale_analyse); these
 * writers only choose how it is shown.  A point's job row is written by the
 * run writers' own pieces (JSON results[], time cells, CSV fields), so a
 * point reads like a one-row run. */
#include "report_private.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "mcpi_profile.h"

#define RATE_DIGITS 2         /* samples/s as 5.52e+08 */
#define SPEEDUP_DECIMALS 2    /* 1.94 */
#define EFFICIENCY_DECIMALS 1 /* 97.2 % */
#define KARP_FLATT_DECIMALS 4 /* 0.0288: fixed, so the column's points line up */
#define FRACTION_SIG_DIGITS 3 /* the fit's serial fraction, and its error to the same place */
#define FRACTION_MAX_DECIMALS 9
#define R2_DECIMALS 3
#define NOT_AVAILABLE "-"
#define FIT_LINE_LEN (MCPI_NOTE_LEN + 160)
#define JSON_INDENT "  "
#define POINT_INDENT JSON_INDENT JSON_INDENT JSON_INDENT JSON_INDENT

/* ---- what every format shows --------------------------------------------- */

enum {
    COL_WORKERS,
    COL_HOSTS,
    COL_SAMPLES,
    COL_TIME, /* a failed point's error goes here, across the columns after it */
    COL_RATE,
    COL_SPEEDUP,
    COL_EFFICIENCY,
    COL_KARP_FLATT,
    COL_HITS,
    NCOLS
};

static const char *const col_titles[NCOLS] = {
    [COL_WORKERS] = "workers",       [COL_HOSTS] = "hosts",           [COL_SAMPLES] = "N",
    [COL_TIME] = "time (min-max)",   [COL_RATE] = "samples/s",        [COL_SPEEDUP] = "speedup",
    [COL_EFFICIENCY] = "efficiency", [COL_KARP_FLATT] = "Karp-Flatt", [COL_HITS] = "hits",
};

/* Numbers are right-aligned; the time cell reads left to right ("181 ms
 * (179-185)"), like the error that may take its place. */
static const int col_numeric[NCOLS] = {1, 1, 1, 0, 1, 1, 1, 1, 1};

static int point_ok(const mcpi_scale_point *p)
{
    return p->row->status == 0;
}

static const char *point_error(const mcpi_scale_point *p)
{
    return p->row->error[0] ? p->row->error : mcpi_strerror(p->row->status);
}

/* The study's row name; the points' own when the study does not say. */
static const char *row_name(const mcpi_scale *s)
{
    if (s->row && s->row[0])
        return s->row;
    return s->npoints > 0 ? s->points[0].row->name : "";
}

static int is_weak(const mcpi_scale *s)
{
    return s->kind == MCPI_SCALE_WEAK;
}

/* "amdahl" or "gustafson": the fit's, else the one the kind implies. */
static const char *fit_law(const mcpi_scale *s)
{
    if (s->fit.law && s->fit.law[0])
        return s->fit.law;
    return is_weak(s) ? "gustafson" : "amdahl";
}

static int gustafson(const mcpi_scale *s)
{
    return strcmp(fit_law(s), "gustafson") == 0;
}

static void point_cells(const mcpi_scale_point *p, char cells[NCOLS][MCPI__CELL_LEN])
{
    for (int c = 0; c < NCOLS; c++)
        cells[c][0] = '\0';
    snprintf(cells[COL_WORKERS], MCPI__CELL_LEN, "%u", p->workers);
    snprintf(cells[COL_HOSTS], MCPI__CELL_LEN, "%u", p->hosts);
    snprintf(cells[COL_SAMPLES], MCPI__CELL_LEN, "%" PRIu64, p->row->samples);
    if (!point_ok(p)) {
        snprintf(cells[COL_TIME], MCPI__CELL_LEN, "error: %s", point_error(p));
        mcpi__flatten(cells[COL_TIME]);
        return;
    }
    mcpi__fmt_time_cell(cells[COL_TIME], MCPI__CELL_LEN, &p->st);
    if (isfinite(p->samples_per_s))
        snprintf(cells[COL_RATE], MCPI__CELL_LEN, "%.*e", RATE_DIGITS, p->samples_per_s);
    else
        snprintf(cells[COL_RATE], MCPI__CELL_LEN, NOT_AVAILABLE);
    mcpi__fmt_fixed(cells[COL_SPEEDUP], MCPI__CELL_LEN, SPEEDUP_DECIMALS, p->speedup, "");
    mcpi__fmt_fixed(cells[COL_EFFICIENCY], MCPI__CELL_LEN, EFFICIENCY_DECIMALS,
                    100.0 * p->efficiency, " %");
    mcpi__fmt_fixed(cells[COL_KARP_FLATT], MCPI__CELL_LEN, KARP_FLATT_DECIMALS, p->karp_flatt, "");
    snprintf(cells[COL_HITS], MCPI__CELL_LEN, "%" PRIu64, p->row->hits);
}

/* "mcpi 0.1.0 scale: strong scaling of threads over threads, N=100000000 per
 * point, " and the run's tail (seed, repeats, ranks, and threads unless
 * they are what is scaled). */
static void scale_summary(char buf[MCPI__SUMMARY_LEN], const mcpi_report *rep)
{
    const mcpi_scale *s = rep->scale;
    int n = snprintf(
        buf, MCPI__SUMMARY_LEN, "mcpi %s scale: %s scaling of %s over %s, N=%" PRIu64 " per %s, ",
        rep->info.version ? rep->info.version : "", mcpi_scale_kind_name(s->kind), row_name(s),
        mcpi_scale_over_name(s->over), s->samples, is_weak(s) ? "worker" : "point");
    if (n >= 0 && n < MCPI__SUMMARY_LEN)
        mcpi__run_tail(buf + n, MCPI__SUMMARY_LEN - (size_t)n, &rep->info);
    /* Over threads the workers column is the thread count of each point. */
    char *threads = strstr(buf, ", threads=");
    if (s->over == MCPI_SCALE_THREADS && threads != NULL)
        *threads = '\0';
}

/* Decimals that show the larger of |v| and se with FRACTION_SIG_DIGITS
 * significant digits, so a fraction and its error end at the same place. */
static int fraction_decimals(double v, double se)
{
    double a = fabs(v);
    if (isfinite(se) && se > a)
        a = se;
    if (!(a > 0.0) || !isfinite(a))
        return FRACTION_SIG_DIGITS;
    int d = FRACTION_SIG_DIGITS - 1 - (int)floor(log10(a));
    return d < 0 ? 0 : d > FRACTION_MAX_DECIMALS ? FRACTION_MAX_DECIMALS : d;
}

/* The fewest and most workers among the points the fit used (timed points;
 * Gustafson's fit leaves out p = 1).  0 when there is none. */
static void fit_range(const mcpi_scale *s, unsigned *lo, unsigned *hi)
{
    *lo = *hi = 0;
    for (size_t k = 0; k < s->npoints; k++) {
        const mcpi_scale_point *p = &s->points[k];
        if (!point_ok(p) || !isfinite(p->st.median) || (gustafson(s) && p->workers <= 1))
            continue;
        if (*hi == 0 || p->workers < *lo)
            *lo = p->workers;
        if (p->workers > *hi)
            *hi = p->workers;
    }
}

/* "Amdahl fit: serial fraction 0.0288 ± 0.0040 (6 timed repeats at p =
 * 1..2, R² 0.998); T(1) 181 ms", or "Amdahl fit: none (why)". */
static void fit_line(char *line, size_t len, const mcpi_scale *s)
{
    const mcpi_scale_fit *f = &s->fit;
    int gus = gustafson(s);
    const char *law = gus ? "Gustafson" : "Amdahl";
    if (!isfinite(f->fraction)) {
        if (f->note[0])
            snprintf(line, len, "%s fit: none (%s)", law, f->note);
        else
            snprintf(line, len, "%s fit: none", law);
        return;
    }
    int d = fraction_decimals(f->fraction, f->fraction_se);
    int n =
        snprintf(line, len, "%s fit: serial fraction %s%.*f", law, gus ? "s " : "", d, f->fraction);
    if (n >= 0 && (size_t)n < len && isfinite(f->fraction_se))
        n += snprintf(line + n, len - (size_t)n, " ± %.*f", d, f->fraction_se);
    unsigned lo, hi;
    fit_range(s, &lo, &hi);
    if (n >= 0 && (size_t)n < len) {
        n += snprintf(line + n, len - (size_t)n, " (%u timed repeat%s", f->observations,
                      f->observations == 1 ? "" : "s");
    }
    if (n >= 0 && (size_t)n < len && hi > 0) {
        if (lo == hi)
            n += snprintf(line + n, len - (size_t)n, " at p = %u", lo);
        else
            n += snprintf(line + n, len - (size_t)n, " at p = %u..%u", lo, hi);
    }
    if (n >= 0 && (size_t)n < len && isfinite(f->r2))
        n += snprintf(line + n, len - (size_t)n, ", R² %.*f", R2_DECIMALS, f->r2);
    if (n >= 0 && (size_t)n < len)
        n += snprintf(line + n, len - (size_t)n, ")");
    if (n >= 0 && (size_t)n < len && isfinite(f->t1_s)) {
        char t[MCPI__NUM_LEN];
        mcpi__fmt_time(t, sizeof t, f->t1_s);
        snprintf(line + n, len - (size_t)n, "; %s %s", gus ? "T0" : "T(1)", t);
    }
}

/* The fit line and, when the fit does not describe the data, why (a fit
 * that found nothing has said why already). */
static void fit_lines(const mcpi_scale *s, void (*emit)(void *ctx, const char *line), void *ctx)
{
    char line[FIT_LINE_LEN];
    fit_line(line, sizeof line, s);
    mcpi__flatten(line);
    emit(ctx, line);
    if (isfinite(s->fit.fraction) && !s->fit.describes && s->fit.note[0]) {
        snprintf(line, sizeof line, "note: %s", s->fit.note);
        mcpi__flatten(line);
        emit(ctx, line);
    }
}

/* ---- table ------------------------------------------------------------- */

static void emit_table_line(void *ctx, const char *line)
{
    mcpi__printf(ctx, "%s\n", line);
}

static void scale_table(mcpi__out *o, const mcpi_report *rep)
{
    const mcpi_scale *s = rep->scale;
    char cells[NCOLS][MCPI__CELL_LEN];
    const char *ptr[NCOLS];
    size_t width[NCOLS] = {0};
    for (int c = 0; c < NCOLS; c++) {
        ptr[c] = cells[c];
        mcpi__table_widen(&width[c], col_titles[c]);
    }
    for (size_t k = 0; k < s->npoints; k++) {
        point_cells(&s->points[k], cells);
        /* A failed point's error spans the columns from time on; it sets no width. */
        int ncells = point_ok(&s->points[k]) ? NCOLS : COL_TIME;
        for (int c = 0; c < ncells; c++)
            mcpi__table_widen(&width[c], cells[c]);
    }

    char summary[MCPI__SUMMARY_LEN];
    scale_summary(summary, rep);
    mcpi__printf(o, "%s\n\n", summary);
    mcpi__table_line(o, col_titles, width, col_numeric, NCOLS, NCOLS - 1);
    mcpi__table_rule(o, width, NCOLS);
    for (size_t k = 0; k < s->npoints; k++) {
        point_cells(&s->points[k], cells);
        int stop = point_ok(&s->points[k]) ? NCOLS - 1 : COL_TIME;
        mcpi__table_line(o, ptr, width, col_numeric, NCOLS, stop);
    }
    mcpi__put(o, "\n");
    fit_lines(s, emit_table_line, o);
}

/* ---- Markdown ---------------------------------------------------------- */

/* Each line under the table is a paragraph of its own. */
static void emit_md_paragraph(void *ctx, const char *line)
{
    mcpi__out *o = ctx;
    mcpi__put(o, "\n");
    mcpi__md_text(o, line);
    mcpi__put(o, "\n");
}

static void scale_markdown(mcpi__out *o, const mcpi_report *rep)
{
    const mcpi_scale *s = rep->scale;
    char cells[NCOLS][MCPI__CELL_LEN];
    const char *ptr[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        ptr[c] = cells[c];

    char summary[MCPI__SUMMARY_LEN];
    scale_summary(summary, rep);
    mcpi__md_text(o, summary);
    mcpi__put(o, "\n\n");
    mcpi__md_header(o, col_titles, col_numeric, NCOLS);
    for (size_t k = 0; k < s->npoints; k++) {
        point_cells(&s->points[k], cells);
        mcpi__md_row(o, ptr, NCOLS);
    }
    fit_lines(s, emit_md_paragraph, o);
}

/* ---- CSV --------------------------------------------------------------- */

static void csv_header(mcpi__csv *c)
{
    static const char *const fields[] = {
        "scaling",
        "over",
        "row",
        "workers",
        "hosts",
        "samples",
        "hits",
        "median_s",
        "min_s",
        "max_s",
        "samples_per_s",
        "speedup",
        "efficiency",
        "karp_flatt",
        "law",
        "serial_fraction",
        "serial_fraction_se",
        "fit_describes",
        "status",
        "error",
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        mcpi__csv_str(c, fields[i]);
    mcpi__csv_end(c);
}

/* One record per point; the fit's columns repeat on every record, so each
 * record stands alone (a spreadsheet filter keeps them). */
static void csv_point(mcpi__csv *c, const mcpi_scale *s, const mcpi_scale_point *p)
{
    mcpi__csv_str(c, mcpi_scale_kind_name(s->kind));
    mcpi__csv_str(c, mcpi_scale_over_name(s->over));
    mcpi__csv_str(c, row_name(s));
    mcpi__csv_u64(c, p->workers);
    mcpi__csv_u64(c, p->hosts);
    mcpi__csv_u64(c, p->row->samples);
    mcpi__csv_u64(c, p->row->hits);
    mcpi__csv_num(c, p->st.median);
    mcpi__csv_num(c, p->st.min);
    mcpi__csv_num(c, p->st.max);
    mcpi__csv_num(c, p->samples_per_s);
    mcpi__csv_num(c, p->speedup);
    mcpi__csv_num(c, p->efficiency);
    mcpi__csv_num(c, p->karp_flatt);
    mcpi__csv_str(c, fit_law(s));
    mcpi__csv_num(c, s->fit.fraction);
    mcpi__csv_num(c, s->fit.fraction_se);
    mcpi__csv_int(c, s->fit.describes ? 1 : 0);
    mcpi__csv_int(c, p->row->status);
    mcpi__csv_str(c, point_ok(p) ? "" : point_error(p));
    mcpi__csv_end(c);
}

static void scale_csv(mcpi__out *o, const mcpi_scale *s)
{
    mcpi__csv c = {o, 1};
    csv_header(&c);
    for (size_t k = 0; k < s->npoints; k++)
        csv_point(&c, s, &s->points[k]);
}

/* ---- JSON -------------------------------------------------------------- */

/* The point's job row and rank rows, as a one-row run writes them. */
static int json_point(mcpi__out *o, const mcpi_report *rep, const mcpi_scale_point *p,
                      const mcpi_calibration *cal)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_u64(o, &f, "workers", p->workers);
    mcpi__json_key_u64(o, &f, "hosts", p->hosts);
    mcpi__json_key_u64(o, &f, "samples", p->row->samples);
    mcpi__json_key_num(o, &f, "median_s", p->st.median);
    mcpi__json_key_num(o, &f, "min_s", p->st.min);
    mcpi__json_key_num(o, &f, "max_s", p->st.max);
    mcpi__json_key_num(o, &f, "samples_per_s", p->samples_per_s);
    mcpi__json_key_num(o, &f, "speedup", p->speedup);
    mcpi__json_key_num(o, &f, "efficiency", p->efficiency);
    mcpi__json_key_num(o, &f, "karp_flatt", p->karp_flatt);
    mcpi__put(o, ",\n" POINT_INDENT);
    mcpi_report point = *rep;
    point.scale = NULL;
    point.rows = p->row;
    point.nrows = 1;
    point.rank_rows = p->ranks;
    point.nrank_rows = p->ranks ? p->nranks : 0;
    int rc = mcpi__json_results_and_ranks(o, &point, POINT_INDENT, cal);
    mcpi__put(o, "}");
    return rc;
}

static void json_fit(mcpi__out *o, const mcpi_scale *s)
{
    const mcpi_scale_fit *fit = &s->fit;
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_str(o, &f, "law", fit_law(s));
    mcpi__json_key_num(o, &f, "serial_fraction", fit->fraction);
    mcpi__json_key_num(o, &f, "serial_fraction_se", fit->fraction_se);
    mcpi__json_key_num(o, &f, "t1_s", fit->t1_s);
    mcpi__json_key_num(o, &f, "r2", fit->r2);
    mcpi__json_key_u64(o, &f, "observations", fit->observations);
    mcpi__json_key(o, &f, "describes");
    mcpi__put(o, fit->describes ? "true" : "false");
    mcpi__json_key(o, &f, "note");
    if (fit->note[0])
        mcpi__json_str(o, fit->note);
    else
        mcpi__put(o, "null");
    mcpi__put(o, "}");
}

/* The run's version and config (samples: the study's N, or N per worker),
 * then "scale": the study, each point with its rows, and the fit. */
static int scale_json(mcpi__out *o, const mcpi_report *rep)
{
    const mcpi_scale *s = rep->scale;
    const mcpi_calibration *cal = rep->info.calibration;
    if (cal && !(cal->samples_per_s > 0.0))
        cal = NULL;
    mcpi_run_info info = rep->info;
    info.samples = s->samples;
    mcpi__json_head(o, &info, 0, cal);

    mcpi__put(o, ",\n" JSON_INDENT "\"scale\": {\n" JSON_INDENT JSON_INDENT);
    int f = 1;
    mcpi__json_key_str(o, &f, "scaling", mcpi_scale_kind_name(s->kind));
    mcpi__json_key_str(o, &f, "over", mcpi_scale_over_name(s->over));
    mcpi__json_key_str(o, &f, "row", row_name(s));
    mcpi__json_key_u64(o, &f, "samples", s->samples);
    mcpi__put(o, ",\n" JSON_INDENT JSON_INDENT "\"points\": [");
    int rc = 0;
    for (size_t k = 0; k < s->npoints && rc == 0; k++) {
        mcpi__put(o, k ? ",\n" JSON_INDENT JSON_INDENT JSON_INDENT
                       : "\n" JSON_INDENT JSON_INDENT JSON_INDENT);
        rc = json_point(o, rep, &s->points[k], cal);
    }
    mcpi__put(o, s->npoints ? "\n" JSON_INDENT JSON_INDENT "],\n" : "],\n");
    mcpi__put(o, JSON_INDENT JSON_INDENT "\"fit\": ");
    json_fit(o, s);
    mcpi__put(o, "\n" JSON_INDENT "}\n}\n");
    return rc;
}

/* ---- entry --------------------------------------------------------------- */

/* Every point must have its job row; the writers read nothing else unchecked. */
static int scale_valid(const mcpi_scale *s)
{
    if (s->npoints > 0 && !s->points)
        return 0;
    for (size_t k = 0; k < s->npoints; k++)
        if (!s->points[k].row)
            return 0;
    return 1;
}

int mcpi__report_scale(FILE *out, mcpi_format fmt, const mcpi_report *rep)
{
    if (!out || !rep || !rep->scale || !scale_valid(rep->scale))
        return MCPI_EINVAL;
    mcpi__out o = {out, 0};
    int rc = 0;
    switch (fmt) {
    case MCPI_FORMAT_TABLE:
        scale_table(&o, rep);
        break;
    case MCPI_FORMAT_CSV:
        scale_csv(&o, rep->scale);
        break;
    case MCPI_FORMAT_JSON:
        rc = scale_json(&o, rep);
        break;
    case MCPI_FORMAT_MARKDOWN:
        scale_markdown(&o, rep);
        break;
    default:
        return MCPI_EINVAL;
    }
    if (rc != 0)
        return rc;
    return o.failed ? MCPI_EIO : 0;
}

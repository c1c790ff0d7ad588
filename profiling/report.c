/* report.c - the report dispatcher and what every reporter shares: checked
 * output, row views (statistics, sorting, ratios) and human-readable cells. */
#include "report_private.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"

/* ---- output ----------------------------------------------------------- */

void mcpi__put(mcpi__out *o, const char *s)
{
    if (!o->failed && fputs(s, o->f) < 0)
        o->failed = 1;
}

void mcpi__printf(mcpi__out *o, const char *fmt, ...)
{
    if (o->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(o->f, fmt, ap) < 0)
        o->failed = 1;
    va_end(ap);
}

/* Reads at most up to the first byte that fails, so never past a NUL. */
size_t mcpi__utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return len;
}

void mcpi__put_utf8(mcpi__out *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    while (i < n) {
        size_t len = s[i] < 0x80 ? 1 : mcpi__utf8_len(s + i);
        if (len > 0 && i + len <= n) {
            i += len;
            continue;
        }
        mcpi__printf(o, "%.*s" MCPI__UTF8_REPLACEMENT, (int)(i - run), (const char *)s + run);
        run = ++i;
    }
    mcpi__printf(o, "%.*s", (int)(i - run), (const char *)s + run);
}

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
        return -1;
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(s, format_names[i].name) == 0) {
            if (out)
                *out = format_names[i].fmt;
            return 0;
        }
    }
    return -1;
}

int mcpi_report_write(FILE *out, mcpi_format fmt, const mcpi_report *rep)
{
    /* rank_rows NULL means "no rank rows", whatever nrank_rows says. */
    if (!out || !rep || (rep->nrows > 0 && !rep->rows))
        return MCPI_EINVAL;
    int rc;
    switch (fmt) {
    case MCPI_FORMAT_TABLE:
        rc = mcpi__report_table(out, rep);
        break;
    case MCPI_FORMAT_CSV:
        rc = mcpi__report_csv(out, rep);
        break;
    case MCPI_FORMAT_JSON:
        rc = mcpi__report_json(out, rep);
        break;
    case MCPI_FORMAT_MARKDOWN:
        rc = mcpi__report_markdown(out, rep);
        break;
    default:
        return MCPI_EINVAL;
    }
    /* A buffered write can fail only when flushed (a full disk, a closed pipe). */
    if (rc == 0 && (fflush(out) != 0 || ferror(out)))
        rc = MCPI_EIO;
    return rc;
}

/* ---- row views -------------------------------------------------------- */

/* Sort classes: measured rows, ok rows without a time, failed rows. */
static int row_class(const mcpi__row *row)
{
    if (!row->ok)
        return 2;
    return isnan(row->st.median) ? 1 : 0;
}

static int cmp_rows(const void *a, const void *b)
{
    const mcpi__row *x = a, *y = b;
    int cx = row_class(x), cy = row_class(y);
    if (cx != cy)
        return cx - cy;
    if (cx == 0 && x->st.median != y->st.median)
        return x->st.median < y->st.median ? -1 : 1;
    /* Records come from one array, so address order is input order: stable. */
    return (x->r > y->r) - (x->r < y->r);
}

mcpi__row *mcpi__rows_new(const mcpi_record *recs, size_t n, int job, int *nomem)
{
    *nomem = 0;
    if (n == 0 || !recs)
        return NULL;
    mcpi__row *rows = malloc(n * sizeof *rows);
    if (!rows) {
        *nomem = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        mcpi__row *row = &rows[i];
        row->r = &recs[i];
        row->st = mcpi_record_stats(row->r);
        row->ok = row->r->status == 0;
        row->pi = row->se = row->err_se = row->samples_per_s = row->ratio = row->stones = NAN;
        if (row->ok) {
            mcpi_record_pi(row->r, &row->pi, &row->se);
            row->err_se = mcpi_record_err_se(row->r);
            if (row->st.median > 0.0)
                row->samples_per_s = (double)row->r->samples / row->st.median;
        }
    }
    if (job) {
        qsort(rows, n, sizeof *rows, cmp_rows);
        double fastest = rows[0].st.median;
        if (row_class(&rows[0]) == 0 && fastest > 0.0) {
            for (size_t i = 0; i < n && row_class(&rows[i]) == 0; i++)
                rows[i].ratio = rows[i].st.median / fastest;
        }
    }
    return rows;
}

void mcpi__rows_free(mcpi__row *rows)
{
    free(rows);
}

double mcpi_stones(const mcpi_calibration *cal, double seconds)
{
    if (!cal || !(cal->samples_per_s > 0.0) || !isfinite(cal->samples_per_s) || !isfinite(seconds))
        return NAN;
    return seconds * cal->samples_per_s / (double)MCPI_STONE_SAMPLES;
}

void mcpi__rows_calibrate(mcpi__row *rows, size_t n, const mcpi_calibration *cal)
{
    for (size_t i = 0; i < n; i++)
        rows[i].stones = rows[i].ok ? mcpi_stones(cal, rows[i].st.median) : NAN;
}

int mcpi__row_noisy(const mcpi__row *row)
{
    if (!row->ok || row_class(row) != 0)
        return 0;
    return row->st.rsd > MCPI__NOISY_RSD || row->st.max > MCPI__NOISY_SPREAD * row->st.min;
}

const char *mcpi__ocl_cache_name(int cache)
{
    switch (cache) {
    case 0:
        return "miss";
    case 1:
        return "hit";
    case 2:
        return "off";
    default:
        return NULL;
    }
}

/* ---- numbers ---------------------------------------------------------- */

/* Enough significant digits for any double to read back exactly. */
#define MAX_EXACT_DIGITS 17
/* Below 2^53 every whole double prints exactly in plain digits. */
#define MAX_PLAIN_INTEGER 9007199254740992.0

void mcpi__fmt_exact(char buf[MCPI__NUM_LEN], double v)
{
    buf[0] = '\0';
    if (!isfinite(v))
        return;
    /* Whole numbers (rates, byte counts) read better without an exponent. */
    if (v == floor(v) && fabs(v) < MAX_PLAIN_INTEGER) {
        snprintf(buf, MCPI__NUM_LEN, "%.0f", v);
        return;
    }
    /* The fewest digits that read back exactly (17 always do). */
    int prec = 1;
    for (; prec < MAX_EXACT_DIGITS; prec++) {
        char tmp[MCPI__NUM_LEN];
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    snprintf(buf, MCPI__NUM_LEN, "%.*g", prec, v);
}

/* ---- human-readable cells --------------------------------------------- */

#define HUMAN_SIG_DIGITS 3 /* times, rates and sizes show three significant digits */
#define PI_DECIMALS 9
#define RATIO_DECIMALS 2
#define ERR_SE_DECIMALS 2
#define ERR_SE_UNIT "se" /* error in standard errors; ASCII so columns align */
#define NOT_AVAILABLE "-"

/* Decimals that show v (1 <= v < 1000 after scaling) with three significant digits. */
static int human_decimals(double v)
{
    int d = HUMAN_SIG_DIGITS - 1;
    for (double lim = 10.0; v >= lim && d > 0; lim *= 10.0)
        d--;
    return d;
}

static void fmt_time_cell(char *buf, size_t len, const mcpi_stats *st)
{
    static const struct {
        double scale;
        const char *unit;
    } units[] = {{1.0, "s"}, {1e-3, "ms"}, {1e-6, "us"}, {1e-9, "ns"}};
    const size_t nunits = sizeof units / sizeof units[0];
    if (!isfinite(st->median)) {
        snprintf(buf, len, NOT_AVAILABLE);
        return;
    }
    size_t u = 0;
    while (u + 1 < nunits && st->median < units[u].scale)
        u++;
    double k = 1.0 / units[u].scale;
    int d = human_decimals(st->median * k);
    snprintf(buf, len, "%.*f %s (%.*f-%.*f)", d, st->median * k, units[u].unit, d, st->min * k, d,
             st->max * k);
}

static void fmt_seconds(char *buf, size_t len, double v)
{
    if (v >= 1.0)
        snprintf(buf, len, "%.3g s", v);
    else if (v >= 1e-3)
        snprintf(buf, len, "%.3g ms", v * 1e3);
    else if (v >= 1e-6)
        snprintf(buf, len, "%.3g us", v * 1e6);
    else
        snprintf(buf, len, "%.3g ns", v * 1e9);
}

/* "phases of opencl:0.0: init 0.96 ms, build 1.75 ms (cache hit) once; per
 * repeat: kernel 29.8 ms, device_to_host 1.37 us, reduce 200 ns" for rows
 * with more than a kernel: OpenCL devices, MPI communication. 0 when the
 * row has nothing more to say than its time column. */
static int phases_line(char *line, size_t len, const mcpi_record *r)
{
    unsigned more = (1u << MCPI_PHASE_BUILD) | (1u << MCPI_PHASE_H2D) | (1u << MCPI_PHASE_D2H) |
                    (1u << MCPI_PHASE_COMM);
    if ((r->phases.mask & more) == 0)
        return 0;
    int used = snprintf(line, len, "phases of %s:", r->name);
    for (int pass = 1; pass >= 0; --pass) {
        int first = 1;
        for (int p = 0; p < MCPI_PHASE_COUNT; ++p) {
            if (!(r->phases.mask & (1u << p)) || mcpi_phase_once((mcpi_phase)p) != pass)
                continue;
            char t[MCPI__NUM_LEN];
            fmt_seconds(t, sizeof t, r->phases.s[p]);
            const char *cache = p == MCPI_PHASE_BUILD ? mcpi__ocl_cache_name(r->ocl.cache) : NULL;
            if (used > 0 && (size_t)used < len)
                used += snprintf(line + used, len - (size_t)used, "%s %s %s%s%s%s",
                                 first ? (pass ? "" : (used > 0 && line[used - 1] == ':'
                                                           ? " per repeat:"
                                                           : "; per repeat:"))
                                       : ",",
                                 mcpi_phase_name((mcpi_phase)p), t, cache ? " (cache " : "",
                                 cache ? cache : "", cache ? ")" : "");
            first = 0;
        }
        if (pass && !first && used > 0 && (size_t)used < len)
            used += snprintf(line + used, len - (size_t)used, " once");
    }
    return 1;
}

static void fmt_rate(char *buf, size_t len, double v)
{
    static const char *const suffix[] = {"", "k", "M", "G", "T", "P", "E"};
    const size_t nsuffix = sizeof suffix / sizeof suffix[0];
    if (!isfinite(v)) {
        snprintf(buf, len, NOT_AVAILABLE);
        return;
    }
    size_t s = 0;
    while (v >= 1000.0 && s + 1 < nsuffix) {
        v /= 1000.0;
        s++;
    }
    snprintf(buf, len, "%.*f%s", human_decimals(v), v, suffix[s]);
}

static void fmt_bytes(char *buf, size_t len, int64_t bytes)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    const size_t nunit = sizeof unit / sizeof unit[0];
    if (bytes < 0) {
        snprintf(buf, len, NOT_AVAILABLE);
        return;
    }
    if (bytes < 1024) {
        snprintf(buf, len, "%" PRId64 " B", bytes);
        return;
    }
    double v = (double)bytes;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < nunit) {
        v /= 1024.0;
        u++;
    }
    snprintf(buf, len, "%.*f %s", human_decimals(v), v, unit[u]);
}

static void fmt_fixed(char *buf, size_t len, int decimals, double v, const char *suffix)
{
    if (!isfinite(v))
        snprintf(buf, len, NOT_AVAILABLE);
    else
        snprintf(buf, len, "%.*f%s", decimals, v, suffix);
}

static const char *const col_titles[MCPI__NCOLS] = {
    [MCPI__COL_NAME] = "name",
    [MCPI__COL_DEVICE] = "device",
    [MCPI__COL_TIME] = "time median (min-max)",
    [MCPI__COL_STONES] = "stones",
    [MCPI__COL_RATE] = "samples/s",
    [MCPI__COL_RATIO] = "ratio",
    [MCPI__COL_PEAK] = "host peak",
    [MCPI__COL_DEVMEM] = "device mem",
    [MCPI__COL_PI] = "pi",
    [MCPI__COL_ERR] = "err",
    [MCPI__COL_HITS] = "hits",
};

static const char *const rcol_titles[MCPI__NRCOLS] = {
    [MCPI__RCOL_RANK] = "rank",       [MCPI__RCOL_HOST] = "host",
    [MCPI__RCOL_LOCAL] = "local",     [MCPI__RCOL_BACKEND] = "backend",
    [MCPI__RCOL_DEVICE] = "device",   [MCPI__RCOL_TIME] = "time median (min-max)",
    [MCPI__RCOL_SAMPLES] = "samples", [MCPI__RCOL_HITS] = "hits",
    [MCPI__RCOL_PEAK] = "host peak",
};

const char *mcpi__col_title(int col)
{
    return col >= 0 && col < MCPI__NCOLS ? col_titles[col] : "";
}

const char *mcpi__rcol_title(int col)
{
    return col >= 0 && col < MCPI__NRCOLS ? rcol_titles[col] : "";
}

int mcpi__col_numeric(int col)
{
    return col != MCPI__COL_NAME && col != MCPI__COL_DEVICE;
}

int mcpi__col_shown(int col, const mcpi_run_info *info)
{
    if (col == MCPI__COL_STONES)
        return info->calibration != NULL && info->calibration->samples_per_s > 0.0;
    return col >= 0 && col < MCPI__NCOLS;
}

int mcpi__rcol_numeric(int col)
{
    return col != MCPI__RCOL_HOST && col != MCPI__RCOL_BACKEND && col != MCPI__RCOL_DEVICE;
}

/* Control characters (a newline in an error message) would break a row;
 * bytes that are not UTF-8 would garble a terminal.  Both are replaced in
 * place, one byte for one, so widths stay countable. */
static void flatten(char *cell)
{
    unsigned char *s = (unsigned char *)cell;
    while (*s) {
        if (*s < 0x20 || *s == 0x7f) {
            *s++ = ' ';
        } else if (*s < 0x80) {
            s++;
        } else {
            size_t len = mcpi__utf8_len(s);
            if (len == 0)
                *s++ = '?';
            else
                s += len;
        }
    }
}

static void job_cells_raw(const mcpi__row *row, char cells[MCPI__NCOLS][MCPI__CELL_LEN])
{
    const mcpi_record *r = row->r;
    for (int c = 0; c < MCPI__NCOLS; c++)
        cells[c][0] = '\0';
    snprintf(cells[MCPI__COL_NAME], MCPI__CELL_LEN, "%s%s", r->name,
             r->exact ? "" : MCPI__INEXACT_MARK);
    snprintf(cells[MCPI__COL_DEVICE], MCPI__CELL_LEN, "%s", r->device);
    if (!row->ok) {
        snprintf(cells[MCPI__COL_TIME], MCPI__CELL_LEN, "error: %s",
                 r->error[0] ? r->error : mcpi_strerror(r->status));
        return;
    }
    fmt_time_cell(cells[MCPI__COL_TIME], MCPI__CELL_LEN, &row->st);
    if (isfinite(row->stones))
        snprintf(cells[MCPI__COL_STONES], MCPI__CELL_LEN, "%.*g", HUMAN_SIG_DIGITS, row->stones);
    else
        snprintf(cells[MCPI__COL_STONES], MCPI__CELL_LEN, NOT_AVAILABLE);
    fmt_rate(cells[MCPI__COL_RATE], MCPI__CELL_LEN, row->samples_per_s);
    fmt_fixed(cells[MCPI__COL_RATIO], MCPI__CELL_LEN, RATIO_DECIMALS, row->ratio, "x");
    fmt_bytes(cells[MCPI__COL_PEAK], MCPI__CELL_LEN, r->host_peak_bytes);
    fmt_bytes(cells[MCPI__COL_DEVMEM], MCPI__CELL_LEN, r->device_bytes);
    fmt_fixed(cells[MCPI__COL_PI], MCPI__CELL_LEN, PI_DECIMALS, row->pi, "");
    if (isfinite(row->err_se))
        snprintf(cells[MCPI__COL_ERR], MCPI__CELL_LEN, "%+.*f%s", ERR_SE_DECIMALS, row->err_se,
                 ERR_SE_UNIT);
    else
        snprintf(cells[MCPI__COL_ERR], MCPI__CELL_LEN, NOT_AVAILABLE);
    snprintf(cells[MCPI__COL_HITS], MCPI__CELL_LEN, "%" PRIu64, r->hits);
}

void mcpi__job_cells(const mcpi__row *row, char cells[MCPI__NCOLS][MCPI__CELL_LEN])
{
    job_cells_raw(row, cells);
    for (int c = 0; c < MCPI__NCOLS; c++)
        flatten(cells[c]);
}

static void rank_cells_raw(const mcpi__row *row, char cells[MCPI__NRCOLS][MCPI__CELL_LEN])
{
    const mcpi_record *r = row->r;
    for (int c = 0; c < MCPI__NRCOLS; c++)
        cells[c][0] = '\0';
    snprintf(cells[MCPI__RCOL_RANK], MCPI__CELL_LEN, "%d", r->rank);
    snprintf(cells[MCPI__RCOL_HOST], MCPI__CELL_LEN, "%s", r->hostname);
    snprintf(cells[MCPI__RCOL_LOCAL], MCPI__CELL_LEN, "%d", r->local_rank);
    snprintf(cells[MCPI__RCOL_BACKEND], MCPI__CELL_LEN, "%s%s", r->name,
             r->exact ? "" : MCPI__INEXACT_MARK);
    snprintf(cells[MCPI__RCOL_DEVICE], MCPI__CELL_LEN, "%s", r->device);
    if (!row->ok) {
        snprintf(cells[MCPI__RCOL_TIME], MCPI__CELL_LEN, "error: %s",
                 r->error[0] ? r->error : mcpi_strerror(r->status));
        return;
    }
    fmt_time_cell(cells[MCPI__RCOL_TIME], MCPI__CELL_LEN, &row->st);
    snprintf(cells[MCPI__RCOL_SAMPLES], MCPI__CELL_LEN, "%" PRIu64, r->samples);
    snprintf(cells[MCPI__RCOL_HITS], MCPI__CELL_LEN, "%" PRIu64, r->hits);
    fmt_bytes(cells[MCPI__RCOL_PEAK], MCPI__CELL_LEN, r->host_peak_bytes);
}

void mcpi__rank_cells(const mcpi__row *row, char cells[MCPI__NRCOLS][MCPI__CELL_LEN])
{
    rank_cells_raw(row, cells);
    for (int c = 0; c < MCPI__NRCOLS; c++)
        flatten(cells[c]);
}

void mcpi__run_summary(char buf[MCPI__SUMMARY_LEN], const mcpi_run_info *info)
{
    char threads[MCPI__NUM_LEN];
    if (info->threads == 0)
        snprintf(threads, sizeof threads, "auto");
    else
        snprintf(threads, sizeof threads, "%u", info->threads);
    snprintf(buf, MCPI__SUMMARY_LEN,
             "mcpi %s: N=%" PRIu64 ", seed=%" PRIu64 ", repeats=%u (+%u warm-up), ranks=%d, "
             "threads=%s",
             info->version ? info->version : "", info->samples, info->seed, info->repeat,
             info->warmup, info->ranks, threads);
}

void mcpi__notes(const mcpi__row *rows, size_t n, const mcpi_run_info *info,
                 void (*emit)(void *ctx, const char *line), void *ctx)
{
    char line[MCPI__NOTE_LEN];
    for (size_t i = 0; i < n; i++) {
        const mcpi__row *row = &rows[i];
        if (mcpi__row_noisy(row)) {
            char spread[MCPI__NUM_LEN] = "";
            if (row->st.min > 0.0)
                snprintf(spread, sizeof spread, ", max %.2fx min", row->st.max / row->st.min);
            snprintf(line, sizeof line,
                     "warning: %s varied widely (rsd %.0f%%%s); results may be noisy - repeat "
                     "with --repeat 10 on an idle machine",
                     row->r->name, 100.0 * row->st.rsd, spread);
            emit(ctx, line);
        }
        if (row->r->auto_predicted_s >= 0.0 && row->r->auto_note[0]) {
            /* --backend auto: what was chosen and why, predicted vs measured */
            char measured[MCPI__NUM_LEN] = "-";
            if (row->ok)
                snprintf(measured, sizeof measured, "%.3g ms", row->st.median * 1e3);
            snprintf(line, sizeof line, "%.180s; measured %s", row->r->auto_note, measured);
            emit(ctx, line);
        }
        if (row->ok && row->r->host_growth_bytes > 0) {
            char grew[MCPI__NUM_LEN];
            fmt_bytes(grew, sizeof grew, row->r->host_growth_bytes);
            /* The backend's known cause, when it has one (an OpenCL runtime's
             * own pools: tests/test_opencl_growth.c measures them flat). */
            const char *why = row->r->growth_note;
            snprintf(line, sizeof line,
                     "warning: host memory of %s grew by %s across its repeats (expected 0%s%.150s)",
                     row->r->name, grew, why[0] ? "; " : "", why);
            emit(ctx, line);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const mcpi_record *r = rows[i].r;
        if (rows[i].ok && phases_line(line, sizeof line, r))
            emit(ctx, line);
        if (rows[i].ok && r->ocl.process_cpus > 0 && r->ocl.process_cpus < r->ocl.compute_units) {
            snprintf(line, sizeof line,
                     "note: %s is a CPU device of %u compute units, but this process may run "
                     "on %u core%s (its affinity mask, e.g. MPI binding): its work-items share "
                     "them",
                     r->name, r->ocl.compute_units, r->ocl.process_cpus,
                     r->ocl.process_cpus == 1 ? "" : "s");
            emit(ctx, line);
        }
    }
    for (size_t i = 0; i < n; i++) { /* one footnote per row off the exact stream */
        const mcpi_record *r = rows[i].r;
        if (r->exact)
            continue;
        snprintf(line, sizeof line,
                 MCPI__INEXACT_MARK " %s: %.150s%snot the exact stream, hits differ by design",
                 r->name, r->inexact_note, r->inexact_note[0] ? "; " : "");
        emit(ctx, line);
    }
    const mcpi_calibration *cal = info->calibration;
    if (cal && cal->samples_per_s > 0.0 && n > 0) {
        char rate[MCPI__NUM_LEN];
        fmt_rate(rate, sizeof rate, cal->samples_per_s);
        snprintf(line, sizeof line,
                 "stones: time x %s samples/s / 2^24 samples, the scalar reference core's "
                 "speed on %.40s (%.24s)",
                 rate, cal->hostname, cal->date);
        emit(ctx, line);
    }
    if (!info->peak_resettable && n > 0) {
        emit(ctx, "note: host peak is the process lifetime peak (this system cannot reset it "
                  "per row)");
    }
}

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
    char threads[MCPI__NUM_LEN];
    if (info->threads == 0)
        snprintf(threads, sizeof threads, "auto");
    else
        snprintf(threads, sizeof threads, "%u", info->threads);
    snprintf(buf, MCPI__SUMMARY_LEN,
             "mcpi %s sweep: N=%" PRIu64 "..%" PRIu64 ", %u per decade (%zu points), seed=%" PRIu64
             ", repeats=%u (+%u warm-up), ranks=%d, threads=%s",
             info->version ? info->version : "", sw->from, sw->to, sw->steps_per_decade,
             sw->npoints, info->seed, info->repeat, info->warmup, info->ranks, threads);
}

/* Width of one cell of the time-by-N matrix. */
#define MATRIX_CELL 14
#define MATRIX_N_WIDTH 12
#define MATRIX_MAX_NAMES 16 /* more rows than this are left to the per-N tables */
#define FASTEST_MARK "*"

int mcpi__crossover_lines(const mcpi_report *rep, void (*emit)(void *ctx, const char *line),
                          void *ctx)
{
    const mcpi_sweep *sw = rep->sweep;
    const char *ref = sw->reference ? sw->reference : "serial";
    mcpi_crossover *cross;
    size_t n;
    if (mcpi__crossovers_new(sw, &cross, &n) != 0)
        return MCPI_ENOMEM;
    char line[MCPI__NOTE_LEN + MATRIX_MAX_NAMES * MATRIX_CELL];

    /* Median time by N: the ranking flipping with N, at a glance. */
    if (n + 1 <= MATRIX_MAX_NAMES && sw->npoints > 0) {
        const char *names[MATRIX_MAX_NAMES + 1];
        size_t nn = 0;
        names[nn++] = ref;
        for (size_t i = 0; i < n; i++)
            names[nn++] = cross[i].name;
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
                double m = point_median(p, names[j]);
                char cell[MCPI__CELL_LEN];
                mcpi_stats st = {m, m, m, m, 0.0};
                fmt_time_cell(cell, sizeof cell, &st);
                cell[strcspn(cell, "(")] = '\0'; /* the median only */
                size_t cl = strlen(cell);
                while (cl > 0 && cell[cl - 1] == ' ')
                    cell[--cl] = '\0';
                if (isfinite(m) && m == best)
                    strcat(cell, FASTEST_MARK);
                else
                    strcat(cell, " ");
                len += snprintf(line + len, sizeof line - (size_t)len, "%*s", MATRIX_CELL, cell);
            }
            emit(ctx, line);
        }
        emit(ctx, "");
    }

    snprintf(line, sizeof line,
             "crossovers (the smallest swept N from which a row's median time beats %s's at "
             "that N and every larger one):",
             ref);
    emit(ctx, line);
    if (n == 0)
        emit(ctx, "  (no row besides the reference)");
    for (size_t i = 0; i < n; i++) {
        const mcpi_crossover *c = &cross[i];
        switch (c->kind) {
        case MCPI_CROSS_ALWAYS:
            snprintf(line, sizeof line, "  %-14s always (from N=%" PRIu64 ", the smallest swept)",
                     c->name, c->samples);
            break;
        case MCPI_CROSS_CROSSOVER:
            snprintf(line, sizeof line, "  %-14s from N=%" PRIu64, c->name, c->samples);
            break;
        default:
            snprintf(line, sizeof line, "  %-14s never (not faster than %s at N=%" PRIu64 ")",
                     c->name, ref, sw->npoints ? sw->points[sw->npoints - 1].samples : 0);
            break;
        }
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

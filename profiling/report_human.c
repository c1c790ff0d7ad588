/* report_human.c - the human layout shared by the table and Markdown:
 * cells, column titles, the run summary and the notes under the table. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"
#include "report_private.h"

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

void mcpi__fmt_time_cell(char *buf, size_t len, const mcpi_stats *st)
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

void mcpi__fmt_time(char *buf, size_t len, double t)
{
    mcpi_stats st = {t, t, t, t, 0.0};
    mcpi__fmt_time_cell(buf, len, &st);
    buf[strcspn(buf, "(")] = '\0';
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == ' ')
        buf[--n] = '\0';
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
                used +=
                    snprintf(line + used, len - (size_t)used, "%s %s %s%s%s%s",
                             first ? (pass ? ""
                                           : (used > 0 && line[used - 1] == ':' ? " per repeat:"
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

/* "shares of threads+opencl:0.0: threads 61.9% (3 chunks, busy 60.1 ms),
 * opencl:0.0 38.1% (5 chunks, busy 59.8 ms); finish skew 1.20 ms" for a row
 * of several workers: who counted what in the last timed pass, and how far
 * apart their last chunks ended. */
static int shares_line(char *line, size_t len, const mcpi_record *r)
{
    if (r->nworkers < 2 || r->samples == 0)
        return 0;
    int used = snprintf(line, len, "shares of %s:", r->name);
    double skew = 0;
    for (unsigned k = 0; k < r->nworkers && used > 0 && (size_t)used < len; ++k) {
        const mcpi_worker_record *w = &r->workers[k];
        char busy[MCPI__NUM_LEN];
        fmt_seconds(busy, sizeof busy, w->busy_s);
        used +=
            snprintf(line + used, len - (size_t)used, "%s %s %.1f%% (%" PRIu64 " chunk%s, busy %s)",
                     k ? "," : "", w->name, 100.0 * (double)w->samples / (double)r->samples,
                     w->chunks, w->chunks == 1 ? "" : "s", busy);
        skew = w->idle_s > skew ? w->idle_s : skew;
    }
    char t[MCPI__NUM_LEN];
    fmt_seconds(t, sizeof t, skew);
    if (used > 0 && (size_t)used < len)
        snprintf(line + used, len - (size_t)used, "; finish skew %s", t);
    return 1;
}

/* One line on what the reference core checked of the exact rows. */
static int verify_line(char *line, size_t len, const mcpi__row *rows, size_t n)
{
    uint64_t chunks = 0, samples = 0;
    int off = 0, full = 0, exact = 0;
    for (size_t i = 0; i < n; i++) {
        const mcpi_record *r = rows[i].r;
        if (!r->exact || !rows[i].ok)
            continue;
        exact = 1;
        chunks += r->verified_chunks;
        samples += r->verified_samples;
        off |= r->verify == MCPI_VERIFY_OFF;
        full |= r->verify == MCPI_VERIFY_FULL;
    }
    if (!exact)
        return 0;
    if (off && chunks == 0)
        snprintf(line, len,
                 "note: --verify off: the rows were not checked against the reference "
                 "core");
    else
        snprintf(line, len,
                 "verified: %s%" PRIu64 " chunks (%" PRIu64 " samples) recounted by the reference "
                 "core, all equal",
                 full ? "every chunk, " : "", chunks, samples);
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

void mcpi__fmt_fixed(char *buf, size_t len, int decimals, double v, const char *suffix)
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
void mcpi__flatten(char *cell)
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
    mcpi__fmt_time_cell(cells[MCPI__COL_TIME], MCPI__CELL_LEN, &row->st);
    if (isfinite(row->stones))
        snprintf(cells[MCPI__COL_STONES], MCPI__CELL_LEN, "%.*g", HUMAN_SIG_DIGITS, row->stones);
    else
        snprintf(cells[MCPI__COL_STONES], MCPI__CELL_LEN, NOT_AVAILABLE);
    fmt_rate(cells[MCPI__COL_RATE], MCPI__CELL_LEN, row->samples_per_s);
    mcpi__fmt_fixed(cells[MCPI__COL_RATIO], MCPI__CELL_LEN, RATIO_DECIMALS, row->ratio, "x");
    fmt_bytes(cells[MCPI__COL_PEAK], MCPI__CELL_LEN, r->host_peak_bytes);
    fmt_bytes(cells[MCPI__COL_DEVMEM], MCPI__CELL_LEN, r->device_bytes);
    mcpi__fmt_fixed(cells[MCPI__COL_PI], MCPI__CELL_LEN, PI_DECIMALS, row->pi, "");
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
        mcpi__flatten(cells[c]);
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
    mcpi__fmt_time_cell(cells[MCPI__RCOL_TIME], MCPI__CELL_LEN, &row->st);
    snprintf(cells[MCPI__RCOL_SAMPLES], MCPI__CELL_LEN, "%" PRIu64, r->samples);
    snprintf(cells[MCPI__RCOL_HITS], MCPI__CELL_LEN, "%" PRIu64, r->hits);
    fmt_bytes(cells[MCPI__RCOL_PEAK], MCPI__CELL_LEN, r->host_peak_bytes);
}

void mcpi__rank_cells(const mcpi__row *row, char cells[MCPI__NRCOLS][MCPI__CELL_LEN])
{
    rank_cells_raw(row, cells);
    for (int c = 0; c < MCPI__NRCOLS; c++)
        mcpi__flatten(cells[c]);
}

void mcpi__run_tail(char *buf, size_t len, const mcpi_run_info *info)
{
    char threads[MCPI__NUM_LEN];
    if (info->threads == 0)
        snprintf(threads, sizeof threads, "auto");
    else
        snprintf(threads, sizeof threads, "%u", info->threads);
    snprintf(buf, len, "seed=%" PRIu64 ", repeats=%u (+%u warm-up), ranks=%d, threads=%s",
             info->seed, info->repeat, info->warmup, info->ranks, threads);
}

void mcpi__run_summary(char buf[MCPI__SUMMARY_LEN], const mcpi_run_info *info)
{
    int n = snprintf(buf, MCPI__SUMMARY_LEN, "mcpi %s: N=%" PRIu64 ", ",
                     info->version ? info->version : "", info->samples);
    if (n >= 0 && n < MCPI__SUMMARY_LEN)
        mcpi__run_tail(buf + n, MCPI__SUMMARY_LEN - (size_t)n, info);
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
                mcpi__fmt_time(measured, sizeof measured, row->st.median);
            snprintf(line, sizeof line, "%.180s; measured %s", row->r->auto_note, measured);
            emit(ctx, line);
        }
        if (row->ok && row->r->host_growth_bytes > 0) {
            char grew[MCPI__NUM_LEN];
            fmt_bytes(grew, sizeof grew, row->r->host_growth_bytes);
            /* The backend's known cause, when it has one (an OpenCL runtime's
             * own pools: tests/test_opencl_growth.c measures them flat). */
            const char *why = row->r->growth_note;
            snprintf(
                line, sizeof line,
                "warning: host memory of %s grew by %s across its repeats (expected 0%s%.150s)",
                row->r->name, grew, why[0] ? "; " : "", why);
            emit(ctx, line);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const mcpi_record *r = rows[i].r;
        if (rows[i].ok && phases_line(line, sizeof line, r))
            emit(ctx, line);
        if (rows[i].ok && shares_line(line, sizeof line, r))
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
    if (verify_line(line, sizeof line, rows, n))
        emit(ctx, line);
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

/* ---- slow ranks ------------------------------------------------------------- */

static double rank_rate(const mcpi_record *r)
{
    double t = mcpi_record_stats(r).median;
    return r->status == MCPI_OK && r->samples > 0 && t > 0.0 ? (double)r->samples / t : 0.0;
}

static int cmp_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int mcpi__slow_ranks(const mcpi_report *rep, mcpi__slow_rank **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (rep->rank_rows == NULL || rep->nrows == 0 || rep->nrank_rows % rep->nrows != 0)
        return 0;
    size_t per = rep->nrank_rows / rep->nrows, cap = 0;
    if (per < 3)
        return 0;
    double *rates = malloc(per * sizeof *rates);
    if (rates == NULL)
        return MCPI_ENOMEM;
    int rc = 0;
    for (size_t k = 0; k < rep->nrows && rc == 0; k++) {
        const mcpi_record *block = &rep->rank_rows[k * per];
        size_t m = 0;
        for (size_t i = 0; i < per; i++)
            if (rank_rate(&block[i]) > 0.0)
                rates[m++] = rank_rate(&block[i]);
        if (m < 3)
            continue;
        qsort(rates, m, sizeof *rates, cmp_doubles);
        double median = m % 2 ? rates[m / 2] : 0.5 * (rates[m / 2 - 1] + rates[m / 2]);
        for (size_t i = 0; i < per && rc == 0; i++) {
            double rate = rank_rate(&block[i]);
            if (rate <= 0.0 || rate >= MCPI__SLOW_RANK_FRACTION * median)
                continue;
            if (*n == cap) {
                size_t ncap = cap ? 2 * cap : 8;
                mcpi__slow_rank *grown = realloc(*out, ncap * sizeof *grown);
                if (grown == NULL) {
                    rc = MCPI_ENOMEM;
                    break;
                }
                *out = grown;
                cap = ncap;
            }
            (*out)[(*n)++] = (mcpi__slow_rank){&rep->rows[k], &block[i], rate, median};
        }
    }
    free(rates);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int mcpi__slow_rank_lines(const mcpi_report *rep, void (*emit)(void *ctx, const char *line),
                          void *ctx)
{
    mcpi__slow_rank *slow;
    size_t n;
    if (mcpi__slow_ranks(rep, &slow, &n) != 0)
        return MCPI_ENOMEM;
    char line[MCPI__NOTE_LEN + MCPI_HOST_LEN], rate[MCPI__NUM_LEN], median[MCPI__NUM_LEN];
    for (size_t i = 0; i < n; i++) {
        const mcpi__slow_rank *s = &slow[i];
        fmt_rate(rate, sizeof rate, s->rate);
        fmt_rate(median, sizeof median, s->median_rate);
        snprintf(line, sizeof line,
                 "warning: slow rank: %s on rank %d (%s) counted %s samples/s, %.2fx the "
                 "median rank's %s (ranks below %.0f%% of the median are named)",
                 s->job->name, s->rank->rank, s->rank->hostname, rate, s->rate / s->median_rate,
                 median, 100.0 * MCPI__SLOW_RANK_FRACTION);
        emit(ctx, line);
    }
    free(slow);
    return 0;
}

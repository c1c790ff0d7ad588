/* report_selftest.c - `mcpi selftest` as a table (one line per device:
 * PASS, or FAIL and the first thing that differed), Markdown, CSV (one
 * record per device and check) or JSON (one object per device and check,
 * ending with the checksum every JSON report ends with). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_selftest_report.h"
#include "report_private.h"

#define JSON_INDENT "  "
/* A device's line of the table: every check's summary, or a failure. */
#define LINE_LEN 1024

/* ---- the human line of a device --------------------------------------------------- */

static void append(char *buf, size_t len, const char *fmt, const char *a, const char *b)
{
    size_t used = strlen(buf);
    if (used < len)
        snprintf(buf + used, len - used, fmt, a, b);
}

/* "known answers 13/13 (host core)", "geometry 6/7, 1 skipped", "geometry n/a",
 * "statistics 32 seeds x 65536: max |z| 2.41, mean +0.12, variance 0.97". */
static void check_summary(char *buf, size_t len, int k, const mcpi_selftest_check *c)
{
    const char *title = mcpi_selftest_check_title(k);
    if (c->outcome == MCPI_SELFTEST_NA || c->outcome == MCPI_SELFTEST_NOT_RUN) {
        snprintf(buf, len, "%s %s", title, mcpi_selftest_outcome_name(c->outcome));
        return;
    }
    if (k == MCPI_SELFTEST_STATISTICS && c->has_stats) {
        const mcpi_selftest_stats *s = &c->stats;
        snprintf(buf, len, "%s %u seeds x %" PRIu64 ": max |z| %.2f, mean %+.2f, variance %.2f",
                 title, s->seeds, s->samples, s->max_abs_z, s->mean_z, s->variance_z);
        return;
    }
    int n = snprintf(buf, len, "%s %u/%u", title, c->passed, c->cases);
    if (n < 0 || (size_t)n >= len)
        return;
    if (c->skipped)
        snprintf(buf + n, len - (size_t)n, ", %u skipped", c->skipped);
    else if (c->via[0])
        snprintf(buf + n, len - (size_t)n, " (%s)", c->via);
}

/* "hit counts: seed 0, samples [0, 10): expected 7, got 8". */
static void check_failure(char *buf, size_t len, int k, const mcpi_selftest_check *c)
{
    const char *title = mcpi_selftest_check_title(k);
    if (c->has_mismatch)
        snprintf(buf, len, "%s: %s: expected %s, got %s", title, c->where, c->expected, c->got);
    else
        snprintf(buf, len, "%s: %s", title, c->note[0] ? c->note : "failed");
}

void mcpi_selftest_device_summary(char *buf, size_t len, const mcpi_selftest_device *d)
{
    buf[0] = '\0';
    if (d->status != MCPI_OK) {
        snprintf(buf, len, "%s", d->error);
        return;
    }
    int first = mcpi_selftest_first_failure(d);
    if (first >= 0) {
        check_failure(buf, len, first, &d->checks[first]);
        const char *sep = "; also failed: ";
        for (int k = first + 1; k < MCPI_SELFTEST_CHECKS; ++k)
            if (d->checks[k].outcome == MCPI_SELFTEST_FAIL) {
                append(buf, len, "%s%s", sep, mcpi_selftest_check_title(k));
                sep = ", ";
            }
        return;
    }
    for (int k = 0; k < MCPI_SELFTEST_CHECKS; ++k) {
        char one[MCPI_NOTE_LEN + 64];
        check_summary(one, sizeof one, k, &d->checks[k]);
        append(buf, len, "%s%s", k ? "; " : "", one);
    }
}

static size_t failed_devices(const mcpi_selftest_report *rep)
{
    size_t failed = 0;
    for (size_t i = 0; i < rep->ndevices; ++i)
        failed += !rep->devices[i].passed;
    return failed;
}

/* The line under the table: "selftest: 4 devices passed" or "selftest: 1 of
 * 4 devices FAILED: opencl:0.0". */
static void verdict_line(mcpi__out *o, const mcpi_selftest_report *rep, int markdown)
{
    size_t failed = failed_devices(rep);
    char total[32];
    mcpi__fmt_time(total, sizeof total, rep->time_s);
    if (failed == 0) {
        mcpi__printf(o, "\nselftest: %zu device%s passed (%s)\n", rep->ndevices,
                     rep->ndevices == 1 ? "" : "s", total);
        return;
    }
    mcpi__printf(o, "\nselftest: %zu of %zu device%s FAILED:", failed, rep->ndevices,
                 rep->ndevices == 1 ? "" : "s");
    for (size_t i = 0, said = 0; i < rep->ndevices; ++i)
        if (!rep->devices[i].passed) {
            mcpi__put(o, said++ ? ", " : " ");
            if (markdown)
                mcpi__md_text(o, rep->devices[i].name);
            else
                mcpi__put(o, rep->devices[i].name);
        }
    mcpi__printf(o, " (%s)\n", total);
}

enum { COL_DEVICE, COL_RESULT, COL_TIME, COL_CHECKS, NCOLS };
static const char *const titles[NCOLS] = {"device", "result", "time", "checks"};
static const int numeric[NCOLS] = {0, 0, 1, 0};

typedef struct human_cells {
    char name[MCPI_NAME_LEN], time[32], line[LINE_LEN];
} human_cells;

static void cells_of(const mcpi_selftest_device *d, human_cells *h, const char *cells[NCOLS])
{
    snprintf(h->name, sizeof h->name, "%s", d->name);
    mcpi__fmt_time(h->time, sizeof h->time, d->time_s);
    mcpi_selftest_device_summary(h->line, sizeof h->line, d);
    mcpi__flatten(h->name);
    mcpi__flatten(h->line);
    cells[COL_DEVICE] = h->name;
    cells[COL_RESULT] = d->passed ? "PASS" : "FAIL";
    cells[COL_TIME] = h->time;
    cells[COL_CHECKS] = h->line;
}

static int write_human(mcpi__out *o, const mcpi_selftest_report *rep, int markdown)
{
    human_cells *h = calloc(rep->ndevices ? rep->ndevices : 1, sizeof *h);
    if (h == NULL)
        return MCPI_ENOMEM;
    mcpi__printf(o, "%smcpi %s selftest on %s: %zu device%s, seed %" PRIu64 "\n\n",
                 markdown ? "## " : "", rep->version ? rep->version : "", rep->hostname,
                 rep->ndevices, rep->ndevices == 1 ? "" : "s", rep->seed);
    size_t width[NCOLS] = {0};
    const char *cells[NCOLS];
    if (markdown) {
        mcpi__md_header(o, titles, numeric, NCOLS);
        for (size_t i = 0; i < rep->ndevices; ++i) {
            cells_of(&rep->devices[i], &h[i], cells);
            mcpi__md_row(o, cells, NCOLS);
        }
    } else {
        const char *upper[NCOLS] = {"DEVICE", "RESULT", "TIME", "CHECKS"};
        for (int c = 0; c < NCOLS; ++c)
            mcpi__table_widen(&width[c], upper[c]);
        for (size_t i = 0; i < rep->ndevices; ++i) {
            cells_of(&rep->devices[i], &h[i], cells);
            for (int c = 0; c < NCOLS; ++c)
                mcpi__table_widen(&width[c], cells[c]);
        }
        mcpi__table_line(o, upper, width, numeric, NCOLS, NCOLS - 1);
        for (size_t i = 0; i < rep->ndevices; ++i) {
            cells_of(&rep->devices[i], &h[i], cells);
            mcpi__table_line(o, cells, width, numeric, NCOLS, NCOLS - 1);
        }
    }
    verdict_line(o, rep, markdown);
    free(h);
    return MCPI_OK;
}

/* ---- CSV: one record per device and check ------------------------------------------- */

static void csv_text_or_empty(mcpi__csv *c, const char *s)
{
    if (s != NULL && s[0] != '\0')
        mcpi__csv_quoted(c, s);
    else
        mcpi__csv_empty(c);
}

static void write_csv(mcpi__out *o, const mcpi_selftest_report *rep)
{
    mcpi__put(o, "device,backend,description,device_passed,check,outcome,cases,passed,skipped,"
                 "time_s,via,where,expected,got,note,samples_per_seed,max_abs_z,mean_z,"
                 "variance_z\r\n");
    for (size_t i = 0; i < rep->ndevices; ++i) {
        const mcpi_selftest_device *d = &rep->devices[i];
        for (int k = 0; k < MCPI_SELFTEST_CHECKS; ++k) {
            const mcpi_selftest_check *ch = &d->checks[k];
            mcpi__csv c = {o, 1};
            mcpi__csv_str(&c, d->name);
            mcpi__csv_str(&c, d->backend);
            mcpi__csv_quoted(&c, d->device);
            mcpi__csv_str(&c, d->passed ? "true" : "false");
            mcpi__csv_str(&c, mcpi_selftest_check_name(k));
            mcpi__csv_str(&c, mcpi_selftest_outcome_name(ch->outcome));
            mcpi__csv_u64(&c, ch->cases);
            mcpi__csv_u64(&c, ch->passed);
            mcpi__csv_u64(&c, ch->skipped);
            mcpi__csv_num(&c, ch->time_s);
            csv_text_or_empty(&c, ch->via);
            csv_text_or_empty(&c, ch->has_mismatch ? ch->where : NULL);
            csv_text_or_empty(&c, ch->has_mismatch ? ch->expected : NULL);
            csv_text_or_empty(&c, ch->has_mismatch ? ch->got : NULL);
            csv_text_or_empty(&c, d->status != MCPI_OK ? d->error : ch->note);
            if (ch->has_stats) {
                mcpi__csv_u64(&c, ch->stats.samples);
                mcpi__csv_num(&c, ch->stats.max_abs_z);
                mcpi__csv_num(&c, ch->stats.mean_z);
                mcpi__csv_num(&c, ch->stats.variance_z);
            } else {
                for (int e = 0; e < 4; ++e)
                    mcpi__csv_empty(&c);
            }
            mcpi__csv_end(&c);
        }
    }
}

/* ---- JSON ---------------------------------------------------------------------------- */

static void json_str_or_null(mcpi__out *o, const char *s)
{
    if (s != NULL && s[0] != '\0')
        mcpi__json_str(o, s);
    else
        mcpi__put(o, "null");
}

static void json_key_text(mcpi__out *o, int *first, const char *k, const char *v)
{
    mcpi__json_key(o, first, k);
    json_str_or_null(o, v);
}

static void json_stats(mcpi__out *o, const mcpi_selftest_stats *s)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_u64(o, &f, "seeds", s->seeds);
    mcpi__json_key_u64(o, &f, "first_seed", s->first_seed);
    mcpi__json_key_u64(o, &f, "samples_per_seed", s->samples);
    mcpi__json_key_num(o, &f, "max_abs_z", s->max_abs_z);
    mcpi__json_key_u64(o, &f, "max_abs_z_seed", s->max_seed);
    mcpi__json_key_num(o, &f, "mean_z", s->mean_z);
    mcpi__json_key_num(o, &f, "variance_z", s->variance_z);
    mcpi__json_key(o, &f, "bounds");
    int b = 1;
    mcpi__put(o, "{");
    mcpi__json_key_num(o, &b, "max_abs_z", MCPI_SELFTEST_Z_MAX);
    mcpi__json_key_num(o, &b, "mean_z", s->mean_bound);
    mcpi__json_key_num(o, &b, "variance_z_min", MCPI_SELFTEST_VAR_LO);
    mcpi__json_key_num(o, &b, "variance_z_max", MCPI_SELFTEST_VAR_HI);
    mcpi__json_key_num(o, &b, "false_fail_probability", MCPI_SELFTEST_FALSE_FAIL);
    mcpi__put(o, "}}");
}

static void json_known_u64(mcpi__out *o, int *first, const char *k, uint64_t v)
{
    mcpi__json_key(o, first, k);
    if (v == 0)
        mcpi__put(o, "null");
    else
        mcpi__printf(o, "%" PRIu64, v);
}

static void json_configs(mcpi__out *o, const mcpi_selftest_check *c, const char *indent)
{
    mcpi__put(o, "[");
    for (unsigned i = 0; i < c->nconfigs; ++i) {
        const mcpi_selftest_config *g = &c->configs[i];
        int f = 1;
        mcpi__printf(o, "%s\n%s{", i ? "," : "", indent);
        mcpi__json_key_str(o, &f, "name", g->name);
        mcpi__json_key_str(o, &f, "outcome", mcpi_selftest_outcome_name(g->outcome));
        json_key_text(o, &f, "note", g->note);
        json_known_u64(o, &f, "local_size", g->local_size);
        json_known_u64(o, &f, "per_item", g->per_item);
        json_known_u64(o, &f, "launch_samples", g->launch_samples);
        json_known_u64(o, &f, "vector", g->vector);
        mcpi__put(o, "}");
    }
    mcpi__put(o, "]");
}

static void json_check(mcpi__out *o, int k, const mcpi_selftest_check *c, const char *indent)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_str(o, &f, "name", mcpi_selftest_check_name(k));
    mcpi__json_key_str(o, &f, "title", mcpi_selftest_check_title(k));
    mcpi__json_key_str(o, &f, "outcome", mcpi_selftest_outcome_name(c->outcome));
    mcpi__json_key_u64(o, &f, "cases", c->cases);
    mcpi__json_key_u64(o, &f, "passed", c->passed);
    mcpi__json_key_u64(o, &f, "skipped", c->skipped);
    mcpi__json_key_num(o, &f, "time_s", c->time_s);
    json_key_text(o, &f, "via", c->via);
    json_key_text(o, &f, "note", c->note);
    mcpi__json_key(o, &f, "mismatch");
    if (c->has_mismatch) {
        int m = 1;
        mcpi__put(o, "{");
        mcpi__json_key_str(o, &m, "where", c->where);
        mcpi__json_key_str(o, &m, "expected", c->expected);
        mcpi__json_key_str(o, &m, "got", c->got);
        mcpi__put(o, "}");
    } else {
        mcpi__put(o, "null");
    }
    mcpi__json_key(o, &f, "configs");
    if (k == MCPI_SELFTEST_GEOMETRY)
        json_configs(o, c, indent);
    else
        mcpi__put(o, "null");
    mcpi__json_key(o, &f, "statistics");
    if (c->has_stats)
        json_stats(o, &c->stats);
    else
        mcpi__put(o, "null");
    mcpi__put(o, "}");
}

static void json_device(mcpi__out *o, const mcpi_selftest_device *d)
{
#define IN3 JSON_INDENT JSON_INDENT JSON_INDENT
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_str(o, &f, "name", d->name);
    mcpi__json_key_str(o, &f, "backend", d->backend);
    mcpi__json_key_str(o, &f, "device", d->device);
    mcpi__json_key(o, &f, "passed");
    mcpi__put(o, d->passed ? "true" : "false");
    json_key_text(o, &f, "error", d->status != MCPI_OK ? d->error : NULL);
    mcpi__json_key_num(o, &f, "time_s", d->time_s);
    mcpi__json_key(o, &f, "checks");
    mcpi__put(o, "[");
    for (int k = 0; k < MCPI_SELFTEST_CHECKS; ++k) {
        mcpi__printf(o, "%s\n" IN3 JSON_INDENT, k ? "," : "");
        json_check(o, k, &d->checks[k], IN3 JSON_INDENT JSON_INDENT);
    }
    mcpi__put(o, "]}");
#undef IN3
}

/* The document without its checksum and closing "\n}\n". */
static void json_body(mcpi__out *o, const mcpi_selftest_report *rep)
{
    mcpi__put(o, "{\n" JSON_INDENT "\"version\": ");
    json_str_or_null(o, rep->version);
    mcpi__put(o, ",\n" JSON_INDENT "\"selftest\": {");
    int f = 1;
    mcpi__json_key_str(o, &f, "hostname", rep->hostname);
    mcpi__json_key_u64(o, &f, "seed", rep->seed);
    mcpi__json_key(o, &f, "passed");
    mcpi__put(o, failed_devices(rep) == 0 ? "true" : "false");
    mcpi__json_key_u64(o, &f, "failed_devices", failed_devices(rep));
    mcpi__json_key_num(o, &f, "time_s", rep->time_s);
    mcpi__json_key(o, &f, "devices");
    mcpi__put(o, "[");
    for (size_t i = 0; i < rep->ndevices; ++i) {
        mcpi__printf(o, "%s\n" JSON_INDENT JSON_INDENT, i ? "," : "");
        json_device(o, &rep->devices[i]);
    }
    mcpi__put(o, "]}");
}

/* In memory first, so the checksum of MCPI_REPORT_CHECKSUM_KEY can end it
 * (as report_json.c ends run reports). */
static int write_json(FILE *out, const mcpi_selftest_report *rep)
{
    char *body = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&body, &len);
    if (mem == NULL)
        return MCPI_ENOMEM;
    mcpi__out m = {mem, 0};
    json_body(&m, rep);
    int rc = fclose(mem) != 0 || m.failed ? MCPI_ENOMEM : MCPI_OK;
    if (rc == MCPI_OK) {
        mcpi__out o = {out, 0};
        if (len > 0 && fwrite(body, 1, len, out) != len)
            o.failed = 1;
        mcpi__printf(&o, MCPI_REPORT_CHECKSUM_KEY "%016" PRIx64 "\"\n}\n",
                     mcpi_fnv1a(MCPI_FNV_OFFSET, body, len));
        rc = o.failed ? MCPI_EIO : MCPI_OK;
    }
    free(body);
    return rc;
}

int mcpi_selftest_write(FILE *out, mcpi_format fmt, const mcpi_selftest_report *rep)
{
    if (fmt == MCPI_FORMAT_JSON)
        return write_json(out, rep);
    mcpi__out o = {out, 0};
    int rc = MCPI_OK;
    if (fmt == MCPI_FORMAT_CSV)
        write_csv(&o, rep);
    else
        rc = write_human(&o, rep, fmt == MCPI_FORMAT_MARKDOWN);
    if (rc == MCPI_OK && (o.failed || ferror(out)))
        rc = MCPI_EIO;
    return rc;
}

/* report_json.c - one JSON object: version, config, results (job rows,
 * fastest first) and ranks (per-rank rows, always present when given).
 *
 * Integers are printed as full 64-bit decimal digits; doubles as the
 * shortest decimal that reads back exactly; NaN, infinities and unknown
 * (-1) values as null.  Strings are escaped, and bytes that are not valid
 * UTF-8 become U+FFFD so the output always parses. */
#include "report_private.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"

#define JSON_INDENT "  "

int mcpi_json_write_string(FILE *out, const char *s)
{
    mcpi__out o = {out, 0};
    mcpi__json_str(&o, s);
    return o.failed ? MCPI_EIO : MCPI_OK;
}

void mcpi__json_num(mcpi__out *o, double v)
{
    char buf[MCPI__NUM_LEN];
    mcpi__fmt_exact(buf, v);
    mcpi__put(o, buf[0] ? buf : "null");
}

static void json_known(mcpi__out *o, int64_t v)
{
    if (v < 0)
        mcpi__put(o, "null");
    else
        mcpi__printf(o, "%" PRId64, v);
}

/* Writes `"key": ` after a comma unless first. */
void mcpi__json_key(mcpi__out *o, int *first, const char *k)
{
    mcpi__put(o, *first ? "" : ", ");
    *first = 0;
    mcpi__json_str(o, k);
    mcpi__put(o, ": ");
}

/* A key and its value: an unsigned count, a number (null when not finite), a
 * string. */
void mcpi__json_key_u64(mcpi__out *o, int *first, const char *k, uint64_t v)
{
    mcpi__json_key(o, first, k);
    mcpi__printf(o, "%" PRIu64, v);
}

void mcpi__json_key_num(mcpi__out *o, int *first, const char *k, double v)
{
    mcpi__json_key(o, first, k);
    mcpi__json_num(o, v);
}

void mcpi__json_key_str(mcpi__out *o, int *first, const char *k, const char *v)
{
    mcpi__json_key(o, first, k);
    mcpi__json_str(o, v);
}

static void time_obj(mcpi__out *o, const mcpi__row *row)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_num(o, &f, "median", row->st.median);
    mcpi__json_key_num(o, &f, "min", row->st.min);
    mcpi__json_key_num(o, &f, "max", row->st.max);
    mcpi__json_key_num(o, &f, "mean", row->st.mean);
    mcpi__json_key_num(o, &f, "rsd", row->st.rsd);
    mcpi__json_key(o, &f, "repeats");
    mcpi__put(o, "[");
    unsigned n = row->r->repeats < MCPI_MAX_REPEAT ? row->r->repeats : MCPI_MAX_REPEAT;
    for (unsigned i = 0; i < n; i++) {
        mcpi__put(o, i ? ", " : "");
        mcpi__json_num(o, row->r->repeat_s[i]);
    }
    mcpi__put(o, "]}");
}

static void phases_obj(mcpi__out *o, const mcpi_phases *ph)
{
    int f = 1;
    mcpi__put(o, "{");
    for (int p = 0; p < MCPI_PHASE_COUNT; p++) {
        if (ph->mask & (1u << p)) {
            mcpi__json_key(o, &f, mcpi_phase_name((mcpi_phase)p));
            mcpi__json_num(o, ph->s[p]);
        }
    }
    mcpi__put(o, "}");
}

static void memory_obj(mcpi__out *o, const mcpi_record *r)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key(o, &f, "host_peak_bytes");
    json_known(o, r->host_peak_bytes);
    mcpi__json_key(o, &f, "host_growth_bytes");
    json_known(o, r->host_growth_bytes);
    mcpi__json_key(o, &f, "device_bytes");
    json_known(o, r->device_bytes);
    mcpi__json_key(o, &f, "device_mem_bytes");
    json_known(o, r->device_mem_bytes);
    mcpi__put(o, "}");
}

static void opencl_obj(mcpi__out *o, const mcpi_ocl_detail *d, const char *cache)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_str(o, &f, "cache", cache);
    mcpi__json_key_u64(o, &f, "launches", d->launches);
    mcpi__json_key_u64(o, &f, "global_size", d->global_size);
    mcpi__json_key_u64(o, &f, "local_size", d->local_size);
    mcpi__json_key_u64(o, &f, "per_item", d->per_item);
    mcpi__json_key_u64(o, &f, "kernel_max_work_group", d->kernel_max_work_group);
    mcpi__json_key(o, &f, "vector");
    mcpi__printf(o, "%u", d->vector);
    mcpi__json_key_str(o, &f, "geometry", mcpi_geometry_source_name(d->geometry_source));
    mcpi__json_key(o, &f, "compute_units");
    mcpi__printf(o, "%u", d->compute_units);
    mcpi__json_key(o, &f, "process_cpus");
    if (d->process_cpus > 0)
        mcpi__printf(o, "%u", d->process_cpus);
    else
        mcpi__put(o, "null");
    mcpi__json_key(o, &f, "event_ns");
    int g = 1;
    mcpi__put(o, "{");
    mcpi__json_key(o, &g, "submit");
    mcpi__json_num(o, d->ev_submit_ns);
    mcpi__json_key(o, &g, "start");
    mcpi__json_num(o, d->ev_start_ns);
    mcpi__json_key(o, &g, "end");
    mcpi__json_num(o, d->ev_end_ns);
    mcpi__put(o, "}}");
}

static void stones_obj(mcpi__out *o, const mcpi__row *row, const mcpi_calibration *cal)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_num(o, &f, "median", mcpi_stones(cal, row->st.median));
    mcpi__json_key_num(o, &f, "min", mcpi_stones(cal, row->st.min));
    mcpi__json_key_num(o, &f, "max", mcpi_stones(cal, row->st.max));
    mcpi__put(o, "}");
}

/* The row's workers: each one's share of the last timed pass. */
static void workers_arr(mcpi__out *o, const mcpi_record *r)
{
    mcpi__put(o, "[");
    for (unsigned k = 0; k < r->nworkers && k < MCPI_MAX_WORKERS; ++k) {
        const mcpi_worker_record *w = &r->workers[k];
        int f = 1;
        mcpi__put(o, k ? ", {" : "{");
        mcpi__json_key_str(o, &f, "name", w->name);
        mcpi__json_key_str(o, &f, "device", w->device);
        mcpi__json_key_u64(o, &f, "samples", w->samples);
        mcpi__json_key_u64(o, &f, "hits", w->hits);
        mcpi__json_key_u64(o, &f, "chunks", w->chunks);
        mcpi__json_key_num(o, &f, "share",
                           r->samples > 0 ? (double)w->samples / (double)r->samples : NAN);
        mcpi__json_key_num(o, &f, "busy_s", w->busy_s);
        mcpi__json_key_num(o, &f, "idle_s", w->idle_s);
        mcpi__json_key_u64(o, &f, "verified_chunks", w->verified_chunks);
        mcpi__json_key_u64(o, &f, "verified_samples", w->verified_samples);
        mcpi__put(o, "}");
    }
    mcpi__put(o, "]");
}

/* What the reference core checked of the row. */
static void verify_obj(mcpi__out *o, const mcpi_record *r)
{
    mcpi__printf(
        o, "{\"mode\": \"%s\", \"chunks\": %" PRIu64 ", \"samples\": %" PRIu64 ", \"seconds\": ",
        mcpi_verify_name(r->verify), r->verified_chunks, r->verified_samples);
    mcpi__json_num(o, r->verify_s);
    mcpi__put(o, "}");
}

static void result_obj(mcpi__out *o, const mcpi__row *row, const mcpi_calibration *cal)
{
    const mcpi_record *r = row->r;
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_str(o, &f, "name", r->name);
    mcpi__json_key_str(o, &f, "backend", r->backend);
    mcpi__json_key_str(o, &f, "device", r->device);
    mcpi__json_key(o, &f, "exact");
    mcpi__put(o, r->exact ? "true" : "false");
    mcpi__json_key(o, &f, "ranks");
    mcpi__printf(o, "%d", r->ranks);
    mcpi__json_key(o, &f, "threads");
    mcpi__printf(o, "%u", r->threads);
    mcpi__json_key_u64(o, &f, "seed", r->seed);
    mcpi__json_key(o, &f, "range");
    mcpi__printf(o, "{\"begin\": %" PRIu64 ", \"end\": %" PRIu64 "}", r->begin, r->end);
    mcpi__json_key_u64(o, &f, "samples", r->samples);
    mcpi__json_key_u64(o, &f, "hits", r->hits);
    mcpi__json_key_num(o, &f, "pi", row->pi);
    mcpi__json_key_num(o, &f, "stderr", row->se);
    mcpi__json_key_num(o, &f, "err_se", row->err_se);
    mcpi__json_key(o, &f, "time_s");
    time_obj(o, row);
    if (cal) {
        mcpi__json_key(o, &f, "time_stones");
        stones_obj(o, row, cal);
    }
    mcpi__json_key_num(o, &f, "samples_per_s", row->samples_per_s);
    mcpi__json_key_num(o, &f, "ratio", row->ratio);
    mcpi__json_key(o, &f, "phases");
    phases_obj(o, &r->phases);
    mcpi__json_key(o, &f, "memory");
    memory_obj(o, r);
    mcpi__json_key(o, &f, "workers");
    workers_arr(o, r);
    mcpi__json_key(o, &f, "verify");
    verify_obj(o, r);
    const char *cache = mcpi__ocl_cache_name(r->ocl.cache);
    if (cache) {
        mcpi__json_key(o, &f, "opencl");
        opencl_obj(o, &r->ocl, cache);
    }
    if (r->auto_predicted_s >= 0.0) { /* chosen by --backend auto */
        mcpi__json_key(o, &f, "auto");
        mcpi__printf(o, "{\"predicted_s\": ");
        mcpi__json_num(o, r->auto_predicted_s);
        mcpi__printf(o, ", \"note\": ");
        mcpi__json_str(o, r->auto_note);
        mcpi__printf(o, "}");
    }
    mcpi__json_key_str(o, &f, "hostname", r->hostname);
    mcpi__json_key(o, &f, "rank");
    mcpi__printf(o, "%d", r->rank);
    mcpi__json_key(o, &f, "local_rank");
    mcpi__printf(o, "%d", r->local_rank);
    mcpi__json_key_str(o, &f, "status", row->ok ? "ok" : "error");
    mcpi__json_key(o, &f, "status_code");
    mcpi__printf(o, "%d", r->status);
    if (!row->ok) {
        mcpi__json_key_str(o, &f, "error", r->error[0] ? r->error : mcpi_strerror(r->status));
    }
    mcpi__put(o, "}");
}

/* indent: the array's own indentation; rows go one level deeper. */
static void rows_array(mcpi__out *o, const mcpi__row *rows, size_t n, const char *indent,
                       const mcpi_calibration *cal)
{
    mcpi__put(o, "[");
    for (size_t i = 0; i < n; i++) {
        mcpi__printf(o, "%s\n%s" JSON_INDENT, i ? "," : "", indent);
        result_obj(o, &rows[i], cal);
    }
    if (n)
        mcpi__printf(o, "\n%s", indent);
    mcpi__put(o, "]");
}

/* samples is null for a sweep (each point has its own). */
static void config_obj(mcpi__out *o, const mcpi_run_info *info, int sweep)
{
    mcpi__put(o, "{\"samples\": ");
    if (sweep)
        mcpi__put(o, "null");
    else
        mcpi__printf(o, "%" PRIu64, info->samples);
    mcpi__printf(o,
                 ", \"seed\": %" PRIu64 ", \"repeat\": %u, \"warmup\": %u, \"ranks\": %d, "
                 "\"threads\": %u, \"peak_resettable\": %s}",
                 info->seed, info->repeat, info->warmup, info->ranks, info->threads,
                 info->peak_resettable ? "true" : "false");
}

static void calibration_obj(mcpi__out *o, const mcpi_calibration *cal)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_str(o, &f, "unit", "stone");
    mcpi__json_key(o, &f, "stone_samples");
    mcpi__printf(o, "%llu", (unsigned long long)MCPI_STONE_SAMPLES);
    mcpi__json_key_num(o, &f, "reference_samples_per_s", cal->samples_per_s);
    mcpi__json_key_num(o, &f, "stone_s", (double)MCPI_STONE_SAMPLES / cal->samples_per_s);
    mcpi__json_key_str(o, &f, "hostname", cal->hostname);
    mcpi__json_key_str(o, &f, "cpu_model", cal->cpu_model);
    mcpi__json_key_str(o, &f, "date", cal->date);
    mcpi__put(o, "}");
}

/* ", "slow_ranks": [...]" (mcpi__slow_ranks). */
static int slow_ranks_array(mcpi__out *o, const mcpi_report *rep, const char *indent)
{
    mcpi__slow_rank *slow;
    size_t n;
    if (mcpi__slow_ranks(rep, &slow, &n) != 0)
        return MCPI_ENOMEM;
    mcpi__printf(o, ",\n%s\"slow_ranks\": [", indent);
    for (size_t i = 0; i < n; i++) {
        int f = 1;
        mcpi__put(o, i ? ", {" : "{");
        mcpi__json_key_str(o, &f, "row", slow[i].job->name);
        mcpi__json_key(o, &f, "rank");
        mcpi__printf(o, "%d", slow[i].rank->rank);
        mcpi__json_key_str(o, &f, "hostname", slow[i].rank->hostname);
        mcpi__json_key_num(o, &f, "samples_per_s", slow[i].rate);
        mcpi__json_key_num(o, &f, "median_samples_per_s", slow[i].median_rate);
        mcpi__json_key_num(o, &f, "ratio", slow[i].rate / slow[i].median_rate);
        mcpi__put(o, "}");
    }
    mcpi__put(o, "]");
    free(slow);
    return 0;
}

/* Job rows then rank rows of one run, as "results" and "ranks" keys, and
 * its slow ranks. */
int mcpi__json_results_and_ranks(mcpi__out *o, const mcpi_report *rep, const char *indent,
                                 const mcpi_calibration *cal)
{
    int nomem;
    mcpi__row *rows = mcpi__rows_new(rep->rows, rep->nrows, 1, &nomem);
    if (nomem)
        return MCPI_ENOMEM;
    mcpi__row *rrows = mcpi__rows_new(rep->rank_rows, rep->nrank_rows, 0, &nomem);
    if (nomem) {
        mcpi__rows_free(rows);
        return MCPI_ENOMEM;
    }
    mcpi__printf(o, "\"results\": ");
    rows_array(o, rows, rep->nrows, indent, cal);
    mcpi__printf(o, ",\n%s\"ranks\": ", indent);
    rows_array(o, rrows, rep->rank_rows ? rep->nrank_rows : 0, indent, cal);
    mcpi__rows_free(rrows);
    mcpi__rows_free(rows);
    return slow_ranks_array(o, rep, indent);
}

#define POINT_INDENT JSON_INDENT JSON_INDENT JSON_INDENT JSON_INDENT

static void crossover_obj(mcpi__out *o, const mcpi_crossover *c)
{
    int f = 1;
    mcpi__put(o, "{");
    mcpi__json_key_str(o, &f, "name", c->name);
    mcpi__json_key_str(o, &f, "backend", c->backend);
    mcpi__json_key(o, &f, "crossover_samples");
    if (c->kind == MCPI_CROSS_NEVER)
        mcpi__put(o, "null");
    else
        mcpi__printf(o, "%" PRIu64, c->samples);
    mcpi__json_key_str(o, &f, "beats_serial_from", mcpi_cross_kind_name(c->kind));
    mcpi__put(o, "}");
}

static int sweep_obj(mcpi__out *o, const mcpi_report *rep, const mcpi_calibration *cal)
{
    const mcpi_sweep *sw = rep->sweep;
    mcpi_crossover *cross;
    size_t ncross;
    if (mcpi__crossovers_new(sw, &cross, &ncross) != 0)
        return MCPI_ENOMEM;
    mcpi__printf(o,
                 "{\n" JSON_INDENT JSON_INDENT "\"from\": %" PRIu64 ", \"to\": %" PRIu64
                 ", \"steps_per_decade\": %u, \"reference\": ",
                 sw->from, sw->to, sw->steps_per_decade);
    mcpi__json_str(o, sw->reference ? sw->reference : "serial");
    mcpi__printf(o, ", \"reference_added\": %s,\n" JSON_INDENT JSON_INDENT "\"points\": [",
                 sw->reference_added ? "true" : "false");
    int rc = 0;
    for (size_t k = 0; k < sw->npoints && rc == 0; k++) {
        mcpi_report point;
        mcpi__point_report(rep, k, &point);
        mcpi__printf(o,
                     "%s\n" JSON_INDENT JSON_INDENT JSON_INDENT "{\"samples\": %" PRIu64
                     ",\n" POINT_INDENT,
                     k ? "," : "", point.info.samples);
        rc = mcpi__json_results_and_ranks(o, &point, POINT_INDENT, cal);
        mcpi__put(o, "}");
    }
    mcpi__put(o, sw->npoints ? "\n" JSON_INDENT JSON_INDENT "],\n" : "],\n");
    mcpi__put(o, JSON_INDENT JSON_INDENT "\"crossovers\": [");
    for (size_t i = 0; i < ncross; i++) {
        mcpi__put(o, i ? ",\n" JSON_INDENT JSON_INDENT JSON_INDENT
                       : "\n" JSON_INDENT JSON_INDENT JSON_INDENT);
        crossover_obj(o, &cross[i]);
    }
    mcpi__put(o,
              ncross ? "\n" JSON_INDENT JSON_INDENT "]\n" JSON_INDENT "}" : "]\n" JSON_INDENT "}");
    free(cross);
    return rc;
}

void mcpi__json_head(mcpi__out *o, const mcpi_run_info *info, int sweep,
                     const mcpi_calibration *cal)
{
    mcpi__put(o, "{\n" JSON_INDENT "\"version\": ");
    if (info->version)
        mcpi__json_str(o, info->version);
    else
        mcpi__put(o, "null");
    mcpi__put(o, ",\n" JSON_INDENT "\"config\": ");
    config_obj(o, info, sweep);
    if (cal) {
        mcpi__put(o, ",\n" JSON_INDENT "\"calibration\": ");
        calibration_obj(o, cal);
    }
}

/* The document into o, without its closing "\n}\n". */
static int json_body(mcpi__out *o, const mcpi_report *rep)
{
    const mcpi_calibration *cal = rep->info.calibration;
    if (cal && !(cal->samples_per_s > 0.0))
        cal = NULL;

    mcpi__json_head(o, &rep->info, rep->sweep != NULL, cal);
    mcpi__put(o, ",\n" JSON_INDENT);
    if (rep->sweep) {
        mcpi__put(o, "\"sweep\": ");
        return sweep_obj(o, rep, cal);
    }
    return mcpi__json_results_and_ranks(o, rep, JSON_INDENT, cal);
}

/* The body is written to memory first (its size is the rows', never the
 * samples'), so that its checksum can end it. */
int mcpi__report_json(FILE *out, const mcpi_report *rep)
{
    char *body = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&body, &len);
    if (mem == NULL)
        return MCPI_ENOMEM;
    mcpi__out m = {mem, 0};
    int rc = json_body(&m, rep);
    if (fclose(mem) != 0 || m.failed)
        rc = rc ? rc : MCPI_ENOMEM;
    if (rc == 0) {
        mcpi__out o = {out, 0};
        if (len > 0 && fwrite(body, 1, len, out) != len)
            o.failed = 1;
        mcpi__printf(&o, MCPI_REPORT_CHECKSUM_KEY "%016" PRIx64 "\"\n}\n",
                     mcpi_fnv1a(MCPI_FNV_OFFSET, body, len));
        rc = o.failed ? MCPI_EIO : 0;
    }
    free(body);
    return rc;
}

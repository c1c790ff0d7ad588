/* report_csv.c - RFC 4180 CSV: one header line, one record per job row
 * (scope "job", fastest first) and, with show_rank_rows, per rank row
 * (scope "rank").  Every field is present; unknown values are empty.
 * Numbers are the shortest decimal that reads back to the same double. */
#include "report_private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi.h"

#define CSV_EOL "\r\n" /* RFC 4180 record separator */
#define CSV_SPECIALS ",\"\r\n"
#define OCL_FIELDS 7 /* ocl_cache .. ocl_process_cpus */

typedef struct csv {
    mcpi__out *o;
    int first; /* no separator before the first field of a record */
} csv;

static void sep(csv *c)
{
    if (!c->first)
        mcpi__put(c->o, ",");
    c->first = 0;
}

static void f_str(csv *c, const char *s)
{
    sep(c);
    /* Text is written as valid UTF-8 (invalid bytes become U+FFFD), so
     * every CSV reader can decode the file. */
    if (!strpbrk(s, CSV_SPECIALS)) {
        mcpi__put_utf8(c->o, s, strlen(s));
        return;
    }
    mcpi__put(c->o, "\"");
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        mcpi__put_utf8(c->o, s, (size_t)(q - s));
        mcpi__put(c->o, "\"\"");
    }
    mcpi__put_utf8(c->o, s, strlen(s));
    mcpi__put(c->o, "\"");
}

static void f_empty(csv *c)
{
    sep(c);
}

static void f_u64(csv *c, uint64_t v)
{
    sep(c);
    mcpi__printf(c->o, "%" PRIu64, v);
}

static void f_int(csv *c, long long v)
{
    sep(c);
    mcpi__printf(c->o, "%lld", v);
}

/* -1 (unknown, not applicable) is an empty field. */
static void f_known(csv *c, int64_t v)
{
    if (v < 0)
        f_empty(c);
    else
        f_int(c, v);
}

static void f_num(csv *c, double v)
{
    char buf[MCPI__NUM_LEN];
    mcpi__fmt_exact(buf, v); /* "" for NaN and infinities */
    sep(c);
    mcpi__put(c->o, buf);
}

static void end_record(csv *c)
{
    mcpi__put(c->o, CSV_EOL);
    c->first = 1;
}

/* Columns after "error" that only some reports have: the time in stones
 * (with a calibration) and the crossover of the row's name (sweeps). */
typedef struct extras {
    const mcpi_calibration *cal;
    const mcpi_crossover *cross; /* NULL unless a sweep */
    size_t ncross;
    int sweep;
} extras;

static void header(csv *c, const extras *x)
{
    static const char *const before_phases[] = {
        "scope",         "rank",       "hostname",   "local_rank",  "ranks",    "name",
        "backend",       "device",     "exact",      "threads",     "seed",     "begin",
        "end",           "samples",    "hits",       "pi",          "stderr",   "err_se",
        "time_median_s", "time_min_s", "time_max_s", "time_mean_s", "time_rsd", "repeats",
        "samples_per_s", "ratio",
    };
    static const char *const after_phases[] = {
        "host_peak_bytes", "host_growth_bytes", "device_bytes",   "device_mem_bytes", "ocl_cache",
        "ocl_launches",    "ocl_global_size",   "ocl_local_size", "ocl_per_item",
        "ocl_compute_units", "ocl_process_cpus", "status", "error",
    };
    for (size_t i = 0; i < sizeof before_phases / sizeof before_phases[0]; i++)
        f_str(c, before_phases[i]);
    for (int p = 0; p < MCPI_PHASE_COUNT; p++) {
        sep(c);
        mcpi__printf(c->o, "phase_%s_s", mcpi_phase_name((mcpi_phase)p));
    }
    for (size_t i = 0; i < sizeof after_phases / sizeof after_phases[0]; i++)
        f_str(c, after_phases[i]);
    if (x->cal)
        f_str(c, "time_median_stones");
    if (x->sweep) {
        f_str(c, "crossover");
        f_str(c, "crossover_samples");
    }
    end_record(c);
}

static void record(csv *c, const char *scope, const mcpi__row *row, const extras *x)
{
    const mcpi_record *r = row->r;
    f_str(c, scope);
    f_int(c, r->rank);
    f_str(c, r->hostname);
    f_int(c, r->local_rank);
    f_int(c, r->ranks);
    f_str(c, r->name);
    f_str(c, r->backend);
    f_str(c, r->device);
    f_int(c, r->exact);
    f_int(c, r->threads);
    f_u64(c, r->seed);
    f_u64(c, r->begin);
    f_u64(c, r->end);
    f_u64(c, r->samples);
    f_u64(c, r->hits);
    f_num(c, row->pi);
    f_num(c, row->se);
    f_num(c, row->err_se);
    f_num(c, row->st.median);
    f_num(c, row->st.min);
    f_num(c, row->st.max);
    f_num(c, row->st.mean);
    f_num(c, row->st.rsd);
    f_int(c, r->repeats);
    f_num(c, row->samples_per_s);
    f_num(c, row->ratio);
    for (int p = 0; p < MCPI_PHASE_COUNT; p++) {
        if (r->phases.mask & (1u << p))
            f_num(c, r->phases.s[p]);
        else
            f_empty(c);
    }
    f_known(c, r->host_peak_bytes);
    f_known(c, r->host_growth_bytes);
    f_known(c, r->device_bytes);
    f_known(c, r->device_mem_bytes);
    const char *cache = mcpi__ocl_cache_name(r->ocl.cache);
    if (cache) {
        f_str(c, cache);
        f_u64(c, r->ocl.launches);
        f_u64(c, r->ocl.global_size);
        f_u64(c, r->ocl.local_size);
        f_u64(c, r->ocl.per_item);
        f_u64(c, r->ocl.compute_units);
        if (r->ocl.process_cpus > 0)
            f_u64(c, r->ocl.process_cpus);
        else
            f_empty(c);
    } else {
        for (int i = 0; i < OCL_FIELDS; i++)
            f_empty(c);
    }
    f_int(c, r->status);
    f_str(c, row->ok ? "" : (r->error[0] ? r->error : mcpi_strerror(r->status)));
    if (x->cal)
        f_num(c, mcpi_stones(x->cal, row->st.median));
    if (x->sweep) {
        /* Job rows name their crossover; the reference and rank rows have none. */
        const mcpi_crossover *cr =
            strcmp(scope, "job") == 0 ? mcpi__crossover_find(x->cross, x->ncross, r->name) : NULL;
        if (cr) {
            f_str(c, mcpi_cross_kind_name(cr->kind));
            if (cr->kind == MCPI_CROSS_NEVER)
                f_empty(c);
            else
                f_u64(c, cr->samples);
        } else {
            f_empty(c);
            f_empty(c);
        }
    }
    end_record(c);
}

/* The job rows (fastest first) and, when asked, the rank rows of one run. */
static int run_records(csv *c, const mcpi_report *rep, const extras *x)
{
    int nomem;
    mcpi__row *rows = mcpi__rows_new(rep->rows, rep->nrows, 1, &nomem);
    if (nomem)
        return MCPI_ENOMEM;
    for (size_t i = 0; i < rep->nrows; i++)
        record(c, "job", &rows[i], x);
    mcpi__rows_free(rows);

    if (rep->show_rank_rows && rep->rank_rows && rep->nrank_rows > 0) {
        rows = mcpi__rows_new(rep->rank_rows, rep->nrank_rows, 0, &nomem);
        if (nomem)
            return MCPI_ENOMEM;
        for (size_t i = 0; i < rep->nrank_rows; i++)
            record(c, "rank", &rows[i], x);
        mcpi__rows_free(rows);
    }
    return 0;
}

/* A sweep is one table: every point's rows in order of N (the samples
 * column tells the points apart), each job row with its name's crossover. */
int mcpi__report_csv(FILE *out, const mcpi_report *rep)
{
    mcpi__out o = {out, 0};
    csv c = {&o, 1};
    const mcpi_calibration *cal = rep->info.calibration;
    extras x = {cal && cal->samples_per_s > 0.0 ? cal : NULL, NULL, 0, rep->sweep != NULL};
    mcpi_crossover *cross = NULL;
    if (rep->sweep) {
        if (mcpi__crossovers_new(rep->sweep, &cross, &x.ncross) != 0)
            return MCPI_ENOMEM;
        x.cross = cross;
    }
    header(&c, &x);
    int rc = 0;
    if (rep->sweep) {
        for (size_t k = 0; k < rep->sweep->npoints && rc == 0; k++) {
            mcpi_report point;
            mcpi__point_report(rep, k, &point);
            rc = run_records(&c, &point, &x);
        }
    } else {
        rc = run_records(&c, rep, &x);
    }
    free(cross);
    if (rc != 0)
        return rc;
    return o.failed ? MCPI_EIO : 0;
}

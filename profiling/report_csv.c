/* report_csv.c - RFC 4180 CSV: one header line, one record per job row
 * (scope "job", fastest first) and, with show_rank_rows, per rank row
 * (scope "rank").  Every field is present; unknown values are empty.
 * Numbers are the shortest decimal that reads back to the same double. */
#include "report_private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"

#define OCL_FIELDS 7 /* ocl_cache .. ocl_process_cpus */

/* Columns after "error" that only some reports have: the time in stones
 * (with a calibration) and the crossover of the row's name (sweeps). */
typedef struct extras {
    const mcpi_calibration *cal;
    const mcpi_crossover *cross; /* NULL unless a sweep */
    size_t ncross;
    int sweep;
} extras;

static void header(mcpi__csv *c, const extras *x)
{
    static const char *const before_phases[] = {
        "scope",         "rank",       "hostname",   "local_rank",  "ranks",    "name",
        "backend",       "device",     "exact",      "threads",     "seed",     "begin",
        "end",           "samples",    "hits",       "pi",          "stderr",   "err_se",
        "time_median_s", "time_min_s", "time_max_s", "time_mean_s", "time_rsd", "repeats",
        "samples_per_s", "ratio",
    };
    static const char *const after_phases[] = {
        "host_peak_bytes",
        "host_growth_bytes",
        "device_bytes",
        "device_mem_bytes",
        "ocl_cache",
        "ocl_launches",
        "ocl_global_size",
        "ocl_local_size",
        "ocl_per_item",
        "ocl_compute_units",
        "ocl_process_cpus",
        "status",
        "error",
        "verify",
        "verified_chunks",
        "verified_samples",
        "workers",
        "worker_shares",
    };
    for (size_t i = 0; i < sizeof before_phases / sizeof before_phases[0]; i++)
        mcpi__csv_str(c, before_phases[i]);
    for (int p = 0; p < MCPI_PHASE_COUNT; p++) {
        mcpi__csv_sep(c);
        mcpi__printf(c->o, "phase_%s_s", mcpi_phase_name((mcpi_phase)p));
    }
    for (size_t i = 0; i < sizeof after_phases / sizeof after_phases[0]; i++)
        mcpi__csv_str(c, after_phases[i]);
    if (x->cal)
        mcpi__csv_str(c, "time_median_stones");
    if (x->sweep) {
        mcpi__csv_str(c, "crossover");
        mcpi__csv_str(c, "crossover_samples");
    }
    mcpi__csv_end(c);
}

/* The OpenCL columns (empty for other rows). */
static void opencl_fields(mcpi__csv *c, const mcpi_record *r)
{
    const char *cache = mcpi__ocl_cache_name(r->ocl.cache);
    if (!cache) {
        for (int i = 0; i < OCL_FIELDS; i++)
            mcpi__csv_empty(c);
        return;
    }
    mcpi__csv_str(c, cache);
    mcpi__csv_u64(c, r->ocl.launches);
    mcpi__csv_u64(c, r->ocl.global_size);
    mcpi__csv_u64(c, r->ocl.local_size);
    mcpi__csv_u64(c, r->ocl.per_item);
    mcpi__csv_u64(c, r->ocl.compute_units);
    if (r->ocl.process_cpus > 0)
        mcpi__csv_u64(c, r->ocl.process_cpus);
    else
        mcpi__csv_empty(c);
}

/* Verification and the workers: "name:samples:chunks" joined by ';'. */
static void scheduler_fields(mcpi__csv *c, const mcpi_record *r)
{
    mcpi__csv_str(c, mcpi_verify_name(r->verify));
    mcpi__csv_u64(c, r->verified_chunks);
    mcpi__csv_u64(c, r->verified_samples);
    mcpi__csv_u64(c, r->nworkers);
    char shares[MCPI_MAX_WORKERS * (MCPI_NAME_LEN + 48)] = "";
    size_t used = 0;
    for (unsigned k = 0; k < r->nworkers && k < MCPI_MAX_WORKERS && used < sizeof shares; ++k) {
        int w =
            snprintf(shares + used, sizeof shares - used, "%s%s:%" PRIu64 ":%" PRIu64, k ? ";" : "",
                     r->workers[k].name, r->workers[k].samples, r->workers[k].chunks);
        used += w > 0 ? (size_t)w : 0;
    }
    mcpi__csv_str(c, shares);
}

/* The columns a report has only sometimes: stones, the crossover. */
static void extra_fields(mcpi__csv *c, const char *scope, const mcpi__row *row, const extras *x)
{
    if (x->cal)
        mcpi__csv_num(c, mcpi_stones(x->cal, row->st.median));
    if (!x->sweep)
        return;
    /* Job rows name their crossover; the reference and rank rows have none. */
    const mcpi_crossover *cr =
        strcmp(scope, "job") == 0 ? mcpi__crossover_find(x->cross, x->ncross, row->r->name) : NULL;
    if (cr) {
        mcpi__csv_str(c, mcpi_cross_kind_name(cr->kind));
        if (cr->kind == MCPI_CROSS_NEVER)
            mcpi__csv_empty(c);
        else
            mcpi__csv_u64(c, cr->samples);
    } else {
        mcpi__csv_empty(c);
        mcpi__csv_empty(c);
    }
}

static void record(mcpi__csv *c, const char *scope, const mcpi__row *row, const extras *x)
{
    const mcpi_record *r = row->r;
    mcpi__csv_str(c, scope);
    mcpi__csv_int(c, r->rank);
    mcpi__csv_str(c, r->hostname);
    mcpi__csv_int(c, r->local_rank);
    mcpi__csv_int(c, r->ranks);
    mcpi__csv_str(c, r->name);
    mcpi__csv_str(c, r->backend);
    mcpi__csv_str(c, r->device);
    mcpi__csv_int(c, r->exact);
    mcpi__csv_int(c, r->threads);
    mcpi__csv_u64(c, r->seed);
    mcpi__csv_u64(c, r->begin);
    mcpi__csv_u64(c, r->end);
    mcpi__csv_u64(c, r->samples);
    mcpi__csv_u64(c, r->hits);
    mcpi__csv_num(c, row->pi);
    mcpi__csv_num(c, row->se);
    mcpi__csv_num(c, row->err_se);
    mcpi__csv_num(c, row->st.median);
    mcpi__csv_num(c, row->st.min);
    mcpi__csv_num(c, row->st.max);
    mcpi__csv_num(c, row->st.mean);
    mcpi__csv_num(c, row->st.rsd);
    mcpi__csv_int(c, r->repeats);
    mcpi__csv_num(c, row->samples_per_s);
    mcpi__csv_num(c, row->ratio);
    for (int p = 0; p < MCPI_PHASE_COUNT; p++) {
        if (r->phases.mask & (1u << p))
            mcpi__csv_num(c, r->phases.s[p]);
        else
            mcpi__csv_empty(c);
    }
    mcpi__csv_known(c, r->host_peak_bytes);
    mcpi__csv_known(c, r->host_growth_bytes);
    mcpi__csv_known(c, r->device_bytes);
    mcpi__csv_known(c, r->device_mem_bytes);
    opencl_fields(c, r);
    mcpi__csv_int(c, r->status);
    mcpi__csv_str(c, row->ok ? "" : (r->error[0] ? r->error : mcpi_strerror(r->status)));
    scheduler_fields(c, r);
    extra_fields(c, scope, row, x);
    mcpi__csv_end(c);
}

/* The job rows (fastest first) and, when asked, the rank rows of one run. */
static int run_records(mcpi__csv *c, const mcpi_report *rep, const extras *x)
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
    mcpi__csv c = {&o, 1};
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

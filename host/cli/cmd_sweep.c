/* cmd_sweep.c - mcpi sweep: the ratio table at each N from --from to --to,
 * then, per row, the crossover against `serial` (the tutorial's "use very
 * small and very large numbers": parallel overhead loses at small N).
 *
 * The points are computed from the arguments alone, so every MPI rank walks
 * the same list and makes the same collective calls; only rank 0 keeps rows
 * and prints. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define SWEEP_REFERENCE "serial"
/* Relative slack when comparing a grid value with --to (10^(j/K) in floating point). */
#define SWEEP_EPS 1e-9

/* The sample counts of the sweep: from * 10^(j/k) for j = 0, 1, ... rounded
 * to integers, while not above to, then to itself; increasing, without
 * duplicates.  Writes up to cap values (out may be NULL) and returns how
 * many there are. */
static size_t sweep_points(uint64_t from, uint64_t to, unsigned k, uint64_t *out, size_t cap)
{
    size_t n = 0;
    uint64_t last = 0;
    long double lo = (long double)from, hi = (long double)to;
    for (unsigned j = 0;; ++j) {
        long double x = lo * powl(10.0L, (long double)j / (long double)k);
        if (x > hi * (1.0L + SWEEP_EPS))
            break;
        uint64_t v = x >= hi ? to : (uint64_t)llroundl(x);
        if (v > to) /* llroundl saturates near 2^63; the test above keeps x <= to */
            v = to;
        if (n == 0 || v > last) {
            if (out != NULL && n < cap)
                out[n] = v;
            ++n;
            last = v;
        }
        if (v == to)
            break;
    }
    if (last != to) {
        if (out != NULL && n < cap)
            out[n] = to;
        ++n;
    }
    return n;
}

/* Adds the reference backend in front of the targets when it is missing.
 * Returns 1 when it was added, 0 when already there, or a negative code. */
static int add_reference(mcpi_target *targets, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; ++i)
        if (strcmp(targets[i].name, name) == 0)
            return 0;
    if (*n >= MCPI_MAX_TARGETS)
        return MCPI_EINVAL;
    mcpi_target ref;
    size_t count = 0;
    char err[MCPI_ERROR_LEN];
    if (mcpi_selection_resolve(name, &ref, 1, &count, err, sizeof err) != MCPI_OK || count != 1)
        return MCPI_EUNAVAIL;
    memmove(&targets[1], &targets[0], *n * sizeof *targets);
    targets[0] = ref;
    ++*n;
    return 1;
}

typedef struct sweep_state {
    uint64_t *samples;
    mcpi_sweep_point *points;
    mcpi_record *rows;      /* npoints x ntargets job rows (rank 0) */
    mcpi_record *rank_rows; /* npoints x ntargets x size (rank 0) */
    size_t npoints;
} sweep_state;

static void sweep_free(sweep_state *s)
{
    free(s->samples);
    free(s->points);
    free(s->rows);
    free(s->rank_rows);
}

/* The points and room for their rows; agreed on by every rank. */
static int sweep_alloc(sweep_state *s, const mcpi_cli *c, size_t ntargets, mcpi_comm *comm)
{
    size_t size = (size_t)comm->size;
    memset(s, 0, sizeof *s);
    s->npoints = sweep_points(c->sweep_from, c->sweep_to, c->steps_per_decade, NULL, 0);
    s->samples = malloc(s->npoints * sizeof *s->samples);
    int nomem = s->samples == NULL;
    if (comm->rank == 0 && !nomem) {
        s->points = calloc(s->npoints, sizeof *s->points);
        s->rows = calloc(s->npoints * ntargets, sizeof *s->rows);
        s->rank_rows = calloc(s->npoints * ntargets * size, sizeof *s->rank_rows);
        nomem = s->points == NULL || s->rows == NULL || s->rank_rows == NULL;
    } else if (!nomem) {
        s->rows = calloc(ntargets, sizeof *s->rows); /* scratch: only rank 0 keeps rows */
        nomem = s->rows == NULL;
    }
    if (nomem)
        fprintf(stderr, "mcpi: sweep: out of memory for %zu points x %zu rows\n", s->npoints,
                ntargets * size);
    int rc = mcpi_agree(comm, nomem ? MCPI_ENOMEM : MCPI_OK);
    if (rc == MCPI_OK)
        sweep_points(c->sweep_from, c->sweep_to, c->steps_per_decade, s->samples, s->npoints);
    return rc;
}

/* Every point's rows; the worst status. */
static int sweep_run(sweep_state *s, mcpi_config *cfg, const mcpi_target *targets, size_t ntargets,
                     mcpi_comm *comm)
{
    size_t size = (size_t)comm->size;
    int worst = MCPI_OK;
    for (size_t k = 0; k < s->npoints; ++k) {
        cfg->samples = s->samples[k];
        if (comm->rank == 0 && !cfg->quiet)
            fprintf(stderr, "mcpi: sweep: N=%llu (%zu/%zu)\n", (unsigned long long)cfg->samples,
                    k + 1, s->npoints);
        mcpi_record *rows = comm->rank == 0 ? &s->rows[k * ntargets] : s->rows;
        mcpi_record *rrows = comm->rank == 0 ? &s->rank_rows[k * ntargets * size] : NULL;
        int st = mcpi_cli_run_rows(cfg, targets, ntargets, comm, rows, rrows);
        if (st < worst)
            worst = st;
        if (comm->rank == 0)
            s->points[k] =
                (mcpi_sweep_point){s->samples[k], rows, ntargets, rrows, ntargets * size};
        /* The sweep stops with the point: interrupted, or a row refused a
         * setting (bad input: one line, the other points would repeat it). */
        if (st == MCPI_EINTERRUPTED || st == MCPI_EINVAL)
            break;
    }
    return worst;
}

/* Rank 0: the sweep's report. */
static int sweep_report(const sweep_state *s, const mcpi_cli *c, const mcpi_config *cfg,
                        const mcpi_comm *comm, const char *reference, int added,
                        const mcpi_calibration *cal)
{
    mcpi_sweep sw;
    memset(&sw, 0, sizeof sw);
    sw.from = c->sweep_from;
    sw.to = c->sweep_to;
    sw.steps_per_decade = c->steps_per_decade;
    sw.reference = reference;
    sw.reference_added = added == 1;
    sw.points = s->points;
    sw.npoints = s->npoints;
    mcpi_report rep;
    memset(&rep, 0, sizeof rep);
    mcpi_cli_run_info(cfg, comm, &rep.info);
    rep.info.samples = c->sweep_to;
    rep.info.calibration = cal;
    rep.show_rank_rows = cfg->per_rank;
    rep.format = cfg->format;
    rep.sweep = &sw;
    return mcpi_cli_emit_report(cfg, &rep);
}

int mcpi_cmd_sweep(mcpi_cli *c, mcpi_comm *comm)
{
    mcpi_config cfg = c->cfg;
    if (cfg.has_range) {
        mcpi_cli_say(comm, "mcpi: --range: not accepted by sweep; use --from and --to");
        return MCPI_EINVAL;
    }
    mcpi_calibration cal;
    int have_cal = 0;
    int rc = mcpi_cli_calibration(&cfg, comm, &cal, &have_cal);
    mcpi_target targets[MCPI_MAX_TARGETS];
    size_t ntargets = 0;
    if (rc == MCPI_OK)
        rc = mcpi_cli_select(&cfg, comm, targets, &ntargets);
    if (rc != MCPI_OK)
        return rc;
    const char *reference = c->reference[0] ? c->reference : SWEEP_REFERENCE;
    int added = add_reference(targets, &ntargets, reference);
    rc = mcpi_agree(comm, added < 0 ? added : MCPI_OK);
    if (rc != MCPI_OK) {
        if (comm->rank == 0)
            fprintf(stderr,
                    "mcpi: --reference: cannot add '%s' to the sweep: it must name one "
                    "available row (serial, simd, threads, opencl:P.D; see mcpi "
                    "devices)\n",
                    reference);
        return rc;
    }
    if (added && comm->rank == 0 && !cfg.quiet)
        fprintf(stderr, "mcpi: sweep: added '%s' as the reference for crossovers\n", reference);

    sweep_state s;
    rc = sweep_alloc(&s, c, ntargets, comm);
    if (rc == MCPI_OK)
        rc = sweep_run(&s, &cfg, targets, ntargets, comm);
    /* Bad input and an interrupted sweep write nothing (exit 2, exit 5). */
    if (rc != MCPI_ENOMEM && rc != MCPI_EINVAL && rc != MCPI_EINTERRUPTED && comm->rank == 0) {
        int wrc = sweep_report(&s, c, &cfg, comm, reference, added, have_cal ? &cal : NULL);
        if (wrc != MCPI_OK && rc == MCPI_OK)
            rc = wrc;
    }
    sweep_free(&s);
    return mcpi_agree(comm, rc);
}

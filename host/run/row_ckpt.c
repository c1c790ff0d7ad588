/* row_ckpt.c - a row's checkpoints: the rules of a checkpointed run, the
 * intervals a resumed run starts from, the first write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "row.h"

#define MCPI_CHECKPOINT_INTERVAL_DEFAULT_S 60.0

/* The rows targets[n] make as the run would make them (under MPI a
 * backend's devices are one row): their count and names. */
static void rows_of(const mcpi_target *t, size_t n, int ranks, char *names, size_t nlen,
                    size_t *rows, int *inexact)
{
    *rows = 0;
    *inexact = 0;
    names[0] = '\0';
    for (size_t i = 0; i < n; ++i) {
        const mcpi_backend *b = t[i].workers[0].backend;
        int seen = 0;
        for (size_t j = 0; ranks > 1 && t[i].nworkers == 1 && j < i; ++j)
            seen |= t[j].nworkers == 1 && t[j].workers[0].backend == b;
        *inexact |= !b->exact;
        if (seen)
            continue;
        size_t used = strlen(names);
        snprintf(names + used, nlen - used, "%s%s", *rows ? ", " : "",
                 ranks > 1 && t[i].nworkers == 1 ? b->name : t[i].name);
        ++*rows;
    }
}

/* The rules every rank can check alone (no file is read). */
static int check_rules(const mcpi_config *cfg, const mcpi_target *t, size_t n, int ranks, char *err,
                       size_t errlen)
{
    if (cfg->checkpoint == NULL && cfg->resume == NULL)
        return MCPI_OK;
    const char *flag = cfg->checkpoint != NULL ? "--checkpoint" : "--resume";
    if (cfg->repeat != 1 || cfg->warmup != 0) {
        mcpi_set_error(err, errlen,
                       "%s: a checkpointed run is one timed pass; add --repeat 1 --warmup 0 "
                       "(got --repeat %u --warmup %u)",
                       flag, cfg->repeat, cfg->warmup);
        return MCPI_EINVAL;
    }
    char names[256];
    size_t rows = 0;
    int inexact = 0;
    rows_of(t, n, ranks, names, sizeof names, &rows, &inexact);
    if (rows != 1) {
        mcpi_set_error(err, errlen,
                       "%s: a checkpointed run has exactly one backend row, but -b/--backend "
                       "'%s' selects %zu (%s); pick one, e.g. -b threads",
                       flag, cfg->backends[0] ? cfg->backends : "all", rows, names);
        return MCPI_EINVAL;
    }
    if (inexact) {
        mcpi_set_error(err, errlen,
                       "%s: %s is not the exact stream: its parts cannot be "
                       "counted apart and added; pick an exact backend",
                       flag, names);
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

int mcpi_run_check(const mcpi_config *cfg, const mcpi_target *targets, size_t n, int ranks,
                   char *err, size_t errlen)
{
    int rc = check_rules(cfg, targets, n, ranks, err, errlen);
    if (rc != MCPI_OK || cfg->resume == NULL)
        return rc;
    mcpi_checkpoint c;
    rc = mcpi_checkpoint_read(cfg->resume, &c, err, errlen);
    if (rc == MCPI_OK)
        rc =
            mcpi_checkpoint_match(&c, cfg->resume, cfg->seed, cfg->has_range ? cfg->range_begin : 0,
                                  cfg->has_range ? cfg->range_end : cfg->samples, err, errlen);
    mcpi_checkpoint_free(&c);
    return rc;
}

int mcpi_checkpoint_describe(const char *path, mcpi_checkpoint_run *run, char *err, size_t errlen)
{
    memset(run, 0, sizeof *run);
    mcpi_checkpoint c;
    int rc = mcpi_checkpoint_read(path, &c, err, errlen);
    if (rc == MCPI_OK) {
        run->seed = c.seed;
        run->begin = c.begin;
        run->end = c.end;
        run->done = mcpi_intervals_samples(&c.done);
        snprintf(run->row, sizeof run->row, "%s", c.row);
    }
    mcpi_checkpoint_free(&c);
    return rc;
}

/* Rank 0: reads the resumed intervals (when resuming) and writes the
 * checkpoint once, so an unwritable path fails before any work. */
static int first_write(mcpi_row *r, const mcpi_config *cfg, char *err, size_t errlen)
{
    mcpi_checkpoint c;
    mcpi_checkpoint_init(&c);
    int rc = MCPI_OK;
    if (cfg->resume != NULL) {
        rc = mcpi_checkpoint_read(cfg->resume, &c, err, errlen);
        if (rc == MCPI_OK)
            rc = mcpi_checkpoint_match(&c, cfg->resume, cfg->seed, r->begin, r->end, err, errlen);
    }
    if (rc == MCPI_OK) {
        snprintf(c.version, sizeof c.version, "%s", MCPI_VERSION_STRING);
        snprintf(c.row, sizeof c.row, "%s", r->t->name);
        c.seed = cfg->seed;
        c.begin = r->begin;
        c.end = r->end;
        rc = mcpi_checkpoint_write(r->path, &c, err, errlen);
    }
    if (rc == MCPI_OK) {
        rc = mcpi_intervals_copy(&r->before, &c.done);
        r->before_s = c.elapsed_s;
        if (rc != MCPI_OK)
            mcpi_set_error(err, errlen, "--resume: out of memory for the counted intervals");
    }
    mcpi_checkpoint_free(&c);
    return rc;
}

/* Rank 0's resumed intervals to every rank: their count, then their numbers
 * (sums where the others add 0). */
static int share_before(mcpi_row *r, mcpi_comm *comm)
{
    uint64_t n = comm->rank == 0 ? r->before.n : 0;
    double s = comm->rank == 0 ? r->before_s : 0;
    if (comm->sum_u64(comm, &n, 1) != MCPI_OK || comm->max_doubles(comm, &s, 1) != MCPI_OK)
        return MCPI_EMPI;
    r->before_s = s;
    if (n == 0)
        return MCPI_OK;
    uint64_t *v = calloc((size_t)n * 3, sizeof *v);
    if (v == NULL)
        mcpi_comm_fail(comm, MCPI_ENOMEM, "--resume: sharing the counted intervals");
    for (size_t i = 0; comm->rank == 0 && i < n; ++i) {
        v[3 * i] = r->before.v[i].begin;
        v[3 * i + 1] = r->before.v[i].end;
        v[3 * i + 2] = r->before.v[i].hits;
    }
    int rc = comm->sum_u64(comm, v, (int)(3 * n));
    if (rc == MCPI_OK && comm->rank != 0) {
        mcpi_intervals_clear(&r->before);
        for (size_t i = 0; i < n && rc == MCPI_OK; ++i)
            rc = mcpi_intervals_add(&r->before, v[3 * i], v[3 * i + 1], v[3 * i + 2]);
    }
    free(v);
    return rc == MCPI_EMPI ? rc : (rc == MCPI_OK ? MCPI_OK : MCPI_ENOMEM);
}

int mcpi_row_checkpoint(mcpi_row *r, const mcpi_config *cfg, mcpi_comm *comm, char *err,
                        size_t errlen)
{
    r->checkpointing = cfg->checkpoint != NULL || cfg->resume != NULL;
    r->path = cfg->checkpoint != NULL ? cfg->checkpoint : cfg->resume;
    if (!r->checkpointing)
        return MCPI_OK;
    int rc = mcpi_agree(comm, check_rules(cfg, r->t, 1, comm->size, err, errlen));
    if (rc == MCPI_OK) /* installed by main already; a library caller gets them here */
        rc = mcpi_agree(comm, mcpi_stop_install(err, errlen));
    if (rc == MCPI_OK)
        rc = mcpi_agree(comm, comm->rank == 0 ? first_write(r, cfg, err, errlen) : MCPI_OK);
    if (rc == MCPI_OK)
        rc = mcpi_agree(comm, share_before(r, comm));
    return rc;
}

/* The checkpoint settings of a row's passes. */
double mcpi_row_interval(const mcpi_config *cfg)
{
    return cfg->checkpoint_interval_s > 0 ? cfg->checkpoint_interval_s
                                          : MCPI_CHECKPOINT_INTERVAL_DEFAULT_S;
}

/* select.c - the rows of a run, agreed on by every rank (mcpi_select):
 * resolve the --backend list, let --backend auto choose, bind several
 * devices of one backend to the local ranks, check checkpoint rules.
 *
 * Every step ends in one agreement (mcpi_agree), so a rank that fails
 * alone (a node without the device) fails the job on every rank with the
 * same status, and none waits for another. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto.h"
#include "mcpi.h"

/* Under MPI, several single-device rows of one backend become one row named
 * after the backend: local rank k takes device k mod count, and its record
 * names the device it used. */
static int bind_rows(mcpi_target *t, size_t *n, const mcpi_comm *comm)
{
    mcpi_target *in = malloc(*n * sizeof *in); /* targets are large: not on the stack */
    if (in == NULL)
        return MCPI_ENOMEM;
    size_t nin = *n, out = 0;
    memcpy(in, t, nin * sizeof *in);
    for (size_t i = 0; i < nin; ++i) {
        const mcpi_backend *b = in[i].workers[0].backend;
        size_t count = 0, first = nin;
        for (size_t j = 0; in[i].nworkers == 1 && j < nin; ++j)
            if (in[j].nworkers == 1 && in[j].workers[0].backend == b) {
                first = first < j ? first : j;
                ++count;
            }
        if (count <= 1) {
            t[out++] = in[i];
            continue;
        }
        if (first != i)
            continue; /* this backend's row was made at its first device */
        size_t pick = mcpi_local_device(comm, count);
        for (size_t j = 0, seen = 0; j < nin; ++j)
            if (in[j].nworkers == 1 && in[j].workers[0].backend == b && seen++ == pick) {
                t[out] = in[j];
                mcpi_device_desc *d = &t[out].workers[0].dev;
                snprintf(d->description, sizeof d->description, "%.20s %.100s", in[j].name,
                         in[j].workers[0].dev.description);
            }
        snprintf(t[out].name, sizeof t[out].name, "%s", b->name);
        ++out;
    }
    *n = out;
    free(in);
    return MCPI_OK;
}

/* Inside a row of several workers, several devices of one backend are
 * shared out the same way: each rank keeps device k mod count of them. */
static void bind_workers(mcpi_target *t, const mcpi_comm *comm)
{
    mcpi_target_worker in[MCPI_MAX_WORKERS];
    size_t nin = t->nworkers, out = 0;
    memcpy(in, t->workers, nin * sizeof *in);
    for (size_t i = 0; i < nin; ++i) {
        size_t count = 0, index = 0;
        for (size_t j = 0; j < nin; ++j)
            if (in[j].backend == in[i].backend) {
                index += j < i;
                ++count;
            }
        if (count == 1 || index == mcpi_local_device(comm, count))
            t->workers[out++] = in[i];
    }
    t->nworkers = out;
}

static int bind_devices(mcpi_target *t, size_t *n, const mcpi_comm *comm)
{
    if (comm->size == 1 || *n == 0)
        return MCPI_OK;
    if (bind_rows(t, n, comm) != MCPI_OK)
        return MCPI_ENOMEM;
    for (size_t i = 0; i < *n; ++i)
        if (t[i].nworkers > 1)
            bind_workers(&t[i], comm);
    return MCPI_OK;
}

/* Rank 0: probes the auto candidates and returns the index of the one
 * predicted fastest for share samples, or (negative) the status of the
 * failure: MCPI_EUNAVAIL, MCPI_EINVAL when a candidate refused a setting,
 * MCPI_ENOMEM; err says why. */
static int probe_pick(const mcpi_config *cfg, const mcpi_comm *comm, const mcpi_target *t, size_t n,
                      uint64_t share, mcpi_auto_model *model, mcpi_auto_source *source, char *err,
                      size_t errlen)
{
    mcpi_target *cand = malloc(n * sizeof *cand); /* targets are large: not on the stack */
    if (cand == NULL) {
        mcpi_set_error(err, errlen, "--backend auto: out of memory");
        return MCPI_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
        if (t[i].auto_candidate)
            cand[k++] = t[i];
    /* probe as the run will open them: threads divided among local ranks */
    mcpi_config probe_cfg = *cfg;
    probe_cfg.ranks_per_node = (unsigned)comm->local_size;
    int pick = MCPI_EUNAVAIL;
    int rc = mcpi_auto_model_get(cand, k, &probe_cfg, 0, model, source, err, errlen);
    if (rc == MCPI_OK) {
        size_t c = mcpi_auto_choose(model, share);
        for (size_t i = 0; i < k && pick < 0; ++i)
            if (strcmp(cand[i].name, model->e[c].name) == 0)
                pick = (int)i;
        if (pick < 0)
            mcpi_set_error(err, errlen, "--backend auto: the model names no candidate");
    } else if (rc == MCPI_EINVAL || rc == MCPI_ENOMEM) {
        pick = rc; /* a candidate refused a setting: bad input, as a row's refusal is */
    }
    free(cand);
    return pick;
}

/* Keeps the pick-th candidate at the first candidate's place, drops the
 * rest; returns the kept row's index. */
static size_t keep_pick(mcpi_target *t, size_t *n, int pick)
{
    size_t first = *n, out = 0, seen = 0;
    mcpi_target chosen;
    memset(&chosen, 0, sizeof chosen);
    for (size_t i = 0; i < *n; ++i)
        if (t[i].auto_candidate) {
            first = first < i ? first : i;
            if (seen++ == (size_t)pick)
                chosen = t[i];
        }
    for (size_t i = 0; i < *n; ++i) {
        if (!t[i].auto_candidate)
            t[out++] = t[i];
        else if (i == first)
            t[out++] = chosen;
    }
    *n = out;
    return first;
}

/* --backend auto: rank 0 probes the candidates, predicts each one's time
 * for its rank's share of N and picks the fastest; every rank takes the
 * same pick.  The candidates collapse into the chosen row, in place. */
static int choose_auto(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *t, size_t *n,
                       char *err, size_t errlen)
{
    size_t ncand = 0;
    for (size_t i = 0; i < *n; ++i)
        ncand += t[i].auto_candidate != 0;
    if (ncand == 0)
        return MCPI_OK;
    mcpi_auto_model model;
    mcpi_auto_source source = MCPI_AUTO_PROBED;
    uint64_t share = cfg->samples / (uint64_t)comm->size + (cfg->samples % comm->size != 0);
    int pick = INT_MAX; /* index among the candidates; rank 0 decides */
    if (comm->rank == 0)
        pick = probe_pick(cfg, comm, t, *n, share, &model, &source, err, errlen);
    pick = mcpi_agree(comm, pick);
    if (pick < 0) /* the status: unavailable, or a setting refused */
        return pick;
    mcpi_target *c = &t[keep_pick(t, n, pick)];
    c->auto_candidate = 0;
    if (comm->rank == 0) {
        size_t m = mcpi_auto_choose(&model, share);
        c->auto_predicted_s = mcpi_auto_predict(&model.e[m], share);
        mcpi_auto_explain(&model, m, share, c->auto_note, sizeof c->auto_note);
        size_t used = strlen(c->auto_note);
        snprintf(c->auto_note + used, sizeof c->auto_note - used, " (model %s)",
                 source == MCPI_AUTO_CACHED ? "from the cache; mcpi calibrate re-probes"
                 : cfg->no_cache            ? "probed now, not cached (--no-cache)"
                                            : "probed now and cached");
    }
    return MCPI_OK;
}

int mcpi_select(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *targets, size_t *count,
                char *err, size_t errlen)
{
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    *count = 0;
    int rc = mcpi_selection_resolve(cfg->backends, targets, MCPI_MAX_TARGETS, count, err, errlen);
    if (rc != MCPI_OK && comm->size > 1) {
        size_t used = strlen(err);
        snprintf(err + used, errlen - used, " (on this rank's node)");
    }
    int agreed = mcpi_agree(comm, rc);
    if (agreed != MCPI_OK)
        return agreed;
    rc = choose_auto(cfg, comm, targets, count, err, errlen);
    if (rc != MCPI_OK)
        return rc; /* agreed in choose_auto */
    rc = bind_devices(targets, count, comm);
    if (rc != MCPI_OK)
        mcpi_set_error(err, errlen, "--backend: out of memory");
    if ((rc = mcpi_agree(comm, rc)) != MCPI_OK)
        return rc;
    /* --checkpoint/--resume are refused here, before any row runs or any
     * report is written: one line, exit 2, no output file. */
    rc = comm->rank == 0 ? mcpi_run_check(cfg, targets, *count, comm->size, err, errlen) : MCPI_OK;
    return mcpi_agree(comm, rc);
}

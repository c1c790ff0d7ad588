/* row.c - a row's workers on this rank: opening them, the row's record made
 * from theirs, each pass's figures, and this rank's share of the row. */
#include "row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

/* The OpenCL details of the row's first OpenCL worker (several workers):
 * its launches and geometry, which its count calls keep current. */
static void first_ocl(const mcpi_row *r, mcpi_record *mine)
{
    for (size_t k = 0; k < r->nw; ++k)
        if (r->wrec[k] != NULL && r->wrec[k]->ocl.cache >= 0) {
            mine->ocl = r->wrec[k]->ocl;
            return;
        }
}

/* The row's record from its workers' (several workers): devices joined,
 * threads and device memory summed, one-time phases summed (the devices
 * were opened one after the other), the first OpenCL worker's details. */
static void compose_record(const mcpi_row *r, mcpi_record *mine)
{
    mine->device[0] = '\0';
    mine->threads = 0;
    mine->device_bytes = mine->device_mem_bytes = -1;
    for (size_t k = 0; k < r->nw; ++k) {
        const mcpi_record *w = r->wrec[k];
        size_t used = strlen(mine->device);
        snprintf(mine->device + used, sizeof mine->device - used, "%s%.*s", k ? " + " : "",
                 (int)(sizeof mine->device / r->nw), w->device);
        mine->threads += w->threads;
        if (w->device_bytes >= 0)
            mine->device_bytes =
                (mine->device_bytes < 0 ? 0 : mine->device_bytes) + w->device_bytes;
        if (w->device_mem_bytes >= 0)
            mine->device_mem_bytes =
                (mine->device_mem_bytes < 0 ? 0 : mine->device_mem_bytes) + w->device_mem_bytes;
        for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
            if ((w->phases.mask & (1u << p)) && mcpi_phase_once((mcpi_phase)p))
                mcpi_phases_add(&mine->phases, (mcpi_phase)p, w->phases.s[p]);
    }
    first_ocl(r, mine);
}

int mcpi_row_open(mcpi_row *r, const mcpi_target *t, const mcpi_config *cfg, mcpi_record *mine,
                  char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    mcpi_intervals_init(&r->before);
    mcpi_intervals_init(&r->share);
    r->t = t;
    r->nw = t->nworkers;
    mine->nworkers = (unsigned)t->nworkers;
    for (size_t k = 0; k < r->nw; ++k) {
        mcpi_worker *w = &r->w[k];
        w->backend = t->workers[k].backend;
        w->dev = t->workers[k].dev;
        snprintf(mine->workers[k].name, sizeof mine->workers[k].name, "%s", w->dev.id);
        w->rec = mine;
        if (r->nw > 1) { /* each worker's own record, composed below */
            if ((r->wrec[k] = malloc(sizeof *r->wrec[k])) == NULL) {
                mcpi_set_error(err, errlen, "%s: out of memory", t->name);
                return MCPI_ENOMEM;
            }
            mcpi_record_init(r->wrec[k]);
            w->rec = r->wrec[k];
        }
        int rc = w->backend->open(&w->dev, cfg, &w->state, w->rec, err, errlen);
        if (rc != MCPI_OK)
            return rc;
        r->opened = k + 1;
        snprintf(mine->workers[k].device, sizeof mine->workers[k].device, "%s", w->rec->device);
    }
    mcpi_stop_reassert(); /* opening may have compiled kernels (see mcpi_stop_reassert) */
    if (r->nw > 1)
        compose_record(r, mine);
    int rc = mcpi_sched_crew_create(&r->crew, r->nw);
    if (rc == MCPI_ENOMEM)
        mcpi_set_error(err, errlen, "%s: out of memory for the threads of its workers", t->name);
    else if (rc != MCPI_OK)
        mcpi_set_error(err, errlen, "%s: cannot start the threads of its workers", t->name);
    return rc;
}

void mcpi_row_close(mcpi_row *r)
{
    mcpi_sched_crew_destroy(r->crew);
    for (size_t k = 0; k < r->opened; ++k)
        r->w[k].backend->close(r->w[k].state);
    for (size_t k = 0; k < MCPI_MAX_WORKERS; ++k)
        free(r->wrec[k]);
    mcpi_intervals_free(&r->before);
    mcpi_intervals_free(&r->share);
    memset(r, 0, sizeof *r);
}

/* ---- this rank's share ------------------------------------------------------ */

/* This rank's rate for the row: a short count on every worker (or the test
 * hook's).  Samples/s, 0 when unknown. */
static double probe_rate(mcpi_row *r, const mcpi_config *cfg, const mcpi_comm *comm)
{
    double rate = 0;
    if (mcpi_fault_rank_rate(comm->rank, &rate))
        return rate;
    for (size_t k = 0; k < r->nw; ++k) {
        mcpi_phases ph;
        mcpi_phases_clear(&ph);
        uint64_t hits;
        char err[MCPI_ERROR_LEN];
        double t0 = mcpi_now();
        uint64_t n = 1ull << 22;
        if (mcpi_sched_count_once(&r->w[k], cfg->seed, 0, n, &hits, &ph, err, sizeof err) ==
            MCPI_OK) {
            double dt = mcpi_now() - t0;
            r->w[k].rate = dt > 0 ? (double)n / dt : 0;
            rate += r->w[k].rate;
        }
    }
    return rate;
}

/* Rank 0 cuts the to-do list by the ranks' rates and tells every rank its
 * piece: cut[size + 1] on every rank. */
static int balanced_cuts(mcpi_row *r, const mcpi_config *cfg, mcpi_comm *comm, uint64_t *cut)
{
    size_t size = (size_t)comm->size;
    double *rate = calloc(size, sizeof *rate);
    if (rate == NULL)
        mcpi_comm_fail(comm, MCPI_ENOMEM, "--balance: the ranks' rates");
    rate[comm->rank] = probe_rate(r, cfg, comm);
    if (comm->max_doubles(comm, rate, comm->size) != MCPI_OK)
        comm->abort(comm, mcpi_exit_code(MCPI_EMPI));
    if (comm->rank == 0)
        mcpi_split_weighted(r->todo_samples, rate, size, cut);
    else
        memset(cut, 0, (size + 1) * sizeof *cut);
    free(rate);
    /* rank 0's cuts to everyone: a sum where the others add 0 */
    return comm->sum_u64(comm, cut, comm->size + 1);
}

int mcpi_row_share(mcpi_row *r, const mcpi_config *cfg, mcpi_comm *comm, char *err, size_t errlen)
{
    mcpi_intervals todo;
    mcpi_intervals_init(&todo);
    int rc = mcpi_intervals_complement(&r->before, r->begin, r->end, &todo);
    r->todo_samples = mcpi_intervals_samples(&todo);
    uint64_t off = 0, len = 0;
    if (cfg->balance && comm->size > 1) {
        uint64_t *cut = malloc(((size_t)comm->size + 1) * sizeof *cut);
        if (cut == NULL)
            mcpi_comm_fail(comm, MCPI_ENOMEM, "--balance: the ranks' shares");
        if (balanced_cuts(r, cfg, comm, cut) != MCPI_OK)
            comm->abort(comm, mcpi_exit_code(MCPI_EMPI));
        off = cut[comm->rank];
        len = cut[comm->rank + 1] - off;
        free(cut);
    } else {
        uint64_t b, e;
        mcpi_split_range(0, r->todo_samples, (uint64_t)comm->size, (uint64_t)comm->rank, &b, &e);
        off = b;
        len = e - b;
    }
    if (rc == MCPI_OK)
        rc = mcpi_intervals_slice(&todo, off, len, &r->share);
    mcpi_intervals_free(&todo);
    if (rc != MCPI_OK)
        mcpi_set_error(err, errlen, "%s: out of memory", r->t->name);
    return mcpi_agree(comm, rc);
}

/* ---- one pass's figures ----------------------------------------------------- */

void mcpi_row_book_pass(const mcpi_row *r, const mcpi_sched_pass *p, int timed, mcpi_record *mine,
                        mcpi_phases *pass_phases)
{
    mcpi_phases_clear(pass_phases);
    for (size_t k = 0; k < r->nw; ++k) {
        const mcpi_worker_pass *wp = &p->w[k];
        mcpi_worker_record *w = &mine->workers[k];
        w->verified_chunks += wp->verified_chunks;
        w->verified_samples += wp->verified_samples;
        mine->verified_chunks += wp->verified_chunks;
        mine->verified_samples += wp->verified_samples;
        /* per pass: the slowest worker's time in each phase */
        for (int ph = 0; ph < MCPI_PHASE_COUNT; ++ph)
            if ((wp->ph.mask & (1u << ph)) &&
                (!(pass_phases->mask & (1u << ph)) || wp->ph.s[ph] > pass_phases->s[ph])) {
                pass_phases->s[ph] = 0;
                mcpi_phases_add(pass_phases, (mcpi_phase)ph, wp->ph.s[ph]);
            }
        if (!timed)
            continue;
        w->samples = wp->samples;
        w->hits = wp->hits;
        w->chunks = wp->chunks;
        w->busy_s = wp->busy_s;
        w->idle_s = p->elapsed_s > wp->finish_s ? p->elapsed_s - wp->finish_s : 0;
    }
    mine->verify_s += p->verify_s;
    if (r->nw > 1)
        first_ocl(r, mine);
}

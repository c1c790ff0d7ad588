/* sched_tick.c - the ticks of a pass (see sched_ctx.h): every
 * MCPI_SCHED_TICK_S, and whenever a rank's list is done, every rank agrees
 * in one step on stop requests, failures, the samples done (progress) and
 * whether to save a checkpoint.  Only the calling thread ticks, so the MPI
 * calls stay on one thread (MPI_THREAD_FUNNELED). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "sched_ctx.h"

void sched_ticks_start(sched_ctx *x)
{
    x->ticks.next = x->t0 + MCPI_SCHED_TICK_S;
    x->ticks.last_save = x->t0;
}

/* This rank's counted chunks, leaving out workers that failed verification. */
static int local_done(sched_ctx *x, mcpi_intervals *out)
{
    int rc = MCPI_OK;
    pthread_mutex_lock(&x->mu);
    for (size_t k = 0; k < x->nw && rc == MCPI_OK; ++k)
        if (!x->bad[k])
            rc = mcpi_intervals_add_all(out, &x->wdone[k]);
    pthread_mutex_unlock(&x->mu);
    return rc;
}

/* Every rank's counted chunks to rank 0, added to all there (collective). */
static int gather_done(sched_ctx *x, mcpi_intervals *all)
{
    mcpi_comm *c = x->comm;
    mcpi_intervals mine;
    mcpi_intervals_init(&mine);
    int rc = local_done(x, &mine);
    double most = (double)mine.n;
    if (c->max_doubles(c, &most, 1) != MCPI_OK)
        c->abort(c, mcpi_exit_code(MCPI_EMPI));
    size_t slots = 1 + 3 * (size_t)most;
    uint64_t *pack = calloc(slots, sizeof *pack);
    uint64_t *every = c->rank == 0 ? calloc(slots * (size_t)c->size, sizeof *every) : NULL;
    if (pack == NULL || (c->rank == 0 && every == NULL)) /* a gather cannot be half-joined */
        mcpi_comm_fail(c, MCPI_ENOMEM, "--checkpoint: gathering the counted intervals");
    pack[0] = mine.n;
    for (size_t i = 0; i < mine.n; ++i) {
        pack[1 + 3 * i] = mine.v[i].begin;
        pack[2 + 3 * i] = mine.v[i].end;
        pack[3 + 3 * i] = mine.v[i].hits;
    }
    if (c->gather_bytes(c, pack, slots * sizeof *pack, every) != MCPI_OK)
        c->abort(c, mcpi_exit_code(MCPI_EMPI));
    for (int r = 0; c->rank == 0 && r < c->size && rc == MCPI_OK; ++r) {
        const uint64_t *q = every + (size_t)r * slots;
        for (uint64_t i = 0; i < q[0] && rc == MCPI_OK; ++i)
            rc = mcpi_intervals_add(all, q[1 + 3 * i], q[2 + 3 * i], q[3 + 3 * i]);
    }
    free(every);
    free(pack);
    mcpi_intervals_free(&mine);
    return rc;
}

int sched_save(sched_ctx *x, char *err, size_t errlen)
{
    const mcpi_sched_ckpt *ck = x->ticks.ck;
    mcpi_checkpoint c;
    mcpi_checkpoint_init(&c);
    int rc = x->comm->rank == 0 ? mcpi_intervals_copy(&c.done, ck->before) : MCPI_OK;
    int grc = gather_done(x, &c.done); /* collective whatever rank 0's copy did */
    if (rc == MCPI_OK)
        rc = grc;
    if (x->comm->rank == 0 && rc == MCPI_OK) {
        snprintf(c.version, sizeof c.version, "%s", MCPI_VERSION_STRING);
        snprintf(c.row, sizeof c.row, "%s", ck->row);
        c.seed = ck->seed;
        c.begin = ck->begin;
        c.end = ck->end;
        c.elapsed_s = ck->before_s + (mcpi_now() - x->t0);
        c.ranks = x->comm->size;
        rc = mcpi_checkpoint_write(ck->path, &c, err, errlen);
    } else if (rc == MCPI_ENOMEM) {
        mcpi_set_error(err, errlen, "--checkpoint: out of memory gathering the counted intervals");
    } else if (rc != MCPI_OK) {
        mcpi_set_error(err, errlen, "--checkpoint: the counted intervals overlap (internal error)");
    }
    mcpi_checkpoint_free(&c);
    x->ticks.last_save = mcpi_now();
    return mcpi_agree(x->comm, rc);
}

static void report_progress(sched_ctx *x, uint64_t completed, int last)
{
    const mcpi_config *cfg = x->cfg;
    if (x->comm->rank != 0 || cfg->hooks.progress == NULL)
        return;
    mcpi_progress p = {x->ticks.row,
                       x->ticks.pass,
                       x->ticks.done_before + completed,
                       x->ticks.total,
                       completed,
                       mcpi_now() - x->t0,
                       last};
    cfg->hooks.progress(cfg->hooks.ctx, &p);
}

/* One agreed step.  Returns 1 when every rank is done. */
static int tick(sched_ctx *x, int done_here)
{
    mcpi_comm *c = x->comm;
    const mcpi_sched_ckpt *ck = x->ticks.ck;
    mcpi_stop_reassert(); /* a kernel compiled since the last tick may have taken SIGUSR1 */
    pthread_mutex_lock(&x->mu);
    uint64_t s[2] = {x->completed, done_here ? 0u : 1u};
    double m[3] = {(double)mcpi_stop_pending(), -(double)x->status,
                   c->rank == 0 && ck != NULL && mcpi_now() - x->ticks.last_save >= ck->interval_s
                       ? 1.0
                       : 0.0};
    pthread_mutex_unlock(&x->mu);
    if (c->sum_u64(c, s, 2) != MCPI_OK || c->max_doubles(c, m, 3) != MCPI_OK)
        c->abort(c, mcpi_exit_code(MCPI_EMPI)); /* no agreement is possible */
    int all_done = s[1] == 0;
    if (m[0] > 0 || m[1] > 0) { /* a stop request, or a failure somewhere */
        pthread_mutex_lock(&x->mu);
        x->stop = 1;
        if (m[0] > 0 && x->stop_signo == 0)
            x->stop_signo = (int)m[0];
        pthread_mutex_unlock(&x->mu);
    }
    /* A periodic save; the last one comes after the recount (scheduler.c). */
    if (m[2] > 0 && !all_done) {
        char why[MCPI_ERROR_LEN] = "";
        int rc = sched_save(x, why, sizeof why);
        if (rc != MCPI_OK) {
            pthread_mutex_lock(&x->mu);
            sched_fail(x, rc, why);
            pthread_mutex_unlock(&x->mu);
        }
    }
    report_progress(x, s[0], all_done);
    double now = mcpi_now();
    x->ticks.next += MCPI_SCHED_TICK_S;
    if (x->ticks.next < now)
        x->ticks.next = now + MCPI_SCHED_TICK_S;
    return all_done;
}

void sched_tick_if_due(sched_ctx *x)
{
    if (mcpi_now() >= x->ticks.next)
        tick(x, 0);
}

/* The absolute time t (mcpi_now's clock) as a CLOCK_REALTIME deadline for
 * pthread_cond_timedwait. */
static struct timespec deadline(double t)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    double wait = t - mcpi_now();
    if (wait < 0)
        wait = 0;
    long long ns = (long long)ts.tv_nsec + (long long)(wait * 1e9);
    ts.tv_sec += (time_t)(ns / 1000000000LL);
    ts.tv_nsec = (long)(ns % 1000000000LL);
    return ts;
}

void sched_ticks_finish(sched_ctx *x)
{
    pthread_mutex_lock(&x->mu);
    while (x->running > 0) {
        struct timespec ts = deadline(x->ticks.next);
        int rc = pthread_cond_timedwait(&x->cv, &x->mu, &ts);
        if (rc == ETIMEDOUT || mcpi_now() >= x->ticks.next) {
            pthread_mutex_unlock(&x->mu);
            tick(x, 0);
            pthread_mutex_lock(&x->mu);
        }
    }
    pthread_mutex_unlock(&x->mu);
    while (!tick(x, 1)) {
    }
}

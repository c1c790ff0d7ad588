/* sched_ctx.h (private to the scheduler) - the state of one pass, shared by
 * its worker threads (under mu) and the calling thread's ticks
 * (scheduler.c, sched_tick.c). */
#ifndef MCPI_SCHED_CTX_H
#define MCPI_SCHED_CTX_H

#include <pthread.h>

#include "scheduler.h"
#include "sched_plan.h"

/* What the ticks of a pass need: progress, checkpoints, their clocks. */
typedef struct sched_ticks {
    const char *row, *pass;
    uint64_t total, done_before; /* samples of the row's range, counted earlier */
    const mcpi_sched_ckpt *ck;
    double next, last_save;
} sched_ticks;

typedef struct sched_ctx {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a worker finished its loop */
    mcpi_worker *w;
    size_t nw;
    const mcpi_config *cfg;
    mcpi_comm *comm;
    mcpi_plan plan;
    /* what was counted: per worker (so a worker that fails verification
     * can be left out of the checkpoint), the recount list, figures */
    mcpi_intervals wdone[MCPI_MAX_WORKERS];
    mcpi_chunks recount;
    mcpi_worker_pass wp[MCPI_MAX_WORKERS];
    int bad[MCPI_MAX_WORKERS]; /* worker failed verification */
    uint64_t completed, hits;
    size_t running; /* workers still in their loop */
    int stop;       /* take no more chunks */
    int stop_signo; /* the agreed stop request */
    int status;     /* this rank's first failure */
    char err[MCPI_ERROR_LEN];
    double t0;
    sched_ticks ticks;
} sched_ctx;

/* Records this rank's first failure and stops the pass (under mu). */
void sched_fail(sched_ctx *x, int rc, const char *msg);

/* The ticks (sched_tick.c), all on the calling thread. */
void sched_ticks_start(sched_ctx *x);
/* After each of worker 0's chunks: a tick when one is due. */
void sched_tick_if_due(sched_ctx *x);
/* Waits for this rank's other workers (ticking meanwhile), then ticks with
 * every rank until every rank is done. */
void sched_ticks_finish(sched_ctx *x);
/* Saves the checkpoint (collective): what earlier sessions counted and what
 * every rank's workers counted, without those that failed verification.
 * Rank 0 writes; its status (with the line in err) is agreed. */
int sched_save(sched_ctx *x, char *err, size_t errlen);

#endif /* MCPI_SCHED_CTX_H */

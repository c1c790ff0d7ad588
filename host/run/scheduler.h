/* scheduler.h (private to the engine) - the scheduler: the one way a row's
 * range is counted (DESIGN section 3).
 *
 * A row is a set of workers, each an opened backend device.  One pass
 * counts a to-do list of sample intervals (this rank's share of the row's
 * range, or of what a checkpoint left) by handing out contiguous chunks
 * from its front: each chunk sized from its worker's measured rate to take
 * about MCPI_SCHED_CHUNK_S, and, when several workers share the row, no
 * more than half of that worker's proportional share of what is left, so
 * the chunks shrink toward the end and the workers finish together (guided
 * self-scheduling).  The chunks are disjoint and cover the list: the hits
 * are exact by construction, whatever the plan.
 *
 * Worker 0 runs on the calling thread, the others on the row's crew of
 * threads (created once per row, not per pass).
 * Between its chunks the calling thread keeps the pass's clock: every
 * MCPI_SCHED_TICK_S (and when this rank's list is done) all ranks agree,
 * in one step, on stop requests, failures, progress and whether to save a
 * checkpoint; a rank whose list is done takes part in every further step
 * until every rank is done, so the ranks' collective calls always match.
 * Progress only reads what the steps report: it never changes a chunk.
 *
 * Verification: among each worker's chunks the scheduler reserves a few
 * small ones at random positions of the list (MCPI_VERIFY_SAMPLE), counted
 * by that worker with the same code path and launch geometry as the rest
 * (MCPI_COUNT_VERIFY: the backend keeps its per-item work and vector path
 * and uses fewer work-groups or threads' shares), and recounts them with
 * the reference core after the pass's clock has stopped.  A mismatch fails
 * the row.  MCPI_VERIFY_FULL recounts every chunk; MCPI_VERIFY_OFF none.
 * A backend off the exact stream (naive) cannot be split: its share is one
 * chunk and it is never verified. */
#ifndef MCPI_SCHEDULER_H
#define MCPI_SCHEDULER_H

#include <stdint.h>

#include "intervals.h"
#include "mcpi.h"

/* About this much work per chunk once a worker's rate is known: the stop
 * latency after a signal and the granularity of the end of a row. */
#define MCPI_SCHED_CHUNK_S 0.25
/* How often the ranks agree during a pass (stop requests, progress). */
#define MCPI_SCHED_TICK_S 0.25

/* One worker of a row: an opened backend device and what the scheduler
 * learned of it (kept from pass to pass). */
typedef struct mcpi_worker {
    const mcpi_backend *backend;
    mcpi_device_desc dev;
    void *state;      /* from backend->open */
    mcpi_record *rec; /* the backend's record of this device (open, counts) */
    double rate;      /* samples/s measured in earlier chunks; 0 = unknown */
} mcpi_worker;

/* What one pass did with one worker. */
typedef struct mcpi_worker_pass {
    uint64_t samples, hits, chunks;
    uint64_t verified_chunks, verified_samples;
    double busy_s;   /* in its counts */
    double finish_s; /* from the pass's start to the end of its last chunk */
    mcpi_phases ph;  /* the backend's phases, summed over its chunks */
} mcpi_worker_pass;

/* Where a pass keeps checkpoints: the file, its interval, and what earlier
 * sessions counted (NULL when the run does not checkpoint). */
typedef struct mcpi_sched_ckpt {
    const char *path;
    double interval_s;
    const mcpi_intervals *before; /* counted before this session (resume) */
    double before_s;              /* their counting time */
    uint64_t seed, begin, end;    /* the row's range */
    const char *row;              /* the row's name */
} mcpi_sched_ckpt;

typedef struct mcpi_sched_pass {
    uint64_t hits;       /* this rank's hits in this pass */
    mcpi_intervals done; /* this rank's completed chunks (merged) */
    double elapsed_s;    /* from the start to this rank's last chunk */
    int stop_signo;      /* a stop request ended the pass early (agreed) */
    double verify_s;     /* the reference recount, outside elapsed_s */
    mcpi_worker_pass w[MCPI_MAX_WORKERS];
} mcpi_sched_pass;

/* Threads for workers 1..n-1 of a row, kept from pass to pass (NULL for
 * a row of one worker).  0, MCPI_ENOMEM or MCPI_EBACKEND. */
typedef struct mcpi_sched_crew mcpi_sched_crew;
int mcpi_sched_crew_create(mcpi_sched_crew **crew, size_t nworkers);
/* Stops and joins the crew's threads (no pass may be running); accepts NULL. */
void mcpi_sched_crew_destroy(mcpi_sched_crew *crew);

/* Counts todo with workers[0..n) (collective: every rank calls it, with its
 * own share).  cfg gives the seed, the verification mode and the hooks
 * (progress: samples done of total_samples, the row's whole range; done_before
 * counted in earlier sessions).  ck (may be NULL) saves checkpoints.  Fills
 * out (free out->done with mcpi_intervals_free) and returns the status
 * agreed by every rank: MCPI_EINTERRUPTED when a stop request ended the pass
 * before the list was done; a worker's failure or a failed verification with
 * its line in err (on the rank that saw it). */
int mcpi_sched_pass_run(mcpi_worker *workers, size_t n, mcpi_sched_crew *crew,
                        const mcpi_config *cfg, mcpi_comm *comm, const mcpi_intervals *todo,
                        const char *row, const char *pass, uint64_t total_samples,
                        uint64_t done_before, const mcpi_sched_ckpt *ck, mcpi_sched_pass *out,
                        char *err, size_t errlen);

/* Counts [begin, end) with one opened worker as one chunk, through the
 * scheduler's code path but without ranks (auto's probe, calibration). */
int mcpi_sched_count_once(mcpi_worker *w, uint64_t seed, uint64_t begin, uint64_t end,
                          uint64_t *hits, mcpi_phases *ph, char *err, size_t errlen);

#endif /* MCPI_SCHEDULER_H */

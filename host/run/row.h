/* row.h (private to the engine) - a row being run on this rank: its workers,
 * what earlier sessions counted, this rank's share of what is left (row.c,
 * row_ckpt.c; the runner in runner.c walks it through its passes). */
#ifndef MCPI_ROW_H
#define MCPI_ROW_H

#include "intervals.h"
#include "mcpi.h"
#include "scheduler.h"

typedef struct mcpi_row {
    const mcpi_target *t;
    mcpi_worker w[MCPI_MAX_WORKERS];
    mcpi_record *wrec[MCPI_MAX_WORKERS]; /* the workers' own records (several workers) */
    size_t nw, opened;
    mcpi_sched_crew *crew; /* threads for workers 1..nw-1 */
    uint64_t begin, end;   /* the row's range */
    /* checkpoints */
    int checkpointing;     /* --checkpoint or --resume */
    const char *path;      /* the file written (--checkpoint, else --resume) */
    mcpi_intervals before; /* counted by earlier sessions (every rank has them) */
    double before_s;
    /* this rank's share of what is left */
    mcpi_intervals share;
    uint64_t todo_samples; /* of the whole job: the range less before */
} mcpi_row;

/* Opens every worker of t; with one worker the backend fills mine (the
 * row's record), with several each fills its own and the row's record is
 * composed from theirs.  0 or the first failure with its line in err. */
int mcpi_row_open(mcpi_row *r, const mcpi_target *t, const mcpi_config *cfg, mcpi_record *mine,
                  char *err, size_t errlen);
/* Closes what was opened and frees the row; accepts a row never opened. */
void mcpi_row_close(mcpi_row *r);

/* Checkpoint setup (collective): the rules, the resumed intervals (read on
 * rank 0, shared with every rank), the file written once before any work.
 * The agreed status, with the reason in err where it arose. */
int mcpi_row_checkpoint(mcpi_row *r, const mcpi_config *cfg, mcpi_comm *comm, char *err,
                        size_t errlen);

/* Seconds between checkpoints (--checkpoint-interval, default 60). */
double mcpi_row_interval(const mcpi_config *cfg);

/* This rank's share of what is left (collective): split evenly, or with
 * --balance in proportion to each rank's probed rate.  0 or a status. */
int mcpi_row_share(mcpi_row *r, const mcpi_config *cfg, mcpi_comm *comm, char *err, size_t errlen);

/* Adds one pass's figures to the row's record: the workers' shares (of the
 * last timed pass), what was verified (every pass), the per-worker phases. */
void mcpi_row_book_pass(const mcpi_row *r, const mcpi_sched_pass *p, int timed, mcpi_record *mine,
                        mcpi_phases *pass_phases);

#endif /* MCPI_ROW_H */

/* mcpi_mpi.h - the ranks layer: how the ranks of one job talk, split the
 * work, agree, and turn every rank's record into the job's row.
 *
 * A job is one or more ranks behind an mcpi_comm.  mcpi_comm_self() is the
 * one-process job (every collective the identity); mcpi_mpi_init() gives one
 * over MPI_COMM_WORLD (built only with MCPI_WITH_MPI; mpi/comm_mpi.c is the
 * one file that includes mpi.h).  Everything else here is plain C over the
 * interface, so it always compiles and is unit-tested with a fake
 * communicator of several ranks in one process.
 *
 * Errors: 0 or a negative MCPI_E* status (mcpi_profile.h).  A collective
 * that fails leaves its message ("mcpi: comm_mpi.c:52: MPI_Allreduce
 * failed: ...") in comm->error.  Agreement is the rule of every collective
 * decision: each rank passes its local verdict, every rank acts on the same
 * agreed one; when a collective itself fails no agreement is possible and
 * the job is ended with comm->abort, never left half-decided. */
#ifndef MCPI_MPI_H
#define MCPI_MPI_H

#include <stddef.h>
#include <stdint.h>

#include "mcpi_profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the communicator ---------------------------------------------------- */

typedef struct mcpi_comm mcpi_comm;
struct mcpi_comm {
    int rank, size;             /* in the job */
    int local_rank, local_size; /* on this node */
    char hostname[MCPI_HOST_LEN];
    void *impl;
    /* The message of the last collective that failed ("" when none). */
    char error[MCPI_ERROR_LEN];
    int (*barrier)(mcpi_comm *c);
    /* Element-wise sums of n unsigned 64-bit integers over ranks (wrapping
     * modulo 2^64); every rank gets them.  With one rank contributing and
     * the others 0 it is a broadcast. */
    int (*sum_u64)(mcpi_comm *c, uint64_t *v, int n);
    /* Element-wise max of n doubles over ranks; every rank gets it. */
    int (*max_doubles)(mcpi_comm *c, double *v, int n);
    /* Minimum of an int over ranks (statuses are negative: the worst wins). */
    int (*min_int)(mcpi_comm *c, int *v);
    /* Gathers len bytes from every rank into all[size * len] on rank 0, in
     * rank order (all unused elsewhere).  Every rank runs the same binary,
     * so records travel as bytes. */
    int (*gather_bytes)(mcpi_comm *c, const void *mine, size_t len, void *all);
    /* Ends every rank of the job at once with exit code code; does not
     * return.  Used only when agreement is impossible. */
    void (*abort)(mcpi_comm *c, int code);
    /* Splits the job (collective over c): the ranks that pass the same
     * color >= 0 get a communicator of their own in *sub, numbered in c's
     * rank order, with its own node-local numbering; a rank that passes
     * MCPI_COMM_NO_COLOR gets none (sub->size 0, nothing to release).
     * `mcpi scale --ranks` counts one row on the first p ranks this way.
     * 0, MCPI_ENOMEM or MCPI_EMPI (message in c->error). */
    int (*split)(mcpi_comm *c, int color, mcpi_comm *sub);
    /* Frees what split gave sub; accepts a sub of size 0. */
    void (*release)(mcpi_comm *sub);
    /* A barrier for ranks with nothing to do meanwhile: it sleeps between
     * polls (about 1 ms) instead of spinning, so the ranks that do count
     * keep their cores (MPI's blocking collectives busy-wait). */
    int (*idle_barrier)(mcpi_comm *c);
};

#define MCPI_COMM_NO_COLOR (-1)

/* A one-process communicator (rank 0 of 1, hostname from gethostname).
 * Its abort ends the process with the code, as MPI_Abort ends a job. */
void mcpi_comm_self(mcpi_comm *c);

/* ---- splitting ------------------------------------------------------------ */

/* Splits [begin, end) into parts contiguous, ordered ranges whose sizes
 * differ by at most one; part k gets [*b, *e).  Exact for every range and
 * parts >= 1 (parts > end - begin gives empty ranges), no overflow for
 * ranges up to 2^64-1 samples. */
void mcpi_split_range(uint64_t begin, uint64_t end, uint64_t parts, uint64_t k, uint64_t *b,
                      uint64_t *e);

/* Cuts [0, n) into parts contiguous pieces in proportion to the weights
 * w[parts] (each rank's rate, --balance): piece k is [cut[k], cut[k + 1]),
 * cut[0] = 0 and cut[parts] = n, so the pieces cover [0, n) exactly
 * whatever the weights.  Weights that are not finite and positive count
 * as 0; when none is, the split is the even one. */
void mcpi_split_weighted(uint64_t n, const double *w, uint64_t parts, uint64_t *cut);

/* Which of count devices this rank drives when one row has several devices
 * of one backend: local rank k takes device k mod count.  count >= 1. */
size_t mcpi_local_device(const mcpi_comm *c, size_t count);

/* ---- agreement ------------------------------------------------------------- */

/* The smallest of every rank's value, on every rank: for statuses the
 * worst wins; a verdict only one rank computes is agreed by the others
 * passing INT_MAX.  When the collective fails the job is aborted with the
 * exit code of MCPI_EMPI: no rank could know what the others decided. */
int mcpi_agree(mcpi_comm *c, int value);

/* Ends the job from a point this rank cannot leave without the others (it
 * cannot join a collective they are in): one line on this rank's stderr,
 * "mcpi: [rank R: ]WHAT: <mcpi_strerror(status)>", then c->abort with the
 * exit code of status.  The one place below the command line that prints:
 * the process ends here, so nothing above could say why. */
void mcpi_comm_fail(mcpi_comm *c, int status, const char *what);

/* ---- the job's row ---------------------------------------------------------- */

/* The error a rank records when it stopped only because another rank
 * failed; the job's row names the rank that failed first on its own. */
#define MCPI_COLLATERAL_ERROR "stopped because another rank failed"

/* Folds every rank's record of one row into the job's row (rank 0): hits
 * total_hits over [begin, end), each timed repeat the slowest rank's
 * (slowest[repeats]), threads summed, memory and phases the largest rank's,
 * device memory summed, the first rank that failed on its own as the
 * row's error. */
void mcpi_fold_job(mcpi_record *job, const mcpi_record *all, int size, uint64_t total_hits,
                   const double *slowest, uint64_t begin, uint64_t end);
/* Part of the fold: worker k of the job row is worker k of every rank's row
 * (samples, hits, chunks and verified work summed; busy and idle times the
 * largest). */
void mcpi_fold_workers(mcpi_record *job, const mcpi_record *all, int size);

/* ---- the MPI communicator (MCPI_WITH_MPI builds only) ----------------------- */

/* 1 when this process was started by an MPI launcher (mpirun, mpiexec,
 * srun --mpi=pmix, hydra: their environment variables say so), else 0.
 * MCPI_MPI=1 forces 1 and MCPI_MPI=0 forces 0; any other value is -1 (the
 * caller refuses it rather than guess).  A plain ./mcpi does not
 * initialise MPI at all: MPI_Init costs time and ~70 MB of resident memory
 * that would show up in every row's host peak. */
int mcpi_mpi_launched(void);

/* Initialises MPI and fills comm with a communicator over a duplicate of
 * MPI_COMM_WORLD (errors returned, not fatal) and the node-local numbering
 * (MPI_Comm_split_type, MPI_COMM_TYPE_SHARED).  0, or MCPI_EMPI with the
 * reason in err (MPI has then been aborted where it had started). */
int mcpi_mpi_init(int *argc, char ***argv, mcpi_comm *comm, char *err, size_t errlen);

/* Releases the communicators and finalises MPI. */
void mcpi_mpi_finalize(mcpi_comm *comm);

#ifdef __cplusplus
}
#endif
#endif /* MCPI_MPI_H */

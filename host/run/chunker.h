/* chunker.h (private to the engine) - passes counted in chunks: checkpoints,
 * resume, progress and stop requests (chunker.c).
 *
 * The job's range is walked in chunks from its start; each chunk is split
 * over the ranks and its hits summed at once, so after every chunk all
 * ranks know that samples [begin, begin + done) were counted with H hits: a
 * prefix that does not depend on the backend or the rank count, which is
 * what a checkpoint stores and what --resume continues.  Chunks are sized
 * from the slowest rank's last chunk to take about MCPI_CHUNK_TARGET_S, so
 * the two small collectives per chunk cost nothing measurable; the chunk
 * boundary is also where a stop signal is agreed on. */
#ifndef MCPI_CHUNKER_H
#define MCPI_CHUNKER_H

#include "mcpi.h"

/* What the chunked mode knows; identical on every rank. */
typedef struct mcpi_chunker {
    int on;            /* passes run in chunks (agreed by every rank) */
    int progress;      /* this rank reports progress (rank 0, with a hook) */
    int checkpointing; /* --checkpoint or --resume */
    const char *path;  /* the checkpoint file written (--checkpoint, else --resume) */
    double interval_s;
    uint64_t begin, end;  /* the job's range */
    uint64_t start_done;  /* resumed prefix: samples [begin, begin + start_done) */
    uint64_t start_hits;  /* ... and its hits */
    double start_elapsed; /* counting time of earlier sessions */
    /* the last pass */
    uint64_t rank_hits, rank_samples; /* this rank's share */
    uint64_t job_hits;                /* every rank's hits in this session's part */
} mcpi_chunker;

/* Decides whether passes run in chunks (a checkpoint, or a progress hook on
 * rank 0), checks the checkpoint rules, reads the resumed prefix (rank 0),
 * writes the checkpoint once and shares the prefix.  Collective; returns the
 * agreed status, with the reason in err on the rank(s) that failed. */
int mcpi_chunker_setup(mcpi_chunker *ck, const mcpi_config *cfg, mcpi_comm *comm, char *err,
                       size_t errlen);

/* One pass over the job's range (from the resumed prefix) in chunks.  Every
 * rank gets the same *hits: the job's hits over this session's part.
 * Returns this rank's status; MCPI_EINTERRUPTED on every rank when a stop
 * request ended the pass (the checkpoint is written).  pass names the
 * repeat for progress ("" or " (repeat 2/3)"). */
int mcpi_chunked_pass(mcpi_chunker *ck, const mcpi_config *cfg, const mcpi_target *t,
                      void *state, mcpi_comm *comm, mcpi_record *mine, const char *pass,
                      uint64_t *hits, mcpi_phases *ph, char *err, size_t errlen);

#endif /* MCPI_CHUNKER_H */

/* checkpoint.h (private to the engine) - the checkpoint file of --checkpoint
 * and --resume.
 *
 * A checkpoint says "of samples [begin, end) of the stream for seed, these
 * intervals were counted, with these hits": the completed chunks of the
 * scheduler, merged where they touch.  Any row, backend and rank count can
 * count the complement exactly, because every exact backend counts the same
 * samples (DESIGN section 1).
 *
 * The file is small text, one "key value" line each, in this order:
 *
 *     mcpi-checkpoint 2
 *     version 0.1.0          mcpi that wrote it (informational)
 *     seed 42
 *     samples 1000000        end - begin, for the reader's eyes (checked)
 *     begin 0
 *     end 1000000
 *     done 500000            samples counted: the sum of the intervals
 *     hits 392699            inside samples among them: the sum too
 *     elapsed_s 1.25         counting time spent so far, all sessions
 *     row threads            the row that wrote it (informational)
 *     ranks 3                (informational)
 *     intervals 2
 *     interval 0 250000 196040        [begin, end) and hits, sorted, disjoint
 *     interval 500000 750000 196659
 *     fnv1a64 0123456789abcdef
 *
 * The last line is the FNV-1a 64-bit hash of every byte before it.  A file
 * that does not have exactly this shape, whose hash does not match, or whose
 * numbers are inconsistent (intervals outside [begin, end), overlapping or
 * unsorted, hits above an interval's length, sums that differ) is refused.
 * Format 1 (mcpi before the scheduler: "done" samples of a prefix, with a
 * "backend" line and no intervals) is read as the one interval [begin,
 * begin + done).  Files are replaced atomically (temporary file in the same
 * directory, fsync, rename, fsync of the directory), so a crash or kill -9 at
 * any moment leaves the previous or the new checkpoint, never a mix. */
#ifndef MCPI_CHECKPOINT_H
#define MCPI_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "intervals.h"
#include "mcpi.h"

#define MCPI_CHECKPOINT_FORMAT 2
/* Largest checkpoint file read: a few hundred bytes plus ~60 per interval. */
#define MCPI_CHECKPOINT_MAX_BYTES (16u << 20)

typedef struct mcpi_checkpoint {
    char version[32];
    uint64_t seed, begin, end; /* the run: samples [begin, end) */
    mcpi_intervals done;       /* counted, with their hits */
    double elapsed_s;          /* counting time so far (all sessions) */
    char row[MCPI_NAME_LEN];
    int ranks;
} mcpi_checkpoint;

void mcpi_checkpoint_init(mcpi_checkpoint *ck);
/* Frees the intervals; accepts NULL. */
void mcpi_checkpoint_free(mcpi_checkpoint *ck);

/* ck's text in a malloc'd buffer (*text, *len bytes, NUL after them).
 * MCPI_EINVAL when ck is inconsistent, MCPI_ENOMEM. */
int mcpi_checkpoint_encode(const mcpi_checkpoint *ck, char **text, size_t *len);

/* Parses len bytes of a checkpoint into ck (initialised here).  MCPI_EINVAL
 * with the reason (no "mcpi: " prefix, no file name) in why on anything but
 * a valid file; MCPI_ENOMEM. */
int mcpi_checkpoint_decode(const char *buf, size_t len, mcpi_checkpoint *ck, char *why,
                           size_t whylen);

/* Replaces path atomically with ck.  MCPI_EIO or MCPI_ENOMEM with a line
 * naming --checkpoint and the path in err. */
int mcpi_checkpoint_write(const char *path, const mcpi_checkpoint *ck, char *err, size_t errlen);

/* Reads and checks path into ck (initialised here).  MCPI_EINVAL (corrupt,
 * truncated, unreadable, not a regular file) or MCPI_ENOMEM with a line
 * naming --resume and the path in err. */
int mcpi_checkpoint_read(const char *path, mcpi_checkpoint *ck, char *err, size_t errlen);

/* Checks that ck belongs to the run (seed, [begin, end)).  MCPI_EINVAL with
 * a line naming --resume, the path, and both runs in err. */
int mcpi_checkpoint_match(const mcpi_checkpoint *ck, const char *path, uint64_t seed,
                          uint64_t begin, uint64_t end, char *err, size_t errlen);

#endif /* MCPI_CHECKPOINT_H */

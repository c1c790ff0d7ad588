/* checkpoint.h (private to the engine) - the checkpoint file of --checkpoint and
 * --resume.
 *
 * A checkpoint says "samples [begin, begin + done) of the stream for seed
 * were counted and hits of them were inside": a prefix of the run's range,
 * which any backend and any rank count can continue exactly, because every
 * backend counts the same samples (DESIGN section 1).
 *
 * The file is small text, one "key value" line each, in this order:
 *
 *     mcpi-checkpoint 1
 *     version 0.1.0          mcpi that wrote it (informational)
 *     seed 42
 *     samples 1000000        end - begin, for the reader's eyes (checked)
 *     begin 0
 *     end 1000000
 *     done 500000            samples [begin, begin+done) are counted
 *     hits 392699            inside samples among them
 *     elapsed_s 1.25         counting time spent so far, all sessions
 *     backend threads        what wrote it (informational)
 *     ranks 3                (informational)
 *     fnv1a64 0123456789abcdef
 *
 * The last line is the FNV-1a 64-bit hash of every byte before it.  A file
 * that does not have exactly this shape, whose hash does not match, or
 * whose numbers are inconsistent (done > end - begin, hits > done) is
 * refused.  Files are replaced atomically (temporary file in the same
 * directory, fsync, rename, fsync of the directory), so a crash or kill -9
 * at any moment leaves the previous or the new checkpoint, never a mix. */
#ifndef MCPI_CHECKPOINT_H
#define MCPI_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "mcpi.h"

#define MCPI_CHECKPOINT_FORMAT 1
/* Largest checkpoint file read; real ones are about 250 bytes. */
#define MCPI_CHECKPOINT_MAX_BYTES 4096

typedef struct mcpi_checkpoint {
    char version[32];
    uint64_t seed, begin, end; /* the run: samples [begin, end) */
    uint64_t done, hits;       /* prefix counted, hits in it */
    double elapsed_s;          /* counting time so far (all sessions) */
    char backend[MCPI_NAME_LEN];
    int ranks;
} mcpi_checkpoint;

/* Writes ck's text into buf (cap bytes, NUL-terminated); *len gets its
 * length.  MCPI_EINVAL when it does not fit or ck is inconsistent. */
int mcpi_checkpoint_encode(const mcpi_checkpoint *ck, char *buf, size_t cap, size_t *len);

/* Parses len bytes of a checkpoint.  MCPI_EINVAL with the reason (no
 * "mcpi: " prefix, no file name) in why on anything but a valid file. */
int mcpi_checkpoint_decode(const char *buf, size_t len, mcpi_checkpoint *ck, char *why,
                           size_t whylen);

/* Replaces path atomically with ck.  MCPI_EIO with a line naming
 * --checkpoint and the path in err. */
int mcpi_checkpoint_write(const char *path, const mcpi_checkpoint *ck, char *err, size_t errlen);

/* Reads and checks path.  MCPI_EINVAL (corrupt, truncated, unreadable) with
 * a line naming --resume and the path in err. */
int mcpi_checkpoint_read(const char *path, mcpi_checkpoint *ck, char *err, size_t errlen);

/* Checks that ck belongs to the run (seed, [begin, end)).  MCPI_EINVAL with
 * a line naming --resume, the path, and both runs in err. */
int mcpi_checkpoint_match(const mcpi_checkpoint *ck, const char *path, uint64_t seed,
                          uint64_t begin, uint64_t end, char *err, size_t errlen);

#endif /* MCPI_CHECKPOINT_H */

/* fsutil.h (private to host/) - files written whole or not at all, and the
 * cache directory shared by the OpenCL program cache and the calibration.
 *
 * Every file mcpi writes (reports, checkpoints, calibrations, cache entries)
 * goes through mcpi_write_atomic, so readers see the old file or the new
 * one, never a torn one, and no temporary is left behind on any failure. */
#ifndef MCPI_FSUTIL_H
#define MCPI_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Who may read a file written by mcpi_write_atomic. */
typedef enum {
    MCPI_FILE_SHARED, /* 0644 less the umask, as open(path, ..., 0644) would make it */
    MCPI_FILE_PRIVATE /* 0600: the OpenCL cache, like the rest of ~/.cache */
} mcpi_file_mode;

/* Writes path atomically: writer fills a temporary file made by mkstemp in
 * path's directory, which is flushed, fsynced, closed and renamed over path;
 * the directory is then fsynced (best effort: some file systems refuse).
 * label names what the user asked for ("-o/--output", "--checkpoint") and
 * starts the one-line message "LABEL: cannot STEP 'PATH': reason" in err.
 * Returns 0; writer's own code when it fails; otherwise MCPI_EIO, with errno
 * left at the cause.  The temporary is removed on every failure. */
int mcpi_write_atomic(const char *path, const char *label, mcpi_file_mode mode,
                      int (*writer)(FILE *out, const void *ctx), const void *ctx, char *err,
                      size_t errlen);
/* mcpi_write_atomic of len bytes at data. */
int mcpi_write_atomic_bytes(const char *path, const char *label, mcpi_file_mode mode,
                            const void *data, size_t len, char *err, size_t errlen);
/* Checks, before any work, that mcpi_write_atomic could write path: it is
 * not a directory and a temporary can be made (and is removed) beside it.
 * 0, or MCPI_EINVAL (bad input) with "LABEL: ..." in err. */
int mcpi_probe_writable(const char *path, const char *label, char *err, size_t errlen);

/* The cache directory: $MCPI_CACHE_DIR, else $XDG_CACHE_HOME/mcpi, else
 * $HOME/.cache/mcpi (empty variables count as unset); not created.
 * MCPI_EUNAVAIL when none is set, MCPI_EINVAL when the path does not fit in
 * dirlen; err says which. */
int mcpi_cache_dir(char *dir, size_t dirlen, char *err, size_t errlen);
/* mkdir -p: creates dir and its missing parents.  0, or -1 with errno
 * (ENOTDIR when dir exists but is not a directory). */
int mcpi_make_dirs(const char *dir);

/* FNV-1a 64 of len bytes, continuing from h (start with MCPI_FNV_OFFSET):
 * the checksums and cache keys of the files above. */
#define MCPI_FNV_OFFSET 0xcbf29ce484222325ull
uint64_t mcpi_fnv1a(uint64_t h, const void *data, size_t len);
/* FNV-1a 64 of the strings parts[0..n), each with its NUL (so that "ab","c"
 * and "a","bc" differ); NULL counts as "". */
uint64_t mcpi_hash_parts(const char *const *parts, size_t n);

#endif /* MCPI_FSUTIL_H */

/* mcpi_opencl.h - the optional OpenCL backend's public side: the embedded
 * kernel source and the program-binary cache.  No OpenCL types appear here,
 * so the CLI and tests can include it without CL/cl.h; everything declared
 * below exists only in builds with MCPI_WITH_OPENCL (the backend table
 * itself, mcpi_backend_opencl, is declared in mcpi.h and always exists).
 *
 * What the OpenCL backend tells its caller (mcpi_config.hooks.note; the
 * command line prints it on stderr):
 *   - a failed program build: the device, the options and the full build log
 *     (MCPI_NOTE_BUILD_LOG, "OpenCL build log for ..." to "mcpi: end of build
 *     log"); open() then returns MCPI_EBUILD with a one-line summary in err
 *     (which names the device and the CL error code);
 *   - warnings from the program-binary cache, which never fails a run: an
 *     entry is corrupt ("warning: ignoring corrupt OpenCL cache entry PATH;
 *     rebuilding"; the entry is then rewritten, so the warning comes once) or
 *     the cache directory cannot be created or written (once per process).
 * A run's record says what the cache did: rec->ocl.cache is 0 (miss: built
 * from source), 1 (hit: loaded) or 2 (bypassed by --no-cache), and the BUILD
 * phase holds the build or load time.
 *
 * Error convention: as in mcpi.h (0 or a negative MCPI_E* code). */
#ifndef MCPI_OPENCL_H
#define MCPI_OPENCL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel's OpenCL C source as embedded at build time (kernels/
 * mcpi_portable.h + mcpi_core.h + mcpi_kernel.cl), NUL-terminated;
 * mcpi_kernel_source_len excludes the NUL. */
extern const char mcpi_kernel_source[];
extern const size_t mcpi_kernel_source_len;

/* Longest cache path mcpi handles (directory + entry name). */
#define MCPI_OPENCL_PATH_LEN 4096

/* Resolves the program-binary cache directory without creating it:
 * $MCPI_CACHE_DIR, else $XDG_CACHE_HOME/mcpi, else $HOME/.cache/mcpi (empty
 * variables count as unset), the directory that also holds mcpi calibrate's
 * calibration.json.  MCPI_EUNAVAIL when none is set (no HOME), and
 * MCPI_EINVAL when the path does not fit in dirlen; err says which. */
int mcpi_opencl_cache_dir(char *dir, size_t dirlen, char *err, size_t errlen);

/* 64-bit FNV-1a over nparts strings, each followed by a NUL byte, so
 * {"ab","c"} and {"a","bc"} differ.  The cache key of a program binary is this
 * hash of: kernel source, build options, platform name, platform version,
 * device name, driver version (and device version), see backend_opencl.c. */
uint64_t mcpi_opencl_cache_key(const char *const *parts, size_t nparts);

/* Path of the entry for key inside dir: "DIR/opencl-<16 hex digits>.bin".
 * 0, or MCPI_EINVAL when it does not fit. */
int mcpi_opencl_cache_path(const char *dir, uint64_t key, char *path, size_t pathlen);

/* Outcome of a cache lookup. */
typedef enum {
    MCPI_CACHE_ABSENT = 0, /* no entry (or no usable cache directory) */
    MCPI_CACHE_FOUND = 1,  /* *data holds the program binary */
    MCPI_CACHE_CORRUPT = 2 /* an entry exists but failed validation (warned) */
} mcpi_cache_lookup;

/* Looks the entry for key up in the cache directory.  On MCPI_CACHE_FOUND,
 * *data (free() it) and *len hold the validated binary.  An entry that is
 * corrupt, truncated or not a regular file gives MCPI_CACHE_CORRUPT; the
 * caller warns, rebuilds and stores over it.  path (may be NULL) receives
 * the entry's path.  Never fails the run. */
mcpi_cache_lookup mcpi_opencl_cache_load(uint64_t key, unsigned char **data, size_t *len,
                                         char *path, size_t pathlen);

/* Stores a program binary for key atomically: creates the directory (and its
 * parents), writes a temporary file in it, fsyncs, renames it over the entry.
 * Returns 0, or MCPI_EIO with the warning ("warning: cannot ... continuing
 * without caching") in err: an unwritable cache is never an error for the run. */
int mcpi_opencl_cache_store(uint64_t key, const unsigned char *data, size_t len, char *err,
                            size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* MCPI_OPENCL_H */

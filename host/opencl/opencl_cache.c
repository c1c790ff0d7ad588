/* opencl_cache.c - the on-disk cache of built OpenCL program binaries.
 *
 * One file per key, "opencl-<key as 16 hex digits>.bin", in the directory of
 * mcpi_opencl_cache_dir().  Layout (integers little-endian, whatever the
 * host), a fixed 40-byte header then the binary:
 *
 *   offset  size  field
 *        0     8  magic "MCPIOCLB"
 *        8     4  format version (MCPI_CACHE_VERSION)
 *       12     4  header size (40)
 *       16     8  key (the hash the file name encodes, checked again)
 *       24     8  payload length in bytes (must equal file size - 40)
 *       32     8  FNV-1a 64 of the payload
 *       40     n  the program binary as clGetProgramInfo(CL_PROGRAM_BINARIES)
 *
 * Entries are written to a temporary file in the same directory, fsynced and
 * renamed over the entry, so readers (other ranks on the node, concurrent
 * runs) see either the old entry or the new one, never a torn file.  Anything
 * that fails validation is reported and treated as a miss; the rebuilt binary
 * then replaces it.  A cache that cannot be written never fails a run.
 * Nothing here prints: the backend turns a corrupt entry or an unwritable
 * cache into a warning for the caller's hooks. */
#include "mcpi_opencl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "mcpi.h"

#define MCPI_CACHE_MAGIC "MCPIOCLB"
#define MCPI_CACHE_VERSION 1u
#define MCPI_CACHE_HEADER 40u
/* Larger entries are not program binaries of this kernel: treat as corrupt. */
#define MCPI_CACHE_MAX_PAYLOAD ((uint64_t)1 << 30)

uint64_t mcpi_opencl_cache_key(const char *const *parts, size_t nparts)
{
    return mcpi_hash_parts(parts, nparts);
}

int mcpi_opencl_cache_dir(char *dir, size_t dirlen, char *err, size_t errlen)
{
    return mcpi_cache_dir(dir, dirlen, err, errlen);
}

int mcpi_opencl_cache_path(const char *dir, uint64_t key, char *path, size_t pathlen)
{
    int n = snprintf(path, pathlen, "%s/opencl-%016llx.bin", dir, (unsigned long long)key);
    return n < 0 || (size_t)n >= pathlen ? MCPI_EINVAL : 0;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | p[i];
    return v;
}

/* Validates an entry read whole (text, len bytes) and returns its payload
 * (malloc'd) or NULL. */
static unsigned char *parse_entry(const unsigned char *text, size_t size, uint64_t key, size_t *len)
{
    if (size < MCPI_CACHE_HEADER)
        return NULL;
    const unsigned char *hdr = text;
    uint64_t n = get_u64(hdr + 24);
    if (memcmp(hdr, MCPI_CACHE_MAGIC, 8) != 0 || get_u32(hdr + 8) != MCPI_CACHE_VERSION ||
        get_u32(hdr + 12) != MCPI_CACHE_HEADER || get_u64(hdr + 16) != key || n == 0 ||
        n > MCPI_CACHE_MAX_PAYLOAD || n != (uint64_t)size - MCPI_CACHE_HEADER)
        return NULL;
    const unsigned char *payload = text + MCPI_CACHE_HEADER;
    if (mcpi_fnv1a(MCPI_FNV_OFFSET, payload, (size_t)n) != get_u64(hdr + 32))
        return NULL;
    unsigned char *data = malloc((size_t)n);
    if (data != NULL) {
        memcpy(data, payload, (size_t)n);
        *len = (size_t)n;
    }
    return data;
}

mcpi_cache_lookup mcpi_opencl_cache_load(uint64_t key, unsigned char **data, size_t *len,
                                         char *path, size_t pathlen)
{
    char dir[MCPI_OPENCL_PATH_LEN], file[MCPI_OPENCL_PATH_LEN], err[MCPI_ERROR_LEN];
    *data = NULL;
    *len = 0;
    if (path && pathlen)
        path[0] = '\0';
    if (mcpi_opencl_cache_dir(dir, sizeof dir, err, sizeof err) != 0 ||
        mcpi_opencl_cache_path(dir, key, file, sizeof file) != 0)
        return MCPI_CACHE_ABSENT; /* store() reports the unusable directory */
    if (path && pathlen)
        snprintf(path, pathlen, "%s", file);
    char *text = NULL;
    size_t size = 0;
    int rc = mcpi_read_file(file, "OpenCL cache", MCPI_CACHE_HEADER + MCPI_CACHE_MAX_PAYLOAD, &text,
                            &size, err, sizeof err);
    if (rc == MCPI_EUNAVAIL)
        return MCPI_CACHE_ABSENT; /* missing: build and store */
    if (rc == MCPI_OK)
        *data = parse_entry((const unsigned char *)text, size, key, len);
    free(text);
    return *data != NULL ? MCPI_CACHE_FOUND : MCPI_CACHE_CORRUPT;
}

static int store_failed(const char *what, const char *where, int errnum, char *err, size_t errlen)
{
    mcpi_set_error(err, errlen,
                   "warning: cannot %s OpenCL cache %s (%s); continuing without caching", what,
                   where, strerror(errnum));
    return MCPI_EIO;
}

/* An entry: the header, then the program binary. */
typedef struct cache_entry {
    const unsigned char *hdr, *data;
    size_t len;
} cache_entry;

static int write_entry(FILE *out, const void *ctx)
{
    const cache_entry *e = ctx;
    if (fwrite(e->hdr, MCPI_CACHE_HEADER, 1, out) != 1)
        return MCPI_EIO;
    return e->len == 0 || fwrite(e->data, e->len, 1, out) == 1 ? MCPI_OK : MCPI_EIO;
}

int mcpi_opencl_cache_store(uint64_t key, const unsigned char *data, size_t len, char *err,
                            size_t errlen)
{
    char dir[MCPI_OPENCL_PATH_LEN], file[MCPI_OPENCL_PATH_LEN];
    char why[MCPI_ERROR_LEN];
    if (mcpi_opencl_cache_dir(dir, sizeof dir, why, sizeof why) != 0)
        return store_failed("locate", "directory", ENOENT, err, errlen);
    if (mcpi_opencl_cache_path(dir, key, file, sizeof file) != 0)
        return store_failed("use", dir, ENAMETOOLONG, err, errlen);
    if (mcpi_make_dirs(dir) != 0)
        return store_failed("create", dir, errno, err, errlen);

    unsigned char hdr[MCPI_CACHE_HEADER];
    memcpy(hdr, MCPI_CACHE_MAGIC, 8);
    put_u32(hdr + 8, MCPI_CACHE_VERSION);
    put_u32(hdr + 12, MCPI_CACHE_HEADER);
    put_u64(hdr + 16, key);
    put_u64(hdr + 24, (uint64_t)len);
    put_u64(hdr + 32, mcpi_fnv1a(MCPI_FNV_OFFSET, data, len));
    cache_entry entry = {hdr, data, len};
    if (mcpi_write_atomic(file, "OpenCL cache", MCPI_FILE_PRIVATE, write_entry, &entry, why,
                          sizeof why) != MCPI_OK)
        return store_failed("write to", dir, errno, err, errlen);
    return 0;
}

/* hash.h (private to the engine) - FNV-1a 64, one implementation for every
 * checksum and cache key: checkpoints, the --backend auto model cache and
 * the OpenCL program-binary cache. */
#ifndef MCPI_HASH_H
#define MCPI_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a 64 of len bytes, continuing from h (start with MCPI_FNV_OFFSET). */
#define MCPI_FNV_OFFSET 0xcbf29ce484222325ull
uint64_t mcpi_fnv1a(uint64_t h, const void *data, size_t len);
/* FNV-1a 64 of the strings parts[0..n), each with its NUL (so that "ab","c"
 * and "a","bc" differ); NULL counts as "". */
uint64_t mcpi_hash_parts(const char *const *parts, size_t n);

#endif /* MCPI_HASH_H */

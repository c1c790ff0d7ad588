/* hash.h (private to the engine) - cache keys from FNV-1a 64 (mcpi_fnv1a,
 * mcpi_profile.h: one implementation for every checksum and cache key:
 * checkpoints, JSON reports, the --backend auto model cache and the OpenCL
 * program-binary cache). */
#ifndef MCPI_HASH_H
#define MCPI_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "mcpi_profile.h"
/* FNV-1a 64 of the strings parts[0..n), each with its NUL (so that "ab","c"
 * and "a","bc" differ); NULL counts as "". */
uint64_t mcpi_hash_parts(const char *const *parts, size_t n);

#endif /* MCPI_HASH_H */

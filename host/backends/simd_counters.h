/* simd_counters.h (private to the simd_*.c files) - the per-ISA range counters
 * that simd_select.c puts in its table, and the range split they share. */
#ifndef MCPI_SIMD_COUNTERS_H
#define MCPI_SIMD_COUNTERS_H

#include <stdint.h>

#include "simd.h"

/* Hits over whole blocks [m, m + nblocks); nblocks is a multiple of the
 * kernel's blocks per vector. */
typedef uint64_t (*mcpi__blocks_fn)(uint64_t seed, uint64_t m, uint64_t nblocks);

/* Counts [begin, end) with body for the whole blocks, vec_blocks at a time,
 * and the scalar core for the rest (simd_select.c). */
uint64_t mcpi__count_split(uint64_t seed, uint64_t begin, uint64_t end, unsigned vec_blocks,
                           mcpi__blocks_fn body);

/* For every ISA of the map: mcpi__count_<name>, an mcpi_count_fn, and
 * mcpi__has_<name>, 1 when this CPU and its OS can run it.  Only portable
 * (simd_portable.c) exists on every architecture; the others
 * (simd_x86.c) on x86-64 only. */
#define MCPI__SIMD_DECLARE(name, lanes, feature)                                                   \
    uint64_t mcpi__count_##name(uint64_t seed, uint64_t begin, uint64_t end);                      \
    int mcpi__has_##name(void);
MCPI_SIMD_ISA_MAP(MCPI__SIMD_DECLARE)
#undef MCPI__SIMD_DECLARE

#endif /* MCPI_SIMD_COUNTERS_H */

/* simd_portable.c - the portable range counter: Philox4x32-10 over lanes held
 * in arrays, for the auto-vectoriser.  Bit-identical to mcpi_count_range()
 * of kernels/mcpi_core.h; the one counter on architectures other than x86-64. */
#include "simd_counters.h"

#include "mcpi_core.h"

#define MCPI__PORT_LANES 8u

/* Philox4x32-10 and the inside test for blocks m .. m + MCPI__PORT_LANES - 1,
 * written as independent lanes so the compiler may vectorise each loop.  On
 * x86-64 this runs at about the scalar core's speed (GCC 12 -O2/-O3); it is
 * the path for other architectures. */
static uint64_t mcpi__portable_group(uint32_t k0, uint32_t k1, uint64_t m)
{
    uint32_t c0[MCPI__PORT_LANES], c1[MCPI__PORT_LANES], c2[MCPI__PORT_LANES], c3[MCPI__PORT_LANES];
    for (unsigned j = 0; j < MCPI__PORT_LANES; ++j) {
        c0[j] = (uint32_t)(m + j);
        c1[j] = (uint32_t)((m + j) >> 32);
        c2[j] = 0;
        c3[j] = 0;
    }
    for (int r = 0; r < MCPI_PHILOX_ROUNDS; ++r) {
        for (unsigned j = 0; j < MCPI__PORT_LANES; ++j) {
            uint64_t p0 = (uint64_t)MCPI_PHILOX_M0 * c0[j];
            uint64_t p1 = (uint64_t)MCPI_PHILOX_M1 * c2[j];
            c0[j] = (uint32_t)(p1 >> 32) ^ c1[j] ^ k0;
            c1[j] = (uint32_t)p1;
            c2[j] = (uint32_t)(p0 >> 32) ^ c3[j] ^ k1;
            c3[j] = (uint32_t)p0;
        }
        k0 += MCPI_PHILOX_W0;
        k1 += MCPI_PHILOX_W1;
    }
    uint64_t hits = 0;
    for (unsigned j = 0; j < MCPI__PORT_LANES; ++j) {
        uint64_t a = (uint64_t)c0[j] * c0[j], b = (uint64_t)c1[j] * c1[j];
        uint64_t c = (uint64_t)c2[j] * c2[j], d = (uint64_t)c3[j] * c3[j];
        hits += (uint64_t)(a + b >= a) + (uint64_t)(c + d >= c);
    }
    return hits;
}

static uint64_t mcpi__portable_blocks(uint64_t seed, uint64_t m, uint64_t nblocks)
{
    uint64_t hits = 0;
    for (uint64_t i = 0; i < nblocks; i += MCPI__PORT_LANES)
        hits += mcpi__portable_group((uint32_t)seed, (uint32_t)(seed >> 32), m + i);
    return hits;
}

uint64_t mcpi__count_portable(uint64_t seed, uint64_t begin, uint64_t end)
{
    return mcpi__count_split(seed, begin, end, MCPI__PORT_LANES, mcpi__portable_blocks);
}

int mcpi__has_portable(void)
{
    return 1; /* plain C: every CPU */
}

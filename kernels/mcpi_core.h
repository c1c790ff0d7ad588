/* mcpi_core.h - the sample stream of DESIGN section 1, written once.
 *
 * This header is the single source of truth for the math.  The host compiler
 * includes it for the serial, SIMD and threads backends; the build embeds it
 * (with mcpi_portable.h and mcpi_kernel.cl) into the executable as OpenCL C.
 * It must therefore stay inside the common subset of C11 and OpenCL C 1.2:
 * no libc, no VLAs, no 64-bit literals without a suffix, no host-only headers.
 *
 * Sample i (0-based, 64-bit) uses the Philox4x32-10 block with counter
 * {lo32(i>>1), hi32(i>>1), 0, 0} and key {lo32(seed), hi32(seed)}; even i takes
 * (u, v) = (w0, w1), odd i takes (w2, w3).  The sample is inside iff
 * u*u + v*v < 2^64, tested exactly as "the 64-bit sum does not wrap". */
#ifndef MCPI_CORE_H
#define MCPI_CORE_H

#include "mcpi_portable.h"

#define MCPI_PHILOX_M0 MCPI_U32(0xD2511F53)
#define MCPI_PHILOX_M1 MCPI_U32(0xCD9E8D57)
#define MCPI_PHILOX_W0 MCPI_U32(0x9E3779B9)
#define MCPI_PHILOX_W1 MCPI_U32(0xBB67AE85)
#define MCPI_PHILOX_ROUNDS 10

/* Philox4x32-10 exactly as in Random123: 10 rounds, the key bumped between
 * rounds (9 bumps).  ctr and key are read, out written; out may alias ctr. */
MCPI_FN void mcpi_philox4x32_10(const MCPI_PRIVATE mcpi_u32 *ctr, const MCPI_PRIVATE mcpi_u32 *key,
                                MCPI_PRIVATE mcpi_u32 *out)
{
    mcpi_u32 c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
    mcpi_u32 k0 = key[0], k1 = key[1];
    for (int r = 0; r < MCPI_PHILOX_ROUNDS; ++r) {
        if (r > 0) {
            k0 += MCPI_PHILOX_W0;
            k1 += MCPI_PHILOX_W1;
        }
        mcpi_u64 p0 = (mcpi_u64)MCPI_PHILOX_M0 * c0;
        mcpi_u64 p1 = (mcpi_u64)MCPI_PHILOX_M1 * c2;
        mcpi_u32 hi0 = (mcpi_u32)(p0 >> 32), lo0 = (mcpi_u32)p0;
        mcpi_u32 hi1 = (mcpi_u32)(p1 >> 32), lo1 = (mcpi_u32)p1;
        c0 = hi1 ^ c1 ^ k0;
        c1 = lo1;
        c2 = hi0 ^ c3 ^ k1;
        c3 = lo0;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* 1 when (u, v) lies strictly inside the quarter circle, else 0.  u*u + v*v
 * is below 2^64 exactly when the unsigned 64-bit sum does not wrap. */
MCPI_FN mcpi_u32 mcpi_inside(mcpi_u32 u, mcpi_u32 v)
{
    mcpi_u64 a = (mcpi_u64)u * u;
    mcpi_u64 b = (mcpi_u64)v * v;
    return (mcpi_u32)(a + b >= a);
}

/* Hits among the samples of one Philox block m (samples 2m and 2m+1), with
 * take_even / take_odd saying which of the two are in the counted range. */
MCPI_FN mcpi_u32 mcpi_block_hits(mcpi_u64 seed, mcpi_u64 m, mcpi_u32 take_even, mcpi_u32 take_odd)
{
    mcpi_u32 ctr[4], key[2], w[4];
    ctr[0] = (mcpi_u32)m;
    ctr[1] = (mcpi_u32)(m >> 32);
    ctr[2] = 0;
    ctr[3] = 0;
    key[0] = (mcpi_u32)seed;
    key[1] = (mcpi_u32)(seed >> 32);
    mcpi_philox4x32_10(ctr, key, w);
    return (take_even & mcpi_inside(w[0], w[1])) + (take_odd & mcpi_inside(w[2], w[3]));
}

/* Hits among samples [begin, end) for seed.  Any sub-range may be counted on
 * its own and the counts summed; begin >= end counts nothing.  The result is
 * at most end - begin, so it never overflows. */
MCPI_FN mcpi_u64 mcpi_count_range(mcpi_u64 seed, mcpi_u64 begin, mcpi_u64 end)
{
    if (begin >= end)
        return 0;
    mcpi_u64 first = begin >> 1;    /* block of sample begin */
    mcpi_u64 last = (end - 1) >> 1; /* block of sample end - 1 */
    /* 2*first + 1 <= 2^64 - 1, so the comparison cannot wrap. */
    mcpi_u64 hits =
        mcpi_block_hits(seed, first, (mcpi_u32)((begin & 1) == 0), (mcpi_u32)(2 * first + 1 < end));
    if (first == last)
        return hits;
    hits += mcpi_block_hits(seed, last, 1, (mcpi_u32)((end & 1) == 0));
    for (mcpi_u64 m = first + 1; m < last; ++m)
        hits += mcpi_block_hits(seed, m, 1, 1);
    return hits;
}

#endif /* MCPI_CORE_H */

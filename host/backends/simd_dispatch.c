/* simd_dispatch.c - vectorised range counters (AVX-512, AVX2, SSE2, portable)
 * and their run-time selection.
 *
 * Every counter is bit-identical to mcpi_count_range() of kernels/mcpi_core.h.
 * The library is built for baseline x86-64: the wide kernels carry their own
 * __attribute__((target(...))) and run only after __builtin_cpu_supports()
 * (which also checks that the OS saves the wide registers) said yes.
 *
 * Layout.  One Philox block (two samples) per 64-bit lane: each of the four
 * state words lives in the low 32 bits of a lane.  pmuludq (_mm*_mul_epu32)
 * reads only those low 32 bits and returns the exact 64-bit product, so one
 * instruction gives both halves of mulhilo32 (lo in the low half, hi after a
 * 64-bit shift) and the high halves of the words may hold garbage: every word
 * is only ever multiplied or XORed into a word that is.  The same pmuludq
 * squares u and v exactly for the inside test.
 *
 * Range split.  A counter sees [begin, end); whole blocks [m0, m0 + n) with n
 * a multiple of the vector width go to the vector kernel, the (at most one)
 * odd head sample and the tail (an odd end sample, up to a vector's worth of
 * blocks) go to the scalar core.  Block indices stay below 2^63, so the lane
 * counters {m, m + 1, ...} never wrap. */
#include "simd.h"

#include <stdlib.h>
#include <string.h>

#include "mcpi.h"
#include "mcpi_core.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

/* Hits over whole blocks [m, m + nblocks); nblocks is a multiple of the
 * kernel's blocks per vector. */
typedef uint64_t (*mcpi__blocks_fn)(uint64_t seed, uint64_t m, uint64_t nblocks);

/* Ranges shorter than this many samples are counted by the scalar core. */
#define MCPI__SIMD_MIN_SAMPLES 64u

/* Splits [begin, end) into scalar head, vector body and scalar tail. */
static uint64_t mcpi__count_split(uint64_t seed, uint64_t begin, uint64_t end, unsigned vec_blocks,
                                  mcpi__blocks_fn body)
{
    if (begin >= end || end - begin < MCPI__SIMD_MIN_SAMPLES)
        return mcpi_count_range(seed, begin, end);
    /* begin < end <= 2^64 - 1, so begin + 1 cannot wrap. */
    uint64_t even = begin + (begin & 1u);
    uint64_t m0 = even >> 1;
    uint64_t m1 = end >> 1; /* first block not wholly inside [begin, end) */
    uint64_t n = (m1 - m0) / vec_blocks * vec_blocks;
    uint64_t rest = 2 * (m0 + n); /* <= 2 * m1 <= end */
    return mcpi_count_range(seed, begin, even) + body(seed, m0, n) +
           mcpi_count_range(seed, rest, end);
}

/* ---- portable: lanes in arrays, for the auto-vectoriser -------------------- */

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

static uint64_t mcpi__count_portable(uint64_t seed, uint64_t begin, uint64_t end)
{
    return mcpi__count_split(seed, begin, end, MCPI__PORT_LANES, mcpi__portable_blocks);
}

#if defined(__x86_64__)

/* Round keys: key word w after r bumps, one copy per 64-bit lane. */
#define MCPI__KEY0(seed, r) ((uint64_t)(uint32_t)((uint32_t)(seed) + (uint32_t)(r)*MCPI_PHILOX_W0))
#define MCPI__KEY1(seed, r)                                                                        \
    ((uint64_t)(uint32_t)((uint32_t)((seed) >> 32) + (uint32_t)(r)*MCPI_PHILOX_W1))

/* Fully unrolls a loop over the vectors in flight (or the rounds), so the
 * per-vector arrays of the kernels below live in registers. */
#define MCPI__UNROLL _Pragma("GCC unroll 16")

/* ---- AVX-512: 8 blocks per vector, 6 vectors in flight -------------------- */

#define MCPI__A512_BLOCKS 8u
/* Vectors in flight.  Six independent Philox chains hide the ~55-cycle
 * dependency chain of one (3-cycle multiplies, shifts, XORs) behind the
 * others' work; measured best on Zen 5 (see scripts/peers/ceiling.c). */
#define MCPI__A512_CHAINS 6

#define MCPI__TGT_AVX512 __attribute__((target("avx512f")))

typedef struct {
    __m512i k0[MCPI_PHILOX_ROUNDS], k1[MCPI_PHILOX_ROUNDS];
    __m512i m0, m1, one;
} mcpi__a512_consts;

/* Three-way XOR in one instruction. */
#define MCPI__XOR3_512(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0x96)

/* Philox4x32-10 for the 8 blocks in mv, then adds the inside samples
 * (even and odd) to acc.  Rounds 1 and 2 use c1 = hi32(m), c2 = c3 = 0.
 * One vector alone: used for the at most MCPI__A512_CHAINS - 1 vectors
 * after the interleaved loop of mcpi__a512_blocks. */
MCPI__TGT_AVX512 static inline __m512i mcpi__a512_step(const mcpi__a512_consts *k, __m512i mv,
                                                       __m512i acc)
{
    __m512i p0 = _mm512_mul_epu32(mv, k->m0);
    __m512i c0 = _mm512_xor_si512(_mm512_srli_epi64(mv, 32), k->k0[0]);
    __m512i c2 = _mm512_xor_si512(_mm512_srli_epi64(p0, 32), k->k1[0]);
    __m512i c3 = p0;
    p0 = _mm512_mul_epu32(c0, k->m0);
    __m512i p1 = _mm512_mul_epu32(c2, k->m1);
    c0 = _mm512_xor_si512(_mm512_srli_epi64(p1, 32), k->k0[1]);
    __m512i c1 = p1;
    c2 = MCPI__XOR3_512(_mm512_srli_epi64(p0, 32), c3, k->k1[1]);
    c3 = p0;
    for (int r = 2; r < MCPI_PHILOX_ROUNDS; ++r) {
        p0 = _mm512_mul_epu32(c0, k->m0);
        p1 = _mm512_mul_epu32(c2, k->m1);
        c0 = MCPI__XOR3_512(_mm512_srli_epi64(p1, 32), c1, k->k0[r]);
        c1 = p1;
        c2 = MCPI__XOR3_512(_mm512_srli_epi64(p0, 32), c3, k->k1[r]);
        c3 = p0;
    }
    __m512i a = _mm512_mul_epu32(c0, c0), b = _mm512_mul_epu32(c1, c1);
    __m512i c = _mm512_mul_epu32(c2, c2), d = _mm512_mul_epu32(c3, c3);
    __mmask8 in_even = _mm512_cmpge_epu64_mask(_mm512_add_epi64(a, b), a);
    __mmask8 in_odd = _mm512_cmpge_epu64_mask(_mm512_add_epi64(c, d), c);
    acc = _mm512_mask_add_epi64(acc, in_even, acc, k->one);
    return _mm512_mask_add_epi64(acc, in_odd, acc, k->one);
}

/* The same computation as mcpi__a512_step for MCPI__A512_CHAINS vectors at
 * once, interleaved round by round: round r of every vector, then round
 * r + 1.  Written as separate calls of the step, the compiler emits each
 * ~70-instruction Philox whole and the out-of-order window cannot overlap
 * enough of them (about 60 % of this loop's speed). */
MCPI__TGT_AVX512 static uint64_t mcpi__a512_blocks(uint64_t seed, uint64_t m, uint64_t nblocks)
{
    enum { K = MCPI__A512_CHAINS };
    mcpi__a512_consts k;
    for (int r = 0; r < MCPI_PHILOX_ROUNDS; ++r) {
        k.k0[r] = _mm512_set1_epi64((long long)MCPI__KEY0(seed, r));
        k.k1[r] = _mm512_set1_epi64((long long)MCPI__KEY1(seed, r));
    }
    k.m0 = _mm512_set1_epi64((long long)MCPI_PHILOX_M0);
    k.m1 = _mm512_set1_epi64((long long)MCPI_PHILOX_M1);
    k.one = _mm512_set1_epi64(1);
    const __m512i step = _mm512_set1_epi64(MCPI__A512_BLOCKS);
    const __m512i stepk = _mm512_set1_epi64(MCPI__A512_BLOCKS * K);
    __m512i mv[K], acc[K], c0[K], c1[K], c2[K], c3[K];
    mv[0] =
        _mm512_add_epi64(_mm512_set1_epi64((long long)m), _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
    acc[0] = _mm512_setzero_si512();
    MCPI__UNROLL
    for (int j = 1; j < K; ++j) {
        mv[j] = _mm512_add_epi64(mv[j - 1], step);
        acc[j] = acc[0];
    }
    uint64_t i = 0;
    for (; nblocks - i >= MCPI__A512_BLOCKS * K; i += MCPI__A512_BLOCKS * K) {
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) { /* round 0: c1 = hi32(m), c2 = c3 = 0 */
            __m512i p0 = _mm512_mul_epu32(mv[j], k.m0);
            c0[j] = _mm512_xor_si512(_mm512_srli_epi64(mv[j], 32), k.k0[0]);
            c2[j] = _mm512_xor_si512(_mm512_srli_epi64(p0, 32), k.k1[0]);
            c3[j] = p0;
        }
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) { /* round 1: c1 = 0 */
            __m512i p0 = _mm512_mul_epu32(c0[j], k.m0);
            __m512i p1 = _mm512_mul_epu32(c2[j], k.m1);
            c0[j] = _mm512_xor_si512(_mm512_srli_epi64(p1, 32), k.k0[1]);
            c1[j] = p1;
            c2[j] = MCPI__XOR3_512(_mm512_srli_epi64(p0, 32), c3[j], k.k1[1]);
            c3[j] = p0;
        }
        MCPI__UNROLL
        for (int r = 2; r < MCPI_PHILOX_ROUNDS; ++r) {
            MCPI__UNROLL
            for (int j = 0; j < K; ++j) {
                __m512i p0 = _mm512_mul_epu32(c0[j], k.m0);
                __m512i p1 = _mm512_mul_epu32(c2[j], k.m1);
                c0[j] = MCPI__XOR3_512(_mm512_srli_epi64(p1, 32), c1[j], k.k0[r]);
                c1[j] = p1;
                c2[j] = MCPI__XOR3_512(_mm512_srli_epi64(p0, 32), c3[j], k.k1[r]);
                c3[j] = p0;
            }
        }
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) { /* inside test of both samples, count */
            __m512i a = _mm512_mul_epu32(c0[j], c0[j]), b = _mm512_mul_epu32(c1[j], c1[j]);
            __m512i c = _mm512_mul_epu32(c2[j], c2[j]), d = _mm512_mul_epu32(c3[j], c3[j]);
            __mmask8 in_even = _mm512_cmpge_epu64_mask(_mm512_add_epi64(a, b), a);
            __mmask8 in_odd = _mm512_cmpge_epu64_mask(_mm512_add_epi64(c, d), c);
            acc[j] = _mm512_mask_add_epi64(acc[j], in_even, acc[j], k.one);
            acc[j] = _mm512_mask_add_epi64(acc[j], in_odd, acc[j], k.one);
            mv[j] = _mm512_add_epi64(mv[j], stepk);
        }
    }
    /* mv[0] is the first vector not yet counted. */
    for (; i < nblocks; i += MCPI__A512_BLOCKS) {
        acc[0] = mcpi__a512_step(&k, mv[0], acc[0]);
        mv[0] = _mm512_add_epi64(mv[0], step);
    }
    MCPI__UNROLL
    for (int j = 1; j < K; ++j)
        acc[0] = _mm512_add_epi64(acc[0], acc[j]);
    return (uint64_t)_mm512_reduce_add_epi64(acc[0]);
}

static uint64_t mcpi__count_avx512(uint64_t seed, uint64_t begin, uint64_t end)
{
    return mcpi__count_split(seed, begin, end, MCPI__A512_BLOCKS, mcpi__a512_blocks);
}

/* ---- AVX2: 4 blocks per vector, 6 vectors in flight ---------------------- */

#define MCPI__A256_BLOCKS 4u
/* Vectors in flight, interleaved as in mcpi__a512_blocks.  Six beat 2-5 and
 * 8 on Zen 5 although 16 ymm registers cannot hold them all: the spills
 * become memory operands, which cost less than the exposed latency. */
#define MCPI__A256_CHAINS 6

#define MCPI__TGT_AVX2 __attribute__((target("avx2")))

typedef struct {
    __m256i k0[MCPI_PHILOX_ROUNDS], k1[MCPI_PHILOX_ROUNDS];
    __m256i m0, m1, sign;
} mcpi__a256_consts;

#define MCPI__XOR3_256(a, b, c) _mm256_xor_si256(_mm256_xor_si256((a), (b)), (c))

/* a + b wraps (the sample is outside) iff (a ^ 2^63) > (a ^ 2^63) + b as
 * signed 64-bit numbers; returns -1 in such lanes, else 0. */
MCPI__TGT_AVX2 static inline __m256i mcpi__a256_outside(__m256i u, __m256i v, __m256i sign)
{
    __m256i a = _mm256_xor_si256(_mm256_mul_epu32(u, u), sign);
    __m256i s = _mm256_add_epi64(a, _mm256_mul_epu32(v, v));
    return _mm256_cmpgt_epi64(a, s);
}

/* Philox4x32-10 for the 4 blocks in mv; subtracts -1 per outside sample from
 * miss (so miss counts misses). */
MCPI__TGT_AVX2 static inline __m256i mcpi__a256_step(const mcpi__a256_consts *k, __m256i mv,
                                                     __m256i miss)
{
    __m256i p0 = _mm256_mul_epu32(mv, k->m0);
    __m256i c0 = _mm256_xor_si256(_mm256_srli_epi64(mv, 32), k->k0[0]);
    __m256i c2 = _mm256_xor_si256(_mm256_srli_epi64(p0, 32), k->k1[0]);
    __m256i c3 = p0;
    p0 = _mm256_mul_epu32(c0, k->m0);
    __m256i p1 = _mm256_mul_epu32(c2, k->m1);
    c0 = _mm256_xor_si256(_mm256_srli_epi64(p1, 32), k->k0[1]);
    __m256i c1 = p1;
    c2 = MCPI__XOR3_256(_mm256_srli_epi64(p0, 32), c3, k->k1[1]);
    c3 = p0;
    for (int r = 2; r < MCPI_PHILOX_ROUNDS; ++r) {
        p0 = _mm256_mul_epu32(c0, k->m0);
        p1 = _mm256_mul_epu32(c2, k->m1);
        c0 = MCPI__XOR3_256(_mm256_srli_epi64(p1, 32), c1, k->k0[r]);
        c1 = p1;
        c2 = MCPI__XOR3_256(_mm256_srli_epi64(p0, 32), c3, k->k1[r]);
        c3 = p0;
    }
    miss = _mm256_sub_epi64(miss, mcpi__a256_outside(c0, c1, k->sign));
    return _mm256_sub_epi64(miss, mcpi__a256_outside(c2, c3, k->sign));
}

/* The same computation as mcpi__a256_step for MCPI__A256_CHAINS vectors at
 * once, interleaved round by round (see mcpi__a512_blocks). */
MCPI__TGT_AVX2 static uint64_t mcpi__a256_blocks(uint64_t seed, uint64_t m, uint64_t nblocks)
{
    enum { K = MCPI__A256_CHAINS };
    mcpi__a256_consts k;
    for (int r = 0; r < MCPI_PHILOX_ROUNDS; ++r) {
        k.k0[r] = _mm256_set1_epi64x((long long)MCPI__KEY0(seed, r));
        k.k1[r] = _mm256_set1_epi64x((long long)MCPI__KEY1(seed, r));
    }
    k.m0 = _mm256_set1_epi64x((long long)MCPI_PHILOX_M0);
    k.m1 = _mm256_set1_epi64x((long long)MCPI_PHILOX_M1);
    k.sign = _mm256_set1_epi64x((long long)(UINT64_C(1) << 63));
    const __m256i step = _mm256_set1_epi64x(MCPI__A256_BLOCKS);
    const __m256i stepk = _mm256_set1_epi64x(MCPI__A256_BLOCKS * K);
    __m256i mv[K], miss[K], c0[K], c1[K], c2[K], c3[K];
    mv[0] = _mm256_add_epi64(_mm256_set1_epi64x((long long)m), _mm256_set_epi64x(3, 2, 1, 0));
    miss[0] = _mm256_setzero_si256();
    MCPI__UNROLL
    for (int j = 1; j < K; ++j) {
        mv[j] = _mm256_add_epi64(mv[j - 1], step);
        miss[j] = miss[0];
    }
    uint64_t i = 0;
    for (; nblocks - i >= MCPI__A256_BLOCKS * K; i += MCPI__A256_BLOCKS * K) {
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) { /* round 0: c1 = hi32(m), c2 = c3 = 0 */
            __m256i p0 = _mm256_mul_epu32(mv[j], k.m0);
            c0[j] = _mm256_xor_si256(_mm256_srli_epi64(mv[j], 32), k.k0[0]);
            c2[j] = _mm256_xor_si256(_mm256_srli_epi64(p0, 32), k.k1[0]);
            c3[j] = p0;
        }
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) { /* round 1: c1 = 0 */
            __m256i p0 = _mm256_mul_epu32(c0[j], k.m0);
            __m256i p1 = _mm256_mul_epu32(c2[j], k.m1);
            c0[j] = _mm256_xor_si256(_mm256_srli_epi64(p1, 32), k.k0[1]);
            c1[j] = p1;
            c2[j] = MCPI__XOR3_256(_mm256_srli_epi64(p0, 32), c3[j], k.k1[1]);
            c3[j] = p0;
        }
        MCPI__UNROLL
        for (int r = 2; r < MCPI_PHILOX_ROUNDS; ++r) {
            MCPI__UNROLL
            for (int j = 0; j < K; ++j) {
                __m256i p0 = _mm256_mul_epu32(c0[j], k.m0);
                __m256i p1 = _mm256_mul_epu32(c2[j], k.m1);
                c0[j] = MCPI__XOR3_256(_mm256_srli_epi64(p1, 32), c1[j], k.k0[r]);
                c1[j] = p1;
                c2[j] = MCPI__XOR3_256(_mm256_srli_epi64(p0, 32), c3[j], k.k1[r]);
                c3[j] = p0;
            }
        }
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) {
            miss[j] = _mm256_sub_epi64(miss[j], mcpi__a256_outside(c0[j], c1[j], k.sign));
            miss[j] = _mm256_sub_epi64(miss[j], mcpi__a256_outside(c2[j], c3[j], k.sign));
            mv[j] = _mm256_add_epi64(mv[j], stepk);
        }
    }
    /* mv[0] is the first vector not yet counted. */
    for (; i < nblocks; i += MCPI__A256_BLOCKS) {
        miss[0] = mcpi__a256_step(&k, mv[0], miss[0]);
        mv[0] = _mm256_add_epi64(mv[0], step);
    }
    MCPI__UNROLL
    for (int j = 1; j < K; ++j)
        miss[0] = _mm256_add_epi64(miss[0], miss[j]);
    uint64_t lanes[4];
    _mm256_storeu_si256((__m256i *)lanes, miss[0]);
    return 2 * nblocks - (lanes[0] + lanes[1] + lanes[2] + lanes[3]);
}

static uint64_t mcpi__count_avx2(uint64_t seed, uint64_t begin, uint64_t end)
{
    return mcpi__count_split(seed, begin, end, MCPI__A256_BLOCKS, mcpi__a256_blocks);
}

/* ---- SSE2: 2 blocks per vector, 6 vectors in flight ----------------------- */

#define MCPI__S128_BLOCKS 2u
/* Vectors in flight, interleaved as in mcpi__a512_blocks (six measured best,
 * as for AVX2). */
#define MCPI__S128_CHAINS 6

typedef struct {
    __m128i k0[MCPI_PHILOX_ROUNDS], k1[MCPI_PHILOX_ROUNDS];
    __m128i m0, m1;
} mcpi__s128_consts;

#define MCPI__XOR3_128(a, b, c) _mm_xor_si128(_mm_xor_si128((a), (b)), (c))

/* 1 in lanes where a + b wraps (the sample is outside), else 0: the carry
 * out of bit 63, ((a & b) | ((a | b) & ~(a + b))) >> 63.  SSE2 has no 64-bit
 * compare. */
static inline __m128i mcpi__s128_outside(__m128i u, __m128i v)
{
    __m128i a = _mm_mul_epu32(u, u), b = _mm_mul_epu32(v, v);
    __m128i s = _mm_add_epi64(a, b);
    __m128i carry = _mm_or_si128(_mm_and_si128(a, b), _mm_andnot_si128(s, _mm_or_si128(a, b)));
    return _mm_srli_epi64(carry, 63);
}

/* Philox4x32-10 for the 2 blocks in mv; adds the outside samples to miss. */
static inline __m128i mcpi__s128_step(const mcpi__s128_consts *k, __m128i mv, __m128i miss)
{
    __m128i p0 = _mm_mul_epu32(mv, k->m0);
    __m128i c0 = _mm_xor_si128(_mm_srli_epi64(mv, 32), k->k0[0]);
    __m128i c2 = _mm_xor_si128(_mm_srli_epi64(p0, 32), k->k1[0]);
    __m128i c3 = p0;
    p0 = _mm_mul_epu32(c0, k->m0);
    __m128i p1 = _mm_mul_epu32(c2, k->m1);
    c0 = _mm_xor_si128(_mm_srli_epi64(p1, 32), k->k0[1]);
    __m128i c1 = p1;
    c2 = MCPI__XOR3_128(_mm_srli_epi64(p0, 32), c3, k->k1[1]);
    c3 = p0;
    for (int r = 2; r < MCPI_PHILOX_ROUNDS; ++r) {
        p0 = _mm_mul_epu32(c0, k->m0);
        p1 = _mm_mul_epu32(c2, k->m1);
        c0 = MCPI__XOR3_128(_mm_srli_epi64(p1, 32), c1, k->k0[r]);
        c1 = p1;
        c2 = MCPI__XOR3_128(_mm_srli_epi64(p0, 32), c3, k->k1[r]);
        c3 = p0;
    }
    miss = _mm_add_epi64(miss, mcpi__s128_outside(c0, c1));
    return _mm_add_epi64(miss, mcpi__s128_outside(c2, c3));
}

/* The same computation as mcpi__s128_step for MCPI__S128_CHAINS vectors at
 * once, interleaved round by round (see mcpi__a512_blocks). */
static uint64_t mcpi__s128_blocks(uint64_t seed, uint64_t m, uint64_t nblocks)
{
    enum { K = MCPI__S128_CHAINS };
    mcpi__s128_consts k;
    for (int r = 0; r < MCPI_PHILOX_ROUNDS; ++r) {
        k.k0[r] = _mm_set1_epi64x((long long)MCPI__KEY0(seed, r));
        k.k1[r] = _mm_set1_epi64x((long long)MCPI__KEY1(seed, r));
    }
    k.m0 = _mm_set1_epi64x((long long)MCPI_PHILOX_M0);
    k.m1 = _mm_set1_epi64x((long long)MCPI_PHILOX_M1);
    const __m128i step = _mm_set1_epi64x(MCPI__S128_BLOCKS);
    const __m128i stepk = _mm_set1_epi64x(MCPI__S128_BLOCKS * K);
    __m128i mv[K], miss[K], c0[K], c1[K], c2[K], c3[K];
    mv[0] = _mm_add_epi64(_mm_set1_epi64x((long long)m), _mm_set_epi64x(1, 0));
    miss[0] = _mm_setzero_si128();
    MCPI__UNROLL
    for (int j = 1; j < K; ++j) {
        mv[j] = _mm_add_epi64(mv[j - 1], step);
        miss[j] = miss[0];
    }
    uint64_t i = 0;
    for (; nblocks - i >= MCPI__S128_BLOCKS * K; i += MCPI__S128_BLOCKS * K) {
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) { /* round 0: c1 = hi32(m), c2 = c3 = 0 */
            __m128i p0 = _mm_mul_epu32(mv[j], k.m0);
            c0[j] = _mm_xor_si128(_mm_srli_epi64(mv[j], 32), k.k0[0]);
            c2[j] = _mm_xor_si128(_mm_srli_epi64(p0, 32), k.k1[0]);
            c3[j] = p0;
        }
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) { /* round 1: c1 = 0 */
            __m128i p0 = _mm_mul_epu32(c0[j], k.m0);
            __m128i p1 = _mm_mul_epu32(c2[j], k.m1);
            c0[j] = _mm_xor_si128(_mm_srli_epi64(p1, 32), k.k0[1]);
            c1[j] = p1;
            c2[j] = MCPI__XOR3_128(_mm_srli_epi64(p0, 32), c3[j], k.k1[1]);
            c3[j] = p0;
        }
        MCPI__UNROLL
        for (int r = 2; r < MCPI_PHILOX_ROUNDS; ++r) {
            MCPI__UNROLL
            for (int j = 0; j < K; ++j) {
                __m128i p0 = _mm_mul_epu32(c0[j], k.m0);
                __m128i p1 = _mm_mul_epu32(c2[j], k.m1);
                c0[j] = MCPI__XOR3_128(_mm_srli_epi64(p1, 32), c1[j], k.k0[r]);
                c1[j] = p1;
                c2[j] = MCPI__XOR3_128(_mm_srli_epi64(p0, 32), c3[j], k.k1[r]);
                c3[j] = p0;
            }
        }
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) {
            miss[j] = _mm_add_epi64(miss[j], mcpi__s128_outside(c0[j], c1[j]));
            miss[j] = _mm_add_epi64(miss[j], mcpi__s128_outside(c2[j], c3[j]));
            mv[j] = _mm_add_epi64(mv[j], stepk);
        }
    }
    /* mv[0] is the first vector not yet counted. */
    for (; i < nblocks; i += MCPI__S128_BLOCKS) {
        miss[0] = mcpi__s128_step(&k, mv[0], miss[0]);
        mv[0] = _mm_add_epi64(mv[0], step);
    }
    MCPI__UNROLL
    for (int j = 1; j < K; ++j)
        miss[0] = _mm_add_epi64(miss[0], miss[j]);
    uint64_t lanes[2];
    _mm_storeu_si128((__m128i *)lanes, miss[0]);
    return 2 * nblocks - (lanes[0] + lanes[1]);
}

static uint64_t mcpi__count_sse2(uint64_t seed, uint64_t begin, uint64_t end)
{
    return mcpi__count_split(seed, begin, end, MCPI__S128_BLOCKS, mcpi__s128_blocks);
}

#endif /* __x86_64__ */

/* ---- selection ------------------------------------------------------------ */

/* Every instruction set mcpi knows, widest first: the one constant table of
 * this module.  On other architectures the x86 entries exist (so asking for
 * them is "unavailable", not "unknown") but have no counter. */
static const mcpi_simd_impl mcpi__simd_impls[] = {
#if defined(__x86_64__)
    {"avx512", 16, mcpi__count_avx512},
    {"avx2", 8, mcpi__count_avx2},
    {"sse2", 4, mcpi__count_sse2},
#else
    {"avx512", 16, NULL},
    {"avx2", 8, NULL},
    {"sse2", 4, NULL},
#endif
    {"portable", 1, mcpi__count_portable},
};
#define MCPI__SIMD_NIMPLS (sizeof mcpi__simd_impls / sizeof mcpi__simd_impls[0])

/* 1 when this CPU (and its OS, which must save the wide registers) can run
 * impl; __builtin_cpu_supports checks both. */
static int mcpi__simd_supported(const mcpi_simd_impl *impl)
{
    if (impl->count == NULL)
        return 0;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (strcmp(impl->name, "avx512") == 0)
        return __builtin_cpu_supports("avx512f") != 0;
    if (strcmp(impl->name, "avx2") == 0)
        return __builtin_cpu_supports("avx2") != 0;
    if (strcmp(impl->name, "sse2") == 0)
        return __builtin_cpu_supports("sse2") != 0;
#endif
    return 1;
}

/* Writes "a, b, c": every name, or only the supported ones. */
static void mcpi__simd_names(char *buf, size_t len, int only_supported)
{
    buf[0] = '\0';
    for (size_t i = 0; i < MCPI__SIMD_NIMPLS; ++i) {
        if (only_supported && !mcpi__simd_supported(&mcpi__simd_impls[i]))
            continue;
        if (buf[0] != '\0')
            strncat(buf, ", ", len - strlen(buf) - 1);
        strncat(buf, mcpi__simd_impls[i].name, len - strlen(buf) - 1);
    }
}

int mcpi_simd_select(const char *isa, mcpi_simd_impl *out, char *err, size_t errlen)
{
    const char *from = "isa";
    if (isa == NULL || isa[0] == '\0') {
        isa = getenv("MCPI_ISA");
        from = "MCPI_ISA";
    }
    int best = isa == NULL || isa[0] == '\0';
    char names[64];
    for (size_t i = 0; i < MCPI__SIMD_NIMPLS; ++i) {
        const mcpi_simd_impl *impl = &mcpi__simd_impls[i];
        if (best ? !mcpi__simd_supported(impl) : strcmp(isa, impl->name) != 0)
            continue;
        if (!mcpi__simd_supported(impl)) {
            mcpi__simd_names(names, sizeof names, 1);
            mcpi_set_error(err, errlen, "simd: %s=%s: this CPU lacks it; available: %s", from, isa,
                           names);
            return MCPI_EUNAVAIL;
        }
        *out = *impl;
        return MCPI_OK;
    }
    /* best always finds "portable", so only an unknown name gets here. */
    mcpi__simd_names(names, sizeof names, 0);
    mcpi_set_error(err, errlen, "simd: %s=%s: unknown instruction set; accepted: %s", from, isa,
                   names);
    return MCPI_EINVAL;
}

const char *mcpi_isa_names(void)
{
    return MCPI_SIMD_ISA_NAMES;
}

int mcpi_isa_known(const char *name)
{
    for (size_t i = 0; i < MCPI__SIMD_NIMPLS; ++i)
        if (strcmp(name, mcpi__simd_impls[i].name) == 0)
            return 1;
    return 0;
}

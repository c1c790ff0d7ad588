/* simd_x86.c - the AVX-512, AVX2 and SSE2 range counters: the one Philox
 * kernel of simd_kernel.h instantiated per instruction set from a handful of
 * primitives.  Every counter is bit-identical to mcpi_count_range() of
 * kernels/mcpi_core.h.
 *
 * The library is built for baseline x86-64: each kernel carries its own
 * __attribute__((target(...))) and runs only after its mcpi__has_<isa>()
 * (__builtin_cpu_supports, which also checks that the OS saves the wide
 * registers) said yes.  On other architectures this file defines nothing. */
#include "simd_counters.h"

#include "mcpi_core.h"

#if defined(__x86_64__)
#include <immintrin.h>

/* ---- AVX-512: 8 blocks per vector, 6 vectors in flight -------------------- */

/* Counts hits: adds one to acc in the lanes where a = u*u plus b = v*v does
 * not wrap, by an unsigned compare into a mask. */
__attribute__((target("avx512f"))) static inline __m512i
mcpi__avx512_add_inside(__m512i acc, __m512i u, __m512i v, __m512i one)
{
    __m512i a = _mm512_mul_epu32(u, u), b = _mm512_mul_epu32(v, v);
    __mmask8 inside = _mm512_cmpge_epu64_mask(_mm512_add_epi64(a, b), a);
    return _mm512_mask_add_epi64(acc, inside, acc, one);
}

#define MCPI__ISA avx512
#define MCPI__TARGET "avx512f"
#define MCPI__V __m512i
#define MCPI__BLOCKS 8
/* Vectors in flight.  Six independent Philox chains hide the ~55-cycle
 * dependency chain of one (3-cycle multiplies, shifts, XORs) behind the
 * others' work; measured best on Zen 5 (see scripts/peers/ceiling.c). */
#define MCPI__CHAINS 6
#define MCPI__MUL(a, b) _mm512_mul_epu32((a), (b))
#define MCPI__SHR32(a) _mm512_srli_epi64((a), 32)
#define MCPI__XOR(a, b) _mm512_xor_si512((a), (b))
/* Three-way XOR in one instruction. */
#define MCPI__XOR3(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0x96)
#define MCPI__ADD(a, b) _mm512_add_epi64((a), (b))
#define MCPI__SET1(x) _mm512_set1_epi64((long long)(x))
#define MCPI__IOTA() _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0)
#define MCPI__STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))
#define MCPI__TALLY(acc, u, v, aux) mcpi__avx512_add_inside((acc), (u), (v), (aux))
#define MCPI__TALLY_AUX 1
#define MCPI__TALLY_MISSES 0
#include "simd_kernel.h"

/* ---- AVX2: 4 blocks per vector, 6 vectors in flight ---------------------- */

/* Counts misses (AVX2 has no unsigned 64-bit compare): a + b, a = u*u and
 * b = v*v, wraps iff (a ^ 2^63) > (a ^ 2^63) + b as signed 64-bit numbers;
 * the compare gives -1 in such lanes, which is subtracted from acc. */
__attribute__((target("avx2"))) static inline __m256i
mcpi__avx2_add_outside(__m256i acc, __m256i u, __m256i v, __m256i sign)
{
    __m256i x = _mm256_xor_si256(_mm256_mul_epu32(u, u), sign);
    __m256i s = _mm256_add_epi64(x, _mm256_mul_epu32(v, v));
    return _mm256_sub_epi64(acc, _mm256_cmpgt_epi64(x, s));
}

#define MCPI__ISA avx2
#define MCPI__TARGET "avx2"
#define MCPI__V __m256i
#define MCPI__BLOCKS 4
/* Vectors in flight, interleaved as for AVX-512.  Six beat 2-5 and 8 on
 * Zen 5 although 16 ymm registers cannot hold them all: the spills become
 * memory operands, which cost less than the exposed latency. */
#define MCPI__CHAINS 6
#define MCPI__MUL(a, b) _mm256_mul_epu32((a), (b))
#define MCPI__SHR32(a) _mm256_srli_epi64((a), 32)
#define MCPI__XOR(a, b) _mm256_xor_si256((a), (b))
#define MCPI__XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256((a), (b)), (c))
#define MCPI__ADD(a, b) _mm256_add_epi64((a), (b))
#define MCPI__SET1(x) _mm256_set1_epi64x((long long)(x))
#define MCPI__IOTA() _mm256_set_epi64x(3, 2, 1, 0)
#define MCPI__STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define MCPI__TALLY(acc, u, v, aux) mcpi__avx2_add_outside((acc), (u), (v), (aux))
#define MCPI__TALLY_AUX (UINT64_C(1) << 63)
#define MCPI__TALLY_MISSES 1
#include "simd_kernel.h"

/* ---- SSE2: 2 blocks per vector, 6 vectors in flight ----------------------- */

/* Counts misses (SSE2 has no 64-bit compare): adds 1 to acc in lanes where
 * a + b, a = u*u and b = v*v, wraps: the carry out of bit 63,
 * ((a & b) | ((a | b) & ~(a + b))) >> 63. */
__attribute__((target("sse2"))) static inline __m128i
mcpi__sse2_add_outside(__m128i acc, __m128i u, __m128i v, __m128i unused)
{
    (void)unused;
    __m128i a = _mm_mul_epu32(u, u), b = _mm_mul_epu32(v, v);
    __m128i s = _mm_add_epi64(a, b);
    __m128i carry = _mm_or_si128(_mm_and_si128(a, b), _mm_andnot_si128(s, _mm_or_si128(a, b)));
    return _mm_add_epi64(acc, _mm_srli_epi64(carry, 63));
}

#define MCPI__ISA sse2
#define MCPI__TARGET "sse2"
#define MCPI__V __m128i
#define MCPI__BLOCKS 2
/* Vectors in flight, interleaved as for AVX-512 (six measured best, as for
 * AVX2). */
#define MCPI__CHAINS 6
#define MCPI__MUL(a, b) _mm_mul_epu32((a), (b))
#define MCPI__SHR32(a) _mm_srli_epi64((a), 32)
#define MCPI__XOR(a, b) _mm_xor_si128((a), (b))
#define MCPI__XOR3(a, b, c) _mm_xor_si128(_mm_xor_si128((a), (b)), (c))
#define MCPI__ADD(a, b) _mm_add_epi64((a), (b))
#define MCPI__SET1(x) _mm_set1_epi64x((long long)(x))
#define MCPI__IOTA() _mm_set_epi64x(1, 0)
#define MCPI__STOREU(p, v) _mm_storeu_si128((__m128i *)(void *)(p), (v))
#define MCPI__TALLY(acc, u, v, aux) mcpi__sse2_add_outside((acc), (u), (v), (aux))
#define MCPI__TALLY_AUX 0
#define MCPI__TALLY_MISSES 1
#include "simd_kernel.h"

#else
typedef int mcpi__simd_x86_none; /* ISO C wants a non-empty file */
#endif /* __x86_64__ */

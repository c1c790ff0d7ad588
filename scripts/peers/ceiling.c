/* ceiling.c - the machine's ceiling for mcpi's sample stream: how many
 * Philox4x32-10 samples per second one core (and all cores together) can
 * produce if it did nothing but the stream's integer work.
 *
 * Method.
 *   The work of DESIGN section 1 per Philox block (= 2 samples), in the
 *   minimal form the stream allows (counter words 2 and 3 are 0, so round 0
 *   needs one multiply and round 1 has c1 = 0):
 *     19 x 32x32->64 multiply  (10 rounds x 2 mulhilo32, less the one by 0)
 *      4 x 32x32->64 multiply  (u*u, v*v for the even and the odd sample)
 *     20 x 64-bit shift        (hi32 of every product)
 *     20 x xor (2-way in rounds 0-1, 3-way = one vpternlogq afterwards)
 *      2 x add, 2 x unsigned compare, 2 x masked add   (inside test, count)
 *      1 x add                 (next counter)
 *   With AVX-512 one instruction does this for 8 blocks (16 samples):
 *   vpmuludq gives the full 64-bit product of the low 32 bits of each lane.
 *
 *   The microbenchmark runs exactly this instruction mix, entirely in
 *   registers (round keys are loop-invariant broadcasts), on K independent
 *   chains (K vectors of 8 blocks in flight) interleaved round by round:
 *   round r of every chain, then round r + 1.  The interleaving matters: a
 *   Philox block is a 10-round dependency chain (multiply 3 cycles, shift,
 *   xor: ~55 cycles) of ~70 instructions, so chains written one after the
 *   other need the out-of-order window to overlap 3-4 of them (~250
 *   instructions), more than the vector scheduler holds; interleaved, the
 *   independent instructions sit side by side.  K = 1..8 is swept and the
 *   best kept: the core's peak throughput for this mix, in samples/s.
 *   Every K kernel counts the real stream and is checked against a scalar
 *   reference (and DESIGN's seed 42, N = 10^6 -> 785856) before timing, so
 *   nothing is optimised away or wrong.  Each figure is the best of 12 short
 *   windows (~secs/4 each): on a shared machine some windows run alone, and
 *   a ceiling is a peak.
 *
 *   Cross-checks printed with it: vpmuludq, vpsrlq, vpternlogq and vpaddq
 *   alone (12 independent chains each, zmm instructions/s) and the issue
 *   bound they imply for the 70-instruction mix (max of 23/mul rate,
 *   20/shift rate, 70/fastest ALU rate); and the all-core ceiling: the
 *   best-K kernel on every core at once (OpenMP), which includes the
 *   all-core clock.  The bench uses per-core ceiling x cores (the all-core
 *   measurement is the one most disturbed by other load).
 *
 *   This is a ceiling for *this stream* (Philox4x32-10 + exact test), not for
 *   "pi by Monte Carlo": a cheaper generator (see omp_xoshiro.c) does less
 *   work per sample and can exceed it.
 *
 * Build: cc -O3 -march=native -fopenmp scripts/peers/ceiling.c -o ceiling
 * Run:   ./ceiling [seconds_per_measurement]   (default 0.25)
 * Output: one JSON object on stdout. */
#include <immintrin.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#if !defined(__AVX512F__)
#error "ceiling.c measures the AVX-512 mix: build with -march=native on an AVX-512 CPU"
#endif

#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u

typedef struct {
    __m512i k0[10], k1[10], m0, m1, one;
} consts;

static void make_consts(consts *k, uint64_t seed)
{
    for (int r = 0; r < 10; ++r) {
        k->k0[r] = _mm512_set1_epi64((uint32_t)((uint32_t)seed + (uint32_t)r * W0));
        k->k1[r] = _mm512_set1_epi64((uint32_t)((uint32_t)(seed >> 32) + (uint32_t)r * W1));
    }
    k->m0 = _mm512_set1_epi64(M0);
    k->m1 = _mm512_set1_epi64(M1);
    k->one = _mm512_set1_epi64(1);
}

#define XOR3(a, b, c) _mm512_ternarylogic_epi64((a), (b), (c), 0x96)

/* The mix for 8 blocks (16 samples); adds the inside samples to acc. */
static inline __attribute__((always_inline)) __m512i mix(const consts *k, __m512i mv, __m512i acc)
{
    __m512i p0 = _mm512_mul_epu32(mv, k->m0);
    __m512i c0 = _mm512_xor_si512(_mm512_srli_epi64(mv, 32), k->k0[0]);
    __m512i c2 = _mm512_xor_si512(_mm512_srli_epi64(p0, 32), k->k1[0]);
    __m512i c3 = p0;
    p0 = _mm512_mul_epu32(c0, k->m0);
    __m512i p1 = _mm512_mul_epu32(c2, k->m1);
    c0 = _mm512_xor_si512(_mm512_srli_epi64(p1, 32), k->k0[1]);
    __m512i c1 = p1;
    c2 = XOR3(_mm512_srli_epi64(p0, 32), c3, k->k1[1]);
    c3 = p0;
#pragma GCC unroll 8
    for (int r = 2; r < 10; ++r) {
        p0 = _mm512_mul_epu32(c0, k->m0);
        p1 = _mm512_mul_epu32(c2, k->m1);
        c0 = XOR3(_mm512_srli_epi64(p1, 32), c1, k->k0[r]);
        c1 = p1;
        c2 = XOR3(_mm512_srli_epi64(p0, 32), c3, k->k1[r]);
        c3 = p0;
    }
    __m512i a = _mm512_mul_epu32(c0, c0), b = _mm512_mul_epu32(c1, c1);
    __m512i c = _mm512_mul_epu32(c2, c2), d = _mm512_mul_epu32(c3, c3);
    __mmask8 e = _mm512_cmpge_epu64_mask(_mm512_add_epi64(a, b), a);
    __mmask8 o = _mm512_cmpge_epu64_mask(_mm512_add_epi64(c, d), c);
    acc = _mm512_mask_add_epi64(acc, e, acc, k->one);
    return _mm512_mask_add_epi64(acc, o, acc, k->one);
}

/* K chains interleaved round by round (round r of every chain, then round
 * r + 1), so the K vectors in flight sit next to each other in the
 * instruction stream and the out-of-order window need not find them; each
 * iteration advances every chain by one vector (8 blocks). */
#define DEFINE_RUN(K)                                                                              \
    static uint64_t run_##K(uint64_t seed, uint64_t iters)                                         \
    {                                                                                              \
        consts k;                                                                                  \
        make_consts(&k, seed);                                                                     \
        __m512i mv[K], acc[K], c0[K], c1[K], c2[K], c3[K], p0[K], p1[K];                           \
        const __m512i step = _mm512_set1_epi64(8 * K);                                             \
        for (int j = 0; j < K; ++j) {                                                              \
            mv[j] = _mm512_add_epi64(_mm512_set1_epi64(8 * j),                                     \
                                     _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));                    \
            acc[j] = _mm512_setzero_si512();                                                       \
        }                                                                                          \
        for (uint64_t i = 0; i < iters; ++i) {                                                     \
            _Pragma("GCC unroll 8") for (int j = 0; j < K; ++j)                                    \
            { /* round 0: c1 = hi32(m), c2 = c3 = 0 */                                             \
                p0[j] = _mm512_mul_epu32(mv[j], k.m0);                                             \
                c0[j] = _mm512_xor_si512(_mm512_srli_epi64(mv[j], 32), k.k0[0]);                   \
                c2[j] = _mm512_xor_si512(_mm512_srli_epi64(p0[j], 32), k.k1[0]);                   \
                c3[j] = p0[j];                                                                     \
            }                                                                                      \
            _Pragma("GCC unroll 8") for (int j = 0; j < K; ++j)                                    \
            { /* round 1: c1 = 0 */                                                                \
                p0[j] = _mm512_mul_epu32(c0[j], k.m0);                                             \
                p1[j] = _mm512_mul_epu32(c2[j], k.m1);                                             \
                c0[j] = _mm512_xor_si512(_mm512_srli_epi64(p1[j], 32), k.k0[1]);                   \
                c1[j] = p1[j];                                                                     \
                c2[j] = XOR3(_mm512_srli_epi64(p0[j], 32), c3[j], k.k1[1]);                        \
                c3[j] = p0[j];                                                                     \
            }                                                                                      \
            _Pragma("GCC unroll 8") for (int r = 2; r < 10; ++r)                                   \
            {                                                                                      \
                _Pragma("GCC unroll 8") for (int j = 0; j < K; ++j)                                \
                {                                                                                  \
                    p0[j] = _mm512_mul_epu32(c0[j], k.m0);                                         \
                    p1[j] = _mm512_mul_epu32(c2[j], k.m1);                                         \
                    c0[j] = XOR3(_mm512_srli_epi64(p1[j], 32), c1[j], k.k0[r]);                    \
                    c1[j] = p1[j];                                                                 \
                    c2[j] = XOR3(_mm512_srli_epi64(p0[j], 32), c3[j], k.k1[r]);                    \
                    c3[j] = p0[j];                                                                 \
                }                                                                                  \
            }                                                                                      \
            _Pragma("GCC unroll 8") for (int j = 0; j < K; ++j)                                    \
            { /* inside test of both samples, count, next counter */                               \
                __m512i a = _mm512_mul_epu32(c0[j], c0[j]), b = _mm512_mul_epu32(c1[j], c1[j]);    \
                __m512i c = _mm512_mul_epu32(c2[j], c2[j]), d = _mm512_mul_epu32(c3[j], c3[j]);    \
                __mmask8 e = _mm512_cmpge_epu64_mask(_mm512_add_epi64(a, b), a);                   \
                __mmask8 o = _mm512_cmpge_epu64_mask(_mm512_add_epi64(c, d), c);                   \
                acc[j] = _mm512_mask_add_epi64(acc[j], e, acc[j], k.one);                          \
                acc[j] = _mm512_mask_add_epi64(acc[j], o, acc[j], k.one);                          \
                mv[j] = _mm512_add_epi64(mv[j], step);                                             \
            }                                                                                      \
        }                                                                                          \
        uint64_t h = 0;                                                                            \
        for (int j = 0; j < K; ++j)                                                                \
            h += (uint64_t)_mm512_reduce_add_epi64(acc[j]);                                        \
        return h;                                                                                  \
    }

DEFINE_RUN(1)
DEFINE_RUN(2)
DEFINE_RUN(3)
DEFINE_RUN(4)
DEFINE_RUN(5)
DEFINE_RUN(6)
DEFINE_RUN(8)

/* Scalar reference (DESIGN section 1) for the self-check: hits of blocks
 * [0, nblocks), i.e. samples [0, 2 * nblocks). */
static uint64_t reference(uint64_t seed, uint64_t nblocks)
{
    uint64_t hits = 0;
    for (uint64_t m = 0; m < nblocks; ++m) {
        uint32_t c0 = (uint32_t)m, c1 = (uint32_t)(m >> 32), c2 = 0, c3 = 0;
        uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
        for (int r = 0; r < 10; ++r) {
            if (r > 0) {
                k0 += W0;
                k1 += W1;
            }
            uint64_t p0 = (uint64_t)M0 * c0, p1 = (uint64_t)M1 * c2;
            c0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
            c1 = (uint32_t)p1;
            c2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
            c3 = (uint32_t)p0;
        }
        uint64_t a = (uint64_t)c0 * c0, b = (uint64_t)c1 * c1;
        uint64_t c = (uint64_t)c2 * c2, d = (uint64_t)c3 * c3;
        hits += (a + b >= a) + (c + d >= c);
    }
    return hits;
}

typedef uint64_t (*run_fn)(uint64_t, uint64_t);
static const struct {
    int k;
    run_fn fn;
} RUNS[] = {{1, run_1}, {2, run_2}, {3, run_3}, {4, run_4}, {5, run_5}, {6, run_6}, {8, run_8}};
#define NRUNS (int)(sizeof RUNS / sizeof RUNS[0])

/* vpmuludq alone: 12 independent chains x = x * m (low 32 bits of the
 * product feed the next multiply, so it cannot be folded). */
static uint64_t mul_only(uint64_t seed, uint64_t iters)
{
    __m512i x[12];
    const __m512i m = _mm512_set1_epi64(M0);
    for (int j = 0; j < 12; ++j)
        x[j] = _mm512_set1_epi64((long long)(seed + (uint64_t)j + 1));
    for (uint64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 12
        for (int j = 0; j < 12; ++j)
            x[j] = _mm512_mul_epu32(x[j], m);
    }
    uint64_t h = 0;
    for (int j = 0; j < 12; ++j)
        h ^= (uint64_t)_mm512_reduce_add_epi64(x[j]);
    return h;
}

/* One instruction class alone, 12 independent chains, to see what the
 * mix's bound would be if it were issue-limited: zmm instructions per s. */
#define DEFINE_OP(name, expr)                                                                      \
    static uint64_t name(uint64_t seed, uint64_t iters)                                            \
    {                                                                                              \
        __m512i x[12];                                                                             \
        const __m512i m = _mm512_set1_epi64(M0), y = _mm512_set1_epi64(W0);                        \
        for (int j = 0; j < 12; ++j)                                                               \
            x[j] = _mm512_set1_epi64((long long)(seed + (uint64_t)j + 1));                         \
        for (uint64_t i = 0; i < iters; ++i) {                                                     \
            _Pragma("GCC unroll 12") for (int j = 0; j < 12; ++j) x[j] = (expr);                   \
        }                                                                                          \
        uint64_t h = 0;                                                                            \
        for (int j = 0; j < 12; ++j)                                                               \
            h ^= (uint64_t)_mm512_reduce_add_epi64(x[j]);                                          \
        (void)m;                                                                                   \
        (void)y;                                                                                   \
        return h;                                                                                  \
    }
DEFINE_OP(op_shift, _mm512_srli_epi64(x[j], 1))
DEFINE_OP(op_xor3, XOR3(x[j], m, y))
DEFINE_OP(op_add, _mm512_add_epi64(x[j], y))

/* zmm instructions per second of an op kernel (12 per iteration). */
static double op_rate(run_fn fn, uint64_t seed, double secs, uint64_t *sink)
{
    uint64_t iters = 1000;
    double t, best = 0;
    for (;;) {
        double t0 = omp_get_wtime();
        *sink += fn(seed, iters);
        t = omp_get_wtime() - t0;
        if (t > 0.02)
            break;
        iters *= 4;
    }
    iters = (uint64_t)((double)iters * secs / t) + 1;
    for (int r = 0; r < 3; ++r) {
        double t0 = omp_get_wtime();
        *sink += fn(seed, iters);
        t = omp_get_wtime() - t0;
        if ((double)iters * 12.0 / t > best)
            best = (double)iters * 12.0 / t;
    }
    return best;
}

/* Samples/s of run with K chains: best of 4 * tries windows of ~secs/4. */
static double rate(run_fn fn, int k, uint64_t seed, double secs, int tries, uint64_t *sink)
{
    uint64_t iters = 1000;
    double t, best = 0;
    for (;;) { /* calibrate */
        double t0 = omp_get_wtime();
        *sink += fn(seed, iters);
        t = omp_get_wtime() - t0;
        if (t > 0.02)
            break;
        iters *= 4;
    }
    iters = (uint64_t)((double)iters * secs / t) + 1;
    /* many short windows: on a shared machine some of them run alone */
    iters = iters / 4 + 1;
    tries *= 4;
    for (int r = 0; r < tries; ++r) {
        double t0 = omp_get_wtime();
        *sink += fn(seed, iters);
        t = omp_get_wtime() - t0;
        double s = (double)iters * 16.0 * k / t;
        if (s > best)
            best = s;
    }
    return best;
}

/* Every K variant counts the real stream (seed 42, samples [0, 16 * K *
 * 1000)); seed 42 and N = 10^6 -> 785856 (DESIGN). */
static int self_check(void)
{
    for (int i = 0; i < NRUNS; ++i)
        if (RUNS[i].fn(42, 1000) != reference(42, (uint64_t)8 * RUNS[i].k * 1000))
            return 0;
    return reference(42, 500000) == 785856;
}

/* One core: the rate of each K (printed as "per_k"), and the best K. */
static int best_k(uint64_t seed, double secs, double *best, uint64_t *sink)
{
    int best_i = 0;
    *best = 0;
    printf("{\"per_k\": {");
    for (int i = 0; i < NRUNS; ++i) {
        double s = rate(RUNS[i].fn, RUNS[i].k, seed, secs, 3, sink);
        printf("%s\"%d\": %.6g", i ? ", " : "", RUNS[i].k, s);
        if (s > *best) {
            *best = s;
            best_i = i;
        }
    }
    printf("}, ");
    return best_i;
}

/* vpmuludq alone: 12 muls per iteration, 8 lanes each; zmm multiplies/s. */
static double mul_rate(uint64_t seed, double secs, uint64_t *sink)
{
    uint64_t iters = 1000;
    double t;
    for (;;) {
        double t0 = omp_get_wtime();
        *sink += mul_only(seed, iters);
        t = omp_get_wtime() - t0;
        if (t > 0.02)
            break;
        iters *= 4;
    }
    iters = (uint64_t)((double)iters * secs / t) + 1;
    double mul_best = 0;
    for (int r = 0; r < 3; ++r) {
        double t0 = omp_get_wtime();
        *sink += mul_only(seed, iters);
        t = omp_get_wtime() - t0;
        double zmm_per_s = (double)iters * 12.0 / t;
        if (zmm_per_s > mul_best)
            mul_best = zmm_per_s;
    }
    return mul_best;
}

/* Every core at once with the best K: the best total of three rounds. */
static double all_cores(int best_i, uint64_t seed, double secs, uint64_t *sink)
{
    double all = 0;
    for (int rep = 0; rep < 3; ++rep) {
        double sum = 0;
#pragma omp parallel reduction(+ : sum)
        {
            uint64_t local = 0;
            sum += rate(RUNS[best_i].fn, RUNS[best_i].k, seed + (uint64_t)omp_get_thread_num(),
                        secs, 1, &local);
#pragma omp atomic
            *sink += local;
        }
        if (sum > all)
            all = sum;
    }
    return all;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 0.25;
    if (!(secs > 0))
        secs = 0.25;
    uint64_t seed = (uint64_t)(uintptr_t)&argc ^ 0x243F6A8885A308D3u, sink = 0;
    if (!self_check()) {
        fprintf(stderr, "ceiling: self-check FAILED: the kernel does not compute the stream\n");
        return 1;
    }
    double best;
    int best_i = best_k(seed, secs, &best, &sink);
    double mul_best = mul_rate(seed, secs, &sink);
    double r_shift = op_rate(op_shift, seed, secs / 2, &sink);
    double r_xor3 = op_rate(op_xor3, seed, secs / 2, &sink);
    double r_add = op_rate(op_add, seed, secs / 2, &sink);
    double r_alu = r_add > r_xor3 ? r_add : r_xor3;
    /* Per 8 blocks: 23 mul, 20 shift, 27 other ALU = 70 instructions.  A
     * lower bound on time is the largest of: each class at its own rate, and
     * all 70 at the fastest class's rate (issue width). */
    double tb = 23.0 / mul_best;
    if (20.0 / r_shift > tb)
        tb = 20.0 / r_shift;
    if (70.0 / r_alu > tb)
        tb = 70.0 / r_alu;
    double issue_bound = 16.0 / tb;
    int cores = omp_get_max_threads();
    double all = all_cores(best_i, seed, secs, &sink);
    printf("\"best_k\": %d, \"ceiling_per_core\": %.6g, \"cores\": %d, \"ceiling_all_cores\": "
           "%.6g, \"ceiling_cores_x_per_core\": %.6g, \"vpmuludq_zmm_per_s\": %.6g, "
           "\"mul_bound_per_core\": %.6g, \"shift_zmm_per_s\": %.6g, \"xor3_zmm_per_s\": %.6g, "
           "\"add_zmm_per_s\": %.6g, \"issue_bound_per_core\": %.6g, \"verified\": true, "
           "\"mix_per_8_blocks\": {\"vpmuludq\": 23, \"shift\": 20, \"xor\": 20, "
           "\"add_cmp_count\": 7}, \"sink\": %llu}\n",
           RUNS[best_i].k, best, cores, all, best * cores, mul_best, mul_best / 23.0 * 16.0,
           r_shift, r_xor3, r_add, issue_bound, (unsigned long long)(sink & 0xffff));
    return 0;
}

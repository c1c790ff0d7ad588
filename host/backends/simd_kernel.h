/* simd_kernel.h (private to simd_x86.c) - the vectorised Philox4x32-10 range
 * counter, written once for every x86 instruction set.  No include guard: it
 * is a template, included once per ISA after that ISA's primitives are
 * defined, and it #undefs them at its end.
 *
 * Layout.  One Philox block (two samples) per 64-bit lane: each of the four
 * state words lives in the low 32 bits of a lane.  pmuludq (_mm*_mul_epu32)
 * reads only those low 32 bits and returns the exact 64-bit product, so one
 * instruction gives both halves of mulhilo32 (lo in the low half, hi after a
 * 64-bit shift) and the high halves of the words may hold garbage: every word
 * is only ever multiplied or XORed into a word that is.  The same pmuludq
 * squares u and v exactly for the inside test.  Block indices stay below
 * 2^63 (see mcpi__count_split), so the lane counters {m, m + 1, ...} never
 * wrap.
 *
 * The includer has included simd_counters.h, mcpi_core.h and the intrinsics,
 * and defines, before each include of this file:
 *   MCPI__ISA            the name in the map of simd.h (avx512): names the
 *                        functions mcpi__count_<ISA> and mcpi__has_<ISA>
 *   MCPI__TARGET         the CPU feature, for target() and
 *                        __builtin_cpu_supports ("avx512f")
 *   MCPI__V              the vector type
 *   MCPI__BLOCKS         64-bit lanes (Philox blocks) per vector
 *   MCPI__CHAINS         vectors in flight in the interleaved loop
 *   MCPI__MUL(a, b)      lo32(a) * lo32(b) -> 64 bits, per 64-bit lane
 *   MCPI__SHR32(a)       64-bit logical shift right by 32
 *   MCPI__XOR(a, b), MCPI__XOR3(a, b, c), MCPI__ADD(a, b) (64-bit lanes)
 *   MCPI__SET1(x)        x (uint64_t) in every 64-bit lane
 *   MCPI__IOTA()         {0, 1, ..., MCPI__BLOCKS - 1}
 *   MCPI__STOREU(p, v)   v to uint64_t p[MCPI__BLOCKS]
 *   MCPI__TALLY(acc, u, v, aux)  the inside test and count of one sample per
 *                        lane, (u, v) two state words: acc plus 1 where the
 *                        sample is inside (u*u + v*v, both squares exact by
 *                        MCPI__MUL, does not wrap in 64 bits), or where it is
 *                        outside if MCPI__TALLY_MISSES is 1; aux is
 *                        MCPI__SET1(MCPI__TALLY_AUX), a constant it may need
 *   MCPI__TALLY_AUX, MCPI__TALLY_MISSES (0: acc counts hits, 1: misses)
 * Each ISA squares inside its tally: with the squares there, GCC 12 gives
 * every loop the spills of the hand-written kernels this template replaced
 * (squaring in the template costs AVX2 and SSE2 a few more). */

#ifndef MCPI_SIMD_KERNEL_ONCE
#define MCPI_SIMD_KERNEL_ONCE

/* Round keys: key word w after r bumps, one copy per 64-bit lane. */
#define MCPI__KEY0(seed, r) ((uint64_t)(uint32_t)((uint32_t)(seed) + (uint32_t)(r)*MCPI_PHILOX_W0))
#define MCPI__KEY1(seed, r)                                                                        \
    ((uint64_t)(uint32_t)((uint32_t)((seed) >> 32) + (uint32_t)(r)*MCPI_PHILOX_W1))

/* Fully unrolls a loop over the vectors in flight (or the rounds), so the
 * per-vector arrays of the blocks loop live in registers. */
#define MCPI__UNROLL _Pragma("GCC unroll 16")

#define MCPI__CAT(a, b) a##b
#define MCPI__XCAT(a, b) MCPI__CAT(a, b)
/* mcpi__<ISA>_<what>: the template's file-local names. */
#define MCPI__FN(what) MCPI__XCAT(MCPI__XCAT(mcpi__, MCPI__ISA), MCPI__CAT(_, what))

#endif /* MCPI_SIMD_KERNEL_ONCE */

#define MCPI__TGT __attribute__((target(MCPI__TARGET)))

/* The round keys and multipliers, broadcast once per call. */
typedef struct {
    MCPI__V k0[MCPI_PHILOX_ROUNDS], k1[MCPI_PHILOX_ROUNDS];
    MCPI__V m0, m1, aux;
} MCPI__FN(consts);

/* The Philox state of one vector's blocks: word w in the low half of each
 * 64-bit lane of cw. */
typedef struct {
    MCPI__V c0, c1, c2, c3;
} MCPI__FN(state);

MCPI__TGT static inline void MCPI__FN(init)(MCPI__FN(consts) * k, uint64_t seed)
{
    for (int r = 0; r < MCPI_PHILOX_ROUNDS; ++r) {
        k->k0[r] = MCPI__SET1(MCPI__KEY0(seed, r));
        k->k1[r] = MCPI__SET1(MCPI__KEY1(seed, r));
    }
    k->m0 = MCPI__SET1(MCPI_PHILOX_M0);
    k->m1 = MCPI__SET1(MCPI_PHILOX_M1);
    k->aux = MCPI__SET1(MCPI__TALLY_AUX);
}

/* Round 0 of the blocks whose indices are in mv: the counter is
 * {lo32(m), hi32(m), 0, 0}, so mulhilo32(M1, c2) is 0 and c1 = hi32(m) is
 * mv's high half shifted down. */
MCPI__TGT static inline void MCPI__FN(round0)(const MCPI__FN(consts) * k, MCPI__V mv,
                                              MCPI__FN(state) * s)
{
    MCPI__V p0 = MCPI__MUL(mv, k->m0);
    s->c0 = MCPI__XOR(MCPI__SHR32(mv), k->k0[0]);
    s->c1 = MCPI__SET1(0); /* lo32(M1 * 0); round 1 does not read it */
    s->c2 = MCPI__XOR(MCPI__SHR32(p0), k->k1[0]);
    s->c3 = p0;
}

/* Round 1: as round r below with c1 = 0, one XOR less. */
MCPI__TGT static inline void MCPI__FN(round1)(const MCPI__FN(consts) * k, MCPI__FN(state) * s)
{
    MCPI__V p0 = MCPI__MUL(s->c0, k->m0);
    MCPI__V p1 = MCPI__MUL(s->c2, k->m1);
    s->c0 = MCPI__XOR(MCPI__SHR32(p1), k->k0[1]);
    s->c1 = p1;
    s->c2 = MCPI__XOR3(MCPI__SHR32(p0), s->c3, k->k1[1]);
    s->c3 = p0;
}

/* Round r of Philox4x32-10 (DESIGN.md section 1), the one general round. */
MCPI__TGT static inline void MCPI__FN(round)(const MCPI__FN(consts) * k, MCPI__FN(state) * s, int r)
{
    MCPI__V p0 = MCPI__MUL(s->c0, k->m0);
    MCPI__V p1 = MCPI__MUL(s->c2, k->m1);
    s->c0 = MCPI__XOR3(MCPI__SHR32(p1), s->c1, k->k0[r]);
    s->c1 = p1;
    s->c2 = MCPI__XOR3(MCPI__SHR32(p0), s->c3, k->k1[r]);
    s->c3 = p0;
}

/* acc plus the tally of both samples of each block: the even one is
 * (w0, w1), the odd one (w2, w3) (DESIGN.md section 1). */
MCPI__TGT static inline MCPI__V MCPI__FN(tally)(const MCPI__FN(consts) * k,
                                                const MCPI__FN(state) * s, MCPI__V acc)
{
    acc = MCPI__TALLY(acc, s->c0, s->c1, k->aux);
    return MCPI__TALLY(acc, s->c2, s->c3, k->aux);
}

/* Philox4x32-10 and the tally for the blocks in mv, one vector alone: used
 * for the at most MCPI__CHAINS - 1 vectors after the interleaved loop of
 * the blocks function below. */
MCPI__TGT static inline MCPI__V MCPI__FN(step)(const MCPI__FN(consts) * k, MCPI__V mv, MCPI__V acc)
{
    MCPI__FN(state) s;
    MCPI__FN(round0)(k, mv, &s);
    MCPI__FN(round1)(k, &s);
    for (int r = 2; r < MCPI_PHILOX_ROUNDS; ++r)
        MCPI__FN(round)(k, &s, r);
    return MCPI__FN(tally)(k, &s, acc);
}

/* Hits over whole blocks [m, m + nblocks), nblocks a multiple of
 * MCPI__BLOCKS.  The same computation as the step above for MCPI__CHAINS
 * vectors at once, interleaved round by round: round r of every vector,
 * then round r + 1.  Written as separate calls of the step, the compiler
 * emits each ~70-instruction Philox whole and the out-of-order window
 * cannot overlap enough of them (about 60 % of this loop's speed). */
MCPI__TGT static uint64_t MCPI__FN(blocks)(uint64_t seed, uint64_t m, uint64_t nblocks)
{
    enum { K = MCPI__CHAINS, B = MCPI__BLOCKS };
    MCPI__FN(consts) k;
    MCPI__FN(init)(&k, seed);
    const MCPI__V vstep = MCPI__SET1(B), vstepk = MCPI__SET1(B * K);
    MCPI__V mv[K], acc[K];
    MCPI__FN(state) s[K];
    mv[0] = MCPI__ADD(MCPI__SET1(m), MCPI__IOTA());
    acc[0] = MCPI__SET1(0);
    MCPI__UNROLL
    for (int j = 1; j < K; ++j) {
        mv[j] = MCPI__ADD(mv[j - 1], vstep);
        acc[j] = acc[0];
    }
    uint64_t i = 0;
    for (; nblocks - i >= (uint64_t)B * K; i += (uint64_t)B * K) {
        MCPI__UNROLL
        for (int j = 0; j < K; ++j)
            MCPI__FN(round0)(&k, mv[j], &s[j]);
        MCPI__UNROLL
        for (int j = 0; j < K; ++j)
            MCPI__FN(round1)(&k, &s[j]);
        MCPI__UNROLL
        for (int r = 2; r < MCPI_PHILOX_ROUNDS; ++r) {
            MCPI__UNROLL
            for (int j = 0; j < K; ++j)
                MCPI__FN(round)(&k, &s[j], r);
        }
        MCPI__UNROLL
        for (int j = 0; j < K; ++j) {
            acc[j] = MCPI__FN(tally)(&k, &s[j], acc[j]);
            mv[j] = MCPI__ADD(mv[j], vstepk);
        }
    }
    /* mv[0] is the first vector not yet counted. */
    for (; i < nblocks; i += B) {
        acc[0] = MCPI__FN(step)(&k, mv[0], acc[0]);
        mv[0] = MCPI__ADD(mv[0], vstep);
    }
    MCPI__UNROLL
    for (int j = 1; j < K; ++j)
        acc[0] = MCPI__ADD(acc[0], acc[j]);
    uint64_t lanes[B], sum = 0;
    MCPI__STOREU(lanes, acc[0]);
    for (int j = 0; j < B; ++j)
        sum += lanes[j];
    return MCPI__TALLY_MISSES ? 2 * nblocks - sum : sum;
}

/* The counter of simd_counters.h for this ISA. */
uint64_t MCPI__XCAT(mcpi__count_, MCPI__ISA)(uint64_t seed, uint64_t begin, uint64_t end)
{
    return mcpi__count_split(seed, begin, end, MCPI__BLOCKS, MCPI__FN(blocks));
}

/* 1 when this CPU, and its OS (which must save the wide registers), can run
 * the counter; __builtin_cpu_supports checks both. */
int MCPI__XCAT(mcpi__has_, MCPI__ISA)(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports(MCPI__TARGET) != 0;
}

#undef MCPI__TGT
#undef MCPI__ISA
#undef MCPI__TARGET
#undef MCPI__V
#undef MCPI__BLOCKS
#undef MCPI__CHAINS
#undef MCPI__MUL
#undef MCPI__SHR32
#undef MCPI__XOR
#undef MCPI__XOR3
#undef MCPI__ADD
#undef MCPI__SET1
#undef MCPI__IOTA
#undef MCPI__STOREU
#undef MCPI__TALLY
#undef MCPI__TALLY_AUX
#undef MCPI__TALLY_MISSES

/* mcpi_kernel.cl - the OpenCL kernel: hits over one launch's slice of samples.
 *
 * This file includes nothing.  The build (cmake/embed.cmake) concatenates
 * kernels/mcpi_portable.h, kernels/mcpi_core.h and this file, with their
 * #include "..." lines blanked, into the C string mcpi_kernel_source, so the
 * math below is that of the mcpi_block_hits() the CPU backends run.
 *
 * Launch contract (host/backend_opencl.c):
 *   - the launch counts samples [begin, begin + count); begin + count never
 *     exceeds 2^64 - 1 (the run's end), so no index below wraps;
 *   - the slice is cut into Philox blocks: the full blocks fb .. lb - 1 (both
 *     samples in the slice), at most one partial head block (begin odd: only
 *     its odd sample) and at most one partial tail block (end odd: only its
 *     even sample);
 *   - with G = global size and W blocks per step (1, or 2 * MCPI_OCL_VEC
 *     when the host defines that), the full blocks are dealt in rounds of
 *     G*W: in round j work-item g counts the W consecutive blocks from
 *     fb + j*G*W + g*W.  Every work-item runs the same number of rounds,
 *     nfull / (G*W), with no branch in the loop body, so CPU compilers can
 *     vectorise it and GPU work-items never diverge.  The fewer
 *     than G*W blocks left go to work-items g, g + G, ... one block at a time,
 *     and work-item 0 counts the head and tail;
 *   - each work-group sums its items' hits in local memory (scratch holds
 *     one ulong per item) and writes one ulong to partial[group id]; the host
 *     reads those back and adds them.  Any work-group size and any global
 *     size work, powers of two or not, even a slice shorter than G.
 *
 * The scalar block path below is mcpi_block_hits(seed, m, 1, 1) with the
 * rounds unrolled; the vector path is the same math lane-wise.  The head and
 * tail blocks use mcpi_block_hits itself, and tests/test_opencl.c checks every
 * path against mcpi_count_range. */

#ifdef MCPI_BREAK_BUILD
/* Tests pass -DMCPI_BREAK_BUILD to check that build failures surface the log. */
#error "MCPI_BREAK_BUILD is defined: this build is broken on purpose"
#endif

/* One Philox4x32-10 round on the uint counter words c0..c3 with the round
 * key K0, K1.  The 32x32->64 products are written as in mcpi_core.h, which
 * compilers turn into a native widening multiply (mul.wide.u32 on NVIDIA). */
#define MCPI_OCL_ROUND(K0, K1)                                                                     \
    do {                                                                                           \
        const ulong p0 = (ulong)MCPI_PHILOX_M0 * c0, p1 = (ulong)MCPI_PHILOX_M1 * c2;              \
        c0 = (uint)(p1 >> 32) ^ c1 ^ (K0);                                                         \
        c1 = (uint)p1;                                                                             \
        c2 = (uint)(p0 >> 32) ^ c3 ^ (K1);                                                         \
        c3 = (uint)p0;                                                                             \
    } while (0)

/* mcpi_block_hits(seed, m, 1, 1), the round keys precomputed. */
/* The ten rounds are spelled out: some compilers keep mcpi_philox4x32_10's
 * round loop rolled (PoCL disables unrolling), and a loop in the body keeps
 * a CPU runtime from vectorising across work-items. */
static inline uint mcpi_ocl_block_hits2(ulong m, const uint *k0, const uint *k1)
{
    uint c0 = (uint)m, c1 = (uint)(m >> 32), c2 = 0, c3 = 0;
    MCPI_OCL_ROUND(k0[0], k1[0]);
    MCPI_OCL_ROUND(k0[1], k1[1]);
    MCPI_OCL_ROUND(k0[2], k1[2]);
    MCPI_OCL_ROUND(k0[3], k1[3]);
    MCPI_OCL_ROUND(k0[4], k1[4]);
    MCPI_OCL_ROUND(k0[5], k1[5]);
    MCPI_OCL_ROUND(k0[6], k1[6]);
    MCPI_OCL_ROUND(k0[7], k1[7]);
    MCPI_OCL_ROUND(k0[8], k1[8]);
    MCPI_OCL_ROUND(k0[9], k1[9]);
    return mcpi_inside(c0, c1) + mcpi_inside(c2, c3);
}

/* MCPI_OCL_VEC (the host defines it as 16 for CPU devices; 1 or undefined
 * elsewhere) is the width of the OpenCL vectors in which a work-item computes
 * consecutive blocks, two vectors per step; CPU compilers map them onto SIMD
 * registers (ulong16: two AVX-512 registers), whatever their work-group
 * vectoriser makes of the work-item loop.  GPUs get the scalar loop: their
 * SIMD runs across work-items anyway. */
#if defined(MCPI_OCL_VEC) && MCPI_OCL_VEC != 1
#if MCPI_OCL_VEC == 4
#define MCPI_OCL_VU64 ulong4
#define MCPI_OCL_AS_U64 as_ulong4
#define MCPI_OCL_LANES ((ulong4)(0, 1, 2, 3))
#elif MCPI_OCL_VEC == 8
#define MCPI_OCL_VU64 ulong8
#define MCPI_OCL_AS_U64 as_ulong8
#define MCPI_OCL_LANES ((ulong8)(0, 1, 2, 3, 4, 5, 6, 7))
#elif MCPI_OCL_VEC == 16
#define MCPI_OCL_VU64 ulong16
#define MCPI_OCL_AS_U64 as_ulong16
#define MCPI_OCL_LANES ((ulong16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#else
#error "MCPI_OCL_VEC must be 1, 4, 8 or 16"
#endif
/* Blocks per work-item per step: two vectors. */
#define MCPI_OCL_W ((ulong)(2 * MCPI_OCL_VEC))

/* Hits among blocks m .. m + 2 * MCPI_OCL_VEC - 1, added lane-wise to *acc:
 * two vectors of MCPI_OCL_VEC blocks (x and y), their rounds interleaved so
 * that the CPU overlaps the independent dependency chains.  Each 32-bit
 * Philox word lives in the low half of a 64-bit lane, whose high half may
 * hold garbage: the widening multiply (vpmuludq on x86) reads only the low
 * halves, so a round costs two multiplies, two shifts and two three-way
 * xors per lane, with no packing or unpacking.  Words are masked wherever
 * their high half would matter: before each multiply (the compiler folds
 * that into the multiply) and before the inside test. */
static inline void mcpi_ocl_block_hits_vec(ulong m, const uint *k0, const uint *k1,
                                           MCPI_OCL_VU64 *acc)
{
    const MCPI_OCL_VU64 lo32 = (MCPI_OCL_VU64)MCPI_U64(0xFFFFFFFF);
    const MCPI_OCL_VU64 mx = (MCPI_OCL_VU64)m + MCPI_OCL_LANES;
    const MCPI_OCL_VU64 my = mx + (MCPI_OCL_VU64)MCPI_OCL_VEC;
    MCPI_OCL_VU64 x0 = mx, x1 = mx >> 32, x2 = (MCPI_OCL_VU64)0, x3 = (MCPI_OCL_VU64)0;
    MCPI_OCL_VU64 y0 = my, y1 = my >> 32, y2 = (MCPI_OCL_VU64)0, y3 = (MCPI_OCL_VU64)0;
#define MCPI_OCL_VROUND(c0, c1, c2, c3, K0, K1)                                                    \
    do {                                                                                           \
        const MCPI_OCL_VU64 p0 = (c0 & lo32) * (MCPI_OCL_VU64)MCPI_PHILOX_M0;                      \
        const MCPI_OCL_VU64 p1 = (c2 & lo32) * (MCPI_OCL_VU64)MCPI_PHILOX_M1;                      \
        c0 = (p1 >> 32) ^ c1 ^ (MCPI_OCL_VU64)(K0);                                                \
        c1 = p1;                                                                                   \
        c2 = (p0 >> 32) ^ c3 ^ (MCPI_OCL_VU64)(K1);                                                \
        c3 = p0;                                                                                   \
    } while (0)
#define MCPI_OCL_VROUND2(R)                                                                        \
    do {                                                                                           \
        MCPI_OCL_VROUND(x0, x1, x2, x3, k0[R], k1[R]);                                             \
        MCPI_OCL_VROUND(y0, y1, y2, y3, k0[R], k1[R]);                                             \
    } while (0)
    MCPI_OCL_VROUND2(0);
    MCPI_OCL_VROUND2(1);
    MCPI_OCL_VROUND2(2);
    MCPI_OCL_VROUND2(3);
    MCPI_OCL_VROUND2(4);
    MCPI_OCL_VROUND2(5);
    MCPI_OCL_VROUND2(6);
    MCPI_OCL_VROUND2(7);
    MCPI_OCL_VROUND2(8);
    MCPI_OCL_VROUND2(9);
#undef MCPI_OCL_VROUND2
#undef MCPI_OCL_VROUND
    /* mcpi_inside lane-wise: inside iff u*u + v*v does not wrap; a true
     * comparison is all ones (-1), so subtracting it adds 1. */
#define MCPI_OCL_VINSIDE(u, v)                                                                     \
    do {                                                                                           \
        const MCPI_OCL_VU64 uu = (u & lo32) * (u & lo32), vv = (v & lo32) * (v & lo32);            \
        *acc -= MCPI_OCL_AS_U64(uu + vv >= uu);                                                    \
    } while (0)
    MCPI_OCL_VINSIDE(x0, x1);
    MCPI_OCL_VINSIDE(x2, x3);
    MCPI_OCL_VINSIDE(y0, y1);
    MCPI_OCL_VINSIDE(y2, y3);
#undef MCPI_OCL_VINSIDE
}

/* The sum of acc's lanes. */
static inline ulong mcpi_ocl_sum(MCPI_OCL_VU64 acc)
{
#if MCPI_OCL_VEC == 16
    const ulong8 a8 = acc.lo + acc.hi;
    const ulong4 a4 = a8.lo + a8.hi;
#elif MCPI_OCL_VEC == 8
    const ulong4 a4 = acc.lo + acc.hi;
#else
    const ulong4 a4 = acc;
#endif
    return a4.s0 + a4.s1 + a4.s2 + a4.s3;
}
#else
#define MCPI_OCL_W ((ulong)1)
#endif

__kernel void mcpi_count(ulong seed, ulong begin, ulong count, __global ulong *partial,
                         __local ulong *scratch)
{
    const uint lid = (uint)get_local_id(0);
    const uint lsz = (uint)get_local_size(0);
    const ulong gid = (ulong)get_global_id(0);
    const ulong gsz = (ulong)get_global_size(0);

    const ulong end = begin + count;
    const ulong fb = (begin >> 1) + (begin & 1); /* first full block */
    const ulong lb = end >> 1;                   /* one past the last full block */
    /* lb - fb full blocks, or none: only a launch of no samples that starts
     * on an odd index has lb < fb.  Written without a comparison because
     * compilers turn "lb > fb ? lb - fb : 0" into a saturating subtract
     * (llvm.usub.sat), which some OpenCL runtimes (Oclgrind 21.10) cannot
     * execute. */
    const ulong nfull = (lb - fb) & (ulong)(-(long)(count != 0));
    /* Rounds of gsz * W full blocks; every work-item runs all of them. */
    const ulong step = gsz * MCPI_OCL_W;
    const ulong trips = nfull / step;

    uint k0[MCPI_PHILOX_ROUNDS], k1[MCPI_PHILOX_ROUNDS];
    k0[0] = (uint)seed;
    k1[0] = (uint)(seed >> 32);
    for (int r = 1; r < MCPI_PHILOX_ROUNDS; ++r) {
        k0[r] = k0[r - 1] + MCPI_PHILOX_W0;
        k1[r] = k1[r - 1] + MCPI_PHILOX_W1;
    }

    ulong hits = 0;
    ulong m = fb + gid * MCPI_OCL_W;
#if defined(MCPI_OCL_VEC) && MCPI_OCL_VEC != 1
    MCPI_OCL_VU64 acc = (MCPI_OCL_VU64)0;
    for (ulong j = 0; j < trips; ++j) {
        mcpi_ocl_block_hits_vec(m, k0, k1, &acc);
        m += step;
    }
    hits = mcpi_ocl_sum(acc);
#else
    for (ulong j = 0; j < trips; ++j) {
        hits += mcpi_ocl_block_hits2(m, k0, k1);
        m += step;
    }
#endif
    /* Fewer than gsz * W full blocks are left, from fb + trips * step:
     * work-item gid takes those at gid, gid + gsz, ... */
    for (ulong b = trips * step + gid; b < nfull; b += gsz)
        hits += mcpi_ocl_block_hits2(fb + b, k0, k1);
    /* The partial head and tail blocks. */
    if (gid == 0 && count != 0) {
        if (begin & 1)
            hits += mcpi_block_hits(seed, begin >> 1, 0, 1);
        if (end & 1)
            hits += mcpi_block_hits(seed, lb, 1, 0);
    }

    scratch[lid] = hits;
    barrier(CLK_LOCAL_MEM_FENCE);

    /* Tree reduction over a power-of-two span covering lsz items; the
     * partner lid + stride is skipped when it lies past the group's end. */
    uint span = 1;
    while (span < lsz)
        span <<= 1;
    for (uint stride = span >> 1; stride > 0; stride >>= 1) {
        if (lid < stride && lid + stride < lsz)
            scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0)
        partial[get_group_id(0)] = scratch[0];
}

/* Philox4x32-10 of in[6i .. 6i+5] (counter words 0..3, key words 0..1) into
 * out[4i .. 4i+3]: mcpi selftest's known answers, computed by the device's
 * compiler from the same mcpi_core.h as the counting above. */
__kernel void mcpi_philox(__global const uint *in, __global uint *out)
{
    const size_t i = get_global_id(0);
    uint ctr[4], key[2], w[4];
    for (int j = 0; j < 4; ++j)
        ctr[j] = in[6 * i + j];
    key[0] = in[6 * i + 4];
    key[1] = in[6 * i + 5];
    mcpi_philox4x32_10(ctr, key, w);
    for (int j = 0; j < 4; ++j)
        out[4 * i + j] = w[j];
}

/* omp_philox.c - a peer for mcpi, written the way a good HPC programmer
 * would write it by hand: the same sample stream as mcpi (DESIGN section 1:
 * Philox4x32-10, sample i from block i/2, exact integer inside test), its own
 * implementation (not mcpi's header), one OpenMP parallel loop over Philox
 * blocks with a reduction, vectorised by the compiler (omp simd).
 *
 * Its hits must equal mcpi's for the same (seed, N).
 *
 * Build: cc -O3 -march=native -fopenmp omp_philox.c -o omp_philox
 * Run:   ./omp_philox N [SEED]     (N up to 2^63)
 * Output: {"hits": H, "samples": N, "time_s": T, "threads": P} on one line;
 *         T is the counting loop only (omp_get_wtime), like mcpi's time. */
#include <inttypes.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static inline uint32_t block_hits(uint64_t m, uint32_t k0, uint32_t k1)
{
    uint32_t c0 = (uint32_t)m, c1 = (uint32_t)(m >> 32), c2 = 0, c3 = 0;
    for (int r = 0; r < 10; ++r) {
        uint64_t p0 = (uint64_t)0xD2511F53u * c0;
        uint64_t p1 = (uint64_t)0xCD9E8D57u * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    uint64_t a = (uint64_t)c0 * c0, b = (uint64_t)c1 * c1;
    uint64_t c = (uint64_t)c2 * c2, d = (uint64_t)c3 * c3;
    return (uint32_t)(a + b >= a) + (uint32_t)(c + d >= c);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: omp_philox N [SEED]\n");
        return 2;
    }
    /* plain integers, or 1e9-style: exact below 2^53 */
    char *end;
    uint64_t n = strtoull(argv[1], &end, 0);
    if (*end == 'e' || *end == 'E' || *end == '.')
        n = (uint64_t)strtod(argv[1], NULL);
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    int64_t blocks = (int64_t)(n / 2);
    uint64_t hits = 0;

    double t0 = omp_get_wtime();
#pragma omp parallel for simd reduction(+ : hits) schedule(static)
    for (int64_t m = 0; m < blocks; ++m)
        hits += block_hits((uint64_t)m, k0, k1);
    if (n & 1) { /* the last, even sample of block n/2 */
        uint32_t c0 = (uint32_t)(n / 2), c1 = (uint32_t)(n / 2 >> 32), c2 = 0, c3 = 0;
        uint32_t a0 = k0, a1 = k1;
        for (int r = 0; r < 10; ++r) {
            uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ a0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ a1;
            c1 = (uint32_t)p1;
            c3 = (uint32_t)p0;
            c0 = n0;
            c2 = n2;
            a0 += 0x9E3779B9u;
            a1 += 0xBB67AE85u;
        }
        uint64_t a = (uint64_t)c0 * c0, b = (uint64_t)c1 * c1;
        hits += a + b >= a;
    }
    double t = omp_get_wtime() - t0;

    printf("{\"hits\": %" PRIu64 ", \"samples\": %" PRIu64 ", \"time_s\": %.9f, \"threads\": %d}\n",
           hits, n, t, omp_get_max_threads());
    return 0;
}

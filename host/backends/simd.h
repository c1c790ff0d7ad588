/* simd.h (private to the engine) - the vectorised range counter and its run-time
 * instruction-set dispatch, used by the simd and threads backends. */
#ifndef MCPI_SIMD_H
#define MCPI_SIMD_H

#include <stddef.h>
#include <stdint.h>

/* Every instruction set mcpi knows, widest first: its name, the 32-bit
 * lanes it processes side by side, and the feature __builtin_cpu_supports
 * checks for it ("" for none).  The one list of ISA names: the dispatch
 * table, --isa's check and its accepted form all come from it. */
#define MCPI_SIMD_ISA_MAP(XX)                                                                      \
    XX(avx512, 16, "avx512f")                                                                      \
    XX(avx2, 8, "avx2")                                                                            \
    XX(sse2, 4, "sse2")                                                                            \
    XX(portable, 1, "")
#define MCPI__SIMD_ISA_NAME(name, lanes, feature) ", " #name
/* "avx512, avx2, sse2, portable" */
#define MCPI_SIMD_ISA_NAMES (MCPI_SIMD_ISA_MAP(MCPI__SIMD_ISA_NAME) + 2)

/* Counts hits over samples [begin, end) for seed: bit-identical to
 * mcpi_count_range() of kernels/mcpi_core.h. */
typedef uint64_t (*mcpi_count_fn)(uint64_t seed, uint64_t begin, uint64_t end);

typedef struct mcpi_simd_impl {
    const char *name; /* "avx512", "avx2", "sse2", "portable" */
    unsigned lanes;   /* 32-bit lanes processed side by side */
    mcpi_count_fn count;
} mcpi_simd_impl;

/* Picks an implementation.  isa NULL or "" means: the MCPI_ISA environment
 * variable if set, else the widest one this CPU supports.  Returns 0,
 * MCPI_EINVAL for a name not in {avx512, avx2, sse2, portable}, or
 * MCPI_EUNAVAIL when the CPU lacks the requested instruction set. */
int mcpi_simd_select(const char *isa, mcpi_simd_impl *out, char *err, size_t errlen);
/* What a device listing shows (it has no --isa): MCPI_ISA when this CPU
 * can use it, else the widest set.  An MCPI_ISA that cannot be used is
 * refused when a row opens, where --isa (which beats it) is known. */
void mcpi_simd_listed(mcpi_simd_impl *out);

#endif /* MCPI_SIMD_H */

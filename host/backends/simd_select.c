/* simd_select.c - the table of vectorised range counters, their run-time
 * selection, and the scalar head / vector body / scalar tail split they all
 * use.  The counters themselves are in simd_x86.c (AVX-512, AVX2, SSE2) and
 * simd_portable.c.
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
#include "simd_counters.h"

/* Ranges shorter than this many samples are counted by the scalar core. */
#define MCPI__SIMD_MIN_SAMPLES 64u

uint64_t mcpi__count_split(uint64_t seed, uint64_t begin, uint64_t end, unsigned vec_blocks,
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

/* ---- the table ------------------------------------------------------------ */

typedef struct {
    mcpi_simd_impl impl;
    int (*has)(void); /* 1 when this CPU and its OS can run impl.count */
} mcpi__simd_isa;

#if defined(__x86_64__)
#define MCPI__SIMD_FN(prefix, name, feature) prefix##name
#else
/* Elsewhere only the ISA that needs no CPU feature (portable) is built; the
 * x86 entries stay, without a counter, so that asking for one is
 * "unavailable", not "unknown". */
#define MCPI__SIMD_FN(prefix, name, feature) (sizeof(feature) == 1 ? prefix##portable : NULL)
#endif
#define MCPI__SIMD_ENTRY(name, lanes, feature)                                                     \
    {{#name, lanes, MCPI__SIMD_FN(mcpi__count_, name, feature)},                                   \
     MCPI__SIMD_FN(mcpi__has_, name, feature)},

/* Every instruction set of MCPI_SIMD_ISA_MAP, widest first: the one constant
 * table of this module. */
static const mcpi__simd_isa mcpi__simd_isas[] = {MCPI_SIMD_ISA_MAP(MCPI__SIMD_ENTRY)};
#define MCPI__SIMD_NISAS (sizeof mcpi__simd_isas / sizeof mcpi__simd_isas[0])

static int mcpi__simd_supported(const mcpi__simd_isa *isa)
{
    return isa->impl.count != NULL && isa->has();
}

/* Writes "a, b, c": every name, or only the supported ones. */
static void mcpi__simd_names(char *buf, size_t len, int only_supported)
{
    buf[0] = '\0';
    for (size_t i = 0; i < MCPI__SIMD_NISAS; ++i) {
        if (only_supported && !mcpi__simd_supported(&mcpi__simd_isas[i]))
            continue;
        if (buf[0] != '\0')
            strncat(buf, ", ", len - strlen(buf) - 1);
        strncat(buf, mcpi__simd_isas[i].impl.name, len - strlen(buf) - 1);
    }
}

/* ---- selection ------------------------------------------------------------ */

int mcpi_simd_select(const char *isa, mcpi_simd_impl *out, char *err, size_t errlen)
{
    const char *from = "isa";
    if (isa == NULL || isa[0] == '\0') {
        isa = getenv("MCPI_ISA");
        from = "MCPI_ISA";
    }
    int best = isa == NULL || isa[0] == '\0';
    char names[64];
    for (size_t i = 0; i < MCPI__SIMD_NISAS; ++i) {
        const mcpi__simd_isa *entry = &mcpi__simd_isas[i];
        if (best ? !mcpi__simd_supported(entry) : strcmp(isa, entry->impl.name) != 0)
            continue;
        if (!mcpi__simd_supported(entry)) {
            mcpi__simd_names(names, sizeof names, 1);
            mcpi_set_error(err, errlen, "simd: %s=%s: this CPU lacks it; available: %s", from, isa,
                           names);
            return MCPI_EUNAVAIL;
        }
        *out = entry->impl;
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

void mcpi_simd_listed(mcpi_simd_impl *out)
{
    char err[MCPI_ERROR_LEN];
    if (mcpi_simd_select(NULL, out, err, sizeof err) == MCPI_OK)
        return;
    for (size_t i = 0; i < MCPI__SIMD_NISAS; ++i) /* widest first; portable always runs */
        if (mcpi__simd_supported(&mcpi__simd_isas[i])) {
            *out = mcpi__simd_isas[i].impl;
            return;
        }
}

int mcpi_isa_known(const char *name)
{
    for (size_t i = 0; i < MCPI__SIMD_NISAS; ++i)
        if (strcmp(name, mcpi__simd_isas[i].impl.name) == 0)
            return 1;
    return 0;
}

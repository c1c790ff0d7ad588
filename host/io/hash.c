/* hash.c - cache keys: FNV-1a 64 (mcpi_fnv1a) of several strings. */
#include <string.h>

#include "hash.h"

uint64_t mcpi_hash_parts(const char *const *parts, size_t n)
{
    uint64_t h = MCPI_FNV_OFFSET;
    for (size_t i = 0; i < n; ++i) {
        const char *s = parts[i] ? parts[i] : "";
        h = mcpi_fnv1a(h, s, strlen(s) + 1);
    }
    return h;
}

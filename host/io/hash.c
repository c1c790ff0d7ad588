/* hash.c - FNV-1a 64, the checksum and cache key of every file mcpi keeps
 * (checkpoints, the auto model, OpenCL cache entries). */
#include <string.h>

#include "hash.h"

uint64_t mcpi_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t mcpi_hash_parts(const char *const *parts, size_t n)
{
    uint64_t h = MCPI_FNV_OFFSET;
    for (size_t i = 0; i < n; ++i) {
        const char *s = parts[i] ? parts[i] : "";
        h = mcpi_fnv1a(h, s, strlen(s) + 1);
    }
    return h;
}

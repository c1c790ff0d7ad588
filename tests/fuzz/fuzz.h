/* fuzz.h - what the fuzz targets share (tests/fuzz/README.md).
 *
 * Each tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput and nothing
 * else global.  Built with MCPI_FUZZ=ON it links libFuzzer's main; in every
 * test build it links tests/fuzz/replay.c instead (MCPI_FUZZ_REPLAY), which
 * feeds it the committed corpus and regression inputs.  A target frees all
 * it allocates on every input (LeakSanitizer checks it), writes nothing but
 * its temporary files, and aborts through FUZZ_CHECK when a property the
 * code documents does not hold: that is a finding like a crash. */
#ifndef MCPI_FUZZ_H
#define MCPI_FUZZ_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A documented property that failed: say which, then crash (libFuzzer keeps
 * the input as a crash-* file; the replay test fails). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A malloc'd copy of data[0, size) with a NUL after it: exactly size + 1
 * bytes, so AddressSanitizer sees a read past the terminator.  NULL when
 * out of memory. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return NULL;
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Where a JSON report's checksum stands when mcpi laid the file out
 * (MCPI_REPORT_CHECKSUM_KEY, 16 hex digits, "\"\n}\n" at the very end):
 * the offset of the key, or (size_t)-1 when text is not laid out so. */
static inline size_t fuzz_report_checksum_at(const char *text, size_t len)
{
    static const char key[] = MCPI_REPORT_CHECKSUM_KEY, end[] = "\"\n}\n";
    size_t klen = sizeof key - 1, tail = klen + 16 + sizeof end - 1;
    if (len < tail || memcmp(text + len - tail, key, klen) != 0 ||
        memcmp(text + len - sizeof end + 1, end, sizeof end - 1) != 0)
        return (size_t)-1;
    return len - tail;
}

/* Rewrites the checksum of a report laid out as mcpi writes it so that it
 * matches the bytes before it: mutated reports then get past the checksum
 * to the checks behind it.  1 when rewritten, 0 when text has no checksum
 * where mcpi puts it (left as it is). */
static inline int fuzz_report_fix_checksum(char *text, size_t len)
{
    size_t at = fuzz_report_checksum_at(text, len);
    if (at == (size_t)-1)
        return 0;
    char hex[17];
    snprintf(hex, sizeof hex, "%016" PRIx64, mcpi_fnv1a(MCPI_FNV_OFFSET, text, at));
    memcpy(text + at + sizeof MCPI_REPORT_CHECKSUM_KEY - 1, hex, 16);
    return 1;
}

#endif /* MCPI_FUZZ_H */

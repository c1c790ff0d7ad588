/* fuzz_numbers.c - the exact number parsers of the command line,
 * mcpi_parse_count and mcpi_parse_u64 (host/cli/numbers.c).
 *
 * The input is one argument (up to its first NUL byte, as argv holds it).
 * Properties (cli.h): the verdict is 0 or MCPI_EINVAL and *out is written
 * only on 0; a count is at least 1; plain decimal and 0x hexadecimal agree
 * with strtoull (the same value, refused exactly when it is above 2^64-1); a
 * count "B^E" is B to the power E; a count in scientific form below 2^53
 * (where a double is exact) is the value strtod reads. */
#include <errno.h>

#include "cli.h"
#include "fuzz.h"

#define SENTINEL 0x5a5a5a5a5a5a5a5aull

/* s is a non-empty run of the bytes in set. */
static int all_of(const char *s, const char *set)
{
    return s[0] != '\0' && s[strspn(s, set)] == '\0';
}

/* strtoull's verdict on a run of digits in base: 0 and the value, or -1
 * when it is above 2^64-1. */
static int oracle(const char *digits, int base, uint64_t *out)
{
    errno = 0;
    unsigned long long v = strtoull(digits, NULL, base);
    if (errno == ERANGE)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static void check_u64(const char *s)
{
    uint64_t v = SENTINEL, want = 0;
    int rc = mcpi_parse_u64(s, &v);
    FUZZ_CHECK(rc == MCPI_OK || rc == MCPI_EINVAL);
    FUZZ_CHECK(rc == MCPI_OK || v == SENTINEL);
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (hex && all_of(s + 2, "0123456789abcdefABCDEF")) {
        int ok = oracle(s + 2, 16, &want) == 0;
        FUZZ_CHECK(ok == (rc == MCPI_OK) && (!ok || v == want));
    } else if (!hex && all_of(s, "0123456789")) {
        int ok = oracle(s, 10, &want) == 0;
        FUZZ_CHECK(ok == (rc == MCPI_OK) && (!ok || v == want));
    } else {
        FUZZ_CHECK(rc == MCPI_EINVAL);
    }
}

/* B^E with both runs of digits: v is B to the power E. */
static void check_power(const char *s, uint64_t v)
{
    const char *caret = strchr(s, '^');
    FUZZ_CHECK(caret != NULL && caret > s && all_of(caret + 1, "0123456789"));
    char *base_s = fuzz_strndup((const uint8_t *)s, (size_t)(caret - s));
    uint64_t base = 0, exp = 0;
    FUZZ_CHECK(base_s != NULL && all_of(base_s, "0123456789"));
    FUZZ_CHECK(oracle(base_s, 10, &base) == 0 && oracle(caret + 1, 10, &exp) == 0);
    free(base_s);
    if (base <= 1 || exp == 0) { /* 0^0 = 1^E = B^0 = 1; 0^E (E > 0) is refused */
        FUZZ_CHECK(v == 1);
        return;
    }
    FUZZ_CHECK(exp < 64);
    for (uint64_t i = 0; i < exp; ++i) {
        FUZZ_CHECK(v % base == 0);
        v /= base;
    }
    FUZZ_CHECK(v == 1);
}

static void check_count(const char *s)
{
    uint64_t v = SENTINEL, want = 0;
    int rc = mcpi_parse_count(s, &v);
    FUZZ_CHECK(rc == MCPI_OK || rc == MCPI_EINVAL);
    if (rc != MCPI_OK) {
        FUZZ_CHECK(v == SENTINEL);
        if (all_of(s, "0123456789")) /* only 0 and values above 2^64-1 are refused */
            FUZZ_CHECK(oracle(s, 10, &want) != 0 || want == 0);
        return;
    }
    FUZZ_CHECK(v >= 1 && s[0] >= '0' && s[0] <= '9');
    if (all_of(s, "0123456789")) {
        FUZZ_CHECK(oracle(s, 10, &want) == 0 && v == want);
    } else if (strchr(s, '^') != NULL) {
        check_power(s, v);
    } else {
        FUZZ_CHECK(strpbrk(s, "eE.") != NULL);
        if (v <= (1ull << 53))
            FUZZ_CHECK(strtod(s, NULL) == (double)v);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    if (s == NULL)
        return 0;
    check_u64(s);
    check_count(s);
    free(s);
    return 0;
}

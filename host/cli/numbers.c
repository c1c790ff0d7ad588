/* numbers.c - exact parsing of sample counts and 64-bit values.
 *
 * Counts are parsed in integers, never through double: "1e19" and
 * "18446744073709551615" must be exact, and "2^64" must be rejected. */
#include <ctype.h>
#include <string.h>

#include "cli.h"

/* *v = *v * m + add, failing on 64-bit overflow. */
static int mul_add(uint64_t *v, uint64_t m, uint64_t add)
{
    if (m != 0 && *v > (UINT64_MAX - add) / m)
        return -1;
    *v = *v * m + add;
    return 0;
}

/* Parses a run of decimal digits at *s (at least one); advances *s; counts
 * digits in *ndigits; fails on overflow. */
static int parse_digits(const char **s, uint64_t *v, int *ndigits)
{
    const char *p = *s;
    int n = 0;
    while (isdigit((unsigned char)*p)) {
        if (mul_add(v, 10, (uint64_t)(*p - '0')) != 0)
            return -1;
        ++p;
        ++n;
    }
    if (ndigits)
        *ndigits = n;
    *s = p;
    return n > 0 ? 0 : -1;
}

static int checked_pow(uint64_t base, uint64_t exp, uint64_t *out)
{
    uint64_t v = 1;
    for (uint64_t i = 0; i < exp; ++i) {
        if (mul_add(&v, base, 0) != 0)
            return -1;
        if (v == 0 || v == 1) /* 0^k and 1^k: no need to loop on */
            break;
    }
    *out = (exp == 0) ? 1 : v;
    return 0;
}

/* mantissa "D[.D]" times 10^E, exact or rejected. */
static int parse_scientific(const char *s, uint64_t *out)
{
    uint64_t mant = 0, exp = 0;
    int nint = 0, nfrac = 0;
    /* Digits beyond 64-bit range in the mantissa are rejected too. */
    if (parse_digits(&s, &mant, &nint) != 0)
        return -1;
    if (*s == '.') {
        ++s;
        const char *f = s;
        if (isdigit((unsigned char)*f) && parse_digits(&s, &mant, &nfrac) != 0)
            return -1;
    }
    if (*s != 'e' && *s != 'E')
        return -1;
    ++s;
    if (*s == '+')
        ++s;
    if (parse_digits(&s, &exp, NULL) != 0 || *s != '\0')
        return -1;
    /* value = mant * 10^(exp - nfrac); must be an integer. */
    if (exp >= (uint64_t)nfrac) {
        uint64_t scale;
        if (exp - (uint64_t)nfrac > 19 && mant != 0)
            return -1;
        if (checked_pow(10, exp - (uint64_t)nfrac, &scale) != 0 || mul_add(&mant, scale, 0) != 0)
            return -1;
    } else {
        for (uint64_t k = (uint64_t)nfrac - exp; k > 0; --k) {
            if (mant % 10 != 0)
                return -1;
            mant /= 10;
        }
    }
    *out = mant;
    return 0;
}

int mcpi_parse_count(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (s == NULL || !isdigit((unsigned char)s[0]))
        return MCPI_EINVAL;
    if (strchr(s, '^') != NULL) {
        uint64_t base = 0, exp = 0;
        const char *p = s;
        if (parse_digits(&p, &base, NULL) != 0 || *p != '^')
            return MCPI_EINVAL;
        ++p;
        if (parse_digits(&p, &exp, NULL) != 0 || *p != '\0')
            return MCPI_EINVAL;
        if (checked_pow(base, exp, &v) != 0)
            return MCPI_EINVAL;
    } else if (strpbrk(s, "eE.") != NULL) {
        if (parse_scientific(s, &v) != 0)
            return MCPI_EINVAL;
    } else {
        const char *p = s;
        if (parse_digits(&p, &v, NULL) != 0 || *p != '\0')
            return MCPI_EINVAL;
    }
    if (v == 0)
        return MCPI_EINVAL;
    *out = v;
    return MCPI_OK;
}

int mcpi_parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (s == NULL || s[0] == '\0')
        return MCPI_EINVAL;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        const char *p = s + 2;
        if (*p == '\0')
            return MCPI_EINVAL;
        for (; *p; ++p) {
            int d;
            if (*p >= '0' && *p <= '9')
                d = *p - '0';
            else if (*p >= 'a' && *p <= 'f')
                d = *p - 'a' + 10;
            else if (*p >= 'A' && *p <= 'F')
                d = *p - 'A' + 10;
            else
                return MCPI_EINVAL;
            if (v >> 60)
                return MCPI_EINVAL;
            v = (v << 4) | (uint64_t)d;
        }
    } else {
        const char *p = s;
        if (parse_digits(&p, &v, NULL) != 0 || *p != '\0')
            return MCPI_EINVAL;
    }
    *out = v;
    return MCPI_OK;
}

/* report_format.c - what every writer shares: sticky-error output, valid
 * UTF-8, exact numbers, JSON strings and RFC 4180 CSV fields, written once. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"
#include "report_private.h"

/* ---- checksums ---------------------------------------------------------- */

uint64_t mcpi_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; ++i) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* ---- output ----------------------------------------------------------- */

void mcpi__put(mcpi__out *o, const char *s)
{
    if (!o->failed && fputs(s, o->f) < 0)
        o->failed = 1;
}

void mcpi__printf(mcpi__out *o, const char *fmt, ...)
{
    if (o->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    if (vfprintf(o->f, fmt, ap) < 0)
        o->failed = 1;
    va_end(ap);
}

/* Reads at most up to the first byte that fails, so never past a NUL. */
size_t mcpi__utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++) {
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    }
    return len;
}

void mcpi__put_utf8(mcpi__out *o, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run = 0;
    while (i < n) {
        size_t len = s[i] < 0x80 ? 1 : mcpi__utf8_len(s + i);
        if (len > 0 && i + len <= n) {
            i += len;
            continue;
        }
        mcpi__printf(o, "%.*s" MCPI__UTF8_REPLACEMENT, (int)(i - run), (const char *)s + run);
        run = ++i;
    }
    mcpi__printf(o, "%.*s", (int)(i - run), (const char *)s + run);
}

/* ---- numbers ---------------------------------------------------------- */

/* Enough significant digits for any double to read back exactly. */
#define MAX_EXACT_DIGITS 17
/* Below 2^53 every whole double prints exactly in plain digits. */
#define MAX_PLAIN_INTEGER 9007199254740992.0

void mcpi__fmt_exact(char buf[MCPI__NUM_LEN], double v)
{
    buf[0] = '\0';
    if (!isfinite(v))
        return;
    /* Whole numbers (rates, byte counts) read better without an exponent. */
    if (v == floor(v) && fabs(v) < MAX_PLAIN_INTEGER) {
        snprintf(buf, MCPI__NUM_LEN, "%.0f", v);
        return;
    }
    /* The fewest digits that read back exactly (17 always do). */
    int prec = 1;
    for (; prec < MAX_EXACT_DIGITS; prec++) {
        char tmp[MCPI__NUM_LEN];
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    snprintf(buf, MCPI__NUM_LEN, "%.*g", prec, v);
}

#define JSON_REPLACEMENT "\\ufffd" /* for bytes that are not UTF-8 */

void mcpi__json_str(mcpi__out *o, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    mcpi__put(o, "\"");
    while (*s) {
        /* Copy the longest run that needs no escaping in one write. */
        size_t run = 0;
        for (;;) {
            unsigned char c = s[run];
            if (c == 0 || c < 0x20 || c == '"' || c == '\\')
                break;
            if (c < 0x80) {
                run++;
                continue;
            }
            size_t len = mcpi__utf8_len(s + run);
            if (len == 0)
                break;
            run += len;
        }
        if (run > 0) {
            mcpi__printf(o, "%.*s", (int)run, (const char *)s);
            s += run;
            continue;
        }
        if (*s == '"' || *s == '\\')
            mcpi__printf(o, "\\%c", *s);
        else if (*s < 0x20)
            mcpi__printf(o, "\\u%04x", *s);
        else
            mcpi__put(o, JSON_REPLACEMENT);
        s++;
    }
    mcpi__put(o, "\"");
}

#define CSV_EOL "\r\n" /* RFC 4180 record separator */
#define CSV_SPECIALS ",\"\r\n"

void mcpi__csv_sep(mcpi__csv *c)
{
    if (!c->first)
        mcpi__put(c->o, ",");
    c->first = 0;
}

void mcpi__csv_str(mcpi__csv *c, const char *s)
{
    /* Text is written as valid UTF-8 (invalid bytes become U+FFFD), so
     * every CSV reader can decode the file. */
    if (!strpbrk(s, CSV_SPECIALS)) {
        mcpi__csv_sep(c);
        mcpi__put_utf8(c->o, s, strlen(s));
        return;
    }
    mcpi__csv_quoted(c, s);
}

void mcpi__csv_empty(mcpi__csv *c)
{
    mcpi__csv_sep(c);
}

void mcpi__csv_u64(mcpi__csv *c, uint64_t v)
{
    mcpi__csv_sep(c);
    mcpi__printf(c->o, "%" PRIu64, v);
}

void mcpi__csv_int(mcpi__csv *c, long long v)
{
    mcpi__csv_sep(c);
    mcpi__printf(c->o, "%lld", v);
}

/* -1 (unknown, not applicable) is an empty field. */
void mcpi__csv_known(mcpi__csv *c, int64_t v)
{
    if (v < 0)
        mcpi__csv_empty(c);
    else
        mcpi__csv_int(c, v);
}

void mcpi__csv_num(mcpi__csv *c, double v)
{
    char buf[MCPI__NUM_LEN];
    mcpi__fmt_exact(buf, v); /* "" for NaN and infinities */
    mcpi__csv_sep(c);
    mcpi__put(c->o, buf);
}

void mcpi__csv_end(mcpi__csv *c)
{
    mcpi__put(c->o, CSV_EOL);
    c->first = 1;
}

void mcpi__csv_quoted(mcpi__csv *c, const char *s)
{
    mcpi__csv_sep(c);
    mcpi__put(c->o, "\"");
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        mcpi__put_utf8(c->o, s, (size_t)(q - s));
        mcpi__put(c->o, "\"\"");
    }
    mcpi__put_utf8(c->o, s, strlen(s));
    mcpi__put(c->o, "\"");
}

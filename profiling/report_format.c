/* report_format.c - the quoting rules every writer shares: JSON strings
 * (report_json.c, devices, calibration) and RFC 4180 CSV fields (report_csv.c,
 * devices, calibration), written once. */
#include <inttypes.h>
#include <string.h>

#include "mcpi_profile.h"
#include "report_private.h"

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

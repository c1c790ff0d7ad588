/* checkpoint.c - encode, decode, atomically write and read checkpoint files
 * (format in checkpoint.h). */
#include "checkpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define SUM_KEY "fnv1a64 "
#define SUM_LINE_LEN (sizeof SUM_KEY - 1 + 16 + 1) /* key, 16 hex digits, newline */

/* A name written into the file: no spaces or control characters, never empty. */
static void token(char *dst, size_t cap, const char *src)
{
    size_t j = 0;
    for (size_t i = 0; src[i] != '\0' && j + 1 < cap; ++i) {
        unsigned char c = (unsigned char)src[i];
        dst[j++] = (c <= ' ' || c == 0x7f) ? '_' : (char)c;
    }
    if (j == 0 && cap > 1)
        dst[j++] = '-';
    dst[j] = '\0';
}

int mcpi_checkpoint_encode(const mcpi_checkpoint *ck, char *buf, size_t cap, size_t *len)
{
    if (ck->begin >= ck->end || ck->done > ck->end - ck->begin || ck->hits > ck->done ||
        !(ck->elapsed_s >= 0.0) || isinf(ck->elapsed_s))
        return MCPI_EINVAL;
    char version[sizeof ck->version], backend[sizeof ck->backend];
    token(version, sizeof version, ck->version);
    token(backend, sizeof backend, ck->backend);
    int n = snprintf(buf, cap,
                     "mcpi-checkpoint %d\nversion %s\nseed %" PRIu64 "\nsamples %" PRIu64
                     "\nbegin %" PRIu64 "\nend %" PRIu64 "\ndone %" PRIu64 "\nhits %" PRIu64
                     "\nelapsed_s %.17g\nbackend %s\nranks %d\n",
                     MCPI_CHECKPOINT_FORMAT, version, ck->seed, ck->end - ck->begin, ck->begin,
                     ck->end, ck->done, ck->hits, ck->elapsed_s, backend, ck->ranks);
    if (n < 0 || (size_t)n + SUM_LINE_LEN >= cap)
        return MCPI_EINVAL;
    uint64_t h = mcpi_fnv1a(MCPI_FNV_OFFSET, buf, (size_t)n);
    int m = snprintf(buf + n, cap - (size_t)n, SUM_KEY "%016" PRIx64 "\n", h);
    if (m < 0 || (size_t)m != SUM_LINE_LEN)
        return MCPI_EINVAL;
    *len = (size_t)n + (size_t)m;
    return MCPI_OK;
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct cursor {
    const char *p, *end;
} cursor;

/* Takes the line "key value\n"; points *val at value (len *vlen). */
static int take_line(cursor *c, const char *key, const char **val, size_t *vlen)
{
    size_t klen = strlen(key);
    const char *nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
    if (nl == NULL || (size_t)(nl - c->p) <= klen + 1 || memcmp(c->p, key, klen) != 0 ||
        c->p[klen] != ' ')
        return -1;
    *val = c->p + klen + 1;
    *vlen = (size_t)(nl - *val);
    c->p = nl + 1;
    return 0;
}

static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int u64_field(cursor *c, const char *key, uint64_t *out)
{
    const char *v;
    size_t n;
    return take_line(c, key, &v, &n) == 0 && parse_u64(v, n, out) == 0 ? 0 : -1;
}

static int str_field(cursor *c, const char *key, char *out, size_t cap)
{
    const char *v;
    size_t n;
    if (take_line(c, key, &v, &n) != 0 || n >= cap)
        return -1;
    for (size_t i = 0; i < n; ++i)
        if ((unsigned char)v[i] <= ' ')
            return -1;
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

static int double_field(cursor *c, const char *key, double *out)
{
    char buf[64];
    if (str_field(c, key, buf, sizeof buf) != 0)
        return -1;
    char *endp = NULL;
    errno = 0;
    double d = strtod(buf, &endp);
    if (errno != 0 || endp == buf || *endp != '\0' || !(d >= 0.0) || isinf(d))
        return -1;
    *out = d;
    return 0;
}

static int why(char *w, size_t wlen, const char *msg)
{
    if (w != NULL && wlen > 0)
        snprintf(w, wlen, "%s", msg);
    return MCPI_EINVAL;
}

int mcpi_checkpoint_decode(const char *buf, size_t len, mcpi_checkpoint *ck, char *w,
                           size_t wlen)
{
    static const char magic[] = "mcpi-checkpoint ";
    memset(ck, 0, sizeof *ck);
    if (len < sizeof magic - 1 || memcmp(buf, magic, sizeof magic - 1) != 0)
        return why(w, wlen, "not an mcpi checkpoint (no 'mcpi-checkpoint' header)");
    if (memchr(buf, '\0', len) != NULL)
        return why(w, wlen, "corrupt (contains NUL bytes)");
    /* The checksum line is last; a file cut anywhere loses or breaks it. */
    if (len < SUM_LINE_LEN || buf[len - 1] != '\n')
        return why(w, wlen, "truncated (no checksum line at the end)");
    size_t body = len - SUM_LINE_LEN;
    const char *sum = buf + body;
    if ((body > 0 && buf[body - 1] != '\n') || memcmp(sum, SUM_KEY, sizeof SUM_KEY - 1) != 0)
        return why(w, wlen, "truncated (no checksum line at the end)");
    uint64_t want = 0;
    for (size_t i = sizeof SUM_KEY - 1; i < SUM_LINE_LEN - 1; ++i) {
        char ch = sum[i];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else
            return why(w, wlen, "corrupt (malformed checksum line)");
        want = want << 4 | d;
    }
    if (mcpi_fnv1a(MCPI_FNV_OFFSET, buf, body) != want)
        return why(w, wlen, "corrupt (checksum mismatch)");

    cursor c = {buf, buf + body};
    uint64_t format = 0, samples = 0, ranks = 0;
    if (u64_field(&c, "mcpi-checkpoint", &format) != 0)
        return why(w, wlen, "corrupt (bad header line)");
    if (format != MCPI_CHECKPOINT_FORMAT)
        return why(w, wlen, "written in an unknown checkpoint format (expected format 1)");
    if (str_field(&c, "version", ck->version, sizeof ck->version) != 0 ||
        u64_field(&c, "seed", &ck->seed) != 0 || u64_field(&c, "samples", &samples) != 0 ||
        u64_field(&c, "begin", &ck->begin) != 0 || u64_field(&c, "end", &ck->end) != 0 ||
        u64_field(&c, "done", &ck->done) != 0 || u64_field(&c, "hits", &ck->hits) != 0 ||
        double_field(&c, "elapsed_s", &ck->elapsed_s) != 0 ||
        str_field(&c, "backend", ck->backend, sizeof ck->backend) != 0 ||
        u64_field(&c, "ranks", &ranks) != 0 || ranks > INT32_MAX || c.p != c.end)
        return why(w, wlen, "corrupt (a field is missing, malformed or out of order)");
    ck->ranks = (int)ranks;
    if (ck->begin >= ck->end || samples != ck->end - ck->begin ||
        ck->done > ck->end - ck->begin || ck->hits > ck->done)
        return why(w, wlen, "corrupt (inconsistent numbers: need begin < end, "
                            "samples = end - begin, hits <= done <= samples)");
    return MCPI_OK;
}

/* ---- files ----------------------------------------------------------------- */

int mcpi_checkpoint_write(const char *path, const mcpi_checkpoint *ck, char *err, size_t errlen)
{
    char text[MCPI_CHECKPOINT_MAX_BYTES];
    size_t len = 0;
    if (mcpi_checkpoint_encode(ck, text, sizeof text, &len) != MCPI_OK) {
        mcpi_set_error(err, errlen, "--checkpoint: internal error encoding '%s'", path);
        return MCPI_EIO;
    }
    return mcpi_write_atomic_bytes(path, "--checkpoint", MCPI_FILE_SHARED, text, len, err, errlen);
}

int mcpi_checkpoint_read(const char *path, mcpi_checkpoint *ck, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    char reason[160] = "";
    int rc = mcpi_read_file(path, "--resume", MCPI_CHECKPOINT_MAX_BYTES, &text, &len, err, errlen);
    if (rc == MCPI_ENOMEM)
        return rc;
    if (rc != MCPI_OK) {
        if (errno != EFBIG)
            return MCPI_EINVAL; /* err says it cannot be read or is not a file */
        snprintf(reason, sizeof reason, "not an mcpi checkpoint (larger than %d bytes)",
                 MCPI_CHECKPOINT_MAX_BYTES);
    } else if (len == 0) {
        snprintf(reason, sizeof reason, "truncated (empty file)");
    } else if (mcpi_checkpoint_decode(text, len, ck, reason, sizeof reason) == MCPI_OK) {
        free(text);
        return MCPI_OK;
    }
    free(text);
    mcpi_set_error(err, errlen, "--resume: '%s' is refused: %s", path, reason);
    return MCPI_EINVAL;
}

int mcpi_checkpoint_match(const mcpi_checkpoint *ck, const char *path, uint64_t seed,
                          uint64_t begin, uint64_t end, char *err, size_t errlen)
{
    if (ck->seed == seed && ck->begin == begin && ck->end == end)
        return MCPI_OK;
    mcpi_set_error(err, errlen,
                   "--resume: '%s' is for seed %" PRIu64 ", samples [%" PRIu64 ", %" PRIu64
                   "), but this run is seed %" PRIu64 ", samples [%" PRIu64 ", %" PRIu64
                   "); pass the same -n/--samples, --seed and --range",
                   path, ck->seed, ck->begin, ck->end, seed, begin, end);
    return MCPI_EINVAL;
}

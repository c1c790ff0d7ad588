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
#define HEAD_MAX 1024                              /* the lines before the intervals */
#define INTERVAL_LINE_MAX 72                       /* "interval B E H\n" */

void mcpi_checkpoint_init(mcpi_checkpoint *ck)
{
    memset(ck, 0, sizeof *ck);
    mcpi_intervals_init(&ck->done);
}

void mcpi_checkpoint_free(mcpi_checkpoint *ck)
{
    if (ck != NULL)
        mcpi_intervals_free(&ck->done);
}

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

/* Intervals sorted, disjoint, inside [begin, end), hits within length. */
static int consistent(const mcpi_checkpoint *ck)
{
    if (ck->begin >= ck->end || !mcpi_intervals_within(&ck->done, ck->begin, ck->end))
        return 0;
    for (size_t i = 0; i < ck->done.n; ++i) {
        const mcpi_interval *v = &ck->done.v[i];
        if (v->begin >= v->end || v->hits > v->end - v->begin ||
            (i > 0 && ck->done.v[i - 1].end > v->begin))
            return 0;
    }
    return ck->elapsed_s >= 0.0 && !isinf(ck->elapsed_s);
}

int mcpi_checkpoint_encode(const mcpi_checkpoint *ck, char **text, size_t *len)
{
    *text = NULL;
    if (!consistent(ck))
        return MCPI_EINVAL;
    size_t cap = HEAD_MAX + ck->done.n * INTERVAL_LINE_MAX + SUM_LINE_LEN + 1;
    char *buf = malloc(cap);
    if (buf == NULL)
        return MCPI_ENOMEM;
    char version[sizeof ck->version], row[sizeof ck->row];
    token(version, sizeof version, ck->version);
    token(row, sizeof row, ck->row);
    int n = snprintf(buf, cap,
                     "mcpi-checkpoint %d\nversion %s\nseed %" PRIu64 "\nsamples %" PRIu64
                     "\nbegin %" PRIu64 "\nend %" PRIu64 "\ndone %" PRIu64 "\nhits %" PRIu64
                     "\nelapsed_s %.17g\nrow %s\nranks %d\nintervals %zu\n",
                     MCPI_CHECKPOINT_FORMAT, version, ck->seed, ck->end - ck->begin, ck->begin,
                     ck->end, mcpi_intervals_samples(&ck->done), mcpi_intervals_hits(&ck->done),
                     ck->elapsed_s, row, ck->ranks, ck->done.n);
    for (size_t i = 0; i < ck->done.n && n > 0 && (size_t)n < cap; ++i)
        n += snprintf(buf + n, cap - (size_t)n, "interval %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                      ck->done.v[i].begin, ck->done.v[i].end, ck->done.v[i].hits);
    if (n < 0 || (size_t)n + SUM_LINE_LEN >= cap) {
        free(buf);
        return MCPI_EINVAL;
    }
    uint64_t h = mcpi_fnv1a(MCPI_FNV_OFFSET, buf, (size_t)n);
    snprintf(buf + n, cap - (size_t)n, SUM_KEY "%016" PRIx64 "\n", h);
    *text = buf;
    *len = (size_t)n + SUM_LINE_LEN;
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

/* A decimal u64 at s (n bytes, no sign, no leading zero); *used gets its length. */
static int parse_u64(const char *s, size_t n, uint64_t *out, size_t *used)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < n && i < 21 && s[i] >= '0' && s[i] <= '9') {
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
        ++i;
    }
    if (i == 0 || (i > 1 && s[0] == '0'))
        return -1;
    *out = v;
    *used = i;
    return 0;
}

static int u64_field(cursor *c, const char *key, uint64_t *out)
{
    const char *v;
    size_t n, used;
    return take_line(c, key, &v, &n) == 0 && parse_u64(v, n, out, &used) == 0 && used == n ? 0 : -1;
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

/* "interval B E H" */
static int interval_field(cursor *c, mcpi_interval *iv)
{
    const char *v;
    size_t n, a, b, h;
    if (take_line(c, "interval", &v, &n) != 0 || parse_u64(v, n, &iv->begin, &a) != 0 ||
        a + 1 >= n || v[a] != ' ' || parse_u64(v + a + 1, n - a - 1, &iv->end, &b) != 0 ||
        a + b + 2 >= n || v[a + 1 + b] != ' ' ||
        parse_u64(v + a + b + 2, n - a - b - 2, &iv->hits, &h) != 0 || a + b + h + 2 != n)
        return -1;
    return 0;
}

static int why(char *w, size_t wlen, const char *msg)
{
    if (w != NULL && wlen > 0)
        snprintf(w, wlen, "%s", msg);
    return MCPI_EINVAL;
}

/* The checksum line is last; a file cut anywhere loses or breaks it.
 * *body gets the length of what it covers. */
static int check_sum(const char *buf, size_t len, size_t *body, char *w, size_t wlen)
{
    if (len < SUM_LINE_LEN || buf[len - 1] != '\n')
        return why(w, wlen, "truncated (no checksum line at the end)");
    *body = len - SUM_LINE_LEN;
    const char *sum = buf + *body;
    if ((*body > 0 && buf[*body - 1] != '\n') || memcmp(sum, SUM_KEY, sizeof SUM_KEY - 1) != 0)
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
    if (mcpi_fnv1a(MCPI_FNV_OFFSET, buf, *body) != want)
        return why(w, wlen, "corrupt (checksum mismatch)");
    return MCPI_OK;
}

/* The intervals of format 2, or format 1's prefix of done samples. */
static int read_done(cursor *c, uint64_t format, uint64_t done, uint64_t hits, mcpi_checkpoint *ck,
                     char *w, size_t wlen)
{
    if (format == 1)
        return done == 0 ||
                       mcpi_intervals_add(&ck->done, ck->begin, ck->begin + done, hits) == MCPI_OK
                   ? MCPI_OK
                   : why(w, wlen, "corrupt (inconsistent numbers)");
    uint64_t count = 0;
    if (u64_field(c, "intervals", &count) != 0)
        return why(w, wlen, "corrupt (a field is missing, malformed or out of order)");
    for (uint64_t i = 0; i < count; ++i) {
        mcpi_interval iv;
        if (interval_field(c, &iv) != 0)
            return why(w, wlen, "corrupt (a malformed or missing interval line)");
        if (iv.begin >= iv.end || iv.hits > iv.end - iv.begin ||
            (ck->done.n > 0 && ck->done.v[ck->done.n - 1].end > iv.begin))
            return why(w, wlen, "corrupt (intervals empty, overlapping or out of order)");
        if (mcpi_intervals_add(&ck->done, iv.begin, iv.end, iv.hits) != MCPI_OK)
            return MCPI_ENOMEM;
    }
    if (mcpi_intervals_samples(&ck->done) != done || mcpi_intervals_hits(&ck->done) != hits)
        return why(w, wlen, "corrupt (done or hits differ from the intervals' sums)");
    return MCPI_OK;
}

/* The fields after the header, in order. */
static int read_fields(cursor *c, uint64_t format, mcpi_checkpoint *ck, char *w, size_t wlen)
{
    uint64_t samples = 0, ranks = 0, done = 0, hits = 0;
    if (str_field(c, "version", ck->version, sizeof ck->version) != 0 ||
        u64_field(c, "seed", &ck->seed) != 0 || u64_field(c, "samples", &samples) != 0 ||
        u64_field(c, "begin", &ck->begin) != 0 || u64_field(c, "end", &ck->end) != 0 ||
        u64_field(c, "done", &done) != 0 || u64_field(c, "hits", &hits) != 0 ||
        double_field(c, "elapsed_s", &ck->elapsed_s) != 0 ||
        str_field(c, format == 1 ? "backend" : "row", ck->row, sizeof ck->row) != 0 ||
        u64_field(c, "ranks", &ranks) != 0 || ranks > INT32_MAX)
        return why(w, wlen, "corrupt (a field is missing, malformed or out of order)");
    ck->ranks = (int)ranks;
    if (ck->begin >= ck->end || samples != ck->end - ck->begin || done > samples || hits > done)
        return why(w, wlen,
                   "corrupt (inconsistent numbers: need begin < end, "
                   "samples = end - begin, hits <= done <= samples)");
    int rc = read_done(c, format, done, hits, ck, w, wlen);
    if (rc == MCPI_OK && c->p != c->end)
        return why(w, wlen, "corrupt (text after the last field)");
    if (rc == MCPI_OK && !consistent(ck))
        return why(w, wlen, "corrupt (intervals outside [begin, end))");
    return rc;
}

int mcpi_checkpoint_decode(const char *buf, size_t len, mcpi_checkpoint *ck, char *w, size_t wlen)
{
    static const char magic[] = "mcpi-checkpoint ";
    mcpi_checkpoint_init(ck);
    if (len < sizeof magic - 1 || memcmp(buf, magic, sizeof magic - 1) != 0)
        return why(w, wlen, "not an mcpi checkpoint (no 'mcpi-checkpoint' header)");
    if (memchr(buf, '\0', len) != NULL)
        return why(w, wlen, "corrupt (contains NUL bytes)");
    size_t body = 0;
    int rc = check_sum(buf, len, &body, w, wlen);
    if (rc != MCPI_OK)
        return rc;
    cursor c = {buf, buf + body};
    uint64_t format = 0;
    if (u64_field(&c, "mcpi-checkpoint", &format) != 0)
        return why(w, wlen, "corrupt (bad header line)");
    if (format != 1 && format != MCPI_CHECKPOINT_FORMAT)
        return why(w, wlen,
                   "written in an unknown checkpoint format (this mcpi reads formats "
                   "1 and 2; a newer mcpi wrote it?)");
    rc = read_fields(&c, format, ck, w, wlen);
    if (rc != MCPI_OK)
        mcpi_checkpoint_free(ck);
    return rc;
}

/* ---- files ----------------------------------------------------------------- */

int mcpi_checkpoint_write(const char *path, const mcpi_checkpoint *ck, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    int rc = mcpi_checkpoint_encode(ck, &text, &len);
    if (rc == MCPI_ENOMEM) {
        mcpi_set_error(err, errlen, "--checkpoint: out of memory encoding '%s'", path);
        return rc;
    }
    if (rc != MCPI_OK) {
        mcpi_set_error(err, errlen, "--checkpoint: internal error encoding '%s'", path);
        return MCPI_EIO;
    }
    rc = mcpi_write_atomic_bytes(path, "--checkpoint", MCPI_FILE_SHARED, text, len, err, errlen);
    free(text);
    return rc;
}

int mcpi_checkpoint_read(const char *path, mcpi_checkpoint *ck, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    char reason[160] = "";
    mcpi_checkpoint_init(ck);
    int rc = mcpi_read_file(path, "--resume", MCPI_CHECKPOINT_MAX_BYTES, &text, &len, err, errlen);
    if (rc == MCPI_ENOMEM)
        return rc;
    if (rc != MCPI_OK) {
        if (errno != EFBIG)
            return MCPI_EINVAL; /* err says it cannot be read or is not a file */
        snprintf(reason, sizeof reason, "not an mcpi checkpoint (larger than %u bytes)",
                 MCPI_CHECKPOINT_MAX_BYTES);
    } else if (len == 0) {
        snprintf(reason, sizeof reason, "truncated (empty file)");
    } else if ((rc = mcpi_checkpoint_decode(text, len, ck, reason, sizeof reason)) == MCPI_OK ||
               rc == MCPI_ENOMEM) {
        free(text);
        if (rc == MCPI_ENOMEM)
            mcpi_set_error(err, errlen, "--resume: '%s': out of memory", path);
        return rc;
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

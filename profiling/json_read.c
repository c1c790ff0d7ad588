/* json_read.c - recursive-descent JSON reader (see json_read.h). */
#include "json_read.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"

typedef struct parser {
    const char *p, *end, *start;
    int depth;
    int nomem;
    char *why;
    size_t whylen;
} parser;

static int line_of(const parser *ps)
{
    int line = 1;
    for (const char *q = ps->start; q < ps->p && q < ps->end; ++q)
        line += *q == '\n';
    return line;
}

static int error(parser *ps, const char *what)
{
    if (ps->why != NULL && ps->why[0] == '\0')
        snprintf(ps->why, ps->whylen, "line %d: %s", line_of(ps), what);
    return -1;
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int literal(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return error(ps, "invalid literal");
    ps->p += n;
    return 0;
}

/* A growing byte buffer for strings. */
typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static int buf_put(parser *ps, buf *b, const char *src, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *s = realloc(b->s, cap);
        if (s == NULL) {
            ps->nomem = 1;
            return error(ps, "out of memory");
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, src, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

static int hex4(parser *ps, unsigned *out)
{
    if (ps->end - ps->p < 4)
        return error(ps, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
        char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return error(ps, "invalid \\u escape");
    }
    *out = v;
    return 0;
}

static int put_utf8(parser *ps, buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return buf_put(ps, b, u, n);
}

/* A \\uXXXX escape (the backslash and u already read), a surrogate pair
 * as one code point, appended as UTF-8. */
static int unicode_escape(parser *ps, buf *b)
{
    unsigned cp;
    if (hex4(ps, &cp) != 0)
        return -1;
    if (cp >= 0xD800 && cp <= 0xDBFF) { /* a surrogate pair */
        unsigned lo;
        if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
            return error(ps, "unpaired surrogate in string");
        ps->p += 2;
        if (hex4(ps, &lo) != 0)
            return -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return error(ps, "unpaired surrogate in string");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return error(ps, "unpaired surrogate in string");
    }
    return put_utf8(ps, b, cp);
}

/* An escape after its backslash, appended unescaped. */
static int escape(parser *ps, buf *b)
{
    if (ps->p >= ps->end)
        return error(ps, "unterminated string");
    char e = *ps->p++;
    static const char map[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    for (const char *q = map; *q; q += 2)
        if (*q == e)
            return buf_put(ps, b, q + 1, 1);
    if (e != 'u')
        return error(ps, "invalid escape in string");
    return unicode_escape(ps, b);
}

/* Parses a string at ps->p (the opening quote); *out is malloc'ed. */
static int string(parser *ps, char **out)
{
    buf b = {NULL, 0, 0};
    ps->p++; /* the quote */
    if (buf_put(ps, &b, "", 0) != 0)
        return -1;
    for (;;) {
        if (ps->p >= ps->end) {
            error(ps, "unterminated string");
            break;
        }
        const char *run = ps->p;
        while (ps->p < ps->end && *ps->p != '"' && *ps->p != '\\' && (unsigned char)*ps->p >= 0x20)
            ps->p++;
        if (buf_put(ps, &b, run, (size_t)(ps->p - run)) != 0)
            break;
        if (ps->p >= ps->end)
            continue;
        char c = *ps->p++;
        if (c == '"') {
            *out = b.s;
            return 0;
        }
        if (c != '\\') {
            error(ps, "control character in string");
            break;
        }
        if (escape(ps, &b) != 0)
            break;
    }
    free(b.s);
    return -1;
}

static int number(parser *ps, mcpi_json *v)
{
    const char *s = ps->p;
    const char *q = s;
    if (q < ps->end && *q == '-')
        q++;
    if (q < ps->end && *q == '0')
        q++;
    else if (q < ps->end && *q >= '1' && *q <= '9')
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    else
        return error(ps, "invalid number");
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return error(ps, "invalid number");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= ps->end || *q < '0' || *q > '9')
            return error(ps, "invalid number");
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    size_t n = (size_t)(q - s);
    v->text = malloc(n + 1);
    if (v->text == NULL) {
        ps->nomem = 1;
        return error(ps, "out of memory");
    }
    memcpy(v->text, s, n);
    v->text[n] = '\0';
    v->type = MCPI_JSON_NUMBER;
    ps->p = q;
    return 0;
}

static int value(parser *ps, mcpi_json *v);

/* Appends an item (and key, for objects) to v; takes ownership of key. */
static mcpi_json *push(parser *ps, mcpi_json *v, size_t *cap, char *key)
{
    if (v->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        mcpi_json *items = realloc(v->items, nc * sizeof *items);
        if (items == NULL)
            goto nomem;
        v->items = items;
        if (v->type == MCPI_JSON_OBJECT) {
            char **keys = realloc(v->keys, nc * sizeof *keys);
            if (keys == NULL)
                goto nomem;
            v->keys = keys;
        }
        *cap = nc;
    }
    mcpi_json *item = &v->items[v->n];
    memset(item, 0, sizeof *item);
    if (v->type == MCPI_JSON_OBJECT)
        v->keys[v->n] = key;
    v->n++;
    return item;
nomem:
    free(key);
    ps->nomem = 1;
    error(ps, "out of memory");
    return NULL;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An object's keys are unique (RFC 8259 leaves duplicates to the reader;
 * mcpi refuses them, so no reader can see a different value than another).
 * Sorted copies, neighbours compared: O(n log n) for any object. */
static int unique_keys(parser *ps, const mcpi_json *v)
{
    if (v->n < 2)
        return 0;
    char **keys = malloc(v->n * sizeof *keys);
    if (keys == NULL) {
        ps->nomem = 1;
        return error(ps, "out of memory");
    }
    memcpy(keys, v->keys, v->n * sizeof *keys);
    qsort(keys, v->n, sizeof *keys, cmp_keys);
    int rc = 0;
    for (size_t i = 1; i < v->n && rc == 0; ++i)
        if (strcmp(keys[i - 1], keys[i]) == 0) {
            char what[96];
            snprintf(what, sizeof what, "duplicate key \"%.60s\"", keys[i]);
            rc = error(ps, what);
        }
    free(keys);
    return rc;
}

static int container(parser *ps, mcpi_json *v, char close)
{
    size_t cap = 0;
    if (++ps->depth > MCPI_JSON_MAX_DEPTH)
        return error(ps, "nesting too deep");
    ps->p++; /* [ or { */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (close == '}') {
            if (ps->p >= ps->end || *ps->p != '"')
                return error(ps, "expected a string key");
            if (string(ps, &key) != 0)
                return -1;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                return error(ps, "expected ':' after a key");
            }
            ps->p++;
        }
        mcpi_json *item = push(ps, v, &cap, key);
        if (item == NULL || value(ps, item) != 0)
            return -1;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            ps->depth--;
            return close == '}' ? unique_keys(ps, v) : 0;
        }
        return error(ps, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int value(parser *ps, mcpi_json *v)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return error(ps, "unexpected end of input");
    switch (*ps->p) {
    case '{':
        v->type = MCPI_JSON_OBJECT;
        return container(ps, v, '}');
    case '[':
        v->type = MCPI_JSON_ARRAY;
        return container(ps, v, ']');
    case '"':
        v->type = MCPI_JSON_STRING;
        return string(ps, &v->text);
    case 't':
        v->type = MCPI_JSON_BOOL;
        v->boolean = 1;
        return literal(ps, "true");
    case 'f':
        v->type = MCPI_JSON_BOOL;
        return literal(ps, "false");
    case 'n':
        v->type = MCPI_JSON_NULL;
        return literal(ps, "null");
    default:
        return number(ps, v);
    }
}

static void free_children(mcpi_json *v)
{
    for (size_t i = 0; i < v->n; ++i) {
        free_children(&v->items[i]);
        if (v->keys != NULL)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->text);
}

void mcpi_json_free(mcpi_json *v)
{
    if (v == NULL)
        return;
    free_children(v);
    free(v);
}

int mcpi_json_parse(const char *text, size_t len, mcpi_json **out, char *why, size_t whylen)
{
    *out = NULL;
    if (why != NULL && whylen > 0)
        why[0] = '\0';
    parser ps = {text, text + len, text, 0, 0, why, whylen};
    mcpi_json *v = calloc(1, sizeof *v);
    if (v == NULL)
        return MCPI_ENOMEM;
    int rc = value(&ps, v);
    if (rc == 0) {
        skip_ws(&ps);
        if (ps.p != ps.end)
            rc = error(&ps, "unexpected text after the JSON value");
    }
    if (rc != 0) {
        mcpi_json_free(v);
        return ps.nomem ? MCPI_ENOMEM : MCPI_EINVAL;
    }
    *out = v;
    return MCPI_OK;
}

const mcpi_json *mcpi_json_get(const mcpi_json *v, const char *key)
{
    if (v == NULL || v->type != MCPI_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < v->n; ++i)
        if (strcmp(v->keys[i], key) == 0)
            return &v->items[i];
    return NULL;
}

int mcpi_json_u64(const mcpi_json *v, uint64_t *out)
{
    if (v == NULL || v->type != MCPI_JSON_NUMBER)
        return MCPI_EINVAL;
    const char *s = v->text;
    if (*s == '\0' || s[strspn(s, "0123456789")] != '\0' || (s[0] == '0' && s[1] != '\0'))
        return MCPI_EINVAL;
    uint64_t x = 0;
    for (; *s; ++s) {
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10)
            return MCPI_EINVAL;
        x = x * 10 + d;
    }
    *out = x;
    return MCPI_OK;
}

int mcpi_json_double(const mcpi_json *v, double *out)
{
    if (v != NULL && v->type == MCPI_JSON_NULL) {
        *out = NAN;
        return 0;
    }
    if (v == NULL || v->type != MCPI_JSON_NUMBER)
        return MCPI_EINVAL;
    *out = strtod(v->text, NULL);
    return MCPI_OK;
}

/* intervals.c - sets of counted sample ranges (see intervals.h). */
#include "intervals.h"

#include <stdlib.h>
#include <string.h>

#include "mcpi.h"

void mcpi_intervals_init(mcpi_intervals *s)
{
    memset(s, 0, sizeof *s);
}

void mcpi_intervals_free(mcpi_intervals *s)
{
    if (s == NULL)
        return;
    free(s->v);
    memset(s, 0, sizeof *s);
}

void mcpi_intervals_clear(mcpi_intervals *s)
{
    s->n = 0;
}

static int reserve(mcpi_intervals *s, size_t n)
{
    if (n <= s->cap)
        return MCPI_OK;
    size_t cap = s->cap ? s->cap : 8;
    while (cap < n)
        cap *= 2;
    mcpi_interval *v = realloc(s->v, cap * sizeof *v);
    if (v == NULL)
        return MCPI_ENOMEM;
    s->v = v;
    s->cap = cap;
    return MCPI_OK;
}

/* Index of the first interval whose end is above b (binary search). */
static size_t first_after(const mcpi_intervals *s, uint64_t b)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->v[mid].end <= b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int mcpi_intervals_add(mcpi_intervals *s, uint64_t begin, uint64_t end, uint64_t hits)
{
    if (begin >= end)
        return MCPI_EINVAL;
    size_t i = first_after(s, begin); /* v[i-1].end <= begin < v[i].end */
    if (i < s->n && s->v[i].begin < end)
        return MCPI_EINVAL; /* overlaps v[i] */
    int left = i > 0 && s->v[i - 1].end == begin;
    int right = i < s->n && s->v[i].begin == end;
    if (left && right) { /* fills the hole between two: one interval */
        s->v[i - 1].end = s->v[i].end;
        s->v[i - 1].hits += hits + s->v[i].hits;
        memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof *s->v);
        --s->n;
    } else if (left) {
        s->v[i - 1].end = end;
        s->v[i - 1].hits += hits;
    } else if (right) {
        s->v[i].begin = begin;
        s->v[i].hits += hits;
    } else {
        if (reserve(s, s->n + 1) != MCPI_OK)
            return MCPI_ENOMEM;
        memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
        s->v[i] = (mcpi_interval){begin, end, hits};
        ++s->n;
    }
    return MCPI_OK;
}

int mcpi_intervals_add_all(mcpi_intervals *dst, const mcpi_intervals *src)
{
    for (size_t i = 0; i < src->n; ++i) {
        int rc = mcpi_intervals_add(dst, src->v[i].begin, src->v[i].end, src->v[i].hits);
        if (rc != MCPI_OK)
            return rc;
    }
    return MCPI_OK;
}

int mcpi_intervals_copy(mcpi_intervals *dst, const mcpi_intervals *src)
{
    if (reserve(dst, src->n) != MCPI_OK)
        return MCPI_ENOMEM;
    if (src->n > 0)
        memcpy(dst->v, src->v, src->n * sizeof *src->v);
    dst->n = src->n;
    return MCPI_OK;
}

uint64_t mcpi_intervals_samples(const mcpi_intervals *s)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->n; ++i)
        n += s->v[i].end - s->v[i].begin;
    return n;
}

uint64_t mcpi_intervals_hits(const mcpi_intervals *s)
{
    uint64_t h = 0;
    for (size_t i = 0; i < s->n; ++i)
        h += s->v[i].hits;
    return h;
}

int mcpi_intervals_within(const mcpi_intervals *s, uint64_t begin, uint64_t end)
{
    return s->n == 0 || (s->v[0].begin >= begin && s->v[s->n - 1].end <= end);
}

int mcpi_intervals_complement(const mcpi_intervals *s, uint64_t begin, uint64_t end,
                              mcpi_intervals *out)
{
    mcpi_intervals_clear(out);
    uint64_t at = begin;
    for (size_t i = 0; i <= s->n; ++i) {
        uint64_t next = i < s->n ? s->v[i].begin : end;
        if (next > at && mcpi_intervals_add(out, at, next, 0) != MCPI_OK)
            return MCPI_ENOMEM;
        if (i < s->n && s->v[i].end > at)
            at = s->v[i].end;
    }
    return MCPI_OK;
}

int mcpi_intervals_slice(const mcpi_intervals *todo, uint64_t off, uint64_t len,
                         mcpi_intervals *out)
{
    mcpi_intervals_clear(out);
    for (size_t i = 0; i < todo->n && len > 0; ++i) {
        uint64_t n = todo->v[i].end - todo->v[i].begin;
        if (off >= n) {
            off -= n;
            continue;
        }
        uint64_t take = n - off < len ? n - off : len;
        uint64_t b = todo->v[i].begin + off;
        if (mcpi_intervals_add(out, b, b + take, 0) != MCPI_OK)
            return MCPI_ENOMEM;
        len -= take;
        off = 0;
    }
    return MCPI_OK;
}

/* intervals.h (private to the engine) - sets of counted sample ranges: what
 * a checkpoint holds, what a resumed run still has to count, what a rank's
 * share of a row is.
 *
 * A set is sorted by begin, its intervals [begin, end) are disjoint and
 * non-empty, and adjacent ones are merged (their hits add), so a set that
 * grows chunk by chunk stays as short as its holes allow.  Adding an
 * interval that overlaps one already in the set is refused: a sample is
 * never counted twice. */
#ifndef MCPI_INTERVALS_H
#define MCPI_INTERVALS_H

#include <stddef.h>
#include <stdint.h>

typedef struct mcpi_interval {
    uint64_t begin, end; /* samples [begin, end) */
    uint64_t hits;       /* inside samples among them (0 in a to-do list) */
} mcpi_interval;

typedef struct mcpi_intervals {
    mcpi_interval *v;
    size_t n, cap;
} mcpi_intervals;

void mcpi_intervals_init(mcpi_intervals *s);
/* Frees what s holds; accepts NULL; s is empty (and usable) afterwards. */
void mcpi_intervals_free(mcpi_intervals *s);
void mcpi_intervals_clear(mcpi_intervals *s);

/* Adds [begin, end) with hits.  0; MCPI_EINVAL when it is empty or overlaps
 * the set (nothing changes); MCPI_ENOMEM. */
int mcpi_intervals_add(mcpi_intervals *s, uint64_t begin, uint64_t end, uint64_t hits);
/* Adds every interval of src to dst (the same rules). */
int mcpi_intervals_add_all(mcpi_intervals *dst, const mcpi_intervals *src);
/* Copies src into dst (replacing it).  0 or MCPI_ENOMEM. */
int mcpi_intervals_copy(mcpi_intervals *dst, const mcpi_intervals *src);

/* Samples, and hits, over the whole set. */
uint64_t mcpi_intervals_samples(const mcpi_intervals *s);
uint64_t mcpi_intervals_hits(const mcpi_intervals *s);
/* 1 when every interval of s lies inside [begin, end). */
int mcpi_intervals_within(const mcpi_intervals *s, uint64_t begin, uint64_t end);

/* The parts of [begin, end) that s does not hold, in order, hits 0
 * (replaces out).  s must lie within [begin, end).  0 or MCPI_ENOMEM. */
int mcpi_intervals_complement(const mcpi_intervals *s, uint64_t begin, uint64_t end,
                              mcpi_intervals *out);
/* Samples [off, off + len) of the concatenation of todo's intervals, as
 * intervals (replaces out): how a to-do list is cut into rank shares.
 * 0 or MCPI_ENOMEM; off + len beyond the total is cut at the total. */
int mcpi_intervals_slice(const mcpi_intervals *todo, uint64_t off, uint64_t len,
                         mcpi_intervals *out);

#endif /* MCPI_INTERVALS_H */

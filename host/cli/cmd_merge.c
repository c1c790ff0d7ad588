/* cmd_merge.c - mcpi merge FILE... [--cover N]: the parts of a job array
 * (JSON reports of `mcpi --range B:E` runs, or whole runs) become one report,
 * exactly as one run over their union would have printed it.
 *
 * Rules (each broken rule is one line naming the file, exit 2):
 * - every file is an mcpi JSON report of the same version and seed, whose
 *   checksum matches its content (a file without one, from an mcpi before
 *   the checksums, is merged with a note: its numbers are not verified);
 * - every result row is ok, all rows of one file cover the same range, and
 *   the exact rows of one file have the same hits (one stream, one count);
 * - the files' ranges, sorted, neither overlap nor leave gaps; with
 *   --cover N they are exactly [0, N).
 * Rows merge by stream: a row name in every part merges by name ("threads"
 * with "threads": each backend's time for the whole range); when no exact
 * name is in every part (a job array over mixed nodes: serial counted one
 * part, threads another), the parts' exact counts merge as one row named
 * "exact", each part counted by its fastest exact row.  A non-exact row
 * (naive: not the normative stream) merges only with the naive rows of
 * every other part.  Other rows not in every part are left out, with a note.
 * The merged row: hits and samples summed (pi and its error from them),
 * time the sum of the parts' median times (what one job of that kind would
 * take for the whole range; throughput follows), phases summed, memory the
 * largest part's.  Each part stays visible as a per-part row (the report's
 * per-rank section, rank = part number in range order), under its own name:
 * it says which backend counted which part. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct part {
    const char *file;
    char version[32];
    uint64_t seed, begin, end;
    int ranks;
    int peak_resettable;
    int checksummed; /* its checksum matched (0: it has none) */
    mcpi_record *rows;
    size_t nrows;
    const mcpi_record **by_name; /* rows sorted by name: lookups in O(log n) */
    const mcpi_record *fastest;  /* its fastest exact row, or NULL */
} part;

/* What the merged report holds: the names in every part, merged by name,
 * and (stream) one "exact" row of each part's fastest exact row. */
typedef struct plan {
    const char **names;
    size_t nnames;
    int stream;
} plan;

#define STREAM_ROW "exact"

/* One line "mcpi: merge: FILE: what" in err; MCPI_EINVAL. */
static int bad(char *err, size_t errlen, const char *file, const char *what)
{
    mcpi_set_error(err, errlen, "merge: %s: %s", file, what);
    return MCPI_EINVAL;
}

/* Merge's rule for one row of a part: it counted (ok). */
static int row_mergeable(const mcpi_record *r, char *what, size_t wlen)
{
    if (r->status != MCPI_OK) {
        snprintf(what, wlen, "row '%s' failed in that run; only ok rows can be merged", r->name);
        return -1;
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    const mcpi_record *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

/* The part's rows sorted by name into p->by_name; a name twice is refused
 * (neighbours once sorted).  MCPI_EINVAL with what, or MCPI_ENOMEM. */
static int index_rows(part *p, char *what, size_t wlen)
{
    p->by_name = malloc(p->nrows * sizeof *p->by_name);
    if (p->by_name == NULL)
        return MCPI_ENOMEM;
    for (size_t i = 0; i < p->nrows; ++i)
        p->by_name[i] = &p->rows[i];
    qsort(p->by_name, p->nrows, sizeof *p->by_name, cmp_names);
    for (size_t i = 1; i < p->nrows; ++i)
        if (strcmp(p->by_name[i - 1]->name, p->by_name[i]->name) == 0) {
            snprintf(what, wlen, "row '%s' appears twice", p->by_name[i]->name);
            return MCPI_EINVAL;
        }
    return MCPI_OK;
}

/* Checks the rows of a part read into p: mergeable, one seed, no name twice,
 * one range for all, one count of the stream; p->fastest gets its fastest
 * exact row (NULL when none).  MCPI_EINVAL (one line naming the file),
 * MCPI_ENOMEM. */
static int check_rows(part *p, char *err, size_t errlen)
{
    char what[MCPI_ERROR_LEN] = "";
    if (p->nrows == 0)
        return bad(err, errlen, p->file, "has no result rows");
    int rc = index_rows(p, what, sizeof what);
    if (rc == MCPI_ENOMEM) {
        mcpi_set_error(err, errlen, "merge: %s: out of memory", p->file);
        return rc;
    }
    if (rc != MCPI_OK)
        return bad(err, errlen, p->file, what);
    for (size_t i = 0; i < p->nrows; ++i) {
        const mcpi_record *r = &p->rows[i];
        if (row_mergeable(r, what, sizeof what) != 0)
            return bad(err, errlen, p->file, what);
        if (r->seed != p->seed)
            return bad(err, errlen, p->file, "a row's seed differs from config.seed");
        if (r->ranks < 1 || r->ranks > p->ranks) {
            snprintf(what, sizeof what, "row '%s' counts %d ranks, but config.ranks is %d", r->name,
                     r->ranks, p->ranks);
            return bad(err, errlen, p->file, what);
        }
        if (i == 0) {
            p->begin = r->begin;
            p->end = r->end;
        } else if (r->begin != p->begin || r->end != p->end) {
            return bad(err, errlen, p->file, "its rows cover different ranges");
        }
        if (!r->exact)
            continue;
        if (p->fastest != NULL && r->hits != p->fastest->hits) {
            snprintf(what, sizeof what,
                     "exact rows '%s' and '%s' count %" PRIu64 " and %" PRIu64
                     " hits of the same samples (a report mcpi would not write)",
                     p->fastest->name, r->name, p->fastest->hits, r->hits);
            return bad(err, errlen, p->file, what);
        }
        if (p->fastest == NULL ||
            mcpi_record_stats(r).median < mcpi_record_stats(p->fastest).median)
            p->fastest = r;
    }
    return MCPI_OK;
}

/* Reads one part file into p.  MCPI_EINVAL (one line naming the file). */
static int load_part(part *p, const char *file, char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->file = file;
    mcpi_report_doc doc;
    int rc = mcpi_cli_read_report("merge", file, &doc, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    snprintf(p->version, sizeof p->version, "%s", doc.version);
    p->seed = doc.seed;
    p->ranks = doc.ranks;
    p->peak_resettable = doc.peak_resettable;
    p->checksummed = doc.checksummed;
    p->rows = doc.rows; /* the part owns them now */
    p->nrows = doc.nrows;
    return check_rows(p, err, errlen);
}

static const mcpi_record *find_row(const part *p, const char *name)
{
    size_t lo = 0, hi = p->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->by_name[mid]->name, name);
        if (c == 0)
            return p->by_name[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int cmp_parts(const void *a, const void *b)
{
    const part *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

/* Checks versions, seeds, row names, and sorts parts into a tiling. */
static int check_parts(part *parts, int n, const mcpi_cli *c, char *err, size_t errlen)
{
    char what[640]; /* room for every message below; err truncates safely */
    const part *p0 = &parts[0];
    for (int i = 1; i < n; ++i) {
        const part *p = &parts[i];
        if (strcmp(p->version, p0->version) != 0) {
            snprintf(what, sizeof what, "written by mcpi %.30s, but %.200s by mcpi %.30s",
                     p->version, p0->file, p0->version);
            return bad(err, errlen, p->file, what);
        }
        if (p->seed != p0->seed) {
            snprintf(what, sizeof what, "seed %" PRIu64 ", but %.200s has seed %" PRIu64, p->seed,
                     p0->file, p0->seed);
            return bad(err, errlen, p->file, what);
        }
    }
    /* The merged report counts every part's ranks: refused rather than wrapped. */
    long long ranks = 0;
    for (int i = 0; i < n; ++i)
        if ((ranks += parts[i].ranks) > INT_MAX)
            return bad(err, errlen, parts[i].file,
                       "the parts' ranks add up to more than 2^31-1 (not a real job)");
    qsort(parts, (size_t)n, sizeof *parts, cmp_parts);
    for (int i = 1; i < n; ++i) {
        const part *a = &parts[i - 1], *b = &parts[i];
        if (b->begin < a->end) {
            snprintf(what, sizeof what,
                     "samples [%" PRIu64 ", %" PRIu64 ") overlap %.200s's [%" PRIu64 ", %" PRIu64
                     ")",
                     b->begin, b->end, a->file, a->begin, a->end);
            return bad(err, errlen, b->file, what);
        }
        if (b->begin > a->end) {
            snprintf(what, sizeof what,
                     "starts at sample %" PRIu64 ", but %.200s ends at %" PRIu64
                     ": the gap [%" PRIu64 ", %" PRIu64 ") is in no part",
                     b->begin, a->file, a->end, a->end, b->begin);
            return bad(err, errlen, b->file, what);
        }
    }
    if (c->has_cover) {
        const part *first = &parts[0], *last = &parts[n - 1];
        if (first->begin != 0) {
            snprintf(what, sizeof what,
                     "--cover %" PRIu64 ": the parts start at sample %" PRIu64
                     " (this file); [0, %" PRIu64 ") is missing",
                     c->cover, first->begin, first->begin);
            return bad(err, errlen, first->file, what);
        }
        if (last->end != c->cover) {
            snprintf(what, sizeof what,
                     "--cover %" PRIu64 ": the parts end at sample %" PRIu64
                     " (this file), not at %" PRIu64,
                     c->cover, last->end, c->cover);
            return bad(err, errlen, last->file, what);
        }
    }
    return MCPI_OK;
}

static int in_every_part(const part *parts, int n, const char *name)
{
    for (int i = 0; i < n; ++i)
        if (find_row(&parts[i], name) == NULL)
            return 0;
    return 1;
}

/* Which rows merge (see the top of the file); a non-exact row not in every
 * part is refused, other rows not in every part are left out with a note. */
static int plan_rows(const mcpi_cli *c, const part *parts, int n, plan *pl, char *err,
                     size_t errlen)
{
    memset(pl, 0, sizeof *pl);
    pl->names = malloc(parts[0].nrows * sizeof *pl->names);
    if (pl->names == NULL) {
        mcpi_set_error(err, errlen, "merge: out of memory");
        return MCPI_ENOMEM;
    }
    int exact_common = 0, every_part_exact = 1;
    for (size_t k = 0; k < parts[0].nrows; ++k)
        if (in_every_part(parts, n, parts[0].rows[k].name)) {
            pl->names[pl->nnames++] = parts[0].rows[k].name;
            exact_common |= parts[0].rows[k].exact;
        }
    for (int i = 0; i < n; ++i)
        every_part_exact &= parts[i].fastest != NULL;
    pl->stream = !exact_common && every_part_exact;
    /* Refusals first (one line, nothing else printed), then the notes. */
    for (int pass = 0; pass < 2; ++pass)
        for (int i = 0; i < n; ++i)
            for (size_t k = 0; k < parts[i].nrows; ++k) {
                const mcpi_record *r = &parts[i].rows[k];
                int missing = -1, first = 1;
                for (int j = 0; j < n && missing < 0; ++j)
                    if (find_row(&parts[j], r->name) == NULL)
                        missing = j;
                if (missing < 0 || (pass == 0 && r->exact))
                    continue;
                if (pass == 0) {
                    char what[MCPI_ERROR_LEN];
                    snprintf(what, sizeof what,
                             "row '%s' is not exact (the naive teaching row): it merges only "
                             "with the naive rows of the other parts, and %.200s has none",
                             r->name, parts[missing].file);
                    return bad(err, errlen, parts[i].file, what);
                }
                for (int j = 0; j < i && first; ++j) /* one note per name */
                    first = find_row(&parts[j], r->name) == NULL;
                if (first && !c->cfg.quiet)
                    fprintf(stderr,
                            "mcpi: merge: row '%s' is not in every part (%s has none): left "
                            "out%s\n",
                            r->name, parts[missing].file,
                            pl->stream ? "; the parts' exact rows merge as row '" STREAM_ROW "'"
                                       : "");
            }
    return MCPI_OK;
}

/* r's workers into the merged row m: summed by name (the first
 * MCPI_MAX_WORKERS names; a row has at most that many). */
static void add_workers(mcpi_record *m, const mcpi_record *r)
{
    for (unsigned i = 0; i < r->nworkers; ++i) {
        const mcpi_worker_record *w = &r->workers[i];
        unsigned k = 0;
        while (k < m->nworkers && strcmp(m->workers[k].name, w->name) != 0)
            ++k;
        if (k == m->nworkers) {
            if (k == MCPI_MAX_WORKERS)
                continue;
            m->workers[m->nworkers++] = *w;
            continue;
        }
        mcpi_worker_record *a = &m->workers[k];
        a->samples += w->samples;
        a->hits += w->hits;
        a->chunks += w->chunks;
        a->busy_s += w->busy_s;
        a->idle_s += w->idle_s;
        a->verified_chunks += w->verified_chunks;
        a->verified_samples += w->verified_samples;
        if (strcmp(a->device, w->device) != 0)
            snprintf(a->device, sizeof a->device, "(devices differ, see per-part rows)");
    }
}

/* The merged row of rs[n], one row of each part (parts sorted). */
static void merge_row(mcpi_record *m, const part *parts, int n, const mcpi_record *const *rs)
{
    const mcpi_record *r0 = rs[0];
    *m = *r0;
    m->repeats = 0;
    m->ranks = 0;
    m->samples = m->hits = 0;
    m->threads = 0;
    mcpi_phases_clear(&m->phases);
    m->begin = parts[0].begin;
    m->end = parts[n - 1].end;
    m->nworkers = 0;
    m->verified_chunks = m->verified_samples = 0;
    m->verify_s = 0;
    m->rank = n > 1 ? -1 : r0->rank;
    double time = 0;
    int same_device = 1, same_host = 1;
    int same_backend = 1;
    for (int i = 0; i < n; ++i) {
        const mcpi_record *r = rs[i];
        same_backend &= strcmp(r->name, r0->name) == 0;
        m->samples += r->samples;
        m->hits += r->hits;
        m->ranks += r->ranks;
        m->threads = r->threads > m->threads ? r->threads : m->threads;
        time += mcpi_record_stats(r).median;
        for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
            if (r->phases.mask & (1u << p))
                mcpi_phases_add(&m->phases, (mcpi_phase)p, r->phases.s[p]);
        if (r->host_peak_bytes > m->host_peak_bytes)
            m->host_peak_bytes = r->host_peak_bytes;
        if (r->host_growth_bytes > m->host_growth_bytes)
            m->host_growth_bytes = r->host_growth_bytes;
        if (r->device_bytes > m->device_bytes)
            m->device_bytes = r->device_bytes;
        if (r->device_mem_bytes > m->device_mem_bytes)
            m->device_mem_bytes = r->device_mem_bytes;
        add_workers(m, r);
        m->verified_chunks += r->verified_chunks;
        m->verified_samples += r->verified_samples;
        m->verify_s += r->verify_s;
        same_device &= strcmp(r->device, r0->device) == 0;
        same_host &= strcmp(r->hostname, r0->hostname) == 0;
    }
    m->repeats = 1;
    m->repeat_s[0] = time;
    if (!same_backend) { /* the stream row: the per-part rows name each part's row */
        snprintf(m->name, sizeof m->name, STREAM_ROW);
        snprintf(m->backend, sizeof m->backend, "mixed");
        snprintf(m->device, sizeof m->device, "(%d parts; rows differ, see per-part rows)", n);
    } else if (!same_device) {
        snprintf(m->device, sizeof m->device, "(%d parts; devices differ, see per-part rows)", n);
    }
    if (!same_host)
        snprintf(m->hostname, sizeof m->hostname, "(%d parts on several hosts)", n);
}

/* The merged report of the sorted parts: one row per name of the plan (and
 * the stream row), each part as a per-part row (rank = the part number in
 * range order).  Emits it. */
static int emit_merged(const mcpi_cli *c, const part *parts, int n, const plan *pl)
{
    size_t nrows = pl->nnames + (pl->stream ? 1 : 0);
    mcpi_record *rows = calloc(nrows, sizeof *rows);
    mcpi_record *prow = calloc(nrows * (size_t)n, sizeof *prow);
    const mcpi_record **rs = malloc((size_t)n * sizeof *rs);
    if (rows == NULL || prow == NULL || rs == NULL) {
        fprintf(stderr, "mcpi: merge: out of memory\n");
        free(rows);
        free(prow);
        free(rs);
        return MCPI_ENOMEM;
    }
    mcpi_report rep;
    memset(&rep, 0, sizeof rep);
    rep.info.version = parts[0].version;
    rep.info.seed = parts[0].seed;
    rep.info.repeat = 1;
    rep.info.warmup = 0;
    rep.info.peak_resettable = 1;
    for (int i = 0; i < n; ++i) {
        rep.info.samples += parts[i].end - parts[i].begin;
        rep.info.ranks += parts[i].ranks;
        rep.info.peak_resettable &= parts[i].peak_resettable;
    }
    for (size_t k = 0; k < nrows; ++k) {
        for (int i = 0; i < n; ++i)
            rs[i] = k < pl->nnames ? find_row(&parts[i], pl->names[k]) : parts[i].fastest;
        merge_row(&rows[k], parts, n, rs);
        for (int i = 0; i < n; ++i) {
            mcpi_record *r = &prow[k * (size_t)n + (size_t)i];
            *r = *rs[i];
            r->rank = i;
        }
    }
    rep.rows = rows;
    rep.nrows = nrows;
    rep.rank_rows = prow;
    rep.nrank_rows = nrows * (size_t)n;
    rep.show_rank_rows = 1;
    rep.format = c->cfg.format;
    int rc = mcpi_cli_emit_report(&c->cfg, &rep);
    free(rows);
    free(prow);
    free(rs);
    return rc;
}

/* Rank 0's work: read, check, merge, emit. */
static int merge_main(const mcpi_cli *c)
{
    char err[MCPI_ERROR_LEN] = "";
    int n = c->nfiles, loaded = 0, rc = MCPI_OK;
    part *parts = calloc((size_t)n, sizeof *parts);
    int *verified = calloc((size_t)n, sizeof *verified); /* in c->files order */
    if (parts == NULL || verified == NULL) {
        fprintf(stderr, "mcpi: merge: out of memory\n");
        free(parts);
        free(verified);
        return MCPI_ENOMEM;
    }
    for (; loaded < n && rc == MCPI_OK; ++loaded) {
        rc = load_part(&parts[loaded], c->files[loaded], err, sizeof err);
        verified[loaded] = parts[loaded].checksummed;
    }
    if (rc == MCPI_OK)
        rc = check_parts(parts, n, c, err, sizeof err);
    plan pl = {NULL, 0, 0};
    if (rc == MCPI_OK)
        rc = plan_rows(c, parts, n, &pl, err, sizeof err);
    if (rc != MCPI_OK) {
        fprintf(stderr, "%s\n", err);
    } else {
        mcpi_cli_unverified_note(c, "merge", c->files, verified, n);
        rc = emit_merged(c, parts, n, &pl);
    }
    free(pl.names);
    for (int i = 0; i < loaded; ++i) {
        free(parts[i].rows);
        free(parts[i].by_name);
    }
    free(parts);
    free(verified);
    return rc;
}

int mcpi_cmd_merge(mcpi_cli *c, mcpi_comm *comm)
{
    return mcpi_agree(comm, comm->rank == 0 ? merge_main(c) : MCPI_OK);
}

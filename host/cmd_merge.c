/* cmd_merge.c - mcpi merge FILE... [--cover N]: the parts of a job array
 * (JSON reports of `mcpi --range B:E` runs, or whole runs) become one report,
 * exactly as one run over their union would have printed it.
 *
 * Rules (each broken rule is one line naming the file, exit 2):
 * - every file is an mcpi JSON report of the same version and seed;
 * - every result row is ok and exact (the naive teaching row cannot be
 *   merged: its hits are not the normative stream's), and all rows of one
 *   file cover the same range;
 * - every file has the same row names (rows merge by name: "threads" with
 *   "threads"); a name in one file but not in another is an error;
 * - the files' ranges, sorted, neither overlap nor leave gaps; with
 *   --cover N they are exactly [0, N).
 * The merged row: hits and samples summed (pi and its error from them),
 * time the sum of the parts' median times (what one job of that kind would
 * take for the whole range; throughput follows), phases summed, memory the
 * largest part's.  Each part stays visible as a per-part row (the report's
 * per-rank section, rank = part number in range order). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_read.h"

/* Largest part file read: real reports are a few KiB per row. */
#define MERGE_MAX_FILE_BYTES (64u << 20)

typedef struct part {
    const char *file;
    char version[32];
    uint64_t seed, begin, end;
    int ranks;
    int peak_resettable;
    mcpi_record *rows;
    size_t nrows;
} part;

/* One line "mcpi: merge: FILE: what" in err; MCPI_EINVAL. */
static int bad(char *err, size_t errlen, const char *file, const char *what)
{
    mcpi_set_error(err, errlen, "merge: %s: %s", file, what);
    return MCPI_EINVAL;
}

static int read_all(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    char msg[160];
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(msg, sizeof msg, "cannot read: %s", strerror(errno));
        return bad(err, errlen, path, msg);
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    int rc = buf == NULL ? MCPI_ENOMEM : MCPI_OK;
    while (rc == MCPI_OK) {
        n += fread(buf + n, 1, cap - n, f);
        if (ferror(f)) {
            rc = bad(err, errlen, path, "read error");
        } else if (n < cap) {
            break;
        } else if (cap >= MERGE_MAX_FILE_BYTES) {
            rc = bad(err, errlen, path, "too large for an mcpi JSON report (over 64 MiB)");
        } else {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL)
                rc = MCPI_ENOMEM;
            else {
                buf = nb;
                cap *= 2;
            }
        }
    }
    fclose(f);
    if (rc == MCPI_ENOMEM)
        mcpi_set_error(err, errlen, "merge: %s: out of memory", path);
    if (rc != MCPI_OK) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return MCPI_OK;
}

static int get_str(const mcpi_json *o, const char *key, char *out, size_t cap)
{
    const mcpi_json *v = mcpi_json_get(o, key);
    if (v == NULL || v->type != MCPI_JSON_STRING)
        return -1;
    snprintf(out, cap, "%s", v->text);
    return 0;
}

static int get_u64(const mcpi_json *o, const char *key, uint64_t *out)
{
    return mcpi_json_u64(mcpi_json_get(o, key), out);
}

/* An int64 that may be null (-1, "unknown"). */
static int64_t get_known(const mcpi_json *o, const char *key)
{
    uint64_t x;
    if (mcpi_json_u64(mcpi_json_get(o, key), &x) != 0 || x > INT64_MAX)
        return -1;
    return (int64_t)x;
}

/* Fills r from one results[] object.  A message in what on failure. */
static int row_from_json(const mcpi_json *o, mcpi_record *r, char *what, size_t wlen)
{
    mcpi_record_init(r);
    const mcpi_json *range = mcpi_json_get(o, "range");
    const mcpi_json *exact = mcpi_json_get(o, "exact");
    uint64_t ranks = 1, threads = 0;
    char status[16];
    if (get_str(o, "name", r->name, sizeof r->name) != 0 ||
        get_str(o, "backend", r->backend, sizeof r->backend) != 0 ||
        get_u64(o, "seed", &r->seed) != 0 || get_u64(range, "begin", &r->begin) != 0 ||
        get_u64(range, "end", &r->end) != 0 || get_u64(o, "samples", &r->samples) != 0 ||
        get_u64(o, "hits", &r->hits) != 0 || exact == NULL || exact->type != MCPI_JSON_BOOL ||
        get_str(o, "status", status, sizeof status) != 0) {
        snprintf(what, wlen, "a results[] row lacks name, backend, exact, seed, range, samples, "
                             "hits or status (not an mcpi JSON report?)");
        return -1;
    }
    r->exact = exact->boolean;
    if (strcmp(status, "ok") != 0) {
        snprintf(what, wlen, "row '%s' failed in that run; only ok rows can be merged", r->name);
        return -1;
    }
    if (!r->exact) {
        snprintf(what, wlen,
                 "row '%s' is not exact (the naive teaching row); its hits cannot be merged: "
                 "run the parts without it",
                 r->name);
        return -1;
    }
    if (r->begin >= r->end || r->samples != r->end - r->begin || r->hits > r->samples) {
        snprintf(what, wlen, "row '%s' is inconsistent (need begin < end, samples = end - "
                             "begin, hits <= samples)", r->name);
        return -1;
    }
    get_str(o, "device", r->device, sizeof r->device);
    get_str(o, "hostname", r->hostname, sizeof r->hostname);
    if (get_u64(o, "ranks", &ranks) == 0 && ranks <= INT32_MAX)
        r->ranks = (int)ranks;
    if (get_u64(o, "threads", &threads) == 0 && threads <= UINT32_MAX)
        r->threads = (unsigned)threads;
    /* Times: every repeat, so the part's statistics are its own. */
    const mcpi_json *reps = mcpi_json_get(mcpi_json_get(o, "time_s"), "repeats");
    for (size_t i = 0; reps != NULL && reps->type == MCPI_JSON_ARRAY && i < reps->n &&
                       i < MCPI_MAX_REPEAT;
         ++i) {
        double d;
        if (mcpi_json_double(&reps->items[i], &d) != 0) {
            snprintf(what, wlen, "row '%s': time_s.repeats holds a non-number", r->name);
            return -1;
        }
        r->repeat_s[r->repeats++] = d;
    }
    const mcpi_json *ph = mcpi_json_get(o, "phases");
    for (int p = 0; p < MCPI_PHASE_COUNT; ++p) {
        double d;
        const mcpi_json *v = mcpi_json_get(ph, mcpi_phase_name((mcpi_phase)p));
        if (v != NULL && mcpi_json_double(v, &d) == 0 && !isnan(d))
            mcpi_phases_add(&r->phases, (mcpi_phase)p, d);
    }
    const mcpi_json *mem = mcpi_json_get(o, "memory");
    r->host_peak_bytes = get_known(mem, "host_peak_bytes");
    r->host_growth_bytes = get_known(mem, "host_growth_bytes");
    r->device_bytes = get_known(mem, "device_bytes");
    r->device_mem_bytes = get_known(mem, "device_mem_bytes");
    return 0;
}

/* Reads one part file into p.  MCPI_EINVAL (one line naming the file). */
static int load_part(part *p, const char *file, char *err, size_t errlen)
{
    char what[MCPI_ERROR_LEN] = "";
    memset(p, 0, sizeof *p);
    p->file = file;
    char *text = NULL;
    size_t len = 0;
    int rc = read_all(file, &text, &len, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    mcpi_json *doc = NULL;
    rc = mcpi_json_parse(text, len, &doc, what, sizeof what);
    free(text);
    if (rc == MCPI_ENOMEM) {
        mcpi_set_error(err, errlen, "merge: %s: out of memory", file);
        return rc;
    }
    if (rc != MCPI_OK) {
        char msg[MCPI_ERROR_LEN];
        snprintf(msg, sizeof msg, "not valid JSON (%.180s)", what);
        return bad(err, errlen, file, msg);
    }
    const mcpi_json *cfg = mcpi_json_get(doc, "config");
    const mcpi_json *results = mcpi_json_get(doc, "results");
    const mcpi_json *pr = mcpi_json_get(cfg, "peak_resettable");
    uint64_t ranks = 1;
    if (get_str(doc, "version", p->version, sizeof p->version) != 0 ||
        get_u64(cfg, "seed", &p->seed) != 0 || results == NULL ||
        results->type != MCPI_JSON_ARRAY) {
        rc = bad(err, errlen, file,
                 "not an mcpi JSON report (needs version, config.seed and results; write "
                 "parts with --format json)");
        goto done;
    }
    if (results->n == 0) {
        rc = bad(err, errlen, file, "has no result rows");
        goto done;
    }
    if (get_u64(cfg, "ranks", &ranks) == 0 && ranks <= INT32_MAX)
        p->ranks = (int)ranks;
    p->peak_resettable = pr != NULL && pr->type == MCPI_JSON_BOOL && pr->boolean;
    p->rows = calloc(results->n, sizeof *p->rows);
    if (p->rows == NULL) {
        mcpi_set_error(err, errlen, "merge: %s: out of memory", file);
        rc = MCPI_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < results->n; ++i) {
        mcpi_record *r = &p->rows[i];
        if (row_from_json(&results->items[i], r, what, sizeof what) != 0) {
            rc = bad(err, errlen, file, what);
            goto done;
        }
        p->nrows++;
        if (r->seed != p->seed) {
            rc = bad(err, errlen, file, "a row's seed differs from config.seed");
            goto done;
        }
        for (size_t j = 0; j < i; ++j)
            if (strcmp(p->rows[j].name, r->name) == 0) {
                snprintf(what, sizeof what, "row '%s' appears twice", r->name);
                rc = bad(err, errlen, file, what);
                goto done;
            }
        if (i == 0) {
            p->begin = r->begin;
            p->end = r->end;
        } else if (r->begin != p->begin || r->end != p->end) {
            rc = bad(err, errlen, file, "its rows cover different ranges");
            goto done;
        }
    }
done:
    mcpi_json_free(doc);
    return rc;
}

static const mcpi_record *find_row(const part *p, const char *name)
{
    for (size_t i = 0; i < p->nrows; ++i)
        if (strcmp(p->rows[i].name, name) == 0)
            return &p->rows[i];
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
            snprintf(what, sizeof what, "seed %" PRIu64 ", but %.200s has seed %" PRIu64,
                     p->seed, p0->file, p0->seed);
            return bad(err, errlen, p->file, what);
        }
        for (size_t k = 0; k < p0->nrows; ++k)
            if (find_row(p, p0->rows[k].name) == NULL) {
                snprintf(what, sizeof what, "has no '%s' row, but %.200s has (rows merge by name)",
                         p0->rows[k].name, p0->file);
                return bad(err, errlen, p->file, what);
            }
        for (size_t k = 0; k < p->nrows; ++k)
            if (find_row(p0, p->rows[k].name) == NULL) {
                snprintf(what, sizeof what, "has a '%s' row, but %.200s has none (rows merge by "
                                            "name)", p->rows[k].name, p0->file);
                return bad(err, errlen, p->file, what);
            }
    }
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

/* The merged row of name over every part (parts sorted). */
static void merge_row(mcpi_record *m, const part *parts, int n, const char *name)
{
    const mcpi_record *r0 = find_row(&parts[0], name);
    *m = *r0;
    m->repeats = 0;
    m->ranks = 0;
    m->samples = m->hits = 0;
    m->threads = 0;
    mcpi_phases_clear(&m->phases);
    m->begin = parts[0].begin;
    m->end = parts[n - 1].end;
    m->rank = n > 1 ? -1 : r0->rank;
    double time = 0;
    int same_device = 1, same_host = 1;
    for (int i = 0; i < n; ++i) {
        const mcpi_record *r = find_row(&parts[i], name);
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
        same_device &= strcmp(r->device, r0->device) == 0;
        same_host &= strcmp(r->hostname, r0->hostname) == 0;
    }
    m->repeats = 1;
    m->repeat_s[0] = time;
    if (!same_device)
        snprintf(m->device, sizeof m->device, "(%d parts; devices differ, see per-part rows)", n);
    if (!same_host)
        snprintf(m->hostname, sizeof m->hostname, "(%d parts on several hosts)", n);
}

static int write_report(FILE *out, const void *ctx)
{
    const mcpi_report *rep = ctx;
    return mcpi_report_write(out, rep->format, rep);
}

/* Rank 0's work; returns the exit code. */
static int merge_main(mcpi_cli *c)
{
    char err[MCPI_ERROR_LEN] = "";
    int n = c->nfiles, code = 0, loaded = 0, rc = MCPI_OK;
    part *parts = calloc((size_t)n, sizeof *parts);
    mcpi_record *rows = NULL, *prow = NULL;
    if (parts == NULL) {
        fprintf(stderr, "mcpi: merge: out of memory\n");
        return mcpi_exit_code(MCPI_ENOMEM);
    }
    for (; loaded < n && rc == MCPI_OK; ++loaded)
        rc = load_part(&parts[loaded], c->files[loaded], err, sizeof err);
    if (rc == MCPI_OK)
        rc = check_parts(parts, n, c, err, sizeof err);
    if (rc != MCPI_OK) {
        fprintf(stderr, "%s\n", err);
        code = mcpi_exit_code(rc);
        goto done;
    }
    size_t nnames = parts[0].nrows;
    rows = calloc(nnames, sizeof *rows);
    prow = calloc(nnames * (size_t)n, sizeof *prow);
    if (rows == NULL || prow == NULL) {
        fprintf(stderr, "mcpi: merge: out of memory\n");
        code = mcpi_exit_code(MCPI_ENOMEM);
        goto done;
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
    for (size_t k = 0; k < nnames; ++k) {
        const char *name = parts[0].rows[k].name;
        merge_row(&rows[k], parts, n, name);
        for (int i = 0; i < n; ++i) {
            mcpi_record *r = &prow[k * (size_t)n + (size_t)i];
            *r = *find_row(&parts[i], name);
            r->rank = i; /* the part number, in range order */
        }
    }
    rep.rows = rows;
    rep.nrows = nnames;
    rep.rank_rows = prow;
    rep.nrank_rows = nnames * (size_t)n;
    rep.show_rank_rows = 1;
    rep.format = c->cfg.format;
    code = mcpi_cli_emit(&c->cfg, write_report, &rep);
done:
    for (int i = 0; i < loaded; ++i)
        free(parts[i].rows);
    free(parts);
    free(rows);
    free(prow);
    return code;
}

int mcpi_cmd_merge(mcpi_cli *c, mcpi_comm *comm)
{
    int code = comm->rank == 0 ? merge_main(c) : 0;
    int v = -code; /* the same exit code on every rank: the largest */
    comm->min_int(comm, &v);
    return -v;
}

/* selection.c - turning --backend lists into rows (targets).
 *
 * A list is rows separated by commas; a row is one name, or several exact
 * ones joined by '+' (one row counted by all their devices together).
 * Syntax is checked first and without touching any device, so a malformed
 * list is always exit code 2 whatever the machine has; availability comes
 * second and is exit code 3, with a line naming what is available. */
#include <stdio.h>
#include <string.h>

#include "mcpi.h"

#define ACCEPTED                                                                                   \
    "serial, simd, threads, naive, opencl, opencl:P.D, opencl:gpu, opencl:cpu, "                   \
    "opencl:accelerator, node, all, auto (comma-separated; A+B counts one row with both)"

typedef enum {
    ITEM_ALL,
    ITEM_AUTO,
    ITEM_NODE,
    ITEM_BACKEND,
    ITEM_OCL_INDEX,
    ITEM_OCL_TYPE
} item_kind;

/* One name of a row. */
typedef struct item {
    item_kind kind;
    const mcpi_backend *backend;
    int platform, index;
    mcpi_device_type type;
} item;

/* A row: its names (one, or several joined by '+'). */
typedef struct row_items {
    item it[MCPI_MAX_WORKERS];
    size_t n;
} row_items;

static int parse_index(const char *s, int *p, int *d)
{
    unsigned a, b;
    int used = 0;
    if (sscanf(s, "%3u.%3u%n", &a, &b, &used) != 2 || s[used] != '\0' || s[0] < '0' || s[0] > '9')
        return -1;
    *p = (int)a;
    *d = (int)b;
    return 0;
}

static int parse_opencl(const char *buf, item *it, char *err, size_t errlen)
{
    const char *sel = buf + 7;
    it->backend = &mcpi_backend_opencl;
    if (strcmp(sel, "gpu") == 0 || strcmp(sel, "cpu") == 0 || strcmp(sel, "accelerator") == 0) {
        it->kind = ITEM_OCL_TYPE;
        it->type = sel[0] == 'g' ? MCPI_DEV_GPU : sel[0] == 'c' ? MCPI_DEV_CPU : MCPI_DEV_ACCEL;
        return MCPI_OK;
    }
    if (parse_index(sel, &it->platform, &it->index) == 0) {
        it->kind = ITEM_OCL_INDEX;
        return MCPI_OK;
    }
    mcpi_set_error(err, errlen,
                   "--backend: bad OpenCL selector '%s'; accepted: opencl:P.D (e.g. opencl:0.1), "
                   "opencl:gpu, opencl:cpu, opencl:accelerator",
                   buf);
    return MCPI_EINVAL;
}

/* Parses one name of length len. */
static int parse_item(const char *s, size_t len, item *it, char *err, size_t errlen)
{
    char buf[MCPI_NAME_LEN];
    if (len == 0 || len >= sizeof buf) {
        mcpi_set_error(err, errlen, "--backend: empty or overlong item; accepted: " ACCEPTED);
        return MCPI_EINVAL;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    memset(it, 0, sizeof *it);
    if (strcmp(buf, "all") == 0 || strcmp(buf, "auto") == 0 || strcmp(buf, "node") == 0) {
        it->kind = buf[0] == 'n' ? ITEM_NODE : buf[1] == 'l' ? ITEM_ALL : ITEM_AUTO;
        return MCPI_OK;
    }
    if (strncmp(buf, "opencl:", 7) == 0)
        return parse_opencl(buf, it, err, errlen);
    it->backend = mcpi_backend_find(buf);
    if (it->backend == NULL) {
        mcpi_set_error(err, errlen, "--backend: unknown backend '%s'; accepted: " ACCEPTED, buf);
        return MCPI_EINVAL;
    }
    it->kind = ITEM_BACKEND;
    return MCPI_OK;
}

/* Parses one row of length len: names joined by '+'. */
static int parse_row(const char *s, size_t len, row_items *r, char *err, size_t errlen)
{
    r->n = 0;
    for (const char *p = s, *end = s + len;;) {
        const char *plus = memchr(p, '+', (size_t)(end - p));
        size_t n = plus ? (size_t)(plus - p) : (size_t)(end - p);
        if (r->n == MCPI_MAX_WORKERS) {
            mcpi_set_error(err, errlen, "--backend: more than %d names joined by '+' in '%.*s'",
                           MCPI_MAX_WORKERS, (int)len, s);
            return MCPI_EINVAL;
        }
        int rc = parse_item(p, n, &r->it[r->n], err, errlen);
        if (rc != MCPI_OK)
            return rc;
        item_kind k = r->it[r->n++].kind;
        if (plus == NULL)
            break;
        if (k == ITEM_ALL || k == ITEM_AUTO || k == ITEM_NODE ||
            (k == ITEM_BACKEND && !r->it[r->n - 1].backend->exact)) {
            mcpi_set_error(err, errlen,
                           "--backend: '%.*s': all, auto, node and naive cannot be joined with "
                           "'+'; join exact backends or devices (e.g. threads+opencl:gpu)",
                           (int)len, s);
            return MCPI_EINVAL;
        }
        p = plus + 1;
    }
    item_kind last = r->it[r->n - 1].kind;
    if (r->n > 1 && (last == ITEM_ALL || last == ITEM_AUTO || last == ITEM_NODE ||
                     (last == ITEM_BACKEND && !r->it[r->n - 1].backend->exact))) {
        mcpi_set_error(err, errlen,
                       "--backend: '%.*s': all, auto, node and naive cannot be joined with '+'; "
                       "join exact backends or devices (e.g. threads+opencl:gpu)",
                       (int)len, s);
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

/* Calls f on each row of list ("" = all). */
static int for_each_row(const char *list, int (*f)(const row_items *, void *), void *ctx, char *err,
                        size_t errlen)
{
    if (list == NULL || list[0] == '\0')
        list = "all";
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        row_items r;
        int rc = parse_row(p, len, &r, err, errlen);
        if (rc != MCPI_OK)
            return rc;
        if (f != NULL && (rc = f(&r, ctx)) != MCPI_OK)
            return rc;
        if (comma == NULL)
            return MCPI_OK;
        p = comma + 1;
    }
}

int mcpi_selection_check(const char *list, char *err, size_t errlen)
{
    return for_each_row(list, NULL, NULL, err, errlen);
}

/* ---- resolving ------------------------------------------------------------- */

void mcpi_target_single(mcpi_target *t, const mcpi_backend *b, const mcpi_device_desc *d)
{
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", d->id);
    t->nworkers = 1;
    t->workers[0].backend = b;
    t->workers[0].dev = *d;
    t->auto_predicted_s = -1.0;
}

typedef struct resolve_ctx {
    mcpi_target *out;
    size_t cap, count;
    char *err;
    size_t errlen;
} resolve_ctx;

/* Appends t unless a row of that name (and candidacy) is already there. */
static int add_target(resolve_ctx *c, const mcpi_target *t)
{
    for (size_t i = 0; i < c->count; ++i)
        if (strcmp(c->out[i].name, t->name) == 0 && c->out[i].auto_candidate == t->auto_candidate)
            return MCPI_OK;
    if (c->count >= c->cap) {
        mcpi_set_error(c->err, c->errlen, "--backend: more than %zu rows selected", c->cap);
        return MCPI_EINVAL;
    }
    c->out[c->count++] = *t;
    return MCPI_OK;
}

/* Appends "id (description), ..." of devs to buf. */
static void describe(char *buf, size_t len, const mcpi_device_desc *devs, size_t n)
{
    size_t used = strlen(buf);
    for (size_t i = 0; i < n && used < len; ++i) {
        int w = snprintf(buf + used, len - used, "%s%s (%s)", i ? ", " : "", devs[i].id,
                         devs[i].description);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* The devices one name selects, into devs[*n]. */
static int item_devices(const item *it, mcpi_device_desc *devs, size_t *n, char *err, size_t errlen)
{
    mcpi_device_desc all[MCPI_MAX_TARGETS];
    char why[MCPI_ERROR_LEN] = "";
    size_t count = 0;
    int rc = it->backend->list(all, MCPI_MAX_TARGETS, &count, why, sizeof why);
    if (rc != MCPI_OK) {
        /* memory that ran out does not make the backend unavailable */
        mcpi_set_error(err, errlen, "--backend %s: %s%s", it->backend->name,
                       rc == MCPI_ENOMEM ? "" : "not available: ",
                       why[0] ? mcpi_error_text(why) : mcpi_strerror(rc));
        return rc == MCPI_ENOMEM ? rc : MCPI_EUNAVAIL;
    }
    count = count < MCPI_MAX_TARGETS ? count : MCPI_MAX_TARGETS;
    *n = 0;
    for (size_t i = 0; i < count; ++i)
        if (it->kind == ITEM_BACKEND ||
            (it->kind == ITEM_OCL_INDEX && all[i].platform == it->platform &&
             all[i].index == it->index) ||
            (it->kind == ITEM_OCL_TYPE && all[i].type == it->type))
            devs[(*n)++] = all[i];
    if (*n > 0)
        return MCPI_OK;
    char avail[MCPI_ERROR_LEN] = "";
    describe(avail, sizeof avail, all, count);
    if (it->kind == ITEM_OCL_INDEX)
        mcpi_set_error(err, errlen, "--backend opencl:%d.%d: no such OpenCL device; available: %s",
                       it->platform, it->index, count ? avail : "none");
    else
        mcpi_set_error(err, errlen,
                       "--backend opencl:%s: no OpenCL device of that type; available: %s",
                       it->type == MCPI_DEV_GPU   ? "gpu"
                       : it->type == MCPI_DEV_CPU ? "cpu"
                                                  : "accelerator",
                       count ? avail : "none");
    return MCPI_EUNAVAIL;
}

/* Adds worker (b, d) to t, naming the row "A+B"; a device twice is an error. */
static int add_worker(mcpi_target *t, const mcpi_backend *b, const mcpi_device_desc *d, char *err,
                      size_t errlen)
{
    for (size_t i = 0; i < t->nworkers; ++i)
        if (strcmp(t->workers[i].dev.id, d->id) == 0) {
            mcpi_set_error(err, errlen, "--backend: %s is named twice in one row", d->id);
            return MCPI_EINVAL;
        }
    if (t->nworkers == MCPI_MAX_WORKERS) {
        mcpi_set_error(err, errlen, "--backend: more than %d workers in one row", MCPI_MAX_WORKERS);
        return MCPI_EINVAL;
    }
    t->workers[t->nworkers].backend = b;
    t->workers[t->nworkers].dev = *d;
    size_t used = strlen(t->name);
    snprintf(t->name + used, sizeof t->name - used, "%s%s", t->nworkers ? "+" : "", d->id);
    ++t->nworkers;
    return MCPI_OK;
}

/* node: threads and every OpenCL device that is not a CPU (a CPU device
 * shares the cores with threads).  *gpus gets how many there are. */
static int node_target(mcpi_target *t, size_t *gpus, char *err, size_t errlen)
{
    mcpi_device_desc devs[MCPI_MAX_TARGETS];
    size_t n = 0;
    char why[MCPI_ERROR_LEN];
    memset(t, 0, sizeof *t);
    t->auto_predicted_s = -1.0;
    *gpus = 0;
    if (mcpi_backend_threads.list(devs, 1, &n, why, sizeof why) != MCPI_OK || n == 0) {
        mcpi_set_error(err, errlen, "--backend node: threads not available: %s",
                       mcpi_error_text(why));
        return MCPI_EUNAVAIL;
    }
    int rc = add_worker(t, &mcpi_backend_threads, &devs[0], err, errlen);
    int lrc = mcpi_backend_opencl.list(devs, MCPI_MAX_TARGETS, &n, why, sizeof why);
    if (lrc == MCPI_ENOMEM) { /* not "no OpenCL": the row would silently lack devices */
        mcpi_set_error(err, errlen, "--backend node: %s", mcpi_error_text(why));
        return lrc;
    }
    if (lrc != MCPI_OK)
        n = 0; /* no OpenCL: the node is its cores */
    for (size_t i = 0; i < n && i < MCPI_MAX_TARGETS && rc == MCPI_OK; ++i)
        if (devs[i].type != MCPI_DEV_CPU && t->nworkers < MCPI_MAX_WORKERS) {
            rc = add_worker(t, &mcpi_backend_opencl, &devs[i], err, errlen);
            ++*gpus;
        }
    snprintf(t->name, sizeof t->name, "node");
    return rc;
}

/* all: every available backend's devices, one row each, and node when the
 * machine has a device besides its CPU; auto: every exact one, marked as
 * candidates for the choice made by the caller (mcpi_auto_*). */
static int resolve_all(resolve_ctx *c, int cand)
{
    mcpi_device_desc devs[MCPI_MAX_TARGETS];
    char why[MCPI_ERROR_LEN] = "";
    size_t nb, n = 0;
    const mcpi_backend *const *all = mcpi_backends(&nb);
    for (size_t b = 0; b < nb; ++b) {
        if (cand && !all[b]->exact)
            continue;
        int rc = all[b]->list(devs, MCPI_MAX_TARGETS, &n, why, sizeof why);
        if (rc == MCPI_ENOMEM) { /* not unavailable: the run would silently lack rows */
            mcpi_set_error(c->err, c->errlen, "--backend: %s", mcpi_error_text(why));
            return rc;
        }
        if (rc != MCPI_OK)
            continue;
        for (size_t i = 0; i < n && i < MCPI_MAX_TARGETS; ++i) {
            mcpi_target t;
            mcpi_target_single(&t, all[b], &devs[i]);
            t.auto_candidate = cand;
            if (add_target(c, &t) != MCPI_OK)
                return MCPI_EINVAL;
        }
    }
    mcpi_target node;
    size_t gpus = 0;
    int rc = cand ? MCPI_OK : node_target(&node, &gpus, why, sizeof why);
    if (rc == MCPI_ENOMEM) {
        mcpi_set_error(c->err, c->errlen, "%s", mcpi_error_text(why));
        return rc;
    }
    if (!cand && rc == MCPI_OK && gpus > 0)
        return add_target(c, &node);
    return MCPI_OK;
}

static int resolve_row(const row_items *r, void *vctx)
{
    resolve_ctx *c = vctx;
    if (r->it[0].kind == ITEM_ALL || r->it[0].kind == ITEM_AUTO)
        return resolve_all(c, r->it[0].kind == ITEM_AUTO);
    mcpi_target t;
    if (r->it[0].kind == ITEM_NODE) {
        size_t gpus;
        int rc = node_target(&t, &gpus, c->err, c->errlen);
        return rc == MCPI_OK ? add_target(c, &t) : rc;
    }
    memset(&t, 0, sizeof t);
    t.auto_predicted_s = -1.0;
    for (size_t k = 0; k < r->n; ++k) {
        mcpi_device_desc devs[MCPI_MAX_TARGETS];
        size_t n = 0;
        int rc = item_devices(&r->it[k], devs, &n, c->err, c->errlen);
        for (size_t i = 0; rc == MCPI_OK && i < n; ++i) {
            if (r->n > 1) { /* one row of every device of every name */
                rc = add_worker(&t, r->it[k].backend, &devs[i], c->err, c->errlen);
                continue;
            }
            mcpi_target one; /* a single name: one row per device */
            mcpi_target_single(&one, r->it[k].backend, &devs[i]);
            rc = add_target(c, &one);
        }
        if (rc != MCPI_OK)
            return rc;
    }
    return r->n > 1 ? add_target(c, &t) : MCPI_OK;
}

int mcpi_selection_resolve(const char *list, mcpi_target *out, size_t cap, size_t *count, char *err,
                           size_t errlen)
{
    int rc = mcpi_selection_check(list, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    resolve_ctx c = {out, cap, 0, err, errlen};
    rc = for_each_row(list, resolve_row, &c, err, errlen);
    *count = c.count;
    if (rc == MCPI_OK && c.count == 0) {
        mcpi_set_error(err, errlen, "--backend: nothing to run");
        return MCPI_EUNAVAIL;
    }
    return rc;
}

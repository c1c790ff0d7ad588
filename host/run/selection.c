/* selection.c - turning --backend lists into targets.
 *
 * Syntax is checked first and without touching any device, so a malformed
 * list is always exit code 2 whatever the machine has; availability comes
 * second and is exit code 3, with a line naming what is available. */
#include <stdio.h>
#include <string.h>

#include "mcpi.h"

#define ACCEPTED                                                                                   \
    "serial, simd, threads, naive, opencl, opencl:P.D, opencl:gpu, opencl:cpu, "                   \
    "opencl:accelerator, all, auto (comma-separated)"

typedef enum { ITEM_ALL, ITEM_AUTO, ITEM_BACKEND, ITEM_OCL_INDEX, ITEM_OCL_TYPE } item_kind;

typedef struct item {
    item_kind kind;
    const mcpi_backend *backend;
    int platform, index;
    mcpi_device_type type;
} item;

static int parse_index(const char *s, int *p, int *d)
{
    unsigned a, b;
    int used = 0;
    if (sscanf(s, "%3u.%3u%n", &a, &b, &used) != 2 || s[used] != '\0' || s[0] < '0' ||
        s[0] > '9')
        return -1;
    *p = (int)a;
    *d = (int)b;
    return 0;
}

/* Parses one comma-free item of length len. */
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
    if (strcmp(buf, "all") == 0 || strcmp(buf, "auto") == 0) {
        it->kind = buf[1] == 'l' ? ITEM_ALL : ITEM_AUTO;
        return MCPI_OK;
    }
    if (strncmp(buf, "opencl:", 7) == 0) {
        const char *sel = buf + 7;
        it->backend = &mcpi_backend_opencl;
        if (strcmp(sel, "gpu") == 0 || strcmp(sel, "cpu") == 0 ||
            strcmp(sel, "accelerator") == 0) {
            it->kind = ITEM_OCL_TYPE;
            it->type = sel[0] == 'g' ? MCPI_DEV_GPU : sel[0] == 'c' ? MCPI_DEV_CPU : MCPI_DEV_ACCEL;
            return MCPI_OK;
        }
        if (parse_index(sel, &it->platform, &it->index) == 0) {
            it->kind = ITEM_OCL_INDEX;
            return MCPI_OK;
        }
        mcpi_set_error(err, errlen,
                       "--backend: bad OpenCL selector '%s'; accepted: opencl:P.D (e.g. "
                       "opencl:0.1), opencl:gpu, opencl:cpu, opencl:accelerator",
                       buf);
        return MCPI_EINVAL;
    }
    it->backend = mcpi_backend_find(buf);
    if (it->backend == NULL) {
        mcpi_set_error(err, errlen, "--backend: unknown backend '%s'; accepted: " ACCEPTED, buf);
        return MCPI_EINVAL;
    }
    it->kind = ITEM_BACKEND;
    return MCPI_OK;
}

/* Calls f on each item of list ("" = all). */
static int for_each_item(const char *list, int (*f)(const item *, void *), void *ctx, char *err,
                         size_t errlen)
{
    if (list == NULL || list[0] == '\0')
        list = "all";
    const char *p = list;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        item it;
        int rc = parse_item(p, len, &it, err, errlen);
        if (rc != MCPI_OK)
            return rc;
        if (f != NULL && (rc = f(&it, ctx)) != MCPI_OK)
            return rc;
        if (comma == NULL)
            return MCPI_OK;
        p = comma + 1;
    }
}

int mcpi_selection_check(const char *list, char *err, size_t errlen)
{
    return for_each_item(list, NULL, NULL, err, errlen);
}

typedef struct resolve_ctx {
    mcpi_target *out;
    size_t cap, count;
    char *err;
    size_t errlen;
} resolve_ctx;

static int add_target(resolve_ctx *c, const mcpi_backend *b, const mcpi_device_desc *d,
                      int auto_candidate)
{
    for (size_t i = 0; i < c->count; ++i)
        if (strcmp(c->out[i].dev.id, d->id) == 0 && c->out[i].auto_candidate == auto_candidate)
            return MCPI_OK;
    if (c->count >= c->cap) {
        mcpi_set_error(c->err, c->errlen, "--backend: more than %zu rows selected", c->cap);
        return MCPI_EINVAL;
    }
    memset(&c->out[c->count], 0, sizeof c->out[c->count]);
    c->out[c->count].backend = b;
    c->out[c->count].dev = *d;
    c->out[c->count].auto_candidate = auto_candidate;
    c->out[c->count].auto_predicted_s = -1.0;
    ++c->count;
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

static int resolve_item(const item *it, void *vctx)
{
    resolve_ctx *c = vctx;
    mcpi_device_desc devs[MCPI_MAX_TARGETS];
    char why[MCPI_ERROR_LEN] = "";
    size_t n = 0;
    if (it->kind == ITEM_ALL || it->kind == ITEM_AUTO) {
        /* "all": every available backend; "auto": every available exact one,
         * as candidates for the choice made by the caller (mcpi_auto_*) */
        int cand = it->kind == ITEM_AUTO;
        size_t nb;
        const mcpi_backend *const *all = mcpi_backends(&nb);
        for (size_t b = 0; b < nb; ++b) {
            if ((cand && !all[b]->exact) ||
                all[b]->list(devs, MCPI_MAX_TARGETS, &n, why, sizeof why) != MCPI_OK)
                continue;
            for (size_t i = 0; i < n && i < MCPI_MAX_TARGETS; ++i)
                if (add_target(c, all[b], &devs[i], cand) != MCPI_OK)
                    return MCPI_EINVAL;
        }
        return MCPI_OK;
    }
    int rc = it->backend->list(devs, MCPI_MAX_TARGETS, &n, why, sizeof why);
    if (rc != MCPI_OK) {
        mcpi_set_error(c->err, c->errlen, "--backend %s: not available: %s", it->backend->name,
                       why[0] ? why : mcpi_strerror(rc));
        return MCPI_EUNAVAIL;
    }
    if (n > MCPI_MAX_TARGETS)
        n = MCPI_MAX_TARGETS;
    size_t added = 0;
    for (size_t i = 0; i < n; ++i) {
        int take = it->kind == ITEM_BACKEND ||
                   (it->kind == ITEM_OCL_INDEX && devs[i].platform == it->platform &&
                    devs[i].index == it->index) ||
                   (it->kind == ITEM_OCL_TYPE && devs[i].type == it->type);
        if (!take)
            continue;
        if ((rc = add_target(c, it->backend, &devs[i], 0)) != MCPI_OK)
            return rc;
        ++added;
    }
    if (added == 0) {
        char avail[MCPI_ERROR_LEN] = "";
        describe(avail, sizeof avail, devs, n);
        if (it->kind == ITEM_OCL_INDEX)
            mcpi_set_error(c->err, c->errlen,
                           "--backend opencl:%d.%d: no such OpenCL device; available: %s",
                           it->platform, it->index, n ? avail : "none");
        else
            mcpi_set_error(c->err, c->errlen,
                           "--backend opencl:%s: no OpenCL device of that type; available: %s",
                           it->type == MCPI_DEV_GPU   ? "gpu"
                           : it->type == MCPI_DEV_CPU ? "cpu"
                                                      : "accelerator",
                           n ? avail : "none");
        return MCPI_EUNAVAIL;
    }
    return MCPI_OK;
}

int mcpi_selection_resolve(const char *list, mcpi_target *out, size_t cap, size_t *count,
                           char *err, size_t errlen)
{
    int rc = mcpi_selection_check(list, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    resolve_ctx c = {out, cap, 0, err, errlen};
    rc = for_each_item(list, resolve_item, &c, err, errlen);
    *count = c.count;
    if (rc == MCPI_OK && c.count == 0) {
        mcpi_set_error(err, errlen, "--backend: nothing to run");
        return MCPI_EUNAVAIL;
    }
    return rc;
}

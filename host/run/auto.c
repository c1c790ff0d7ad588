/* auto.c - the model behind `--backend auto` (see auto.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auto.h"
#include "hash.h"
#include "notify.h"
#include "scheduler.h"

#define MCPI_AUTO_MAGIC "mcpi-auto-model 1"
/* A model file is a few lines per candidate; anything larger is not one. */
#define MCPI_AUTO_MAX_FILE 65536

double mcpi_auto_predict(const mcpi_auto_entry *e, uint64_t n)
{
    return e->startup_s + (double)n / e->samples_per_s;
}

size_t mcpi_auto_choose(const mcpi_auto_model *m, uint64_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < m->n; ++i)
        if (mcpi_auto_predict(&m->e[i], n) < mcpi_auto_predict(&m->e[best], n))
            best = i;
    return best;
}

void mcpi_auto_fit(mcpi_auto_entry *e, uint64_t n1, double t1, uint64_t n2, double t2)
{
    double dn = (double)(n2 - n1), dt = t2 - t1;
    if (dt > 0.0) {
        e->samples_per_s = dn / dt;
        e->startup_s = t1 - (double)n1 / e->samples_per_s;
        if (e->startup_s < 0.0)
            e->startup_s = 0.0;
    } else { /* noise swamped the difference: all throughput, no startup */
        e->samples_per_s = (double)n2 / (t2 > 0.0 ? t2 : 1e-9);
        e->startup_s = 0.0;
    }
}

/* Best of three timed counts of n samples (through the scheduler, as one
 * chunk each); < 0 on failure. */
static double best_time(mcpi_worker *w, const mcpi_config *cfg, uint64_t n, char *err,
                        size_t errlen)
{
    double best = -1.0;
    for (int r = 0; r < 3; ++r) {
        mcpi_phases ph;
        mcpi_phases_clear(&ph);
        uint64_t hits;
        double t0 = mcpi_now();
        if (mcpi_sched_count_once(w, cfg->seed, 0, n, &hits, &ph, err, errlen) != MCPI_OK)
            return -1.0;
        double dt = mcpi_now() - t0;
        if (best < 0.0 || dt < best)
            best = dt;
    }
    return best;
}

/* Fits one candidate's model; 0, MCPI_EINVAL when it refuses a setting of
 * cfg (--work-group above its maximum: bad input, as when the cached model
 * picks it), or -1 when it cannot be opened or counted otherwise. */
static int probe_one(const mcpi_target *t, const mcpi_config *cfg, mcpi_record *rec,
                     mcpi_auto_entry *e, char *err, size_t errlen)
{
    mcpi_worker w;
    memset(&w, 0, sizeof w);
    w.backend = t->workers[0].backend;
    w.dev = t->workers[0].dev;
    w.rec = rec;
    mcpi_record_init(rec);
    int rc = w.backend->open(&w.dev, cfg, &w.state, rec, err, errlen);
    if (rc != MCPI_OK)
        return rc == MCPI_EINVAL ? rc : -1;
    /* untimed counts first: first-touch costs are not startup, and the
     * large size wakes every thread of a pool (the small one uses one) */
    double x = best_time(&w, cfg, MCPI_AUTO_PROBE_SMALL, err, errlen);
    x = x < 0.0 ? x : best_time(&w, cfg, MCPI_AUTO_PROBE_LARGE, err, errlen);
    double t1 = x < 0.0 ? x : best_time(&w, cfg, MCPI_AUTO_PROBE_SMALL, err, errlen);
    double t2 = t1 < 0.0 ? t1 : best_time(&w, cfg, MCPI_AUTO_PROBE_LARGE, err, errlen);
    w.backend->close(w.state);
    if (t2 < 0.0)
        return -1;
    snprintf(e->name, sizeof e->name, "%s", t->name);
    mcpi_auto_fit(e, MCPI_AUTO_PROBE_SMALL, t1, MCPI_AUTO_PROBE_LARGE, t2);
    return 0;
}

int mcpi_auto_probe(const mcpi_target *t, size_t n, const mcpi_config *cfg, mcpi_auto_model *m,
                    char *err, size_t errlen)
{
    m->n = 0;
    mcpi_record *rec = malloc(sizeof *rec); /* records are large: not on the stack */
    if (rec == NULL) {
        mcpi_set_error(err, errlen, "--backend auto: out of memory");
        return MCPI_ENOMEM;
    }
    for (size_t i = 0; i < n && m->n < MCPI_MAX_TARGETS; ++i) {
        int rc = probe_one(&t[i], cfg, rec, &m->e[m->n], err, errlen);
        if (rc == MCPI_EINVAL) {
            free(rec);
            m->n = 0;
            return rc;
        }
        m->n += rc == 0;
    }
    free(rec);
    if (m->n == 0) {
        if (err != NULL && err[0] == '\0')
            mcpi_set_error(err, errlen, "--backend auto: no backend could be probed");
        return MCPI_EUNAVAIL;
    }
    return MCPI_OK;
}

static void fmt_time(char *buf, size_t len, double s)
{
    if (s >= 1.0)
        snprintf(buf, len, "%.3g s", s);
    else if (s >= 1e-3)
        snprintf(buf, len, "%.3g ms", s * 1e3);
    else
        snprintf(buf, len, "%.3g us", s * 1e6);
}

void mcpi_auto_explain(const mcpi_auto_model *m, size_t chosen, uint64_t n, char *buf, size_t len)
{
    char t[32];
    fmt_time(t, sizeof t, mcpi_auto_predict(&m->e[chosen], n));
    int used = snprintf(buf, len, "auto chose %s for N=%llu: predicted %s", m->e[chosen].name,
                        (unsigned long long)n, t);
    for (size_t i = 0; i < m->n && used > 0 && (size_t)used < len; ++i) {
        if (i == chosen)
            continue;
        fmt_time(t, sizeof t, mcpi_auto_predict(&m->e[i], n));
        used +=
            snprintf(buf + used, len - (size_t)used, "%s%s %s", used ? "; " : "", m->e[i].name, t);
    }
}

/* ---- the model cache ------------------------------------------------------ */

uint64_t mcpi_auto_key(const mcpi_target *t, size_t n, const mcpi_config *cfg)
{
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    char settings[256];
    snprintf(settings, sizeof settings,
             "threads=%u ranks_per_node=%u isa=%s wg=%u item=%llu "
             "launch=%llu opts=%.100s",
             cfg->threads, cfg->ranks_per_node, cfg->isa, cfg->work_group,
             (unsigned long long)cfg->per_item, (unsigned long long)cfg->launch_samples,
             cfg->build_options ? cfg->build_options : "");
    const char *head[] = {"mcpi auto model", MCPI_VERSION_STRING, host, settings};
    uint64_t h = mcpi_hash_parts(head, sizeof head / sizeof head[0]);
    for (size_t i = 0; i < n; ++i) {
        const mcpi_device_desc *d = &t[i].workers[0].dev;
        const char *parts[] = {t[i].name, d->description, d->driver_version};
        uint64_t p = mcpi_hash_parts(parts, sizeof parts / sizeof parts[0]);
        h = mcpi_fnv1a(h, &p, sizeof p);
    }
    return h;
}

typedef struct model_file {
    uint64_t key;
    const mcpi_auto_model *m;
} model_file;

static int write_model(FILE *out, const void *ctx)
{
    const model_file *f = ctx;
    char body[MCPI_AUTO_MAX_FILE];
    int len = snprintf(body, sizeof body, "%s\nkey %016llx\n", MCPI_AUTO_MAGIC,
                       (unsigned long long)f->key);
    for (size_t i = 0; i < f->m->n && len > 0 && (size_t)len < sizeof body; ++i)
        len += snprintf(body + len, sizeof body - (size_t)len, "entry %s %.17g %.17g\n",
                        f->m->e[i].name, f->m->e[i].startup_s, f->m->e[i].samples_per_s);
    if (len < 0 || (size_t)len >= sizeof body)
        return MCPI_EIO;
    unsigned long long sum = mcpi_fnv1a(MCPI_FNV_OFFSET, body, (size_t)len);
    return fprintf(out, "%ssum %016llx\n", body, sum) < 0 ? MCPI_EIO : 0;
}

int mcpi_auto_save(const char *path, uint64_t key, const mcpi_auto_model *m, char *err,
                   size_t errlen)
{
    model_file f = {key, m};
    return mcpi_write_atomic(path, "--backend auto model cache", MCPI_FILE_PRIVATE, write_model, &f,
                             err, errlen);
}

static int corrupt(const char *path, const char *why, char *err, size_t errlen)
{
    mcpi_set_error(err, errlen, "--backend auto: model cache '%s' %s", path, why);
    return MCPI_EIO;
}

int mcpi_auto_load(const char *path, uint64_t key, const char *const *names, size_t n,
                   mcpi_auto_model *m, char *err, size_t errlen)
{
    char *buf = NULL;
    size_t len = 0;
    char why[MCPI_ERROR_LEN];
    int rc =
        mcpi_read_file(path, "--backend auto", MCPI_AUTO_MAX_FILE, &buf, &len, why, sizeof why);
    if (rc == MCPI_EUNAVAIL)
        return MCPI_EUNAVAIL;
    if (rc != MCPI_OK)
        return corrupt(path, "cannot be read, is not a regular file or is too large", err, errlen);
    /* the checksum line covers everything before it */
    char *sum_line = strstr(buf, "\nsum ");
    unsigned long long sum = 0, file_key = 0;
    int tail = 0;
    if (sum_line == NULL || sscanf(sum_line + 1, "sum %16llx\n%n", &sum, &tail) != 1 ||
        sum_line[1 + tail] != '\0' || tail != 21 ||
        mcpi_fnv1a(MCPI_FNV_OFFSET, buf, (size_t)(sum_line + 1 - buf)) != sum) {
        free(buf);
        return corrupt(path, "is truncated or corrupt (checksum)", err, errlen);
    }
    sum_line[1] = '\0';
    char *line = buf, *next;
    size_t k = 0;
    memset(m, 0, sizeof *m);
    for (int i = 0; rc == 0 && line && *line; ++i, line = next) {
        next = strchr(line, '\n');
        if (next == NULL) {
            rc = MCPI_EIO;
            break;
        }
        *next++ = '\0';
        if (i == 0) {
            rc = strcmp(line, MCPI_AUTO_MAGIC) == 0 ? 0 : MCPI_EIO;
        } else if (i == 1) {
            rc = sscanf(line, "key %16llx", &file_key) == 1 && file_key == key ? 0 : MCPI_EIO;
        } else {
            char name[MCPI_NAME_LEN];
            double startup, sps;
            char fmt[32];
            snprintf(fmt, sizeof fmt, "entry %%%ds %%lf %%lf", MCPI_NAME_LEN - 1);
            if (k >= n || k >= MCPI_MAX_TARGETS || sscanf(line, fmt, name, &startup, &sps) != 3 ||
                strcmp(name, names[k]) != 0 || !isfinite(startup) || !isfinite(sps) ||
                startup < 0.0 || sps <= 0.0) {
                rc = MCPI_EIO;
                break;
            }
            mcpi_auto_entry *e = &m->e[k++];
            snprintf(e->name, sizeof e->name, "%s", name);
            e->startup_s = startup;
            e->samples_per_s = sps;
        }
    }
    free(buf);
    if (rc != 0 || k != n) {
        memset(m, 0, sizeof *m);
        return corrupt(path, "does not match these candidates or is malformed", err, errlen);
    }
    m->n = k;
    return 0;
}

int mcpi_auto_model_get(const mcpi_target *t, size_t n, const mcpi_config *cfg, int refresh,
                        mcpi_auto_model *m, mcpi_auto_source *source, char *err, size_t errlen)
{
    char dir[4096], path[4200], why[MCPI_ERROR_LEN];
    uint64_t key = mcpi_auto_key(t, n, cfg);
    int cached = !cfg->no_cache && mcpi_cache_dir(dir, sizeof dir, why, sizeof why) == 0 &&
                 snprintf(path, sizeof path, "%s/auto-%016llx.txt", dir, (unsigned long long)key) <
                     (int)sizeof path;
    if (cached && !refresh) {
        const char *names[MCPI_MAX_TARGETS];
        for (size_t i = 0; i < n && i < MCPI_MAX_TARGETS; ++i)
            names[i] = t[i].name;
        int rc = mcpi_auto_load(path, key, names, n, m, why, sizeof why);
        if (rc == 0) {
            *source = MCPI_AUTO_CACHED;
            return MCPI_OK;
        }
        if (rc != MCPI_EUNAVAIL && !cfg->quiet)
            mcpi_notify(cfg, MCPI_NOTE_WARNING, "%s; probing again", why);
    }
    int rc = mcpi_auto_probe(t, n, cfg, m, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    *source = MCPI_AUTO_PROBED;
    /* Only a model of every candidate is worth keeping. */
    if (cached && m->n == n && mcpi_make_dirs(dir) == 0)
        (void)mcpi_auto_save(path, key, m, why, sizeof why);
    return MCPI_OK;
}

int mcpi_auto_refresh(const mcpi_config *cfg, unsigned ranks_per_node, size_t *probed, char *err,
                      size_t errlen)
{
    *probed = 0;
    mcpi_target *t = calloc(MCPI_MAX_TARGETS, sizeof *t);
    if (t == NULL) {
        mcpi_set_error(err, errlen, "--backend auto: out of memory");
        return MCPI_ENOMEM;
    }
    size_t n = 0;
    int rc = mcpi_selection_resolve("auto", t, MCPI_MAX_TARGETS, &n, err, errlen);
    if (rc == MCPI_OK) {
        mcpi_config probe_cfg = *cfg;
        probe_cfg.ranks_per_node = ranks_per_node;
        mcpi_auto_model m;
        mcpi_auto_source source;
        rc = mcpi_auto_model_get(t, n, &probe_cfg, 1, &m, &source, err, errlen);
        *probed = rc == MCPI_OK ? m.n : 0;
    }
    free(t);
    return rc;
}

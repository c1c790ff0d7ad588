/* auto.c - the model behind `--backend auto` (see auto.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auto.h"

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

/* Best of three timed counts of n samples; < 0 on failure. */
static double best_time(const mcpi_target *t, void *state, const mcpi_config *cfg, uint64_t n,
                        mcpi_record *rec, char *err, size_t errlen)
{
    double best = -1.0;
    for (int r = 0; r < 3; ++r) {
        mcpi_phases ph;
        mcpi_phases_clear(&ph);
        uint64_t hits;
        double t0 = mcpi_now();
        if (t->backend->count(state, cfg->seed, 0, n, &hits, &ph, rec, err, errlen) != MCPI_OK)
            return -1.0;
        double dt = mcpi_now() - t0;
        if (best < 0.0 || dt < best)
            best = dt;
    }
    return best;
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
        void *state = NULL;
        mcpi_record_init(rec);
        if (t[i].backend->open(&t[i].dev, cfg, &state, rec, err, errlen) != MCPI_OK)
            continue;
        /* one untimed count: first-touch costs are not startup */
        double w = best_time(&t[i], state, cfg, MCPI_AUTO_PROBE_SMALL, rec, err, errlen);
        double t1 = w < 0.0 ? w : best_time(&t[i], state, cfg, MCPI_AUTO_PROBE_SMALL, rec, err,
                                            errlen);
        double t2 = t1 < 0.0 ? t1 : best_time(&t[i], state, cfg, MCPI_AUTO_PROBE_LARGE, rec, err,
                                              errlen);
        t[i].backend->close(state);
        if (t2 < 0.0)
            continue;
        mcpi_auto_entry *e = &m->e[m->n++];
        snprintf(e->name, sizeof e->name, "%s", t[i].dev.id);
        mcpi_auto_fit(e, MCPI_AUTO_PROBE_SMALL, t1, MCPI_AUTO_PROBE_LARGE, t2);
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

void mcpi_auto_explain(const mcpi_auto_model *m, size_t chosen, uint64_t n, char *buf,
                       size_t len)
{
    char t[32];
    fmt_time(t, sizeof t, mcpi_auto_predict(&m->e[chosen], n));
    int used = snprintf(buf, len, "auto chose %s for N=%llu: predicted %s", m->e[chosen].name,
                        (unsigned long long)n, t);
    for (size_t i = 0; i < m->n && used > 0 && (size_t)used < len; ++i) {
        if (i == chosen)
            continue;
        fmt_time(t, sizeof t, mcpi_auto_predict(&m->e[i], n));
        used += snprintf(buf + used, len - (size_t)used, "%s%s %s", used ? "; " : "",
                         m->e[i].name, t);
    }
}

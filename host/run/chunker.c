/* chunker.c - passes counted in chunks (see chunker.h): the checkpoint
 * rules, the resumed prefix, stop requests agreed at chunk boundaries, and
 * progress after every chunk. */
#include "chunker.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

/* Chunk sizing: about this much work per chunk (the stop latency after a
 * signal, and the progress refresh period). */
#define MCPI_CHUNK_TARGET_S 0.5
/* First chunk, samples per rank: small enough for the slowest backend
 * (serial, ~2.5e8/s: ~17 ms), then grown by at most MCPI_CHUNK_GROWTH. */
#define MCPI_CHUNK_FIRST (1ull << 22)
#define MCPI_CHUNK_MIN (1ull << 16)
#define MCPI_CHUNK_GROWTH 8.0
#define MCPI_CHECKPOINT_INTERVAL_DEFAULT_S 60.0

/* ---- the rules of a checkpointed run ------------------------------------- */

/* The rows cfg selects as the run would make them (under MPI a backend's
 * devices are one row): their count and names. */
static int rows_of(const mcpi_config *cfg, int ranks, char *names, size_t nlen, size_t *rows,
                   char *err, size_t errlen)
{
    mcpi_target *t = malloc(MCPI_MAX_TARGETS * sizeof *t);
    if (t == NULL) {
        mcpi_set_error(err, errlen, "--checkpoint: out of memory");
        return MCPI_ENOMEM;
    }
    size_t n = 0;
    int rc = mcpi_selection_resolve(cfg->backends, t, MCPI_MAX_TARGETS, &n, err, errlen);
    *rows = 0;
    names[0] = '\0';
    for (size_t i = 0; rc == MCPI_OK && i < n; ++i) {
        int seen = 0;
        for (size_t j = 0; ranks > 1 && j < i; ++j)
            seen |= t[j].backend == t[i].backend;
        if (seen)
            continue;
        size_t used = strlen(names);
        snprintf(names + used, nlen - used, "%s%s", *rows ? ", " : "",
                 ranks > 1 ? t[i].backend->name : t[i].dev.id);
        ++*rows;
    }
    free(t);
    return rc;
}

/* The rules every rank can check alone (no file is read). */
static int check_rules(const mcpi_config *cfg, int ranks, char *err, size_t errlen)
{
    if (cfg->checkpoint == NULL && cfg->resume == NULL)
        return MCPI_OK;
    const char *flag = cfg->checkpoint != NULL ? "--checkpoint" : "--resume";
    if (cfg->repeat != 1 || cfg->warmup != 0) {
        mcpi_set_error(err, errlen,
                       "%s: a checkpointed run is one timed pass; add --repeat 1 --warmup 0 "
                       "(got --repeat %u --warmup %u)",
                       flag, cfg->repeat, cfg->warmup);
        return MCPI_EINVAL;
    }
    char names[256];
    size_t rows = 0;
    int rc = rows_of(cfg, ranks, names, sizeof names, &rows, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    if (rows != 1) {
        mcpi_set_error(err, errlen,
                       "%s: a checkpointed run has exactly one backend row, but -b/--backend "
                       "'%s' selects %zu (%s); pick one, e.g. -b threads",
                       flag, cfg->backends[0] ? cfg->backends : "all", rows, names);
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

int mcpi_run_check(const mcpi_config *cfg, int ranks, char *err, size_t errlen)
{
    int rc = check_rules(cfg, ranks, err, errlen);
    if (rc != MCPI_OK || cfg->resume == NULL)
        return rc;
    mcpi_checkpoint c;
    rc = mcpi_checkpoint_read(cfg->resume, &c, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    return mcpi_checkpoint_match(&c, cfg->resume, cfg->seed,
                                 cfg->has_range ? cfg->range_begin : 0,
                                 cfg->has_range ? cfg->range_end : cfg->samples, err, errlen);
}

/* ---- setup ------------------------------------------------------------------ */

/* Rank 0: reads the resumed prefix into c (when resuming) and writes the
 * checkpoint once, so an unwritable path fails before any work. */
static int first_write(const mcpi_chunker *ck, const mcpi_config *cfg, mcpi_checkpoint *c,
                       char *err, size_t errlen)
{
    int rc = MCPI_OK;
    if (cfg->resume != NULL) {
        rc = mcpi_checkpoint_read(cfg->resume, c, err, errlen);
        if (rc == MCPI_OK)
            rc = mcpi_checkpoint_match(c, cfg->resume, cfg->seed, ck->begin, ck->end, err,
                                       errlen);
    }
    if (rc != MCPI_OK)
        return rc;
    mcpi_checkpoint w = *c;
    snprintf(w.version, sizeof w.version, "%s", MCPI_VERSION_STRING);
    w.seed = cfg->seed;
    w.begin = ck->begin;
    w.end = ck->end;
    snprintf(w.backend, sizeof w.backend, "%s", c->backend[0] ? c->backend : "-");
    w.ranks = c->ranks;
    return mcpi_checkpoint_write(ck->path, &w, err, errlen);
}

int mcpi_chunker_setup(mcpi_chunker *ck, const mcpi_config *cfg, mcpi_comm *comm, char *err,
                       size_t errlen)
{
    memset(ck, 0, sizeof *ck);
    ck->begin = cfg->has_range ? cfg->range_begin : 0;
    ck->end = cfg->has_range ? cfg->range_end : cfg->samples;
    ck->checkpointing = cfg->checkpoint != NULL || cfg->resume != NULL;
    ck->path = cfg->checkpoint != NULL ? cfg->checkpoint : cfg->resume;
    ck->interval_s = cfg->checkpoint_interval_s > 0 ? cfg->checkpoint_interval_s
                                                    : MCPI_CHECKPOINT_INTERVAL_DEFAULT_S;
    /* Only rank 0 reports progress, so only its hook decides. */
    ck->progress = comm->rank == 0 && cfg->hooks.progress != NULL;
    ck->on = ck->checkpointing || mcpi_agree(comm, ck->progress ? -1 : 0) < 0;
    if (!ck->checkpointing)
        return MCPI_OK;

    int rc = mcpi_agree(comm, check_rules(cfg, comm->size, err, errlen));
    if (rc == MCPI_OK) /* installed by main already; a library caller gets them here */
        rc = mcpi_agree(comm, mcpi_stop_install(err, errlen));
    if (rc != MCPI_OK)
        return rc;
    mcpi_checkpoint c;
    memset(&c, 0, sizeof c);
    rc = mcpi_agree(comm, comm->rank == 0 ? first_write(ck, cfg, &c, err, errlen) : MCPI_OK);
    if (rc != MCPI_OK)
        return rc;
    /* Rank 0's numbers to everyone: a sum where the others add 0. */
    uint64_t done = c.done, hits = c.hits;
    double elapsed = c.elapsed_s;
    if (comm->sum_u64(comm, &done) != MCPI_OK || comm->sum_u64(comm, &hits) != MCPI_OK ||
        comm->max_doubles(comm, &elapsed, 1) != MCPI_OK)
        return MCPI_EMPI;
    ck->start_done = done;
    ck->start_hits = hits;
    ck->start_elapsed = elapsed;
    return MCPI_OK;
}

/* ---- one pass ------------------------------------------------------------------ */

static const char *signal_name(int signo)
{
    switch (signo) {
    case 2:
        return "SIGINT";
    case 10:
        return "SIGUSR1";
    case 15:
        return "SIGTERM";
    default:
        return "a signal";
    }
}

/* Rank 0: saves the prefix [begin, begin + done) with hits. */
static int save(const mcpi_chunker *ck, const mcpi_config *cfg, const mcpi_target *t,
                const mcpi_comm *comm, uint64_t done, uint64_t hits, double elapsed, char *err,
                size_t errlen)
{
    mcpi_checkpoint c;
    memset(&c, 0, sizeof c);
    snprintf(c.version, sizeof c.version, "%s", MCPI_VERSION_STRING);
    c.seed = cfg->seed;
    c.begin = ck->begin;
    c.end = ck->end;
    c.done = done;
    c.hits = hits;
    c.elapsed_s = elapsed;
    snprintf(c.backend, sizeof c.backend, "%s", t->dev.id);
    c.ranks = comm->size;
    return mcpi_checkpoint_write(ck->path, &c, err, errlen);
}

/* Where a pass stands, between chunks. */
typedef struct pass_state {
    uint64_t done, job_hits, chunk;
    double t0, last_save;
    int stop_signo, failed;
} pass_state;

/* Counts this rank's part of the next chunk and agrees with every rank on
 * it: the slowest time, any stop request, the worst status, the hits.
 * Returns MCPI_EMPI when a collective failed, else 0 (rc holds the rank's
 * status; ps->failed is set when any rank failed). */
static int count_chunk(mcpi_chunker *ck, const mcpi_config *cfg, const mcpi_target *t,
                       void *state, mcpi_comm *comm, mcpi_record *mine, pass_state *ps, int *rc,
                       double *slowest, mcpi_phases *ph, char *err, size_t errlen)
{
    const uint64_t total = ck->end - ck->begin, size = (uint64_t)comm->size;
    uint64_t len = total - ps->done < ps->chunk ? total - ps->done : ps->chunk;
    uint64_t cb = ck->begin + ps->done, rb, re, h = 0;
    mcpi_split_range(cb, cb + len, size, (uint64_t)comm->rank, &rb, &re);
    mcpi_phases cph;
    mcpi_phases_clear(&cph);
    double c0 = mcpi_now();
    if (*rc == MCPI_OK && re > rb)
        *rc = t->backend->count(state, cfg->seed, rb, re, &h, &cph, mine, err, errlen);
    double v[3] = {mcpi_now() - c0, (double)mcpi_stop_pending(), -(double)*rc};
    if (comm->max_doubles(comm, v, 3) != MCPI_OK)
        return MCPI_EMPI;
    uint64_t sum = *rc == MCPI_OK ? h : 0;
    if (comm->sum_u64(comm, &sum) != MCPI_OK)
        return MCPI_EMPI;
    if (v[2] > 0) { /* some rank failed: this chunk does not count */
        ps->failed = 1;
        return MCPI_OK;
    }
    for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
        if (cph.mask & (1u << p))
            mcpi_phases_add(ph, (mcpi_phase)p, cph.s[p]);
    ps->done += len;
    ps->job_hits += sum;
    ck->rank_hits += h;
    ck->rank_samples += re - rb;
    ps->stop_signo = (int)v[1];
    *slowest = v[0];
    return MCPI_OK;
}

/* The next chunk from the slowest rank's time (the same on every rank). */
static uint64_t next_chunk(uint64_t chunk, double slowest, uint64_t min_chunk)
{
    double scale = slowest > 1e-3 ? MCPI_CHUNK_TARGET_S / slowest : MCPI_CHUNK_GROWTH;
    scale = scale > MCPI_CHUNK_GROWTH ? MCPI_CHUNK_GROWTH : scale < 0.25 ? 0.25 : scale;
    double next = (double)chunk * scale;
    chunk = next >= 1.8e19 ? UINT64_MAX : (uint64_t)next;
    return chunk < min_chunk ? min_chunk : chunk;
}

static void report_progress(const mcpi_chunker *ck, const mcpi_config *cfg,
                            const mcpi_record *mine, const char *pass, const pass_state *ps,
                            int last)
{
    if (!ck->progress)
        return;
    mcpi_progress p = {mine->name, pass, ps->done, ck->end - ck->begin,
                       ps->done - ck->start_done, mcpi_now() - ps->t0, last};
    cfg->hooks.progress(cfg->hooks.ctx, &p);
}

/* The end of a checkpointed pass (done, stopped or failed) is saved, and
 * every rank agrees that it was. */
static int final_save(const mcpi_chunker *ck, const mcpi_config *cfg, const mcpi_target *t,
                      mcpi_comm *comm, const pass_state *ps, int rc, char *err, size_t errlen)
{
    int wrc = rc;
    if (comm->rank == 0 && rc == MCPI_OK)
        wrc = save(ck, cfg, t, comm, ps->done, ck->start_hits + ps->job_hits,
                   ck->start_elapsed + (mcpi_now() - ps->t0), err, errlen);
    if (wrc != MCPI_OK && rc == MCPI_OK)
        rc = wrc;
    int all = mcpi_agree(comm, wrc);
    if (all != MCPI_OK && rc == MCPI_OK) {
        rc = all;
        snprintf(err, errlen, "mcpi: %s", MCPI_COLLATERAL_ERROR);
    }
    return rc;
}

int mcpi_chunked_pass(mcpi_chunker *ck, const mcpi_config *cfg, const mcpi_target *t,
                      void *state, mcpi_comm *comm, mcpi_record *mine, const char *pass,
                      uint64_t *hits, mcpi_phases *ph, char *err, size_t errlen)
{
    const uint64_t total = ck->end - ck->begin, size = (uint64_t)comm->size;
    pass_state ps = {ck->start_done, 0, MCPI_CHUNK_FIRST * size, mcpi_now(), 0, 0, 0};
    ps.last_save = ps.t0;
    int rc = MCPI_OK;
    ck->rank_hits = ck->rank_samples = 0;
    for (;;) {
        double slowest = 0;
        if (count_chunk(ck, cfg, t, state, comm, mine, &ps, &rc, &slowest, ph, err, errlen) !=
            MCPI_OK)
            return MCPI_EMPI;
        if (ps.failed)
            break;
        int finished = ps.done == total;
        report_progress(ck, cfg, mine, pass, &ps, finished);
        double now = mcpi_now();
        if (comm->rank == 0 && ck->checkpointing && !finished && !ps.stop_signo &&
            now - ps.last_save >= ck->interval_s) {
            rc = save(ck, cfg, t, comm, ps.done, ck->start_hits + ps.job_hits,
                      ck->start_elapsed + (now - ps.t0), err, errlen);
            ps.last_save = now;
        }
        if (finished || ps.stop_signo)
            break;
        ps.chunk = next_chunk(ps.chunk, slowest, MCPI_CHUNK_MIN * size);
    }
    if (ps.failed || (ps.stop_signo && ps.done < total))
        report_progress(ck, cfg, mine, pass, &ps, 1);
    if (ck->checkpointing)
        rc = final_save(ck, cfg, t, comm, &ps, rc, err, errlen);
    *hits = ps.job_hits;
    ck->job_hits = ps.job_hits;
    /* A stop request that arrives during the last chunk finds the pass
     * complete: the checkpoint is final and the run succeeds. */
    if (rc == MCPI_OK && ps.stop_signo && ps.done < total) {
        snprintf(err, errlen,
                 "mcpi: interrupted by %s after samples [%" PRIu64 ", %" PRIu64
                 ") of [%" PRIu64 ", %" PRIu64 "); checkpoint '%s' written; continue with "
                 "--resume %s",
                 signal_name(ps.stop_signo), ck->begin, ck->begin + ps.done, ck->begin, ck->end,
                 ck->path, ck->path);
        return MCPI_EINTERRUPTED;
    }
    return rc;
}

/* run.c - one target, every rank: open, warm up, time, reduce, gather.
 *
 * Every rank calls the same collectives in the same order whatever happens
 * locally, so a failure on one rank is agreed on (min_int) instead of
 * leaving the others waiting: no path here can hang a job.
 *
 * Two ways to run a pass.  Plain: each rank counts its contiguous share of
 * the range in one backend call (the fast path, used unless one of the
 * features below asks for more).  Chunked (--checkpoint, --resume, or
 * progress on rank 0's terminal or forced by --progress): the job's range is
 * walked in chunks from its start; each chunk is split over the ranks and
 * its hits summed at once, so after every chunk all ranks know that samples
 * [begin, begin + done) were counted with H hits: a prefix that does not
 * depend on the backend or the rank count, which is what a checkpoint
 * stores and what --resume continues.  Chunks are sized from the slowest
 * rank's last chunk to take about MCPI_CHUNK_TARGET_S, so the two small
 * collectives per chunk cost nothing measurable; the chunk boundary is also
 * where a stop signal is agreed on. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "mcpi.h"
#include "signals.h"

/* Chunk sizing: about this much work per chunk (the stop latency after a
 * signal, and the progress refresh period). */
#define MCPI_CHUNK_TARGET_S 0.5
/* First chunk, samples per rank: small enough for the slowest backend
 * (serial, ~2.5e8/s: ~17 ms), then grown by at most MCPI_CHUNK_GROWTH. */
#define MCPI_CHUNK_FIRST (1ull << 22)
#define MCPI_CHUNK_MIN (1ull << 16)
#define MCPI_CHUNK_GROWTH 8.0
#define MCPI_CHECKPOINT_INTERVAL_DEFAULT_S 60.0
/* --progress on a stream that is not a terminal (a batch log): one line at
 * most this often, and one at the end. */
#define MCPI_PROGRESS_LOG_S 10.0

static void fill_identity(mcpi_record *r, const mcpi_config *cfg, const mcpi_target *t,
                          const mcpi_comm *comm)
{
    mcpi_record_init(r);
    snprintf(r->name, sizeof r->name, "%s", t->dev.id);
    snprintf(r->backend, sizeof r->backend, "%s", t->backend->name);
    snprintf(r->device, sizeof r->device, "%s", t->dev.description);
    snprintf(r->hostname, sizeof r->hostname, "%s", comm->hostname);
    r->rank = comm->rank;
    r->local_rank = comm->local_rank;
    r->ranks = 1;
    r->exact = t->backend->exact;
    r->auto_predicted_s = t->auto_predicted_s;
    snprintf(r->auto_note, sizeof r->auto_note, "%s", t->auto_note);
    r->seed = cfg->seed;
    uint64_t b0 = cfg->has_range ? cfg->range_begin : 0;
    uint64_t e0 = cfg->has_range ? cfg->range_end : cfg->samples;
    mcpi_split_range(b0, e0, (uint64_t)comm->size, (uint64_t)comm->rank, &r->begin, &r->end);
    r->samples = r->end - r->begin;
}

/* Test-only switch: MCPI_TEST_FAIL_RANK=k makes rank k's counts fail, so the
 * tests can check that one rank's failure ends the whole job, never hangs. */
static int forced_failure(const mcpi_comm *comm)
{
    const char *s = getenv("MCPI_TEST_FAIL_RANK");
    return s != NULL && s[0] != '\0' && atoi(s) == comm->rank;
}

/* The error of a rank that stopped only because another rank failed. */
static const char collateral[] = "stopped because another rank failed";

static void fail(mcpi_record *r, int rc, const char *msg)
{
    if (r->status != MCPI_OK)
        return; /* keep the first failure */
    r->status = rc;
    if (strncmp(msg, "mcpi: ", 6) == 0) /* records keep the message, not the prefix */
        msg += 6;
    snprintf(r->error, sizeof r->error, "%s", msg[0] ? msg : mcpi_strerror(rc));
}

/* ---- chunked passes ------------------------------------------------------ */

/* What the chunked mode knows; identical on every rank except progress. */
typedef struct chunker {
    int on;            /* passes run in chunks (agreed by every rank) */
    int progress;      /* this rank prints progress (rank 0 only) */
    int tty;           /* ... to a terminal (rewrites one line) */
    int checkpointing; /* --checkpoint or --resume */
    const char *path;  /* the checkpoint file written (--checkpoint, else --resume) */
    double interval_s;
    uint64_t begin, end;      /* the job's range */
    uint64_t start_done;      /* resumed prefix: samples [begin, begin + start_done) */
    uint64_t start_hits;      /* ... and its hits */
    double start_elapsed;     /* counting time of earlier sessions */
    /* the last pass */
    uint64_t rank_hits, rank_samples; /* this rank's share */
    uint64_t job_hits;                /* every rank's hits in this session's part */
    double last_print;
} chunker;

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
            seen |= t[j].backend == t[i].backend; /* under MPI a backend is one row */
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

/* Agrees on rc (the worst wins) and keeps a local failure's message. */
static int agree(mcpi_comm *comm, int rc)
{
    int v = rc;
    if (comm->min_int(comm, &v) != MCPI_OK)
        return MCPI_EMPI;
    return v;
}

/* Decides whether passes run in chunks, checks the checkpoint rules, reads
 * the resumed prefix (rank 0) and shares it.  Collective; returns the
 * agreed status, with the reason in err on the rank(s) that failed. */
static int chunker_setup(chunker *ck, const mcpi_config *cfg, mcpi_comm *comm, char *err,
                         size_t errlen)
{
    memset(ck, 0, sizeof *ck);
    ck->begin = cfg->has_range ? cfg->range_begin : 0;
    ck->end = cfg->has_range ? cfg->range_end : cfg->samples;
    ck->last_print = -INFINITY;
    ck->checkpointing = cfg->checkpoint != NULL || cfg->resume != NULL;
    ck->path = cfg->checkpoint != NULL ? cfg->checkpoint : cfg->resume;
    ck->interval_s = cfg->checkpoint_interval_s > 0 ? cfg->checkpoint_interval_s
                                                    : MCPI_CHECKPOINT_INTERVAL_DEFAULT_S;
    int tty = comm->rank == 0 && isatty(STDERR_FILENO);
    ck->progress = comm->rank == 0 && !cfg->quiet && (cfg->progress || tty);
    ck->tty = tty;
    if (ck->checkpointing || (!cfg->quiet && cfg->progress)) {
        ck->on = 1;
    } else if (!cfg->quiet) { /* only rank 0 knows whether its stderr is a terminal */
        int v = tty ? -1 : 0;
        if (comm->min_int(comm, &v) != MCPI_OK)
            return MCPI_EMPI;
        ck->on = v < 0;
    }
    if (!ck->checkpointing)
        return MCPI_OK;

    int rc = agree(comm, check_rules(cfg, comm->size, err, errlen));
    if (rc == MCPI_OK) /* installed by main already; a library caller gets them here */
        rc = agree(comm, mcpi_signals_install(err, errlen));
    if (rc != MCPI_OK)
        return rc;
    mcpi_checkpoint c;
    memset(&c, 0, sizeof c);
    rc = MCPI_OK;
    if (comm->rank == 0) {
        if (cfg->resume != NULL) {
            rc = mcpi_checkpoint_read(cfg->resume, &c, err, errlen);
            if (rc == MCPI_OK)
                rc = mcpi_checkpoint_match(&c, cfg->resume, cfg->seed, ck->begin, ck->end, err,
                                           errlen);
        }
        /* Written once now, so an unwritable path fails before any work. */
        if (rc == MCPI_OK) {
            mcpi_checkpoint w = c;
            snprintf(w.version, sizeof w.version, "%s", MCPI_VERSION_STRING);
            w.seed = cfg->seed;
            w.begin = ck->begin;
            w.end = ck->end;
            snprintf(w.backend, sizeof w.backend, "%s", c.backend[0] ? c.backend : "-");
            w.ranks = c.ranks;
            rc = mcpi_checkpoint_write(ck->path, &w, err, errlen);
        }
    }
    rc = agree(comm, rc);
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

static void fmt_eta(char *buf, size_t len, double s)
{
    if (!(s >= 0) || s > 3600.0 * 24 * 365)
        snprintf(buf, len, "--:--:--");
    else if (s < 60)
        snprintf(buf, len, "%.1f s", s);
    else {
        unsigned long t = (unsigned long)(s + 0.5);
        snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    }
}

/* One progress line on stderr (rank 0): rewritten in place on a terminal,
 * a line every MCPI_PROGRESS_LOG_S elsewhere; always at the end. */
static void progress_print(chunker *ck, const char *name, const char *pass, uint64_t done,
                           uint64_t session, double elapsed, int last)
{
    double now = mcpi_now();
    if (!last && !ck->tty && now - ck->last_print < MCPI_PROGRESS_LOG_S)
        return;
    ck->last_print = now;
    uint64_t total = ck->end - ck->begin;
    double rate = elapsed > 0 ? (double)session / elapsed : 0.0;
    char eta[32];
    fmt_eta(eta, sizeof eta, rate > 0 ? (double)(total - done) / rate : -1.0);
    if (last)
        fmt_eta(eta, sizeof eta, elapsed);
    fprintf(stderr, "%smcpi: %s%s %5.1f%%  %.3e of %.3e samples  %.3e samples/s  %s %s%s",
            ck->tty ? "\r" : "", name, pass, 100.0 * (double)done / (double)total,
            (double)done, (double)total, rate, last ? "took" : "ETA", eta,
            ck->tty && !last ? "\033[K" : "\n");
    fflush(stderr);
}

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
static int save(const chunker *ck, const mcpi_config *cfg, const mcpi_target *t,
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

/* One pass over the job's range (from the resumed prefix) in chunks.  Every
 * rank returns the same *hits: the job's hits over this session's part.
 * Returns this rank's status; MCPI_EINTERRUPTED on every rank when a signal
 * stopped the pass (the checkpoint is written). */
static int chunked_pass(chunker *ck, const mcpi_config *cfg, const mcpi_target *t, void *state,
                        mcpi_comm *comm, mcpi_record *mine, const char *pass, uint64_t *hits,
                        mcpi_phases *ph, char *err, size_t errlen)
{
    const uint64_t total = ck->end - ck->begin, size = (uint64_t)comm->size;
    uint64_t done = ck->start_done, job_hits = 0, chunk = MCPI_CHUNK_FIRST * size;
    uint64_t min_chunk = MCPI_CHUNK_MIN * size;
    double t0 = mcpi_now(), last_save = t0;
    int rc = MCPI_OK, stop_signo = 0, failed = 0;
    ck->rank_hits = ck->rank_samples = 0;
    for (;;) {
        uint64_t len = total - done < chunk ? total - done : chunk;
        uint64_t cb = ck->begin + done, rb, re, h = 0;
        mcpi_split_range(cb, cb + len, size, (uint64_t)comm->rank, &rb, &re);
        mcpi_phases cph;
        mcpi_phases_clear(&cph);
        double c0 = mcpi_now();
        if (rc == MCPI_OK && re > rb)
            rc = t->backend->count(state, cfg->seed, rb, re, &h, &cph, mine, err, errlen);
        /* One agreement per chunk: the slowest time, any stop request, the
         * worst status; then the chunk's hits. */
        double v[3] = {mcpi_now() - c0, (double)mcpi_signals_pending(), -(double)rc};
        if (comm->max_doubles(comm, v, 3) != MCPI_OK)
            return MCPI_EMPI;
        uint64_t sum = rc == MCPI_OK ? h : 0;
        if (comm->sum_u64(comm, &sum) != MCPI_OK)
            return MCPI_EMPI;
        if (v[2] > 0) { /* some rank failed: this chunk does not count */
            failed = 1;
            break;
        }
        for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
            if (cph.mask & (1u << p))
                mcpi_phases_add(ph, (mcpi_phase)p, cph.s[p]);
        done += len;
        job_hits += sum;
        ck->rank_hits += h;
        ck->rank_samples += re - rb;
        stop_signo = (int)v[1];
        int finished = done == total;
        double now = mcpi_now();
        if (ck->progress)
            progress_print(ck, mine->name, pass, done, done - ck->start_done, now - t0,
                           finished);
        if (comm->rank == 0 && ck->checkpointing && !finished && !stop_signo &&
            now - last_save >= ck->interval_s) {
            rc = save(ck, cfg, t, comm, done, ck->start_hits + job_hits,
                      ck->start_elapsed + (now - t0), err, errlen);
            last_save = now;
        }
        if (finished || stop_signo)
            break;
        /* Next chunk from the slowest rank's time (the same on every rank). */
        double scale = v[0] > 1e-3 ? MCPI_CHUNK_TARGET_S / v[0] : MCPI_CHUNK_GROWTH;
        scale = scale > MCPI_CHUNK_GROWTH ? MCPI_CHUNK_GROWTH : scale < 0.25 ? 0.25 : scale;
        double next = (double)chunk * scale;
        chunk = next >= 1.8e19 ? UINT64_MAX : (uint64_t)next;
        if (chunk < min_chunk)
            chunk = min_chunk;
    }
    if (ck->progress && ck->tty && (failed || stop_signo))
        fputc('\n', stderr);
    /* The end of a checkpointed pass (done, stopped or failed) is saved. */
    if (ck->checkpointing) {
        int wrc = rc;
        if (comm->rank == 0 && rc == MCPI_OK)
            wrc = save(ck, cfg, t, comm, done, ck->start_hits + job_hits,
                       ck->start_elapsed + (mcpi_now() - t0), err, errlen);
        if (wrc != MCPI_OK && rc == MCPI_OK)
            rc = wrc;
        int all = agree(comm, wrc);
        if (all != MCPI_OK && rc == MCPI_OK) {
            rc = all;
            snprintf(err, errlen, "mcpi: %s", collateral);
        }
    }
    *hits = job_hits;
    ck->job_hits = job_hits;
    /* A stop request that arrives during the last chunk finds the pass
     * complete: the checkpoint is final and the run succeeds. */
    if (rc == MCPI_OK && stop_signo && done < total) {
        snprintf(err, errlen,
                 "mcpi: interrupted by %s after samples [%" PRIu64 ", %" PRIu64
                 ") of [%" PRIu64 ", %" PRIu64 "); checkpoint '%s' written; continue with "
                 "--resume %s",
                 signal_name(stop_signo), ck->begin, ck->begin + done, ck->begin, ck->end,
                 ck->path, ck->path);
        return MCPI_EINTERRUPTED;
    }
    return rc;
}

/* Runs warm-up and timed repeats on this rank; the state is open. */
static void run_repeats(const mcpi_config *cfg, const mcpi_target *t, void *state,
                        mcpi_comm *comm, mcpi_record *mine, chunker *ck)
{
    char err[MCPI_ERROR_LEN] = "";
    mcpi_phases sum;
    mcpi_phases_clear(&sum);
    int64_t rss_first = -1, rss_last = -1;
    uint64_t first_hits = 0;
    unsigned total = cfg->warmup + cfg->repeat;
    for (unsigned i = 0; i < total; ++i) {
        int rc = comm->barrier(comm);
        mcpi_phases ph;
        mcpi_phases_clear(&ph);
        uint64_t hits = 0;
        double t0 = mcpi_now();
        if (ck->on) { /* collective: every rank runs it, whatever its status */
            char pass[48] = "";
            if (total > 1)
                snprintf(pass, sizeof pass, " (%s %u/%u)", i < cfg->warmup ? "warm-up" : "repeat",
                         i < cfg->warmup ? i + 1 : i - cfg->warmup + 1,
                         i < cfg->warmup ? cfg->warmup : cfg->repeat);
            int crc = chunked_pass(ck, cfg, t, state, comm, mine, pass, &hits, &ph, err,
                                   sizeof err);
            if (rc == MCPI_OK && mine->status == MCPI_OK)
                rc = crc;
        } else if (rc == MCPI_OK && mine->status == MCPI_OK) {
            rc = t->backend->count(state, cfg->seed, mine->begin, mine->end, &hits, &ph, mine,
                                   err, sizeof err);
        }
        if (rc == MCPI_OK && forced_failure(comm)) {
            rc = MCPI_EBACKEND;
            snprintf(err, sizeof err, "mcpi: forced failure (MCPI_TEST_FAIL_RANK=%d)", comm->rank);
        }
        double dt = mcpi_now() - t0;
        if (rc == MCPI_OK && i > 0 && hits != first_hits) {
            rc = MCPI_EBACKEND;
            snprintf(err, sizeof err,
                     "mcpi: %s: repeat %u counted %llu hits, repeat 1 counted %llu: the "
                     "device computes wrong results",
                     mine->name, i + 1, (unsigned long long)hits,
                     (unsigned long long)first_hits);
        }
        if (rc != MCPI_OK)
            fail(mine, rc, err);
        int agreed = mine->status;
        if (comm->min_int(comm, &agreed) != MCPI_OK && agreed == MCPI_OK)
            agreed = MCPI_EMPI;
        if (agreed != MCPI_OK) {
            if (mine->status == MCPI_OK)
                fail(mine, agreed, collateral);
            return;
        }
        if (i == 0)
            first_hits = hits;
        if (i < cfg->warmup)
            continue;
        unsigned k = i - cfg->warmup;
        mine->repeat_s[k] = dt;
        mine->repeats = k + 1;
        for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
            if (ph.mask & (1u << p))
                mcpi_phases_add(&sum, (mcpi_phase)p, ph.s[p]);
        int64_t rss = mcpi_mem_current_bytes();
        if (k == 0)
            rss_first = rss;
        rss_last = rss;
    }
    mine->hits = first_hits;
    for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
        if (sum.mask & (1u << p))
            mcpi_phases_add(&mine->phases, (mcpi_phase)p, sum.s[p] / cfg->repeat);
    mine->host_growth_bytes = (rss_first >= 0 && rss_last >= 0) ? rss_last - rss_first : -1;
}

/* Folds the gathered rank records into the job row (rank 0 only). */
static void fold_job(mcpi_record *job, const mcpi_record *all, int size, uint64_t total_hits,
                     const double *slowest, const mcpi_config *cfg)
{
    *job = all[0];
    job->status = MCPI_OK;
    job->error[0] = '\0';
    job->ranks = size;
    job->begin = cfg->has_range ? cfg->range_begin : 0;
    job->end = cfg->has_range ? cfg->range_end : cfg->samples;
    job->samples = job->end - job->begin;
    job->hits = total_hits;
    job->threads = 0;
    for (unsigned k = 0; k < job->repeats; ++k)
        job->repeat_s[k] = slowest[k];
    int same_host = 1, same_device = 1;
    for (int r = 0; r < size; ++r) {
        const mcpi_record *x = &all[r];
        job->threads += x->threads;
        if (x->host_peak_bytes > job->host_peak_bytes)
            job->host_peak_bytes = x->host_peak_bytes;
        if (x->host_growth_bytes > job->host_growth_bytes)
            job->host_growth_bytes = x->host_growth_bytes;
        if (r > 0 && x->device_bytes >= 0)
            job->device_bytes = (job->device_bytes < 0 ? 0 : job->device_bytes) + x->device_bytes;
        for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
            if ((x->phases.mask & (1u << p)) && x->phases.s[p] > job->phases.s[p])
                job->phases.s[p] = x->phases.s[p];
        job->phases.mask |= x->phases.mask;
        same_host &= strcmp(x->hostname, all[0].hostname) == 0;
        same_device &= strcmp(x->device, all[0].device) == 0;
        /* The row's error is the first rank that failed on its own. */
        if (x->status != MCPI_OK && strcmp(x->error, collateral) != 0 &&
            (job->status == MCPI_OK || strstr(job->error, collateral) != NULL)) {
            job->status = x->status;
            if (size > 1)
                snprintf(job->error, sizeof job->error, "rank %d: %.200s", r, x->error);
            else
                snprintf(job->error, sizeof job->error, "%s", x->error);
        } else if (x->status != MCPI_OK && job->status == MCPI_OK) {
            job->status = x->status;
            snprintf(job->error, sizeof job->error, "rank %d: %s", r, collateral);
        }
    }
    if (!same_host)
        snprintf(job->hostname, sizeof job->hostname, "(%d ranks on several hosts)", size);
    if (!same_device)
        snprintf(job->device, sizeof job->device, "(per-rank devices differ; see --per-rank)");
    if (size > 1)
        job->rank = -1;
}

int mcpi_run_target(const mcpi_config *cfg, const mcpi_target *t, mcpi_comm *comm,
                    mcpi_record *mine, mcpi_record *job, mcpi_record *rank_rows)
{
    char err[MCPI_ERROR_LEN] = "";
    mcpi_config local = *cfg;
    local.ranks_per_node = (unsigned)comm->local_size;
    fill_identity(mine, cfg, t, comm);

    mcpi_mem_reset_peak(); /* the peak below belongs to this row */
    void *state = NULL;
    chunker ck;
    int rc = chunker_setup(&ck, cfg, comm, err, sizeof err); /* agreed on every rank */
    if (rc != MCPI_OK)
        fail(mine, rc, err[0] ? err : collateral);
    else if ((rc = t->backend->open(&t->dev, &local, &state, mine, err, sizeof err)) != MCPI_OK)
        fail(mine, rc, err);
    int agreed = mine->status;
    if (comm->min_int(comm, &agreed) != MCPI_OK && agreed == MCPI_OK)
        agreed = MCPI_EMPI;
    if (agreed == MCPI_OK)
        run_repeats(&local, t, state, comm, mine, &ck);
    else if (mine->status == MCPI_OK)
        fail(mine, agreed, collateral);
    if (ck.on) {
        /* Records of a chunked run: this rank's share of the job's range
         * (interleaved by chunks), time including earlier sessions. */
        mine->hits = ck.rank_hits;
        mine->samples = ck.rank_samples;
        mine->begin = ck.begin + ck.start_done;
        mine->end = ck.end;
        if (ck.checkpointing && mine->repeats > 0)
            mine->repeat_s[0] += ck.start_elapsed;
    }
    /* The handlers stay installed until the process ends: a signal that
     * arrives after the last chunk (while ranks gather, report, finalise)
     * finds the run complete and its checkpoint final, and must not kill a
     * rank with the default action half-way through MPI_Finalize. */
    mine->host_peak_bytes = mcpi_mem_peak_bytes();
    if (rc == MCPI_OK)
        t->backend->close(state);

    /* Communicate: sum of hits, slowest rank per repeat, records to rank 0. */
    double t0 = mcpi_now();
    uint64_t total = mine->status == MCPI_OK ? mine->hits : 0;
    double slowest[MCPI_MAX_REPEAT];
    memcpy(slowest, mine->repeat_s, sizeof slowest);
    int crc = comm->sum_u64(comm, &total);
    if (ck.on) /* every rank already has the job's hits, resumed prefix included */
        total = mine->status == MCPI_OK ? ck.start_hits + ck.job_hits : 0;
    if (crc == MCPI_OK)
        crc = comm->max_doubles(comm, slowest, (int)cfg->repeat);
    if (comm->size > 1)
        mcpi_phases_add(&mine->phases, MCPI_PHASE_COMM, mcpi_now() - t0);
    mcpi_record *all = rank_rows;
    if (comm->rank == 0 && all == NULL) {
        all = malloc((size_t)comm->size * sizeof *all);
        if (all == NULL)
            comm->abort(comm, mcpi_exit_code(MCPI_ENOMEM));
    }
    if (crc == MCPI_OK)
        crc = comm->gather_records(comm, mine, all);
    if (crc != MCPI_OK) /* a broken communicator cannot agree on anything */
        comm->abort(comm, mcpi_exit_code(MCPI_EMPI));
    if (comm->rank == 0) {
        fold_job(job, all, comm->size, total, slowest, cfg);
        if (all != rank_rows)
            free(all);
    }
    int status = mine->status;
    if (comm->min_int(comm, &status) != MCPI_OK)
        status = MCPI_EMPI;
    return status;
}

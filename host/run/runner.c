/* runner.c - one row, every rank: open its workers, set up checkpoints and
 * this rank's share, run warm-up and timed passes through the scheduler,
 * gather every rank's record into the job's row.
 *
 * Every rank calls the same collectives in the same order whatever happens
 * locally, so a failure on one rank is agreed on (mcpi_agree) instead of
 * leaving the others waiting: no path here can hang a job.  There is one way
 * to count a pass, the scheduler (scheduler.h), whatever the row, the terminal
 * or the flags. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "mcpi.h"
#include "row.h"

static void join_backends(char *buf, size_t len, const mcpi_target *t)
{
    buf[0] = '\0';
    for (size_t k = 0; k < t->nworkers; ++k) {
        const char *name = t->workers[k].backend->name;
        int seen = 0;
        for (size_t j = 0; j < k; ++j)
            seen |= strcmp(t->workers[j].backend->name, name) == 0;
        size_t used = strlen(buf);
        if (!seen)
            snprintf(buf + used, len - used, "%s%s", used ? "+" : "", name);
    }
}

static void fill_identity(mcpi_record *r, const mcpi_config *cfg, const mcpi_target *t,
                          const mcpi_comm *comm)
{
    mcpi_record_init(r);
    snprintf(r->name, sizeof r->name, "%s", t->name);
    join_backends(r->backend, sizeof r->backend, t);
    snprintf(r->device, sizeof r->device, "%s", t->workers[0].dev.description);
    snprintf(r->hostname, sizeof r->hostname, "%s", comm->hostname);
    r->rank = comm->rank;
    r->local_rank = comm->local_rank;
    r->ranks = 1;
    r->exact = 1;
    for (size_t k = 0; k < t->nworkers; ++k) { /* any worker's notes speak for the row */
        const mcpi_backend *w = t->workers[k].backend;
        r->exact &= w->exact;
        if (w->inexact_note && !r->inexact_note[0])
            snprintf(r->inexact_note, sizeof r->inexact_note, "%s", w->inexact_note);
        if (w->growth_note && !r->growth_note[0])
            snprintf(r->growth_note, sizeof r->growth_note, "%s", w->growth_note);
    }
    r->auto_predicted_s = t->auto_predicted_s;
    snprintf(r->auto_note, sizeof r->auto_note, "%s", t->auto_note);
    r->seed = cfg->seed;
    r->begin = cfg->has_range ? cfg->range_begin : 0;
    r->end = cfg->has_range ? cfg->range_end : cfg->samples;
    r->verify = r->exact ? cfg->verify : MCPI_VERIFY_OFF;
}

static void fail(mcpi_record *r, int rc, const char *msg)
{
    if (r->status != MCPI_OK)
        return; /* keep the first failure */
    r->status = rc;
    if (strncmp(msg, "mcpi: ", 6) == 0) /* records keep the message, not the prefix */
        msg += 6;
    snprintf(r->error, sizeof r->error, "%s", msg[0] ? msg : mcpi_strerror(rc));
}

/* Repeat i's label for progress: "" for a single pass. */
static void pass_label(char *buf, size_t len, const mcpi_config *cfg, unsigned i)
{
    unsigned total = cfg->warmup + cfg->repeat;
    buf[0] = '\0';
    if (total > 1)
        snprintf(buf, len, " (%s %u/%u)", i < cfg->warmup ? "warm-up" : "repeat",
                 i < cfg->warmup ? i + 1 : i - cfg->warmup + 1,
                 i < cfg->warmup ? cfg->warmup : cfg->repeat);
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

/* The line of a pass a stop request ended (collective: the job's count). */
static void interrupted(const mcpi_row *r, const mcpi_sched_pass *p, mcpi_comm *comm, char *err,
                        size_t errlen)
{
    uint64_t done = mcpi_intervals_samples(&p->done);
    if (comm->sum_u64(comm, &done, 1) != MCPI_OK)
        comm->abort(comm, mcpi_exit_code(MCPI_EMPI));
    done += mcpi_intervals_samples(&r->before);
    int n = snprintf(err, errlen,
                     "mcpi: interrupted by %s with %" PRIu64 " of the %" PRIu64
                     " samples of [%" PRIu64 ", %" PRIu64 ") counted; ",
                     signal_name(p->stop_signo), done, r->end - r->begin, r->begin, r->end);
    if (n < 0 || (size_t)n >= errlen)
        return;
    if (r->checkpointing)
        snprintf(err + n, errlen - (size_t)n, "checkpoint written: continue with --resume %s",
                 r->path);
    else
        snprintf(err + n, errlen - (size_t)n,
                 "nothing kept (--checkpoint FILE saves what is counted)");
}

/* One pass of repeat i (collective).  The rank's status; *dt its time. */
static int one_pass(mcpi_row *r, const mcpi_config *cfg, mcpi_comm *comm, unsigned i,
                    mcpi_record *mine, mcpi_sched_pass *p, char *err, size_t errlen)
{
    char pass[48];
    pass_label(pass, sizeof pass, cfg, i);
    mcpi_sched_ckpt ck = {
        r->path,   mcpi_row_interval(cfg), &r->before, r->before_s, cfg->seed, r->begin, r->end,
        r->t->name};
    int rc = comm->barrier(comm);
    int prc = mcpi_sched_pass_run(r->w, r->nw, r->crew, cfg, comm, &r->share, mine->name, pass,
                                  r->end - r->begin, mcpi_intervals_samples(&r->before),
                                  r->checkpointing ? &ck : NULL, p, err, errlen);
    if (prc == MCPI_EINTERRUPTED)
        interrupted(r, p, comm, err, errlen);
    if (rc == MCPI_OK)
        rc = prc;
    if (rc == MCPI_OK && mcpi_fault_rank_fails(comm->rank)) {
        rc = MCPI_EBACKEND;
        snprintf(err, errlen, "mcpi: forced failure (MCPI_TEST_FAIL_RANK=%d)", comm->rank);
    }
    return rc;
}

/* The hits of every pass must agree: a device that counts the same range
 * differently twice computes wrong results. */
static int same_hits(const mcpi_record *mine, unsigned i, uint64_t hits, uint64_t first, char *err,
                     size_t errlen)
{
    if (i == 0 || hits == first)
        return MCPI_OK;
    snprintf(err, errlen,
             "mcpi: %s: repeat %u counted %" PRIu64 " hits, repeat 1 counted %" PRIu64
             ": the device computes wrong results",
             mine->name, i + 1, hits, first);
    return MCPI_EBACKEND;
}

/* Runs warm-up and timed passes on this rank; the workers are open. */
static void run_repeats(mcpi_row *r, const mcpi_config *cfg, mcpi_comm *comm, mcpi_record *mine)
{
    char err[MCPI_ERROR_LEN] = "";
    mcpi_phases sum;
    mcpi_phases_clear(&sum);
    int64_t rss_first = -1, rss_last = -1;
    uint64_t first_hits = 0;
    for (unsigned i = 0; i < cfg->warmup + cfg->repeat; ++i) {
        mcpi_sched_pass p;
        int rc = one_pass(r, cfg, comm, i, mine, &p, err, sizeof err);
        if (rc == MCPI_OK)
            rc = same_hits(mine, i, p.hits, first_hits, err, sizeof err);
        mcpi_phases ph;
        mcpi_row_book_pass(r, &p, i >= cfg->warmup, mine, &ph);
        mcpi_intervals_free(&p.done);
        if (rc != MCPI_OK)
            fail(mine, rc, err);
        int agreed = mcpi_agree(comm, mine->status);
        if (agreed != MCPI_OK) {
            fail(mine, agreed, MCPI_COLLATERAL_ERROR);
            return;
        }
        if (i == 0)
            first_hits = p.hits;
        if (i < cfg->warmup)
            continue;
        unsigned k = i - cfg->warmup;
        mine->repeat_s[k] = p.elapsed_s;
        mine->repeats = k + 1;
        for (int q = 0; q < MCPI_PHASE_COUNT; ++q)
            if (ph.mask & (1u << q))
                mcpi_phases_add(&sum, (mcpi_phase)q, ph.s[q]);
        int64_t rss = mcpi_mem_current_bytes();
        if (k == 0)
            rss_first = rss;
        rss_last = rss;
    }
    mine->hits = first_hits;
    for (int q = 0; q < MCPI_PHASE_COUNT; ++q)
        if (sum.mask & (1u << q))
            mcpi_phases_add(&mine->phases, (mcpi_phase)q, sum.s[q] / cfg->repeat);
    mine->host_growth_bytes = (rss_first >= 0 && rss_last >= 0) ? rss_last - rss_first : -1;
}

/* Communicate: the job's hits (this session's of every rank, plus what
 * earlier sessions counted), the slowest rank per repeat, every record to
 * rank 0, folded there.  A broken communicator cannot agree: abort. */
static void collect(const mcpi_config *cfg, const mcpi_row *r, mcpi_comm *comm, mcpi_record *mine,
                    mcpi_record *job, mcpi_record *rank_rows)
{
    double t0 = mcpi_now();
    uint64_t total = mine->status == MCPI_OK ? mine->hits : 0;
    double slowest[MCPI_MAX_REPEAT];
    memcpy(slowest, mine->repeat_s, sizeof slowest);
    int crc = comm->sum_u64(comm, &total, 1);
    total += mcpi_intervals_hits(&r->before);
    if (crc == MCPI_OK)
        crc = comm->max_doubles(comm, slowest, (int)cfg->repeat);
    if (comm->size > 1)
        mcpi_phases_add(&mine->phases, MCPI_PHASE_COMM, mcpi_now() - t0);
    mcpi_record *all = rank_rows;
    if (comm->rank == 0 && all == NULL) {
        all = malloc((size_t)comm->size * sizeof *all);
        if (all == NULL)
            mcpi_comm_fail(comm, MCPI_ENOMEM, "gathering the ranks' records");
    }
    if (crc == MCPI_OK)
        crc = comm->gather_bytes(comm, mine, sizeof *mine, all);
    if (crc != MCPI_OK)
        comm->abort(comm, mcpi_exit_code(MCPI_EMPI));
    if (comm->rank == 0) {
        mcpi_fold_job(job, all, comm->size, total, slowest, r->begin, r->end);
        if (all != rank_rows)
            free(all);
    }
}

/* This rank's record of its share (it may span several intervals). */
static void share_identity(const mcpi_row *r, mcpi_record *mine)
{
    const mcpi_intervals *s = &r->share;
    mine->begin = s->n ? s->v[0].begin : r->end;
    mine->end = s->n ? s->v[s->n - 1].end : r->end;
    mine->samples = mcpi_intervals_samples(s);
}

int mcpi_run_target(const mcpi_config *cfg, const mcpi_target *t, mcpi_comm *comm,
                    mcpi_record *mine, mcpi_record *job, mcpi_record *rank_rows)
{
    char err[MCPI_ERROR_LEN] = "";
    mcpi_config local = *cfg;
    local.ranks_per_node = (unsigned)comm->local_size;
    fill_identity(mine, cfg, t, comm);
    mcpi_mem_reset_peak(); /* the peak below belongs to this row */
    mcpi_row r;
    int rc = mcpi_row_open(&r, t, &local, mine, err, sizeof err);
    r.begin = mine->begin;
    r.end = mine->end;
    if (rc != MCPI_OK)
        fail(mine, rc, err);
    if (mcpi_agree(comm, mine->status) == MCPI_OK &&
        (rc = mcpi_row_checkpoint(&r, &local, comm, err, sizeof err)) == MCPI_OK &&
        (rc = mcpi_row_share(&r, &local, comm, err, sizeof err)) == MCPI_OK) {
        share_identity(&r, mine);
        run_repeats(&r, &local, comm, mine);
    } else {
        fail(mine, rc != MCPI_OK ? rc : MCPI_EBACKEND, err[0] ? err : MCPI_COLLATERAL_ERROR);
        share_identity(&r, mine);
    }
    if (r.checkpointing && mine->repeats > 0)
        mine->repeat_s[0] += r.before_s; /* the reported time includes earlier sessions */
    /* The stop handlers stay installed until the process ends: a signal
     * that arrives after the last chunk (while ranks gather, report,
     * finalise) finds the run complete and its checkpoint final, and must
     * not kill a rank with the default action half-way through
     * MPI_Finalize. */
    mine->host_peak_bytes = mcpi_mem_peak_bytes();
    collect(&local, &r, comm, mine, job, rank_rows);
    mcpi_row_close(&r);
    return mcpi_agree(comm, mine->status);
}

/* Rows that count the same exact samples must agree (rank 0; the others
 * have no rows).  MCPI_EBACKEND with the two rows in err when they do not. */
static int rows_agree(const mcpi_record *rows, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j) {
            const mcpi_record *a = &rows[i], *b = &rows[j];
            if (a->status != MCPI_OK || b->status != MCPI_OK || !a->exact || !b->exact ||
                a->seed != b->seed || a->begin != b->begin || a->end != b->end ||
                a->hits == b->hits)
                continue;
            snprintf(err, errlen,
                     "mcpi: rows disagree: %s counted %" PRIu64 " hits and %s %" PRIu64
                     " over the same samples [%" PRIu64 ", %" PRIu64 ") of seed %" PRIu64
                     ": one of them computes wrong results",
                     a->name, a->hits, b->name, b->hits, a->begin, a->end, a->seed);
            return MCPI_EBACKEND;
        }
    return MCPI_OK;
}

/* The job row of a target a stop request kept from starting. */
static void not_started(mcpi_record *job, const mcpi_target *t)
{
    mcpi_record_init(job);
    snprintf(job->name, sizeof job->name, "%s", t->name);
    snprintf(job->backend, sizeof job->backend, "%s",
             t->nworkers > 0 ? t->workers[0].backend->name : "");
    job->status = MCPI_EINTERRUPTED;
    snprintf(job->error, sizeof job->error, "not started: the run was interrupted");
}

int mcpi_run_rows(const mcpi_config *cfg, const mcpi_target *targets, size_t n, mcpi_comm *comm,
                  mcpi_record *rows, mcpi_record *rank_rows, char *err, size_t errlen)
{
    size_t size = (size_t)comm->size;
    mcpi_record *mine = malloc(sizeof *mine);
    if (mine == NULL)
        mcpi_comm_fail(comm, MCPI_ENOMEM, "a row's record");
    int worst = MCPI_OK;
    for (size_t i = 0; i < n; ++i) {
        mcpi_record *job = comm->rank == 0 ? &rows[i] : rows;
        mcpi_record *rr = comm->rank == 0 && rank_rows ? &rank_rows[i * size] : NULL;
        if (worst == MCPI_EINTERRUPTED) { /* a stop request ends the run, not only its row */
            if (comm->rank == 0)
                not_started(job, &targets[i]);
            continue;
        }
        int s = mcpi_run_target(cfg, &targets[i], comm, mine, job, rr);
        if (s < worst)
            worst = s;
    }
    free(mine);
    int agree = comm->rank == 0 ? rows_agree(rows, n, err, errlen) : MCPI_OK;
    agree = mcpi_agree(comm, agree);
    return worst != MCPI_OK ? worst : agree;
}

/* runner.c - one row, every rank: open, warm up, time, reduce, gather.
 *
 * Every rank calls the same collectives in the same order whatever happens
 * locally, so a failure on one rank is agreed on (mcpi_agree) instead of
 * leaving the others waiting: no path here can hang a job.
 *
 * Two ways to run a pass.  Plain: each rank counts its contiguous share of
 * the range in one backend call (the fast path, used unless a checkpoint or
 * a progress hook asks for more).  Chunked (chunker.h): the job's range is
 * walked in chunks, agreed on after each one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunker.h"
#include "fault.h"
#include "mcpi.h"

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
    snprintf(r->inexact_note, sizeof r->inexact_note, "%s",
             t->backend->inexact_note ? t->backend->inexact_note : "");
    snprintf(r->growth_note, sizeof r->growth_note, "%s",
             t->backend->growth_note ? t->backend->growth_note : "");
    r->auto_predicted_s = t->auto_predicted_s;
    snprintf(r->auto_note, sizeof r->auto_note, "%s", t->auto_note);
    r->seed = cfg->seed;
    uint64_t b0 = cfg->has_range ? cfg->range_begin : 0;
    uint64_t e0 = cfg->has_range ? cfg->range_end : cfg->samples;
    mcpi_split_range(b0, e0, (uint64_t)comm->size, (uint64_t)comm->rank, &r->begin, &r->end);
    r->samples = r->end - r->begin;
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

/* One pass of repeat i on this rank: chunked (collective: every rank runs
 * it, whatever its status) or one backend call.  The rank's status. */
static int one_pass(const mcpi_config *cfg, const mcpi_target *t, void *state, mcpi_comm *comm,
                    mcpi_record *mine, mcpi_chunker *ck, unsigned i, uint64_t *hits,
                    mcpi_phases *ph, char *err, size_t errlen)
{
    int rc = comm->barrier(comm);
    if (ck->on) {
        char pass[48];
        pass_label(pass, sizeof pass, cfg, i);
        int crc = mcpi_chunked_pass(ck, cfg, t, state, comm, mine, pass, hits, ph, err, errlen);
        if (rc == MCPI_OK && mine->status == MCPI_OK)
            rc = crc;
    } else if (rc == MCPI_OK && mine->status == MCPI_OK) {
        rc = t->backend->count(state, cfg->seed, mine->begin, mine->end, hits, ph, mine, err,
                               errlen);
    }
    if (rc == MCPI_OK && mcpi_fault_rank_fails(comm->rank)) {
        rc = MCPI_EBACKEND;
        snprintf(err, errlen, "mcpi: forced failure (MCPI_TEST_FAIL_RANK=%d)", comm->rank);
    }
    return rc;
}

/* Runs warm-up and timed repeats on this rank; the state is open. */
static void run_repeats(const mcpi_config *cfg, const mcpi_target *t, void *state,
                        mcpi_comm *comm, mcpi_record *mine, mcpi_chunker *ck)
{
    char err[MCPI_ERROR_LEN] = "";
    mcpi_phases sum;
    mcpi_phases_clear(&sum);
    int64_t rss_first = -1, rss_last = -1;
    uint64_t first_hits = 0;
    for (unsigned i = 0; i < cfg->warmup + cfg->repeat; ++i) {
        mcpi_phases ph;
        mcpi_phases_clear(&ph);
        uint64_t hits = 0;
        double t0 = mcpi_now();
        int rc = one_pass(cfg, t, state, comm, mine, ck, i, &hits, &ph, err, sizeof err);
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
        int agreed = mcpi_agree(comm, mine->status);
        if (agreed != MCPI_OK) {
            fail(mine, agreed, MCPI_COLLATERAL_ERROR);
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

/* Communicate: the job's hits (summed, unless the chunker already has
 * them), the slowest rank per repeat, every record to rank 0, folded
 * there.  A broken communicator cannot agree on anything: abort. */
static void collect(const mcpi_config *cfg, const mcpi_chunker *ck, mcpi_comm *comm,
                    mcpi_record *mine, mcpi_record *job, mcpi_record *rank_rows)
{
    double t0 = mcpi_now();
    uint64_t total = mine->status == MCPI_OK ? mine->hits : 0;
    double slowest[MCPI_MAX_REPEAT];
    memcpy(slowest, mine->repeat_s, sizeof slowest);
    int crc = comm->sum_u64(comm, &total);
    if (ck->on) /* every rank already has the job's hits, resumed prefix included */
        total = mine->status == MCPI_OK ? ck->start_hits + ck->job_hits : 0;
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
    if (crc != MCPI_OK)
        comm->abort(comm, mcpi_exit_code(MCPI_EMPI));
    if (comm->rank == 0) {
        mcpi_fold_job(job, all, comm->size, total, slowest, ck->begin, ck->end);
        if (all != rank_rows)
            free(all);
    }
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
    mcpi_chunker ck;
    int rc = mcpi_chunker_setup(&ck, cfg, comm, err, sizeof err); /* agreed on every rank */
    if (rc != MCPI_OK)
        fail(mine, rc, err[0] ? err : MCPI_COLLATERAL_ERROR);
    else if ((rc = t->backend->open(&t->dev, &local, &state, mine, err, sizeof err)) != MCPI_OK)
        fail(mine, rc, err);
    int agreed = mcpi_agree(comm, mine->status);
    if (agreed == MCPI_OK)
        run_repeats(&local, t, state, comm, mine, &ck);
    else
        fail(mine, agreed, MCPI_COLLATERAL_ERROR);
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
    /* The stop handlers stay installed until the process ends: a signal
     * that arrives after the last chunk (while ranks gather, report,
     * finalise) finds the run complete and its checkpoint final, and must
     * not kill a rank with the default action half-way through
     * MPI_Finalize. */
    mine->host_peak_bytes = mcpi_mem_peak_bytes();
    if (rc == MCPI_OK)
        t->backend->close(state);
    collect(cfg, &ck, comm, mine, job, rank_rows);
    return mcpi_agree(comm, mine->status);
}

int mcpi_run_rows(const mcpi_config *cfg, const mcpi_target *targets, size_t n, mcpi_comm *comm,
                  mcpi_record *rows, mcpi_record *rank_rows)
{
    size_t size = (size_t)comm->size;
    mcpi_record *mine = malloc(sizeof *mine);
    if (mine == NULL)
        comm->abort(comm, mcpi_exit_code(MCPI_ENOMEM));
    int worst = MCPI_OK;
    for (size_t i = 0; i < n; ++i) {
        mcpi_record *job = comm->rank == 0 ? &rows[i] : rows;
        mcpi_record *rr = comm->rank == 0 && rank_rows ? &rank_rows[i * size] : NULL;
        int s = mcpi_run_target(cfg, &targets[i], comm, mine, job, rr);
        if (s < worst)
            worst = s;
    }
    free(mine);
    return worst;
}

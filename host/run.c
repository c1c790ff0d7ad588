/* run.c - one target, every rank: open, warm up, time, reduce, gather.
 *
 * Every rank calls the same collectives in the same order whatever happens
 * locally, so a failure on one rank is agreed on (min_int) instead of
 * leaving the others waiting: no path here can hang a job. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Runs warm-up and timed repeats on this rank; the state is open. */
static void run_repeats(const mcpi_config *cfg, const mcpi_target *t, void *state,
                        mcpi_comm *comm, mcpi_record *mine)
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
        if (rc == MCPI_OK && mine->status == MCPI_OK)
            rc = t->backend->count(state, cfg->seed, mine->begin, mine->end, &hits, &ph, mine,
                                   err, sizeof err);
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
    int rc = t->backend->open(&t->dev, &local, &state, mine, err, sizeof err);
    if (rc != MCPI_OK)
        fail(mine, rc, err);
    int agreed = mine->status;
    if (comm->min_int(comm, &agreed) != MCPI_OK && agreed == MCPI_OK)
        agreed = MCPI_EMPI;
    if (agreed == MCPI_OK)
        run_repeats(&local, t, state, comm, mine);
    else if (mine->status == MCPI_OK)
        fail(mine, agreed, collateral);
    mine->host_peak_bytes = mcpi_mem_peak_bytes();
    if (rc == MCPI_OK)
        t->backend->close(state);

    /* Communicate: sum of hits, slowest rank per repeat, records to rank 0. */
    double t0 = mcpi_now();
    uint64_t total = mine->status == MCPI_OK ? mine->hits : 0;
    double slowest[MCPI_MAX_REPEAT];
    memcpy(slowest, mine->repeat_s, sizeof slowest);
    int crc = comm->sum_u64(comm, &total);
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

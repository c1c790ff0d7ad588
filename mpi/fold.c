/* fold.c - the job's row from every rank's record of it (see mcpi_mpi.h).
 *
 * Pure: reads the gathered records, writes the job row.  Hits are the
 * agreed total (summed as unsigned 64-bit integers by the caller), never a
 * sum of what the records say, so a rank's record cannot change the job's
 * answer. */
#include <stdio.h>
#include <string.h>

#include "mcpi_mpi.h"

/* "rank R: " takes at most this many bytes: the rest of a rank's message is
 * kept whole (it ends with what to type, e.g. "--resume PATH"). */
#define RANK_PREFIX_MAX 20

/* The row's error: the first rank that failed on its own wins over ranks
 * that only stopped because of it. */
static void fold_status(mcpi_record *job, const mcpi_record *x, int r, int size)
{
    if (x->status == MCPI_OK)
        return;
    int own = strcmp(x->error, MCPI_COLLATERAL_ERROR) != 0;
    int job_collateral = strstr(job->error, MCPI_COLLATERAL_ERROR) != NULL;
    if (own && (job->status == MCPI_OK || job_collateral)) {
        job->status = x->status;
        if (size > 1)
            snprintf(job->error, sizeof job->error, "rank %d: %.*s", r,
                     (int)(sizeof job->error - RANK_PREFIX_MAX), x->error);
        else
            snprintf(job->error, sizeof job->error, "%s", x->error);
    } else if (job->status == MCPI_OK) {
        job->status = x->status;
        snprintf(job->error, sizeof job->error, "rank %d: %s", r, MCPI_COLLATERAL_ERROR);
    }
}

/* Memory, phases and threads of rank r's record into the job row. */
static void fold_costs(mcpi_record *job, const mcpi_record *x, int r)
{
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
}

void mcpi_fold_workers(mcpi_record *job, const mcpi_record *all, int size)
{
    job->verified_chunks = job->verified_samples = 0;
    job->verify_s = 0;
    for (unsigned k = 0; k < job->nworkers; ++k) {
        mcpi_worker_record *w = &job->workers[k];
        w->samples = w->hits = w->chunks = w->verified_chunks = w->verified_samples = 0;
        w->busy_s = w->idle_s = 0;
    }
    for (int r = 0; r < size; ++r) {
        const mcpi_record *x = &all[r];
        job->verified_chunks += x->verified_chunks;
        job->verified_samples += x->verified_samples;
        job->verify_s = x->verify_s > job->verify_s ? x->verify_s : job->verify_s;
        for (unsigned k = 0; k < job->nworkers && k < x->nworkers; ++k) {
            mcpi_worker_record *w = &job->workers[k];
            const mcpi_worker_record *y = &x->workers[k];
            w->samples += y->samples;
            w->hits += y->hits;
            w->chunks += y->chunks;
            w->verified_chunks += y->verified_chunks;
            w->verified_samples += y->verified_samples;
            w->busy_s = y->busy_s > w->busy_s ? y->busy_s : w->busy_s;
            w->idle_s = y->idle_s > w->idle_s ? y->idle_s : w->idle_s;
        }
    }
}

void mcpi_fold_job(mcpi_record *job, const mcpi_record *all, int size, uint64_t total_hits,
                   const double *slowest, uint64_t begin, uint64_t end)
{
    *job = all[0];
    job->status = MCPI_OK;
    job->error[0] = '\0';
    job->ranks = size;
    job->begin = begin;
    job->end = end;
    job->samples = end - begin;
    job->hits = total_hits;
    job->threads = 0;
    for (unsigned k = 0; k < job->repeats; ++k)
        job->repeat_s[k] = slowest[k];
    int same_host = 1, same_device = 1;
    for (int r = 0; r < size; ++r) {
        const mcpi_record *x = &all[r];
        fold_costs(job, x, r);
        same_host &= strcmp(x->hostname, all[0].hostname) == 0;
        same_device &= strcmp(x->device, all[0].device) == 0;
        fold_status(job, x, r, size);
    }
    mcpi_fold_workers(job, all, size);
    if (!same_host)
        snprintf(job->hostname, sizeof job->hostname, "(%d ranks on several hosts)", size);
    if (!same_device)
        snprintf(job->device, sizeof job->device, "(per-rank devices differ; see --per-rank)");
    if (size > 1)
        job->rank = -1;
}

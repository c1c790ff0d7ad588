/* cmd_run.c - mcpi [run]: every selected row, one ratio table; a
 * --resume FILE run takes what it continues from the file. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define NAME_WORDS ((MCPI_NAME_LEN + 7) / 8)

/* Rank 0's description of the --resume file to every rank (a broadcast
 * through sums: the others add 0). */
static int share_run(mcpi_comm *comm, mcpi_checkpoint_run *run)
{
    uint64_t v[4 + NAME_WORDS] = {0};
    if (comm->rank == 0) {
        v[0] = run->seed, v[1] = run->begin, v[2] = run->end, v[3] = run->done;
        memcpy(&v[4], run->row, sizeof run->row);
    }
    int rc = comm->sum_u64(comm, v, (int)(sizeof v / sizeof v[0]));
    if (rc == MCPI_OK) {
        run->seed = v[0], run->begin = v[1], run->end = v[2], run->done = v[3];
        memcpy(run->row, &v[4], sizeof run->row);
        run->row[sizeof run->row - 1] = '\0';
    }
    return rc;
}

/* A value given again on the command line must be the checkpoint's. */
static int mismatch(const char *flag, const char *path, const char *theirs, const char *ours,
                    char *err, size_t errlen)
{
    mcpi_set_error(err, errlen,
                   "%s and --resume: '%s' continues %s, but %s says %s; omit %s (the "
                   "checkpoint holds it) or give the same",
                   flag, path, theirs, flag, ours, flag);
    return MCPI_EINVAL;
}

/* --resume FILE: seed, N and range come from the file, and, without -b,
 * the row that wrote it.  Collective (rank 0 reads). */
static int adopt_resume(mcpi_cli *c, mcpi_comm *comm, char *err, size_t errlen)
{
    mcpi_config *cfg = &c->cfg;
    mcpi_checkpoint_run run;
    memset(&run, 0, sizeof run);
    int rc = comm->rank == 0 ? mcpi_checkpoint_describe(cfg->resume, &run, err, errlen) : MCPI_OK;
    if ((rc = mcpi_agree(comm, rc)) != MCPI_OK)
        return rc;
    if ((rc = mcpi_agree(comm, share_run(comm, &run))) != MCPI_OK) {
        mcpi_set_error(err, errlen, "--resume: %s", comm->error);
        return rc;
    }
    char theirs[96], ours[96];
    uint64_t len = run.end - run.begin;
    if (mcpi_cli_given(c, "seed") && cfg->seed != run.seed) {
        snprintf(theirs, sizeof theirs, "seed %" PRIu64, run.seed);
        snprintf(ours, sizeof ours, "%" PRIu64, cfg->seed);
        return mismatch("-s/--seed", cfg->resume, theirs, ours, err, errlen);
    }
    if (cfg->has_range && (cfg->range_begin != run.begin || cfg->range_end != run.end)) {
        snprintf(theirs, sizeof theirs, "samples [%" PRIu64 ", %" PRIu64 ")", run.begin, run.end);
        snprintf(ours, sizeof ours, "%" PRIu64 ":%" PRIu64, cfg->range_begin, cfg->range_end);
        return mismatch("--range", cfg->resume, theirs, ours, err, errlen);
    }
    if (c->samples_set && cfg->samples != len) {
        snprintf(theirs, sizeof theirs, "N = %" PRIu64 " (samples [%" PRIu64 ", %" PRIu64 "))", len,
                 run.begin, run.end);
        snprintf(ours, sizeof ours, "%" PRIu64, cfg->samples);
        return mismatch("-n/--samples", cfg->resume, theirs, ours, err, errlen);
    }
    cfg->seed = run.seed;
    cfg->samples = len;
    cfg->has_range = run.begin != 0;
    cfg->range_begin = run.begin;
    cfg->range_end = run.end;
    if (!mcpi_cli_given(c, "backend")) {
        /* The row that wrote it, when it still names one (else auto). */
        const char *row = run.row[0] != '\0' && mcpi_selection_check(run.row, NULL, 0) == MCPI_OK
                              ? run.row
                              : "auto";
        snprintf(cfg->backends, sizeof cfg->backends, "%s", row);
        if (comm->rank == 0 && !cfg->quiet)
            fprintf(stderr,
                    "mcpi: --resume: seed %" PRIu64 ", samples [%" PRIu64 ", %" PRIu64 "), %" PRIu64
                    " counted; continuing with %s (-b chooses another row)\n",
                    run.seed, run.begin, run.end, run.done, row);
    }
    return MCPI_OK;
}

int mcpi_cmd_run(mcpi_cli *c, mcpi_comm *comm)
{
    mcpi_config *cfg = &c->cfg;
    char err[MCPI_ERROR_LEN] = "";
    int rc = cfg->resume != NULL ? adopt_resume(c, comm, err, sizeof err) : MCPI_OK;
    if (rc != MCPI_OK) {
        mcpi_cli_say(comm, err);
        return rc;
    }
    mcpi_calibration cal;
    int have_cal = 0;
    rc = mcpi_cli_calibration(cfg, comm, &cal, &have_cal);
    if (rc != MCPI_OK)
        return rc;
    mcpi_target targets[MCPI_MAX_TARGETS];
    size_t ntargets = 0;
    rc = mcpi_cli_select(cfg, comm, targets, &ntargets);
    if (rc != MCPI_OK)
        return rc;

    size_t size = (size_t)comm->size;
    mcpi_record *rows = calloc(ntargets, sizeof *rows);
    mcpi_record *rank_rows = comm->rank == 0 ? calloc(ntargets * size, sizeof *rank_rows) : NULL;
    int nomem = rows == NULL || (comm->rank == 0 && rank_rows == NULL);
    if (mcpi_agree(comm, nomem ? MCPI_ENOMEM : MCPI_OK) != MCPI_OK) {
        if (nomem)
            fprintf(stderr, "mcpi: out of memory for %zu rows\n", ntargets * size);
        free(rows);
        free(rank_rows);
        return MCPI_ENOMEM;
    }
    int worst = mcpi_cli_run_rows(cfg, targets, ntargets, comm, rows, rank_rows);
    /* Bad input (a row refused a setting) and an interrupted run write no
     * report: exit 2's and exit 5's rule (a checkpoint keeps the counts). */
    if (comm->rank == 0 && worst != MCPI_EINVAL && worst != MCPI_EINTERRUPTED) {
        mcpi_report rep;
        memset(&rep, 0, sizeof rep);
        mcpi_cli_run_info(cfg, comm, &rep.info);
        rep.info.calibration = have_cal ? &cal : NULL;
        rep.rows = rows;
        rep.nrows = ntargets;
        rep.rank_rows = rank_rows;
        rep.nrank_rows = ntargets * size;
        rep.show_rank_rows = cfg->per_rank;
        rep.format = cfg->format;
        int wrc = mcpi_cli_emit_report(cfg, &rep);
        if (wrc != MCPI_OK && worst == MCPI_OK)
            worst = wrc;
    }
    free(rows);
    free(rank_rows);
    /* Rank 0's write failure is the job's exit code too. */
    return mcpi_agree(comm, worst);
}

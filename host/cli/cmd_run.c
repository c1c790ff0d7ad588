/* cmd_run.c - mcpi [run]: every selected row, one ratio table. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int mcpi_cmd_run(mcpi_cli *c, mcpi_comm *comm)
{
    mcpi_config *cfg = &c->cfg;
    mcpi_calibration cal;
    int have_cal = 0;
    int rc = mcpi_cli_calibration(cfg, comm, &cal, &have_cal);
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

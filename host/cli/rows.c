/* rows.c - the rows of run and sweep: selected, run, described. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int mcpi_cli_select(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *targets, size_t *n)
{
    char err[MCPI_ERROR_LEN] = "";
    int rc = mcpi_select(cfg, comm, targets, n, err, sizeof err);
    /* A node that lacks a device says so from its first rank too; a rank
     * that ran out of memory alone says so itself. */
    if (rc != MCPI_OK && err[0] && (comm->rank == 0 || comm->local_rank == 0 || rc == MCPI_ENOMEM))
        fprintf(stderr, "%s\n", err);
    return rc;
}

int mcpi_cli_run_rows(const mcpi_config *cfg, const mcpi_target *targets, size_t n, mcpi_comm *comm,
                      mcpi_record *rows, mcpi_record *rank_rows)
{
    char err[MCPI_ERROR_LEN] = "";
    int worst = mcpi_run_rows(cfg, targets, n, comm, rows, rank_rows, err, sizeof err);
    /* Bad input (a row refused a setting) is one line: the first such row's. */
    for (size_t i = 0, said = 0; comm->rank == 0 && i < n; ++i)
        if (rows[i].status != MCPI_OK &&
            (worst != MCPI_EINVAL || (rows[i].status == MCPI_EINVAL && !said++)))
            fprintf(stderr, "mcpi: %s failed: %s\n", rows[i].name, rows[i].error);
    mcpi_cli_say(comm, err);
    return worst;
}

void mcpi_cli_run_info(const mcpi_config *cfg, const mcpi_comm *comm, mcpi_run_info *info)
{
    memset(info, 0, sizeof *info);
    info->version = MCPI_VERSION_STRING;
    info->samples = cfg->samples;
    info->seed = cfg->seed;
    info->repeat = cfg->repeat;
    info->warmup = cfg->warmup;
    info->ranks = comm->size;
    info->threads = cfg->threads;
    info->peak_resettable = mcpi_mem_reset_peak() == 0;
}

/* cli.h (private to host/) - the parsed command line shared by the command
 * implementations (cli.c: run, devices; cmd_sweep.c; cmd_calibrate.c;
 * cmd_merge.c). */
#ifndef MCPI_CLI_H
#define MCPI_CLI_H

#include <stdio.h>

#include "mcpi.h"

/* Commands, in the order of mcpi_cli_command_find's names. */
typedef enum { CMD_RUN, CMD_DEVICES, CMD_SWEEP, CMD_CALIBRATE, CMD_MERGE } command;

#define MCPI_CLI_MAX_FILES 4096

typedef struct mcpi_cli {
    mcpi_config cfg;
    command cmd;
    int help, version;
    int format_set;
    /* sweep */
    uint64_t sweep_from, sweep_to; /* default 1e3 .. 1e8 */
    unsigned steps_per_decade;     /* default 1 */
    char reference[MCPI_NAME_LEN]; /* --reference row for crossovers ("" = serial) */
    /* merge */
    const char *files[MCPI_CLI_MAX_FILES];
    int nfiles;
    uint64_t cover; /* --cover N: parts must cover [0, N) */
    int has_cover;
} mcpi_cli;

/* Index of a command name, or -1. */
int mcpi_cli_command_find(const char *name);

/* Writes something to --output (atomically) or stdout. */
typedef int (*mcpi_writer_fn)(FILE *out, const void *ctx);
/* Returns 0, or the exit code of the failure (after printing one line). */
int mcpi_cli_emit(const mcpi_config *cfg, mcpi_writer_fn writer, const void *ctx);

/* Shared by run and sweep (cli.c).  Resolves cfg->backends into targets
 * (cap MCPI_MAX_TARGETS), agreed on by every rank, and binds several devices
 * of one backend to local ranks under MPI.  Returns 0, or the exit code after
 * rank 0 printed why. */
int mcpi_cli_targets(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *targets,
                     size_t *ntargets);
/* Runs every target at cfg->samples on every rank: rows[n] (rank 0 only) get
 * the job rows, rank_rows[n * comm->size] (rank 0 only, may be NULL) the
 * per-rank rows.  Rank 0 prints one line per failed row.  Returns the worst
 * status, the same on every rank. */
int mcpi_cli_run_targets(const mcpi_config *cfg, const mcpi_target *targets, size_t ntargets,
                         mcpi_comm *comm, mcpi_record *rows, mcpi_record *rank_rows);
/* Fills the report's run description from cfg and comm. */
void mcpi_cli_run_info(const mcpi_config *cfg, const mcpi_comm *comm, mcpi_run_info *info);

/* The calibration a report uses (cmd_calibrate.c): cfg->calibration if given
 * (missing or corrupt: exit 2 with one line naming --calibration), else the
 * default file when it exists (absent: silently none).  *have is 1 when cal
 * is filled.  Collective: every rank returns the same code. */
int mcpi_cli_calibration(const mcpi_config *cfg, mcpi_comm *comm, mcpi_calibration *cal,
                         int *have);

/* Commands implemented in their own files; each returns the exit code. */
int mcpi_cmd_sweep(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_calibrate(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_merge(mcpi_cli *c, mcpi_comm *comm);

#endif /* MCPI_CLI_H */

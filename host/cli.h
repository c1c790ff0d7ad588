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

/* Commands implemented in their own files; each returns the exit code. */
int mcpi_cmd_sweep(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_calibrate(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_merge(mcpi_cli *c, mcpi_comm *comm);

#endif /* MCPI_CLI_H */

/* emit.c - how the commands speak: one line on rank 0, reports to --output
 * (atomically) or stdout. */
#include <stdio.h>

#include "cli.h"

void mcpi_cli_say(const mcpi_comm *comm, const char *err)
{
    if (comm->rank == 0 && err != NULL && err[0] != '\0')
        fprintf(stderr, "%s\n", err);
}

int mcpi_cli_emit(const mcpi_config *cfg, mcpi_writer_fn writer, const void *ctx)
{
    char err[MCPI_ERROR_LEN] = "";
    int rc;
    if (cfg->output != NULL) {
        rc = mcpi_write_atomic(cfg->output, "-o/--output", MCPI_FILE_SHARED, writer, ctx, err,
                               sizeof err);
        if (rc != MCPI_OK)
            fprintf(stderr, "%s\n", err);
    } else {
        rc = writer(stdout, ctx);
        if (rc == MCPI_OK && fflush(stdout) != 0)
            rc = MCPI_EIO;
        if (rc == MCPI_ENOMEM)
            fprintf(stderr, "mcpi: writing the report: %s\n", mcpi_strerror(rc));
        else if (rc != MCPI_OK)
            fprintf(stderr, "mcpi: writing to stdout failed\n");
    }
    return rc;
}

static int write_report(FILE *out, const void *ctx)
{
    const mcpi_report *rep = ctx;
    return mcpi_report_write(out, rep->format, rep);
}

int mcpi_cli_emit_report(const mcpi_config *cfg, const mcpi_report *rep)
{
    return mcpi_cli_emit(cfg, write_report, rep);
}

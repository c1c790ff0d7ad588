/* cmd_devices.c - mcpi devices: every backend and its devices, or why it
 * cannot run (rank 0 lists and prints; the listing is this node's). */
#include "cli.h"

typedef struct devices_ctx {
    mcpi_format format;
    const mcpi_device_listing *listing;
} devices_ctx;

static int write_devices(FILE *out, const void *ctx)
{
    const devices_ctx *d = ctx;
    return mcpi_devices_write(out, d->format, d->listing);
}

int mcpi_cmd_devices(mcpi_cli *c, mcpi_comm *comm)
{
    int rc = MCPI_OK;
    if (comm->rank == 0) {
        mcpi_device_listing l;
        rc = mcpi_devices_list(&l, !c->no_open);
        if (rc == MCPI_OK) {
            devices_ctx d = {c->cfg.format, &l};
            rc = mcpi_cli_emit(&c->cfg, write_devices, &d);
        } else {
            fprintf(stderr, "mcpi: devices: out of memory\n");
        }
        mcpi_device_listing_free(&l);
    }
    return mcpi_agree(comm, rc);
}

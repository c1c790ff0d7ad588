/* cmd_calibrate.c - mcpi calibrate (being written). */
#include "cli.h"

int mcpi_cmd_calibrate(mcpi_cli *c, mcpi_comm *comm)
{
    (void)c;
    if (comm->rank == 0)
        fprintf(stderr, "mcpi: calibrate: not implemented yet\n");
    return 1;
}

/* cmd_sweep.c - mcpi sweep (being written). */
#include "cli.h"

int mcpi_cmd_sweep(mcpi_cli *c, mcpi_comm *comm)
{
    (void)c;
    if (comm->rank == 0)
        fprintf(stderr, "mcpi: sweep: not implemented yet\n");
    return 1;
}

/* cmd_merge.c - mcpi merge (being written). */
#include "cli.h"

int mcpi_cmd_merge(mcpi_cli *c, mcpi_comm *comm)
{
    (void)c;
    if (comm->rank == 0)
        fprintf(stderr, "mcpi: merge: not implemented yet\n");
    return 1;
}

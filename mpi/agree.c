/* agree.c - one verdict for every rank (see mcpi_mpi.h). */
#include "mcpi_mpi.h"

#include <stdio.h>

int mcpi_agree(mcpi_comm *c, int value)
{
    int v = value;
    if (c->min_int(c, &v) == MCPI_OK)
        return v;
    c->abort(c, mcpi_exit_code(MCPI_EMPI));
    return MCPI_EMPI; /* only a test's communicator returns from abort */
}

void mcpi_comm_fail(mcpi_comm *c, int status, const char *what)
{
    if (c->size > 1)
        fprintf(stderr, "mcpi: rank %d: %s: %s\n", c->rank, what, mcpi_strerror(status));
    else
        fprintf(stderr, "mcpi: %s: %s\n", what, mcpi_strerror(status));
    fflush(stderr);
    c->abort(c, mcpi_exit_code(status));
}

size_t mcpi_local_device(const mcpi_comm *c, size_t count)
{
    return count > 0 ? (size_t)c->local_rank % count : 0;
}

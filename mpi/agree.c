/* agree.c - one verdict for every rank (see mcpi_mpi.h). */
#include "mcpi_mpi.h"

int mcpi_agree(mcpi_comm *c, int value)
{
    int v = value;
    if (c->min_int(c, &v) == MCPI_OK)
        return v;
    c->abort(c, mcpi_exit_code(MCPI_EMPI));
    return MCPI_EMPI; /* only a test's communicator returns from abort */
}

size_t mcpi_local_device(const mcpi_comm *c, size_t count)
{
    return count > 0 ? (size_t)c->local_rank % count : 0;
}

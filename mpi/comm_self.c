/* comm_self.c - the one-process communicator: every collective is the identity. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcpi_mpi.h"

static int self_barrier(mcpi_comm *c)
{
    (void)c;
    return MCPI_OK;
}

static int self_sum_u64(mcpi_comm *c, uint64_t *v, int n)
{
    (void)c;
    (void)v;
    (void)n;
    return MCPI_OK;
}

static int self_max_doubles(mcpi_comm *c, double *v, int n)
{
    (void)c;
    (void)v;
    (void)n;
    return MCPI_OK;
}

static int self_min_int(mcpi_comm *c, int *v)
{
    (void)c;
    (void)v;
    return MCPI_OK;
}

static int self_gather(mcpi_comm *c, const void *mine, size_t len, void *all)
{
    (void)c;
    if (all != mine)
        memmove(all, mine, len);
    return MCPI_OK;
}

/* A one-process job has no other rank to stop: it ends, as MPI_Abort would
 * end it (streams are flushed, which MPI_Abort does not promise). */
static void self_abort(mcpi_comm *c, int code)
{
    (void)c;
    exit(code);
}

/* The one rank is the whole job: its split is itself, or nothing. */
static int self_split(mcpi_comm *c, int color, mcpi_comm *sub)
{
    if (color == MCPI_COMM_NO_COLOR)
        memset(sub, 0, sizeof *sub);
    else
        *sub = *c;
    return MCPI_OK;
}

static void self_release(mcpi_comm *sub)
{
    (void)sub;
}

void mcpi_comm_self(mcpi_comm *c)
{
    memset(c, 0, sizeof *c);
    c->rank = 0;
    c->size = 1;
    c->local_rank = 0;
    c->local_size = 1;
    if (gethostname(c->hostname, sizeof c->hostname) != 0)
        strcpy(c->hostname, "localhost");
    c->hostname[sizeof c->hostname - 1] = '\0';
    c->barrier = self_barrier;
    c->sum_u64 = self_sum_u64;
    c->max_doubles = self_max_doubles;
    c->min_int = self_min_int;
    c->gather_bytes = self_gather;
    c->abort = self_abort;
    c->split = self_split;
    c->release = self_release;
    c->idle_barrier = self_barrier;
}

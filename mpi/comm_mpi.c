/* comm_mpi.c - mcpi_comm over MPI_COMM_WORLD: the only file of mcpi that
 * includes mpi.h.
 *
 * Records are gathered as bytes: every rank runs the same binary, so the
 * struct layout is the same everywhere (a heterogeneous cluster mixing
 * architectures would need a derived datatype; none is in sight). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "mcpi_mpi.h"

/* How often a waiting rank looks whether the others have arrived. */
#define IDLE_POLL_NS 1000000L

typedef struct mpi_impl {
    MPI_Comm
        world; /* a duplicate of MPI_COMM_WORLD (or a split of it): mcpi's traffic stays apart */
    MPI_Comm node; /* ranks sharing this node's memory */
} mpi_impl;

/* Checks an MPI return code; a failure leaves file, line, the call and
 * MPI's own message in c->error and returns MCPI_EMPI. */
#define MPI_CHECK(c, call)                                                                         \
    do {                                                                                           \
        int mpi_rc_ = (call);                                                                      \
        if (mpi_rc_ != MPI_SUCCESS)                                                                \
            return mpi_fail((c), mpi_rc_, #call, __FILE__, __LINE__);                              \
    } while (0)

static int mpi_fail(mcpi_comm *c, int rc, const char *what, const char *file, int line)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS)
        snprintf(msg, sizeof msg, "MPI error %d", rc);
    const char *base = strrchr(file, '/');
    mcpi_set_error(c->error, sizeof c->error, "%s:%d: %.60s failed: %.120s", base ? base + 1 : file,
                   line, what, msg);
    return MCPI_EMPI;
}

static mpi_impl *impl(mcpi_comm *c)
{
    return c->impl;
}

static int m_barrier(mcpi_comm *c)
{
    MPI_CHECK(c, MPI_Barrier(impl(c)->world));
    return MCPI_OK;
}

/* Polls a non-blocking barrier, sleeping between polls. */
static int m_idle_barrier(mcpi_comm *c)
{
    MPI_Request req;
    MPI_CHECK(c, MPI_Ibarrier(impl(c)->world, &req));
    for (;;) {
        int done = 0;
        MPI_CHECK(c, MPI_Test(&req, &done, MPI_STATUS_IGNORE));
        if (done)
            return MCPI_OK;
        struct timespec nap = {0, IDLE_POLL_NS};
        nanosleep(&nap, NULL);
    }
}

static int m_sum_u64(mcpi_comm *c, uint64_t *v, int n)
{
    if (n <= 0)
        return MCPI_OK;
    MPI_CHECK(c, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_UINT64_T, MPI_SUM, impl(c)->world));
    return MCPI_OK;
}

static int m_max_doubles(mcpi_comm *c, double *v, int n)
{
    if (n <= 0)
        return MCPI_OK;
    MPI_CHECK(c, MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_MAX, impl(c)->world));
    return MCPI_OK;
}

static int m_min_int(mcpi_comm *c, int *v)
{
    MPI_CHECK(c, MPI_Allreduce(MPI_IN_PLACE, v, 1, MPI_INT, MPI_MIN, impl(c)->world));
    return MCPI_OK;
}

/* MPI counts are ints: a gather of more than INT_MAX bytes per rank is
 * refused rather than truncated. */
static int m_gather(mcpi_comm *c, const void *mine, size_t len, void *all)
{
    if (len > INT_MAX) {
        mcpi_set_error(c->error, sizeof c->error, "gather of %zu bytes per rank is too large", len);
        return MCPI_EMPI;
    }
    MPI_CHECK(c, MPI_Gather(mine, (int)len, MPI_BYTE, all, (int)len, MPI_BYTE, 0, impl(c)->world));
    return MCPI_OK;
}

static void m_abort(mcpi_comm *c, int code)
{
    MPI_Abort(impl(c)->world, code);
}

/* Numbers c from m->world (already made) and splits its node-local part. */
static int setup(mcpi_comm *c, mpi_impl *m)
{
    /* Errors come back as codes, never as a silent abort from inside MPI. */
    MPI_CHECK(c, MPI_Comm_set_errhandler(m->world, MPI_ERRORS_RETURN));
    MPI_CHECK(c, MPI_Comm_rank(m->world, &c->rank));
    MPI_CHECK(c, MPI_Comm_size(m->world, &c->size));
    MPI_CHECK(
        c, MPI_Comm_split_type(m->world, MPI_COMM_TYPE_SHARED, c->rank, MPI_INFO_NULL, &m->node));
    MPI_CHECK(c, MPI_Comm_rank(m->node, &c->local_rank));
    MPI_CHECK(c, MPI_Comm_size(m->node, &c->local_size));
    char name[MPI_MAX_PROCESSOR_NAME];
    int len = 0;
    MPI_CHECK(c, MPI_Get_processor_name(name, &len));
    snprintf(c->hostname, sizeof c->hostname, "%.*s", (int)sizeof c->hostname - 1, name);
    return MCPI_OK;
}

static void free_impl(mpi_impl *m)
{
    if (m->node != MPI_COMM_NULL)
        MPI_Comm_free(&m->node);
    if (m->world != MPI_COMM_NULL)
        MPI_Comm_free(&m->world);
    free(m);
}

static mpi_impl *new_impl(void)
{
    mpi_impl *m = calloc(1, sizeof *m);
    if (m != NULL) {
        m->world = MPI_COMM_NULL;
        m->node = MPI_COMM_NULL;
    }
    return m;
}

static int m_split(mcpi_comm *c, int color, mcpi_comm *sub);
static void m_release(mcpi_comm *sub);

static void set_ops(mcpi_comm *comm)
{
    comm->barrier = m_barrier;
    comm->sum_u64 = m_sum_u64;
    comm->max_doubles = m_max_doubles;
    comm->min_int = m_min_int;
    comm->gather_bytes = m_gather;
    comm->abort = m_abort;
    comm->split = m_split;
    comm->release = m_release;
    comm->idle_barrier = m_idle_barrier;
}

static int m_split(mcpi_comm *c, int color, mcpi_comm *sub)
{
    memset(sub, 0, sizeof *sub);
    MPI_Comm part = MPI_COMM_NULL;
    MPI_CHECK(c, MPI_Comm_split(impl(c)->world, color < 0 ? MPI_UNDEFINED : color, c->rank, &part));
    if (part == MPI_COMM_NULL)
        return MCPI_OK;
    mpi_impl *m = new_impl();
    if (m == NULL) {
        MPI_Comm_free(&part);
        mcpi_set_error(c->error, sizeof c->error, "out of memory splitting the job");
        return MCPI_ENOMEM;
    }
    m->world = part;
    sub->impl = m;
    if (setup(sub, m) != MCPI_OK) {
        snprintf(c->error, sizeof c->error, "%s", sub->error);
        free_impl(m);
        memset(sub, 0, sizeof *sub);
        return MCPI_EMPI;
    }
    set_ops(sub);
    return MCPI_OK;
}

static void m_release(mcpi_comm *sub)
{
    if (sub->impl != NULL)
        free_impl(sub->impl);
    memset(sub, 0, sizeof *sub);
}

int mcpi_mpi_launched(void)
{
    const char *force = getenv("MCPI_MPI");
    if (force != NULL && force[0] != '\0')
        return strcmp(force, "1") == 0 ? 1 : strcmp(force, "0") == 0 ? 0 : -1;
    /* Open MPI, PMIx (srun --mpi=pmix, prrte), PMI-1/2 (MPICH hydra, srun
     * --mpi=pmi2), MVAPICH, Intel MPI. */
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE",
                                       "PMIX_RANK",
                                       "PMI_RANK",
                                       "PMI_SIZE",
                                       "PMI_FD",
                                       "MPI_LOCALNRANKS",
                                       "MV2_COMM_WORLD_SIZE",
                                       "I_MPI_HYDRA_HOST_FILE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; ++i)
        if (getenv(vars[i]) != NULL)
            return 1;
    return 0;
}

int mcpi_mpi_init(int *argc, char ***argv, mcpi_comm *comm, char *err, size_t errlen)
{
    memset(comm, 0, sizeof *comm);
    int provided = 0;
    int rc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    if (rc != MPI_SUCCESS) {
        mpi_fail(comm, rc, "MPI_Init_thread", __FILE__, __LINE__);
        snprintf(err, errlen, "%s", comm->error);
        return MCPI_EMPI;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    mpi_impl *m = new_impl();
    if (m == NULL) { /* the abort ends the process: the line is said here */
        mcpi_set_error(err, errlen, "setting up MPI: %s", mcpi_strerror(MCPI_ENOMEM));
        fprintf(stderr, "mcpi: %s\n", err);
        MPI_Abort(MPI_COMM_WORLD, mcpi_exit_code(MCPI_ENOMEM));
        return MCPI_ENOMEM;
    }
    comm->impl = m;
    if ((rc = MPI_Comm_dup(MPI_COMM_WORLD, &m->world)) != MPI_SUCCESS)
        mpi_fail(comm, rc, "MPI_Comm_dup", __FILE__, __LINE__);
    if (rc != MPI_SUCCESS || setup(comm, m) != MCPI_OK) {
        snprintf(err, errlen, "%s", comm->error);
        MPI_Abort(MPI_COMM_WORLD, mcpi_exit_code(MCPI_EMPI));
        return MCPI_EMPI;
    }
    set_ops(comm);
    return MCPI_OK;
}

void mcpi_mpi_finalize(mcpi_comm *comm)
{
    if (comm->impl != NULL) {
        free_impl(comm->impl);
        comm->impl = NULL;
    }
    MPI_Finalize();
}

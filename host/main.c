/* main.c - the mcpi executable: set up the job's communicator, run the CLI.
 * MPI is initialised only when a launcher started us (mcpi_mpi_launched);
 * a plain ./mcpi is a one-rank job without MPI's cost. */
#include "mcpi.h"
#ifdef MCPI_WITH_MPI
#include "mcpi_mpi.h"
#endif

int main(int argc, char **argv)
{
    mcpi_comm comm;
#ifdef MCPI_WITH_MPI
    if (mcpi_mpi_launched()) {
        if (mcpi_mpi_init(&argc, &argv, &comm) != MCPI_OK)
            return mcpi_exit_code(MCPI_EMPI);
        int code = mcpi_cli_main(argc, argv, &comm);
        mcpi_mpi_finalize(&comm, code);
        return code;
    }
#endif
    mcpi_comm_self(&comm);
    return mcpi_cli_main(argc, argv, &comm);
}

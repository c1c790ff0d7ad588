/* main.c - the mcpi executable: set up the job's communicator, run the CLI.
 * MPI is initialised only when a launcher started us (mcpi_mpi_launched);
 * a plain ./mcpi is a one-rank job without MPI's cost.
 *
 * The stop handlers come first: MPI start-up can take seconds (a name
 * lookup that times out, a cluster's wire-up), and a launcher forwards a
 * batch system's signal to every rank whenever it arrives.  A rank that
 * had no handler yet would die by the signal's default action instead of
 * stopping at a chunk boundary; the command line releases them for every
 * command that does not checkpoint (mcpi.h, "stop requests"). */
#include <stdio.h>

#include "cli.h"
#include "mcpi.h"

int main(int argc, char **argv)
{
    char err[MCPI_ERROR_LEN] = "";
    if (mcpi_stop_install(err, sizeof err) != MCPI_OK) {
        fprintf(stderr, "%s\n", err);
        return mcpi_exit_code(MCPI_EINVAL);
    }
    mcpi_comm comm;
#ifdef MCPI_WITH_MPI
    if (mcpi_mpi_launched()) {
        if (mcpi_mpi_init(&argc, &argv, &comm, err, sizeof err) != MCPI_OK) {
            fprintf(stderr, "%s\n", err);
            return mcpi_exit_code(MCPI_EMPI);
        }
        int code = mcpi_cli_main(argc, argv, &comm);
        mcpi_mpi_finalize(&comm);
        return code;
    }
#endif
    mcpi_comm_self(&comm);
    return mcpi_cli_main(argc, argv, &comm);
}

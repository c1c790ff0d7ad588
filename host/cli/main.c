/* main.c - the mcpi executable: set up the job's communicator, run the CLI.
 * MPI is initialised only when a launcher started us (mcpi_mpi_launched);
 * a plain ./mcpi is a one-rank job without MPI's cost.
 *
 * The stop handlers come first: MPI start-up can take seconds (a name
 * lookup that times out, a cluster's wire-up), and a launcher forwards a
 * batch system's signal to every rank whenever it arrives.  A rank that
 * had no handler yet would die by the signal's default action instead of
 * stopping at a chunk boundary; the command line releases them for every
 * command that does not count (mcpi.h, "stop requests"). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcpi.h"

int main(int argc, char **argv)
{
    char err[MCPI_ERROR_LEN] = "";
    if (mcpi_stop_install(err, sizeof err) != MCPI_OK) {
        fprintf(stderr, "%s\n", err);
        return mcpi_exit_code(MCPI_EINVAL);
    }
    /* A write past `ulimit -f` fails with EFBIG (exit 4, the temporary
     * removed) instead of SIGXFSZ killing mcpi in the middle of it. */
    struct sigaction ign;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGXFSZ, &ign, NULL);
    mcpi_comm comm;
#ifdef MCPI_WITH_MPI
    int launched = mcpi_mpi_launched();
    if (launched < 0) {
        fprintf(stderr,
                "mcpi: MCPI_MPI=%s: expected 1 (start MPI) or 0 (do not); unset, mcpi "
                "starts MPI when a launcher started it\n",
                getenv("MCPI_MPI"));
        return mcpi_exit_code(MCPI_EINVAL);
    }
    if (launched) {
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

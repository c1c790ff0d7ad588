/* mcpi_mpi.h - the MPI layer: a communicator over MPI_COMM_WORLD with a
 * node-local numbering (MPI_Comm_split_type, MPI_COMM_TYPE_SHARED).
 *
 * Only standard MPI-3 is used, so Open MPI, MPICH and vendor MPIs work.
 * Every MPI call is checked; a failure is reported with file and line and
 * the MPI error string, and turned into MCPI_EMPI. */
#ifndef MCPI_MPI_H
#define MCPI_MPI_H

#include "mcpi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when this process was started by an MPI launcher (mpirun, mpiexec,
 * srun --mpi=pmix, hydra: their environment variables say so), else 0.
 * MCPI_MPI=1 forces 1 and MCPI_MPI=0 forces 0.  A plain ./mcpi does not
 * initialise MPI at all: MPI_Init costs time and ~70 MB of resident memory
 * that would show up in every row's host peak. */
int mcpi_mpi_launched(void);

/* Initialises MPI (a plain ./mcpi runs as one rank) and fills comm.
 * Returns 0 or MCPI_EMPI (after printing why). */
int mcpi_mpi_init(int *argc, char ***argv, mcpi_comm *comm);

/* Releases the communicators and finalises MPI.  code is the exit code
 * this rank is about to return (kept for symmetry with abort paths). */
void mcpi_mpi_finalize(mcpi_comm *comm, int code);

#ifdef __cplusplus
}
#endif
#endif /* MCPI_MPI_H */

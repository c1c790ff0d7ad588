/* fault.h (private to the engine) - fault injection for the tests.  Built
 * only with -DMCPI_TEST_HOOKS=ON (scripts/test and scripts/sanitize); in any
 * other build every hook is a constant and the product has none.
 *
 *   MCPI_TEST_FAIL_RANK=k        rank k's passes fail (one rank's failure
 *                                must end the whole job, never hang it)
 *   MCPI_TEST_MISCOUNT=ID[:K]    worker ID (a row name like "threads" or
 *                                "opencl:0.0") counts one hit too many in
 *                                every chunk, or only in its K-th (0-based)
 *   MCPI_TEST_CHUNK_DELAY_MS=D   every chunk waits a random 0..D ms first
 *                                (the split differs from run to run)
 *   MCPI_TEST_CHUNK=K            every chunk is K samples (forced tiny chunks)
 *   MCPI_TEST_VERIFY_SEED=S      fixes the verification positions
 *   MCPI_TEST_RATES=r0,r1,...    --balance takes rank k's rate as rk
 *   MCPI_TEST_CL_FAIL=FN[:K]     the OpenCL call FN (clBuildProgram,
 *                                clCreateContext, clCreateKernel,
 *                                clCreateBuffer, clEnqueueNDRangeKernel,
 *                                clEnqueueReadBuffer) fails every time, or
 *                                only its K-th time (1-based, per process),
 *                                with the error a driver would return
 *   MCPI_TEST_FAIL_ALLOC=K[+]    the K-th allocation fails (fault_alloc.c) */
#ifndef MCPI_FAULT_H
#define MCPI_FAULT_H

#include <stdint.h>

#ifdef MCPI_TEST_HOOKS
int mcpi_fault_rank_fails(int rank);
uint64_t mcpi_fault_miscount(const char *worker, uint64_t chunk);
void mcpi_fault_chunk_delay(void);
uint64_t mcpi_fault_fixed_chunk(void);
int mcpi_fault_verify_seed(uint64_t *seed);
int mcpi_fault_rank_rate(int rank, double *rate);
int mcpi_fault_cl(const char *fn);
#else
static inline int mcpi_fault_rank_fails(int rank)
{
    (void)rank;
    return 0;
}
static inline uint64_t mcpi_fault_miscount(const char *worker, uint64_t chunk)
{
    (void)worker;
    (void)chunk;
    return 0;
}
static inline void mcpi_fault_chunk_delay(void)
{
}
static inline uint64_t mcpi_fault_fixed_chunk(void)
{
    return 0;
}
static inline int mcpi_fault_verify_seed(uint64_t *seed)
{
    (void)seed;
    return 0;
}
static inline int mcpi_fault_rank_rate(int rank, double *rate)
{
    (void)rank;
    (void)rate;
    return 0;
}
static inline int mcpi_fault_cl(const char *fn)
{
    (void)fn;
    return 0;
}
#endif

#endif /* MCPI_FAULT_H */

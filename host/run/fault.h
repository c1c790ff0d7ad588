/* fault.h (private to the engine) - fault injection for the tests.  Built
 * only with -DMCPI_TEST_HOOKS=ON (scripts/test and scripts/sanitize); in any
 * other build every hook is a constant 0 and the product has none. */
#ifndef MCPI_FAULT_H
#define MCPI_FAULT_H

#ifdef MCPI_TEST_HOOKS
/* MCPI_TEST_FAIL_RANK=k: rank k's counts fail, so the tests can check that
 * one rank's failure ends the whole job and never hangs. */
int mcpi_fault_rank_fails(int rank);
#else
static inline int mcpi_fault_rank_fails(int rank)
{
    (void)rank;
    return 0;
}
#endif

#endif /* MCPI_FAULT_H */

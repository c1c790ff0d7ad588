/* fault.c - fault injection for the tests (see fault.h); compiled only in
 * builds with MCPI_TEST_HOOKS. */
#include "fault.h"

#include <stdlib.h>

int mcpi_fault_rank_fails(int rank)
{
    const char *s = getenv("MCPI_TEST_FAIL_RANK");
    return s != NULL && s[0] != '\0' && atoi(s) == rank;
}

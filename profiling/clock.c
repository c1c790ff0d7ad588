/* clock.c - the monotonic clock and the phase table of a run. */
#include "mcpi_profile.h"

#include <time.h>

double mcpi_now(void)
{
    struct timespec ts;
    /* CLOCK_MONOTONIC never jumps with NTP or date changes, so differences
     * are durations; it cannot fail with a valid clock id and pointer. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *mcpi_phase_name(mcpi_phase p)
{
    switch (p) {
#define XX(id, name, once)                                                                         \
    case MCPI_PHASE_##id:                                                                          \
        return name;
        MCPI_PHASE_MAP(XX)
#undef XX
    default:
        return "unknown";
    }
}

int mcpi_phase_once(mcpi_phase p)
{
    switch (p) {
#define XX(id, name, once)                                                                         \
    case MCPI_PHASE_##id:                                                                          \
        return once;
        MCPI_PHASE_MAP(XX)
#undef XX
    default:
        return 0;
    }
}

void mcpi_phases_clear(mcpi_phases *ph)
{
    for (int p = 0; p < MCPI_PHASE_COUNT; p++)
        ph->s[p] = 0.0;
    ph->mask = 0;
}

void mcpi_phases_add(mcpi_phases *ph, mcpi_phase p, double seconds)
{
    if ((int)p < 0 || p >= MCPI_PHASE_COUNT)
        return;
    ph->s[p] += seconds;
    ph->mask |= 1u << p;
}

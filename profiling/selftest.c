/* selftest.c - the records of `mcpi selftest`: the names of its checks and
 * outcomes, and the statistical verdict on the estimator (the bounds and
 * why they were chosen are in mcpi_selftest_report.h). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include "mcpi_selftest_report.h"

/* Not every C11 <math.h> has M_PI (POSIX/XSI); as in record.c. */
#define PI_VALUE 3.14159265358979323846

const char *mcpi_selftest_check_name(int check)
{
    switch (check) {
#define XX(id, name, title)                                                                        \
    case MCPI_SELFTEST_##id:                                                                       \
        return name;
        MCPI_SELFTEST_CHECK_MAP(XX)
#undef XX
    default:
        return NULL;
    }
}

const char *mcpi_selftest_check_title(int check)
{
    switch (check) {
#define XX(id, name, title)                                                                        \
    case MCPI_SELFTEST_##id:                                                                       \
        return title;
        MCPI_SELFTEST_CHECK_MAP(XX)
#undef XX
    default:
        return NULL;
    }
}

const char *mcpi_selftest_outcome_name(int outcome)
{
    switch (outcome) {
    case MCPI_SELFTEST_PASS:
        return "pass";
    case MCPI_SELFTEST_FAIL:
        return "fail";
    case MCPI_SELFTEST_NA:
        return "n/a";
    case MCPI_SELFTEST_SKIPPED:
        return "skipped";
    case MCPI_SELFTEST_NOT_RUN:
        return "not run";
    default:
        return "unknown";
    }
}

int mcpi_selftest_first_failure(const mcpi_selftest_device *d)
{
    for (int k = 0; k < MCPI_SELFTEST_CHECKS; ++k)
        if (d->checks[k].outcome == MCPI_SELFTEST_FAIL)
            return k;
    return -1;
}

int mcpi_selftest_stats_judge(const uint64_t *hits, uint64_t first_seed, uint64_t n,
                              mcpi_selftest_stats *st, char *why, size_t whylen)
{
    const double p = PI_VALUE / 4.0;
    const unsigned k = MCPI_SELFTEST_SEEDS;
    const double mu = (double)n * p, sd = sqrt((double)n * p * (1.0 - p));
    st->seeds = k;
    st->first_seed = first_seed;
    st->samples = n;
    st->max_abs_z = 0.0;
    st->max_seed = first_seed;
    double sum = 0.0;
    for (unsigned i = 0; i < k; ++i) {
        double z = ((double)hits[i] - mu) / sd;
        sum += z;
        if (fabs(z) > st->max_abs_z) {
            st->max_abs_z = fabs(z);
            st->max_seed = first_seed + i;
        }
    }
    st->mean_z = sum / k;
    double ss = 0.0; /* two passes: the mean first, then the squares about it */
    for (unsigned i = 0; i < k; ++i) {
        double dz = ((double)hits[i] - mu) / sd - st->mean_z;
        ss += dz * dz;
    }
    st->variance_z = ss / (k - 1);
    st->mean_bound = MCPI_SELFTEST_MEAN_SIGMAS / sqrt((double)k);
    if (whylen > 0)
        why[0] = '\0';
    if (!(st->max_abs_z < MCPI_SELFTEST_Z_MAX)) {
        snprintf(why, whylen, "max |z| %.2f (seed %" PRIu64 ") is not below %g", st->max_abs_z,
                 st->max_seed, MCPI_SELFTEST_Z_MAX);
        return 0;
    }
    if (!(fabs(st->mean_z) < st->mean_bound)) {
        snprintf(why, whylen, "mean z %+.3f is outside +-%.3f (%g/sqrt(%u))", st->mean_z,
                 st->mean_bound, MCPI_SELFTEST_MEAN_SIGMAS, k);
        return 0;
    }
    if (!(st->variance_z > MCPI_SELFTEST_VAR_LO && st->variance_z < MCPI_SELFTEST_VAR_HI)) {
        snprintf(why, whylen, "variance of z %.3f is outside [%.3f, %.3f]", st->variance_z,
                 MCPI_SELFTEST_VAR_LO, MCPI_SELFTEST_VAR_HI);
        return 0;
    }
    return 1;
}

/* record.c - the run record: initial values, repeat statistics, estimate. */
#include "mcpi_profile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Not every C11 <math.h> has M_PI (it is POSIX/XSI); the value is exact to
 * double precision either way. */
#define MCPI_PI_VALUE 3.14159265358979323846

void mcpi_record_init(mcpi_record *r)
{
    memset(r, 0, sizeof *r);
    r->ranks = 1;
    r->exact = 1;
    r->host_peak_bytes = -1;
    r->host_growth_bytes = -1;
    r->device_bytes = -1;
    r->device_mem_bytes = -1;
    r->ocl.cache = -1;
    r->auto_predicted_s = -1.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* With no timed repeat every statistic is NaN: there is nothing to report,
 * and 0 would read as "infinitely fast". */
mcpi_stats mcpi_record_stats(const mcpi_record *r)
{
    mcpi_stats st;
    unsigned n = r->repeats < MCPI_MAX_REPEAT ? r->repeats : MCPI_MAX_REPEAT;
    if (n == 0) {
        st.median = st.min = st.max = st.mean = st.rsd = NAN;
        return st;
    }
    double sorted[MCPI_MAX_REPEAT];
    double sum = 0.0;
    for (unsigned i = 0; i < n; i++) {
        sorted[i] = r->repeat_s[i];
        sum += sorted[i];
    }
    qsort(sorted, n, sizeof sorted[0], cmp_double);
    st.min = sorted[0];
    st.max = sorted[n - 1];
    st.median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    st.mean = sum / n;

    /* Sample standard deviation (n - 1), relative to the mean. */
    double ss = 0.0;
    for (unsigned i = 0; i < n; i++)
        ss += (sorted[i] - st.mean) * (sorted[i] - st.mean);
    double sd = n > 1 ? sqrt(ss / (n - 1)) : 0.0;
    st.rsd = st.mean > 0.0 ? sd / st.mean : 0.0;
    return st;
}

void mcpi_record_pi(const mcpi_record *r, double *pi, double *se)
{
    double est = 0.0, err = 0.0;
    if (r->samples > 0) {
        double n = (double)r->samples;
        double p = (double)r->hits / n;
        est = 4.0 * p;
        err = 4.0 * sqrt(p * (1.0 - p) / n);
    }
    if (pi)
        *pi = est;
    if (se)
        *se = err;
}

double mcpi_record_err_se(const mcpi_record *r)
{
    double pi, se;
    mcpi_record_pi(r, &pi, &se);
    if (!(se > 0.0))
        return NAN;
    return (pi - MCPI_PI_VALUE) / se;
}

const char *mcpi_geometry_source_name(int source)
{
    switch (source) {
    case MCPI_GEOMETRY_GIVEN:
        return "given";
    case MCPI_GEOMETRY_PROBED:
        return "probed";
    case MCPI_GEOMETRY_CACHED:
        return "cached";
    default:
        return "rule";
    }
}

const char *mcpi_verify_name(mcpi_verify_mode m)
{
    switch (m) {
    case MCPI_VERIFY_OFF:
        return "off";
    case MCPI_VERIFY_FULL:
        return "full";
    default:
        return "sample";
    }
}

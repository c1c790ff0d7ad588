/* report_rows.c - row views: a record with its statistics, estimate,
 * throughput and ratio computed once, sorted fastest first for job rows. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"
#include "report_private.h"

/* ---- row views -------------------------------------------------------- */

/* Sort classes: measured rows, ok rows without a time, failed rows. */
static int row_class(const mcpi__row *row)
{
    if (!row->ok)
        return 2;
    return isnan(row->st.median) ? 1 : 0;
}

static int cmp_rows(const void *a, const void *b)
{
    const mcpi__row *x = a, *y = b;
    int cx = row_class(x), cy = row_class(y);
    if (cx != cy)
        return cx - cy;
    if (cx == 0 && x->st.median != y->st.median)
        return x->st.median < y->st.median ? -1 : 1;
    /* Records come from one array, so address order is input order: stable. */
    return (x->r > y->r) - (x->r < y->r);
}

mcpi__row *mcpi__rows_new(const mcpi_record *recs, size_t n, int job, int *nomem)
{
    *nomem = 0;
    if (n == 0 || !recs)
        return NULL;
    mcpi__row *rows = malloc(n * sizeof *rows);
    if (!rows) {
        *nomem = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        mcpi__row *row = &rows[i];
        row->r = &recs[i];
        row->st = mcpi_record_stats(row->r);
        row->ok = row->r->status == 0;
        row->pi = row->se = row->err_se = row->samples_per_s = row->ratio = row->stones = NAN;
        if (row->ok) {
            mcpi_record_pi(row->r, &row->pi, &row->se);
            row->err_se = mcpi_record_err_se(row->r);
            if (row->st.median > 0.0)
                row->samples_per_s = (double)row->r->samples / row->st.median;
        }
    }
    if (job) {
        qsort(rows, n, sizeof *rows, cmp_rows);
        double fastest = rows[0].st.median;
        if (row_class(&rows[0]) == 0 && fastest > 0.0) {
            for (size_t i = 0; i < n && row_class(&rows[i]) == 0; i++)
                rows[i].ratio = rows[i].st.median / fastest;
        }
    }
    return rows;
}

void mcpi__rows_free(mcpi__row *rows)
{
    free(rows);
}

double mcpi_stones(const mcpi_calibration *cal, double seconds)
{
    if (!cal || !(cal->samples_per_s > 0.0) || !isfinite(cal->samples_per_s) || !isfinite(seconds))
        return NAN;
    return seconds * cal->samples_per_s / (double)MCPI_STONE_SAMPLES;
}

void mcpi__rows_calibrate(mcpi__row *rows, size_t n, const mcpi_calibration *cal)
{
    for (size_t i = 0; i < n; i++)
        rows[i].stones = rows[i].ok ? mcpi_stones(cal, rows[i].st.median) : NAN;
}

int mcpi__row_noisy(const mcpi__row *row)
{
    if (!row->ok || row_class(row) != 0)
        return 0;
    return row->st.rsd > MCPI__NOISY_RSD || row->st.max > MCPI__NOISY_SPREAD * row->st.min;
}

const char *mcpi__ocl_cache_name(int cache)
{
    switch (cache) {
    case 0:
        return "miss";
    case 1:
        return "hit";
    case 2:
        return "off";
    default:
        return NULL;
    }
}

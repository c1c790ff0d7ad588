/* calibration.c - measuring this machine in stones, and reading a saved
 * calibration (the tutorial's "measuring in stones"; mcpi_profile.h).
 *
 * The reference workload is the scalar core (the `serial` backend's
 * mcpi_count_range) over samples [0, 2^24) of seed 0.  Its best time over a
 * few repeats is one stone on this machine; its speed, reference samples per
 * second, is what the calibration file keeps. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cpu.h"
#include "mcpi.h"
#include "scheduler.h"

#define CAL_FILE "calibration.json"
#define CAL_MIN_REPEATS 3
#define CAL_BUDGET_S 1.0   /* stop repeating (after CAL_MIN_REPEATS) once this is spent */
#define CAL_MAX_FILE 65536 /* a calibration file is a few hundred bytes */

/* Where and when: the host, the CPU model and the UTC date. */
static void describe_machine(mcpi_calibration *cal)
{
    if (gethostname(cal->hostname, sizeof cal->hostname) != 0)
        snprintf(cal->hostname, sizeof cal->hostname, "unknown");
    cal->hostname[sizeof cal->hostname - 1] = '\0';
    mcpi_cpu_model(cal->cpu_model, sizeof cal->cpu_model);
    time_t now = time(NULL);
    struct tm utc;
    if (gmtime_r(&now, &utc) == NULL ||
        strftime(cal->date, sizeof cal->date, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        snprintf(cal->date, sizeof cal->date, "unknown");
}

int mcpi_calibration_measure(mcpi_calibration_run *run, char *err, size_t errlen)
{
    /* Through the scheduler and the serial backend's table, in other
     * translation units, so the compiler cannot hoist or drop the pure
     * reference computation. */
    mcpi_record *scratch = malloc(sizeof *scratch); /* the backend's record (unused) */
    if (scratch == NULL) {
        mcpi_set_error(err, errlen, "calibrate: out of memory");
        return MCPI_ENOMEM;
    }
    mcpi_record_init(scratch);
    mcpi_worker ref;
    memset(&ref, 0, sizeof ref);
    ref.backend = &mcpi_backend_serial;
    ref.rec = scratch;
    double spent = 0.0;
    int rc = MCPI_OK;
    run->version = MCPI_VERSION_STRING;
    run->best_s = INFINITY;
    run->repeats = 0;
    for (int i = -1; rc == MCPI_OK && run->repeats < MCPI_CALIBRATION_MAX_REPEATS &&
                     (run->repeats < CAL_MIN_REPEATS || spent < CAL_BUDGET_S);
         ++i) {
        mcpi_phases ph;
        mcpi_phases_clear(&ph);
        uint64_t hits = 0;
        double t0 = mcpi_now();
        rc = mcpi_sched_count_once(&ref, MCPI_STONE_SEED, 0, MCPI_STONE_SAMPLES, &hits, &ph, err,
                                   errlen);
        double dt = mcpi_now() - t0;
        if (rc == MCPI_OK && hits != MCPI_STONE_HITS) {
            mcpi_set_error(err, errlen,
                           "calibrate: the reference core counted %llu hits, expected %llu: "
                           "this machine computes wrong results",
                           (unsigned long long)hits, (unsigned long long)MCPI_STONE_HITS);
            rc = MCPI_EBACKEND;
        }
        run->hits = hits;
        if (rc != MCPI_OK || i < 0)
            continue; /* the first run warms caches and clocks up, untimed */
        run->times_s[run->repeats++] = dt;
        spent += dt;
        if (dt < run->best_s)
            run->best_s = dt;
    }
    free(scratch);
    if (rc != MCPI_OK)
        return rc;
    if (!(run->best_s > 0.0)) {
        mcpi_set_error(err, errlen, "calibrate: the clock did not advance");
        return MCPI_EBACKEND;
    }
    run->cal.samples_per_s = (double)MCPI_STONE_SAMPLES / run->best_s;
    describe_machine(&run->cal);
    return MCPI_OK;
}

int mcpi_calibration_load(const char *path, const char *label, mcpi_calibration *cal, char *err,
                          size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    int rc = mcpi_read_file(path, label, CAL_MAX_FILE, &text, &len, err, errlen);
    if (rc != MCPI_OK) {
        size_t used = strlen(err);
        if (err != NULL && used + 1 < errlen)
            snprintf(err + used, errlen - used, "; expected a file written by mcpi calibrate");
        return rc;
    }
    rc = mcpi_calibration_parse(text, len, cal);
    free(text);
    if (rc == MCPI_ENOMEM)
        mcpi_set_error(err, errlen, "%s: '%s': out of memory", label, path);
    else if (rc != MCPI_OK)
        mcpi_set_error(err, errlen,
                       "%s: '%s' is not a calibration file (expected a JSON file written by "
                       "mcpi calibrate, with a positive reference_samples_per_s)",
                       label, path);
    return rc;
}

int mcpi_calibration_default_path(char *path, size_t len, char *err, size_t errlen)
{
    char dir[MCPI_PATH_LEN];
    int rc = mcpi_cache_dir(dir, sizeof dir, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    int n = snprintf(path, len, "%s/" CAL_FILE, dir);
    if (n < 0 || (size_t)n >= len) {
        mcpi_set_error(err, errlen, "cache directory path too long (more than %zu bytes)", len - 1);
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

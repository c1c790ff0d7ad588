/* cmd_calibrate.c - mcpi calibrate: this machine's speed in stones, saved
 * for machine-normalised times (the tutorial's "measuring in stones"), and
 * the calibration every report uses.
 *
 * The measurement (mcpi_calibration_measure) and the file's format
 * (mcpi_calibration_write, _parse) live below the command line; this file
 * picks the path, saves, re-probes the --backend auto model and reports
 * (the calibration a run's report uses is in calibration.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* ---- mcpi calibrate ------------------------------------------------------------- */

/* Picks the file to save to (--calibration, else the default one, whose
 * directory is created).  0, or a status with the reason in err. */
static int choose_path(const mcpi_config *cfg, mcpi_calibration_run *run, const char **flag,
                       char *err, size_t errlen)
{
    if (cfg->calibration != NULL) {
        *flag = "--calibration";
        struct stat st;
        if (stat(cfg->calibration, &st) == 0 && S_ISDIR(st.st_mode)) {
            mcpi_set_error(err, errlen, "--calibration: '%s' is a directory; expected a file path",
                           cfg->calibration);
            return MCPI_EINVAL;
        }
        if (strlen(cfg->calibration) >= sizeof run->path) {
            mcpi_set_error(err, errlen, "--calibration: path too long");
            return MCPI_EINVAL;
        }
        snprintf(run->path, sizeof run->path, "%s", cfg->calibration);
        return MCPI_OK;
    }
    *flag = "calibrate";
    char dir[MCPI_PATH_LEN];
    if (mcpi_cache_dir(dir, sizeof dir, NULL, 0) != MCPI_OK ||
        mcpi_calibration_default_path(run->path, sizeof run->path, NULL, 0) != MCPI_OK) {
        mcpi_set_error(err, errlen,
                       "calibrate: no cache directory: set MCPI_CACHE_DIR, XDG_CACHE_HOME or HOME, "
                       "or pass --calibration FILE");
        return MCPI_EIO;
    }
    if (mcpi_make_dirs(dir) != MCPI_OK) {
        mcpi_set_error(err, errlen, "calibrate: cannot create '%s': %s", dir, strerror(errno));
        return MCPI_EIO;
    }
    return MCPI_OK;
}

typedef struct calibrate_report {
    const mcpi_calibration_run *run;
    mcpi_format format;
} calibrate_report;

static int write_calibration(FILE *out, const void *ctx)
{
    const calibrate_report *r = ctx;
    return mcpi_calibration_write(out, r->format, r->run);
}

/* Re-probes the --backend auto model (best effort: a failure only leaves
 * the next --backend auto run to probe). */
static void refresh_auto_model(const mcpi_config *cfg, const mcpi_comm *comm)
{
    char err[MCPI_ERROR_LEN] = "";
    size_t probed = 0;
    if (cfg->no_cache)
        return;
    int rc = mcpi_auto_refresh(cfg, (unsigned)comm->local_size, &probed, err, sizeof err);
    if (cfg->quiet)
        return;
    if (rc == MCPI_OK)
        fprintf(stderr, "mcpi: --backend auto model re-probed (%zu backends) and cached\n", probed);
    else
        fprintf(stderr, "%s\n", err);
}

/* Rank 0: measure, save, re-probe.  0 or a status with the reason in err. */
static int calibrate(const mcpi_config *cfg, const mcpi_comm *comm, mcpi_calibration_run *run,
                     char *err, size_t errlen)
{
    const char *flag = "calibrate";
    int rc = choose_path(cfg, run, &flag, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    if (!cfg->quiet)
        fprintf(stderr, "mcpi: calibrating (about 1 s)...\n");
    rc = mcpi_calibration_measure(run, err, errlen);
    calibrate_report file = {run, MCPI_FORMAT_JSON};
    if (rc == MCPI_OK)
        rc = mcpi_write_atomic(run->path, flag, MCPI_FILE_SHARED, write_calibration, &file, err,
                               errlen);
    if (rc == MCPI_OK)
        refresh_auto_model(cfg, comm);
    return rc;
}

int mcpi_cmd_calibrate(mcpi_cli *c, mcpi_comm *comm)
{
    char err[MCPI_ERROR_LEN] = "";
    const mcpi_config *cfg = &c->cfg;
    mcpi_calibration_run *run = NULL;
    int rc = MCPI_OK;
    /* One measurement, on rank 0: the file describes the node rank 0 runs on. */
    if (comm->rank == 0) {
        run = calloc(1, sizeof *run);
        if (run == NULL) {
            mcpi_set_error(err, sizeof err, "calibrate: out of memory");
            rc = MCPI_ENOMEM;
        } else {
            rc = calibrate(cfg, comm, run, err, sizeof err);
        }
    }
    rc = mcpi_agree(comm, rc);
    if (rc != MCPI_OK)
        mcpi_cli_say(comm, err);
    else if (comm->rank == 0) {
        calibrate_report r = {run, cfg->format};
        rc = mcpi_cli_emit(cfg, write_calibration, &r);
    }
    free(run);
    return mcpi_agree(comm, rc);
}

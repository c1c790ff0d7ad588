/* calibration.c - the calibration a report uses: --calibration FILE, else
 * the one mcpi calibrate saved, when there is one. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Rank 0's part: the named file, or the default one when it exists. */
static int load(const mcpi_config *cfg, mcpi_calibration *cal, int *have, char *err, size_t errlen)
{
    if (cfg->calibration != NULL) {
        int rc = mcpi_calibration_load(cfg->calibration, "--calibration", cal, err, errlen);
        *have = rc == MCPI_OK;
        return rc == MCPI_OK ? MCPI_OK : MCPI_EINVAL; /* bad input: the file the user named */
    }
    char path[MCPI_PATH_LEN], why[MCPI_ERROR_LEN];
    if (mcpi_calibration_default_path(path, sizeof path, why, sizeof why) != MCPI_OK)
        return MCPI_OK; /* no cache directory: no default calibration */
    int rc = mcpi_calibration_load(path, "the saved calibration", cal, why, sizeof why);
    if (rc == MCPI_OK)
        *have = 1;
    else if (rc != MCPI_EUNAVAIL && !cfg->quiet) /* a default file that went bad: a note */
        fprintf(stderr, "%s (ignored; run mcpi calibrate again)\n", why);
    return MCPI_OK;
}

int mcpi_cli_calibration(const mcpi_config *cfg, mcpi_comm *comm, mcpi_calibration *cal, int *have)
{
    char err[MCPI_ERROR_LEN] = "";
    *have = 0;
    memset(cal, 0, sizeof *cal);
    /* Only rank 0 reports, so only rank 0 reads; the verdict is shared. */
    int rc = comm->rank == 0 ? load(cfg, cal, have, err, sizeof err) : MCPI_OK;
    rc = mcpi_agree(comm, rc);
    if (rc != MCPI_OK) {
        mcpi_cli_say(comm, err);
        *have = 0;
    }
    return rc;
}

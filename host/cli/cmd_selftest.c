/* cmd_selftest.c - mcpi selftest: the four checks of mcpi_selftest.h on
 * every selected device, one line each; exit 1 when a device fails.
 *
 * It checks this node's devices from one process: under mpirun with more
 * than one rank it refuses (bad input) rather than run the same devices
 * several times at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcpi_selftest.h"

typedef struct selftest_ctx {
    mcpi_format format;
    const mcpi_selftest_report *rep;
} selftest_ctx;

static int write_selftest(FILE *out, const void *ctx)
{
    const selftest_ctx *s = ctx;
    return mcpi_selftest_write(out, s->format, s->rep);
}

/* The devices, each checked in turn.  0, or a status with its line printed. */
static int run_devices(const mcpi_config *cfg, const mcpi_target *targets, size_t n,
                       mcpi_selftest_device *dev)
{
    for (size_t i = 0; i < n; ++i) {
        char err[MCPI_ERROR_LEN] = "";
        int rc = mcpi_selftest_device_run(cfg, &targets[i], &dev[i], err, sizeof err);
        if (rc != MCPI_OK) {
            fprintf(stderr, "%s\n", err[0] ? err : mcpi_strerror(rc));
            return rc;
        }
    }
    return MCPI_OK;
}

/* Where the report is not the table on stdout (JSON, CSV, a file), each
 * failed device is also one line on stderr, as a failed row of mcpi run is. */
static void say_failures(const mcpi_config *cfg, const mcpi_selftest_device *dev, size_t n)
{
    if (cfg->format == MCPI_FORMAT_TABLE && cfg->output == NULL)
        return;
    for (size_t i = 0; i < n; ++i)
        if (!dev[i].passed) {
            char line[1024];
            mcpi_selftest_device_summary(line, sizeof line, &dev[i]);
            fprintf(stderr, "mcpi: selftest: %s FAIL: %s\n", dev[i].name, line);
        }
}

int mcpi_cmd_selftest(mcpi_cli *c, mcpi_comm *comm)
{
    mcpi_config *cfg = &c->cfg;
    char err[MCPI_ERROR_LEN] = "";
    if (comm->size > 1) {
        mcpi_set_error(err, sizeof err,
                       "selftest: checks this node's devices from one process; run it without "
                       "mpirun (or with -n 1) on each node");
        mcpi_cli_say(comm, err);
        return MCPI_EINVAL;
    }
    double t0 = mcpi_now();
    mcpi_target *targets = calloc(MCPI_MAX_TARGETS, sizeof *targets);
    if (targets == NULL) {
        fprintf(stderr, "mcpi: selftest: out of memory\n");
        return MCPI_ENOMEM;
    }
    size_t n = 0;
    int rc = mcpi_selftest_select(cfg, targets, &n, err, sizeof err);
    if (rc != MCPI_OK) {
        fprintf(stderr, "%s\n", err);
        free(targets);
        return rc;
    }
    mcpi_selftest_device *dev = calloc(n, sizeof *dev);
    if (dev == NULL) {
        fprintf(stderr, "mcpi: selftest: out of memory for %zu devices\n", n);
        free(targets);
        return MCPI_ENOMEM;
    }
    rc = run_devices(cfg, targets, n, dev);
    if (rc == MCPI_OK) {
        mcpi_selftest_report rep;
        memset(&rep, 0, sizeof rep);
        rep.version = MCPI_VERSION_STRING;
        snprintf(rep.hostname, sizeof rep.hostname, "%s", comm->hostname);
        rep.seed = cfg->seed;
        rep.devices = dev;
        rep.ndevices = n;
        rep.time_s = mcpi_now() - t0;
        selftest_ctx ctx = {cfg->format, &rep};
        rc = mcpi_cli_emit(cfg, write_selftest, &ctx);
        say_failures(cfg, dev, n);
        for (size_t i = 0; rc == MCPI_OK && i < n; ++i)
            if (!dev[i].passed)
                rc = MCPI_EBACKEND; /* exit 1 */
    }
    free(dev);
    free(targets);
    return rc;
}

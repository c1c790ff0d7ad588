/* devices.c - `mcpi devices`: every backend of this build and its devices,
 * or why it cannot run (written by mcpi_devices_write, profiling/). */
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "mcpi.h"

/* Lists one backend into be; an unavailable backend keeps its reason.
 * 0 or MCPI_ENOMEM. */
static int list_backend(const mcpi_backend *b, mcpi_device_backend *be)
{
    mcpi_device_desc devs[MCPI_MAX_TARGETS];
    size_t n = 0;
    char why[MCPI_ERROR_LEN] = "";
    snprintf(be->name, sizeof be->name, "%s", b->name);
    snprintf(be->summary, sizeof be->summary, "%s", b->summary);
    be->exact = b->exact;
    int rc = b->list(devs, MCPI_MAX_TARGETS, &n, why, sizeof why);
    if (rc == MCPI_ENOMEM) /* memory ran out, not the backend: the listing would be wrong */
        return rc;
    if (rc != MCPI_OK) {
        snprintf(be->reason, sizeof be->reason, "%s",
                 strncmp(why, "mcpi: ", 6) == 0 ? why + 6 : why);
        return MCPI_OK;
    }
    be->available = 1;
    n = n < MCPI_MAX_TARGETS ? n : MCPI_MAX_TARGETS;
    if (n == 0)
        return MCPI_OK;
    be->devices = malloc(n * sizeof *be->devices);
    if (be->devices == NULL)
        return MCPI_ENOMEM;
    memcpy(be->devices, devs, n * sizeof *devs);
    be->ndevices = n;
    return MCPI_OK;
}

/* Opens each device of a backend that chooses a launch geometry, with the
 * defaults a run would have, to show that geometry (an OpenCL device builds
 * its kernel, or loads it from the program cache, and a CPU device may probe
 * its work-group size once).  0 or MCPI_ENOMEM. */
static int open_geometry(const mcpi_backend *b, mcpi_device_backend *be)
{
    if (!b->launch_geometry || be->ndevices == 0)
        return MCPI_OK;
    if ((be->geometry = calloc(be->ndevices, sizeof *be->geometry)) == NULL)
        return MCPI_ENOMEM;
    mcpi_record *rec = malloc(sizeof *rec);
    if (rec == NULL)
        return MCPI_ENOMEM;
    mcpi_config cfg;
    mcpi_config_default(&cfg);
    int rc = MCPI_OK;
    for (size_t i = 0; i < be->ndevices && rc == MCPI_OK; ++i) {
        mcpi_device_geometry *g = &be->geometry[i];
        void *state = NULL;
        mcpi_record_init(rec);
        rc = b->open(&be->devices[i], &cfg, &state, rec, g->error, sizeof g->error);
        if (rc == MCPI_OK) {
            g->known = 1;
            g->work_group = rec->ocl.local_size;
            g->kernel_max_work_group = rec->ocl.kernel_max_work_group;
            g->preferred_multiple = rec->ocl.preferred_multiple;
            g->groups = rec->ocl.groups;
            g->vector = rec->ocl.vector;
            g->source = rec->ocl.geometry_source;
            b->close(state);
        } else if (rc != MCPI_ENOMEM) {
            rc = MCPI_OK; /* the device's own failure: its line says why */
        }
    }
    free(rec);
    return rc;
}

int mcpi_devices_list(mcpi_device_listing *out, int open_devices)
{
    memset(out, 0, sizeof *out);
    out->version = MCPI_VERSION_STRING;
    out->cpus_online = mcpi_cpu_online();
    out->cpus_usable = mcpi_cpu_usable();
    size_t nb;
    const mcpi_backend *const *all = mcpi_backends(&nb);
    out->backends = calloc(nb, sizeof *out->backends);
    if (out->backends == NULL)
        return MCPI_ENOMEM;
    for (size_t b = 0; b < nb; ++b) {
        ++out->nbackends;
        if (list_backend(all[b], &out->backends[b]) != MCPI_OK ||
            (open_devices && open_geometry(all[b], &out->backends[b]) != MCPI_OK)) {
            mcpi_device_listing_free(out);
            return MCPI_ENOMEM;
        }
    }
    return MCPI_OK;
}

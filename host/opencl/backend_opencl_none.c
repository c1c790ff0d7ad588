/* backend_opencl_none.c - the OpenCL backend of a build without OpenCL: it
 * exists so that `mcpi devices` and `--backend opencl` can say why there is
 * no OpenCL row, and can never be opened. */
#include <stddef.h>

#include "mcpi.h"

static int none_list(mcpi_device_desc *out, size_t cap, size_t *count, char *err, size_t errlen)
{
    (void)out;
    (void)cap;
    *count = 0;
    mcpi_set_error(err, errlen,
                   "mcpi was built without OpenCL (install ocl-icd-opencl-dev opencl-headers and "
                   "rebuild)");
    return MCPI_EUNAVAIL;
}

static int none_open(const mcpi_device_desc *dev, const mcpi_config *cfg, void **state,
                     mcpi_record *rec, char *err, size_t errlen)
{
    (void)dev;
    (void)cfg;
    (void)rec;
    *state = NULL;
    return none_list(NULL, 0, &(size_t){0}, err, errlen);
}

static int none_count(void *state, uint64_t seed, uint64_t begin, uint64_t end, unsigned flags,
                      uint64_t *hits, mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen)
{
    (void)state;
    (void)flags;
    (void)seed;
    (void)begin;
    (void)end;
    (void)ph;
    (void)rec;
    *hits = 0;
    return none_list(NULL, 0, &(size_t){0}, err, errlen);
}

static void none_close(void *state)
{
    (void)state;
}

const mcpi_backend mcpi_backend_opencl = {
    .name = "opencl",
    .summary = "OpenCL devices (not in this build)",
    .exact = 1,
    .list = none_list,
    .open = none_open,
    .count = none_count,
    .close = none_close,
};

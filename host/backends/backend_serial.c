/* backend_serial.c - one core, the scalar core exactly as written in kernels/. */
#include <stdio.h>

#include "cpu.h"
#include "mcpi.h"
#include "mcpi_core.h"

static int serial_list(mcpi_device_desc *out, size_t cap, size_t *count, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    *count = 1;
    if (cap > 0)
        mcpi_cpu_device(out, "serial", "scalar", 1, 1);
    return MCPI_OK;
}

static int serial_open(const mcpi_device_desc *dev, const mcpi_config *cfg, void **state,
                       mcpi_record *rec, char *err, size_t errlen)
{
    (void)cfg;
    (void)err;
    (void)errlen;
    snprintf(rec->device, sizeof rec->device, "%.96s (1 core, scalar)", dev->description);
    rec->threads = 1;
    *state = NULL;
    return MCPI_OK;
}

static int serial_count(void *state, uint64_t seed, uint64_t begin, uint64_t end, unsigned flags,
                        uint64_t *hits, mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen)
{
    (void)state;
    (void)flags;
    (void)rec;
    (void)err;
    (void)errlen;
    double t0 = mcpi_now();
    *hits = mcpi_count_range(seed, begin, end);
    mcpi_phases_add(ph, MCPI_PHASE_KERNEL, mcpi_now() - t0);
    return MCPI_OK;
}

static void serial_close(void *state)
{
    (void)state;
}

const mcpi_backend mcpi_backend_serial = {
    .name = "serial",
    .summary = "one core, scalar Philox4x32-10 (the reference)",
    .exact = 1,
    .list = serial_list,
    .open = serial_open,
    .count = serial_count,
    .close = serial_close,
};

/* backend_simd.c - one core, vectorised: the widest instruction set the CPU
 * has (or the one --isa / MCPI_ISA asks for), chosen at run time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "mcpi.h"
#include "simd.h"

/* What open chose; count calls its counter. */
typedef struct simd_state {
    mcpi_simd_impl impl;
} simd_state;

/* "<cpu model> (<isa>, <lanes> lanes)", the model cut so the suffix fits. */
static void simd_describe(char *buf, size_t len, const mcpi_simd_impl *impl)
{
    char model[MCPI_DEVICE_LEN];
    mcpi_cpu_model(model, sizeof model);
    snprintf(buf, len, "%.96s (%s, %u lanes)", model, impl->name, impl->lanes);
}

static int simd_list(mcpi_device_desc *out, size_t cap, size_t *count, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    mcpi_simd_impl impl;
    mcpi_simd_listed(&impl);
    *count = 1;
    if (cap == 0)
        return MCPI_OK;
    mcpi_cpu_device(out, "simd", impl.name, impl.lanes, 1);
    simd_describe(out->description, sizeof out->description, &impl);
    return MCPI_OK;
}

static int simd_open(const mcpi_device_desc *dev, const mcpi_config *cfg, void **state,
                     mcpi_record *rec, char *err, size_t errlen)
{
    (void)dev;
    *state = NULL;
    simd_state *s = malloc(sizeof *s);
    if (s == NULL) {
        mcpi_set_error(err, errlen, "simd: out of memory");
        return MCPI_ENOMEM;
    }
    int rc = mcpi_simd_select(cfg != NULL ? cfg->isa : NULL, &s->impl, err, errlen);
    if (rc != MCPI_OK) {
        free(s);
        return rc;
    }
    simd_describe(rec->device, sizeof rec->device, &s->impl);
    rec->threads = 1;
    rec->device_bytes = -1;
    rec->device_mem_bytes = -1;
    *state = s;
    return MCPI_OK;
}

static int simd_count(void *state, uint64_t seed, uint64_t begin, uint64_t end, unsigned flags,
                      uint64_t *hits, mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen)
{
    (void)rec;
    (void)flags; /* one path for every range of at least 64 samples */
    const simd_state *s = state;
    if (s == NULL) {
        mcpi_set_error(err, errlen, "simd: count called without a successful open");
        return MCPI_EINVAL;
    }
    double t0 = mcpi_now();
    *hits = s->impl.count(seed, begin, end);
    mcpi_phases_add(ph, MCPI_PHASE_KERNEL, mcpi_now() - t0);
    return MCPI_OK;
}

static void simd_close(void *state)
{
    free(state);
}

const mcpi_backend mcpi_backend_simd = {
    .name = "simd",
    .summary = "one core, vectorised Philox4x32-10 (AVX-512, AVX2, SSE2 or portable)",
    .exact = 1,
    .list = simd_list,
    .open = simd_open,
    .count = simd_count,
    .close = simd_close,
};

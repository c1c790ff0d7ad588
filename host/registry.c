/* registry.c - every backend this build knows, in display order. */
#include <string.h>

#include "mcpi.h"

static const mcpi_backend *const registry[] = {
    &mcpi_backend_serial, &mcpi_backend_simd, &mcpi_backend_threads,
    &mcpi_backend_opencl, &mcpi_backend_naive,
};

const mcpi_backend *const *mcpi_backends(size_t *count)
{
    *count = sizeof registry / sizeof registry[0];
    return registry;
}

const mcpi_backend *mcpi_backend_find(const char *name)
{
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; ++i)
        if (strcmp(registry[i]->name, name) == 0)
            return registry[i];
    return NULL;
}

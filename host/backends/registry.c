/* registry.c - every backend this build knows, in display and run order.
 * OpenCL comes last: once an OpenCL runtime is initialised it stays resident
 * (PoCL maps LLVM, ~150 MiB), and a CPU row run after it would report that
 * runtime in its host peak. */
#include <string.h>

#include "mcpi.h"

static const mcpi_backend *const registry[] = {
    &mcpi_backend_serial, &mcpi_backend_simd,   &mcpi_backend_threads,
    &mcpi_backend_naive,  &mcpi_backend_opencl,
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

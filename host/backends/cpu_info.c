/* cpu_info.c - CPU model and core counts for the CPU backends. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cpu.h"

void mcpi_cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "cpu");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "model name", 10) != 0)
            continue;
        const char *colon = strchr(line, ':');
        if (colon == NULL)
            break;
        colon += 1 + (colon[1] == ' ');
        snprintf(buf, len, "%s", colon);
        buf[strcspn(buf, "\n")] = '\0';
        break;
    }
    fclose(f);
}

unsigned mcpi_cpu_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1u;
}

unsigned mcpi_cpu_usable(void)
{
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return (unsigned)n;
    }
#endif
    return mcpi_cpu_online();
}

void mcpi_cpu_device(mcpi_device_desc *out, const char *id, const char *isa, unsigned lanes,
                     unsigned units)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", id);
    mcpi_cpu_model(out->description, sizeof out->description);
    out->type = MCPI_DEV_CPU;
    snprintf(out->c_version, sizeof out->c_version, "%s", isa);
    out->simd_lanes = lanes;
    out->compute_units = units;
}

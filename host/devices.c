/* devices.c - `mcpi devices`: every backend, its devices, or why it cannot run. */
#include <stdio.h>
#include <string.h>

#include "cpu.h"
#include "mcpi.h"

static const char *type_name(mcpi_device_type t)
{
    switch (t) {
    case MCPI_DEV_CPU:
        return "cpu";
    case MCPI_DEV_GPU:
        return "gpu";
    case MCPI_DEV_ACCEL:
        return "accelerator";
    default:
        return "other";
    }
}

static void human_bytes(char *buf, size_t len, uint64_t b)
{
    if (b == 0)
        snprintf(buf, len, "-");
    else if (b >= (1ull << 30))
        snprintf(buf, len, "%.1f GiB", (double)b / (double)(1ull << 30));
    else if (b >= (1ull << 20))
        snprintf(buf, len, "%.1f MiB", (double)b / (double)(1ull << 20));
    else
        snprintf(buf, len, "%.0f KiB", (double)b / 1024.0);
}

static int write_text(FILE *out, int markdown)
{
    size_t nb;
    const mcpi_backend *const *all = mcpi_backends(&nb);
    int bad = 0;
    if (markdown)
        bad |= fprintf(out, "| backend | id | type | units | lanes/ISA | device | platform | "
                            "OpenCL C | max WG | global mem | local mem |\n"
                            "|---|---|---|---|---|---|---|---|---|---|---|\n") < 0;
    else
        bad |= fprintf(out, "%-8s %-12s %-5s %5s  %-16s %s\n", "BACKEND", "ID", "TYPE", "UNITS",
                       "ISA/LANES", "DEVICE") < 0;
    for (size_t b = 0; b < nb; ++b) {
        mcpi_device_desc devs[MCPI_MAX_TARGETS];
        size_t n = 0;
        char why[MCPI_ERROR_LEN] = "";
        if (all[b]->list(devs, MCPI_MAX_TARGETS, &n, why, sizeof why) != MCPI_OK) {
            const char *reason = strncmp(why, "mcpi: ", 6) == 0 ? why + 6 : why;
            if (markdown)
                bad |= fprintf(out, "| %s | - | - | - | - | unavailable: %s | | | | | |\n",
                               all[b]->name, reason) < 0;
            else
                bad |= fprintf(out, "%-8s %-12s unavailable: %s\n", all[b]->name, "-", reason) <
                       0;
            continue;
        }
        for (size_t i = 0; i < n && i < MCPI_MAX_TARGETS; ++i) {
            const mcpi_device_desc *d = &devs[i];
            char isa[MCPI_NAME_LEN + 16];
            if (d->simd_lanes)
                snprintf(isa, sizeof isa, "%s/%u", d->c_version, d->simd_lanes);
            else
                snprintf(isa, sizeof isa, "-");
            char gmem[32], lmem[32];
            human_bytes(gmem, sizeof gmem, d->global_mem_bytes);
            human_bytes(lmem, sizeof lmem, d->local_mem_bytes);
            if (markdown) {
                bad |= fprintf(out, "| %s | %s | %s | %u | %s | %s | %s %s | %s | %llu | %s | %s |\n",
                               all[b]->name, d->id, type_name(d->type), d->compute_units,
                               d->simd_lanes ? isa : "-", d->description, d->platform_name,
                               d->platform_version, d->simd_lanes ? "-" : d->c_version,
                               (unsigned long long)d->max_work_group, gmem, lmem) < 0;
            } else if (d->platform_name[0]) {
                bad |= fprintf(out, "%-8s %-12s %-5s %5u  %-16s %s\n", all[b]->name, d->id,
                               type_name(d->type), d->compute_units, "-", d->description) < 0;
                bad |= fprintf(out,
                               "%27s platform: %s, %s; driver %s; %s; max work-group %llu; "
                               "global %s; local %s\n",
                               "", d->platform_name, d->platform_version, d->driver_version,
                               d->c_version, (unsigned long long)d->max_work_group, gmem,
                               lmem) < 0;
            } else {
                bad |= fprintf(out, "%-8s %-12s %-5s %5u  %-16s %s\n", all[b]->name, d->id,
                               type_name(d->type), d->compute_units, isa, d->description) < 0;
            }
        }
    }
    if (!markdown)
        bad |= fprintf(out, "\nCPU: %u cores online, %u usable by this process\n",
                       mcpi_cpu_online(), mcpi_cpu_usable()) < 0;
    return bad ? MCPI_EIO : MCPI_OK;
}

static int write_json(FILE *out)
{
    size_t nb;
    const mcpi_backend *const *all = mcpi_backends(&nb);
    int bad = fprintf(out, "{\"version\": \"%s\", \"cpu\": {\"online\": %u, \"usable\": %u}, "
                           "\"backends\": [",
                      MCPI_VERSION_STRING, mcpi_cpu_online(), mcpi_cpu_usable()) < 0;
    for (size_t b = 0; b < nb; ++b) {
        mcpi_device_desc devs[MCPI_MAX_TARGETS];
        size_t n = 0;
        char why[MCPI_ERROR_LEN] = "";
        int rc = all[b]->list(devs, MCPI_MAX_TARGETS, &n, why, sizeof why);
        bad |= fprintf(out, "%s\n  {\"name\": \"%s\", \"exact\": %s, \"available\": %s, ",
                       b ? "," : "", all[b]->name, all[b]->exact ? "true" : "false",
                       rc == MCPI_OK ? "true" : "false") < 0;
        bad |= fputs("\"summary\": ", out) == EOF;
        bad |= mcpi_json_write_string(out, all[b]->summary) != 0;
        if (rc != MCPI_OK) {
            bad |= fputs(", \"reason\": ", out) == EOF;
            bad |= mcpi_json_write_string(out, strncmp(why, "mcpi: ", 6) == 0 ? why + 6 : why) != 0;
            n = 0;
        }
        bad |= fputs(", \"devices\": [", out) == EOF;
        for (size_t i = 0; i < n && i < MCPI_MAX_TARGETS; ++i) {
            const mcpi_device_desc *d = &devs[i];
            bad |= fprintf(out, "%s\n    {\"id\": ", i ? "," : "") < 0;
            bad |= mcpi_json_write_string(out, d->id) != 0;
            bad |= fputs(", \"description\": ", out) == EOF;
            bad |= mcpi_json_write_string(out, d->description) != 0;
            bad |= fprintf(out, ", \"type\": \"%s\", \"platform\": %d, \"index\": %d, ",
                           type_name(d->type), d->platform, d->index) < 0;
            bad |= fputs("\"platform_name\": ", out) == EOF;
            bad |= mcpi_json_write_string(out, d->platform_name) != 0;
            bad |= fputs(", \"platform_version\": ", out) == EOF;
            bad |= mcpi_json_write_string(out, d->platform_version) != 0;
            bad |= fputs(", \"driver_version\": ", out) == EOF;
            bad |= mcpi_json_write_string(out, d->driver_version) != 0;
            bad |= fputs(d->simd_lanes ? ", \"isa\": " : ", \"opencl_c_version\": ", out) == EOF;
            bad |= mcpi_json_write_string(out, d->c_version) != 0;
            bad |= fprintf(out,
                           ", \"compute_units\": %u, \"simd_lanes\": %u, \"max_work_group\": %llu, "
                           "\"global_mem_bytes\": %llu, \"local_mem_bytes\": %llu}",
                           d->compute_units, d->simd_lanes, (unsigned long long)d->max_work_group,
                           (unsigned long long)d->global_mem_bytes,
                           (unsigned long long)d->local_mem_bytes) < 0;
        }
        bad |= fputs("]}", out) == EOF;
    }
    bad |= fputs("\n]}\n", out) == EOF;
    return bad ? MCPI_EIO : MCPI_OK;
}

int mcpi_devices_write(FILE *out, mcpi_format fmt)
{
    switch (fmt) {
    case MCPI_FORMAT_JSON:
        return write_json(out);
    case MCPI_FORMAT_MARKDOWN:
        return write_text(out, 1);
    default:
        return write_text(out, 0);
    }
}

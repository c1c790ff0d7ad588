/* report_devices.c - `mcpi devices`: every backend, its devices, or why it
 * cannot run, as a table, JSON, CSV or Markdown (mcpi_device_listing). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcpi_profile.h"
#include "report_private.h"

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

/* "avx512/16" for CPU backends (lanes known), "-" for OpenCL devices. */
static void isa_cell(char *buf, size_t len, const mcpi_device_desc *d)
{
    if (d->simd_lanes)
        snprintf(buf, len, "%s/%u", d->c_version, d->simd_lanes);
    else
        snprintf(buf, len, "-");
}

/* "vector 16", "scalar" or "from --build-options". */
static void path_cell(char *buf, size_t len, unsigned vector)
{
    if (vector == 1)
        snprintf(buf, len, "scalar");
    else if (vector)
        snprintf(buf, len, "vector %u", vector);
    else
        snprintf(buf, len, "from --build-options");
}

/* "work-group 64 (probed; kernel allows 1..4096), vector 16, 8 groups a launch". */
static void geometry_text(char *buf, size_t len, const mcpi_device_geometry *g)
{
    char path[32];
    path_cell(path, sizeof path, g->vector);
    if (g->known)
        snprintf(buf, len,
                 "work-group %" PRIu64 " (%s; kernel allows 1..%" PRIu64 "), %s path, %" PRIu64
                 " groups a launch",
                 g->work_group, mcpi_geometry_source_name(g->source), g->kernel_max_work_group,
                 path, g->groups);
    else
        snprintf(buf, len, "unavailable: %s", g->error);
}

static void table_geometry(mcpi__out *o, const mcpi_device_geometry *g)
{
    char text[MCPI_ERROR_LEN + 128];
    if (g == NULL)
        return;
    geometry_text(text, sizeof text, g);
    mcpi__printf(o, "%27s geometry: %s\n", "", text);
}

static void table_device(mcpi__out *o, const char *backend, const mcpi_device_desc *d)
{
    char isa[MCPI_NAME_LEN + 16], gmem[32], lmem[32];
    isa_cell(isa, sizeof isa, d);
    mcpi__printf(o, "%-8s %-12s %-5s %5u  %-16s %s\n", backend, d->id, type_name(d->type),
                 d->compute_units, isa, d->description);
    if (!d->platform_name[0])
        return;
    human_bytes(gmem, sizeof gmem, d->global_mem_bytes);
    human_bytes(lmem, sizeof lmem, d->local_mem_bytes);
    mcpi__printf(o,
                 "%27s platform: %s, %s; driver %s; %s; max work-group %" PRIu64 "; "
                 "global %s; local %s\n",
                 "", d->platform_name, d->platform_version, d->driver_version, d->c_version,
                 d->max_work_group, gmem, lmem);
}

static void markdown_device(mcpi__out *o, const char *backend, const mcpi_device_desc *d,
                            const mcpi_device_geometry *g)
{
    char isa[MCPI_NAME_LEN + 16], gmem[32], lmem[32], geometry[MCPI_ERROR_LEN + 128] = "-";
    isa_cell(isa, sizeof isa, d);
    human_bytes(gmem, sizeof gmem, d->global_mem_bytes);
    human_bytes(lmem, sizeof lmem, d->local_mem_bytes);
    if (g)
        geometry_text(geometry, sizeof geometry, g);
    mcpi__printf(o, "| %s | %s | %s | %u | %s | %s | %s %s | %s | %" PRIu64 " | %s | %s | %s |\n",
                 backend, d->id, type_name(d->type), d->compute_units, isa, d->description,
                 d->platform_name, d->platform_version, d->simd_lanes ? "-" : d->c_version,
                 d->max_work_group, gmem, lmem, geometry);
}

static void write_text(mcpi__out *o, const mcpi_device_listing *l, int markdown)
{
    if (markdown)
        mcpi__put(o, "| backend | id | type | units | lanes/ISA | device | platform | "
                     "OpenCL C | max WG | global mem | local mem | geometry |\n"
                     "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    else
        mcpi__printf(o, "%-8s %-12s %-5s %5s  %-16s %s\n", "BACKEND", "ID", "TYPE", "UNITS",
                     "ISA/LANES", "DEVICE");
    for (size_t b = 0; b < l->nbackends; ++b) {
        const mcpi_device_backend *be = &l->backends[b];
        if (!be->available) {
            if (markdown)
                mcpi__printf(o, "| %s | - | - | - | - | unavailable: %s | | | | | | |\n", be->name,
                             be->reason);
            else
                mcpi__printf(o, "%-8s %-12s unavailable: %s\n", be->name, "-", be->reason);
            continue;
        }
        for (size_t i = 0; i < be->ndevices; ++i) {
            const mcpi_device_geometry *g = be->geometry ? &be->geometry[i] : NULL;
            if (markdown) {
                markdown_device(o, be->name, &be->devices[i], g);
            } else {
                table_device(o, be->name, &be->devices[i]);
                table_geometry(o, g);
            }
        }
    }
    if (!markdown)
        mcpi__printf(o, "\nCPU: %u cores online, %u usable by this process\n", l->cpus_online,
                     l->cpus_usable);
}

static void json_geometry(mcpi__out *o, const mcpi_device_geometry *g)
{
    if (!g->known) {
        mcpi__put(o, ", \"geometry_error\": ");
        mcpi__json_str(o, g->error);
        return;
    }
    mcpi__printf(o,
                 ", \"geometry\": {\"work_group\": %" PRIu64 ", \"kernel_max_work_group\": %" PRIu64
                 ", \"preferred_multiple\": %" PRIu64 ", \"vector\": %u, \"groups\": %" PRIu64
                 ", \"source\": \"%s\"}",
                 g->work_group, g->kernel_max_work_group, g->preferred_multiple, g->vector,
                 g->groups, mcpi_geometry_source_name(g->source));
}

static void json_device(mcpi__out *o, const mcpi_device_desc *d, const mcpi_device_geometry *g,
                        int first)
{
    mcpi__printf(o, "%s\n    {\"id\": ", first ? "" : ",");
    mcpi__json_str(o, d->id);
    mcpi__put(o, ", \"description\": ");
    mcpi__json_str(o, d->description);
    mcpi__printf(o, ", \"type\": \"%s\", \"platform\": %d, \"index\": %d, ", type_name(d->type),
                 d->platform, d->index);
    mcpi__put(o, "\"platform_name\": ");
    mcpi__json_str(o, d->platform_name);
    mcpi__put(o, ", \"platform_version\": ");
    mcpi__json_str(o, d->platform_version);
    mcpi__put(o, ", \"driver_version\": ");
    mcpi__json_str(o, d->driver_version);
    mcpi__put(o, d->simd_lanes ? ", \"isa\": " : ", \"opencl_c_version\": ");
    mcpi__json_str(o, d->c_version);
    mcpi__printf(o,
                 ", \"compute_units\": %u, \"simd_lanes\": %u, \"max_work_group\": %" PRIu64
                 ", \"global_mem_bytes\": %" PRIu64 ", \"local_mem_bytes\": %" PRIu64,
                 d->compute_units, d->simd_lanes, d->max_work_group, d->global_mem_bytes,
                 d->local_mem_bytes);
    if (g)
        json_geometry(o, g);
    mcpi__put(o, "}");
}

static void write_json(mcpi__out *o, const mcpi_device_listing *l)
{
    mcpi__printf(o,
                 "{\"version\": \"%s\", \"cpu\": {\"online\": %u, \"usable\": %u}, "
                 "\"backends\": [",
                 l->version, l->cpus_online, l->cpus_usable);
    for (size_t b = 0; b < l->nbackends; ++b) {
        const mcpi_device_backend *be = &l->backends[b];
        mcpi__printf(o, "%s\n  {\"name\": \"%s\", \"exact\": %s, \"available\": %s, ", b ? "," : "",
                     be->name, be->exact ? "true" : "false", be->available ? "true" : "false");
        mcpi__put(o, "\"summary\": ");
        mcpi__json_str(o, be->summary);
        if (!be->available) {
            mcpi__put(o, ", \"reason\": ");
            mcpi__json_str(o, be->reason);
        }
        mcpi__put(o, ", \"devices\": [");
        for (size_t i = 0; be->available && i < be->ndevices; ++i)
            json_device(o, &be->devices[i], be->geometry ? &be->geometry[i] : NULL, i == 0);
        mcpi__put(o, "]}");
    }
    mcpi__put(o, "\n]}\n");
}

/* One line per device and one per unavailable backend. */
static void write_csv(mcpi__out *o, const mcpi_device_listing *l)
{
    static const char *const cols[] = {"backend",
                                       "available",
                                       "reason",
                                       "id",
                                       "type",
                                       "platform",
                                       "index",
                                       "description",
                                       "compute_units",
                                       "isa",
                                       "simd_lanes",
                                       "platform_name",
                                       "platform_version",
                                       "driver_version",
                                       "opencl_c_version",
                                       "max_work_group",
                                       "global_mem_bytes",
                                       "local_mem_bytes",
                                       "work_group",
                                       "kernel_max_work_group",
                                       "vector",
                                       "geometry_source",
                                       "geometry_error"};
    mcpi__csv c = {o, 1};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; ++i)
        mcpi__csv_str(&c, cols[i]);
    mcpi__csv_end(&c);
    for (size_t b = 0; b < l->nbackends; ++b) {
        const mcpi_device_backend *be = &l->backends[b];
        size_t n = be->available ? be->ndevices : 0;
        for (size_t i = 0; i < n || (i == 0 && n == 0); ++i) {
            const mcpi_device_desc *d = n ? &be->devices[i] : NULL;
            mcpi__csv_str(&c, be->name);
            mcpi__csv_str(&c, be->available ? "true" : "false");
            mcpi__csv_str(&c, be->available ? "" : be->reason);
            if (d == NULL) {
                for (int k = 0; k < 20; ++k)
                    mcpi__csv_empty(&c);
                mcpi__csv_end(&c);
                break;
            }
            mcpi__csv_str(&c, d->id);
            mcpi__csv_str(&c, type_name(d->type));
            mcpi__csv_int(&c, d->platform);
            mcpi__csv_int(&c, d->index);
            mcpi__csv_str(&c, d->description);
            mcpi__csv_int(&c, d->compute_units);
            mcpi__csv_str(&c, d->simd_lanes ? d->c_version : "");
            mcpi__csv_int(&c, d->simd_lanes);
            mcpi__csv_str(&c, d->platform_name);
            mcpi__csv_str(&c, d->platform_version);
            mcpi__csv_str(&c, d->driver_version);
            mcpi__csv_str(&c, d->simd_lanes ? "" : d->c_version);
            mcpi__csv_u64(&c, d->max_work_group);
            mcpi__csv_u64(&c, d->global_mem_bytes);
            mcpi__csv_u64(&c, d->local_mem_bytes);
            const mcpi_device_geometry *g = be->geometry ? &be->geometry[i] : NULL;
            if (g && g->known) {
                mcpi__csv_u64(&c, g->work_group);
                mcpi__csv_u64(&c, g->kernel_max_work_group);
                mcpi__csv_int(&c, (int)g->vector);
                mcpi__csv_str(&c, mcpi_geometry_source_name(g->source));
                mcpi__csv_empty(&c);
            } else {
                for (int k = 0; k < 4; ++k)
                    mcpi__csv_empty(&c);
                if (g)
                    mcpi__csv_str(&c, g->error);
                else
                    mcpi__csv_empty(&c);
            }
            mcpi__csv_end(&c);
        }
    }
}

int mcpi_devices_write(FILE *out, mcpi_format fmt, const mcpi_device_listing *l)
{
    mcpi__out o = {out, 0};
    switch (fmt) {
    case MCPI_FORMAT_JSON:
        write_json(&o, l);
        break;
    case MCPI_FORMAT_CSV:
        write_csv(&o, l);
        break;
    case MCPI_FORMAT_MARKDOWN:
        write_text(&o, l, 1);
        break;
    default:
        write_text(&o, l, 0);
        break;
    }
    return o.failed ? MCPI_EIO : MCPI_OK;
}

void mcpi_device_listing_free(mcpi_device_listing *l)
{
    if (l == NULL)
        return;
    for (size_t b = 0; b < l->nbackends; ++b) {
        free(l->backends[b].devices);
        free(l->backends[b].geometry);
    }
    free(l->backends);
    l->backends = NULL;
    l->nbackends = 0;
}

/* backend_opencl.c - the OpenCL backend: every platform and device behind the
 * ICD loader, the embedded kernel, launches of bounded duration, event-timed
 * phases and the program-binary cache (opencl_cache.c).
 *
 * Host API: OpenCL 1.2 (CL_TARGET_OPENCL_VERSION=120), so every vendor's ICD
 * works.  Every CL call's cl_int is checked and kept, by name and number, in
 * the error message; every clCreate* / clEnqueue* event is released on every
 * path (open uses one cleanup label per resource, released in reverse order).
 *
 * Launch geometry.  local = --work-group, else a default from the device
 * (256 on GPUs, 64 elsewhere, within the kernel's CL_KERNEL_WORK_GROUP_SIZE,
 * the device's first work-item dimension and its local memory, rounded to the
 * kernel's preferred multiple).  At most max_groups = compute units x
 * MCPI_OCL_GROUPS_PER_CU work-groups per launch.  Each launch counts a slice
 * of at most max_groups x local x per_item samples (and at most
 * --launch-samples), where per_item is --per-item or sized so that one launch
 * takes about MCPI_OCL_TARGET_S from a throughput estimate that starts from
 * the device's clock and compute units and is re-measured from the kernel
 * events after every launch (kept across repeats).  A slice smaller than the
 * full geometry spreads over all groups first: per_item shrinks before the
 * number of groups does, so small N still uses every compute unit.
 *
 * The kernel (kernels/mcpi_kernel.cl) deals a launch's Philox blocks to the
 * work-items in equal strided rounds, so per_item only sizes the launch: each
 * item counts about per_item samples.  CPU devices build it with
 * -DMCPI_OCL_VEC (SIMD width, see below).
 *
 * Overflow: samples are 64-bit indices up to 2^64 - 1.  A launch counts
 * [cur, cur + n) with cur + n <= end, so no index wraps; per_item is at most
 * 2^21 (max_per_item, MCPI_OCL_MAX_TRIPS) and global size at most 2^23, so the
 * launch's n <= global * per_item stays below 2^44. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __APPLE__
#include <OpenCL/opencl.h>
#else
#include <CL/cl.h>
#endif

#include "cpu.h"
#include "fault.h"
#include "mcpi.h"
#include "mcpi_opencl.h"
#include "notify.h"

#define MCPI_OCL_KERNEL_NAME "mcpi_count"
/* Aim for launches of about 50 ms: well under the 100 ms bound and display
 * GPUs' watchdogs, long enough that launch overhead is a few percent. */
#define MCPI_OCL_TARGET_S 0.05
#define MCPI_OCL_GROUPS_PER_CU_GPU 16u
#define MCPI_OCL_GROUPS_PER_CU_CPU 4u
#define MCPI_OCL_LOCAL_GPU 256u
#define MCPI_OCL_LOCAL_CPU 64u
/* The most trips of the kernel's main loop in one launch.  Mesa's llvmpipe
 * (rusticl) ends shader loops after about 65535 iterations, silently: a
 * work-item of that many trips returns too few hits (measured on Mesa 22.3:
 * wrong from 65533 trips at work-group 4, from 65536 at work-group 1).  So a
 * launch never asks for more than half that, on any device: at most
 * 2 * W * 32768 samples a work-item (W blocks a trip: 1 on the scalar path,
 * 2 * lanes on a vector path), 65536 on the scalar path, far above what a
 * GPU's launch of about 50 ms gives an item. */
#define MCPI_OCL_MAX_TRIPS ((uint64_t)32768)
#define MCPI_OCL_MAX_GLOBAL ((uint64_t)1 << 23)
/* First-launch throughput guess in samples per clock cycle per compute unit:
 * deliberately low, so the first launch is short; later launches are sized
 * from measured kernel times. */
#define MCPI_OCL_GUESS_GPU 0.1
#define MCPI_OCL_GUESS_CPU 0.05
/* A launch's measured rate may raise the estimate at most this much. */
#define MCPI_OCL_MAX_GROWTH 8.0
/* A kernel event shorter than the host's wall time around its launch by
 * more than this factor is not believed (for sizing launches). */
#define MCPI_OCL_PLAUSIBLE 10.0
/* Work-items of a verification chunk: two of one group (item 0 and one with
 * an offset), each with the counted work's per-item count.  The reference
 * core recounts them; with 8 items, PoCL's per-item count of ~128K samples
 * made that recount 1.3 % of a threads+opencl:0.0 row at N = 1e9. */
#define MCPI_OCL_VERIFY_ITEMS 2u
#define MCPI_CL_PLATFORM_NOT_FOUND_KHR (-1001)
/* CPU devices get -DMCPI_OCL_VEC=<width>: the kernel computes Philox blocks in
 * OpenCL vectors of that many 64-bit lanes, two per step (kernels/
 * mcpi_kernel.cl).  The width is twice the device's native long vector width
 * (two registers per vector, four dependency chains in flight), one of 4, 8
 * or 16: 16 with AVX-512, 8 with AVX2. */

/* ---- error names ------------------------------------------------------- */

#define MCPI_CL_ERROR_MAP(XX)                                                                      \
    XX(CL_SUCCESS)                                                                                 \
    XX(CL_DEVICE_NOT_FOUND)                                                                        \
    XX(CL_DEVICE_NOT_AVAILABLE)                                                                    \
    XX(CL_COMPILER_NOT_AVAILABLE)                                                                  \
    XX(CL_MEM_OBJECT_ALLOCATION_FAILURE)                                                           \
    XX(CL_OUT_OF_RESOURCES)                                                                        \
    XX(CL_OUT_OF_HOST_MEMORY)                                                                      \
    XX(CL_PROFILING_INFO_NOT_AVAILABLE)                                                            \
    XX(CL_MEM_COPY_OVERLAP)                                                                        \
    XX(CL_IMAGE_FORMAT_MISMATCH)                                                                   \
    XX(CL_IMAGE_FORMAT_NOT_SUPPORTED)                                                              \
    XX(CL_BUILD_PROGRAM_FAILURE)                                                                   \
    XX(CL_MAP_FAILURE)                                                                             \
    XX(CL_MISALIGNED_SUB_BUFFER_OFFSET)                                                            \
    XX(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST)                                               \
    XX(CL_COMPILE_PROGRAM_FAILURE)                                                                 \
    XX(CL_LINKER_NOT_AVAILABLE)                                                                    \
    XX(CL_LINK_PROGRAM_FAILURE)                                                                    \
    XX(CL_DEVICE_PARTITION_FAILED)                                                                 \
    XX(CL_KERNEL_ARG_INFO_NOT_AVAILABLE)                                                           \
    XX(CL_INVALID_VALUE)                                                                           \
    XX(CL_INVALID_DEVICE_TYPE)                                                                     \
    XX(CL_INVALID_PLATFORM)                                                                        \
    XX(CL_INVALID_DEVICE)                                                                          \
    XX(CL_INVALID_CONTEXT)                                                                         \
    XX(CL_INVALID_QUEUE_PROPERTIES)                                                                \
    XX(CL_INVALID_COMMAND_QUEUE)                                                                   \
    XX(CL_INVALID_HOST_PTR)                                                                        \
    XX(CL_INVALID_MEM_OBJECT)                                                                      \
    XX(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR)                                                         \
    XX(CL_INVALID_IMAGE_SIZE)                                                                      \
    XX(CL_INVALID_SAMPLER)                                                                         \
    XX(CL_INVALID_BINARY)                                                                          \
    XX(CL_INVALID_BUILD_OPTIONS)                                                                   \
    XX(CL_INVALID_PROGRAM)                                                                         \
    XX(CL_INVALID_PROGRAM_EXECUTABLE)                                                              \
    XX(CL_INVALID_KERNEL_NAME)                                                                     \
    XX(CL_INVALID_KERNEL_DEFINITION)                                                               \
    XX(CL_INVALID_KERNEL)                                                                          \
    XX(CL_INVALID_ARG_INDEX)                                                                       \
    XX(CL_INVALID_ARG_VALUE)                                                                       \
    XX(CL_INVALID_ARG_SIZE)                                                                        \
    XX(CL_INVALID_KERNEL_ARGS)                                                                     \
    XX(CL_INVALID_WORK_DIMENSION)                                                                  \
    XX(CL_INVALID_WORK_GROUP_SIZE)                                                                 \
    XX(CL_INVALID_WORK_ITEM_SIZE)                                                                  \
    XX(CL_INVALID_GLOBAL_OFFSET)                                                                   \
    XX(CL_INVALID_EVENT_WAIT_LIST)                                                                 \
    XX(CL_INVALID_EVENT)                                                                           \
    XX(CL_INVALID_OPERATION)                                                                       \
    XX(CL_INVALID_GL_OBJECT)                                                                       \
    XX(CL_INVALID_BUFFER_SIZE)                                                                     \
    XX(CL_INVALID_MIP_LEVEL)                                                                       \
    XX(CL_INVALID_GLOBAL_WORK_SIZE)                                                                \
    XX(CL_INVALID_PROPERTY)                                                                        \
    XX(CL_INVALID_IMAGE_DESCRIPTOR)                                                                \
    XX(CL_INVALID_COMPILER_OPTIONS)                                                                \
    XX(CL_INVALID_LINKER_OPTIONS)                                                                  \
    XX(CL_INVALID_DEVICE_PARTITION_COUNT)

/* Name of an OpenCL status code, for messages. */
static const char *cl_err_name(cl_int rc)
{
    switch (rc) {
#define XX(code)                                                                                   \
    case code:                                                                                     \
        return #code;
        MCPI_CL_ERROR_MAP(XX)
#undef XX
    case MCPI_CL_PLATFORM_NOT_FOUND_KHR:
        return "CL_PLATFORM_NOT_FOUND_KHR";
    default:
        return "unknown OpenCL error";
    }
}

/* Sets err to "<who>: <call> failed: <NAME> (<code>)" and returns status. */
static int cl_fail(char *err, size_t errlen, const char *who, const char *call, cl_int rc,
                   int status)
{
    mcpi_set_error(err, errlen, "%s: %s failed: %s (%d)", who, call, cl_err_name(rc), (int)rc);
    return status;
}

/* ---- info queries ------------------------------------------------------ */

/* One info query of a device, or of the platform p when d is NULL. */
static cl_int info_query(cl_platform_id p, cl_device_id d, cl_uint what, size_t n, void *buf,
                         size_t *ret)
{
    return d != NULL ? clGetDeviceInfo(d, what, n, buf, ret)
                     : clGetPlatformInfo(p, what, n, buf, ret);
}

/* Platform or device string info, malloc'd and NUL-terminated; NULL on
 * failure with *rc set (CL_OUT_OF_HOST_MEMORY when malloc fails). */
static char *info_str(cl_platform_id p, cl_device_id d, cl_uint what, cl_int *rc)
{
    size_t n = 0;
    char *s;
    if ((*rc = info_query(p, d, what, 0, NULL, &n)) != CL_SUCCESS)
        return NULL;
    if ((s = calloc(n + 1, 1)) == NULL) {
        *rc = CL_OUT_OF_HOST_MEMORY;
        return NULL;
    }
    if ((*rc = info_query(p, d, what, n, s, NULL)) != CL_SUCCESS) {
        free(s);
        return NULL;
    }
    return s;
}

static char *platform_str(cl_platform_id p, cl_platform_info what, cl_int *rc)
{
    return info_str(p, NULL, what, rc);
}

static char *device_str(cl_device_id d, cl_device_info what, cl_int *rc)
{
    return info_str(NULL, d, what, rc);
}

/* Copies src (may be NULL) into dst, truncating; trims trailing blanks, which
 * some drivers pad names with. */
static void copy_trim(char *dst, size_t len, const char *src)
{
    snprintf(dst, len, "%s", src ? src : "");
    size_t n = strlen(dst);
    while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '\t' || dst[n - 1] == '\n'))
        dst[--n] = '\0';
}

/* Everything mcpi wants to know about one device, as plain C. */
typedef struct ocl_info {
    char platform_name[MCPI_NAME_LEN], platform_version[MCPI_NAME_LEN];
    char name[MCPI_DEVICE_LEN], device_version[MCPI_NAME_LEN];
    char driver_version[MCPI_NAME_LEN], c_version[MCPI_NAME_LEN];
    cl_device_type type;
    cl_uint compute_units, clock_mhz;
    size_t max_work_group, max_item0;
    cl_ulong global_mem, local_mem;
    int int64;           /* 1 when 64-bit integers are supported */
    cl_uint native_long; /* CL_DEVICE_NATIVE_VECTOR_WIDTH_LONG, 0 if unknown */
} ocl_info;

static int query_info(cl_platform_id p, cl_device_id d, ocl_info *info)
{
    struct {
        int platform;
        cl_uint what;
        char *dst;
        size_t len;
    } strs[] = {
        {1, CL_PLATFORM_NAME, info->platform_name, sizeof info->platform_name},
        {1, CL_PLATFORM_VERSION, info->platform_version, sizeof info->platform_version},
        {0, CL_DEVICE_NAME, info->name, sizeof info->name},
        {0, CL_DEVICE_VERSION, info->device_version, sizeof info->device_version},
        {0, CL_DRIVER_VERSION, info->driver_version, sizeof info->driver_version},
        {0, CL_DEVICE_OPENCL_C_VERSION, info->c_version, sizeof info->c_version},
    };
    cl_int rc = CL_SUCCESS;
    memset(info, 0, sizeof *info);
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; ++i) {
        char *s = strs[i].platform ? platform_str(p, strs[i].what, &rc)
                                   : device_str(d, strs[i].what, &rc);
        if (!s)
            return rc;
        copy_trim(strs[i].dst, strs[i].len, s);
        free(s);
    }
    size_t items[3] = {0, 0, 0};
    if ((rc = clGetDeviceInfo(d, CL_DEVICE_TYPE, sizeof info->type, &info->type, NULL)) ||
        (rc = clGetDeviceInfo(d, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof info->compute_units,
                              &info->compute_units, NULL)) ||
        (rc = clGetDeviceInfo(d, CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof info->clock_mhz,
                              &info->clock_mhz, NULL)) ||
        (rc = clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof info->max_work_group,
                              &info->max_work_group, NULL)) ||
        (rc = clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof items, items, NULL)) ||
        (rc = clGetDeviceInfo(d, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof info->global_mem,
                              &info->global_mem, NULL)) ||
        (rc = clGetDeviceInfo(d, CL_DEVICE_LOCAL_MEM_SIZE, sizeof info->local_mem, &info->local_mem,
                              NULL)))
        return rc;
    info->max_item0 = items[0];
    if (clGetDeviceInfo(d, CL_DEVICE_NATIVE_VECTOR_WIDTH_LONG, sizeof info->native_long,
                        &info->native_long, NULL) != CL_SUCCESS)
        info->native_long = 0;

    /* 64-bit integers are mandatory in the full profile; an embedded-profile
     * device has them only with cles_khr_int64. */
    char *profile = device_str(d, CL_DEVICE_PROFILE, &rc);
    if (!profile)
        return rc;
    info->int64 = strstr(profile, "EMBEDDED") == NULL;
    free(profile);
    if (!info->int64) {
        char *ext = device_str(d, CL_DEVICE_EXTENSIONS, &rc);
        if (!ext)
            return rc;
        info->int64 = strstr(ext, "cles_khr_int64") != NULL;
        free(ext);
    }
    return CL_SUCCESS;
}

/* The device's kind, one rule for everything that depends on it (its
 * geometry, its kernel path, opencl:gpu/cpu/accelerator and what `mcpi
 * devices` shows): a device that reports several types (Oclgrind reports
 * GPU | CPU | ACCELERATOR) is the first of GPU, accelerator, CPU among them. */
static mcpi_device_type ocl_kind(cl_device_type t)
{
    if (t & CL_DEVICE_TYPE_GPU)
        return MCPI_DEV_GPU;
    if (t & CL_DEVICE_TYPE_ACCELERATOR)
        return MCPI_DEV_ACCEL;
    if (t & CL_DEVICE_TYPE_CPU)
        return MCPI_DEV_CPU;
    return MCPI_DEV_OTHER;
}

static void fill_desc(mcpi_device_desc *out, cl_uint p, cl_uint d, const ocl_info *info)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "opencl:%u.%u", (unsigned)p, (unsigned)d);
    /* "<device> (<platform>)", truncated when long. */
    size_t len = sizeof out->description, used = 0;
    const char *pieces[] = {info->name, " (", info->platform_name, ")"};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; ++i) {
        size_t k = strlen(pieces[i]);
        if (k > len - 1 - used)
            k = len - 1 - used;
        memcpy(out->description + used, pieces[i], k);
        used += k;
    }
    out->description[used] = '\0';
    out->platform = (int)p;
    out->index = (int)d;
    out->type = ocl_kind(info->type);
    copy_trim(out->platform_name, sizeof out->platform_name, info->platform_name);
    copy_trim(out->platform_version, sizeof out->platform_version, info->platform_version);
    copy_trim(out->c_version, sizeof out->c_version, info->c_version);
    copy_trim(out->driver_version, sizeof out->driver_version, info->driver_version);
    out->compute_units = info->compute_units;
    out->max_work_group = info->max_work_group;
    out->global_mem_bytes = info->global_mem;
    out->local_mem_bytes = info->local_mem;
}

/* ---- discovery --------------------------------------------------------- */

/* Platforms through the ICD loader: count, allocate, fill.  0 and a malloc'd
 * array (possibly with *n == 0), or a status with err set. */
static int get_platforms(cl_platform_id **out, cl_uint *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    cl_uint count = 0;
    cl_int rc = clGetPlatformIDs(0, NULL, &count);
    if (rc == MCPI_CL_PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && count == 0))
        return 0;
    if (rc != CL_SUCCESS)
        return cl_fail(err, errlen, "opencl", "clGetPlatformIDs", rc, MCPI_EUNAVAIL);
    cl_platform_id *ids = calloc(count, sizeof *ids);
    if (!ids) {
        mcpi_set_error(err, errlen, "opencl: out of memory listing %u platforms", count);
        return MCPI_ENOMEM;
    }
    if ((rc = clGetPlatformIDs(count, ids, NULL)) != CL_SUCCESS) {
        free(ids);
        return cl_fail(err, errlen, "opencl", "clGetPlatformIDs", rc, MCPI_EUNAVAIL);
    }
    *out = ids;
    *n = count;
    return 0;
}

/* Devices of one platform, every type.  A platform without devices gives
 * *n == 0 and 0. */
static cl_int get_devices(cl_platform_id p, cl_device_id **out, cl_uint *n)
{
    *out = NULL;
    *n = 0;
    cl_uint count = 0;
    cl_int rc = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, NULL, &count);
    if (rc == CL_DEVICE_NOT_FOUND || (rc == CL_SUCCESS && count == 0))
        return CL_SUCCESS;
    if (rc != CL_SUCCESS)
        return rc;
    cl_device_id *ids = calloc(count, sizeof *ids);
    if (!ids)
        return CL_OUT_OF_HOST_MEMORY;
    if ((rc = clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, count, ids, NULL)) != CL_SUCCESS) {
        free(ids);
        return rc;
    }
    *out = ids;
    *n = count;
    return CL_SUCCESS;
}

#define MCPI_NO_PLATFORM_MSG "no OpenCL platform found (install pocl-opencl-icd or a vendor driver)"

static int ocl_list(mcpi_device_desc *out, size_t cap, size_t *count, char *err, size_t errlen)
{
    cl_platform_id *plats = NULL;
    cl_uint np = 0;
    size_t total = 0;
    *count = 0;
    int st = get_platforms(&plats, &np, err, errlen);
    if (st != 0)
        return st;
    if (np == 0) {
        mcpi_set_error(err, errlen, MCPI_NO_PLATFORM_MSG);
        return MCPI_EUNAVAIL;
    }
    cl_int rc = CL_SUCCESS;
    for (cl_uint p = 0; p < np && rc != CL_OUT_OF_HOST_MEMORY; ++p) {
        cl_device_id *devs = NULL;
        cl_uint nd = 0;
        /* A platform that fails to answer is skipped, not fatal (hwloc);
         * memory that runs out is not the platform's failure. */
        if ((rc = get_devices(plats[p], &devs, &nd)) != CL_SUCCESS)
            continue;
        for (cl_uint d = 0; d < nd && rc != CL_OUT_OF_HOST_MEMORY; ++d) {
            ocl_info info;
            if ((rc = query_info(plats[p], devs[d], &info)) != CL_SUCCESS)
                continue;
            if (total < cap)
                fill_desc(&out[total], p, d, &info);
            ++total;
        }
        free(devs);
    }
    free(plats);
    if (rc == CL_OUT_OF_HOST_MEMORY) {
        mcpi_set_error(err, errlen, "opencl: out of memory listing the devices");
        return MCPI_ENOMEM;
    }
    *count = total;
    if (total == 0) {
        mcpi_set_error(err, errlen, "no OpenCL device found on %u platform(s)", (unsigned)np);
        return MCPI_EUNAVAIL;
    }
    return 0;
}

/* The platform and device behind "opencl:P.D", by the same enumeration as
 * ocl_list. */
static int find_device(const mcpi_device_desc *dev, cl_platform_id *plat, cl_device_id *out,
                       char *err, size_t errlen)
{
    cl_platform_id *plats = NULL;
    cl_device_id *devs = NULL;
    cl_uint np = 0, nd = 0;
    int st = get_platforms(&plats, &np, err, errlen);
    if (st != 0)
        return st;
    if (np == 0) {
        mcpi_set_error(err, errlen, MCPI_NO_PLATFORM_MSG);
        return MCPI_EUNAVAIL;
    }
    if (dev->platform < 0 || (cl_uint)dev->platform >= np) {
        mcpi_set_error(err, errlen, "opencl:%d.%d: no such platform (there are %u: 0..%u)",
                       dev->platform, dev->index, (unsigned)np, (unsigned)np - 1);
        st = MCPI_EUNAVAIL;
        goto out_platforms;
    }
    cl_int rc = get_devices(plats[dev->platform], &devs, &nd);
    if (rc != CL_SUCCESS) {
        char who[MCPI_NAME_LEN];
        snprintf(who, sizeof who, "opencl:%d.%d", dev->platform, dev->index);
        if (rc == CL_OUT_OF_HOST_MEMORY) {
            mcpi_set_error(err, errlen, "%s: out of memory listing the devices", who);
            st = MCPI_ENOMEM;
        } else {
            st = cl_fail(err, errlen, who, "clGetDeviceIDs", rc, MCPI_EUNAVAIL);
        }
        goto out_platforms;
    }
    if (dev->index < 0 || (cl_uint)dev->index >= nd) {
        mcpi_set_error(err, errlen, "opencl:%d.%d: no such device (platform %d has %u)",
                       dev->platform, dev->index, dev->platform, (unsigned)nd);
        st = MCPI_EUNAVAIL;
        goto out_devices;
    }
    *plat = plats[dev->platform];
    *out = devs[dev->index];
out_devices:
    free(devs);
out_platforms:
    free(plats);
    return st;
}

/* ---- the open device ---------------------------------------------------- */

typedef struct ocl_state {
    char who[MCPI_NAME_LEN]; /* "opencl:P.D", prefix of every message */
    const mcpi_config *cfg;  /* the caller's hooks, for build logs and warnings */
    ocl_info info;
    cl_device_id device;
    cl_context ctx;
    cl_command_queue queue;
    cl_program program;
    cl_kernel kernel;
    cl_mem partial;         /* one cl_ulong per work-group */
    cl_ulong *host_partial; /* its host copy */
    mcpi_device_type kind;  /* ocl_kind of the device's types */
    size_t local, max_groups;
    size_t alloc_groups;     /* groups the partial buffer holds (>= max_groups) */
    uint64_t kernel_max;     /* the largest work-group the kernel allows here */
    uint64_t pref;           /* the kernel's preferred work-group multiple */
    unsigned vector;         /* kernel path: 1 scalar, 4/8/16 lanes; 0 set by --build-options */
    int geometry_source;     /* MCPI_GEOMETRY_* */
    uint64_t program_key;    /* the program's cache key (a probe's choice is keyed by it) */
    uint64_t fixed_per_item; /* --per-item, 0 = sized from rate */
    uint64_t launch_cap;     /* --launch-samples, 0 = none */
    double rate;             /* samples/s estimate for sizing launches */
} ocl_state;

/* The build log with the device and options, as one note for the caller
 * (documented in mcpi_opencl.h). */
static void note_build_log(const ocl_state *s, cl_program prog, const char *options)
{
    size_t n = 0;
    char *log = NULL;
    cl_int rc = clGetProgramBuildInfo(prog, s->device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
    if (rc == CL_SUCCESS && (log = calloc(n + 1, 1)) != NULL)
        rc = clGetProgramBuildInfo(prog, s->device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
    char head[1024];
    snprintf(head, sizeof head, "OpenCL build log for %s (%s), options \"%.600s\":\n", s->who,
             s->info.name, options);
    const char *body = log && log[0] ? log : "(empty)\n";
    char missing[128] = "";
    if (rc != CL_SUCCESS)
        snprintf(missing, sizeof missing, "(build log unavailable: %s (%d))\n", cl_err_name(rc),
                 (int)rc);
    else if (!log)
        snprintf(missing, sizeof missing, "(build log unavailable: out of memory for %zu bytes)\n",
                 n);
    if (missing[0])
        body = missing;
    size_t blen = strlen(body), len = strlen(head) + blen + 64;
    char *text = malloc(len);
    if (text != NULL) {
        snprintf(text, len, "%s%s%smcpi: end of build log", head, body,
                 blen > 0 && body[blen - 1] != '\n' ? "\n" : "");
        mcpi_notify_text(s->cfg, MCPI_NOTE_BUILD_LOG, text);
    }
    free(text);
    free(log);
}

/* The cache's warnings: a corrupt entry each time, an unwritable cache once
 * per process (the module's only state; a racing second warning in a
 * multithreaded caller would be harmless). */
static int store_warned;

static void warn_corrupt(const ocl_state *s, const char *path)
{
    mcpi_notify(s->cfg, MCPI_NOTE_WARNING,
                "warning: ignoring corrupt OpenCL cache entry %s; rebuilding", path);
}

/* Builds prog for the device.  On failure prints the log and returns
 * MCPI_EBUILD (quiet: returns it without printing, for cached binaries). */
static int build_program(ocl_state *s, cl_program prog, const char *options, int quiet, char *err,
                         size_t errlen)
{
    cl_int rc = mcpi_fault_cl("clBuildProgram")
                    ? CL_BUILD_PROGRAM_FAILURE
                    : clBuildProgram(prog, 1, &s->device, options, NULL, NULL);
    if (rc == CL_SUCCESS)
        return 0;
    if (!quiet)
        note_build_log(s, prog, options);
    mcpi_set_error(err, errlen,
                   "%s: OpenCL program build failed on %s: %s (%d), options \"%s\"; build log "
                   "on stderr",
                   s->who, s->info.name, cl_err_name(rc), (int)rc, options);
    return MCPI_EBUILD;
}

/* Tries the cached binary: 1 and s->program set when it loads and builds,
 * else 0 (a rejected entry is reported as corrupt and rebuilt by the caller). */
static int program_from_cache(ocl_state *s, uint64_t key, const char *options)
{
    unsigned char *bin = NULL;
    size_t len = 0;
    char path[MCPI_OPENCL_PATH_LEN], err[MCPI_ERROR_LEN];
    mcpi_cache_lookup found = mcpi_opencl_cache_load(key, &bin, &len, path, sizeof path);
    if (found == MCPI_CACHE_CORRUPT)
        warn_corrupt(s, path);
    if (found != MCPI_CACHE_FOUND)
        return 0;
    cl_int rc, bin_status = CL_SUCCESS;
    const unsigned char *bins[1] = {bin};
    cl_program prog =
        clCreateProgramWithBinary(s->ctx, 1, &s->device, &len, bins, &bin_status, &rc);
    free(bin);
    if (rc != CL_SUCCESS || bin_status != CL_SUCCESS) {
        if (prog)
            clReleaseProgram(prog);
        warn_corrupt(s, path);
        return 0;
    }
    if (build_program(s, prog, options, 1, err, sizeof err) != 0) {
        clReleaseProgram(prog);
        warn_corrupt(s, path);
        return 0;
    }
    s->program = prog;
    return 1;
}

/* Stores the device's binary of s->program; failures only lose the entry. */
static void program_to_cache(const ocl_state *s, uint64_t key)
{
    size_t len = 0;
    cl_uint ndev = 0;
    if (clGetProgramInfo(s->program, CL_PROGRAM_NUM_DEVICES, sizeof ndev, &ndev, NULL) !=
            CL_SUCCESS ||
        ndev != 1 ||
        clGetProgramInfo(s->program, CL_PROGRAM_BINARY_SIZES, sizeof len, &len, NULL) !=
            CL_SUCCESS ||
        len == 0)
        return;
    unsigned char *bin = malloc(len);
    unsigned char *bins[1] = {bin};
    char why[MCPI_ERROR_LEN];
    if (bin &&
        clGetProgramInfo(s->program, CL_PROGRAM_BINARIES, sizeof bins, bins, NULL) == CL_SUCCESS &&
        mcpi_opencl_cache_store(key, bin, len, why, sizeof why) != MCPI_OK && !store_warned) {
        store_warned = 1;
        mcpi_notify_text(s->cfg, MCPI_NOTE_WARNING, why);
    }
    free(bin);
}

/* s->program from the cache or built from the embedded source; *cache is 0
 * (built), 1 (loaded) or 2 (cache bypassed). */
static int get_program(ocl_state *s, const char *options, int use_cache, int *cache, char *err,
                       size_t errlen)
{
    const char *parts[] = {mcpi_kernel_source,       options,      s->info.platform_name,
                           s->info.platform_version, s->info.name, s->info.driver_version,
                           s->info.device_version};
    uint64_t key = mcpi_opencl_cache_key(parts, sizeof parts / sizeof parts[0]);
    s->program_key = key;
    *cache = use_cache ? 0 : 2;
    if (use_cache && program_from_cache(s, key, options)) {
        *cache = 1;
        return 0;
    }
    cl_int rc;
    const char *src = mcpi_kernel_source;
    size_t len = mcpi_kernel_source_len;
    cl_program prog = clCreateProgramWithSource(s->ctx, 1, &src, &len, &rc);
    if (rc != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clCreateProgramWithSource", rc, MCPI_EBACKEND);
    int st = build_program(s, prog, options, 0, err, errlen);
    if (st != 0) {
        clReleaseProgram(prog);
        return st;
    }
    s->program = prog;
    if (use_cache)
        program_to_cache(s, key);
    return 0;
}

/* Work-groups of a full launch with work-group size local. */
static size_t groups_for(const ocl_state *s, uint64_t local)
{
    uint64_t per_cu =
        s->kind == MCPI_DEV_GPU ? MCPI_OCL_GROUPS_PER_CU_GPU : MCPI_OCL_GROUPS_PER_CU_CPU;
    uint64_t groups = (uint64_t)(s->info.compute_units ? s->info.compute_units : 1) * per_cu;
    if (groups * local > MCPI_OCL_MAX_GLOBAL)
        groups = MCPI_OCL_MAX_GLOBAL / local;
    return (size_t)(groups ? groups : 1);
}

/* Sets the work-group size (and the groups of a full launch). */
static void set_local(ocl_state *s, uint64_t local)
{
    s->local = (size_t)local;
    s->max_groups = groups_for(s, local);
}

/* The most samples a work-item may count in one launch: MCPI_OCL_MAX_TRIPS
 * trips of W blocks (a path set by --build-options counts as scalar). */
static uint64_t max_per_item(const ocl_state *s)
{
    const uint64_t w = s->vector > 1 ? 2u * (uint64_t)s->vector : 1u;
    return 2 * w * MCPI_OCL_MAX_TRIPS;
}

/* The kernel's limits on this device, the work-group size from --work-group
 * or the device kind's rule (a CPU device's may then be replaced by a probe,
 * probe_geometry), and the launch sizing's first rate estimate. */
static int choose_geometry(ocl_state *s, const mcpi_config *cfg, char *err, size_t errlen)
{
    size_t kwg = 0, pref = 1;
    cl_ulong klocal = 0;
    cl_int rc;
    if ((rc = clGetKernelWorkGroupInfo(s->kernel, s->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kwg,
                                       &kwg, NULL)) != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clGetKernelWorkGroupInfo", rc, MCPI_EBACKEND);
    if ((rc = clGetKernelWorkGroupInfo(s->kernel, s->device, CL_KERNEL_LOCAL_MEM_SIZE,
                                       sizeof klocal, &klocal, NULL)) != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clGetKernelWorkGroupInfo", rc, MCPI_EBACKEND);
    if (clGetKernelWorkGroupInfo(s->kernel, s->device, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE,
                                 sizeof pref, &pref, NULL) != CL_SUCCESS ||
        pref == 0)
        pref = 1;

    /* The largest size the kernel, the device and its local memory (one
     * cl_ulong per item for the reduction) allow. */
    uint64_t allowed = kwg;
    if (s->info.max_work_group && s->info.max_work_group < allowed)
        allowed = s->info.max_work_group;
    if (s->info.max_item0 && s->info.max_item0 < allowed)
        allowed = s->info.max_item0;
    if (s->info.local_mem > klocal && (s->info.local_mem - klocal) / sizeof(cl_ulong) < allowed)
        allowed = (s->info.local_mem - klocal) / sizeof(cl_ulong);
    if (allowed > MCPI_OCL_MAX_GLOBAL)
        allowed = MCPI_OCL_MAX_GLOBAL;
    if (allowed == 0) {
        mcpi_set_error(err, errlen, "%s: %s allows no work-group for this kernel", s->who,
                       s->info.name);
        return MCPI_EUNAVAIL;
    }
    s->kernel_max = allowed;
    s->pref = pref;

    if (cfg->work_group) {
        if (cfg->work_group > allowed) {
            mcpi_set_error(err, errlen,
                           "%s: --work-group %u is too large for %s: this kernel allows 1..%llu",
                           s->who, cfg->work_group, s->info.name, (unsigned long long)allowed);
            return MCPI_EINVAL;
        }
        set_local(s, cfg->work_group);
        s->geometry_source = MCPI_GEOMETRY_GIVEN;
    } else {
        uint64_t want = s->kind == MCPI_DEV_GPU ? MCPI_OCL_LOCAL_GPU : MCPI_OCL_LOCAL_CPU;
        uint64_t local = want < allowed ? want : allowed;
        if (local >= pref)
            local -= local % pref;
        set_local(s, local);
        s->geometry_source = MCPI_GEOMETRY_RULE;
    }
    /* The partial buffer serves every work-group size a probe tries. */
    s->alloc_groups = groups_for(s, 1);

    if (cfg->per_item > max_per_item(s)) {
        mcpi_set_error(err, errlen,
                       "%s: --per-item %llu is out of range 1..%llu on the %s path (the "
                       "kernel's loop runs at most %llu trips a launch)",
                       s->who, (unsigned long long)cfg->per_item,
                       (unsigned long long)max_per_item(s), s->vector > 1 ? "vector" : "scalar",
                       (unsigned long long)MCPI_OCL_MAX_TRIPS);
        return MCPI_EINVAL;
    }
    s->fixed_per_item = cfg->per_item;
    s->launch_cap = cfg->launch_samples;
    double clock_hz = (s->info.clock_mhz ? s->info.clock_mhz : 1000) * 1e6;
    double guess = s->kind == MCPI_DEV_GPU ? MCPI_OCL_GUESS_GPU : MCPI_OCL_GUESS_CPU;
    s->rate = clock_hz * (s->info.compute_units ? s->info.compute_units : 1) * guess;
    return 0;
}

/* Releases what an open (whole or partial) acquired; accepts NULL. */
static void ocl_close(void *state)
{
    ocl_state *s = state;
    if (!s)
        return;
    free(s->host_partial);
    if (s->partial)
        clReleaseMemObject(s->partial);
    if (s->kernel)
        clReleaseKernel(s->kernel);
    if (s->program)
        clReleaseProgram(s->program);
    if (s->queue)
        clReleaseCommandQueue(s->queue);
    if (s->ctx)
        clReleaseContext(s->ctx);
    free(s);
}

/* The kernel path of a device of kind CPU: vectors of twice the device's
 * native long vector width (two registers per vector, four dependency
 * chains in flight), one of 4, 8 or 16 (16 with AVX-512, 8 with AVX2). */
static unsigned cpu_vector(const ocl_info *info)
{
    uint64_t twice = 2 * (uint64_t)info->native_long;
    return twice >= 16 ? 16u : twice >= 8 ? 8u : 4u;
}

/* The program's build options: the user's, then -DMCPI_OCL_VEC=<path> from
 * --ocl-vector, else from the device kind (CPU: cpu_vector; GPU,
 * accelerator and others: 1, the scalar path).  A user's own
 * -DMCPI_OCL_VEC in --build-options is kept as given (s->vector 0). */
static int build_options(ocl_state *s, const mcpi_config *cfg, char *options, size_t cap, char *err,
                         size_t errlen)
{
    const char *user_options = cfg->build_options ? cfg->build_options : "";
    char device_options[64] = "";
    if (strstr(user_options, "MCPI_OCL_VEC")) {
        if (cfg->ocl_vector) {
            mcpi_set_error(err, errlen,
                           "%s: --ocl-vector and --build-options -DMCPI_OCL_VEC both set the "
                           "kernel path: give one",
                           s->who);
            return MCPI_EINVAL;
        }
        s->vector = 0;
    } else {
        s->vector = cfg->ocl_vector           ? cfg->ocl_vector
                    : s->kind == MCPI_DEV_CPU ? cpu_vector(&s->info)
                                              : 1u;
        snprintf(device_options, sizeof device_options, "-DMCPI_OCL_VEC=%u", s->vector);
    }
    if (snprintf(options, cap, "%s%s%s", user_options, *user_options && *device_options ? " " : "",
                 device_options) >= (int)cap) {
        mcpi_set_error(err, errlen, "%s: build options longer than %zu bytes", s->who, cap - 1);
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

/* INIT: finding the device again, its context and a profiling queue. */
static int open_context(ocl_state *s, const mcpi_device_desc *dev, char *err, size_t errlen)
{
    cl_platform_id plat = NULL;
    cl_int rc;
    int st = find_device(dev, &plat, &s->device, err, errlen);
    if (st != 0)
        return st;
    if ((rc = query_info(plat, s->device, &s->info)) == CL_OUT_OF_HOST_MEMORY) {
        mcpi_set_error(err, errlen, "%s: out of memory querying the device", s->who);
        return MCPI_ENOMEM;
    }
    if (rc != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clGetDeviceInfo", rc, MCPI_EUNAVAIL);
    s->kind = ocl_kind(s->info.type);
    if (!s->info.int64) {
        mcpi_set_error(err, errlen,
                       "%s: %s is an embedded-profile device without 64-bit integers "
                       "(cles_khr_int64), which mcpi's kernel needs",
                       s->who, s->info.name);
        return MCPI_EUNAVAIL;
    }
    cl_context_properties props[] = {CL_CONTEXT_PLATFORM, (cl_context_properties)plat, 0};
    s->ctx = mcpi_fault_cl("clCreateContext")
                 ? (rc = CL_OUT_OF_HOST_MEMORY, NULL)
                 : clCreateContext(props, 1, &s->device, NULL, NULL, &rc);
    if (rc != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clCreateContext", rc, MCPI_EBACKEND);
    s->queue = clCreateCommandQueue(s->ctx, s->device, CL_QUEUE_PROFILING_ENABLE, &rc);
    if (rc != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clCreateCommandQueue", rc, MCPI_EBACKEND);
    return MCPI_OK;
}

/* BUILD: program (cached binary or source) and kernel. */
static int make_kernel(ocl_state *s, const mcpi_config *cfg, int *cache, char *err, size_t errlen)
{
    char options[1024];
    cl_int rc;
    int st = build_options(s, cfg, options, sizeof options, err, errlen);
    if (st == MCPI_OK)
        st = get_program(s, options, !cfg->no_cache, cache, err, errlen);
    if (st != MCPI_OK)
        return st;
    s->kernel = mcpi_fault_cl("clCreateKernel")
                    ? (rc = CL_OUT_OF_RESOURCES, NULL)
                    : clCreateKernel(s->program, MCPI_OCL_KERNEL_NAME, &rc);
    if (rc != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clCreateKernel", rc, MCPI_EBACKEND);
    return MCPI_OK;
}

/* The per-work-group results on the device and their host copy. */
static int alloc_partial(ocl_state *s, char *err, size_t errlen)
{
    cl_int rc;
    size_t bytes = s->alloc_groups * sizeof(cl_ulong);
    s->partial = mcpi_fault_cl("clCreateBuffer")
                     ? (rc = CL_MEM_OBJECT_ALLOCATION_FAILURE, NULL)
                     : clCreateBuffer(s->ctx, CL_MEM_WRITE_ONLY, bytes, NULL, &rc);
    if (rc != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clCreateBuffer", rc, MCPI_EBACKEND);
    if ((s->host_partial = malloc(bytes)) == NULL) {
        mcpi_set_error(err, errlen, "%s: out of memory for %zu bytes", s->who, bytes);
        return MCPI_ENOMEM;
    }
    return MCPI_OK;
}

static void fill_record(const ocl_state *s, const mcpi_device_desc *dev, int cache,
                        mcpi_record *rec)
{
    snprintf(rec->device, sizeof rec->device, "%s", dev->description);
    rec->device_bytes = (int64_t)(s->alloc_groups * sizeof(cl_ulong));
    rec->device_mem_bytes = (int64_t)s->info.global_mem;
    rec->ocl.cache = cache;
    rec->ocl.local_size = s->local;
    rec->ocl.global_size = (uint64_t)s->max_groups * s->local;
    rec->ocl.per_item = s->fixed_per_item;
    rec->ocl.compute_units = s->info.compute_units;
    rec->ocl.kernel_max_work_group = s->kernel_max;
    rec->ocl.preferred_multiple = s->pref;
    rec->ocl.vector = s->vector;
    rec->ocl.groups = s->max_groups;
    rec->ocl.geometry_source = s->geometry_source;
    /* A CPU device's runtime sees every core; its threads may run only where
     * this process may (one core per rank under MPI binding): say so. */
    rec->ocl.process_cpus = dev->type == MCPI_DEV_CPU ? mcpi_cpu_usable() : 0u;
}

static int probe_geometry(ocl_state *s, const mcpi_config *cfg, char *err, size_t errlen);

static int ocl_open(const mcpi_device_desc *dev, const mcpi_config *cfg, void **state,
                    mcpi_record *rec, char *err, size_t errlen)
{
    *state = NULL;
    ocl_state *s = calloc(1, sizeof *s);
    if (!s) {
        mcpi_set_error(err, errlen, "opencl: out of memory");
        return MCPI_ENOMEM;
    }
    snprintf(s->who, sizeof s->who, "opencl:%d.%d", dev->platform, dev->index);
    s->cfg = cfg;
    double t0 = mcpi_now();
    int cache = 0;
    int st = open_context(s, dev, err, errlen);
    if (st == MCPI_OK) {
        mcpi_phases_add(&rec->phases, MCPI_PHASE_INIT, mcpi_now() - t0);
        t0 = mcpi_now();
        st = make_kernel(s, cfg, &cache, err, errlen);
    }
    if (st == MCPI_OK) {
        mcpi_phases_add(&rec->phases, MCPI_PHASE_BUILD, mcpi_now() - t0);
        st = choose_geometry(s, cfg, err, errlen);
    }
    if (st == MCPI_OK)
        st = alloc_partial(s, err, errlen);
    if (st == MCPI_OK && s->geometry_source == MCPI_GEOMETRY_RULE && s->kind == MCPI_DEV_CPU) {
        t0 = mcpi_now();
        st = probe_geometry(s, cfg, err, errlen);
        mcpi_phases_add(&rec->phases, MCPI_PHASE_BUILD, mcpi_now() - t0);
    }
    if (st != MCPI_OK) {
        ocl_close(s);
        return st;
    }
    s->cfg = NULL; /* the caller's configuration is only valid during open */
    fill_record(s, dev, cache, rec);
    *state = s;
    return 0;
}

/* ---- counting ---------------------------------------------------------- */

static uint64_t ceil_div(uint64_t a, uint64_t b)
{
    return a / b + (a % b != 0);
}

/* One launch's shape: samples n, per-item count and work-groups. */
typedef struct ocl_launch {
    uint64_t n, per_item, groups;
} ocl_launch;

/* Samples per item of a full launch at the current rate estimate. */
static uint64_t full_per_item(const ocl_state *s)
{
    const uint64_t width = (uint64_t)s->max_groups * s->local; /* <= 2^23 */
    if (s->fixed_per_item)
        return s->fixed_per_item;
    double want = MCPI_OCL_TARGET_S * s->rate / (double)width;
    return want < 1.0 ? 1 : want >= (double)max_per_item(s) ? max_per_item(s) : (uint64_t)want;
}

/* A verification chunk's launch: the per-item work a full launch would
 * have (the kernel's vector path and item loop as in the counted work),
 * on as few work-groups as its samples need. */
static ocl_launch plan_verify(const ocl_state *s, uint64_t remaining)
{
    ocl_launch l;
    l.per_item = full_per_item(s);
    uint64_t group = (uint64_t)s->local * l.per_item;
    uint64_t cap = group * s->max_groups;
    l.n = remaining < cap ? remaining : cap;
    l.groups = ceil_div(l.n, group);
    return l;
}

/* Sizes the next launch over `remaining` samples. */
static ocl_launch plan_launch(const ocl_state *s, uint64_t remaining)
{
    const uint64_t width = (uint64_t)s->max_groups * s->local; /* <= 2^23 */
    uint64_t p = full_per_item(s);
    ocl_launch l;
    uint64_t cap = width * p; /* <= 2^63: no overflow */
    if (s->launch_cap && s->launch_cap < cap)
        cap = s->launch_cap;
    l.n = remaining < cap ? remaining : cap;
    /* Spread a short slice over every group before lengthening items. */
    l.per_item = s->fixed_per_item ? s->fixed_per_item : ceil_div(l.n, width);
    l.groups = ceil_div(l.n, (uint64_t)s->local * l.per_item);
    return l;
}

/* Updates the throughput estimate from one launch of n samples that ran for
 * t seconds on the device.  Short launches are dominated by overhead, so
 * they may only raise the estimate; growth per launch is bounded. */
static void update_rate(ocl_state *s, uint64_t n, double t)
{
    if (t <= 0)
        return;
    double measured = (double)n / t;
    double ceiling = s->rate * MCPI_OCL_MAX_GROWTH;
    if (measured > ceiling)
        measured = ceiling;
    if (t >= 1e-3 || measured > s->rate)
        s->rate = measured;
}

static cl_ulong event_ns(cl_event ev, cl_profiling_info what, cl_int *rc)
{
    cl_ulong v = 0;
    cl_int r = clGetEventProfilingInfo(ev, what, sizeof v, &v, NULL);
    if (r != CL_SUCCESS && *rc == CL_SUCCESS)
        *rc = r;
    return v;
}

/* Runs one launch and adds its hits; fills the phase sums and the record's
 * event times. */
static int run_launch(ocl_state *s, uint64_t seed, uint64_t begin, const ocl_launch *l,
                      uint64_t *hits, mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen)
{
    cl_ulong a_seed = seed, a_begin = begin, a_count = l->n;
    size_t global = (size_t)(l->groups * s->local), local = s->local;
    size_t bytes = (size_t)l->groups * sizeof(cl_ulong);
    cl_event kev = NULL, rev = NULL;
    cl_int rc;
    int st = 0;
    double host_t0 = mcpi_now();
    if ((rc = clSetKernelArg(s->kernel, 0, sizeof a_seed, &a_seed)) != CL_SUCCESS ||
        (rc = clSetKernelArg(s->kernel, 1, sizeof a_begin, &a_begin)) != CL_SUCCESS ||
        (rc = clSetKernelArg(s->kernel, 2, sizeof a_count, &a_count)) != CL_SUCCESS ||
        (rc = clSetKernelArg(s->kernel, 3, sizeof s->partial, &s->partial)) != CL_SUCCESS ||
        (rc = clSetKernelArg(s->kernel, 4, local * sizeof(cl_ulong), NULL)) != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clSetKernelArg", rc, MCPI_EBACKEND);
    rc = mcpi_fault_cl("clEnqueueNDRangeKernel")
             ? CL_OUT_OF_RESOURCES
             : clEnqueueNDRangeKernel(s->queue, s->kernel, 1, NULL, &global, &local, 0, NULL, &kev);
    if (rc != CL_SUCCESS)
        return cl_fail(err, errlen, s->who, "clEnqueueNDRangeKernel", rc, MCPI_EBACKEND);
    /* In-order queue: the blocking read waits for the kernel too. */
    rc = mcpi_fault_cl("clEnqueueReadBuffer")
             ? CL_OUT_OF_RESOURCES
             : clEnqueueReadBuffer(s->queue, s->partial, CL_TRUE, 0, bytes, s->host_partial, 0,
                                   NULL, &rev);
    if (rc != CL_SUCCESS) {
        st = cl_fail(err, errlen, s->who, "clEnqueueReadBuffer", rc, MCPI_EBACKEND);
        goto out_kernel_event;
    }

    rc = CL_SUCCESS;
    cl_ulong q = event_ns(kev, CL_PROFILING_COMMAND_QUEUED, &rc);
    cl_ulong sub = event_ns(kev, CL_PROFILING_COMMAND_SUBMIT, &rc);
    cl_ulong start = event_ns(kev, CL_PROFILING_COMMAND_START, &rc);
    cl_ulong end = event_ns(kev, CL_PROFILING_COMMAND_END, &rc);
    cl_ulong rstart = event_ns(rev, CL_PROFILING_COMMAND_START, &rc);
    cl_ulong rend = event_ns(rev, CL_PROFILING_COMMAND_END, &rc);
    if (rc != CL_SUCCESS) {
        st = cl_fail(err, errlen, s->who, "clGetEventProfilingInfo", rc, MCPI_EBACKEND);
        goto out_read_event;
    }
    double kernel_s = end > start ? (double)(end - start) * 1e-9 : 0.0;
    /* Some runtimes report kernels of a few nanoseconds: an event time far
     * below the host's wall time around the launch is not trusted for
     * sizing (the phase keeps what the device said). */
    double host_s = mcpi_now() - host_t0;
    double sizing_s = kernel_s * MCPI_OCL_PLAUSIBLE < host_s ? host_s : kernel_s;
    mcpi_phases_add(ph, MCPI_PHASE_KERNEL, kernel_s);
    mcpi_phases_add(ph, MCPI_PHASE_D2H, rend > rstart ? (double)(rend - rstart) * 1e-9 : 0.0);
    rec->ocl.ev_submit_ns = sub >= q ? (double)(sub - q) : 0.0;
    rec->ocl.ev_start_ns = start >= q ? (double)(start - q) : 0.0;
    rec->ocl.ev_end_ns = end >= q ? (double)(end - q) : 0.0;
    if (!s->fixed_per_item)
        update_rate(s, l->n, sizing_s);

    double t0 = mcpi_now();
    uint64_t sum = 0;
    for (uint64_t g = 0; g < l->groups; ++g)
        sum += s->host_partial[g];
    *hits += sum;
    mcpi_phases_add(ph, MCPI_PHASE_REDUCE, mcpi_now() - t0);

out_read_event:
    clReleaseEvent(rev);
out_kernel_event:
    clReleaseEvent(kev);
    return st;
}

static int ocl_count(void *state, uint64_t seed, uint64_t begin, uint64_t end, unsigned flags,
                     uint64_t *hits, mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen)
{
    ocl_state *s = state;
    uint64_t launches = 0, biggest = 0;
    *hits = 0;
    /* cur + l.n <= end always holds, so cur never wraps, even at 2^64 - 1. */
    for (uint64_t cur = begin; cur < end;) {
        ocl_launch l =
            (flags & MCPI_COUNT_VERIFY) ? plan_verify(s, end - cur) : plan_launch(s, end - cur);
        int st = run_launch(s, seed, cur, &l, hits, ph, rec, err, errlen);
        if (st != 0)
            return st;
        if (l.n > biggest) {
            biggest = l.n;
            rec->ocl.global_size = l.groups * s->local;
            rec->ocl.local_size = s->local;
            rec->ocl.per_item = l.per_item;
        }
        cur += l.n;
        ++launches;
    }
    rec->ocl.launches = launches;
    return 0;
}

/* A few work-items of a full launch: the smallest chunk that runs the
 * kernel's whole code path (its item loop and vector path with the counted
 * work's per-item count; the rest of the one group idles).  At least one
 * work-item's most work (max_per_item): the chunk is sized before the pass,
 * from a rate that later launches outgrow, and a device may miscount only
 * at the long item loops of full launches (llvmpipe, MCPI_OCL_MAX_TRIPS). */
static uint64_t ocl_verify_samples(void *state)
{
    const ocl_state *s = state;
    uint64_t items = s->local < MCPI_OCL_VERIFY_ITEMS ? s->local : MCPI_OCL_VERIFY_ITEMS;
    uint64_t n = items * full_per_item(s);
    return n > max_per_item(s) ? n : max_per_item(s);
}

/* ---- the geometry probe -------------------------------------------------- */

/* What the device's figures do not tell is how a CPU runtime maps work-groups
 * onto its cores and SIMD lanes: on one machine PoCL is fastest at 64 or 256
 * items a group, Intel's runtime at 1 (2x slower at 64), rusticl at 8..32.
 * So a CPU device's work-group size is probed once: a launch of about
 * MCPI_OCL_PROBE_S at each of probe_sizes (those the kernel allows, and its
 * maximum), best of MCPI_OCL_PROBE_TRIES rounds over them, timed on the host
 * (some runtimes' kernel events say a few nanoseconds).  The fastest (the
 * rule's size unless another is MCPI_OCL_PROBE_MARGIN faster) is kept in the
 * program cache under a key derived from the program's, so it is probed
 * again only when the program would be rebuilt. */
#define MCPI_OCL_PROBE_S 0.01
#define MCPI_OCL_PROBE_TRIES 3
/* Another size replaces the rule's only when it is this much faster: the
 * sizes a noisy probe cannot tell apart keep the rule's. */
#define MCPI_OCL_PROBE_MARGIN 0.95
#define MCPI_OCL_PROBE_MAX_SAMPLES ((uint64_t)1 << 36)
static const uint64_t probe_sizes[] = {1, 4, 16, 64, 256, 1024};
#define MCPI_GEOMETRY_MAGIC "mcpi-geometry 1 work_group "

static uint64_t geometry_key(const ocl_state *s)
{
    char hex[32];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)s->program_key);
    const char *parts[] = {"geometry", hex};
    return mcpi_opencl_cache_key(parts, 2);
}

/* The cached work-group size: 1 and *local when there is a valid one. */
static int geometry_from_cache(const ocl_state *s, uint64_t *local)
{
    unsigned char *data = NULL;
    size_t len = 0;
    if (mcpi_opencl_cache_load(geometry_key(s), &data, &len, NULL, 0) != MCPI_CACHE_FOUND)
        return 0;
    char text[64] = "";
    int ok = 0;
    if (len < sizeof text) {
        memcpy(text, data, len);
        text[len] = '\0';
        size_t m = strlen(MCPI_GEOMETRY_MAGIC);
        char *end = NULL;
        unsigned long long v = 0;
        if (strncmp(text, MCPI_GEOMETRY_MAGIC, m) == 0) {
            v = strtoull(text + m, &end, 10);
            ok = end != text + m && *end == '\n' && v >= 1 && v <= s->kernel_max;
        }
        *local = v;
    }
    free(data);
    return ok;
}

static void geometry_to_cache(const ocl_state *s, uint64_t local)
{
    char text[64], why[MCPI_ERROR_LEN];
    int n = snprintf(text, sizeof text, MCPI_GEOMETRY_MAGIC "%llu\n", (unsigned long long)local);
    if (mcpi_opencl_cache_store(geometry_key(s), (const unsigned char *)text, (size_t)n, why,
                                sizeof why) != MCPI_OK &&
        !store_warned) {
        store_warned = 1;
        mcpi_notify_text(s->cfg, MCPI_NOTE_WARNING, why);
    }
}

/* Host seconds of one launch of n samples at the current work-group size. */
static int probe_launch(ocl_state *s, uint64_t n, double *t, char *err, size_t errlen)
{
    const uint64_t width = (uint64_t)s->max_groups * s->local;
    ocl_launch l;
    l.n = n;
    l.per_item = ceil_div(n, width);
    l.groups = ceil_div(n, (uint64_t)s->local * l.per_item);
    mcpi_phases ph;
    mcpi_record rec;
    uint64_t hits = 0;
    mcpi_phases_clear(&ph);
    memset(&rec, 0, sizeof rec);
    double t0 = mcpi_now();
    int st = run_launch(s, 0, 0, &l, &hits, &ph, &rec, err, errlen);
    *t = mcpi_now() - t0;
    return st;
}

/* The fastest work-group size of probe_sizes on this device (see above). */
static int probe_geometry(ocl_state *s, const mcpi_config *cfg, char *err, size_t errlen)
{
    uint64_t local = 0;
    if (!cfg->no_cache && geometry_from_cache(s, &local)) {
        set_local(s, local);
        s->geometry_source = MCPI_GEOMETRY_CACHED;
        return MCPI_OK;
    }
    const uint64_t saved_fixed = s->fixed_per_item;
    s->fixed_per_item = 1; /* no rate updates from probe launches */
    /* Grow the launch until the rule's geometry takes MCPI_OCL_PROBE_S. */
    uint64_t n = (uint64_t)1 << 16;
    double t = 0;
    int st;
    for (;;) {
        if ((st = probe_launch(s, n, &t, err, errlen)) != MCPI_OK)
            goto out;
        if (t >= MCPI_OCL_PROBE_S || n >= MCPI_OCL_PROBE_MAX_SAMPLES)
            break;
        double grow = t > 0 ? 1.5 * MCPI_OCL_PROBE_S / t : 16.0;
        n = (uint64_t)((double)n * (grow < 2.0 ? 2.0 : grow > 16.0 ? 16.0 : grow));
        if (n > MCPI_OCL_PROBE_MAX_SAMPLES)
            n = MCPI_OCL_PROBE_MAX_SAMPLES;
    }
    /* The rule's size first, then the others. */
    uint64_t cand[sizeof probe_sizes / sizeof probe_sizes[0] + 2];
    size_t nc = 0;
    cand[nc++] = s->local;
    for (size_t i = 0; i < sizeof probe_sizes / sizeof probe_sizes[0]; ++i)
        if (probe_sizes[i] < s->kernel_max && probe_sizes[i] != s->local)
            cand[nc++] = probe_sizes[i];
    if (s->kernel_max != s->local)
        cand[nc++] = s->kernel_max;
    /* Round robin over the sizes, so that a passing load on the machine
     * slows every size alike; each size's best try counts. */
    double ti[sizeof cand / sizeof cand[0]] = {0};
    for (int k = 0; k < MCPI_OCL_PROBE_TRIES; ++k)
        for (size_t i = 0; i < nc; ++i) {
            set_local(s, cand[i]);
            if ((st = probe_launch(s, n, &t, err, errlen)) != MCPI_OK)
                goto out;
            if (k == 0 || t < ti[i])
                ti[i] = t;
        }
    uint64_t best = cand[0];
    double best_t = ti[0];
    for (size_t i = 1; i < nc; ++i)
        if (ti[i] < best_t && ti[i] < MCPI_OCL_PROBE_MARGIN * ti[0]) {
            best_t = ti[i];
            best = cand[i];
        }
    set_local(s, best);
    if (best_t > 0)
        s->rate = (double)n / best_t;
    s->geometry_source = MCPI_GEOMETRY_PROBED;
    if (!cfg->no_cache)
        geometry_to_cache(s, best);
out:
    s->fixed_per_item = saved_fixed;
    return st;
}

/* ---- known answers -------------------------------------------------------- */

static int ocl_philox(void *state, const uint32_t (*in)[6], size_t n, uint32_t (*out)[4], char *err,
                      size_t errlen)
{
    ocl_state *s = state;
    cl_int rc;
    int st = MCPI_EBACKEND;
    const char *call = "clCreateKernel";
    cl_mem bin = NULL, bout = NULL;
    if (n == 0)
        return MCPI_OK;
    cl_kernel k = clCreateKernel(s->program, "mcpi_philox", &rc);
    if (rc != CL_SUCCESS)
        goto out;
    call = "clCreateBuffer";
    bin = clCreateBuffer(s->ctx, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, n * sizeof in[0],
                         (void *)(uintptr_t)in, &rc);
    if (rc != CL_SUCCESS)
        goto out;
    bout = clCreateBuffer(s->ctx, CL_MEM_WRITE_ONLY, n * sizeof out[0], NULL, &rc);
    if (rc != CL_SUCCESS)
        goto out;
    call = "clSetKernelArg";
    if ((rc = clSetKernelArg(k, 0, sizeof bin, &bin)) != CL_SUCCESS ||
        (rc = clSetKernelArg(k, 1, sizeof bout, &bout)) != CL_SUCCESS)
        goto out;
    size_t global = n;
    call = "clEnqueueNDRangeKernel";
    if ((rc = clEnqueueNDRangeKernel(s->queue, k, 1, NULL, &global, NULL, 0, NULL, NULL)) !=
        CL_SUCCESS)
        goto out;
    call = "clEnqueueReadBuffer";
    if ((rc = clEnqueueReadBuffer(s->queue, bout, CL_TRUE, 0, n * sizeof out[0], out, 0, NULL,
                                  NULL)) != CL_SUCCESS)
        goto out;
    st = MCPI_OK;
out:
    if (st != MCPI_OK)
        cl_fail(err, errlen, s->who, call, rc, st);
    if (bout)
        clReleaseMemObject(bout);
    if (bin)
        clReleaseMemObject(bin);
    if (k)
        clReleaseKernel(k);
    return st;
}

const mcpi_backend mcpi_backend_opencl = {
    .name = "opencl",
    .summary = "OpenCL devices through the ICD loader (one row per device)",
    .exact = 1,
    .launch_geometry = 1,
    /* mcpi allocates nothing per launch; an OpenCL runtime grows its own
     * pools over its first ~2000 launches (PoCL: ~256 KiB), which
     * tests/test_opencl_growth.c measures and then sees flat. */
    .growth_note = "OpenCL runtimes grow their own pools over their first launches",
    .list = ocl_list,
    .open = ocl_open,
    .count = ocl_count,
    .close = ocl_close,
    .verify_samples = ocl_verify_samples,
    .philox = ocl_philox,
};

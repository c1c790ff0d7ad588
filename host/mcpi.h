/* mcpi.h - the mcpi library: errors, configuration, backends, runs.
 *
 * Error convention (every function in libmcpi): 0 means success; failures
 * return a negative MCPI_E* code.  Functions that take an (err, errlen)
 * buffer write one human-readable line there on failure, naming the flag or
 * the device and what is accepted or available; they never print and never
 * exit.  Foreign codes (cl_int, MPI error classes) are kept in that message.
 *
 * This header never includes CL/cl.h or mpi.h: those live behind
 * MCPI_WITH_OPENCL / MCPI_WITH_MPI in their own modules. */
#ifndef MCPI_H
#define MCPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mcpi_profile.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MCPI_VERSION_MAJOR 0
#define MCPI_VERSION_MINOR 1
#define MCPI_VERSION_PATCH 0
#define MCPI_VERSION_STRING "0.1.0"

/* Every status: id, stable value, message, process exit code. */
#define MCPI_STATUS_MAP(XX)                                                                        \
    XX(OK, 0, "success", 0)                                                                        \
    XX(EINVAL, -1, "invalid argument", 2)                                                          \
    XX(EUNAVAIL, -2, "backend or device not available", 3)                                         \
    XX(ENOMEM, -3, "out of memory", 1)                                                             \
    XX(EIO, -4, "input/output error", 4)                                                           \
    XX(EBACKEND, -5, "backend failure", 1)                                                         \
    XX(EBUILD, -6, "OpenCL program build failed", 1)                                               \
    XX(EMPI, -7, "MPI failure", 1)                                                                 \
    XX(EINTERRUPTED, -8, "interrupted; checkpoint written", 5)

typedef enum {
#define XX(id, val, msg, code) MCPI_##id = val,
    MCPI_STATUS_MAP(XX)
#undef XX
} mcpi_status;

/* Message for a status; "unknown error" for codes not in the map. */
const char *mcpi_strerror(int status);
/* Process exit code documented for a status (README "Exit codes"). */
int mcpi_exit_code(int status);

/* Writes "mcpi: " + a formatted line into err (truncating safely). */
void mcpi_set_error(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ---- configuration ----------------------------------------------------- */

#define MCPI_DEFAULT_SAMPLES 100000000ull
#define MCPI_DEFAULT_REPEAT 3u
#define MCPI_MAX_THREADS 1024u
#define MCPI_BACKEND_LIST_LEN 512

typedef struct mcpi_config {
    uint64_t samples;      /* N, 1 .. 2^64-1 */
    uint64_t seed;
    char backends[MCPI_BACKEND_LIST_LEN]; /* --backend as given ("" = default) */
    unsigned threads;      /* 0 = every online core (divided among local MPI ranks) */
    unsigned ranks_per_node; /* set by the runner from the communicator; 0 = 1 */
    unsigned repeat;       /* timed repeats, 1 .. MCPI_MAX_REPEAT */
    unsigned warmup;       /* untimed repeats before them */
    mcpi_format format;
    const char *output;    /* NULL = stdout */
    int quiet;
    int per_rank;          /* table rows per rank too */
    /* OpenCL tuning; 0 = chosen from the device */
    unsigned work_group;
    uint64_t per_item;
    uint64_t launch_samples; /* samples per launch cap (tests force tiny launches) */
    int no_cache;
    const char *build_options; /* extra OpenCL build options (tests break builds) */
    /* SIMD: instruction set forced by --isa or MCPI_ISA ("" = best available) */
    char isa[16];
    /* a calibration file (mcpi calibrate) for machine-normalised times */
    const char *calibration;
    /* --range BEGIN:END: count that sub-range of the stream instead of [0, N) */
    int has_range;
    uint64_t range_begin, range_end;
    /* checkpoint/resume and progress */
    const char *checkpoint;      /* --checkpoint FILE */
    const char *resume;          /* --resume FILE */
    double checkpoint_interval_s; /* 0 = default */
    int progress;                /* 1 = --progress forces it on */
} mcpi_config;

/* Fills defaults: N = MCPI_DEFAULT_SAMPLES, seed 0, every backend, 3 repeats,
 * 1 warm-up, table on stdout. */
void mcpi_config_default(mcpi_config *cfg);
/* Checks every field's range; MCPI_EINVAL names the flag on failure. */
int mcpi_config_validate(const mcpi_config *cfg, char *err, size_t errlen);

/* ---- numbers ----------------------------------------------------------- */

/* Parses a sample count: "1000000", "1e6", "2.5e9", "2^20", "1_000" is not
 * accepted.  The value must be an integer in [1, 2^64-1].  0 or MCPI_EINVAL. */
int mcpi_parse_count(const char *s, uint64_t *out);
/* Parses a 64-bit unsigned: decimal or 0x hexadecimal.  0 or MCPI_EINVAL. */
int mcpi_parse_u64(const char *s, uint64_t *out);

/* ---- backends ---------------------------------------------------------- */

typedef enum { MCPI_DEV_CPU, MCPI_DEV_GPU, MCPI_DEV_ACCEL, MCPI_DEV_OTHER } mcpi_device_type;

/* One device a backend can run on. */
typedef struct mcpi_device_desc {
    char id[MCPI_NAME_LEN];            /* row name: "serial", "opencl:0.1" */
    char description[MCPI_DEVICE_LEN]; /* human-readable device */
    int platform, index;               /* OpenCL P.D; 0.0 for CPU backends */
    mcpi_device_type type;
    /* What `mcpi devices` shows; 0 or "" when unknown or not applicable. */
    char platform_name[MCPI_NAME_LEN];
    char platform_version[MCPI_NAME_LEN];
    char c_version[MCPI_NAME_LEN];  /* OpenCL C version, or the SIMD ISA */
    char driver_version[MCPI_NAME_LEN];
    unsigned compute_units;          /* cores for CPU backends */
    uint64_t max_work_group;
    uint64_t global_mem_bytes, local_mem_bytes;
    unsigned simd_lanes;             /* 32-bit lanes of the widest vector unit used */
} mcpi_device_desc;

/* A backend is a table of functions (DESIGN section 3). */
typedef struct mcpi_backend {
    const char *name;    /* "serial", "simd", "threads", "naive", "opencl" */
    const char *summary; /* one line for --help and `mcpi devices` */
    int exact;           /* 1: bit-identical sample stream; 0: teaching row */
    /* Fills up to cap descriptors and sets *count to the number that exist.
     * MCPI_EUNAVAIL (with the reason in err) when the backend cannot run. */
    int (*list)(mcpi_device_desc *out, size_t cap, size_t *count, char *err, size_t errlen);
    /* Opens one device.  Fills the record's static fields (device, threads,
     * device memory, init/build phases) and returns a state for count. */
    int (*open)(const mcpi_device_desc *dev, const mcpi_config *cfg, void **state,
                mcpi_record *rec, char *err, size_t errlen);
    /* Counts hits over samples [begin, end) for seed; adds per-repeat phases
     * to ph and may update rec's backend details. */
    int (*count)(void *state, uint64_t seed, uint64_t begin, uint64_t end, uint64_t *hits,
                 mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen);
    /* Releases everything open acquired; accepts NULL. */
    void (*close)(void *state);
} mcpi_backend;

extern const mcpi_backend mcpi_backend_serial;
extern const mcpi_backend mcpi_backend_simd;
extern const mcpi_backend mcpi_backend_threads;
extern const mcpi_backend mcpi_backend_naive;
extern const mcpi_backend mcpi_backend_opencl; /* lists "built without OpenCL" when absent */

/* Every backend known to this build, in default display order. */
const mcpi_backend *const *mcpi_backends(size_t *count);
/* The backend named name, or NULL. */
const mcpi_backend *mcpi_backend_find(const char *name);

/* ---- selection --------------------------------------------------------- */

#define MCPI_MAX_TARGETS 64

/* One row to run: a backend on a device. */
typedef struct mcpi_target {
    const mcpi_backend *backend;
    mcpi_device_desc dev;
    /* --backend auto: candidates are marked until one is chosen; the chosen
     * row carries the prediction and the line explaining it. */
    int auto_candidate;
    double auto_predicted_s; /* < 0 when not chosen by auto */
    char auto_note[MCPI_ERROR_LEN];
} mcpi_target;

/* Checks the syntax of a --backend list without touching any device:
 * names in {serial, simd, threads, naive, opencl, opencl:P.D, opencl:gpu,
 * opencl:cpu, opencl:accelerator, all, auto}.  0 or MCPI_EINVAL. */
int mcpi_selection_check(const char *list, char *err, size_t errlen);
/* Resolves a --backend list ("" = all) to targets, without duplicates.
 * MCPI_EINVAL for syntax, MCPI_EUNAVAIL naming what is available. */
int mcpi_selection_resolve(const char *list, mcpi_target *out, size_t cap, size_t *count,
                           char *err, size_t errlen);

/* ---- ranges ------------------------------------------------------------ */

/* Splits [0, n) into parts contiguous, ordered ranges whose sizes differ by
 * at most one; part k gets [*begin, *end).  Exact for every n and parts >= 1
 * (parts > n gives empty ranges), no overflow for n up to 2^64-1. */
void mcpi_split_range(uint64_t begin, uint64_t end, uint64_t parts, uint64_t k, uint64_t *b,
                      uint64_t *e);

/* ---- running ----------------------------------------------------------- */

/* How ranks talk.  mcpi_comm_self() is the one-process job; the MPI module
 * (mpi/mcpi_mpi.h) provides one over MPI_COMM_WORLD. */
typedef struct mcpi_comm mcpi_comm;
struct mcpi_comm {
    int rank, size;             /* in the job */
    int local_rank, local_size; /* on this node */
    char hostname[MCPI_HOST_LEN];
    void *impl;
    int (*barrier)(mcpi_comm *c);
    /* Sums v over ranks; every rank gets the sum. */
    int (*sum_u64)(mcpi_comm *c, uint64_t *v);
    /* Element-wise max of n doubles over ranks; every rank gets it. */
    int (*max_doubles)(mcpi_comm *c, double *v, int n);
    /* Minimum of an int over ranks (statuses are negative: the worst wins). */
    int (*min_int)(mcpi_comm *c, int *v);
    /* Gathers one record per rank into all[size] on rank 0 (all unused elsewhere). */
    int (*gather_records)(mcpi_comm *c, const mcpi_record *mine, mcpi_record *all);
    /* Ends every rank at once with code (used only when agreement is impossible). */
    void (*abort)(mcpi_comm *c, int code);
};

/* A one-process communicator. */
void mcpi_comm_self(mcpi_comm *c);

/* Runs one target on this rank's share of [0, N): opens it, runs warm-up and
 * timed repeats (every rank starts each repeat together), closes it.  Fills
 * mine (this rank's record); on rank 0 fills job (the whole job's row: hits
 * summed, each repeat's time the slowest rank's) and, when rank_rows is not
 * NULL, rank_rows[size].  Returns 0, or the job's worst status (the same on
 * every rank); a failed row carries its message in job->error. */
int mcpi_run_target(const mcpi_config *cfg, const mcpi_target *t, mcpi_comm *comm,
                    mcpi_record *mine, mcpi_record *job, mcpi_record *rank_rows);

/* Checks --checkpoint and --resume before anything runs: a checkpointed run
 * is one timed pass (--repeat 1 --warmup 0) of exactly one backend row (one
 * backend under MPI, where a backend's devices make one row; ranks is the
 * job's rank count), and a --resume file must be a valid checkpoint of this
 * run (same seed and range).  Reads that file: call it on rank 0 and agree.
 * 0 when neither flag is given or all holds, else MCPI_EINVAL naming the
 * flag.  mcpi_run_target checks the same; calling this first lets a command
 * refuse with one line before any row runs or any report is written. */
int mcpi_run_check(const mcpi_config *cfg, int ranks, char *err, size_t errlen);

/* ---- devices ---------------------------------------------------------------- */

/* Writes every backend and its devices (or why it is unavailable) in fmt
 * (table, json, csv or markdown).  Returns 0 or MCPI_EIO. */
int mcpi_devices_write(FILE *out, mcpi_format fmt);

/* ---- the command line ---------------------------------------------------- */

/* Runs the mcpi command line (argv as given to main) on this rank.  Only rank
 * 0 prints reports and writes files; every rank returns the same exit code
 * (README "Exit codes"). */
int mcpi_cli_main(int argc, char **argv, mcpi_comm *comm);

#ifdef __cplusplus
}
#endif
#endif /* MCPI_H */

/* mcpi.h - the mcpi engine: configuration, backends, selection, runs, stop
 * requests, files, devices and calibration.  The command line (host/cli/)
 * is a thin layer over this header.
 *
 * Error convention (every function of libmcpi, written once): 0 means
 * success; a failure returns a negative MCPI_E* status (the one list is
 * MCPI_STATUS_MAP in mcpi_profile.h: value, message, exit code).  Functions
 * that take an (err, errlen) buffer write one human-readable line there on
 * failure ("mcpi: " first), naming the flag, file or device and what is
 * accepted or available; foreign codes (cl_int, MPI error strings) are kept
 * in that line.  The library never prints and never exits: what it has to
 * say besides a status (a corrupt cache entry it replaced, an OpenCL build
 * log, progress) goes to the hooks of the configuration (mcpi_hooks), which
 * the command line points at stderr.  The only ways out of the process are
 * a communicator's abort, when ranks can no longer agree, and a second stop
 * signal (mcpi_stop_install).
 *
 * This header never includes CL/cl.h or mpi.h: those live behind
 * MCPI_WITH_OPENCL / MCPI_WITH_MPI in their own modules. */
#ifndef MCPI_H
#define MCPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mcpi_mpi.h"
#include "mcpi_profile.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MCPI_VERSION_MAJOR 0
#define MCPI_VERSION_MINOR 1
#define MCPI_VERSION_PATCH 0
#define MCPI_VERSION_STRING "0.1.0"

/* ---- what the engine tells its caller ------------------------------------ */

/* Kinds of notes: a warning (something went wrong and was worked around:
 * a corrupt cache entry rebuilt, an unwritable cache), an OpenCL build log
 * (several lines), or information (what the engine chose, e.g. a reference
 * row added to a sweep). */
typedef enum { MCPI_NOTE_WARNING, MCPI_NOTE_BUILD_LOG, MCPI_NOTE_INFO } mcpi_note_kind;

/* Callbacks a caller installs in mcpi_config.hooks; NULL ones are skipped.
 * note gets one message (a build log may hold newlines, no trailing one);
 * progress gets the state of a counting pass after every chunk (only on the
 * rank that reports, rank 0).  Neither may call back into the engine. */
typedef struct mcpi_hooks {
    void (*note)(void *ctx, mcpi_note_kind kind, const char *text);
    void (*progress)(void *ctx, const mcpi_progress *p);
    void *ctx;
} mcpi_hooks;

/* ---- configuration ----------------------------------------------------- */

#define MCPI_DEFAULT_SAMPLES 100000000ull
#define MCPI_DEFAULT_REPEAT 3u
#define MCPI_MAX_THREADS 1024
#define MCPI_BACKEND_LIST_LEN 512

typedef struct mcpi_config {
    uint64_t samples; /* N, 1 .. 2^64-1 */
    uint64_t seed;
    char backends[MCPI_BACKEND_LIST_LEN]; /* --backend as given ("" = default) */
    unsigned threads;        /* 0 = every online core (divided among local MPI ranks) */
    unsigned ranks_per_node; /* set by the runner from the communicator; 0 = 1 */
    unsigned repeat;         /* timed repeats, 1 .. MCPI_MAX_REPEAT */
    unsigned warmup;         /* untimed repeats before them */
    mcpi_format format;
    const char *output; /* NULL = stdout */
    int quiet;
    int per_rank; /* table rows per rank too */
    /* OpenCL tuning; 0 = chosen from the device */
    unsigned work_group;
    uint64_t per_item;
    uint64_t launch_samples; /* samples per launch cap (tests force tiny launches) */
    unsigned ocl_vector;     /* --ocl-vector: kernel path, 1 scalar or 4/8/16 lanes; 0 = auto */
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
    const char *checkpoint;       /* --checkpoint FILE */
    const char *resume;           /* --resume FILE */
    double checkpoint_interval_s; /* 0 = default */
    int progress;                 /* 1 = --progress forces it on */
    /* the scheduler */
    mcpi_verify_mode verify; /* --verify (default: sample) */
    int balance;             /* --balance: split the job by each rank's rate */
    mcpi_hooks hooks;        /* notes and progress (none by default) */
} mcpi_config;

/* Cores this process may run on (affinity mask, e.g. under MPI binding or
 * cgroups), at least 1. */
unsigned mcpi_cpu_usable(void);

/* Fills defaults: N = MCPI_DEFAULT_SAMPLES, seed 0, every backend, 3 repeats,
 * 1 warm-up, table on stdout. */
void mcpi_config_default(mcpi_config *cfg);
/* Checks every field's range; MCPI_EINVAL names the flag on failure. */
int mcpi_config_validate(const mcpi_config *cfg, char *err, size_t errlen);

/* ---- backends ---------------------------------------------------------- */

/* A backend is a table of functions (DESIGN section 3). */
typedef struct mcpi_backend {
    const char *name;    /* "serial", "simd", "threads", "naive", "opencl" */
    const char *summary; /* one line for --help and `mcpi devices` */
    int exact;           /* 1: bit-identical sample stream; 0: teaching row */
    /* What a report says of this backend's rows, copied into their records:
     * for an inexact row, what it is instead of the stream; for a runtime
     * whose own pools grow (OpenCL), the cause of small memory growth. */
    const char *inexact_note; /* NULL for exact backends */
    const char *growth_note;  /* NULL when none */
    /* 1: open chooses a launch geometry (record's ocl fields), which `mcpi
     * devices` shows by opening each device. */
    int launch_geometry;
    /* Fills up to cap descriptors and sets *count to the number that exist.
     * MCPI_EUNAVAIL (with the reason in err) when the backend cannot run. */
    int (*list)(mcpi_device_desc *out, size_t cap, size_t *count, char *err, size_t errlen);
    /* Opens one device.  Fills the record's static fields (device, threads,
     * device memory, init/build phases) and returns a state for count. */
    int (*open)(const mcpi_device_desc *dev, const mcpi_config *cfg, void **state, mcpi_record *rec,
                char *err, size_t errlen);
    /* Counts hits over samples [begin, end) for seed; adds per-repeat phases
     * to ph and may update rec's backend details.  flags: MCPI_COUNT_VERIFY
     * marks a small verification chunk, which the backend counts through
     * the same code path and launch geometry as its large chunks (the same
     * per-item work and vector path, fewer work-groups or thread shares). */
    int (*count)(void *state, uint64_t seed, uint64_t begin, uint64_t end, unsigned flags,
                 uint64_t *hits, mcpi_phases *ph, mcpi_record *rec, char *err, size_t errlen);
    /* The smallest range that runs the open device's whole code path
     * (a verification chunk's size); NULL: 4096 samples. */
    uint64_t (*verify_samples)(void *state);
    /* Releases everything open acquired; accepts NULL. */
    void (*close)(void *state);
    /* Philox4x32-10 on the open device, through the same core as its
     * counting (mcpi selftest's known answers): in[i] = counter words 0..3
     * and key words 0..1, out[i] = the four output words.  NULL: the backend
     * counts with the host's core (kernels/mcpi_core.h) itself. */
    int (*philox)(void *state, const uint32_t (*in)[6], size_t n, uint32_t (*out)[4], char *err,
                  size_t errlen);
} mcpi_backend;

/* count's flags. */
#define MCPI_COUNT_VERIFY 1u

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

/* One worker of a row: a backend on one of its devices. */
typedef struct mcpi_target_worker {
    const mcpi_backend *backend;
    mcpi_device_desc dev;
} mcpi_target_worker;

/* One row to run: one worker ("threads", "opencl:0.0") or several counting
 * one range together ("threads+opencl:0.0", "node"). */
typedef struct mcpi_target {
    char name[MCPI_NAME_LEN]; /* the row's name */
    size_t nworkers;
    mcpi_target_worker workers[MCPI_MAX_WORKERS];
    /* --backend auto: candidates are marked until one is chosen; the chosen
     * row carries the prediction and the line explaining it. */
    int auto_candidate;
    double auto_predicted_s; /* < 0 when not chosen by auto */
    char auto_note[MCPI_ERROR_LEN];
} mcpi_target;

/* Makes t the one-worker row of backend b on device d (named d->id). */
void mcpi_target_single(mcpi_target *t, const mcpi_backend *b, const mcpi_device_desc *d);

/* Checks the syntax of a --backend list without touching any device: a
 * comma list of rows, each a name in {serial, simd, threads, naive, opencl,
 * opencl:P.D, opencl:gpu, opencl:cpu, opencl:accelerator, node, all, auto}
 * or several exact ones joined by '+' (one row counted by all of them).
 * 0 or MCPI_EINVAL. */
int mcpi_selection_check(const char *list, char *err, size_t errlen);
/* Resolves a --backend list ("" = all: every backend's devices, and the
 * node row when there is an OpenCL device that is not a CPU) to targets,
 * without duplicates.  MCPI_EINVAL for syntax, MCPI_EUNAVAIL naming what is
 * available. */
int mcpi_selection_resolve(const char *list, mcpi_target *out, size_t cap, size_t *count, char *err,
                           size_t errlen);

/* The rows of a run, agreed on by every rank (collective): resolves
 * cfg->backends, lets --backend auto choose (rank 0 probes, every rank takes
 * its pick), makes several devices of one backend one row under MPI (local
 * rank k takes device k mod count), and checks --checkpoint/--resume
 * (mcpi_run_check).  Fills targets[MCPI_MAX_TARGETS] and *count.  Returns the
 * agreed status; a rank that knows why it failed has the line in err (the
 * others have "").  Rows' auto notes are filled on rank 0. */
int mcpi_select(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *targets, size_t *count,
                char *err, size_t errlen);

/* ---- running ----------------------------------------------------------- */

/* Runs one target on this rank's share of [0, N): opens it, runs warm-up and
 * timed repeats (every rank starts each repeat together), closes it.  Fills
 * mine (this rank's record); on rank 0 fills job (the whole job's row: hits
 * summed, each repeat's time the slowest rank's) and, when rank_rows is not
 * NULL, rank_rows[size].  Returns 0, or the job's worst status (the same on
 * every rank); a failed row carries its message in job->error. */
int mcpi_run_target(const mcpi_config *cfg, const mcpi_target *t, mcpi_comm *comm,
                    mcpi_record *mine, mcpi_record *job, mcpi_record *rank_rows);

/* Runs every target in order at cfg->samples (collective): rows[n] get the
 * job rows and rank_rows[n * comm->size] (may be NULL) the per-rank rows, on
 * rank 0 (elsewhere rows is scratch of at least one record).  Returns the
 * worst status, the same on every rank; each failed row has its message in
 * its error.  Exact rows over the same samples must count the same hits:
 * when two do not, MCPI_EBACKEND with both in err (rank 0). */
int mcpi_run_rows(const mcpi_config *cfg, const mcpi_target *targets, size_t n, mcpi_comm *comm,
                  mcpi_record *rows, mcpi_record *rank_rows, char *err, size_t errlen);

/* Checks --checkpoint and --resume before anything runs: a checkpointed run
 * is one timed pass (--repeat 1 --warmup 0) of exactly one backend row among
 * targets[n], the run's (one backend under MPI, where a backend's devices
 * make one row; ranks is the job's rank count), and a --resume file must be a valid checkpoint of
 * this run (same seed and range).  Reads that file: call it on rank 0 and agree. 0 when neither
 * flag is given or all holds, else MCPI_EINVAL naming the flag.  mcpi_run_target checks the same;
 * calling this first lets a command refuse with one line before any row runs or any report is
 * written. */
int mcpi_run_check(const mcpi_config *cfg, const mcpi_target *targets, size_t n, int ranks,
                   char *err, size_t errlen);

/* What a checkpoint says of its run: `mcpi --resume FILE` alone continues
 * it with these (values given again must match). */
typedef struct mcpi_checkpoint_run {
    uint64_t seed, begin, end; /* samples [begin, end) of the stream for seed */
    uint64_t done;             /* samples counted so far */
    char row[MCPI_NAME_LEN];   /* the row that wrote it ("" when not said) */
} mcpi_checkpoint_run;

/* Reads and checks the checkpoint at path (as --resume does) into *run.
 * 0, or MCPI_EINVAL with a line naming --resume and the path in err;
 * MCPI_ENOMEM. */
int mcpi_checkpoint_describe(const char *path, mcpi_checkpoint_run *run, char *err, size_t errlen);

/* ---- --backend auto ---------------------------------------------------------- */

/* Re-probes the --backend auto model of every available exact backend with
 * cfg's settings (as ranks_per_node ranks of a node would run them) and
 * caches it, unless cfg->no_cache.  *probed gets the number of backends
 * probed.  0, or a status with the reason in err. */
int mcpi_auto_refresh(const mcpi_config *cfg, unsigned ranks_per_node, size_t *probed, char *err,
                      size_t errlen);

/* ---- stop requests ------------------------------------------------------------ */

/* SIGTERM, SIGINT and SIGUSR1 as a request to stop at the next chunk
 * boundary of a run (the one piece of process-wide state: a
 * signal handler can reach nothing else).  The executable installs the
 * handlers first thing in main, before MPI start-up (which can take seconds:
 * a name lookup that times out, a cluster's wire-up), so a signal that
 * reaches a rank at any moment after it started is caught; the command line
 * keeps them for the commands that count (run, sweep, scale) and releases
 * them for the others.
 * The handler records the first signal's number; the runner polls it
 * between chunks, every rank agrees to stop, rank 0 writes the checkpoint
 * (when there is one) and the run ends with MCPI_EINTERRUPTED; rows not yet
 * started are not started.  A second signal while the first
 * is pending ends the process at once with _exit(128 + signal number): the
 * checkpoint on disk stays valid because it is only replaced by rename. */

/* Installs the handlers (sigaction, SA_RESTART).  Idempotent: a second call
 * keeps the handlers and any pending request.  0, or MCPI_EINVAL with a
 * line in err. */
int mcpi_stop_install(char *err, size_t errlen);
/* Puts the handlers back where a library replaced them since install: the
 * LLVM inside an OpenCL runtime (PoCL) takes SIGUSR1 as its "info" signal
 * when it compiles a kernel and does not pass it on.  The scheduler calls it
 * at every tick and after opening a row's workers; a SIGUSR1 between such a
 * compilation and the next tick is LLVM's.  No-op when not installed. */
void mcpi_stop_reassert(void);
/* The number of the first signal received since install, or 0. */
int mcpi_stop_pending(void);
/* Restores the handlers in place before install and clears the request. */
void mcpi_stop_restore(void);
/* Restores the handlers in place before install; a request that arrived
 * while they were installed is raised again, so it takes the action it
 * would have taken without them (for the default action: the process ends
 * by that signal). */
void mcpi_stop_release(void);
/* Exit code of the immediate exit on a second signal: 128 + signo. */
int mcpi_stop_second_exit_code(int signo);

/* ---- files -------------------------------------------------------------------- */

/* Who may read a file written by mcpi_write_atomic. */
typedef enum {
    MCPI_FILE_SHARED, /* 0644 less the umask, as open(path, ..., 0644) would make it */
    MCPI_FILE_PRIVATE /* 0600: caches, like the rest of ~/.cache */
} mcpi_file_mode;

/* Every file mcpi writes (reports, checkpoints, calibrations, cache entries)
 * goes through mcpi_write_atomic, so readers see the old file or the new
 * one, never a torn one, and no temporary is left behind on any failure:
 * writer fills a temporary made by mkstemp in path's directory, which is
 * flushed, fsynced, closed and renamed over path; the directory is then
 * fsynced (best effort).  A symbolic link is followed: its target is
 * replaced and the link stays.  A character device or a FIFO that exists
 * (/dev/null, a terminal, a pipe to a reader) is written in place, never
 * replaced; any other path that is not a regular file is refused.  label names what the user asked
 * for
 * ("-o/--output", "--checkpoint") and starts the one-line message
 * "LABEL: cannot STEP 'PATH': reason" in err.  Returns 0; writer's own code
 * when it fails; otherwise MCPI_EIO, with errno left at the cause. */
int mcpi_write_atomic(const char *path, const char *label, mcpi_file_mode mode,
                      int (*writer)(FILE *out, const void *ctx), const void *ctx, char *err,
                      size_t errlen);
/* mcpi_write_atomic of len bytes at data. */
int mcpi_write_atomic_bytes(const char *path, const char *label, mcpi_file_mode mode,
                            const void *data, size_t len, char *err, size_t errlen);
/* Checks, before any work, that mcpi_write_atomic could write path by its
 * rules above: a file a temporary can be made (and is removed) beside, or
 * a writable character device or FIFO.  0, or MCPI_EINVAL (bad input) with
 * "LABEL: ..." in err. */
int mcpi_probe_writable(const char *path, const char *label, char *err, size_t errlen);
/* 1 when a and b name the same file (links followed; either may not exist
 * yet), else 0: --checkpoint and -o must differ. */
int mcpi_same_file(const char *a, const char *b);

/* Reads the whole of path, a regular file of at most max bytes, into a
 * malloc'd buffer with a NUL after the last byte (*len excludes it; free it
 * with free).  Whatever is not a regular file (a FIFO, a device, a
 * directory) is refused without reading it, so a reader never blocks.
 * MCPI_EUNAVAIL when path does not exist; MCPI_EIO when it cannot be read,
 * is not a regular file or is larger than max; MCPI_ENOMEM.  err gets
 * "LABEL: 'PATH' ...: reason". */
int mcpi_read_file(const char *path, const char *label, size_t max, char **data, size_t *len,
                   char *err, size_t errlen);

/* The cache directory: $MCPI_CACHE_DIR, else $XDG_CACHE_HOME/mcpi, else
 * $HOME/.cache/mcpi (empty variables count as unset); not created.
 * MCPI_EUNAVAIL when none is set, MCPI_EINVAL when the path does not fit in
 * dirlen; err says which. */
int mcpi_cache_dir(char *dir, size_t dirlen, char *err, size_t errlen);
/* mkdir -p: creates dir and its missing parents.  0, or MCPI_EIO with errno
 * set (ENOTDIR when dir exists but is not a directory). */
int mcpi_make_dirs(const char *dir);

/* ---- devices -------------------------------------------------------------------- */

/* Every backend of this build and its devices, or why it cannot run, for
 * `mcpi devices` (written by mcpi_devices_write); with open_devices, each
 * device of a backend with a launch geometry is opened to show it (an
 * OpenCL device builds or loads its kernel).  0 or MCPI_ENOMEM; free the
 * listing with mcpi_device_listing_free. */
int mcpi_devices_list(mcpi_device_listing *out, int open_devices);

/* ---- machine calibration ---------------------------------------------------------- */

/* Measures this machine in stones (see mcpi_profile.h): the scalar
 * reference core over samples [0, 2^24) of seed 0, one untimed run, then
 * 3 to 11 timed ones within about a second; fills run (not its path).
 * MCPI_EBACKEND when the reference counts wrong hits. */
int mcpi_calibration_measure(mcpi_calibration_run *run, char *err, size_t errlen);
/* Reads a calibration file written by mcpi calibrate.  MCPI_EUNAVAIL when
 * path does not exist, MCPI_EIO when it cannot be read, MCPI_EINVAL when it
 * is not a calibration; err names label and path. */
int mcpi_calibration_load(const char *path, const char *label, mcpi_calibration *cal, char *err,
                          size_t errlen);
/* The default calibration file, calibration.json in the cache directory.
 * 0, or a status with the reason in err (no cache directory). */
int mcpi_calibration_default_path(char *path, size_t len, char *err, size_t errlen);

/* ---- instruction sets ---------------------------------------------------------------- */

/* The SIMD instruction sets mcpi knows, widest first, as "avx512, avx2,
 * sse2, portable"; and 1 when name is one of them (whether or not this CPU
 * has it). */
const char *mcpi_isa_names(void);
int mcpi_isa_known(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* MCPI_H */

/* mcpi_profile.h - the records layer: statuses, clocks, memory probes, the
 * run record, statistics, and every writer (table, CSV, JSON, Markdown) of
 * runs, sweeps, devices, calibrations and progress lines.
 *
 * Every timed run of one backend on one device (and, under MPI, on one rank)
 * produces one mcpi_record.  Reports are pure functions of records: no
 * writer measures anything, and none knows a backend by name (what a report
 * says of a row comes from its record).
 *
 * Error convention: functions returning int return 0 on success and a
 * negative MCPI_E* status of MCPI_STATUS_MAP below on failure. */
#ifndef MCPI_PROFILE_H
#define MCPI_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

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
/* A message of mcpi_set_error without its "mcpi: ", to quote it inside
 * another ("--backend opencl: not available: no OpenCL platform found"). */
const char *mcpi_error_text(const char *err);

/* Longest --repeat accepted; records keep every repeat's time inline so they
 * can be gathered over MPI as plain bytes. */
#define MCPI_MAX_REPEAT 1000
#define MCPI_NAME_LEN 64
#define MCPI_DEVICE_LEN 128
#define MCPI_HOST_LEN 64
#define MCPI_ERROR_LEN 512
#define MCPI_NOTE_LEN 160

/* Phases of a run.  One-time phases (init, build) are measured once when a
 * device is opened; the others are per-repeat means over the timed repeats.
 * A phase a backend does not have is absent (its bit clear in phase_mask). */
#define MCPI_PHASE_MAP(XX)                                                                         \
    XX(INIT, "init", 1)                                                                            \
    XX(BUILD, "build", 1)                                                                          \
    XX(H2D, "host_to_device", 0)                                                                   \
    XX(KERNEL, "kernel", 0)                                                                        \
    XX(D2H, "device_to_host", 0)                                                                   \
    XX(REDUCE, "reduce", 0)                                                                        \
    XX(COMM, "communicate", 0)

typedef enum {
#define XX(id, name, once) MCPI_PHASE_##id,
    MCPI_PHASE_MAP(XX)
#undef XX
        MCPI_PHASE_COUNT
} mcpi_phase;

/* Name used in every export ("kernel", "host_to_device", ...). */
const char *mcpi_phase_name(mcpi_phase p);
/* 1 for phases measured once per open (init, build), else 0. */
int mcpi_phase_once(mcpi_phase p);

/* Seconds per phase, filled by a backend during open or one count call. */
typedef struct mcpi_phases {
    double s[MCPI_PHASE_COUNT];
    unsigned mask; /* bit p set: phase p was measured */
} mcpi_phases;

void mcpi_phases_clear(mcpi_phases *ph);
/* Adds seconds to phase p and marks it present. */
void mcpi_phases_add(mcpi_phases *ph, mcpi_phase p, double seconds);

/* OpenCL-specific details of a row; zero/empty for other backends. */
typedef struct mcpi_ocl_detail {
    int cache;              /* -1 not used, 0 miss (built), 1 hit (loaded), 2 bypassed */
    uint64_t launches;      /* kernel launches per repeat */
    uint64_t global_size;   /* work-items per launch */
    uint64_t local_size;    /* work-group size */
    uint64_t per_item;      /* samples per work-item per launch */
    unsigned compute_units; /* the device's */
    unsigned process_cpus;  /* CPU devices: cores this process may run on (affinity mask,
                             * e.g. MPI binding); 0 for other devices */
    /* Event times of the last kernel launch (ns, device clock, relative to queued). */
    double ev_submit_ns, ev_start_ns, ev_end_ns;
    /* The geometry open chose: the kernel's largest work-group on this
     * device (CL_KERNEL_WORK_GROUP_SIZE within the device's limits), its
     * preferred multiple, the kernel path (1 scalar, 4/8/16 vector lanes),
     * work-groups per full launch, and where the work-group size came from
     * (MCPI_GEOMETRY_*). */
    uint64_t kernel_max_work_group, preferred_multiple;
    unsigned vector;
    uint64_t groups;
    int geometry_source;
} mcpi_ocl_detail;

/* mcpi_ocl_detail.geometry_source. */
enum {
    MCPI_GEOMETRY_RULE = 0,   /* the device kind's default */
    MCPI_GEOMETRY_GIVEN = 1,  /* --work-group */
    MCPI_GEOMETRY_PROBED = 2, /* probed now and cached */
    MCPI_GEOMETRY_CACHED = 3  /* a probe's choice read from the cache */
};
/* "rule", "given", "probed", "cached". */
const char *mcpi_geometry_source_name(int source);

/* Most workers in one row (`--backend A+B+...`, `node`). */
#define MCPI_MAX_WORKERS 8

/* One worker of a row: its share of the row's last timed pass on this rank
 * (samples, hits, chunks), its busy time in that pass and its idle time at
 * the end (from its last chunk to the row's last), and what the reference
 * core verified of it over every pass. */
typedef struct mcpi_worker_record {
    char name[MCPI_NAME_LEN]; /* "threads", "opencl:0.0" */
    char device[MCPI_DEVICE_LEN];
    uint64_t samples, hits, chunks;
    double busy_s, idle_s;
    uint64_t verified_chunks, verified_samples;
} mcpi_worker_record;

/* How the scheduler checks a row against the reference core. */
typedef enum {
    MCPI_VERIFY_SAMPLE, /* a few small chunks per worker and pass (default) */
    MCPI_VERIFY_OFF,
    MCPI_VERIFY_FULL /* every chunk */
} mcpi_verify_mode;

/* "sample", "off", "full". */
const char *mcpi_verify_name(mcpi_verify_mode m);

/* One timed run of one row (one or several workers) on one rank. */
typedef struct mcpi_record {
    /* identity */
    char name[MCPI_NAME_LEN];     /* row name: "serial", "threads", "opencl:0.0" */
    char backend[MCPI_NAME_LEN];  /* backend: "serial", "opencl", ... */
    char device[MCPI_DEVICE_LEN]; /* device description */
    char hostname[MCPI_HOST_LEN];
    int rank, local_rank, ranks; /* ranks: ranks that ran this row (job rows) */
    unsigned threads;
    int exact; /* 1: follows the normative stream; 0: naive teaching row */
    /* work */
    uint64_t seed, begin, end, samples, hits;
    /* time */
    unsigned repeats; /* timed repeats in repeat_s */
    double repeat_s[MCPI_MAX_REPEAT];
    mcpi_phases phases;
    /* memory */
    int64_t host_peak_bytes;   /* high-water RSS during this row, -1 unknown */
    int64_t host_growth_bytes; /* RSS after last repeat - after first, -1 unknown */
    int64_t device_bytes;      /* bytes mcpi allocated on the device, -1 n/a */
    int64_t device_mem_bytes;  /* device global memory size, -1 n/a */
    mcpi_ocl_detail ocl;
    /* --backend auto: the predicted time of this row (< 0 when the row was
     * not chosen by auto) and the line saying why it was chosen */
    double auto_predicted_s;
    char auto_note[MCPI_ERROR_LEN];
    /* What the backend says of its rows (mcpi_backend's notes, "" for none):
     * for a row off the exact stream, what it is instead; the known cause of
     * small memory growth (a runtime's own pools). */
    char inexact_note[MCPI_NOTE_LEN];
    char growth_note[MCPI_NOTE_LEN];
    /* outcome: 0, or a negative MCPI_E* code with a message; a failed row
     * keeps its identity so reports can show it without losing other rows. */
    int status;
    char error[MCPI_ERROR_LEN];
    /* the row's workers, and what was verified of them */
    unsigned nworkers;
    mcpi_worker_record workers[MCPI_MAX_WORKERS];
    mcpi_verify_mode verify;
    uint64_t verified_chunks, verified_samples; /* over every pass, all workers */
    double verify_s;                            /* the reference's recount time */
} mcpi_record;

/* Statistics of the timed repeats of a record. */
typedef struct mcpi_stats {
    double median, min, max, mean, rsd; /* rsd: relative standard deviation, 0..1 */
} mcpi_stats;

void mcpi_record_init(mcpi_record *r);
mcpi_stats mcpi_record_stats(const mcpi_record *r);

/* The row's estimate: *pi = 4*hits/samples and its standard error
 * *se = 4*sqrt(p(1-p)/samples), p = hits/samples (DESIGN section 1).  Both
 * are 0 when samples is 0.  Either pointer may be NULL. */
void mcpi_record_pi(const mcpi_record *r, double *pi, double *se);
/* The estimate's error in standard errors, (pi - M_PI)/se; NaN when se is 0
 * (every or no sample inside, or no samples).  Reporters print NaN as "-"
 * (table, Markdown), an empty field (CSV) or null (JSON). */
double mcpi_record_err_se(const mcpi_record *r);

/* ---- clocks and memory ------------------------------------------------- */

/* Monotonic seconds since an arbitrary origin. */
double mcpi_now(void);

/* Resets the process's RSS high-water mark so the next mcpi_mem_peak_bytes()
 * belongs to what ran since.  Returns 0, or MCPI_EUNAVAIL when the platform cannot reset
 * it (then the peak is the process lifetime peak; see README). */
int mcpi_mem_reset_peak(void);
/* Resident-set high-water mark in bytes, -1 when unknown. */
int64_t mcpi_mem_peak_bytes(void);
/* Current anonymous resident memory (Linux RssAnon: heap, stacks), else the
 * resident-set size, in bytes; -1 when unknown.  Used for growth. */
int64_t mcpi_mem_current_bytes(void);

/* ---- formats ------------------------------------------------------------ */

typedef enum {
    MCPI_FORMAT_TABLE,
    MCPI_FORMAT_CSV,
    MCPI_FORMAT_JSON,
    MCPI_FORMAT_MARKDOWN
} mcpi_format;

/* ---- devices ---------------------------------------------------------- */

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
    char c_version[MCPI_NAME_LEN]; /* OpenCL C version, or the SIMD ISA */
    char driver_version[MCPI_NAME_LEN];
    unsigned compute_units; /* cores for CPU backends */
    uint64_t max_work_group;
    uint64_t global_mem_bytes, local_mem_bytes;
    unsigned simd_lanes; /* 32-bit lanes of the widest vector unit used */
} mcpi_device_desc;

/* The launch geometry a device's open chose (`mcpi devices` opens each
 * OpenCL device, building or loading its kernel): the fields of
 * mcpi_ocl_detail, or why the device could not be opened. */
typedef struct mcpi_device_geometry {
    int known;           /* 1: the fields below hold; 0: error says why (or "") */
    uint64_t work_group; /* the default work-group size */
    uint64_t kernel_max_work_group, preferred_multiple;
    uint64_t groups; /* work-groups of a full launch */
    unsigned vector; /* kernel path: 1 scalar, 4/8/16 lanes, 0 from --build-options */
    int source;      /* MCPI_GEOMETRY_* */
    char error[MCPI_ERROR_LEN];
} mcpi_device_geometry;

/* One backend of `mcpi devices`: its devices, or why it cannot run. */
typedef struct mcpi_device_backend {
    char name[MCPI_NAME_LEN];
    char summary[MCPI_DEVICE_LEN];
    int exact;
    int available; /* 0: reason says why */
    char reason[MCPI_ERROR_LEN];
    mcpi_device_desc *devices; /* ndevices of them (malloc'd) */
    size_t ndevices;
    mcpi_device_geometry *geometry; /* ndevices of them (malloc'd), or NULL */
} mcpi_device_backend;

typedef struct mcpi_device_listing {
    const char *version;
    unsigned cpus_online, cpus_usable;
    mcpi_device_backend *backends; /* nbackends of them (malloc'd) */
    size_t nbackends;
} mcpi_device_listing;

/* Writes a listing as a table, JSON, CSV (one line per device, one per
 * unavailable backend) or Markdown.  0 or MCPI_EIO. */
int mcpi_devices_write(FILE *out, mcpi_format fmt, const mcpi_device_listing *l);
/* Frees what a listing holds (not the listing itself); accepts NULL. */
void mcpi_device_listing_free(mcpi_device_listing *l);

/* ---- reports ----------------------------------------------------------- */

/* ---- machine calibration ("measuring in stones") ----------------------
 *
 * One stone is the time this machine takes to count MCPI_STONE_SAMPLES
 * samples (seed 0, samples [0, 2^24)) with the scalar reference core (the
 * `serial` backend).  `mcpi calibrate` measures the reference core's speed
 * in samples/s; a time t in seconds is then t * samples_per_s / 2^24 stones.
 * A run that takes 3 stones takes 3 stones on any machine whose speed
 * scales like the reference core, so rows from different nodes compare. */
#define MCPI_STONE_SAMPLES 16777216ull /* 2^24 */

/* A calibration as saved by `mcpi calibrate` (calibration.json). */
typedef struct mcpi_calibration {
    double samples_per_s;         /* reference core speed; > 0 when valid */
    char hostname[MCPI_HOST_LEN]; /* where it was measured */
    char cpu_model[MCPI_DEVICE_LEN];
    char date[32]; /* ISO 8601 UTC, "2024-05-01T12:00:00Z" */
} mcpi_calibration;

/* Seconds expressed in stones under cal: t * cal->samples_per_s / 2^24.
 * NaN when t is not finite or cal is NULL or has no speed. */
double mcpi_stones(const mcpi_calibration *cal, double seconds);

/* The reference workload and its known answer (a machine that counts
 * otherwise computes wrong results), and the longest measurement. */
#define MCPI_STONE_SEED 0u
#define MCPI_STONE_HITS 13174210ull
#define MCPI_CALIBRATION_MAX_REPEATS 11
#define MCPI_PATH_LEN 4096

/* One `mcpi calibrate`: what was measured and where it is saved. */
typedef struct mcpi_calibration_run {
    const char *version;
    mcpi_calibration cal;
    unsigned repeats; /* timed repeats in times_s */
    double times_s[MCPI_CALIBRATION_MAX_REPEATS];
    double best_s; /* one stone on this machine */
    uint64_t hits; /* of the reference workload: MCPI_STONE_HITS */
    char path[MCPI_PATH_LEN];
} mcpi_calibration_run;

/* Writes a calibration: JSON is also the saved file's content.  0 or MCPI_EIO. */
int mcpi_calibration_write(FILE *out, mcpi_format fmt, const mcpi_calibration_run *run);
/* Parses the JSON of a calibration file into cal.  0, or MCPI_EINVAL (not a
 * calibration: wrong format or no positive reference speed), MCPI_ENOMEM. */
int mcpi_calibration_parse(const char *text, size_t len, mcpi_calibration *cal);

/* What a report knows besides its records. */
typedef struct mcpi_run_info {
    const char *version;
    uint64_t samples, seed;
    unsigned repeat, warmup;
    int ranks;
    unsigned threads;    /* --threads, 0 = automatic */
    int peak_resettable; /* 1 when host peaks are per row */
    /* Adds the machine-normalised time (stones) to every format; NULL = none. */
    const mcpi_calibration *calibration;
} mcpi_run_info;

/* ---- sweeps ------------------------------------------------------------
 *
 * A sweep is one run per sample count N.  Its reports show every point's
 * ratio table and, per row name, the crossover against the reference row
 * (`serial`): the smallest swept N from which the row's median time is
 * below the reference's at that N and at every larger swept N. */
typedef struct mcpi_sweep_point {
    uint64_t samples;
    const mcpi_record *rows; /* job rows of this N */
    size_t nrows;
    const mcpi_record *rank_rows; /* may be NULL */
    size_t nrank_rows;
} mcpi_sweep_point;

typedef enum {
    MCPI_CROSS_ALWAYS,    /* beats the reference from the smallest swept N */
    MCPI_CROSS_CROSSOVER, /* beats it from samples on, not before */
    MCPI_CROSS_NEVER      /* does not beat it at the largest swept N */
} mcpi_cross_kind;

typedef struct mcpi_crossover {
    char name[MCPI_NAME_LEN]; /* row name ("threads", "opencl:0.0") */
    char backend[MCPI_NAME_LEN];
    mcpi_cross_kind kind;
    uint64_t samples; /* the crossover N; 0 for MCPI_CROSS_NEVER */
} mcpi_crossover;

/* "always", "crossover", "never". */
const char *mcpi_cross_kind_name(mcpi_cross_kind k);

typedef struct mcpi_sweep {
    uint64_t from, to; /* as asked (--from, --to) */
    unsigned steps_per_decade;
    const char *reference;          /* the row name crossovers are against: "serial" */
    int reference_added;            /* 1: the reference was not selected, the sweep added it */
    const mcpi_sweep_point *points; /* increasing samples */
    size_t npoints;
} mcpi_sweep;

/* Crossovers of every row name other than the reference, in order of first
 * appearance.  A point where a row or the reference failed or has no time
 * counts as "does not beat".  Fills up to cap entries and sets *count to the
 * number of row names (so count > cap means truncated).  Pure: reads only
 * the records.  Returns 0, or MCPI_EINVAL when sw is NULL. */
int mcpi_sweep_crossovers(const mcpi_sweep *sw, mcpi_crossover *out, size_t cap, size_t *count);

/* ---- scaling studies -----------------------------------------------------
 *
 * `mcpi scale` counts one row at several worker counts p (threads, or MPI
 * ranks of sub-communicators).  Strong scaling keeps N fixed; weak scaling
 * keeps N per worker fixed (point p counts p * N).  Everything below is a
 * pure function of the points' job rows (their timed repeats).
 *
 * Per point, with T(p) the median time and (p0, T0) the point with the
 * fewest workers (the base; normally p0 = 1):
 *   strong: speedup S = p0 * T0 / T(p)           efficiency E = S / p
 *   weak:   scaled speedup S = p * T0 / T(p)     efficiency E = S / p = T0 / T(p)
 *           (for p0 > 1 both assume the base itself scaled perfectly)
 *   Karp-Flatt serial fraction e = (1/S - 1/p) / (1 - 1/p), for p > 1
 *   (NaN at p = 1).
 * Fits use every timed repeat of every point as one observation:
 *   Amdahl (strong): T(p) = a + b / p by least squares; the serial fraction
 *     f = a / (a + b), its standard error by the delta method from the
 *     fit's covariance (NaN with fewer than 3 observations or 2 distinct p).
 *   Gustafson (weak): S_i = p * T0 / t_i fitted to S = p - s (p - 1) by
 *     least squares over the observations with p > 1; s and its standard
 *     error (NaN with fewer than 2 such observations).
 * The fit "describes the data" unless a point's efficiency is above
 * MCPI_SCALE_SUPERLINEAR (superlinear: caches, or a slow base), the fitted
 * fraction is outside [0, 1] by more than two standard errors, or the
 * efficiency drops by more than MCPI_SCALE_DROP from one point to the next
 * where the number of hosts changes (a node boundary); note says which. */
#define MCPI_SCALE_MAX_POINTS 64
#define MCPI_SCALE_SUPERLINEAR 1.05
#define MCPI_SCALE_DROP 0.2

typedef enum { MCPI_SCALE_STRONG, MCPI_SCALE_WEAK } mcpi_scale_kind;
typedef enum { MCPI_SCALE_THREADS, MCPI_SCALE_RANKS } mcpi_scale_over;

/* "strong", "weak"; "threads", "ranks". */
const char *mcpi_scale_kind_name(mcpi_scale_kind k);
const char *mcpi_scale_over_name(mcpi_scale_over o);

typedef struct mcpi_scale_point {
    /* given */
    unsigned workers;         /* p */
    unsigned hosts;           /* distinct hostnames among the point's ranks */
    const mcpi_record *row;   /* the point's job row */
    const mcpi_record *ranks; /* its rank rows (nranks of them), may be NULL */
    size_t nranks;
    /* derived by mcpi_scale_analyse (NaN when the row failed or has no time) */
    mcpi_stats st;
    double samples_per_s, speedup, efficiency, karp_flatt;
} mcpi_scale_point;

typedef struct mcpi_scale_fit {
    const char *law;              /* "amdahl" (strong) or "gustafson" (weak) */
    double fraction, fraction_se; /* serial fraction and its standard error */
    double t1_s;                  /* Amdahl: fitted T(1) = a + b; Gustafson: T0 */
    double r2;                    /* coefficient of determination of the fit */
    unsigned observations;        /* timed repeats used */
    int describes;                /* 1: no reason below was found */
    char note[MCPI_NOTE_LEN];     /* why not ("" when describes) */
} mcpi_scale_fit;

typedef struct mcpi_scale {
    mcpi_scale_kind kind;
    mcpi_scale_over over;
    const char *row;          /* row name: "threads", "serial", ... */
    uint64_t samples;         /* strong: N of every point; weak: N per worker */
    mcpi_scale_point *points; /* increasing workers */
    size_t npoints;
    mcpi_scale_fit fit; /* by mcpi_scale_analyse */
} mcpi_scale;

/* Fills every point's derived numbers and the fit.  0, or MCPI_EINVAL when
 * s is NULL or has no points.  Failed points take no part in the fit. */
int mcpi_scale_analyse(mcpi_scale *s);

/* ---- comparing runs --------------------------------------------------------
 *
 * `mcpi compare A.json B.json [C.json ...]` sets every later run against the
 * first, the baseline, row by row (rows match by name; a row in one run only
 * is listed as such).  Everything below is a pure function of the rows'
 * timed repeats; with t a row's repeat times (per sample, t / N, when the
 * two rows' N differ):
 *   ratio        r = median(t_B) / median(t_A): below 1, B is faster;
 *   spread       s = 1.4826 MAD, the median absolute deviation from the
 *                median scaled to equal the standard deviation of normal data
 *                (one stray repeat moves it little, as it moves the median);
 *   uncertainty  u = r sqrt((s_A / m_A)^2 + (s_B / m_B)^2), m the medians:
 *                each side's relative spread propagated to first order, as
 *                hyperfine does with means and standard deviations.  It is
 *                the spread of one repeat, not an error of the median, so it
 *                does not shrink with more repeats (the test below is what
 *                gains from them).  NaN when a side has one repeat; 0 when
 *                both sides are the same measurements (the same file twice);
 *   shown as     "F ± F u / r times faster|slower", F = max(r, 1 / r);
 *   verdict      Mann-Whitney U, two-sided, on the two sets of repeat times:
 *                significant when p < alpha (default 0.05); "too few
 *                repeats" when no outcome could reach p < alpha at these
 *                sizes (3 and 3 repeats: the smallest p is 0.1);
 *   gate         --fail-if-slower PCT trips on a row when r - u > 1 + PCT/100
 *                and the verdict is significant (mcpi_compare_slower).
 * Exactness: two exact rows of the same seed and range that count different
 * hits are a wrong number (one of them miscounts), whatever their times. */
#define MCPI_COMPARE_ALPHA 0.05
/* The exact null distribution of U is used up to this many values per
 * sample (and no ties): C(40, 20) arrangements fit a 64-bit count. */
#define MCPI_MW_EXACT_MAX 20
#define MCPI_MAD_TO_SD 1.482602218505602 /* 1 / Phi^-1(3/4) */

/* A Mann-Whitney U test of samples x (n values) and y (m values). */
typedef struct mcpi_mann_whitney {
    size_t n, m;
    double u;     /* U of x: the pairs with x > y, plus half the pairs that tie */
    double p;     /* two-sided p-value */
    double min_p; /* the smallest two-sided p that n and m allow (no ties) */
    int exact;    /* 1: the exact null distribution; 0: the normal approximation
                   * with tie correction and continuity correction */
    int ties;     /* 1: some value occurs twice in x and y pooled */
} mcpi_mann_whitney;

/* The two-sided test of x against y: exact when n and m are at most
 * MCPI_MW_EXACT_MAX and no value repeats, else the normal approximation
 * (variance corrected for ties, 0.5 continuity correction); the p-values
 * are SciPy's mannwhitneyu(x, y, method="exact") and method="asymptotic"
 * (Google Benchmark's compare.py calls it).  p is 1 when every value ties.
 * 0, MCPI_EINVAL when a sample is empty or a value is NaN, MCPI_ENOMEM. */
int mcpi_mann_whitney_test(const double *x, size_t n, const double *y, size_t m,
                           mcpi_mann_whitney *out);
/* The smallest two-sided p the test can give for sizes n and m (the most
 * extreme outcome, no ties): 2 / C(n + m, n) in the exact range, else the
 * normal approximation's.  1 when n or m is 0. */
double mcpi_mann_whitney_min_p(size_t n, size_t m);
/* The fewest repeats per side (the same on both) from which the test can
 * reach p < alpha: 4 for alpha 0.05, 5 for 0.01.  MCPI_MAX_REPEAT + 1 when
 * even that many cannot. */
unsigned mcpi_mann_whitney_min_repeats(double alpha);

/* 1.4826 times the median absolute deviation of x from its median; 0 for
 * one value, NaN for none. */
double mcpi_robust_spread(const double *x, size_t n);

/* The --fail-if-slower rule: 1 when ratio - u > 1 + pct / 100 (strictly)
 * and significant is set; 0 otherwise, and when ratio or u is not finite. */
int mcpi_compare_slower(double ratio, double u, int significant, double pct);

typedef enum {
    MCPI_VERDICT_NONE, /* nothing to test: a side failed or has no timed repeat */
    MCPI_VERDICT_SIGNIFICANT,
    MCPI_VERDICT_NOT_SIGNIFICANT,
    MCPI_VERDICT_TOO_FEW /* no outcome could be significant at these sizes */
} mcpi_compare_verdict;

/* "none", "significant", "not significant", "too few repeats". */
const char *mcpi_compare_verdict_name(mcpi_compare_verdict v);

/* What else differs between the two rows of a name (mcpi_compare_row.flags). */
#define MCPI_CMP_N_DIFFERS 0x01u /* compared per sample */
#define MCPI_CMP_SEED_DIFFERS 0x02u
#define MCPI_CMP_THREADS_DIFFER 0x04u
#define MCPI_CMP_RANKS_DIFFER 0x08u
#define MCPI_CMP_DEVICE_DIFFERS 0x10u
#define MCPI_CMP_SAME_MEASUREMENTS 0x20u /* the same repeats, in order, and N */
#define MCPI_CMP_WRONG_HITS 0x40u        /* exact, same seed and range, hits differ */
#define MCPI_CMP_HOST_DIFFERS 0x80u

/* One row name of a comparison. */
typedef struct mcpi_compare_row {
    /* given: the baseline's row and the compared run's; NULL where absent */
    const mcpi_record *a, *b;
    /* derived by mcpi_compare_row_analyse (NaN where it does not apply) */
    int failed;                /* a side failed or has no timed repeat: nothing compared */
    unsigned flags;            /* MCPI_CMP_* */
    mcpi_stats sa, sb;         /* of the times as measured (also of a side alone) */
    double spread_a, spread_b; /* 1.4826 MAD of the times as measured, seconds */
    double ratio, ratio_u;     /* median B / median A (per sample if N differs) and u */
    double factor, factor_u;   /* max(r, 1/r) and its uncertainty */
    int direction;             /* -1 B faster, 1 B slower, 0 equal (or no ratio) */
    mcpi_mann_whitney mw;      /* of B's times against A's (x = A) */
    mcpi_compare_verdict verdict;
    int slower; /* 1: the --fail-if-slower rule trips on this row */
} mcpi_compare_row;

/* Fills the derived fields of r from r->a and r->b (both set) for alpha and,
 * when gate is set, the --fail-if-slower percentage pct.  0, or MCPI_EINVAL
 * when a side is missing or a repeat time is not a finite number >= 0. */
int mcpi_compare_row_analyse(mcpi_compare_row *r, double alpha, int gate, double pct);

/* One run of a comparison: a JSON report read back (mcpi_report_read_json). */
typedef struct mcpi_compare_run {
    const char *file;    /* as named on the command line */
    const char *version; /* the mcpi that wrote it */
    uint64_t seed;       /* config.seed */
    const mcpi_record *rows;
    size_t nrows;
} mcpi_compare_run;

/* One run against the baseline: the baseline's rows in its order (rows[k].b
 * NULL when the run lacks the name), then the run's rows the baseline lacks
 * (rows[k].a NULL), in the run's order. */
typedef struct mcpi_compare_block {
    const mcpi_compare_run *run;
    mcpi_compare_row *rows;
    size_t nrows;
} mcpi_compare_block;

typedef struct mcpi_compare {
    /* given */
    const char *version;          /* of this mcpi */
    const mcpi_compare_run *runs; /* runs[0] is the baseline */
    size_t nruns;                 /* at least 2 */
    double alpha;                 /* 0 < alpha < 1 */
    int gate;                     /* --fail-if-slower was given */
    double gate_pct;
    /* by mcpi_compare_analyse */
    mcpi_compare_block *blocks; /* nruns - 1 of them (malloc'd) */
    size_t nblocks;
    unsigned min_repeats;                    /* mcpi_mann_whitney_min_repeats(alpha) */
    size_t too_few, wrong_hits, slower_rows; /* rows of each kind, over every block */
    /* on MCPI_EINVAL: the run at fault and why ("row 'x' appears twice") */
    size_t bad_run;
    char why[MCPI_ERROR_LEN];
} mcpi_compare;

/* Matches every run's rows with the baseline's by name and analyses each
 * pair.  0; MCPI_EINVAL when fewer than two runs are given, alpha is out of
 * range, or a run has a row name twice or a repeat time that is not a finite
 * number >= 0 (bad_run and why say which); MCPI_ENOMEM.  Free with
 * mcpi_compare_free, also after a failure. */
int mcpi_compare_analyse(mcpi_compare *c);
/* Frees what mcpi_compare_analyse allocated; accepts NULL. */
void mcpi_compare_free(mcpi_compare *c);
/* Writes an analysed comparison as a table, CSV, JSON or Markdown.  0,
 * MCPI_EINVAL (not analysed), MCPI_EIO. */
int mcpi_compare_write(FILE *out, mcpi_format fmt, const mcpi_compare *c);

/* A report: job rows (one per backend/device for the whole job) and,
 * optionally, per-rank rows.  Rows are sorted by the reporter, not here. */
typedef struct mcpi_report {
    mcpi_run_info info;
    const mcpi_record *rows;
    size_t nrows;
    const mcpi_record *rank_rows; /* may be NULL */
    size_t nrank_rows;
    int show_rank_rows; /* table/markdown/csv: include rank rows */
    mcpi_format format; /* the format the caller asked for (informational) */
    /* A sweep report: rows/rank_rows above are ignored, every point is shown
     * instead (info.samples is unused).  NULL for a run. */
    const mcpi_sweep *sweep;
    /* A scaling study (analysed): every point and the fit are shown instead
     * of rows.  NULL otherwise. */
    const mcpi_scale *scale;
} mcpi_report;

/* FNV-1a 64 of len bytes, continuing from h (start with MCPI_FNV_OFFSET): the
 * checksum of every file mcpi writes and reads back (checkpoints, JSON
 * reports, caches). */
#define MCPI_FNV_OFFSET 0xcbf29ce484222325ull
uint64_t mcpi_fnv1a(uint64_t h, const void *data, size_t len);

/* A JSON run or sweep report ends with its checksum, the last member:
 *     ...,\n  "checksum": "fnv1a64:0123456789abcdef"\n}\n
 * the FNV-1a 64 of every byte before the comma that precedes "checksum". */
#define MCPI_REPORT_CHECKSUM_KEY ",\n  \"checksum\": \"fnv1a64:"

/* Writes the report in the given format to out.  Returns 0 or MCPI_EIO. */
int mcpi_report_write(FILE *out, mcpi_format fmt, const mcpi_report *rep);

/* Parses "table", "csv", "json", "markdown"; returns 0 or MCPI_EINVAL. */
int mcpi_format_parse(const char *s, mcpi_format *out);

/* Writes s as a quoted JSON string, escaped as every JSON report escapes:
 * '"', '\\' and control characters, and each byte that is not valid UTF-8
 * as U+FFFD, so the output always parses.  Returns 0 or MCPI_EIO. */
int mcpi_json_write_string(FILE *out, const char *s);

/* ---- progress ----------------------------------------------------------- */

/* Where a counting pass stands (rank 0, after every chunk). */
typedef struct mcpi_progress {
    const char *row;  /* row name */
    const char *pass; /* "" or " (warm-up 1/1)", " (repeat 2/3)" */
    uint64_t done;    /* samples of the row's range counted (resumed prefix included) */
    uint64_t total;   /* samples in the row's range */
    uint64_t session; /* of done, counted in this session (for the rate) */
    double elapsed_s; /* this session's counting time */
    int last;         /* the pass is over (finished, stopped or failed) */
} mcpi_progress;

/* One progress line, without newline: "mcpi: threads  42.0%  4.200e+08 of
 * 1.000e+09 samples  6.010e+09 samples/s  ETA 0.1 s" (the last one says
 * "took" and the time). */
void mcpi_progress_format(char *buf, size_t len, const mcpi_progress *p);

/* ---- reading reports back ------------------------------------------------ */

/* What `mcpi merge` and `mcpi compare` need of a JSON run report. */
typedef struct mcpi_report_doc {
    char version[32];
    uint64_t seed;
    int ranks;
    int peak_resettable;
    int checksummed;   /* it carried a checksum, and the checksum matched */
    mcpi_record *rows; /* results[], nrows of them (malloc'd) */
    size_t nrows;
} mcpi_report_doc;

/* Parses len bytes of a JSON run report into doc: its version, seed, ranks
 * and every results[] row (name, backend, device, exact, seed, range,
 * samples, hits, status, threads, ranks, hostname, time_s.repeats, phases,
 * memory).  A report with a "checksum" must match it byte for byte (see
 * MCPI_REPORT_CHECKSUM_KEY); one without (mcpi before 0.1's checksums) is
 * read with doc->checksummed 0.  MCPI_EINVAL with the reason in why (not
 * JSON, not an mcpi run report, a row missing a field or inconsistent, a
 * checksum that does not match), MCPI_ENOMEM. */
int mcpi_report_read_json(const char *text, size_t len, mcpi_report_doc *doc, char *why,
                          size_t whylen);
/* Frees what a document holds; accepts NULL. */
void mcpi_report_doc_free(mcpi_report_doc *doc);

#ifdef __cplusplus
}
#endif
#endif /* MCPI_PROFILE_H */

/* mcpi_selftest_report.h - the records of `mcpi selftest` (records layer):
 * what each check found on each device, the statistics of the estimator
 * and their bounds, and the writers (table, JSON, CSV, Markdown).
 *
 * A selftest runs four checks on every selected device (the engine's
 * mcpi_selftest.h runs them); a device passes when none of its checks
 * fails.  The records are plain fixed-size structs, like mcpi_record.
 *
 * Error convention: as in mcpi_profile.h (0 or a negative MCPI_E*). */
#ifndef MCPI_SELFTEST_REPORT_H
#define MCPI_SELFTEST_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mcpi_profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The checks, in the order they are reported: id, JSON name, title. */
#define MCPI_SELFTEST_CHECK_MAP(XX)                                                                \
    XX(PHILOX, "philox", "known answers")                                                          \
    XX(HITS, "hits", "hit counts")                                                                 \
    XX(GEOMETRY, "geometry", "geometry")                                                           \
    XX(STATISTICS, "statistics", "statistics")

typedef enum {
#define XX(id, name, title) MCPI_SELFTEST_##id,
    MCPI_SELFTEST_CHECK_MAP(XX)
#undef XX
        MCPI_SELFTEST_CHECKS
} mcpi_selftest_check_id;

/* "philox", "hits", "geometry", "statistics"; and the titles the table
 * shows ("known answers", ...).  NULL for an unknown id. */
const char *mcpi_selftest_check_name(int check);
const char *mcpi_selftest_check_title(int check);

/* What a check (or one configuration of the geometry check) came to. */
typedef enum {
    MCPI_SELFTEST_PASS,
    MCPI_SELFTEST_FAIL,
    MCPI_SELFTEST_NA,      /* does not apply to this device (serial has no geometry) */
    MCPI_SELFTEST_SKIPPED, /* a configuration the device refused or lacks */
    MCPI_SELFTEST_NOT_RUN  /* the device could not be opened */
} mcpi_selftest_outcome;

/* "pass", "fail", "n/a", "skipped", "not run". */
const char *mcpi_selftest_outcome_name(int outcome);

/* ---- the statistical check ---------------------------------------------------
 *
 * K = MCPI_SELFTEST_SEEDS seeds (S, S+1, ... of --seed S), each counting
 * samples [0, n); z_i = (hits_i - n p) / sqrt(n p (1 - p)), p = pi/4.  For a
 * correct generator the z_i are independent and, by the normal limit of the
 * binomial, N(0, 1) to within the binomial's skewness (1 - 2p)/sqrt(n p
 * (1 - p)), below 0.022 for n >= 2^12.  The check passes when all three
 * hold, each bound set so that a correct generator breaks it with the
 * probability given (exact for N(0, 1) z; union bound over the three):
 *   every |z_i| < MCPI_SELFTEST_Z_MAX           P <= K * 2 Phi(-6)   = 6.3e-8
 *   |mean z| < MCPI_SELFTEST_MEAN_SIGMAS/sqrt(K) P  = 2 Phi(-5.5)     = 3.8e-8
 *   sample variance of z (K-1 divisor) within [MCPI_SELFTEST_VAR_LO,
 *   MCPI_SELFTEST_VAR_HI]: the 1e-7 and 1 - 1e-7 quantiles of chi-square
 *   with K - 1 = 31 degrees of freedom, over 31   P  = 2e-7
 * so P(a correct generator fails) < MCPI_SELFTEST_FALSE_FAIL = 3.1e-7, well
 * below 1e-6 with room for the normal approximation's error at 6 sigma
 * (a factor exp(skewness * 6^3 / 6) < 2.3 on the first bound).  The hits of
 * a seed are one integer, so the verdict is reproducible, not a coin toss
 * per run.  A device too slow for K x 2^16 samples in about
 * MCPI_SELFTEST_STAT_BUDGET_S counts fewer samples per seed (never below
 * 2^12): the bounds do not depend on n. */
#define MCPI_SELFTEST_SEEDS 32u
#define MCPI_SELFTEST_SAMPLES_MAX 65536u /* 2^16 */
#define MCPI_SELFTEST_SAMPLES_MIN 4096u  /* 2^12 */
#define MCPI_SELFTEST_STAT_BUDGET_S 2.0
#define MCPI_SELFTEST_Z_MAX 6.0
#define MCPI_SELFTEST_MEAN_SIGMAS 5.5
#define MCPI_SELFTEST_VAR_LO 0.178102175566950 /* chi2(31) quantile 1e-7, / 31 */
#define MCPI_SELFTEST_VAR_HI 2.917524959758609 /* chi2(31) quantile 1 - 1e-7, / 31 */
#define MCPI_SELFTEST_FALSE_FAIL 3.1e-7

/* The statistics of k seeds' hits, each over n samples. */
typedef struct mcpi_selftest_stats {
    unsigned seeds;      /* K */
    uint64_t first_seed; /* S */
    uint64_t samples;    /* n per seed */
    double max_abs_z;    /* the largest |z_i| */
    uint64_t max_seed;   /* the seed that has it */
    double mean_z;       /* mean of z */
    double variance_z;   /* sample variance of z (divisor K - 1) */
    double mean_bound;   /* MCPI_SELFTEST_MEAN_SIGMAS / sqrt(K) */
} mcpi_selftest_stats;

/* Fills st from hits[MCPI_SELFTEST_SEEDS] (the hits of seeds first_seed,
 * first_seed + 1, ..., each over samples [0, n), n >= 1) and returns 1 when
 * the three bounds above hold, else 0 with one phrase in why saying which
 * broke ("max |z| 7.21 (seed 17) is not below 6"). */
int mcpi_selftest_stats_judge(const uint64_t *hits, uint64_t first_seed, uint64_t n,
                              mcpi_selftest_stats *st, char *why, size_t whylen);

/* ---- records -------------------------------------------------------------------- */

#define MCPI_SELFTEST_MAX_CONFIGS 8

/* One configuration of the geometry check ("work-group 7", "threads 3",
 * "isa sse2") and what the device made of it. */
typedef struct mcpi_selftest_config {
    char name[MCPI_NAME_LEN];
    int outcome;              /* pass, fail or skipped */
    char note[MCPI_NOTE_LEN]; /* why skipped or failed ("" when passed) */
    /* OpenCL: the geometry open chose (0 when not OpenCL or not opened) */
    uint64_t local_size, per_item, launch_samples;
    unsigned vector; /* the kernel path: 1 scalar, 4/8/16 lanes; 0 unknown */
} mcpi_selftest_config;

typedef struct mcpi_selftest_check {
    int outcome;
    unsigned cases, passed, skipped; /* cases run, passed, skipped (geometry: configs) */
    double time_s;
    char via[32];              /* known answers: "device" or "host core" */
    char note[MCPI_ERROR_LEN]; /* why n/a or failed, what was skipped; "" when none */
    int has_mismatch;          /* the first wrong value, when one was counted: */
    char where[MCPI_NOTE_LEN]; /* which case ("seed 0, samples [0, 10)") */
    char expected[MCPI_NOTE_LEN];
    char got[MCPI_NOTE_LEN];
    unsigned nconfigs; /* geometry */
    mcpi_selftest_config configs[MCPI_SELFTEST_MAX_CONFIGS];
    int has_stats; /* statistics */
    mcpi_selftest_stats stats;
} mcpi_selftest_check;

/* One device: its checks, and whether it passed. */
typedef struct mcpi_selftest_device {
    char name[MCPI_NAME_LEN];     /* "serial", "opencl:0.0" */
    char backend[MCPI_NAME_LEN];  /* "serial", "opencl" */
    char device[MCPI_DEVICE_LEN]; /* description */
    int passed;                   /* 1: no check failed */
    int status;                   /* 0, or why the device could not be tested at all */
    char error[MCPI_ERROR_LEN];   /* its message ("" when status is 0) */
    double time_s;
    mcpi_selftest_check checks[MCPI_SELFTEST_CHECKS];
} mcpi_selftest_device;

typedef struct mcpi_selftest_report {
    const char *version;
    char hostname[MCPI_HOST_LEN];
    uint64_t seed; /* --seed */
    const mcpi_selftest_device *devices;
    size_t ndevices;
    double time_s;
} mcpi_selftest_report;

/* The first failed check of d (its index), or -1 when none failed. */
int mcpi_selftest_first_failure(const mcpi_selftest_device *d);

/* What the table says of d after PASS or FAIL: every check's summary
 * ("known answers 13/13 (host core); hit counts 5/5; ..."), or the first
 * failure ("hit counts: seed 0, samples [0, 10): expected 7, got 8") and
 * which other checks failed, or why d could not be tested. */
void mcpi_selftest_device_summary(char *buf, size_t len, const mcpi_selftest_device *d);

/* Writes a selftest report: a table (one line per device: PASS or FAIL and
 * what differed), JSON (one object per device and per check, ending with
 * the checksum of MCPI_REPORT_CHECKSUM_KEY), CSV (one record per device and
 * check) or Markdown.  0, MCPI_EIO or MCPI_ENOMEM. */
int mcpi_selftest_write(FILE *out, mcpi_format fmt, const mcpi_selftest_report *rep);

#ifdef __cplusplus
}
#endif
#endif /* MCPI_SELFTEST_REPORT_H */

/* cmd_calibrate.c - mcpi calibrate: this machine's speed in stones, saved
 * for machine-normalised times (the tutorial's "measuring in stones").
 *
 * The reference workload is the scalar core (the `serial` backend's
 * mcpi_count_range) over samples [0, 2^24) of seed 0.  Its best time over a
 * few repeats is one stone on this machine; its speed, reference samples per
 * second, is what the calibration file keeps.  A time t is t * speed / 2^24
 * stones (profiling/mcpi_profile.h), so the same run measured on a machine
 * twice as fast reads the same number of stones. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auto.h"
#include "cli.h"
#include "cpu.h"
#include "fsutil.h"
#include "json_read.h"
#include "mcpi.h"

#define CAL_FORMAT "mcpi-calibration"
#define CAL_FILE "calibration.json"
#define CAL_SEED 0u
/* Hits of the reference workload: a machine that counts otherwise is broken. */
#define CAL_HITS 13174210ull
#define CAL_MIN_REPEATS 3
#define CAL_MAX_REPEATS 11
#define CAL_BUDGET_S 1.0 /* stop repeating (after CAL_MIN_REPEATS) once this is spent */
#define CAL_PATH_LEN 4096
#define CAL_MAX_FILE 65536 /* a calibration file is a few hundred bytes */

/* ---- reading a calibration ----------------------------------------------- */

/* Copies the string at key of the object cal into buf; "" when absent or
 * not a string. */
static void json_string_field(const mcpi_json *cal, const char *key, char *buf, size_t len)
{
    const mcpi_json *v = mcpi_json_get(cal, key);
    snprintf(buf, len, "%s", v != NULL && v->type == MCPI_JSON_STRING ? v->text : "");
}

/* Reads a whole small file into a malloc'd string of *len bytes (plus a
 * NUL).  NULL with errno set. */
static char *read_small_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char *buf = malloc(CAL_MAX_FILE + 1);
    if (buf == NULL) {
        fclose(f);
        errno = ENOMEM;
        return NULL;
    }
    size_t n = fread(buf, 1, CAL_MAX_FILE, f);
    int bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Parses a calibration file.  0, or MCPI_EINVAL/MCPI_EIO with the reason in err. */
static int load_file(const char *path, mcpi_calibration *cal, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = read_small_file(path, &len);
    if (text == NULL) {
        mcpi_set_error(err, errlen, "--calibration: cannot read '%s': %s; expected %s", path,
                       strerror(errno), "a file written by mcpi calibrate");
        return MCPI_EIO;
    }
    mcpi_json *doc = NULL;
    int ok = mcpi_json_parse(text, len, &doc, NULL, 0) == MCPI_OK;
    free(text);
    const mcpi_json *fmt = mcpi_json_get(doc, "format");
    double sps = NAN;
    ok = ok && fmt != NULL && fmt->type == MCPI_JSON_STRING && strcmp(fmt->text, CAL_FORMAT) == 0 &&
         mcpi_json_double(mcpi_json_get(doc, "reference_samples_per_s"), &sps) == 0 &&
         isfinite(sps) && sps > 0.0;
    if (ok) {
        memset(cal, 0, sizeof *cal);
        cal->samples_per_s = sps;
        json_string_field(doc, "hostname", cal->hostname, sizeof cal->hostname);
        json_string_field(doc, "cpu_model", cal->cpu_model, sizeof cal->cpu_model);
        json_string_field(doc, "date", cal->date, sizeof cal->date);
    }
    mcpi_json_free(doc);
    if (!ok) {
        mcpi_set_error(err, errlen,
                       "--calibration: '%s' is not a calibration file (expected a JSON file "
                       "written by mcpi calibrate, with a positive reference_samples_per_s)",
                       path);
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

int mcpi_cli_calibration(const mcpi_config *cfg, mcpi_comm *comm, mcpi_calibration *cal,
                         int *have)
{
    char err[MCPI_ERROR_LEN] = "";
    int rc = MCPI_OK;
    *have = 0;
    memset(cal, 0, sizeof *cal);
    /* Only rank 0 reports, so only rank 0 reads; the verdict is shared. */
    if (comm->rank == 0) {
        if (cfg->calibration != NULL) {
            rc = load_file(cfg->calibration, cal, err, sizeof err);
            *have = rc == MCPI_OK;
        } else {
            char dir[CAL_PATH_LEN], path[CAL_PATH_LEN + sizeof CAL_FILE + 1];
            if (mcpi_cache_dir(dir, sizeof dir, NULL, 0) == MCPI_OK) {
                snprintf(path, sizeof path, "%s/" CAL_FILE, dir);
                if (access(path, F_OK) == 0) {
                    /* A default file that went bad is skipped with a note. */
                    if (load_file(path, cal, err, sizeof err) == MCPI_OK)
                        *have = 1;
                    else if (!cfg->quiet)
                        fprintf(stderr, "%s (ignored; run mcpi calibrate again)\n", err);
                }
            }
        }
    }
    int agreed = rc;
    comm->min_int(comm, &agreed);
    if (agreed != MCPI_OK) {
        if (comm->rank == 0)
            fprintf(stderr, "%s\n", err);
        *have = 0;
        return mcpi_exit_code(MCPI_EINVAL); /* bad input: the file named by the user */
    }
    return 0;
}

/* ---- measuring ------------------------------------------------------------- */

typedef struct calibration_run {
    mcpi_calibration cal;
    unsigned repeats;
    double times_s[CAL_MAX_REPEATS];
    double best_s;
    uint64_t hits;
    char path[CAL_PATH_LEN]; /* where it was saved */
    mcpi_record scratch;     /* the backend's record argument (unused by serial) */
} calibration_run;

/* Runs the reference workload: one untimed run, then at least
 * CAL_MIN_REPEATS and at most CAL_MAX_REPEATS timed ones within about
 * CAL_BUDGET_S; the best time is one stone. */
static int measure(calibration_run *run, char *err, size_t errlen)
{
    /* Through the serial backend's table, in another translation unit, so
     * the compiler cannot hoist or drop the pure reference computation. */
    const mcpi_backend *ref = &mcpi_backend_serial;
    double spent = 0.0;
    run->best_s = INFINITY;
    run->repeats = 0;
    for (int i = -1; run->repeats < CAL_MAX_REPEATS &&
                     (run->repeats < CAL_MIN_REPEATS || spent < CAL_BUDGET_S);
         ++i) {
        mcpi_phases ph;
        mcpi_phases_clear(&ph);
        uint64_t hits = 0;
        double t0 = mcpi_now();
        int rc = ref->count(NULL, CAL_SEED, 0, MCPI_STONE_SAMPLES, &hits, &ph, &run->scratch, err,
                            errlen);
        double dt = mcpi_now() - t0;
        if (rc != MCPI_OK)
            return rc;
        if (hits != CAL_HITS) {
            mcpi_set_error(err, errlen,
                           "calibrate: the reference core counted %llu hits, expected %llu: "
                           "this machine computes wrong results",
                           (unsigned long long)hits, (unsigned long long)CAL_HITS);
            return MCPI_EBACKEND;
        }
        run->hits = hits;
        if (i < 0)
            continue; /* the first run warms caches and clocks up, untimed */
        run->times_s[run->repeats++] = dt;
        spent += dt;
        if (dt < run->best_s)
            run->best_s = dt;
    }
    if (!(run->best_s > 0.0)) {
        mcpi_set_error(err, errlen, "calibrate: the clock did not advance");
        return MCPI_EBACKEND;
    }
    run->cal.samples_per_s = (double)MCPI_STONE_SAMPLES / run->best_s;
    if (gethostname(run->cal.hostname, sizeof run->cal.hostname) != 0)
        snprintf(run->cal.hostname, sizeof run->cal.hostname, "unknown");
    run->cal.hostname[sizeof run->cal.hostname - 1] = '\0';
    mcpi_cpu_model(run->cal.cpu_model, sizeof run->cal.cpu_model);
    time_t now = time(NULL);
    struct tm utc;
    if (gmtime_r(&now, &utc) == NULL ||
        strftime(run->cal.date, sizeof run->cal.date, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        snprintf(run->cal.date, sizeof run->cal.date, "unknown");
    return MCPI_OK;
}

/* ---- writing ---------------------------------------------------------------- */

/* The calibration as JSON: the file's content and `--format json`. */
static int write_json(FILE *out, const void *ctx)
{
    const calibration_run *run = ctx;
    fprintf(out, "{\n  \"format\": \"" CAL_FORMAT "\",\n  \"version\": \"%s\",\n",
            MCPI_VERSION_STRING);
    fprintf(out, "  \"unit\": \"stone\",\n  \"stone_samples\": %llu,\n",
            (unsigned long long)MCPI_STONE_SAMPLES);
    fprintf(out, "  \"reference\": {\"core\": \"serial\", \"seed\": %u, \"begin\": 0, "
                 "\"end\": %llu, \"hits\": %llu},\n",
            CAL_SEED, (unsigned long long)MCPI_STONE_SAMPLES, (unsigned long long)run->hits);
    fprintf(out, "  \"reference_samples_per_s\": %.17g,\n", run->cal.samples_per_s);
    fprintf(out, "  \"stone_s\": %.17g,\n", run->best_s);
    fprintf(out, "  \"times_s\": [");
    for (unsigned i = 0; i < run->repeats; ++i)
        fprintf(out, "%s%.17g", i ? ", " : "", run->times_s[i]);
    fprintf(out, "],\n  \"hostname\": ");
    (void)mcpi_json_write_string(out, run->cal.hostname);
    fprintf(out, ",\n  \"cpu_model\": ");
    (void)mcpi_json_write_string(out, run->cal.cpu_model);
    fprintf(out, ",\n  \"date\": ");
    (void)mcpi_json_write_string(out, run->cal.date);
    fprintf(out, ",\n  \"file\": ");
    (void)mcpi_json_write_string(out, run->path);
    fprintf(out, "\n}\n");
    return ferror(out) ? MCPI_EIO : MCPI_OK;
}

static int write_human(FILE *out, const void *ctx, int markdown)
{
    const calibration_run *run = ctx;
    const char *b = markdown ? "- " : "  ";
    fprintf(out, "%smcpi %s calibration of %s (%s), %s\n\n", markdown ? "## " : "",
            MCPI_VERSION_STRING, run->cal.hostname, run->cal.cpu_model, run->cal.date);
    fprintf(out, "%sreference core: serial (scalar), seed %u, samples [0, 2^24): %llu hits\n", b,
            CAL_SEED, (unsigned long long)run->hits);
    fprintf(out, "%sspeed: %.1f Msamples/s (best of %u repeats)\n", b,
            run->cal.samples_per_s / 1e6, run->repeats);
    fprintf(out, "%s1 stone = %.4f s on this machine (the time of 2^24 reference samples)\n", b,
            run->best_s);
    fprintf(out, "%ssaved to %s; runs now add a 'stones' column (time x %.4g / 2^24)\n", b,
            run->path, run->cal.samples_per_s);
    return ferror(out) ? MCPI_EIO : MCPI_OK;
}

typedef struct calibrate_report {
    const calibration_run *run;
    mcpi_format format;
} calibrate_report;

static int write_calibrate(FILE *out, const void *ctx)
{
    const calibrate_report *r = ctx;
    const calibration_run *run = r->run;
    switch (r->format) {
    case MCPI_FORMAT_JSON:
        return write_json(out, run);
    case MCPI_FORMAT_CSV:
        fprintf(out, "hostname,cpu_model,date,reference_samples_per_s,stone_s,repeats,file\r\n");
        fprintf(out, "\"%s\",\"%s\",%s,%.17g,%.17g,%u,\"%s\"\r\n", run->cal.hostname,
                run->cal.cpu_model, run->cal.date, run->cal.samples_per_s, run->best_s,
                run->repeats, run->path);
        return ferror(out) ? MCPI_EIO : MCPI_OK;
    case MCPI_FORMAT_MARKDOWN:
        return write_human(out, run, 1);
    default:
        return write_human(out, run, 0);
    }
}

/* Saves the calibration to run->path, atomically. */
static int save(const calibration_run *run, const char *flag, char *err, size_t errlen)
{
    return mcpi_write_atomic(run->path, flag, MCPI_FILE_SHARED, write_json, run, err, errlen);
}

/* Picks the file to save to; creates the default directory.  0, or an
 * MCPI_E* code with the reason in err. */
static int choose_path(const mcpi_config *cfg, calibration_run *run, const char **flag, char *err,
                       size_t errlen)
{
    if (cfg->calibration != NULL) {
        *flag = "--calibration";
        struct stat st;
        if (stat(cfg->calibration, &st) == 0 && S_ISDIR(st.st_mode)) {
            mcpi_set_error(err, errlen, "--calibration: '%s' is a directory; expected a file path",
                           cfg->calibration);
            return MCPI_EINVAL;
        }
        if (strlen(cfg->calibration) >= sizeof run->path) {
            mcpi_set_error(err, errlen, "--calibration: path too long");
            return MCPI_EINVAL;
        }
        snprintf(run->path, sizeof run->path, "%s", cfg->calibration);
        return MCPI_OK;
    }
    *flag = "calibrate";
    char dir[CAL_PATH_LEN - sizeof CAL_FILE - 1];
    if (mcpi_cache_dir(dir, sizeof dir, NULL, 0) != MCPI_OK) {
        mcpi_set_error(err, errlen,
                       "calibrate: no cache directory: set MCPI_CACHE_DIR, XDG_CACHE_HOME or HOME, "
                       "or pass --calibration FILE");
        return MCPI_EIO;
    }
    if (mcpi_make_dirs(dir) != 0) {
        mcpi_set_error(err, errlen, "calibrate: cannot create '%s': %s", dir, strerror(errno));
        return MCPI_EIO;
    }
    snprintf(run->path, sizeof run->path, "%s/" CAL_FILE, dir);
    return MCPI_OK;
}

/* Re-probes the `--backend auto` model of every available exact backend with
 * these settings and saves it in the cache (best effort: a failure only
 * leaves the next `--backend auto` run to probe). */
static void refresh_auto_model(const mcpi_config *cfg, mcpi_comm *comm)
{
    mcpi_target *t = calloc(MCPI_MAX_TARGETS, sizeof *t);
    char err[MCPI_ERROR_LEN] = "";
    size_t n = 0;
    if (t == NULL || cfg->no_cache ||
        mcpi_selection_resolve("auto", t, MCPI_MAX_TARGETS, &n, err, sizeof err) != MCPI_OK) {
        free(t);
        return;
    }
    mcpi_config probe_cfg = *cfg;
    probe_cfg.ranks_per_node = (unsigned)comm->local_size;
    mcpi_auto_model m;
    mcpi_auto_source source;
    int rc = mcpi_auto_model_get(t, n, &probe_cfg, 1, &m, &source, err, sizeof err);
    if (!cfg->quiet) {
        if (rc == MCPI_OK)
            fprintf(stderr, "mcpi: --backend auto model re-probed (%zu backends) and cached\n",
                    m.n);
        else
            fprintf(stderr, "%s\n", err);
    }
    free(t);
}

int mcpi_cmd_calibrate(mcpi_cli *c, mcpi_comm *comm)
{
    char err[MCPI_ERROR_LEN] = "";
    const mcpi_config *cfg = &c->cfg;
    calibration_run *run = NULL;
    const char *flag = "calibrate";
    int rc = MCPI_OK;
    /* One measurement, on rank 0: the file describes the node rank 0 runs on. */
    if (comm->rank == 0) {
        run = calloc(1, sizeof *run);
        if (run == NULL) {
            mcpi_set_error(err, sizeof err, "calibrate: out of memory");
            rc = MCPI_ENOMEM;
        }
        if (rc == MCPI_OK)
            rc = choose_path(cfg, run, &flag, err, sizeof err);
        if (rc == MCPI_OK) {
            if (!cfg->quiet)
                fprintf(stderr, "mcpi: calibrating (about 1 s)...\n");
            rc = measure(run, err, sizeof err);
        }
        if (rc == MCPI_OK)
            rc = save(run, flag, err, sizeof err);
        if (rc == MCPI_OK)
            refresh_auto_model(cfg, comm);
    }
    int agreed = rc;
    comm->min_int(comm, &agreed);
    if (agreed != MCPI_OK) {
        if (comm->rank == 0)
            fprintf(stderr, "%s\n", err);
        free(run);
        return mcpi_exit_code(agreed);
    }
    int code = 0;
    if (comm->rank == 0) {
        calibrate_report r = {run, cfg->format};
        code = mcpi_cli_emit(cfg, write_calibrate, &r);
    }
    free(run);
    return code;
}

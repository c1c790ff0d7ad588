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
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cpu.h"
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

/* ---- where the calibration lives --------------------------------------- */

static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* The default directory: $MCPI_CACHE_DIR, $XDG_CACHE_HOME/mcpi or
 * ~/.cache/mcpi (the same directory as the OpenCL program cache).  0, or -1
 * when none can be named. */
static int default_dir(char *dir, size_t len)
{
    const char *v;
    int n;
    if ((v = env_nonempty("MCPI_CACHE_DIR")) != NULL)
        n = snprintf(dir, len, "%s", v);
    else if ((v = env_nonempty("XDG_CACHE_HOME")) != NULL)
        n = snprintf(dir, len, "%s/mcpi", v);
    else if ((v = env_nonempty("HOME")) != NULL)
        n = snprintf(dir, len, "%s/.cache/mcpi", v);
    else
        return -1;
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* mkdir -p.  0, or -1 with errno. */
static int make_dirs(const char *dir)
{
    char buf[CAL_PATH_LEN];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; ++i) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return -1;
        buf[i] = saved;
    }
    return 0;
}

/* ---- reading a calibration ----------------------------------------------- */

/* The text after `"key":` and blanks in json, or NULL.  Calibration files
 * are flat objects written by this file, so a key search is exact enough. */
static const char *json_value(const char *json, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(json, pat);
    if (p == NULL)
        return NULL;
    p += strlen(pat);
    p += strspn(p, " \t\r\n");
    if (*p != ':')
        return NULL;
    ++p;
    return p + strspn(p, " \t\r\n");
}

/* Copies the JSON string at key into buf (escapes kept but for \" and \\);
 * "" when absent. */
static void json_string(const char *json, const char *key, char *buf, size_t len)
{
    const char *p = json_value(json, key);
    size_t n = 0;
    buf[0] = '\0';
    if (p == NULL || *p != '"')
        return;
    for (++p; *p != '\0' && *p != '"' && n + 1 < len; ++p) {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            ++p;
        buf[n++] = *p;
    }
    buf[n] = '\0';
}

/* Reads a whole small file into a malloc'd string.  NULL with errno set. */
static char *read_small_file(const char *path)
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
    return buf;
}

/* Parses a calibration file.  0, or MCPI_EINVAL/MCPI_EIO with the reason in err. */
static int load_file(const char *path, mcpi_calibration *cal, char *err, size_t errlen)
{
    char *text = read_small_file(path);
    if (text == NULL) {
        mcpi_set_error(err, errlen, "--calibration: cannot read '%s': %s; expected %s", path,
                       strerror(errno), "a file written by mcpi calibrate");
        return MCPI_EIO;
    }
    char fmt[32];
    json_string(text, "format", fmt, sizeof fmt);
    const char *v = json_value(text, "reference_samples_per_s");
    char *end = NULL;
    double sps = v != NULL ? strtod(v, &end) : NAN;
    int ok = strcmp(fmt, CAL_FORMAT) == 0 && end != NULL && end != v && isfinite(sps) &&
             sps > 0.0;
    if (ok) {
        memset(cal, 0, sizeof *cal);
        cal->samples_per_s = sps;
        json_string(text, "hostname", cal->hostname, sizeof cal->hostname);
        json_string(text, "cpu_model", cal->cpu_model, sizeof cal->cpu_model);
        json_string(text, "date", cal->date, sizeof cal->date);
    }
    free(text);
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
            if (default_dir(dir, sizeof dir) == 0) {
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

static void put_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; ++s) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

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
    put_json_string(out, run->cal.hostname);
    fprintf(out, ",\n  \"cpu_model\": ");
    put_json_string(out, run->cal.cpu_model);
    fprintf(out, ",\n  \"date\": ");
    put_json_string(out, run->cal.date);
    fprintf(out, ",\n  \"file\": ");
    put_json_string(out, run->path);
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

/* Saves the calibration to path through a temporary file and rename. */
static int save(const calibration_run *run, const char *flag, char *err, size_t errlen)
{
    char tmp[CAL_PATH_LEN + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", run->path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        mcpi_set_error(err, errlen, "%s: cannot write '%s': %s", flag, run->path, strerror(e));
        return MCPI_EIO;
    }
    int rc = write_json(f, run);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = MCPI_EIO;
    if (fclose(f) != 0)
        rc = MCPI_EIO;
    if (rc == MCPI_OK && rename(tmp, run->path) != 0)
        rc = MCPI_EIO;
    if (rc != MCPI_OK) {
        int e = errno;
        unlink(tmp);
        mcpi_set_error(err, errlen, "%s: writing '%s' failed: %s", flag, run->path, strerror(e));
    }
    return rc;
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
    if (default_dir(dir, sizeof dir) != 0) {
        mcpi_set_error(err, errlen,
                       "calibrate: no cache directory: set MCPI_CACHE_DIR, XDG_CACHE_HOME or HOME, "
                       "or pass --calibration FILE");
        return MCPI_EIO;
    }
    if (make_dirs(dir) != 0) {
        mcpi_set_error(err, errlen, "calibrate: cannot create '%s': %s", dir, strerror(errno));
        return MCPI_EIO;
    }
    snprintf(run->path, sizeof run->path, "%s/" CAL_FILE, dir);
    return MCPI_OK;
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

/* options.c - the option table and the argument parser.
 *
 * One table: every option's names, where its value goes, how it is read and
 * the accepted form that error lines quote.  A value is read by one of a few
 * setters (a count, a ranged integer, a path, a flag, ...); the few options
 * with rules of their own (--backend, --range, ...) have their own setter.
 * Parsing is pure (no file, no device), so every MPI rank reaches the same
 * verdict from the same argv. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mcpi_selftest.h"

typedef struct opt opt;
/* What a setter returns for a value it does not accept: the caller writes
 * the "invalid value" line (a setter with a line of its own returns its
 * MCPI_E* status instead). */
#define INVALID 1

/* Reads v into the field of c at o->offset.  0, INVALID, or an MCPI_E*
 * status with err written. */
typedef int (*opt_set)(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen);

struct opt {
    const char *lng;
    char shrt;
    int has_arg;
    opt_set set;
    size_t offset;        /* of the field in mcpi_cli */
    uint64_t lo, hi;      /* ranged integers */
    const char *accepted; /* the accepted form, for error lines */
};

#define FIELD(f) offsetof(mcpi_cli, f)
#define AT(c, o, type) ((type *)(void *)((char *)(c) + (o)->offset))

/* ---- setters ---------------------------------------------------------------- */

static int set_flag(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)v, (void)err, (void)errlen;
    *AT(c, o, int) = 1;
    return 0;
}

static int set_count(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    return mcpi_parse_count(v, AT(c, o, uint64_t)) == MCPI_OK ? 0 : INVALID;
}

/* -n: a count, remembered as given (a --range must then agree with it). */
static int set_samples(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    if (mcpi_parse_count(v, &c->cfg.samples) != MCPI_OK)
        return INVALID;
    c->samples_set = 1;
    return 0;
}

static int set_u64(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    return mcpi_parse_u64(v, AT(c, o, uint64_t)) == MCPI_OK ? 0 : INVALID;
}

/* An integer in [lo, hi]. */
static int ranged(const opt *o, const char *v, uint64_t *x)
{
    return mcpi_parse_u64(v, x) == MCPI_OK && *x >= o->lo && *x <= o->hi ? 0 : INVALID;
}

static int set_uint(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    uint64_t x;
    if (ranged(o, v, &x) != 0)
        return INVALID;
    *AT(c, o, unsigned) = (unsigned)x;
    return 0;
}

static int set_ranged_u64(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    return ranged(o, v, AT(c, o, uint64_t));
}

static int set_seconds(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    uint64_t x;
    if (ranged(o, v, &x) != 0)
        return INVALID;
    *AT(c, o, double) = (double)x;
    return 0;
}

/* A non-empty string kept as given (a path). */
static int set_path(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    if (v[0] == '\0')
        return INVALID;
    *AT(c, o, const char *) = v;
    return 0;
}

static int set_text(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    *AT(c, o, const char *) = v;
    return 0;
}

static int set_format(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    if (mcpi_format_parse(v, &c->cfg.format) != 0)
        return INVALID;
    c->format_set = 1;
    return 0;
}

static int set_backend(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o;
    if (v[0] == '\0' || strlen(v) >= sizeof c->cfg.backends)
        return INVALID;
    snprintf(c->cfg.backends, sizeof c->cfg.backends, "%s", v);
    return mcpi_selection_check(c->cfg.backends, err, errlen);
}

static int set_isa(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    if (!mcpi_isa_known(v) || strlen(v) >= sizeof c->cfg.isa)
        return INVALID;
    snprintf(c->cfg.isa, sizeof c->cfg.isa, "%s", v);
    return 0;
}

static int set_range(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    char buf[64];
    const char *colon = strchr(v, ':');
    uint64_t b, e;
    if (colon == NULL || (size_t)(colon - v) >= sizeof buf)
        return INVALID;
    memcpy(buf, v, (size_t)(colon - v));
    buf[colon - v] = '\0';
    if (mcpi_parse_u64(buf, &b) != MCPI_OK || mcpi_parse_u64(colon + 1, &e) != MCPI_OK || b >= e)
        return INVALID;
    c->cfg.range_begin = b;
    c->cfg.range_end = e;
    c->cfg.has_range = 1;
    return 0;
}

/* One row name, as a sweep reports rows (not a list, not all or auto). */
static int set_reference(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    if (v[0] == '\0' || strchr(v, ',') != NULL || strlen(v) >= sizeof c->reference ||
        strcmp(v, "all") == 0 || strcmp(v, "auto") == 0 ||
        mcpi_selection_check(v, NULL, 0) != MCPI_OK)
        return INVALID;
    snprintf(c->reference, sizeof c->reference, "%s", v);
    return 0;
}

static int set_verify(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    static const mcpi_verify_mode modes[] = {MCPI_VERIFY_SAMPLE, MCPI_VERIFY_OFF, MCPI_VERIFY_FULL};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; ++i)
        if (strcmp(v, mcpi_verify_name(modes[i])) == 0) {
            c->cfg.verify = modes[i];
            return 0;
        }
    return INVALID;
}

/* --ocl-vector: auto (0), or the kernel path 1 (scalar), 4, 8 or 16. */
static int set_ocl_vector(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    static const char *const paths[] = {"auto", "1", "4", "8", "16"};
    static const unsigned widths[] = {0, 1, 4, 8, 16};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; ++i)
        if (strcmp(v, paths[i]) == 0) {
            c->cfg.ocl_vector = widths[i];
            return 0;
        }
    return INVALID;
}

/* A comma list of increasing integers in [lo, hi] ("1,2,4"), at most
 * MCPI_SCALE_MAX_POINTS of them, into list[*n]. */
static int int_list(const opt *o, const char *v, unsigned *list, size_t *n)
{
    *n = 0;
    for (const char *p = v;; ++p) {
        char buf[24];
        size_t len = strcspn(p, ",");
        uint64_t x;
        if (len == 0 || len >= sizeof buf || *n == MCPI_SCALE_MAX_POINTS)
            return INVALID;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (ranged(o, buf, &x) != 0 || (*n > 0 && x <= list[*n - 1]))
            return INVALID;
        list[(*n)++] = (unsigned)x;
        p += len;
        if (*p == '\0')
            return 0;
    }
}

/* --threads N, or (mcpi scale) --threads LIST: cfg.threads is its first value. */
static int set_threads(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    if (int_list(o, v, c->threads_list, &c->nthreads_list) != 0)
        return INVALID;
    c->cfg.threads = c->threads_list[0];
    return 0;
}

static int set_ranks(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    return int_list(o, v, c->ranks_list, &c->nranks_list) != 0 ? INVALID : 0;
}

static int set_cover(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    if (mcpi_parse_count(v, &c->cover) != MCPI_OK)
        return INVALID;
    c->has_cover = 1;
    return 0;
}

/* A decimal number in [lo, hi] ("10", "2.5"): no sign, no exponent, no
 * hexadecimal, nothing after it. */
static int decimal(const char *v, double lo, double hi, double *x)
{
    char *end = NULL;
    if (v[0] == '\0' || strspn(v, "0123456789.") != strlen(v))
        return INVALID;
    *x = strtod(v, &end);
    return end != v && *end == '\0' && *x >= lo && *x <= hi ? 0 : INVALID;
}

/* compare --fail-if-slower PCT: a percentage. */
static int set_fail_if_slower(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    if (decimal(v, 0.0, 10000.0, &c->fail_if_slower) != 0)
        return INVALID;
    c->has_fail_if_slower = 1;
    return 0;
}

/* compare --alpha A: the rank test's significance level, 0 < A <= 0.5. */
static int set_alpha(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    (void)o, (void)err, (void)errlen;
    if (decimal(v, 0.0, 0.5, &c->alpha) != 0 || !(c->alpha > 0.0))
        return INVALID;
    c->has_alpha = 1;
    return 0;
}

/* ---- the table ------------------------------------------------------------------ */

#define COUNT_FORM "an integer from 1 to 2^64-1"
#define BACKEND_FORM                                                                               \
    "a comma list of serial, simd, threads, naive, opencl, opencl:P.D, opencl:gpu, "               \
    "opencl:cpu, opencl:accelerator, node, all, auto, or exact ones joined by '+'"

static const opt options[] = {
    {"samples", 'n', 1, set_samples, 0, 0, 0, COUNT_FORM " (1000000, 1e6, 2^20)"},
    {"seed", 's', 1, set_u64, FIELD(cfg.seed), 0, 0,
     "a 64-bit unsigned integer, decimal or 0x hexadecimal"},
    {"backend", 'b', 1, set_backend, 0, 0, 0, BACKEND_FORM},
    {"threads", 't', 1, set_threads, 0, 1, MCPI_MAX_THREADS,
     "an integer from 1 to " MCPI_STR(
         MCPI_MAX_THREADS) " (mcpi scale: a comma list of increasing ones, 1,2,4)"},
    {"repeat", 'r', 1, set_uint, FIELD(cfg.repeat), 1, MCPI_MAX_REPEAT,
     "an integer from 1 to " MCPI_STR(MCPI_MAX_REPEAT)},
    {"warmup", 'w', 1, set_uint, FIELD(cfg.warmup), 0, MCPI_MAX_REPEAT,
     "an integer from 0 to " MCPI_STR(MCPI_MAX_REPEAT)},
    {"format", 'f', 1, set_format, 0, 0, 0, "one of table, csv, json, markdown"},
    {"output", 'o', 1, set_path, FIELD(cfg.output), 0, 0, "a writable file path"},
    {"quiet", 'q', 0, set_flag, FIELD(cfg.quiet), 0, 0, NULL},
    {"per-rank", 0, 0, set_flag, FIELD(cfg.per_rank), 0, 0, NULL},
    {"work-group", 0, 1, set_uint, FIELD(cfg.work_group), 1, 1u << 20,
     "an integer from 1 to the device's maximum"},
    {"per-item", 0, 1, set_ranged_u64, FIELD(cfg.per_item), 1, 1ull << 32,
     "an integer from 1 to 2^32"},
    {"launch-samples", 0, 1, set_count, FIELD(cfg.launch_samples), 0, 0, COUNT_FORM " (1e6, 2^20)"},
    {"ocl-vector", 0, 1, set_ocl_vector, 0, 0, 0,
     "one of auto, 1 (the scalar kernel path), 4, 8, 16 (vector lanes)"},
    {"no-cache", 0, 0, set_flag, FIELD(cfg.no_cache), 0, 0, NULL},
    {"no-open", 0, 0, set_flag, FIELD(no_open), 0, 0, NULL},
    {"isa", 0, 1, set_isa, 0, 0, 0, NULL /* one of mcpi_isa_names() */},
    {"build-options", 0, 1, set_text, FIELD(cfg.build_options), 0, 0, "OpenCL C compiler options"},
    {"help", 'h', 0, set_flag, FIELD(help), 0, 0, NULL},
    {"version", 'V', 0, set_flag, FIELD(version), 0, 0, NULL},
    {"from", 0, 1, set_count, FIELD(sweep_from), 0, 0, COUNT_FORM " (1e3, 2^10)"},
    {"to", 0, 1, set_count, FIELD(sweep_to), 0, 0, COUNT_FORM " (1e9, 2^30), not below --from"},
    {"steps-per-decade", 0, 1, set_uint, FIELD(steps_per_decade), 1, 100,
     "an integer from 1 to 100"},
    {"calibration", 0, 1, set_path, FIELD(cfg.calibration), 0, 0,
     "a calibration file written by mcpi calibrate"},
    {"range", 0, 1, set_range, 0, 0, 0, "BEGIN:END sample indices, 0 <= BEGIN < END <= 2^64-1"},
    {"checkpoint", 0, 1, set_path, FIELD(cfg.checkpoint), 0, 0, "a writable file path"},
    {"resume", 0, 1, set_path, FIELD(cfg.resume), 0, 0,
     "a checkpoint file written by --checkpoint"},
    {"checkpoint-interval", 0, 1, set_seconds, FIELD(cfg.checkpoint_interval_s), 1, 86400,
     "seconds, an integer from 1 to 86400"},
    {"progress", 0, 0, set_flag, FIELD(cfg.progress), 0, 0, NULL},
    {"cover", 0, 1, set_cover, 0, 0, 0,
     "an integer N from 1 to 2^64-1: the parts must cover [0, N)"},
    {"reference", 0, 1, set_reference, 0, 0, 0,
     "one row name: serial, simd, threads or opencl:P.D"},
    {"verify", 0, 1, set_verify, 0, 0, 0, "one of sample, off, full"},
    {"balance", 0, 0, set_flag, FIELD(cfg.balance), 0, 0, NULL},
    {"ranks", 0, 1, set_ranks, 0, 1, 1u << 30,
     "a comma list of increasing rank counts, 1,2,4, none above the job's"},
    {"strong", 0, 0, set_flag, FIELD(strong), 0, 0, NULL},
    {"weak", 0, 0, set_flag, FIELD(weak), 0, 0, NULL},
    {"fail-if-slower", 0, 1, set_fail_if_slower, 0, 0, 0,
     "a percentage from 0 to 10000 (10, 2.5): the slowdown beyond the uncertainty that fails"},
    {"alpha", 0, 1, set_alpha, 0, 0, 0,
     "a significance level above 0 and at most 0.5 (0.05, 0.01)"},
};
#define NOPTIONS (sizeof options / sizeof options[0])
_Static_assert(NOPTIONS <= MCPI_CLI_MAX_OPTIONS, "mcpi_cli.given has a slot per option");

/* ---- parsing ------------------------------------------------------------------------ */

/* "-n/--samples" or "--seed". */
static void flag_name(char *buf, size_t len, const opt *o)
{
    if (o->shrt)
        snprintf(buf, len, "-%c/--%s", o->shrt, o->lng);
    else
        snprintf(buf, len, "--%s", o->lng);
}

/* The accepted form of o's value (--isa's comes from the ISA table). */
static const char *accepted(const opt *o, char *buf, size_t len)
{
    if (o->accepted != NULL)
        return o->accepted;
    snprintf(buf, len, "one of %s", mcpi_isa_names());
    return buf;
}

static int apply(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    c->given[o - options] = 1;
    int rc = o->set(c, o, v, err, errlen);
    if (rc == MCPI_OK)
        return MCPI_OK;
    if (rc == INVALID) {
        char name[64], form[96];
        flag_name(name, sizeof name, o);
        mcpi_set_error(err, errlen, "%s: invalid value '%s'; expected %s", name, v,
                       accepted(o, form, sizeof form));
        return MCPI_EINVAL;
    }
    return rc;
}

static const opt *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < NOPTIONS; ++i)
        if (strlen(options[i].lng) == len && strncmp(options[i].lng, name, len) == 0)
            return &options[i];
    return NULL;
}

static const opt *find_short(char ch)
{
    for (size_t i = 0; i < NOPTIONS; ++i)
        if (options[i].shrt == ch)
            return &options[i];
    return NULL;
}

/* Finds the option of argument a ("--name", "--name=value", "-x", "-xvalue");
 * *value gets an attached value.  NULL with err written for an unknown one. */
static const opt *find_option(const char *a, const char **value, char *err, size_t errlen)
{
    const opt *o = NULL;
    *value = NULL;
    if (a[1] == '-') {
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if ((o = find_long(a + 2, len)) == NULL)
            mcpi_set_error(err, errlen, "unknown option '%.*s'; see mcpi --help", (int)(len + 2),
                           a);
        else if (eq != NULL)
            *value = eq + 1;
    } else {
        if ((o = find_short(a[1])) == NULL)
            mcpi_set_error(err, errlen, "unknown option '-%c'; see mcpi --help", a[1]);
        else if (a[2] != '\0')
            *value = a + 2;
    }
    if (o != NULL && *value != NULL && !o->has_arg) {
        char name[64];
        flag_name(name, sizeof name, o);
        mcpi_set_error(err, errlen, "%s: takes no value", name);
        return NULL;
    }
    return o;
}

/* A word that is not an option: the command, or a file of merge. */
static int positional(mcpi_cli *c, const char *a, int *seen, char *err, size_t errlen)
{
    if ((*seen)++ == 0) {
        int k = mcpi_cli_command_find(a);
        if (k < 0) {
            mcpi_set_error(err, errlen,
                           "unknown command '%s'; accepted: run, devices, sweep, calibrate, "
                           "merge, scale, compare, selftest (see mcpi --help)",
                           a);
            return MCPI_EINVAL;
        }
        c->cmd = (mcpi_command)k;
        return MCPI_OK;
    }
    if ((c->cmd == CMD_MERGE || c->cmd == CMD_COMPARE) && c->nfiles < MCPI_CLI_MAX_FILES) {
        c->files[c->nfiles++] = a;
        return MCPI_OK;
    }
    mcpi_set_error(err, errlen, "unexpected argument '%s'; see mcpi --help", a);
    return MCPI_EINVAL;
}

/* The options of mcpi scale, and only there. */
static int check_scale(const mcpi_cli *c, char *err, size_t errlen)
{
    const char *only = NULL;
    if (c->cmd != CMD_SCALE)
        only = c->nranks_list         ? "--ranks"
               : c->strong            ? "--strong"
               : c->weak              ? "--weak"
               : c->nthreads_list > 1 ? "--threads LIST"
                                      : NULL;
    if (only != NULL) {
        mcpi_set_error(err, errlen, "%s: accepted by mcpi scale only%s", only,
                       strcmp(only, "--threads LIST") == 0
                           ? "; a run takes one integer from 1 to " MCPI_STR(MCPI_MAX_THREADS)
                           : "");
        return MCPI_EINVAL;
    }
    if (c->strong && c->weak) {
        mcpi_set_error(err, errlen, "--strong and --weak: pick one (default: --strong)");
        return MCPI_EINVAL;
    }
    if (c->nranks_list && c->nthreads_list > 1) {
        mcpi_set_error(err, errlen,
                       "--threads LIST and --ranks LIST: scale over one of them (--threads N "
                       "with --ranks sets each rank's threads)");
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

/* A checkpointed run (--checkpoint, --resume) is mcpi run's, and one timed
 * pass: --repeat 1 --warmup 0 are its defaults and other values are refused.
 * Without -b, a new checkpointed run counts with auto (one row: the one
 * predicted fastest); a resumed one takes the row its checkpoint names
 * (cli_main.c reads it). */
static int check_checkpoint(mcpi_cli *c, char *err, size_t errlen)
{
    if (c->cfg.checkpoint == NULL && c->cfg.resume == NULL)
        return MCPI_OK;
    const char *flag = c->cfg.checkpoint != NULL ? "--checkpoint" : "--resume";
    if (c->cmd != CMD_RUN) {
        mcpi_set_error(err, errlen,
                       "%s: accepted by mcpi run only (a sweep or scaling study is many short "
                       "runs; devices, calibrate and merge count nothing to keep)",
                       flag);
        return MCPI_EINVAL;
    }
    static const struct {
        const char *lng, *flag;
        unsigned want;
    } pass[] = {{"repeat", "-r/--repeat", 1}, {"warmup", "-w/--warmup", 0}};
    const unsigned got[] = {c->cfg.repeat, c->cfg.warmup};
    for (size_t i = 0; i < sizeof pass / sizeof pass[0]; ++i)
        if (mcpi_cli_given(c, pass[i].lng) && got[i] != pass[i].want) {
            mcpi_set_error(err, errlen,
                           "%s %u and %s: a checkpointed run is one timed pass (--repeat 1 "
                           "--warmup 0, its defaults); omit %s or give %u",
                           pass[i].flag, got[i], flag, pass[i].flag, pass[i].want);
            return MCPI_EINVAL;
        }
    c->cfg.repeat = 1;
    c->cfg.warmup = 0;
    if (c->cfg.resume == NULL && !mcpi_cli_given(c, "backend"))
        snprintf(c->cfg.backends, sizeof c->cfg.backends, "auto");
    return MCPI_OK;
}

/* Options that belong to one command: given to another they would be
 * ignored (mcpi --from 1e3 would run the default N on every backend). */
static int check_owned(const mcpi_cli *c, char *err, size_t errlen)
{
    static const struct {
        const char *lng;
        mcpi_command cmd;
        const char *name;
    } owned[] = {{"from", CMD_SWEEP, "sweep"},
                 {"to", CMD_SWEEP, "sweep"},
                 {"steps-per-decade", CMD_SWEEP, "sweep"},
                 {"reference", CMD_SWEEP, "sweep"},
                 {"cover", CMD_MERGE, "merge"},
                 {"no-open", CMD_DEVICES, "devices"}};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; ++i)
        if (c->cmd != owned[i].cmd && mcpi_cli_given(c, owned[i].lng)) {
            mcpi_set_error(err, errlen, "--%s: accepted by mcpi %s only", owned[i].lng,
                           owned[i].name);
            return MCPI_EINVAL;
        }
    return MCPI_OK;
}

/* The options of mcpi compare, and only there; compare takes two files or more. */
static int check_compare(const mcpi_cli *c, char *err, size_t errlen)
{
    const char *only = c->has_fail_if_slower ? "--fail-if-slower" : c->has_alpha ? "--alpha" : NULL;
    if (c->cmd != CMD_COMPARE && only != NULL) {
        mcpi_set_error(err, errlen, "%s: accepted by mcpi compare only", only);
        return MCPI_EINVAL;
    }
    if (c->cmd == CMD_COMPARE && c->nfiles < 2) {
        mcpi_set_error(err, errlen,
                       "compare: expected two or more JSON result files (the first is the "
                       "baseline), got %d",
                       c->nfiles);
        return MCPI_EINVAL;
    }
    return MCPI_OK;
}

/* mcpi selftest: the options it takes, and a --backend list of single
 * devices (mcpi_selftest_check_backends); any other option would be
 * ignored, so it is refused. */
static int check_selftest(const mcpi_cli *c, char *err, size_t errlen)
{
    static const char *const takes[] = {"backend", "seed",     "format", "output",
                                        "quiet",   "no-cache", "help",   "version"};
    if (c->cmd != CMD_SELFTEST)
        return MCPI_OK;
    for (size_t i = 0; i < NOPTIONS; ++i) {
        int ok = !c->given[i];
        for (size_t j = 0; !ok && j < sizeof takes / sizeof takes[0]; ++j)
            ok = strcmp(options[i].lng, takes[j]) == 0;
        if (!ok) {
            char name[64];
            flag_name(name, sizeof name, &options[i]);
            mcpi_set_error(err, errlen,
                           "%s: not accepted by mcpi selftest (it takes -b, -s, -f, -o, -q and "
                           "--no-cache)",
                           name);
            return MCPI_EINVAL;
        }
    }
    return mcpi_selftest_check_backends(c->cfg.backends, err, errlen);
}

/* Rules between options, once all are read. */
static int check_all(mcpi_cli *c, char *err, size_t errlen)
{
    if (c->sweep_to < c->sweep_from) {
        mcpi_set_error(err, errlen, "--to: must not be below --from");
        return MCPI_EINVAL;
    }
    if (c->cfg.has_range) { /* the range is the run: N is its length */
        uint64_t len = c->cfg.range_end - c->cfg.range_begin;
        if (c->samples_set && c->cfg.samples != len) {
            mcpi_set_error(err, errlen,
                           "-n/--samples and --range: -n says %llu samples, the range holds "
                           "%llu; give one of them (a range's N is its length)",
                           (unsigned long long)c->cfg.samples, (unsigned long long)len);
            return MCPI_EINVAL;
        }
        c->cfg.samples = len;
    }
    int rc = check_scale(c, err, errlen);
    if (rc == MCPI_OK)
        rc = check_owned(c, err, errlen);
    if (rc == MCPI_OK)
        rc = check_checkpoint(c, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    if (c->cmd == CMD_MERGE && c->nfiles == 0) {
        mcpi_set_error(err, errlen, "merge: expected one or more JSON result files");
        return MCPI_EINVAL;
    }
    rc = check_compare(c, err, errlen);
    if (rc == MCPI_OK)
        rc = check_selftest(c, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    return mcpi_config_validate(&c->cfg, err, errlen);
}

int mcpi_cli_parse(mcpi_cli *c, int argc, char **argv, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    mcpi_config_default(&c->cfg);
    c->sweep_from = 1000;
    c->sweep_to = 100000000;
    c->steps_per_decade = 1;
    int seen = 0, options_end = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i], *value = NULL;
        if (!options_end && strcmp(a, "--") == 0) { /* the end of the options */
            options_end = 1;
            continue;
        }
        int is_option = !options_end && a[0] == '-' && a[1] != '\0';
        if (!is_option) {
            int rc = positional(c, a, &seen, err, errlen);
            if (rc != MCPI_OK)
                return rc;
            continue;
        }
        const opt *o = find_option(a, &value, err, errlen);
        if (o == NULL)
            return MCPI_EINVAL;
        if (o->has_arg && value == NULL) {
            if (i + 1 >= argc) {
                char name[64], form[96];
                flag_name(name, sizeof name, o);
                mcpi_set_error(err, errlen, "%s: missing value; expected %s", name,
                               accepted(o, form, sizeof form));
                return MCPI_EINVAL;
            }
            value = argv[++i];
        }
        int rc = apply(c, o, value, err, errlen);
        if (rc != MCPI_OK)
            return rc;
    }
    return check_all(c, err, errlen);
}

int mcpi_cli_given(const mcpi_cli *c, const char *lng)
{
    const opt *o = find_long(lng, strlen(lng));
    return o != NULL && c->given[o - options];
}

int mcpi_cli_command_find(const char *name)
{
    static const char *const names[] = {"run",   "devices", "sweep",   "calibrate",
                                        "merge", "scale",   "compare", "selftest"};
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); ++i)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

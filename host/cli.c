/* cli.c - the mcpi command line: parse, validate, run every target, report.
 *
 * Every rank parses the same argv and so reaches the same verdict on bad
 * input; only rank 0 prints it.  Checks that touch the file system (the
 * output path) happen on rank 0 and are agreed on with min_int, so all
 * ranks exit with one code and none waits for another. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auto.h"
#include "cli.h"
#include "cpu.h"
#include "fsutil.h"
#include "mcpi.h"
#include "signals.h"

typedef enum {
    OPT_SAMPLES, OPT_SEED, OPT_BACKEND, OPT_THREADS, OPT_REPEAT, OPT_WARMUP, OPT_FORMAT,
    OPT_OUTPUT, OPT_QUIET, OPT_PER_RANK, OPT_WORK_GROUP, OPT_PER_ITEM, OPT_LAUNCH_SAMPLES,
    OPT_NO_CACHE, OPT_ISA, OPT_BUILD_OPTIONS, OPT_HELP, OPT_VERSION, OPT_FROM, OPT_TO,
    OPT_STEPS, OPT_CALIBRATION, OPT_RANGE, OPT_CHECKPOINT, OPT_RESUME, OPT_CHECKPOINT_INTERVAL,
    OPT_PROGRESS, OPT_COVER, OPT_REFERENCE
} opt_id;

typedef struct opt {
    const char *lng;
    char shrt;
    int has_arg;
    opt_id id;
    const char *accepted; /* the accepted form, for error lines */
} opt;

static const opt options[] = {
    {"samples", 'n', 1, OPT_SAMPLES, "an integer from 1 to 2^64-1 (1000000, 1e6, 2^20)"},
    {"seed", 's', 1, OPT_SEED, "a 64-bit unsigned integer, decimal or 0x hexadecimal"},
    {"backend", 'b', 1, OPT_BACKEND, "a comma list of serial, simd, threads, naive, opencl, "
                                     "opencl:P.D, opencl:gpu, opencl:cpu, opencl:accelerator, all, auto"},
    {"threads", 't', 1, OPT_THREADS, "an integer from 1 to 1024"},
    {"repeat", 'r', 1, OPT_REPEAT, "an integer from 1 to 1000"},
    {"warmup", 'w', 1, OPT_WARMUP, "an integer from 0 to 1000"},
    {"format", 'f', 1, OPT_FORMAT, "one of table, csv, json, markdown"},
    {"output", 'o', 1, OPT_OUTPUT, "a writable file path"},
    {"quiet", 'q', 0, OPT_QUIET, NULL},
    {"per-rank", 0, 0, OPT_PER_RANK, NULL},
    {"work-group", 0, 1, OPT_WORK_GROUP, "an integer from 1 to the device's maximum"},
    {"per-item", 0, 1, OPT_PER_ITEM, "an integer from 1 to 2^32"},
    {"launch-samples", 0, 1, OPT_LAUNCH_SAMPLES, "an integer from 1 to 2^64-1 (1e6, 2^20)"},
    {"no-cache", 0, 0, OPT_NO_CACHE, NULL},
    {"isa", 0, 1, OPT_ISA, "one of avx512, avx2, sse2, portable"},
    {"build-options", 0, 1, OPT_BUILD_OPTIONS, "OpenCL C compiler options"},
    {"help", 'h', 0, OPT_HELP, NULL},
    {"version", 'V', 0, OPT_VERSION, NULL},
    {"from", 0, 1, OPT_FROM, "an integer from 1 to 2^64-1 (1e3, 2^10)"},
    {"to", 0, 1, OPT_TO, "an integer from 1 to 2^64-1 (1e9, 2^30), not below --from"},
    {"steps-per-decade", 0, 1, OPT_STEPS, "an integer from 1 to 100"},
    {"calibration", 0, 1, OPT_CALIBRATION, "a calibration file written by mcpi calibrate"},
    {"range", 0, 1, OPT_RANGE, "BEGIN:END sample indices, 0 <= BEGIN < END <= 2^64-1"},
    {"checkpoint", 0, 1, OPT_CHECKPOINT, "a writable file path"},
    {"resume", 0, 1, OPT_RESUME, "a checkpoint file written by --checkpoint"},
    {"checkpoint-interval", 0, 1, OPT_CHECKPOINT_INTERVAL, "seconds, an integer from 1 to 86400"},
    {"progress", 0, 0, OPT_PROGRESS, NULL},
    {"cover", 0, 1, OPT_COVER, "an integer N from 1 to 2^64-1: the parts must cover [0, N)"},
    {"reference", 0, 1, OPT_REFERENCE, "one row name: serial, simd, threads or opencl:P.D"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static const char usage_text[] =
    "usage: mcpi [run] [options]          estimate pi on every selected backend: one ratio table\n"
    "       mcpi devices [--format F]      list backends and devices (OpenCL P.D indices)\n"
    "       mcpi sweep [--from A] [--to B] [--steps-per-decade K] [options]\n"
    "                                      the ratio table at each N from A to B, and the N\n"
    "                                      from which each backend beats serial (crossover)\n"
    "       mcpi calibrate [--calibration FILE]\n"
    "                                      measure this machine in stones (see README) and\n"
    "                                      re-probe the --backend auto model\n"
    "       mcpi merge FILE... [--cover N]  combine JSON results of --range parts exactly\n"
    "       mpirun -n R mcpi [options]     any of these across R MPI ranks\n"
    "\n"
    "Options:\n"
    "  -n, --samples N      samples, 1..2^64-1: 1000000, 1e6, 2.5e9, 2^30 (default 1e8)\n"
    "  -s, --seed S         64-bit seed, decimal or 0x hex (default 0)\n"
    "  -b, --backend LIST   comma list: serial, simd, threads, naive, opencl, opencl:P.D,\n"
    "                       opencl:gpu, opencl:cpu, opencl:accelerator, all (default all),\n"
    "                       auto (the one predicted fastest for this N; see README)\n"
    "  -t, --threads T      threads for 'threads', 1..1024 (default: every usable core,\n"
    "                       divided among the MPI ranks of a node)\n"
    "  -r, --repeat R       timed repeats, 1..1000 (default 3); the table shows the median\n"
    "  -w, --warmup W       untimed repeats first, 0..1000 (default 1)\n"
    "  -f, --format F       table, csv, json or markdown (default table)\n"
    "  -o, --output FILE    write the report to FILE atomically instead of stdout\n"
    "  -q, --quiet          no progress or notes on stderr\n"
    "      --per-rank       under MPI, add one row per rank (JSON always has them)\n"
    "      --isa ISA        force the SIMD instruction set: avx512, avx2, sse2, portable\n"
    "                       (also MCPI_ISA; default: the widest this CPU has)\n"
    "      --calibration FILE  add machine-normalised times (stones) from mcpi calibrate\n"
    "                       (default: the saved calibration, when there is one)\n"
    "      --no-cache       neither read nor write the caches: OpenCL program binaries and\n"
    "                       the --backend auto model ($MCPI_CACHE_DIR, else\n"
    "                       $XDG_CACHE_HOME/mcpi, else ~/.cache/mcpi)\n";
/* Two strings: ISO C guarantees string literals of 4095 characters only. */
static const char usage_text2[] =
    "Sweep:\n"
    "      --from A, --to B sample counts to sweep (default 1e3 and 1e8)\n"
    "      --steps-per-decade K  points per factor of 10, 1..100 (default 1)\n"
    "      --reference ROW  the row crossovers are measured against (default serial;\n"
    "                       e.g. simd shows where threads' start-up cost is paid back)\n"
    "Batch jobs:\n"
    "      --range B:E      count samples [B, E) of the stream only (job arrays; N = E-B)\n"
    "      --checkpoint FILE  save progress atomically every --checkpoint-interval seconds\n"
    "                       and on SIGTERM/SIGINT/SIGUSR1 (one backend, --repeat 1 -w 0)\n"
    "      --resume FILE    continue a checkpointed run (any backend, any rank count)\n"
    "      --checkpoint-interval S  seconds between checkpoints, 1..86400 (default 60)\n"
    "      --progress       progress on stderr even when it is not a terminal\n"
    "      --cover N        merge: the parts must cover [0, N) exactly\n"
    "OpenCL:\n"
    "      --work-group WG  work-group size (default: from the device)\n"
    "      --per-item K     samples per work-item per launch (default: from the device)\n"
    "      --launch-samples K  at most K samples per kernel launch (default: ~50 ms of work)\n"
    "      --build-options S  extra OpenCL compiler options\n"
    "  -h, --help           this help;  -V, --version  the version\n"
    "\n"
    "Every exact backend counts the same samples (Philox4x32-10, exact integer test), so\n"
    "hits are identical across backends, devices, threads and ranks for one (seed, N).\n"
    "'naive' is the tutorial's plain loop (libc generator, double, sqrt): a teaching row\n"
    "whose hits differ by design.\n"
    "\n"
    "Exit codes: 0 ok; 1 a backend failed at run time (its row says why, other rows are\n"
    "kept); 2 bad input (one line names the flag and the accepted form, nothing written);\n"
    "3 a requested backend or device is not available (the line names what is);\n"
    "4 the report could not be written; 5 interrupted by a signal, checkpoint written\n"
    "(continue with --resume); 128+S a second signal S ended the run at once.\n";

static int bad(char *err, size_t errlen, const opt *o, const char *value)
{
    if (o->shrt)
        mcpi_set_error(err, errlen, "-%c/--%s: invalid value '%s'; expected %s", o->shrt,
                       o->lng, value, o->accepted);
    else
        mcpi_set_error(err, errlen, "--%s: invalid value '%s'; expected %s", o->lng, value,
                       o->accepted);
    return MCPI_EINVAL;
}

static int parse_uint(const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
    uint64_t x;
    if (mcpi_parse_u64(v, &x) != MCPI_OK || x < lo || x > hi)
        return -1;
    *out = x;
    return 0;
}

static int apply(mcpi_cli *c, const opt *o, const char *v, char *err, size_t errlen)
{
    mcpi_config *cfg = &c->cfg;
    uint64_t x;
    switch (o->id) {
    case OPT_SAMPLES:
        if (mcpi_parse_count(v, &cfg->samples) != MCPI_OK)
            return bad(err, errlen, o, v);
        break;
    case OPT_SEED:
        if (mcpi_parse_u64(v, &cfg->seed) != MCPI_OK)
            return bad(err, errlen, o, v);
        break;
    case OPT_BACKEND:
        if (v[0] == '\0' || strlen(v) >= sizeof cfg->backends)
            return bad(err, errlen, o, v);
        snprintf(cfg->backends, sizeof cfg->backends, "%s", v);
        return mcpi_selection_check(cfg->backends, err, errlen);
    case OPT_THREADS:
        if (parse_uint(v, 1, MCPI_MAX_THREADS, &x) != 0)
            return bad(err, errlen, o, v);
        cfg->threads = (unsigned)x;
        break;
    case OPT_REPEAT:
        if (parse_uint(v, 1, MCPI_MAX_REPEAT, &x) != 0)
            return bad(err, errlen, o, v);
        cfg->repeat = (unsigned)x;
        break;
    case OPT_WARMUP:
        if (parse_uint(v, 0, MCPI_MAX_REPEAT, &x) != 0)
            return bad(err, errlen, o, v);
        cfg->warmup = (unsigned)x;
        break;
    case OPT_FORMAT:
        if (mcpi_format_parse(v, &cfg->format) != 0)
            return bad(err, errlen, o, v);
        c->format_set = 1;
        break;
    case OPT_OUTPUT:
        if (v[0] == '\0')
            return bad(err, errlen, o, v);
        cfg->output = v;
        break;
    case OPT_QUIET:
        cfg->quiet = 1;
        break;
    case OPT_PER_RANK:
        cfg->per_rank = 1;
        break;
    case OPT_WORK_GROUP:
        if (parse_uint(v, 1, 1u << 20, &x) != 0)
            return bad(err, errlen, o, v);
        cfg->work_group = (unsigned)x;
        break;
    case OPT_PER_ITEM:
        if (parse_uint(v, 1, 1ull << 32, &x) != 0)
            return bad(err, errlen, o, v);
        cfg->per_item = x;
        break;
    case OPT_LAUNCH_SAMPLES:
        if (mcpi_parse_count(v, &cfg->launch_samples) != MCPI_OK)
            return bad(err, errlen, o, v);
        break;
    case OPT_NO_CACHE:
        cfg->no_cache = 1;
        break;
    case OPT_ISA:
        if (strcmp(v, "avx512") && strcmp(v, "avx2") && strcmp(v, "sse2") &&
            strcmp(v, "portable"))
            return bad(err, errlen, o, v);
        snprintf(cfg->isa, sizeof cfg->isa, "%s", v);
        break;
    case OPT_BUILD_OPTIONS:
        cfg->build_options = v;
        break;
    case OPT_HELP:
        c->help = 1;
        break;
    case OPT_VERSION:
        c->version = 1;
        break;
    case OPT_FROM:
        if (mcpi_parse_count(v, &c->sweep_from) != MCPI_OK)
            return bad(err, errlen, o, v);
        break;
    case OPT_TO:
        if (mcpi_parse_count(v, &c->sweep_to) != MCPI_OK)
            return bad(err, errlen, o, v);
        break;
    case OPT_STEPS:
        if (parse_uint(v, 1, 100, &x) != 0)
            return bad(err, errlen, o, v);
        c->steps_per_decade = (unsigned)x;
        break;
    case OPT_CALIBRATION:
        if (v[0] == '\0')
            return bad(err, errlen, o, v);
        cfg->calibration = v;
        break;
    case OPT_RANGE: {
        char buf[64];
        const char *colon = strchr(v, ':');
        uint64_t b, e;
        if (colon == NULL || (size_t)(colon - v) >= sizeof buf)
            return bad(err, errlen, o, v);
        memcpy(buf, v, (size_t)(colon - v));
        buf[colon - v] = '\0';
        if (mcpi_parse_u64(buf, &b) != MCPI_OK || mcpi_parse_u64(colon + 1, &e) != MCPI_OK ||
            b >= e)
            return bad(err, errlen, o, v);
        cfg->range_begin = b;
        cfg->range_end = e;
        cfg->has_range = 1;
        break;
    }
    case OPT_CHECKPOINT:
        if (v[0] == '\0')
            return bad(err, errlen, o, v);
        cfg->checkpoint = v;
        break;
    case OPT_RESUME:
        if (v[0] == '\0')
            return bad(err, errlen, o, v);
        cfg->resume = v;
        break;
    case OPT_CHECKPOINT_INTERVAL:
        if (parse_uint(v, 1, 86400, &x) != 0)
            return bad(err, errlen, o, v);
        cfg->checkpoint_interval_s = (double)x;
        break;
    case OPT_PROGRESS:
        cfg->progress = 1;
        break;
    case OPT_REFERENCE:
        if (v[0] == '\0' || strchr(v, ',') != NULL || strlen(v) >= sizeof c->reference ||
            strcmp(v, "all") == 0 || strcmp(v, "auto") == 0 ||
            mcpi_selection_check(v, NULL, 0) != MCPI_OK)
            return bad(err, errlen, o, v);
        snprintf(c->reference, sizeof c->reference, "%s", v);
        break;
    case OPT_COVER:
        if (mcpi_parse_count(v, &c->cover) != MCPI_OK)
            return bad(err, errlen, o, v);
        c->has_cover = 1;
        break;
    }
    return MCPI_OK;
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

/* Parses argv into c.  MCPI_EINVAL with one line in err on bad input. */
static int parse_args(mcpi_cli *c, int argc, char **argv, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    mcpi_config_default(&c->cfg);
    c->sweep_from = 1000;
    c->sweep_to = 100000000;
    c->steps_per_decade = 1;
    int positional = 0;
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        const opt *o = NULL;
        const char *value = NULL;
        if (strncmp(a, "--", 2) == 0 && a[2] != '\0') {
            const char *eq = strchr(a + 2, '=');
            size_t len = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
            o = find_long(a + 2, len);
            if (o == NULL) {
                mcpi_set_error(err, errlen, "unknown option '%.*s'; see mcpi --help",
                               (int)(len + 2), a);
                return MCPI_EINVAL;
            }
            if (eq != NULL) {
                if (!o->has_arg) {
                    mcpi_set_error(err, errlen, "--%s: takes no value", o->lng);
                    return MCPI_EINVAL;
                }
                value = eq + 1;
            }
        } else if (a[0] == '-' && a[1] != '\0' && a[1] != '-') {
            o = find_short(a[1]);
            if (o == NULL) {
                mcpi_set_error(err, errlen, "unknown option '-%c'; see mcpi --help", a[1]);
                return MCPI_EINVAL;
            }
            if (a[2] != '\0') {
                if (!o->has_arg) {
                    mcpi_set_error(err, errlen, "-%c/--%s: takes no value", o->shrt, o->lng);
                    return MCPI_EINVAL;
                }
                value = a + 2;
            }
        } else {
            if (positional++ == 0) {
                int k = mcpi_cli_command_find(a);
                if (k < 0) {
                    mcpi_set_error(err, errlen,
                                   "unknown command '%s'; accepted: run, devices, sweep, "
                                   "calibrate, merge (see mcpi --help)",
                                   a);
                    return MCPI_EINVAL;
                }
                c->cmd = (command)k;
                continue;
            }
            if (c->cmd == CMD_MERGE && c->nfiles < MCPI_CLI_MAX_FILES) {
                c->files[c->nfiles++] = a;
                continue;
            }
            mcpi_set_error(err, errlen, "unexpected argument '%s'; see mcpi --help", a);
            return MCPI_EINVAL;
        }
        if (o->has_arg && value == NULL) {
            if (i + 1 >= argc) {
                if (o->shrt)
                    mcpi_set_error(err, errlen, "-%c/--%s: missing value; expected %s", o->shrt,
                                   o->lng, o->accepted);
                else
                    mcpi_set_error(err, errlen, "--%s: missing value; expected %s", o->lng,
                                   o->accepted);
                return MCPI_EINVAL;
            }
            value = argv[++i];
        }
        int rc = apply(c, o, value, err, errlen);
        if (rc != MCPI_OK)
            return rc;
    }
    if (c->sweep_to < c->sweep_from) {
        mcpi_set_error(err, errlen, "--to: must not be below --from");
        return MCPI_EINVAL;
    }
    if (c->cfg.has_range) /* the range is the run: N is its length */
        c->cfg.samples = c->cfg.range_end - c->cfg.range_begin;
    if (c->cmd == CMD_MERGE && c->nfiles == 0) {
        mcpi_set_error(err, errlen, "merge: expected one or more JSON result files");
        return MCPI_EINVAL;
    }
    return mcpi_config_validate(&c->cfg, err, errlen);
}

/* ---- output files: created only when the report is complete ------------ */

/* Checks that path can be written, leaving nothing behind. */
static int check_output(const char *path, char *err, size_t errlen)
{
    return mcpi_probe_writable(path, "-o/--output", err, errlen);
}

/* Writes via writer to path through a temporary file and rename. */
static int write_output(const char *path, mcpi_writer_fn writer, const void *ctx, char *err,
                        size_t errlen)
{
    return mcpi_write_atomic(path, "-o/--output", MCPI_FILE_SHARED, writer, ctx, err, errlen);
}

/* ---- commands ----------------------------------------------------------- */

/* Writes to --output or stdout; returns 0 or the exit code for a failure. */
int mcpi_cli_emit(const mcpi_config *cfg, mcpi_writer_fn writer, const void *ctx)
{
    char err[MCPI_ERROR_LEN] = "";
    int rc;
    if (cfg->output != NULL) {
        rc = write_output(cfg->output, writer, ctx, err, sizeof err);
        if (rc != MCPI_OK)
            fprintf(stderr, "%s\n", err);
    } else {
        rc = writer(stdout, ctx);
        if (rc == MCPI_OK && fflush(stdout) != 0)
            rc = MCPI_EIO;
        if (rc != MCPI_OK)
            fprintf(stderr, "mcpi: writing to stdout failed\n");
    }
    return rc == MCPI_OK ? 0 : mcpi_exit_code(rc);
}

static int write_report(FILE *out, const void *ctx)
{
    const mcpi_report *rep = ctx;
    return mcpi_report_write(out, rep->format, rep);
}

typedef struct devices_ctx {
    mcpi_format format;
} devices_ctx;

static int write_devices(FILE *out, const void *ctx)
{
    const devices_ctx *d = ctx;
    return mcpi_devices_write(out, d->format);
}

static int cmd_devices(mcpi_cli *c, mcpi_comm *comm)
{
    if (comm->rank != 0)
        return 0;
    devices_ctx d = {c->cfg.format};
    return mcpi_cli_emit(&c->cfg, write_devices, &d);
}

/* Under MPI, several devices of one backend become one row: local rank k
 * takes device k mod count, and its record names the device it used. */
static void bind_devices(mcpi_target *t, size_t *n, const mcpi_comm *comm)
{
    if (comm->size == 1)
        return;
    mcpi_target in[MCPI_MAX_TARGETS];
    size_t nin = *n, out = 0;
    memcpy(in, t, nin * sizeof *in);
    for (size_t i = 0; i < nin; ++i) {
        size_t count = 0, first = nin;
        for (size_t j = 0; j < nin; ++j)
            if (in[j].backend == in[i].backend) {
                first = first < j ? first : j;
                ++count;
            }
        if (count == 1) {
            t[out++] = in[i];
            continue;
        }
        if (first != i)
            continue; /* this backend's row was made at its first device */
        size_t pick = (size_t)comm->local_rank % count;
        for (size_t j = 0, seen = 0; j < nin; ++j)
            if (in[j].backend == in[i].backend && seen++ == pick) {
                t[out] = in[j];
                snprintf(t[out].dev.description, sizeof t[out].dev.description, "%.20s %.100s",
                         in[j].dev.id, in[j].dev.description);
            }
        snprintf(t[out].dev.id, sizeof t[out].dev.id, "%s", in[i].backend->name);
        ++out;
    }
    *n = out;
}

/* --backend auto: rank 0 probes the candidates, predicts each one's time
 * for its rank's share of N and picks the fastest; every rank takes the
 * same pick.  The candidates collapse into the chosen row, in place.
 * Returns 0 or an exit code (after one line on stderr). */
static int choose_auto(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *t, size_t *n)
{
    size_t first = *n, ncand = 0;
    for (size_t i = 0; i < *n; ++i)
        if (t[i].auto_candidate) {
            first = first < i ? first : i;
            ++ncand;
        }
    if (ncand == 0)
        return 0;
    char err[MCPI_ERROR_LEN] = "";
    int pick = INT_MAX; /* index among the candidates; rank 0 decides */
    mcpi_auto_model model;
    mcpi_auto_source source = MCPI_AUTO_PROBED;
    uint64_t share = cfg->samples / (uint64_t)comm->size + (cfg->samples % comm->size != 0);
    if (comm->rank == 0) {
        mcpi_target cand[MCPI_MAX_TARGETS];
        size_t k = 0;
        for (size_t i = 0; i < *n; ++i)
            if (t[i].auto_candidate)
                cand[k++] = t[i];
        /* probe as the run will open them: threads divided among local ranks */
        mcpi_config probe_cfg = *cfg;
        probe_cfg.ranks_per_node = (unsigned)comm->local_size;
        if (mcpi_auto_model_get(cand, k, &probe_cfg, 0, &model, &source, err, sizeof err) ==
            MCPI_OK) {
            size_t c = mcpi_auto_choose(&model, share);
            for (size_t i = 0; i < k; ++i)
                if (strcmp(cand[i].dev.id, model.e[c].name) == 0)
                    pick = (int)i;
        } else {
            pick = -1;
        }
    }
    comm->min_int(comm, &pick); /* the others offered INT_MAX */
    if (pick < 0) {
        if (comm->rank == 0)
            fprintf(stderr, "%s\n", err);
        return mcpi_exit_code(MCPI_EUNAVAIL);
    }
    /* keep the chosen candidate at the first candidate's place, drop the rest */
    size_t out = 0, seen = 0;
    mcpi_target chosen;
    for (size_t i = 0; i < *n; ++i)
        if (t[i].auto_candidate && seen++ == (size_t)pick)
            chosen = t[i];
    for (size_t i = 0; i < *n; ++i) {
        if (!t[i].auto_candidate)
            t[out++] = t[i];
        else if (i == first)
            t[out++] = chosen;
    }
    *n = out;
    mcpi_target *c = &t[first];
    c->auto_candidate = 0;
    if (comm->rank == 0) {
        size_t m = mcpi_auto_choose(&model, share);
        c->auto_predicted_s = mcpi_auto_predict(&model.e[m], share);
        mcpi_auto_explain(&model, m, share, c->auto_note, sizeof c->auto_note);
        size_t used = strlen(c->auto_note);
        snprintf(c->auto_note + used, sizeof c->auto_note - used, " (model %s)",
                 source == MCPI_AUTO_CACHED ? "from the cache; mcpi calibrate re-probes"
                 : cfg->no_cache ? "probed now, not cached (--no-cache)"
                                 : "probed now and cached");
    }
    return 0;
}

int mcpi_cli_targets(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *targets,
                     size_t *ntargets)
{
    char err[MCPI_ERROR_LEN] = "";
    *ntargets = 0;
    int rc = mcpi_selection_resolve(cfg->backends, targets, MCPI_MAX_TARGETS, ntargets, err,
                                    sizeof err);
    int agreed = rc;
    comm->min_int(comm, &agreed);
    if (agreed != MCPI_OK) {
        if (rc != MCPI_OK && (comm->rank == 0 || comm->local_rank == 0))
            fprintf(stderr, "%s%s\n", err, comm->size > 1 ? " (on this rank's node)" : "");
        return mcpi_exit_code(agreed);
    }
    rc = choose_auto(cfg, comm, targets, ntargets);
    if (rc != 0)
        return rc;
    bind_devices(targets, ntargets, comm);
    /* --checkpoint/--resume are refused here, before any row runs or any
     * report is written: one line, exit 2, no output file. */
    rc = comm->rank == 0 ? mcpi_run_check(cfg, comm->size, err, sizeof err) : MCPI_OK;
    agreed = rc;
    comm->min_int(comm, &agreed);
    if (agreed != MCPI_OK) {
        if (comm->rank == 0)
            fprintf(stderr, "%s\n", err);
        return mcpi_exit_code(agreed);
    }
    return 0;
}

int mcpi_cli_run_targets(const mcpi_config *cfg, const mcpi_target *targets, size_t ntargets,
                         mcpi_comm *comm, mcpi_record *rows, mcpi_record *rank_rows)
{
    size_t size = (size_t)comm->size;
    mcpi_record *mine = malloc(sizeof *mine);
    if (mine == NULL) {
        fprintf(stderr, "mcpi: out of memory for a run record\n");
        comm->abort(comm, mcpi_exit_code(MCPI_ENOMEM));
        return MCPI_ENOMEM;
    }
    int worst = MCPI_OK;
    for (size_t i = 0; i < ntargets; ++i) {
        int s = mcpi_run_target(cfg, &targets[i], comm, mine, &rows[i],
                                comm->rank == 0 && rank_rows ? &rank_rows[i * size] : NULL);
        if (s < worst)
            worst = s;
        if (comm->rank == 0 && rows[i].status != MCPI_OK)
            fprintf(stderr, "mcpi: %s failed: %s\n", rows[i].name, rows[i].error);
    }
    free(mine);
    return worst;
}

void mcpi_cli_run_info(const mcpi_config *cfg, const mcpi_comm *comm, mcpi_run_info *info)
{
    memset(info, 0, sizeof *info);
    info->version = MCPI_VERSION_STRING;
    info->samples = cfg->samples;
    info->seed = cfg->seed;
    info->repeat = cfg->repeat;
    info->warmup = cfg->warmup;
    info->ranks = comm->size;
    info->threads = cfg->threads;
    info->peak_resettable = mcpi_mem_reset_peak() == 0;
}

static int cmd_run(mcpi_cli *c, mcpi_comm *comm)
{
    mcpi_config *cfg = &c->cfg;
    mcpi_calibration cal;
    int have_cal = 0;
    int code = mcpi_cli_calibration(cfg, comm, &cal, &have_cal);
    if (code != 0)
        return code;
    mcpi_target targets[MCPI_MAX_TARGETS];
    size_t ntargets = 0;
    code = mcpi_cli_targets(cfg, comm, targets, &ntargets);
    if (code != 0)
        return code;

    size_t size = (size_t)comm->size;
    mcpi_record *rows = calloc(ntargets, sizeof *rows);
    mcpi_record *rank_rows = comm->rank == 0 ? calloc(ntargets * size, sizeof *rank_rows) : NULL;
    if (rows == NULL || (comm->rank == 0 && rank_rows == NULL)) {
        fprintf(stderr, "mcpi: out of memory for %zu rows\n", ntargets * size);
        comm->abort(comm, mcpi_exit_code(MCPI_ENOMEM));
        free(rows);
        free(rank_rows);
        return mcpi_exit_code(MCPI_ENOMEM);
    }
    int worst = mcpi_cli_run_targets(cfg, targets, ntargets, comm, rows, rank_rows);

    code = mcpi_exit_code(worst);
    if (comm->rank == 0) {
        mcpi_report rep;
        memset(&rep, 0, sizeof rep);
        mcpi_cli_run_info(cfg, comm, &rep.info);
        rep.info.calibration = have_cal ? &cal : NULL;
        rep.rows = rows;
        rep.nrows = ntargets;
        rep.rank_rows = rank_rows;
        rep.nrank_rows = ntargets * size;
        rep.show_rank_rows = cfg->per_rank;
        rep.format = cfg->format;
        int wcode = mcpi_cli_emit(cfg, write_report, &rep);
        if (wcode != 0 && code == 0)
            code = wcode;
    }
    free(rows);
    free(rank_rows);
    return code;
}

int mcpi_cli_command_find(const char *name)
{
    static const char *const names[] = {"run", "devices", "sweep", "calibrate", "merge"};
    for (int i = 0; i < (int)(sizeof names / sizeof names[0]); ++i)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int mcpi_cli_main(int argc, char **argv, mcpi_comm *comm)
{
    mcpi_cli c;
    char err[MCPI_ERROR_LEN] = "";
    int rc = parse_args(&c, argc, argv, err, sizeof err);
    /* Only a checkpointed run stops at chunk boundaries; everything else
     * takes a stop signal the default way, from now on and for one that
     * arrived while MPI started (every rank decides the same from argv). */
    if (rc != MCPI_OK || c.cmd != CMD_RUN || c.help || c.version ||
        (c.cfg.checkpoint == NULL && c.cfg.resume == NULL))
        mcpi_signals_release();
    if (rc != MCPI_OK) {
        if (comm->rank == 0)
            fprintf(stderr, "%s\n", err);
        return mcpi_exit_code(rc);
    }
    if (c.help || c.version) {
        if (comm->rank == 0) {
            if (c.help) {
                fputs(usage_text, stdout);
                fputs(usage_text2, stdout);
            } else
                printf("mcpi %s\n", MCPI_VERSION_STRING);
        }
        return 0;
    }
    /* The output path is checked once, on rank 0, before any work. */
    rc = MCPI_OK;
    if (comm->rank == 0 && c.cfg.output != NULL)
        rc = check_output(c.cfg.output, err, sizeof err);
    int agreed = rc;
    comm->min_int(comm, &agreed);
    if (agreed != MCPI_OK) {
        if (comm->rank == 0)
            fprintf(stderr, "%s\n", err);
        return mcpi_exit_code(agreed);
    }
    switch (c.cmd) {
    case CMD_DEVICES:
        return cmd_devices(&c, comm);
    case CMD_SWEEP:
        return mcpi_cmd_sweep(&c, comm);
    case CMD_CALIBRATE:
        return mcpi_cmd_calibrate(&c, comm);
    case CMD_MERGE:
        return mcpi_cmd_merge(&c, comm);
    default:
        return cmd_run(&c, comm);
    }
}

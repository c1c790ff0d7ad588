/* selftest.c - the checks of `mcpi selftest` (see mcpi_selftest.h).
 *
 * A device is opened as the runner opens a row's worker (mcpi_row_open)
 * and counted as the scheduler counts one chunk (mcpi_sched_count_once);
 * the scheduler's test hook MCPI_TEST_MISCOUNT is applied to every count
 * here as there, so a device forced to miscount fails its selftest.  Each
 * count of a device is one "chunk" of that hook (0-based, in order). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "mcpi_core.h"
#include "mcpi_selftest.h"
#include "row.h"
#include "scheduler.h"
#include "selftest_kat.h"

#define NKAT (sizeof mcpi__selftest_kat / sizeof mcpi__selftest_kat[0])

const mcpi_philox_kat *mcpi_selftest_kat(size_t *n)
{
    *n = NKAT;
    return mcpi__selftest_kat;
}

/* ---- which devices ------------------------------------------------------------ */

int mcpi_selftest_check_backends(const char *list, char *err, size_t errlen)
{
    if (list[0] == '\0')
        return MCPI_OK; /* the default: all */
    int rc = mcpi_selection_check(list, err, errlen);
    for (const char *p = list; rc == MCPI_OK;) {
        int len = (int)strcspn(p, ",");
        const char *why = NULL;
        if (memchr(p, '+', (size_t)len) != NULL || (len == 4 && strncmp(p, "node", 4) == 0))
            why = "mcpi selftest checks one device per row (give them as a comma list, e.g. "
                  "threads,opencl:gpu)";
        else if (len == 4 && strncmp(p, "auto", 4) == 0)
            why = "auto picks one device by speed; mcpi selftest checks the devices it is given "
                  "(default: all)";
        else if (len == 5 && strncmp(p, "naive", 5) == 0)
            why = "the naive teaching row is off the exact stream by design: there is nothing "
                  "to check";
        if (why != NULL) {
            mcpi_set_error(err, errlen, "--backend %.*s: %s", len, p, why);
            rc = MCPI_EINVAL;
        }
        p += len;
        if (*p++ == '\0')
            break;
    }
    return rc;
}

int mcpi_selftest_select(const mcpi_config *cfg, mcpi_target *targets, size_t *n, char *err,
                         size_t errlen)
{
    const char *list = cfg->backends[0] != '\0' ? cfg->backends : "all";
    size_t count = 0, kept = 0;
    *n = 0;
    int rc = mcpi_selftest_check_backends(cfg->backends, err, errlen);
    if (rc == MCPI_OK)
        rc = mcpi_selection_resolve(list, targets, MCPI_MAX_TARGETS, &count, err, errlen);
    if (rc != MCPI_OK)
        return rc;
    /* all: its exact one-device rows (not naive, not node) */
    for (size_t i = 0; i < count; ++i)
        if (targets[i].nworkers == 1 && targets[i].workers[0].backend->exact)
            targets[kept++] = targets[i];
    *n = kept;
    if (kept == 0) {
        mcpi_set_error(err, errlen, "--backend %s: no exact device to check", list);
        return MCPI_EUNAVAIL;
    }
    return MCPI_OK;
}

/* ---- one device: opening and counting -------------------------------------------- */

/* A device being tested. */
typedef struct st_dev {
    const mcpi_config *user;
    const mcpi_target *t;
    mcpi_selftest_device *out;
    uint64_t counts; /* counts so far: MCPI_TEST_MISCOUNT's chunk index */
    double rate;     /* samples/s of the 10^6-sample known count; 0 unknown */
    int nomem;       /* memory ran out: the run ends with MCPI_ENOMEM, not a FAIL */
} st_dev;

/* One opened configuration of the device: its row and record. */
typedef struct st_open {
    mcpi_row row;
    mcpi_record rec;
} st_open;

/* The configuration every check starts from: defaults, and the user's seed,
 * cache, instruction set and notes (no progress: nothing here is a pass). */
static void base_config(const mcpi_config *user, mcpi_config *cfg)
{
    mcpi_config_default(cfg);
    cfg->seed = user->seed;
    cfg->no_cache = user->no_cache;
    cfg->quiet = user->quiet;
    memcpy(cfg->isa, user->isa, sizeof cfg->isa);
    cfg->hooks = user->hooks;
    cfg->hooks.progress = NULL;
}

/* Opens o with cfg (close it with st_close whatever this returns). */
static int st_open_with(st_open *o, const st_dev *d, const mcpi_config *cfg, char *err,
                        size_t errlen)
{
    mcpi_record_init(&o->rec);
    return mcpi_row_open(&o->row, d->t, cfg, &o->rec, err, errlen);
}

static void st_close(st_open *o)
{
    mcpi_row_close(&o->row);
}

/* Counts [b, e) of seed on o's worker as the scheduler counts a chunk. */
static int st_count(st_dev *d, st_open *o, uint64_t seed, uint64_t b, uint64_t e, uint64_t *hits,
                    char *err, size_t errlen)
{
    mcpi_phases ph;
    mcpi_phases_clear(&ph);
    mcpi_worker *w = &o->row.w[0];
    int rc = mcpi_sched_count_once(w, seed, b, e, hits, &ph, err, errlen);
    if (rc == MCPI_OK)
        *hits += mcpi_fault_miscount(w->dev.id, d->counts);
    d->nomem |= rc == MCPI_ENOMEM;
    d->counts++;
    return rc;
}

/* The check's first wrong value (later ones are not kept). */
static void mismatch(mcpi_selftest_check *c, const char *where, const char *expected,
                     const char *got)
{
    c->outcome = MCPI_SELFTEST_FAIL;
    if (c->has_mismatch)
        return;
    c->has_mismatch = 1;
    snprintf(c->where, sizeof c->where, "%s", where);
    snprintf(c->expected, sizeof c->expected, "%s", expected);
    snprintf(c->got, sizeof c->got, "%s", got);
}

/* A case that could not be counted: the check fails with the backend's line. */
static void count_failed(mcpi_selftest_check *c, const char *where, const char *err)
{
    c->outcome = MCPI_SELFTEST_FAIL;
    if (c->note[0] == '\0')
        snprintf(c->note, sizeof c->note, "%s: %s", where, mcpi_error_text(err));
}

static void u64_text(char *buf, size_t len, uint64_t v)
{
    snprintf(buf, len, "%" PRIu64, v);
}

/* ---- 1: known answers ----------------------------------------------------------------- */

static void words(char *buf, size_t len, const uint32_t *w, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0, used = 0; i < n && used < len; ++i, used = strlen(buf))
        snprintf(buf + used, len - used, "%s%08" PRIx32, i ? " " : "", w[i]);
}

static void check_philox(st_dev *d, st_open *o, mcpi_selftest_check *c)
{
    uint32_t in[NKAT][6], out[NKAT][4];
    for (size_t i = 0; i < NKAT; ++i) {
        memcpy(in[i], mcpi__selftest_kat[i].ctr, sizeof mcpi__selftest_kat[i].ctr);
        memcpy(in[i] + 4, mcpi__selftest_kat[i].key, sizeof mcpi__selftest_kat[i].key);
    }
    mcpi_worker *w = &o->row.w[0];
    c->cases = (unsigned)NKAT;
    if (w->backend->philox != NULL) {
        char err[MCPI_ERROR_LEN] = "";
        snprintf(c->via, sizeof c->via, "device");
        int rc = w->backend->philox(w->state, (const uint32_t(*)[6])in, NKAT, out, err, sizeof err);
        if (rc != MCPI_OK) {
            d->nomem |= rc == MCPI_ENOMEM;
            count_failed(c, "the device's Philox kernel", err);
            return;
        }
    } else { /* a CPU backend: the host core it counts with */
        snprintf(c->via, sizeof c->via, "host core");
        for (size_t i = 0; i < NKAT; ++i)
            mcpi_philox4x32_10(in[i], in[i] + 4, out[i]);
    }
    for (size_t i = 0; i < NKAT; ++i) {
        const mcpi_philox_kat *k = &mcpi__selftest_kat[i];
        if (memcmp(out[i], k->out, sizeof k->out) == 0) {
            c->passed++;
            continue;
        }
        char where[MCPI_NOTE_LEN], ctr[40], key[20], want[40], got[40];
        words(ctr, sizeof ctr, k->ctr, 4);
        words(key, sizeof key, k->key, 2);
        words(want, sizeof want, k->out, 4);
        words(got, sizeof got, out[i], 4);
        snprintf(where, sizeof where, "vector %zu (counter %s, key %s)", i + 1, ctr, key);
        mismatch(c, where, want, got);
    }
}

/* ---- 2: DESIGN's hit counts ---------------------------------------------------------- */

static const struct {
    uint64_t seed, begin, end, hits;
} known_hits[] = {
    {0, 0, 10, 7},
    {0, 0, 1000, 783},
    {1, 0, 1000, 801},
    {42, 0, 1000000, 785856},
    {0, 8589934092ull, 8589935092ull, 784},
};
#define NKNOWN (sizeof known_hits / sizeof known_hits[0])

static void check_hits(st_dev *d, st_open *o, mcpi_selftest_check *c)
{
    c->cases = (unsigned)NKNOWN;
    for (size_t i = 0; i < NKNOWN; ++i) {
        char where[MCPI_NOTE_LEN], err[MCPI_ERROR_LEN] = "", want[24], got[24];
        uint64_t hits = 0;
        snprintf(where, sizeof where, "seed %" PRIu64 ", samples [%" PRIu64 ", %" PRIu64 ")",
                 known_hits[i].seed, known_hits[i].begin, known_hits[i].end);
        double t0 = mcpi_now();
        if (st_count(d, o, known_hits[i].seed, known_hits[i].begin, known_hits[i].end, &hits, err,
                     sizeof err) != MCPI_OK) {
            count_failed(c, where, err);
            continue;
        }
        double dt = mcpi_now() - t0;
        if (known_hits[i].end - known_hits[i].begin == 1000000 && dt > 0)
            d->rate = 1e6 / dt;
        if (hits == known_hits[i].hits) {
            c->passed++;
            continue;
        }
        u64_text(want, sizeof want, known_hits[i].hits);
        u64_text(got, sizeof got, hits);
        mismatch(c, where, want, got);
    }
}

/* ---- 3: geometry -------------------------------------------------------------------- */

/* The ranges every configuration counts: an odd begin, an odd end, across
 * 2^33 (the high word of the block index changes), and the last samples of
 * the stream.  Long ones give the threads backend three shares (one per
 * 2^16 samples); configurations of tiny launches count short ones. */
#define ST_RANGES 4
#define ST_LONG 200001u
#define ST_SHORT 1001u

typedef struct st_range {
    uint64_t begin, end;
    const char *what;
} st_range;

static void geometry_ranges(int tiny, st_range r[ST_RANGES])
{
    uint64_t len = tiny ? ST_SHORT : ST_LONG, b33 = (uint64_t)1 << 33;
    r[0] = (st_range){1, 1 + len, "odd begin"};
    r[1] = (st_range){(uint64_t)1 << 20, ((uint64_t)1 << 20) + len, "odd end"};
    r[2] = (st_range){b33 - (len + 1) / 2, b33 - (len + 1) / 2 + len, "across 2^33"};
    r[3] = (st_range){UINT64_MAX - len, UINT64_MAX, "ending at 2^64-1"};
}

/* One configuration of the sweep: a name, its settings, and which refusal
 * of them by open means "this device has no such configuration". */
typedef struct st_knob {
    char name[MCPI_NAME_LEN];
    mcpi_config cfg;
    int tiny;         /* tiny launches: the short ranges */
    int skip_status;  /* open's status that skips it (0: none) */
    int scalar;       /* asks for the scalar kernel path */
    int reuse_opened; /* the device's default: the configuration already open */
} st_knob;

static st_knob *add_knob(st_knob *k, size_t *n, const mcpi_config *base, const char *name)
{
    st_knob *x = &k[(*n)++];
    memset(x, 0, sizeof *x);
    snprintf(x->name, sizeof x->name, "%s", name);
    x->cfg = *base;
    return x;
}

/* The knobs of an OpenCL device: its default, work-groups 1, 7 and the
 * kernel's largest (a size the device refuses is skipped), one sample per
 * work-item, launches of 37 samples, and the scalar kernel path. */
static size_t opencl_knobs(const st_open *o, const st_dev *d, const mcpi_config *base, st_knob *k)
{
    size_t n = 0;
    char name[MCPI_NAME_LEN];
    add_knob(k, &n, base, "default")->reuse_opened = 1;
    uint64_t max = o->rec.ocl.kernel_max_work_group ? o->rec.ocl.kernel_max_work_group
                                                    : d->t->workers[0].dev.max_work_group;
    const uint64_t wgs[] = {1, 7, max};
    for (size_t i = 0; i < sizeof wgs / sizeof wgs[0]; ++i) {
        if (wgs[i] == 0 || wgs[i] > (1u << 20))
            continue;
        snprintf(name, sizeof name, "work-group %" PRIu64 "%s", wgs[i], i == 2 ? " (max)" : "");
        st_knob *x = add_knob(k, &n, base, name);
        x->cfg.work_group = (unsigned)wgs[i];
        x->skip_status = MCPI_EINVAL; /* too large for this kernel on this device */
    }
    add_knob(k, &n, base, "per-item 1")->cfg.per_item = 1;
    st_knob *x = add_knob(k, &n, base, "launch-samples 37");
    x->cfg.launch_samples = 37;
    x->tiny = 1;
    x = add_knob(k, &n, base, "scalar kernel");
    x->cfg.ocl_vector = 1;
    x->scalar = 1;
    return n;
}

/* simd: every instruction set mcpi knows (one this CPU lacks is skipped). */
static size_t simd_knobs(const mcpi_config *base, st_knob *k)
{
    size_t n = 0;
    const char *names = mcpi_isa_names();
    for (const char *p = names; *p != '\0' && n < MCPI_SELFTEST_MAX_CONFIGS;) {
        size_t len = strcspn(p, ", ");
        char name[MCPI_NAME_LEN];
        snprintf(name, sizeof name, "isa %.*s", (int)len, p);
        st_knob *x = add_knob(k, &n, base, name);
        snprintf(x->cfg.isa, sizeof x->cfg.isa, "%.*s", (int)len, p);
        x->skip_status = MCPI_EUNAVAIL;
        p += len;
        p += strspn(p, ", ");
    }
    return n;
}

/* threads: one, two and three threads (shares of a range). */
static size_t threads_knobs(const mcpi_config *base, st_knob *k)
{
    size_t n = 0;
    for (unsigned t = 1; t <= 3; ++t) {
        char name[MCPI_NAME_LEN];
        snprintf(name, sizeof name, "threads %u", t);
        add_knob(k, &n, base, name)->cfg.threads = t;
    }
    return n;
}

/* Opens the scalar kernel path: mcpi_config.ocl_vector = 1, or, where the
 * backend does not say which path it built (rec.ocl.vector 0), the kernel's
 * own switch -DMCPI_OCL_VEC=1.  0 or open's status; a path other than the
 * one asked for fails the configuration (note). */
static int open_scalar(st_open *o, const st_dev *d, const st_knob *k, char *note, size_t notelen,
                       char *err, size_t errlen)
{
    int rc = st_open_with(o, d, &k->cfg, err, errlen);
    if (rc != MCPI_OK || o->rec.ocl.vector == 1)
        return rc;
    if (o->rec.ocl.vector != 0) {
        snprintf(note, notelen,
                 "asked for the scalar kernel path, the device built the %u-lane one",
                 o->rec.ocl.vector);
        return MCPI_EBACKEND;
    }
    st_close(o);
    mcpi_config cfg = k->cfg;
    cfg.ocl_vector = 0;
    cfg.build_options = "-DMCPI_OCL_VEC=1";
    return st_open_with(o, d, &cfg, err, errlen);
}

/* Counts the ranges on an opened configuration against the reference. */
static void sweep_config(st_dev *d, st_open *o, const st_knob *k, mcpi_selftest_config *c,
                         mcpi_selftest_check *chk)
{
    st_range r[ST_RANGES];
    geometry_ranges(k->tiny, r);
    uint64_t seed = d->user->seed;
    c->outcome = MCPI_SELFTEST_PASS;
    for (size_t i = 0; i < ST_RANGES && c->outcome == MCPI_SELFTEST_PASS; ++i) {
        char where[MCPI_NOTE_LEN], err[MCPI_ERROR_LEN] = "", want[24], got[24];
        snprintf(where, sizeof where,
                 "%s, seed %" PRIu64 ", samples [%" PRIu64 ", %" PRIu64 ") (%s)", k->name, seed,
                 r[i].begin, r[i].end, r[i].what);
        uint64_t hits = 0, ref = mcpi_count_range(seed, r[i].begin, r[i].end);
        if (st_count(d, o, seed, r[i].begin, r[i].end, &hits, err, sizeof err) != MCPI_OK) {
            c->outcome = MCPI_SELFTEST_FAIL;
            snprintf(c->note, sizeof c->note, "%s", mcpi_error_text(err));
            count_failed(chk, where, err);
        } else if (hits != ref) {
            c->outcome = MCPI_SELFTEST_FAIL;
            snprintf(c->note, sizeof c->note,
                     "samples [%" PRIu64 ", %" PRIu64 "): expected %" PRIu64 ", got %" PRIu64,
                     r[i].begin, r[i].end, ref, hits);
            u64_text(want, sizeof want, ref);
            u64_text(got, sizeof got, hits);
            mismatch(chk, where, want, got);
        }
    }
    const mcpi_ocl_detail *ocl = &o->rec.ocl;
    if (ocl->cache >= 0) { /* what the OpenCL device chose */
        c->local_size = ocl->local_size;
        c->per_item = ocl->per_item;
        c->launch_samples = k->cfg.launch_samples;
        c->vector = ocl->vector;
    }
}

/* One configuration: opened (unless it is the default), swept, closed. */
static void geometry_one(st_dev *d, st_open *opened, const st_knob *k, mcpi_selftest_check *chk)
{
    mcpi_selftest_config *c = &chk->configs[chk->nconfigs++];
    snprintf(c->name, sizeof c->name, "%s", k->name);
    if (k->reuse_opened) {
        sweep_config(d, opened, k, c, chk);
    } else {
        st_open *o = malloc(sizeof *o);
        char err[MCPI_ERROR_LEN] = "", note[MCPI_NOTE_LEN] = "";
        int rc = MCPI_ENOMEM;
        if (o != NULL)
            rc = k->scalar ? open_scalar(o, d, k, note, sizeof note, err, sizeof err)
                           : st_open_with(o, d, &k->cfg, err, sizeof err);
        d->nomem |= rc == MCPI_ENOMEM;
        if (rc == MCPI_OK) {
            sweep_config(d, o, k, c, chk);
        } else if (k->skip_status != 0 && rc == k->skip_status) {
            c->outcome = MCPI_SELFTEST_SKIPPED;
            snprintf(c->note, sizeof c->note, "%s", mcpi_error_text(err));
        } else {
            c->outcome = MCPI_SELFTEST_FAIL;
            snprintf(c->note, sizeof c->note, "%s",
                     note[0]     ? note
                     : o == NULL ? "out of memory"
                                 : mcpi_error_text(err));
            char where[MCPI_NOTE_LEN];
            snprintf(where, sizeof where, "%s: cannot open", k->name);
            count_failed(chk, where, c->note);
        }
        if (o != NULL)
            st_close(o);
        free(o);
    }
    if (c->outcome == MCPI_SELFTEST_SKIPPED)
        chk->skipped++;
    else if (c->outcome == MCPI_SELFTEST_PASS)
        chk->passed++;
}

static void check_geometry(st_dev *d, st_open *o, mcpi_selftest_check *c)
{
    st_knob knobs[MCPI_SELFTEST_MAX_CONFIGS];
    mcpi_config base;
    base_config(d->user, &base);
    const char *name = d->t->workers[0].backend->name;
    size_t n = strcmp(name, "opencl") == 0    ? opencl_knobs(o, d, &base, knobs)
               : strcmp(name, "simd") == 0    ? simd_knobs(&base, knobs)
               : strcmp(name, "threads") == 0 ? threads_knobs(&base, knobs)
                                              : 0;
    if (n == 0) {
        c->outcome = MCPI_SELFTEST_NA;
        snprintf(c->note, sizeof c->note, "%s has no geometry to vary", name);
        return;
    }
    for (size_t i = 0; i < n; ++i)
        geometry_one(d, o, &knobs[i], c);
    c->cases = (unsigned)n - c->skipped;
    /* skipped configurations, said once ("work-group 4096 (max): too large") */
    for (size_t i = 0; i < c->nconfigs && c->outcome != MCPI_SELFTEST_FAIL; ++i)
        if (c->configs[i].outcome == MCPI_SELFTEST_SKIPPED) {
            size_t used = strlen(c->note);
            snprintf(c->note + used, sizeof c->note - used, "%s%s skipped", used ? "; " : "",
                     c->configs[i].name);
        }
}

/* ---- 4: statistics -------------------------------------------------------------------- */

/* Samples per seed: 2^16, or fewer (down to 2^12) where the device's rate
 * would take longer than MCPI_SELFTEST_STAT_BUDGET_S for all the seeds. */
static uint64_t stat_samples(double rate)
{
    uint64_t n = MCPI_SELFTEST_SAMPLES_MAX;
    while (n > MCPI_SELFTEST_SAMPLES_MIN && rate > 0 &&
           (double)MCPI_SELFTEST_SEEDS * (double)n / rate > MCPI_SELFTEST_STAT_BUDGET_S)
        n /= 4;
    return n;
}

static void check_statistics(st_dev *d, st_open *o, mcpi_selftest_check *c)
{
    uint64_t hits[MCPI_SELFTEST_SEEDS];
    uint64_t n = stat_samples(d->rate), first = d->user->seed;
    c->cases = MCPI_SELFTEST_SEEDS;
    for (unsigned i = 0; i < MCPI_SELFTEST_SEEDS; ++i) {
        char where[MCPI_NOTE_LEN], err[MCPI_ERROR_LEN] = "", want[24], got[24];
        uint64_t seed = first + i; /* wraps past 2^64-1, as seeds may */
        snprintf(where, sizeof where, "seed %" PRIu64 ", samples [0, %" PRIu64 ")", seed, n);
        if (st_count(d, o, seed, 0, n, &hits[i], err, sizeof err) != MCPI_OK) {
            count_failed(c, where, err);
            return;
        }
        /* Every count is also recounted by the reference core (2^21 samples,
         * milliseconds): a miscount of one hit moves z by 1/105, which no
         * statistical bound can see, and the statistics below are then of
         * the exact stream. */
        uint64_t ref = mcpi_count_range(seed, 0, n);
        if (hits[i] != ref) {
            u64_text(want, sizeof want, ref);
            u64_text(got, sizeof got, hits[i]);
            mismatch(c, where, want, got);
        } else {
            c->passed++;
        }
    }
    char why[MCPI_NOTE_LEN] = "";
    c->has_stats = 1;
    if (!mcpi_selftest_stats_judge(hits, first, n, &c->stats, why, sizeof why)) {
        c->outcome = MCPI_SELFTEST_FAIL;
        snprintf(c->note, sizeof c->note, "%s", why);
    }
}

/* ---- one device ---------------------------------------------------------------------- */

typedef void (*check_fn)(st_dev *d, st_open *o, mcpi_selftest_check *c);

static void timed(check_fn f, st_dev *d, st_open *o, mcpi_selftest_check *c)
{
    double t0 = mcpi_now();
    c->outcome = MCPI_SELFTEST_PASS;
    f(d, o, c);
    c->time_s = mcpi_now() - t0;
}

int mcpi_selftest_device_run(const mcpi_config *cfg, const mcpi_target *t,
                             mcpi_selftest_device *out, char *err, size_t errlen)
{
    double t0 = mcpi_now();
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", t->name);
    snprintf(out->backend, sizeof out->backend, "%s", t->workers[0].backend->name);
    snprintf(out->device, sizeof out->device, "%s", t->workers[0].dev.description);
    st_dev d = {cfg, t, out, 0, 0.0, 0};
    st_open *o = malloc(sizeof *o);
    if (o == NULL) {
        mcpi_set_error(err, errlen, "selftest: %s: out of memory", t->name);
        return MCPI_ENOMEM;
    }
    mcpi_config base;
    base_config(cfg, &base);
    char why[MCPI_ERROR_LEN] = "";
    int rc = st_open_with(o, &d, &base, why, sizeof why);
    d.nomem |= rc == MCPI_ENOMEM;
    if (rc == MCPI_OK) {
        if (o->rec.device[0] != '\0')
            snprintf(out->device, sizeof out->device, "%s", o->rec.device);
        timed(check_philox, &d, o, &out->checks[MCPI_SELFTEST_PHILOX]);
        timed(check_hits, &d, o, &out->checks[MCPI_SELFTEST_HITS]);
        timed(check_statistics, &d, o, &out->checks[MCPI_SELFTEST_STATISTICS]);
        timed(check_geometry, &d, o, &out->checks[MCPI_SELFTEST_GEOMETRY]);
    } else {
        out->status = rc;
        snprintf(out->error, sizeof out->error, "cannot open %s: %s", t->name,
                 why[0] ? mcpi_error_text(why) : mcpi_strerror(rc));
        for (int k = 0; k < MCPI_SELFTEST_CHECKS; ++k)
            out->checks[k].outcome = MCPI_SELFTEST_NOT_RUN;
    }
    st_close(o);
    free(o);
    out->passed = out->status == MCPI_OK && mcpi_selftest_first_failure(out) < 0;
    out->time_s = mcpi_now() - t0;
    if (d.nomem) { /* not the device's fault: no verdict */
        mcpi_set_error(err, errlen, "selftest: %s: out of memory", t->name);
        return MCPI_ENOMEM;
    }
    return MCPI_OK;
}

/* test_opencl.c - the OpenCL backend on whatever the ICD loader offers (PoCL
 * in CI): discovery, exact hits against the scalar core for the DESIGN known
 * answers and odd ranges under many work-group sizes and launch splits,
 * geometry errors, build failures and the program-binary cache.
 *
 * The devices are listed once in the group fixture; every test skips when
 * there is none.  Cache tests point MCPI_CACHE_DIR at fresh directories of
 * their own and restore it afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mcpi.h"
#include "mcpi_core.h"
#include "mcpi_opencl.h"

#define MAX_DEVICES 32
#define P32 ((uint64_t)1 << 32)
#define P33 ((uint64_t)1 << 33)
#define P63 ((uint64_t)1 << 63)

typedef struct group_state {
    mcpi_device_desc devs[MAX_DEVICES];
    size_t ndev;
    char tmp[256]; /* scratch directory for cache tests and stderr captures */
} group_state;

/* ---- helpers ----------------------------------------------------------- */

static void config_for_tests(mcpi_config *cfg)
{
    mcpi_config_default(cfg);
    cfg->repeat = 1;
    cfg->warmup = 0;
}

/* Opens dev with cfg; asserts success. */
static void *open_ok(const mcpi_device_desc *dev, const mcpi_config *cfg, mcpi_record *rec)
{
    char err[MCPI_ERROR_LEN] = "";
    void *state = NULL;
    mcpi_record_init(rec);
    int st = mcpi_backend_opencl.open(dev, cfg, &state, rec, err, sizeof err);
    if (st != 0)
        fail_msg("open %s: %d %s", dev->id, st, err);
    assert_non_null(state);
    return state;
}

/* Counts [begin, end) on an open device with count's flags; asserts success. */
static uint64_t count_flags(void *state, uint64_t seed, uint64_t begin, uint64_t end,
                            unsigned flags, mcpi_record *rec)
{
    char err[MCPI_ERROR_LEN] = "";
    mcpi_phases ph;
    uint64_t hits = UINT64_MAX;
    mcpi_phases_clear(&ph);
    int st =
        mcpi_backend_opencl.count(state, seed, begin, end, flags, &hits, &ph, rec, err, sizeof err);
    if (st != 0)
        fail_msg("count seed %llu [%llu, %llu): %d %s", (unsigned long long)seed,
                 (unsigned long long)begin, (unsigned long long)end, st, err);
    if (end > begin) {
        assert_true(ph.mask & (1u << MCPI_PHASE_KERNEL));
        assert_true(ph.mask & (1u << MCPI_PHASE_D2H));
    }
    return hits;
}

static uint64_t count_ok(void *state, uint64_t seed, uint64_t begin, uint64_t end, mcpi_record *rec)
{
    return count_flags(state, seed, begin, end, 0u, rec);
}

/* One cache/open outcome: opens, counts seed 42 over [0, 10^5), closes. */
static int open_count_close(const mcpi_device_desc *dev, const mcpi_config *cfg, uint64_t *hits,
                            mcpi_record *rec, char *err, size_t errlen)
{
    void *state = NULL;
    mcpi_phases ph;
    mcpi_record_init(rec);
    mcpi_phases_clear(&ph);
    int st = mcpi_backend_opencl.open(dev, cfg, &state, rec, err, errlen);
    if (st == 0) {
        st = mcpi_backend_opencl.count(state, 42, 0, 100000, 0u, hits, &ph, rec, err, errlen);
        mcpi_backend_opencl.close(state);
    } else {
        assert_null(state);
    }
    return st;
}

/* What the backend told the caller's note hook, as the command line prints
 * it ("mcpi: " before each note), collected between notes_begin and
 * notes_end. */
static char *g_notes;
static size_t g_notes_len;

static void collect_note(void *ctx, mcpi_note_kind kind, const char *text)
{
    (void)ctx;
    (void)kind;
    size_t n = strlen(text);
    char *grown = realloc(g_notes, g_notes_len + n + 8);
    assert_non_null(grown);
    g_notes = grown;
    g_notes_len += (size_t)sprintf(g_notes + g_notes_len, "mcpi: %s\n", text);
}

static void notes_begin(mcpi_config *cfg)
{
    free(g_notes);
    g_notes = calloc(1, 1);
    assert_non_null(g_notes);
    g_notes_len = 0;
    cfg->hooks.note = collect_note;
}

/* Returns what was noted (free it); echoes it so the test log shows it. */
static char *notes_end(mcpi_config *cfg)
{
    cfg->hooks.note = NULL;
    char *out = g_notes;
    g_notes = NULL;
    fputs(out, stderr);
    return out;
}

/* Makes a fresh, empty directory under the group's scratch directory. */
static void fresh_dir(const group_state *g, const char *name, char *out, size_t len)
{
    snprintf(out, len, "%s/%s", g->tmp, name);
    assert_int_equal(mkdir(out, 0700), 0);
}

/* The one cache entry in dir (asserts there is exactly one). */
static void only_entry(const char *dir, char *path, size_t len)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        assert_int_equal(strncmp(e->d_name, "opencl-", 7), 0);
        assert_null(strstr(e->d_name, ".tmp")); /* no temporary left behind */
        snprintf(path, len, "%s/%s", dir, e->d_name);
        ++found;
    }
    closedir(d);
    assert_int_equal(found, 1);
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static const char *saved_cache_dir(char *buf, size_t len)
{
    const char *v = getenv("MCPI_CACHE_DIR");
    if (!v)
        return NULL;
    snprintf(buf, len, "%s", v);
    return buf;
}

static void restore_cache_dir(const char *saved)
{
    if (saved)
        setenv("MCPI_CACHE_DIR", saved, 1);
    else
        unsetenv("MCPI_CACHE_DIR");
}

/* ---- fixture ----------------------------------------------------------- */

static int group_setup(void **state)
{
    static group_state g;
    char err[MCPI_ERROR_LEN] = "";
    int st = mcpi_backend_opencl.list(g.devs, MAX_DEVICES, &g.ndev, err, sizeof err);
    if (st != 0) {
        fprintf(stderr, "no OpenCL device: %s\n", err);
        g.ndev = 0;
    }
    if (g.ndev > MAX_DEVICES)
        g.ndev = MAX_DEVICES;
    const char *base = getenv("TMPDIR");
    snprintf(g.tmp, sizeof g.tmp, "%s/mcpi-test-opencl-XXXXXX", base && base[0] ? base : "/tmp");
    if (!mkdtemp(g.tmp))
        return -1;
    *state = &g;
    return 0;
}

static int group_teardown(void **state)
{
    group_state *g = *state;
    remove_tree(g->tmp);
    return 0;
}

#define NEED_DEVICE(g)                                                                             \
    do {                                                                                           \
        if ((g)->ndev == 0)                                                                        \
            skip();                                                                                \
    } while (0)

/* ---- discovery --------------------------------------------------------- */

static void test_list_finds_devices(void **state)
{
    group_state *g = *state;
    assert_true(g->ndev >= 1); /* CI installs PoCL: a device must be there */
    for (size_t i = 0; i < g->ndev; ++i) {
        const mcpi_device_desc *d = &g->devs[i];
        char id[MCPI_NAME_LEN];
        snprintf(id, sizeof id, "opencl:%d.%d", d->platform, d->index);
        assert_string_equal(d->id, id);
        assert_true(strlen(d->description) > 3);
        assert_non_null(strstr(d->description, d->platform_name));
        assert_true(d->compute_units >= 1);
        assert_true(d->max_work_group >= 1);
        assert_true(d->global_mem_bytes > 0);
        assert_true(d->local_mem_bytes > 0);
        assert_non_null(strstr(d->c_version, "OpenCL C"));
        assert_true(strlen(d->platform_version) > 0);
        assert_true(strlen(d->driver_version) > 0);
    }
    /* count reports every device even when cap is smaller. */
    mcpi_device_desc one;
    size_t n = 0;
    char err[MCPI_ERROR_LEN];
    assert_int_equal(mcpi_backend_opencl.list(&one, 1, &n, err, sizeof err), 0);
    assert_true(n >= 1);
    assert_string_equal(one.id, g->devs[0].id);
}

static void test_bad_device_index(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    mcpi_config cfg;
    mcpi_record rec;
    char err[MCPI_ERROR_LEN] = "";
    void *s = (void *)&cfg;
    config_for_tests(&cfg);

    mcpi_device_desc d = g->devs[0];
    d.platform = 999;
    mcpi_record_init(&rec);
    assert_int_equal(mcpi_backend_opencl.open(&d, &cfg, &s, &rec, err, sizeof err), MCPI_EUNAVAIL);
    assert_null(s);
    assert_non_null(strstr(err, "opencl:999."));

    d = g->devs[0];
    d.index = 999;
    assert_int_equal(mcpi_backend_opencl.open(&d, &cfg, &s, &rec, err, sizeof err), MCPI_EUNAVAIL);
    assert_null(s);
    assert_non_null(strstr(err, "no such device"));
}

/* ---- exact hits -------------------------------------------------------- */

typedef struct range_case {
    uint64_t seed, begin, end, expect; /* expect: UINT64_MAX = from the scalar core */
} range_case;

static const range_case known_answers[] = {
    {0, 0, 10, 7},
    {0, 0, 1000, 783},
    {1, 0, 1000, 801},
    {42, 0, 1000000, 785856},
    {0, 8589934092ull, 8589935092ull, 784},
};

static const range_case odd_ranges[] = {
    {7, 12345, 67891, UINT64_MAX},                  /* odd begin, odd end */
    {13, 1, 2, UINT64_MAX},                         /* one odd sample */
    {13, 4, 5, UINT64_MAX},                         /* one even sample */
    {13, 5, 5, UINT64_MAX},                         /* empty */
    {3, P32 - 1001, P32 + 999, UINT64_MAX},         /* crosses 2^32 */
    {5, P33 - 777, P33 + 1233, UINT64_MAX},         /* crosses 2^33 */
    {9, UINT64_MAX - 4097, UINT64_MAX, UINT64_MAX}, /* ends at 2^64 - 1 */
    {11, UINT64_MAX - 1, UINT64_MAX, UINT64_MAX},   /* the last sample */
    {UINT64_MAX, P63 - 1, P63 + 5001, UINT64_MAX},  /* all-ones seed, crosses 2^63 */
    {0x243f6a8885a308d3ull, 3, 100003, UINT64_MAX}, /* two-word seed */
};

/* Long enough that every work-item runs the kernel's main (vector) loop, with
 * leftover blocks and partial head/tail blocks, across the places where the
 * block index's high word changes inside one vector of blocks. */
static const range_case long_ranges[] = {
    {21, 1, 1000000, UINT64_MAX},                        /* odd begin, even end */
    {22, 2, 1234567, UINT64_MAX},                        /* even begin, odd end */
    {23, 0, 1048576, UINT64_MAX},                        /* a power of two */
    {5, P33 - 500001, P33 + 700003, UINT64_MAX},         /* block 2^32 mid-range */
    {6, 2 * P33 - 333333, 2 * P33 + 333334, UINT64_MAX}, /* block 2^33 */
    {9, UINT64_MAX - 2000001, UINT64_MAX, UINT64_MAX},   /* ends at 2^64 - 1 */
    {UINT64_MAX, P63 - 999999, P63 + 1000000, UINT64_MAX},
};

/* Each case counted with count's flags (0, or MCPI_COUNT_VERIFY: a
 * verification chunk's geometry) against its known answer or the core. */
static void check_cases_flags(void *s, const range_case *cases, size_t n, mcpi_record *rec,
                              const char *what, unsigned flags)
{
    for (size_t i = 0; i < n; ++i) {
        const range_case *c = &cases[i];
        uint64_t want =
            c->expect != UINT64_MAX ? c->expect : mcpi_count_range(c->seed, c->begin, c->end);
        uint64_t got = count_flags(s, c->seed, c->begin, c->end, flags, rec);
        if (got != want)
            fail_msg("%s: seed %llu [%llu, %llu): %llu hits, want %llu", what,
                     (unsigned long long)c->seed, (unsigned long long)c->begin,
                     (unsigned long long)c->end, (unsigned long long)got, (unsigned long long)want);
    }
}

static void check_cases(void *s, const range_case *cases, size_t n, mcpi_record *rec,
                        const char *what)
{
    check_cases_flags(s, cases, n, rec, what, 0u);
}

static void test_known_answers_default_geometry(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    for (size_t i = 0; i < g->ndev; ++i) {
        mcpi_config cfg;
        mcpi_record rec;
        config_for_tests(&cfg);
        void *s = open_ok(&g->devs[i], &cfg, &rec);
        /* What open fills. */
        assert_true(rec.phases.mask & (1u << MCPI_PHASE_INIT));
        assert_true(rec.phases.mask & (1u << MCPI_PHASE_BUILD));
        assert_in_range(rec.ocl.cache, 0, 1);
        assert_int_equal(rec.device_mem_bytes, (int64_t)g->devs[i].global_mem_bytes);
        assert_true(rec.device_bytes > 0 && rec.device_bytes < (1 << 20));
        check_cases(s, known_answers, sizeof known_answers / sizeof known_answers[0], &rec,
                    g->devs[i].id);
        check_cases(s, odd_ranges, sizeof odd_ranges / sizeof odd_ranges[0], &rec, g->devs[i].id);
        check_cases(s, long_ranges, sizeof long_ranges / sizeof long_ranges[0], &rec,
                    g->devs[i].id);
        /* The verification geometry: the per-item work of a full launch on
         * fewer work-groups; the same integers. */
        check_cases_flags(s, known_answers, sizeof known_answers / sizeof known_answers[0], &rec,
                          g->devs[i].id, MCPI_COUNT_VERIFY);
        check_cases_flags(s, odd_ranges, sizeof odd_ranges / sizeof odd_ranges[0], &rec,
                          g->devs[i].id, MCPI_COUNT_VERIFY);
        check_cases(s, long_ranges, 1, &rec, g->devs[i].id);
        /* What count fills: the last range was a real launch. */
        assert_true(rec.ocl.launches >= 1);
        assert_true(rec.ocl.local_size >= 1);
        assert_int_equal(rec.ocl.global_size % rec.ocl.local_size, 0);
        assert_true(rec.ocl.per_item >= 1);
        assert_true(rec.ocl.ev_submit_ns <= rec.ocl.ev_start_ns);
        assert_true(rec.ocl.ev_start_ns <= rec.ocl.ev_end_ns);
        mcpi_backend_opencl.close(s);
    }
}

/* The largest work-group size the kernel allows on dev, as open reports it
 * (the device's own maximum may be larger: rusticl says 1024, its kernel
 * allows 32); never above the device's. */
static unsigned max_work_group(const mcpi_device_desc *dev)
{
    mcpi_config cfg;
    mcpi_record rec;
    config_for_tests(&cfg);
    void *s = open_ok(dev, &cfg, &rec);
    mcpi_backend_opencl.close(s);
    assert_true(rec.ocl.kernel_max_work_group >= 1);
    assert_true(rec.ocl.kernel_max_work_group <= dev->max_work_group);
    assert_true(rec.ocl.local_size <= rec.ocl.kernel_max_work_group);
    return (unsigned)rec.ocl.kernel_max_work_group;
}

static void test_work_group_sizes(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    for (size_t i = 0; i < g->ndev; ++i) {
        /* 1, primes and the kernel's maximum: every size up to it must work. */
        unsigned max = max_work_group(&g->devs[i]);
        unsigned sizes[] = {1, 7, 31, 64, max};
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; ++k) {
            mcpi_config cfg;
            mcpi_record rec;
            char err[MCPI_ERROR_LEN], what[128];
            void *s = NULL;
            if (sizes[k] > max)
                continue;
            config_for_tests(&cfg);
            cfg.work_group = sizes[k];
            mcpi_record_init(&rec);
            int st = mcpi_backend_opencl.open(&g->devs[i], &cfg, &s, &rec, err, sizeof err);
            if (st != 0)
                fail_msg("open %s with work-group %u: %s", g->devs[i].id, sizes[k], err);
            snprintf(what, sizeof what, "%s wg %u", g->devs[i].id, sizes[k]);
            check_cases(s, known_answers, sizeof known_answers / sizeof known_answers[0], &rec,
                        what);
            check_cases(s, odd_ranges, sizeof odd_ranges / sizeof odd_ranges[0], &rec, what);
            check_cases(s, long_ranges, sizeof long_ranges / sizeof long_ranges[0], &rec, what);
            assert_int_equal(rec.ocl.local_size, sizes[k]);
            assert_int_equal(rec.ocl.geometry_source, MCPI_GEOMETRY_GIVEN);
            mcpi_backend_opencl.close(s);
        }
    }
}

static void test_tiny_launches(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    const mcpi_device_desc *dev = &g->devs[0];
    struct {
        unsigned work_group;
        uint64_t launch_samples, per_item;
    } shapes[] = {{0, 37, 0}, {7, 37, 0}, {64, 1000, 3}, {1, 1, 0}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; ++k) {
        mcpi_config cfg;
        mcpi_record rec;
        char what[128];
        config_for_tests(&cfg);
        cfg.work_group = shapes[k].work_group;
        cfg.launch_samples = shapes[k].launch_samples;
        cfg.per_item = shapes[k].per_item;
        if (cfg.work_group > max_work_group(dev))
            continue;
        void *s = open_ok(dev, &cfg, &rec);
        snprintf(what, sizeof what, "%s launches of %llu", dev->id,
                 (unsigned long long)cfg.launch_samples);
        /* Few samples when every launch counts one. */
        uint64_t span = cfg.launch_samples == 1 ? 301 : 20011;
        range_case cases[] = {
            {42, 0, span, UINT64_MAX},
            {5, P33 - span / 2 - 1, P33 + span / 2, UINT64_MAX},
            {9, UINT64_MAX - span, UINT64_MAX, UINT64_MAX},
        };
        check_cases(s, cases, 3, &rec, what);
        uint64_t expect = span / cfg.launch_samples + (span % cfg.launch_samples != 0);
        assert_int_equal(rec.ocl.launches, expect);
        if (cfg.per_item)
            assert_int_equal(rec.ocl.per_item, cfg.per_item);
        mcpi_backend_opencl.close(s);
    }
}

/* Every kernel path on every device: --ocl-vector 1 is the scalar loop GPUs
 * run, 4/8/16 the vector widths CPU devices get, 0 whatever the device kind
 * picks; the kernel's own -DMCPI_OCL_VEC in --build-options also still
 * works.  Work-group sizes 1 and 7 and short launches give global sizes that
 * are not powers of two and slices shorter than the global size. */
static void test_kernel_paths(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    struct {
        unsigned vector;
        const char *options;
    } paths[] = {{0, NULL}, {1, NULL}, {4, NULL}, {8, NULL}, {16, NULL}, {0, "-DMCPI_OCL_VEC=1"}};
    struct {
        unsigned work_group;
        uint64_t launch_samples;
    } shapes[] = {{0, 0}, {7, 0}, {1, 100003}, {0, 4097}};
    for (size_t i = 0; i < g->ndev; ++i) {
        unsigned max = max_work_group(&g->devs[i]);
        for (size_t o = 0; o < sizeof paths / sizeof paths[0]; ++o) {
            for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; ++k) {
                mcpi_config cfg;
                mcpi_record rec;
                char err[MCPI_ERROR_LEN], what[192];
                void *s = NULL;
                if (shapes[k].work_group > max)
                    continue;
                config_for_tests(&cfg);
                cfg.ocl_vector = paths[o].vector;
                cfg.build_options = paths[o].options;
                cfg.work_group = shapes[k].work_group;
                cfg.launch_samples = shapes[k].launch_samples;
                mcpi_record_init(&rec);
                int st = mcpi_backend_opencl.open(&g->devs[i], &cfg, &s, &rec, err, sizeof err);
                if (st != 0)
                    fail_msg("open %s vector %u options %s: %s", g->devs[i].id, paths[o].vector,
                             paths[o].options ? paths[o].options : "(none)", err);
                if (paths[o].vector)
                    assert_int_equal(rec.ocl.vector, paths[o].vector);
                else if (paths[o].options)
                    assert_int_equal(rec.ocl.vector, 0);
                else if (g->devs[i].type == MCPI_DEV_CPU)
                    assert_true(rec.ocl.vector == 4 || rec.ocl.vector == 8 || rec.ocl.vector == 16);
                else
                    assert_int_equal(rec.ocl.vector, 1);
                snprintf(what, sizeof what, "%s vector %u options %s wg %u launches of %llu",
                         g->devs[i].id, paths[o].vector,
                         paths[o].options ? paths[o].options : "(none)", cfg.work_group,
                         (unsigned long long)cfg.launch_samples);
                check_cases(s, known_answers, sizeof known_answers / sizeof known_answers[0], &rec,
                            what);
                check_cases(s, odd_ranges, sizeof odd_ranges / sizeof odd_ranges[0], &rec, what);
                if (cfg.launch_samples == 0 || cfg.launch_samples > 10000)
                    check_cases(s, long_ranges, sizeof long_ranges / sizeof long_ranges[0], &rec,
                                what);
                mcpi_backend_opencl.close(s);
            }
        }
    }
}

/* The default geometry: a CPU device probes its work-group size (without
 * the cache every open; with it once, then reads the choice back), any other
 * device takes its kind's rule; the choice is within the kernel's limits. */
static void test_default_geometry_probe(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    for (size_t i = 0; i < g->ndev; ++i) {
        const mcpi_device_desc *dev = &g->devs[i];
        mcpi_config cfg;
        mcpi_record rec;
        config_for_tests(&cfg);
        cfg.no_cache = 1;
        void *s = open_ok(dev, &cfg, &rec);
        mcpi_backend_opencl.close(s);
        assert_true(rec.ocl.local_size >= 1 && rec.ocl.local_size <= rec.ocl.kernel_max_work_group);
        if (dev->type != MCPI_DEV_CPU) {
            assert_int_equal(rec.ocl.geometry_source, MCPI_GEOMETRY_RULE);
            continue;
        }
        assert_int_equal(rec.ocl.geometry_source, MCPI_GEOMETRY_PROBED);
        cfg.no_cache = 0;
        s = open_ok(dev, &cfg, &rec); /* probes and stores, or reads an earlier choice */
        mcpi_backend_opencl.close(s);
        uint64_t chosen = rec.ocl.local_size;
        assert_true(rec.ocl.geometry_source == MCPI_GEOMETRY_PROBED ||
                    rec.ocl.geometry_source == MCPI_GEOMETRY_CACHED);
        s = open_ok(dev, &cfg, &rec);
        mcpi_backend_opencl.close(s);
        assert_int_equal(rec.ocl.geometry_source, MCPI_GEOMETRY_CACHED);
        assert_int_equal(rec.ocl.local_size, chosen);
    }
}

/* The device's Philox through the same core: DESIGN's three known answers. */
static void test_philox_on_device(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    static const uint32_t in[3][6] = {
        {0, 0, 0, 0, 0, 0},
        {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
        {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u}};
    static const uint32_t want[3][4] = {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
                                        {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
                                        {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}};
    assert_non_null(mcpi_backend_opencl.philox);
    for (size_t i = 0; i < g->ndev; ++i) {
        mcpi_config cfg;
        mcpi_record rec;
        char err[MCPI_ERROR_LEN] = "";
        uint32_t out[3][4];
        config_for_tests(&cfg);
        void *s = open_ok(&g->devs[i], &cfg, &rec);
        memset(out, 0, sizeof out);
        assert_int_equal(mcpi_backend_opencl.philox(s, in, 3, out, err, sizeof err), MCPI_OK);
        assert_memory_equal(out, want, sizeof want);
        mcpi_backend_opencl.close(s);
    }
}

/* --ocl-vector and a -DMCPI_OCL_VEC of --build-options both choose the path:
 * refused, naming both. */
static void test_two_kernel_paths_refused(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    mcpi_config cfg;
    mcpi_record rec;
    char err[MCPI_ERROR_LEN] = "";
    void *s = NULL;
    config_for_tests(&cfg);
    cfg.ocl_vector = 4;
    cfg.build_options = "-DMCPI_OCL_VEC=8";
    mcpi_record_init(&rec);
    assert_int_equal(mcpi_backend_opencl.open(&g->devs[0], &cfg, &s, &rec, err, sizeof err),
                     MCPI_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err, "--ocl-vector"));
    assert_non_null(strstr(err, "--build-options"));
}

/* Counting the same range as one run or as consecutive pieces, whatever the
 * launch sizing, gives the same total. */
static void test_larger_run_matches_core(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    mcpi_config cfg;
    mcpi_record rec;
    config_for_tests(&cfg);
    void *s = open_ok(&g->devs[0], &cfg, &rec);
    uint64_t begin = P32 - 3000001, end = P32 + 4000000;
    uint64_t want = mcpi_count_range(7, begin, end);
    assert_int_equal(count_ok(s, 7, begin, end, &rec), want);
    uint64_t mid = begin + 1234567;
    assert_int_equal(count_ok(s, 7, begin, mid, &rec) + count_ok(s, 7, mid, end, &rec), want);
    mcpi_backend_opencl.close(s);
}

/* ---- errors ------------------------------------------------------------ */

static void test_invalid_work_group(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    const mcpi_device_desc *dev = &g->devs[0];
    unsigned max = max_work_group(dev);
    mcpi_config cfg;
    mcpi_record rec;
    char err[MCPI_ERROR_LEN] = "", num[32];
    void *s = (void *)&cfg;
    config_for_tests(&cfg);
    cfg.work_group = max + 1;
    mcpi_record_init(&rec);
    assert_int_equal(mcpi_backend_opencl.open(dev, &cfg, &s, &rec, err, sizeof err), MCPI_EINVAL);
    assert_null(s);
    assert_non_null(strstr(err, "--work-group"));
    snprintf(num, sizeof num, "1..%u", max);
    assert_non_null(strstr(err, num));
    assert_non_null(strstr(err, dev->id));
}

/* --per-item is bounded by the kernel loop's trips a launch (32768): 65536
 * samples on the scalar path, 2 * 32768 * 2 * 4 on the ulong4 path; one more
 * is refused naming the bound, the bound itself counts exactly. */
static void test_per_item_bound(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    const mcpi_device_desc *dev = &g->devs[0];
    const struct {
        unsigned vector;
        uint64_t max;
    } paths[] = {{1, 65536}, {4, 524288}};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; ++i) {
        mcpi_config cfg;
        mcpi_record rec;
        char err[MCPI_ERROR_LEN] = "", num[32];
        void *s = NULL;
        config_for_tests(&cfg);
        cfg.ocl_vector = paths[i].vector;
        cfg.per_item = paths[i].max + 1;
        cfg.work_group = 1;
        mcpi_record_init(&rec);
        assert_int_equal(mcpi_backend_opencl.open(dev, &cfg, &s, &rec, err, sizeof err),
                         MCPI_EINVAL);
        assert_null(s);
        assert_non_null(strstr(err, "--per-item"));
        snprintf(num, sizeof num, "1..%llu", (unsigned long long)paths[i].max);
        assert_non_null(strstr(err, num));
        cfg.per_item = paths[i].max;
        s = open_ok(dev, &cfg, &rec);
        range_case c[] = {{3, 1, 2 * paths[i].max + 5, UINT64_MAX}};
        check_cases(s, c, 1, &rec, "the bound");
        mcpi_backend_opencl.close(s);
    }
}

static void test_broken_build_reports_log(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    const mcpi_device_desc *dev = &g->devs[0];
    const char *options[] = {"-DMCPI_BREAK_BUILD", "-cl-mcpi-no-such-option"};
    for (size_t k = 0; k < 2; ++k) {
        mcpi_config cfg;
        mcpi_record rec;
        char err[MCPI_ERROR_LEN] = "";
        void *s = (void *)&cfg;
        config_for_tests(&cfg);
        cfg.build_options = options[k];
        mcpi_record_init(&rec);
        notes_begin(&cfg);
        int st = mcpi_backend_opencl.open(dev, &cfg, &s, &rec, err, sizeof err);
        char *printed = notes_end(&cfg);
        assert_int_equal(st, MCPI_EBUILD);
        assert_null(s);
        assert_non_null(strstr(err, dev->id));
        assert_non_null(strstr(err, "build failed"));
        assert_non_null(strstr(err, options[k]));
        assert_non_null(strstr(printed, "mcpi: OpenCL build log for"));
        assert_non_null(strstr(printed, options[k]));
        assert_non_null(strstr(printed, "mcpi: end of build log"));
        if (k == 0) /* the #error text itself is in the log */
            assert_non_null(strstr(printed, "broken on purpose"));
        free(printed);
    }
}

/* ---- program-binary cache ---------------------------------------------- */

static void corrupt_file(const char *path, int how)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    if (how == 0) { /* flip bytes in the payload */
        FILE *f = fopen(path, "r+b");
        assert_non_null(f);
        long at = (long)st.st_size / 2;
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
        int c = fgetc(f);
        assert_int_equal(fseek(f, at, SEEK_SET), 0);
        fputc(c ^ 0x5a, f);
        fclose(f);
    } else if (how == 1) { /* truncated */
        assert_int_equal(truncate(path, st.st_size - 100), 0);
    } else { /* shorter than the header */
        assert_int_equal(truncate(path, 12), 0);
    }
}

static void test_cache_miss_hit_corrupt(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    const mcpi_device_desc *dev = &g->devs[0];
    char saved_buf[1024], dir[512], entry[1024];
    const char *saved = saved_cache_dir(saved_buf, sizeof saved_buf);
    fresh_dir(g, "cache", dir, sizeof dir);
    setenv("MCPI_CACHE_DIR", dir, 1);

    mcpi_config cfg;
    mcpi_record rec;
    char err[MCPI_ERROR_LEN] = "";
    uint64_t hits_miss = 0, hits = 0;
    config_for_tests(&cfg);
    cfg.work_group = 1; /* no geometry probe: its choice would be a second entry */
    const uint64_t want = mcpi_count_range(42, 0, 100000);

    /* First open: miss, built, stored. */
    assert_int_equal(open_count_close(dev, &cfg, &hits_miss, &rec, err, sizeof err), 0);
    assert_int_equal(rec.ocl.cache, 0);
    assert_int_equal(hits_miss, want);
    only_entry(dir, entry, sizeof entry);
    double build_miss = rec.phases.s[MCPI_PHASE_BUILD];

    /* Second: hit, same hits. */
    assert_int_equal(open_count_close(dev, &cfg, &hits, &rec, err, sizeof err), 0);
    assert_int_equal(rec.ocl.cache, 1);
    assert_int_equal(hits, want);
    /* How much faster loading is depends on PoCL's own kernel cache and the
     * machine (20-500x seen): printed for people, measured in benchmarks,
     * never asserted (a timed assertion fails on a slow or busy machine). */
    print_message("build: miss %.4f s, hit %.4f s\n", build_miss, rec.phases.s[MCPI_PHASE_BUILD]);

    /* Corrupted (bytes flipped, truncated, cut inside the header): detected,
     * reported once, rebuilt and overwritten, then a hit again. */
    for (int how = 0; how < 3; ++how) {
        corrupt_file(entry, how);
        notes_begin(&cfg);
        int st = open_count_close(dev, &cfg, &hits, &rec, err, sizeof err);
        char *printed = notes_end(&cfg);
        assert_int_equal(st, 0);
        assert_int_equal(rec.ocl.cache, 0);
        assert_int_equal(hits, want);
        static const char warning[] = "mcpi: warning: ignoring corrupt OpenCL cache entry ";
        const char *w = strstr(printed, warning);
        assert_non_null(w);
        assert_non_null(strstr(w, entry));
        assert_null(strstr(w + sizeof warning - 1, "ignoring corrupt")); /* once */
        free(printed);
        only_entry(dir, entry, sizeof entry);

        assert_int_equal(open_count_close(dev, &cfg, &hits, &rec, err, sizeof err), 0);
        assert_int_equal(rec.ocl.cache, 1);
        assert_int_equal(hits, want);
    }

    /* Different build options are a different entry. */
    cfg.build_options = "-DMCPI_UNUSED_OPTION=1";
    assert_int_equal(open_count_close(dev, &cfg, &hits, &rec, err, sizeof err), 0);
    assert_int_equal(rec.ocl.cache, 0);
    assert_int_equal(count_entries(dir), 2);
    cfg.build_options = NULL;

    /* --no-cache: bypassed, nothing read or written. */
    char empty[512];
    fresh_dir(g, "cache-bypassed", empty, sizeof empty);
    setenv("MCPI_CACHE_DIR", empty, 1);
    cfg.no_cache = 1;
    assert_int_equal(open_count_close(dev, &cfg, &hits, &rec, err, sizeof err), 0);
    assert_int_equal(rec.ocl.cache, 2);
    assert_int_equal(hits, want);
    assert_int_equal(count_entries(empty), 0);

    restore_cache_dir(saved);
}

static void test_cache_unwritable_is_not_fatal(void **state)
{
    group_state *g = *state;
    NEED_DEVICE(g);
    char saved_buf[1024], file[512], dir[600];
    const char *saved = saved_cache_dir(saved_buf, sizeof saved_buf);
    /* A directory below a regular file can never be created. */
    snprintf(file, sizeof file, "%s/not-a-directory", g->tmp);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/mcpi", file);
    setenv("MCPI_CACHE_DIR", dir, 1);

    mcpi_config cfg;
    mcpi_record rec;
    char err[MCPI_ERROR_LEN] = "";
    uint64_t hits = 0;
    config_for_tests(&cfg);
    assert_int_equal(open_count_close(&g->devs[0], &cfg, &hits, &rec, err, sizeof err), 0);
    assert_int_equal(rec.ocl.cache, 0);
    assert_int_equal(hits, mcpi_count_range(42, 0, 100000));
    restore_cache_dir(saved);
}

static void test_cache_dir_resolution(void **state)
{
    (void)state;
    char saved_buf[1024], dir[MCPI_OPENCL_PATH_LEN], err[MCPI_ERROR_LEN];
    const char *saved = saved_cache_dir(saved_buf, sizeof saved_buf);
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char xdg_buf[1024], home_buf[1024];
    if (xdg)
        xdg = strcpy(xdg_buf, xdg);
    if (home)
        home = strcpy(home_buf, home);

    setenv("MCPI_CACHE_DIR", "/a/b", 1);
    setenv("XDG_CACHE_HOME", "/x", 1);
    setenv("HOME", "/h", 1);
    assert_int_equal(mcpi_opencl_cache_dir(dir, sizeof dir, err, sizeof err), 0);
    assert_string_equal(dir, "/a/b");
    setenv("MCPI_CACHE_DIR", "", 1); /* empty counts as unset */
    assert_int_equal(mcpi_opencl_cache_dir(dir, sizeof dir, err, sizeof err), 0);
    assert_string_equal(dir, "/x/mcpi");
    unsetenv("XDG_CACHE_HOME");
    assert_int_equal(mcpi_opencl_cache_dir(dir, sizeof dir, err, sizeof err), 0);
    assert_string_equal(dir, "/h/.cache/mcpi");
    unsetenv("HOME");
    assert_int_equal(mcpi_opencl_cache_dir(dir, sizeof dir, err, sizeof err), MCPI_EUNAVAIL);
    assert_non_null(strstr(err, "MCPI_CACHE_DIR"));
    assert_int_equal(mcpi_opencl_cache_dir(dir, 4, err, sizeof err), MCPI_EUNAVAIL);
    setenv("HOME", "/a-rather-long-home", 1);
    assert_int_equal(mcpi_opencl_cache_dir(dir, 8, err, sizeof err), MCPI_EINVAL);

    /* Key parts are separated: moving a character between parts changes it. */
    const char *ab_c[] = {"ab", "c"}, *a_bc[] = {"a", "bc"};
    assert_true(mcpi_opencl_cache_key(ab_c, 2) != mcpi_opencl_cache_key(a_bc, 2));
    assert_int_equal(mcpi_opencl_cache_key(ab_c, 2), mcpi_opencl_cache_key(ab_c, 2));

    if (xdg)
        setenv("XDG_CACHE_HOME", xdg, 1);
    else
        unsetenv("XDG_CACHE_HOME");
    if (home)
        setenv("HOME", home, 1);
    else
        unsetenv("HOME");
    restore_cache_dir(saved);
}

static void test_embedded_source(void **state)
{
    (void)state;
    assert_int_equal(strlen(mcpi_kernel_source), mcpi_kernel_source_len);
    /* The shared core and the kernel, with no include left to resolve. */
    assert_non_null(strstr(mcpi_kernel_source, "mcpi_count_range"));
    assert_non_null(strstr(mcpi_kernel_source, "__kernel void mcpi_count"));
    for (const char *line = mcpi_kernel_source; line; line = strchr(line, '\n')) {
        line += *line == '\n';
        while (*line == ' ' || *line == '\t')
            ++line;
        assert_true(strncmp(line, "#include", 8) != 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_source),
        cmocka_unit_test(test_cache_dir_resolution),
        cmocka_unit_test(test_list_finds_devices),
        cmocka_unit_test(test_bad_device_index),
        cmocka_unit_test(test_known_answers_default_geometry),
        cmocka_unit_test(test_work_group_sizes),
        cmocka_unit_test(test_kernel_paths),
        cmocka_unit_test(test_tiny_launches),
        cmocka_unit_test(test_larger_run_matches_core),
        cmocka_unit_test(test_default_geometry_probe),
        cmocka_unit_test(test_philox_on_device),
        cmocka_unit_test(test_two_kernel_paths_refused),
        cmocka_unit_test(test_invalid_work_group),
        cmocka_unit_test(test_per_item_bound),
        cmocka_unit_test(test_broken_build_reports_log),
        cmocka_unit_test(test_cache_miss_hit_corrupt),
        cmocka_unit_test(test_cache_unwritable_is_not_fatal),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

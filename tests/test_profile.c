/* test_profile.c - the profiling module: statistics, phases, the estimate,
 * memory probes and every reporter on a small hand-built report.
 *
 * `test_profile --write-FORMAT FILE` (json, csv, table, markdown) writes the
 * sample report to FILE and exits; tests/profile_json.cmake checks the JSON
 * and CSV with Python's json and csv modules. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "mcpi.h"
#include "mcpi_profile.h"

/* cmocka 1.1.5 has no assert_double_equal. */
#define assert_near(a, b, eps) check_near((a), (b), (eps), #a, __LINE__)
static void check_near(double a, double b, double eps, const char *what, int line)
{
    if (!(fabs(a - b) <= eps))
        fail_msg("line %d: %s = %.17g, expected %.17g (+-%g)", line, what, a, b, eps);
}

#define MIB (1024 * 1024)
#define PI_EXACT 3.14159265358979323846

/* ---- the sample report -------------------------------------------------- */

/* Three job rows given slowest-first: naive (noisy, inexact), a failed OpenCL
 * row whose message needs quoting everywhere, and threads (the fastest, with
 * memory growth); two rank rows of the threads run. */
static const char FAILED_ERROR[] = "mcpi: build failed, \"bad option\"\nsee the build log";
static const char ODD_DEVICE[] = "Test CPU, 8 cores | \"fast\"";

static mcpi_record g_rows[3];
static mcpi_record g_ranks[2];

static void set_times(mcpi_record *r, unsigned n, const double *t)
{
    r->repeats = n;
    for (unsigned i = 0; i < n; i++)
        r->repeat_s[i] = t[i];
}

static void make_report(mcpi_report *rep, int show_rank_rows)
{
    static const double naive_t[] = {4.0, 9.0, 4.2};
    static const double threads_t[] = {0.5, 0.52, 0.49};
    static const double rank_t[] = {0.48, 0.5, 0.47};

    mcpi_record *naive = &g_rows[0], *ocl = &g_rows[1], *thr = &g_rows[2];
    for (int i = 0; i < 3; i++)
        mcpi_record_init(&g_rows[i]);
    for (int i = 0; i < 2; i++)
        mcpi_record_init(&g_ranks[i]);

    snprintf(naive->name, sizeof naive->name, "naive");
    snprintf(naive->backend, sizeof naive->backend, "naive");
    snprintf(naive->device, sizeof naive->device, "%s", ODD_DEVICE);
    naive->exact = 0;
    snprintf(naive->inexact_note, sizeof naive->inexact_note,
             "the tutorial's plain loop (libc generator, double, sqrt)");
    naive->threads = 1;
    naive->end = naive->samples = 1000;
    naive->hits = 790;
    set_times(naive, 3, naive_t);
    naive->host_peak_bytes = 3 * MIB;
    naive->host_growth_bytes = 0;

    snprintf(ocl->name, sizeof ocl->name, "opencl:0.0");
    snprintf(ocl->backend, sizeof ocl->backend, "opencl");
    snprintf(ocl->device, sizeof ocl->device, "pthread-generic");
    ocl->end = ocl->samples = 1000;
    ocl->status = MCPI_EBUILD;
    snprintf(ocl->error, sizeof ocl->error, "%s", FAILED_ERROR);
    ocl->ocl.cache = 0;

    snprintf(thr->name, sizeof thr->name, "threads");
    snprintf(thr->backend, sizeof thr->backend, "threads");
    snprintf(thr->device, sizeof thr->device, "Test CPU");
    snprintf(thr->hostname, sizeof thr->hostname, "node1");
    thr->threads = 8;
    thr->ranks = 2;
    thr->end = thr->samples = 1000;
    thr->hits = 783;
    set_times(thr, 3, threads_t);
    mcpi_phases_add(&thr->phases, MCPI_PHASE_INIT, 0.001);
    mcpi_phases_add(&thr->phases, MCPI_PHASE_KERNEL, 0.45);
    thr->host_peak_bytes = 5 * MIB;
    thr->host_growth_bytes = 4096;

    for (int i = 0; i < 2; i++) {
        mcpi_record *r = &g_ranks[i];
        snprintf(r->name, sizeof r->name, "threads");
        snprintf(r->backend, sizeof r->backend, "threads");
        snprintf(r->device, sizeof r->device, "Test CPU");
        r->rank = i;
        r->local_rank = i;
        r->threads = 4;
        r->begin = 500u * (unsigned)i;
        r->end = r->begin + 500;
        r->samples = 500;
        r->hits = i ? 393 : 390;
        set_times(r, 3, rank_t);
        r->host_peak_bytes = 5 * MIB;
    }
    /* A control character and a byte that is not UTF-8: JSON must escape both. */
    snprintf(g_ranks[0].hostname, sizeof g_ranks[0].hostname, "node1");
    snprintf(g_ranks[1].hostname, sizeof g_ranks[1].hostname, "node\x01\xff");

    memset(rep, 0, sizeof *rep);
    rep->info.version = MCPI_VERSION_STRING;
    rep->info.samples = 1000;
    rep->info.seed = 0;
    rep->info.repeat = 3;
    rep->info.warmup = 1;
    rep->info.ranks = 2;
    rep->info.threads = 0;
    rep->info.peak_resettable = 0;
    rep->rows = g_rows;
    rep->nrows = 3;
    rep->rank_rows = g_ranks;
    rep->nrank_rows = 2;
    rep->show_rank_rows = show_rank_rows;
}

/* Writes the report into a malloc'd string (freed by the caller). */
static char *render(mcpi_format fmt, const mcpi_report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(mcpi_report_write(f, fmt, rep), 0);
    assert_int_equal(fclose(f), 0);
    assert_non_null(buf);
    return buf;
}

/* The line of text that contains needle (first match), copied into line. */
static int line_index(const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    if (!hit)
        return -1;
    int n = 0;
    for (const char *p = text; p < hit; p++)
        n += *p == '\n';
    return n;
}

static void line_of(const char *text, const char *needle, char *line, size_t cap)
{
    const char *hit = strstr(text, needle);
    assert_non_null(hit);
    const char *b = hit, *e = hit;
    while (b > text && b[-1] != '\n')
        b--;
    while (*e && *e != '\n')
        e++;
    size_t n = (size_t)(e - b) < cap - 1 ? (size_t)(e - b) : cap - 1;
    memcpy(line, b, n);
    line[n] = '\0';
}

/* ---- statistics, phases, estimate -------------------------------------- */

static void test_stats_odd(void **state)
{
    (void)state;
    static mcpi_record r;
    static const double t[] = {3.0, 1.0, 2.0};
    mcpi_record_init(&r);
    set_times(&r, 3, t);
    mcpi_stats st = mcpi_record_stats(&r);
    assert_near(st.median, 2.0, 1e-15);
    assert_near(st.min, 1.0, 1e-15);
    assert_near(st.max, 3.0, 1e-15);
    assert_near(st.mean, 2.0, 1e-15);
    assert_near(st.rsd, 0.5, 1e-15); /* sample sd 1 over mean 2 */
}

static void test_stats_even(void **state)
{
    (void)state;
    static mcpi_record r;
    static const double t[] = {4.0, 1.0, 3.0, 2.0};
    mcpi_record_init(&r);
    set_times(&r, 4, t);
    mcpi_stats st = mcpi_record_stats(&r);
    assert_near(st.median, 2.5, 1e-15);
    assert_near(st.mean, 2.5, 1e-15);
    assert_near(st.rsd, sqrt(5.0 / 3.0) / 2.5, 1e-12);
}

static void test_stats_one_and_none(void **state)
{
    (void)state;
    static mcpi_record r;
    static const double t[] = {0.25};
    mcpi_record_init(&r);
    mcpi_stats st = mcpi_record_stats(&r);
    assert_true(isnan(st.median) && isnan(st.rsd));
    set_times(&r, 1, t);
    st = mcpi_record_stats(&r);
    assert_near(st.median, 0.25, 0);
    assert_near(st.min, 0.25, 0);
    assert_near(st.max, 0.25, 0);
    assert_near(st.rsd, 0.0, 0);
}

static void test_record_init(void **state)
{
    (void)state;
    static mcpi_record r;
    memset(&r, 0x5a, sizeof r);
    mcpi_record_init(&r);
    assert_int_equal(r.host_peak_bytes, -1);
    assert_int_equal(r.host_growth_bytes, -1);
    assert_int_equal(r.device_bytes, -1);
    assert_int_equal(r.device_mem_bytes, -1);
    assert_int_equal(r.ocl.cache, -1);
    assert_int_equal(r.exact, 1);
    assert_int_equal(r.ranks, 1);
    assert_int_equal(r.status, 0);
    assert_int_equal(r.repeats, 0);
    assert_int_equal(r.phases.mask, 0);
    assert_string_equal(r.name, "");
}

static void test_phases(void **state)
{
    (void)state;
    assert_string_equal(mcpi_phase_name(MCPI_PHASE_INIT), "init");
    assert_string_equal(mcpi_phase_name(MCPI_PHASE_BUILD), "build");
    assert_string_equal(mcpi_phase_name(MCPI_PHASE_H2D), "host_to_device");
    assert_string_equal(mcpi_phase_name(MCPI_PHASE_KERNEL), "kernel");
    assert_string_equal(mcpi_phase_name(MCPI_PHASE_D2H), "device_to_host");
    assert_string_equal(mcpi_phase_name(MCPI_PHASE_REDUCE), "reduce");
    assert_string_equal(mcpi_phase_name(MCPI_PHASE_COMM), "communicate");
    assert_string_equal(mcpi_phase_name(MCPI_PHASE_COUNT), "unknown");
    assert_int_equal(mcpi_phase_once(MCPI_PHASE_INIT), 1);
    assert_int_equal(mcpi_phase_once(MCPI_PHASE_BUILD), 1);
    assert_int_equal(mcpi_phase_once(MCPI_PHASE_KERNEL), 0);

    mcpi_phases ph;
    mcpi_phases_clear(&ph);
    assert_int_equal(ph.mask, 0);
    mcpi_phases_add(&ph, MCPI_PHASE_KERNEL, 0.25);
    mcpi_phases_add(&ph, MCPI_PHASE_KERNEL, 0.5);
    mcpi_phases_add(&ph, MCPI_PHASE_COUNT, 1.0); /* ignored */
    assert_int_equal(ph.mask, 1u << MCPI_PHASE_KERNEL);
    assert_near(ph.s[MCPI_PHASE_KERNEL], 0.75, 0);
    mcpi_phases_clear(&ph);
    assert_int_equal(ph.mask, 0);
    assert_near(ph.s[MCPI_PHASE_KERNEL], 0.0, 0);
}

static void test_pi_and_se(void **state)
{
    (void)state;
    static mcpi_record r;
    mcpi_record_init(&r);
    r.samples = 1000000; /* DESIGN section 1: seed 42 */
    r.hits = 785856;
    double pi, se, p = 0.785856;
    mcpi_record_pi(&r, &pi, &se);
    assert_near(pi, 3.143424, 1e-15);
    assert_near(se, 4.0 * sqrt(p * (1.0 - p) / 1e6), 1e-15);
    assert_near(mcpi_record_err_se(&r), (3.143424 - PI_EXACT) / se, 1e-12);

    r.hits = r.samples; /* every sample inside: se 0, error undefined */
    mcpi_record_pi(&r, &pi, &se);
    assert_near(pi, 4.0, 0);
    assert_near(se, 0.0, 0);
    assert_true(isnan(mcpi_record_err_se(&r)));

    r.samples = r.hits = 0;
    mcpi_record_pi(&r, &pi, NULL);
    assert_near(pi, 0.0, 0);
    assert_true(isnan(mcpi_record_err_se(&r)));
}

static void test_format_parse(void **state)
{
    (void)state;
    mcpi_format f = MCPI_FORMAT_TABLE;
    assert_int_equal(mcpi_format_parse("csv", &f), 0);
    assert_int_equal(f, MCPI_FORMAT_CSV);
    assert_int_equal(mcpi_format_parse("json", &f), 0);
    assert_int_equal(f, MCPI_FORMAT_JSON);
    assert_int_equal(mcpi_format_parse("markdown", &f), 0);
    assert_int_equal(f, MCPI_FORMAT_MARKDOWN);
    assert_int_equal(mcpi_format_parse("table", &f), 0);
    assert_int_equal(f, MCPI_FORMAT_TABLE);
    assert_int_equal(mcpi_format_parse("JSON", &f), -1);
    assert_int_equal(mcpi_format_parse("", &f), -1);
    assert_int_equal(mcpi_format_parse(NULL, &f), -1);
    assert_int_equal(f, MCPI_FORMAT_TABLE);
}

static void test_clock(void **state)
{
    (void)state;
    double a = mcpi_now(), b = mcpi_now();
    assert_true(a > 0.0);
    assert_true(b >= a);
}

/* ---- memory probes ------------------------------------------------------ */

static void test_memory_probes(void **state)
{
    (void)state;
    const size_t size = 64 * (size_t)MIB;
    const int64_t grow = 60 * (int64_t)MIB;

    if (mcpi_mem_reset_peak() != 0)
        skip(); /* no /proc/self/clear_refs: the peak cannot be reset */
    int64_t cur = mcpi_mem_current_bytes();
    int64_t peak = mcpi_mem_peak_bytes();
    assert_true(cur > 0);
    assert_true(peak >= cur);

    /* mmap, not malloc: the pages are the buffer's alone and munmap returns
     * them, whatever the allocator would keep. */
    unsigned char *buf =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(buf != MAP_FAILED);
    memset(buf, 1, size);
    int64_t peak_with = mcpi_mem_peak_bytes();
    assert_true(peak_with - peak >= grow);
    assert_true(mcpi_mem_current_bytes() - cur >= grow);
    assert_int_equal(munmap(buf, size), 0);

    assert_int_equal(mcpi_mem_reset_peak(), 0);
    int64_t peak_after = mcpi_mem_peak_bytes();
    assert_true(peak_after >= mcpi_mem_current_bytes() - MIB); /* current may tick up */
    assert_true(peak_with - peak_after >= grow);
}

/* ---- reporters ---------------------------------------------------------- */

static void test_table(void **state)
{
    (void)state;
    mcpi_report rep;
    make_report(&rep, 1);
    char *out = render(MCPI_FORMAT_TABLE, &rep);
    char line[512];

    assert_non_null(strstr(out, "mcpi " MCPI_VERSION_STRING ": N=1000, seed=0, repeats=3 "
                                "(+1 warm-up), ranks=2, threads=auto"));
    /* Header, rule, then rows fastest first; the failed row last. */
    int head = line_index(out, "name ");
    int thr = line_index(out, "threads  ");
    int naive = line_index(out, "naive*");
    int ocl = line_index(out, "opencl:0.0");
    assert_true(head >= 0);
    assert_int_equal(thr, head + 2);
    assert_int_equal(naive, thr + 1);
    assert_int_equal(ocl, naive + 1);

    line_of(out, "threads  ", line, sizeof line);
    assert_non_null(strstr(line, "1.00x"));
    assert_non_null(strstr(line, "500 ms (490-520)"));
    assert_non_null(strstr(line, "2.00k")); /* 1000 samples in 0.5 s */
    assert_non_null(strstr(line, "5.00 MiB"));
    assert_non_null(strstr(line, "3.132000000"));
    assert_non_null(strstr(line, "se"));
    assert_non_null(strstr(line, "783"));
    line_of(out, "naive*", line, sizeof line);
    assert_non_null(strstr(line, "8.40x"));
    assert_non_null(strstr(line, "4.20 s (4.00-9.00)"));
    /* The error replaces the numbers and stays on its row. */
    line_of(out, "opencl:0.0", line, sizeof line);
    assert_non_null(strstr(line, "error: mcpi: build failed, \"bad option\" see the build log"));
    assert_null(strstr(line, "x "));

    assert_non_null(strstr(out, "warning: naive varied widely (rsd "));
    assert_non_null(strstr(out, "repeat with --repeat 10 on an idle machine"));
    assert_null(strstr(out, "warning: threads varied"));
    assert_non_null(strstr(out, "warning: host memory of threads grew by 4.00 KiB"));
    assert_non_null(strstr(out, "* naive: the tutorial's plain loop (libc generator, double, "
                                "sqrt); not the exact stream, hits differ by design"));
    assert_non_null(strstr(out, "process lifetime peak"));
    /* Only rows with more than a kernel get a phases line: a CPU row gets
     * one once it has a communicate phase. */
    assert_null(strstr(out, "phases of threads"));
    free(out);
    make_report(&rep, 1);
    mcpi_phases_add(&g_rows[2].phases, MCPI_PHASE_COMM, 0.002);
    /* a CPU device whose process may use fewer cores than it has units */
    g_rows[2].ocl.compute_units = 4;
    g_rows[2].ocl.process_cpus = 1;
    out = render(MCPI_FORMAT_TABLE, &rep);
    assert_non_null(strstr(out, "\nnote: threads is a CPU device of 4 compute units, but this "
                                "process may run on 1 core (its affinity mask, e.g. MPI "
                                "binding): its work-items share them\n"));
    assert_non_null(strstr(out, "\nphases of threads: init 1 ms once; per repeat: kernel 450 ms, "
                                "communicate 2 ms\n"));

    /* Per-rank section with both ranks; the control character is flattened. */
    int per = line_index(out, "per rank:");
    assert_true(per > ocl);
    line_of(out, "node1  ", line, sizeof line);
    assert_non_null(strstr(line, "390"));
    assert_non_null(strstr(out, "node ?")); /* and the invalid byte replaced */
    free(out);

    make_report(&rep, 0);
    rep.info.peak_resettable = 1;
    out = render(MCPI_FORMAT_TABLE, &rep);
    assert_null(strstr(out, "per rank:"));
    assert_null(strstr(out, "process lifetime peak"));
    free(out);
}

/* A tiny RFC 4180 reader: splits text into records of fields. */
#define CSV_MAX_RECORDS 8
#define CSV_MAX_FIELDS 64
#define CSV_FIELD_LEN 320
typedef struct csv_doc {
    size_t nrec;
    size_t nfield[CSV_MAX_RECORDS];
    char field[CSV_MAX_RECORDS][CSV_MAX_FIELDS][CSV_FIELD_LEN];
} csv_doc;

static void csv_parse(const char *s, csv_doc *d)
{
    memset(d, 0, sizeof *d);
    while (*s) {
        assert_true(d->nrec < CSV_MAX_RECORDS);
        size_t rec = d->nrec++;
        for (;;) {
            assert_true(d->nfield[rec] < CSV_MAX_FIELDS);
            char *f = d->field[rec][d->nfield[rec]++];
            size_t n = 0;
            if (*s == '"') {
                for (s++;; s++) {
                    assert_true(*s != '\0'); /* unterminated quote */
                    if (*s == '"' && s[1] == '"')
                        s++;
                    else if (*s == '"')
                        break;
                    assert_true(n + 1 < CSV_FIELD_LEN);
                    f[n++] = *s;
                }
                s++;
            } else {
                while (*s && *s != ',' && *s != '\r' && *s != '\n') {
                    assert_true(*s != '"'); /* a bare quote inside a field */
                    assert_true(n + 1 < CSV_FIELD_LEN);
                    f[n++] = *s++;
                }
            }
            f[n] = '\0';
            if (*s == ',') {
                s++;
                continue;
            }
            assert_int_equal(s[0], '\r'); /* CRLF ends every record */
            assert_int_equal(s[1], '\n');
            s += 2;
            break;
        }
    }
}

static int csv_col(const csv_doc *d, const char *name)
{
    for (size_t i = 0; i < d->nfield[0]; i++) {
        if (strcmp(d->field[0][i], name) == 0)
            return (int)i;
    }
    fail_msg("no CSV column %s", name);
    return -1;
}

static void test_csv(void **state)
{
    (void)state;
    static csv_doc d;
    mcpi_report rep;
    make_report(&rep, 1);
    char *out = render(MCPI_FORMAT_CSV, &rep);
    csv_parse(out, &d);
    free(out);

    assert_int_equal(d.nrec, 1 + 3 + 2);
    const size_t ncols = 26 + MCPI_PHASE_COUNT + 13 + 5;
    for (size_t i = 0; i < d.nrec; i++)
        assert_int_equal(d.nfield[i], ncols);
    assert_string_equal(d.field[0][0], "scope");
    assert_string_equal(d.field[0][ncols - 6], "error");
    assert_string_equal(d.field[0][ncols - 1], "worker_shares");

    int scope = csv_col(&d, "scope"), name = csv_col(&d, "name"), ratio = csv_col(&d, "ratio");
    int err = csv_col(&d, "error"), status = csv_col(&d, "status"), dev = csv_col(&d, "device");
    int kernel = csv_col(&d, "phase_kernel_s"), build = csv_col(&d, "phase_build_s");
    int peak = csv_col(&d, "host_peak_bytes"), dbytes = csv_col(&d, "device_bytes");
    int cache = csv_col(&d, "ocl_cache"), median = csv_col(&d, "time_median_s");
    int hits = csv_col(&d, "hits"), pi = csv_col(&d, "pi"), exact = csv_col(&d, "exact");

    assert_string_equal(d.field[1][scope], "job");
    assert_string_equal(d.field[1][name], "threads");
    assert_string_equal(d.field[1][ratio], "1");
    assert_string_equal(d.field[1][median], "0.5");
    assert_string_equal(d.field[1][kernel], "0.45");
    assert_string_equal(d.field[1][build], "");
    assert_string_equal(d.field[1][peak], "5242880");
    assert_string_equal(d.field[1][dbytes], "");
    assert_string_equal(d.field[1][cache], "");
    assert_string_equal(d.field[1][hits], "783");
    assert_string_equal(d.field[1][pi], "3.132");
    assert_string_equal(d.field[1][status], "0");
    assert_string_equal(d.field[1][err], "");

    assert_string_equal(d.field[2][name], "naive");
    assert_string_equal(d.field[2][exact], "0");
    assert_string_equal(d.field[2][ratio], "8.4");
    assert_string_equal(d.field[2][dev], ODD_DEVICE); /* quoted, round-trips */

    assert_string_equal(d.field[3][name], "opencl:0.0");
    assert_string_equal(d.field[3][err], FAILED_ERROR); /* comma, quotes, newline */
    assert_string_equal(d.field[3][status], "-6");
    assert_string_equal(d.field[3][ratio], "");
    assert_string_equal(d.field[3][pi], "");
    assert_string_equal(d.field[3][cache], "miss");

    assert_string_equal(d.field[4][scope], "rank");
    assert_string_equal(d.field[5][scope], "rank");
    assert_string_equal(d.field[5][csv_col(&d, "rank")], "1");
    assert_string_equal(d.field[5][csv_col(&d, "begin")], "500");
    /* Bytes that are not UTF-8 become U+FFFD so CSV readers can decode the file. */
    assert_string_equal(d.field[5][csv_col(&d, "hostname")], "node\x01\xEF\xBF\xBD");

    make_report(&rep, 0);
    out = render(MCPI_FORMAT_CSV, &rep);
    csv_parse(out, &d);
    free(out);
    assert_int_equal(d.nrec, 1 + 3);
}

static void test_json(void **state)
{
    (void)state;
    mcpi_report rep;
    make_report(&rep, 0); /* "ranks" is emitted whatever show_rank_rows says */
    char *out = render(MCPI_FORMAT_JSON, &rep);

    assert_int_equal(out[0], '{');
    assert_non_null(strstr(out, "\"version\": \"" MCPI_VERSION_STRING "\""));
    assert_non_null(strstr(out, "\"config\": {\"samples\": 1000, \"seed\": 0, \"repeat\": 3, "
                                "\"warmup\": 1, \"ranks\": 2, \"threads\": 0"));
    const char *res = strstr(out, "\"results\": [");
    const char *ranks = strstr(out, "\"ranks\": [");
    assert_non_null(res);
    assert_non_null(ranks);
    assert_true(ranks > res);

    /* Fastest first, failed last. */
    const char *thr = strstr(res, "{\"name\": \"threads\"");
    const char *naive = strstr(res, "{\"name\": \"naive\"");
    const char *ocl = strstr(res, "{\"name\": \"opencl:0.0\"");
    assert_true(thr && naive && ocl);
    assert_true(thr < naive && naive < ocl && ocl < ranks);

    assert_non_null(strstr(thr, "\"ratio\": 1,"));
    assert_non_null(strstr(thr, "\"time_s\": {\"median\": 0.5, \"min\": 0.49, \"max\": 0.52, "));
    assert_non_null(strstr(thr, "\"repeats\": [0.5, 0.52, 0.49]}"));
    assert_non_null(strstr(thr, "\"phases\": {\"init\": 0.001, \"kernel\": 0.45}"));
    assert_non_null(strstr(thr, "\"memory\": {\"host_peak_bytes\": 5242880, "
                                "\"host_growth_bytes\": 4096, \"device_bytes\": null, "
                                "\"device_mem_bytes\": null}"));
    assert_non_null(strstr(thr, "\"range\": {\"begin\": 0, \"end\": 1000}"));
    assert_non_null(strstr(naive, "\"exact\": false"));
    assert_non_null(strstr(naive, "\"device\": \"Test CPU, 8 cores | \\\"fast\\\"\""));
    assert_non_null(strstr(ocl, "\"ratio\": null"));
    assert_non_null(strstr(ocl, "\"pi\": null"));
    assert_non_null(strstr(ocl, "\"opencl\": {\"cache\": \"miss\""));
    assert_non_null(strstr(ocl, "\"status\": \"error\""));
    assert_non_null(strstr(
        ocl, "\"error\": \"mcpi: build failed, \\\"bad option\\\"\\u000asee the build log\""));
    /* Rows without OpenCL have no "opencl" key. */
    assert_true(strstr(thr, "\"opencl\"") == NULL || strstr(thr, "\"opencl\"") > naive);

    assert_non_null(strstr(ranks, "\"hostname\": \"node\\u0001\\ufffd\""));
    assert_non_null(strstr(ranks, "\"range\": {\"begin\": 500, \"end\": 1000}"));
    assert_null(strstr(out, "nan"));
    assert_null(strstr(out, "inf"));
    free(out);

    /* Without rank rows "ranks" is an empty array; 64-bit integers are exact. */
    make_report(&rep, 0);
    g_rows[2].samples = UINT64_MAX;
    g_rows[2].hits = UINT64_MAX - 5;
    rep.rank_rows = NULL;
    rep.nrank_rows = 0;
    out = render(MCPI_FORMAT_JSON, &rep);
    assert_non_null(strstr(out, "\"ranks\": []"));
    assert_non_null(strstr(out, "\"samples\": 18446744073709551615"));
    assert_non_null(strstr(out, "\"hits\": 18446744073709551610"));
    free(out);
}

static void test_markdown(void **state)
{
    (void)state;
    mcpi_report rep;
    make_report(&rep, 1);
    char *out = render(MCPI_FORMAT_MARKDOWN, &rep);

    assert_non_null(strstr(out, "mcpi " MCPI_VERSION_STRING ": N=1000"));
    assert_non_null(strstr(out, "| name | device | time median (min-max) |"));
    assert_non_null(strstr(out, "|:--|:--|--:|"));
    assert_non_null(strstr(out, "| threads | Test CPU | 500 ms (490-520) |"));
    assert_non_null(strstr(out, "| naive\\* | Test CPU, 8 cores \\| \"fast\" |"));
    assert_non_null(strstr(out, "| error: mcpi: build failed, \"bad option\" see the build log |"));
    assert_non_null(strstr(out, "- \\* naive: the tutorial's plain loop"));
    assert_true(line_index(out, "| threads |") < line_index(out, "| naive"));
    assert_true(line_index(out, "| naive") < line_index(out, "| opencl:0.0"));
    assert_non_null(strstr(out, "| rank | host |"));

    /* Every row of the job table has the same number of unescaped '|'. */
    int rows = 0;
    for (const char *p = strstr(out, "| name"); p && *p == '|'; rows++) {
        int bars = 0;
        for (; *p && *p != '\n'; p++)
            bars += *p == '|' && p[-1] != '\\';
        assert_int_equal(bars, 10 + 1);
        p += *p == '\n';
    }
    assert_int_equal(rows, 2 + 3);
    free(out);
}

/* A row of four ranks, rank 3 taking t3 seconds for its 1000 samples (the
 * others 1 s): slow when its rate is below 2/3 of the median rank's. */
static void make_ranks_report(mcpi_report *rep, mcpi_record *job, mcpi_record ranks[4], double t3,
                              size_t nranks)
{
    mcpi_record_init(job);
    snprintf(job->name, sizeof job->name, "serial");
    snprintf(job->backend, sizeof job->backend, "serial");
    job->ranks = (int)nranks;
    job->end = job->samples = 1000 * nranks;
    job->hits = 785 * nranks;
    double one = t3;
    set_times(job, 1, &one);
    for (size_t i = 0; i < nranks; i++) {
        mcpi_record *r = &ranks[i];
        mcpi_record_init(r);
        snprintf(r->name, sizeof r->name, "serial");
        snprintf(r->backend, sizeof r->backend, "serial");
        snprintf(r->hostname, sizeof r->hostname, "node%zu", i);
        r->rank = (int)i;
        r->begin = 1000 * i;
        r->end = r->begin + 1000;
        r->samples = 1000;
        r->hits = 785;
        double t = i == 3 ? t3 : 1.0;
        set_times(r, 1, &t);
    }
    memset(rep, 0, sizeof *rep);
    rep->info.version = MCPI_VERSION_STRING;
    rep->info.samples = job->samples;
    rep->info.repeat = 1;
    rep->info.ranks = (int)nranks;
    rep->rows = job;
    rep->nrows = 1;
    rep->rank_rows = ranks;
    rep->nrank_rows = nranks;
}

static void test_slow_ranks(void **state)
{
    (void)state;
    mcpi_report rep;
    mcpi_record job, ranks[4];
    /* 1.51 s: 662 samples/s < 2/3 of 1000: named, in every human format and JSON. */
    make_ranks_report(&rep, &job, ranks, 1.51, 4);
    char *table = render(MCPI_FORMAT_TABLE, &rep);
    char line[512];
    line_of(table, "slow rank", line, sizeof line);
    assert_non_null(strstr(line, "warning: slow rank: serial on rank 3 (node3) counted 662 "
                                 "samples/s, 0.66x the median rank's 1.00k"));
    free(table);
    char *md = render(MCPI_FORMAT_MARKDOWN, &rep);
    assert_non_null(strstr(md, "slow rank: serial on rank 3 (node3)"));
    free(md);
    char *json = render(MCPI_FORMAT_JSON, &rep);
    assert_non_null(strstr(json, "\"slow_ranks\": [{\"row\": \"serial\", \"rank\": 3, "
                                 "\"hostname\": \"node3\", \"samples_per_s\": 662."));
    free(json);
    /* 1.49 s: 671 samples/s, above 2/3 of the median: not named. */
    make_ranks_report(&rep, &job, ranks, 1.49, 4);
    table = render(MCPI_FORMAT_TABLE, &rep);
    assert_null(strstr(table, "slow rank"));
    free(table);
    json = render(MCPI_FORMAT_JSON, &rep);
    assert_non_null(strstr(json, "\"slow_ranks\": []"));
    free(json);
    /* Two ranks: no median to be far below. */
    make_ranks_report(&rep, &job, ranks, 10.0, 2);
    table = render(MCPI_FORMAT_TABLE, &rep);
    assert_null(strstr(table, "slow rank"));
    free(table);
}

static void test_write_errors(void **state)
{
    (void)state;
    mcpi_report rep;
    make_report(&rep, 1);
    const mcpi_format fmts[] = {MCPI_FORMAT_TABLE, MCPI_FORMAT_CSV, MCPI_FORMAT_JSON,
                                MCPI_FORMAT_MARKDOWN};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        /* A read-only stream fails at the first write... */
        FILE *ro = fopen("/dev/null", "r");
        assert_non_null(ro);
        assert_int_equal(mcpi_report_write(ro, fmts[i], &rep), MCPI_EIO);
        fclose(ro);
        /* ...a full device only when the buffer is flushed. */
        FILE *full = fopen("/dev/full", "w");
        if (full) {
            assert_int_equal(mcpi_report_write(full, fmts[i], &rep), MCPI_EIO);
            fclose(full);
        }
    }
    assert_int_equal(mcpi_report_write(stdout, (mcpi_format)99, &rep), MCPI_EINVAL);
    assert_int_equal(mcpi_report_write(NULL, MCPI_FORMAT_JSON, &rep), MCPI_EINVAL);
}

static void test_empty_report(void **state)
{
    (void)state;
    mcpi_report rep;
    memset(&rep, 0, sizeof rep);
    rep.info.version = MCPI_VERSION_STRING;
    char *out = render(MCPI_FORMAT_JSON, &rep);
    assert_non_null(strstr(out, "\"results\": []"));
    free(out);
    out = render(MCPI_FORMAT_TABLE, &rep);
    free(out);
    out = render(MCPI_FORMAT_CSV, &rep);
    assert_non_null(strstr(out, "scope,"));
    free(out);
    out = render(MCPI_FORMAT_MARKDOWN, &rep);
    free(out);
}

/* ---- entry -------------------------------------------------------------- */

static int write_sample(const char *path, mcpi_format fmt)
{
    mcpi_report rep;
    make_report(&rep, 1);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    int rc = mcpi_report_write(f, fmt, &rep);
    if (fclose(f) != 0 || rc != 0) {
        fprintf(stderr, "test_profile: writing %s failed (%d)\n", path, rc);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    mcpi_format fmt;
    if (argc == 3 && strncmp(argv[1], "--write-", 8) == 0 &&
        mcpi_format_parse(argv[1] + 8, &fmt) == 0)
        return write_sample(argv[2], fmt);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_odd),
        cmocka_unit_test(test_stats_even),
        cmocka_unit_test(test_stats_one_and_none),
        cmocka_unit_test(test_record_init),
        cmocka_unit_test(test_phases),
        cmocka_unit_test(test_pi_and_se),
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_memory_probes),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_slow_ranks),
        cmocka_unit_test(test_write_errors),
        cmocka_unit_test(test_empty_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

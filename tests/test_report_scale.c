/* test_report_scale.c - the writers of a scaling study (profiling:
 * report_scale.c) in every format, on a study built and "analysed" by hand:
 * the derived numbers are set here, so nothing depends on timing or on
 * mcpi_scale_analyse.
 *
 * `test_report_scale --write-FORMAT FILE [weak]` (json, csv, table,
 * markdown) writes the sample study (strong, or weak) to FILE and exits, so
 * the JSON can be checked against schema/mcpi-output.schema.json. */
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi_profile.h"

#define VERSION "0.1.0"
#define STRONG_N 100000000ull
#define WEAK_N 1000000ull
#define NPOINTS 3 /* p = 1 and 2 timed, p = 4 failed */
#define NRANKS 2  /* rank rows of the p = 2 point */
#define CSV_FIELDS 20
#define FAILED_ERROR "opencl: device lost\nafter 3 chunks, \"retry\""
/* The error as the table and Markdown show it: one line. */
#define FAILED_ERROR_FLAT "opencl: device lost after 3 chunks, \"retry\""

static mcpi_record g_rows[NPOINTS];
static mcpi_record g_ranks[NRANKS];
static mcpi_scale_point g_points[NPOINTS];
static mcpi_calibration g_cal = {2.5e8, "node1", "Test CPU", "2024-05-01T12:00:00Z"};

static void set_row(mcpi_record *r, unsigned threads, uint64_t samples, uint64_t hits,
                    const double *t, unsigned n)
{
    mcpi_record_init(r);
    snprintf(r->name, sizeof r->name, "threads");
    snprintf(r->backend, sizeof r->backend, "threads");
    snprintf(r->device, sizeof r->device, "Test CPU (%u threads)", threads);
    snprintf(r->hostname, sizeof r->hostname, "node1");
    r->ranks = 1;
    r->threads = threads;
    r->end = samples;
    r->samples = samples;
    r->hits = hits;
    r->repeats = n;
    for (unsigned i = 0; i < n; i++)
        r->repeat_s[i] = t[i];
    r->nworkers = 1;
    snprintf(r->workers[0].name, sizeof r->workers[0].name, "threads");
    r->workers[0].samples = samples;
    r->workers[0].hits = hits;
    r->workers[0].chunks = 4;
}

static void set_point(mcpi_scale_point *p, unsigned workers, const mcpi_record *row, double med,
                      double lo, double hi, double n, double speedup, double karp_flatt)
{
    memset(p, 0, sizeof *p);
    p->workers = workers;
    p->hosts = 1;
    p->row = row;
    p->st.median = med;
    p->st.min = lo;
    p->st.max = hi;
    p->st.mean = med;
    p->st.rsd = 0.01;
    p->samples_per_s = n / med;
    p->speedup = speedup;
    p->efficiency = speedup / workers;
    p->karp_flatt = karp_flatt;
}

/* Strong: p = 1 takes 181 ms, p = 2 93.1 ms (speedup 1.944, Karp-Flatt
 * 0.0287); weak: N per worker, p = 2 counts 2 N in 186 ms (scaled speedup
 * 1.946).  p = 4 failed. */
static mcpi_scale make_scale(mcpi_scale_kind kind)
{
    static const double t1[] = {0.179, 0.181, 0.185};
    static const double t2_strong[] = {0.092, 0.0931, 0.095};
    static const double t2_weak[] = {0.184, 0.186, 0.19};
    int weak = kind == MCPI_SCALE_WEAK;
    const double *t2 = weak ? t2_weak : t2_strong;
    uint64_t n = weak ? WEAK_N : STRONG_N;
    uint64_t n1 = n, n2 = weak ? 2 * n : n, n4 = weak ? 4 * n : n;
    set_row(&g_rows[0], 1, n1, weak ? 785398 : 78539816, t1, 3);
    set_row(&g_rows[1], 2, n2, weak ? 1570797 : 78539817, t2, 3);
    set_row(&g_rows[2], 4, n4, 0, NULL, 0);
    g_rows[2].status = MCPI_EBACKEND;
    snprintf(g_rows[2].error, sizeof g_rows[2].error, FAILED_ERROR);
    for (int k = 0; k < NRANKS; k++) {
        set_row(&g_ranks[k], 1, n2 / 2, weak ? 785398 : 39269908, t2, 3);
        g_ranks[k].rank = k;
        g_ranks[k].begin = (uint64_t)k * (n2 / 2);
        g_ranks[k].end = g_ranks[k].begin + n2 / 2;
    }

    double s2 = (weak ? 2.0 : 1.0) * 0.181 / t2[1];
    set_point(&g_points[0], 1, &g_rows[0], 0.181, 0.179, 0.185, (double)n1, 1.0, NAN);
    set_point(&g_points[1], 2, &g_rows[1], t2[1], t2[0], t2[2], (double)n2, s2,
              (1.0 / s2 - 0.5) / 0.5);
    set_point(&g_points[2], 4, &g_rows[2], NAN, NAN, NAN, NAN, NAN, NAN);
    g_points[2].samples_per_s = NAN;
    g_points[2].efficiency = NAN;
    g_points[1].ranks = g_ranks;
    g_points[1].nranks = NRANKS;

    mcpi_scale s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.over = MCPI_SCALE_THREADS;
    s.row = "threads";
    s.samples = n;
    s.points = g_points;
    s.npoints = NPOINTS;
    s.fit.law = weak ? "gustafson" : "amdahl";
    s.fit.fraction = 0.0288;
    s.fit.fraction_se = 0.0040;
    s.fit.t1_s = 0.181;
    s.fit.r2 = 0.998;
    s.fit.observations = 6;
    s.fit.describes = 1;
    return s;
}

static mcpi_report make_report(const mcpi_scale *s)
{
    mcpi_report rep;
    memset(&rep, 0, sizeof rep);
    rep.info.version = VERSION;
    rep.info.repeat = 3;
    rep.info.warmup = 1;
    rep.info.ranks = 1;
    rep.info.peak_resettable = 1;
    rep.scale = s;
    return rep;
}

/* The report in fmt, NUL-terminated (free it). */
static char *render(const mcpi_report *rep, mcpi_format fmt)
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

/* Line k (from 0) of text, without its line end, in line; 0 past the end. */
static int nth_line(const char *text, int k, char *line, size_t len)
{
    for (; k > 0; k--) {
        text = strchr(text, '\n');
        if (!text)
            return 0;
        text++;
    }
    if (*text == '\0')
        return 0;
    size_t n = strcspn(text, "\r\n");
    if (n >= len)
        n = len - 1;
    memcpy(line, text, n);
    line[n] = '\0';
    return 1;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* ---- a small JSON checker (the test's own; Python checks the schema) ---- */

#define JSON_MAX_DEPTH 64

static const char *json_ws(const char *s)
{
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    return s;
}

static const char *json_string(const char *s)
{
    if (*s++ != '"')
        return NULL;
    for (; *s != '"'; s++) {
        if (*s == '\0' || (unsigned char)*s < 0x20)
            return NULL;
        if (*s != '\\')
            continue;
        s++;
        if (*s == 'u') {
            for (int i = 1; i <= 4; i++)
                if (!isxdigit((unsigned char)s[i]))
                    return NULL;
            s += 4;
        } else if (*s == '\0' || !strchr("\"\\/bfnrt", *s)) {
            return NULL;
        }
    }
    return s + 1;
}

static const char *json_digits(const char *s)
{
    if (!isdigit((unsigned char)*s))
        return NULL;
    while (isdigit((unsigned char)*s))
        s++;
    return s;
}

static const char *json_number(const char *s)
{
    if (*s == '-')
        s++;
    s = json_digits(s);
    if (s && *s == '.')
        s = json_digits(s + 1);
    if (s && (*s == 'e' || *s == 'E')) {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        s = json_digits(s);
    }
    return s;
}

static const char *json_value(const char *s, int depth);

/* The members of an object or the elements of an array, after its opener. */
static const char *json_members(const char *s, int depth, char close)
{
    s = json_ws(s);
    if (*s == close)
        return s + 1;
    for (;;) {
        if (close == '}') {
            s = json_string(json_ws(s));
            if (!s)
                return NULL;
            s = json_ws(s);
            if (*s++ != ':')
                return NULL;
        }
        s = json_value(s, depth + 1);
        if (!s)
            return NULL;
        s = json_ws(s);
        if (*s == close)
            return s + 1;
        if (*s++ != ',')
            return NULL;
    }
}

static const char *json_value(const char *s, int depth)
{
    s = json_ws(s);
    if (depth > JSON_MAX_DEPTH)
        return NULL;
    switch (*s) {
    case '{':
        return json_members(s + 1, depth, '}');
    case '[':
        return json_members(s + 1, depth, ']');
    case '"':
        return json_string(s);
    case 't':
        return strncmp(s, "true", 4) == 0 ? s + 4 : NULL;
    case 'f':
        return strncmp(s, "false", 5) == 0 ? s + 5 : NULL;
    case 'n':
        return strncmp(s, "null", 4) == 0 ? s + 4 : NULL;
    default:
        return json_number(s);
    }
}

static int json_valid(const char *text)
{
    const char *end = json_value(text, 0);
    return end != NULL && *json_ws(end) == '\0';
}

static void test_json_checker_rejects(void **state)
{
    (void)state;
    assert_true(json_valid("{\"a\": [1, -2.5e+3, null, true, \"x\\n\"]}"));
    assert_false(json_valid("{\"a\": nan}"));
    assert_false(json_valid("{\"a\": 1,}"));
    assert_false(json_valid("{\"a\": 1} x"));
    assert_false(json_valid("[\"a\nb\"]"));
}

/* ---- table ------------------------------------------------------------- */

#define STRONG_SUMMARY                                                                             \
    "mcpi 0.1.0 scale: strong scaling of threads over threads, N=100000000 per point, seed=0, "    \
    "repeats=3 (+1 warm-up), ranks=1"
#define STRONG_FIT                                                                                 \
    "Amdahl fit: serial fraction 0.0288 ± 0.0040 (6 timed repeats at p = 1..2, R² 0.998); T(1) " \
    "181 ms"

static void test_table_strong(void **state)
{
    (void)state;
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG);
    mcpi_report rep = make_report(&s);
    char *out = render(&rep, MCPI_FORMAT_TABLE);
    char line[1024];
    /* summary, blank, titles, rule, one line per point, blank, fit */
    assert_int_equal(count_lines(out), 4 + NPOINTS + 2);
    assert_true(nth_line(out, 0, line, sizeof line));
    assert_string_equal(line, STRONG_SUMMARY);
    assert_true(nth_line(out, 2, line, sizeof line));
    assert_string_equal(line, "workers  hosts          N  time (min-max)       samples/s  speedup  "
                              "efficiency  Karp-Flatt      hits");
    assert_true(nth_line(out, 3, line, sizeof line));
    assert_int_equal(strspn(line, "-"), strlen(line));
    assert_true(nth_line(out, 4, line, sizeof line));
    assert_string_equal(line, "      1      1  100000000  181 ms (179-185)      5.52e+08     1.00  "
                              "   100.0 %           -  78539816");
    assert_true(nth_line(out, 5, line, sizeof line));
    assert_string_equal(line, "      2      1  100000000  93.1 ms (92.0-95.0)   1.07e+09     1.94  "
                              "    97.2 %      0.0287  78539817");
    assert_true(nth_line(out, 6, line, sizeof line));
    assert_string_equal(line, "      4      1  100000000  error: " FAILED_ERROR_FLAT);
    assert_true(nth_line(out, 8, line, sizeof line));
    assert_string_equal(line, STRONG_FIT);
    free(out);
}

static void test_table_weak_and_fit_notes(void **state)
{
    (void)state;
    mcpi_scale s = make_scale(MCPI_SCALE_WEAK);
    mcpi_report rep = make_report(&s);
    char line[1024];

    char *out = render(&rep, MCPI_FORMAT_TABLE);
    assert_true(nth_line(out, 0, line, sizeof line));
    assert_non_null(strstr(line, "mcpi 0.1.0 scale: weak scaling of threads over threads, "
                                 "N=1000000 per worker, seed=0"));
    assert_true(nth_line(out, 5, line, sizeof line)); /* p = 2 counts 2 N */
    assert_non_null(strstr(line, "  2000000  "));
    assert_true(nth_line(out, 8, line, sizeof line)); /* Gustafson leaves out p = 1 */
    assert_string_equal(line, "Gustafson fit: serial fraction s 0.0288 ± 0.0040 (6 timed repeats "
                              "at p = 2, R² 0.998); T0 181 ms");
    assert_false(nth_line(out, 9, line, sizeof line));
    free(out);

    /* A fit that does not describe the data says why on the next line. */
    s.fit.describes = 0;
    snprintf(s.fit.note, sizeof s.fit.note, "efficiency 1.20 at p = 2 is superlinear");
    out = render(&rep, MCPI_FORMAT_TABLE);
    assert_true(nth_line(out, 9, line, sizeof line));
    assert_string_equal(line, "note: efficiency 1.20 at p = 2 is superlinear");
    free(out);

    /* No fit: "none" and the reason, once; NaN error and R² are left out. */
    s.fit.fraction = NAN;
    s.fit.fraction_se = NAN;
    s.fit.r2 = NAN;
    snprintf(s.fit.note, sizeof s.fit.note, "fewer than 2 timed repeats at p > 1");
    out = render(&rep, MCPI_FORMAT_TABLE);
    assert_true(nth_line(out, 8, line, sizeof line));
    assert_string_equal(line, "Gustafson fit: none (fewer than 2 timed repeats at p > 1)");
    assert_false(nth_line(out, 9, line, sizeof line));
    free(out);

    s.fit.fraction = 0.5;
    s.fit.t1_s = NAN;
    s.fit.describes = 1;
    s.fit.note[0] = '\0';
    s.fit.observations = 1;
    out = render(&rep, MCPI_FORMAT_TABLE);
    assert_true(nth_line(out, 8, line, sizeof line));
    assert_string_equal(line, "Gustafson fit: serial fraction s 0.500 (1 timed repeat at p = 2)");
    free(out);
}

/* ---- CSV --------------------------------------------------------------- */

/* Fields of the CSV record at *p (RFC 4180 quoting); moves *p past its CRLF.
 * field (when not NULL) receives field number want (from 0). */
static int csv_record(const char **p, int want, char *field, size_t len)
{
    const char *s = *p;
    int n = 0;
    size_t used = 0;
    int quoted = 0;
    if (field)
        field[0] = '\0';
    for (;; s++) {
        if (quoted) {
            if (*s == '\0')
                return -1;
            if (*s == '"' && s[1] == '"') {
                s++;
            } else if (*s == '"') {
                quoted = 0;
                continue;
            }
        } else if (*s == '"') {
            quoted = 1;
            continue;
        } else if (*s == ',' || (*s == '\r' && s[1] == '\n') || *s == '\0') {
            n++;
            if (*s != ',') {
                *p = *s ? s + 2 : s;
                return n;
            }
            continue;
        }
        if (field && n == want && used + 1 < len) {
            field[used++] = *s;
            field[used] = '\0';
        }
    }
}

static void test_csv(void **state)
{
    (void)state;
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG);
    mcpi_report rep = make_report(&s);
    char *out = render(&rep, MCPI_FORMAT_CSV);
    const char *want_header =
        "scaling,over,row,workers,hosts,samples,hits,median_s,min_s,max_s,samples_per_s,speedup,"
        "efficiency,karp_flatt,law,serial_fraction,serial_fraction_se,fit_describes,status,"
        "error\r\n";
    assert_memory_equal(out, want_header, strlen(want_header));
    const char *p = out + strlen(want_header);
    char field[1024];
    /* p = 1: Karp-Flatt (field 13) is NaN, an empty field. */
    assert_memory_equal(p, "strong,threads,threads,1,1,100000000,78539816,0.181,0.179,0.185,",
                        strlen("strong,threads,threads,1,1,100000000,78539816,0.181,0.179,0.185,"));
    assert_int_equal(csv_record(&p, 13, field, sizeof field), CSV_FIELDS);
    assert_string_equal(field, "");
    assert_int_equal(csv_record(&p, 13, field, sizeof field), CSV_FIELDS);
    assert_true(fabs(atof(field) - 0.0288) < 1e-3);
    /* p = 4 failed: its times are empty, its error quoted with its line break. */
    const char *rec = p;
    assert_int_equal(csv_record(&p, 19, field, sizeof field), CSV_FIELDS);
    assert_string_equal(field, FAILED_ERROR);
    assert_non_null(strstr(rec, ",,,,,,,amdahl,0.0288,0.004,1,-5,\""));
    assert_int_equal(*p, '\0');
    free(out);
}

/* ---- JSON -------------------------------------------------------------- */

static void test_json(void **state)
{
    (void)state;
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG);
    mcpi_report rep = make_report(&s);
    char *out = render(&rep, MCPI_FORMAT_JSON);
    assert_true(json_valid(out));
    static const char *const want[] = {
        "\"version\": \"0.1.0\"",
        "\"config\": {\"samples\": 100000000, \"seed\": 0, \"repeat\": 3, \"warmup\": 1",
        "\"scale\": {\n    \"scaling\": \"strong\", \"over\": \"threads\", \"row\": \"threads\", "
        "\"samples\": 100000000,\n    \"points\": [",
        "{\"workers\": 1, \"hosts\": 1, \"samples\": 100000000, \"median_s\": 0.181, \"min_s\": "
        "0.179, \"max_s\": 0.185, \"samples_per_s\": ",
        "\"speedup\": 1, \"efficiency\": 1, \"karp_flatt\": null,\n        \"results\": [",
        "\"median_s\": null, \"min_s\": null, \"max_s\": null, \"samples_per_s\": null, "
        "\"speedup\": null, \"efficiency\": null, \"karp_flatt\": null",
        "\"status\": \"error\", \"status_code\": -5, \"error\": \"opencl: device lost\\u000aafter "
        "3 "
        "chunks, \\\"retry\\\"\"",
        "\"ranks\": [],\n        \"slow_ranks\": []}",
        "\"rank\": 1, \"local_rank\": 0",
        "\"fit\": {\"law\": \"amdahl\", \"serial_fraction\": 0.0288, \"serial_fraction_se\": "
        "0.004, \"t1_s\": 0.181, \"r2\": 0.998, \"observations\": 6, \"describes\": true, "
        "\"note\": null}\n  }\n}\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(out, want[i]))
            fail_msg("JSON lacks %s:\n%s", want[i], out);
    assert_null(strstr(out, "\"calibration\""));
    assert_null(strstr(out, "\"sweep\""));
    free(out);

    /* With a calibration: the run's calibration object and stones per row. */
    rep.info.calibration = &g_cal;
    s.fit.fraction = NAN;
    s.fit.describes = 0;
    snprintf(s.fit.note, sizeof s.fit.note, "only one \"point\"");
    out = render(&rep, MCPI_FORMAT_JSON);
    assert_true(json_valid(out));
    assert_non_null(strstr(out, "\"calibration\": {\"unit\": \"stone\""));
    assert_non_null(strstr(out, "\"time_stones\": {"));
    assert_non_null(strstr(out, "\"serial_fraction\": null"));
    assert_non_null(strstr(out, "\"describes\": false, \"note\": \"only one \\\"point\\\"\"}"));
    free(out);
}

/* ---- Markdown ---------------------------------------------------------- */

static void test_markdown(void **state)
{
    (void)state;
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG);
    s.fit.describes = 0;
    snprintf(s.fit.note, sizeof s.fit.note, "efficiency drops by 0.30 at a node boundary");
    mcpi_report rep = make_report(&s);
    char *out = render(&rep, MCPI_FORMAT_MARKDOWN);
    char line[1024];
    assert_true(nth_line(out, 0, line, sizeof line));
    assert_string_equal(line, STRONG_SUMMARY);
    assert_true(nth_line(out, 2, line, sizeof line));
    assert_string_equal(line, "| workers | hosts | N | time (min-max) | samples/s | speedup | "
                              "efficiency | Karp-Flatt | hits |");
    assert_true(nth_line(out, 3, line, sizeof line));
    assert_string_equal(line, "|--:|--:|--:|:--|--:|--:|--:|--:|--:|");
    assert_true(nth_line(out, 4, line, sizeof line));
    assert_string_equal(line, "| 1 | 1 | 100000000 | 181 ms (179-185) | 5.52e+08 | 1.00 | 100.0 % "
                              "| - | 78539816 |");
    assert_true(nth_line(out, 6, line, sizeof line));
    assert_string_equal(line,
                        "| 4 | 1 | 100000000 | error: " FAILED_ERROR_FLAT " |  |  |  |  |  |");
    assert_true(nth_line(out, 7, line, sizeof line));
    assert_string_equal(line, "");
    assert_true(nth_line(out, 8, line, sizeof line));
    assert_string_equal(line, STRONG_FIT);
    assert_true(nth_line(out, 10, line, sizeof line));
    assert_string_equal(line, "note: efficiency drops by 0.30 at a node boundary");
    assert_false(nth_line(out, 11, line, sizeof line));
    free(out);
}

/* ---- errors ------------------------------------------------------------ */

static void test_bad_input_and_full_disk(void **state)
{
    (void)state;
    mcpi_scale s = make_scale(MCPI_SCALE_STRONG);
    mcpi_report rep = make_report(&s);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(mcpi_report_write(f, (mcpi_format)99, &rep), MCPI_EINVAL);
    g_points[1].row = NULL; /* a point without its row */
    assert_int_equal(mcpi_report_write(f, MCPI_FORMAT_TABLE, &rep), MCPI_EINVAL);
    g_points[1].row = &g_rows[1];
    s.points = NULL;
    assert_int_equal(mcpi_report_write(f, MCPI_FORMAT_JSON, &rep), MCPI_EINVAL);
    fclose(f);
    assert_int_equal(len, 0); /* nothing written */
    free(buf);

    s = make_scale(MCPI_SCALE_STRONG);
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        skip();
    for (int fmt = MCPI_FORMAT_TABLE; fmt <= MCPI_FORMAT_MARKDOWN; fmt++)
        assert_int_equal(mcpi_report_write(full, (mcpi_format)fmt, &rep), MCPI_EIO);
    fclose(full);
}

/* ---- --write-FORMAT FILE [weak] ---------------------------------------- */

static int write_sample(const char *fmt_name, const char *path, int weak)
{
    mcpi_format fmt;
    if (mcpi_format_parse(fmt_name, &fmt) != 0)
        return 2;
    mcpi_scale s = make_scale(weak ? MCPI_SCALE_WEAK : MCPI_SCALE_STRONG);
    mcpi_report rep = make_report(&s);
    rep.info.calibration = &g_cal;
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    int rc = mcpi_report_write(f, fmt, &rep);
    return fclose(f) == 0 && rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if ((argc == 3 || argc == 4) && strncmp(argv[1], "--write-", 8) == 0)
        return write_sample(argv[1] + 8, argv[2], argc == 4 && strcmp(argv[3], "weak") == 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_checker_rejects),
        cmocka_unit_test(test_table_strong),
        cmocka_unit_test(test_table_weak_and_fit_notes),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_bad_input_and_full_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

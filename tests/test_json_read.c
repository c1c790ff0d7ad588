/* test_json_read.c - the records layer's readers: the JSON reader (exact
 * 64-bit integers, escapes, malformed input, depth) and a JSON run report
 * read back into records (mcpi merge, mcpi compare). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_read.h"
#include "mcpi_profile.h"

static void test_json_reader(void **state)
{
    (void)state;
    const char *text = "{\"a\": 18446744073709551615, \"b\": [1, 2.5, -3e2, null, true, false],"
                       " \"s\": \"x\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\", \"o\": {}}";
    mcpi_json *v = NULL;
    char why[128];
    assert_int_equal(mcpi_json_parse(text, strlen(text), &v, why, sizeof why), MCPI_OK);
    uint64_t x = 0;
    assert_int_equal(mcpi_json_u64(mcpi_json_get(v, "a"), &x), MCPI_OK);
    assert_int_equal(x, UINT64_MAX);
    const mcpi_json *b = mcpi_json_get(v, "b");
    assert_int_equal(b->n, 6);
    assert_int_equal(mcpi_json_u64(&b->items[1], &x), MCPI_EINVAL); /* 2.5 is not an integer */
    double d;
    assert_int_equal(mcpi_json_double(&b->items[2], &d), MCPI_OK);
    assert_true(d == -300.0);
    assert_int_equal(mcpi_json_double(&b->items[3], &d), MCPI_OK);
    assert_true(d != d); /* null is NaN */
    assert_string_equal(mcpi_json_get(v, "s")->text, "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
    assert_null(mcpi_json_get(v, "missing"));
    mcpi_json_free(v);

    const char *bad[] = {"",
                         "{",
                         "{\"a\" 1}",
                         "[1,]",
                         "{\"a\": 01}",
                         "\"\\x\"",
                         "[1] 2",
                         "{\"a\": 18446744073709551616}",
                         "\"\\ud800\"",
                         "nul",
                         "[\"a\nb\"]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        v = NULL;
        int rc = mcpi_json_parse(bad[i], strlen(bad[i]), &v, why, sizeof why);
        if (i == 7) { /* valid JSON, but not a u64 */
            assert_int_equal(rc, MCPI_OK);
            assert_int_equal(mcpi_json_u64(mcpi_json_get(v, "a"), &x), MCPI_EINVAL);
            mcpi_json_free(v);
            continue;
        }
        assert_int_equal(rc, MCPI_EINVAL);
        assert_null(v);
        assert_non_null(strstr(why, "line "));
    }
    /* Deep nesting is refused, not a stack overflow. */
    char deep[400];
    memset(deep, '[', sizeof deep);
    assert_int_equal(mcpi_json_parse(deep, sizeof deep, &v, why, sizeof why), MCPI_EINVAL);
    mcpi_json_free(NULL);
}

/* Parses len bytes copied into a buffer of exactly that size (no NUL after
 * it), so a reader that looks past len shows under the sanitizers. */
static int parse_exact(const char *text, size_t len, mcpi_json **v, char *why, size_t whylen)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    int rc = mcpi_json_parse(copy, len, v, why, whylen);
    free(copy);
    return rc;
}

/* A repeated key is refused, at any depth, naming it and its line: two
 * readers must never see two values.  Distinct keys (escaped ones too)
 * are fine, however many. */
static void test_json_duplicate_keys(void **state)
{
    (void)state;
    static const char *const dups[] = {
        "{\"a\": 1, \"b\": 2, \"a\": 3}", "[{\"x\": {\"hits\": 1,\n \"hits\": 2}}]",
        "{\"a\\\"b\": 1, \"a\\u0022b\": 2}", /* the same key, escaped two ways */
    };
    char why[128];
    for (size_t i = 0; i < sizeof dups / sizeof dups[0]; ++i) {
        mcpi_json *v = NULL;
        why[0] = '\0';
        assert_int_equal(mcpi_json_parse(dups[i], strlen(dups[i]), &v, why, sizeof why),
                         MCPI_EINVAL);
        assert_null(v);
        assert_non_null(strstr(why, "duplicate key"));
    }
    const char *text = "{\"a\": 1, \"b\": 2, \"a\\\"b\": 4}";
    mcpi_json *v = NULL;
    assert_int_equal(mcpi_json_parse(text, strlen(text), &v, why, sizeof why), MCPI_OK);
    uint64_t x = 0;
    assert_int_equal(mcpi_json_u64(mcpi_json_get(v, "a\"b"), &x), MCPI_OK); /* key unescaped */
    assert_int_equal(x, 4);
    assert_null(mcpi_json_get(&v->items[0], "a")); /* not an object */
    assert_null(mcpi_json_get(NULL, "a"));
    mcpi_json_free(v);
    /* 20000 distinct keys: checked by sorting, not pair by pair. */
    enum { MANY = 20000 };
    size_t cap = (size_t)MANY * 16 + 2, n = 0;
    char *big = malloc(cap);
    assert_non_null(big);
    n += (size_t)snprintf(big + n, cap - n, "{");
    for (int k = 0; k < MANY; ++k)
        n += (size_t)snprintf(big + n, cap - n, "%s\"k%d\": %d", k ? ", " : "", k, k);
    n += (size_t)snprintf(big + n, cap - n, "}");
    assert_int_equal(mcpi_json_parse(big, n, &v, why, sizeof why), MCPI_OK);
    assert_int_equal(v->n, MANY);
    assert_int_equal(mcpi_json_u64(mcpi_json_get(v, "k19999"), &x), MCPI_OK);
    assert_int_equal(x, 19999);
    mcpi_json_free(v);
    free(big);
}

/* MCPI_JSON_MAX_DEPTH containers nest; one more is refused by name, for
 * arrays, objects and a mix. */
static void test_json_depth_limit(void **state)
{
    (void)state;
    char text[8 * (MCPI_JSON_MAX_DEPTH + 1) + 16], why[128]; /* "{\"k\":" and "}" a level */
    for (int extra = 0; extra <= 1; ++extra) {
        int depth = MCPI_JSON_MAX_DEPTH + extra;
        for (int kind = 0; kind < 3; ++kind) {
            size_t n = 0;
            for (int i = 0; i < depth; ++i) { /* kind 0 arrays, 1 objects, 2 both */
                int obj = kind == 1 || (kind == 2 && i % 2);
                if (obj) {
                    memcpy(text + n, "{\"k\":", 5);
                    n += 5;
                } else {
                    text[n++] = '[';
                }
            }
            text[n++] = '0';
            for (int i = depth - 1; i >= 0; --i)
                text[n++] = (kind == 1 || (kind == 2 && i % 2)) ? '}' : ']';
            mcpi_json *v = NULL;
            why[0] = '\0';
            int rc = parse_exact(text, n, &v, why, sizeof why);
            if (extra == 0) {
                assert_int_equal(rc, MCPI_OK);
                mcpi_json_free(v);
            } else {
                assert_int_equal(rc, MCPI_EINVAL);
                assert_null(v);
                assert_non_null(strstr(why, "nesting too deep"));
            }
        }
    }
}

/* Every proper prefix of a document is refused (the document is an
 * object, so no prefix is a complete value), and none is read past. */
static void test_json_truncated(void **state)
{
    (void)state;
    const char *text = "{\"a\": [1, -2.5e+3, \"x\\u00e9\\ud83d\\ude00\\n\", true, false, null],\n"
                       " \"b\": {\"c\": 18446744073709551615, \"d\": {}}, \"e\": []}";
    size_t len = strlen(text);
    char why[128];
    mcpi_json *v = NULL;
    assert_int_equal(parse_exact(text, len, &v, why, sizeof why), MCPI_OK);
    mcpi_json_free(v);
    for (size_t n = 0; n < len; ++n) {
        v = NULL;
        why[0] = '\0';
        int rc = parse_exact(text, n, &v, why, sizeof why);
        if (rc != MCPI_EINVAL)
            print_error("prefix of %zu bytes: rc %d\n", n, rc);
        assert_int_equal(rc, MCPI_EINVAL);
        assert_null(v);
        assert_int_equal(strncmp(why, "line ", 5), 0);
    }
    /* The line named is where the text stopped. */
    const char *stop = "{\n\"a\": 1,\n\"b\": ";
    assert_int_equal(parse_exact(stop, strlen(stop), &v, why, sizeof why), MCPI_EINVAL);
    assert_int_equal(strncmp(why, "line 3: ", 8), 0);
}

/* \u escapes: malformed hex, unpaired or reversed surrogates; the valid
 * boundaries decode to the right UTF-8. */
static void test_json_unicode_escapes(void **state)
{
    (void)state;
    const char *bad[] = {
        "\"\\u12\"",          /* three hex digits */
        "\"\\u12G4\"",        /* not hex */
        "\"\\u\"",            /* none */
        "\"\\uD800\"",        /* high surrogate alone */
        "\"\\uD800x\"",       /* high surrogate, then a character */
        "\"\\uD800\\u0041\"", /* high surrogate, then not a low one */
        "\"\\uD800\\uD800\"", /* two high ones */
        "\"\\uDC00\"",        /* low surrogate alone */
        "\"\\uDFFF\\uD800\"", /* reversed pair */
        "\"\\uD83D\\uDE0\"",  /* truncated low half */
        "\"\\U00E9\"",        /* capital U is not an escape */
        "\"\\a\"",            /* not an escape */
        "\"abc",              /* unterminated */
        "\"\\",               /* unterminated in an escape */
        "\"a\tb\"",           /* raw control character */
    };
    char why[128];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        mcpi_json *v = NULL;
        why[0] = '\0';
        int rc = parse_exact(bad[i], strlen(bad[i]), &v, why, sizeof why);
        if (rc != MCPI_EINVAL)
            print_error("case %zu (%s): rc %d\n", i, bad[i], rc);
        assert_int_equal(rc, MCPI_EINVAL);
        assert_null(v);
        assert_non_null(strstr(why, "line 1: "));
    }
    const struct {
        const char *text, *want;
    } good[] = {
        {"\"\\u0041\\u007f\"", "A\x7f"},
        {"\"\\u0080\"", "\xc2\x80"},
        {"\"\\u07FF\"", "\xdf\xbf"},
        {"\"\\u0800\"", "\xe0\xa0\x80"},
        {"\"\\uFFFF\"", "\xef\xbf\xbf"},
        {"\"\\uD800\\uDC00\"", "\xf0\x90\x80\x80"}, /* U+10000 */
        {"\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf"}, /* U+10FFFF */
        {"\"\\b\\f\\r\\t\\/\"", "\b\f\r\t/"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; ++i) {
        mcpi_json *v = NULL;
        assert_int_equal(parse_exact(good[i].text, strlen(good[i].text), &v, why, sizeof why),
                         MCPI_OK);
        assert_int_equal(v->type, MCPI_JSON_STRING);
        assert_string_equal(v->text, good[i].want);
        mcpi_json_free(v);
    }
}

/* mcpi_json_u64 reads exactly the non-negative integer literals below
 * 2^64; everything else (fractions, exponents, signs, overflow, other
 * types) is MCPI_EINVAL and leaves the output alone. */
static void test_json_numbers_not_u64(void **state)
{
    (void)state;
    const struct {
        const char *text;
        uint64_t want;
    } ok[] = {{"0", 0},
              {"7", 7},
              {"4294967296", 4294967296ull},
              {"18446744073709551609", 18446744073709551609ull},
              {"18446744073709551615", UINT64_MAX}};
    char why[128];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
        mcpi_json *v = NULL;
        assert_int_equal(parse_exact(ok[i].text, strlen(ok[i].text), &v, why, sizeof why), MCPI_OK);
        uint64_t x = 0;
        assert_int_equal(mcpi_json_u64(v, &x), MCPI_OK);
        assert_int_equal(x, ok[i].want);
        mcpi_json_free(v);
    }
    const char *not_u64[] = {"-0",
                             "-1",
                             "1.0",
                             "0.5",
                             "1e2",
                             "1E0",
                             "10e-1",
                             "18446744073709551616",
                             "18446744073709551620",
                             "99999999999999999999999",
                             "\"5\"",
                             "null",
                             "true",
                             "[1]",
                             "{}"};
    for (size_t i = 0; i < sizeof not_u64 / sizeof not_u64[0]; ++i) {
        mcpi_json *v = NULL;
        assert_int_equal(parse_exact(not_u64[i], strlen(not_u64[i]), &v, why, sizeof why),
                         MCPI_OK); /* valid JSON */
        uint64_t x = 42;
        if (mcpi_json_u64(v, &x) != MCPI_EINVAL)
            print_error("'%s' read as u64 %llu\n", not_u64[i], (unsigned long long)x);
        assert_int_equal(mcpi_json_u64(v, &x), MCPI_EINVAL);
        assert_int_equal(x, 42);
        mcpi_json_free(v);
    }
    uint64_t x = 42;
    assert_int_equal(mcpi_json_u64(NULL, &x), MCPI_EINVAL);
    /* Not JSON numbers at all. */
    const char *bad[] = {"+1",  "01",   "1.",  ".5",       "-",  "1e",
                         "1e+", "0x10", "- 1", "Infinity", "NaN"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        mcpi_json *v = NULL;
        assert_int_equal(parse_exact(bad[i], strlen(bad[i]), &v, why, sizeof why), MCPI_EINVAL);
        assert_null(v);
    }
    /* Doubles: exact for what the writers print. */
    mcpi_json *v = NULL;
    assert_int_equal(parse_exact("0.1", 3, &v, why, sizeof why), MCPI_OK);
    double d = 0, want = 0.1;
    assert_int_equal(mcpi_json_double(v, &d), MCPI_OK);
    assert_memory_equal(&d, &want, sizeof d);
    mcpi_json_free(v);
    assert_int_equal(parse_exact("\"0.1\"", 5, &v, why, sizeof why), MCPI_OK);
    assert_int_equal(mcpi_json_double(v, &d), MCPI_EINVAL);
    mcpi_json_free(v);
}

/* A report of two rows (one failed) written as JSON into a string. */
static char *report_text(mcpi_record *rows, size_t *len)
{
    for (int i = 0; i < 2; ++i) {
        mcpi_record_init(&rows[i]);
        snprintf(rows[i].name, sizeof rows[i].name, i ? "opencl:0.0" : "threads");
        snprintf(rows[i].backend, sizeof rows[i].backend, i ? "opencl" : "threads");
        snprintf(rows[i].device, sizeof rows[i].device, "dev \"%d\"", i);
        rows[i].exact = 1;
        rows[i].seed = UINT64_MAX - (uint64_t)i;
        rows[i].begin = 8589934591ull;
        rows[i].end = rows[i].begin + 1000003;
        rows[i].samples = 1000003;
        rows[i].hits = 785857 - (uint64_t)i;
        rows[i].repeats = 3;
        for (int k = 0; k < 3; ++k)
            rows[i].repeat_s[k] = 0.1 * (k + 1) + i;
        rows[i].threads = 2;
        mcpi_phases_add(&rows[i].phases, MCPI_PHASE_KERNEL, 0.25);
    }
    rows[1].status = MCPI_EBUILD;
    snprintf(rows[1].error, sizeof rows[1].error, "build failed");
    mcpi_report rep;
    memset(&rep, 0, sizeof rep);
    rep.info.version = "0.1.0";
    rep.info.seed = rows[0].seed;
    rep.info.repeat = 3;
    rep.info.ranks = 1;
    rep.rows = rows;
    rep.nrows = 2;
    rep.format = MCPI_FORMAT_JSON;
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    assert_non_null(f);
    assert_int_equal(mcpi_report_write(f, MCPI_FORMAT_JSON, &rep), MCPI_OK);
    assert_int_equal(fclose(f), 0);
    return text;
}

static void test_report_round_trip(void **state)
{
    (void)state;
    static mcpi_record rows[2];
    size_t len = 0;
    char *text = report_text(rows, &len);
    mcpi_report_doc doc;
    char why[MCPI_ERROR_LEN];
    assert_int_equal(mcpi_report_read_json(text, len, &doc, why, sizeof why), MCPI_OK);
    assert_string_equal(doc.version, "0.1.0");
    assert_int_equal(doc.seed, UINT64_MAX);
    assert_int_equal(doc.nrows, 2);
    for (size_t i = 0; i < 2; ++i) {
        const mcpi_record *want = &rows[i];
        const mcpi_record *got = NULL;
        for (size_t j = 0; j < doc.nrows; ++j) /* the report sorts rows: find by name */
            if (strcmp(doc.rows[j].name, want->name) == 0)
                got = &doc.rows[j];
        assert_non_null(got);
        assert_string_equal(got->backend, want->backend);
        assert_string_equal(got->device, want->device);
        assert_int_equal(got->seed, want->seed);
        assert_int_equal(got->begin, want->begin);
        assert_int_equal(got->end, want->end);
        assert_int_equal(got->samples, want->samples);
        assert_int_equal(got->hits, want->hits);
        assert_int_equal(got->status, want->status);
        assert_int_equal(got->repeats, want->repeats);
        for (unsigned k = 0; k < want->repeats; ++k) /* shortest exact decimals read back */
            assert_memory_equal(&got->repeat_s[k], &want->repeat_s[k], sizeof(double));
    }
    mcpi_report_doc_free(&doc);
    mcpi_report_doc_free(NULL);
    free(text);
}

/* Each broken document is refused with its reason. */
static void test_report_refusals(void **state)
{
    (void)state;
    const struct {
        const char *text, *why;
    } cases[] = {
        {"{", "not valid JSON"},
        {"[]", "not an mcpi JSON report"},
        {"{\"version\": \"0.1.0\", \"config\": {}, \"results\": []}", "not an mcpi JSON report"},
        {"{\"version\": \"0.1.0\", \"config\": {\"seed\": 1}, \"results\": [{}]}", "lacks"},
        {"{\"version\": \"0.1.0\", \"config\": {\"seed\": 1}, \"results\": [{\"name\": \"a\", "
         "\"backend\": \"a\", \"exact\": true, \"seed\": 1, \"range\": {\"begin\": 5, \"end\": 4}, "
         "\"samples\": 1, \"hits\": 0, \"status\": \"ok\"}]}",
         "inconsistent"},
        {"{\"version\": \"0.1.0\", \"config\": {\"seed\": 1}, \"results\": [{\"name\": \"a\", "
         "\"backend\": \"a\", \"exact\": true, \"seed\": 1, \"range\": {\"begin\": 0, \"end\": 4}, "
         "\"samples\": 4, \"hits\": 5, \"status\": \"ok\"}]}",
         "inconsistent"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        mcpi_report_doc doc;
        char why[MCPI_ERROR_LEN] = "";
        assert_int_equal(
            mcpi_report_read_json(cases[i].text, strlen(cases[i].text), &doc, why, sizeof why),
            MCPI_EINVAL);
        assert_non_null(strstr(why, cases[i].why));
        assert_null(doc.rows);
    }
}

/* Every field the reader promises, at the edges: the top of the stream,
 * an inexact row, several ranks and hosts, known memory, phases, a failed
 * row's own code and message, repeat times that need 17 digits. */
static void test_report_read_fields(void **state)
{
    (void)state;
    static mcpi_record rows[3];
    for (int i = 0; i < 3; ++i)
        mcpi_record_init(&rows[i]);
    mcpi_record *top = &rows[0], *naive = &rows[1], *failed = &rows[2];
    snprintf(top->name, sizeof top->name, "threads");
    snprintf(top->backend, sizeof top->backend, "threads");
    snprintf(top->device, sizeof top->device, "cpu \\ \"quoted\" \xc3\xa9");
    snprintf(top->hostname, sizeof top->hostname, "(3 ranks on several hosts)");
    top->ranks = 3;
    top->threads = 24;
    top->seed = 0x8000000000000001ull;
    top->begin = UINT64_MAX - 10;
    top->end = UINT64_MAX;
    top->samples = 10;
    top->hits = 10; /* hits == samples is consistent */
    top->repeats = 5;
    const double times[5] = {1.0 / 3.0, 1e-9, 12345.678901234567, 0.1, 2.0};
    memcpy(top->repeat_s, times, sizeof times);
    top->host_peak_bytes = 123456789;
    top->host_growth_bytes = 0;
    top->device_bytes = 4096;
    top->device_mem_bytes = 1ll << 40;
    mcpi_phases_add(&top->phases, MCPI_PHASE_INIT, 0.125);
    mcpi_phases_add(&top->phases, MCPI_PHASE_KERNEL, 0.75);
    mcpi_phases_add(&top->phases, MCPI_PHASE_COMM, 1e-6);

    snprintf(naive->name, sizeof naive->name, "naive");
    snprintf(naive->backend, sizeof naive->backend, "naive");
    naive->exact = 0;
    naive->seed = 0;
    naive->begin = 0;
    naive->end = 1;
    naive->samples = 1;
    naive->hits = 0;
    naive->repeats = 1;
    naive->repeat_s[0] = 0.5;

    snprintf(failed->name, sizeof failed->name, "opencl:0.0");
    snprintf(failed->backend, sizeof failed->backend, "opencl");
    failed->seed = 1;
    failed->begin = 0;
    failed->end = 1000;
    failed->samples = 1000;
    failed->hits = 0;
    failed->status = MCPI_EUNAVAIL;
    snprintf(failed->error, sizeof failed->error, "mcpi: no such device");

    mcpi_report rep;
    memset(&rep, 0, sizeof rep);
    rep.info.version = "0.1.0";
    rep.info.seed = 0x8000000000000001ull;
    rep.info.samples = 10;
    rep.info.repeat = 5;
    rep.info.ranks = 3;
    rep.info.peak_resettable = 1;
    rep.rows = rows;
    rep.nrows = 3;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(mcpi_report_write(f, MCPI_FORMAT_JSON, &rep), MCPI_OK);
    assert_int_equal(fclose(f), 0);

    mcpi_report_doc doc;
    char why[MCPI_ERROR_LEN] = "";
    int rc = mcpi_report_read_json(text, len, &doc, why, sizeof why);
    if (rc != MCPI_OK)
        print_error("%s\n%s\n", why, text);
    assert_int_equal(rc, MCPI_OK);
    assert_int_equal(doc.seed, 0x8000000000000001ull);
    assert_int_equal(doc.ranks, 3);
    assert_int_equal(doc.peak_resettable, 1);
    assert_int_equal(doc.nrows, 3);
    for (size_t i = 0; i < 3; ++i) {
        const mcpi_record *want = &rows[i], *got = NULL;
        for (size_t j = 0; j < doc.nrows; ++j)
            if (strcmp(doc.rows[j].name, want->name) == 0)
                got = &doc.rows[j];
        assert_non_null(got);
        assert_string_equal(got->backend, want->backend);
        assert_string_equal(got->device, want->device);
        assert_string_equal(got->hostname, want->hostname);
        assert_int_equal(got->exact, want->exact);
        assert_int_equal(got->ranks, want->ranks);
        assert_int_equal(got->threads, want->threads);
        assert_int_equal(got->seed, want->seed);
        assert_int_equal(got->begin, want->begin);
        assert_int_equal(got->end, want->end);
        assert_int_equal(got->samples, want->samples);
        assert_int_equal(got->hits, want->hits);
        assert_int_equal(got->status, want->status);
        assert_string_equal(got->error, want->error);
        assert_int_equal(got->repeats, want->repeats);
        for (unsigned k = 0; k < want->repeats; ++k)
            assert_memory_equal(&got->repeat_s[k], &want->repeat_s[k], sizeof(double));
        assert_int_equal(got->host_peak_bytes, want->host_peak_bytes);
        assert_int_equal(got->host_growth_bytes, want->host_growth_bytes);
        assert_int_equal(got->device_bytes, want->device_bytes);
        assert_int_equal(got->device_mem_bytes, want->device_mem_bytes);
        assert_int_equal(got->phases.mask, want->phases.mask);
        for (int p = 0; p < MCPI_PHASE_COUNT; ++p)
            if (want->phases.mask & (1u << p))
                assert_memory_equal(&got->phases.s[p], &want->phases.s[p], sizeof(double));
    }
    mcpi_report_doc_free(&doc);
    free(text);
}

/* More broken documents: wrong types, missing or inconsistent fields,
 * truncation and trailing text; each refused with its reason and nothing
 * left allocated. */
static void test_report_more_refusals(void **state)
{
    (void)state;
#define ROW(fields) "{\"version\": \"0.1.0\", \"config\": {\"seed\": 1}, \"results\": [" fields "]}"
#define GOOD_ROW(extra)                                                                            \
    "{\"name\": \"a\", \"backend\": \"a\", \"exact\": true, \"seed\": 1, \"range\": {\"begin\": "  \
    "0, \"end\": 4}, \"samples\": 4, \"hits\": 3, \"status\": \"ok\"" extra "}"
    const struct {
        const char *text, *why;
    } cases[] = {
        {"", "not valid JSON"},
        {"{\"version\": \"0.1.0\"} x", "not valid JSON"},
        {"{\"version\": 1, \"config\": {\"seed\": 1}, \"results\": []}", "not an mcpi JSON report"},
        {"{\"version\": \"0.1.0\", \"config\": {\"seed\": -1}, \"results\": []}",
         "not an mcpi JSON report"},
        {"{\"version\": \"0.1.0\", \"config\": {\"seed\": 1.5}, \"results\": []}",
         "not an mcpi JSON report"},
        {"{\"version\": \"0.1.0\", \"config\": {\"seed\": 1}, \"results\": {}}",
         "not an mcpi JSON report"},
        {"{\"version\": \"0.1.0\", \"config\": {\"seed\": 1}}", "not an mcpi JSON report"},
        {ROW("{\"name\": \"a\", \"backend\": \"a\", \"exact\": true, \"seed\": 1, \"range\": "
             "{\"begin\": 0, \"end\": 4}, \"samples\": 4, \"status\": \"ok\"}"),
         "lacks"}, /* no hits */
        {ROW("{\"name\": \"a\", \"backend\": \"a\", \"exact\": true, \"seed\": 1, \"range\": "
             "{\"begin\": 0, \"end\": 4}, \"samples\": 4, \"hits\": \"3\", \"status\": \"ok\"}"),
         "lacks"}, /* hits not a number */
        {ROW("{\"name\": \"a\", \"backend\": \"a\", \"exact\": 1, \"seed\": 1, \"range\": "
             "{\"begin\": 0, \"end\": 4}, \"samples\": 4, \"hits\": 3, \"status\": \"ok\"}"),
         "lacks"}, /* exact not a bool */
        {ROW("{\"name\": \"a\", \"backend\": \"a\", \"exact\": true, \"seed\": 1, \"range\": "
             "{\"begin\": 0, \"end\": 4}, \"samples\": 3, \"hits\": 3, \"status\": \"ok\"}"),
         "inconsistent"}, /* samples != end - begin */
        {ROW("{\"name\": \"a\", \"backend\": \"a\", \"exact\": true, \"seed\": 1, \"range\": "
             "{\"begin\": 4, \"end\": 4}, \"samples\": 0, \"hits\": 0, \"status\": \"ok\"}"),
         "inconsistent"}, /* empty range */
        {ROW(GOOD_ROW(", \"time_s\": {\"repeats\": [0.5, \"x\"]}")), "non-number"},
        {ROW(GOOD_ROW("") ", " GOOD_ROW("") ", {}"), "lacks"}, /* the third row is bad */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        mcpi_report_doc doc;
        char why[MCPI_ERROR_LEN] = "";
        int rc = mcpi_report_read_json(cases[i].text, strlen(cases[i].text), &doc, why, sizeof why);
        if (rc != MCPI_EINVAL || strstr(why, cases[i].why) == NULL)
            print_error("case %zu: rc %d, why '%s'\n", i, rc, why);
        assert_int_equal(rc, MCPI_EINVAL);
        assert_non_null(strstr(why, cases[i].why));
        assert_null(doc.rows);
        assert_int_equal(doc.nrows, 0);
    }
    /* The good row itself is read, null memory as unknown. */
    const char *good = ROW(GOOD_ROW(", \"memory\": {\"host_peak_bytes\": null}"));
    mcpi_report_doc doc;
    char why[MCPI_ERROR_LEN] = "";
    assert_int_equal(mcpi_report_read_json(good, strlen(good), &doc, why, sizeof why), MCPI_OK);
    assert_int_equal(doc.nrows, 1);
    assert_int_equal(doc.rows[0].hits, 3);
    assert_int_equal(doc.rows[0].host_peak_bytes, -1);
    assert_int_equal(doc.rows[0].repeats, 0);
    mcpi_report_doc_free(&doc);
    /* Every truncation of a real report is refused as not JSON. */
    static mcpi_record rows[2];
    size_t len = 0;
    char *text = report_text(rows, &len);
    for (size_t n = 0; n < len; n += 7) {
        why[0] = '\0';
        assert_int_equal(mcpi_report_read_json(text, n, &doc, why, sizeof why), MCPI_EINVAL);
        assert_non_null(strstr(why, "not valid JSON"));
        assert_null(doc.rows);
    }
    free(text);
#undef ROW
#undef GOOD_ROW
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_reader),          cmocka_unit_test(test_json_duplicate_keys),
        cmocka_unit_test(test_json_depth_limit),     cmocka_unit_test(test_json_truncated),
        cmocka_unit_test(test_json_unicode_escapes), cmocka_unit_test(test_json_numbers_not_u64),
        cmocka_unit_test(test_report_round_trip),    cmocka_unit_test(test_report_refusals),
        cmocka_unit_test(test_report_read_fields),   cmocka_unit_test(test_report_more_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

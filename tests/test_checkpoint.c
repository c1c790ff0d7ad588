/* test_checkpoint.c - the checkpoint file (encode/decode round trip, the
 * checksum, refusal of every corruption and truncation, atomic write and
 * read back, run matching), the signal flag, and the JSON reader used by
 * mcpi merge (exact 64-bit integers, escapes, malformed input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "checkpoint.h"
#include "hash.h"
#include "json_read.h"
#include "mcpi.h"

static mcpi_checkpoint sample(void)
{
    mcpi_checkpoint c;
    memset(&c, 0, sizeof c);
    snprintf(c.version, sizeof c.version, "%s", MCPI_VERSION_STRING);
    c.seed = 0xFFFFFFFFFFFFFFFFull;
    c.begin = 8589934092ull;
    c.end = 18446744073709551615ull;
    c.done = 4294967296ull + 3;
    c.hits = 3373259426ull;
    c.elapsed_s = 12.3456789;
    snprintf(c.backend, sizeof c.backend, "opencl:0.1");
    c.ranks = 3;
    return c;
}

static void test_fnv1a64_known_values(void **state)
{
    (void)state;
    /* Reference values of FNV-1a 64. */
    assert_true(mcpi_fnv1a(MCPI_FNV_OFFSET, "", 0) == 0xcbf29ce484222325ull);
    assert_true(mcpi_fnv1a(MCPI_FNV_OFFSET, "a", 1) == 0xaf63dc4c8601ec8cull);
    assert_true(mcpi_fnv1a(MCPI_FNV_OFFSET, "foobar", 6) == 0x85944171f73967e8ull);
}

static void test_round_trip(void **state)
{
    (void)state;
    mcpi_checkpoint c = sample(), d;
    char buf[MCPI_CHECKPOINT_MAX_BYTES], why[160];
    size_t len = 0;
    assert_int_equal(mcpi_checkpoint_encode(&c, buf, sizeof buf, &len), MCPI_OK);
    assert_int_equal(strlen(buf), len);
    assert_int_equal(mcpi_checkpoint_decode(buf, len, &d, why, sizeof why), MCPI_OK);
    assert_string_equal(d.version, c.version);
    assert_true(d.seed == c.seed && d.begin == c.begin && d.end == c.end);
    assert_true(d.done == c.done && d.hits == c.hits);
    assert_true(d.elapsed_s == c.elapsed_s); /* %.17g reads back exactly */
    assert_string_equal(d.backend, "opencl:0.1");
    assert_int_equal(d.ranks, 3);
    assert_non_null(strstr(buf, "samples 18446744065119617523\n"));
}

static void test_encode_refuses_inconsistent(void **state)
{
    (void)state;
    char buf[MCPI_CHECKPOINT_MAX_BYTES];
    size_t len;
    mcpi_checkpoint c = sample();
    c.hits = c.done + 1;
    assert_int_equal(mcpi_checkpoint_encode(&c, buf, sizeof buf, &len), MCPI_EINVAL);
    c = sample();
    c.done = c.end - c.begin + 1;
    assert_int_equal(mcpi_checkpoint_encode(&c, buf, sizeof buf, &len), MCPI_EINVAL);
    c = sample();
    assert_int_equal(mcpi_checkpoint_encode(&c, buf, 40, &len), MCPI_EINVAL);
}

static void test_every_truncation_is_refused(void **state)
{
    (void)state;
    mcpi_checkpoint c = sample(), d;
    char buf[MCPI_CHECKPOINT_MAX_BYTES], why[160];
    size_t len = 0;
    assert_int_equal(mcpi_checkpoint_encode(&c, buf, sizeof buf, &len), MCPI_OK);
    for (size_t n = 0; n < len; ++n) {
        why[0] = '\0';
        assert_int_equal(mcpi_checkpoint_decode(buf, n, &d, why, sizeof why), MCPI_EINVAL);
        assert_true(why[0] != '\0');
    }
}

static void test_every_byte_flip_is_refused(void **state)
{
    (void)state;
    mcpi_checkpoint c = sample(), d;
    char buf[MCPI_CHECKPOINT_MAX_BYTES], why[160];
    size_t len = 0;
    assert_int_equal(mcpi_checkpoint_encode(&c, buf, sizeof buf, &len), MCPI_OK);
    for (size_t i = 0; i < len; ++i) {
        for (unsigned bit = 0; bit < 8; ++bit) {
            buf[i] ^= (char)(1u << bit);
            assert_int_equal(mcpi_checkpoint_decode(buf, len, &d, why, sizeof why), MCPI_EINVAL);
            buf[i] ^= (char)(1u << bit);
        }
    }
    /* A changed number with a recomputed checksum is still checked for sense. */
    const char *bad = "mcpi-checkpoint 1\nversion 0.1.0\nseed 1\nsamples 10\nbegin 0\nend 10\n"
                      "done 5\nhits 6\nelapsed_s 0\nbackend serial\nranks 1\n";
    char text[512];
    int n = snprintf(text, sizeof text, "%sfnv1a64 %016llx\n", bad,
                     (unsigned long long)mcpi_fnv1a(MCPI_FNV_OFFSET, bad, strlen(bad)));
    assert_int_equal(mcpi_checkpoint_decode(text, (size_t)n, &d, why, sizeof why), MCPI_EINVAL);
    assert_non_null(strstr(why, "inconsistent"));
    /* The same with consistent numbers is accepted. */
    const char *good = "mcpi-checkpoint 1\nversion 0.1.0\nseed 1\nsamples 10\nbegin 0\nend 10\n"
                       "done 5\nhits 4\nelapsed_s 0\nbackend serial\nranks 1\n";
    n = snprintf(text, sizeof text, "%sfnv1a64 %016llx\n", good,
                 (unsigned long long)mcpi_fnv1a(MCPI_FNV_OFFSET, good, strlen(good)));
    assert_int_equal(mcpi_checkpoint_decode(text, (size_t)n, &d, why, sizeof why), MCPI_OK);
    assert_true(d.hits == 4 && d.done == 5);
}

static void test_garbage_is_refused(void **state)
{
    (void)state;
    mcpi_checkpoint d;
    char why[160];
    const char *cases[] = {"", "hello\n", "{\"version\": \"0.1.0\"}\n", "mcpi-checkpoint 1\n",
                           "mcpi-checkpoint 2\nfnv1a64 0000000000000000\n"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
        assert_int_equal(mcpi_checkpoint_decode(cases[i], strlen(cases[i]), &d, why, sizeof why),
                         MCPI_EINVAL);
}

static void test_write_read_and_match(void **state)
{
    (void)state;
    char dir[] = "/tmp/mcpi-ckpt-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], err[MCPI_ERROR_LEN];
    snprintf(path, sizeof path, "%s/run.ckpt", dir);
    mcpi_checkpoint c = sample(), d;
    assert_int_equal(mcpi_checkpoint_write(path, &c, err, sizeof err), MCPI_OK);
    c.done += 10; /* replaced, not appended */
    assert_int_equal(mcpi_checkpoint_write(path, &c, err, sizeof err), MCPI_OK);
    assert_int_equal(mcpi_checkpoint_read(path, &d, err, sizeof err), MCPI_OK);
    assert_true(d.done == c.done);
    assert_int_equal(mcpi_checkpoint_match(&d, path, c.seed, c.begin, c.end, err, sizeof err),
                     MCPI_OK);
    assert_int_equal(mcpi_checkpoint_match(&d, path, 1, c.begin, c.end, err, sizeof err),
                     MCPI_EINVAL);
    assert_non_null(strstr(err, "--resume"));
    assert_int_equal(mcpi_checkpoint_match(&d, path, c.seed, 0, c.end, err, sizeof err),
                     MCPI_EINVAL);
    /* A truncated file on disk. */
    FILE *f = fopen(path, "r+");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), 50), 0);
    fclose(f);
    assert_int_equal(mcpi_checkpoint_read(path, &d, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "truncated"));
    assert_non_null(strstr(err, path));
    unlink(path);
    assert_int_equal(mcpi_checkpoint_read(path, &d, err, sizeof err), MCPI_EINVAL);
    /* An unwritable place. */
    snprintf(path, sizeof path, "%s/missing-dir/run.ckpt", dir);
    assert_int_equal(mcpi_checkpoint_write(path, &c, err, sizeof err), MCPI_EIO);
    assert_non_null(strstr(err, "--checkpoint"));
    rmdir(dir);
}

static void test_signal_flag(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    assert_int_equal(mcpi_stop_install(err, sizeof err), MCPI_OK);
    assert_int_equal(mcpi_stop_pending(), 0);
    raise(SIGUSR1);
    assert_int_equal(mcpi_stop_pending(), SIGUSR1);
    /* A second install (the runner's, after main's) keeps the request. */
    assert_int_equal(mcpi_stop_install(err, sizeof err), MCPI_OK);
    assert_int_equal(mcpi_stop_pending(), SIGUSR1);
    mcpi_stop_restore();
    assert_int_equal(mcpi_stop_pending(), 0);
    assert_int_equal(mcpi_stop_second_exit_code(SIGINT), 130);
}

static volatile sig_atomic_t earlier_handler_calls;

static void earlier_handler(int signo)
{
    (void)signo;
    ++earlier_handler_calls;
}

/* Release hands a request that came while mcpi's handlers were installed to
 * the disposition in place before them: here a test handler, for the
 * executable the default action. */
static void test_signal_release_reraises(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = earlier_handler;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    earlier_handler_calls = 0;
    assert_int_equal(mcpi_stop_install(err, sizeof err), MCPI_OK);
    mcpi_stop_release(); /* nothing pending: nothing raised */
    assert_int_equal(earlier_handler_calls, 0);
    assert_int_equal(mcpi_stop_install(err, sizeof err), MCPI_OK);
    raise(SIGUSR1);
    assert_int_equal(earlier_handler_calls, 0); /* caught by mcpi, recorded */
    mcpi_stop_release();
    assert_int_equal(earlier_handler_calls, 1);
    assert_int_equal(mcpi_stop_pending(), 0);
    assert_int_equal(sigaction(SIGUSR1, &old, NULL), 0);
}

static void test_json_reader(void **state)
{
    (void)state;
    const char *text = "{\"a\": 18446744073709551615, \"b\": [1, 2.5, -3e2, null, true, false],"
                       " \"s\": \"x\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\", \"o\": {}}";
    mcpi_json *v = NULL;
    char why[128];
    assert_int_equal(mcpi_json_parse(text, strlen(text), &v, why, sizeof why), MCPI_OK);
    uint64_t x = 0;
    assert_int_equal(mcpi_json_u64(mcpi_json_get(v, "a"), &x), 0);
    assert_true(x == UINT64_MAX);
    const mcpi_json *b = mcpi_json_get(v, "b");
    assert_int_equal(b->n, 6);
    assert_int_equal(mcpi_json_u64(&b->items[1], &x), -1); /* 2.5 is not an integer */
    double d;
    assert_int_equal(mcpi_json_double(&b->items[2], &d), 0);
    assert_true(d == -300.0);
    assert_int_equal(mcpi_json_double(&b->items[3], &d), 0);
    assert_true(d != d); /* null is NaN */
    assert_string_equal(mcpi_json_get(v, "s")->text, "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
    assert_null(mcpi_json_get(v, "missing"));
    mcpi_json_free(v);

    const char *bad[] = {"", "{", "{\"a\" 1}", "[1,]", "{\"a\": 01}", "\"\\x\"", "[1] 2",
                         "{\"a\": 18446744073709551616}", "\"\\ud800\"", "nul", "[\"a\nb\"]"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        v = NULL;
        int rc = mcpi_json_parse(bad[i], strlen(bad[i]), &v, why, sizeof why);
        if (i == 7) { /* valid JSON, but not a u64 */
            assert_int_equal(rc, MCPI_OK);
            assert_int_equal(mcpi_json_u64(mcpi_json_get(v, "a"), &x), -1);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fnv1a64_known_values),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_encode_refuses_inconsistent),
        cmocka_unit_test(test_every_truncation_is_refused),
        cmocka_unit_test(test_every_byte_flip_is_refused),
        cmocka_unit_test(test_garbage_is_refused),
        cmocka_unit_test(test_write_read_and_match),
        cmocka_unit_test(test_signal_flag),
        cmocka_unit_test(test_signal_release_reraises),
        cmocka_unit_test(test_json_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_checkpoint.c - the checkpoint file: the encode/decode round trip of
 * interval sets, the checksum, refusal of every corruption and truncation
 * and of inconsistent intervals, format 1 (a prefix) read as one interval,
 * atomic write and read back, run matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "checkpoint.h"
#include "mcpi.h"

/* A checkpoint of three intervals near the top of the stream. */
static void sample(mcpi_checkpoint *c)
{
    mcpi_checkpoint_init(c);
    snprintf(c->version, sizeof c->version, "%s", MCPI_VERSION_STRING);
    c->seed = 0xFFFFFFFFFFFFFFFFull;
    c->begin = 8589934092ull;
    c->end = 18446744073709551615ull;
    assert_int_equal(
        mcpi_intervals_add(&c->done, c->begin, c->begin + 4294967299ull, 3373259426ull), MCPI_OK);
    assert_int_equal(
        mcpi_intervals_add(&c->done, 18446744073709000000ull, 18446744073709551615ull, 432700ull),
        MCPI_OK);
    assert_int_equal(mcpi_intervals_add(&c->done, 1ull << 40, (1ull << 40) + 7, 5), MCPI_OK);
    c->elapsed_s = 12.3456789;
    snprintf(c->row, sizeof c->row, "threads+opencl:0.1");
    c->ranks = 3;
}

/* Encodes c into a malloc'd text. */
static char *encode(const mcpi_checkpoint *c, size_t *len)
{
    char *text = NULL;
    assert_int_equal(mcpi_checkpoint_encode(c, &text, len), MCPI_OK);
    assert_non_null(text);
    return text;
}

/* FNV-1a 64 written out here, independently of the engine's (host/io,
 * tested in test_files.c): the checksum line is this hash of the body. */
static uint64_t fnv1a64(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; ++i) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* The text's body (all but the checksum) with a fresh checksum line. */
static char *sign(const char *body, size_t *len)
{
    size_t n = strlen(body);
    char *text = malloc(n + 32);
    assert_non_null(text);
    *len = (size_t)sprintf(text, "%sfnv1a64 %016llx\n", body, (unsigned long long)fnv1a64(body, n));
    return text;
}

static void test_round_trip(void **state)
{
    (void)state;
    mcpi_checkpoint c, d;
    sample(&c);
    size_t len = 0;
    char *text = encode(&c, &len);
    char why[160];
    assert_int_equal(mcpi_checkpoint_decode(text, len, &d, why, sizeof why), MCPI_OK);
    assert_int_equal(d.seed, c.seed);
    assert_int_equal(d.begin, c.begin);
    assert_int_equal(d.end, c.end);
    assert_int_equal(d.done.n, 3);
    for (size_t i = 0; i < 3; ++i) {
        assert_int_equal(d.done.v[i].begin, c.done.v[i].begin);
        assert_int_equal(d.done.v[i].end, c.done.v[i].end);
        assert_int_equal(d.done.v[i].hits, c.done.v[i].hits);
    }
    assert_memory_equal(&d.elapsed_s, &c.elapsed_s, sizeof(double)); /* %.17g reads back */
    assert_string_equal(d.row, "threads+opencl:0.1");
    assert_int_equal(d.ranks, 3);
    assert_non_null(strstr(text, "mcpi-checkpoint 2\n"));
    assert_non_null(strstr(text, "intervals 3\n"));
    mcpi_checkpoint_free(&d);
    mcpi_checkpoint_free(&c);
    free(text);
}

static void test_encode_refuses_inconsistent(void **state)
{
    (void)state;
    mcpi_checkpoint c;
    char *text = NULL;
    size_t len = 0;
    sample(&c);
    c.end = c.begin; /* an empty run */
    assert_int_equal(mcpi_checkpoint_encode(&c, &text, &len), MCPI_EINVAL);
    assert_null(text);
    mcpi_checkpoint_free(&c);
    sample(&c);
    c.done.v[0].hits = c.done.v[0].end - c.done.v[0].begin + 1; /* more hits than samples */
    assert_int_equal(mcpi_checkpoint_encode(&c, &text, &len), MCPI_EINVAL);
    mcpi_checkpoint_free(&c);
    sample(&c);
    c.begin = c.done.v[0].begin + 1; /* an interval outside [begin, end) */
    assert_int_equal(mcpi_checkpoint_encode(&c, &text, &len), MCPI_EINVAL);
    mcpi_checkpoint_free(&c);
}

static void test_every_truncation_is_refused(void **state)
{
    (void)state;
    mcpi_checkpoint c, d;
    sample(&c);
    size_t len = 0;
    char *text = encode(&c, &len);
    char why[160];
    for (size_t cut = 0; cut < len; ++cut)
        assert_int_equal(mcpi_checkpoint_decode(text, cut, &d, why, sizeof why), MCPI_EINVAL);
    free(text);
    mcpi_checkpoint_free(&c);
}

static void test_every_byte_flip_is_refused(void **state)
{
    (void)state;
    mcpi_checkpoint c, d;
    sample(&c);
    size_t len = 0;
    char *text = encode(&c, &len);
    char why[160];
    for (size_t i = 0; i < len; ++i)
        for (unsigned bit = 0; bit < 8; ++bit) {
            text[i] ^= (char)(1u << bit);
            assert_int_equal(mcpi_checkpoint_decode(text, len, &d, why, sizeof why), MCPI_EINVAL);
            text[i] ^= (char)(1u << bit);
        }
    free(text);
    mcpi_checkpoint_free(&c);
}

/* Numbers changed with a recomputed checksum are still checked for sense. */
static void test_inconsistent_numbers_are_refused(void **state)
{
    (void)state;
    static const char head[] = "mcpi-checkpoint 2\nversion 0.1.0\nseed 1\nsamples 10\nbegin 0\n"
                               "end 10\n";
    const struct {
        const char *rest, *why;
    } cases[] = {
        {"done 5\nhits 6\nelapsed_s 0\nrow serial\nranks 1\nintervals 1\ninterval 0 5 6\n",
         "inconsistent"},
        {"done 5\nhits 4\nelapsed_s 0\nrow serial\nranks 1\nintervals 1\ninterval 0 5 3\n",
         "differ"},
        {"done 6\nhits 4\nelapsed_s 0\nrow serial\nranks 1\nintervals 2\ninterval 0 3 2\n"
         "interval 2 5 2\n",
         "overlapping"},
        {"done 4\nhits 4\nelapsed_s 0\nrow serial\nranks 1\nintervals 2\ninterval 6 8 2\n"
         "interval 2 4 2\n",
         "order"},
        {"done 4\nhits 2\nelapsed_s 0\nrow serial\nranks 1\nintervals 1\ninterval 8 12 2\n",
         "outside"},
        {"done 5\nhits 4\nelapsed_s 0\nrow serial\nranks 1\nintervals 2\ninterval 0 5 4\n",
         "interval"},
        {"done 5\nhits 4\nelapsed_s 0\nrow serial\nranks 1\nintervals 1\ninterval 0 5 4 9\n",
         "interval"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char body[512];
        snprintf(body, sizeof body, "%s%s", head, cases[i].rest);
        size_t len = 0;
        char *text = sign(body, &len);
        mcpi_checkpoint d;
        char why[160] = "";
        assert_int_equal(mcpi_checkpoint_decode(text, len, &d, why, sizeof why), MCPI_EINVAL);
        if (strstr(why, cases[i].why) == NULL)
            fail_msg("case %zu: '%s' does not say '%s'", i, why, cases[i].why);
        free(text);
    }
    /* The same with consistent numbers is accepted, adjacent intervals merged. */
    char body[512];
    snprintf(body, sizeof body,
             "%sdone 7\nhits 5\nelapsed_s 0\nrow serial\nranks 1\n"
             "intervals 2\ninterval 0 3 2\ninterval 3 7 3\n",
             head);
    size_t len = 0;
    char *text = sign(body, &len);
    mcpi_checkpoint d;
    char why[160];
    assert_int_equal(mcpi_checkpoint_decode(text, len, &d, why, sizeof why), MCPI_OK);
    assert_int_equal(d.done.n, 1);
    assert_int_equal(mcpi_intervals_hits(&d.done), 5);
    mcpi_checkpoint_free(&d);
    free(text);
}

/* A checkpoint of mcpi before the scheduler: a prefix of done samples. */
static void test_format_1_is_one_interval(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = sign("mcpi-checkpoint 1\nversion 0.1.0\nseed 7\nsamples 1000\nbegin 100\n"
                      "end 1100\ndone 400\nhits 313\nelapsed_s 2.5\nbackend serial\nranks 2\n",
                      &len);
    mcpi_checkpoint d;
    char why[160];
    assert_int_equal(mcpi_checkpoint_decode(text, len, &d, why, sizeof why), MCPI_OK);
    assert_int_equal(d.done.n, 1);
    assert_int_equal(d.done.v[0].begin, 100);
    assert_int_equal(d.done.v[0].end, 500);
    assert_int_equal(d.done.v[0].hits, 313);
    assert_string_equal(d.row, "serial");
    mcpi_checkpoint_free(&d);
    free(text);
    text = sign("mcpi-checkpoint 3\nversion 9.0.0\n", &len);
    assert_int_equal(mcpi_checkpoint_decode(text, len, &d, why, sizeof why), MCPI_EINVAL);
    assert_non_null(strstr(why, "unknown checkpoint format"));
    free(text);
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
    mcpi_checkpoint c, d;
    sample(&c);
    assert_int_equal(mcpi_checkpoint_write(path, &c, err, sizeof err), MCPI_OK);
    c.done.v[1].end += 10; /* replaced, not appended */
    assert_int_equal(mcpi_checkpoint_write(path, &c, err, sizeof err), MCPI_OK);
    assert_int_equal(mcpi_checkpoint_read(path, &d, err, sizeof err), MCPI_OK);
    assert_int_equal(mcpi_intervals_samples(&d.done), mcpi_intervals_samples(&c.done));
    assert_int_equal(mcpi_checkpoint_match(&d, path, c.seed, c.begin, c.end, err, sizeof err),
                     MCPI_OK);
    assert_int_equal(mcpi_checkpoint_match(&d, path, 1, c.begin, c.end, err, sizeof err),
                     MCPI_EINVAL);
    assert_non_null(strstr(err, "--resume"));
    assert_int_equal(mcpi_checkpoint_match(&d, path, c.seed, 0, c.end, err, sizeof err),
                     MCPI_EINVAL);
    mcpi_checkpoint_free(&d);
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
    /* A directory where the file should be is refused without reading it. */
    assert_int_equal(mcpi_checkpoint_read(dir, &d, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "not a regular file"));
    /* An unwritable place. */
    snprintf(path, sizeof path, "%s/missing-dir/run.ckpt", dir);
    assert_int_equal(mcpi_checkpoint_write(path, &c, err, sizeof err), MCPI_EIO);
    assert_non_null(strstr(err, "--checkpoint"));
    mcpi_checkpoint_free(&c);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_encode_refuses_inconsistent),
        cmocka_unit_test(test_every_truncation_is_refused),
        cmocka_unit_test(test_every_byte_flip_is_refused),
        cmocka_unit_test(test_inconsistent_numbers_are_refused),
        cmocka_unit_test(test_format_1_is_one_interval),
        cmocka_unit_test(test_garbage_is_refused),
        cmocka_unit_test(test_write_read_and_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

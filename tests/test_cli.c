/* test_cli.c - the command line module (host/cli): number parsing
 * (mcpi_parse_count, mcpi_parse_u64) and the argument parser
 * (mcpi_cli_parse, mcpi_cli_command_find): every option lands in its
 * field, every command is recognised, and every refusal is MCPI_EINVAL with
 * the one line naming the flag and the accepted form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

static void test_parse_count_forms(void **state)
{
    (void)state;
    const struct {
        const char *s;
        uint64_t v;
    } ok[] = {
        {"1", 1},
        {"1000000", 1000000},
        {"1e6", 1000000},
        {"1E6", 1000000},
        {"1e+6", 1000000},
        {"2.5e9", 2500000000ull},
        {"1.25e2", 125},
        {"2^20", 1048576},
        {"10^9", 1000000000},
        {"2^63", 9223372036854775808ull},
        {"18446744073709551615", 18446744073709551615ull},
        {"1.8446744073709551615e19", 18446744073709551615ull},
        {"1e19", 10000000000000000000ull},
        {"0.5e1", 5},
        {"007", 7},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i) {
        uint64_t v = 0;
        assert_int_equal(mcpi_parse_count(ok[i].s, &v), MCPI_OK);
        assert_int_equal(v, ok[i].v);
    }
    const char *bad[] = {
        "",    "0",    "-1",    "+5",     "1.5",   "1e",  "e6", "2^64", "2^",
        "^3",  "1e20", "1.5e0", "abc",    "1 ",    " 1",  "1k", "0x10", "18446744073709551616",
        "0e5", "1e-3", "2^2^2", "1..2e3", "3.e2x", "nan", "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        uint64_t v = 42;
        assert_int_equal(mcpi_parse_count(bad[i], &v), MCPI_EINVAL);
        assert_int_equal(v, 42); /* untouched on failure */
    }
}

static void test_parse_u64(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(mcpi_parse_u64("0", &v), MCPI_OK);
    assert_int_equal(v, 0);
    assert_int_equal(mcpi_parse_u64("0xFFFFFFFFFFFFFFFF", &v), MCPI_OK);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(mcpi_parse_u64("0xdeadBEEF", &v), MCPI_OK);
    assert_int_equal(v, 0xdeadbeefull);
    assert_int_equal(mcpi_parse_u64("18446744073709551615", &v), MCPI_OK);
    assert_int_equal(v, UINT64_MAX);
    const char *bad[] = {"",    "0x", "0x1FFFFFFFFFFFFFFFF", "18446744073709551616", "-1", "1e3",
                         "0xg", "12a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i)
        assert_int_equal(mcpi_parse_u64(bad[i], &v), MCPI_EINVAL);
}

/* ---- the argument parser ----------------------------------------------------- */

#define MAX_ARGS 32

/* mcpi_cli_parse of "mcpi" followed by the NULL-terminated words. */
static int parse_words(mcpi_cli *c, char *err, size_t errlen, const char *const *words)
{
    static char *argv[MAX_ARGS + 1];
    int argc = 0;
    argv[argc++] = (char *)"mcpi";
    for (; *words != NULL; ++words) {
        assert_true(argc < MAX_ARGS);
        argv[argc++] = (char *)*words;
    }
    argv[argc] = NULL;
    err[0] = '\0';
    return mcpi_cli_parse(c, argc, argv, err, errlen);
}

#define PARSE(c, err, ...)                                                                         \
    parse_words((c), (err), sizeof(err), (const char *const[]){__VA_ARGS__, NULL})

static mcpi_cli cli; /* large (the merge file list): not on the stack */

static void test_parse_defaults(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    static char *argv[] = {(char *)"mcpi", NULL};
    memset(&cli, 0x5a, sizeof cli); /* the parser starts from defaults, not from c */
    assert_int_equal(mcpi_cli_parse(&cli, 1, argv, err, sizeof err), MCPI_OK);
    assert_int_equal(cli.cmd, CMD_RUN);
    assert_int_equal(cli.cfg.samples, MCPI_DEFAULT_SAMPLES);
    assert_int_equal(cli.cfg.seed, 0);
    assert_int_equal(cli.cfg.repeat, MCPI_DEFAULT_REPEAT);
    assert_int_equal(cli.cfg.warmup, 1);
    assert_int_equal(cli.cfg.threads, 0);
    assert_int_equal(cli.cfg.format, MCPI_FORMAT_TABLE);
    assert_int_equal(cli.format_set, 0);
    assert_string_equal(cli.cfg.backends, "");
    assert_null(cli.cfg.output);
    assert_int_equal(cli.cfg.has_range, 0);
    assert_int_equal(cli.sweep_from, 1000);
    assert_int_equal(cli.sweep_to, 100000000);
    assert_int_equal(cli.steps_per_decade, 1);
    assert_string_equal(cli.reference, "");
    assert_int_equal(cli.nfiles, 0);
    assert_int_equal(cli.has_cover, 0);
    assert_int_equal(cli.help, 0);
    assert_int_equal(cli.version, 0);
}

/* Each option, short and long, attached and separate, in its field. */
static void test_parse_run_options(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    assert_int_equal(PARSE(&cli, err, "-n", "1e6", "-s", "0xff", "-b", "threads,serial", "-t", "4",
                           "-r", "5", "-w", "0", "-f", "json", "-o", "out.json", "-q"),
                     MCPI_OK);
    assert_int_equal(cli.cfg.samples, 1000000);
    assert_int_equal(cli.cfg.seed, 255);
    assert_string_equal(cli.cfg.backends, "threads,serial");
    assert_int_equal(cli.cfg.threads, 4);
    assert_int_equal(cli.cfg.repeat, 5);
    assert_int_equal(cli.cfg.warmup, 0);
    assert_int_equal(cli.cfg.format, MCPI_FORMAT_JSON);
    assert_int_equal(cli.format_set, 1);
    assert_string_equal(cli.cfg.output, "out.json");
    assert_int_equal(cli.cfg.quiet, 1);
    assert_int_equal(cli.cmd, CMD_RUN);

    assert_int_equal(PARSE(&cli, err, "--samples=2^20", "--seed=18446744073709551615",
                           "--backend=serial", "--threads=1024", "--repeat=1000", "--warmup=1000",
                           "--format=markdown", "--output=r.md", "--quiet"),
                     MCPI_OK);
    assert_int_equal(cli.cfg.samples, 1048576);
    assert_int_equal(cli.cfg.seed, UINT64_MAX);
    assert_string_equal(cli.cfg.backends, "serial");
    assert_int_equal(cli.cfg.threads, 1024);
    assert_int_equal(cli.cfg.repeat, 1000);
    assert_int_equal(cli.cfg.warmup, 1000);
    assert_int_equal(cli.cfg.format, MCPI_FORMAT_MARKDOWN);
    assert_string_equal(cli.cfg.output, "r.md");
    assert_int_equal(cli.cfg.quiet, 1);

    /* Short options with the value attached. */
    assert_int_equal(PARSE(&cli, err, "-n1000", "-t1", "-r2", "-fcsv", "-s7"), MCPI_OK);
    assert_int_equal(cli.cfg.samples, 1000);
    assert_int_equal(cli.cfg.threads, 1);
    assert_int_equal(cli.cfg.repeat, 2);
    assert_int_equal(cli.cfg.format, MCPI_FORMAT_CSV);
    assert_int_equal(cli.cfg.seed, 7);

    /* The last of a repeated option wins. */
    assert_int_equal(PARSE(&cli, err, "-n", "10", "-n", "20"), MCPI_OK);
    assert_int_equal(cli.cfg.samples, 20);
}

static void test_parse_device_options(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    assert_int_equal(PARSE(&cli, err, "--per-rank", "--work-group", "64", "--per-item",
                           "4294967296", "--launch-samples", "2^20", "--no-cache", "--isa", "sse2",
                           "--build-options", "-cl-fast-relaxed-math", "--progress"),
                     MCPI_OK);
    assert_int_equal(cli.cfg.per_rank, 1);
    assert_int_equal(cli.cfg.work_group, 64);
    assert_int_equal(cli.cfg.per_item, 4294967296ull);
    assert_int_equal(cli.cfg.launch_samples, 1048576);
    assert_int_equal(cli.cfg.no_cache, 1);
    assert_string_equal(cli.cfg.isa, "sse2");
    /* a value that starts with '-' is still the value */
    assert_string_equal(cli.cfg.build_options, "-cl-fast-relaxed-math");
    assert_int_equal(cli.cfg.progress, 1);
    assert_int_equal(cli.cfg.quiet, 0);
    assert_int_equal(PARSE(&cli, err, "--isa=portable", "--work-group=1048576", "--per-item=1"),
                     MCPI_OK);
    assert_string_equal(cli.cfg.isa, "portable");
    assert_int_equal(cli.cfg.work_group, 1048576);
    assert_int_equal(cli.cfg.per_item, 1);
}

static void test_parse_range_and_checkpoint(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    assert_int_equal(PARSE(&cli, err, "--range", "5:10", "--checkpoint", "run.ckpt", "--resume",
                           "old.ckpt", "--checkpoint-interval", "60", "--calibration", "cal.json"),
                     MCPI_OK);
    assert_int_equal(cli.cfg.has_range, 1);
    assert_int_equal(cli.cfg.range_begin, 5);
    assert_int_equal(cli.cfg.range_end, 10);
    assert_int_equal(cli.cfg.samples, 5); /* N is the range's length */
    assert_string_equal(cli.cfg.checkpoint, "run.ckpt");
    assert_string_equal(cli.cfg.resume, "old.ckpt");
    assert_true(cli.cfg.checkpoint_interval_s == 60.0);
    assert_string_equal(cli.cfg.calibration, "cal.json");
    /* -n with a range must say the range's length, wherever it comes. */
    assert_int_equal(PARSE(&cli, err, "--range=0x10:0x20", "-n", "16"), MCPI_OK);
    assert_int_equal(cli.cfg.range_begin, 16);
    assert_int_equal(cli.cfg.range_end, 32);
    assert_int_equal(cli.cfg.samples, 16);
    assert_int_equal(PARSE(&cli, err, "-n", "1e6", "--range=0x10:0x20"), MCPI_EINVAL);
    assert_non_null(strstr(err, "-n/--samples and --range"));
    /* The top of the stream. */
    assert_int_equal(PARSE(&cli, err, "--range", "18446744073709551614:18446744073709551615"),
                     MCPI_OK);
    assert_int_equal(cli.cfg.samples, 1);
    assert_int_equal(cli.cfg.range_end, UINT64_MAX);
}

static void test_parse_commands(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    const char *names[] = {"run", "devices", "sweep", "calibrate", "merge"};
    const mcpi_command cmds[] = {CMD_RUN, CMD_DEVICES, CMD_SWEEP, CMD_CALIBRATE, CMD_MERGE};
    for (size_t i = 0; i < 5; ++i)
        assert_int_equal(mcpi_cli_command_find(names[i]), (int)cmds[i]);
    assert_int_equal(mcpi_cli_command_find("Run"), -1);
    assert_int_equal(mcpi_cli_command_find(""), -1);
    assert_int_equal(mcpi_cli_command_find("runs"), -1);

    assert_int_equal(PARSE(&cli, err, "run", "-n", "10"), MCPI_OK);
    assert_int_equal(cli.cmd, CMD_RUN);
    assert_int_equal(PARSE(&cli, err, "-f", "json", "devices"), MCPI_OK); /* options first */
    assert_int_equal(cli.cmd, CMD_DEVICES);
    assert_int_equal(cli.cfg.format, MCPI_FORMAT_JSON);
    assert_int_equal(PARSE(&cli, err, "calibrate"), MCPI_OK);
    assert_int_equal(cli.cmd, CMD_CALIBRATE);
    assert_int_equal(PARSE(&cli, err, "sweep", "--from", "1e3", "--to", "2^20",
                           "--steps-per-decade", "4", "--reference", "threads"),
                     MCPI_OK);
    assert_int_equal(cli.cmd, CMD_SWEEP);
    assert_int_equal(cli.sweep_from, 1000);
    assert_int_equal(cli.sweep_to, 1048576);
    assert_int_equal(cli.steps_per_decade, 4);
    assert_string_equal(cli.reference, "threads");
    assert_int_equal(PARSE(&cli, err, "sweep", "--from=1e4", "--to=1e4"),
                     MCPI_OK); /* equal is fine */
    assert_int_equal(cli.sweep_from, 10000);
    assert_int_equal(cli.sweep_to, 10000);
    assert_int_equal(PARSE(&cli, err, "merge", "a.json", "--cover", "1e6", "b.json"), MCPI_OK);
    assert_int_equal(cli.cmd, CMD_MERGE);
    assert_int_equal(cli.nfiles, 2);
    assert_string_equal(cli.files[0], "a.json");
    assert_string_equal(cli.files[1], "b.json");
    assert_int_equal(cli.has_cover, 1);
    assert_int_equal(cli.cover, 1000000);
    assert_int_equal(PARSE(&cli, err, "--help"), MCPI_OK);
    assert_int_equal(cli.help, 1);
    assert_int_equal(PARSE(&cli, err, "-V"), MCPI_OK);
    assert_int_equal(cli.version, 1);
}

/* Every refusal: MCPI_EINVAL and the line that says what and how. */
static void test_parse_errors(void **state)
{
    (void)state;
    const struct {
        const char *args[6];
        const char *want;
    } cases[] = {
        {{"--bogus"}, "unknown option '--bogus'; see mcpi --help"},
        {{"--bogus=3"}, "unknown option '--bogus'; see mcpi --help"},
        {{"--sample", "10"}, "unknown option '--sample'"}, /* no abbreviations */
        {{"-x"}, "unknown option '-x'; see mcpi --help"},
        {{"-qfoo"}, "-q/--quiet: takes no value"},
        {{"--quiet=1"}, "-q/--quiet: takes no value"},
        {{"--per-rank=yes"}, "--per-rank: takes no value"},
        {{"--no-cache=0"}, "--no-cache: takes no value"},
        {{"-n"}, "-n/--samples: missing value; expected an integer from 1 to 2^64-1"},
        {{"run", "--checkpoint"}, "--checkpoint: missing value; expected a writable file path"},
        {{"--isa"}, "--isa: missing value; expected one of avx512, avx2, sse2, portable"},
        {{"-t", "0"}, "-t/--threads: invalid value '0'; expected an integer from 1 to 1024"},
        {{"-t", "1025"}, "-t/--threads: invalid value '1025'; expected an integer from 1 to 1024"},
        {{"-t", "-1"}, "-t/--threads: invalid value '-1'"},
        {{"-r", "0"}, "-r/--repeat: invalid value '0'; expected an integer from 1 to 1000"},
        {{"-w", "1001"}, "-w/--warmup: invalid value '1001'; expected an integer from 0 to 1000"},
        {{"-n", "0"},
         "-n/--samples: invalid value '0'; expected an integer from 1 to 2^64-1 (1000000, 1e6, "
         "2^20)"},
        {{"--samples="}, "-n/--samples: invalid value ''"},
        {{"-s", "-1"}, "-s/--seed: invalid value '-1'; expected a 64-bit unsigned integer"},
        {{"-f", "xml"},
         "-f/--format: invalid value 'xml'; expected one of table, csv, json, markdown"},
        {{"-o", ""}, "-o/--output: invalid value ''; expected a writable file path"},
        {{"-b", "cuda"}, "--backend"},
        {{"-b", ""}, "-b/--backend: invalid value ''"},
        {{"--isa", "garbage"},
         "--isa: invalid value 'garbage'; expected one of avx512, avx2, sse2, portable"},
        {{"--work-group", "0"}, "--work-group: invalid value '0'"},
        {{"--per-item", "4294967297"},
         "--per-item: invalid value '4294967297'; expected an "
         "integer from 1 to 2^32"},
        {{"--launch-samples", "0"}, "--launch-samples: invalid value '0'"},
        {{"--range", "10:5"}, "--range: invalid value '10:5'; expected BEGIN:END"},
        {{"--range", "5:5"}, "--range: invalid value '5:5'"},
        {{"--range", "5"}, "--range: invalid value '5'"},
        {{"--range", ":5"}, "--range: invalid value ':5'"},
        {{"--range", "0:18446744073709551616"}, "--range: invalid value"},
        {{"--checkpoint-interval", "0"},
         "--checkpoint-interval: invalid value '0'; expected seconds, an integer from 1 to 86400"},
        {{"--checkpoint-interval", "86401"}, "--checkpoint-interval: invalid value '86401'"},
        {{"--steps-per-decade", "101"}, "--steps-per-decade: invalid value '101'"},
        {{"--from", "0"}, "--from: invalid value '0'"},
        {{"--reference", "all"}, "--reference: invalid value 'all'"},
        {{"--reference", "serial,threads"}, "--reference: invalid value 'serial,threads'"},
        {{"--cover", "0"}, "--cover: invalid value '0'"},
        {{"frobnicate"},
         "unknown command 'frobnicate'; accepted: run, devices, sweep, calibrate, merge"},
        {{"run", "extra"}, "unexpected argument 'extra'; see mcpi --help"},
        {{"sweep", "run"}, "unexpected argument 'run'"},
        {{"merge"}, "merge: expected one or more JSON result files"},
        {{"merge", "-q"}, "merge: expected one or more JSON result files"},
        {{"sweep", "--from", "1e5", "--to", "1e3"}, "--to: must not be below --from"},
        {{"--to", "999"}, "--to: must not be below --from"}, /* the default --from is 1000 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char err[MCPI_ERROR_LEN];
        static char *argv[8];
        int argc = 0;
        argv[argc++] = (char *)"mcpi";
        for (size_t k = 0; k < 6 && cases[i].args[k] != NULL; ++k)
            argv[argc++] = (char *)cases[i].args[k];
        argv[argc] = NULL;
        err[0] = '\0';
        int rc = mcpi_cli_parse(&cli, argc, argv, err, sizeof err);
        if (rc != MCPI_EINVAL || strstr(err, cases[i].want) == NULL)
            print_error("case %zu (%s ...): rc %d, err '%s', want '%s'\n", i, cases[i].args[0], rc,
                        err, cases[i].want);
        assert_int_equal(rc, MCPI_EINVAL);
        assert_non_null(strstr(err, cases[i].want));
        assert_int_equal(strncmp(err, "mcpi: ", 6), 0);
        assert_null(strchr(err, '\n')); /* one line */
    }
}

/* The scheduler's options: --verify MODE and --balance. */
static void test_parse_scheduler_options(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    assert_int_equal(PARSE(&cli, err, "-n", "10"), MCPI_OK);
    assert_int_equal(cli.cfg.verify, MCPI_VERIFY_SAMPLE); /* the default */
    assert_int_equal(cli.cfg.balance, 0);
    const struct {
        const char *name;
        mcpi_verify_mode mode;
    } modes[] = {
        {"off", MCPI_VERIFY_OFF}, {"full", MCPI_VERIFY_FULL}, {"sample", MCPI_VERIFY_SAMPLE}};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; ++i) {
        assert_int_equal(PARSE(&cli, err, "--verify", modes[i].name, "--balance"), MCPI_OK);
        assert_int_equal(cli.cfg.verify, modes[i].mode);
        assert_string_equal(mcpi_verify_name(modes[i].mode), modes[i].name);
        assert_int_equal(cli.cfg.balance, 1);
    }
    assert_int_equal(PARSE(&cli, err, "--verify", "all"), MCPI_EINVAL);
    assert_non_null(
        strstr(err, "--verify: invalid value 'all'; expected one of sample, off, full"));
    assert_int_equal(PARSE(&cli, err, "--verify"), MCPI_EINVAL);
    assert_non_null(strstr(err, "--verify: missing value"));
    assert_int_equal(PARSE(&cli, err, "--balance=1"), MCPI_EINVAL);
    assert_non_null(strstr(err, "--balance: takes no value"));
}

/* --backend's own reason survives: the setter returns the status of
 * mcpi_selection_check with its line in err (options.c: "an MCPI_E*
 * status with err written"), so the user learns why a list is refused,
 * not only a generic form that omits node and A+B. */
static void test_parse_backend_reason(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    assert_int_equal(PARSE(&cli, err, "-b", "cuda"), MCPI_EINVAL);
    assert_non_null(strstr(err, "--backend"));
    assert_non_null(strstr(err, "unknown backend 'cuda'"));
    assert_int_equal(PARSE(&cli, err, "-b", "naive+serial"), MCPI_EINVAL);
    assert_non_null(strstr(err, "cannot be joined"));
    /* node and A+B are accepted, so a refusal must not list forms without them */
    assert_int_equal(PARSE(&cli, err, "-b", "node"), MCPI_OK);
    assert_int_equal(PARSE(&cli, err, "-b", "serial+threads"), MCPI_OK);
    assert_string_equal(cli.cfg.backends, "serial+threads");
    assert_int_equal(PARSE(&cli, err, "-b", "cuda"), MCPI_EINVAL);
    assert_non_null(strstr(err, "node"));
    assert_non_null(strstr(err, "A+B"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_count_forms),
        cmocka_unit_test(test_parse_u64),
        cmocka_unit_test(test_parse_defaults),
        cmocka_unit_test(test_parse_run_options),
        cmocka_unit_test(test_parse_device_options),
        cmocka_unit_test(test_parse_range_and_checkpoint),
        cmocka_unit_test(test_parse_commands),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_backend_reason),
        cmocka_unit_test(test_parse_scheduler_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_engine.c - the engine's pieces that need no device: the statuses it
 * returns and their messages and exit codes, the --backend syntax and its
 * resolution into rows, and the configuration's defaults and validator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi.h"

static void test_status_messages(void **state)
{
    (void)state;
    assert_string_equal(mcpi_strerror(MCPI_OK), "success");
    assert_string_equal(mcpi_strerror(MCPI_EINVAL), "invalid argument");
    assert_string_equal(mcpi_strerror(MCPI_EINTERRUPTED), "interrupted; checkpoint written");
    assert_string_equal(mcpi_strerror(-999), "unknown error");
    assert_string_equal(mcpi_strerror(1), "unknown error");
    /* Stable values (README "Exit codes" and scripts depend on them). */
    assert_int_equal(MCPI_EINVAL, -1);
    assert_int_equal(MCPI_EMPI, -7);
    assert_int_equal(MCPI_EINTERRUPTED, -8);
    assert_int_equal(mcpi_exit_code(MCPI_OK), 0);
    assert_int_equal(mcpi_exit_code(MCPI_EINVAL), 2);
    assert_int_equal(mcpi_exit_code(MCPI_EUNAVAIL), 3);
    assert_int_equal(mcpi_exit_code(MCPI_EIO), 4);
    assert_int_equal(mcpi_exit_code(MCPI_EBACKEND), 1);
    assert_int_equal(mcpi_exit_code(MCPI_EMPI), 1);
    assert_int_equal(mcpi_exit_code(MCPI_EINTERRUPTED), 5);
    char err[16];
    mcpi_set_error(err, sizeof err, "a very long message %d", 12345);
    assert_int_equal(strlen(err), sizeof err - 1); /* truncated, terminated */
    assert_memory_equal(err, "mcpi: a very lo", 16);
    mcpi_set_error(NULL, 0, "nowhere %d", 1); /* no buffer: nothing written, no crash */
}

static void test_selection_syntax(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    const char *ok[] = {"",
                        "all",
                        "serial",
                        "serial,threads",
                        "opencl",
                        "opencl:0.0",
                        "opencl:gpu",
                        "opencl:cpu",
                        "opencl:accelerator",
                        "naive,simd",
                        "opencl:12.3",
                        "auto",
                        "node",
                        "threads+opencl:gpu",
                        "serial+simd+threads",
                        "threads+opencl:0.0,serial"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; ++i)
        assert_int_equal(mcpi_selection_check(ok[i], err, sizeof err), MCPI_OK);
    const char *bad[] = {"cuda",         "serial,",      ",serial",         "serial,,threads",
                         "opencl:",      "opencl:x",     "opencl:0",        "opencl:0.",
                         "opencl:-1.0",  "opencl:0.0.0", "SERIAL",          "opencl:gpu0",
                         "serial+",      "+serial",      "serial++threads", "naive+serial",
                         "serial+naive", "all+serial",   "threads+auto",    "node+serial"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; ++i) {
        err[0] = '\0';
        assert_int_equal(mcpi_selection_check(bad[i], err, sizeof err), MCPI_EINVAL);
        assert_non_null(strstr(err, "--backend"));
    }
    /* Nine names in one row: more workers than a row holds. */
    err[0] = '\0';
    assert_int_equal(mcpi_selection_check("serial+serial+serial+serial+serial+serial+serial+"
                                          "serial+serial",
                                          err, sizeof err),
                     MCPI_EINVAL);
    assert_non_null(strstr(err, "more than"));
}

static void test_selection_resolve(void **state)
{
    (void)state;
    char err[MCPI_ERROR_LEN];
    static mcpi_target t[MCPI_MAX_TARGETS]; /* targets are large */
    size_t n = 0;
    assert_int_equal(
        mcpi_selection_resolve("serial,threads,serial", t, MCPI_MAX_TARGETS, &n, err, sizeof err),
        MCPI_OK);
    assert_int_equal(n, 2); /* duplicates dropped, order kept */
    assert_string_equal(t[0].name, "serial");
    assert_string_equal(t[1].name, "threads");
    assert_int_equal(t[0].nworkers, 1);
    assert_ptr_equal(t[0].workers[0].backend, &mcpi_backend_serial);
    assert_ptr_equal(t[1].workers[0].backend, &mcpi_backend_threads);
    /* One row of two workers. */
    assert_int_equal(
        mcpi_selection_resolve("serial+threads", t, MCPI_MAX_TARGETS, &n, err, sizeof err),
        MCPI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].nworkers, 2);
    assert_ptr_equal(t[0].workers[0].backend, &mcpi_backend_serial);
    assert_ptr_equal(t[0].workers[1].backend, &mcpi_backend_threads);
    assert_non_null(strstr(t[0].name, "serial"));
    assert_non_null(strstr(t[0].name, "threads"));
    assert_int_equal(mcpi_selection_resolve("", t, MCPI_MAX_TARGETS, &n, err, sizeof err), MCPI_OK);
    assert_true(n >= 4); /* serial, simd, threads, naive at least */
    /* A device index that cannot exist names what exists (or that none does). */
    int rc = mcpi_selection_resolve("opencl:99.0", t, MCPI_MAX_TARGETS, &n, err, sizeof err);
    assert_int_equal(rc, MCPI_EUNAVAIL);
    assert_non_null(strstr(err, "opencl"));
    assert_int_equal(mcpi_selection_resolve("bogus", t, MCPI_MAX_TARGETS, &n, err, sizeof err),
                     MCPI_EINVAL);
    /* Fewer slots than rows: refused, not overrun. */
    assert_int_equal(mcpi_selection_resolve("serial,threads", t, 1, &n, err, sizeof err),
                     MCPI_EINVAL);
}

static void test_target_single(void **state)
{
    (void)state;
    static mcpi_target t;
    mcpi_device_desc d;
    memset(&d, 0, sizeof d);
    snprintf(d.id, sizeof d.id, "opencl:1.2");
    snprintf(d.description, sizeof d.description, "a device");
    memset(&t, 0x5a, sizeof t);
    mcpi_target_single(&t, &mcpi_backend_serial, &d);
    assert_string_equal(t.name, "opencl:1.2");
    assert_int_equal(t.nworkers, 1);
    assert_ptr_equal(t.workers[0].backend, &mcpi_backend_serial);
    assert_string_equal(t.workers[0].dev.description, "a device");
    assert_int_equal(t.auto_candidate, 0);
    assert_true(t.auto_predicted_s < 0);
}

static void test_config_validate(void **state)
{
    (void)state;
    mcpi_config cfg;
    char err[MCPI_ERROR_LEN];
    mcpi_config_default(&cfg);
    assert_int_equal(cfg.samples, MCPI_DEFAULT_SAMPLES);
    assert_int_equal(cfg.seed, 0);
    assert_int_equal(cfg.repeat, MCPI_DEFAULT_REPEAT);
    assert_int_equal(cfg.warmup, 1);
    assert_int_equal(cfg.threads, 0);
    assert_int_equal(cfg.format, MCPI_FORMAT_TABLE);
    assert_null(cfg.output);
    assert_string_equal(cfg.backends, "");
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_OK);
    cfg.repeat = 0;
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--repeat"));
    cfg.repeat = MCPI_MAX_REPEAT;
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_OK);
    cfg.repeat = MCPI_MAX_REPEAT + 1;
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--repeat"));
    mcpi_config_default(&cfg);
    cfg.samples = 0;
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--samples"));
    mcpi_config_default(&cfg);
    cfg.warmup = MCPI_MAX_REPEAT + 1;
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--warmup"));
    mcpi_config_default(&cfg);
    cfg.threads = MCPI_MAX_THREADS + 1;
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--threads"));
    mcpi_config_default(&cfg);
    snprintf(cfg.backends, sizeof cfg.backends, "serial,,threads");
    assert_int_equal(mcpi_config_validate(&cfg, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "--backend"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_messages),   cmocka_unit_test(test_selection_syntax),
        cmocka_unit_test(test_selection_resolve), cmocka_unit_test(test_target_single),
        cmocka_unit_test(test_config_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

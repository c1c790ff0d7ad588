/* test_opencl_growth.c - the OpenCL backend through the runner: host memory
 * does not grow across 20 timed repeats, and the record carries the OpenCL
 * details (device memory, bytes allocated, cache state, launches).
 *
 * PoCL's runtime grows its own pools by about 256 KiB over its first ~2000
 * kernel launches and is flat after that (measured: 55 page-growths in the
 * first 1000 launches, 9 in the next 1000, none in the 6000 after); valgrind
 * shows no leak.  mcpi allocates nothing per launch, so after a warm-up past
 * the runtime's the growth must be exactly zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi.h"

static void test_growth_20_repeats(void **state)
{
    (void)state;
    static mcpi_target t[MCPI_MAX_TARGETS]; /* targets are large */
    size_t n = 0;
    char err[MCPI_ERROR_LEN];
    if (mcpi_selection_resolve("opencl", t, MCPI_MAX_TARGETS, &n, err, sizeof err) != MCPI_OK)
        skip(); /* no OpenCL device on this machine */
    mcpi_comm comm;
    mcpi_comm_self(&comm);
    mcpi_config cfg;
    mcpi_config_default(&cfg);
    cfg.samples = 1000000;
    cfg.seed = 42;
    cfg.repeat = 20;
    cfg.warmup = 3000; /* past the runtime's own warm-up (see above) */
    static mcpi_record mine, job, ranks[1];
    assert_int_equal(mcpi_run_target(&cfg, &t[0], &comm, &mine, &job, ranks), MCPI_OK);
    assert_int_equal(job.hits, 785856);
    assert_int_equal(job.repeats, 20);
    assert_int_equal(job.host_growth_bytes, 0);
    assert_true(job.device_bytes > 0);
    assert_true(job.device_mem_bytes > 0);
    assert_true(job.ocl.cache >= 0);
    assert_true(job.ocl.launches >= 1);
    assert_true(job.phases.mask & (1u << MCPI_PHASE_BUILD));
    assert_true(job.phases.mask & (1u << MCPI_PHASE_KERNEL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_growth_20_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

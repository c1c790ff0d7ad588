/* test_stop.c - stop requests (mcpi.h, "stop requests"): the first signal
 * is recorded, a second install keeps it, restore clears it, release hands
 * a recorded signal to the disposition that was there before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>

#include <cmocka.h>

#include "mcpi.h"

static void test_first_signal_is_recorded(void **state)
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
static void test_release_reraises(void **state)
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_signal_is_recorded),
        cmocka_unit_test(test_release_reraises),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

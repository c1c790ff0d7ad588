/* stop.c - stop requests: a signal ends a run at a chunk boundary (mcpi.h, "stop requests").
 *
 * The one piece of process-wide state in mcpi: a signal handler can reach
 * nothing else.  Only sig_atomic_t is written in the handler, and the only
 * call it makes is _exit, both async-signal-safe. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "mcpi.h"

static const int handled[] = {SIGTERM, SIGINT, SIGUSR1};
#define NHANDLED (sizeof handled / sizeof handled[0])

static volatile sig_atomic_t pending_signo;
static struct sigaction saved[NHANDLED];
static struct sigaction ours;
static int installed;

int mcpi_stop_second_exit_code(int signo)
{
    return 128 + signo;
}

static void on_signal(int signo)
{
    if (pending_signo != 0)
        _exit(mcpi_stop_second_exit_code(signo)); /* the second one: stop now */
    pending_signo = signo;
}

int mcpi_stop_install(char *err, size_t errlen)
{
    if (installed)
        return MCPI_OK;
    pending_signo = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NHANDLED; ++i)
        sigaddset(&sa.sa_mask, handled[i]); /* one handler at a time */
    ours = sa;
    for (size_t i = 0; i < NHANDLED; ++i) {
        if (sigaction(handled[i], &sa, &saved[i]) != 0) {
            int e = errno;
            while (i-- > 0)
                sigaction(handled[i], &saved[i], NULL);
            mcpi_set_error(err, errlen, "--checkpoint: cannot install signal handlers: %s",
                           strerror(e));
            return MCPI_EINVAL;
        }
    }
    installed = 1;
    return MCPI_OK;
}

void mcpi_stop_reassert(void)
{
    if (!installed)
        return;
    for (size_t i = 0; i < NHANDLED; ++i) {
        struct sigaction cur;
        if (sigaction(handled[i], NULL, &cur) == 0 && cur.sa_handler != on_signal)
            sigaction(handled[i], &ours, NULL);
    }
}

int mcpi_stop_pending(void)
{
    return (int)pending_signo;
}

void mcpi_stop_restore(void)
{
    if (!installed)
        return;
    for (size_t i = 0; i < NHANDLED; ++i)
        sigaction(handled[i], &saved[i], NULL);
    installed = 0;
    pending_signo = 0;
}

void mcpi_stop_release(void)
{
    int signo = (int)pending_signo;
    mcpi_stop_restore();
    if (signo != 0)
        raise(signo);
}

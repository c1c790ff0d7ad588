/* signals.h (private to host/) - SIGTERM, SIGINT and SIGUSR1 as a request to
 * stop at the next chunk boundary of a checkpointed run.
 *
 * The executable installs the handlers first thing in main, before MPI
 * start-up (which can take seconds: name lookups, a cluster's PMIx wire-up)
 * and before any device is touched, so a stop signal that reaches a rank at
 * any moment after it started is caught.  The command line then keeps them
 * for a checkpointed run and hands every other command back to the default
 * actions (mcpi_signals_release), re-raising a signal that came meanwhile.
 *
 * The handler only records the first signal's number (async-signal-safe);
 * the runner polls it between chunks, every rank agrees to stop, rank 0
 * writes the checkpoint and the run ends with MCPI_EINTERRUPTED (exit 5).
 * A second signal while the first is pending ends the process at once with
 * _exit(128 + signal number) (SIGINT 130, SIGUSR1 138, SIGTERM 143): the
 * last checkpoint on disk stays valid because it is only ever replaced by
 * an atomic rename. */
#ifndef MCPI_SIGNALS_H
#define MCPI_SIGNALS_H

#include <stddef.h>

/* Installs the handlers (sigaction, SA_RESTART).  Idempotent: a second call
 * keeps the handlers and any pending request.  0, or MCPI_EINVAL with a
 * line in err. */
int mcpi_signals_install(char *err, size_t errlen);
/* The number of the first signal received since install, or 0. */
int mcpi_signals_pending(void);
/* Restores the handlers in place before install and clears the request. */
void mcpi_signals_restore(void);
/* Restores the handlers in place before install; a request that arrived
 * while they were installed is then raised again, so it takes the action it
 * would have taken without mcpi's handlers (for the default action: the
 * process ends by that signal). */
void mcpi_signals_release(void);
/* Exit code of the immediate exit on a second signal. */
int mcpi_signals_second_exit_code(int signo);

#endif /* MCPI_SIGNALS_H */

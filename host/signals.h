/* signals.h (private to host/) - SIGTERM, SIGINT and SIGUSR1 as a request to
 * stop at the next chunk boundary of a checkpointed run.
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

/* Installs the handlers (sigaction, SA_RESTART) and clears any pending
 * request.  0, or MCPI_EINVAL with a line in err. */
int mcpi_signals_install(char *err, size_t errlen);
/* The number of the first signal received since install, or 0. */
int mcpi_signals_pending(void);
/* Restores the handlers in place before install and clears the request. */
void mcpi_signals_restore(void);
/* Exit code of the immediate exit on a second signal. */
int mcpi_signals_second_exit_code(int signo);

#endif /* MCPI_SIGNALS_H */

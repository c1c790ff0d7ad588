/* notify.h (private to the engine) - notes for the caller's hooks
 * (mcpi_config.hooks): how the engine says what it would otherwise print. */
#ifndef MCPI_NOTIFY_H
#define MCPI_NOTIFY_H

#include "mcpi.h"

/* Passes text to cfg->hooks.note; nothing without a hook.  A leading
 * "mcpi: " is dropped: the caller's printing adds its own prefix. */
void mcpi_notify_text(const mcpi_config *cfg, mcpi_note_kind kind, const char *text);
/* The same for a note formatted like printf (at most 1 KiB). */
void mcpi_notify(const mcpi_config *cfg, mcpi_note_kind kind, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* MCPI_NOTIFY_H */

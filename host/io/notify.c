/* notify.c - notes for the caller's hooks (see notify.h). */
#include "notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One formatted note; a longer text (a build log) goes through mcpi_notify_text. */
#define NOTE_MAX 1024

void mcpi_notify_text(const mcpi_config *cfg, mcpi_note_kind kind, const char *text)
{
    if (cfg == NULL || cfg->hooks.note == NULL)
        return;
    cfg->hooks.note(cfg->hooks.ctx, kind, strncmp(text, "mcpi: ", 6) == 0 ? text + 6 : text);
}

void mcpi_notify(const mcpi_config *cfg, mcpi_note_kind kind, const char *fmt, ...)
{
    if (cfg == NULL || cfg->hooks.note == NULL)
        return;
    char text[NOTE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    mcpi_notify_text(cfg, kind, text);
}

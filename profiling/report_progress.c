/* report_progress.c - the progress line of a counting pass. */
#include <stdio.h>

#include "mcpi_profile.h"

/* Longest ETA shown; beyond it the line shows --:--:--. */
#define PROGRESS_MAX_ETA_S (3600.0 * 24 * 365)

static void fmt_eta(char *buf, size_t len, double s)
{
    if (!(s >= 0) || s > PROGRESS_MAX_ETA_S)
        snprintf(buf, len, "--:--:--");
    else if (s < 60)
        snprintf(buf, len, "%.1f s", s);
    else {
        unsigned long t = (unsigned long)(s + 0.5);
        snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    }
}

void mcpi_progress_format(char *buf, size_t len, const mcpi_progress *p)
{
    double rate = p->elapsed_s > 0 ? (double)p->session / p->elapsed_s : 0.0;
    double total = p->total > 0 ? (double)p->total : 1.0;
    char eta[32];
    if (p->last)
        fmt_eta(eta, sizeof eta, p->elapsed_s);
    else
        fmt_eta(eta, sizeof eta, rate > 0 ? (double)(p->total - p->done) / rate : -1.0);
    snprintf(buf, len, "mcpi: %s%s %5.1f%%  %.3e of %.3e samples  %.3e samples/s  %s %s", p->row,
             p->pass ? p->pass : "", 100.0 * (double)p->done / total, (double)p->done,
             (double)p->total, rate, p->last ? "took" : "ETA", eta);
}

/* cli_main.c - the command line's entry: parse, install the hooks that
 * print what the engine reports, check the output path, dispatch the
 * command, and turn its status into the exit code.
 *
 * Every rank parses the same argv and so reaches the same verdict on bad
 * input; only rank 0 prints it.  Checks that touch the file system (the
 * output path) happen on rank 0 and are agreed on, so all ranks exit with
 * one code and none waits for another. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* A progress line at most this often when stderr is not a terminal (a
 * batch log), and one at the end. */
#define MCPI_PROGRESS_LOG_S 10.0

/* ---- printing what the engine reports ------------------------------------ */

typedef struct hooks_ctx {
    int quiet;
    int tty;           /* stderr is a terminal: progress rewrites one line */
    double last_print; /* of a progress line */
} hooks_ctx;

static void print_note(void *vctx, mcpi_note_kind kind, const char *text)
{
    const hooks_ctx *h = vctx;
    if (kind == MCPI_NOTE_INFO && h->quiet)
        return;
    fprintf(stderr, "mcpi: %s\n", text);
}

static void print_progress(void *vctx, const mcpi_progress *p)
{
    hooks_ctx *h = vctx;
    double now = mcpi_now();
    if (!p->last && !h->tty && now - h->last_print < MCPI_PROGRESS_LOG_S)
        return;
    h->last_print = now;
    char line[512];
    mcpi_progress_format(line, sizeof line, p);
    fprintf(stderr, "%s%s%s", h->tty ? "\r" : "", line, h->tty && !p->last ? "\033[K" : "\n");
    fflush(stderr);
}

/* Notes always; progress on rank 0 when stderr is a terminal or --progress
 * asks for it, unless --quiet. */
static void install_hooks(mcpi_config *cfg, hooks_ctx *h, const mcpi_comm *comm)
{
    h->quiet = cfg->quiet;
    h->tty = isatty(STDERR_FILENO);
    h->last_print = -1e300;
    cfg->hooks.ctx = h;
    cfg->hooks.note = print_note;
    if (comm->rank == 0 && !cfg->quiet && (cfg->progress || h->tty))
        cfg->hooks.progress = print_progress;
}

/* ---- what the commands share ------------------------------------------------ */

void mcpi_cli_say(const mcpi_comm *comm, const char *err)
{
    if (comm->rank == 0 && err != NULL && err[0] != '\0')
        fprintf(stderr, "%s\n", err);
}

int mcpi_cli_emit(const mcpi_config *cfg, mcpi_writer_fn writer, const void *ctx)
{
    char err[MCPI_ERROR_LEN] = "";
    int rc;
    if (cfg->output != NULL) {
        rc = mcpi_write_atomic(cfg->output, "-o/--output", MCPI_FILE_SHARED, writer, ctx, err,
                               sizeof err);
        if (rc != MCPI_OK)
            fprintf(stderr, "%s\n", err);
    } else {
        rc = writer(stdout, ctx);
        if (rc == MCPI_OK && fflush(stdout) != 0)
            rc = MCPI_EIO;
        if (rc != MCPI_OK)
            fprintf(stderr, "mcpi: writing to stdout failed\n");
    }
    return rc;
}

static int write_report(FILE *out, const void *ctx)
{
    const mcpi_report *rep = ctx;
    return mcpi_report_write(out, rep->format, rep);
}

int mcpi_cli_emit_report(const mcpi_config *cfg, const mcpi_report *rep)
{
    return mcpi_cli_emit(cfg, write_report, rep);
}

int mcpi_cli_select(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *targets, size_t *n)
{
    char err[MCPI_ERROR_LEN] = "";
    int rc = mcpi_select(cfg, comm, targets, n, err, sizeof err);
    /* A node that lacks a device says so from its first rank too. */
    if (rc != MCPI_OK && err[0] && (comm->rank == 0 || comm->local_rank == 0))
        fprintf(stderr, "%s\n", err);
    return rc;
}

int mcpi_cli_run_rows(const mcpi_config *cfg, const mcpi_target *targets, size_t n,
                      mcpi_comm *comm, mcpi_record *rows, mcpi_record *rank_rows)
{
    int worst = mcpi_run_rows(cfg, targets, n, comm, rows, rank_rows);
    for (size_t i = 0; comm->rank == 0 && i < n; ++i)
        if (rows[i].status != MCPI_OK)
            fprintf(stderr, "mcpi: %s failed: %s\n", rows[i].name, rows[i].error);
    return worst;
}

void mcpi_cli_run_info(const mcpi_config *cfg, const mcpi_comm *comm, mcpi_run_info *info)
{
    memset(info, 0, sizeof *info);
    info->version = MCPI_VERSION_STRING;
    info->samples = cfg->samples;
    info->seed = cfg->seed;
    info->repeat = cfg->repeat;
    info->warmup = cfg->warmup;
    info->ranks = comm->size;
    info->threads = cfg->threads;
    info->peak_resettable = mcpi_mem_reset_peak() == 0;
}

/* ---- the entry --------------------------------------------------------------- */

static int dispatch(mcpi_cli *c, mcpi_comm *comm)
{
    switch (c->cmd) {
    case CMD_DEVICES:
        return mcpi_cmd_devices(c, comm);
    case CMD_SWEEP:
        return mcpi_cmd_sweep(c, comm);
    case CMD_CALIBRATE:
        return mcpi_cmd_calibrate(c, comm);
    case CMD_MERGE:
        return mcpi_cmd_merge(c, comm);
    default:
        return mcpi_cmd_run(c, comm);
    }
}

int mcpi_cli_main(int argc, char **argv, mcpi_comm *comm)
{
    mcpi_cli c;
    char err[MCPI_ERROR_LEN] = "";
    int rc = mcpi_cli_parse(&c, argc, argv, err, sizeof err);
    /* Only a checkpointed run stops at chunk boundaries; everything else
     * takes a stop signal the default way, from now on and for one that
     * arrived while MPI started (every rank decides the same from argv). */
    if (rc != MCPI_OK || c.cmd != CMD_RUN || c.help || c.version ||
        (c.cfg.checkpoint == NULL && c.cfg.resume == NULL))
        mcpi_stop_release();
    if (rc != MCPI_OK) {
        mcpi_cli_say(comm, err);
        return mcpi_exit_code(rc);
    }
    if (c.help || c.version) {
        if (comm->rank == 0 && c.help)
            mcpi_cli_help(stdout);
        else if (comm->rank == 0)
            printf("mcpi %s\n", MCPI_VERSION_STRING);
        return 0;
    }
    hooks_ctx hooks;
    install_hooks(&c.cfg, &hooks, comm);
    /* The output path is checked once, on rank 0, before any work. */
    if (comm->rank == 0 && c.cfg.output != NULL)
        rc = mcpi_probe_writable(c.cfg.output, "-o/--output", err, sizeof err);
    rc = mcpi_agree(comm, rc);
    if (rc != MCPI_OK) {
        mcpi_cli_say(comm, err);
        return mcpi_exit_code(rc);
    }
    return mcpi_exit_code(dispatch(&c, comm));
}

/* cli_main.c - the command line's entry: parse, install the hooks that
 * print what the engine reports, check the output path, dispatch the
 * command, and turn its status into the exit code.
 *
 * Every rank parses the same argv and so reaches the same verdict on bad
 * input; only rank 0 prints it.  Checks that touch the file system (the
 * output path) happen on rank 0 and are agreed on, so all ranks exit with
 * one code and none waits for another. */
#include <stdio.h>
#include <stdlib.h>
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

/* ---- the entry --------------------------------------------------------------- */

/* What a run writes can be written, and the report never replaces the
 * checkpoint it would be resumed from.  mcpi calibrate writes its
 * --calibration FILE (the other commands read it), so that is checked
 * too, before the measurement. */
static int check_paths(const mcpi_cli *c, char *err, size_t errlen)
{
    const mcpi_config *cfg = &c->cfg;
    int rc = MCPI_OK;
    if (cfg->output != NULL)
        rc = mcpi_probe_writable(cfg->output, "-o/--output", err, errlen);
    if (rc == MCPI_OK && cfg->checkpoint != NULL)
        rc = mcpi_probe_writable(cfg->checkpoint, "--checkpoint", err, errlen);
    if (rc == MCPI_OK && c->cmd == CMD_CALIBRATE && cfg->calibration != NULL)
        rc = mcpi_probe_writable(cfg->calibration, "--calibration", err, errlen);
    /* merge and compare read files: the report must not replace one. */
    for (int i = 0; rc == MCPI_OK && cfg->output != NULL && i < c->nfiles; ++i)
        if (mcpi_same_file(cfg->output, c->files[i])) {
            mcpi_set_error(err, errlen,
                           "%s: -o/--output: '%s' is also an input (the report would replace "
                           "it; give another file)",
                           c->cmd == CMD_MERGE ? "merge" : "compare", cfg->output);
            rc = MCPI_EINVAL;
        }
    const char *ck = cfg->checkpoint != NULL ? cfg->checkpoint : cfg->resume;
    if (rc == MCPI_OK && cfg->output != NULL && ck != NULL && mcpi_same_file(cfg->output, ck)) {
        mcpi_set_error(err, errlen,
                       "-o/--output and %s: '%s' is both; the report would replace the "
                       "checkpoint (give them different files)",
                       cfg->checkpoint != NULL ? "--checkpoint" : "--resume", cfg->output);
        rc = MCPI_EINVAL;
    }
    return rc;
}

/* MCPI_ISA names an instruction set, as --isa does (which overrides it):
 * an unknown name is bad input found before any work, like a malformed
 * --isa, for every command that counts or lists the simd backend (a set
 * this CPU lacks stays the backend's exit 3).  Every rank checks its own
 * value: an MPMD job may give its ranks different ones. */
static int check_isa_env(const mcpi_cli *c, char *err, size_t errlen)
{
    const char *isa = getenv("MCPI_ISA");
    if (c->cmd == CMD_MERGE || c->cmd == CMD_COMPARE || c->cfg.isa[0] != '\0' || isa == NULL ||
        isa[0] == '\0' || mcpi_isa_known(isa))
        return MCPI_OK;
    mcpi_set_error(err, errlen,
                   "MCPI_ISA=%s: unknown instruction set; expected one of %s (unset: the widest "
                   "this CPU has)",
                   isa, mcpi_isa_names());
    return MCPI_EINVAL;
}

/* A refusal is one line on stderr, whatever the quoted argument holds
 * (a newline in a path or a value would split it). */
static void one_line(char *s)
{
    for (; *s != '\0'; ++s)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

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
    case CMD_SCALE:
        return mcpi_cmd_scale(c, comm);
    case CMD_COMPARE:
        return mcpi_cmd_compare(c, comm);
    case CMD_SELFTEST:
        return mcpi_cmd_selftest(c, comm);
    default:
        return mcpi_cmd_run(c, comm);
    }
}

int mcpi_cli_main(int argc, char **argv, mcpi_comm *comm)
{
    mcpi_cli c;
    char err[MCPI_ERROR_LEN] = "";
    int rc = mcpi_cli_parse(&c, argc, argv, err, sizeof err);
    /* The commands that count (run, sweep, scale) stop at a chunk boundary
     * with exit 5; the others take a stop signal the default way, from now
     * on and for one that arrived while MPI started (every rank decides the
     * same from argv). */
    if (rc != MCPI_OK || c.help || c.version ||
        (c.cmd != CMD_RUN && c.cmd != CMD_SWEEP && c.cmd != CMD_SCALE))
        mcpi_stop_release();
    if (rc != MCPI_OK) {
        one_line(err);
        mcpi_cli_say(comm, err);
        return mcpi_exit_code(rc);
    }
    if (c.help || c.version) {
        if (comm->rank == 0 && c.help && c.cmd == CMD_SELFTEST)
            mcpi_cli_help_selftest(stdout); /* mcpi selftest --help */
        else if (comm->rank == 0 && c.help)
            mcpi_cli_help(stdout);
        else if (comm->rank == 0)
            printf("mcpi %s\n", MCPI_VERSION_STRING);
        return 0;
    }
    hooks_ctx hooks;
    install_hooks(&c.cfg, &hooks, comm);
    /* MCPI_ISA is checked on every rank, the paths written once, on rank 0,
     * both before any work. */
    rc = check_isa_env(&c, err, sizeof err);
    if (rc == MCPI_OK && comm->rank == 0)
        rc = check_paths(&c, err, sizeof err);
    rc = mcpi_agree(comm, rc);
    if (rc != MCPI_OK) {
        if (err[0] == '\0') /* rank 0's checks passed: another rank's MCPI_ISA did not */
            mcpi_set_error(err, sizeof err,
                           "MCPI_ISA: another rank's value is not an instruction set; expected "
                           "one of %s",
                           mcpi_isa_names());
        one_line(err);
        mcpi_cli_say(comm, err);
        return mcpi_exit_code(rc);
    }
    return mcpi_exit_code(dispatch(&c, comm));
}

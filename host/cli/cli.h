/* cli.h (private to the command line) - the parsed command line and what the
 * commands share.
 *
 * The command line is the one layer that prints and turns statuses into
 * exit codes.  Every function here returns an mcpi status (0 or a negative
 * MCPI_E*), having printed its one line first where the user needs one;
 * mcpi_cli_main alone maps the final status to the exit code (README "Exit
 * codes").  Under MPI every rank runs the same code and returns the same
 * status; only rank 0 prints reports and writes files. */
#ifndef MCPI_CLI_H
#define MCPI_CLI_H

#include <stdio.h>

#include "mcpi.h"

/* Commands, in the order of mcpi_cli_command_find's names. */
typedef enum {
    CMD_RUN,
    CMD_DEVICES,
    CMD_SWEEP,
    CMD_CALIBRATE,
    CMD_MERGE,
    CMD_SCALE,
    CMD_COMPARE,
    CMD_SELFTEST /* mcpi selftest (cmd_selftest.c) */
} mcpi_command;

#define MCPI_CLI_MAX_FILES 4096
/* Room for the option table's entries (options.c checks it). */
#define MCPI_CLI_MAX_OPTIONS 64

/* A macro's value as a string literal: "an integer from 1 to " MCPI_STR(MCPI_MAX_THREADS). */
#define MCPI_STR_(x) #x
#define MCPI_STR(x) MCPI_STR_(x)

typedef struct mcpi_cli {
    mcpi_config cfg;
    mcpi_command cmd;
    int help, version;
    int format_set;
    int samples_set;                           /* -n was given */
    unsigned char given[MCPI_CLI_MAX_OPTIONS]; /* per option of the table: it was given */
    /* sweep */
    uint64_t sweep_from, sweep_to; /* default 1e3 .. 1e8 */
    unsigned steps_per_decade;     /* default 1 */
    char reference[MCPI_NAME_LEN]; /* --reference row for crossovers ("" = serial) */
    /* merge, compare (files[0] is compare's baseline) */
    const char *files[MCPI_CLI_MAX_FILES];
    int nfiles;
    uint64_t cover; /* --cover N: parts must cover [0, N) */
    int has_cover;
    /* scale: --threads LIST (its first value is cfg.threads) or --ranks LIST,
     * increasing; --strong (default) or --weak */
    unsigned threads_list[MCPI_SCALE_MAX_POINTS], ranks_list[MCPI_SCALE_MAX_POINTS];
    size_t nthreads_list, nranks_list;
    int strong, weak;
    /* compare: --fail-if-slower PCT, --alpha A (default MCPI_COMPARE_ALPHA) */
    double fail_if_slower, alpha;
    int has_fail_if_slower, has_alpha;
    /* devices: --no-open lists without opening OpenCL devices (no geometry) */
    int no_open;
} mcpi_cli;

/* ---- parsing (numbers.c, options.c, help.c) ------------------------------ */

/* Parses a sample count: "1000000", "1e6", "2.5e9", "2^20"; "1_000" is not
 * accepted.  The value must be an integer in [1, 2^64-1].  0 or MCPI_EINVAL. */
int mcpi_parse_count(const char *s, uint64_t *out);
/* Parses a 64-bit unsigned: decimal or 0x hexadecimal.  0 or MCPI_EINVAL. */
int mcpi_parse_u64(const char *s, uint64_t *out);

/* Parses argv into c (defaults first).  Pure: touches no file or device, so
 * every rank reaches the same verdict.  0, or MCPI_EINVAL with one line in
 * err naming the flag and the accepted form. */
int mcpi_cli_parse(mcpi_cli *c, int argc, char **argv, char *err, size_t errlen);
/* 1 when the option of long name lng was given on the command line. */
int mcpi_cli_given(const mcpi_cli *c, const char *lng);
/* Index of a command name, or -1. */
int mcpi_cli_command_find(const char *name);
/* Writes --help. */
void mcpi_cli_help(FILE *out);
/* Writes mcpi selftest --help. */
void mcpi_cli_help_selftest(FILE *out);

/* ---- what the commands share (cli_main.c) ------------------------------ */

/* Runs the mcpi command line (argv as given to main) on this rank and
 * returns the exit code, the same on every rank. */
int mcpi_cli_main(int argc, char **argv, mcpi_comm *comm);

/* Prints err (one line) on rank 0; nothing when err is empty. */
void mcpi_cli_say(const mcpi_comm *comm, const char *err);

/* Writes something to --output (atomically) or stdout, printing one line
 * when that fails.  0 or the status (MCPI_EIO: exit code 4). */
typedef int (*mcpi_writer_fn)(FILE *out, const void *ctx);
int mcpi_cli_emit(const mcpi_config *cfg, mcpi_writer_fn writer, const void *ctx);
/* mcpi_cli_emit of a run, sweep or merge report in rep->format. */
int mcpi_cli_emit_report(const mcpi_config *cfg, const mcpi_report *rep);

/* Runs every target (mcpi_run_rows) and prints one line per failed row on
 * rank 0.  The worst status, the same on every rank. */
int mcpi_cli_run_rows(const mcpi_config *cfg, const mcpi_target *targets, size_t n, mcpi_comm *comm,
                      mcpi_record *rows, mcpi_record *rank_rows);
/* The rows of a run (mcpi_select), printing why they cannot be had. */
int mcpi_cli_select(const mcpi_config *cfg, mcpi_comm *comm, mcpi_target *targets, size_t *n);
/* Fills the report's run description from cfg and comm. */
void mcpi_cli_run_info(const mcpi_config *cfg, const mcpi_comm *comm, mcpi_run_info *info);

/* Reads the JSON run report at file into doc (initialised here) for the
 * command cmd ("merge", "compare"): a regular file of at most 64 MiB,
 * parsed and checked by mcpi_report_read_json (its checksum included).
 * MCPI_EINVAL with one line "CMD: FILE: why" in err, MCPI_ENOMEM. */
int mcpi_cli_read_report(const char *cmd, const char *file, mcpi_report_doc *doc, char *err,
                         size_t errlen);
/* One note (unless -q) naming the files[n] whose checksummed[i] is 0: their
 * numbers are not verified. */
void mcpi_cli_unverified_note(const mcpi_cli *c, const char *cmd, const char *const *files,
                              const int *checksummed, int n);

/* The calibration a report uses (cmd_calibrate.c): cfg->calibration if given
 * (missing or corrupt: MCPI_EINVAL after one line naming --calibration),
 * else the default file when it exists (absent: silently none; damaged: a
 * note, then none).  *have is 1 when cal is filled.  Collective. */
int mcpi_cli_calibration(const mcpi_config *cfg, mcpi_comm *comm, mcpi_calibration *cal, int *have);

/* ---- the commands, each in its own file ------------------------------------- */

int mcpi_cmd_run(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_devices(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_sweep(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_calibrate(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_merge(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_scale(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_compare(mcpi_cli *c, mcpi_comm *comm);
int mcpi_cmd_selftest(mcpi_cli *c, mcpi_comm *comm);

#endif /* MCPI_CLI_H */

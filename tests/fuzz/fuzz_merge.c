/* fuzz_merge.c - the whole of `mcpi merge` (host/cli/cmd_merge.c): parts read
 * from files, checked, tiled, planned and merged, and the report written, as
 * mcpi_cli_main runs it with one rank (mcpi_comm_self).
 *
 * The input is up to MAX_PARTS part files separated by NUL bytes (JSON
 * holds none); a last piece that reads as a count (mcpi_parse_count) is not
 * a file but --cover's value.  Each part whose checksum stands where mcpi
 * writes it gets it made right, so that mutated parts reach the checks
 * behind the checksum.  The parts are written to a private temporary
 * folder, then
 *
 *     mcpi merge -q -o /dev/null -f json [--cover N] PART...
 *
 * runs; when it merges, it runs again in every other format.  Properties:
 * the exit code is 0, 2 (a part refused, one line on stderr) or 1 (out of
 * memory), and the same in every format.  Refusals print one line each to
 * stderr: scripts/fuzz runs this target with -close_fd_mask=2. */
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz.h"

#define MAX_PARTS 8

static char folder[512];
static char paths[MAX_PARTS][sizeof folder + 16];
static int ready;

static void remove_parts(void)
{
    for (int i = 0; i < MAX_PARTS; ++i)
        unlink(paths[i]);
    rmdir(folder);
}

/* The private folder (in $TMPDIR, else /tmp), made on the first input and
 * removed at exit (left behind by a crash: scripts/fuzz points TMPDIR into
 * build-fuzz/run/merge/, the replay tests into their build folder). */
static void setup(void)
{
    if (ready)
        return;
    const char *tmp = getenv("TMPDIR");
    snprintf(folder, sizeof folder, "%s/mcpi-fuzz-merge-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(folder) == NULL) {
        perror("fuzz_merge: mkdtemp");
        abort();
    }
    for (int i = 0; i < MAX_PARTS; ++i)
        snprintf(paths[i], sizeof paths[i], "%s/part%d.json", folder, i);
    atexit(remove_parts);
    ready = 1;
}

static void write_part(const char *path, const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(text != NULL && f != NULL);
    if (size > 0)
        memcpy(text, data, size);
    fuzz_report_fix_checksum(text, size);
    FUZZ_CHECK(fwrite(text, 1, size, f) == size && fclose(f) == 0);
    free(text);
}

static int merge(const char *format, const char *cover, int nparts)
{
    char *argv[7 + 2 + MAX_PARTS + 1]; /* mcpi merge -q -o F -f FMT, --cover N, parts, NULL */
    int argc = 0;
    static char a0[] = "mcpi", a1[] = "merge", a2[] = "-q", a3[] = "-o", a4[] = "/dev/null",
                a5[] = "-f", a7[] = "--cover";
    char fmt[16], cov[64];
    snprintf(fmt, sizeof fmt, "%s", format);
    argv[argc++] = a0;
    argv[argc++] = a1;
    argv[argc++] = a2;
    argv[argc++] = a3;
    argv[argc++] = a4;
    argv[argc++] = a5;
    argv[argc++] = fmt;
    if (cover != NULL) {
        snprintf(cov, sizeof cov, "%s", cover);
        argv[argc++] = a7;
        argv[argc++] = cov;
    }
    for (int i = 0; i < nparts; ++i)
        argv[argc++] = paths[i];
    argv[argc] = NULL;
    mcpi_comm comm;
    mcpi_comm_self(&comm);
    return mcpi_cli_main(argc, argv, &comm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    /* The pieces between NUL bytes: parts, then perhaps --cover's value. */
    const uint8_t *piece[MAX_PARTS + 1];
    size_t len[MAX_PARTS + 1];
    int n = 0;
    for (size_t i = 0, start = 0; i <= size && n < MAX_PARTS + 1; ++i)
        if (i == size || data[i] == '\0') {
            piece[n] = data + start;
            len[n++] = i - start;
            start = i + 1;
        }
    char *cover = NULL;
    uint64_t count;
    if (n > 1) {
        cover = fuzz_strndup(piece[n - 1], len[n - 1]);
        if (cover != NULL && (len[n - 1] >= 64 || mcpi_parse_count(cover, &count) != MCPI_OK)) {
            free(cover);
            cover = NULL;
        }
    }
    int nparts = n - (cover != NULL);
    if (nparts > MAX_PARTS)
        nparts = MAX_PARTS;
    for (int i = 0; i < nparts; ++i)
        write_part(paths[i], piece[i], len[i]);

    int code = merge("json", cover, nparts);
    FUZZ_CHECK(code == 0 || code == 2 || code == mcpi_exit_code(MCPI_ENOMEM));
    if (code == 0) {
        static const char *const others[] = {"table", "csv", "markdown"};
        for (size_t i = 0; i < sizeof others / sizeof others[0]; ++i)
            FUZZ_CHECK(merge(others[i], cover, nparts) == 0);
    }
    free(cover);
    return 0;
}

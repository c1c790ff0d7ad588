/* fuzz_cli.c - the argument parser, mcpi_cli_parse (host/cli/options.c,
 * numbers.c, and the backend selection syntax of host/run/selection.c).
 *
 * The input is an argument list, one argument per line (a NUL byte also
 * ends one; a final newline ends the last), after an implied "mcpi".
 * Properties (cli.h): the verdict is 0 or MCPI_EINVAL; a refusal comes with
 * one line in err, "mcpi: ..." without a newline; a short err buffer is
 * truncated, never overrun; and the parser is pure - the same argv parsed
 * again gives the same verdict and the same line. */
#include "cli.h"
#include "fuzz.h"

/* Splits text (len bytes, NUL after them) in place into argv[1..]; argv[0]
 * is "mcpi".  The argument count, or -1 when out of memory. */
static int split_args(char *text, size_t len, char ***out)
{
    size_t n = 1;
    for (size_t i = 0; i < len; ++i)
        n += text[i] == '\n' || text[i] == '\0';
    char **argv = malloc((n + 2) * sizeof *argv);
    if (argv == NULL)
        return -1;
    static char prog[] = "mcpi";
    int argc = 0;
    argv[argc++] = prog;
    char *start = text;
    for (size_t i = 0; i <= len; ++i)
        if (i == len || text[i] == '\n' || text[i] == '\0') {
            text[i] = '\0';
            if (i < len || &text[i] != start) /* a final separator ends the last one */
                argv[argc++] = start;
            start = &text[i + 1];
        }
    argv[argc] = NULL;
    *out = argv;
    return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    char **argv = NULL;
    mcpi_cli *c = malloc(sizeof *c), *again = malloc(sizeof *again);
    char *err = malloc(MCPI_ERROR_LEN), *err2 = malloc(MCPI_ERROR_LEN), *tiny = malloc(8);
    int argc = text != NULL ? split_args(text, size, &argv) : -1;
    if (argc < 0 || c == NULL || again == NULL || err == NULL || err2 == NULL || tiny == NULL)
        goto out;

    err[0] = '\0';
    int rc = mcpi_cli_parse(c, argc, argv, err, MCPI_ERROR_LEN);
    FUZZ_CHECK(rc == MCPI_OK || rc == MCPI_EINVAL);
    if (rc != MCPI_OK) {
        FUZZ_CHECK(strncmp(err, "mcpi: ", 6) == 0 && err[6] != '\0');
        FUZZ_CHECK(strchr(err, '\n') == NULL);
    } else {
        FUZZ_CHECK(c->cfg.samples >= 1 && c->nfiles >= 0 && c->nfiles <= MCPI_CLI_MAX_FILES);
        FUZZ_CHECK(!c->cfg.has_range || c->cfg.samples == c->cfg.range_end - c->cfg.range_begin);
        FUZZ_CHECK(c->cmd != CMD_MERGE || c->nfiles >= 1);
        FUZZ_CHECK(c->cmd != CMD_COMPARE || c->nfiles >= 2);
    }

    /* Pure: the same verdict and line again. */
    err2[0] = '\0';
    FUZZ_CHECK(mcpi_cli_parse(again, argc, argv, err2, MCPI_ERROR_LEN) == rc);
    FUZZ_CHECK(strcmp(err, err2) == 0);

    /* A short buffer: the same verdict, the line cut and terminated inside it. */
    tiny[0] = '\0';
    FUZZ_CHECK(mcpi_cli_parse(again, argc, argv, tiny, 8) == rc);
    FUZZ_CHECK(memchr(tiny, '\0', 8) != NULL);
out:
    free(tiny);
    free(err2);
    free(err);
    free(again);
    free(c);
    free(argv);
    free(text);
    return 0;
}

/* read_report.c - a JSON run report read from a file, for the commands that
 * read them back (merge, compare): one size limit, one set of messages. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Largest report read: real reports are a few KiB per row. */
#define REPORT_MAX_FILE_BYTES (64u << 20)

int mcpi_cli_read_report(const char *cmd, const char *file, mcpi_report_doc *doc, char *err,
                         size_t errlen)
{
    memset(doc, 0, sizeof *doc);
    char *text = NULL, why[MCPI_ERROR_LEN] = "";
    size_t len = 0;
    int rc = mcpi_read_file(file, cmd, REPORT_MAX_FILE_BYTES, &text, &len, why, sizeof why);
    if (rc == MCPI_OK) {
        rc = mcpi_report_read_json(text, len, doc, why, sizeof why);
        free(text);
    } else if (rc != MCPI_ENOMEM) {
        rc = MCPI_EINVAL; /* an input that cannot be read is bad input: exit 2 */
        snprintf(why, sizeof why, "cannot read: %s",
                 errno == EFBIG    ? "too large for an mcpi JSON report (over 64 MiB)"
                 : errno == EINVAL ? "not a regular file"
                                   : strerror(errno));
    }
    if (rc == MCPI_ENOMEM)
        mcpi_set_error(err, errlen, "%s: %s: out of memory", cmd, file);
    else if (rc != MCPI_OK)
        mcpi_set_error(err, errlen, "%s: %s: %s", cmd, file, why);
    return rc;
}

void mcpi_cli_unverified_note(const mcpi_cli *c, const char *cmd, const char *const *files,
                              const int *checksummed, int n)
{
    int count = 0;
    for (int i = 0; i < n; ++i)
        count += !checksummed[i];
    if (count == 0 || c->cfg.quiet)
        return;
    fprintf(stderr,
            "mcpi: %s: %d file%s without a checksum (an older mcpi wrote %s, or it was edited), "
            "so %s numbers are not verified:",
            cmd, count, count == 1 ? "" : "s", count == 1 ? "it" : "them",
            count == 1 ? "its" : "their");
    for (int i = 0, shown = 0; i < n; ++i)
        if (!checksummed[i] && shown++ < 8)
            fprintf(stderr, " %s", files[i]);
    fprintf(stderr, "%s\n", count > 8 ? " ..." : "");
}

/* fuzz_report.c - merge's and compare's part reader, mcpi_report_read_json
 * (profiling/report_read.c over profiling/json_read.c).
 *
 * The input is a JSON report, read as it is and, when its checksum stands
 * where mcpi writes it, once more with the checksum made to match (so that
 * mutated reports are also read the way a genuine one is).  Properties
 * (mcpi_profile.h): the verdict is 0, MCPI_EINVAL with a reason, or
 * MCPI_ENOMEM; a refused document holds nothing (rows NULL, nrows 0); every
 * row read has begin < end, samples = end - begin, hits <= samples, at most
 * MCPI_MAX_REPEAT repeats and terminated strings; a report whose checksum
 * matches is read as checksummed. */
#include "fuzz.h"

#define WHY_LEN MCPI_ERROR_LEN

static int terminated(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

/* Every string of the row ends inside its field. */
static int strings_terminated(const mcpi_record *r)
{
    return terminated(r->name, sizeof r->name) && terminated(r->backend, sizeof r->backend) &&
           terminated(r->device, sizeof r->device) && terminated(r->hostname, sizeof r->hostname) &&
           terminated(r->error, sizeof r->error);
}

/* Reads text: the verdict, and in *checksummed whether it was read as a
 * checksummed report. */
static int check_read(const char *text, size_t len, int *checksummed)
{
    char *why = malloc(WHY_LEN);
    *checksummed = 0;
    if (why == NULL)
        return MCPI_ENOMEM;
    why[0] = '\0';
    mcpi_report_doc doc;
    int rc = mcpi_report_read_json(text, len, &doc, why, WHY_LEN);
    FUZZ_CHECK(rc == MCPI_OK || rc == MCPI_EINVAL || rc == MCPI_ENOMEM);
    FUZZ_CHECK(rc != MCPI_EINVAL || why[0] != '\0');
    if (rc != MCPI_OK)
        FUZZ_CHECK(doc.rows == NULL && doc.nrows == 0);
    FUZZ_CHECK(doc.nrows == 0 || doc.rows != NULL);
    FUZZ_CHECK(terminated(doc.version, sizeof doc.version));
    for (size_t i = 0; i < doc.nrows; ++i) {
        const mcpi_record *r = &doc.rows[i];
        FUZZ_CHECK(r->begin < r->end && r->samples == r->end - r->begin && r->hits <= r->samples);
        FUZZ_CHECK(r->repeats <= MCPI_MAX_REPEAT && r->status <= 0);
        FUZZ_CHECK(strings_terminated(r));
        (void)mcpi_record_stats(r); /* what merge and compare take of the repeats */
    }
    FUZZ_CHECK(doc.checksummed == 0 || doc.checksummed == 1);
    *checksummed = rc == MCPI_OK && doc.checksummed;
    mcpi_report_doc_free(&doc);
    free(why);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int checksummed;
    check_read((const char *)data, size, &checksummed);
    if (fuzz_report_checksum_at((const char *)data, size) == (size_t)-1)
        return 0;
    char *fixed = malloc(size);
    if (fixed == NULL)
        return 0;
    memcpy(fixed, data, size);
    fuzz_report_fix_checksum(fixed, size);
    /* Its last member is then the root's "checksum", and it matches. */
    if (check_read(fixed, size, &checksummed) == MCPI_OK)
        FUZZ_CHECK(checksummed);
    free(fixed);
    return 0;
}

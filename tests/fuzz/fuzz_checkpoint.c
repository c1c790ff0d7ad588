/* fuzz_checkpoint.c - the checkpoint reader, mcpi_checkpoint_decode, and
 * the writer it must agree with, mcpi_checkpoint_encode
 * (host/run/checkpoint.c, host/run/intervals.c).
 *
 * The input is a checkpoint file, decoded twice: as it is, and with its
 * last line replaced by (or, when it has none, followed by) the checksum
 * line of what precedes it, so that mutations reach the fields behind the
 * checksum.  Properties (checkpoint.h): the verdict is 0, MCPI_EINVAL with
 * a reason, or MCPI_ENOMEM; a file read is consistent (begin < end,
 * intervals sorted, disjoint, inside [begin, end), hits within them), so it
 * encodes; and what it encodes to decodes to the same checkpoint and
 * encodes to the same bytes. */
#include "checkpoint.h"
#include "fuzz.h"

#define SUM_KEY "fnv1a64 "
#define SUM_LINE_LEN (sizeof SUM_KEY - 1 + 16 + 1)
#define WHY_LEN 160

/* The writer spells a name's spaces, controls and DEL as '_' (the reader
 * refuses the first two, keeps DEL): a and b are the same name so spelt. */
static int same_name(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; ++a, ++b)
        if (*a != *b && !((unsigned char)*a == 0x7f && *b == '_'))
            return 0;
    return *a == *b;
}

static void check_same(const mcpi_checkpoint *a, const mcpi_checkpoint *b)
{
    FUZZ_CHECK(a->seed == b->seed && a->begin == b->begin && a->end == b->end);
    FUZZ_CHECK(a->elapsed_s == b->elapsed_s && a->ranks == b->ranks);
    FUZZ_CHECK(same_name(a->version, b->version) && same_name(a->row, b->row));
    FUZZ_CHECK(a->done.n == b->done.n);
    for (size_t i = 0; i < a->done.n; ++i)
        FUZZ_CHECK(a->done.v[i].begin == b->done.v[i].begin &&
                   a->done.v[i].end == b->done.v[i].end && a->done.v[i].hits == b->done.v[i].hits);
}

/* Decodes buf; a checkpoint read must round-trip through the writer. */
static void check_decode(const char *buf, size_t len)
{
    char *why = malloc(WHY_LEN);
    if (why == NULL)
        return;
    why[0] = '\0';
    mcpi_checkpoint ck;
    int rc = mcpi_checkpoint_decode(buf, len, &ck, why, WHY_LEN);
    FUZZ_CHECK(rc == MCPI_OK || rc == MCPI_EINVAL || rc == MCPI_ENOMEM);
    FUZZ_CHECK(rc != MCPI_EINVAL || why[0] != '\0');
    if (rc == MCPI_OK) {
        FUZZ_CHECK(ck.begin < ck.end && mcpi_intervals_within(&ck.done, ck.begin, ck.end));
        FUZZ_CHECK(mcpi_intervals_hits(&ck.done) <= mcpi_intervals_samples(&ck.done));
        char *text = NULL, *text2 = NULL;
        size_t tlen = 0, tlen2 = 0;
        rc = mcpi_checkpoint_encode(&ck, &text, &tlen);
        FUZZ_CHECK(rc == MCPI_OK || rc == MCPI_ENOMEM);
        mcpi_checkpoint back;
        int rc2 = rc == MCPI_OK ? mcpi_checkpoint_decode(text, tlen, &back, why, WHY_LEN) : rc;
        FUZZ_CHECK(rc2 == MCPI_OK || rc2 == MCPI_ENOMEM); /* the writer's text is read */
        if (rc2 == MCPI_OK) {
            check_same(&ck, &back);
            if (mcpi_checkpoint_encode(&back, &text2, &tlen2) == MCPI_OK)
                FUZZ_CHECK(tlen2 == tlen && memcmp(text, text2, tlen) == 0);
            mcpi_checkpoint_free(&back);
        }
        free(text2);
        free(text);
    }
    mcpi_checkpoint_free(&ck);
    free(why);
}

/* data with its checksum line made right: the line that ends it when it
 * has one of that shape, else all of it, followed by the checksum line. */
static void check_resummed(const uint8_t *data, size_t size)
{
    size_t body = size;
    if (size >= SUM_LINE_LEN && data[size - 1] == '\n' &&
        memcmp(data + size - SUM_LINE_LEN, SUM_KEY, sizeof SUM_KEY - 1) == 0)
        body = size - SUM_LINE_LEN;
    char *buf = malloc(body + SUM_LINE_LEN), line[SUM_LINE_LEN + 1];
    if (buf == NULL)
        return;
    if (body > 0)
        memcpy(buf, data, body);
    snprintf(line, sizeof line, SUM_KEY "%016" PRIx64 "\n", mcpi_fnv1a(MCPI_FNV_OFFSET, buf, body));
    memcpy(buf + body, line, SUM_LINE_LEN);
    check_decode(buf, body + SUM_LINE_LEN);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_decode((const char *)data, size);
    check_resummed(data, size);
    return 0;
}

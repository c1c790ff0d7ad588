/* fuzz_json.c - the JSON reader, mcpi_json_parse and its accessors
 * (profiling/json_read.c).
 *
 * The input is the text, any bytes.  Properties (json_read.h): the verdict
 * is 0 with a tree, or MCPI_EINVAL / MCPI_ENOMEM with no tree and "line L:
 * what" in why (cut, never overrun, in a one-byte buffer); the tree nests
 * at most MCPI_JSON_MAX_DEPTH deep; an object's keys are unique, so
 * mcpi_json_get finds each key's own value; a number keeps its literal,
 * and one mcpi_json_u64 accepts prints back as that literal. */
#include "fuzz.h"
#include "json_read.h"

#define WHY_LEN 128

static void walk(const mcpi_json *v, int depth)
{
    FUZZ_CHECK(depth <= MCPI_JSON_MAX_DEPTH);
    double d;
    uint64_t x;
    switch (v->type) {
    case MCPI_JSON_NULL:
        FUZZ_CHECK(mcpi_json_double(v, &d) == MCPI_OK && d != d);
        FUZZ_CHECK(mcpi_json_u64(v, &x) == MCPI_EINVAL);
        break;
    case MCPI_JSON_BOOL:
        FUZZ_CHECK(v->boolean == 0 || v->boolean == 1);
        break;
    case MCPI_JSON_NUMBER:
        FUZZ_CHECK(v->text != NULL && v->text[0] != '\0');
        FUZZ_CHECK(mcpi_json_double(v, &d) == MCPI_OK);
        if (mcpi_json_u64(v, &x) == MCPI_OK) {
            char back[24];
            snprintf(back, sizeof back, "%" PRIu64, x);
            FUZZ_CHECK(strcmp(back, v->text) == 0);
        }
        break;
    case MCPI_JSON_STRING:
        FUZZ_CHECK(v->text != NULL);
        FUZZ_CHECK(mcpi_json_u64(v, &x) == MCPI_EINVAL);
        break;
    case MCPI_JSON_ARRAY:
    case MCPI_JSON_OBJECT:
        FUZZ_CHECK(v->n == 0 || v->items != NULL);
        for (size_t i = 0; i < v->n; ++i) {
            if (v->type == MCPI_JSON_OBJECT) {
                FUZZ_CHECK(v->keys != NULL && v->keys[i] != NULL);
                /* Unique as C strings (as the parser compares them; a key
                 * with a \u0000 escape ends there): the lookup finds its own. */
                FUZZ_CHECK(mcpi_json_get(v, v->keys[i]) == &v->items[i]);
            } else {
                FUZZ_CHECK(mcpi_json_get(v, "") == NULL);
            }
            walk(&v->items[i], depth + 1);
        }
        break;
    default:
        FUZZ_CHECK(!"a node of no known type");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char *why = malloc(WHY_LEN), *one = malloc(1);
    if (why == NULL || one == NULL)
        goto out;
    mcpi_json *v = (mcpi_json *)1;
    int rc = mcpi_json_parse(text, size, &v, why, WHY_LEN);
    FUZZ_CHECK(rc == MCPI_OK || rc == MCPI_EINVAL || rc == MCPI_ENOMEM);
    if (rc == MCPI_OK) {
        FUZZ_CHECK(v != NULL);
        walk(v, 0);
        mcpi_json_free(v);
    } else {
        FUZZ_CHECK(v == NULL && strncmp(why, "line ", 5) == 0);
    }
    v = NULL;
    FUZZ_CHECK(mcpi_json_parse(text, size, &v, one, 1) == rc && one[0] == '\0');
    mcpi_json_free(v);
out:
    free(one);
    free(why);
    return 0;
}

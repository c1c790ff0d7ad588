/* json_read.h (private to host/) - a small JSON reader, enough for mcpi's
 * own reports (mcpi merge).
 *
 * Recursive descent over RFC 8259 text into a tree.  Numbers keep their
 * literal text so 64-bit integers read back exactly (mcpi_json_u64); strings
 * are unescaped to UTF-8.  Nesting deeper than MCPI_JSON_MAX_DEPTH and text
 * after the value are refused. */
#ifndef MCPI_JSON_READ_H
#define MCPI_JSON_READ_H

#include <stddef.h>
#include <stdint.h>

#define MCPI_JSON_MAX_DEPTH 64

typedef enum {
    MCPI_JSON_NULL,
    MCPI_JSON_BOOL,
    MCPI_JSON_NUMBER,
    MCPI_JSON_STRING,
    MCPI_JSON_ARRAY,
    MCPI_JSON_OBJECT
} mcpi_json_type;

typedef struct mcpi_json mcpi_json;
struct mcpi_json {
    mcpi_json_type type;
    int boolean;      /* BOOL */
    char *text;       /* STRING: the unescaped value; NUMBER: the literal */
    size_t n;         /* ARRAY, OBJECT: number of items */
    mcpi_json *items; /* ARRAY elements, OBJECT values */
    char **keys;      /* OBJECT keys, parallel to items */
};

/* Parses len bytes.  0 and a tree in *out (free with mcpi_json_free), or
 * MCPI_EINVAL with "line L: what" in why, or MCPI_ENOMEM. */
int mcpi_json_parse(const char *text, size_t len, mcpi_json **out, char *why, size_t whylen);
/* Frees a tree from mcpi_json_parse; accepts NULL. */
void mcpi_json_free(mcpi_json *v);

/* The value of key in an object (keys are unique: the parser refuses a
 * repeated one), or NULL when v is not an object or has no such key. */
const mcpi_json *mcpi_json_get(const mcpi_json *v, const char *key);
/* A number that is a non-negative integer literal below 2^64 (no fraction,
 * no exponent), read exactly.  0 or MCPI_EINVAL. */
int mcpi_json_u64(const mcpi_json *v, uint64_t *out);
/* A number as a double; null gives NaN.  0 or MCPI_EINVAL. */
int mcpi_json_double(const mcpi_json *v, double *out);

#endif /* MCPI_JSON_READ_H */

/* status.c - the one place that maps status codes to messages and exit codes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mcpi_profile.h"

/* The core uses unsigned int and unsigned long long as its 32/64-bit words. */
_Static_assert(sizeof(unsigned int) == 4, "mcpi_u32 must be 32 bits");
_Static_assert(sizeof(unsigned long long) == 8, "mcpi_u64 must be 64 bits");

const char *mcpi_strerror(int status)
{
    switch (status) {
#define XX(id, val, msg, code)                                                                     \
    case val:                                                                                      \
        return msg;
        MCPI_STATUS_MAP(XX)
#undef XX
    default:
        return "unknown error";
    }
}

int mcpi_exit_code(int status)
{
    switch (status) {
#define XX(id, val, msg, code)                                                                     \
    case val:                                                                                      \
        return code;
        MCPI_STATUS_MAP(XX)
#undef XX
    default:
        return 1;
    }
}

void mcpi_set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return;
    int n = snprintf(err, errlen, "mcpi: ");
    if (n < 0 || (size_t)n >= errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

const char *mcpi_error_text(const char *err)
{
    static const char prefix[] = "mcpi: ";
    if (err == NULL)
        return "";
    return strncmp(err, prefix, sizeof prefix - 1) == 0 ? err + sizeof prefix - 1 : err;
}

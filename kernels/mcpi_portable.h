/* mcpi_portable.h - the few types and qualifiers the shared core needs, spelled
 * so that one source compiles as C11 on the host and as OpenCL C 1.2 on a
 * device.  Nothing from libc is used: OpenCL C has no <stdint.h>. */
#ifndef MCPI_PORTABLE_H
#define MCPI_PORTABLE_H

#if defined(__OPENCL_VERSION__) || defined(__OPENCL_C_VERSION__)
#define MCPI_OPENCL 1
typedef uint mcpi_u32;
typedef ulong mcpi_u64;
#define MCPI_FN static inline
#define MCPI_PRIVATE __private
#else
/* C11 guarantees unsigned int >= 16 bits only; every host we build for has a
 * 32-bit int, and host/core.c checks it with _Static_assert. */
typedef unsigned int mcpi_u32;
typedef unsigned long long mcpi_u64;
#define MCPI_FN static inline
#define MCPI_PRIVATE
#endif

#define MCPI_U32(x) ((mcpi_u32)(x##u))
#define MCPI_U64(x) ((mcpi_u64)(x##ull))

#endif /* MCPI_PORTABLE_H */

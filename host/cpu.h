/* cpu.h (private to host/) - what the CPU backends need to know of the CPU. */
#ifndef MCPI_CPU_H
#define MCPI_CPU_H

#include <stddef.h>

/* The CPU's model name ("AMD EPYC 9R14 96-Core Processor"), or "cpu". */
void mcpi_cpu_model(char *buf, size_t len);
/* Cores this process may run on (affinity mask, e.g. under MPI binding or
 * cgroups), at least 1. */
unsigned mcpi_cpu_usable(void);
/* Cores online on this node, at least 1. */
unsigned mcpi_cpu_online(void);

#endif /* MCPI_CPU_H */

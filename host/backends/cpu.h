/* cpu.h (private to the engine) - what the CPU backends need to know of the CPU. */
#ifndef MCPI_CPU_H
#define MCPI_CPU_H

#include <stddef.h>

#include "mcpi.h"

/* The CPU's model name ("AMD EPYC 9R14 96-Core Processor"), or "cpu". */
void mcpi_cpu_model(char *buf, size_t len);
/* Cores online on this node, at least 1. */
unsigned mcpi_cpu_online(void);
/* Fills out as the one CPU device of a CPU backend: id, the CPU's model as
 * description, isa and lanes (the instruction set the backend counts with)
 * and units (the cores it uses); everything else zero. */
void mcpi_cpu_device(mcpi_device_desc *out, const char *id, const char *isa, unsigned lanes,
                     unsigned units);

#endif /* MCPI_CPU_H */

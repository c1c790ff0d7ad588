/* mcpi_kernel.cl - the OpenCL kernel: hits over one launch's slice of samples.
 *
 * This file includes nothing.  The build (cmake/embed.cmake) concatenates
 * kernels/mcpi_portable.h, kernels/mcpi_core.h and this file, with their
 * #include "..." lines blanked, into the C string mcpi_kernel_source, so the
 * math below is the very mcpi_count_range() the CPU backends run.
 *
 * Launch contract (host/backend_opencl.c):
 *   - the launch counts samples [begin, begin + count); begin + count never
 *     exceeds 2^64 - 1 (the run's end), so begin + off + n below cannot wrap;
 *   - work-item g counts the contiguous sub-range [g*per_item, g*per_item + n)
 *     of that slice, n = min(per_item, count - g*per_item), nothing when
 *     g*per_item >= count; the host keeps global_size * per_item < 2^64;
 *   - each work-group sums its items' hits in local memory (scratch holds
 *     one ulong per item) and writes one ulong to partial[group id]; the host
 *     reads those back and adds them.  Any work-group size works, powers of
 *     two or not. */

#ifdef MCPI_BREAK_BUILD
/* Tests pass -DMCPI_BREAK_BUILD to check that build failures surface the log. */
#error "MCPI_BREAK_BUILD is defined: this build is broken on purpose"
#endif

__kernel void mcpi_count(ulong seed, ulong begin, ulong count, ulong per_item,
                         __global ulong *partial, __local ulong *scratch)
{
    const uint lid = (uint)get_local_id(0);
    const uint lsz = (uint)get_local_size(0);
    const ulong off = (ulong)get_global_id(0) * per_item;

    ulong hits = 0;
    if (off < count) {
        const ulong left = count - off;
        const ulong n = left < per_item ? left : per_item;
        hits = mcpi_count_range(seed, begin + off, begin + off + n);
    }
    scratch[lid] = hits;
    barrier(CLK_LOCAL_MEM_FENCE);

    /* Tree reduction over a power-of-two span covering lsz items; the
     * partner lid + stride is skipped when it lies past the group's end. */
    uint span = 1;
    while (span < lsz)
        span <<= 1;
    for (uint stride = span >> 1; stride > 0; stride >>= 1) {
        if (lid < stride && lid + stride < lsz)
            scratch[lid] += scratch[lid + stride];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0)
        partial[get_group_id(0)] = scratch[0];
}

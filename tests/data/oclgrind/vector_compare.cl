/* Oclgrind 21.10's --uninitialized check crashes (SIGSEGV) on any kernel with
 * a vector comparison; run by tests/opencl_impls_test.py oclgrind-bug. */
__kernel void vector_compare(__global ulong *out)
{
    ulong4 v = (ulong4)(get_global_id(0));
    ulong4 ge = as_ulong4(v >= (ulong4)(2));
    out[get_global_id(0)] = ge.s0 + ge.s1 + ge.s2 + ge.s3;
}

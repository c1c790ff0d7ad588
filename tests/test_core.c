/* test_core.c - the shared core (kernels/mcpi_core.h) against DESIGN section 1:
 * every Philox4x32-10 known answer, the hit-count known answers, the exact
 * inside test on both sides of the boundary, and range additivity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi_core.h"

__extension__ typedef unsigned __int128 u128;

static void test_philox_kat_file(void **state)
{
    (void)state;
    FILE *f = fopen(MCPI_TEST_DATA_DIR "/philox4x32_10_kat.txt", "r");
    assert_non_null(f);
    char line[512];
    int vectors = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        unsigned c[4], k[2], want[4];
        int n = sscanf(line, "%x %x %x %x %x %x %x %x %x %x", &c[0], &c[1], &c[2], &c[3], &k[0],
                       &k[1], &want[0], &want[1], &want[2], &want[3]);
        assert_int_equal(n, 10);
        mcpi_u32 ctr[4] = {c[0], c[1], c[2], c[3]}, key[2] = {k[0], k[1]}, out[4];
        mcpi_philox4x32_10(ctr, key, out);
        for (int i = 0; i < 4; ++i)
            assert_int_equal(out[i], want[i]);
        ++vectors;
    }
    fclose(f);
    assert_int_equal(vectors, 13); /* every vector of the file was tested */
}

static void test_philox_design_answers(void **state)
{
    (void)state;
    mcpi_u32 ctr[4] = {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
    mcpi_u32 key[2] = {0xa4093822, 0x299f31d0};
    mcpi_u32 out[4];
    mcpi_philox4x32_10(ctr, key, out);
    assert_int_equal(out[0], 0xd16cfe09);
    assert_int_equal(out[1], 0x94fdcceb);
    assert_int_equal(out[2], 0x5001e420);
    assert_int_equal(out[3], 0x24126ea1);
    /* out may alias ctr */
    mcpi_u32 io[4] = {0, 0, 0, 0}, zk[2] = {0, 0};
    mcpi_philox4x32_10(io, zk, io);
    assert_int_equal(io[0], 0x6627e8d5);
    assert_int_equal(io[3], 0x9b00dbd8);
}

static void test_inside_boundary(void **state)
{
    (void)state;
    const mcpi_u32 max = 0xFFFFFFFFu;
    assert_int_equal(mcpi_inside(0, max), 1);
    assert_int_equal(mcpi_inside(max, 0), 1);
    assert_int_equal(mcpi_inside(0, 0), 1);
    assert_int_equal(mcpi_inside(max, max), 0);
    /* For several u the largest v inside is floor(sqrt(2^64 - 1 - u^2)):
     * v is inside and v + 1 is not. */
    const mcpi_u32 us[] = {1,           12345,       0x80000000u, 0xB504F333u,
                           0xB504F334u, 0xFFFF0000u, 0xFFFFFFFEu};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; ++i) {
        u128 rem = ((u128)1 << 64) - (u128)us[i] * us[i];
        /* largest v with v*v < rem */
        uint64_t v = 0;
        for (int bit = 32; bit >= 0; --bit) {
            uint64_t t = v | (1ull << bit);
            if (t <= 0xFFFFFFFFull && (u128)t * t < rem)
                v = t;
        }
        assert_int_equal(mcpi_inside(us[i], (mcpi_u32)v), 1);
        if (v < 0xFFFFFFFFull)
            assert_int_equal(mcpi_inside(us[i], (mcpi_u32)(v + 1)), 0);
        /* symmetric */
        assert_int_equal(mcpi_inside((mcpi_u32)v, us[i]), 1);
    }
    /* 0xB504F333^2 + 0xB504F333^2 < 2^64 < 0xB504F334^2 * 2 */
    assert_int_equal(mcpi_inside(0xB504F333u, 0xB504F333u), 1);
    assert_int_equal(mcpi_inside(0xB504F334u, 0xB504F334u), 0);
}

static void test_hit_known_answers(void **state)
{
    (void)state;
    assert_int_equal(mcpi_count_range(0, 0, 10), 7);
    assert_int_equal(mcpi_count_range(0, 0, 1000), 783);
    assert_int_equal(mcpi_count_range(1, 0, 1000), 801);
    assert_int_equal(mcpi_count_range(42, 0, 1000000), 785856);
    assert_int_equal(mcpi_count_range(0, 8589934092ull, 8589935092ull), 784);
}

/* Hits of one sample, straight from the definition (no block logic). */
static mcpi_u64 one_sample(mcpi_u64 seed, mcpi_u64 i)
{
    mcpi_u64 m = i >> 1;
    mcpi_u32 ctr[4] = {(mcpi_u32)m, (mcpi_u32)(m >> 32), 0, 0};
    mcpi_u32 key[2] = {(mcpi_u32)seed, (mcpi_u32)(seed >> 32)};
    mcpi_u32 w[4];
    mcpi_philox4x32_10(ctr, key, w);
    return (i & 1) ? mcpi_inside(w[2], w[3]) : mcpi_inside(w[0], w[1]);
}

/* Every [base + lo, base + hi) for small lo <= hi against the definition,
 * on odd and even starts, across 2^32 and 2^33, and at the very top of the
 * stream: ranges ending exactly at 2^64 - 1 (the largest end there is) are
 * counted, and ranges whose end would wrap past it are skipped - and both
 * are counted so the guard provably does what it says. */
static void test_ranges_match_definition(void **state)
{
    (void)state;
    const mcpi_u64 top = 0xFFFFFFFFFFFFFFFFull;
    const mcpi_u64 bases[] = {
        0,        1,       4294967295ull, 8589934590ull, 8589934591ull, 0xFFFFFFFFFFFFFFC0ull,
        top - 39, top - 31};
    const mcpi_u64 seeds[] = {0, 1, 0xDEADBEEFCAFEF00Dull};
    unsigned at_top = 0, would_wrap = 0;
    for (size_t s = 0; s < 3; ++s) {
        for (size_t b = 0; b < sizeof bases / sizeof bases[0]; ++b) {
            mcpi_u64 base = bases[b];
            for (mcpi_u64 lo = 0; lo < 20; ++lo) {
                for (mcpi_u64 hi = lo; hi < 40; ++hi) {
                    if (hi > top - base) { /* base + hi would wrap past 2^64 - 1 */
                        ++would_wrap;
                        continue;
                    }
                    mcpi_u64 end = base + hi;
                    at_top += end == top;
                    mcpi_u64 want = 0;
                    for (mcpi_u64 i = base + lo; i < end; ++i)
                        want += one_sample(seeds[s], i);
                    assert_int_equal(mcpi_count_range(seeds[s], base + lo, end), want);
                }
            }
        }
    }
    /* Per seed: top - 39 ends at the top for hi = 39 (20 values of lo), and
     * top - 31 for hi = 31 (20 more); top - 31 wraps for hi = 32..39 (8 per lo). */
    assert_int_equal(at_top, 3 * (20 + 20));
    assert_int_equal(would_wrap, 3 * 20 * 8);
}

static void test_range_additivity_and_top(void **state)
{
    (void)state;
    /* Split points on odd and even indices sum to the whole. */
    mcpi_u64 whole = mcpi_count_range(7, 1000, 5001);
    mcpi_u64 parts = mcpi_count_range(7, 1000, 1333) + mcpi_count_range(7, 1333, 1334) +
                     mcpi_count_range(7, 1334, 4000) + mcpi_count_range(7, 4000, 5001);
    assert_int_equal(whole, parts);
    /* The last samples of the stream: end = 2^64 - 1. */
    const mcpi_u64 top = 0xFFFFFFFFFFFFFFFFull;
    mcpi_u64 want = 0;
    for (mcpi_u64 i = top - 33; i < top; ++i)
        want += one_sample(3, i);
    assert_int_equal(mcpi_count_range(3, top - 33, top), want);
    assert_int_equal(mcpi_count_range(3, top, top), 0);
    assert_int_equal(mcpi_count_range(3, 10, 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_philox_kat_file),
        cmocka_unit_test(test_philox_design_answers),
        cmocka_unit_test(test_inside_boundary),
        cmocka_unit_test(test_hit_known_answers),
        cmocka_unit_test(test_ranges_match_definition),
        cmocka_unit_test(test_range_additivity_and_top),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_simd.c - every vectorised counter this CPU can run is bit-identical to
 * the scalar core (kernels/mcpi_core.h) for every range shape: heads, tails,
 * lane alignments, the 2^32 and 2^33 sample boundaries, the end of the 64-bit
 * index space, seeds with high words.  Plus ISA selection errors and the
 * simd backend table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mcpi.h"
#include "mcpi_core.h"
#include "simd.h"

static const char *const isa_names[] = {"avx512", "avx2", "sse2", "portable"};

/* Deterministic 64-bit generator for the random cases (splitmix64). */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Selects isa, or skips the test when the CPU lacks it. */
static mcpi_simd_impl select_or_skip(const char *isa)
{
    mcpi_simd_impl impl;
    char err[256] = "";
    int rc = mcpi_simd_select(isa, &impl, err, sizeof err);
    if (rc == MCPI_EUNAVAIL) {
        print_message("%s: not supported by this CPU (%s)\n", isa, err);
        skip();
    }
    assert_int_equal(rc, MCPI_OK);
    assert_string_equal(impl.name, isa);
    assert_non_null(impl.count);
    assert_true(impl.lanes >= 1);
    return impl;
}

/* The counter under test agrees with the scalar core on [begin, end). */
static void check_range(const mcpi_simd_impl *impl, uint64_t seed, uint64_t begin, uint64_t end)
{
    uint64_t want = mcpi_count_range(seed, begin, end);
    uint64_t got = impl->count(seed, begin, end);
    if (got != want)
        fail_msg("%s: seed %llu [%llu, %llu): %llu hits, scalar core %llu", impl->name,
                 (unsigned long long)seed, (unsigned long long)begin, (unsigned long long)end,
                 (unsigned long long)got, (unsigned long long)want);
}

/* Ranges of lengths 0..len_max starting at every offset in [base, base + span). */
static void check_around(const mcpi_simd_impl *impl, uint64_t seed, uint64_t base, uint64_t span,
                         uint64_t len_max)
{
    for (uint64_t b = base; b - base < span; ++b)
        for (uint64_t len = 0; len <= len_max && len <= UINT64_MAX - b; len += 1 + len / 8)
            check_range(impl, seed, b, b + len);
}

static void known_answers(void **state)
{
    mcpi_simd_impl impl = select_or_skip(*state);
    assert_int_equal(impl.count(0, 0, 10), 7);
    assert_int_equal(impl.count(0, 0, 1000), 783);
    assert_int_equal(impl.count(1, 0, 1000), 801);
    assert_int_equal(impl.count(42, 0, 1000000), 785856);
    assert_int_equal(impl.count(0, UINT64_C(8589934092), UINT64_C(8589935092)), 784);
}

/* Every [begin, end) with 0 <= begin, end <= 70: every head, tail and lane
 * alignment of the widest vector (8 blocks = 16 samples, 4 vectors unrolled
 * = 64 samples), empty and reversed ranges included. */
static void small_ranges(void **state)
{
    mcpi_simd_impl impl = select_or_skip(*state);
    const uint64_t seeds[] = {0, 1, 42, UINT64_C(0xFFFFFFFF00000000), UINT64_MAX};
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; ++s)
        for (uint64_t b = 0; b <= 70; ++b)
            for (uint64_t e = 0; e <= 70; ++e)
                check_range(&impl, seeds[s], b, e);
}

/* Lengths past the unrolled loop, from even and odd starts. */
static void medium_ranges(void **state)
{
    mcpi_simd_impl impl = select_or_skip(*state);
    check_around(&impl, 7, 0, 34, 3000);
    check_around(&impl, 7, 1001, 3, 100000);
    check_range(&impl, 42, 1, 1000000);
    check_range(&impl, 42, 3, 999999);
}

/* Sample 2^32 (block 2^31) and sample 2^33 (block 2^32: hi32 of the counter
 * becomes 1), and block indices near 2^63 up to end = 2^64 - 1. */
static void boundary_ranges(void **state)
{
    mcpi_simd_impl impl = select_or_skip(*state);
    const uint64_t seed = UINT64_C(0x0123456789ABCDEF);
    check_around(&impl, seed, (UINT64_C(1) << 32) - 40, 17, 200);
    check_around(&impl, seed, (UINT64_C(1) << 33) - 40, 17, 200);
    check_range(&impl, seed, (UINT64_C(1) << 33) - 99999, (UINT64_C(1) << 33) + 100001);
    check_range(&impl, 0, UINT64_C(8589934092), UINT64_C(8589935092));
    check_around(&impl, seed, UINT64_MAX - 300, 300, 300);
    for (uint64_t len = 0; len <= 2000; ++len)
        check_range(&impl, seed, UINT64_MAX - len, UINT64_MAX);
    check_range(&impl, 3, UINT64_MAX - 123457, UINT64_MAX);
    check_range(&impl, 3, UINT64_MAX - 1, UINT64_MAX);
}

/* Random seeds (high words set too) and random ranges anywhere in [0, 2^64). */
static void random_ranges(void **state)
{
    mcpi_simd_impl impl = select_or_skip(*state);
    uint64_t rng = 2024;
    for (int i = 0; i < 3000; ++i) {
        uint64_t seed = splitmix64(&rng);
        if (i % 3 == 0)
            seed &= UINT64_C(0xFFFFFFFF00000000);
        else if (i % 3 == 1)
            seed >>= 32;
        uint64_t begin = splitmix64(&rng);
        if (i % 4 == 0)
            begin >>= 30; /* some near the low boundaries */
        uint64_t len = splitmix64(&rng) % (i % 10 == 0 ? 20000 : 300);
        uint64_t end = len > UINT64_MAX - begin ? UINT64_MAX : begin + len;
        check_range(&impl, seed, begin, end);
    }
}

static void unknown_isa_is_einval(void **state)
{
    (void)state;
    mcpi_simd_impl impl;
    char err[256] = "";
    assert_int_equal(mcpi_simd_select("avx1024", &impl, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "avx1024"));
    assert_non_null(strstr(err, "portable"));
    assert_int_equal(mcpi_simd_select("AVX2", &impl, err, sizeof err), MCPI_EINVAL);
}

/* Asking for an instruction set the CPU lacks is MCPI_EUNAVAIL; checkable
 * only on a CPU that lacks one. */
static void missing_isa_is_eunavail(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof isa_names / sizeof isa_names[0]; ++i) {
        mcpi_simd_impl impl;
        char err[256] = "";
        int rc = mcpi_simd_select(isa_names[i], &impl, err, sizeof err);
        if (rc == MCPI_OK)
            continue;
        assert_int_equal(rc, MCPI_EUNAVAIL);
        assert_non_null(strstr(err, isa_names[i]));
        return;
    }
    print_message("this CPU supports every instruction set\n");
    skip();
}

/* NULL or "" selects MCPI_ISA when set, else the widest supported set. */
static void default_and_environment(void **state)
{
    (void)state;
    const char *saved = getenv("MCPI_ISA");
    char *copy = saved != NULL ? strdup(saved) : NULL;
    mcpi_simd_impl impl;
    char err[256] = "";

    assert_int_equal(unsetenv("MCPI_ISA"), 0);
    assert_int_equal(mcpi_simd_select(NULL, &impl, err, sizeof err), MCPI_OK);
    for (size_t i = 0; i < sizeof isa_names / sizeof isa_names[0]; ++i) {
        mcpi_simd_impl probe;
        if (mcpi_simd_select(isa_names[i], &probe, err, sizeof err) == MCPI_OK) {
            assert_string_equal(impl.name, isa_names[i]); /* the widest one */
            break;
        }
    }
    assert_int_equal(setenv("MCPI_ISA", "portable", 1), 0);
    assert_int_equal(mcpi_simd_select("", &impl, err, sizeof err), MCPI_OK);
    assert_string_equal(impl.name, "portable");
    assert_int_equal(setenv("MCPI_ISA", "bogus", 1), 0);
    assert_int_equal(mcpi_simd_select(NULL, &impl, err, sizeof err), MCPI_EINVAL);
    assert_non_null(strstr(err, "MCPI_ISA"));

    if (copy != NULL)
        setenv("MCPI_ISA", copy, 1);
    else
        unsetenv("MCPI_ISA");
    free(copy);
}

/* The backend table: one device, open honours cfg->isa, count is exact. */
static void backend_table(void **state)
{
    (void)state;
    const mcpi_backend *b = &mcpi_backend_simd;
    char err[256] = "";
    mcpi_device_desc dev;
    size_t n = 0;
    assert_string_equal(b->name, "simd");
    assert_int_equal(b->exact, 1);
    assert_int_equal(b->list(&dev, 1, &n, err, sizeof err), MCPI_OK);
    assert_int_equal(n, 1);
    assert_string_equal(dev.id, "simd");
    assert_non_null(strstr(dev.description, dev.c_version));
    assert_int_equal(dev.compute_units, 1);

    mcpi_config cfg;
    memset(&cfg, 0, sizeof cfg);
    strcpy(cfg.isa, "portable");
    mcpi_record rec;
    memset(&rec, 0, sizeof rec);
    void *st = NULL;
    assert_int_equal(b->open(&dev, &cfg, &st, &rec, err, sizeof err), MCPI_OK);
    assert_int_equal(rec.threads, 1);
    assert_int_equal(rec.device_bytes, -1);
    assert_int_equal(rec.device_mem_bytes, -1);
    assert_non_null(strstr(rec.device, "portable"));
    mcpi_phases ph;
    memset(&ph, 0, sizeof ph);
    uint64_t hits = 0;
    assert_int_equal(b->count(st, 42, 0, 1000000, 0u, &hits, &ph, &rec, err, sizeof err), MCPI_OK);
    assert_int_equal(hits, 785856);
    assert_true(ph.mask & (1u << MCPI_PHASE_KERNEL));
    b->close(st);

    strcpy(cfg.isa, "bogus");
    st = NULL;
    assert_int_equal(b->open(&dev, &cfg, &st, &rec, err, sizeof err), MCPI_EINVAL);
    assert_null(st);
    b->close(NULL);
}

/* One test per instruction set, named "fn/isa", the set as initial state. */
/* clang-format off */
#define ISA_TEST(fn, isa) {#fn "/" isa, fn, NULL, NULL, (void *)isa}
/* clang-format on */
#define PER_ISA(fn)                                                                                \
    ISA_TEST(fn, "avx512"), ISA_TEST(fn, "avx2"), ISA_TEST(fn, "sse2"), ISA_TEST(fn, "portable")

int main(void)
{
    const struct CMUnitTest tests[] = {
        PER_ISA(known_answers),
        PER_ISA(small_ranges),
        PER_ISA(medium_ranges),
        PER_ISA(boundary_ranges),
        PER_ISA(random_ranges),
        cmocka_unit_test(unknown_isa_is_einval),
        cmocka_unit_test(missing_isa_is_eunavail),
        cmocka_unit_test(default_and_environment),
        cmocka_unit_test(backend_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

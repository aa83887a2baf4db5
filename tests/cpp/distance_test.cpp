// Distance kernels (rvf/distance.hpp, rvf/core/distance/*.hpp): every kernel at every level this
// machine runs, against the scalar reference and a double-precision oracle, on random data of
// awkward lengths; hand-computed values (spec §5 metrics, the spec §7.3 microkernel trace);
// exact agreement on integer-valued data; i8 extremes and wrap-around; f16 specials; and tails
// that end on an unreadable page, so any read past the last element crashes the test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <rvf/core/distance/metric.hpp>
#include <rvf/core/distance/scalar.hpp>
#include <rvf/core/f16.hpp>
#include <rvf/distance.hpp>

#if defined(__unix__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#include <unistd.h>
#define RVF_TEST_GUARD_PAGES 1
#endif

using rvf::DistanceKernels;
using rvf::KernelLevel;
using rvf::core::f16_to_f32;
using rvf::core::f32_to_f16;
namespace scalar = rvf::core::dist::scalar;

namespace {

constexpr size_t kDims[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 127, 128, 129, 384, 1000, 1536};
constexpr KernelLevel kAllLevels[] = {KernelLevel::Scalar, KernelLevel::Sse, KernelLevel::Avx2, KernelLevel::Avx512,
                                      KernelLevel::Simd128, KernelLevel::Neon};

std::vector<const DistanceKernels *> levels() {
    std::vector<const DistanceKernels *> out;
    for (KernelLevel l : kAllLevels)
        if (const DistanceKernels *k = rvf::kernels_for(l))
            out.push_back(k);
    return out;
}

// A double-precision oracle value and the sum of the absolute terms, which scales the rounding
// error any float summation order can make.
struct Oracle {
    double value = 0;
    double mag = 0;
};

// Rounding budget for a float sum of n terms in any order: ~√n·u·Σ|term| is the typical size
// (u = 2^-24); the factor 8 is slack. A missing or doubled element is ≥ Σ|term|/n, which is far
// larger for every n tested.
double tolerance(const Oracle &o, size_t n) {
    return 8.0 * std::ldexp(1.0, -24) * (std::sqrt(static_cast<double>(n)) + 1.0) * o.mag + 1e-30;
}

double widen(float v) { return v; }
double widen(uint16_t h) { return f16_to_f32(h); }

template <typename A, typename B> Oracle oracle_l2(const A *a, const B *b, size_t n) {
    Oracle o;
    for (size_t i = 0; i < n; ++i) {
        const double d = widen(a[i]) - widen(b[i]);
        o.value += d * d;
        o.mag += d * d;
    }
    return o;
}

template <typename A, typename B> Oracle oracle_dot(const A *a, const B *b, size_t n) {
    Oracle o;
    for (size_t i = 0; i < n; ++i) {
        const double p = widen(a[i]) * widen(b[i]);
        o.value += p;
        o.mag += std::fabs(p);
    }
    return o;
}

Oracle oracle_adc(const float *table, const uint8_t *codes, size_t m, size_t ksub) {
    Oracle o;
    for (size_t j = 0; j < m; ++j)
        if (codes[j] < ksub) {
            o.value += table[j * ksub + codes[j]];
            o.mag += std::fabs(table[j * ksub + codes[j]]);
        }
    return o;
}

int64_t oracle_l2_i8(const int8_t *a, const int8_t *b, size_t n) {
    int64_t s = 0;
    for (size_t i = 0; i < n; ++i)
        s += (int64_t{a[i]} - b[i]) * (int64_t{a[i]} - b[i]);
    return s;
}

int64_t oracle_dot_i8(const int8_t *a, const int8_t *b, size_t n) {
    int64_t s = 0;
    for (size_t i = 0; i < n; ++i)
        s += int64_t{a[i]} * b[i];
    return s;
}

uint32_t oracle_hamming(const uint8_t *a, const uint8_t *b, size_t n) {
    uint32_t c = 0;
    for (size_t i = 0; i < n; ++i)
        for (int bit = 0; bit < 8; ++bit)
            c += ((a[i] ^ b[i]) >> bit) & 1u;
    return c;
}

// Checks one float kernel result: the scalar reference against the oracle, the level against the
// scalar reference (twice the budget: both carry rounding error).
void expect_float(float level_result, float scalar_result, const Oracle &o, size_t n) {
    const double tol = tolerance(o, n);
    EXPECT_NEAR(scalar_result, o.value, tol) << "scalar reference vs double oracle";
    EXPECT_NEAR(level_result, scalar_result, 2 * tol) << "level vs scalar reference";
}

struct RandomData {
    std::mt19937 rng;
    explicit RandomData(uint32_t seed) : rng(seed) {}
    std::vector<float> f32(size_t n, float lo = -1.0f, float hi = 1.0f) {
        std::uniform_real_distribution<float> d(lo, hi);
        std::vector<float> v(n);
        for (auto &x : v)
            x = d(rng);
        return v;
    }
    std::vector<uint16_t> f16(size_t n, float lo = -2.0f, float hi = 2.0f) {
        std::uniform_real_distribution<float> d(lo, hi);
        std::vector<uint16_t> v(n);
        for (auto &h : v)
            h = f32_to_f16(d(rng));
        return v;
    }
    std::vector<int8_t> i8(size_t n) {
        std::uniform_int_distribution<int> d(-128, 127);
        std::vector<int8_t> v(n);
        for (auto &x : v)
            x = static_cast<int8_t>(d(rng));
        return v;
    }
    std::vector<uint8_t> u8(size_t n, int hi = 255) {
        std::uniform_int_distribution<int> d(0, hi);
        std::vector<uint8_t> v(n);
        for (auto &x : v)
            x = static_cast<uint8_t>(d(rng));
        return v;
    }
    std::vector<float> ints(size_t n, int lo, int hi) { // small integers, exactly representable
        std::uniform_int_distribution<int> d(lo, hi);
        std::vector<float> v(n);
        for (auto &x : v)
            x = static_cast<float>(d(rng));
        return v;
    }
};

std::vector<uint16_t> to_f16(const std::vector<float> &v) {
    std::vector<uint16_t> h(v.size());
    for (size_t i = 0; i < v.size(); ++i)
        h[i] = f32_to_f16(v[i]);
    return h;
}

std::string label(const DistanceKernels *k, size_t n) { return std::string(k->name) + " n=" + std::to_string(n); }

} // namespace

// --- dispatch ------------------------------------------------------------------------------------

TEST(DistanceDispatch, ScalarAlwaysAvailableAndBestIsChosen) {
    const DistanceKernels *s = rvf::kernels_for(KernelLevel::Scalar);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->level, KernelLevel::Scalar);
    EXPECT_STREQ(s->name, "scalar");
    // kernels() is the fastest available: preference Avx512 > Avx2 > Sse > Simd128 > Scalar (Neon,
    // on AArch64, is the only SIMD level there).
    KernelLevel best = KernelLevel::Scalar;
    for (KernelLevel l : {KernelLevel::Simd128, KernelLevel::Neon, KernelLevel::Sse, KernelLevel::Avx2, KernelLevel::Avx512})
        if (rvf::kernels_for(l))
            best = l;
    if (!std::getenv("RVF_KERNEL_LEVEL")) { // the override (tested below) changes the choice
        EXPECT_EQ(rvf::kernels().level, best);
        EXPECT_EQ(&rvf::kernels(), rvf::kernels_for(best)); // same table, chosen once
    }
    std::string names;
    for (const DistanceKernels *k : levels()) {
        EXPECT_STREQ(k->name, rvf::kernel_level_name(k->level));
        names += std::string(" ") + k->name;
    }
    std::printf("[ levels   ]%s (best: %s)\n", names.c_str(), rvf::kernels().name);
}

TEST(DistanceDispatch, LevelsMatchTheBuildTarget) {
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
    EXPECT_EQ(rvf::kernels_for(KernelLevel::Simd128), nullptr);
    // Every level x86-64 has implies the ones below it.
    if (rvf::kernels_for(KernelLevel::Avx512)) {
        EXPECT_NE(rvf::kernels_for(KernelLevel::Avx2), nullptr);
    }
    if (rvf::kernels_for(KernelLevel::Avx2)) {
        EXPECT_NE(rvf::kernels_for(KernelLevel::Sse), nullptr);
    }
#elif defined(__wasm_simd128__)
    EXPECT_NE(rvf::kernels_for(KernelLevel::Simd128), nullptr);
    EXPECT_EQ(rvf::kernels_for(KernelLevel::Avx2), nullptr);
#elif defined(__aarch64__)
    EXPECT_NE(rvf::kernels_for(KernelLevel::Neon), nullptr); // Advanced SIMD is AArch64 baseline
    EXPECT_EQ(rvf::kernels_for(KernelLevel::Avx2), nullptr);
#else
    EXPECT_EQ(rvf::kernels_for(KernelLevel::Simd128), nullptr);
    EXPECT_EQ(rvf::kernels_for(KernelLevel::Avx2), nullptr);
#endif
    EXPECT_EQ(rvf::kernels_for(static_cast<KernelLevel>(200)), nullptr);
    EXPECT_STREQ(rvf::kernel_level_name(KernelLevel::Avx2), "avx2");
    EXPECT_STREQ(rvf::kernel_level_name(KernelLevel::Simd128), "simd128");
}

#if defined(__unix__) && !defined(__EMSCRIPTEN__)
// RVF_KERNEL_LEVEL is read once per process, so the check runs in a child: this test binary again,
// filtered to ChildSeesOverride with the variable set.
TEST(DistanceDispatch, KernelLevelEnvOverride) {
    if (std::getenv("RVF_KERNEL_LEVEL"))
        GTEST_SKIP() << "running as the child";
    const std::string self = "/proc/" + std::to_string(getpid()) + "/exe";
    const std::string base = "RVF_KERNEL_LEVEL=%s " + self + " --gtest_filter=DistanceDispatch.ChildSeesOverride >/dev/null";
    char cmd[1024];
    std::snprintf(cmd, sizeof cmd, base.c_str(), "scalar");
    EXPECT_EQ(std::system(cmd), 0) << cmd;
    std::snprintf(cmd, sizeof cmd, base.c_str(), "no-such-level"); // ignored: the best level stays
    EXPECT_EQ(std::system(cmd), 0) << cmd;
}

TEST(DistanceDispatch, ChildSeesOverride) {
    const char *want = std::getenv("RVF_KERNEL_LEVEL");
    if (!want)
        GTEST_SKIP() << "only meaningful as KernelLevelEnvOverride's child";
    // A named level this CPU has is used; anything else leaves the best level.
    KernelLevel expect = KernelLevel::Scalar;
    for (KernelLevel l : {KernelLevel::Simd128, KernelLevel::Neon, KernelLevel::Sse, KernelLevel::Avx2, KernelLevel::Avx512})
        if (rvf::kernels_for(l))
            expect = l;
    for (KernelLevel l : {KernelLevel::Scalar, KernelLevel::Simd128, KernelLevel::Neon, KernelLevel::Sse, KernelLevel::Avx2,
                          KernelLevel::Avx512})
        if (rvf::kernels_for(l) && std::strcmp(rvf::kernel_level_name(l), want) == 0)
            expect = l;
    EXPECT_EQ(rvf::kernels().level, expect);
}
#endif

// --- hand-computed values -------------------------------------------------------------------------

TEST(DistanceKnown, SmallF32Vectors) {
    const float a[] = {1, 2, 3};
    const float b[] = {4, 6, 8};
    for (const DistanceKernels *k : levels()) {
        SCOPED_TRACE(k->name);
        EXPECT_EQ(k->l2sq_f32(a, b, 3), 50.0f); // 9 + 16 + 25, no sqrt
        EXPECT_EQ(k->dot_f32(a, b, 3), 40.0f);  // 4 + 12 + 24
        EXPECT_EQ(k->l2sq_f32(a, b, 0), 0.0f);
        EXPECT_EQ(k->dot_f32(a, b, 0), 0.0f);
        EXPECT_EQ(k->l2sq_f16(nullptr, nullptr, 0), 0.0f);
        EXPECT_EQ(k->l2sq_i8(nullptr, nullptr, 0), 0);
        EXPECT_EQ(k->hamming_bits(nullptr, nullptr, 0), 0u);
        EXPECT_EQ(k->adc_pq(nullptr, nullptr, 0, 256), 0.0f);
    }
}

TEST(DistanceKnown, MetricsOfTheStore) {
    using rvf::core::Metric;
    const float a[] = {1, 2, 3};
    const float b[] = {4, 6, 8};
    EXPECT_EQ(rvf::distance_f32(Metric::L2, a, b, 3), 50.0f);
    EXPECT_EQ(rvf::distance_f32(Metric::InnerProduct, a, b, 3), -40.0f); // IP distance = −dot
    const double cos_expected = 1.0 - 40.0 / std::sqrt(14.0 * 116.0);
    EXPECT_NEAR(rvf::distance_f32(Metric::Cosine, a, b, 3), cos_expected, 1e-6);

    const float neg[] = {-1, -2, -3};
    EXPECT_EQ(rvf::distance_f32(Metric::InnerProduct, a, neg, 3), 14.0f); // anti-aligned: positive
    EXPECT_NEAR(rvf::distance_f32(Metric::Cosine, a, a, 3), 0.0f, 1e-6);
    EXPECT_NEAR(rvf::distance_f32(Metric::Cosine, a, neg, 3), 2.0f, 1e-6);

    const float zero[] = {0, 0, 0};
    EXPECT_EQ(rvf::distance_f32(Metric::Cosine, a, zero, 3), 1.0f); // zero vector: exactly 1
    EXPECT_EQ(rvf::distance_f32(Metric::Cosine, zero, zero, 3), 1.0f);

    // Hamming over f32 = positions where (x > 0) differs; 0, −0 and NaN are "not > 0".
    const float h1[] = {1, -1, 0, 2, -0.0f, std::nanf(""), 3};
    const float h2[] = {1, 1, 1, -2, 0.0f, -1, 0.5f};
    EXPECT_EQ(rvf::distance_f32(Metric::Hamming, h1, h2, 7), 3.0f);
    EXPECT_EQ(rvf::distance_f32(Metric::Hamming, h1, h1, 7), 0.0f);

    EXPECT_TRUE(std::isnan(rvf::distance_f32(static_cast<Metric>(9), a, b, 3)));
}

TEST(DistanceKnown, CosineFromParts) {
    using rvf::core::dist::cosine_from_parts;
    EXPECT_EQ(cosine_from_parts(0.0f, 0.0f, 5.0f), 1.0f);
    EXPECT_EQ(cosine_from_parts(1.0f, 1e-8f, 1e-8f), 1.0f); // √(1e-16) = 1e-8 < FLT_EPSILON
    // Just at the threshold: denominator 2^-23 is not below FLT_EPSILON, so it is computed.
    EXPECT_EQ(cosine_from_parts(std::ldexp(1.0f, -23), std::ldexp(1.0f, -23), std::ldexp(1.0f, -23)), 0.0f);
    EXPECT_EQ(cosine_from_parts(3.0f, 9.0f, 1.0f), 0.0f);  // parallel
    EXPECT_EQ(cosine_from_parts(-3.0f, 9.0f, 1.0f), 2.0f); // opposite
    EXPECT_EQ(cosine_from_parts(0.0f, 4.0f, 9.0f), 1.0f);  // orthogonal
    // |a|²·|b|² overflows f32 although the denominator does not: still computed.
    EXPECT_NEAR(cosine_from_parts(1e38f, 1e38f, 1e38f), 0.0f, 1e-6);
    EXPECT_EQ(rvf::core::dist::ip_distance(2.5f), -2.5f);
}

// The measured trace of the shipped microkernel (spec §7.3): f16 query [1,2,3,4], block
// [[1,2,3,4],[0,0,0,0],[1,2,3,5]]: L2 0, 30, 1; IP −30, −0, −34; Hamming (bits of the raw f16
// bytes) 0, 9, 1; cosine ≈0, 1, 0.0060.
TEST(DistanceKnown, MicrokernelTraceF16) {
    const std::vector<uint16_t> q = to_f16({1, 2, 3, 4});
    const std::vector<std::vector<uint16_t>> rows = {to_f16({1, 2, 3, 4}), to_f16({0, 0, 0, 0}), to_f16({1, 2, 3, 5})};
    const float l2[] = {0, 30, 1}, ip[] = {-30, -0.0f, -34};
    const uint32_t ham[] = {0, 9, 1};
    const float cosd[] = {0, 1, 0.0060f};
    for (const DistanceKernels *k : levels()) {
        SCOPED_TRACE(k->name);
        for (size_t r = 0; r < 3; ++r) {
            EXPECT_EQ(k->l2sq_f16(rows[r].data(), q.data(), 4), l2[r]);
            EXPECT_EQ(rvf::core::dist::ip_distance(k->dot_f16(rows[r].data(), q.data(), 4)), ip[r]);
            EXPECT_EQ(k->hamming_bits(reinterpret_cast<const uint8_t *>(rows[r].data()),
                                      reinterpret_cast<const uint8_t *>(q.data()), 8),
                      ham[r]);
            const float c = rvf::core::dist::cosine_from_parts(k->dot_f16(rows[r].data(), q.data(), 4),
                                                               k->dot_f16(rows[r].data(), rows[r].data(), 4),
                                                               k->dot_f16(q.data(), q.data(), 4));
            EXPECT_NEAR(c, cosd[r], 1e-4);
        }
    }
}

TEST(DistanceKnown, PqAdcSumsTableRowsAndSkipsOutOfRangeCodes) {
    // m = 3 subspaces, ksub = 4 centroids: table[j][c] = 10·j + c.
    std::vector<float> table(12);
    for (size_t j = 0; j < 3; ++j)
        for (size_t c = 0; c < 4; ++c)
            table[j * 4 + c] = static_cast<float>(10 * j + c);
    const uint8_t codes[] = {1, 3, 0};
    const uint8_t bad[] = {1, 4, 255}; // 4 and 255 are ≥ ksub: contribute nothing
    for (const DistanceKernels *k : levels()) {
        SCOPED_TRACE(k->name);
        EXPECT_EQ(k->adc_pq(table.data(), codes, 3, 4), 1.0f + 13.0f + 20.0f);
        EXPECT_EQ(k->adc_pq(table.data(), bad, 3, 4), 1.0f);
        EXPECT_EQ(k->adc_pq(table.data(), codes, 3, 0), 0.0f);
    }
}

TEST(DistanceKnown, HammingBytes) {
    std::vector<uint8_t> ones(100, 0xFF), zeros(100, 0x00), alt(100, 0x55);
    for (const DistanceKernels *k : levels()) {
        SCOPED_TRACE(k->name);
        EXPECT_EQ(k->hamming_bits(ones.data(), zeros.data(), 100), 800u);
        EXPECT_EQ(k->hamming_bits(ones.data(), alt.data(), 100), 400u);
        EXPECT_EQ(k->hamming_bits(alt.data(), alt.data(), 100), 0u);
        EXPECT_EQ(k->hamming_bits(ones.data(), zeros.data(), 1), 8u);
    }
}

// --- random data, every level against the reference -------------------------------------------

TEST(DistanceRandom, F32) {
    RandomData rd(1);
    for (size_t n : kDims) {
        const auto a = rd.f32(n), b = rd.f32(n);
        const Oracle l2 = oracle_l2(a.data(), b.data(), n), dot = oracle_dot(a.data(), b.data(), n);
        const float s_l2 = scalar::l2sq_f32(a.data(), b.data(), n), s_dot = scalar::dot_f32(a.data(), b.data(), n);
        for (const DistanceKernels *k : levels()) {
            SCOPED_TRACE(label(k, n));
            expect_float(k->l2sq_f32(a.data(), b.data(), n), s_l2, l2, n);
            expect_float(k->dot_f32(a.data(), b.data(), n), s_dot, dot, n);
            // Unaligned starts (one element in) give the same sums over the shifted range.
            if (n > 1) {
                const Oracle l2u = oracle_l2(a.data() + 1, b.data() + 1, n - 1);
                expect_float(k->l2sq_f32(a.data() + 1, b.data() + 1, n - 1),
                             scalar::l2sq_f32(a.data() + 1, b.data() + 1, n - 1), l2u, n - 1);
            }
        }
    }
}

TEST(DistanceRandom, F16) {
    RandomData rd(2);
    for (size_t n : kDims) {
        const auto a = rd.f16(n), b = rd.f16(n);
        const auto q = rd.f32(n, -2.0f, 2.0f);
        const Oracle l2 = oracle_l2(a.data(), b.data(), n), dot = oracle_dot(a.data(), b.data(), n);
        const Oracle l2q = oracle_l2(a.data(), q.data(), n), dotq = oracle_dot(a.data(), q.data(), n);
        const float s_l2 = scalar::l2sq_f16(a.data(), b.data(), n), s_dot = scalar::dot_f16(a.data(), b.data(), n);
        const float s_l2q = scalar::l2sq_f16_f32(a.data(), q.data(), n);
        const float s_dotq = scalar::dot_f16_f32(a.data(), q.data(), n);
        for (const DistanceKernels *k : levels()) {
            SCOPED_TRACE(label(k, n));
            expect_float(k->l2sq_f16(a.data(), b.data(), n), s_l2, l2, n);
            expect_float(k->dot_f16(a.data(), b.data(), n), s_dot, dot, n);
            expect_float(k->l2sq_f16_f32(a.data(), q.data(), n), s_l2q, l2q, n);
            expect_float(k->dot_f16_f32(a.data(), q.data(), n), s_dotq, dotq, n);
            if (n > 1) {
                const Oracle u = oracle_dot(a.data() + 1, q.data() + 1, n - 1);
                expect_float(k->dot_f16_f32(a.data() + 1, q.data() + 1, n - 1),
                             scalar::dot_f16_f32(a.data() + 1, q.data() + 1, n - 1), u, n - 1);
            }
        }
    }
}

TEST(DistanceRandom, I8) {
    RandomData rd(3);
    for (size_t n : kDims) {
        const auto a = rd.i8(n), b = rd.i8(n);
        const int64_t l2 = oracle_l2_i8(a.data(), b.data(), n), dot = oracle_dot_i8(a.data(), b.data(), n);
        EXPECT_EQ(scalar::l2sq_i8(a.data(), b.data(), n), l2);
        EXPECT_EQ(scalar::dot_i8(a.data(), b.data(), n), dot);
        for (const DistanceKernels *k : levels()) {
            SCOPED_TRACE(label(k, n));
            EXPECT_EQ(k->l2sq_i8(a.data(), b.data(), n), l2);
            EXPECT_EQ(k->dot_i8(a.data(), b.data(), n), dot);
            if (n > 1) {
                EXPECT_EQ(k->dot_i8(a.data() + 1, b.data() + 1, n - 1),
                          oracle_dot_i8(a.data() + 1, b.data() + 1, n - 1));
            }
        }
    }
}

TEST(DistanceRandom, Hamming) {
    RandomData rd(4);
    for (size_t n : kDims) {
        const auto a = rd.u8(n), b = rd.u8(n);
        const uint32_t want = oracle_hamming(a.data(), b.data(), n);
        EXPECT_EQ(scalar::hamming_bits(a.data(), b.data(), n), want);
        for (const DistanceKernels *k : levels()) {
            SCOPED_TRACE(label(k, n));
            EXPECT_EQ(k->hamming_bits(a.data(), b.data(), n), want);
            if (n > 1) {
                EXPECT_EQ(k->hamming_bits(a.data() + 1, b.data() + 1, n - 1),
                          oracle_hamming(a.data() + 1, b.data() + 1, n - 1));
            }
        }
    }
}

TEST(DistanceRandom, PqAdc) {
    RandomData rd(5);
    for (size_t ksub : {size_t{1}, size_t{16}, size_t{200}, size_t{256}}) {
        for (size_t m : kDims) {
            const auto table = rd.f32(m * ksub, 0.0f, 4.0f);
            const auto codes = rd.u8(m); // for ksub < 256 most codes are out of range: skipped
            const Oracle o = oracle_adc(table.data(), codes.data(), m, ksub);
            const float s = scalar::adc_pq(table.data(), codes.data(), m, ksub);
            for (const DistanceKernels *k : levels()) {
                SCOPED_TRACE(label(k, m) + " ksub=" + std::to_string(ksub));
                expect_float(k->adc_pq(table.data(), codes.data(), m, ksub), s, o, m);
            }
        }
    }
}

// Integer-valued inputs make every partial sum exact, so all summation orders agree bit for bit:
// any lost, repeated or misplaced element shows up as an exact mismatch.
TEST(DistanceExact, IntegerValuedInputsGiveIdenticalResults) {
    RandomData rd(6);
    for (size_t n : kDims) {
        const auto a = rd.ints(n, -16, 16), b = rd.ints(n, -16, 16);
        const auto ha = to_f16(a), hb = to_f16(b);
        const float l2 = static_cast<float>(oracle_l2(a.data(), b.data(), n).value);
        const float dot = static_cast<float>(oracle_dot(a.data(), b.data(), n).value);
        const auto table = rd.ints(n * 256, 0, 1000);
        const auto codes = rd.u8(n);
        const float adc = static_cast<float>(oracle_adc(table.data(), codes.data(), n, 256).value);
        for (const DistanceKernels *k : levels()) {
            SCOPED_TRACE(label(k, n));
            EXPECT_EQ(k->l2sq_f32(a.data(), b.data(), n), l2);
            EXPECT_EQ(k->dot_f32(a.data(), b.data(), n), dot);
            EXPECT_EQ(k->l2sq_f16(ha.data(), hb.data(), n), l2);
            EXPECT_EQ(k->dot_f16(ha.data(), hb.data(), n), dot);
            EXPECT_EQ(k->l2sq_f16_f32(ha.data(), b.data(), n), l2);
            EXPECT_EQ(k->dot_f16_f32(ha.data(), b.data(), n), dot);
            EXPECT_EQ(k->adc_pq(table.data(), codes.data(), n, 256), adc);
        }
    }
}

// --- i8 extremes -----------------------------------------------------------------------------------

TEST(DistanceI8, ExtremesDoNotOverflow) {
    for (size_t n : {size_t{1}, size_t{31}, size_t{64}, size_t{1000}, size_t{4096}}) {
        const std::vector<int8_t> lo(n, -128), hi(n, 127);
        std::vector<int8_t> alt(n);
        for (size_t i = 0; i < n; ++i)
            alt[i] = (i & 1) ? int8_t{127} : int8_t{-128};
        const auto N = static_cast<int64_t>(n);
        for (const DistanceKernels *k : levels()) {
            SCOPED_TRACE(label(k, n));
            EXPECT_EQ(k->dot_i8(lo.data(), lo.data(), n), N * 16384); // (−128)·(−128)
            EXPECT_EQ(k->dot_i8(lo.data(), hi.data(), n), N * -16256);
            EXPECT_EQ(k->dot_i8(hi.data(), hi.data(), n), N * 16129);
            EXPECT_EQ(k->l2sq_i8(lo.data(), hi.data(), n), N * 65025); // 255²
            EXPECT_EQ(k->l2sq_i8(hi.data(), lo.data(), n), N * 65025);
            EXPECT_EQ(k->dot_i8(alt.data(), alt.data(), n), oracle_dot_i8(alt.data(), alt.data(), n));
            EXPECT_EQ(k->l2sq_i8(alt.data(), lo.data(), n), oracle_l2_i8(alt.data(), lo.data(), n));
        }
    }
}

TEST(DistanceI8, DocumentedBoundAndWrapAround) {
    // l2sq_i8 is exact up to n = 33025 (33025·65025 < 2^31); beyond, every level wraps mod 2^32
    // the same way.
    const size_t bound = 33025, over = 40001;
    const std::vector<int8_t> lo(over, -128), hi(over, 127);
    for (const DistanceKernels *k : levels()) {
        SCOPED_TRACE(k->name);
        EXPECT_EQ(k->l2sq_i8(lo.data(), hi.data(), bound), int64_t{33025} * 65025);
        const auto wrapped = static_cast<int32_t>(static_cast<uint32_t>(uint64_t{over} * 65025u));
        EXPECT_EQ(k->l2sq_i8(lo.data(), hi.data(), over), wrapped);
    }
}

// --- f16 specials ------------------------------------------------------------------------------------

TEST(DistanceF16, SpecialValuesBehaveAsScalar) {
    // ±0, smallest/largest subnormal, smallest normal, max finite, ±inf, quiet and signalling NaN.
    const uint16_t specials[] = {0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400,
                                 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0x7C01};
    RandomData rd(7);
    for (size_t n : {size_t{5}, size_t{16}, size_t{37}, size_t{129}}) {
        for (uint16_t sp : specials) {
            for (size_t pos : {size_t{0}, n / 2, n - 1}) { // main loop and tail positions
                auto a = rd.f16(n), b = rd.f16(n);
                auto q = rd.f32(n);
                a[pos] = sp;
                const float sl2 = scalar::l2sq_f16(a.data(), b.data(), n),
                            sdot = scalar::dot_f16(a.data(), b.data(), n);
                const float sl2q = scalar::l2sq_f16_f32(a.data(), q.data(), n);
                const float sdotq = scalar::dot_f16_f32(a.data(), q.data(), n);
                // The reference itself: NaN/inf exactly where the double oracle has them.
                const double ol2 = oracle_l2(a.data(), b.data(), n).value;
                EXPECT_EQ(std::isnan(sl2), std::isnan(ol2));
                EXPECT_EQ(std::isinf(sl2), std::isinf(ol2));
                const double odot = oracle_dot(a.data(), b.data(), n).value;
                EXPECT_EQ(std::isnan(sdot), std::isnan(odot));
                EXPECT_EQ(std::isinf(sdot), std::isinf(odot));
                for (const DistanceKernels *k : levels()) {
                    SCOPED_TRACE(label(k, n) + " special=" + std::to_string(sp) + " at " + std::to_string(pos));
                    const float got[] = {k->l2sq_f16(a.data(), b.data(), n), k->dot_f16(a.data(), b.data(), n),
                                         k->l2sq_f16_f32(a.data(), q.data(), n), k->dot_f16_f32(a.data(), q.data(), n)};
                    const float want[] = {sl2, sdot, sl2q, sdotq};
                    for (int i = 0; i < 4; ++i) {
                        if (std::isnan(want[i])) {
                            EXPECT_TRUE(std::isnan(got[i])) << "kernel " << i;
                        } else if (std::isinf(want[i])) {
                            EXPECT_EQ(got[i], want[i]) << "kernel " << i;
                        } else {
                            EXPECT_NEAR(got[i], want[i], 1e-4 * (1.0 + std::fabs(want[i]))) << "kernel " << i;
                        }
                    }
                }
            }
        }
    }
}

// Every one of the 65536 binary16 patterns, widened by every level in both the vector body and
// the tail: x·1 summed with zeros must give f16_to_f32(x) exactly (NaN stays NaN; −0 may come
// back as +0 from the sum).
TEST(DistanceF16, WideningIsExactForAllPatterns) {
    EXPECT_EQ(scalar::detail::f16_bits_to_f32(0x3C00), 1.0f);
    for (uint32_t h = 0; h <= 0xFFFF; ++h) { // the scalar helper, bit for bit
        const float want = f16_to_f32(static_cast<uint16_t>(h));
        const float got = scalar::detail::f16_bits_to_f32(static_cast<uint16_t>(h));
        ASSERT_EQ(__builtin_bit_cast(uint32_t, got), __builtin_bit_cast(uint32_t, want)) << "h=" << h;
    }
    for (const DistanceKernels *k : levels()) {
        SCOPED_TRACE(k->name);
        for (size_t pos : {size_t{0}, size_t{5}, size_t{18}}) { // n = 19: body lanes and the tail
            std::vector<uint16_t> a(19, 0);
            std::vector<float> ones(19, 1.0f);
            size_t mismatches = 0;
            for (uint32_t h = 0; h <= 0xFFFF; ++h) {
                a[pos] = static_cast<uint16_t>(h);
                const float want = f16_to_f32(static_cast<uint16_t>(h));
                const float got = k->dot_f16_f32(a.data(), ones.data(), 19);
                const bool ok = std::isnan(want) ? std::isnan(got) : got == want;
                if (!ok && ++mismatches <= 3)
                    ADD_FAILURE() << "pos " << pos << " h=0x" << std::hex << h << " got " << got << " want " << want;
            }
            EXPECT_EQ(mismatches, 0u) << "pos " << pos;
        }
    }
}

TEST(DistanceF16, SubnormalsAreWidenedExactly) {
    // Squares and products of f16 subnormals (k·2^-24) are exact in f32 and their sums stay exact
    // for these lengths, so every level must return the same bits as the scalar reference.
    for (size_t n : {size_t{3}, size_t{8}, size_t{16}, size_t{19}}) {
        std::vector<uint16_t> a(n), b(n);
        for (size_t i = 0; i < n; ++i) {
            a[i] = static_cast<uint16_t>(0x0001 + 61 * i);            // positive subnormals
            b[i] = static_cast<uint16_t>(0x8000 | (0x03FF - 53 * i)); // negative subnormals
        }
        std::vector<float> bf(n);
        for (size_t i = 0; i < n; ++i)
            bf[i] = f16_to_f32(b[i]);
        // The double oracle is exact here, so the scalar reference must equal it too.
        const float l2 = static_cast<float>(oracle_l2(a.data(), b.data(), n).value);
        const float dot = static_cast<float>(oracle_dot(a.data(), b.data(), n).value);
        EXPECT_EQ(scalar::l2sq_f16(a.data(), b.data(), n), l2);
        EXPECT_EQ(scalar::dot_f16(a.data(), b.data(), n), dot);
        EXPECT_GT(l2, 0.0f);
        EXPECT_LT(dot, 0.0f);
        for (const DistanceKernels *k : levels()) {
            SCOPED_TRACE(label(k, n));
            EXPECT_EQ(k->l2sq_f16(a.data(), b.data(), n), l2);
            EXPECT_EQ(k->dot_f16(a.data(), b.data(), n), dot);
            EXPECT_EQ(k->l2sq_f16_f32(a.data(), bf.data(), n), l2);
            EXPECT_EQ(k->dot_f16_f32(a.data(), bf.data(), n), dot);
        }
    }
}

// --- reads stay inside the vectors -----------------------------------------------------------------

#if RVF_TEST_GUARD_PAGES
namespace {
// `bytes` of writable memory that end exactly where an inaccessible page begins.
class GuardedBuffer {
public:
    explicit GuardedBuffer(size_t bytes) {
        const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
        span_ = (bytes + page - 1) / page * page + page;
        base_ =
            static_cast<uint8_t *>(mmap(nullptr, span_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (base_ == MAP_FAILED) {
            base_ = nullptr;
            return;
        }
        guard_ = base_ + span_ - page;
        if (mprotect(guard_, page, PROT_NONE) != 0)
            guard_ = nullptr;
        data_ = guard_ ? guard_ - bytes : nullptr;
    }
    ~GuardedBuffer() {
        if (base_)
            munmap(base_, span_);
    }
    GuardedBuffer(const GuardedBuffer &) = delete;
    GuardedBuffer &operator=(const GuardedBuffer &) = delete;
    template <typename T> T *as() { return reinterpret_cast<T *>(data_); }
    bool ok() const { return data_ != nullptr; }

private:
    uint8_t *base_ = nullptr, *guard_ = nullptr, *data_ = nullptr;
    size_t span_ = 0;
};

template <typename T> T *guarded_copy(GuardedBuffer &g, const std::vector<T> &v) {
    std::memcpy(g.as<T>(), v.data(), v.size() * sizeof(T));
    return g.as<T>();
}
} // namespace

TEST(DistanceBounds, TailsNeverReadPastTheEnd) {
    RandomData rd(8);
    for (size_t n = 1; n <= 80; ++n) {
        const auto fa = rd.f32(n), fb = rd.f32(n);
        const auto ha = rd.f16(n), hb = rd.f16(n);
        const auto ia = rd.i8(n), ib = rd.i8(n);
        const auto ua = rd.u8(n), ub = rd.u8(n);
        const auto table = rd.f32(n * 256);
        GuardedBuffer gfa(n * 4), gfb(n * 4), gha(n * 2), ghb(n * 2), gia(n), gib(n), gua(n), gub(n), gt(n * 256 * 4),
            gc(n);
        ASSERT_TRUE(gfa.ok() && gfb.ok() && gha.ok() && ghb.ok() && gia.ok() && gib.ok() && gua.ok() && gub.ok() &&
                    gt.ok() && gc.ok());
        const float *pfa = guarded_copy(gfa, fa), *pfb = guarded_copy(gfb, fb), *pt = guarded_copy(gt, table);
        const uint16_t *pha = guarded_copy(gha, ha), *phb = guarded_copy(ghb, hb);
        const int8_t *pia = guarded_copy(gia, ia), *pib = guarded_copy(gib, ib);
        const uint8_t *pua = guarded_copy(gua, ua), *pub = guarded_copy(gub, ub), *pc = guarded_copy(gc, ua);
        for (const DistanceKernels *k : levels()) {
            SCOPED_TRACE(label(k, n));
            // A read past the end faults (SIGSEGV) instead of returning; the values are checked
            // elsewhere, here they only have to be finite.
            EXPECT_TRUE(std::isfinite(k->l2sq_f32(pfa, pfb, n)));
            EXPECT_TRUE(std::isfinite(k->dot_f32(pfa, pfb, n)));
            EXPECT_TRUE(std::isfinite(k->l2sq_f16(pha, phb, n)));
            EXPECT_TRUE(std::isfinite(k->dot_f16(pha, phb, n)));
            EXPECT_TRUE(std::isfinite(k->l2sq_f16_f32(pha, pfb, n)));
            EXPECT_TRUE(std::isfinite(k->dot_f16_f32(pha, pfb, n)));
            EXPECT_EQ(k->l2sq_i8(pia, pib, n), oracle_l2_i8(ia.data(), ib.data(), n));
            EXPECT_EQ(k->dot_i8(pia, pib, n), oracle_dot_i8(ia.data(), ib.data(), n));
            EXPECT_EQ(k->hamming_bits(pua, pub, n), oracle_hamming(ua.data(), ub.data(), n));
            EXPECT_TRUE(std::isfinite(k->adc_pq(pt, pc, n, 256)));
        }
    }
}
#endif

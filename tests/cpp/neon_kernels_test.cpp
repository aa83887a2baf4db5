// SIMD kernels against the scalar reference on every length 0..300 and unaligned starts (issue 15:
// the AArch64 NEON kernels, runtime/src/distance/neon_kernels.cpp). On AArch64 the Neon level must
// exist and be the one kernels() picks; on other targets the same checks run over whatever SIMD
// levels the machine has (SSE/AVX2/AVX-512, simd128), so the test is never empty where it is built.
// The AArch64 build runs under qemu-user from scripts/test.sh (stage portable-arm64).
//
// Tolerance (floats): both results are float sums of the same n terms in different orders (and
// the SIMD ones fuse multiply-adds); each lies within ~√n·2^-24·Σ|term| of the exact sum in
// practice, so they must agree within 16·2^-24·(√n + 1)·Σ|term| (Σ in double). A dropped, doubled
// or misread element moves the result by about Σ|term|/n, far outside that for n ≤ 300.
// Integer kernels (i8, Hamming) must agree exactly, including wrap-around mod 2^32.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

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

constexpr size_t kMaxLen = 300;
constexpr size_t kMaxShift = 3; // elements: starts at +0..+3 from a 64-byte boundary

std::vector<const DistanceKernels *> simd_levels() {
    std::vector<const DistanceKernels *> out;
    for (KernelLevel l : {KernelLevel::Sse, KernelLevel::Avx2, KernelLevel::Avx512, KernelLevel::Simd128, KernelLevel::Neon})
        if (const DistanceKernels *k = rvf::kernels_for(l))
            out.push_back(k);
    return out;
}

// xorshift64*: the same sequence on every platform and standard library (std::uniform_*
// distributions are implementation-defined).
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed) {}
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1DULL;
    }
    float unit() { return static_cast<float>(next() >> 40) * 0x1p-23f - 1.0f; } // [-1, 1)
    // Any finite binary16, subnormals included (exponent 31, inf/NaN, is redrawn).
    uint16_t finite_f16() {
        for (;;) {
            const auto h = static_cast<uint16_t>(next() >> 48);
            if ((h & 0x7C00u) != 0x7C00u)
                return h;
        }
    }
};

// Operands live at a chosen element offset inside 64-byte-aligned storage.
template <typename T> struct Buf {
    std::vector<T> store;
    T *p;
    Buf(size_t n, size_t shift) : store(n + kMaxShift + 64 / sizeof(T)) {
        auto addr = reinterpret_cast<uintptr_t>(store.data());
        const uintptr_t aligned = (addr + 63) & ~uintptr_t{63};
        p = reinterpret_cast<T *>(aligned) + shift;
    }
};

double widen(float v) { return v; }
double widen(uint16_t h) { return f16_to_f32(h); }

template <typename A, typename B> double mag_l2(const A *a, const B *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; ++i)
        m += (widen(a[i]) - widen(b[i])) * (widen(a[i]) - widen(b[i]));
    return m;
}

template <typename A, typename B> double mag_dot(const A *a, const B *b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; ++i)
        m += std::fabs(widen(a[i]) * widen(b[i]));
    return m;
}

double tolerance(double mag, size_t n) {
    return 16.0 * std::ldexp(1.0, -24) * (std::sqrt(static_cast<double>(n)) + 1.0) * mag + 1e-30;
}

std::string where(const DistanceKernels *k, const char *fn, size_t n, size_t sa, size_t sb) {
    return std::string(k->name) + "." + fn + " n=" + std::to_string(n) + " shifts=" + std::to_string(sa) + "," +
           std::to_string(sb);
}

// Runs `check(n, shift_a, shift_b)` for every length and a spread of start offsets (both
// operands aligned, either one off, both off by different amounts).
template <typename F> void for_lengths_and_shifts(F check) {
    static constexpr size_t kShifts[][2] = {{0, 0}, {1, 0}, {0, 3}, {2, 1}, {3, 3}};
    for (size_t n = 0; n <= kMaxLen; ++n)
        for (const auto &s : kShifts)
            check(n, s[0], s[1]);
}

} // namespace

TEST(NeonKernels, PresentAndChosenOnAarch64) {
#if defined(__aarch64__) && !defined(__EMSCRIPTEN__)
    const DistanceKernels *k = rvf::kernels_for(KernelLevel::Neon);
    ASSERT_NE(k, nullptr) << "the NEON table is missing from this AArch64 build (runtime/src/distance/neon_kernels.cpp)";
    EXPECT_STREQ(k->name, "neon");
    EXPECT_EQ(k->level, KernelLevel::Neon);
    if (!std::getenv("RVF_KERNEL_LEVEL"))
        EXPECT_EQ(&rvf::kernels(), k) << "kernels() should pick NEON on AArch64";
#else
    EXPECT_EQ(rvf::kernels_for(KernelLevel::Neon), nullptr) << "the Neon level exists only on AArch64";
#endif
    EXPECT_STREQ(rvf::kernel_level_name(KernelLevel::Neon), "neon");
    std::printf("[ levels   ] best: %s; SIMD levels checked here:", rvf::kernels().name);
    for (const DistanceKernels *s : simd_levels())
        std::printf(" %s", s->name);
    std::printf("\n");
}

TEST(NeonKernels, F32MatchesScalar) {
    for (const DistanceKernels *k : simd_levels()) {
        Rng rng(0xF32);
        for_lengths_and_shifts([&](size_t n, size_t sa, size_t sb) {
            Buf<float> a(n, sa), b(n, sb);
            for (size_t i = 0; i < n; ++i) {
                a.p[i] = rng.unit();
                b.p[i] = rng.unit();
            }
            EXPECT_NEAR(k->l2sq_f32(a.p, b.p, n), scalar::l2sq_f32(a.p, b.p, n), tolerance(mag_l2(a.p, b.p, n), n))
                << where(k, "l2sq_f32", n, sa, sb);
            EXPECT_NEAR(k->dot_f32(a.p, b.p, n), scalar::dot_f32(a.p, b.p, n), tolerance(mag_dot(a.p, b.p, n), n))
                << where(k, "dot_f32", n, sa, sb);
        });
    }
}

TEST(NeonKernels, F16MatchesScalar) {
    for (const DistanceKernels *k : simd_levels()) {
        Rng rng(0xF16);
        for_lengths_and_shifts([&](size_t n, size_t sa, size_t sb) {
            // Every finite f16 bit pattern is possible for `a` (subnormals to 65504); `b` holds
            // values near 1 so the sums stay finite whatever `a` draws.
            Buf<uint16_t> a(n, sa), b(n, sb);
            Buf<float> q(n, sb);
            for (size_t i = 0; i < n; ++i) {
                a.p[i] = rng.finite_f16();
                b.p[i] = f32_to_f16(rng.unit());
                q.p[i] = rng.unit();
            }
            EXPECT_NEAR(k->l2sq_f16(a.p, b.p, n), scalar::l2sq_f16(a.p, b.p, n), tolerance(mag_l2(a.p, b.p, n), n))
                << where(k, "l2sq_f16", n, sa, sb);
            EXPECT_NEAR(k->dot_f16(a.p, b.p, n), scalar::dot_f16(a.p, b.p, n), tolerance(mag_dot(a.p, b.p, n), n))
                << where(k, "dot_f16", n, sa, sb);
            EXPECT_NEAR(k->l2sq_f16_f32(a.p, q.p, n), scalar::l2sq_f16_f32(a.p, q.p, n),
                        tolerance(mag_l2(a.p, q.p, n), n))
                << where(k, "l2sq_f16_f32", n, sa, sb);
            EXPECT_NEAR(k->dot_f16_f32(a.p, q.p, n), scalar::dot_f16_f32(a.p, q.p, n),
                        tolerance(mag_dot(a.p, q.p, n), n))
                << where(k, "dot_f16_f32", n, sa, sb);
        });
    }
}

// f16 widening must be exact for subnormals (a flush to zero would lose them) and keep ±inf/NaN.
TEST(NeonKernels, F16SubnormalsInfAndNaN) {
    for (const DistanceKernels *k : simd_levels()) {
        SCOPED_TRACE(k->name);
        for (size_t n : {size_t{4}, size_t{16}, size_t{37}, size_t{300}}) {
            std::vector<uint16_t> tiny(n, 0x0001); // 2^-24, the smallest subnormal
            std::vector<uint16_t> zero(n, 0x0000);
            std::vector<float> one(n, 1.0f);
            // Every partial sum is a small multiple of 2^-24 (or 2^-48): exact in any order.
            EXPECT_EQ(k->dot_f16_f32(tiny.data(), one.data(), n), static_cast<float>(n) * 0x1p-24f) << n;
            EXPECT_EQ(k->l2sq_f16(tiny.data(), zero.data(), n), static_cast<float>(n) * 0x1p-48f) << n;
            std::vector<uint16_t> with_inf = zero, with_nan = zero;
            with_inf[n - 1] = 0x7C00; // +inf in the last (tail) element
            with_nan[n / 2] = 0x7E00; // a quiet NaN in the middle
            EXPECT_TRUE(std::isinf(k->l2sq_f16(with_inf.data(), zero.data(), n))) << n;
            EXPECT_TRUE(std::isnan(k->dot_f16_f32(with_nan.data(), one.data(), n))) << n;
        }
    }
}

TEST(NeonKernels, I8AndHammingMatchScalarExactly) {
    for (const DistanceKernels *k : simd_levels()) {
        Rng rng(0x18);
        for_lengths_and_shifts([&](size_t n, size_t sa, size_t sb) {
            Buf<int8_t> a(n, sa), b(n, sb);
            for (size_t i = 0; i < n; ++i) {
                a.p[i] = static_cast<int8_t>(rng.next() >> 56);
                b.p[i] = static_cast<int8_t>(rng.next() >> 56);
            }
            EXPECT_EQ(k->l2sq_i8(a.p, b.p, n), scalar::l2sq_i8(a.p, b.p, n)) << where(k, "l2sq_i8", n, sa, sb);
            EXPECT_EQ(k->dot_i8(a.p, b.p, n), scalar::dot_i8(a.p, b.p, n)) << where(k, "dot_i8", n, sa, sb);
            const auto *ua = reinterpret_cast<const uint8_t *>(a.p), *ub = reinterpret_cast<const uint8_t *>(b.p);
            EXPECT_EQ(k->hamming_bits(ua, ub, n), scalar::hamming_bits(ua, ub, n)) << where(k, "hamming_bits", n, sa, sb);
        });
    }
}

// Extremes: −128 against 127 gives the largest square (65025) and product magnitudes; 40,000 of
// them exceed 2^31, so the results wrap, and every level must wrap exactly as scalar does.
TEST(NeonKernels, I8ExtremesAndWrapAround) {
    for (const DistanceKernels *k : simd_levels()) {
        SCOPED_TRACE(k->name);
        for (size_t n : {size_t{16}, size_t{17}, size_t{255}, size_t{40000}}) {
            const std::vector<int8_t> lo(n, -128), hi(n, 127);
            EXPECT_EQ(k->l2sq_i8(lo.data(), hi.data(), n), scalar::l2sq_i8(lo.data(), hi.data(), n)) << n;
            EXPECT_EQ(k->dot_i8(lo.data(), lo.data(), n), scalar::dot_i8(lo.data(), lo.data(), n)) << n;
            EXPECT_EQ(k->dot_i8(lo.data(), hi.data(), n), scalar::dot_i8(lo.data(), hi.data(), n)) << n;
        }
        EXPECT_EQ(k->l2sq_i8(std::vector<int8_t>(16, -128).data(), std::vector<int8_t>(16, 127).data(), 16), 16 * 65025);
    }
}

#if RVF_TEST_GUARD_PAGES
// Operands that end exactly at an unreadable page: a kernel that reads one element past the end
// crashes the test instead of passing by luck.
TEST(NeonKernels, NoReadPastTheEnd) {
    const auto page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void *m = mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(m, MAP_FAILED);
    auto *base = static_cast<uint8_t *>(m);
    std::memset(base, 0, page);
    ASSERT_EQ(mprotect(base + page, page, PROT_NONE), 0);
    uint8_t *end = base + page;
    for (const DistanceKernels *k : simd_levels())
        for (size_t n = 0; n <= 70; ++n) {
            const auto *f = reinterpret_cast<const float *>(end) - n;
            const auto *h = reinterpret_cast<const uint16_t *>(end) - n;
            const auto *i8 = reinterpret_cast<const int8_t *>(end) - n;
            const uint8_t *u8 = end - n;
            EXPECT_EQ(k->l2sq_f32(f, f, n), 0.0f);
            EXPECT_EQ(k->dot_f32(f, f, n), 0.0f);
            EXPECT_EQ(k->l2sq_f16(h, h, n), 0.0f);
            EXPECT_EQ(k->dot_f16(h, h, n), 0.0f);
            EXPECT_EQ(k->l2sq_f16_f32(h, f, n), 0.0f);
            EXPECT_EQ(k->dot_f16_f32(h, f, n), 0.0f);
            EXPECT_EQ(k->l2sq_i8(i8, i8, n), 0);
            EXPECT_EQ(k->dot_i8(i8, i8, n), 0);
            EXPECT_EQ(k->hamming_bits(u8, u8, n), 0u);
        }
    munmap(m, 2 * page);
}
#endif

// f16 / bf16 conversions (rvf/core/f16.hpp): spec check values, rounding, subnormals, specials,
// and agreement with an independent double-arithmetic oracle (and _Float16 where the compiler has it).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include <rvf/core/f16.hpp>

using namespace rvf::core;

namespace {
float bits_f(uint32_t u) { return __builtin_bit_cast(float, u); }
uint32_t f_bits(float f) { return __builtin_bit_cast(uint32_t, f); }

// Oracle: round |f| to a multiple of the binary16 ulp of its binade with nearbyint (ties to even,
// default rounding mode), all in double where every step is exact.
uint16_t ref_f32_to_f16(float f) {
    const uint16_t sign = std::signbit(f) ? 0x8000 : 0;
    if (std::isnan(f))
        return 0x7E00;
    const double a = std::fabs(static_cast<double>(f));
    if (std::isinf(f) || a >= 65520.0)
        return sign | 0x7C00;
    if (a == 0.0)
        return sign;
    int e = 0;
    std::frexp(a, &e); // a = m · 2^e, m in [0.5, 1)
    int exp = e - 1;   // a in [2^exp, 2^(exp+1))
    if (exp < -14)
        exp = -14; // subnormal binade shares the smallest ulp
    const double ulp = std::ldexp(1.0, exp - 10);
    const double n = std::nearbyint(a / ulp);
    const double q = n * ulp; // rounded magnitude
    if (q >= 65520.0)
        return sign | 0x7C00;
    if (q < std::ldexp(1.0, -14))
        return sign | static_cast<uint16_t>(n); // subnormal: n ulps of 2^-24
    int qe = 0;
    const double qm = std::frexp(q, &qe); // q = qm · 2^qe
    const uint16_t man = static_cast<uint16_t>((qm * 2.0 - 1.0) * 1024.0);
    return sign | static_cast<uint16_t>(((qe - 1 + 15) << 10) | man);
}
} // namespace

TEST(F16, SpecCheckValues) {
    EXPECT_EQ(f32_to_f16(1.0f), 0x3C00);
    EXPECT_EQ(f32_to_f16(65504.0f), 0x7BFF);
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -24)), 0x0001);
    EXPECT_EQ(f32_to_f16(-2.0f), 0xC000);
    EXPECT_EQ(f32_to_f16(0.5f), 0x3800);
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -14)), 0x0400); // smallest normal
    EXPECT_EQ(f32_to_f16(0.0f), 0x0000);
    EXPECT_EQ(f32_to_f16(-0.0f), 0x8000);
    EXPECT_EQ(f16_to_f32(0x3C00), 1.0f);
    EXPECT_EQ(f16_to_f32(0x7BFF), 65504.0f);
    EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(f16_to_f32(0x03FF), std::ldexp(1023.0f, -24)); // largest subnormal
    EXPECT_EQ(f16_to_f32(0x0200), std::ldexp(1.0f, -15));
    static_assert(f32_to_f16(1.0f) == 0x3C00, "constexpr");
    static_assert(f16_to_f32(0x3C00) == 1.0f, "constexpr");
}

TEST(F16, RoundsToNearestEven) {
    EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);     // tie → even (down)
    EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3C02); // tie → even (up)
    EXPECT_EQ(f32_to_f16(std::nextafter(1.0f + std::ldexp(1.0f, -11), 2.0f)), 0x3C01);
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000); // half of min subnormal: tie → 0
    EXPECT_EQ(f32_to_f16(std::nextafter(std::ldexp(1.0f, -25), 1.0f)), 0x0001);
    EXPECT_EQ(f32_to_f16(3 * std::ldexp(1.0f, -25)), 0x0002); // 1.5 ulp → 2
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -26)), 0x0000);
    EXPECT_EQ(f32_to_f16(std::ldexp(1023.5f, -24)), 0x0400); // rounds up into the normals
    EXPECT_EQ(f32_to_f16(65519.0f), 0x7BFF);
    EXPECT_EQ(f32_to_f16(65520.0f), 0x7C00); // tie at max → inf (even)
    EXPECT_EQ(f32_to_f16(1e10f), 0x7C00);
    EXPECT_EQ(f32_to_f16(-1e10f), 0xFC00);
    EXPECT_EQ(f32_to_f16(bits_f(0x00000001)), 0x0000); // f32 subnormal → 0
}

TEST(F16, InfinityAndNan) {
    EXPECT_EQ(f32_to_f16(INFINITY), 0x7C00);
    EXPECT_EQ(f32_to_f16(-INFINITY), 0xFC00);
    EXPECT_TRUE(std::isinf(f16_to_f32(0x7C00)));
    EXPECT_TRUE(std::isnan(f16_to_f32(0x7C01)));
    const uint16_t n = f32_to_f16(std::nanf(""));
    EXPECT_EQ(n & 0x7C00, 0x7C00);
    EXPECT_NE(n & 0x03FF, 0);
    // A signalling NaN whose payload sits only in low bits must not turn into infinity.
    const uint16_t s = f32_to_f16(bits_f(0xFF800001));
    EXPECT_EQ(s & 0xFC00, 0xFC00);
    EXPECT_NE(s & 0x03FF, 0);
}

TEST(F16, EveryHalfRoundTripsExactly) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = f16_to_f32(static_cast<uint16_t>(h));
        if ((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0) {
            EXPECT_TRUE(std::isnan(f));
            EXPECT_EQ(f32_to_f16(f), static_cast<uint16_t>(h | 0x0200)); // quietened, payload kept
            continue;
        }
        ASSERT_EQ(f32_to_f16(f), h) << std::hex << h;
    }
}

TEST(F16, MatchesOracleOnBoundaryAndRandomFloats) {
    // Every float whose bits are within ±3 of a half-ulp midpoint, across all binades.
    for (uint32_t h = 0; h < 0x7BFF; ++h) {
        const uint32_t mid =
            f_bits((f16_to_f32(static_cast<uint16_t>(h)) + f16_to_f32(static_cast<uint16_t>(h + 1))) / 2);
        for (int d = -3; d <= 3; ++d) {
            const float f = bits_f(mid + static_cast<uint32_t>(d));
            ASSERT_EQ(f32_to_f16(f), ref_f32_to_f16(f)) << std::hexfloat << f;
            ASSERT_EQ(f32_to_f16(-f), ref_f32_to_f16(-f)) << std::hexfloat << -f;
        }
    }
    std::mt19937 rng(12345);
    for (int i = 0; i < 2000000; ++i) {
        uint32_t u = static_cast<uint32_t>(rng());
        if (((u >> 23) & 0xFF) == 0xFF)
            continue;
        // Bias exponents towards the interesting range [2^-26, 2^17].
        if (i & 1)
            u = (u & 0x807FFFFFu) | ((101u + (u % 44u)) << 23);
        const float f = bits_f(u);
        ASSERT_EQ(f32_to_f16(f), ref_f32_to_f16(f)) << std::hexfloat << f;
#ifdef __FLT16_MAX__
        const _Float16 hf = static_cast<_Float16>(f);
        ASSERT_EQ(f32_to_f16(f), __builtin_bit_cast(uint16_t, hf)) << std::hexfloat << f;
#endif
    }
}

TEST(Bf16, ConversionsRoundToNearestEven) {
    EXPECT_EQ(f32_to_bf16(1.0f), 0x3F80);
    EXPECT_EQ(bf16_to_f32(0x3F80), 1.0f);
    EXPECT_EQ(f32_to_bf16(bits_f(0x3F808000)), 0x3F80); // tie → even
    EXPECT_EQ(f32_to_bf16(bits_f(0x3F818000)), 0x3F82); // tie → even (up)
    EXPECT_EQ(f32_to_bf16(bits_f(0x3F808001)), 0x3F81);
    EXPECT_EQ(f32_to_bf16(bits_f(0x7F7FFFFF)), 0x7F80); // rounds to infinity
    EXPECT_EQ(f32_to_bf16(-INFINITY), 0xFF80);
    const uint16_t n = f32_to_bf16(bits_f(0x7F800001)); // NaN with low payload only
    EXPECT_EQ(n & 0x7F80, 0x7F80);
    EXPECT_NE(n & 0x007F, 0);
    for (uint32_t b = 0; b < 0x10000; ++b) {
        if ((b & 0x7F80) == 0x7F80 && (b & 0x7F) != 0)
            continue;
        ASSERT_EQ(f32_to_bf16(bf16_to_f32(static_cast<uint16_t>(b))), b);
    }
}

// SHAKE-256 (FIPS 202) against published check values, plus incremental == one-shot.
// Expected outputs: FIPS 202 / NIST CSRC example values (empty, 200 x 0xA3) and values from an
// independent implementation (OpenSSL via Python hashlib) for the block-boundary cases.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <rvf/core/hash/shake256.hpp>

using namespace rvf::core;

namespace {
std::string hex(const uint8_t *p, size_t n) {
    std::string s;
    char b[3];
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, "%02x", p[i]);
        s += b;
    }
    return s;
}
std::string shake_hex(const std::vector<uint8_t> &in, size_t out_len) {
    std::vector<uint8_t> out(out_len);
    shake256(ByteView(in.data(), in.size()), out.data(), out.size());
    return hex(out.data(), out.size());
}
std::vector<uint8_t> counting(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<uint8_t>(i);
    return v;
}

// The digest is computable at compile time, so a broken permutation fails the build too.
constexpr bool empty_digest_ok() {
    uint8_t out[4] = {};
    shake256(ByteView(), out, 4);
    return out[0] == 0x46 && out[1] == 0xb9 && out[2] == 0xdd && out[3] == 0x2b;
}
static_assert(empty_digest_ok());
} // namespace

TEST(Shake256, EmptyInput) {
    EXPECT_EQ(shake_hex({}, 32), "46b9dd2b0ba88d13233b3feb743eeb243fcd52ea62b81b82b50c27646ed5762f");
}

TEST(Shake256, Abc) {
    EXPECT_EQ(shake_hex({'a', 'b', 'c'}, 32), "483366601360a8771c6863080cc4114d8db44530f8f1e1ee4f94ea37e78b5739");
}

TEST(Shake256, NistExample200BytesA3) {
    // NIST example: M = 1600 bits of 0xA3 (more than one 136-byte block), 4096-bit output.
    const std::vector<uint8_t> m(200, 0xA3);
    const std::string out = shake_hex(m, 512);
    EXPECT_EQ(out.substr(0, 64), "cd8a920ed141aa0407a22d59288652e9d9f1a7ee0c1e7c1ca699424da84a904d");
    EXPECT_EQ(out.substr(2 * 480), "6a1a9d7846436e4dca5728b6f760eef0ca92bf0be5615e96959d767197a0beeb");
}

TEST(Shake256, InputLengthsAroundTheRate) {
    EXPECT_EQ(shake_hex(counting(135), 32), "c45dae624ad8a2f5aa7bac9d7557737fd91c96eedb70a6be5574d57a844eade0");
    EXPECT_EQ(shake_hex(counting(136), 32), "b7ff4073b3f5a8eabd6e17705ca7f6761a31058f9df781a6a47e3a3063b9d67a");
    EXPECT_EQ(shake_hex(counting(137), 32), "01d90952c642a5eb2a8fc9d713f843a45d7ac05132dddcb2efc9bebc27e37bcb");
    EXPECT_EQ(shake_hex(counting(272), 32), "8379a36d10791291fbc946794bf8009519fd0b2ff6c0bd99a2b014e8422abef0");
    EXPECT_EQ(shake_hex(counting(1000), 32), "7ea3adcc3e3b46adcdc481d1309cf131c8703d484e33dcb78d13363324e2972d");
}

TEST(Shake256, OutputAcrossSqueezeBlocks) {
    // Bytes 264..299 of SHAKE256(""): the third output block, reached through two permutations.
    EXPECT_EQ(shake_hex({}, 300).substr(2 * 264),
              "890936c173cdcd0fab882c45755feb3aed96d477ff96390bf9a66d1368b208e21f7c10d0");
}

TEST(Shake256, ShorterOutputIsPrefixOfLonger) {
    const auto m = counting(77);
    const std::string long_out = shake_hex(m, 400);
    for (size_t n : {0u, 1u, 16u, 135u, 136u, 137u, 399u})
        EXPECT_EQ(shake_hex(m, n), long_out.substr(0, 2 * n)) << n;
}

TEST(Shake256, RandomAbsorbAndSqueezeSplitsMatchOneShot) {
    std::mt19937_64 rng(0x5EED);
    for (int trial = 0; trial < 200; ++trial) {
        const size_t len = rng() % 700; // up to ~5 blocks, so splits straddle 136
        std::vector<uint8_t> m(len);
        for (auto &b : m)
            b = static_cast<uint8_t>(rng());
        const size_t out_len = 1 + rng() % 500;
        std::vector<uint8_t> expect(out_len);
        shake256(ByteView(m.data(), m.size()), expect.data(), out_len);

        Shake256 s;
        size_t at = 0;
        while (at < len) {
            const size_t step = std::min<size_t>(len - at, rng() % 150);
            s.absorb(m.data() + at, step); // zero-length steps included
            at += step;
        }
        std::vector<uint8_t> got(out_len);
        size_t out_at = 0;
        while (out_at < out_len) {
            const size_t step = std::min<size_t>(out_len - out_at, rng() % 160);
            s.squeeze(got.data() + out_at, step);
            out_at += step;
        }
        ASSERT_EQ(got, expect) << "trial " << trial << " len " << len << " out " << out_len;
    }
}

TEST(Shake256, AbsorbAfterSqueezeIsIgnoredAndFinalizeIdempotent) {
    const uint8_t abc[3] = {'a', 'b', 'c'};
    Shake256 s;
    s.absorb(abc, 3);
    s.finalize();
    s.finalize();
    s.absorb(abc, 3); // sponge already squeezing: must not change the stream
    uint8_t out[4];
    s.squeeze(out, 4);
    EXPECT_EQ(hex(out, 4), "48336660");
}

TEST(Shake256, KeccakPermutationOfZeroState) {
    // Keccak-f[1600] applied once to the all-zero state; first lane of the published
    // KeccakF-1600 intermediate-values file.
    uint64_t a[25] = {};
    keccak_f1600(a);
    EXPECT_EQ(a[0], 0xF1258F7940E1DDE7ull);
    EXPECT_EQ(a[1], 0x84D5CCF933C0478Aull);
}

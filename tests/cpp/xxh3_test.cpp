// XXH3-128 as RVF stores it (spec §2.4): low64 LE ‖ high64 LE. Expected values come from the
// xxHash CLI (`xxhsum -H2`, 0.8.1), which prints the canonical big-endian form high64 ‖ low64;
// the RVF byte string is therefore that 32-digit string read backwards byte by byte.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <rvf/hash.hpp>

#if __has_include(<xxhash.h>)
#include <xxhash.h>
#define RVF_TEST_HAVE_XXHASH_H 1
#endif

using rvf::core::ByteView;

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
/// xxhsum's canonical hex (high64 BE ‖ low64 BE) -> RVF order (low64 LE ‖ high64 LE).
std::string canonical_to_rvf(const std::string &canon) {
    std::string out;
    for (size_t i = canon.size(); i >= 2; i -= 2)
        out += canon.substr(i - 2, 2);
    return out;
}
std::string rvf_hex(const std::vector<uint8_t> &m) {
    uint8_t out[16];
    rvf::xxh3_128(ByteView(m.data(), m.size()), out);
    return hex(out, 16);
}
std::vector<uint8_t> bytes(const char *s) { return {s, s + std::strlen(s)}; }
/// (i * 7) mod 251 for i in [0, n): no short period, so block boundaries matter.
std::vector<uint8_t> pattern(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<uint8_t>(i * 7 % 251);
    return v;
}
} // namespace

TEST(Xxh3, EmptyInputByteOrder) {
    // xxhsum -H2 of "" = 99aa06d3014798d8 6001c324468d497f (high64, low64).
    uint8_t out[16];
    rvf::xxh3_128(ByteView(), out);
    EXPECT_EQ(hex(out, 16), "7f498d4624c30160d8984701d306aa99");
    EXPECT_EQ(hex(out, 16), canonical_to_rvf("99aa06d3014798d86001c324468d497f"));
}

TEST(Xxh3, CliVectorsEveryLengthClass) {
    // xxHash picks a different code path for 0, 1-3, 4-8, 9-16, 17-128, 129-240 and >240 bytes.
    struct Case {
        std::vector<uint8_t> in;
        const char *xxhsum_h2;
    };
    const Case cases[] = {
        {bytes("a"), "a96faf705af16834e6c632b61e964e1f"},
        {bytes("abc"), "06b05ab6733a618578af5f94892f3950"},
        {bytes("123456789"), "33119477ede5dcd5e9716427681d5860"},
        {bytes("hello world"), "df8d09e93f874900a99b8775cc15b6c7"},
        {pattern(16), "ddf6c1254d70f76794eaa17b20756f46"},
        {std::vector<uint8_t>(100, 0), "6ba30a4e9dffe1ff801fedc74ccd608c"},
        {pattern(200), "5451071ed36ad47079ad90815b45bbd9"},
        {pattern(300), "4029cdb87f88df4d21869f12772ec1b4"},
        {pattern(4096), "dec463517b2529a15d9027c84d5f33f7"},
    };
    for (const Case &c : cases)
        EXPECT_EQ(rvf_hex(c.in), canonical_to_rvf(c.xxhsum_h2)) << "len " << c.in.size();
}

TEST(Xxh3, ByteRampOf1024) {
    std::vector<uint8_t> m(1024);
    for (size_t i = 0; i < m.size(); ++i)
        m[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(rvf_hex(m), canonical_to_rvf("83885e853bb6640ca870f92984398d22"));
}

TEST(Xxh3, SingleBitChangesHash) {
    auto m = pattern(257);
    const std::string before = rvf_hex(m);
    m[128] ^= 1;
    EXPECT_NE(rvf_hex(m), before);
}

#ifdef RVF_TEST_HAVE_XXHASH_H
TEST(Xxh3, LinkedLibraryMatchesKnown64BitValue) {
    // Guards against a different xxHash build: XXH3-64 of "hello world" (TOOLCHAIN notes, xxhsum -H3).
    EXPECT_EQ(XXH3_64bits("hello world", 11), 0xd447b1ea40e6988bull);
    // And our byte order against the library's own 128-bit struct.
    const XXH128_hash_t h = XXH3_128bits("hello world", 11);
    uint8_t out[16];
    rvf::xxh3_128(ByteView(reinterpret_cast<const uint8_t *>("hello world"), 11), out);
    EXPECT_EQ(rvf::core::load_u64_le(out), h.low64);
    EXPECT_EQ(rvf::core::load_u64_le(out + 8), h.high64);
}
#endif

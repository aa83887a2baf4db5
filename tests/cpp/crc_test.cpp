// CRC-32/IEEE (Layout R content hash, spec §2.4) and CRC-32C (Layout S / VEC blocks / wasm
// export): check values, agreement of the compact, portable and hardware paths, and a real
// upstream segment hash.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <rvf/core/hash/crc32.hpp>
#include <rvf/core/hash/crc32c.hpp>
#include <rvf/hash.hpp>

using namespace rvf::core;

namespace {
ByteView str(const char *s) { return ByteView(reinterpret_cast<const uint8_t *>(s), std::strlen(s)); }
const char *const kCheck = "123456789";
constexpr uint8_t kCheckBytes[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};

std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<uint8_t> v(n);
    for (auto &b : v)
        b = static_cast<uint8_t>(rng());
    return v;
}
std::vector<uint8_t> read_file(const char *name) {
    std::ifstream f(std::string(RVF_TEST_DATA_DIR) + "/upstream/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
} // namespace

// --- CRC-32/IEEE --------------------------------------------------------------------------------

TEST(Crc32Ieee, CheckValues) {
    EXPECT_EQ(crc32_ieee(str(kCheck)), 0xCBF43926u);
    EXPECT_EQ(crc32_ieee(ByteView()), 0u);
    EXPECT_EQ(crc32_ieee(str("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
    static_assert(crc32_ieee_update(0, kCheckBytes, 9) == 0xCBF43926u); // usable at compile time
}

TEST(Crc32Ieee, IncrementalEqualsOneShot) {
    const auto m = random_bytes(777, 1);
    const uint32_t whole = crc32_ieee(ByteView(m.data(), m.size()));
    for (size_t cut = 0; cut <= m.size(); cut += 37) {
        const uint32_t a = crc32_ieee_update(0, m.data(), cut);
        EXPECT_EQ(crc32_ieee_update(a, m.data() + cut, m.size() - cut), whole) << cut;
    }
}

TEST(Crc32Ieee, LayoutRLegacyDigest) {
    // Spec §2.4 check value: lanes rotl(c,0), rotl(c,8), rotl(c,16), rotl(c,24), each LE.
    uint8_t d[16];
    layout_r_legacy_digest(crc32_ieee(str(kCheck)), d);
    const uint8_t expect[16] = {0x26, 0x39, 0xf4, 0xcb, 0xcb, 0x26, 0x39, 0xf4,
                                0xf4, 0xcb, 0x26, 0x39, 0x39, 0xf4, 0xcb, 0x26};
    EXPECT_EQ(0, std::memcmp(d, expect, 16));
    // The fixture example from the spec: c = 0x047E01F0.
    layout_r_legacy_digest(0x047E01F0u, d);
    const uint8_t fixture[16] = {0xf0, 0x01, 0x7e, 0x04, 0x04, 0xf0, 0x01, 0x7e,
                                 0x7e, 0x04, 0xf0, 0x01, 0x01, 0x7e, 0x04, 0xf0};
    EXPECT_EQ(0, std::memcmp(d, fixture, 16));
}

TEST(Crc32Ieee, UpstreamManifestContentHash) {
    // l2-1000x16-meta.rvf: first segment is MANIFEST (type 5) with a 98-byte payload at 64..162;
    // its header stores the legacy digest at 0x28 (README: crc32 = 0x047E01F0).
    const auto file = read_file("l2-1000x16-meta.rvf");
    ASSERT_GE(file.size(), 162u);
    ASSERT_EQ(file[5], 0x05);
    ASSERT_EQ(load_u64_le(file.data() + 0x10), 98u);
    ASSERT_EQ(file[0x20], 0); // checksum_algo 0
    const uint32_t c = crc32_ieee(ByteView(file.data() + 64, 98));
    EXPECT_EQ(c, 0x047E01F0u);
    uint8_t d[16];
    layout_r_legacy_digest(c, d);
    EXPECT_EQ(0, std::memcmp(d, file.data() + 0x28, 16));
    // A single flipped payload bit changes it.
    auto copy = file;
    copy[64 + 40] ^= 0x10;
    EXPECT_NE(crc32_ieee(ByteView(copy.data() + 64, 98)), c);
}

// --- CRC-32C ------------------------------------------------------------------------------------

TEST(Crc32c, CheckValueOnEveryPath) {
    const ByteView m = str(kCheck);
    EXPECT_EQ(crc32c_update_compact(0, m.data, m.size), 0xE3069283u);
    EXPECT_EQ(crc32c_portable(m), 0xE3069283u);
    EXPECT_EQ(rvf::crc32c(m), 0xE3069283u);
    static_assert(crc32c_update_compact(0, kCheckBytes, 9) == 0xE3069283u);
    static_assert(crc32c_update_portable(0, kCheckBytes, 9) == 0xE3069283u);
    EXPECT_EQ(rvf::crc32c(ByteView()), 0u);
    EXPECT_EQ(rvf::crc32c(ByteView(), 0x12345678u), 0x12345678u); // empty continues unchanged
}

TEST(Crc32c, Rfc3720IscsiVectors) {
    // RFC 3720 §B.4: 32 bytes of 00, of FF, ascending 00..1F, descending 1F..00.
    std::vector<uint8_t> zeros(32, 0), ones(32, 0xFF), up(32), down(32);
    for (int i = 0; i < 32; ++i) {
        up[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
        down[static_cast<size_t>(i)] = static_cast<uint8_t>(31 - i);
    }
    const std::pair<const std::vector<uint8_t> *, uint32_t> cases[] = {
        {&zeros, 0x8A9136AAu}, {&ones, 0x62A8AB43u}, {&up, 0x46DD794Eu}, {&down, 0x113FDB5Cu}};
    for (auto [v, want] : cases) {
        const ByteView b(v->data(), v->size());
        EXPECT_EQ(rvf::crc32c(b), want);
        EXPECT_EQ(crc32c_portable(b), want);
        EXPECT_EQ(crc32c_update_compact(0, b.data, b.size), want);
    }
}

TEST(Crc32c, AllPathsAgreeOnRandomLengthsAndAlignments) {
    // Cover every head/tail split of the 8-byte and 32-byte loops and the alignment prologue.
    const auto buf = random_bytes(4096 + 64, 42);
    std::mt19937_64 rng(7);
    int checked = 0;
    for (size_t align = 0; align < 16; ++align) {
        for (size_t len = 0; len <= 300; ++len) {
            const uint8_t *p = buf.data() + align;
            const uint32_t seed = (len % 3 == 0) ? 0u : static_cast<uint32_t>(rng());
            const uint32_t ref = crc32c_update_compact(seed, p, len);
            ASSERT_EQ(crc32c_update_portable(seed, p, len), ref) << "align " << align << " len " << len;
            ASSERT_EQ(rvf::crc32c(ByteView(p, len), seed), ref) << "align " << align << " len " << len;
            ++checked;
        }
    }
    for (int i = 0; i < 50; ++i) { // some long ones
        const size_t off = rng() % 64, len = rng() % 4096;
        const uint8_t *p = buf.data() + off;
        ASSERT_EQ(rvf::crc32c(ByteView(p, len)), crc32c_update_compact(0, p, len)) << off << "+" << len;
        ASSERT_EQ(crc32c_update_portable(0, p, len), crc32c_update_compact(0, p, len));
    }
    EXPECT_EQ(checked, 16 * 301);
}

TEST(Crc32c, IncrementalEqualsOneShot) {
    const auto m = random_bytes(5000, 3);
    const ByteView all(m.data(), m.size());
    const uint32_t whole = rvf::crc32c(all);
    EXPECT_EQ(whole, crc32c_portable(all));
    std::mt19937_64 rng(11);
    for (int trial = 0; trial < 100; ++trial) {
        uint32_t c = 0;
        size_t at = 0;
        while (at < m.size()) {
            const size_t step = std::min<size_t>(m.size() - at, rng() % 700);
            c = (trial % 2) ? rvf::crc32c(ByteView(m.data() + at, step), c)
                            : crc32c_update_portable(c, m.data() + at, step);
            at += step;
        }
        ASSERT_EQ(c, whole) << trial;
    }
}

TEST(Crc32c, ReportsHardwarePathAndThroughput) {
#if defined(__x86_64__)
    EXPECT_EQ(rvf::crc32c_hardware_available(), __builtin_cpu_supports("sse4.2") != 0);
#else
    EXPECT_FALSE(rvf::crc32c_hardware_available());
#endif
    // Printed, never asserted (STYLE §29): numbers depend on the machine and build type.
    const auto buf = random_bytes(4u << 20, 5);
    const ByteView v(buf.data(), buf.size());
    auto mbps = [&](auto &&fn, int reps) {
        const auto t0 = std::chrono::steady_clock::now();
        volatile uint32_t sink = 0; // keeps the calls from being optimised away
        for (int r = 0; r < reps; ++r)
            sink = sink ^ fn();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        return static_cast<double>(buf.size()) * reps / (s > 0 ? s : 1e-9) / 1e6;
    };
    const double hw = mbps([&] { return rvf::crc32c(v); }, 8);
    const double portable = mbps([&] { return crc32c_portable(v); }, 2);
    const double compact = mbps([&] { return crc32c_update_compact(0, v.data, v.size / 8); }, 1) / 8;
    std::printf("[ crc32c   ] hardware=%s  rvf::crc32c %.0f MB/s  portable %.0f MB/s  compact %.0f MB/s\n",
                rvf::crc32c_hardware_available() ? "sse4.2" : "none", hw, portable, compact);
}

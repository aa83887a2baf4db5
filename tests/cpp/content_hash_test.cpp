// rvf::content_hash / verify_content_hash (spec §2.4): every layout × checksum_algo, bit-flip
// detection, and the hashes stored in upstream-written Layout R files.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <rvf/core/hash/crc32.hpp>
#include <rvf/core/hash/shake256.hpp>
#include <rvf/hash.hpp>

using namespace rvf::core;
using rvf::Layout;

namespace {
using H16 = std::array<uint8_t, 16>;

ByteView view(const std::vector<uint8_t> &v) { return ByteView(v.data(), v.size()); }
std::vector<uint8_t> bytes(const char *s) { return {s, s + std::strlen(s)}; }

H16 hash_of(Layout l, uint8_t algo, ByteView p, Status *st = nullptr) {
    H16 h{};
    const Status s = rvf::content_hash(l, algo, p, h.data());
    if (st)
        *st = s;
    return h;
}
H16 xxh3(ByteView p) {
    H16 h{};
    rvf::xxh3_128(p, h.data());
    return h;
}
H16 shake16(ByteView p) {
    H16 h{};
    shake256(p, h.data(), 16);
    return h;
}
H16 legacy(ByteView p) {
    H16 h{};
    layout_r_legacy_digest(crc32_ieee(p), h.data());
    return h;
}
H16 from_hex(const char *s) {
    H16 h{};
    for (size_t i = 0; i < 16; ++i)
        h[i] = static_cast<uint8_t>(std::stoul(std::string(s + 2 * i, 2), nullptr, 16));
    return h;
}
std::vector<uint8_t> read_file(const std::string &name) {
    std::ifstream f(std::string(RVF_TEST_DATA_DIR) + "/upstream/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
} // namespace

TEST(ContentHash, KnownValuesPerAlgorithm) {
    const auto check = bytes("123456789");
    // Layout R algo 0: rotated IEEE CRC32, spec §2.4 check value.
    EXPECT_EQ(hash_of(Layout::R, 0, view(check)), from_hex("2639f4cbcb2639f4f4cb263939f4cb26"));
    // XXH3-128 (xxhsum -H2 "123456789" = 33119477ede5dcd5 e9716427681d5860, stored LE low ‖ high).
    const H16 x = from_hex("60581d68276471e9d5dce5ed77941133");
    EXPECT_EQ(hash_of(Layout::R, 1, view(check)), x);
    EXPECT_EQ(hash_of(Layout::S, 1, view(check)), x);
    // SHAKE-256, first 16 bytes: of "abc" (FIPS 202 example), and of "123456789".
    const H16 abc = from_hex("483366601360a8771c6863080cc4114d");
    EXPECT_EQ(hash_of(Layout::R, 2, view(bytes("abc"))), abc);
    EXPECT_EQ(hash_of(Layout::S, 2, view(bytes("abc"))), abc);
    EXPECT_EQ(hash_of(Layout::S, 2, view(check)), from_hex("24347b9c4b6da2fc9cde08c87f33edd2"));
}

TEST(ContentHash, EveryLayoutAndAlgoCombination) {
    std::vector<uint8_t> payload(333);
    for (size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<uint8_t>(i * 29 + 1);
    const ByteView p = view(payload);
    const H16 want_legacy = legacy(p), want_xxh = xxh3(p), want_shake = shake16(p);
    ASSERT_NE(want_legacy, want_xxh);
    ASSERT_NE(want_xxh, want_shake);

    for (int a = 0; a < 256; ++a) {
        const auto algo = static_cast<uint8_t>(a);
        Status s = Status::Ok;
        H16 got{};
        // Layout R: 0 legacy, 1 XXH3, 2 SHAKE, else rejected.
        got = hash_of(Layout::R, algo, p, &s);
        if (a <= 2) {
            ASSERT_EQ(s, Status::Ok) << a;
            EXPECT_EQ(got, a == 0 ? want_legacy : a == 1 ? want_xxh : want_shake) << "R algo " << a;
            EXPECT_EQ(rvf::verify_content_hash(Layout::R, algo, p, got.data()), Status::Ok);
        } else {
            EXPECT_EQ(s, Status::AlgoUnsupported) << "R algo " << a;
            EXPECT_EQ(rvf::verify_content_hash(Layout::R, algo, p, want_xxh.data()), Status::AlgoUnsupported);
        }
        // Layout S: 2 SHAKE, everything else (0 "CRC32C", 1, 3 HMAC, unknown) XXH3.
        got = hash_of(Layout::S, algo, p, &s);
        ASSERT_EQ(s, Status::Ok) << a;
        EXPECT_EQ(got, a == 2 ? want_shake : want_xxh) << "S algo " << a;
        EXPECT_EQ(rvf::verify_content_hash(Layout::S, algo, p, got.data()), Status::Ok);
    }
}

TEST(ContentHash, LayoutSAlgoZeroIsXxh3NotCrc) {
    const auto m = bytes("123456789");
    EXPECT_EQ(hash_of(Layout::S, 0, view(m)), xxh3(view(m)));
    EXPECT_NE(hash_of(Layout::S, 0, view(m)), hash_of(Layout::R, 0, view(m)));
}

TEST(ContentHash, LayoutRAlgo7Unsupported) {
    H16 out{};
    EXPECT_EQ(rvf::content_hash(Layout::R, 7, view(bytes("x")), out.data()), Status::AlgoUnsupported);
}

TEST(ContentHash, UnknownLayoutValueRejected) {
    H16 out{};
    EXPECT_EQ(rvf::content_hash(static_cast<Layout>(9), 1, view(bytes("x")), out.data()), Status::UnsupportedLayout);
}

TEST(ContentHash, VerifyDetectsEverySingleBitFlip) {
    std::vector<uint8_t> payload(64);
    for (size_t i = 0; i < payload.size(); ++i)
        payload[i] = static_cast<uint8_t>(i ^ 0x5A);
    const std::pair<Layout, uint8_t> combos[] = {
        {Layout::R, 0}, {Layout::R, 1}, {Layout::R, 2}, {Layout::S, 0}, {Layout::S, 1}, {Layout::S, 2}};
    for (auto [layout, algo] : combos) {
        const H16 good = hash_of(layout, algo, view(payload));
        ASSERT_EQ(rvf::verify_content_hash(layout, algo, view(payload), good.data()), Status::Ok);
        // Flip each payload bit in turn.
        for (size_t bit = 0; bit < payload.size() * 8; ++bit) {
            auto bad = payload;
            bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
            ASSERT_EQ(rvf::verify_content_hash(layout, algo, view(bad), good.data()), Status::InvalidChecksum)
                << "layout " << int(layout) << " algo " << int(algo) << " bit " << bit;
        }
        // And each bit of the stored hash.
        for (size_t bit = 0; bit < 128; ++bit) {
            H16 h = good;
            h[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
            ASSERT_EQ(rvf::verify_content_hash(layout, algo, view(payload), h.data()), Status::InvalidChecksum);
        }
    }
}

TEST(ContentHash, EmptyPayload) {
    H16 out{};
    ASSERT_EQ(rvf::content_hash(Layout::R, 0, ByteView(), out.data()), Status::Ok);
    EXPECT_EQ(out, H16{}); // crc32("") = 0, every rotation of 0 is 0
    ASSERT_EQ(rvf::content_hash(Layout::S, 1, ByteView(), out.data()), Status::Ok);
    EXPECT_EQ(out, from_hex("7f498d4624c30160d8984701d306aa99"));
    ASSERT_EQ(rvf::content_hash(Layout::S, 2, ByteView(), out.data()), Status::Ok);
    EXPECT_EQ(out, from_hex("46b9dd2b0ba88d13233b3feb743eeb24"));
}

TEST(ContentHash, UpstreamFilesVerifySegmentBySegment) {
    // Every segment of the native upstream files carries checksum_algo 0 and a legacy digest;
    // walk each file (Layout R: next = off + 64 + payload_length) and verify them all.
    const char *files[] = {"empty-d16.rvf",        "l2-1000x16-meta.rvf",      "l2-1000x16-noquery.rvf",
                           "cosine-1000x16.rvf",   "ip-1000x16.rvf",           "l2-1000x16-deleted.rvf",
                           "l2-1000x16-sparseids.rvf", "l2-5000x64.rvf"};
    int verified = 0;
    for (const char *name : files) {
        const auto f = read_file(name);
        ASSERT_FALSE(f.empty()) << name;
        size_t off = 0;
        while (f.size() - off >= 64) {
            const uint8_t *h = f.data() + off;
            ASSERT_EQ(load_u32_le(h), 0x52564653u) << name << " @" << off;
            const uint64_t len = load_u64_le(h + 0x10);
            ASSERT_LE(len, f.size() - off - 64) << name << " @" << off;
            const ByteView payload(h + 64, static_cast<size_t>(len));
            EXPECT_EQ(rvf::verify_content_hash(Layout::R, h[0x20], payload, h + 0x28), Status::Ok)
                << name << " segment at " << off << " type " << int(h[5]);
            ++verified;
            off += 64 + static_cast<size_t>(len);
        }
        EXPECT_EQ(off, f.size()) << name;
    }
    EXPECT_GE(verified, 8 * 4);
}

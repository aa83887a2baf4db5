// Layout R's 32-byte fold (spec §3.9): hand-computed cases and the real witness chain in an
// upstream-written file.
#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <iterator>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/hash/fold_hash.hpp>

using namespace rvf::core;

namespace {
using Digest = std::array<uint8_t, 32>;

Digest fold(const std::vector<uint8_t> &in) {
    Digest d{};
    fold_hash(ByteView(in.data(), in.size()), d.data());
    return d;
}
/// All-zero digest except the listed (lane, value) pairs.
Digest lanes(std::initializer_list<std::pair<int, uint8_t>> set) {
    Digest d{};
    for (auto [i, v] : set)
        d[static_cast<size_t>(i)] = v;
    return d;
}

std::vector<uint8_t> read_file(const char *name) {
    std::ifstream f(std::string(RVF_TEST_DATA_DIR) + "/upstream/" + name, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

struct Seg {
    uint8_t type;
    ByteView payload;
};
/// Layout R walk: headers packed back to back, next = off + 64 + payload_length (spec §2.5).
std::vector<Seg> walk_layout_r(const std::vector<uint8_t> &file) {
    std::vector<Seg> segs;
    size_t off = 0;
    while (file.size() - off >= 64) {
        const uint8_t *h = file.data() + off;
        EXPECT_EQ(load_u32_le(h), 0x52564653u) << "magic at " << off;
        const uint64_t len = load_u64_le(h + 0x10);
        if (len > file.size() - off - 64) {
            ADD_FAILURE() << "payload past EOF at " << off;
            break;
        }
        segs.push_back({h[5], ByteView(h + 64, static_cast<size_t>(len))});
        off += 64 + static_cast<size_t>(len);
    }
    EXPECT_EQ(off, file.size());
    return segs;
}
} // namespace

TEST(FoldHash, EmptyIsZero) { EXPECT_EQ(fold({}), Digest{}); }

TEST(FoldHash, HandComputedSmallInputs) {
    // One byte: lane 0 += 1, lane 13 += rotl8(1,3) = 8.
    EXPECT_EQ(fold({0x01}), lanes({{0, 0x01}, {13, 0x08}}));
    // Second byte goes to lane 1; rotl8(0x80,3) = 0x04 lands in lane 14.
    EXPECT_EQ(fold({0x01, 0x80}), lanes({{0, 0x01}, {1, 0x80}, {13, 0x08}, {14, 0x04}}));
    // i = 13 reads lane 13 (8) and adds rotl8(8,3) = 64 to lane 26; i = 19 wraps j to lane 0 and
    // adds rotl8(0x20,3) = 0x01 (the bit rotated out of the top comes back at the bottom).
    std::vector<uint8_t> m(20, 0);
    m[0] = 0x01;
    m[19] = 0x20;
    EXPECT_EQ(fold(m), lanes({{0, 0x02}, {13, 0x08}, {19, 0x20}, {26, 0x40}}));
    // Additions wrap mod 256, and index 32 revisits lane 0: 0xFF + 0xFF = 0xFE,
    // lane 13 = 0xFF + rotl8(0xFE,3) = 0xFF + 0xF7 = 0xF6; lane 26 and then lane 7 pick up 0xFF.
    std::vector<uint8_t> w(33, 0);
    w[0] = 0xFF;
    w[32] = 0xFF;
    EXPECT_EQ(fold(w), lanes({{0, 0xFE}, {7, 0xFF}, {13, 0xF6}, {26, 0xFF}}));
}

TEST(FoldHash, ConstexprEvaluable) {
    constexpr auto lane13 = [] {
        const uint8_t one[1] = {1};
        uint8_t out[32] = {};
        fold_hash(ByteView(one, 1), out);
        return out[13];
    }();
    static_assert(lane13 == 8);
    EXPECT_EQ(lane13, 8);
}

TEST(FoldHash, IncrementalEqualsOneShot) {
    std::vector<uint8_t> m(1000);
    for (size_t i = 0; i < m.size(); ++i)
        m[i] = static_cast<uint8_t>(i * 131 + 7);
    const Digest whole = fold(m);
    for (size_t cut : {0u, 1u, 13u, 31u, 32u, 33u, 500u, 999u, 1000u}) {
        FoldHasher h;
        h.update(m.data(), cut);
        h.update(ByteView(m.data() + cut, m.size() - cut));
        Digest d{};
        h.finish(d.data());
        EXPECT_EQ(d, whole) << "cut at " << cut;
    }
}

TEST(FoldHash, UpstreamWitnessChain) {
    // l2-1000x16-deleted.rvf: MANIFEST, VEC, WITNESS(ingest), MANIFEST, JOURNAL, WITNESS(delete),
    // MANIFEST. The first witness of a session carries prev_hash = 0; the second carries the fold
    // of the first witness's entire payload.
    const auto file = read_file("l2-1000x16-deleted.rvf");
    ASSERT_EQ(file.size(), 73226u);
    std::vector<ByteView> witnesses;
    for (const Seg &s : walk_layout_r(file))
        if (s.type == 0x0A)
            witnesses.push_back(s.payload);
    ASSERT_EQ(witnesses.size(), 2u);
    for (ByteView w : witnesses) { // u8 type | u64 ts | u32 action_len | action | u8[32] prev_hash
        ASSERT_GE(w.size, 13u + 32u);
        EXPECT_EQ(w.size, 13u + load_u32_le(w.data + 9) + 32u);
    }
    const Digest zero{};
    EXPECT_TRUE(std::equal(zero.begin(), zero.end(), witnesses[0].data + witnesses[0].size - 32));

    Digest h{};
    fold_hash(witnesses[0], h.data());
    EXPECT_NE(h, zero);
    EXPECT_TRUE(std::equal(h.begin(), h.end(), witnesses[1].data + witnesses[1].size - 32));
}

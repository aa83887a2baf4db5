// LEB128 varints and zigzag (rvf/core/varint.hpp): exact encodings at every length boundary,
// rejection of bad input, and agreement with ByteReader::varint / ByteWriter::varint.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/varint.hpp>

using namespace rvf::core;

namespace {
std::vector<uint8_t> enc(uint64_t v) {
    uint8_t b[kMaxVarintBytes] = {};
    const size_t n = encode_varint(v, b);
    return {b, b + n};
}
bool dec(const std::vector<uint8_t> &in, uint64_t *v, size_t *pos) {
    *pos = 0;
    return decode_varint(ByteView(in.data(), in.size()), pos, v);
}
} // namespace

TEST(Varint, BoundaryEncodingsAreByteExact) {
    const struct {
        uint64_t v;
        std::vector<uint8_t> bytes;
    } cases[] = {
        {0, {0x00}},
        {1, {0x01}},
        {127, {0x7F}},
        {128, {0x80, 0x01}},
        {300, {0xAC, 0x02}},
        {16383, {0xFF, 0x7F}},
        {16384, {0x80, 0x80, 0x01}},
        {(1ull << 32) - 1, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}},
        {1ull << 32, {0x80, 0x80, 0x80, 0x80, 0x10}},
        {(1ull << 63) - 1, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}},
        {1ull << 63, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
        {UINT64_MAX, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}},
    };
    for (const auto &c : cases) {
        EXPECT_EQ(enc(c.v), c.bytes) << c.v;
        EXPECT_EQ(varint_size(c.v), c.bytes.size()) << c.v;
        uint64_t v = 0;
        size_t pos = 0;
        ASSERT_TRUE(dec(c.bytes, &v, &pos)) << c.v;
        EXPECT_EQ(v, c.v);
        EXPECT_EQ(pos, c.bytes.size());
    }
}

TEST(Varint, SizeChangesExactlyAtPowersOf128) {
    for (size_t n = 1; n < 10; ++n) {
        const uint64_t first_of_next = 1ull << (7 * n);
        EXPECT_EQ(varint_size(first_of_next - 1), n);
        EXPECT_EQ(varint_size(first_of_next), n + 1);
    }
    static_assert(varint_size(UINT64_MAX) == kMaxVarintBytes);
}

TEST(Varint, RejectsTruncatedOverlongAndOverflow) {
    uint64_t v = 12345;
    size_t pos = 0;
    EXPECT_FALSE(dec({}, &v, &pos));
    EXPECT_FALSE(dec({0x80}, &v, &pos));
    EXPECT_FALSE(dec({0xFF, 0xFF}, &v, &pos));
    EXPECT_FALSE(dec({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80}, &v, &pos)); // 9 bytes, all continue
    // 11 bytes: continuation on the 10th byte.
    EXPECT_FALSE(dec({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &v, &pos));
    // 10th byte may only hold bit 63.
    EXPECT_FALSE(dec({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}, &v, &pos));
    EXPECT_FALSE(dec({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}, &v, &pos));
    EXPECT_EQ(v, 12345u); // untouched on failure
    // A failed decode leaves the position where it was.
    const std::vector<uint8_t> two = {0x05, 0x80};
    pos = 1;
    EXPECT_FALSE(decode_varint(ByteView(two.data(), two.size()), &pos, &v));
    EXPECT_EQ(pos, 1u);
    // Position outside the buffer.
    pos = 3;
    EXPECT_FALSE(decode_varint(ByteView(two.data(), two.size()), &pos, &v));
    EXPECT_EQ(pos, 3u);
}

TEST(Varint, NonMinimalFormsWithinTenBytesAreAccepted) {
    // Same policy as ByteReader::varint (documented in varint.hpp): value-preserving padding ok.
    uint64_t v = 1;
    size_t pos = 0;
    ASSERT_TRUE(dec({0x80, 0x00}, &v, &pos));
    EXPECT_EQ(v, 0u);
    EXPECT_EQ(pos, 2u);
    ASSERT_TRUE(dec({0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, &v, &pos));
    EXPECT_EQ(v, 1u);
}

TEST(Varint, DecodesASequenceAdvancingPos) {
    std::vector<uint8_t> buf;
    const uint64_t vals[] = {0, 127, 128, 1ull << 40, UINT64_MAX, 7};
    for (uint64_t x : vals) {
        const auto e = enc(x);
        buf.insert(buf.end(), e.begin(), e.end());
    }
    size_t pos = 0;
    for (uint64_t x : vals) {
        uint64_t v = 0;
        ASSERT_TRUE(decode_varint(ByteView(buf.data(), buf.size()), &pos, &v));
        EXPECT_EQ(v, x);
    }
    EXPECT_EQ(pos, buf.size());
}

TEST(Varint, AgreesWithByteWriterAndByteReader) {
    std::mt19937_64 rng(99);
    for (int i = 0; i < 20000; ++i) {
        // Spread values over all lengths: random width, then random bits.
        const uint64_t v = rng() >> (rng() % 64);
        uint8_t wbuf[16] = {};
        ByteWriter w(MutByteView(wbuf, sizeof wbuf));
        ASSERT_TRUE(w.varint(v));
        ByteWriter counter;
        counter.varint(v);
        const auto e = enc(v);
        ASSERT_EQ(w.pos(), e.size());
        ASSERT_EQ(counter.pos(), varint_size(v));
        ASSERT_TRUE(std::equal(e.begin(), e.end(), wbuf)) << v;
    }
    // Arbitrary byte strings, biased towards continuation bits: both decoders must agree on
    // accept/reject, value and consumed length.
    for (int i = 0; i < 50000; ++i) {
        std::vector<uint8_t> in(rng() % 13);
        for (auto &b : in)
            b = static_cast<uint8_t>((rng() % 4 != 0) ? (rng() | 0x80) : rng());
        size_t pos = 0;
        uint64_t v = 0;
        const bool ok = decode_varint(ByteView(in.data(), in.size()), &pos, &v);
        ByteReader r(ByteView(in.data(), in.size()));
        const uint64_t rv = r.varint();
        ASSERT_EQ(ok, r.ok()) << "case " << i;
        if (ok) {
            ASSERT_EQ(v, rv);
            ASSERT_EQ(pos, r.pos());
        }
    }
}

TEST(Zigzag, KnownMappingAndRoundTrip) {
    EXPECT_EQ(zigzag_encode(0), 0u);
    EXPECT_EQ(zigzag_encode(-1), 1u);
    EXPECT_EQ(zigzag_encode(1), 2u);
    EXPECT_EQ(zigzag_encode(-2), 3u);
    EXPECT_EQ(zigzag_encode(2147483647), 4294967294u);
    EXPECT_EQ(zigzag_encode(-2147483648LL), 4294967295u);
    EXPECT_EQ(zigzag_encode(INT64_MAX), UINT64_MAX - 1);
    EXPECT_EQ(zigzag_encode(INT64_MIN), UINT64_MAX);
    static_assert(zigzag_decode(zigzag_encode(-12345)) == -12345);
    const int64_t edge[] = {0, 1, -1, 63, -64, 64, -65, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (int64_t x : edge)
        EXPECT_EQ(zigzag_decode(zigzag_encode(x)), x) << x;
    std::mt19937_64 rng(5);
    for (int i = 0; i < 10000; ++i) {
        const auto x = static_cast<int64_t>(rng());
        ASSERT_EQ(zigzag_decode(zigzag_encode(x)), x);
        const uint64_t u = rng();
        ASSERT_EQ(zigzag_encode(zigzag_decode(u)), u);
    }
    // Small magnitudes stay one byte.
    EXPECT_EQ(varint_size(zigzag_encode(-64)), 1u);
    EXPECT_EQ(varint_size(zigzag_encode(64)), 2u);
}

// ByteReader/ByteWriter (rvf/core/bytes.hpp): bounds checks, sticky failure, LEB128, padding.
#include <gtest/gtest.h>

#include <rvf/core/bytes.hpp>

#include <vector>

using namespace rvf::core;

TEST(Bytes, LittleEndianLoadStore) {
    uint8_t b[8];
    store_u64_le(b, 0x0807060504030201ull);
    for (int i = 0; i < 8; ++i)
        EXPECT_EQ(b[i], i + 1);
    EXPECT_EQ(load_u32_le(b), 0x04030201u);
    EXPECT_EQ(load_u16_le(b + 6), 0x0807u);
    store_u32_be(b, 0x01020304u);
    EXPECT_EQ(b[0], 1);
    EXPECT_EQ(load_u32_be(b), 0x01020304u);
    store_f32_le(b, 1.5f);
    EXPECT_EQ(load_f32_le(b), 1.5f);
}

TEST(Bytes, ReaderFailsAndStaysFailed) {
    const uint8_t b[5] = {1, 2, 3, 4, 5};
    ByteReader r(ByteView(b, 5));
    EXPECT_EQ(r.u32(), 0x04030201u);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.u16(), 0u); // only 1 byte left
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.u8(), 0u); // sticky: even a fitting read fails now
    EXPECT_EQ(r.remaining(), 0u);
}

TEST(Bytes, ReaderPaddingMustBeZero) {
    uint8_t b[16] = {7};
    ByteReader r(ByteView(b, 16));
    r.u8();
    EXPECT_TRUE(r.skip_zero_pad(8));
    EXPECT_EQ(r.pos(), 8u);
    b[9] = 1;
    r.u8();
    EXPECT_FALSE(r.skip_zero_pad(8));
}

TEST(Bytes, SubViewsRejectOutOfRange) {
    const uint8_t b[4] = {};
    ByteView v(b, 4);
    EXPECT_EQ(v.sub(2, 2).size, 2u);
    EXPECT_TRUE(v.sub(3, 2).empty());
    EXPECT_TRUE(v.sub(SIZE_MAX, 1).empty());
    EXPECT_TRUE(v.sub(1, SIZE_MAX).empty());
}

TEST(Bytes, VarintRoundTripAndRejectsOverlong) {
    const uint64_t values[] = {0, 1, 127, 128, 16383, 16384, 1ull << 32, 1ull << 63, UINT64_MAX};
    for (uint64_t v : values) {
        uint8_t buf[16];
        ByteWriter w(MutByteView(buf, sizeof buf));
        ASSERT_TRUE(w.varint(v));
        ByteReader r(ByteView(buf, w.pos()));
        EXPECT_EQ(r.varint(), v);
        EXPECT_TRUE(r.at_end());
    }
    // 11 continuation bytes: too long.
    std::vector<uint8_t> overlong(11, 0x80);
    overlong.back() = 0;
    ByteReader r(ByteView(overlong.data(), overlong.size()));
    r.varint();
    EXPECT_FALSE(r.ok());
    // 10th byte carrying more than the one remaining bit overflows u64.
    std::vector<uint8_t> ovf(9, 0xFF);
    ovf.push_back(0x02);
    ByteReader r2(ByteView(ovf.data(), ovf.size()));
    r2.varint();
    EXPECT_FALSE(r2.ok());
    // Truncated.
    const uint8_t t[1] = {0x80};
    ByteReader r3(ByteView(t, 1));
    r3.varint();
    EXPECT_FALSE(r3.ok());
}

TEST(Bytes, WriterCountsThenWritesSameSize) {
    auto encode = [](ByteWriter &w) {
        w.u8(1);
        w.u64(2);
        w.varint(300);
        w.pad_to(16);
        w.f32(2.5f);
    };
    ByteWriter counter;
    encode(counter);
    EXPECT_EQ(counter.pos(), 20u);
    std::vector<uint8_t> out(counter.pos());
    ByteWriter w(MutByteView(out.data(), out.size()));
    encode(w);
    EXPECT_TRUE(w.ok());
    EXPECT_EQ(w.pos(), out.size());
    ByteWriter small(MutByteView(out.data(), 8));
    encode(small);
    EXPECT_FALSE(small.ok()); // overflow detected, nothing written past the end
}

TEST(Bytes, AlignUpSaturates) {
    EXPECT_EQ(align_up(0, 64), 0u);
    EXPECT_EQ(align_up(1, 64), 64u);
    EXPECT_EQ(align_up(UINT64_MAX - 3, 64), UINT64_MAX & ~63ull);
    uint64_t out;
    EXPECT_TRUE(add_overflows(UINT64_MAX, 1, &out));
    EXPECT_TRUE(mul_overflows(1ull << 40, 1ull << 40, &out));
}

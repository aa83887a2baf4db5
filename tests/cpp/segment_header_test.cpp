// Segment header (spec §2): field offsets, enum tables, strict validation, round trip.
#include <gtest/gtest.h>

#include <cstring>

#include <rvf/core/format/segment_header.hpp>

using namespace rvf::core;

namespace {
SegmentHeader sample() {
    SegmentHeader h;
    h.seg_type = static_cast<uint8_t>(SegType::Vec);
    h.flags = SegFlag::Hot | SegFlag::Sealed;
    h.segment_id = 0x0102030405060708ull;
    h.payload_length = 1000;
    h.timestamp_ns = 0x1122334455667788ull;
    h.checksum_algo = 1;
    for (int i = 0; i < 16; ++i)
        h.content_hash[i] = static_cast<uint8_t>(0xA0 + i);
    h.alignment_pad = layout_s_pad(1000);
    return h;
}
} // namespace

TEST(SegmentHeader, EncodesEveryFieldAtItsOffset) {
    uint8_t b[64];
    encode_segment_header(sample(), b);
    EXPECT_EQ(b[0], 0x53); // "SFVR" on disk
    EXPECT_EQ(b[1], 0x46);
    EXPECT_EQ(b[2], 0x56);
    EXPECT_EQ(b[3], 0x52);
    EXPECT_EQ(b[4], 1);
    EXPECT_EQ(b[5], 0x01);
    EXPECT_EQ(load_u16_le(b + 6), SegFlag::Hot | SegFlag::Sealed);
    EXPECT_EQ(load_u64_le(b + 0x08), 0x0102030405060708ull);
    EXPECT_EQ(load_u64_le(b + 0x10), 1000u);
    EXPECT_EQ(load_u64_le(b + 0x18), 0x1122334455667788ull);
    EXPECT_EQ(b[0x20], 1);
    EXPECT_EQ(b[0x21], 0);
    EXPECT_EQ(b[0x28], 0xA0);
    EXPECT_EQ(b[0x37], 0xAF);
    EXPECT_EQ(load_u32_le(b + 0x38), 0u);
    EXPECT_EQ(load_u32_le(b + 0x3C), layout_s_pad(1000));
}

TEST(SegmentHeader, RoundTrips) {
    uint8_t b[64];
    const SegmentHeader in = sample();
    encode_segment_header(in, b);
    SegmentHeader out;
    ASSERT_EQ(decode_segment_header(ByteView(b, 64), 0, 64 + 1000 + in.alignment_pad, out), Status::Ok);
    EXPECT_EQ(out.segment_id, in.segment_id);
    EXPECT_EQ(out.flags, in.flags);
    EXPECT_EQ(out.payload_length, in.payload_length);
    EXPECT_EQ(0, memcmp(out.content_hash, in.content_hash, 16));
}

TEST(SegmentHeader, AllTwentyNineTypesNamed) {
    int known = 0;
    for (int v = 0; v < 256; ++v)
        if (seg_type_known(static_cast<uint8_t>(v))) {
            ++known;
            EXPECT_NE(seg_type_name(static_cast<uint8_t>(v)), nullptr);
        }
    EXPECT_EQ(known, kSegTypeCount);
    EXPECT_STREQ(seg_type_name(0x0D), "meta_idx");
    EXPECT_STREQ(seg_type_name(0x36), "aggregate_weights");
    EXPECT_EQ(seg_type_name(0x12), nullptr);
}

TEST(SegmentHeader, StrictValidation) {
    uint8_t b[64];
    SegmentHeader h;
    auto check = [&](auto mutate, Status want) {
        encode_segment_header(sample(), b);
        mutate(b);
        EXPECT_EQ(decode_segment_header(ByteView(b, 64), 0, 1u << 20, h), want);
    };
    check([](uint8_t *p) { p[0] ^= 1; }, Status::InvalidMagic);
    check([](uint8_t *p) { p[4] = 2; }, Status::InvalidVersion);
    check([](uint8_t *p) { p[7] |= 0x10; }, Status::InvalidManifest);     // flag bit 12
    check([](uint8_t *p) { p[0x22] = 1; }, Status::InvalidManifest);      // reserved_0
    check([](uint8_t *p) { p[0x27] = 1; }, Status::InvalidManifest);      // reserved_1
    check([](uint8_t *p) { p[0x21] = 1; }, Status::InvalidManifest);      // compression w/o flag
    check([](uint8_t *p) { p[0x21] = 9; p[6] |= 1; }, Status::InvalidManifest); // unknown compression
    check([](uint8_t *p) { p[0x20] = 7; }, Status::AlgoUnsupported);
    check([](uint8_t *p) { p[0x3C] = 64; }, Status::AlignmentError);
    check([](uint8_t *p) { store_u64_le(p + 0x10, (1ull << 32) + 1); }, Status::SegmentTooLarge);
    // Payload past end of file.
    encode_segment_header(sample(), b);
    EXPECT_EQ(decode_segment_header(ByteView(b, 64), 0, 64 + 999, h), Status::TruncatedSegment);
    EXPECT_EQ(decode_segment_header(ByteView(b, 63), 0, 1u << 20, h), Status::TruncatedSegment);
    // Offset near 2^64 must not wrap.
    EXPECT_EQ(decode_segment_header(ByteView(b, 64), UINT64_MAX - 10, UINT64_MAX, h), Status::TruncatedSegment);
}

TEST(SegmentHeader, LayoutSPadding) {
    EXPECT_EQ(layout_s_pad(0), 0u);
    EXPECT_EQ(layout_s_pad(1), 63u);
    EXPECT_EQ(layout_s_pad(64), 0u);
    EXPECT_EQ(layout_s_segment_span(65), 192u);
}

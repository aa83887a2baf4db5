// META_SEG header + field directory and METAIDX_SEG header (spec §6.7): packed offsets,
// round trips, column-offset rules, reserved bytes, every truncation rejected.
#include <gtest/gtest.h>

#include <vector>

#include <rvf/core/format/meta_seg.hpp>
#include <rvf/core/format/metaidx_seg.hpp>

using namespace rvf::core;

namespace {
MetaHeader header() {
    MetaHeader h;
    h.schema_id = 0xA1B2C3D4;
    h.id_range_start = 1000;
    h.id_range_end = 1999;
    h.encoding = uint8_t(MetaEncoding::Column);
    return h;
}
std::vector<MetaField> fields() {
    return {{3, uint8_t(MetaFieldType::String), MetaFieldFlag::Indexed | MetaFieldFlag::Stored, 128},
            {4, uint8_t(MetaFieldType::U64), MetaFieldFlag::Nullable | MetaFieldFlag::Sorted, 256},
            {9, uint8_t(MetaFieldType::Bool), 0, 512}};
}
// Header + directory, then zero "column data" up to `total` bytes.
std::vector<uint8_t> build(const MetaHeader &h, const std::vector<MetaField> &f, size_t total) {
    ByteWriter c;
    EXPECT_EQ(encode_meta_seg_head(c, h, f.data(), f.size()), Status::Ok);
    std::vector<uint8_t> out(c.pos() > total ? c.pos() : total, 0);
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode_meta_seg_head(w, h, f.data(), f.size()), Status::Ok);
    EXPECT_EQ(w.pos(), c.pos());
    return out;
}
Status parse(const std::vector<uint8_t> &b, MetaSegView &v) {
    return MetaSegView::parse(ByteView(b.data(), b.size()), v);
}
} // namespace

TEST(MetaSeg, PackedHeaderOffsets) {
    const auto p = build(header(), fields(), 600);
    EXPECT_EQ(load_u32_le(&p[0x00]), 0xA1B2C3D4u);
    EXPECT_EQ(load_u64_le(&p[0x04]), 1000u);
    EXPECT_EQ(load_u64_le(&p[0x0C]), 1999u);
    EXPECT_EQ(load_u16_le(&p[0x14]), 3u);
    EXPECT_EQ(p[0x16], 1);
    for (size_t i = 0x17; i < 0x40; ++i)
        EXPECT_EQ(p[i], 0);
    // Directory entry 1 at 0x48: field_id 4, type u64, flags NULLABLE|SORTED, offset 256.
    EXPECT_EQ(load_u16_le(&p[0x48]), 4u);
    EXPECT_EQ(p[0x4A], 2);
    EXPECT_EQ(p[0x4B], 0x06);
    EXPECT_EQ(load_u32_le(&p[0x4C]), 256u);
    for (size_t i = 0x58; i < 0x80; ++i) // directory padded to 128
        EXPECT_EQ(p[i], 0);
}

TEST(MetaSeg, RoundTripAndFieldData) {
    const auto p = build(header(), fields(), 600);
    MetaSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.header.schema_id, 0xA1B2C3D4u);
    EXPECT_EQ(v.header.field_count, 3u);
    uint64_t n = 0;
    EXPECT_TRUE(v.header.vector_count(n));
    EXPECT_EQ(n, 1000u);
    const auto f = fields();
    for (uint16_t i = 0; i < 3; ++i) {
        const MetaField g = v.field(i);
        EXPECT_EQ(g.field_id, f[i].field_id);
        EXPECT_EQ(g.field_type, f[i].field_type);
        EXPECT_EQ(g.flags, f[i].flags);
        EXPECT_EQ(g.field_offset, f[i].field_offset);
    }
    EXPECT_EQ(v.field_data(0).size, 128u);
    EXPECT_EQ(v.field_data(1).size, 256u);
    EXPECT_EQ(v.field_data(2).size, 600u - 512u);
    EXPECT_EQ(v.field_data(3).size, 0u);
    EXPECT_EQ(meta_field_value_size(uint8_t(MetaFieldType::U64)), 8u);
    EXPECT_EQ(meta_field_value_size(uint8_t(MetaFieldType::F32)), 4u);
    EXPECT_EQ(meta_field_value_size(uint8_t(MetaFieldType::String)), 0u);
    EXPECT_EQ(meta_field_value_size(uint8_t(MetaFieldType::I64)), 8u);
    EXPECT_EQ(meta_field_value_size(uint8_t(MetaFieldType::F64)), 8u);
    EXPECT_EQ(meta_field_value_size(uint8_t(MetaFieldType::Bytes)), 0u);
    MetaHeader full;
    full.id_range_end = UINT64_MAX;
    EXPECT_FALSE(full.vector_count(n));
}

TEST(MetaSeg, RowEncodingDoesNotJudgeOffsets) {
    MetaHeader h = header();
    h.encoding = uint8_t(MetaEncoding::Row);
    std::vector<MetaField> f = {{1, 1, 0, 3}, {2, 1, 0, 3}};
    const auto p = build(h, f, 64);
    MetaSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.field_data(0).size, 0u);
}

TEST(MetaSeg, StrictChecks) {
    const auto good = build(header(), fields(), 600);
    MetaSegView v;
    auto q = good;
    q[0x16] = 2; // encoding
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u64_le(&q[0x04], 5000); // start > end
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x30] = 1; // reserved
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x4A] = 9; // field type (0-5 spec, 6-8 our extension)
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x4A] = uint8_t(MetaFieldType::Bytes); // extension codes are known
    EXPECT_EQ(parse(q, v), Status::Ok);
    q = good;
    q[0x4B] = 0x10; // reserved flag bit
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[0x4C], 260); // not 64-aligned
    EXPECT_EQ(parse(q, v), Status::AlignmentError);
    q = good;
    store_u32_le(&q[0x4C], 128); // not ascending
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[0x44], 64); // inside the directory
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[0x54], 640); // past the payload
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x70] = 1; // directory padding
    EXPECT_EQ(parse(q, v), Status::AlignmentError);
    q = good;
    store_u16_le(&q[0x14], 0xFFFF); // directory larger than the payload
    EXPECT_EQ(parse(q, v), Status::TruncatedSegment);
    // Header + directory truncations (field data region shrinks to nothing at 128).
    const auto head = build(header(), {}, 0);
    for (size_t n = 0; n < head.size(); ++n)
        EXPECT_EQ(MetaSegView::parse(ByteView(head.data(), n), v), Status::TruncatedSegment) << n;
    // Cutting at or before the last field's offset drops a column: rejected. (Column bodies are
    // not decoded here, so a cut inside the last body is the body decoder's to catch.)
    for (size_t n = 0; n <= 512; ++n)
        EXPECT_NE(MetaSegView::parse(ByteView(good.data(), n), v), Status::Ok) << n;
    ByteWriter c;
    MetaHeader h = header();
    h.encoding = 3;
    EXPECT_EQ(encode_meta_seg_head(c, h, nullptr, 0), Status::InvalidArgument);
    std::vector<MetaField> bad = {{1, 9, 0, 128}};
    EXPECT_EQ(encode_meta_seg_head(c, header(), bad.data(), 1), Status::InvalidArgument);
}

TEST(MetaIdxSeg, HeaderOffsetsRoundTripAndChecks) {
    MetaIdxHeader h;
    h.field_id = 0x0102;
    h.index_type = uint8_t(MetaIndexType::Bitmap);
    h.field_type = uint8_t(MetaFieldType::Enum);
    h.total_vectors = 1000000;
    h.unique_values = 3;
    std::vector<uint8_t> p(64 + 5, 0xAB); // 5 body bytes
    ByteWriter w(MutByteView(p.data(), 64));
    ASSERT_EQ(encode_metaidx_seg_header(w, h), Status::Ok);
    EXPECT_EQ(w.pos(), 64u);
    EXPECT_EQ(load_u16_le(&p[0]), 0x0102u);
    EXPECT_EQ(p[2], 2);
    EXPECT_EQ(p[3], 4);
    EXPECT_EQ(load_u64_le(&p[4]), 1000000u);
    EXPECT_EQ(load_u64_le(&p[12]), 3u);
    for (size_t i = 20; i < 64; ++i)
        EXPECT_EQ(p[i], 0);
    MetaIdxSegView v;
    ASSERT_EQ(MetaIdxSegView::parse(ByteView(p.data(), p.size()), v), Status::Ok);
    EXPECT_EQ(v.header.field_id, 0x0102u);
    EXPECT_EQ(v.header.total_vectors, 1000000u);
    EXPECT_EQ(v.header.unique_values, 3u);
    EXPECT_EQ(v.body.size, 5u);
    EXPECT_EQ(v.body[0], 0xAB);
    for (size_t n = 0; n < 64; ++n)
        EXPECT_EQ(MetaIdxSegView::parse(ByteView(p.data(), n), v), Status::TruncatedSegment) << n;
    auto q = p;
    q[2] = 3;
    EXPECT_EQ(MetaIdxSegView::parse(ByteView(q.data(), q.size()), v), Status::InvalidManifest);
    q = p;
    q[3] = 9;
    EXPECT_EQ(MetaIdxSegView::parse(ByteView(q.data(), q.size()), v), Status::InvalidManifest);
    q = p;
    q[63] = 1;
    EXPECT_EQ(MetaIdxSegView::parse(ByteView(q.data(), q.size()), v), Status::InvalidManifest);
    ByteWriter c;
    h.index_type = 5;
    EXPECT_EQ(encode_metaidx_seg_header(c, h), Status::InvalidArgument);
}

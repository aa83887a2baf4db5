// Layout S Level-1 TLV records (spec §4.4-4.6) and the MANIFEST_SEG payload (§4.1): record
// layout, round trips, unknown tags skipped (§12 row 14), every truncation rejected, padding
// must be zero, directory / overlay-chain / metadata-index codecs, payload split checks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/format/manifest_tlv.hpp>

using namespace rvf::core;

namespace {

using Bytes = std::vector<uint8_t>;

// Runs an encoder twice: once counting, once into a buffer of exactly that size.
template <class F> Bytes encode(F f) {
    ByteWriter counter;
    EXPECT_EQ(f(counter), Status::Ok);
    Bytes out(counter.pos());
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(f(w), Status::Ok);
    EXPECT_EQ(w.pos(), out.size());
    return out;
}

SegmentDirEntry entry(uint64_t id) {
    SegmentDirEntry e;
    e.segment_id = id;
    e.seg_type = static_cast<uint8_t>(id % 13 + 1);
    e.tier = static_cast<uint8_t>(id % 3);
    e.flags = static_cast<uint16_t>(0x0100 | id);
    e.file_offset = id * 0x1000;
    e.payload_length = id * 100 + 1;
    e.compressed_length = id * 50;
    e.shard_id = static_cast<uint16_t>(id);
    e.compression = 2;
    e.block_count = static_cast<uint32_t>(id * 3);
    for (int i = 0; i < 16; ++i)
        e.content_hash[i] = static_cast<uint8_t>(id * 16 + i);
    return e;
}

bool same(const SegmentDirEntry &a, const SegmentDirEntry &b) {
    return a.segment_id == b.segment_id && a.seg_type == b.seg_type && a.tier == b.tier && a.flags == b.flags &&
           a.file_offset == b.file_offset && a.payload_length == b.payload_length &&
           a.compressed_length == b.compressed_length && a.shard_id == b.shard_id && a.compression == b.compression &&
           a.block_count == b.block_count && std::memcmp(a.content_hash, b.content_hash, 16) == 0;
}

OverlayChain chain() {
    OverlayChain c;
    c.epoch = 7;
    c.prev_manifest_offset = 0x12340;
    c.prev_manifest_id = 42;
    for (int i = 0; i < 16; ++i)
        c.checkpoint_hash[i] = static_cast<uint8_t>(0xC0 + i);
    return c;
}

const std::string kName1 = "category", kName2 = "price";
std::vector<MetadataIndexEntry> meta_entries() {
    MetadataIndexEntry a;
    a.field_id = 3;
    a.name = ByteView(reinterpret_cast<const uint8_t *>(kName1.data()), kName1.size());
    a.index_seg_id = 9;
    a.index_type = 1;
    a.total_vectors = 1000;
    a.unique_values = 12;
    a.min_posting_len = 2;
    a.max_posting_len = 400;
    MetadataIndexEntry b = a;
    b.field_id = 4;
    b.name = ByteView(reinterpret_cast<const uint8_t *>(kName2.data()), kName2.size());
    b.index_type = 2;
    return {a, b};
}

const SegmentDirEntry kDir[3] = {entry(1), entry(2), entry(3)};
const uint8_t kOpaque[5] = {1, 2, 3, 4, 5};

// SEGMENT_DIR(3) | unknown 0x1234 (5 B) | OVERLAY_CHAIN | CAPABILITY_MANIFEST (5 B) | METADATA_INDEX_DIR
Bytes sample_area() {
    const auto meta = meta_entries();
    const OverlayChain c = chain();
    return encode([&](ByteWriter &w) {
        RVF_TRY(encode_segment_dir_tlv(w, kDir, 3));
        RVF_TRY(encode_tlv_record(w, 0x1234, ByteView(kOpaque, 5)));
        RVF_TRY(encode_overlay_chain_tlv(w, c));
        RVF_TRY(encode_tlv_record(w, tag_value(ManifestTag::CapabilityManifest), ByteView(kOpaque, 5)));
        return encode_metadata_index_dir_tlv(w, meta.data(), meta.size());
    });
}

// Record start offsets in sample_area().
std::vector<size_t> record_starts(const Bytes &area) {
    std::vector<size_t> s;
    TlvCursor c(ByteView(area.data(), area.size()));
    TlvRecord r;
    while (c.next(r))
        s.push_back(r.offset);
    EXPECT_EQ(c.status(), Status::Ok);
    return s;
}

Status parse(const Bytes &area) {
    TlvAreaView v;
    return parse_tlv_area(ByteView(area.data(), area.size()), v);
}

} // namespace

TEST(ManifestTlv, RecordLayoutAndPadding) {
    const Bytes b = encode([](ByteWriter &w) { return encode_tlv_record(w, 0x0009, ByteView(kOpaque, 5)); });
    ASSERT_EQ(b.size(), 16u); // 8 header + 5 value + 3 pad
    EXPECT_EQ(load_u16_le(b.data()), 0x0009);
    EXPECT_EQ(load_u32_le(b.data() + 2), 5u);
    EXPECT_EQ(load_u16_le(b.data() + 6), 0);
    EXPECT_EQ(0, std::memcmp(b.data() + 8, kOpaque, 5));
    EXPECT_EQ(b[13] | b[14] | b[15], 0);
    EXPECT_EQ(tlv_record_span(5), 16u);
    EXPECT_EQ(tlv_record_span(8), 16u);
    EXPECT_EQ(tlv_record_span(0), 8u);
}

TEST(ManifestTlv, EncoderRequiresAlignedStart) {
    Bytes buf(64);
    ByteWriter w(MutByteView(buf.data(), buf.size()));
    w.u8(0);
    EXPECT_EQ(encode_tlv_record(w, 1, ByteView(kOpaque, 5)), Status::InvalidArgument);
    Bytes small(10);
    ByteWriter s(MutByteView(small.data(), small.size()));
    EXPECT_EQ(encode_tlv_record(s, 1, ByteView(kOpaque, 5)), Status::InvalidArgument); // needs 16
}

TEST(ManifestTlv, AreaRoundTripsAndCountsUnknownTags) {
    const Bytes area = sample_area();
    EXPECT_EQ(area.size() % 8, 0u);
    TlvAreaView v;
    ASSERT_EQ(parse_tlv_area(ByteView(area.data(), area.size()), v), Status::Ok);
    EXPECT_EQ(v.record_count, 5u);
    EXPECT_EQ(v.unknown_count, 1u); // 0x1234; CAPABILITY_MANIFEST is a known tag with opaque value

    TlvRecord rec;
    ASSERT_TRUE(v.find(ManifestTag::SegmentDir, rec));
    EXPECT_EQ(rec.offset, 0u);
    SegmentDirView dir;
    ASSERT_EQ(parse_segment_dir(rec.value, dir), Status::Ok);
    ASSERT_EQ(dir.size(), 3u);
    for (size_t i = 0; i < 3; ++i)
        EXPECT_TRUE(same(dir.at(i), kDir[i])) << i;
    SegmentDirEntry found;
    ASSERT_TRUE(dir.find_id(2, found));
    EXPECT_TRUE(same(found, kDir[1]));
    EXPECT_FALSE(dir.find_id(99, found));

    ASSERT_TRUE(v.find(ManifestTag::OverlayChain, rec));
    OverlayChain c;
    ASSERT_EQ(decode_overlay_chain(rec.value, c), Status::Ok);
    EXPECT_EQ(c.epoch, 7u);
    EXPECT_EQ(c.prev_manifest_offset, 0x12340u);
    EXPECT_EQ(c.prev_manifest_id, 42u);
    EXPECT_EQ(c.checkpoint_hash[15], 0xCF);

    ASSERT_TRUE(v.find(0x1234, rec));
    EXPECT_EQ(rec.length, 5u);
    EXPECT_EQ(0, std::memcmp(rec.value.data, kOpaque, 5));

    ASSERT_TRUE(v.find(ManifestTag::MetadataIndexDir, rec));
    MetadataIndexDirView mv;
    ASSERT_EQ(parse_metadata_index_dir(rec.value, mv), Status::Ok);
    ASSERT_EQ(mv.count, 2);
    const auto want = meta_entries();
    auto cur = mv.entries();
    MetadataIndexEntry e;
    for (const auto &w : want) {
        ASSERT_TRUE(cur.next(e));
        EXPECT_EQ(e.field_id, w.field_id);
        EXPECT_EQ(std::string(reinterpret_cast<const char *>(e.name.data), e.name.size),
                  std::string(reinterpret_cast<const char *>(w.name.data), w.name.size));
        EXPECT_EQ(e.index_seg_id, w.index_seg_id);
        EXPECT_EQ(e.index_type, w.index_type);
        EXPECT_EQ(e.total_vectors, w.total_vectors);
        EXPECT_EQ(e.unique_values, w.unique_values);
        EXPECT_EQ(e.min_posting_len, w.min_posting_len);
        EXPECT_EQ(e.max_posting_len, w.max_posting_len);
    }
    EXPECT_FALSE(cur.next(e));
    EXPECT_FALSE(v.find(ManifestTag::KeyDirectory, rec));
    EXPECT_EQ(v.count(ManifestTag::SegmentDir), 1u);
}

TEST(ManifestTlv, EmptyAreaIsValid) {
    TlvAreaView v;
    EXPECT_EQ(parse_tlv_area(ByteView(), v), Status::Ok);
    EXPECT_EQ(v.record_count, 0u);
}

TEST(ManifestTlv, EveryTruncationIsRejected) {
    const Bytes area = sample_area();
    const auto starts = record_starts(area);
    ASSERT_EQ(starts.size(), 5u);
    for (size_t n = 0; n < area.size(); ++n) {
        const Bytes cut(area.begin(), area.begin() + static_cast<long>(n));
        const bool boundary = std::find(starts.begin(), starts.end(), n) != starts.end();
        EXPECT_EQ(parse(cut), boundary ? Status::Ok : Status::InvalidManifest) << n;
    }
}

TEST(ManifestTlv, PadBytesMustBeZero) {
    const Bytes area = sample_area();
    // The unknown record (5-byte value) starts right after SEGMENT_DIR: its pad field and its
    // three value-padding bytes must all be zero.
    const size_t rec = record_starts(area)[1];
    for (size_t at : {rec + 6, rec + 7, rec + 13, rec + 14, rec + 15}) {
        Bytes v = area;
        v[at] = 0x80;
        EXPECT_EQ(parse(v), Status::InvalidManifest) << at;
    }
}

TEST(ManifestTlv, LengthsPastTheAreaAreRejected) {
    Bytes area = sample_area();
    for (uint32_t len : {0xFFFFFFFFu, 0xFFFFFFF9u, static_cast<uint32_t>(area.size())}) {
        Bytes v = area;
        store_u32_le(v.data() + 2, len);
        EXPECT_EQ(parse(v), Status::InvalidManifest) << len;
    }
    // Trailing bytes that are not a whole record: zeros too (a zero tag is still a header).
    Bytes v = area;
    v.insert(v.end(), 4, 0);
    EXPECT_EQ(parse(v), Status::InvalidManifest);
    v.insert(v.end(), 4, 0); // now an 8-byte record with tag 0, length 0: legal, unknown
    TlvAreaView view;
    ASSERT_EQ(parse_tlv_area(ByteView(v.data(), v.size()), view), Status::Ok);
    EXPECT_EQ(view.unknown_count, 2u);
}

TEST(ManifestTlv, SegmentDirEntryLayout) {
    const SegmentDirEntry e = entry(5);
    const Bytes b = encode([&](ByteWriter &w) { return encode_segment_dir_entry(w, e); });
    ASSERT_EQ(b.size(), 64u);
    EXPECT_EQ(load_u64_le(b.data() + 0x00), 5u);
    EXPECT_EQ(b[0x08], e.seg_type);
    EXPECT_EQ(b[0x09], e.tier);
    EXPECT_EQ(load_u16_le(b.data() + 0x0A), e.flags);
    EXPECT_EQ(load_u32_le(b.data() + 0x0C), 0u);
    EXPECT_EQ(load_u64_le(b.data() + 0x10), 0x5000u);
    EXPECT_EQ(load_u64_le(b.data() + 0x18), 501u);
    EXPECT_EQ(load_u64_le(b.data() + 0x20), 250u);
    EXPECT_EQ(load_u16_le(b.data() + 0x28), 5);
    EXPECT_EQ(load_u16_le(b.data() + 0x2A), 2);
    EXPECT_EQ(load_u32_le(b.data() + 0x2C), 15u);
    EXPECT_EQ(b[0x30], 80);
    EXPECT_EQ(b[0x3F], 95);
}

TEST(ManifestTlv, SegmentDirRejectsBadValues) {
    const Bytes b = encode([&](ByteWriter &w) {
        RVF_TRY(encode_segment_dir_entry(w, entry(1)));
        return encode_segment_dir_entry(w, entry(2));
    });
    SegmentDirView v;
    EXPECT_EQ(parse_segment_dir(ByteView(b.data(), 127), v), Status::InvalidManifest);
    EXPECT_EQ(parse_segment_dir(ByteView(b.data(), 65), v), Status::InvalidManifest);
    EXPECT_EQ(parse_segment_dir(ByteView(b.data(), 0), v), Status::Ok);
    EXPECT_EQ(v.size(), 0u);
    Bytes r = b;
    r[64 + 0x0E] = 1; // reserved of the second entry
    EXPECT_EQ(parse_segment_dir(ByteView(r.data(), r.size()), v), Status::InvalidManifest);
}

TEST(ManifestTlv, OverlayChainIsFortyBytes) {
    const OverlayChain c = chain();
    const Bytes b = encode([&](ByteWriter &w) { return encode_overlay_chain_tlv(w, c); });
    ASSERT_EQ(b.size(), 48u);
    EXPECT_EQ(load_u32_le(b.data() + 2), 40u);
    const uint8_t *v = b.data() + 8;
    EXPECT_EQ(load_u32_le(v + 0x00), 7u);
    EXPECT_EQ(load_u32_le(v + 0x04), 0u);
    EXPECT_EQ(load_u64_le(v + 0x08), 0x12340u);
    EXPECT_EQ(load_u64_le(v + 0x10), 42u);
    EXPECT_EQ(v[0x18], 0xC0);
    OverlayChain out;
    EXPECT_EQ(decode_overlay_chain(ByteView(v, 36), out), Status::InvalidManifest); // the "36" comment
    EXPECT_EQ(decode_overlay_chain(ByteView(v, 40), out), Status::Ok);
    Bytes bad(v, v + 40);
    bad[5] = 1;
    EXPECT_EQ(decode_overlay_chain(ByteView(bad.data(), 40), out), Status::InvalidManifest);
}

TEST(ManifestTlv, MetadataIndexDirRejectsMalformedValues) {
    const auto meta = meta_entries();
    const Bytes b = encode([&](ByteWriter &w) { return encode_metadata_index_dir_value(w, meta.data(), meta.size()); });
    EXPECT_EQ(b.size(), 2u + (36 + kName1.size()) + (36 + kName2.size()));
    MetadataIndexDirView v;
    for (size_t n = 0; n < b.size(); ++n)
        EXPECT_EQ(parse_metadata_index_dir(ByteView(b.data(), n), v), Status::InvalidManifest) << n;
    Bytes longer = b;
    longer.push_back(0);
    EXPECT_EQ(parse_metadata_index_dir(ByteView(longer.data(), longer.size()), v), Status::InvalidManifest);
    EXPECT_EQ(parse_metadata_index_dir(ByteView(b.data(), b.size()), v), Status::Ok);

    const std::string long_name(256, 'x');
    MetadataIndexEntry e;
    e.name = ByteView(reinterpret_cast<const uint8_t *>(long_name.data()), long_name.size());
    ByteWriter counter;
    EXPECT_EQ(encode_metadata_index_dir_value(counter, &e, 1), Status::InvalidArgument);
}

// --- the whole MANIFEST_SEG payload ---------------------------------------------------------------

namespace {
Bytes payload(const LayoutSManifestParts &parts, const ManifestL0 &root, uint64_t at) {
    return encode([&](ByteWriter &w) { return encode_layout_s_manifest(w, parts, root, at); });
}
} // namespace

TEST(LayoutSManifest, RoundTripsWithOverlayAndExtraRecords) {
    const OverlayChain c = chain();
    const Bytes extra = encode([](ByteWriter &w) { return encode_tlv_record(w, 0x7777, ByteView(kOpaque, 5)); });
    LayoutSManifestParts parts;
    parts.directory = kDir;
    parts.directory_count = 3;
    parts.overlay_chain = &c;
    parts.extra_tlv = ByteView(extra.data(), extra.size());
    ManifestL0 root;
    root.epoch = 9;
    root.l1_manifest_offset = 1; // overwritten by the encoder
    const Bytes p = payload(parts, root, 0x1040);
    EXPECT_EQ(p.size(), layout_s_manifest_size(parts));
    const size_t tlv = (8 + 3 * 64) + (8 + 40) + 16;
    ASSERT_EQ(p.size(), tlv + 4096);
    EXPECT_EQ(0, std::memcmp(p.data() + tlv, "0MVR", 4));

    LayoutSManifestView v;
    ASSERT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), 0x1040, v), Status::Ok);
    EXPECT_EQ(v.root.epoch, 9u);
    EXPECT_EQ(v.root.l1_manifest_offset, 0x1040u);
    EXPECT_EQ(v.root.l1_manifest_length, tlv);
    ASSERT_TRUE(v.has_directory);
    ASSERT_EQ(v.directory.size(), 3u);
    EXPECT_TRUE(same(v.directory.at(2), kDir[2]));
    ASSERT_TRUE(v.has_overlay_chain);
    EXPECT_EQ(v.overlay_chain.prev_manifest_id, 42u);
    EXPECT_FALSE(v.has_metadata_index_dir);
    EXPECT_EQ(v.tlv.unknown_count, 1u); // 0x7777 is skipped, not fatal
    // Offset unknown to the caller: not checked.
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), kPayloadOffsetUnknown, v), Status::Ok);
    // Wrong offset: the root points somewhere else.
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), 0x1080, v), Status::InvalidManifest);
}

TEST(LayoutSManifest, RootWithZeroL1OffsetIsAccepted) {
    LayoutSManifestParts parts;
    const Bytes p = payload(parts, ManifestL0{}, kPayloadOffsetUnknown);
    ASSERT_EQ(p.size(), 8u + 4096u); // an empty SEGMENT_DIR is still written
    LayoutSManifestView v;
    ASSERT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), 0x999940, v), Status::Ok);
    EXPECT_EQ(v.root.l1_manifest_offset, 0u);
    EXPECT_TRUE(v.has_directory);
    EXPECT_EQ(v.directory.size(), 0u);
}

TEST(LayoutSManifest, L1LengthMustMatchTheTlvArea) {
    LayoutSManifestParts parts;
    parts.directory = kDir;
    parts.directory_count = 1;
    Bytes p = payload(parts, ManifestL0{}, 0);
    const size_t root = p.size() - 4096;
    patch_manifest_l0_l1(p.data() + root, 0, root + 8);
    LayoutSManifestView v;
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), 0, v), Status::InvalidManifest);
    // A root alone must say length 0.
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data() + root, 4096), 0, v), Status::InvalidManifest);
    patch_manifest_l0_l1(p.data() + root, 0, 0);
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data() + root, 4096), 0, v), Status::Ok);
    EXPECT_FALSE(v.has_directory);
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data() + root + 1, 4095), 0, v), Status::InvalidManifest);
}

TEST(LayoutSManifest, BadRootOrTlvIsReported) {
    LayoutSManifestParts parts;
    parts.directory = kDir;
    parts.directory_count = 2;
    const Bytes good = payload(parts, ManifestL0{}, 0);
    LayoutSManifestView v;
    Bytes p = good;
    p[p.size() - 100] ^= 1;
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), 0, v), Status::InvalidChecksum);
    p = good;
    p[6] = 1; // TLV header pad field; l1 length still right
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), 0, v), Status::InvalidManifest);
    p = good;
    p[8 + 0x0C] = 1; // directory entry reserved
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), 0, v), Status::InvalidManifest);
}

TEST(LayoutSManifest, DuplicateInterpretedRecordsAreRejected) {
    const Bytes two_dirs = encode([](ByteWriter &w) {
        RVF_TRY(encode_segment_dir_tlv(w, kDir, 1));
        return encode_segment_dir_tlv(w, kDir + 1, 1);
    });
    Bytes p = two_dirs;
    p.resize(p.size() + 4096);
    ManifestL0 root;
    ASSERT_EQ(encode_manifest_l0(root, MutByteView(p.data() + two_dirs.size(), 4096)), Status::Ok);
    patch_manifest_l0_l1(p.data() + two_dirs.size(), 0, two_dirs.size());
    LayoutSManifestView v;
    EXPECT_EQ(parse_layout_s_manifest(ByteView(p.data(), p.size()), 0, v), Status::InvalidManifest);

    // The encoder refuses extra records that would produce such a payload.
    LayoutSManifestParts parts;
    parts.extra_tlv = ByteView(two_dirs.data(), 8 + 64);
    ByteWriter counter;
    EXPECT_EQ(encode_layout_s_manifest(counter, parts, root, 0), Status::InvalidArgument);
    EXPECT_EQ(layout_s_manifest_size(parts), 0u);
    parts.extra_tlv = ByteView(kOpaque, 5); // not a TLV area
    EXPECT_EQ(layout_s_manifest_size(parts), 0u);
}

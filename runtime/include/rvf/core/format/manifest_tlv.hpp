// rvf/core/format/manifest_tlv.hpp — Layout S Level-1 manifest: TLV records (spec §4.4), the
// segment directory (§4.5), the overlay chain (§4.6) and the metadata-index directory (§4.4,
// tag 0x000F).
//
// TLV record (all offsets relative to the record start; records start 8-aligned, measured from
// the start of the TLV area):
//  off  size  type   field
//  0x0   2    u16    tag        ManifestTag; unknown tags are skipped (§12 row 14), but counted
//  0x2   4    u32    length     value bytes
//  0x6   2    u16    pad        must be 0
//  0x8   len  u8[]   value
//  ...   0-7  zero   pad to the next multiple of 8 (required after the last record too)
//
// SegmentDirEntry — 64 bytes, TLV 0x0001 holds n of them back to back (§4.5):
//  0x00 u64 segment_id | 0x08 u8 seg_type | 0x09 u8 tier (0 hot, 1 warm, 2 cold) | 0x0A u16 flags
//  0x0C u32 reserved (0) | 0x10 u64 file_offset | 0x18 u64 payload_length (decompressed)
//  0x20 u64 compressed_length (0 = not compressed) | 0x28 u16 shard_id (0 = main file)
//  0x2A u16 compression | 0x2C u32 block_count | 0x30 u8[16] content_hash
//
// OverlayChain — 40 bytes, TLV 0x0004 (§4.6; code size 40, not the 36 of a comment, §12 row 15):
//  0x00 u32 epoch | 0x04 u32 0 | 0x08 u64 prev_manifest_offset | 0x10 u64 prev_manifest_id
//  0x18 u8[16] checkpoint_hash
//
// METADATA_INDEX_DIR value, TLV 0x000F (spec 08): u16 n, then n variable entries:
//  u16 field_id | u8 name_len | name[name_len] | u64 index_seg_id | u8 index_type
//  u64 total_vectors | u64 unique_values | u32 min_posting_len | u32 max_posting_len
//
// Other tags' values are not specified anywhere we could read; they are exposed as raw bytes.
// All integers little-endian. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"  // ByteReader/ByteWriter
#include "../status.hpp" // Status, RVF_CORRUPT

namespace rvf::core {

inline constexpr size_t kTlvHeaderSize = 8;
inline constexpr size_t kTlvAlign = 8;
inline constexpr size_t kSegmentDirEntrySize = 64;
inline constexpr size_t kOverlayChainSize = 40;

enum class ManifestTag : uint16_t {
    SegmentDir = 0x0001,
    TempTierMap = 0x0002,
    IndexLayers = 0x0003,
    OverlayChain = 0x0004,
    CompactionState = 0x0005,
    ShardRefs = 0x0006,
    CapabilityManifest = 0x0007,
    ProfileConfig = 0x0008,
    AccessSketchRef = 0x0009,
    PrefetchTable = 0x000A,
    IdRestartPoints = 0x000B,
    WitnessChain = 0x000C,
    KeyDirectory = 0x000D,
    DeletionBitmap = 0x000E,   // spec 07 only
    MetadataIndexDir = 0x000F, // spec 08 only
};

constexpr bool manifest_tag_known(uint16_t tag) { return tag >= 0x0001 && tag <= 0x000F; }
constexpr uint16_t tag_value(ManifestTag t) { return static_cast<uint16_t>(t); }

/// Bytes one record occupies: header + value + pad to 8. Saturates for absurd lengths.
constexpr uint64_t tlv_record_span(uint64_t value_length) { return kTlvHeaderSize + align_up(value_length, kTlvAlign); }

/// One record, as found in a TLV area.
struct TlvRecord {
    uint16_t tag = 0;
    uint32_t length = 0;
    size_t offset = 0; // of the record header, from the start of the TLV area
    ByteView value;
};

/// Reads records one by one with strict bounds: header present, pad field 0, value inside the
/// area, zero padding present and zero. `next` returns false at the clean end of the area and on
/// the first malformed record; `status()` then tells which (Ok or InvalidManifest).
class TlvCursor {
public:
    constexpr explicit TlvCursor(ByteView area) : r_(area) {}

    constexpr bool next(TlvRecord &rec) {
        if (status_ != Status::Ok || r_.at_end())
            return false;
        rec.offset = r_.pos();
        rec.tag = r_.u16();
        rec.length = r_.u32();
        const uint16_t pad = r_.u16();
        if (!r_.ok() || pad != 0)
            return fail();
        rec.value = r_.bytes(rec.length); // fails when the value runs past the area
        if (!r_.skip_zero_pad(kTlvAlign))
            return fail();
        return true;
    }
    constexpr Status status() const { return status_; }

private:
    constexpr bool fail() {
        status_ = RVF_CORRUPT(Status::InvalidManifest);
        return false;
    }
    ByteReader r_;
    Status status_ = Status::Ok;
};

/// A validated TLV area: every record well-formed. Unknown tags are legal (skipped by readers
/// that look records up by tag) and counted so tools can report them.
struct TlvAreaView {
    ByteView area;
    size_t record_count = 0;
    size_t unknown_count = 0;

    /// First record with `tag`; false if none.
    constexpr bool find(uint16_t tag, TlvRecord &out) const {
        TlvCursor c(area);
        TlvRecord rec;
        while (c.next(rec))
            if (rec.tag == tag) {
                out = rec;
                return true;
            }
        return false;
    }
    constexpr bool find(ManifestTag tag, TlvRecord &out) const { return find(tag_value(tag), out); }
    constexpr size_t count(uint16_t tag) const {
        TlvCursor c(area);
        TlvRecord rec;
        size_t n = 0;
        while (c.next(rec))
            n += rec.tag == tag;
        return n;
    }
    constexpr size_t count(ManifestTag tag) const { return count(tag_value(tag)); }
    constexpr TlvCursor records() const { return TlvCursor(area); }
};

/// Validate a whole TLV area (may be empty). InvalidManifest on any malformed record, on a
/// trailing partial record, or when the area does not end on the last record's padding.
constexpr Status parse_tlv_area(ByteView area, TlvAreaView &out) {
    out = TlvAreaView{};
    TlvCursor c(area);
    TlvRecord rec;
    size_t n = 0, unknown = 0;
    while (c.next(rec)) {
        ++n;
        unknown += !manifest_tag_known(rec.tag);
    }
    RVF_TRY(c.status());
    out.area = area;
    out.record_count = n;
    out.unknown_count = unknown;
    return Status::Ok;
}

// --- TLV encoding ----------------------------------------------------------------------------
// The writer's buffer must start at the start of the TLV area, because the 8-byte padding is
// measured from there (ByteWriter::pad_to measures from the buffer start).

/// Write a record header. InvalidArgument when the writer is not 8-aligned or fails.
constexpr Status encode_tlv_header(ByteWriter &w, uint16_t tag, uint32_t length) {
    if (!is_aligned(w.pos(), kTlvAlign))
        return Status::InvalidArgument;
    w.u16(tag);
    w.u32(length);
    w.u16(0);
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}
/// Zero padding after a value.
constexpr Status encode_tlv_end(ByteWriter &w) { return w.pad_to(kTlvAlign) ? Status::Ok : Status::InvalidArgument; }

/// Write one whole record. InvalidArgument when value.size does not fit the u32 length, the
/// writer is not 8-aligned, or the buffer is too small.
constexpr Status encode_tlv_record(ByteWriter &w, uint16_t tag, ByteView value) {
    if (value.size > UINT32_MAX)
        return Status::InvalidArgument;
    RVF_TRY(encode_tlv_header(w, tag, static_cast<uint32_t>(value.size)));
    if (!w.bytes(value))
        return Status::InvalidArgument;
    return encode_tlv_end(w);
}

// --- SEGMENT_DIR (0x0001) -----------------------------------------------------------------------

struct SegmentDirEntry {
    uint64_t segment_id = 0;
    uint8_t seg_type = 0;
    uint8_t tier = 0;
    uint16_t flags = 0;
    uint64_t file_offset = 0;
    uint64_t payload_length = 0;
    uint64_t compressed_length = 0;
    uint16_t shard_id = 0;
    uint16_t compression = 0;
    uint32_t block_count = 0;
    uint8_t content_hash[16] = {};
};

namespace dir_off {
inline constexpr size_t segment_id = 0x00, seg_type = 0x08, tier = 0x09, flags = 0x0A, reserved = 0x0C,
                        file_offset = 0x10, payload_length = 0x18, compressed_length = 0x20, shard_id = 0x28,
                        compression = 0x2A, block_count = 0x2C, content_hash = 0x30;
static_assert(reserved + 4 == file_offset && compressed_length + 8 == shard_id, "directory entry layout");
static_assert(content_hash + 16 == kSegmentDirEntrySize, "directory entry is 64 bytes");
} // namespace dir_off

/// Decode one 64-byte entry. InvalidManifest when short or when the reserved u32 is non-zero
/// (upstream writes 0 and calls it "must be zero").
constexpr Status decode_segment_dir_entry(ByteView bytes, SegmentDirEntry &e) {
    ByteReader r(bytes.sub(0, kSegmentDirEntrySize));
    e.segment_id = r.u64();
    e.seg_type = r.u8();
    e.tier = r.u8();
    e.flags = r.u16();
    const uint32_t reserved = r.u32();
    e.file_offset = r.u64();
    e.payload_length = r.u64();
    e.compressed_length = r.u64();
    e.shard_id = r.u16();
    e.compression = r.u16();
    e.block_count = r.u32();
    r.copy(e.content_hash, 16);
    if (!r.ok() || reserved != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    return Status::Ok;
}

/// Encode one entry into exactly 64 bytes.
constexpr Status encode_segment_dir_entry(ByteWriter &w, const SegmentDirEntry &e) {
    w.u64(e.segment_id);
    w.u8(e.seg_type);
    w.u8(e.tier);
    w.u16(e.flags);
    w.u32(0);
    w.u64(e.file_offset);
    w.u64(e.payload_length);
    w.u64(e.compressed_length);
    w.u16(e.shard_id);
    w.u16(e.compression);
    w.u32(e.block_count);
    w.bytes(e.content_hash, 16);
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// Validated view over a SEGMENT_DIR value: indexed, zero-copy access.
struct SegmentDirView {
    ByteView bytes;

    constexpr size_t size() const { return bytes.size / kSegmentDirEntrySize; }
    /// Entry i (i < size()). Cannot fail on a view made by parse_segment_dir.
    constexpr SegmentDirEntry at(size_t i) const {
        SegmentDirEntry e;
        (void)decode_segment_dir_entry(bytes.sub(i * kSegmentDirEntrySize, kSegmentDirEntrySize), e);
        return e;
    }
    /// First entry with `segment_id`; false if none.
    constexpr bool find_id(uint64_t segment_id, SegmentDirEntry &out) const {
        for (size_t i = 0; i < size(); ++i)
            if (load_u64_le(bytes.data + i * kSegmentDirEntrySize) == segment_id) {
                out = at(i);
                return true;
            }
        return false;
    }
};

/// Validate a SEGMENT_DIR value: length a multiple of 64, every reserved field zero.
constexpr Status parse_segment_dir(ByteView value, SegmentDirView &out) {
    out = SegmentDirView{};
    if (value.size % kSegmentDirEntrySize != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    for (size_t off = 0; off < value.size; off += kSegmentDirEntrySize)
        if (load_u32_le(value.data + off + dir_off::reserved) != 0)
            return RVF_CORRUPT(Status::InvalidManifest);
    out.bytes = value;
    return Status::Ok;
}

/// Write a whole SEGMENT_DIR record holding `n` entries.
constexpr Status encode_segment_dir_tlv(ByteWriter &w, const SegmentDirEntry *entries, size_t n) {
    if (n > UINT32_MAX / kSegmentDirEntrySize)
        return Status::InvalidArgument;
    RVF_TRY(encode_tlv_header(w, tag_value(ManifestTag::SegmentDir), static_cast<uint32_t>(n * kSegmentDirEntrySize)));
    for (size_t i = 0; i < n; ++i)
        RVF_TRY(encode_segment_dir_entry(w, entries[i]));
    return encode_tlv_end(w);
}

// --- OVERLAY_CHAIN (0x0004) ---------------------------------------------------------------------

struct OverlayChain {
    uint32_t epoch = 0;
    uint64_t prev_manifest_offset = 0;
    uint64_t prev_manifest_id = 0;
    uint8_t checkpoint_hash[16] = {};
};

/// Decode an OVERLAY_CHAIN value: exactly 40 bytes, the u32 after epoch zero (InvalidManifest).
constexpr Status decode_overlay_chain(ByteView value, OverlayChain &c) {
    if (value.size != kOverlayChainSize)
        return RVF_CORRUPT(Status::InvalidManifest);
    ByteReader r(value);
    c.epoch = r.u32();
    const uint32_t pad = r.u32();
    c.prev_manifest_offset = r.u64();
    c.prev_manifest_id = r.u64();
    r.copy(c.checkpoint_hash, 16);
    if (!r.ok() || pad != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    return Status::Ok;
}

/// Write a whole OVERLAY_CHAIN record.
constexpr Status encode_overlay_chain_tlv(ByteWriter &w, const OverlayChain &c) {
    RVF_TRY(encode_tlv_header(w, tag_value(ManifestTag::OverlayChain), kOverlayChainSize));
    w.u32(c.epoch);
    w.u32(0);
    w.u64(c.prev_manifest_offset);
    w.u64(c.prev_manifest_id);
    w.bytes(c.checkpoint_hash, 16);
    if (!w.ok())
        return Status::InvalidArgument;
    return encode_tlv_end(w);
}

// --- METADATA_INDEX_DIR (0x000F) ----------------------------------------------------------------

struct MetadataIndexEntry {
    uint16_t field_id = 0;
    ByteView name; // name_len bytes, not NUL-terminated; points into the value (or caller's bytes)
    uint64_t index_seg_id = 0;
    uint8_t index_type = 0;
    uint64_t total_vectors = 0;
    uint64_t unique_values = 0;
    uint32_t min_posting_len = 0;
    uint32_t max_posting_len = 0;
};

namespace detail {
constexpr bool read_metadata_index_entry(ByteReader &r, MetadataIndexEntry &e) {
    e.field_id = r.u16();
    const uint8_t name_len = r.u8();
    e.name = r.bytes(name_len);
    e.index_seg_id = r.u64();
    e.index_type = r.u8();
    e.total_vectors = r.u64();
    e.unique_values = r.u64();
    e.min_posting_len = r.u32();
    e.max_posting_len = r.u32();
    return r.ok();
}
} // namespace detail

/// Forward cursor over a validated METADATA_INDEX_DIR value (entries vary in size, so there is
/// no O(1) indexing).
class MetadataIndexCursor {
public:
    constexpr MetadataIndexCursor(ByteView value, uint16_t count) : r_(value), left_(count) { r_.skip(2); }
    constexpr bool next(MetadataIndexEntry &e) {
        if (left_ == 0)
            return false;
        --left_;
        return detail::read_metadata_index_entry(r_, e);
    }

private:
    ByteReader r_;
    uint16_t left_;
};

struct MetadataIndexDirView {
    ByteView value;
    uint16_t count = 0;
    constexpr MetadataIndexCursor entries() const { return MetadataIndexCursor(value, count); }
};

/// Validate a METADATA_INDEX_DIR value: n entries that use up the value exactly (InvalidManifest).
constexpr Status parse_metadata_index_dir(ByteView value, MetadataIndexDirView &out) {
    out = MetadataIndexDirView{};
    ByteReader r(value);
    const uint16_t n = r.u16();
    MetadataIndexEntry e;
    for (uint32_t i = 0; i < n && r.ok(); ++i)
        detail::read_metadata_index_entry(r, e);
    if (!r.ok() || !r.at_end())
        return RVF_CORRUPT(Status::InvalidManifest);
    out.value = value;
    out.count = n;
    return Status::Ok;
}

/// Write the METADATA_INDEX_DIR value (not the TLV header). InvalidArgument for n > 65535, a
/// name longer than 255 bytes or a full buffer.
constexpr Status encode_metadata_index_dir_value(ByteWriter &w, const MetadataIndexEntry *entries, size_t n) {
    if (n > UINT16_MAX)
        return Status::InvalidArgument;
    w.u16(static_cast<uint16_t>(n));
    for (size_t i = 0; i < n; ++i) {
        const MetadataIndexEntry &e = entries[i];
        if (e.name.size > UINT8_MAX)
            return Status::InvalidArgument;
        w.u16(e.field_id);
        w.u8(static_cast<uint8_t>(e.name.size));
        w.bytes(e.name);
        w.u64(e.index_seg_id);
        w.u8(e.index_type);
        w.u64(e.total_vectors);
        w.u64(e.unique_values);
        w.u32(e.min_posting_len);
        w.u32(e.max_posting_len);
    }
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// Write a whole METADATA_INDEX_DIR record.
constexpr Status encode_metadata_index_dir_tlv(ByteWriter &w, const MetadataIndexEntry *entries, size_t n) {
    ByteWriter counter;
    RVF_TRY(encode_metadata_index_dir_value(counter, entries, n));
    if (counter.pos() > UINT32_MAX)
        return Status::InvalidArgument;
    RVF_TRY(encode_tlv_header(w, tag_value(ManifestTag::MetadataIndexDir), static_cast<uint32_t>(counter.pos())));
    RVF_TRY(encode_metadata_index_dir_value(w, entries, n));
    return encode_tlv_end(w);
}

} // namespace rvf::core

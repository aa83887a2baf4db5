// rvf/core/format/metaidx_seg.hpp — METAIDX_SEG header (spec §6.7, spec 08 §5). Spec only; no
// upstream code writes it. One segment indexes one META field; the index body (inverted lists,
// range B+tree pages, bitmaps) follows at 0x40 and is handed to the caller as bytes.
//
// Header (64 B, LE, packed):
//  off   size  type  field
//  0x00  2     u16   field_id
//  0x02  1     u8    index_type      0 inverted, 1 range B+tree, 2 bitmap
//  0x03  1     u8    field_type      mirrors META_SEG MetaFieldType (0-5)
//  0x04  8     u64   total_vectors   vectors covered
//  0x0C  8     u64   unique_values   cardinality
//  0x14  44    —     zeros (42 reserved + 2 to reach 64)
// Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"
#include "meta_seg.hpp"

namespace rvf::core {

inline constexpr size_t kMetaIdxHeaderSize = 64;
inline constexpr size_t kMetaIdxHeaderUsed = 0x14;

namespace metaidx_off {
inline constexpr size_t field_id = 0x00, index_type = 0x02, field_type = 0x03, total_vectors = 0x04,
                        unique_values = 0x0C;
static_assert(unique_values + 8 == kMetaIdxHeaderUsed, "METAIDX_SEG header fields end at 0x14");
static_assert(kMetaIdxHeaderUsed + 42 + 2 == kMetaIdxHeaderSize, "42 reserved + 2 pad bytes");
} // namespace metaidx_off

enum class MetaIndexType : uint8_t { Inverted = 0, RangeTree = 1, Bitmap = 2 };
constexpr bool meta_index_type_known(uint8_t v) { return v <= static_cast<uint8_t>(MetaIndexType::Bitmap); }

struct MetaIdxHeader {
    uint16_t field_id = 0;
    uint8_t index_type = 0;
    uint8_t field_type = 0;
    uint64_t total_vectors = 0;
    uint64_t unique_values = 0;
};

struct MetaIdxSegView {
    MetaIdxHeader header;
    ByteView body; // index data after the header

    /// Errors: TruncatedSegment (< 64 bytes), InvalidManifest (index/field type unknown,
    /// reserved bytes non-zero).
    static constexpr Status parse(ByteView payload, MetaIdxSegView &out) {
        ByteReader r(payload);
        MetaIdxHeader h;
        h.field_id = r.u16();
        h.index_type = r.u8();
        h.field_type = r.u8();
        h.total_vectors = r.u64();
        h.unique_values = r.u64();
        if (!r.ok() || !r.has(kMetaIdxHeaderSize - kMetaIdxHeaderUsed))
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (!r.skip_zero_pad(kMetaIdxHeaderSize) || !meta_index_type_known(h.index_type) ||
            !meta_field_type_known(h.field_type))
            return RVF_CORRUPT(Status::InvalidManifest);
        out.header = h;
        out.body = payload.from(kMetaIdxHeaderSize);
        return Status::Ok;
    }
};

/// Write the 64-byte header; the caller appends the index body.
/// Errors: InvalidArgument (unknown index or field type), OutOfMemory.
constexpr Status encode_metaidx_seg_header(ByteWriter &w, const MetaIdxHeader &h) {
    if (!meta_index_type_known(h.index_type) || !meta_field_type_known(h.field_type))
        return Status::InvalidArgument;
    w.u16(h.field_id);
    w.u8(h.index_type);
    w.u8(h.field_type);
    w.u64(h.total_vectors);
    w.u64(h.unique_values);
    w.zeros(kMetaIdxHeaderSize - kMetaIdxHeaderUsed);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

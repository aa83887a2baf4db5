// rvf/core/format/meta_seg.hpp — META_SEG header and field directory (spec §6.7, spec 08 §2).
// Spec only: no upstream code writes or reads META_SEG (the runtime keeps metadata in memory,
// spec §12 #8). Column bodies are left to the caller; this decodes what locates them.
//
// Header (64 B, LE, packed — like every other RVF header; see the note below):
//  off   size  type  field
//  0x00  4     u32   schema_id         PROFILE_SEG schema it follows
//  0x04  8     u64   id_range_start    first vector id covered
//  0x0C  8     u64   id_range_end      last vector id covered (inclusive), ≥ start
//  0x14  2     u16   field_count
//  0x16  1     u8    encoding          0 row, 1 column
//  0x17  41    —     zeros (37 reserved + 4 to reach 64)
// Field directory at 0x40, field_count × 8 B, then zeros to a multiple of 64:
//  +0    2     u16   field_id
//  +2    1     u8    field_type        MetaFieldType 0-5 (spec), 6-8 (our extension, below)
//  +3    1     u8    flags             MetaFieldFlag bits 0-3; bits 4-7 zero
//  +4    4     u32   field_offset      from payload start
//
// Note: spec 08 lists the header fields in sequence with "reserved [u8; 37]". Read packed they
// end at 0x3C (so 4 more zero bytes pad to 64); a naturally aligned C layout would end at 0x40
// exactly. METAIDX_SEG's header only fits 64 bytes packed, so both are read packed here.
//
// Column encoding (1) rules: each field's data starts 64-aligned, after the directory, inside
// the payload, offsets strictly ascending. Row encoding (0) is not specified further by the
// spec, so its offsets are not judged.
//
// Field types — OUR EXTENSION: spec 08 defines 0 string, 1 u32, 2 u64, 3 f32, 4 enum, 5 bool.
// The runtime's MetadataValue (spec §5) also has i64, f64 and bytes, which spec 08 cannot
// express, so codes 6 = i64 (two's complement, 8 B), 7 = f64 (IEEE-754 binary64, 8 B) and
// 8 = bytes (opaque byte strings, laid out like string) are added here. Readers that know only
// the spec reject them as unknown types, which is the safe outcome.
// The column bodies our writer emits are in meta_column.hpp. Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"

namespace rvf::core {

inline constexpr size_t kMetaHeaderSize = 64;
inline constexpr size_t kMetaHeaderUsed = 0x17;
inline constexpr size_t kMetaFieldEntrySize = 8;

namespace meta_off {
inline constexpr size_t schema_id = 0x00, id_range_start = 0x04, id_range_end = 0x0C, field_count = 0x14,
                        encoding = 0x16;
static_assert(encoding + 1 == kMetaHeaderUsed, "META_SEG header fields end at 0x17");
static_assert(kMetaHeaderUsed + 37 + 4 == kMetaHeaderSize, "37 reserved + 4 pad bytes");
} // namespace meta_off

enum class MetaFieldType : uint8_t {
    String = 0,
    U32 = 1,
    U64 = 2,
    F32 = 3,
    Enum = 4,
    Bool = 5,
    I64 = 6,   // extension
    F64 = 7,   // extension
    Bytes = 8, // extension
};
constexpr bool meta_field_type_known(uint8_t v) { return v <= static_cast<uint8_t>(MetaFieldType::Bytes); }
/// Bytes per value for the dense numeric columns; 0 for string/enum/bool/bytes (packed or variable).
constexpr size_t meta_field_value_size(uint8_t v) {
    return v == 1 || v == 3 ? 4 : (v == 2 || v == 6 || v == 7) ? 8 : 0;
}

namespace MetaFieldFlag {
inline constexpr uint8_t Indexed = 0x01;  // a METAIDX_SEG exists for the field
inline constexpr uint8_t Sorted = 0x02;   // inline sorted permutation follows the data
inline constexpr uint8_t Nullable = 0x04; // null bitmap precedes the values
inline constexpr uint8_t Stored = 0x08;   // returned in query results
inline constexpr uint8_t KnownMask = 0x0F;
} // namespace MetaFieldFlag

enum class MetaEncoding : uint8_t { Row = 0, Column = 1 };

/// Skip zeros to `align`: TruncatedSegment if the bytes are missing, AlignmentError if non-zero.
constexpr Status meta_skip_pad(ByteReader &r, size_t align) {
    const size_t need = static_cast<size_t>(align_up(r.pos(), align)) - r.pos();
    if (!r.has(need))
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (!r.skip_zero_pad(align))
        return RVF_CORRUPT(Status::AlignmentError);
    return Status::Ok;
}

/// Read a LEB128 value; a failure is TruncatedSegment when bytes ran out, else InvalidManifest.
constexpr Status meta_read_varint(ByteReader &r, uint64_t &v) {
    const size_t left = r.remaining();
    v = r.varint();
    if (!r.ok())
        return RVF_CORRUPT(left >= 10 ? Status::InvalidManifest : Status::TruncatedSegment);
    return Status::Ok;
}

struct MetaHeader {
    uint32_t schema_id = 0;
    uint64_t id_range_start = 0;
    uint64_t id_range_end = 0;
    uint16_t field_count = 0;
    uint8_t encoding = static_cast<uint8_t>(MetaEncoding::Column);

    /// Vectors covered (end − start + 1); false if that is 2^64 (not representable).
    constexpr bool vector_count(uint64_t &n) const {
        n = id_range_end - id_range_start + 1;
        return !(id_range_start == 0 && id_range_end == UINT64_MAX);
    }
};

struct MetaField {
    uint16_t field_id = 0;
    uint8_t field_type = 0;
    uint8_t flags = 0;
    uint32_t field_offset = 0;
};

constexpr uint64_t meta_directory_end(uint16_t field_count) {
    return align_up(kMetaHeaderSize + static_cast<uint64_t>(field_count) * kMetaFieldEntrySize, 64);
}

struct MetaSegView {
    ByteView payload;
    MetaHeader header;

    constexpr MetaField field(uint16_t i) const {
        const uint8_t *p = payload.data + kMetaHeaderSize + static_cast<size_t>(i) * kMetaFieldEntrySize;
        return MetaField{load_u16_le(p), p[2], p[3], load_u32_le(p + 4)};
    }
    /// Bytes of field i's data region: up to the next field's offset, or the payload end.
    /// (Column encoding only; empty for row encoding.)
    constexpr ByteView field_data(uint16_t i) const {
        if (i >= header.field_count || header.encoding != static_cast<uint8_t>(MetaEncoding::Column))
            return {};
        const size_t start = field(i).field_offset;
        const size_t end = i + 1 < header.field_count ? field(static_cast<uint16_t>(i + 1)).field_offset : payload.size;
        return payload.sub(start, end - start);
    }

    /// Errors: TruncatedSegment (header or directory short), InvalidManifest (encoding, range,
    /// reserved bytes, field type/flags, column offsets), AlignmentError (non-zero directory pad,
    /// column offset not 64-aligned).
    static constexpr Status parse(ByteView payload, MetaSegView &out) {
        ByteReader r(payload);
        MetaHeader h;
        h.schema_id = r.u32();
        h.id_range_start = r.u64();
        h.id_range_end = r.u64();
        h.field_count = r.u16();
        h.encoding = r.u8();
        if (!r.ok() || !r.has(kMetaHeaderSize - kMetaHeaderUsed))
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (!r.skip_zero_pad(kMetaHeaderSize) || h.encoding > 1 || h.id_range_start > h.id_range_end)
            return RVF_CORRUPT(Status::InvalidManifest);
        const uint64_t dir_end = meta_directory_end(h.field_count);
        if (dir_end > payload.size)
            return RVF_CORRUPT(Status::TruncatedSegment);
        MetaSegView v;
        v.payload = payload;
        v.header = h;
        const bool column = h.encoding == static_cast<uint8_t>(MetaEncoding::Column);
        uint64_t prev = 0;
        for (uint16_t i = 0; i < h.field_count; ++i) {
            const MetaField f = v.field(i);
            if (!meta_field_type_known(f.field_type) || (f.flags & ~MetaFieldFlag::KnownMask) != 0)
                return RVF_CORRUPT(Status::InvalidManifest);
            if (!column)
                continue;
            if (!is_aligned(f.field_offset, 64))
                return RVF_CORRUPT(Status::AlignmentError);
            if (f.field_offset < dir_end || f.field_offset >= payload.size || (i > 0 && f.field_offset <= prev))
                return RVF_CORRUPT(Status::InvalidManifest);
            prev = f.field_offset;
        }
        r.skip(static_cast<size_t>(h.field_count) * kMetaFieldEntrySize);
        if (!r.skip_zero_pad(64))
            return RVF_CORRUPT(Status::AlignmentError);
        out = v;
        return Status::Ok;
    }
};

/// Write the header and the padded field directory (field_count taken from n). The caller
/// appends the field data at the offsets it declared. Errors: InvalidArgument (encoding > 1,
/// start > end, n > 65535, unknown type or flag bits), OutOfMemory.
constexpr Status encode_meta_seg_head(ByteWriter &w, const MetaHeader &h, const MetaField *fields, size_t n) {
    if (h.encoding > 1 || h.id_range_start > h.id_range_end || n > UINT16_MAX || (n > 0 && fields == nullptr))
        return Status::InvalidArgument;
    for (size_t i = 0; i < n; ++i)
        if (!meta_field_type_known(fields[i].field_type) || (fields[i].flags & ~MetaFieldFlag::KnownMask) != 0)
            return Status::InvalidArgument;
    w.u32(h.schema_id);
    w.u64(h.id_range_start);
    w.u64(h.id_range_end);
    w.u16(static_cast<uint16_t>(n));
    w.u8(h.encoding);
    w.zeros(kMetaHeaderSize - kMetaHeaderUsed);
    for (size_t i = 0; i < n; ++i) {
        w.u16(fields[i].field_id);
        w.u8(fields[i].field_type);
        w.u8(fields[i].flags);
        w.u32(fields[i].field_offset);
    }
    const size_t used = kMetaHeaderSize + n * kMetaFieldEntrySize;
    w.zeros(static_cast<size_t>(align_up(used, 64)) - used);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

// rvf/core/format/meta_column.hpp — the META_SEG body in OUR column layout (spec §6.7 outlines
// column bodies only loosely and nothing upstream writes them; this file fixes what our writer
// emits and our reader accepts — every rule below is our choice, documented as such).
//
// Why an explicit row-id block: spec 08 covers a dense id range [id_range_start, id_range_end]
// and addresses rows by position. Our ids are any set of u64, so every segment carries the
// ascending list of the ids it covers, and columns address rows by ordinal in that list. A
// covered id with no value in any column means "this id has no metadata" (a reload clears an
// earlier row for it), so any id set round-trips.
//
// Payload (LE; offsets from the payload start):
//  0x00              64 B  META_SEG header (meta_seg.hpp): schema_id 0, encoding 1 (column),
//                          id_range_start/end = first/last covered id (both 0 when none)
//  0x40              8·F   field directory (F = field_count), zeros to D = meta_directory_end(F)
//  D                 4     u32 row_count (covered ids)
//  D+4               var   covered ids, strictly ascending, delta-varint, restart 128 (delta_ids.hpp)
//                    var   zeros to a multiple of 64
//  field_offset[k]   var   column k, then zeros to a multiple of 64 (also after the last column,
//                          so the payload length is a multiple of 64)
// Directory rules: columns sorted by (field_id, field_type) strictly ascending. One field_id may
// occur with several types (rows may give one field different types), but a row holds at most one
// value per field_id. Flags: NULLABLE when some covered row lacks the value, STORED always;
// INDEXED is left clear (indexes are METAIDX_SEGs written separately). SORTED (spec's inline
// permutation), enum columns and row encoding are never written and are refused with
// UnsupportedLayout.
//
// Column k (offsets from its start, which is 64-aligned in the payload):
//  [presence]  ceil(row_count/8) B  only with NULLABLE: bit r (LSB first) set = row r has a value
//                                   here; bits past row_count zero. Without NULLABLE every row
//                                   has one. present = number of rows with a value.
//  zeros to a multiple of 8
//  body by field_type (values in row order: the k-th value belongs to the k-th present row):
//   2 u64 · 6 i64 · 7 f64   present × 8 B raw LE bits
//   1 u32 · 3 f32           present × 4 B (accepted when reading, never written)
//   5 bool                  ceil(present/8) B, bit k (LSB first) = k-th value; unused bits zero
//   0 string · 8 bytes      u32 dict_size | dict_size × (varint len | len bytes) | zeros to a
//                           multiple of 4 | present × varint code (< dict_size)
// (Spec 08 gives string entries a u16 length and a 0xFFFFFFFF null code; we use a LEB128 length
// so values may exceed 64 KiB, and the presence bitmap for nulls, the same for every type.)
// Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../delta_ids.hpp"
#include "../status.hpp"
#include "meta_seg.hpp"

namespace rvf::core {

inline constexpr uint32_t kMetaRowIdRestart = 128;

constexpr bool meta_column_is_text(uint8_t t) {
    return t == static_cast<uint8_t>(MetaFieldType::String) || t == static_cast<uint8_t>(MetaFieldType::Bytes);
}

/// One validated column. Accessors take indexes the caller got from has_row/present.
struct MetaColumnView {
    MetaField field;
    uint32_t rows = 0;       // row_count of the segment
    bool nullable = false;   // presence bitmap present
    ByteView presence;       // ceil(rows/8) bytes when nullable
    uint32_t present = 0;    // rows with a value
    ByteView body;           // numeric: values; bool: bits; string/bytes: the codes
    uint32_t dict_size = 0;  // string/bytes
    ByteView dict;           // string/bytes: the dictionary entries

    constexpr bool has_row(uint32_t r) const {
        if (r >= rows)
            return false;
        return !nullable || ((presence.data[r >> 3] >> (r & 7)) & 1) != 0;
    }
    /// Raw bits of the k-th value of a numeric column (4-byte types zero-extended).
    constexpr uint64_t raw(uint32_t k) const {
        const size_t w = meta_field_value_size(field.field_type);
        return w == 8 ? load_u64_le(body.data + static_cast<size_t>(k) * 8) : load_u32_le(body.data + static_cast<size_t>(k) * 4);
    }
    constexpr bool boolean(uint32_t k) const { return ((body.data[k >> 3] >> (k & 7)) & 1) != 0; }

    /// Validate column bytes `region` (its directory entry `f`, in a segment of `rows` rows).
    /// Errors: UnsupportedLayout (SORTED flag, enum type), TruncatedSegment (bytes missing),
    /// AlignmentError (non-zero padding), InvalidManifest (presence bits past row_count, unused
    /// bool bits, bad varint, code ≥ dict_size, bytes after the final padding).
    static constexpr Status parse(ByteView region, const MetaField &f, uint32_t rows, MetaColumnView &out) {
        if ((f.flags & MetaFieldFlag::Sorted) != 0 || f.field_type == static_cast<uint8_t>(MetaFieldType::Enum) ||
            !meta_field_type_known(f.field_type))
            return RVF_CORRUPT(Status::UnsupportedLayout);
        ByteReader r(region);
        MetaColumnView v;
        v.field = f;
        v.rows = rows;
        if ((f.flags & MetaFieldFlag::Nullable) != 0) {
            v.nullable = true;
            const size_t nb = (static_cast<size_t>(rows) + 7) / 8;
            v.presence = r.bytes(nb);
            if (!r.ok())
                return RVF_CORRUPT(Status::TruncatedSegment);
            uint32_t count = 0;
            for (size_t i = 0; i < nb; ++i)
                count += static_cast<uint32_t>(__builtin_popcount(v.presence.data[i]));
            if (rows % 8 != 0 && (v.presence.data[nb - 1] >> (rows % 8)) != 0)
                return RVF_CORRUPT(Status::InvalidManifest);
            v.present = count;
        } else {
            v.present = rows;
        }
        RVF_TRY(meta_skip_pad(r, 8));
        const uint8_t t = f.field_type;
        if (t == static_cast<uint8_t>(MetaFieldType::Bool)) {
            const size_t nb = (static_cast<size_t>(v.present) + 7) / 8;
            v.body = r.bytes(nb);
            if (!r.ok())
                return RVF_CORRUPT(Status::TruncatedSegment);
            if (v.present % 8 != 0 && (v.body.data[nb - 1] >> (v.present % 8)) != 0)
                return RVF_CORRUPT(Status::InvalidManifest);
        } else if (meta_column_is_text(t)) {
            v.dict_size = r.u32();
            if (!r.ok() || v.dict_size > r.remaining()) // every entry takes at least one byte
                return RVF_CORRUPT(Status::TruncatedSegment);
            const size_t dict_start = r.pos();
            for (uint32_t i = 0; i < v.dict_size; ++i) {
                uint64_t len = 0;
                RVF_TRY(meta_read_varint(r, len));
                if (len > r.remaining())
                    return RVF_CORRUPT(Status::TruncatedSegment);
                r.skip(static_cast<size_t>(len));
            }
            v.dict = region.sub(dict_start, r.pos() - dict_start);
            RVF_TRY(meta_skip_pad(r, 4));
            const size_t codes_start = r.pos();
            for (uint32_t k = 0; k < v.present; ++k) {
                uint64_t code = 0;
                RVF_TRY(meta_read_varint(r, code));
                if (code >= v.dict_size)
                    return RVF_CORRUPT(Status::InvalidManifest);
            }
            v.body = region.sub(codes_start, r.pos() - codes_start);
        } else {
            uint64_t n = 0;
            if (mul_overflows(v.present, meta_field_value_size(t), &n) || n > r.remaining())
                return RVF_CORRUPT(Status::TruncatedSegment);
            v.body = r.bytes(static_cast<size_t>(n));
        }
        RVF_TRY(meta_skip_pad(r, 64));
        if (!r.at_end())
            return RVF_CORRUPT(Status::InvalidManifest);
        out = v;
        return Status::Ok;
    }
};

/// Walks a validated dictionary (string/bytes column): entry i is the i-th `next`.
class MetaDictCursor {
public:
    constexpr explicit MetaDictCursor(ByteView dict) : r_(dict) {}
    constexpr bool next(ByteView &entry) {
        if (r_.at_end())
            return false;
        const uint64_t len = r_.varint();
        entry = r_.bytes(static_cast<size_t>(len));
        return r_.ok();
    }

private:
    ByteReader r_;
};

/// Walks the validated codes of a string/bytes column.
class MetaCodeCursor {
public:
    constexpr explicit MetaCodeCursor(ByteView codes) : r_(codes) {}
    constexpr bool next(uint32_t &code) {
        if (r_.at_end())
            return false;
        code = static_cast<uint32_t>(r_.varint());
        return r_.ok();
    }

private:
    ByteReader r_;
};

/// A whole META_SEG in our layout: header, directory, covered ids; columns on demand.
struct MetaBodyView {
    MetaSegView seg;
    uint32_t row_count = 0;
    DeltaIdsView ids;

    /// Errors: those of MetaSegView::parse; UnsupportedLayout (row encoding); TruncatedSegment /
    /// AlignmentError (id block); InvalidManifest (ids not strictly ascending, id range not equal
    /// to the first/last id, directory not sorted by (field_id, type) or
    /// overlapping the id block, bytes after the id block when there are no columns).
    static constexpr Status parse(ByteView payload, MetaBodyView &out) {
        MetaBodyView v;
        RVF_TRY(MetaSegView::parse(payload, v.seg));
        const MetaHeader &h = v.seg.header;
        if (h.encoding != static_cast<uint8_t>(MetaEncoding::Column))
            return RVF_CORRUPT(Status::UnsupportedLayout);
        ByteReader r(payload);
        r.seek(static_cast<size_t>(meta_directory_end(h.field_count))); // ≤ size: checked by MetaSegView
        v.row_count = r.u32();
        if (!r.ok())
            return RVF_CORRUPT(Status::TruncatedSegment);
        size_t used = 0;
        RVF_TRY(DeltaIdsView::parse(payload.from(r.pos()), v.row_count, kMetaRowIdRestart, v.ids, used));
        r.skip(used);
        DeltaIdsCursor c = v.ids.cursor();
        uint64_t id = 0, prev = 0, first = 0;
        for (uint32_t i = 0; c.next(id); ++i) {
            if (i == 0)
                first = id;
            else if (id <= prev)
                return RVF_CORRUPT(Status::InvalidManifest);
            prev = id;
        }
        const bool range_ok = v.row_count == 0
                                  ? h.id_range_start == 0 && h.id_range_end == 0 && h.field_count == 0
                                  : h.id_range_start == first && h.id_range_end == prev;
        if (!range_ok)
            return RVF_CORRUPT(Status::InvalidManifest);
        RVF_TRY(meta_skip_pad(r, 64));
        if (h.field_count == 0 ? !r.at_end() : v.seg.field(0).field_offset != r.pos())
            return RVF_CORRUPT(Status::InvalidManifest);
        for (uint16_t i = 1; i < h.field_count; ++i) {
            const MetaField a = v.seg.field(static_cast<uint16_t>(i - 1)), b = v.seg.field(i);
            if (a.field_id > b.field_id || (a.field_id == b.field_id && a.field_type >= b.field_type))
                return RVF_CORRUPT(Status::InvalidManifest);
        }
        out = v;
        return Status::Ok;
    }

    constexpr Status column(uint16_t i, MetaColumnView &out) const {
        if (i >= seg.header.field_count)
            return Status::InvalidArgument;
        return MetaColumnView::parse(seg.field_data(i), seg.field(i), row_count, out);
    }
};

/// Write the covered-id block (u32 count, delta ids, zeros to 64) at the writer's position,
/// which must be meta_directory_end(field_count). Errors: InvalidArgument (ids not strictly
/// ascending, null ids with n > 0), OutOfMemory.
constexpr Status encode_meta_row_ids(ByteWriter &w, const uint64_t *ids, uint32_t n) {
    if (n > 0 && ids == nullptr)
        return Status::InvalidArgument;
    for (uint32_t i = 1; i < n; ++i)
        if (ids[i] <= ids[i - 1])
            return Status::InvalidArgument;
    w.u32(n);
    RVF_TRY(encode_delta_ids(w, ids, n, kMetaRowIdRestart));
    w.pad_to(64);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

// rvf/core/format/metaidx_seg.hpp — METAIDX_SEG (spec §6.7, spec 08 §5). Spec only; upstream
// writes none. One segment indexes one (field, type) column of the metadata; the body follows
// the 64-byte header at 0x40.
//
// Header (64 B, LE, packed):
//  off   size  type  field
//  0x00  2     u16   field_id
//  0x02  1     u8    index_type      0 inverted, 1 range B+tree, 2 bitmap
//  0x03  1     u8    field_type      META_SEG MetaFieldType (0-5 spec, 6-8 our extension)
//  0x04  8     u64   total_vectors   ids holding a value of this field and type
//  0x0C  8     u64   unique_values   distinct values (F64: distinct bit patterns)
//  0x14  44    —     zeros (42 reserved + 2 to reach 64)
//
// Inverted body (index_type 0; we write it for string, bool and bytes columns):
//  0x40  u32 term_count (= unique_values)
//  per term, terms strictly ascending bytewise (shorter prefix first):
//        u16 term_len | term bytes | u32 posting_count (≥ 1) | posting ids strictly ascending,
//        delta-varint restart 128 | zeros to a multiple of 8 (from the payload start)
//  Bool terms are one byte, 0x00 or 0x01. posting_count is a count of ids (the spec's
//  "posting_len" does not say count or bytes; count lets a reader size its output). A string
//  longer than 65535 bytes cannot be a term: such a column gets no index (our writer skips it).
//
// Range B+tree body (index_type 1; we write it for u64, i64 and f64 columns):
//  0x40  u32 page_size (4096) | u32 page_count | u32 root | u8 height | 51 B zeros (spec: 47 B;
//        4 more pad the tree header to 64 so pages start 64-aligned at 0x80)
//  0x80 + p·4096: page p, page_count pages, nothing after them
//   leaf     u8 1 | u16 n (1..255) | u32 prev | u32 next | n × (u64 value, u64 id) | zeros
//   internal u8 0 | u16 k (0..340) | k × u64 key | (k+1) × u32 child | zeros
//  prev/next/root: page numbers, 0xFFFFFFFF = none. Empty tree: page_count 0, root none,
//  height 0. height = levels (a lone leaf root is 1). Values and keys are the raw LE bits of the
//  typed value; entries are ordered by (meta_order_key(value), id) — u64 unsigned, i64 signed,
//  f64 IEEE-754 totalOrder (−NaN < −inf < … < −0 < +0 < … < +inf < +NaN). key[i] is the first
//  value of child i+1's subtree, so the first entry ≥ v is in child (number of keys < v).
//  Our writer fills leaves with 255 entries and internal pages with 341 children, level by level
//  (leaves are pages 0..L−1, then each internal level; the root is the last page), so its output
//  is deterministic and a checker may compare bytes.
// Bitmap (2) bodies are not decoded. Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../delta_ids.hpp"
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
    ByteView payload; // whole payload (alignment is measured from its start)
    ByteView body;    // index data after the header

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
        out.payload = payload;
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

// --- value order -------------------------------------------------------------------------------
inline constexpr uint64_t kSignBit = 0x8000000000000000ull;

/// Map raw value bits to a u64 whose unsigned order is the value order of `field_type`:
/// i64 signed, f64 IEEE totalOrder, anything else (u64, u32, bool) unsigned. A bijection.
constexpr uint64_t meta_order_key(uint8_t field_type, uint64_t raw) {
    if (field_type == static_cast<uint8_t>(MetaFieldType::I64))
        return raw ^ kSignBit;
    if (field_type == static_cast<uint8_t>(MetaFieldType::F64))
        return (raw & kSignBit) != 0 ? ~raw : raw | kSignBit;
    return raw;
}
constexpr uint64_t meta_order_key_inverse(uint8_t field_type, uint64_t key) {
    if (field_type == static_cast<uint8_t>(MetaFieldType::I64))
        return key ^ kSignBit;
    if (field_type == static_cast<uint8_t>(MetaFieldType::F64))
        return (key & kSignBit) != 0 ? key & ~kSignBit : ~key;
    return key;
}

/// Bytewise lexicographic compare (unsigned bytes, shorter prefix first): <0, 0, >0.
constexpr int meta_compare_bytes(ByteView a, ByteView b) {
    const size_t n = a.size < b.size ? a.size : b.size;
    for (size_t i = 0; i < n; ++i)
        if (a.data[i] != b.data[i])
            return a.data[i] < b.data[i] ? -1 : 1;
    return a.size == b.size ? 0 : (a.size < b.size ? -1 : 1);
}

// --- inverted body -----------------------------------------------------------------------------
inline constexpr size_t kInvertedMaxTerm = 0xFFFF;

struct InvertedTerm {
    ByteView term;
    DeltaIdsView postings; // validated, strictly ascending
};

/// Walks the terms of a validated inverted body.
class InvertedTermCursor {
public:
    constexpr InvertedTermCursor(ByteView payload, size_t first_term, uint32_t count)
        : r_(payload), left_(count) {
        r_.seek(first_term);
    }
    constexpr bool next(InvertedTerm &t) {
        if (left_ == 0)
            return false;
        --left_;
        const uint16_t len = r_.u16();
        t.term = r_.bytes(len);
        const uint32_t n = r_.u32();
        size_t used = 0;
        if (!r_.ok() || DeltaIdsView::parse(r_.whole().from(r_.pos()), n, kDefaultRestartInterval, t.postings,
                                            used) != Status::Ok)
            return false;
        r_.skip(used);
        r_.skip_zero_pad(8);
        return r_.ok();
    }

private:
    ByteReader r_;
    uint32_t left_;
};

struct InvertedIndexView {
    ByteView payload;
    uint32_t term_count = 0;
    size_t first_term = 0; // payload offset of term 0

    constexpr InvertedTermCursor cursor() const { return InvertedTermCursor(payload, first_term, term_count); }

    /// Errors: InvalidManifest (index_type not inverted, term_count ≠ unique_values, terms not
    /// strictly ascending, empty posting, postings not strictly ascending, posting total ≠
    /// total_vectors, a bool term other than 0x00/0x01, bytes after the last term);
    /// TruncatedSegment (bytes missing); AlignmentError (non-zero padding).
    static constexpr Status parse(const MetaIdxSegView &v, InvertedIndexView &out) {
        if (v.header.index_type != static_cast<uint8_t>(MetaIndexType::Inverted))
            return RVF_CORRUPT(Status::InvalidManifest);
        ByteReader r(v.payload);
        r.seek(kMetaIdxHeaderSize);
        const uint32_t count = r.u32();
        if (!r.ok())
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (count != v.header.unique_values)
            return RVF_CORRUPT(Status::InvalidManifest);
        const size_t first = r.pos();
        const bool is_bool = v.header.field_type == static_cast<uint8_t>(MetaFieldType::Bool);
        ByteView prev_term;
        uint64_t total = 0;
        for (uint32_t i = 0; i < count; ++i) {
            const uint16_t len = r.u16();
            const ByteView term = r.bytes(len);
            const uint32_t n = r.u32();
            if (!r.ok())
                return RVF_CORRUPT(Status::TruncatedSegment);
            if ((i > 0 && meta_compare_bytes(prev_term, term) >= 0) || n == 0 ||
                (is_bool && (len != 1 || term.data[0] > 1)))
                return RVF_CORRUPT(Status::InvalidManifest);
            DeltaIdsView ids;
            size_t used = 0;
            RVF_TRY(DeltaIdsView::parse(v.payload.from(r.pos()), n, kDefaultRestartInterval, ids, used));
            r.skip(used);
            DeltaIdsCursor c = ids.cursor();
            uint64_t id = 0, prev = 0;
            for (uint32_t k = 0; c.next(id); ++k) {
                if (k > 0 && id <= prev)
                    return RVF_CORRUPT(Status::InvalidManifest);
                prev = id;
            }
            if (add_overflows(total, n, &total))
                return RVF_CORRUPT(Status::InvalidManifest);
            RVF_TRY(meta_skip_pad(r, 8));
            prev_term = term;
        }
        if (total != v.header.total_vectors || !r.at_end())
            return RVF_CORRUPT(Status::InvalidManifest);
        out.payload = v.payload;
        out.term_count = count;
        out.first_term = first;
        return Status::Ok;
    }
};

/// Inverted body, part 1: the term count (writer at payload offset 64).
constexpr Status encode_inverted_head(ByteWriter &w, uint32_t term_count) {
    return w.u32(term_count) ? Status::Ok : Status::OutOfMemory;
}
/// Inverted body, part 2: one term and its posting list (ids strictly ascending, n ≥ 1), padded
/// to 8. The writer must have started at the payload start. Errors: InvalidArgument (term over
/// 65535 bytes, n == 0 or over u32, ids not strictly ascending), OutOfMemory.
constexpr Status encode_inverted_term(ByteWriter &w, ByteView term, const uint64_t *ids, size_t n) {
    if (term.size > kInvertedMaxTerm || n == 0 || n > UINT32_MAX || ids == nullptr)
        return Status::InvalidArgument;
    for (size_t i = 1; i < n; ++i)
        if (ids[i] <= ids[i - 1])
            return Status::InvalidArgument;
    w.u16(static_cast<uint16_t>(term.size));
    w.bytes(term);
    w.u32(static_cast<uint32_t>(n));
    RVF_TRY(encode_delta_ids(w, ids, n, kDefaultRestartInterval));
    w.pad_to(8);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

// --- range B+tree body -------------------------------------------------------------------------
inline constexpr uint32_t kRangePageSize = 4096;
inline constexpr uint32_t kRangeNoPage = 0xFFFFFFFF;
inline constexpr size_t kRangeTreeHeaderSize = 64;
inline constexpr size_t kRangeLeafHeader = 11;    // type, n, prev, next
inline constexpr size_t kRangeLeafEntry = 16;     // value, id
inline constexpr size_t kRangeLeafMax = (kRangePageSize - kRangeLeafHeader) / kRangeLeafEntry;
inline constexpr size_t kRangeInternalHeader = 3; // type, key_count
inline constexpr size_t kRangeInternalMaxKeys = (kRangePageSize - kRangeInternalHeader - 4) / 12;
inline constexpr size_t kRangeInternalFanout = kRangeInternalMaxKeys + 1;
inline constexpr uint8_t kRangeMaxHeight = 8;
inline constexpr uint8_t kRangePageInternal = 0, kRangePageLeaf = 1;
static_assert(kRangeLeafMax == 255 && kRangeInternalMaxKeys == 340, "page capacities");

constexpr bool meta_field_type_is_range(uint8_t t) {
    return t == static_cast<uint8_t>(MetaFieldType::U64) || t == static_cast<uint8_t>(MetaFieldType::I64) ||
           t == static_cast<uint8_t>(MetaFieldType::F64);
}

struct RangeTreeView;

/// Walks entries in order along the leaf chain.
struct RangeTreeCursor {
    ByteView pages;
    uint32_t page = kRangeNoPage;
    uint32_t index = 0;
    uint32_t steps_left = 0; // bounds the walk even on a chain the parse did not see

    constexpr bool next(uint64_t &raw, uint64_t &id) {
        while (page != kRangeNoPage) {
            const ByteView p = pages.sub(static_cast<size_t>(page) * kRangePageSize, kRangePageSize);
            if (p.size != kRangePageSize || p.data[0] != kRangePageLeaf)
                return false;
            if (index < load_u16_le(p.data + 1)) {
                const uint8_t *e = p.data + kRangeLeafHeader + static_cast<size_t>(index) * kRangeLeafEntry;
                raw = load_u64_le(e);
                id = load_u64_le(e + 8);
                ++index;
                return true;
            }
            if (steps_left == 0)
                return false;
            --steps_left;
            page = load_u32_le(p.data + 7);
            index = 0;
        }
        return false;
    }
};

struct RangeTreeView {
    ByteView pages;
    uint8_t field_type = 0;
    uint32_t page_count = 0;
    uint32_t root = kRangeNoPage;
    uint8_t height = 0;
    uint32_t first_leaf = kRangeNoPage;

    constexpr ByteView page(uint32_t p) const {
        return pages.sub(static_cast<size_t>(p) * kRangePageSize, kRangePageSize);
    }
    constexpr RangeTreeCursor begin() const { return RangeTreeCursor{pages, first_leaf, 0, page_count}; }

    /// Cursor at the first entry whose order key is ≥ `order_key` (descends from the root).
    constexpr RangeTreeCursor lower_bound(uint64_t order_key) const {
        uint32_t p = root;
        for (uint8_t level = 1; level < height && p != kRangeNoPage; ++level) {
            const ByteView pg = page(p);
            if (pg.size == 0 || pg.data[0] != kRangePageInternal)
                return RangeTreeCursor{pages, kRangeNoPage, 0, 0};
            const uint16_t k = load_u16_le(pg.data + 1);
            uint16_t c = 0;
            while (c < k && meta_order_key(field_type, load_u64_le(pg.data + kRangeInternalHeader + 8u * c)) < order_key)
                ++c;
            p = load_u32_le(pg.data + kRangeInternalHeader + 8u * k + 4u * c);
        }
        RangeTreeCursor cur{pages, p, 0, page_count};
        if (p == kRangeNoPage)
            return cur;
        // Skip entries below the key (they may fill the rest of this leaf, then the cursor moves on).
        while (cur.page != kRangeNoPage) {
            const ByteView pg = page(cur.page);
            if (pg.size == 0 || pg.data[0] != kRangePageLeaf)
                return RangeTreeCursor{pages, kRangeNoPage, 0, 0};
            const uint16_t n = load_u16_le(pg.data + 1);
            while (cur.index < n &&
                   meta_order_key(field_type, load_u64_le(pg.data + kRangeLeafHeader + kRangeLeafEntry * cur.index)) <
                       order_key)
                ++cur.index;
            if (cur.index < n || cur.steps_left == 0)
                return cur;
            --cur.steps_left;
            cur.page = load_u32_le(pg.data + 7);
            cur.index = 0;
        }
        return cur;
    }

    /// Errors: InvalidManifest (index_type not range, field type not u64/i64/f64, page_size ≠
    /// 4096, bytes after the last page, root/height/page numbers out of range, page type or
    /// count wrong, non-zero page tail, leftmost path not internal…leaf, leaf chain broken or
    /// looping, entries out of (key, id) order, totals ≠ header), TruncatedSegment, also
    /// InvalidManifest for non-zero tree-header reserved bytes.
    static constexpr Status parse(const MetaIdxSegView &v, RangeTreeView &out) {
        const uint8_t ft = v.header.field_type;
        if (v.header.index_type != static_cast<uint8_t>(MetaIndexType::RangeTree) || !meta_field_type_is_range(ft))
            return RVF_CORRUPT(Status::InvalidManifest);
        ByteReader r(v.body);
        const uint32_t page_size = r.u32();
        const uint32_t page_count = r.u32();
        const uint32_t root = r.u32();
        const uint8_t height = r.u8();
        if (!r.ok() || !r.has(kRangeTreeHeaderSize - 13))
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (!r.skip_zero_pad(kRangeTreeHeaderSize) || page_size != kRangePageSize)
            return RVF_CORRUPT(Status::InvalidManifest);
        uint64_t bytes = 0;
        mul_overflows(page_count, kRangePageSize, &bytes); // < 2^44: cannot overflow
        if (bytes > r.remaining())
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (bytes != r.remaining())
            return RVF_CORRUPT(Status::InvalidManifest);
        RangeTreeView t;
        t.pages = v.body.from(kRangeTreeHeaderSize);
        t.field_type = ft;
        t.page_count = page_count;
        t.root = root;
        t.height = height;
        if (page_count == 0) {
            if (root != kRangeNoPage || height != 0 || v.header.total_vectors != 0 || v.header.unique_values != 0)
                return RVF_CORRUPT(Status::InvalidManifest);
            out = t;
            return Status::Ok;
        }
        if (root >= page_count || height == 0 || height > kRangeMaxHeight)
            return RVF_CORRUPT(Status::InvalidManifest);
        for (uint32_t p = 0; p < page_count; ++p)
            RVF_TRY(check_page(t.page(p), page_count));
        // Leftmost path: internal pages down to a leaf at exactly `height`.
        uint32_t p = root;
        for (uint8_t level = 1; level < height; ++level) {
            const ByteView pg = t.page(p);
            if (pg.data[0] != kRangePageInternal)
                return RVF_CORRUPT(Status::InvalidManifest);
            p = load_u32_le(pg.data + kRangeInternalHeader + 8u * load_u16_le(pg.data + 1));
        }
        if (t.page(p).data[0] != kRangePageLeaf || load_u32_le(t.page(p).data + 3) != kRangeNoPage)
            return RVF_CORRUPT(Status::InvalidManifest);
        t.first_leaf = p;
        // Leaf chain: ordered entries, consistent back links, at most page_count leaves.
        uint64_t total = 0, unique = 0, prev_key = 0, prev_id = 0;
        uint32_t prev_page = kRangeNoPage;
        for (uint32_t steps = 0; p != kRangeNoPage; ++steps) {
            const ByteView pg = t.page(p);
            if (steps >= page_count || pg.data[0] != kRangePageLeaf || load_u32_le(pg.data + 3) != prev_page)
                return RVF_CORRUPT(Status::InvalidManifest);
            const uint16_t n = load_u16_le(pg.data + 1);
            for (uint16_t i = 0; i < n; ++i) {
                const uint8_t *e = pg.data + kRangeLeafHeader + kRangeLeafEntry * i;
                const uint64_t key = meta_order_key(ft, load_u64_le(e)), id = load_u64_le(e + 8);
                if (total > 0 && (key < prev_key || (key == prev_key && id <= prev_id)))
                    return RVF_CORRUPT(Status::InvalidManifest);
                if (total == 0 || key != prev_key)
                    ++unique;
                ++total;
                prev_key = key;
                prev_id = id;
            }
            prev_page = p;
            p = load_u32_le(pg.data + 7);
        }
        if (total != v.header.total_vectors || unique != v.header.unique_values)
            return RVF_CORRUPT(Status::InvalidManifest);
        out = t;
        return Status::Ok;
    }

private:
    static constexpr Status check_page(ByteView pg, uint32_t page_count) {
        size_t used = 0;
        if (pg.data[0] == kRangePageLeaf) {
            const uint16_t n = load_u16_le(pg.data + 1);
            const uint32_t prev = load_u32_le(pg.data + 3), next = load_u32_le(pg.data + 7);
            if (n == 0 || n > kRangeLeafMax || (prev != kRangeNoPage && prev >= page_count) ||
                (next != kRangeNoPage && next >= page_count))
                return RVF_CORRUPT(Status::InvalidManifest);
            used = kRangeLeafHeader + kRangeLeafEntry * n;
        } else if (pg.data[0] == kRangePageInternal) {
            const uint16_t k = load_u16_le(pg.data + 1);
            if (k > kRangeInternalMaxKeys)
                return RVF_CORRUPT(Status::InvalidManifest);
            const uint8_t *children = pg.data + kRangeInternalHeader + 8u * k;
            for (uint16_t c = 0; c <= k; ++c)
                if (load_u32_le(children + 4u * c) >= page_count)
                    return RVF_CORRUPT(Status::InvalidManifest);
            used = kRangeInternalHeader + 12u * k + 4u;
        } else {
            return RVF_CORRUPT(Status::InvalidManifest);
        }
        for (size_t i = used; i < kRangePageSize; ++i)
            if (pg.data[i] != 0)
                return RVF_CORRUPT(Status::InvalidManifest);
        return Status::Ok;
    }
};

/// Page counts per level for n entries (levels[0] = leaves); returns the height (0 for n == 0)
/// or 0xFF when more than kRangeMaxHeight levels would be needed.
constexpr uint8_t range_tree_levels(uint64_t n, uint64_t (&levels)[kRangeMaxHeight]) {
    if (n == 0)
        return 0;
    uint64_t count = (n + kRangeLeafMax - 1) / kRangeLeafMax;
    uint8_t h = 0;
    while (true) {
        if (h == kRangeMaxHeight)
            return 0xFF;
        levels[h++] = count;
        if (count == 1)
            return h;
        count = (count + kRangeInternalFanout - 1) / kRangeInternalFanout;
    }
}

/// Write the range-tree body (writer at payload offset 64) for n entries given as raw value
/// bits and ids, sorted by (meta_order_key(field_type, raw), id) strictly ascending.
/// Errors: InvalidArgument (not a u64/i64/f64 type, order violated, null arrays, too many
/// entries for a u32 page count or kRangeMaxHeight levels), OutOfMemory.
constexpr Status encode_range_tree(ByteWriter &w, uint8_t field_type, const uint64_t *raw, const uint64_t *ids,
                                   size_t n) {
    if (!meta_field_type_is_range(field_type) || (n > 0 && (raw == nullptr || ids == nullptr)))
        return Status::InvalidArgument;
    for (size_t i = 1; i < n; ++i) {
        const uint64_t a = meta_order_key(field_type, raw[i - 1]), b = meta_order_key(field_type, raw[i]);
        if (b < a || (a == b && ids[i] <= ids[i - 1]))
            return Status::InvalidArgument;
    }
    uint64_t levels[kRangeMaxHeight] = {};
    const uint8_t height = range_tree_levels(n, levels);
    if (height == 0xFF)
        return Status::InvalidArgument;
    uint64_t page_count = 0;
    for (uint8_t l = 0; l < height; ++l)
        page_count += levels[l];
    if (page_count >= kRangeNoPage)
        return Status::InvalidArgument;
    w.u32(kRangePageSize);
    w.u32(static_cast<uint32_t>(page_count));
    w.u32(page_count == 0 ? kRangeNoPage : static_cast<uint32_t>(page_count - 1));
    w.u8(height);
    w.zeros(kRangeTreeHeaderSize - 13);
    const uint64_t leaves = height ? levels[0] : 0;
    for (uint64_t i = 0; i < leaves; ++i) {
        const size_t start = static_cast<size_t>(i * kRangeLeafMax);
        const size_t cnt = n - start < kRangeLeafMax ? n - start : kRangeLeafMax;
        w.u8(kRangePageLeaf);
        w.u16(static_cast<uint16_t>(cnt));
        w.u32(i == 0 ? kRangeNoPage : static_cast<uint32_t>(i - 1));
        w.u32(i + 1 == leaves ? kRangeNoPage : static_cast<uint32_t>(i + 1));
        for (size_t e = start; e < start + cnt; ++e) {
            w.u64(raw[e]);
            w.u64(ids[e]);
        }
        w.zeros(kRangePageSize - kRangeLeafHeader - kRangeLeafEntry * cnt);
    }
    // Internal levels. A level-l page i (l ≥ 1) has children i·F .. of level l−1; the first
    // entry under page j of level m is entry j · F^m · 255.
    uint64_t below_base = 0, span = kRangeLeafMax; // span = entries under one page of level l−1
    for (uint8_t l = 1; l < height; ++l) {
        const uint64_t below = levels[l - 1];
        const uint64_t base = below_base + below;
        for (uint64_t i = 0; i < levels[l]; ++i) {
            const uint64_t c0 = i * kRangeInternalFanout;
            const uint64_t nc = below - c0 < kRangeInternalFanout ? below - c0 : kRangeInternalFanout;
            w.u8(kRangePageInternal);
            w.u16(static_cast<uint16_t>(nc - 1));
            for (uint64_t c = 1; c < nc; ++c)
                w.u64(raw[static_cast<size_t>((c0 + c) * span)]);
            for (uint64_t c = 0; c < nc; ++c)
                w.u32(static_cast<uint32_t>(below_base + c0 + c));
            w.zeros(static_cast<size_t>(kRangePageSize - kRangeInternalHeader - 12 * (nc - 1) - 4));
        }
        below_base = base; // level l's pages are the children of level l+1
        span *= kRangeInternalFanout;
    }
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

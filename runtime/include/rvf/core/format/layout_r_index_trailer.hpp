// rvf/core/format/layout_r_index_trailer.hpp — the Layout R INDEX payload (seg type 0x02) =
// rvf-index codec (index_seg.hpp) followed by the runtime's trailer (spec §3.10).
//
//  payload = codec (64-B padded, ends at B) ‖ trailer body (L bytes) ‖ u32 L ‖ "RVIX"
//
//  body off  size  type      field
//  0          2    u16       version          1
//  2          2    u16       m0               layer-0 degree bound (2·M)
//  4          4    u32       max_layer        top HNSW layer (entry node is on layers 0..max_layer)
//  8          8    u64       entry_ordinal    UINT64_MAX = no entry point
//  16         8    u64       id_count         = codec node_count
//  24         …    varint[]  ids              ordinal → id map: first absolute, then gaps of the
//                                             ascending ids (each gap ≥ 1)
//  24+…       4    u32       trailer_body_len L (= bytes from "version" to the last varint)
//  …          4    ASCII     "RVIX"           52 56 49 58, in reading order (not an LE u32)
//
// The body starts right after the codec's final pad (B is a multiple of 64). Readers locate the
// trailer from the end. Upstream rejects (and rebuilds) an index whose version ≠ 1, index_type
// ≠ 0 or whose counts disagree. Little-endian. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"  // ByteView, ByteReader, ByteWriter
#include "../status.hpp" // Status, RVF_CORRUPT
#include "index_seg.hpp" // the codec part

namespace rvf::core {

inline constexpr uint16_t kLayoutRIndexTrailerVersion = 1;
inline constexpr uint64_t kLayoutRIndexNoEntry = UINT64_MAX;
inline constexpr size_t kLayoutRIndexBodyFixedSize = 24;
inline constexpr size_t kLayoutRIndexTrailerTailSize = 8; // u32 body_len + "RVIX"
inline constexpr uint8_t kRvixMarker[4] = {0x52, 0x56, 0x49, 0x58};

struct LayoutRIndexTrailer {
    uint16_t version = kLayoutRIndexTrailerVersion;
    uint16_t m0 = 32;
    uint32_t max_layer = 0;
    uint64_t entry_ordinal = kLayoutRIndexNoEntry;
    uint64_t id_count = 0;
};
static_assert(2 + 2 + 4 + 8 + 8 == kLayoutRIndexBodyFixedSize, "trailer body fixed part is 24 bytes");

/// Walks the ordinal → id varints of a validated trailer.
class LayoutRIndexIdCursor {
public:
    constexpr explicit LayoutRIndexIdCursor(ByteView varints, uint64_t count) : r_(varints), left_(count) {}
    constexpr bool next(uint64_t *id) {
        if (left_ == 0)
            return false;
        const uint64_t v = r_.varint();
        if (!r_.ok())
            return false;
        prev_ = first_ ? v : prev_ + v;
        first_ = false;
        --left_;
        *id = prev_;
        return true;
    }

private:
    ByteReader r_;
    uint64_t left_ = 0, prev_ = 0;
    bool first_ = true;
};

struct LayoutRIndexTrailerView {
    LayoutRIndexTrailer fields{};
    ByteView id_varints{};
    size_t body_offset = 0; // = size of the codec part of the payload

    constexpr LayoutRIndexIdCursor ids() const { return LayoutRIndexIdCursor(id_varints, fields.id_count); }
    /// Copy up to cap ids (ascending) to out; returns how many were written.
    constexpr size_t copy_ids(uint64_t *out, size_t cap) const {
        LayoutRIndexIdCursor c = ids();
        size_t i = 0;
        uint64_t id = 0;
        while (i < cap && c.next(&id))
            out[i++] = id;
        return i;
    }
};

/// Locate and validate the trailer at the end of an INDEX payload.
/// Returns Ok, or:
///  * TruncatedSegment — payload < 8 B, body length beyond the payload or below 24 B, fewer id
///    bytes than id_count, or a varint cut off;
///  * InvalidMagic — the last 4 bytes are not "RVIX";
///  * InvalidVersion — version ≠ 1;
///  * InvalidManifest — ids not strictly ascending (or overflowing u64), bytes after the last
///    id inside the body, entry_ordinal neither "none" nor < id_count, max_layer ≥ 64.
constexpr Status decode_layout_r_index_trailer(ByteView payload, LayoutRIndexTrailerView &out) {
    out = LayoutRIndexTrailerView{};
    if (payload.size < kLayoutRIndexTrailerTailSize)
        return RVF_CORRUPT(Status::TruncatedSegment);
    const uint8_t *end = payload.data + payload.size;
    for (int i = 0; i < 4; ++i)
        if (end[-4 + i] != kRvixMarker[i])
            return RVF_CORRUPT(Status::InvalidMagic);
    const uint32_t body_len = load_u32_le(end - 8);
    const size_t avail = payload.size - kLayoutRIndexTrailerTailSize;
    if (body_len > avail || body_len < kLayoutRIndexBodyFixedSize)
        return RVF_CORRUPT(Status::TruncatedSegment);
    out.body_offset = avail - body_len;
    ByteReader r(payload.sub(out.body_offset, body_len));
    LayoutRIndexTrailer &t = out.fields;
    t.version = r.u16();
    t.m0 = r.u16();
    t.max_layer = r.u32();
    t.entry_ordinal = r.u64();
    t.id_count = r.u64();
    if (t.version != kLayoutRIndexTrailerVersion)
        return RVF_CORRUPT(Status::InvalidVersion);
    if (t.id_count > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    const size_t ids_at = r.pos();
    uint64_t prev = 0;
    for (uint64_t i = 0; i < t.id_count; ++i) {
        const bool room = r.has(10);
        const uint64_t v = r.varint();
        if (!r.ok())
            return room ? RVF_CORRUPT(Status::InvalidManifest) : RVF_CORRUPT(Status::TruncatedSegment);
        if (i > 0 && (v == 0 || v > UINT64_MAX - prev))
            return RVF_CORRUPT(Status::InvalidManifest);
        prev = i == 0 ? v : prev + v;
    }
    if (!r.at_end())
        return RVF_CORRUPT(Status::InvalidManifest);
    if (t.entry_ordinal != kLayoutRIndexNoEntry && t.entry_ordinal >= t.id_count)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (t.max_layer >= kIndexMaxLayers)
        return RVF_CORRUPT(Status::InvalidManifest);
    out.id_varints = payload.sub(out.body_offset + ids_at, body_len - ids_at);
    return Status::Ok;
}

/// The whole Layout R INDEX payload: graph + trailer.
struct LayoutRIndexView {
    IndexSegView graph{};
    LayoutRIndexTrailerView trailer{};
};

/// Decode trailer, then the rvf-index codec over the bytes before it, and cross-check them.
/// Statuses as the two decoders, plus InvalidManifest when: the codec does not end exactly
/// where the trailer body starts, index_type ≠ 0 (HNSW), id_count ≠ node_count, or the entry
/// node is not on exactly max_layer + 1 layers.
constexpr Status decode_layout_r_index(ByteView payload, LayoutRIndexView &out) {
    out = LayoutRIndexView{};
    RVF_TRY(decode_layout_r_index_trailer(payload, out.trailer));
    const ByteView codec = payload.sub(0, out.trailer.body_offset);
    RVF_TRY(decode_index_seg(codec, IndexFlavour::RvfIndex, out.graph));
    if (out.graph.encoded_size != codec.size)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (out.graph.header.index_type != static_cast<uint8_t>(IndexType::Hnsw))
        return RVF_CORRUPT(Status::InvalidManifest);
    const LayoutRIndexTrailer &t = out.trailer.fields;
    if (t.id_count != out.graph.header.node_count)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (t.entry_ordinal != kLayoutRIndexNoEntry) {
        uint32_t lc = 0;
        RVF_TRY(out.graph.node_layer_count(t.entry_ordinal, &lc));
        if (lc != t.max_layer + 1)
            return RVF_CORRUPT(Status::InvalidManifest);
    }
    return Status::Ok;
}

/// Write the trailer (body ‖ u32 body_len ‖ "RVIX") at the writer's position.
/// fields.id_count is taken from `count`; ids must be strictly ascending.
/// Returns Ok, or InvalidArgument (unsorted ids, null ids with count > 0, body > 4 GiB,
/// entry_ordinal ≥ count and not "none", writer full).
constexpr Status encode_layout_r_index_trailer(ByteWriter &w, const LayoutRIndexTrailer &fields, const uint64_t *ids,
                                               uint64_t count) {
    if (count && !ids)
        return Status::InvalidArgument;
    if (fields.entry_ordinal != kLayoutRIndexNoEntry && fields.entry_ordinal >= count)
        return Status::InvalidArgument;
    ByteWriter sizer;
    for (uint64_t i = 0; i < count; ++i) {
        if (i > 0 && ids[i] <= ids[i - 1])
            return Status::InvalidArgument;
        sizer.varint(i == 0 ? ids[0] : ids[i] - ids[i - 1]);
    }
    const uint64_t body = kLayoutRIndexBodyFixedSize + static_cast<uint64_t>(sizer.pos());
    if (!sizer.ok() || body > UINT32_MAX)
        return Status::InvalidArgument;
    w.u16(fields.version);
    w.u16(fields.m0);
    w.u32(fields.max_layer);
    w.u64(fields.entry_ordinal);
    w.u64(count);
    for (uint64_t i = 0; i < count && w.ok(); ++i)
        w.varint(i == 0 ? ids[0] : ids[i] - ids[i - 1]);
    w.u32(static_cast<uint32_t>(body));
    w.bytes(kRvixMarker, 4);
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// Write a complete Layout R INDEX payload the way the runtime does: rvf-index flavour, restart
/// interval 64, then the trailer. `ids` (ascending, header.node_count of them) maps ordinals to
/// vector ids. Statuses as encode_index_seg / encode_layout_r_index_trailer.
constexpr Status encode_layout_r_index(ByteWriter &w, const IndexSegHeader &header, const IndexNodeInput *nodes,
                                       const LayoutRIndexTrailer &fields, const uint64_t *ids) {
    RVF_TRY(encode_index_seg(w, header, nodes, kIndexDefaultRestartInterval, IndexFlavour::RvfIndex));
    return encode_layout_r_index_trailer(w, fields, ids, header.node_count);
}

} // namespace rvf::core

// rvf/core/format/hot_seg.hpp — Layout S HOT_SEG payload: hot vectors stored row-major next to
// their neighbour lists (spec §6.3, rvf-wire hot_seg_codec).
//
// Header (offsets from payload start, LE, packed):
//  off   size  type  field
//  0x00  4     u32   vector_count
//  0x04  2     u16   dim           > 0
//  0x06  1     u8    dtype         DataType; element size per data_type_element_size
//  0x07  2     u16   neighbor_M    HNSW M the lists were built with (advisory)
//  0x09  55    —     zeros (header padded to 64)
// Then vector_count entries, each starting 64-aligned (relative to payload start):
//  +0    8     u64   vector_id
//  +8    dim·elem    vector, row order
//  +V    2     u16   neighbor_count
//  +V+2  8·n   u64[] neighbor ids
//  ...   pad         zeros to a multiple of 64
// Example: 384-d f16, M = 16 → 8 + 768 + 2 + 128 = 906 → 960 bytes per entry.
//
// Decoder rules: header/entry padding zero, dtype known, dim > 0, the payload ends exactly after
// the last entry's padding. neighbor_count is not bounded by neighbor_M (layer 0 of HNSW holds
// 2·M). Entries have variable length, so index access walks from the start. Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"
#include "enums.hpp"

namespace rvf::core {

inline constexpr size_t kHotHeaderSize = 64;
inline constexpr size_t kHotHeaderUsed = 9;
inline constexpr size_t kHotEntryAlign = 64;

namespace hot_off {
inline constexpr size_t vector_count = 0, dim = 4, dtype = 6, neighbor_m = 7;
static_assert(neighbor_m + 2 == kHotHeaderUsed, "HOT_SEG header fields are 9 bytes");
} // namespace hot_off

struct HotHeader {
    uint32_t vector_count = 0;
    uint16_t dim = 0;
    uint8_t dtype = static_cast<uint8_t>(DataType::F32);
    uint16_t neighbor_m = 16;
};

/// Padded size of one entry.
constexpr uint64_t hot_entry_size(uint16_t dim, uint8_t dtype, uint16_t neighbor_count) {
    return align_up(8 + static_cast<uint64_t>(dim) * data_type_element_size(dtype) + 2 + 8ull * neighbor_count,
                    kHotEntryAlign);
}

/// One decoded entry (views into the payload).
struct HotEntry {
    uint64_t vector_id = 0;
    ByteView vector; // dim·elem bytes, row order
    uint16_t neighbor_count = 0;
    ByteView neighbor_bytes; // 8·neighbor_count bytes

    constexpr uint64_t neighbor(uint16_t j) const {
        return j < neighbor_count ? load_u64_le(neighbor_bytes.data + 8u * j) : 0;
    }
};

namespace detail {
/// Read the entry at r.pos() (64-aligned) and skip its padding.
constexpr Status read_hot_entry(ByteReader &r, size_t vec_bytes, HotEntry &e) {
    e.vector_id = r.u64();
    e.vector = r.bytes(vec_bytes);
    e.neighbor_count = r.u16();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    e.neighbor_bytes = r.bytes(8u * static_cast<size_t>(e.neighbor_count));
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    const size_t pad = static_cast<size_t>(align_up(r.pos(), kHotEntryAlign)) - r.pos();
    if (!r.has(pad))
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (!r.skip_zero_pad(kHotEntryAlign))
        return RVF_CORRUPT(Status::AlignmentError);
    return Status::Ok;
}
} // namespace detail

/// Sequential reader over a validated HOT_SEG.
class HotEntryCursor {
public:
    constexpr HotEntryCursor(ByteView payload, const HotHeader &h)
        : r_(payload), left_(h.vector_count), vec_bytes_(static_cast<size_t>(h.dim) * data_type_element_size(h.dtype)) {
        r_.seek(kHotHeaderSize);
    }
    constexpr bool next(HotEntry &e) {
        if (left_ == 0 || detail::read_hot_entry(r_, vec_bytes_, e) != Status::Ok)
            return false;
        --left_;
        return true;
    }

private:
    ByteReader r_;
    uint32_t left_;
    size_t vec_bytes_;
};

struct HotSegView {
    ByteView payload;
    HotHeader header;

    constexpr HotEntryCursor cursor() const { return HotEntryCursor(payload, header); }
    /// Entry i (walks i entries). InvalidArgument if i ≥ vector_count.
    constexpr Status entry(uint32_t i, HotEntry &out) const {
        if (i >= header.vector_count)
            return Status::InvalidArgument;
        HotEntryCursor c = cursor();
        for (uint32_t k = 0; k <= i; ++k)
            if (!c.next(out))
                return Status::InvalidArgument;
        return Status::Ok;
    }
    constexpr size_t vector_bytes() const {
        return static_cast<size_t>(header.dim) * data_type_element_size(header.dtype);
    }

    /// Validate header and every entry. Errors: TruncatedSegment, AlignmentError (non-zero
    /// padding), InvalidManifest (dtype unknown, dim 0, bytes after the last entry).
    static constexpr Status parse(ByteView payload, HotSegView &out) {
        ByteReader r(payload);
        HotHeader h;
        h.vector_count = r.u32();
        h.dim = r.u16();
        h.dtype = r.u8();
        h.neighbor_m = r.u16();
        if (!r.ok() || !r.has(kHotHeaderSize - kHotHeaderUsed))
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (!r.skip_zero_pad(kHotHeaderSize))
            return RVF_CORRUPT(Status::AlignmentError);
        if (!data_type_known(h.dtype) || h.dim == 0)
            return RVF_CORRUPT(Status::InvalidManifest);
        // Each entry takes at least 64 bytes: reject absurd counts before walking.
        if (h.vector_count > r.remaining() / kHotEntryAlign)
            return RVF_CORRUPT(Status::TruncatedSegment);
        const size_t vec_bytes = static_cast<size_t>(h.dim) * data_type_element_size(h.dtype);
        for (uint32_t i = 0; i < h.vector_count; ++i) {
            HotEntry e;
            RVF_TRY(detail::read_hot_entry(r, vec_bytes, e));
        }
        if (!r.at_end())
            return RVF_CORRUPT(Status::InvalidManifest);
        out.payload = payload;
        out.header = h;
        return Status::Ok;
    }
};

/// One entry to encode: `vector` holds dim·elem bytes already in on-disk (LE) element form.
struct HotEntryInput {
    uint64_t vector_id = 0;
    const uint8_t *vector = nullptr;
    const uint64_t *neighbors = nullptr;
    uint16_t neighbor_count = 0;
};

/// Write a HOT_SEG payload (header.vector_count is taken from n). Counting writer → size.
/// Errors: InvalidArgument (dtype unknown, dim 0, n > u32, null pointers), OutOfMemory.
constexpr Status encode_hot_seg(ByteWriter &w, const HotHeader &header, const HotEntryInput *entries, size_t n) {
    if (!data_type_known(header.dtype) || header.dim == 0 || n > UINT32_MAX || (n > 0 && entries == nullptr))
        return Status::InvalidArgument;
    const size_t vec_bytes = static_cast<size_t>(header.dim) * data_type_element_size(header.dtype);
    for (size_t i = 0; i < n; ++i)
        if (entries[i].vector == nullptr || (entries[i].neighbor_count > 0 && entries[i].neighbors == nullptr))
            return Status::InvalidArgument;
    w.u32(static_cast<uint32_t>(n));
    w.u16(header.dim);
    w.u8(header.dtype);
    w.u16(header.neighbor_m);
    w.zeros(kHotHeaderSize - kHotHeaderUsed);
    for (size_t i = 0; i < n; ++i) {
        const HotEntryInput &e = entries[i];
        w.u64(e.vector_id);
        w.bytes(e.vector, vec_bytes);
        w.u16(e.neighbor_count);
        for (uint16_t j = 0; j < e.neighbor_count; ++j)
            w.u64(e.neighbors[j]);
        const size_t raw = 8 + vec_bytes + 2 + 8u * static_cast<size_t>(e.neighbor_count);
        w.zeros(static_cast<size_t>(align_up(raw, kHotEntryAlign)) - raw);
    }
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

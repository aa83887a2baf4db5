// rvf/core/format/vec_seg.hpp — Layout S VEC_SEG payload: block directory + columnar blocks
// (spec §6.2; Layout R's interleaved VEC payload is a different codec, §3.4).
//
// Payload (offsets from payload start, all integers LE):
//  off        size        type     field
//  0x00       4           u32      block_count
//  0x04+12i   4           u32      block_offset      from payload start; 64-aligned
//  +4         4           u32      vector_count
//  +8         2           u16      dim               > 0
//  +10        1           u8       dtype             DataType (enums.hpp)
//  +11        1           u8       tier              TemperatureTier (bits 0-6) | 0x80 row-major
//  ...        pad                  zeros to a multiple of 64
// Block at block_offset (elem = data_type_element_size(dtype), n = vector_count):
//  +0         n·dim·elem           vectors, dim-major: all dim-0 values, then dim-1, ...
//                                  or, with the row-major bit, row i's dim values contiguous
//  +V         1           u8       id encoding       0 raw u64[] · 1 delta-varint (delta_ids.hpp)
//  +V+1       2           u16      restart_interval  128 by default; > 0 for delta
//  +V+3       4           u32      id_count          must equal vector_count
//  +V+7       ...                  ids
//  +E         4           u32      CRC32C of bytes [+0, +E)  (vectors ‖ id map)
//  +E+4       pad                  zeros to a multiple of 64
//
// Decoder rules (beyond "every length fits"): blocks ascend without overlap (gaps tolerated,
// as rvf-wire's reader does), every offset 64-aligned, pad bytes zero, dtype/tier/encoding
// known, dim > 0, id_count == vector_count, delta ids non-decreasing. A block CRC mismatch is
// InvalidChecksum. The spec's optional restart_offsets table before the ids is not written by
// any codec and is not accepted here. Freestanding.
//
// Row-major blocks (Layout S extension "VEC row-major", docs/format.md): tier byte bit 7
// (kVecTierRowMajor) says the vectors are stored row by row (row i at +i·dim·elem), so a
// reader can address one row — or reference a whole block in a file mapping — without a
// transpose. Everything else (id map, CRC over vectors ‖ id map, padding) is unchanged, and the
// vector area has the same size, so only the tier byte differs. Readers before this extension
// check temperature_tier_known(tier) first and refuse such a block with InvalidManifest instead
// of misreading it as dim-major. Compaction, merges and index builds write row-major blocks;
// normal appends stay dim-major.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../delta_ids.hpp"
#include "../f16.hpp"
#include "../hash/crc32c.hpp"
#include "../status.hpp"
#include "enums.hpp"

namespace rvf::core {

inline constexpr size_t kVecDirHeaderSize = 4;
inline constexpr size_t kVecDirEntrySize = 12;
inline constexpr size_t kVecIdMapHeaderSize = 7;
inline constexpr size_t kVecBlockAlign = 64;
/// Tier-byte bit marking a row-major block (see the header comment). Not a TemperatureTier
/// value, so a decoder that only knows tiers 0-2 refuses the block.
inline constexpr uint8_t kVecTierRowMajor = 0x80;

enum class IdEncoding : uint8_t { Raw = 0, DeltaVarint = 1 };

namespace vec_dir_off {
inline constexpr size_t block_offset = 0, vector_count = 4, dim = 8, dtype = 10, tier = 11;
static_assert(tier + 1 == kVecDirEntrySize, "directory entry is 12 bytes");
} // namespace vec_dir_off

/// One block directory entry.
struct VecBlockInfo {
    uint32_t block_offset = 0;
    uint32_t vector_count = 0;
    uint16_t dim = 0;
    uint8_t dtype = 0;
    uint8_t tier = 0;        // the TemperatureTier, row-major bit removed
    bool row_major = false;  // tier byte bit 7 was set
};

/// Size of the padded directory for n blocks.
constexpr uint64_t vec_directory_size(uint64_t n) { return align_up(kVecDirHeaderSize + n * kVecDirEntrySize, 64); }

/// A validated block: zero-copy views into the payload.
struct VecBlockView {
    VecBlockInfo info;
    size_t elem_size = 1;
    ByteView vectors; // vector_count·dim·elem_size bytes, dim-major unless info.row_major
    uint8_t id_encoding = 0;
    uint16_t restart_interval = 0;
    ByteView id_bytes; // raw: 8·count bytes; delta: exactly the encoded ids
    uint32_t stored_crc = 0;
    size_t span = 0; // bytes from block_offset through its padding

    constexpr uint32_t count() const { return info.vector_count; }
    constexpr uint16_t dim() const { return info.dim; }

    /// Pointer to element (v, d) — caller guarantees v < count(), d < dim().
    constexpr const uint8_t *element_ptr(uint32_t v, uint32_t d) const {
        if (info.row_major)
            return vectors.data + (static_cast<size_t>(v) * info.dim + d) * elem_size;
        return vectors.data + (static_cast<size_t>(d) * info.vector_count + v) * elem_size;
    }
    /// Row v's bytes (dim·elem_size) of a row-major block; nullptr for a dim-major block or v
    /// out of range.
    constexpr const uint8_t *row_ptr(uint32_t v) const {
        if (!info.row_major || v >= info.vector_count)
            return nullptr;
        return vectors.data + static_cast<size_t>(v) * info.dim * elem_size;
    }
    /// Element (v, d) as float for f32/f16/bf16/i8/u8 (i8/u8 = the integer value); 0 when out
    /// of range or the dtype has no scalar element (i4, binary, PQ, custom).
    inline float element(uint32_t v, uint32_t d) const {
        if (v >= info.vector_count || d >= info.dim)
            return 0.0f;
        const uint8_t *p = element_ptr(v, d);
        switch (static_cast<DataType>(info.dtype)) {
        case DataType::F32:
            return load_f32_le(p);
        case DataType::F16:
            return f16_to_f32(load_u16_le(p));
        case DataType::Bf16:
            return bf16_to_f32(load_u16_le(p));
        case DataType::I8:
            return static_cast<float>(static_cast<int8_t>(p[0]));
        case DataType::U8:
            return static_cast<float>(p[0]);
        default:
            return 0.0f;
        }
    }
    /// Gather vector v into out[0..dim) as floats. dtype must be f32, f16 or bf16.
    /// InvalidArgument: v out of range, out_len < dim, or another dtype (use copy_vector_raw).
    inline Status copy_vector_f32(uint32_t v, float *out, size_t out_len) const {
        const auto t = static_cast<DataType>(info.dtype);
        if (v >= info.vector_count || out_len < info.dim || out == nullptr ||
            (t != DataType::F32 && t != DataType::F16 && t != DataType::Bf16))
            return Status::InvalidArgument;
        for (uint32_t d = 0; d < info.dim; ++d)
            out[d] = element(v, d);
        return Status::Ok;
    }
    /// Gather vector v's element bytes (row order, dim·elem_size bytes) for any dtype — the raw
    /// form for i8/u8 and the packed types. InvalidArgument: v out of range or out too small.
    constexpr Status copy_vector_raw(uint32_t v, uint8_t *out, size_t out_len) const {
        const size_t n = static_cast<size_t>(info.dim) * elem_size;
        if (v >= info.vector_count || out_len < n || (n > 0 && out == nullptr))
            return Status::InvalidArgument;
        for (uint32_t d = 0; d < info.dim; ++d) {
            const uint8_t *p = element_ptr(v, d);
            for (size_t b = 0; b < elem_size; ++b)
                out[d * elem_size + b] = p[b];
        }
        return Status::Ok;
    }
    /// Gather vectors [first, first + n) as consecutive rows (row order, dim·elem_size bytes
    /// each) into out. The block is dim-major, so this is a transpose: done in tiles of rows so
    /// each column run is read sequentially and the rows being written stay in cache (a
    /// per-element gather was a third of a large file's open time).
    /// InvalidArgument: the range leaves the block or out is too small.
    constexpr Status copy_rows_raw(uint32_t first, uint32_t n, uint8_t *out, size_t out_len) const {
        const size_t row = static_cast<size_t>(info.dim) * elem_size;
        if (first > info.vector_count || n > info.vector_count - first || out_len / (row ? row : 1) < n ||
            (n > 0 && out == nullptr))
            return Status::InvalidArgument;
        if (info.row_major) { // already rows: one contiguous copy
            const uint8_t *src = vectors.data + static_cast<size_t>(first) * row;
            for (size_t i = 0; i < n * row; ++i)
                out[i] = src[i];
            return Status::Ok;
        }
        switch (elem_size) {
        case 4:
            transpose_tiles<4>(first, n, out);
            break;
        case 2:
            transpose_tiles<2>(first, n, out);
            break;
        case 1:
            transpose_tiles<1>(first, n, out);
            break;
        default:
            for (uint32_t v = 0; v < n; ++v)
                for (uint32_t d = 0; d < info.dim; ++d)
                    for (size_t b = 0; b < elem_size; ++b)
                        out[v * row + d * elem_size + b] = element_ptr(first + v, d)[b];
        }
        return Status::Ok;
    }

    /// Delta-coded ids as a view (meaningful only when id_encoding == 1).
    constexpr DeltaIdsView delta_ids() const {
        DeltaIdsView d;
        d.bytes = id_bytes;
        d.count = info.vector_count;
        d.restart_interval = restart_interval == 0 ? kDefaultRestartInterval : restart_interval;
        return d;
    }
    /// Id of vector i (0 if i ≥ count). Raw: O(1). Delta: walks from the start — for many
    /// lookups take delta_ids() and give it a restart table, or iterate its cursor().
  private:
    template <size_t E> constexpr void transpose_tiles(uint32_t first, uint32_t n, uint8_t *out) const {
        constexpr uint32_t kTile = 64;
        const size_t row = static_cast<size_t>(info.dim) * E;
        for (uint32_t t0 = 0; t0 < n; t0 += kTile) {
            const uint32_t tn = n - t0 < kTile ? n - t0 : kTile;
            for (uint32_t d = 0; d < info.dim; ++d) {
                const uint8_t *src = element_ptr(first + t0, d);
                uint8_t *dst = out + t0 * row + d * E;
                for (uint32_t v = 0; v < tn; ++v)
                    for (size_t b = 0; b < E; ++b)
                        dst[v * row + b] = src[v * E + b];
            }
        }
    }

  public:
    constexpr uint64_t id(uint32_t i) const {
        if (i >= info.vector_count)
            return 0;
        if (id_encoding == static_cast<uint8_t>(IdEncoding::Raw))
            return load_u64_le(id_bytes.data + static_cast<size_t>(i) * 8);
        return delta_ids().at(i);
    }
};

/// CRC-32C continuing from `crc` over p[0..n). The core's portable one is the default; hosted
/// callers pass a hardware-accelerated one (same results, ~7× faster on a large file's open).
using Crc32cUpdateFn = uint32_t (*)(uint32_t crc, const uint8_t *p, size_t n);

/// Decode and check one block against its directory entry. `verify_crc` false skips only the
/// CRC comparison (for re-opening a block already verified).
/// Errors: TruncatedSegment, AlignmentError (offset not 64-aligned, non-zero pad),
/// InvalidManifest (bad dtype/tier/dim/encoding/id_count/ids), InvalidChecksum (block CRC).
constexpr Status parse_vec_block(ByteView payload, const VecBlockInfo &info, VecBlockView &out,
                                 bool verify_crc = true, Crc32cUpdateFn crc = crc32c_update_portable) {
    if (!data_type_known(info.dtype) || !temperature_tier_known(info.tier) || info.dim == 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (!is_aligned(info.block_offset, kVecBlockAlign))
        return RVF_CORRUPT(Status::AlignmentError);
    const size_t elem = data_type_element_size(info.dtype);
    uint64_t vec_bytes = 0;
    if (mul_overflows(static_cast<uint64_t>(info.vector_count) * info.dim, elem, &vec_bytes))
        return RVF_CORRUPT(Status::TruncatedSegment);
    ByteReader r(payload);
    if (!r.seek(info.block_offset) || vec_bytes > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    VecBlockView b;
    b.info = info;
    b.elem_size = elem;
    b.vectors = r.bytes(static_cast<size_t>(vec_bytes));
    b.id_encoding = r.u8();
    b.restart_interval = r.u16();
    const uint32_t id_count = r.u32();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (id_count != info.vector_count)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (b.id_encoding == static_cast<uint8_t>(IdEncoding::Raw)) {
        const uint64_t n = static_cast<uint64_t>(id_count) * 8;
        if (n > r.remaining())
            return RVF_CORRUPT(Status::TruncatedSegment);
        b.id_bytes = r.bytes(static_cast<size_t>(n));
    } else if (b.id_encoding == static_cast<uint8_t>(IdEncoding::DeltaVarint)) {
        if (b.restart_interval == 0)
            return RVF_CORRUPT(Status::InvalidManifest);
        DeltaIdsView ids;
        size_t used = 0;
        RVF_TRY(DeltaIdsView::parse(payload.from(r.pos()), id_count, b.restart_interval, ids, used));
        b.id_bytes = ids.bytes;
        r.skip(used);
    } else {
        return RVF_CORRUPT(Status::InvalidManifest);
    }
    const size_t crc_pos = r.pos();
    b.stored_crc = r.u32();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (verify_crc && crc(0, payload.data + info.block_offset, crc_pos - info.block_offset) != b.stored_crc)
        return RVF_CORRUPT(Status::InvalidChecksum);
    const size_t pad = static_cast<size_t>(align_up(r.pos(), kVecBlockAlign)) - r.pos();
    if (!r.has(pad))
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (!r.skip_zero_pad(kVecBlockAlign))
        return RVF_CORRUPT(Status::AlignmentError);
    b.span = r.pos() - info.block_offset;
    out = b;
    return Status::Ok;
}

/// Validated view of a whole VEC_SEG payload.
struct VecSegView {
    ByteView payload;
    uint32_t block_count = 0;
    size_t directory_size = 0;

    /// Directory entry i (< block_count).
    constexpr VecBlockInfo block_info(uint32_t i) const {
        const uint8_t *p = payload.data + kVecDirHeaderSize + static_cast<size_t>(i) * kVecDirEntrySize;
        VecBlockInfo e;
        e.block_offset = load_u32_le(p + vec_dir_off::block_offset);
        e.vector_count = load_u32_le(p + vec_dir_off::vector_count);
        e.dim = load_u16_le(p + vec_dir_off::dim);
        e.dtype = p[vec_dir_off::dtype];
        e.tier = static_cast<uint8_t>(p[vec_dir_off::tier] & ~kVecTierRowMajor);
        e.row_major = (p[vec_dir_off::tier] & kVecTierRowMajor) != 0;
        return e;
    }
    /// Block i (< block_count) of a parsed view; CRC not re-checked. O(id bytes) for delta ids.
    constexpr Status block(uint32_t i, VecBlockView &out) const {
        if (i >= block_count)
            return Status::InvalidArgument;
        return parse_vec_block(payload, block_info(i), out, false);
    }
    constexpr uint64_t total_vectors() const {
        uint64_t n = 0;
        for (uint32_t i = 0; i < block_count; ++i)
            n += block_info(i).vector_count;
        return n;
    }

    /// Validate the directory and every block (CRC included, computed by `crc`). Errors as
    /// parse_vec_block, plus TruncatedSegment for a short directory and InvalidManifest for
    /// overlapping/descending blocks or a block inside the directory.
    static constexpr Status parse(ByteView payload, VecSegView &out, Crc32cUpdateFn crc = crc32c_update_portable) {
        ByteReader r(payload);
        const uint32_t n = r.u32();
        if (!r.ok() || n > (payload.size - kVecDirHeaderSize) / kVecDirEntrySize)
            return RVF_CORRUPT(Status::TruncatedSegment);
        const uint64_t dir = vec_directory_size(n);
        if (dir > payload.size)
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (!r.skip(static_cast<size_t>(n) * kVecDirEntrySize) || !r.skip_zero_pad(64))
            return RVF_CORRUPT(Status::AlignmentError);
        VecSegView v;
        v.payload = payload;
        v.block_count = n;
        v.directory_size = static_cast<size_t>(dir);
        uint64_t prev_end = dir;
        for (uint32_t i = 0; i < n; ++i) {
            const VecBlockInfo e = v.block_info(i);
            if (e.block_offset < prev_end)
                return RVF_CORRUPT(Status::InvalidManifest);
            VecBlockView b;
            RVF_TRY(parse_vec_block(payload, e, b, true, crc));
            prev_end = static_cast<uint64_t>(e.block_offset) + b.span;
        }
        out = v;
        return Status::Ok;
    }
};

// --- encoder ----------------------------------------------------------------------------------

/// One block to encode. Vectors are row-major (vector 0's dim values, then vector 1's, ...),
/// `rows` holding host values: float for f32, uint16_t bit patterns for f16/bf16, int8_t for
/// i8, uint8_t for u8 and every 1-byte type. Alternatively `rows_f32` (for dtype f32, f16, bf16)
/// supplies floats that the encoder narrows (round to nearest even).
struct VecBlockInput {
    const void *rows = nullptr;
    const float *rows_f32 = nullptr;
    const uint64_t *ids = nullptr; // count ids; non-decreasing when delta-coded
    uint32_t count = 0;
    uint16_t dim = 0;
    uint8_t dtype = static_cast<uint8_t>(DataType::F32);
    uint8_t tier = static_cast<uint8_t>(TemperatureTier::Hot);
    uint8_t id_encoding = static_cast<uint8_t>(IdEncoding::DeltaVarint);
    uint16_t restart_interval = static_cast<uint16_t>(kDefaultRestartInterval);
    bool row_major = false; // write the vectors row by row (tier byte | kVecTierRowMajor)
};

namespace detail {
struct CrcSink {
    ByteWriter &w;
    uint32_t crc = 0;
    constexpr bool put(const uint8_t *p, size_t n) {
        crc = crc32c_update_portable(crc, p, n);
        return w.bytes(p, n);
    }
};

/// Unpadded block length (vectors ‖ id map ‖ CRC) or an argument error.
inline Status vec_block_raw_size(const VecBlockInput &b, uint64_t &size) {
    if (!data_type_known(b.dtype) || !temperature_tier_known(b.tier) || b.dim == 0 || b.id_encoding > 1 ||
        (b.count > 0 && (b.ids == nullptr || (b.rows == nullptr && b.rows_f32 == nullptr))))
        return Status::InvalidArgument;
    if (b.rows_f32 != nullptr && b.dtype != static_cast<uint8_t>(DataType::F32) &&
        b.dtype != static_cast<uint8_t>(DataType::F16) && b.dtype != static_cast<uint8_t>(DataType::Bf16))
        return Status::InvalidArgument;
    uint64_t ids = 0;
    if (b.id_encoding == static_cast<uint8_t>(IdEncoding::Raw)) {
        ids = static_cast<uint64_t>(b.count) * 8;
    } else {
        size_t n = 0;
        RVF_TRY(delta_ids_encoded_size(b.ids, b.count, b.restart_interval, n));
        ids = n;
    }
    size = static_cast<uint64_t>(b.count) * b.dim * data_type_element_size(b.dtype) + kVecIdMapHeaderSize + ids + 4;
    return Status::Ok;
}

inline bool put_element(CrcSink &s, const VecBlockInput &b, size_t idx) {
    uint8_t e[4] = {};
    size_t n = 1;
    const auto t = static_cast<DataType>(b.dtype);
    if (b.rows_f32 != nullptr) {
        const float f = b.rows_f32[idx];
        if (t == DataType::F32) {
            store_f32_le(e, f);
            n = 4;
        } else {
            store_u16_le(e, t == DataType::F16 ? f32_to_f16(f) : f32_to_bf16(f));
            n = 2;
        }
    } else if (t == DataType::F32) {
        store_f32_le(e, static_cast<const float *>(b.rows)[idx]);
        n = 4;
    } else if (t == DataType::F16 || t == DataType::Bf16) {
        store_u16_le(e, static_cast<const uint16_t *>(b.rows)[idx]);
        n = 2;
    } else {
        e[0] = static_cast<const uint8_t *>(b.rows)[idx];
    }
    return s.put(e, n);
}
} // namespace detail

/// Size in bytes of the payload encode_vec_seg would write (InvalidArgument as it would).
inline Status vec_seg_encoded_size(const VecBlockInput *blocks, size_t n, uint64_t &size) {
    if (n > 0 && blocks == nullptr)
        return Status::InvalidArgument;
    uint64_t total = vec_directory_size(n);
    for (size_t i = 0; i < n; ++i) {
        uint64_t raw = 0;
        RVF_TRY(detail::vec_block_raw_size(blocks[i], raw));
        total += align_up(raw, kVecBlockAlign);
    }
    size = total;
    return Status::Ok;
}

/// Write a VEC_SEG payload with `n` blocks, laid out directory-then-blocks with no gaps.
/// A counting ByteWriter gives the size. Errors: InvalidArgument (see VecBlockInput, or n /
/// offsets beyond u32), OutOfMemory (writer too small).
inline Status encode_vec_seg(ByteWriter &w, const VecBlockInput *blocks, size_t n) {
    uint64_t total = 0;
    RVF_TRY(vec_seg_encoded_size(blocks, n, total));
    if (n > UINT32_MAX)
        return Status::InvalidArgument;
    for (uint64_t i = 0, at = vec_directory_size(n); i < n; ++i) { // every block_offset must fit u32
        uint64_t raw = 0;
        RVF_TRY(detail::vec_block_raw_size(blocks[i], raw));
        if (at > UINT32_MAX)
            return Status::InvalidArgument;
        at += align_up(raw, kVecBlockAlign);
    }
    const size_t base = w.pos();
    w.u32(static_cast<uint32_t>(n));
    uint64_t off = vec_directory_size(n);
    for (size_t i = 0; i < n; ++i) {
        const VecBlockInput &b = blocks[i];
        uint64_t raw = 0;
        RVF_TRY(detail::vec_block_raw_size(b, raw));
        w.u32(static_cast<uint32_t>(off));
        w.u32(b.count);
        w.u16(b.dim);
        w.u8(b.dtype);
        w.u8(static_cast<uint8_t>(b.tier | (b.row_major ? kVecTierRowMajor : 0)));
        off += align_up(raw, kVecBlockAlign);
    }
    w.zeros(static_cast<size_t>(vec_directory_size(n)) - (w.pos() - base));
    for (size_t i = 0; i < n; ++i) {
        const VecBlockInput &b = blocks[i];
        const size_t start = w.pos();
        detail::CrcSink s{w};
        if (b.row_major)
            for (size_t e = 0; e < static_cast<size_t>(b.count) * b.dim; ++e)
                detail::put_element(s, b, e);
        else
            for (uint32_t d = 0; d < b.dim; ++d)
                for (uint32_t v = 0; v < b.count; ++v)
                    detail::put_element(s, b, static_cast<size_t>(v) * b.dim + d);
        uint8_t hdr[kVecIdMapHeaderSize] = {b.id_encoding};
        store_u16_le(hdr + 1, b.restart_interval);
        store_u32_le(hdr + 3, b.count);
        s.put(hdr, sizeof hdr);
        uint64_t prev = 0;
        for (uint32_t k = 0; k < b.count; ++k) {
            uint8_t buf[10] = {};
            ByteWriter one(MutByteView(buf, sizeof buf));
            if (b.id_encoding == static_cast<uint8_t>(IdEncoding::Raw))
                one.u64(b.ids[k]);
            else
                one.varint(k % b.restart_interval == 0 ? b.ids[k] : b.ids[k] - prev);
            prev = b.ids[k];
            s.put(buf, one.pos());
        }
        w.u32(s.crc);
        const size_t raw = w.pos() - start;
        w.zeros(static_cast<size_t>(align_up(raw, kVecBlockAlign)) - raw);
    }
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

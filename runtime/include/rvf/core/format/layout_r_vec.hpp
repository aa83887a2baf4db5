// rvf/core/format/layout_r_vec.hpp — VEC payload (seg type 0x01), Layout R (spec §3.4).
//
//  off        size         type        field
//  0           2           u16         dim
//  2           4           u32         count
//  6        count·(8+4·dim) record[]   per vector: u64 id | dim × f32 (row-major, unaligned)
//
// Payload length is exactly 6 + count·(8 + 4·dim). One segment per accepted ingest batch; ids
// are stored as given (duplicates possible — a later record wins on load). Only f32 exists.
// The upstream WASM build writes the same records behind a swapped header (u16 count | u32 dim,
// spec §7.4); decode_upstream_wasm_vec() in upstream_wasm_export.hpp fills the same view.
// Little-endian. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"  // ByteView, ByteReader, ByteWriter, overflow helpers
#include "../status.hpp" // Status, RVF_CORRUPT

namespace rvf::core {

inline constexpr size_t kLayoutRVecHeaderSize = 6;

/// Bytes of one record (u64 id + dim f32).
constexpr uint64_t layout_r_vec_record_size(uint32_t dim) { return 8 + 4 * static_cast<uint64_t>(dim); }

/// 6 + count·(8+4·dim), overflow-checked. False if it does not fit in u64.
constexpr bool layout_r_vec_payload_size(uint32_t dim, uint64_t count, uint64_t *out) {
    uint64_t body = 0;
    if (mul_overflows(count, layout_r_vec_record_size(dim), &body))
        return false;
    return !add_overflows(body, kLayoutRVecHeaderSize, out);
}

/// Validated view of the records. Accessors take i < count (callers check).
struct LayoutRVecView {
    uint32_t dim = 0;
    uint32_t count = 0;
    ByteView records{}; // count × record_size bytes

    constexpr size_t record_size() const { return static_cast<size_t>(layout_r_vec_record_size(dim)); }
    constexpr uint64_t id(uint32_t i) const { return load_u64_le(records.data + static_cast<size_t>(i) * record_size()); }
    /// The dim·4 little-endian f32 bytes of vector i.
    constexpr ByteView vector_bytes(uint32_t i) const {
        return ByteView(records.data + static_cast<size_t>(i) * record_size() + 8, static_cast<size_t>(dim) * 4);
    }
    inline float value(uint32_t i, uint32_t d) const { return load_f32_le(vector_bytes(i).data + static_cast<size_t>(d) * 4); }
    /// Copy vector i into out[0..dim).
    inline void copy_vector(uint32_t i, float *out) const {
        const uint8_t *p = vector_bytes(i).data;
        for (uint32_t d = 0; d < dim; ++d)
            out[d] = load_f32_le(p + static_cast<size_t>(d) * 4);
    }
};

namespace detail {
/// Shared by both header orders: check the record area has exactly count records of `dim`.
constexpr Status lrv_bind_records(ByteReader &r, uint32_t dim, uint32_t count, LayoutRVecView &out) {
    uint64_t body = 0;
    if (mul_overflows(count, layout_r_vec_record_size(dim), &body) || body > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (body != r.remaining())
        return RVF_CORRUPT(Status::InvalidManifest); // bytes after the last record
    out.dim = dim;
    out.count = count;
    out.records = r.bytes(static_cast<size_t>(body));
    return Status::Ok;
}
} // namespace detail

/// Decode `u16 dim | u32 count | records`.
/// Returns Ok; TruncatedSegment if the payload is shorter than 6 B or than the records it
/// declares; InvalidManifest if bytes follow the last record. A dim of 0 is structurally fine
/// (8-byte records); matching dim against the manifest is the caller's job.
constexpr Status decode_layout_r_vec(ByteView payload, LayoutRVecView &out) {
    out = LayoutRVecView{};
    ByteReader r(payload);
    const uint16_t dim = r.u16();
    const uint32_t count = r.u32();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    return detail::lrv_bind_records(r, dim, count, out);
}

/// Write `u16 dim | u32 count | records` from ids[count] and row-major vectors[count·dim].
/// Returns Ok, or InvalidArgument (null arrays with count > 0, writer out of room).
inline Status encode_layout_r_vec(ByteWriter &w, uint16_t dim, const uint64_t *ids, const float *vectors,
                                  uint32_t count) {
    if (count && (!ids || (dim && !vectors)))
        return Status::InvalidArgument;
    w.u16(dim);
    w.u32(count);
    for (uint32_t i = 0; i < count && w.ok(); ++i) {
        w.u64(ids[i]);
        const float *v = vectors + static_cast<size_t>(i) * dim;
        for (uint32_t d = 0; d < dim; ++d)
            w.f32(v[d]);
    }
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// Re-encode a decoded view (record bytes copied verbatim, so NaN payloads survive).
constexpr Status encode_layout_r_vec(ByteWriter &w, const LayoutRVecView &v) {
    uint64_t body = 0;
    if (v.dim > 0xFFFF || mul_overflows(v.count, layout_r_vec_record_size(v.dim), &body) || body != v.records.size)
        return Status::InvalidArgument;
    w.u16(static_cast<uint16_t>(v.dim));
    w.u32(v.count);
    w.bytes(v.records);
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

} // namespace rvf::core

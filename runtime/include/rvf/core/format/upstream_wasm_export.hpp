// rvf/core/format/upstream_wasm_export.hpp — the incompatible file form written by upstream's
// WASM build (@ruvector/rvf-wasm 0.1.9 `rvf_store_export`, spec §7.4 and §12 row 25).
//
// Packed 64-B segment headers like Layout R, but every content hash is zero and the payloads
// differ:
//   VEC (0x01):       u16 count | u32 dim | count × (u64 id | dim × f32)   ← header fields swapped
//   MANIFEST (0x05):  off 0 u32 epoch | 4 u16 dim | 6 u64 total | 14 u8 profile | 15 u32 seg_count |
//                     19 seg_count × 25-B entries (same entry layout as Layout R)
//                     — no metric, no reserved, no deletion list, no FIDI; length 19 + 25·n.
// Our decision: readers DETECT this form and report Status::UnsupportedLayout (upstream's native
// reader says ManifestNotFound, which hides the cause). The decoders below exist so an import
// tool can still recover the vectors. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"          // ByteView, ByteReader
#include "../status.hpp"         // Status, RVF_CORRUPT
#include "layout_r_manifest.hpp" // LayoutRDirEntry, decode_layout_r_manifest (to rule Layout R out)
#include "layout_r_vec.hpp"      // LayoutRVecView (same record layout)
#include "segment_header.hpp"    // decode_segment_header, SegType

namespace rvf::core {

inline constexpr size_t kUpstreamWasmManifestHeaderSize = 19;

/// Text hosted layers attach to Status::UnsupportedLayout for such files.
inline constexpr const char *kUpstreamWasmExportMessage =
    "file was written by the upstream WASM build (rvf-wasm rvf_store_export): its VEC header is "
    "swapped and its manifest has no metric, deletion list or identity; it is not a Layout R file";

struct UpstreamWasmManifestView {
    uint32_t epoch = 0;
    uint16_t dimension = 0;
    uint64_t total_vectors = 0;
    uint8_t profile_id = 0;
    uint32_t seg_count = 0;
    ByteView directory{}; // seg_count × 25 bytes

    constexpr LayoutRDirEntry entry(uint32_t i) const {
        const uint8_t *p = directory.data + static_cast<size_t>(i) * kLayoutRDirEntrySize;
        LayoutRDirEntry e;
        e.seg_id = load_u64_le(p);
        e.file_offset = load_u64_le(p + 8);
        e.payload_length = load_u64_le(p + 16);
        e.seg_type = p[24];
        return e;
    }
};

/// Decode the WASM manifest form. Ok; TruncatedSegment (short header or directory);
/// InvalidManifest (bytes after the directory).
constexpr Status decode_upstream_wasm_manifest(ByteView payload, UpstreamWasmManifestView &out) {
    out = UpstreamWasmManifestView{};
    ByteReader r(payload);
    out.epoch = r.u32();
    out.dimension = r.u16();
    out.total_vectors = r.u64();
    out.profile_id = r.u8();
    out.seg_count = r.u32();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    uint64_t dir = 0;
    if (mul_overflows(out.seg_count, kLayoutRDirEntrySize, &dir) || dir > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (dir != r.remaining())
        return RVF_CORRUPT(Status::InvalidManifest);
    out.directory = r.bytes(static_cast<size_t>(dir));
    return Status::Ok;
}

/// Decode the WASM VEC form (`u16 count | u32 dim`) into the common record view.
/// Same statuses as decode_layout_r_vec().
constexpr Status decode_upstream_wasm_vec(ByteView payload, LayoutRVecView &out) {
    out = LayoutRVecView{};
    ByteReader r(payload);
    const uint16_t count = r.u16();
    const uint32_t dim = r.u32();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    return detail::lrv_bind_records(r, dim, count, out);
}

/// True if `file` (the whole file) is a WASM export: packed segments that tile the file
/// exactly, all content hashes zero, the last segment a MANIFEST that is NOT a Layout R manifest
/// but is a WASM-form manifest whose every entry names a segment header at that offset with
/// that type and length, and every listed VEC decodes with the swapped header.
constexpr bool looks_like_upstream_wasm_export(ByteView file) {
    uint64_t off = 0, last = UINT64_MAX;
    if (file.size < kSegmentHeaderSize)
        return false;
    while (off < file.size) {
        SegmentHeader h;
        if (decode_segment_header(file.from(static_cast<size_t>(off)), off, file.size, h) != Status::Ok)
            return false;
        for (int i = 0; i < 16; ++i)
            if (h.content_hash[i] != 0)
                return false;
        if (h.alignment_pad != 0)
            return false;
        last = off;
        off += kSegmentHeaderSize + h.payload_length; // in the file: checked by decode_segment_header
    }
    SegmentHeader mh;
    decode_segment_header_raw(file.from(static_cast<size_t>(last)), mh);
    if (mh.seg_type != static_cast<uint8_t>(SegType::Manifest))
        return false;
    const ByteView payload = file.sub(static_cast<size_t>(last) + kSegmentHeaderSize, static_cast<size_t>(mh.payload_length));
    LayoutRManifestView as_r;
    if (decode_layout_r_manifest(payload, as_r) == Status::Ok)
        return false;
    UpstreamWasmManifestView m;
    if (decode_upstream_wasm_manifest(payload, m) != Status::Ok)
        return false;
    for (uint32_t i = 0; i < m.seg_count; ++i) {
        const LayoutRDirEntry e = m.entry(i);
        SegmentHeader h;
        if (e.file_offset > file.size || file.size - e.file_offset < kSegmentHeaderSize)
            return false;
        if (decode_segment_header(file.from(static_cast<size_t>(e.file_offset)), e.file_offset, file.size, h) !=
            Status::Ok)
            return false;
        if (h.seg_type != e.seg_type || h.payload_length != e.payload_length)
            return false;
        if (e.seg_type == static_cast<uint8_t>(SegType::Vec)) {
            LayoutRVecView v;
            const ByteView vp = file.sub(static_cast<size_t>(e.file_offset) + kSegmentHeaderSize,
                                         static_cast<size_t>(e.payload_length));
            if (decode_upstream_wasm_vec(vp, v) != Status::Ok || v.dim != m.dimension)
                return false;
        }
    }
    return true;
}

/// UnsupportedLayout (pair it with kUpstreamWasmExportMessage) for a WASM export, else Ok.
constexpr Status check_not_upstream_wasm_export(ByteView file) {
    return looks_like_upstream_wasm_export(file) ? Status::UnsupportedLayout : Status::Ok;
}

} // namespace rvf::core

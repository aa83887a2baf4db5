// rvf/core/format/layout_r_manifest.hpp — MANIFEST payload (seg type 0x05), Layout R (spec §3.3).
//
//  off     size   type        field
//  0        4     u32         epoch
//  4        2     u16         dimension
//  6        8     u64         total_vectors     includes soft-deleted vectors
//  14       4     u32         seg_count         directory entries that follow
//  18       1     u8          profile_id        hardware profile 0..3
//  19       1     u8          metric            0 L2, 1 inner product, 2 cosine (npm 0.2.2+)
//  20       2     u16         reserved          0
//  22      25·n   entry[n]    directory: u64 seg_id | u64 file_offset | u64 payload_length | u8 seg_type
//  D        4     u32         deleted_count
//  D+4     8·d    u64[d]      deleted ids (ascending as written by upstream)
//  E        4     u32         0x46494449 "FIDI"   ┐ optional as a block: present when the file
//  E+4     68     FileIdentity (file_identity.hpp)┘ has an identity (always, for create/derive)
//  E+72     4     u32         0x5256474E "RVGN"   ┐ optional, only after FIDI
//  E+76     4     u32         cow_map_generation  │ (newest upstream reader)
//  E+80     4     u32         membership_generation┘
// Everything packed and unaligned, little-endian. Sizes: empty store 98 B, +25 per entry, +8 per
// deleted id.
//
// Strictness follows the newest upstream reader: the deletion list must be complete, and the
// payload must end exactly after the deletion list, after FIDI, or after RVGN. Directory entry
// contents (types, offsets inside the file) are not judged here — that needs the file size and
// is the caller's job. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"        // ByteView, ByteReader, ByteWriter, mul_overflows
#include "../status.hpp"       // Status, RVF_CORRUPT
#include "file_identity.hpp"   // FileIdentity, the FIDI body

namespace rvf::core {

inline constexpr uint32_t kFidiMagic = 0x46494449; // "FIDI", bytes on disk 49 44 49 46
inline constexpr uint32_t kRvgnMagic = 0x5256474E; // "RVGN", bytes on disk 4E 47 56 52
inline constexpr size_t kLayoutRManifestHeaderSize = 22;
inline constexpr size_t kLayoutRDirEntrySize = 25;
inline constexpr size_t kFidiTrailerSize = 4 + kFileIdentitySize; // 72
inline constexpr size_t kRvgnTrailerSize = 12;

/// Distance metric byte (§3.3 offset 19).
enum class LayoutRMetric : uint8_t { L2 = 0, InnerProduct = 1, Cosine = 2 };
constexpr bool layout_r_metric_known(uint8_t m) { return m <= 2; }
/// Names as the N-API binding spells them; nullptr for unknown codes.
constexpr const char *layout_r_metric_name(uint8_t m) {
    return m == 0 ? "l2" : m == 1 ? "inner_product" : m == 2 ? "cosine" : nullptr;
}

struct LayoutRManifestHeader {
    uint32_t epoch = 0;
    uint16_t dimension = 0;
    uint64_t total_vectors = 0;
    uint32_t seg_count = 0;
    uint8_t profile_id = 0;
    uint8_t metric = 0;
    uint16_t reserved = 0;
};

namespace layout_r_manifest_off {
inline constexpr size_t epoch = 0, dimension = 4, total_vectors = 6, seg_count = 14, profile_id = 18, metric = 19,
                        reserved = 20;
static_assert(reserved + 2 == kLayoutRManifestHeaderSize, "Layout R manifest header is 22 bytes");
} // namespace layout_r_manifest_off

/// One 25-byte directory entry.
struct LayoutRDirEntry {
    uint64_t seg_id = 0;
    uint64_t file_offset = 0; // of the segment header
    uint64_t payload_length = 0;
    uint8_t seg_type = 0;
};
static_assert(8 + 8 + 8 + 1 == kLayoutRDirEntrySize, "directory entry is 25 bytes");

/// Optional COW generation trailer.
struct RvgnTrailer {
    uint32_t cow_map_generation = 0;
    uint32_t membership_generation = 0;
};
static_assert(4 + 4 + 4 == kRvgnTrailerSize, "RVGN trailer is 12 bytes");

/// Validated, zero-copy view of a Layout R manifest payload. Valid as long as the payload bytes.
struct LayoutRManifestView {
    LayoutRManifestHeader header{};
    ByteView directory{};         // header.seg_count × 25 bytes
    uint32_t deleted_count = 0;
    ByteView deleted{};           // deleted_count × 8 bytes
    bool deleted_ascending = true; // strictly ascending, so is_deleted() may binary-search
    bool has_identity = false;
    FileIdentity identity{};
    bool has_rvgn = false;
    RvgnTrailer rvgn{};

    constexpr uint32_t entry_count() const { return header.seg_count; }
    /// Entry i < entry_count() (not checked: the view was validated; callers check i).
    constexpr LayoutRDirEntry entry(uint32_t i) const {
        const uint8_t *p = directory.data + static_cast<size_t>(i) * kLayoutRDirEntrySize;
        LayoutRDirEntry e;
        e.seg_id = load_u64_le(p);
        e.file_offset = load_u64_le(p + 8);
        e.payload_length = load_u64_le(p + 16);
        e.seg_type = p[24];
        return e;
    }
    /// Deleted id i < deleted_count (callers check i).
    constexpr uint64_t deleted_id(uint32_t i) const { return load_u64_le(deleted.data + static_cast<size_t>(i) * 8); }
    /// True if `id` is in the deletion list. O(log d) when the list is ascending, else O(d).
    constexpr bool is_deleted(uint64_t id) const {
        if (!deleted_ascending) {
            for (uint32_t i = 0; i < deleted_count; ++i)
                if (deleted_id(i) == id)
                    return true;
            return false;
        }
        uint32_t lo = 0, hi = deleted_count;
        while (lo < hi) {
            const uint32_t mid = lo + (hi - lo) / 2;
            const uint64_t v = deleted_id(mid);
            if (v == id)
                return true;
            if (v < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        return false;
    }
};

namespace detail {
/// True if the first n (< 4) bytes at p are the start of `magic` as stored little-endian, so a
/// cut-off marker reads as truncation rather than garbage.
constexpr bool lrm_magic_prefix(const uint8_t *p, size_t n, uint32_t magic) {
    for (size_t i = 0; i < n && i < 4; ++i)
        if (p[i] != static_cast<uint8_t>(magic >> (8 * i)))
            return false;
    return true;
}
} // namespace detail

/// Decode and validate a Layout R manifest payload.
/// Returns Ok, or:
///  * TruncatedSegment — payload shorter than 22 B, directory or deletion list cut short
///    (seg_count·25 / deleted_count·8 beyond the payload), or a FIDI/RVGN trailer cut short;
///  * InvalidMagic — bytes after the deletion list (or after FIDI) are not "FIDI" ("RVGN");
///  * InvalidManifest — bytes left over after the last trailer.
/// On error `out` is unspecified.
constexpr Status decode_layout_r_manifest(ByteView payload, LayoutRManifestView &out) {
    out = LayoutRManifestView{};
    if (payload.size < kLayoutRManifestHeaderSize)
        return RVF_CORRUPT(Status::TruncatedSegment);
    ByteReader r(payload);
    LayoutRManifestHeader &h = out.header;
    h.epoch = r.u32();
    h.dimension = r.u16();
    h.total_vectors = r.u64();
    h.seg_count = r.u32();
    h.profile_id = r.u8();
    h.metric = r.u8();
    h.reserved = r.u16();

    uint64_t dir_bytes = 0;
    if (mul_overflows(h.seg_count, kLayoutRDirEntrySize, &dir_bytes) || dir_bytes > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    out.directory = r.bytes(static_cast<size_t>(dir_bytes));

    out.deleted_count = r.u32();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    uint64_t del_bytes = 0;
    if (mul_overflows(out.deleted_count, 8, &del_bytes) || del_bytes > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment); // 0.2.2 stops early; newest rejects
    out.deleted = r.bytes(static_cast<size_t>(del_bytes));
    for (uint32_t i = 1; i < out.deleted_count; ++i)
        if (out.deleted_id(i) <= out.deleted_id(i - 1)) {
            out.deleted_ascending = false;
            break;
        }

    // Trailers: nothing, FIDI, or FIDI + RVGN, ending exactly at the payload end.
    size_t rem = r.remaining();
    if (rem == 0)
        return Status::Ok;
    const uint8_t *p = payload.data + r.pos();
    if (rem < kFidiTrailerSize)
        return detail::lrm_magic_prefix(p, rem, kFidiMagic) ? RVF_CORRUPT(Status::TruncatedSegment)
                                                             : RVF_CORRUPT(Status::InvalidMagic);
    if (r.u32() != kFidiMagic)
        return RVF_CORRUPT(Status::InvalidMagic);
    RVF_TRY(decode_file_identity(r, out.identity));
    out.has_identity = true;

    rem = r.remaining();
    if (rem == 0)
        return Status::Ok;
    p = payload.data + r.pos();
    if (rem < kRvgnTrailerSize)
        return detail::lrm_magic_prefix(p, rem, kRvgnMagic) ? RVF_CORRUPT(Status::TruncatedSegment)
                                                             : RVF_CORRUPT(Status::InvalidMagic);
    if (r.u32() != kRvgnMagic)
        return RVF_CORRUPT(Status::InvalidMagic);
    out.rvgn.cow_map_generation = r.u32();
    out.rvgn.membership_generation = r.u32();
    out.has_rvgn = true;
    if (!r.at_end())
        return RVF_CORRUPT(Status::InvalidManifest);
    return Status::Ok;
}

/// Payload size for the given counts (u64; cannot overflow for u32 counts).
constexpr uint64_t layout_r_manifest_size(uint32_t entry_count, uint32_t deleted_count, bool identity, bool rvgn) {
    return kLayoutRManifestHeaderSize + static_cast<uint64_t>(entry_count) * kLayoutRDirEntrySize + 4 +
           static_cast<uint64_t>(deleted_count) * 8 + (identity ? kFidiTrailerSize : 0) +
           (rvgn ? kRvgnTrailerSize : 0);
}

/// Write a Layout R manifest payload. seg_count on disk is `entry_count` (header.seg_count is
/// ignored); deleted ids are written in the given order (upstream writes them ascending).
/// `identity` null = no FIDI trailer (upstream omits it only for an all-zero file_id);
/// `rvgn` non-null appends the RVGN trailer and requires `identity`.
/// Returns Ok, or InvalidArgument (null arrays with non-zero counts, RVGN without FIDI, or the
/// writer ran out of room).
constexpr Status encode_layout_r_manifest(ByteWriter &w, const LayoutRManifestHeader &header,
                                          const LayoutRDirEntry *entries, uint32_t entry_count,
                                          const uint64_t *deleted, uint32_t deleted_count,
                                          const FileIdentity *identity, const RvgnTrailer *rvgn) {
    if ((entry_count && !entries) || (deleted_count && !deleted) || (rvgn && !identity))
        return Status::InvalidArgument;
    w.u32(header.epoch);
    w.u16(header.dimension);
    w.u64(header.total_vectors);
    w.u32(entry_count);
    w.u8(header.profile_id);
    w.u8(header.metric);
    w.u16(header.reserved);
    for (uint32_t i = 0; i < entry_count; ++i) {
        w.u64(entries[i].seg_id);
        w.u64(entries[i].file_offset);
        w.u64(entries[i].payload_length);
        w.u8(entries[i].seg_type);
    }
    w.u32(deleted_count);
    for (uint32_t i = 0; i < deleted_count; ++i)
        w.u64(deleted[i]);
    if (identity) {
        w.u32(kFidiMagic);
        encode_file_identity(w, *identity);
    }
    if (rvgn) {
        w.u32(kRvgnMagic);
        w.u32(rvgn->cow_map_generation);
        w.u32(rvgn->membership_generation);
    }
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// Re-encode a decoded view (round trip; reproduces the original payload bytes exactly).
constexpr Status encode_layout_r_manifest(ByteWriter &w, const LayoutRManifestView &v) {
    if (v.directory.size != static_cast<uint64_t>(v.header.seg_count) * kLayoutRDirEntrySize ||
        v.deleted.size != static_cast<uint64_t>(v.deleted_count) * 8 || (v.has_rvgn && !v.has_identity))
        return Status::InvalidArgument;
    w.u32(v.header.epoch);
    w.u16(v.header.dimension);
    w.u64(v.header.total_vectors);
    w.u32(v.header.seg_count);
    w.u8(v.header.profile_id);
    w.u8(v.header.metric);
    w.u16(v.header.reserved);
    w.bytes(v.directory);
    w.u32(v.deleted_count);
    w.bytes(v.deleted);
    if (v.has_identity) {
        w.u32(kFidiMagic);
        encode_file_identity(w, v.identity);
    }
    if (v.has_rvgn) {
        w.u32(kRvgnMagic);
        w.u32(v.rvgn.cow_map_generation);
        w.u32(v.rvgn.membership_generation);
    }
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

} // namespace rvf::core

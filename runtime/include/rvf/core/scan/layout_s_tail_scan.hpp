// rvf/core/scan/layout_s_tail_scan.hpp — find Layout S MANIFEST_SEG candidates (spec §4.3).
//
// Fast path: the root of the latest manifest ends the file, so the 4 bytes 4096 before the root
// end read "RVM0"; walk back from there in 64-byte steps (at most 64 KiB) for the manifest
// header whose payload ends exactly at the root end. Our writer pads every segment to 64 bytes
// (§2.5), so the root may end up to 63 zero bytes before EOF (§14 item 4): both "root ends at
// EOF" (alignment_pad 0) and "root ends at EOF - pad" (payload end + alignment_pad == EOF) are
// accepted.
// Slow path: every 64-aligned file offset from the last possible header down to 0; the first
// manifest candidate wins. Handles torn tails and garbage appended after the last segment.
//
// A candidate is a header that decodes and validates (magic, version 1, reserved fields, ...),
// has seg_type 0x05, a payload of at least 4096 bytes, fits in the file, and (when those bytes
// are in the window) has "RVM0" where its root must start. That is a little stricter than
// upstream's scan (magic/version/type only), which only saves the caller a failed parse. The
// root CRC and the content hash are NOT checked here: the caller validates the candidate
// (hash + parse_layout_s_manifest) and, if it fails, asks for the candidate before it with
// find_layout_s_manifest_before(). Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"                 // ByteView, LE loads, align helpers
#include "../format/manifest_l0.hpp"    // kRootManifestMagic, kRootManifestSize
#include "../format/segment_header.hpp" // SegmentHeader, decode_segment_header
#include "../status.hpp"                // Status

namespace rvf::core {

inline constexpr uint64_t kTailScanFastPathSpan = 64 * 1024; // spec §4.3: at most 64 KiB back

/// The bytes the scan may look at: `bytes` holds file bytes [offset, offset + bytes.size) of a
/// file of `file_size` bytes. The whole file (offset 0) makes the slow path complete; a tail
/// window makes it cover only the window (see ManifestCandidate::scanned_down_to).
struct TailScanWindow {
    ByteView bytes;
    uint64_t offset = 0;
    uint64_t file_size = 0;
};

struct ManifestCandidate {
    uint64_t header_offset = 0; // file offset of the 64-byte header
    SegmentHeader header;
    uint64_t payload_offset = 0; // header_offset + 64
    uint64_t root_offset = 0;    // payload end - 4096
    bool fast_path = false;
    /// Lowest header offset examined. On ManifestNotFound with a non-zero value the window did
    /// not reach the file start: a caller may widen it below this offset and retry.
    uint64_t scanned_down_to = 0;
};

namespace detail {

/// Bytes [at, at+n) of the file, or an empty view when they are not all in the window.
constexpr ByteView window_bytes(const TailScanWindow &w, uint64_t at, uint64_t n) {
    if (at < w.offset)
        return {};
    const uint64_t rel = at - w.offset;
    if (rel > w.bytes.size || n > w.bytes.size - rel)
        return {};
    return w.bytes.sub(static_cast<size_t>(rel), static_cast<size_t>(n));
}

/// Is there a manifest candidate header at file offset h? (See the header comment.) Fills the
/// position fields of `c` only when there is.
constexpr bool manifest_candidate_at(const TailScanWindow &w, uint64_t h, ManifestCandidate &c) {
    const ByteView hb = window_bytes(w, h, kSegmentHeaderSize);
    if (hb.size != kSegmentHeaderSize || load_u32_le(hb.data) != kSegmentMagic ||
        hb.data[seg_off::seg_type] != static_cast<uint8_t>(SegType::Manifest))
        return false;
    SegmentHeader sh;
    if (!is_ok(decode_segment_header(hb, h, w.file_size, sh)) || sh.payload_length < kRootManifestSize)
        return false;
    const uint64_t payload_end = h + kSegmentHeaderSize + sh.payload_length; // checked by decode
    const uint64_t root_at = payload_end - kRootManifestSize;
    const ByteView magic = window_bytes(w, root_at, 4);
    if (magic.size == 4 && load_u32_le(magic.data) != kRootManifestMagic)
        return false;
    c.header_offset = h;
    c.header = sh;
    c.payload_offset = h + kSegmentHeaderSize;
    c.root_offset = root_at;
    return true;
}

/// Lowest 64-aligned file offset whose header bytes could lie in the window.
constexpr uint64_t window_floor(const TailScanWindow &w) { return align_up(w.offset, kSegmentAlignment); }

/// Slow path over aligned offsets h < before (and h <= file_size - 64), downwards.
constexpr Status slow_scan(const TailScanWindow &w, uint64_t before, ManifestCandidate &c) {
    const uint64_t floor = window_floor(w);
    c.scanned_down_to = floor;
    if (w.file_size < kSegmentHeaderSize || before == 0)
        return RVF_CORRUPT(Status::ManifestNotFound);
    uint64_t h = w.file_size - kSegmentHeaderSize;
    if (h > before - 1)
        h = before - 1;
    h &= ~(kSegmentAlignment - 1);
    for (;;) {
        if (h < floor)
            break;
        if (manifest_candidate_at(w, h, c)) {
            c.fast_path = false;
            return Status::Ok;
        }
        if (h < kSegmentAlignment)
            break;
        h -= kSegmentAlignment;
    }
    return RVF_CORRUPT(Status::ManifestNotFound);
}

/// Fast path for a root ending at `root_end` (EOF minus `pad` zero bytes).
constexpr bool fast_scan_at(const TailScanWindow &w, uint64_t root_end, ManifestCandidate &c) {
    if (root_end < kRootManifestSize + kSegmentHeaderSize)
        return false;
    const uint64_t root_at = root_end - kRootManifestSize;
    const ByteView magic = window_bytes(w, root_at, 4);
    if (magic.size != 4 || load_u32_le(magic.data) != kRootManifestMagic)
        return false;
    const uint64_t start = root_at & ~(kSegmentAlignment - 1);
    const uint64_t floor = window_floor(w);
    for (uint64_t back = 0; back <= kTailScanFastPathSpan && back <= start; back += kSegmentAlignment) {
        const uint64_t h = start - back;
        if (h < floor)
            break;
        ManifestCandidate m;
        if (manifest_candidate_at(w, h, m) && m.root_offset == root_at &&
            root_end + m.header.alignment_pad == w.file_size) {
            c = m;
            c.fast_path = true;
            return true;
        }
    }
    return false;
}

} // namespace detail

/// Latest manifest candidate: fast path, then slow path.
/// Errors: TruncatedSegment when the file is shorter than one header, InvalidArgument when the
/// window does not lie inside the file, ManifestNotFound when no candidate is in the window.
constexpr Status find_latest_layout_s_manifest(const TailScanWindow &w, ManifestCandidate &c) {
    c = ManifestCandidate{};
    if (w.offset > w.file_size || w.bytes.size > w.file_size - w.offset)
        return Status::InvalidArgument;
    if (w.file_size < kSegmentHeaderSize)
        return RVF_CORRUPT(Status::TruncatedSegment);
    // Root end = EOF - pad, pad 0..63, where the pad bytes are zero and in the window.
    for (uint64_t pad = 0; pad < kSegmentAlignment && pad <= w.file_size; ++pad) {
        if (pad > 0) {
            const ByteView z = detail::window_bytes(w, w.file_size - pad, 1);
            if (z.size != 1 || z.data[0] != 0)
                break; // the zero run before EOF ends here; longer pads cannot be ours
        }
        if (detail::fast_scan_at(w, w.file_size - pad, c)) {
            c.scanned_down_to = c.header_offset;
            return Status::Ok;
        }
    }
    return detail::slow_scan(w, w.file_size, c);
}

/// The next candidate strictly below file offset `before` (slow path), for falling back when
/// the candidate at `before` failed validation. Errors as find_latest_layout_s_manifest.
constexpr Status find_layout_s_manifest_before(const TailScanWindow &w, uint64_t before, ManifestCandidate &c) {
    c = ManifestCandidate{};
    if (w.offset > w.file_size || w.bytes.size > w.file_size - w.offset)
        return Status::InvalidArgument;
    if (w.file_size < kSegmentHeaderSize)
        return RVF_CORRUPT(Status::TruncatedSegment);
    return detail::slow_scan(w, before, c);
}

} // namespace rvf::core

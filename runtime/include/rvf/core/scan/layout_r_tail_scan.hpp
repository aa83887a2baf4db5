// rvf/core/scan/layout_r_tail_scan.hpp — find the latest MANIFEST of a Layout R file by scanning
// backwards from the end (spec §3.6).
//
// Upstream's runtime reads the last W bytes and tests EVERY byte position i from W−64 down to 0
// (not 64-B steps: Layout R segments are packed): a candidate has bytes 53 46 56 52 ("SFVR")
// at i and seg_type 0x05 at i+5. It is skipped when payload_length > 256 MiB or the payload
// runs past EOF (torn write), or when the payload does not parse as a Layout R manifest
// (layout_r_manifest.hpp, newest-reader rules). 0.2.2 stops at the first success; the newest
// reader also checks header canonicality and the content hash and falls back to an earlier
// candidate when they fail — hashing is a hosted concern, so this scan returns one candidate
// at a time and the caller asks again "before" it:
//
//   uint64_t before = UINT64_MAX;
//   for (int step = 0;; ++step) {                      // widen: 64 KiB, 1 MiB, 16 MiB, file
//       const uint64_t w = tail_scan_window(step, size); ByteView win = read_tail(w);
//       TailScanCandidate c;
//       while (find_previous_manifest(win, size - w, size, before, c) == Status::Ok) {
//           if (hash_ok(c)) return c;                   // trust it
//           before = c.offset;                          // else try an earlier one
//       }
//       if (w == size) return ManifestNotFound;
//       before = min(before, size - w);                 // the window above is done
//   }
//
// Only header positions whose 64 bytes AND payload lie inside the window are considered, so a
// window should end at EOF. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"                    // ByteView
#include "../format/layout_r_manifest.hpp" // decode_layout_r_manifest, LayoutRManifestView
#include "../format/segment_header.hpp"    // SegmentHeader, kMaxReadPayload
#include "../status.hpp"                   // Status
#include "segment_walk.hpp"                // SegmentLayout, is_layout_s_manifest_payload

namespace rvf::core {

/// Window sizes the newest upstream reader tries in turn before the whole file.
inline constexpr uint64_t kTailScanWindows[3] = {64ull << 10, 1ull << 20, 16ull << 20};
inline constexpr int kTailScanSteps = 4; // three windows, then the whole file

/// Window size for attempt `step` (0-based): min(window, file_size); the file size from step 3.
constexpr uint64_t tail_scan_window(int step, uint64_t file_size) {
    if (step < 0)
        step = 0;
    if (step >= 3)
        return file_size;
    const uint64_t w = kTailScanWindows[step];
    return w < file_size ? w : file_size;
}

struct TailScanOptions {
    /// Newest reader: header must also pass validate_segment_header (version 1, reserved 0,
    /// compression consistent). 0.2.2 only looks at magic + type.
    bool require_canonical_header = false;
    /// Dual-accept: also return MANIFEST payloads that end with a Layout S Level-0 root.
    bool accept_layout_s = false;
};

struct TailScanCandidate {
    uint64_t offset = 0;     // file offset of the manifest's segment header
    SegmentHeader header{};  // as decoded (raw); check it and its hash before trusting it
    ByteView payload{};      // inside the window
    SegmentLayout layout = SegmentLayout::R;
    LayoutRManifestView manifest{}; // valid when layout == R
};

/// Find the candidate manifest with the highest header offset strictly below `before`
/// (UINT64_MAX = no limit) inside `window`, which holds file bytes
/// [window_offset, window_offset + window.size) of a file of `file_size` bytes.
/// Returns Ok (out filled), ManifestNotFound (none in the window below `before`, or
/// file_size < 64), or InvalidArgument (window not inside the file).
constexpr Status find_previous_manifest(ByteView window, uint64_t window_offset, uint64_t file_size, uint64_t before,
                                        TailScanCandidate &out, TailScanOptions opts = {}) {
    out = TailScanCandidate{};
    if (window_offset > file_size || window.size > file_size - window_offset)
        return Status::InvalidArgument;
    if (file_size < kSegmentHeaderSize || window.size < kSegmentHeaderSize)
        return Status::ManifestNotFound;
    // Highest local position to test: i + 64 ≤ window.size and window_offset + i < before.
    size_t top = window.size - kSegmentHeaderSize;
    if (before <= window_offset)
        return Status::ManifestNotFound;
    if (before - window_offset - 1 < top)
        top = static_cast<size_t>(before - window_offset - 1);
    const uint8_t *p = window.data;
    for (size_t i = top + 1; i-- > 0;) {
        if (p[i] != 0x53 || p[i + 1] != 0x46 || p[i + 2] != 0x56 || p[i + 3] != 0x52 ||
            p[i + 5] != static_cast<uint8_t>(SegType::Manifest))
            continue;
        SegmentHeader h;
        decode_segment_header_raw(window.from(i), h);
        if (opts.require_canonical_header && validate_segment_header(h) != Status::Ok)
            continue;
        if (h.payload_length > kMaxReadPayload)
            continue;
        const uint64_t file_pos = window_offset + i;
        if (h.payload_length > file_size - file_pos - kSegmentHeaderSize)
            continue; // torn: payload past EOF
        if (h.payload_length > window.size - i - kSegmentHeaderSize)
            continue; // not in this window (windows should end at EOF)
        const ByteView payload = window.sub(i + kSegmentHeaderSize, static_cast<size_t>(h.payload_length));
        LayoutRManifestView m;
        SegmentLayout layout = SegmentLayout::R;
        if (decode_layout_r_manifest(payload, m) != Status::Ok) {
            if (!(opts.accept_layout_s && is_layout_s_manifest_payload(payload)))
                continue;
            layout = SegmentLayout::S;
            m = LayoutRManifestView{};
        }
        out.offset = file_pos;
        out.header = h;
        out.payload = payload;
        out.layout = layout;
        out.manifest = m;
        return Status::Ok;
    }
    return Status::ManifestNotFound;
}

/// The latest candidate in a whole in-memory file (0.2.2 semantics: first parse wins).
constexpr Status find_latest_manifest(ByteView file, TailScanCandidate &out, TailScanOptions opts = {}) {
    return find_previous_manifest(file, 0, file.size, UINT64_MAX, out, opts);
}

} // namespace rvf::core

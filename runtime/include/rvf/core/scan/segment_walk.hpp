// rvf/core/scan/segment_walk.hpp — forward walk over the segments of a file (spec §2.5, §3.1,
// §4) and the Layout R / Layout S decision.
//
// A file is a sequence of [64-B header][payload][alignment_pad zero bytes]:
//   * Layout R (what upstream's runtime writes): packed, next header at off + 64 + payload_length.
//     The newest upstream reader also accepts rvf-wire framed segments inside an R file, so the
//     rule per segment is: checksum_algo 0 → alignment_pad must be 0; algo 1/2/3 → alignment_pad
//     must be the Layout S pad (64 + len rounded up to 64). Pad bytes must be zero.
//   * Layout S (spec / rvf-wire): every header 64-B aligned and alignment_pad = Layout S pad.
// The walk stops at the first header that does not decode (decode_segment_header rules) and
// reports why; whether a bad tail is fatal (or just a torn write) is the caller's decision.
//
// Layout decision (our rule, spec §4.1): a file is Layout S iff its latest manifest payload
// ends with a 4096-B Level-0 root whose first u32 is 0x52564D30 ("RVM0"); otherwise Layout R.
// Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"                 // ByteView, align helpers
#include "../format/segment_header.hpp" // SegmentHeader, decode_segment_header, layout_s_pad
#include "../status.hpp"                // Status, RVF_CORRUPT

namespace rvf::core {

enum class SegmentLayout : uint8_t { R = 0, S = 1 };

namespace detail {
inline constexpr uint32_t sw_root_magic = 0x52564D30; // "RVM0" (Level-0 root, spec §4.2)
inline constexpr size_t sw_root_size = 4096;
} // namespace detail

/// True if `payload` ends with a Level-0 root: ≥ 4096 bytes and u32 "RVM0" at size − 4096.
constexpr bool is_layout_s_manifest_payload(ByteView payload) {
    return payload.size >= detail::sw_root_size &&
           load_u32_le(payload.data + payload.size - detail::sw_root_size) == detail::sw_root_magic;
}

/// The layout of a file whose latest MANIFEST payload is `latest_manifest_payload`.
constexpr SegmentLayout layout_of_manifest_payload(ByteView latest_manifest_payload) {
    return is_layout_s_manifest_payload(latest_manifest_payload) ? SegmentLayout::S : SegmentLayout::R;
}

/// Cheap guess from the file's last bytes before any manifest is found: Layout S files are a
/// whole number of 64-B blocks and end with the root followed by at most 63 zero pad bytes.
/// `tail` = the last tail.size bytes of a file of `file_size` bytes (the whole file works too).
constexpr SegmentLayout detect_layout(ByteView tail, uint64_t file_size) {
    if (file_size % kSegmentAlignment != 0 || tail.size > file_size)
        return SegmentLayout::R;
    for (size_t pad = 0; pad < kSegmentAlignment && pad + detail::sw_root_size <= tail.size; ++pad) {
        if (pad > 0 && tail.data[tail.size - pad] != 0)
            break; // pad bytes must all be zero; a longer pad includes this byte too
        if (load_u32_le(tail.data + tail.size - pad - detail::sw_root_size) == detail::sw_root_magic)
            return SegmentLayout::S;
    }
    return SegmentLayout::R;
}

/// One step of a walk that has only the header bytes (e.g. a ByteSource reader): decode the
/// header at `offset`, check framing for `layout`, and give the next header's offset.
/// Returns Ok, or decode_segment_header's statuses (InvalidMagic, InvalidVersion,
/// TruncatedSegment — header or payload+pad past file_size —, InvalidManifest, AlgoUnsupported,
/// SegmentTooLarge, AlignmentError), or AlignmentError when the offset / alignment_pad break
/// the layout's framing rule above. Pad bytes are not seen here, so not checked.
constexpr Status walk_segment_header(ByteView header_bytes, uint64_t offset, uint64_t file_size, SegmentLayout layout,
                                     SegmentHeader &h, uint64_t *next_offset) {
    RVF_TRY(decode_segment_header(header_bytes, offset, file_size, h));
    const uint32_t s_pad = layout_s_pad(h.payload_length);
    if (layout == SegmentLayout::S) {
        if (offset % kSegmentAlignment != 0 || h.alignment_pad != s_pad)
            return RVF_CORRUPT(Status::AlignmentError);
    } else if (h.alignment_pad != (h.checksum_algo == 0 ? 0u : s_pad)) {
        return RVF_CORRUPT(Status::AlignmentError);
    }
    // In the file (decode_segment_header checked the sum against file_size), so no overflow.
    *next_offset = offset + kSegmentHeaderSize + h.payload_length + h.alignment_pad;
    return Status::Ok;
}

/// A segment found by SegmentWalker.
struct WalkedSegment {
    uint64_t offset = 0;      // of the header
    SegmentHeader header{};
    ByteView payload{};       // payload_length bytes, padding excluded
    uint64_t next_offset = 0; // where the next header starts
};

/// Forward walk over a whole file in memory:
///   SegmentWalker w(file, SegmentLayout::R);
///   WalkedSegment s;
///   while (w.next(s)) { ... }
///   if (w.status() != Status::Ok) { /* stopped early at w.offset() */ }
class SegmentWalker {
public:
    constexpr SegmentWalker(ByteView file, SegmentLayout layout, uint64_t start = 0)
        : file_(file), layout_(layout), off_(start) {
        if (start > file.size)
            status_ = Status::InvalidArgument;
    }

    /// Next segment; false at the clean end of the file or at the first bad header (then
    /// status() says why and offset() is where that header was expected).
    constexpr bool next(WalkedSegment &out) {
        if (status_ != Status::Ok || off_ >= file_.size)
            return false;
        SegmentHeader h;
        uint64_t next = 0;
        const ByteView at = file_.from(static_cast<size_t>(off_));
        Status s = walk_segment_header(at, off_, file_.size, layout_, h, &next);
        if (s == Status::Ok) {
            // Pad bytes are in the file (checked above) and must be zero.
            const size_t pad_at = static_cast<size_t>(off_ + kSegmentHeaderSize + h.payload_length);
            for (size_t i = 0; i < h.alignment_pad; ++i)
                if (file_.data[pad_at + i] != 0) {
                    s = RVF_CORRUPT(Status::AlignmentError);
                    break;
                }
        }
        if (s != Status::Ok) {
            status_ = s;
            return false;
        }
        out.offset = off_;
        out.header = h;
        out.payload = file_.sub(static_cast<size_t>(off_ + kSegmentHeaderSize), static_cast<size_t>(h.payload_length));
        out.next_offset = next;
        off_ = next;
        ++count_;
        return true;
    }

    constexpr Status status() const { return status_; }
    constexpr uint64_t offset() const { return off_; }
    constexpr uint64_t segments_seen() const { return count_; }
    /// True once the walk reached the exact end of the file with every header valid.
    constexpr bool at_clean_end() const { return status_ == Status::Ok && off_ == file_.size; }

private:
    ByteView file_;
    SegmentLayout layout_;
    uint64_t off_ = 0;
    uint64_t count_ = 0;
    Status status_ = Status::Ok;
};

} // namespace rvf::core

// rvf/core/format/layout_s_manifest.hpp — the Layout S MANIFEST_SEG payload (spec §4.1).
//
//  off            size        field
//  0              L           Level-1 TLV area (manifest_tlv.hpp), L = root.l1_manifest_length
//  L              4096        Level-0 root (manifest_l0.hpp); always the last 4096 bytes
//
// The root says where its TLV area is (l1_manifest_offset/length). Because the area is always
// the bytes right before the root, a reader can check both against the payload it holds.
// Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"     // ByteView, ByteWriter
#include "../status.hpp"    // Status, RVF_TRY, RVF_CORRUPT
#include "manifest_l0.hpp"  // ManifestL0
#include "manifest_tlv.hpp" // TLV area, directory, overlay chain

namespace rvf::core {

/// Pass as payload_file_offset when the caller does not know where the payload lies in the file.
inline constexpr uint64_t kPayloadOffsetUnknown = UINT64_MAX;

/// A validated manifest payload. Views point into the payload bytes (keep them alive).
struct LayoutSManifestView {
    ByteView tlv_bytes;  // the Level-1 area
    ByteView root_bytes; // the 4096-byte root
    ManifestL0 root;
    TlvAreaView tlv;
    bool has_directory = false; // SEGMENT_DIR present (our writer and upstream's always write it)
    SegmentDirView directory;
    bool has_overlay_chain = false;
    OverlayChain overlay_chain;
    bool has_metadata_index_dir = false;
    MetadataIndexDirView metadata_index_dir;
};

/// Split and validate a MANIFEST_SEG payload. `payload_file_offset` is the file offset of the
/// payload's first byte (header offset + 64) or kPayloadOffsetUnknown.
/// Errors: InvalidManifest when the payload is shorter than a root, when l1_manifest_length
/// differs from the TLV area length, when l1_manifest_offset is neither 0 (upstream's
/// `build_manifest` leaves it 0) nor the payload offset, on a malformed TLV area or record
/// value, or on a second SEGMENT_DIR / OVERLAY_CHAIN / METADATA_INDEX_DIR record (upstream
/// would silently take the first; two directories mean a writer we do not understand);
/// plus every error of decode_manifest_l0 (InvalidChecksum, InvalidVersion, ...).
constexpr Status parse_layout_s_manifest(ByteView payload, uint64_t payload_file_offset, LayoutSManifestView &out) {
    out.has_directory = out.has_overlay_chain = out.has_metadata_index_dir = false;
    if (payload.size < kRootManifestSize)
        return RVF_CORRUPT(Status::InvalidManifest);
    const size_t tlv_len = payload.size - kRootManifestSize;
    out.tlv_bytes = payload.sub(0, tlv_len);
    out.root_bytes = payload.sub(tlv_len, kRootManifestSize);
    RVF_TRY(decode_manifest_l0(out.root_bytes, out.root));
    if (out.root.l1_manifest_length != tlv_len)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (payload_file_offset != kPayloadOffsetUnknown && out.root.l1_manifest_offset != 0 &&
        out.root.l1_manifest_offset != payload_file_offset)
        return RVF_CORRUPT(Status::InvalidManifest);
    RVF_TRY(parse_tlv_area(out.tlv_bytes, out.tlv));

    TlvCursor c = out.tlv.records();
    TlvRecord rec;
    while (c.next(rec)) {
        if (rec.tag == tag_value(ManifestTag::SegmentDir)) {
            if (out.has_directory)
                return RVF_CORRUPT(Status::InvalidManifest);
            RVF_TRY(parse_segment_dir(rec.value, out.directory));
            out.has_directory = true;
        } else if (rec.tag == tag_value(ManifestTag::OverlayChain)) {
            if (out.has_overlay_chain)
                return RVF_CORRUPT(Status::InvalidManifest);
            RVF_TRY(decode_overlay_chain(rec.value, out.overlay_chain));
            out.has_overlay_chain = true;
        } else if (rec.tag == tag_value(ManifestTag::MetadataIndexDir)) {
            if (out.has_metadata_index_dir)
                return RVF_CORRUPT(Status::InvalidManifest);
            RVF_TRY(parse_metadata_index_dir(rec.value, out.metadata_index_dir));
            out.has_metadata_index_dir = true;
        }
    }
    return c.status();
}

/// What goes into a manifest besides the root.
struct LayoutSManifestParts {
    const SegmentDirEntry *directory = nullptr;
    size_t directory_count = 0;
    const OverlayChain *overlay_chain = nullptr; // optional
    ByteView extra_tlv;                          // optional, already-encoded records (validated)
};

/// Write the Level-1 area: SEGMENT_DIR (always, possibly empty), OVERLAY_CHAIN (if given), then
/// the extra records. `w` must be at the start of its buffer (TLV padding is measured from
/// there). Errors: InvalidArgument for a malformed extra_tlv, extra records that repeat a tag
/// written here or that parse_layout_s_manifest would refuse twice, or a too-small buffer.
constexpr Status encode_layout_s_manifest_tlv(ByteWriter &w, const LayoutSManifestParts &parts) {
    if (w.pos() != 0)
        return Status::InvalidArgument;
    TlvAreaView extra;
    if (!is_ok(parse_tlv_area(parts.extra_tlv, extra)) || extra.count(ManifestTag::SegmentDir) != 0 ||
        (parts.overlay_chain && extra.count(ManifestTag::OverlayChain) != 0) ||
        extra.count(ManifestTag::OverlayChain) > 1 || extra.count(ManifestTag::MetadataIndexDir) > 1)
        return Status::InvalidArgument;
    RVF_TRY(encode_segment_dir_tlv(w, parts.directory, parts.directory_count));
    if (parts.overlay_chain)
        RVF_TRY(encode_overlay_chain_tlv(w, *parts.overlay_chain));
    return w.bytes(parts.extra_tlv) ? Status::Ok : Status::InvalidArgument;
}

/// Write a whole payload: the Level-1 area (above), then `root` with l1_manifest_offset =
/// payload_file_offset (0 when unknown) and l1_manifest_length = the area length, re-sealed.
/// In counting mode only the size is computed. Errors: those of encode_layout_s_manifest_tlv,
/// and InvalidArgument for a root encode_manifest_l0 refuses.
constexpr Status encode_layout_s_manifest(ByteWriter &w, const LayoutSManifestParts &parts, const ManifestL0 &root,
                                          uint64_t payload_file_offset) {
    RVF_TRY(encode_layout_s_manifest_tlv(w, parts));
    const size_t tlv_len = w.pos();
    if (w.counting())
        return w.zeros(kRootManifestSize) ? Status::Ok : Status::InvalidArgument;
    // The root's l1 fields are known only now; encode into a scratch copy, patch, re-seal.
    uint8_t buf[kRootManifestSize] = {};
    RVF_TRY(encode_manifest_l0(root, MutByteView(buf, kRootManifestSize)));
    patch_manifest_l0_l1(buf, payload_file_offset == kPayloadOffsetUnknown ? 0 : payload_file_offset, tlv_len);
    return w.bytes(buf, kRootManifestSize) ? Status::Ok : Status::InvalidArgument;
}

/// Payload size encode_layout_s_manifest would write; 0 when it would fail.
constexpr size_t layout_s_manifest_size(const LayoutSManifestParts &parts) {
    ByteWriter counter;
    if (!is_ok(encode_layout_s_manifest_tlv(counter, parts)))
        return 0;
    return counter.pos() + kRootManifestSize;
}

} // namespace rvf::core

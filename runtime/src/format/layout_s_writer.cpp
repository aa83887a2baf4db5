// Layout S segment writer (spec §2.5, §4). See rvf/layout_s_writer.hpp.
#include <rvf/layout_s_writer.hpp>

#include <cstring>
#include <string>
#include <utility>

#include <rvf/core/format/commit_record.hpp>
#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/hash.hpp>

namespace rvf {

using core::ByteView;
using core::SegmentHeader;

Result<LayoutSWriter> LayoutSWriter::with_initial_bytes(std::vector<uint8_t> initial, uint64_t next_segment_id) {
    if (!core::is_aligned(initial.size(), core::kSegmentAlignment))
        return Error{Status::InvalidArgument,
                     "initial bytes end at " + std::to_string(initial.size()) + ", not a multiple of 64"};
    if (next_segment_id == 0)
        return Error{Status::InvalidArgument, "segment ids start at 1"};
    LayoutSWriter w;
    w.buf_ = std::move(initial);
    w.next_id_ = next_segment_id;
    return w;
}

Result<LayoutSWriter> LayoutSWriter::continuing(uint64_t file_size, uint64_t next_segment_id,
                                               std::vector<core::SegmentDirEntry> directory) {
    if (!core::is_aligned(file_size, core::kSegmentAlignment))
        return Error{Status::InvalidArgument, "file ends at " + std::to_string(file_size) + ", not a multiple of 64"};
    if (next_segment_id == 0)
        return Error{Status::InvalidArgument, "segment ids start at 1"};
    LayoutSWriter w;
    w.base_ = file_size;
    w.next_id_ = next_segment_id;
    w.dir_ = std::move(directory);
    return w;
}

Result<uint64_t> LayoutSWriter::append_segment(core::SegType type, uint16_t flags, ByteView payload,
                                               uint8_t checksum_algo, uint64_t timestamp_ns) {
    return append_raw(type, flags, payload, checksum_algo, timestamp_ns, true);
}

Result<uint64_t> LayoutSWriter::append_compressed(core::SegType type, uint16_t flags, ByteView stored,
                                                  uint32_t uncompressed_len, core::Compression codec) {
    if (codec != core::Compression::Lz4 && codec != core::Compression::Zstd)
        return Error{Status::InvalidArgument, "append_compressed takes LZ4 or ZSTD payloads, not compression " +
                                                  std::to_string(static_cast<unsigned>(codec))};
    return append_raw(type, static_cast<uint16_t>(flags | core::SegFlag::Compressed), stored, 1, 0, true,
                      static_cast<uint8_t>(codec), uncompressed_len);
}

Result<uint64_t> LayoutSWriter::append_raw(core::SegType type, uint16_t flags, ByteView payload, uint8_t checksum_algo,
                                           uint64_t timestamp_ns, bool list_in_directory, uint8_t compression,
                                           uint32_t uncompressed_len) {
    if (payload.size > core::kMaxSegmentPayload)
        return Error{Status::SegmentTooLarge, "payload of " + std::to_string(payload.size) + " bytes"};
    SegmentHeader h;
    h.seg_type = static_cast<uint8_t>(type);
    h.flags = flags;
    h.segment_id = next_id_;
    h.payload_length = payload.size;
    h.timestamp_ns = timestamp_ns;
    h.checksum_algo = checksum_algo;
    h.compression = compression;
    h.uncompressed_len = uncompressed_len;
    // Signing: SIGNED flag before hashing the header into the message; alignment_pad then counts
    // the footer and the zero fill after it (see rvf/crypto/segment_signature.hpp).
    const bool sign = signer_ && type != core::SegType::Manifest && h.seg_type != core::kCommitSegType;
    const size_t footer_len = sign ? crypto::kFooterFixedBytes + crypto::signature_bytes(signer_->algorithm) : 0;
    if (sign)
        h.flags = static_cast<uint16_t>(h.flags | core::SegFlag::Signed);
    h.alignment_pad = static_cast<uint32_t>(core::layout_s_segment_span(payload.size + footer_len) -
                                            core::kSegmentHeaderSize - payload.size);
    // Refuse to write a header our own reader would reject (reserved flag bits, COMPRESSED
    // without a compression byte, unknown checksum_algo).
    if (Status s = core::validate_segment_header(h); s != Status::Ok)
        return Error{Status::InvalidArgument, std::string("segment header rejected: ") + core::status_name(s)};
    if (Status s = content_hash(Layout::S, checksum_algo, payload, h.content_hash); s != Status::Ok)
        return Error{s, "content hash"};

    const uint64_t offset = base_ + buf_.size();
    const uint64_t span = core::layout_s_segment_span(payload.size + footer_len);
    const size_t at = buf_.size();
    buf_.resize(buf_.size() + span, 0); // zeros cover the padding
    uint8_t *p = buf_.data() + at;
    core::encode_segment_header(h, p);
    if (payload.size)
        std::memcpy(p + core::kSegmentHeaderSize, payload.data, payload.size);
    if (sign) {
        const auto msg = crypto::segment_signing_message(p, payload);
        const auto sig = signer_->sign(core::ByteView(msg.data(), msg.size()));
        const auto footer =
            crypto::encode_signature_footer(signer_->algorithm, core::ByteView(sig.data(), sig.size()));
        std::memcpy(p + core::kSegmentHeaderSize + payload.size, footer.data(), footer.size());
    }

    if (list_in_directory) {
        core::SegmentDirEntry e;
        e.segment_id = h.segment_id;
        e.seg_type = h.seg_type;
        e.flags = h.flags;
        e.file_offset = offset;
        e.payload_length = payload.size;
        if (compression != 0) {
            e.compression = compression;
            e.compressed_length = payload.size;
        }
        std::memcpy(e.content_hash, h.content_hash, 16);
        dir_.push_back(e);
    }
    ++next_id_;
    return offset;
}

Result<uint64_t> LayoutSWriter::append_manifest(const core::ManifestL0 &fields, const core::OverlayChain *overlay,
                                                ByteView extra_tlv, uint64_t timestamp_ns) {
    core::LayoutSManifestParts parts;
    parts.directory = dir_.data();
    parts.directory_count = dir_.size();
    parts.overlay_chain = overlay;
    parts.extra_tlv = extra_tlv;
    const size_t size = core::layout_s_manifest_size(parts);
    if (size == 0)
        return Error{Status::InvalidArgument, "manifest TLV records rejected"};

    const uint64_t offset = base_ + buf_.size();
    std::vector<uint8_t> payload(size);
    core::ManifestL0 root_fields = fields;
    if (signer_) { // room for the root's signature; its bytes are filled in below
        root_fields.sig_algo = static_cast<uint16_t>(signer_->algorithm);
        root_fields.sig_length = static_cast<uint16_t>(crypto::signature_bytes(signer_->algorithm));
        std::memset(root_fields.signature, 0, sizeof root_fields.signature);
    }
    core::ByteWriter w(core::MutByteView(payload.data(), payload.size()));
    if (Status s = core::encode_layout_s_manifest(w, parts, root_fields, offset + core::kSegmentHeaderSize);
        s != Status::Ok || w.pos() != size)
        return Error{Status::InvalidArgument, "manifest root rejected"};

    const uint64_t id = next_id_;
    if (signer_) {
        const size_t root_at = size - core::kRootManifestSize;
        const auto msg = crypto::root_signing_message(id, core::ByteView(payload.data(), payload.size()), root_at);
        const auto sig = signer_->sign(core::ByteView(msg.data(), msg.size()));
        uint8_t *root = payload.data() + root_at;
        std::memcpy(root + core::l0_off::signature, sig.data(), sig.size());
        core::store_u32_le(root + core::l0_off::root_checksum, core::manifest_l0_checksum(root));
    }
    // Listed in later manifests' directories (but never in its own), as upstream's runtime does
    // (spec §3.2): then every header except the latest manifest's is cross-checked by a directory.
    auto r = append_raw(core::SegType::Manifest, 0, ByteView(payload.data(), payload.size()), 1, timestamp_ns,
                        list_manifests_);
    if (!r)
        return r;
    last_manifest_offset_ = offset;
    last_manifest_id_ = id;
    return r;
}

} // namespace rvf

// rvf/layout_s_writer.hpp — appends Layout S segments (spec §2, §2.5, §4) to an in-memory file.
//
// Layout S is our canonical write format: every segment starts 64-aligned, its payload is
// followed by zero padding up to the next multiple of 64 (alignment_pad says how much), the
// content hash follows checksum_algo (XXH3-128 by default), and a MANIFEST_SEG payload is
// [Level-1 TLV][4096-byte Level-0 root]. With timestamps left at 0 the output is a pure function
// of the calls made, which the golden-file tests rely on.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/manifest_l0.hpp>
#include <rvf/core/format/manifest_tlv.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/crypto/segment_signature.hpp>
#include <rvf/result.hpp>

namespace rvf {

class LayoutSWriter {
public:
    /// An empty file; the first segment gets id 1.
    LayoutSWriter() = default;

    /// Continue a file whose bytes are `initial` (its size must be a multiple of 64, or
    /// InvalidArgument: Layout S segments start 64-aligned). Segment ids continue from
    /// `next_segment_id`; the directory starts empty (the caller can seed it).
    static Result<LayoutSWriter> with_initial_bytes(std::vector<uint8_t> initial, uint64_t next_segment_id = 1);

    /// Stage appends to a file that already holds `file_size` bytes without holding them: offsets
    /// continue from file_size, bytes() holds only what was staged since the last take_staged().
    /// The store uses this to write each commit's bytes to disk in two fsync'd steps.
    static Result<LayoutSWriter> continuing(uint64_t file_size, uint64_t next_segment_id,
                                            std::vector<core::SegmentDirEntry> directory);

    /// Append one segment and return its header's file offset. The payload is hashed per
    /// checksum_algo under Layout S rules, zero-padded to 64, and listed in the directory (tier
    /// 0, block_count 0). Errors: InvalidArgument for flags/type the header validation refuses
    /// (e.g. COMPRESSED: this writer never compresses), SegmentTooLarge beyond 4 GiB, or any
    /// error of rvf::content_hash.
    Result<uint64_t> append_segment(core::SegType type, uint16_t flags, core::ByteView payload,
                                    uint8_t checksum_algo = 1 /* XXH3-128 */, uint64_t timestamp_ns = 0);

    /// Append a compressed segment: `stored` is the LZ4 block (codec Lz4) or zstd frame (Zstd)
    /// of an `uncompressed_len`-byte payload; the header gets COMPRESSED, the codec's
    /// compression byte and uncompressed_len, the hash covers the stored bytes (spec §2.4), and
    /// the directory entry records compression + compressed_length. InvalidArgument for other codecs.
    Result<uint64_t> append_compressed(core::SegType type, uint16_t flags, core::ByteView stored,
                                       uint32_t uncompressed_len, core::Compression codec = core::Compression::Lz4);

    /// Append a MANIFEST_SEG listing the current directory (every earlier segment, earlier
    /// manifests included; a manifest never lists itself) plus an optional overlay chain and extra pre-encoded TLV records.
    /// `fields` supplies everything in the root except l1_manifest_offset/length, which are set
    /// to this payload's file offset and TLV length. Returns the header's file offset.
    /// Errors: InvalidArgument for a root or extra records the encoder refuses; those of
    /// append_segment.
    Result<uint64_t> append_manifest(const core::ManifestL0 &fields, const core::OverlayChain *overlay = nullptr,
                                     core::ByteView extra_tlv = {}, uint64_t timestamp_ns = 0);

    /// Bytes staged since construction or the last take_staged() (the whole file when base is 0).
    const std::vector<uint8_t> &bytes() const { return buf_; }
    std::vector<uint8_t> take_bytes() { return std::move(buf_); }
    /// Hand over the staged bytes; later offsets keep counting from the new end.
    std::vector<uint8_t> take_staged() {
        base_ += buf_.size();
        return std::exchange(buf_, {});
    }
    /// Size of the file these appends produce (bytes before the staged ones included).
    uint64_t size() const { return base_ + buf_.size(); }

    /// Append a segment that no directory lists (the store's COMMIT records: superseded by the
    /// next checkpoint, and found by replay, not through a directory).
    Result<uint64_t> append_unlisted(uint8_t seg_type, core::ByteView payload) {
        return append_raw(static_cast<core::SegType>(seg_type), 0, payload, 1, 0, false);
    }

    /// Whether later manifests list earlier ones (default true, as upstream's runtime does). The
    /// store turns it off: its checkpoints list only live data, so their size does not grow with
    /// the number of commits.
    void set_list_manifests(bool on) { list_manifests_ = on; }

    /// Sign what this writer appends from now on (nullptr: stop). Listed segments get the SIGNED
    /// flag and a signature footer (rvf/crypto/segment_signature.hpp); manifests get the
    /// signature in their Level-0 root; unlisted COMMIT records stay unsigned (a signing store
    /// checkpoints every commit instead of writing them).
    void set_signer(std::shared_ptr<const crypto::SegmentSigner> signer) { signer_ = std::move(signer); }
    const std::shared_ptr<const crypto::SegmentSigner> &signer() const { return signer_; }

    const std::vector<core::SegmentDirEntry> &directory() const { return dir_; }
    /// The directory the next manifest lists, for a store's merge: it replaces runs of entries
    /// by the merged segments it appended (which may then be listed out of file order).
    std::vector<core::SegmentDirEntry> &mutable_directory() { return dir_; }
    /// Add an entry for a segment written before this writer took over (with_initial_bytes).
    void add_directory_entry(const core::SegmentDirEntry &e) { dir_.push_back(e); }

    uint64_t next_segment_id() const { return next_id_; }
    /// Offset and id of the last manifest appended by this writer (to fill an OverlayChain).
    std::optional<uint64_t> last_manifest_offset() const { return last_manifest_offset_; }
    std::optional<uint64_t> last_manifest_id() const { return last_manifest_id_; }

private:
    Result<uint64_t> append_raw(core::SegType type, uint16_t flags, core::ByteView payload, uint8_t checksum_algo,
                                uint64_t timestamp_ns, bool list_in_directory, uint8_t compression = 0,
                                uint32_t uncompressed_len = 0);

    uint64_t base_ = 0; ///< file bytes before buf_ (not held)
    std::vector<uint8_t> buf_;
    std::vector<core::SegmentDirEntry> dir_;
    uint64_t next_id_ = 1;
    std::optional<uint64_t> last_manifest_offset_;
    std::optional<uint64_t> last_manifest_id_;
    bool list_manifests_ = true;
    std::shared_ptr<const crypto::SegmentSigner> signer_;
};

} // namespace rvf

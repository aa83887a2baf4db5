// rvf/core/format/segment_header.hpp — the 64-byte segment header (spec §2), both layouts.
//
//  off  size type     field             notes
//  0x00  4   u32      magic             0x52564653, bytes on disk "SFVR"
//  0x04  1   u8       version           1
//  0x05  1   u8       seg_type          SegType (§2.1)
//  0x06  2   u16      flags             SegFlag bits 0-11; bits 12-15 must be 0 (§2.2)
//  0x08  8   u64      segment_id
//  0x10  8   u64      payload_length    bytes after the header, excluding padding
//  0x18  8   u64      timestamp_ns
//  0x20  1   u8       checksum_algo     ChecksumAlgo (§2.4)
//  0x21  1   u8       compression       Compression (§2.3)
//  0x22  2   u16      reserved_0        0
//  0x24  4   u32      reserved_1        0
//  0x28 16   u8[16]   content_hash      over the payload bytes only
//  0x38  4   u32      uncompressed_len  0 = not compressed
//  0x3C  4   u32      alignment_pad     zero bytes after the payload (Layout S), 0 in Layout R
// All integers little-endian. Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"

namespace rvf::core {

inline constexpr uint32_t kSegmentMagic = 0x52564653;  // "RVFS"
inline constexpr uint8_t kSegmentVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 64;
inline constexpr uint64_t kSegmentAlignment = 64;     // Layout S only
inline constexpr uint64_t kMaxSegmentPayload = 1ull << 32;   // spec constant (4 GiB)
inline constexpr uint64_t kMaxReadPayload = 256ull << 20;    // runtime reader limit (256 MiB)
inline constexpr uint32_t kMaxSignatureFooter = 8 + 7856;    // spec §6.10: footer of the largest signature

// X(Name, value, lower_case_name) — all 29 codes of §2.1; lower-case names as N-API segments().
#define RVF_SEG_TYPE_LIST(X)                                                                                         \
    X(Invalid, 0x00, "invalid")                                                                                      \
    X(Vec, 0x01, "vec")                                                                                              \
    X(Index, 0x02, "index")                                                                                          \
    X(Overlay, 0x03, "overlay")                                                                                      \
    X(Journal, 0x04, "journal")                                                                                      \
    X(Manifest, 0x05, "manifest")                                                                                    \
    X(Quant, 0x06, "quant")                                                                                          \
    X(Meta, 0x07, "meta")                                                                                            \
    X(Hot, 0x08, "hot")                                                                                              \
    X(Sketch, 0x09, "sketch")                                                                                        \
    X(Witness, 0x0A, "witness")                                                                                      \
    X(Profile, 0x0B, "profile")                                                                                      \
    X(Crypto, 0x0C, "crypto")                                                                                        \
    X(MetaIdx, 0x0D, "meta_idx")                                                                                     \
    X(Kernel, 0x0E, "kernel")                                                                                        \
    X(Ebpf, 0x0F, "ebpf")                                                                                            \
    X(Wasm, 0x10, "wasm")                                                                                            \
    X(Dashboard, 0x11, "dashboard")                                                                                  \
    X(CowMap, 0x20, "cow_map")                                                                                       \
    X(Refcount, 0x21, "refcount")                                                                                    \
    X(Membership, 0x22, "membership")                                                                                \
    X(Delta, 0x23, "delta")                                                                                          \
    X(TransferPrior, 0x30, "transfer_prior")                                                                         \
    X(PolicyKernel, 0x31, "policy_kernel")                                                                           \
    X(CostCurve, 0x32, "cost_curve")                                                                                 \
    X(FederatedManifest, 0x33, "federated_manifest")                                                                 \
    X(DiffPrivacyProof, 0x34, "diff_privacy_proof")                                                                  \
    X(RedactionLog, 0x35, "redaction_log")                                                                           \
    X(AggregateWeights, 0x36, "aggregate_weights")

enum class SegType : uint8_t {
#define RVF_SEG_TYPE_ENUM_(name, value, str) name = value,
    RVF_SEG_TYPE_LIST(RVF_SEG_TYPE_ENUM_)
#undef RVF_SEG_TYPE_ENUM_
};

inline constexpr int kSegTypeCount = 29;

/// True for the 29 defined codes. Unknown codes are legal on disk (readers skip them, rewriters
/// copy them, ADR-029); this only tells whether we know the name.
constexpr bool seg_type_known(uint8_t v) {
    switch (v) {
#define RVF_SEG_TYPE_CASE_(name, value, str) case value:
        RVF_SEG_TYPE_LIST(RVF_SEG_TYPE_CASE_)
#undef RVF_SEG_TYPE_CASE_
        return true;
    }
    return false;
}
/// Lower-case name ("vec", "manifest", ...) or nullptr when unknown (print "unknown(0xNN)").
constexpr const char *seg_type_name(uint8_t v) {
    switch (v) {
#define RVF_SEG_TYPE_NAME_(name, value, str)                                                                         \
    case value:                                                                                                      \
        return str;
        RVF_SEG_TYPE_LIST(RVF_SEG_TYPE_NAME_)
#undef RVF_SEG_TYPE_NAME_
    }
    return nullptr;
}

/// Segment flag bits (§2.2).
namespace SegFlag {
inline constexpr uint16_t Compressed = 0x0001;
inline constexpr uint16_t Encrypted = 0x0002;
inline constexpr uint16_t Signed = 0x0004;
inline constexpr uint16_t Sealed = 0x0008;
inline constexpr uint16_t Partial = 0x0010;
inline constexpr uint16_t Tombstone = 0x0020;
inline constexpr uint16_t Hot = 0x0040;
inline constexpr uint16_t Overlay = 0x0080;
inline constexpr uint16_t Snapshot = 0x0100;
inline constexpr uint16_t Checkpoint = 0x0200;
inline constexpr uint16_t Attested = 0x0400;
inline constexpr uint16_t HasLineage = 0x0800;
inline constexpr uint16_t KnownMask = 0x0FFF;
} // namespace SegFlag

/// Names of flag bits 0..11, index = bit number.
inline constexpr const char *kSegFlagNames[12] = {"COMPRESSED", "ENCRYPTED", "SIGNED",   "SEALED",
                                                  "PARTIAL",    "TOMBSTONE", "HOT",      "OVERLAY",
                                                  "SNAPSHOT",   "CHECKPOINT", "ATTESTED", "HAS_LINEAGE"};

enum class Compression : uint8_t { None = 0, Lz4 = 1, Zstd = 2, Custom = 3 };
constexpr bool compression_known(uint8_t v) { return v <= 3; }

/// checksum_algo byte. Its meaning for 0 depends on the layout (§2.4): Layout R = rotated IEEE
/// CRC32 digest ("legacy"); Layout S = computed as XXH3-128.
enum class ChecksumAlgo : uint8_t { Legacy0 = 0, Xxh3_128 = 1, Shake256_128 = 2, HmacShake256 = 3 };

struct SegmentHeader {
    uint32_t magic = kSegmentMagic;
    uint8_t version = kSegmentVersion;
    uint8_t seg_type = 0;
    uint16_t flags = 0;
    uint64_t segment_id = 0;
    uint64_t payload_length = 0;
    uint64_t timestamp_ns = 0;
    uint8_t checksum_algo = 0;
    uint8_t compression = 0;
    uint16_t reserved_0 = 0;
    uint32_t reserved_1 = 0;
    uint8_t content_hash[16] = {};
    uint32_t uncompressed_len = 0;
    uint32_t alignment_pad = 0;
};

// Field offsets, checked against the table above.
namespace seg_off {
inline constexpr size_t magic = 0x00, version = 0x04, seg_type = 0x05, flags = 0x06, segment_id = 0x08,
                        payload_length = 0x10, timestamp_ns = 0x18, checksum_algo = 0x20, compression = 0x21,
                        reserved_0 = 0x22, reserved_1 = 0x24, content_hash = 0x28, uncompressed_len = 0x38,
                        alignment_pad = 0x3C;
static_assert(alignment_pad + 4 == kSegmentHeaderSize, "segment header is 64 bytes");
static_assert(content_hash + 16 == uncompressed_len, "content hash is 16 bytes");
} // namespace seg_off

/// Decode the 64 header bytes without judging them (no validation beyond length).
constexpr Status decode_segment_header_raw(ByteView bytes, SegmentHeader &h) {
    if (bytes.size < kSegmentHeaderSize)
        return RVF_CORRUPT(Status::TruncatedSegment);
    const uint8_t *p = bytes.data;
    h.magic = load_u32_le(p + seg_off::magic);
    h.version = p[seg_off::version];
    h.seg_type = p[seg_off::seg_type];
    h.flags = load_u16_le(p + seg_off::flags);
    h.segment_id = load_u64_le(p + seg_off::segment_id);
    h.payload_length = load_u64_le(p + seg_off::payload_length);
    h.timestamp_ns = load_u64_le(p + seg_off::timestamp_ns);
    h.checksum_algo = p[seg_off::checksum_algo];
    h.compression = p[seg_off::compression];
    h.reserved_0 = load_u16_le(p + seg_off::reserved_0);
    h.reserved_1 = load_u32_le(p + seg_off::reserved_1);
    for (int i = 0; i < 16; ++i)
        h.content_hash[i] = p[seg_off::content_hash + i];
    h.uncompressed_len = load_u32_le(p + seg_off::uncompressed_len);
    h.alignment_pad = load_u32_le(p + seg_off::alignment_pad);
    return Status::Ok;
}

/// Strict checks of a decoded header that need no file context:
/// magic, version, reserved bits/fields, compression enum and its consistency with flags,
/// payload bound (spec MAX_SEGMENT_PAYLOAD), checksum_algo range.
constexpr Status validate_segment_header(const SegmentHeader &h) {
    if (h.magic != kSegmentMagic)
        return RVF_CORRUPT(Status::InvalidMagic);
    if (h.version != kSegmentVersion)
        return RVF_CORRUPT(Status::InvalidVersion);
    if ((h.flags & ~SegFlag::KnownMask) != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (h.reserved_0 != 0 || h.reserved_1 != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (!compression_known(h.compression))
        return RVF_CORRUPT(Status::InvalidManifest);
    // The COMPRESSED flag and the compression byte must agree; uncompressed_len only with both.
    const bool flagged = (h.flags & SegFlag::Compressed) != 0;
    if (flagged != (h.compression != 0))
        return RVF_CORRUPT(Status::InvalidManifest);
    if (!flagged && h.uncompressed_len != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (h.checksum_algo > static_cast<uint8_t>(ChecksumAlgo::HmacShake256))
        return RVF_CORRUPT(Status::AlgoUnsupported);
    if (h.payload_length > kMaxSegmentPayload)
        return RVF_CORRUPT(Status::SegmentTooLarge);
    // A SIGNED segment's alignment_pad also counts its signature footer (8 + up to 7856 bytes,
    // spec §6.10; see rvf/crypto/segment_signature.hpp).
    if (h.alignment_pad >= kSegmentAlignment + ((h.flags & SegFlag::Signed) ? kMaxSignatureFooter : 0))
        return RVF_CORRUPT(Status::AlignmentError);
    return Status::Ok;
}

/// Decode + validate a header found at `offset` in a file of `file_size` bytes:
/// the payload and its declared padding must lie inside the file.
constexpr Status decode_segment_header(ByteView bytes, uint64_t offset, uint64_t file_size, SegmentHeader &h) {
    RVF_TRY(decode_segment_header_raw(bytes, h));
    RVF_TRY(validate_segment_header(h));
    uint64_t end = 0;
    if (add_overflows(offset, kSegmentHeaderSize, &end) || add_overflows(end, h.payload_length, &end) ||
        add_overflows(end, h.alignment_pad, &end) || end > file_size)
        return RVF_CORRUPT(Status::TruncatedSegment);
    return Status::Ok;
}

/// Encode a header into exactly 64 bytes at `out` (which must have room).
constexpr void encode_segment_header(const SegmentHeader &h, uint8_t *out) {
    store_u32_le(out + seg_off::magic, h.magic);
    out[seg_off::version] = h.version;
    out[seg_off::seg_type] = h.seg_type;
    store_u16_le(out + seg_off::flags, h.flags);
    store_u64_le(out + seg_off::segment_id, h.segment_id);
    store_u64_le(out + seg_off::payload_length, h.payload_length);
    store_u64_le(out + seg_off::timestamp_ns, h.timestamp_ns);
    out[seg_off::checksum_algo] = h.checksum_algo;
    out[seg_off::compression] = h.compression;
    store_u16_le(out + seg_off::reserved_0, h.reserved_0);
    store_u32_le(out + seg_off::reserved_1, h.reserved_1);
    for (int i = 0; i < 16; ++i)
        out[seg_off::content_hash + i] = h.content_hash[i];
    store_u32_le(out + seg_off::uncompressed_len, h.uncompressed_len);
    store_u32_le(out + seg_off::alignment_pad, h.alignment_pad);
}

/// Bytes a Layout S segment occupies on disk: header + payload rounded up to 64.
constexpr uint64_t layout_s_segment_span(uint64_t payload_length) {
    return align_up(kSegmentHeaderSize + payload_length, kSegmentAlignment);
}
/// Zero bytes Layout S writes after a payload of this length.
constexpr uint32_t layout_s_pad(uint64_t payload_length) {
    return static_cast<uint32_t>(layout_s_segment_span(payload_length) - kSegmentHeaderSize - payload_length);
}

} // namespace rvf::core

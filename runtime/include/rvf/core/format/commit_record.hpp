// rvf/core/format/commit_record.hpp — the COMMIT segment (type 0xF0, from the spec's range for
// implementation extensions): what makes one commit durable between two checkpoints.
//
// A commit appends its segments, then one COMMIT segment naming them, then syncs once. Every
// few megabytes (and at close) a commit ends with a full MANIFEST instead — a checkpoint, the
// only thing boot and other readers need to find. Recovery takes the latest valid checkpoint and
// adopts the COMMIT records after it in order (README "Format decisions").
//
// Payload (LE), 48-byte fixed part then `segment_count` 40-byte entries (a one-row commit's
// record — VEC + WITNESS — is 128 bytes, one 192-byte segment):
//  off   size  type  field
//  0x00  4     u32   magic "RVCM" (0x4D435652)
//  0x04  2     u16   version (1)
//  0x06  2     u16   segment_count          segments of this commit, in file order: the first
//                                           starts where the previous record (or the checkpoint)
//                                           ends, the others follow contiguously, and this record
//                                           follows the last one
//  0x08  4     u32   epoch                  the store's epoch after this commit
//  0x0C  4     u32   reserved 0
//  0x10  8     u64   checkpoint_offset      MANIFEST header this chain continues
//  0x18  8     u64   prev_offset            previous COMMIT header, or checkpoint_offset
//  0x20  8     u64   total_vector_count     live rows after this commit
//  0x28  8     u64   modified_ns
// Entry: u64 segment_id | u64 payload_length (as stored) | u8 seg_type | u8 compression |
//        u16 flags | u32 reserved 0 | u8[16] content_hash
// Decoder rules: exact size, magic, version, reserved fields zero. Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"
#include "segment_header.hpp"

namespace rvf::core {

inline constexpr uint8_t kCommitSegType = 0xF0;
inline constexpr uint32_t kCommitMagic = 0x4D435652; // "RVCM"
inline constexpr uint16_t kCommitVersion = 1;
inline constexpr size_t kCommitFixedSize = 48;
inline constexpr size_t kCommitEntrySize = 40;
/// Commits naming more segments than this end with a checkpoint instead of a record.
inline constexpr uint16_t kCommitMaxSegments = 256;

namespace commit_off {
inline constexpr size_t magic = 0x00, version = 0x04, segment_count = 0x06, epoch = 0x08, reserved0 = 0x0C,
                        checkpoint_offset = 0x10, prev_offset = 0x18, total_vector_count = 0x20,
                        modified_ns = 0x28;
static_assert(modified_ns + 8 == kCommitFixedSize, "COMMIT fixed part is 48 bytes");
} // namespace commit_off

struct CommitSegmentRef {
    uint64_t segment_id = 0;
    uint64_t payload_length = 0;
    uint8_t seg_type = 0;
    uint8_t compression = 0;
    uint16_t flags = 0;
    uint8_t content_hash[16] = {};
};

struct CommitHeader {
    uint16_t segment_count = 0;
    uint32_t epoch = 0;
    uint64_t checkpoint_offset = 0;
    uint64_t prev_offset = 0;
    uint64_t total_vector_count = 0;
    uint64_t modified_ns = 0;
};

constexpr size_t commit_record_size(size_t segment_count) { return kCommitFixedSize + segment_count * kCommitEntrySize; }

/// Write the record into `w` (which must have commit_record_size(h.segment_count) bytes left).
constexpr Status encode_commit_record(ByteWriter &w, const CommitHeader &h, const CommitSegmentRef *segs) {
    if (h.segment_count > kCommitMaxSegments)
        return Status::InvalidArgument;
    w.u32(kCommitMagic);
    w.u16(kCommitVersion);
    w.u16(h.segment_count);
    w.u32(h.epoch);
    w.u32(0);
    w.u64(h.checkpoint_offset);
    w.u64(h.prev_offset);
    w.u64(h.total_vector_count);
    w.u64(h.modified_ns);
    for (uint16_t i = 0; i < h.segment_count; ++i) {
        const CommitSegmentRef &s = segs[i];
        w.u64(s.segment_id);
        w.u64(s.payload_length);
        w.u8(s.seg_type);
        w.u8(s.compression);
        w.u16(s.flags);
        w.u32(0);
        w.bytes(ByteView(s.content_hash, 16));
    }
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// A parsed record; entries are read on demand from the payload.
struct CommitRecordView {
    CommitHeader header;
    ByteView entries;

    constexpr CommitSegmentRef entry(size_t i) const {
        const uint8_t *p = entries.data + i * kCommitEntrySize;
        CommitSegmentRef s;
        s.segment_id = load_u64_le(p);
        s.payload_length = load_u64_le(p + 8);
        s.seg_type = p[16];
        s.compression = p[17];
        s.flags = load_u16_le(p + 18);
        for (size_t k = 0; k < 16; ++k)
            s.content_hash[k] = p[24 + k];
        return s;
    }

    static constexpr Status parse(ByteView payload, CommitRecordView &out) {
        if (payload.size < kCommitFixedSize)
            return RVF_CORRUPT(Status::TruncatedSegment);
        const uint8_t *p = payload.data;
        if (load_u32_le(p + commit_off::magic) != kCommitMagic)
            return RVF_CORRUPT(Status::InvalidMagic);
        if (load_u16_le(p + commit_off::version) != kCommitVersion)
            return RVF_CORRUPT(Status::InvalidVersion);
        if (load_u32_le(p + commit_off::reserved0) != 0)
            return RVF_CORRUPT(Status::InvalidManifest);
        CommitHeader h;
        h.segment_count = load_u16_le(p + commit_off::segment_count);
        h.epoch = load_u32_le(p + commit_off::epoch);
        h.checkpoint_offset = load_u64_le(p + commit_off::checkpoint_offset);
        h.prev_offset = load_u64_le(p + commit_off::prev_offset);
        h.total_vector_count = load_u64_le(p + commit_off::total_vector_count);
        h.modified_ns = load_u64_le(p + commit_off::modified_ns);
        if (h.segment_count > kCommitMaxSegments || payload.size != commit_record_size(h.segment_count))
            return RVF_CORRUPT(Status::InvalidManifest);
        for (size_t i = 0; i < h.segment_count; ++i)
            if (load_u32_le(p + kCommitFixedSize + i * kCommitEntrySize + 20) != 0)
                return RVF_CORRUPT(Status::InvalidManifest);
        out.header = h;
        out.entries = payload.sub(kCommitFixedSize, payload.size - kCommitFixedSize);
        return Status::Ok;
    }
};

/// Header offset of a COMMIT record whose payload and padding end exactly at `end` (a multiple
/// of 64), judged by its payload alone (magic + a segment count whose record spans to `end`), or
/// false. `bytes` holds the file's bytes [base, end); candidates start at or after min_offset.
/// A record found this way was written to its end, so a flipped byte in its header cannot turn
/// the commit into a droppable torn tail.
constexpr bool find_record_ending_at(ByteView bytes, uint64_t base, uint64_t min_offset, uint64_t &out) {
    const uint64_t end = base + bytes.size;
    const uint64_t longest = layout_s_segment_span(commit_record_size(kCommitMaxSegments));
    if (end % kSegmentAlignment != 0 || bytes.size < 2 * kSegmentHeaderSize)
        return false;
    uint64_t lowest = end > longest ? end - longest : 0;
    lowest = lowest > min_offset ? lowest : min_offset;
    lowest = lowest > base ? lowest : base;
    for (uint64_t hdr = end - 2 * kSegmentHeaderSize;; hdr -= kSegmentAlignment) {
        if (hdr < lowest)
            return false;
        const uint8_t *p = bytes.data + (hdr + kSegmentHeaderSize - base);
        const uint16_t count = load_u16_le(p + commit_off::segment_count);
        if (load_u32_le(p) == kCommitMagic && count <= kCommitMaxSegments &&
            layout_s_segment_span(commit_record_size(count)) == end - hdr) {
            out = hdr;
            return true;
        }
        if (hdr < kSegmentAlignment)
            return false;
    }
}

/// Where the next COMMIT record must continue the chain: after the checkpoint at
/// checkpoint_offset and the link at prev_offset (the checkpoint or the previous record, whose
/// segment id is prev_segment_id and epoch prev_epoch).
struct CommitLink {
    uint64_t checkpoint_offset = 0;
    uint64_t prev_offset = 0;
    uint64_t prev_segment_id = 0;
    uint32_t prev_epoch = 0;
};

/// Does `v` (the payload of a COMMIT segment whose header is `record`) commit exactly the `n`
/// segments `segs` (headers in file order, contiguous from the end of the previous link) as the next
/// link? Ids must run on from link.prev_segment_id through the record itself, and every entry
/// must repeat its segment's header (type, stored length, compression, flags, content hash).
/// The caller has checked every content hash. InvalidManifest when anything disagrees.
constexpr Status check_commit_link(const CommitRecordView &v, const SegmentHeader &record, const SegmentHeader *segs,
                                   size_t n, const CommitLink &link) {
    const CommitHeader &h = v.header;
    if (h.checkpoint_offset != link.checkpoint_offset || h.prev_offset != link.prev_offset || h.epoch != link.prev_epoch + 1 ||
        h.segment_count != n || record.flags != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    uint64_t id = link.prev_segment_id;
    for (size_t k = 0; k < n; ++k) {
        const CommitSegmentRef e = v.entry(k);
        const SegmentHeader &sh = segs[k];
        if (sh.segment_id != e.segment_id || e.segment_id != ++id || sh.seg_type != e.seg_type ||
            sh.payload_length != e.payload_length || sh.compression != e.compression || sh.flags != e.flags)
            return RVF_CORRUPT(Status::InvalidManifest);
        for (size_t b = 0; b < 16; ++b)
            if (sh.content_hash[b] != e.content_hash[b])
                return RVF_CORRUPT(Status::InvalidManifest);
    }
    return record.segment_id == id + 1 ? Status::Ok : RVF_CORRUPT(Status::InvalidManifest);
}

} // namespace rvf::core

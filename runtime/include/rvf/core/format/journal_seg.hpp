// rvf/core/format/journal_seg.hpp — Layout S JOURNAL_SEG payload (spec §6.8, spec 07 §3).
// Layout R's runtime journal (16-B header, packed 12-B entries, §3.5) is a different codec.
//
// Header (64 B, LE):
//  off   size  type  field
//  0x00  4     u32   entry_count
//  0x04  4     u32   journal_epoch
//  0x08  8     u64   prev_journal_seg_id   0 if first
//  0x10  4     u32   flags                 reserved, must be 0
//  0x14  44    —     zeros
// Entries from 0x40, each starting 8-aligned (relative to payload start):
//  +0    1     u8    entry_type            JournalEntryType (1-5)
//  +1    1     u8    reserved              0
//  +2    2     u16   entry_length          payload bytes (excludes this 4-byte entry header)
//  +4    len         payload
//  ...   pad         zeros to a multiple of 8
// Payloads:
//  0x01 DELETE_VECTOR    u64 vector_id                                        (8)
//  0x02 DELETE_RANGE     u64 start_id (incl) ‖ u64 end_id (excl), start < end  (16)
//  0x03 UPDATE_METADATA  u64 vector_id ‖ u16 key_len ‖ key ‖ u16 val_len ‖ val (12 + k + v)
//  0x04 MOVE_VECTOR      u64 vector_id ‖ u64 src_seg ‖ u64 dst_seg             (24)
//  0x05 REMAP_ID         u64 old_id ‖ u64 new_id                               (16)
//
// Padding reading: spec 07's worked example omits the pad after 16-byte payloads; we follow the
// normative "entries begin 8-aligned" text (spec §14 #6). Decoder rules: exactly entry_count
// entries, then the payload ends; reserved bytes and padding zero; fixed-size payloads have
// exactly their size; UPDATE_METADATA's inner lengths add up to entry_length; unknown entry
// types are rejected (they cannot be applied safely). Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"

namespace rvf::core {

inline constexpr size_t kJournalHeaderSize = 64;
inline constexpr size_t kJournalEntryHeaderSize = 4;
inline constexpr size_t kJournalEntryAlign = 8;

namespace journal_off {
inline constexpr size_t entry_count = 0x00, journal_epoch = 0x04, prev_journal_seg_id = 0x08, flags = 0x10,
                        reserved = 0x14;
static_assert(reserved + 44 == kJournalHeaderSize, "JOURNAL_SEG header is 64 bytes");
} // namespace journal_off

enum class JournalEntryType : uint8_t {
    DeleteVector = 0x01,
    DeleteRange = 0x02,
    UpdateMetadata = 0x03,
    MoveVector = 0x04,
    RemapId = 0x05,
};

struct JournalHeader {
    uint32_t entry_count = 0;
    uint32_t journal_epoch = 0;
    uint64_t prev_journal_seg_id = 0;
    uint32_t flags = 0;
};

/// A decoded entry. Field use per type:
///  DeleteVector: a = vector_id · DeleteRange: a = start, b = end · UpdateMetadata: a = vector_id,
///  key, value · MoveVector: a = vector_id, b = src_seg, c = dst_seg · RemapId: a = old, b = new.
struct JournalEntry {
    JournalEntryType type = JournalEntryType::DeleteVector;
    uint64_t a = 0, b = 0, c = 0;
    ByteView key;
    ByteView value;

    constexpr uint64_t vector_id() const { return a; }
    constexpr uint64_t range_start() const { return a; }
    constexpr uint64_t range_end() const { return b; }
    constexpr uint64_t src_seg() const { return b; }
    constexpr uint64_t dst_seg() const { return c; }
    constexpr uint64_t old_id() const { return a; }
    constexpr uint64_t new_id() const { return b; }
};

/// Payload length for an entry (what entry_length will hold).
constexpr size_t journal_entry_payload_size(const JournalEntry &e) {
    switch (e.type) {
    case JournalEntryType::DeleteVector:
        return 8;
    case JournalEntryType::DeleteRange:
        return 16;
    case JournalEntryType::UpdateMetadata:
        return 12 + e.key.size + e.value.size;
    case JournalEntryType::MoveVector:
        return 24;
    case JournalEntryType::RemapId:
        return 16;
    }
    return 0;
}

namespace detail {
/// Decode one entry at r.pos() (8-aligned) and skip its padding.
constexpr Status read_journal_entry(ByteReader &r, JournalEntry &e) {
    const uint8_t type = r.u8();
    const uint8_t reserved = r.u8();
    const uint16_t len = r.u16();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    ByteReader p(r.bytes(len));
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (reserved != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    e = JournalEntry{};
    size_t fixed = 0;
    switch (type) {
    case 0x01:
        fixed = 8;
        break;
    case 0x02:
    case 0x05:
        fixed = 16;
        break;
    case 0x04:
        fixed = 24;
        break;
    case 0x03:
        break;
    default:
        return RVF_CORRUPT(Status::InvalidManifest);
    }
    e.type = static_cast<JournalEntryType>(type);
    if (type == 0x03) {
        e.a = p.u64();
        e.key = p.bytes(p.u16());
        e.value = p.bytes(p.u16());
        if (!p.ok() || !p.at_end())
            return RVF_CORRUPT(Status::InvalidManifest);
    } else {
        if (len != fixed)
            return RVF_CORRUPT(Status::InvalidManifest);
        e.a = p.u64();
        if (fixed >= 16)
            e.b = p.u64();
        if (fixed >= 24)
            e.c = p.u64();
        if (type == 0x02 && !(e.a < e.b))
            return RVF_CORRUPT(Status::InvalidManifest);
    }
    const size_t pad = static_cast<size_t>(align_up(r.pos(), kJournalEntryAlign)) - r.pos();
    if (!r.has(pad))
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (!r.skip_zero_pad(kJournalEntryAlign))
        return RVF_CORRUPT(Status::AlignmentError);
    return Status::Ok;
}
} // namespace detail

/// Sequential reader over a validated journal.
class JournalCursor {
public:
    constexpr JournalCursor(ByteView payload, uint32_t count) : r_(payload), left_(count) {
        r_.seek(kJournalHeaderSize);
    }
    constexpr bool next(JournalEntry &e) {
        if (left_ == 0 || detail::read_journal_entry(r_, e) != Status::Ok)
            return false;
        --left_;
        return true;
    }

private:
    ByteReader r_;
    uint32_t left_;
};

struct JournalSegView {
    ByteView payload;
    JournalHeader header;

    constexpr JournalCursor cursor() const { return JournalCursor(payload, header.entry_count); }

    /// Errors: TruncatedSegment, InvalidManifest (flags/reserved non-zero, bad entry, bytes after
    /// the last entry), AlignmentError (non-zero entry padding).
    static constexpr Status parse(ByteView payload, JournalSegView &out) {
        ByteReader r(payload);
        JournalHeader h;
        h.entry_count = r.u32();
        h.journal_epoch = r.u32();
        h.prev_journal_seg_id = r.u64();
        h.flags = r.u32();
        if (!r.ok() || !r.has(kJournalHeaderSize - journal_off::reserved))
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (h.flags != 0 || !r.skip_zero_pad(kJournalHeaderSize))
            return RVF_CORRUPT(Status::InvalidManifest);
        // Every entry type's payload is ≥ 8 bytes, so an entry spans ≥ 16: bound the walk.
        if (h.entry_count > r.remaining() / 16)
            return RVF_CORRUPT(Status::TruncatedSegment);
        for (uint32_t i = 0; i < h.entry_count; ++i) {
            JournalEntry e;
            RVF_TRY(detail::read_journal_entry(r, e));
        }
        if (!r.at_end())
            return RVF_CORRUPT(Status::InvalidManifest);
        out.payload = payload;
        out.header = h;
        return Status::Ok;
    }
};

/// Write a JOURNAL_SEG payload (header.entry_count is taken from n; flags written as given and
/// must be 0). Errors: InvalidArgument (flags ≠ 0, DeleteRange with start ≥ end, key/value over
/// 65535 bytes or an entry over 65535, unknown type), OutOfMemory.
constexpr Status encode_journal_seg(ByteWriter &w, const JournalHeader &header, const JournalEntry *entries, size_t n) {
    if (header.flags != 0 || n > UINT32_MAX || (n > 0 && entries == nullptr))
        return Status::InvalidArgument;
    for (size_t i = 0; i < n; ++i) {
        const JournalEntry &e = entries[i];
        const auto t = static_cast<uint8_t>(e.type);
        if (t < 0x01 || t > 0x05 || journal_entry_payload_size(e) > UINT16_MAX ||
            (e.type == JournalEntryType::DeleteRange && !(e.a < e.b)))
            return Status::InvalidArgument;
    }
    w.u32(static_cast<uint32_t>(n));
    w.u32(header.journal_epoch);
    w.u64(header.prev_journal_seg_id);
    w.u32(header.flags);
    w.zeros(kJournalHeaderSize - journal_off::reserved);
    for (size_t i = 0; i < n; ++i) {
        const JournalEntry &e = entries[i];
        const size_t len = journal_entry_payload_size(e);
        w.u8(static_cast<uint8_t>(e.type));
        w.u8(0);
        w.u16(static_cast<uint16_t>(len));
        w.u64(e.a);
        if (e.type == JournalEntryType::UpdateMetadata) {
            w.u16(static_cast<uint16_t>(e.key.size));
            w.bytes(e.key);
            w.u16(static_cast<uint16_t>(e.value.size));
            w.bytes(e.value);
        } else {
            if (len >= 16)
                w.u64(e.b);
            if (len >= 24)
                w.u64(e.c);
        }
        const size_t raw = kJournalEntryHeaderSize + len;
        w.zeros(static_cast<size_t>(align_up(raw, kJournalEntryAlign)) - raw);
    }
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

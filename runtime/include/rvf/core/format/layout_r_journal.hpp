// rvf/core/format/layout_r_journal.hpp — JOURNAL payload (seg type 0x04), Layout R (spec §3.5).
//
//  off   size  type   field
//  0      4    u32    entry_count
//  4      4    u32    epoch                  the epoch the delete produced
//  8      8    u64    prev_journal_seg_id    always 0 as written by the runtime
//  16   12·n   entry  u8 entry_type (0x01 DELETE_VECTOR) | u8 0 | u16 entry_length = 8 | u64 vector_id
//
// Packed (no 64-B header, no 8-B entry alignment — that is the spec form, §6.8). Entries are a
// fixed 12 bytes, so entry_length must be 8 or the framing means nothing. The runtime never
// reads journals back (the manifest's deletion list restores state); this codec exists for
// byte parity and inspection. Little-endian. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"  // ByteView, ByteReader, ByteWriter
#include "../status.hpp" // Status, RVF_CORRUPT

namespace rvf::core {

inline constexpr size_t kLayoutRJournalHeaderSize = 16;
inline constexpr size_t kLayoutRJournalEntrySize = 12;
inline constexpr uint8_t kJournalDeleteVector = 0x01;
inline constexpr uint16_t kLayoutRJournalEntryLength = 8;

struct LayoutRJournalEntry {
    uint8_t entry_type = kJournalDeleteVector;
    uint8_t reserved = 0;
    uint16_t entry_length = kLayoutRJournalEntryLength;
    uint64_t vector_id = 0;
};
static_assert(1 + 1 + 2 + 8 == kLayoutRJournalEntrySize, "journal entry is 12 bytes");

struct LayoutRJournalView {
    uint32_t entry_count = 0;
    uint32_t epoch = 0;
    uint64_t prev_journal_seg_id = 0;
    ByteView entries{}; // entry_count × 12 bytes

    constexpr LayoutRJournalEntry entry(uint32_t i) const {
        const uint8_t *p = entries.data + static_cast<size_t>(i) * kLayoutRJournalEntrySize;
        LayoutRJournalEntry e;
        e.entry_type = p[0];
        e.reserved = p[1];
        e.entry_length = load_u16_le(p + 2);
        e.vector_id = load_u64_le(p + 4);
        return e;
    }
    constexpr uint64_t vector_id(uint32_t i) const {
        return load_u64_le(entries.data + static_cast<size_t>(i) * kLayoutRJournalEntrySize + 4);
    }
};

/// Decode and validate. Ok; TruncatedSegment (header short or fewer than entry_count entries);
/// InvalidManifest (bytes after the last entry, or an entry whose entry_length is not 8).
/// Entry types other than DELETE_VECTOR are kept (the caller decides what to do with them).
constexpr Status decode_layout_r_journal(ByteView payload, LayoutRJournalView &out) {
    out = LayoutRJournalView{};
    ByteReader r(payload);
    out.entry_count = r.u32();
    out.epoch = r.u32();
    out.prev_journal_seg_id = r.u64();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    const uint64_t body = static_cast<uint64_t>(out.entry_count) * kLayoutRJournalEntrySize; // < 2^36
    if (body > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (body != r.remaining())
        return RVF_CORRUPT(Status::InvalidManifest);
    out.entries = r.bytes(static_cast<size_t>(body));
    for (uint32_t i = 0; i < out.entry_count; ++i)
        if (out.entry(i).entry_length != kLayoutRJournalEntryLength)
            return RVF_CORRUPT(Status::InvalidManifest);
    return Status::Ok;
}

/// Write a deletion journal the way the runtime does: one DELETE_VECTOR entry per id, in order.
/// Returns Ok, or InvalidArgument (null ids with count > 0, writer out of room).
constexpr Status encode_layout_r_journal(ByteWriter &w, uint32_t epoch, const uint64_t *ids, uint32_t count,
                                         uint64_t prev_journal_seg_id = 0) {
    if (count && !ids)
        return Status::InvalidArgument;
    w.u32(count);
    w.u32(epoch);
    w.u64(prev_journal_seg_id);
    for (uint32_t i = 0; i < count && w.ok(); ++i) {
        w.u8(kJournalDeleteVector);
        w.u8(0);
        w.u16(kLayoutRJournalEntryLength);
        w.u64(ids[i]);
    }
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// Re-encode a decoded view verbatim (round trip).
constexpr Status encode_layout_r_journal(ByteWriter &w, const LayoutRJournalView &v) {
    if (v.entries.size != static_cast<uint64_t>(v.entry_count) * kLayoutRJournalEntrySize)
        return Status::InvalidArgument;
    w.u32(v.entry_count);
    w.u32(v.epoch);
    w.u64(v.prev_journal_seg_id);
    w.bytes(v.entries);
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

} // namespace rvf::core

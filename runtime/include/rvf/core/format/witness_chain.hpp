// rvf/core/format/witness_chain.hpp — the Layout S WITNESS_SEG payload: a hash chain of fixed
// 73-byte entries (spec §6.11, rvf-crypto form; Layout R's runtime witness is §3.9 instead).
//
// Entry (73 B, LE):
//  off   size  type   field
//  0x00  32    u8[]   prev_hash      SHAKE-256/256 of the previous entry's 73 bytes; zeros for the first
//  0x20  32    u8[]   action_hash    SHAKE-256/256 of what the entry witnesses (the store defines it)
//  0x40  8     u64    timestamp_ns
//  0x48  1     u8     witness_type   0x01 provenance · 0x02 computation · … (spec crypto doc)
// A payload is n ≥ 1 entries back to back; a length that is not a multiple of 73 is
// TruncatedSegment. The chain runs across every WITNESS_SEG of a file in file order, so a
// broken link names the first entry whose prev_hash does not match. Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../hash/shake256.hpp"
#include "../status.hpp"

namespace rvf::core {

inline constexpr size_t kWitnessEntrySize = 73;
inline constexpr size_t kWitnessDigestSize = 32;

inline constexpr uint8_t kChainWitnessProvenance = 0x01;
inline constexpr uint8_t kChainWitnessComputation = 0x02;

namespace witness_off {
inline constexpr size_t prev_hash = 0x00, action_hash = 0x20, timestamp_ns = 0x40, witness_type = 0x48;
static_assert(witness_type + 1 == kWitnessEntrySize, "entry is 73 bytes");
} // namespace witness_off

struct WitnessEntry {
    uint8_t prev_hash[kWitnessDigestSize] = {};
    uint8_t action_hash[kWitnessDigestSize] = {};
    uint64_t timestamp_ns = 0;
    uint8_t witness_type = kChainWitnessProvenance;
};

constexpr void encode_witness_entry(const WitnessEntry &e, uint8_t out[kWitnessEntrySize]) {
    for (size_t i = 0; i < kWitnessDigestSize; ++i) {
        out[witness_off::prev_hash + i] = e.prev_hash[i];
        out[witness_off::action_hash + i] = e.action_hash[i];
    }
    store_u64_le(out + witness_off::timestamp_ns, e.timestamp_ns);
    out[witness_off::witness_type] = e.witness_type;
}

constexpr WitnessEntry decode_witness_entry(const uint8_t in[kWitnessEntrySize]) {
    WitnessEntry e;
    for (size_t i = 0; i < kWitnessDigestSize; ++i) {
        e.prev_hash[i] = in[witness_off::prev_hash + i];
        e.action_hash[i] = in[witness_off::action_hash + i];
    }
    e.timestamp_ns = load_u64_le(in + witness_off::timestamp_ns);
    e.witness_type = in[witness_off::witness_type];
    return e;
}

/// The link value the next entry must carry: SHAKE-256/256 of this entry's 73 bytes.
constexpr void witness_link_hash(const uint8_t entry[kWitnessEntrySize], uint8_t out[kWitnessDigestSize]) {
    shake256(ByteView(entry, kWitnessEntrySize), out, kWitnessDigestSize);
}

/// A validated payload: entry(i) points into the payload bytes.
struct WitnessSegView {
    ByteView bytes;
    size_t count = 0;

    constexpr const uint8_t *entry_bytes(size_t i) const { return bytes.data + i * kWitnessEntrySize; }
    constexpr WitnessEntry entry(size_t i) const { return decode_witness_entry(entry_bytes(i)); }

    /// TruncatedSegment: empty or not a whole number of entries.
    static constexpr Status parse(ByteView payload, WitnessSegView &out) {
        if (payload.size == 0 || payload.size % kWitnessEntrySize != 0)
            return RVF_CORRUPT(Status::TruncatedSegment);
        out.bytes = payload;
        out.count = payload.size / kWitnessEntrySize;
        return Status::Ok;
    }
};

} // namespace rvf::core

// rvf/core/format/layout_r_witness.hpp — WITNESS payload (seg type 0x0A), Layout R (spec §3.9).
//
//  off      size  type     field
//  0         1    u8       witness_type   0x00 DATA_PROVENANCE (delete), 0x01 COMPUTATION (ingest,
//                                         compact, query audit)
//  1         8    u64      timestamp_ns   wall clock
//  9         4    u32      action_len
//  13        L    u8[L]    action         ASCII, e.g. "ingest:count=1000,epoch=1"
//  13+L     32    u8[32]   prev_hash      zeros for the first witness of a session; otherwise
//                                         fold_hash(previous witness's whole payload)
//
// Total 45 + L bytes. The chain hash is the runtime's 32-byte fold (hash/fold_hash.hpp), not
// SHAKE; it restarts from zeros after every reopen, so a chain can only be checked between
// consecutive witnesses written in one session. Little-endian. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"          // ByteView, ByteReader, ByteWriter
#include "../hash/fold_hash.hpp" // fold_hash, the chain link
#include "../status.hpp"         // Status, RVF_CORRUPT

namespace rvf::core {

inline constexpr size_t kLayoutRWitnessFixedSize = 1 + 8 + 4 + 32; // 45
inline constexpr size_t kWitnessHashSize = 32;
inline constexpr uint8_t kWitnessDataProvenance = 0x00;
inline constexpr uint8_t kWitnessComputation = 0x01;

struct LayoutRWitnessView {
    uint8_t witness_type = 0;
    uint64_t timestamp_ns = 0;
    ByteView action{};    // action_len bytes, not NUL-terminated
    ByteView prev_hash{}; // 32 bytes

    constexpr bool prev_hash_is_zero() const {
        for (size_t i = 0; i < prev_hash.size; ++i)
            if (prev_hash.data[i] != 0)
                return false;
        return true;
    }
};

/// Decode. Ok; TruncatedSegment (fixed fields, action or prev_hash cut short);
/// InvalidManifest (bytes after prev_hash). The witness type byte is not judged.
constexpr Status decode_layout_r_witness(ByteView payload, LayoutRWitnessView &out) {
    out = LayoutRWitnessView{};
    ByteReader r(payload);
    out.witness_type = r.u8();
    out.timestamp_ns = r.u64();
    const uint32_t len = r.u32();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (len > r.remaining() || r.remaining() - len < kWitnessHashSize)
        return RVF_CORRUPT(Status::TruncatedSegment);
    out.action = r.bytes(len);
    out.prev_hash = r.bytes(kWitnessHashSize);
    if (!r.at_end())
        return RVF_CORRUPT(Status::InvalidManifest);
    return Status::Ok;
}

/// Write a witness payload. `prev_hash` null means 32 zero bytes (first witness of a session).
/// Returns Ok, or InvalidArgument (null action with len > 0, writer out of room).
constexpr Status encode_layout_r_witness(ByteWriter &w, uint8_t witness_type, uint64_t timestamp_ns,
                                         const uint8_t *action, uint32_t action_len,
                                         const uint8_t prev_hash[kWitnessHashSize]) {
    if (action_len && !action)
        return Status::InvalidArgument;
    w.u8(witness_type);
    w.u64(timestamp_ns);
    w.u32(action_len);
    w.bytes(action, action_len);
    if (prev_hash)
        w.bytes(prev_hash, kWitnessHashSize);
    else
        w.zeros(kWitnessHashSize);
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// Re-encode a decoded view (round trip).
constexpr Status encode_layout_r_witness(ByteWriter &w, const LayoutRWitnessView &v) {
    if (v.prev_hash.size != kWitnessHashSize || static_cast<uint64_t>(v.action.size) > 0xFFFFFFFFull)
        return Status::InvalidArgument;
    return encode_layout_r_witness(w, v.witness_type, v.timestamp_ns, v.action.data,
                                   static_cast<uint32_t>(v.action.size), v.prev_hash.data);
}

/// The prev_hash the runtime writes into the witness that follows `prev_payload`.
constexpr void layout_r_witness_chain_hash(ByteView prev_payload, uint8_t out[kWitnessHashSize]) {
    fold_hash(prev_payload, out);
}

/// True if `next` links to the witness whose whole payload is `prev_payload`.
constexpr bool layout_r_witness_links(ByteView prev_payload, const LayoutRWitnessView &next) {
    uint8_t h[kWitnessHashSize] = {};
    fold_hash(prev_payload, h);
    if (next.prev_hash.size != kWitnessHashSize)
        return false;
    for (size_t i = 0; i < kWitnessHashSize; ++i)
        if (next.prev_hash.data[i] != h[i])
            return false;
    return true;
}

} // namespace rvf::core

// rvf/core/format/audit_record.hpp — the AUDIT record segment (type 0xF1, from the spec's range
// for implementation extensions, next to COMMIT 0xF0): the payload of an action a caller appended
// to the witness chain (RvfStore::append_witness).
//
// Why a segment of its own: a witness entry is a fixed 73 bytes (spec §6.11) with no room for a
// payload, and it vouches for the segments its commit wrote through its action hash. So an
// appended action is one commit of [AUDIT record, WITNESS entry]: the record's content hash is in
// the entry's action hash, and verify() checks both the way it checks any commit. Readers that do
// not know 0xF1 skip it and rewriters copy it (unknown segment types, ADR-029), so compaction
// carries the records forward with the chain history.
//
// Payload (LE):
//  off   size  type   field
//  0x00  4     u32    magic "RVWA" (0x41575652)
//  0x04  1     u8     version (1)
//  0x05  1     u8     witness_type   the type of the entry that vouches for this record
//  0x06  2     u16    reserved 0
//  0x08  32    u8[]   prev_hash      the chain link that entry carries (pairs record and entry,
//                                    also after a compaction renumbered the segments)
//  0x28  4     u32    payload_len    ≤ kAuditMaxPayload
//  0x2C  n     u8[]   payload
// Decoder rules: exact size, magic, version, reserved zero. Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"

namespace rvf::core {

inline constexpr uint8_t kAuditSegType = 0xF1;
inline constexpr uint32_t kAuditMagic = 0x41575652; // "RVWA"
inline constexpr uint8_t kAuditVersion = 1;
inline constexpr size_t kAuditFixedSize = 0x2C;
inline constexpr size_t kAuditMaxPayload = 64 * 1024;

struct AuditRecordView {
    uint8_t witness_type = 0;
    const uint8_t *prev_hash = nullptr; ///< 32 bytes
    ByteView payload;

    static constexpr Status parse(ByteView v, AuditRecordView &out) {
        if (v.size < kAuditFixedSize)
            return RVF_CORRUPT(Status::TruncatedSegment);
        ByteReader r(v);
        if (r.u32() != kAuditMagic)
            return RVF_CORRUPT(Status::InvalidMagic);
        if (r.u8() != kAuditVersion)
            return RVF_CORRUPT(Status::InvalidVersion);
        out.witness_type = r.u8();
        if (r.u16() != 0)
            return RVF_CORRUPT(Status::InvalidManifest);
        out.prev_hash = v.data + 0x08;
        r.skip(32);
        const uint32_t n = r.u32();
        if (n > kAuditMaxPayload || v.size != kAuditFixedSize + n)
            return RVF_CORRUPT(Status::TruncatedSegment);
        out.payload = v.sub(kAuditFixedSize, n);
        return Status::Ok;
    }
};

constexpr Status encode_audit_record(ByteWriter &w, uint8_t witness_type, const uint8_t prev_hash[32],
                                     ByteView payload) {
    if (payload.size > kAuditMaxPayload)
        return Status::SegmentTooLarge;
    w.u32(kAuditMagic);
    w.u8(kAuditVersion);
    w.u8(witness_type);
    w.u16(0);
    for (size_t i = 0; i < 32; ++i)
        w.u8(prev_hash[i]);
    w.u32(static_cast<uint32_t>(payload.size));
    for (size_t i = 0; i < payload.size; ++i)
        w.u8(payload[i]);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

// rvf/core/format/file_identity.hpp — FileIdentity, the 68-byte lineage record (spec §6.1).
//
//  off  size type     field          notes
//  0x00 16   u8[16]   file_id        random / fold-hash derived; all zero = "no identity"
//  0x10 16   u8[16]   parent_id      zero for a root file
//  0x20 32   u8[32]   parent_hash    fold hash of the parent's tail (spec §3.9); zero for a root
//  0x40  4   u32      lineage_depth  0 for a root
//
// The same 68 bytes appear after the "FIDI" marker in a Layout R manifest (§3.3) and at 0xF00
// of the Layout S Level-0 root (§4.2). Little-endian. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"  // ByteView, ByteReader, ByteWriter
#include "../status.hpp" // Status, RVF_CORRUPT

namespace rvf::core {

inline constexpr size_t kFileIdentitySize = 68;

struct FileIdentity {
    uint8_t file_id[16] = {};
    uint8_t parent_id[16] = {};
    uint8_t parent_hash[32] = {};
    uint32_t lineage_depth = 0;
};

namespace file_identity_off {
inline constexpr size_t file_id = 0x00, parent_id = 0x10, parent_hash = 0x20, lineage_depth = 0x40;
static_assert(lineage_depth + 4 == kFileIdentitySize, "FileIdentity is 68 bytes");
} // namespace file_identity_off

namespace detail {
constexpr bool fi_all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (p[i] != 0)
            return false;
    return true;
}
constexpr bool fi_bytes_equal(const uint8_t *a, const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i])
            return false;
    return true;
}
} // namespace detail

/// Upstream writes the FIDI trailer only when file_id is non-zero (§3.3).
constexpr bool file_identity_present(const FileIdentity &id) { return !detail::fi_all_zero(id.file_id, 16); }
/// A root file: no parent, depth 0.
constexpr bool file_identity_is_root(const FileIdentity &id) {
    return id.lineage_depth == 0 && detail::fi_all_zero(id.parent_id, 16) && detail::fi_all_zero(id.parent_hash, 32);
}
constexpr bool operator==(const FileIdentity &a, const FileIdentity &b) {
    return detail::fi_bytes_equal(a.file_id, b.file_id, 16) && detail::fi_bytes_equal(a.parent_id, b.parent_id, 16) &&
           detail::fi_bytes_equal(a.parent_hash, b.parent_hash, 32) && a.lineage_depth == b.lineage_depth;
}

/// Read 68 bytes at the reader's position. TruncatedSegment if fewer remain (reader then fails).
/// Every bit pattern is a valid identity, so nothing else can go wrong.
constexpr Status decode_file_identity(ByteReader &r, FileIdentity &out) {
    r.copy(out.file_id, 16);
    r.copy(out.parent_id, 16);
    r.copy(out.parent_hash, 32);
    out.lineage_depth = r.u32();
    return r.ok() ? Status::Ok : RVF_CORRUPT(Status::TruncatedSegment);
}

/// Decode exactly 68 bytes (TruncatedSegment if `bytes` is shorter; extra bytes are ignored).
constexpr Status decode_file_identity(ByteView bytes, FileIdentity &out) {
    ByteReader r(bytes);
    return decode_file_identity(r, out);
}

/// Append the 68 bytes. False if the writer is out of room (the writer then stays failed).
constexpr bool encode_file_identity(ByteWriter &w, const FileIdentity &id) {
    w.bytes(id.file_id, 16);
    w.bytes(id.parent_id, 16);
    w.bytes(id.parent_hash, 32);
    return w.u32(id.lineage_depth);
}

} // namespace rvf::core

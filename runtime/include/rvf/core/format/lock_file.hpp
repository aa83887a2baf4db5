// rvf/core/format/lock_file.hpp — the writer lock record in `<path>.lock` (spec §11).
//
//  off   size  type    field
//  0x00  4     u32     magic          0x52564C46 "RVLF" (bytes on disk "FLVR")
//  0x04  4     u32     pid
//  0x08  64    u8[64]  hostname       NUL-terminated; writers copy at most 62 bytes
//  0x48  8     u64     timestamp_ns
//  0x50  16    u8[16]  writer_id      random; release deletes the file only if it still matches
//  0x60  4     u32     lock_version   1, or 2 = the holder also holds an OS lock on this file
//  0x64  4     u32     checksum       IEEE CRC32 (zlib) of bytes 0x00-0x63
// Total 104 bytes. The spec document says CRC32C; the code and npm use IEEE CRC32 (spec §12 #27),
// which is what is written and checked here. Upstream does not verify the checksum on read; we
// do, so a torn or garbled lock reads as InvalidChecksum and the caller may treat it as stale.
// Freestanding; the acquire/stale/release protocol is in the hosted runtime.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../hash/crc32.hpp"
#include "../status.hpp"

namespace rvf::core {

inline constexpr uint32_t kLockMagic = 0x52564C46; // "RVLF"
inline constexpr uint32_t kLockVersion = 1;
/// Written by our native writers, which also hold an OS lock (fcntl OFD / flock) on the lock file
/// while they live: when that OS lock can be taken, the holder is gone, whatever the record says.
/// Upstream does not read lock_version, so it judges these records exactly like version 1.
inline constexpr uint32_t kLockVersionOsLocked = 2;
inline constexpr size_t kLockFileSize = 104;
inline constexpr size_t kLockHostnameSize = 64;
inline constexpr size_t kLockHostnameMaxCopy = 62;

namespace lock_off {
inline constexpr size_t magic = 0x00, pid = 0x04, hostname = 0x08, timestamp_ns = 0x48, writer_id = 0x50,
                        lock_version = 0x60, checksum = 0x64;
static_assert(timestamp_ns == hostname + kLockHostnameSize, "hostname is 64 bytes");
static_assert(checksum + 4 == kLockFileSize, "lock record is 104 bytes");
} // namespace lock_off

struct LockRecord {
    uint32_t pid = 0;
    uint8_t hostname[kLockHostnameSize] = {};
    uint64_t timestamp_ns = 0;
    uint8_t writer_id[16] = {};
    uint32_t lock_version = kLockVersion;
    uint32_t checksum = 0; // filled by decode; encode computes it

    /// Hostname length: bytes before the first NUL (64 if none).
    constexpr size_t hostname_len() const {
        size_t n = 0;
        while (n < kLockHostnameSize && hostname[n] != 0)
            ++n;
        return n;
    }
    /// Set the hostname as upstream does: at most 62 bytes copied, the rest zero.
    constexpr void set_hostname(const char *s, size_t len) {
        const size_t n = len < kLockHostnameMaxCopy ? len : kLockHostnameMaxCopy;
        for (size_t i = 0; i < kLockHostnameSize; ++i)
            hostname[i] = i < n ? static_cast<uint8_t>(s[i]) : 0;
    }
    constexpr bool hostname_equals(const char *s, size_t len) const {
        if (hostname_len() != len)
            return false;
        for (size_t i = 0; i < len; ++i)
            if (hostname[i] != static_cast<uint8_t>(s[i]))
                return false;
        return true;
    }
};

/// Checksum over the first 100 bytes of a record.
constexpr uint32_t lock_checksum(const uint8_t *record) { return crc32_ieee_update(0, record, lock_off::checksum); }

/// Encode into exactly 104 bytes at `out` (checksum computed).
constexpr void encode_lock_file(const LockRecord &rec, uint8_t *out) {
    store_u32_le(out + lock_off::magic, kLockMagic);
    store_u32_le(out + lock_off::pid, rec.pid);
    for (size_t i = 0; i < kLockHostnameSize; ++i)
        out[lock_off::hostname + i] = rec.hostname[i];
    store_u64_le(out + lock_off::timestamp_ns, rec.timestamp_ns);
    for (size_t i = 0; i < 16; ++i)
        out[lock_off::writer_id + i] = rec.writer_id[i];
    store_u32_le(out + lock_off::lock_version, rec.lock_version);
    store_u32_le(out + lock_off::checksum, lock_checksum(out));
}

/// Decode the first 104 bytes of a lock file (longer files are read like upstream: the tail is
/// ignored). Errors: InvalidMagic (shorter than 104 bytes, or bad magic — upstream treats both
/// as an invalid lock to delete), InvalidChecksum, InvalidVersion (lock_version not 1 or 2).
constexpr Status decode_lock_file(ByteView bytes, LockRecord &rec) {
    if (bytes.size < kLockFileSize || load_u32_le(bytes.data + lock_off::magic) != kLockMagic)
        return RVF_CORRUPT(Status::InvalidMagic);
    const uint32_t stored = load_u32_le(bytes.data + lock_off::checksum);
    if (lock_checksum(bytes.data) != stored)
        return RVF_CORRUPT(Status::InvalidChecksum);
    LockRecord r;
    r.pid = load_u32_le(bytes.data + lock_off::pid);
    for (size_t i = 0; i < kLockHostnameSize; ++i)
        r.hostname[i] = bytes.data[lock_off::hostname + i];
    r.timestamp_ns = load_u64_le(bytes.data + lock_off::timestamp_ns);
    for (size_t i = 0; i < 16; ++i)
        r.writer_id[i] = bytes.data[lock_off::writer_id + i];
    r.lock_version = load_u32_le(bytes.data + lock_off::lock_version);
    r.checksum = stored;
    if (r.lock_version != kLockVersion && r.lock_version != kLockVersionOsLocked)
        return RVF_CORRUPT(Status::InvalidVersion);
    rec = r;
    return Status::Ok;
}

} // namespace rvf::core

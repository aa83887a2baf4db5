// Writer lock record (spec §11): 104-byte layout, IEEE CRC32 checksum (check value computed
// with zlib outside C++), hostname truncation, decode errors for short/bad-magic/bad-checksum.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <rvf/core/format/lock_file.hpp>

using namespace rvf::core;

namespace {
LockRecord sample() {
    LockRecord r;
    r.pid = 4242;
    r.set_hostname("host-a", 6);
    r.timestamp_ns = 0x0102030405060708ull;
    for (int i = 0; i < 16; ++i)
        r.writer_id[i] = static_cast<uint8_t>(i);
    return r;
}
// Bitwise reflected CRC-32 (poly 0xEDB88320), independent of the table-driven one under test.
uint32_t crc32_bitwise(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}
} // namespace

TEST(LockFile, LayoutAndChecksumCheckValue) {
    uint8_t b[kLockFileSize];
    std::memset(b, 0xCC, sizeof b);
    encode_lock_file(sample(), b);
    EXPECT_EQ(0, std::memcmp(b, "FLVR", 4)); // 0x52564C46 stored LE
    EXPECT_EQ(load_u32_le(b + 0x04), 4242u);
    EXPECT_EQ(0, std::memcmp(b + 0x08, "host-a", 6));
    for (size_t i = 0x08 + 6; i < 0x48; ++i)
        EXPECT_EQ(b[i], 0) << i;
    EXPECT_EQ(load_u64_le(b + 0x48), 0x0102030405060708ull);
    EXPECT_EQ(b[0x50], 0);
    EXPECT_EQ(b[0x5F], 15);
    EXPECT_EQ(load_u32_le(b + 0x60), 1u);
    // zlib.crc32 over bytes 0x00..0x63 of this exact record (computed in Python).
    EXPECT_EQ(load_u32_le(b + 0x64), 0xCD32ED74u);
    EXPECT_EQ(load_u32_le(b + 0x64), crc32_bitwise(b, 100));
}

TEST(LockFile, RoundTrip) {
    uint8_t b[kLockFileSize];
    encode_lock_file(sample(), b);
    LockRecord r;
    ASSERT_EQ(decode_lock_file(ByteView(b, sizeof b), r), Status::Ok);
    EXPECT_EQ(r.pid, 4242u);
    EXPECT_EQ(r.hostname_len(), 6u);
    EXPECT_TRUE(r.hostname_equals("host-a", 6));
    EXPECT_FALSE(r.hostname_equals("host-b", 6));
    EXPECT_FALSE(r.hostname_equals("host", 4));
    EXPECT_EQ(r.timestamp_ns, 0x0102030405060708ull);
    EXPECT_EQ(r.writer_id[7], 7);
    EXPECT_EQ(r.lock_version, 1u);
    EXPECT_EQ(r.checksum, 0xCD32ED74u);
    // A longer file decodes from its first 104 bytes, as upstream reads it.
    std::vector<uint8_t> longer(b, b + sizeof b);
    longer.resize(200, 0x77);
    EXPECT_EQ(decode_lock_file(ByteView(longer.data(), longer.size()), r), Status::Ok);
}

TEST(LockFile, HostnameTruncatedTo62Bytes) {
    LockRecord r = sample();
    const std::string longname(100, 'h');
    r.set_hostname(longname.data(), longname.size());
    EXPECT_EQ(r.hostname_len(), 62u);
    EXPECT_EQ(r.hostname[62], 0);
    EXPECT_EQ(r.hostname[63], 0);
    // Shrinking clears what was there before.
    r.set_hostname("ab", 2);
    EXPECT_EQ(r.hostname_len(), 2u);
    for (size_t i = 2; i < 64; ++i)
        EXPECT_EQ(r.hostname[i], 0);
    // 64 non-NUL bytes on disk (another writer) read as a 64-byte name.
    uint8_t b[kLockFileSize];
    encode_lock_file(sample(), b);
    std::memset(b + 8, 'x', 64);
    store_u32_le(b + 0x64, crc32_bitwise(b, 100));
    LockRecord d;
    ASSERT_EQ(decode_lock_file(ByteView(b, sizeof b), d), Status::Ok);
    EXPECT_EQ(d.hostname_len(), 64u);
}

TEST(LockFile, DecodeErrors) {
    uint8_t b[kLockFileSize];
    encode_lock_file(sample(), b);
    LockRecord r;
    for (size_t n = 0; n < kLockFileSize; ++n)
        EXPECT_EQ(decode_lock_file(ByteView(b, n), r), Status::InvalidMagic) << n;
    uint8_t q[kLockFileSize];
    std::memcpy(q, b, sizeof b);
    q[0] ^= 1;
    EXPECT_EQ(decode_lock_file(ByteView(q, sizeof q), r), Status::InvalidMagic);
    // Any single-bit flip after the magic is a checksum failure.
    for (size_t i = 4; i < kLockFileSize; ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            std::memcpy(q, b, sizeof b);
            q[i] ^= static_cast<uint8_t>(1u << bit);
            EXPECT_EQ(decode_lock_file(ByteView(q, sizeof q), r), Status::InvalidChecksum) << i << ":" << bit;
        }
    }
    // Version 2 (an OS-locked holder, ours) decodes; a version nobody writes does not.
    LockRecord v2 = sample();
    v2.lock_version = kLockVersionOsLocked;
    encode_lock_file(v2, q);
    EXPECT_EQ(decode_lock_file(ByteView(q, sizeof q), r), Status::Ok);
    EXPECT_EQ(r.lock_version, 2u);
    LockRecord v3 = sample();
    v3.lock_version = 3;
    encode_lock_file(v3, q);
    EXPECT_EQ(decode_lock_file(ByteView(q, sizeof q), r), Status::InvalidVersion);
}

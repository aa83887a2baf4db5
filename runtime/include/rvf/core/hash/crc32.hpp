// rvf/core/hash/crc32.hpp — CRC-32/IEEE (zlib's crc32) and Layout R's "legacy" content digest.
//
// CRC-32/IEEE: reflected polynomial 0xEDB88320, init 0xFFFFFFFF, final xor 0xFFFFFFFF;
// check value for "123456789" = 0xCBF43926. Used for Layout R content hashes (spec §2.4) and the
// writer lock file checksum (spec §11). Portable, table-driven, freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"

namespace rvf::core {

namespace detail {
struct Crc32Table {
    uint32_t t[256];
};
constexpr Crc32Table make_crc32_table(uint32_t poly) {
    Crc32Table tab{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
        tab.t[i] = c;
    }
    return tab;
}
inline constexpr Crc32Table kCrc32IeeeTable = make_crc32_table(0xEDB88320u);
} // namespace detail

/// Continue a CRC-32/IEEE over more bytes. Start with crc = 0; the result of one call can be
/// passed as `crc` to the next to hash data in pieces.
constexpr uint32_t crc32_ieee_update(uint32_t crc, const uint8_t *p, size_t n) {
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; ++i)
        c = detail::kCrc32IeeeTable.t[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}
constexpr uint32_t crc32_ieee(ByteView v) { return crc32_ieee_update(0, v.data, v.size); }

/// Layout R content hash for checksum_algo 0 (spec §2.4): c = crc32_ieee(payload), then 16 bytes
/// = LE(rotl(c,0)) ‖ LE(rotl(c,8)) ‖ LE(rotl(c,16)) ‖ LE(rotl(c,24)).
constexpr void layout_r_legacy_digest(uint32_t c, uint8_t out[16]) {
    for (int lane = 0; lane < 4; ++lane) {
        const int r = 8 * lane;
        const uint32_t v = r == 0 ? c : (c << r) | (c >> (32 - r));
        store_u32_le(out + 4 * lane, v);
    }
}

} // namespace rvf::core

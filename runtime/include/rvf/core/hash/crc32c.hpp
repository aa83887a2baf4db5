// rvf/core/hash/crc32c.hpp — CRC-32C (Castagnoli), portable slicing-by-8.
//
// Reflected polynomial 0x82F63B78, init 0xFFFFFFFF, final xor 0xFFFFFFFF; check value for
// "123456789" = 0xE3069283. Used for the Layout S Level-0 root checksum, VEC block CRCs and the
// microkernel's rvf_crc32c export (spec §2.4). The hosted runtime adds a hardware (SSE4.2)
// path in runtime/src/hash/; this portable one is what the microkernel and wasm builds use.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"

namespace rvf::core {

namespace detail {
struct Crc32cTables {
    uint32_t t[8][256];
};
constexpr Crc32cTables make_crc32c_tables() {
    Crc32cTables tab{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        tab.t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
        for (int s = 1; s < 8; ++s)
            tab.t[s][i] = (tab.t[s - 1][i] >> 8) ^ tab.t[0][tab.t[s - 1][i] & 0xFF];
    return tab;
}
inline constexpr Crc32cTables kCrc32cTables = make_crc32c_tables();
} // namespace detail

/// Bitwise CRC-32C with no table: slow, but adds no data to size-budgeted builds (the
/// < 8 KB microkernel, where the 8 KB slicing tables would not fit).
constexpr uint32_t crc32c_update_compact(uint32_t crc, const uint8_t *p, size_t n) {
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
    }
    return ~c;
}

/// Continue a CRC-32C over more bytes (start with crc = 0). Slicing-by-8 tables.
constexpr uint32_t crc32c_update_portable(uint32_t crc, const uint8_t *p, size_t n) {
    const auto &T = detail::kCrc32cTables.t;
    uint32_t c = ~crc;
    while (n >= 8) {
        const uint32_t lo = c ^ load_u32_le(p);
        const uint32_t hi = load_u32_le(p + 4);
        c = T[7][lo & 0xFF] ^ T[6][(lo >> 8) & 0xFF] ^ T[5][(lo >> 16) & 0xFF] ^ T[4][lo >> 24] ^
            T[3][hi & 0xFF] ^ T[2][(hi >> 8) & 0xFF] ^ T[1][(hi >> 16) & 0xFF] ^ T[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = T[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return ~c;
}
constexpr uint32_t crc32c_portable(ByteView v) { return crc32c_update_portable(0, v.data, v.size); }

} // namespace rvf::core

// rvf/core/varint.hpp — unsigned LEB128 and zigzag helpers on raw buffers.
//
// Encoding (used by INDEX adjacency lists and delta-varint id maps, spec §3.10, §6.2, §6.4):
//   7 value bits per byte, least significant group first; bit 7 set = another byte follows.
//   A u64 needs at most 10 bytes; the 10th byte may only carry bit 63 (values 0 or 1).
// Accepted on decode: any encoding of at most 10 bytes whose value fits in 64 bits, including
// non-minimal ones (e.g. 80 00 = 0) — exactly what ByteReader::varint accepts, so both decoders
// agree on every input. Rejected: truncated input, an 11th byte, and 10th-byte bits above bit 63.
// Encoders always write the minimal form.
//
// Signed values use zigzag (0,-1,1,-2,... -> 0,1,2,3,...), so small magnitudes stay short.
// These complement ByteReader/ByteWriter for code that walks a buffer with a bare offset
// (hot loops over adjacency lists, size precomputation). Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // uint8_t, uint64_t, int64_t

#include "bytes.hpp" // ByteView

namespace rvf::core {

inline constexpr size_t kMaxVarintBytes = 10;

/// Bytes encode_varint() writes for v: 1..10.
constexpr size_t varint_size(uint64_t v) {
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}

/// Write the minimal LEB128 form of v to out (room for kMaxVarintBytes needed, or at least
/// varint_size(v)); returns the number of bytes written.
constexpr size_t encode_varint(uint64_t v, uint8_t *out) {
    size_t n = 0;
    while (v >= 0x80) {
        out[n++] = static_cast<uint8_t>(v | 0x80);
        v >>= 7;
    }
    out[n++] = static_cast<uint8_t>(v);
    return n;
}

/// Decode one varint starting at in[*pos]. On success stores the value, advances *pos past it
/// and returns true. On failure (truncated, more than 10 bytes, value beyond 64 bits, or
/// *pos outside `in`) returns false and leaves *pos and *out unchanged.
constexpr bool decode_varint(ByteView in, size_t *pos, uint64_t *out) {
    size_t p = *pos;
    if (p > in.size)
        return false;
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 7 * kMaxVarintBytes; shift += 7) {
        if (p >= in.size)
            return false; // truncated
        const uint8_t b = in.data[p++];
        if (shift == 63 && (b & 0x7E) != 0)
            return false; // bits 64+ would be lost
        v |= static_cast<uint64_t>(b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
            *pos = p;
            *out = v;
            return true;
        }
    }
    return false; // continuation bit on the 10th byte
}

/// Zigzag: maps signed to unsigned so that |v| small gives a small code.
constexpr uint64_t zigzag_encode(int64_t v) {
    // Arithmetic right shift smears the sign bit (well-defined since C++20).
    return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
constexpr int64_t zigzag_decode(uint64_t u) {
    return static_cast<int64_t>((u >> 1) ^ (0 - (u & 1)));
}

} // namespace rvf::core

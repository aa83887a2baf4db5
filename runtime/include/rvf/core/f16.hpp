// rvf/core/f16.hpp — IEEE-754 binary16 (f16) and bfloat16 conversions, bit-exact and portable.
//
// Stored vector elements of dtype f16/bf16 (spec §6.1) are converted through these functions
// rather than hardware instructions, so every build (native, wasm, microkernel) produces the
// same bits. Narrowing rounds to nearest, ties to even; overflow goes to ±infinity; subnormal
// results are produced exactly; NaN stays NaN (quiet bit set, sign and top payload bits kept).
// Widening is exact. Freestanding.
#pragma once
#include <stdint.h> // uint16_t, uint32_t

namespace rvf::core {

/// binary16 bits → float (exact; subnormals normalised, NaN payload kept).
constexpr float f16_to_f32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t man = h & 0x3FFu;
    uint32_t bits = 0;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (man << 13);
    } else if (exp != 0) {
        bits = sign | ((exp + 112u) << 23) | (man << 13); // rebias 15 → 127
    } else if (man == 0) {
        bits = sign;
    } else {
        // Subnormal: value = man · 2^-24. Shift the leading 1 up to the implicit-bit position.
        exp = 113; // exponent of 2^-14, rebased
        while ((man & 0x400u) == 0) {
            man <<= 1;
            --exp;
        }
        bits = sign | (exp << 23) | ((man & 0x3FFu) << 13);
    }
    return __builtin_bit_cast(float, bits);
}

/// float → binary16 bits, round to nearest even.
constexpr uint16_t f32_to_f16(float f) {
    const uint32_t u = __builtin_bit_cast(uint32_t, f);
    const uint32_t sign = (u >> 16) & 0x8000u;
    const uint32_t e = (u >> 23) & 0xFFu;
    const uint32_t m = u & 0x7FFFFFu;
    if (e == 0xFF) {
        if (m == 0)
            return static_cast<uint16_t>(sign | 0x7C00u);
        // Quiet NaN; keep the top 9 payload bits.
        return static_cast<uint16_t>(sign | 0x7E00u | (m >> 13));
    }
    const int exp = static_cast<int>(e) - 127 + 15;
    if (exp >= 31)
        return static_cast<uint16_t>(sign | 0x7C00u);
    if (exp <= 0) {
        // Result is subnormal or zero. f32 subnormals (e == 0) are far below 2^-25: zero.
        if (e == 0)
            return static_cast<uint16_t>(sign);
        const uint32_t man = m | 0x800000u; // 24 significant bits
        const int shift = 14 - exp;         // ≥ 14
        if (shift > 24)                     // below half the smallest subnormal
            return static_cast<uint16_t>(sign);
        uint32_t r = man >> shift;
        const uint32_t rem = man & ((1u << shift) - 1u);
        const uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1u)))
            ++r; // may carry into the smallest normal: correct
        return static_cast<uint16_t>(sign | r);
    }
    uint32_t r = (static_cast<uint32_t>(exp) << 10) | (m >> 13);
    const uint32_t rem = m & 0x1FFFu;
    if (rem > 0x1000u || (rem == 0x1000u && (r & 1u)))
        ++r; // a carry out of 30 lands exactly on infinity
    return static_cast<uint16_t>(sign | r);
}

/// bfloat16 bits → float (exact: bf16 is the top half of a float).
constexpr float bf16_to_f32(uint16_t b) { return __builtin_bit_cast(float, static_cast<uint32_t>(b) << 16); }

/// float → bfloat16 bits, round to nearest even; NaN stays a quiet NaN.
constexpr uint16_t f32_to_bf16(float f) {
    const uint32_t u = __builtin_bit_cast(uint32_t, f);
    if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x7FFFFFu) != 0)
        return static_cast<uint16_t>((u >> 16) | 0x0040u);
    const uint32_t rounding = 0x7FFFu + ((u >> 16) & 1u);
    return static_cast<uint16_t>((u + rounding) >> 16);
}

} // namespace rvf::core

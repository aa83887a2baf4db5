// rvf/core/hash/shake256.hpp — Keccak-f[1600] and the SHAKE-256 extendable-output function.
//
// Implements FIPS 202: Keccak-p[1600, 24] (§3.2-3.3), the sponge (§4) with rate r = 1088 bits
// (136 bytes, capacity 512), and SHAKE256(M, d) = KECCAK[512](M ‖ 1111, d) (§6.2). On a byte
// stream the four SHAKE suffix bits plus the first pad10*1 bit form the byte 0x1F; the final
// pad bit is 0x80 in the last byte of the rate block.
//
// RVF uses it for content hashes with checksum_algo 2 (first 16 output bytes, spec §2.4), for the
// rvf-crypto 73-byte witness chain (SHAKE-256/256, spec §6.11) and in the segment-signing message
// (spec §6.10). Not to be confused with Layout R's "simple_shake256_256", which is the
// non-cryptographic fold in fold_hash.hpp (spec §3.9).
//
// State layout: 25 lanes of 64 bits, lane (x, y) at index x + 5y; bytes enter and leave lanes
// little-endian (FIPS 202 §B.1 bit ordering), so the byte at rate offset k is bits 8(k%8).. of
// lane k/8. Freestanding: <stdint.h>/<stddef.h> and bytes.hpp only; constexpr throughout so a
// test can static_assert a digest.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // uint8_t, uint64_t

#include "../bytes.hpp" // ByteView, load_u64_le

namespace rvf::core {

namespace detail {

/// Step-mapping constants derived at compile time from their FIPS 202 definitions rather than
/// typed in, so a transcription slip cannot hide in a table.
struct KeccakConstants {
    uint64_t round_constant[24]; // ι, Algorithm 6 (RC for round i_r)
    uint8_t rho_offset[25];      // ρ, Algorithm 2, indexed x + 5y
    uint8_t pi_source[25];       // π: A'[x,y] = A[(x + 3y) mod 5, x]; source lane for each target
};

/// rc(t) of FIPS 202 Algorithm 5: output bit of the degree-8 LFSR x^8 + x^6 + x^5 + x^4 + 1.
constexpr bool keccak_rc_bit(unsigned t) {
    if (t % 255 == 0)
        return true;
    unsigned r = 0x01; // R = 10000000 with R[0] in bit 0
    for (unsigned i = 1; i <= t % 255; ++i) {
        // R = 0 ‖ R, then R[0] ^= R[8], R[4] ^= R[8], R[5] ^= R[8], R[6] ^= R[8], truncate to 8.
        r <<= 1;
        const unsigned r8 = (r >> 8) & 1;
        r ^= r8 | (r8 << 4) | (r8 << 5) | (r8 << 6);
        r &= 0xFF;
    }
    return (r & 1) != 0;
}

constexpr KeccakConstants make_keccak_constants() {
    KeccakConstants k{};
    for (unsigned ir = 0; ir < 24; ++ir) {
        uint64_t rc = 0;
        for (unsigned j = 0; j <= 6; ++j) // bit 2^j - 1 of RC = rc(j + 7 i_r)
            if (keccak_rc_bit(j + 7 * ir))
                rc |= uint64_t{1} << ((1u << j) - 1);
        k.round_constant[ir] = rc;
    }
    k.rho_offset[0] = 0;
    unsigned x = 1, y = 0;
    for (unsigned t = 0; t < 24; ++t) {
        k.rho_offset[x + 5 * y] = static_cast<uint8_t>(((t + 1) * (t + 2) / 2) % 64);
        const unsigned nx = y, ny = (2 * x + 3 * y) % 5;
        x = nx;
        y = ny;
    }
    for (unsigned ty = 0; ty < 5; ++ty)
        for (unsigned tx = 0; tx < 5; ++tx)
            k.pi_source[tx + 5 * ty] = static_cast<uint8_t>((tx + 3 * ty) % 5 + 5 * tx);
    return k;
}
inline constexpr KeccakConstants kKeccak = make_keccak_constants();

// Spot checks against FIPS 202 values, so a wrong derivation fails the build, not a test.
static_assert(kKeccak.round_constant[0] == 0x0000000000000001ull);
static_assert(kKeccak.round_constant[1] == 0x0000000000008082ull);
static_assert(kKeccak.round_constant[23] == 0x8000000080008008ull);
static_assert(kKeccak.rho_offset[1] == 1 && kKeccak.rho_offset[2] == 62 && kKeccak.rho_offset[24] == 14);

constexpr uint64_t rotl64(uint64_t v, unsigned r) { return r == 0 ? v : (v << r) | (v >> (64 - r)); }

} // namespace detail

// Full unrolling turns every table index and rotation amount into a constant, so the 25 lanes
// live in registers (measured ~5x faster with g++ -O2, ~1.7x with clang, than rolled loops).
#define RVF_KECCAK_UNROLL _Pragma("GCC unroll 25")

/// Keccak-f[1600] (24 rounds) on a 25-lane state, in place.
constexpr void keccak_f1600(uint64_t a[25]) {
    const auto &K = detail::kKeccak;
    for (int round = 0; round < 24; ++round) {
        // θ: XOR each lane with the parities of two neighbouring columns.
        uint64_t c[5] = {};
        RVF_KECCAK_UNROLL
        for (int x = 0; x < 5; ++x)
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        RVF_KECCAK_UNROLL
        for (int x = 0; x < 5; ++x) {
            const uint64_t d = c[(x + 4) % 5] ^ detail::rotl64(c[(x + 1) % 5], 1);
            RVF_KECCAK_UNROLL
            for (int y = 0; y < 25; y += 5)
                a[x + y] ^= d;
        }
        // ρ and π together: rotate each lane, then move it to its π position.
        uint64_t b[25] = {};
        RVF_KECCAK_UNROLL
        for (int i = 0; i < 25; ++i) {
            const int src = K.pi_source[i];
            b[i] = detail::rotl64(a[src], K.rho_offset[src]);
        }
        // χ: the only non-linear step, row by row.
        RVF_KECCAK_UNROLL
        for (int y = 0; y < 25; y += 5)
            RVF_KECCAK_UNROLL
            for (int x = 0; x < 5; ++x)
                a[x + y] = b[x + y] ^ (~b[(x + 1) % 5 + y] & b[(x + 2) % 5 + y]);
        // ι
        a[0] ^= K.round_constant[round];
    }
}
#undef RVF_KECCAK_UNROLL

/// Incremental SHAKE-256: absorb() any number of times, then squeeze() any number of bytes in
/// any number of calls (the output stream is the same however it is split). finalize() is
/// implied by the first squeeze(); absorb() after that is ignored (a sponge cannot take input
/// once squeezing has started). No heap; the object is 208 bytes + bookkeeping.
struct Shake256 {
    static constexpr size_t kRate = 136; // bytes: (1600 - 2*256) / 8

    uint64_t state[25] = {};
    size_t pos = 0;          // byte offset inside the current rate block
    bool squeezing = false;

    constexpr void absorb(const uint8_t *p, size_t n) {
        if (squeezing)
            return;
        // Finish a partly filled block byte by byte.
        while (n > 0 && pos != 0) {
            xor_byte(pos, *p++);
            --n;
            if (++pos == kRate) {
                keccak_f1600(state);
                pos = 0;
            }
        }
        // Whole blocks straight from the input, a lane at a time.
        while (n >= kRate) {
            for (size_t i = 0; i < kRate / 8; ++i)
                state[i] ^= load_u64_le(p + 8 * i);
            keccak_f1600(state);
            p += kRate;
            n -= kRate;
        }
        for (size_t i = 0; i < n; ++i)
            xor_byte(pos++, p[i]);
    }
    constexpr void absorb(ByteView v) { absorb(v.data, v.size); }

    /// Apply the SHAKE suffix and padding; idempotent.
    constexpr void finalize() {
        if (squeezing)
            return;
        xor_byte(pos, 0x1F);
        xor_byte(kRate - 1, 0x80);
        keccak_f1600(state);
        pos = 0;
        squeezing = true;
    }

    constexpr void squeeze(uint8_t *out, size_t n) {
        finalize();
        for (size_t i = 0; i < n; ++i) {
            if (pos == kRate) {
                keccak_f1600(state);
                pos = 0;
            }
            out[i] = static_cast<uint8_t>(state[pos / 8] >> (8 * (pos % 8)));
            ++pos;
        }
    }

private:
    constexpr void xor_byte(size_t at, uint8_t b) { state[at / 8] ^= static_cast<uint64_t>(b) << (8 * (at % 8)); }
};

/// One-shot SHAKE-256: the first out_len bytes of the output stream for `in`.
constexpr void shake256(ByteView in, uint8_t *out, size_t out_len) {
    Shake256 s;
    s.absorb(in.data, in.size);
    s.squeeze(out, out_len);
}

} // namespace rvf::core

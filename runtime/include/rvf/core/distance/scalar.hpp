// rvf/core/distance/scalar.hpp — portable reference distance kernels (spec §5 distances, §6.5
// PQ ADC, §7 microkernel). Freestanding: the microkernel's scalar build and every non-x86 host
// use these directly, and every SIMD kernel (runtime/src/distance/, simd128.hpp) is tested
// against them.
//
//  kernel        inputs                          result
//  l2sq_*        a, b (n elements)               Σ (a_i − b_i)²            (no sqrt, spec §5)
//  dot_*         a, b                            Σ a_i · b_i               (IP distance = −dot, metric.hpp)
//  *_f16         both IEEE binary16 bit patterns, widened exactly to f32 (same values as
//                core/f16.hpp's f16_to_f32, including subnormals, ±inf and NaN)
//  *_f16_f32     stored f16 row, f32 query
//  *_i8          int32 result, accumulated modulo 2^32 (exact while the true value fits:
//                l2sq_i8 for n ≤ 33025, dot_i8 for n ≤ 131071 — 2^31 / 65025 and 2^31 / 16384)
//  hamming_bits  popcount(a xor b) over nbytes bytes
//  adc_pq        Σ_j table[j·ksub + codes[j]] for j < m; a code ≥ ksub contributes nothing
//                (as the microkernel's rvf_pq_distances skips it, spec §7.3), so untrusted codes
//                never index outside the table
//
// Floating-point order: four interleaved partial sums (element i goes to sum i mod 4, the last
// n mod 4 elements to sum 0) added as (s0 + s1) + (s2 + s3). The fixed order keeps results
// reproducible; independent sums also let compilers keep four lanes busy without reassociating.
// SIMD kernels use other orders, so they agree with these to rounding, not bit for bit — except
// on inputs whose partial sums are all exact (small integers), where every order gives one answer.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

namespace rvf::core::dist::scalar {

inline float l2sq_f32(const float *a, const float *b, size_t n) {
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float d0 = a[i] - b[i], d1 = a[i + 1] - b[i + 1];
        const float d2 = a[i + 2] - b[i + 2], d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; ++i) {
        const float d = a[i] - b[i];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

inline float dot_f32(const float *a, const float *b, size_t n) {
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; ++i)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

namespace detail {
/// Exact binary16 → float, without f16_to_f32's normalisation loop (smaller and branch-light,
/// which matters in the size-budgeted microkernel): exponent and mantissa move up 13 bits and a
/// multiply by 2^112 rebiases 15 → 127; for an f16 subnormal the shifted bits form an f32
/// subnormal and the (exact) multiply normalises it. Exponent 31 becomes the f32 inf/NaN
/// exponent with the mantissa kept, as in f16_to_f32. Assumes the default IEEE mode (no
/// flush-to-zero/denormals-are-zero), which wasm guarantees.
inline float f16_bits_to_f32(uint16_t h) {
    const uint32_t mag = static_cast<uint32_t>(h & 0x7FFFu) << 13;
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    if ((h & 0x7C00u) == 0x7C00u)
        return __builtin_bit_cast(float, sign | mag | 0x7F800000u);
    const float v = __builtin_bit_cast(float, mag) * 0x1p112f;
    return __builtin_bit_cast(float, sign | __builtin_bit_cast(uint32_t, v));
}

// One template per operand type pair keeps the four f16 variants to a single loop each.
inline float widen(float v) { return v; }
inline float widen(uint16_t h) { return f16_bits_to_f32(h); }

template <typename A, typename B> inline float l2sq_mixed(const A *a, const B *b, size_t n) {
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float d0 = widen(a[i]) - widen(b[i]), d1 = widen(a[i + 1]) - widen(b[i + 1]);
        const float d2 = widen(a[i + 2]) - widen(b[i + 2]), d3 = widen(a[i + 3]) - widen(b[i + 3]);
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; ++i) {
        const float d = widen(a[i]) - widen(b[i]);
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

template <typename A, typename B> inline float dot_mixed(const A *a, const B *b, size_t n) {
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += widen(a[i]) * widen(b[i]);
        s1 += widen(a[i + 1]) * widen(b[i + 1]);
        s2 += widen(a[i + 2]) * widen(b[i + 2]);
        s3 += widen(a[i + 3]) * widen(b[i + 3]);
    }
    for (; i < n; ++i)
        s0 += widen(a[i]) * widen(b[i]);
    return (s0 + s1) + (s2 + s3);
}
} // namespace detail

inline float l2sq_f16(const uint16_t *a, const uint16_t *b, size_t n) { return detail::l2sq_mixed(a, b, n); }
inline float dot_f16(const uint16_t *a, const uint16_t *b, size_t n) { return detail::dot_mixed(a, b, n); }
inline float l2sq_f16_f32(const uint16_t *stored, const float *q, size_t n) { return detail::l2sq_mixed(stored, q, n); }
inline float dot_f16_f32(const uint16_t *stored, const float *q, size_t n) { return detail::dot_mixed(stored, q, n); }

// Unsigned accumulation: wrap-around is defined (signed overflow would be UB) and matches the
// SIMD kernels' 32-bit lane adds, so all levels agree exactly for every n; the final conversion
// to int32_t is modular in C++20.
inline int32_t l2sq_i8(const int8_t *a, const int8_t *b, size_t n) {
    uint32_t s = 0;
    for (size_t i = 0; i < n; ++i) {
        const int32_t d = static_cast<int32_t>(a[i]) - static_cast<int32_t>(b[i]);
        s += static_cast<uint32_t>(d * d);
    }
    return static_cast<int32_t>(s);
}

inline int32_t dot_i8(const int8_t *a, const int8_t *b, size_t n) {
    uint32_t s = 0;
    for (size_t i = 0; i < n; ++i)
        s += static_cast<uint32_t>(static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]));
    return static_cast<int32_t>(s);
}

inline uint32_t hamming_bits(const uint8_t *a, const uint8_t *b, size_t nbytes) {
    uint32_t c = 0;
    size_t i = 0;
    for (; i + 8 <= nbytes; i += 8) {
        uint64_t x, y; // unaligned-safe loads; lowered to plain 8-byte loads
        __builtin_memcpy(&x, a + i, 8);
        __builtin_memcpy(&y, b + i, 8);
        c += static_cast<uint32_t>(__builtin_popcountll(x ^ y));
    }
    for (; i < nbytes; ++i)
        c += static_cast<uint32_t>(__builtin_popcount(static_cast<unsigned>(a[i] ^ b[i])));
    return c;
}

inline float adc_pq(const float *table, const uint8_t *codes, size_t m, size_t ksub) {
    // Row j starts at table + j·ksub; a code outside the row adds 0.
    auto entry = [&](size_t j) { return codes[j] < ksub ? table[j * ksub + codes[j]] : 0.0f; };
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t j = 0;
    for (; j + 4 <= m; j += 4) {
        s0 += entry(j);
        s1 += entry(j + 1);
        s2 += entry(j + 2);
        s3 += entry(j + 3);
    }
    for (; j < m; ++j)
        s0 += entry(j);
    return (s0 + s1) + (s2 + s3);
}

} // namespace rvf::core::dist::scalar

// rvf/core/distance/simd128.hpp — WebAssembly SIMD (simd128) distance kernels: the same
// functions and contracts as scalar.hpp (spec §5, §6.5, §7), for the microkernel's -msimd128
// build and the Emscripten runtime compiled with -msimd128. Everything here exists only when
// the compiler targets simd128 (__wasm_simd128__); elsewhere the header is empty.
//
// Float results equal scalar.hpp up to summation order (8 lanes in two vectors, then the tail). f16 lanes
// are widened with exact bit arithmetic, so subnormals, ±inf and NaN behave as in scalar.hpp.
// Integer results (i8, Hamming) are identical to scalar.hpp. PQ ADC has no gather in wasm and
// simply forwards to the scalar kernel.
//
// Freestanding: <wasm_simd128.h> is a compiler header that only includes <stdint.h> and
// <stdbool.h>; there is no relaxed-SIMD (no FMA) in the toolchain, so products and sums are
// separate instructions (TOOLCHAIN.md (b)).
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "scalar.hpp" // f16 widening for tails, the ADC fallback

#if defined(__wasm_simd128__)
#include <wasm_simd128.h> // v128_t and the wasm_* intrinsics

// Tails are at most 7-15 elements: keep the compiler from vectorising or unrolling them
// (at -O2 that would add code, not speed).
#if defined(__clang__)
#define RVF_SIMD128_SCALAR_TAIL _Pragma("clang loop vectorize(disable) interleave(disable) unroll(disable)")
#else
#define RVF_SIMD128_SCALAR_TAIL
#endif

namespace rvf::core::dist::simd128 {

namespace detail {

inline float hsum_f32(v128_t v) {
    return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

inline uint32_t hsum_u32(v128_t v) {
    return static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 0)) + static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 1)) +
           static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 2)) + static_cast<uint32_t>(wasm_i32x4_extract_lane(v, 3));
}

/// Four binary16 values (zero-extended in u32 lanes) → four floats, exactly. Moving exponent and
/// mantissa up 13 bits and multiplying by 2^112 rebiases 15 → 127 for normals and, because the
/// product of an f32 subnormal by 2^112 is exact, also normalises f16 subnormals. Exponent 31
/// (inf/NaN) instead gets the all-ones f32 exponent with the mantissa kept.
inline v128_t f16x4_to_f32x4(v128_t h) {
    const v128_t mag = wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x7FFF)), 13);
    const v128_t scaled = wasm_f32x4_mul(mag, wasm_f32x4_splat(0x1p112f));
    const v128_t exp_mask = wasm_i32x4_splat(0x7C00);
    const v128_t is_special = wasm_i32x4_eq(wasm_v128_and(h, exp_mask), exp_mask);
    const v128_t special = wasm_v128_or(mag, wasm_i32x4_splat(0x7F800000));
    const v128_t f = wasm_v128_bitselect(special, scaled, is_special);
    return wasm_v128_or(f, wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x8000)), 16));
}

inline v128_t load_f16x4(const uint16_t *p) { return f16x4_to_f32x4(wasm_u32x4_load16x4(p)); }

inline v128_t sq_diff(v128_t a, v128_t b) {
    const v128_t d = wasm_f32x4_sub(a, b);
    return wasm_f32x4_mul(d, d);
}

// Loaders: four elements of one operand as f32 lanes.
struct F32 {
    static v128_t load(const float *p) { return wasm_v128_load(p); }
};
struct F16 {
    static v128_t load(const uint16_t *p) { return load_f16x4(p); }
};

// The float kernels share two loop shapes: eight elements per step in two accumulators (two
// independent add chains), then the last n mod 8 one by one. The tail is a plain loop rather
// than another vector step to keep the microkernel small.
template <class LA, class LB, class TA, class TB> inline float l2sq_loop(const TA *a, const TB *b, size_t n) {
    v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = acc0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        acc0 = wasm_f32x4_add(acc0, sq_diff(LA::load(a + i), LB::load(b + i)));
        acc1 = wasm_f32x4_add(acc1, sq_diff(LA::load(a + i + 4), LB::load(b + i + 4)));
    }
    float s = hsum_f32(wasm_f32x4_add(acc0, acc1));
    RVF_SIMD128_SCALAR_TAIL
    for (; i < n; ++i) {
        const float d = scalar::detail::widen(a[i]) - scalar::detail::widen(b[i]);
        s += d * d;
    }
    return s;
}

template <class LA, class LB, class TA, class TB> inline float dot_loop(const TA *a, const TB *b, size_t n) {
    v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = acc0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(LA::load(a + i), LB::load(b + i)));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(LA::load(a + i + 4), LB::load(b + i + 4)));
    }
    float s = hsum_f32(wasm_f32x4_add(acc0, acc1));
    RVF_SIMD128_SCALAR_TAIL
    for (; i < n; ++i)
        s += scalar::detail::widen(a[i]) * scalar::detail::widen(b[i]);
    return s;
}

} // namespace detail

inline float l2sq_f32(const float *a, const float *b, size_t n) {
    return detail::l2sq_loop<detail::F32, detail::F32>(a, b, n);
}
inline float dot_f32(const float *a, const float *b, size_t n) {
    return detail::dot_loop<detail::F32, detail::F32>(a, b, n);
}
inline float l2sq_f16(const uint16_t *a, const uint16_t *b, size_t n) {
    return detail::l2sq_loop<detail::F16, detail::F16>(a, b, n);
}
inline float dot_f16(const uint16_t *a, const uint16_t *b, size_t n) {
    return detail::dot_loop<detail::F16, detail::F16>(a, b, n);
}
inline float l2sq_f16_f32(const uint16_t *stored, const float *q, size_t n) {
    return detail::l2sq_loop<detail::F16, detail::F32>(stored, q, n);
}
inline float dot_f16_f32(const uint16_t *stored, const float *q, size_t n) {
    return detail::dot_loop<detail::F16, detail::F32>(stored, q, n);
}

// i8: sign-extend 8 bytes to i16 lanes, then i32x4.dot_i16x8 multiplies and adds pairs. A
// difference of two i8 fits i16 (±255) and a pair of squared differences fits i32 (130050).
inline int32_t l2sq_i8(const int8_t *a, const int8_t *b, size_t n) {
    v128_t acc0 = wasm_i32x4_splat(0), acc1 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const v128_t d0 = wasm_i16x8_sub(wasm_i16x8_load8x8(a + i), wasm_i16x8_load8x8(b + i));
        const v128_t d1 = wasm_i16x8_sub(wasm_i16x8_load8x8(a + i + 8), wasm_i16x8_load8x8(b + i + 8));
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(d0, d0));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(d1, d1));
    }
    uint32_t s = detail::hsum_u32(wasm_i32x4_add(acc0, acc1));
    RVF_SIMD128_SCALAR_TAIL
    for (; i < n; ++i) {
        const int32_t d = static_cast<int32_t>(a[i]) - static_cast<int32_t>(b[i]);
        s += static_cast<uint32_t>(d * d);
    }
    return static_cast<int32_t>(s);
}

inline int32_t dot_i8(const int8_t *a, const int8_t *b, size_t n) {
    v128_t acc0 = wasm_i32x4_splat(0), acc1 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = wasm_i32x4_add(acc0, wasm_i32x4_dot_i16x8(wasm_i16x8_load8x8(a + i), wasm_i16x8_load8x8(b + i)));
        acc1 = wasm_i32x4_add(acc1, wasm_i32x4_dot_i16x8(wasm_i16x8_load8x8(a + i + 8), wasm_i16x8_load8x8(b + i + 8)));
    }
    uint32_t s = detail::hsum_u32(wasm_i32x4_add(acc0, acc1));
    RVF_SIMD128_SCALAR_TAIL
    for (; i < n; ++i)
        s += static_cast<uint32_t>(static_cast<int32_t>(a[i]) * static_cast<int32_t>(b[i]));
    return static_cast<int32_t>(s);
}

inline uint32_t hamming_bits(const uint8_t *a, const uint8_t *b, size_t nbytes) {
    v128_t acc = wasm_i32x4_splat(0);
    size_t i = 0;
    for (; i + 16 <= nbytes; i += 16) {
        const v128_t bits = wasm_i8x16_popcnt(wasm_v128_xor(wasm_v128_load(a + i), wasm_v128_load(b + i)));
        // Widen byte counts to u32 lanes every step: no lane can overflow for any length.
        acc = wasm_i32x4_add(acc, wasm_u32x4_extadd_pairwise_u16x8(wasm_u16x8_extadd_pairwise_u8x16(bits)));
    }
    uint32_t c = detail::hsum_u32(acc);
    RVF_SIMD128_SCALAR_TAIL
    for (; i < nbytes; ++i)
        c += static_cast<uint32_t>(__builtin_popcount(static_cast<unsigned>(a[i] ^ b[i])));
    return c;
}

inline float adc_pq(const float *table, const uint8_t *codes, size_t m, size_t ksub) {
    return scalar::adc_pq(table, codes, m, ksub);
}

} // namespace rvf::core::dist::simd128

#undef RVF_SIMD128_SCALAR_TAIL

#endif // __wasm_simd128__

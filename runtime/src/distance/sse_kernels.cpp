// SSE4.2 distance kernels (x86-64-v2 CPUs without AVX2). Same contracts as
// rvf/core/distance/scalar.hpp; 4-wide floats, four accumulators. No F16C at this level, so f16
// is widened with exact integer/float bit arithmetic. Also home of adc_pq_unrolled, the PQ ADC
// of every x86 level.
#include "x86_kernels.hpp"

#if RVF_DISTANCE_X86
#include <nmmintrin.h> // SSE4.1 pmovzx/pmovsx/blendv, POPCNT

#include <rvf/core/distance/scalar.hpp>

#define RVF_SSE __attribute__((target("sse4.2,popcnt")))

namespace rvf::detail {
namespace {

RVF_SSE inline float hsum(__m128 v) {
    const __m128 hi = _mm_movehl_ps(v, v);
    const __m128 s = _mm_add_ps(v, hi);
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_shuffle_ps(s, s, 1)));
}

RVF_SSE inline uint32_t hsum_u32(__m128i v) {
    const __m128i s = _mm_add_epi32(v, _mm_shuffle_epi32(v, 0x4E));
    return static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1))));
}

// Four f16 → four f32, exactly: exponent+mantissa moved to f32 position and scaled by 2^112
// (rebias 15 → 127, subnormals normalised by the exact multiply); exponent 31 → f32 inf/NaN.
RVF_SSE inline __m128 load_f16x4(const uint16_t *p) {
    const __m128i h = _mm_cvtepu16_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)));
    const __m128i mag = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x7FFF)), 13);
    const __m128 scaled = _mm_mul_ps(_mm_castsi128_ps(mag), _mm_set1_ps(0x1p112f));
    const __m128i exp_mask = _mm_set1_epi32(0x7C00);
    const __m128i special = _mm_cmpeq_epi32(_mm_and_si128(h, exp_mask), exp_mask);
    const __m128 inf_nan = _mm_castsi128_ps(_mm_or_si128(mag, _mm_set1_epi32(0x7F800000)));
    const __m128 f = _mm_blendv_ps(scaled, inf_nan, _mm_castsi128_ps(special));
    const __m128i sign = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x8000)), 16);
    return _mm_or_ps(f, _mm_castsi128_ps(sign));
}

struct F32 {
    RVF_SSE static __m128 load(const float *p) { return _mm_loadu_ps(p); }
};
struct F16 {
    RVF_SSE static __m128 load(const uint16_t *p) { return load_f16x4(p); }
};

RVF_SSE inline __m128 sq_diff(__m128 a, __m128 b) {
    const __m128 d = _mm_sub_ps(a, b);
    return _mm_mul_ps(d, d);
}

// The float kernels share one loop shape; LA/LB load four elements of each operand as f32.
// Elements past the last multiple of 4 go through the scalar reference.
template <class LA, class LB, class TA, class TB> RVF_SSE float l2sq_loop(const TA *a, const TB *b, size_t n) {
    __m128 acc0 = _mm_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm_add_ps(acc0, sq_diff(LA::load(a + i), LB::load(b + i)));
        acc1 = _mm_add_ps(acc1, sq_diff(LA::load(a + i + 4), LB::load(b + i + 4)));
        acc2 = _mm_add_ps(acc2, sq_diff(LA::load(a + i + 8), LB::load(b + i + 8)));
        acc3 = _mm_add_ps(acc3, sq_diff(LA::load(a + i + 12), LB::load(b + i + 12)));
    }
    for (; i + 4 <= n; i += 4)
        acc0 = _mm_add_ps(acc0, sq_diff(LA::load(a + i), LB::load(b + i)));
    const float head = hsum(_mm_add_ps(_mm_add_ps(acc0, acc1), _mm_add_ps(acc2, acc3)));
    return head + core::dist::scalar::detail::l2sq_mixed(a + i, b + i, n - i);
}

template <class LA, class LB, class TA, class TB> RVF_SSE float dot_loop(const TA *a, const TB *b, size_t n) {
    __m128 acc0 = _mm_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm_add_ps(acc0, _mm_mul_ps(LA::load(a + i), LB::load(b + i)));
        acc1 = _mm_add_ps(acc1, _mm_mul_ps(LA::load(a + i + 4), LB::load(b + i + 4)));
        acc2 = _mm_add_ps(acc2, _mm_mul_ps(LA::load(a + i + 8), LB::load(b + i + 8)));
        acc3 = _mm_add_ps(acc3, _mm_mul_ps(LA::load(a + i + 12), LB::load(b + i + 12)));
    }
    for (; i + 4 <= n; i += 4)
        acc0 = _mm_add_ps(acc0, _mm_mul_ps(LA::load(a + i), LB::load(b + i)));
    const float head = hsum(_mm_add_ps(_mm_add_ps(acc0, acc1), _mm_add_ps(acc2, acc3)));
    return head + core::dist::scalar::detail::dot_mixed(a + i, b + i, n - i);
}

RVF_SSE float l2sq_f32(const float *a, const float *b, size_t n) { return l2sq_loop<F32, F32>(a, b, n); }
RVF_SSE float dot_f32(const float *a, const float *b, size_t n) { return dot_loop<F32, F32>(a, b, n); }
RVF_SSE float l2sq_f16(const uint16_t *a, const uint16_t *b, size_t n) { return l2sq_loop<F16, F16>(a, b, n); }
RVF_SSE float dot_f16(const uint16_t *a, const uint16_t *b, size_t n) { return dot_loop<F16, F16>(a, b, n); }
RVF_SSE float l2sq_f16_f32(const uint16_t *s, const float *q, size_t n) { return l2sq_loop<F16, F32>(s, q, n); }
RVF_SSE float dot_f16_f32(const uint16_t *s, const float *q, size_t n) { return dot_loop<F16, F32>(s, q, n); }

// i8: eight bytes sign-extended to i16, pmaddwd multiplies and adds adjacent pairs into i32
// (a pair of squared differences is at most 2·255² = 130050). Lane sums wrap mod 2^32 like the
// scalar reference.
RVF_SSE inline __m128i load_i8x8(const int8_t *p) {
    return _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)));
}

RVF_SSE int32_t l2sq_i8(const int8_t *a, const int8_t *b, size_t n) {
    __m128i acc0 = _mm_setzero_si128(), acc1 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i d0 = _mm_sub_epi16(load_i8x8(a + i), load_i8x8(b + i));
        const __m128i d1 = _mm_sub_epi16(load_i8x8(a + i + 8), load_i8x8(b + i + 8));
        acc0 = _mm_add_epi32(acc0, _mm_madd_epi16(d0, d0));
        acc1 = _mm_add_epi32(acc1, _mm_madd_epi16(d1, d1));
    }
    const uint32_t head = hsum_u32(_mm_add_epi32(acc0, acc1));
    return static_cast<int32_t>(head + static_cast<uint32_t>(core::dist::scalar::l2sq_i8(a + i, b + i, n - i)));
}

RVF_SSE int32_t dot_i8(const int8_t *a, const int8_t *b, size_t n) {
    __m128i acc0 = _mm_setzero_si128(), acc1 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm_add_epi32(acc0, _mm_madd_epi16(load_i8x8(a + i), load_i8x8(b + i)));
        acc1 = _mm_add_epi32(acc1, _mm_madd_epi16(load_i8x8(a + i + 8), load_i8x8(b + i + 8)));
    }
    const uint32_t head = hsum_u32(_mm_add_epi32(acc0, acc1));
    return static_cast<int32_t>(head + static_cast<uint32_t>(core::dist::scalar::dot_i8(a + i, b + i, n - i)));
}

// The scalar loop, compiled here with the POPCNT instruction instead of a libgcc bit-twiddle.
RVF_SSE uint32_t hamming_bits(const uint8_t *a, const uint8_t *b, size_t nbytes) {
    uint64_t c0 = 0, c1 = 0;
    size_t i = 0;
    for (; i + 16 <= nbytes; i += 16) {
        uint64_t x0, x1, y0, y1;
        __builtin_memcpy(&x0, a + i, 8);
        __builtin_memcpy(&x1, a + i + 8, 8);
        __builtin_memcpy(&y0, b + i, 8);
        __builtin_memcpy(&y1, b + i + 8, 8);
        c0 += static_cast<uint64_t>(_mm_popcnt_u64(x0 ^ y0));
        c1 += static_cast<uint64_t>(_mm_popcnt_u64(x1 ^ y1));
    }
    uint64_t c = c0 + c1;
    for (; i < nbytes; ++i)
        c += static_cast<uint64_t>(_mm_popcnt_u32(static_cast<unsigned>(a[i] ^ b[i])));
    return static_cast<uint32_t>(c);
}

} // namespace

float adc_pq_unrolled(const float *table, const uint8_t *codes, size_t m, size_t ksub) {
    if (ksub < 256)
        return core::dist::scalar::adc_pq(table, codes, m, ksub);
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t j = 0;
    for (; j + 8 <= m; j += 8) {
        uint64_t w; // codes j..j+7, little-endian byte order
        __builtin_memcpy(&w, codes + j, 8);
        const float *t = table + j * ksub;
        s0 += t[w & 0xFF];
        s1 += t[ksub + ((w >> 8) & 0xFF)];
        s2 += t[2 * ksub + ((w >> 16) & 0xFF)];
        s3 += t[3 * ksub + ((w >> 24) & 0xFF)];
        s0 += t[4 * ksub + ((w >> 32) & 0xFF)];
        s1 += t[5 * ksub + ((w >> 40) & 0xFF)];
        s2 += t[6 * ksub + ((w >> 48) & 0xFF)];
        s3 += t[7 * ksub + (w >> 56)];
    }
    // Same order as the reference from here on: groups of four, then the rest into s0.
    for (; j + 4 <= m; j += 4) {
        s0 += table[j * ksub + codes[j]];
        s1 += table[(j + 1) * ksub + codes[j + 1]];
        s2 += table[(j + 2) * ksub + codes[j + 2]];
        s3 += table[(j + 3) * ksub + codes[j + 3]];
    }
    for (; j < m; ++j)
        s0 += table[j * ksub + codes[j]];
    return (s0 + s1) + (s2 + s3);
}

const DistanceKernels kSseKernels = {
    .l2sq_f32 = l2sq_f32,
    .dot_f32 = dot_f32,
    .l2sq_f16 = l2sq_f16,
    .dot_f16 = dot_f16,
    .l2sq_f16_f32 = l2sq_f16_f32,
    .dot_f16_f32 = dot_f16_f32,
    .l2sq_i8 = l2sq_i8,
    .dot_i8 = dot_i8,
    .hamming_bits = hamming_bits,
    .adc_pq = adc_pq_unrolled,
    .level = KernelLevel::Sse,
    .name = "sse4.2",
};

} // namespace rvf::detail

#endif // RVF_DISTANCE_X86

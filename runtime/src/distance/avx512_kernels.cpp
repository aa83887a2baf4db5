// AVX-512 (F + BW + VL) distance kernels (Skylake-X, Ice Lake, Zen 4 and later). Same contracts
// as rvf/core/distance/scalar.hpp. 16 f32 lanes × 4 FMA accumulators; every tail is one masked
// load (lanes past the end are neither read nor faulted), so no scalar epilogue is needed.
// Hamming uses VPOPCNTQ (AVX512-VPOPCNTDQ); dispatch.cpp only keeps that entry on CPUs that
// have it. PQ ADC uses the ISA-neutral adc_pq_unrolled (x86_kernels.hpp).
#include "x86_kernels.hpp"

#if RVF_DISTANCE_X86
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
// GCC 12 reports the intrinsics' deliberate `__Y = __Y` "undefined vector" idiom as uninitialised
// when they are inlined into target-attribute functions (GCC PR 105593, fixed in 13).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <rvf/core/distance/scalar.hpp>

#define RVF_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx2,fma,f16c,popcnt")))
#define RVF_AVX512_POPCNT __attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,avx2,fma,f16c,popcnt")))

namespace rvf::detail {
namespace {

// Mask of the low r lanes, 0 ≤ r ≤ width (the shifts are done in a wider type).
inline __mmask16 mask16(size_t r) { return static_cast<__mmask16>((uint32_t{1} << r) - 1u); }
inline __mmask32 mask32(size_t r) { return static_cast<__mmask32>((uint64_t{1} << r) - 1u); }
inline __mmask64 mask64(size_t r) { return r >= 64 ? ~__mmask64{0} : (__mmask64{1} << r) - 1u; }

RVF_AVX512 inline uint32_t hsum_u32(__m512i v) {
    __m256i s = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4E));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1));
    return static_cast<uint32_t>(_mm_cvtsi128_si32(t));
}

// Loaders: sixteen elements as f32 lanes; `tail` reads only the first r < 16 (zeros elsewhere).
struct F32 {
    RVF_AVX512 static __m512 load(const float *p) { return _mm512_loadu_ps(p); }
    RVF_AVX512 static __m512 tail(const float *p, size_t r) { return _mm512_maskz_loadu_ps(mask16(r), p); }
};
struct F16 {
    RVF_AVX512 static __m512 load(const uint16_t *p) {
        return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)));
    }
    RVF_AVX512 static __m512 tail(const uint16_t *p, size_t r) {
        return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(mask16(r), p));
    }
};

template <class LA, class LB, class TA, class TB> RVF_AVX512 float l2sq_loop(const TA *a, const TB *b, size_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const __m512 d0 = _mm512_sub_ps(LA::load(a + i), LB::load(b + i));
        const __m512 d1 = _mm512_sub_ps(LA::load(a + i + 16), LB::load(b + i + 16));
        const __m512 d2 = _mm512_sub_ps(LA::load(a + i + 32), LB::load(b + i + 32));
        const __m512 d3 = _mm512_sub_ps(LA::load(a + i + 48), LB::load(b + i + 48));
        acc0 = _mm512_fmadd_ps(d0, d0, acc0);
        acc1 = _mm512_fmadd_ps(d1, d1, acc1);
        acc2 = _mm512_fmadd_ps(d2, d2, acc2);
        acc3 = _mm512_fmadd_ps(d3, d3, acc3);
    }
    for (; i + 16 <= n; i += 16) {
        const __m512 d = _mm512_sub_ps(LA::load(a + i), LB::load(b + i));
        acc0 = _mm512_fmadd_ps(d, d, acc0);
    }
    if (i < n) {
        const __m512 d = _mm512_sub_ps(LA::tail(a + i, n - i), LB::tail(b + i, n - i));
        acc1 = _mm512_fmadd_ps(d, d, acc1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

template <class LA, class LB, class TA, class TB> RVF_AVX512 float dot_loop(const TA *a, const TB *b, size_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        acc0 = _mm512_fmadd_ps(LA::load(a + i), LB::load(b + i), acc0);
        acc1 = _mm512_fmadd_ps(LA::load(a + i + 16), LB::load(b + i + 16), acc1);
        acc2 = _mm512_fmadd_ps(LA::load(a + i + 32), LB::load(b + i + 32), acc2);
        acc3 = _mm512_fmadd_ps(LA::load(a + i + 48), LB::load(b + i + 48), acc3);
    }
    for (; i + 16 <= n; i += 16)
        acc0 = _mm512_fmadd_ps(LA::load(a + i), LB::load(b + i), acc0);
    if (i < n)
        acc1 = _mm512_fmadd_ps(LA::tail(a + i, n - i), LB::tail(b + i, n - i), acc1);
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

RVF_AVX512 float l2sq_f32(const float *a, const float *b, size_t n) { return l2sq_loop<F32, F32>(a, b, n); }
RVF_AVX512 float dot_f32(const float *a, const float *b, size_t n) { return dot_loop<F32, F32>(a, b, n); }
RVF_AVX512 float l2sq_f16(const uint16_t *a, const uint16_t *b, size_t n) { return l2sq_loop<F16, F16>(a, b, n); }
RVF_AVX512 float dot_f16(const uint16_t *a, const uint16_t *b, size_t n) { return dot_loop<F16, F16>(a, b, n); }
RVF_AVX512 float l2sq_f16_f32(const uint16_t *s, const float *q, size_t n) { return l2sq_loop<F16, F32>(s, q, n); }
RVF_AVX512 float dot_f16_f32(const uint16_t *s, const float *q, size_t n) { return dot_loop<F16, F32>(s, q, n); }

// i8: 32 bytes → 32 i16 lanes, VPMADDWD → 16 i32 lanes (wrapping adds, as scalar).
RVF_AVX512 inline __m512i load_i8x32(const int8_t *p) {
    return _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)));
}
RVF_AVX512 inline __m512i tail_i8x32(const int8_t *p, size_t r) {
    return _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(mask32(r), p));
}

RVF_AVX512 int32_t l2sq_i8(const int8_t *a, const int8_t *b, size_t n) {
    __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        const __m512i d0 = _mm512_sub_epi16(load_i8x32(a + i), load_i8x32(b + i));
        const __m512i d1 = _mm512_sub_epi16(load_i8x32(a + i + 32), load_i8x32(b + i + 32));
        acc0 = _mm512_add_epi32(acc0, _mm512_madd_epi16(d0, d0));
        acc1 = _mm512_add_epi32(acc1, _mm512_madd_epi16(d1, d1));
    }
    if (i + 32 <= n) {
        const __m512i d = _mm512_sub_epi16(load_i8x32(a + i), load_i8x32(b + i));
        acc0 = _mm512_add_epi32(acc0, _mm512_madd_epi16(d, d));
        i += 32;
    }
    if (i < n) {
        const __m512i d = _mm512_sub_epi16(tail_i8x32(a + i, n - i), tail_i8x32(b + i, n - i));
        acc1 = _mm512_add_epi32(acc1, _mm512_madd_epi16(d, d));
    }
    return static_cast<int32_t>(hsum_u32(_mm512_add_epi32(acc0, acc1)));
}

RVF_AVX512 int32_t dot_i8(const int8_t *a, const int8_t *b, size_t n) {
    __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        acc0 = _mm512_add_epi32(acc0, _mm512_madd_epi16(load_i8x32(a + i), load_i8x32(b + i)));
        acc1 = _mm512_add_epi32(acc1, _mm512_madd_epi16(load_i8x32(a + i + 32), load_i8x32(b + i + 32)));
    }
    if (i + 32 <= n) {
        acc0 = _mm512_add_epi32(acc0, _mm512_madd_epi16(load_i8x32(a + i), load_i8x32(b + i)));
        i += 32;
    }
    if (i < n)
        acc1 = _mm512_add_epi32(acc1, _mm512_madd_epi16(tail_i8x32(a + i, n - i), tail_i8x32(b + i, n - i)));
    return static_cast<int32_t>(hsum_u32(_mm512_add_epi32(acc0, acc1)));
}

RVF_AVX512_POPCNT uint32_t hamming_bits(const uint8_t *a, const uint8_t *b, size_t nbytes) {
    __m512i acc = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 64 <= nbytes; i += 64) {
        const __m512i x = _mm512_xor_si512(_mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
        acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
    }
    if (i < nbytes) {
        const __mmask64 k = mask64(nbytes - i);
        const __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi8(k, a + i), _mm512_maskz_loadu_epi8(k, b + i));
        acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
    }
    return static_cast<uint32_t>(_mm512_reduce_add_epi64(acc));
}

} // namespace

const DistanceKernels kAvx512Kernels = {
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
    .level = KernelLevel::Avx512,
    .name = "avx512",
};

} // namespace rvf::detail

#endif // RVF_DISTANCE_X86

// AVX2 + FMA + F16C distance kernels (x86-64-v3: Haswell, Zen and later). Same contracts as
// rvf/core/distance/scalar.hpp. Floats: 8 lanes × 4 independent FMA accumulators (hides the
// 4-5 cycle FMA latency), tails through masked loads. f16 widened by VCVTPH2PS, which is exact
// for every binary16 input (subnormals, ±inf, NaN). i8 sign-extended to i16 then VPMADDWD.
// Hamming by the nibble-table PSHUFB count. PQ ADC uses the ISA-neutral adc_pq_unrolled
// (x86_kernels.hpp): VGATHERDPS measured slower than plain loads.
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

#define RVF_AVX2 __attribute__((target("avx2,fma,f16c,popcnt")))

namespace rvf::detail {
namespace {

RVF_AVX2 inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

RVF_AVX2 inline uint32_t hsum_u32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return static_cast<uint32_t>(_mm_cvtsi128_si32(s));
}

/// Lanes 0..r-1 set (r < 8), for VMASKMOVPS: masked-off lanes are not read, so a tail never
/// touches memory past the end of the vector.
RVF_AVX2 inline __m256i lane_mask(size_t r) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(r)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Loaders: eight elements of one operand as f32 lanes; `tail` reads only r < 8 elements and
// zero-fills the rest (zeros add nothing to either sum).
struct F32 {
    RVF_AVX2 static __m256 load(const float *p) { return _mm256_loadu_ps(p); }
    RVF_AVX2 static __m256 tail(const float *p, size_t r) { return _mm256_maskload_ps(p, lane_mask(r)); }
};
struct F16 {
    RVF_AVX2 static __m256 load(const uint16_t *p) {
        return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
    }
    RVF_AVX2 static __m256 tail(const uint16_t *p, size_t r) {
        // No 16-bit masked load before AVX-512: stage the r halves in a zeroed block.
        alignas(16) uint16_t buf[8] = {};
        __builtin_memcpy(buf, p, r * sizeof(uint16_t));
        return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i *>(buf)));
    }
};

template <class LA, class LB, class TA, class TB> RVF_AVX2 float l2sq_loop(const TA *a, const TB *b, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256 d0 = _mm256_sub_ps(LA::load(a + i), LB::load(b + i));
        const __m256 d1 = _mm256_sub_ps(LA::load(a + i + 8), LB::load(b + i + 8));
        const __m256 d2 = _mm256_sub_ps(LA::load(a + i + 16), LB::load(b + i + 16));
        const __m256 d3 = _mm256_sub_ps(LA::load(a + i + 24), LB::load(b + i + 24));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
        acc2 = _mm256_fmadd_ps(d2, d2, acc2);
        acc3 = _mm256_fmadd_ps(d3, d3, acc3);
    }
    for (; i + 8 <= n; i += 8) {
        const __m256 d = _mm256_sub_ps(LA::load(a + i), LB::load(b + i));
        acc0 = _mm256_fmadd_ps(d, d, acc0);
    }
    if (i < n) {
        const __m256 d = _mm256_sub_ps(LA::tail(a + i, n - i), LB::tail(b + i, n - i));
        acc1 = _mm256_fmadd_ps(d, d, acc1);
    }
    return hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

template <class LA, class LB, class TA, class TB> RVF_AVX2 float dot_loop(const TA *a, const TB *b, size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(LA::load(a + i), LB::load(b + i), acc0);
        acc1 = _mm256_fmadd_ps(LA::load(a + i + 8), LB::load(b + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(LA::load(a + i + 16), LB::load(b + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(LA::load(a + i + 24), LB::load(b + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(LA::load(a + i), LB::load(b + i), acc0);
    if (i < n)
        acc1 = _mm256_fmadd_ps(LA::tail(a + i, n - i), LB::tail(b + i, n - i), acc1);
    return hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
}

RVF_AVX2 float l2sq_f32(const float *a, const float *b, size_t n) { return l2sq_loop<F32, F32>(a, b, n); }
RVF_AVX2 float dot_f32(const float *a, const float *b, size_t n) { return dot_loop<F32, F32>(a, b, n); }
RVF_AVX2 float l2sq_f16(const uint16_t *a, const uint16_t *b, size_t n) { return l2sq_loop<F16, F16>(a, b, n); }
RVF_AVX2 float dot_f16(const uint16_t *a, const uint16_t *b, size_t n) { return dot_loop<F16, F16>(a, b, n); }
RVF_AVX2 float l2sq_f16_f32(const uint16_t *s, const float *q, size_t n) { return l2sq_loop<F16, F32>(s, q, n); }
RVF_AVX2 float dot_f16_f32(const uint16_t *s, const float *q, size_t n) { return dot_loop<F16, F32>(s, q, n); }

// i8: 16 bytes → 16 i16 lanes (VPMOVSXBW), VPMADDWD sums adjacent products into 8 i32 lanes
// (a pair of squared differences ≤ 2·255² fits easily). Lane adds wrap mod 2^32, as scalar does.
RVF_AVX2 inline __m256i load_i8x16(const int8_t *p) {
    return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}
RVF_AVX2 inline __m256i tail_i8x16(const int8_t *p, size_t r) {
    alignas(16) int8_t buf[16] = {};
    __builtin_memcpy(buf, p, r);
    return _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i *>(buf)));
}

RVF_AVX2 int32_t l2sq_i8(const int8_t *a, const int8_t *b, size_t n) {
    __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m256i d0 = _mm256_sub_epi16(load_i8x16(a + i), load_i8x16(b + i));
        const __m256i d1 = _mm256_sub_epi16(load_i8x16(a + i + 16), load_i8x16(b + i + 16));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(d0, d0));
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(d1, d1));
    }
    if (i + 16 <= n) {
        const __m256i d = _mm256_sub_epi16(load_i8x16(a + i), load_i8x16(b + i));
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(d, d));
        i += 16;
    }
    if (i < n) {
        const __m256i d = _mm256_sub_epi16(tail_i8x16(a + i, n - i), tail_i8x16(b + i, n - i));
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(d, d));
    }
    return static_cast<int32_t>(hsum_u32(_mm256_add_epi32(acc0, acc1)));
}

RVF_AVX2 int32_t dot_i8(const int8_t *a, const int8_t *b, size_t n) {
    __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0;
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(load_i8x16(a + i), load_i8x16(b + i)));
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(load_i8x16(a + i + 16), load_i8x16(b + i + 16)));
    }
    if (i + 16 <= n) {
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(load_i8x16(a + i), load_i8x16(b + i)));
        i += 16;
    }
    if (i < n)
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(tail_i8x16(a + i, n - i), tail_i8x16(b + i, n - i)));
    return static_cast<int32_t>(hsum_u32(_mm256_add_epi32(acc0, acc1)));
}

// Hamming: count each nibble with a 16-entry PSHUFB table (per-byte counts ≤ 8), then VPSADBW
// folds 8 bytes into one u64 lane per step, so nothing can overflow. The last < 32 bytes use
// POPCNT on 8-byte words.
RVF_AVX2 uint32_t hamming_bits(const uint8_t *a, const uint8_t *b, size_t nbytes) {
    const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, //
                                           0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256i acc = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= nbytes; i += 32) {
        const __m256i x = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(a + i)),
                                           _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + i)));
        const __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(x, low4));
        const __m256i hi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low4));
        acc = _mm256_add_epi64(acc, _mm256_sad_epu8(_mm256_add_epi8(lo, hi), _mm256_setzero_si256()));
    }
    uint64_t c =
        static_cast<uint64_t>(_mm256_extract_epi64(acc, 0)) + static_cast<uint64_t>(_mm256_extract_epi64(acc, 1)) +
        static_cast<uint64_t>(_mm256_extract_epi64(acc, 2)) + static_cast<uint64_t>(_mm256_extract_epi64(acc, 3));
    for (; i + 8 <= nbytes; i += 8) {
        uint64_t x, y;
        __builtin_memcpy(&x, a + i, 8);
        __builtin_memcpy(&y, b + i, 8);
        c += static_cast<uint64_t>(_mm_popcnt_u64(x ^ y));
    }
    for (; i < nbytes; ++i)
        c += static_cast<uint64_t>(_mm_popcnt_u32(static_cast<unsigned>(a[i] ^ b[i])));
    return static_cast<uint32_t>(c);
}

} // namespace

const DistanceKernels kAvx2Kernels = {
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
    .level = KernelLevel::Avx2,
    .name = "avx2",
};

} // namespace rvf::detail

#endif // RVF_DISTANCE_X86

// AVX2 paths of the quantizers: ScalarQuantizer's asymmetric L2 (SqQuery::l2) and the PQ
// distance-to-all-centroids loop of k-means and batch encoding. Same per-target-attribute scheme
// as runtime/src/distance: only these functions carry AVX code, and they run only when the
// distance dispatcher chose an AVX2-or-better level (so the CPU and OS support AVX2 + FMA).
#include "quant_kernels.hpp"

#include <rvf/distance.hpp>

#if RVF_QUANT_X86
#include <immintrin.h>

namespace rvf::quant_detail {

__attribute__((target("avx2,fma"))) float sq_l2_avx2(const float *offset, const float *step, const uint8_t *codes,
                                                     size_t n) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i *>(codes + i));
        const __m256 c0 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(raw));
        const __m256 c1 = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(raw, 8)));
        const __m256 d0 = _mm256_fnmadd_ps(_mm256_loadu_ps(step + i), c0, _mm256_loadu_ps(offset + i));
        const __m256 d1 = _mm256_fnmadd_ps(_mm256_loadu_ps(step + i + 8), c1, _mm256_loadu_ps(offset + i + 8));
        acc0 = _mm256_fmadd_ps(d0, d0, acc0);
        acc1 = _mm256_fmadd_ps(d1, d1, acc1);
    }
    const __m256 acc = _mm256_add_ps(acc0, acc1);
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    float tail = 0.0f;
    for (; i < n; ++i) {
        const float d = offset[i] - step[i] * static_cast<float>(codes[i]);
        tail += d * d;
    }
    return _mm_cvtss_f32(s) + tail;
}

__attribute__((target("avx2"))) void pq_distances_avx2(const float *x, const float *ct, size_t len, size_t k,
                                                       float *dist) {
    size_t c = 0;
    for (; c + 8 <= k; c += 8) {
        __m256 acc = _mm256_setzero_ps();
        for (size_t t = 0; t < len; ++t) {
            const __m256 d = _mm256_sub_ps(_mm256_set1_ps(x[t]), _mm256_loadu_ps(ct + t * k + c));
            acc = _mm256_add_ps(acc, _mm256_mul_ps(d, d)); // no FMA: bit-identical to the portable sum
        }
        _mm256_storeu_ps(dist + c, acc);
    }
    for (; c < k; ++c) {
        float s = 0.0f;
        for (size_t t = 0; t < len; ++t) {
            const float d = x[t] - ct[t * k + c];
            s += d * d;
        }
        dist[c] = s;
    }
}

namespace {
/// Smallest element, ignoring NaNs (min_ps returns its second operand when either is NaN).
__attribute__((target("avx2"))) inline float min_ignoring_nan(const float *v, size_t k) {
    __m256 m = _mm256_set1_ps(__builtin_inff());
    size_t c = 0;
    for (; c + 8 <= k; c += 8)
        m = _mm256_min_ps(_mm256_loadu_ps(v + c), m);
    __m128 h = _mm_min_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_min_ps(_mm_movehl_ps(h, h), h);
    h = _mm_min_ss(_mm_shuffle_ps(h, h, 1), h);
    float r = _mm_cvtss_f32(h);
    for (; c < k; ++c)
        r = v[c] < r ? v[c] : r;
    return r;
}
} // namespace

__attribute__((target("avx2"))) uint32_t argmin2_avx2(float *dist, size_t k, float *second) {
    const float inf = __builtin_inff();
    const float best = min_ignoring_nan(dist, k);
    size_t at = k;
    if (best < inf) {
        const __m256 b = _mm256_set1_ps(best);
        size_t c = 0;
        for (; c + 8 <= k && at == k; c += 8)
            if (const int mask = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(dist + c), b, _CMP_EQ_OQ)))
                at = c + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
        for (; c < k && at == k; ++c)
            if (dist[c] == best)
                at = c;
    }
    if (at == k) { // nothing below +inf
        if (second != nullptr)
            *second = inf;
        return 0;
    }
    if (second != nullptr) { // the minimum of the others; a duplicate of the best counts
        const float saved = dist[at];
        dist[at] = inf;
        *second = min_ignoring_nan(dist, k);
        dist[at] = saved;
    }
    return static_cast<uint32_t>(at);
}

bool sq_avx2_usable() {
    const KernelLevel l = kernels().level;
    return l == KernelLevel::Avx2 || l == KernelLevel::Avx512;
}

} // namespace rvf::quant_detail

#else

namespace rvf::quant_detail {
float sq_l2_avx2(const float *, const float *, const uint8_t *, size_t) { return 0.0f; }
void pq_distances_avx2(const float *, const float *, size_t, size_t, float *) {}
uint32_t argmin2_avx2(float *, size_t, float *) { return 0; }
bool sq_avx2_usable() { return false; }
} // namespace rvf::quant_detail

#endif

// AArch64 Advanced SIMD (NEON) distance kernels. Same contracts as rvf/core/distance/scalar.hpp.
// Everything used here is baseline ARMv8-A, so no run-time test is needed (neon_kernels.hpp):
//  - floats: 4 lanes × 4 independent FMLA accumulators (hides the ~4-cycle FMA latency);
//  - f16: FCVTL/FCVTL2 widen binary16 to f32 exactly (subnormals, ±inf, NaN; conversions ignore
//    FPCR.FZ16), so no FP16 arithmetic extension is needed;
//  - i8: SABD gives |a−b| ≤ 255, exact as a u8, and UMULL squares it into u16 (255² = 65025);
//    dot uses SMULL (|product| ≤ 2^14 fits i16). UADALP/SADALP fold pairs into 32-bit lanes that
//    wrap mod 2^32 like the scalar reference;
//  - Hamming: CNT per byte, folded by UADDLP/UADALP.
// The last n mod 4 (floats) or n mod 16 (bytes) elements go through the scalar reference, so no
// load ever reads past the end of an operand. PQ ADC is the scalar reference (a table walk: the
// loads, not the adds, bound it).
#include "neon_kernels.hpp"

#if RVF_DISTANCE_NEON
#include <arm_neon.h>

#include <rvf/core/distance/scalar.hpp>

namespace rvf::detail {
namespace {

namespace scalar = core::dist::scalar;

// Loaders: four elements of one operand as f32 lanes.
struct F32 {
    static float32x4_t load(const float *p) { return vld1q_f32(p); }
};
struct F16 {
    static float32x4_t load(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }
};

template <class LA, class LB, class TA, class TB> float l2sq_loop(const TA *a, const TB *b, size_t n) {
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const float32x4_t d0 = vsubq_f32(LA::load(a + i), LB::load(b + i));
        const float32x4_t d1 = vsubq_f32(LA::load(a + i + 4), LB::load(b + i + 4));
        const float32x4_t d2 = vsubq_f32(LA::load(a + i + 8), LB::load(b + i + 8));
        const float32x4_t d3 = vsubq_f32(LA::load(a + i + 12), LB::load(b + i + 12));
        acc0 = vfmaq_f32(acc0, d0, d0);
        acc1 = vfmaq_f32(acc1, d1, d1);
        acc2 = vfmaq_f32(acc2, d2, d2);
        acc3 = vfmaq_f32(acc3, d3, d3);
    }
    for (; i + 4 <= n; i += 4) {
        const float32x4_t d = vsubq_f32(LA::load(a + i), LB::load(b + i));
        acc0 = vfmaq_f32(acc0, d, d);
    }
    const float head = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
    return head + scalar::detail::l2sq_mixed(a + i, b + i, n - i);
}

template <class LA, class LB, class TA, class TB> float dot_loop(const TA *a, const TB *b, size_t n) {
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = vfmaq_f32(acc0, LA::load(a + i), LB::load(b + i));
        acc1 = vfmaq_f32(acc1, LA::load(a + i + 4), LB::load(b + i + 4));
        acc2 = vfmaq_f32(acc2, LA::load(a + i + 8), LB::load(b + i + 8));
        acc3 = vfmaq_f32(acc3, LA::load(a + i + 12), LB::load(b + i + 12));
    }
    for (; i + 4 <= n; i += 4)
        acc0 = vfmaq_f32(acc0, LA::load(a + i), LB::load(b + i));
    const float head = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
    return head + scalar::detail::dot_mixed(a + i, b + i, n - i);
}

float l2sq_f32(const float *a, const float *b, size_t n) { return l2sq_loop<F32, F32>(a, b, n); }
float dot_f32(const float *a, const float *b, size_t n) { return dot_loop<F32, F32>(a, b, n); }
float l2sq_f16(const uint16_t *a, const uint16_t *b, size_t n) { return l2sq_loop<F16, F16>(a, b, n); }
float dot_f16(const uint16_t *a, const uint16_t *b, size_t n) { return dot_loop<F16, F16>(a, b, n); }
float l2sq_f16_f32(const uint16_t *s, const float *q, size_t n) { return l2sq_loop<F16, F32>(s, q, n); }
float dot_f16_f32(const uint16_t *s, const float *q, size_t n) { return dot_loop<F16, F32>(s, q, n); }

// 16 bytes per step; each u32 lane gains two squares (≤ 2·65025) per step and wraps mod 2^32,
// which is the contract: the lane sums are added mod 2^32 at the end, as scalar does.
int32_t l2sq_i8(const int8_t *a, const int8_t *b, size_t n) {
    uint32x4_t acc0 = vdupq_n_u32(0), acc1 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const uint8x16_t d = vreinterpretq_u8_s8(vabdq_s8(vld1q_s8(a + i), vld1q_s8(b + i)));
        acc0 = vpadalq_u16(acc0, vmull_u8(vget_low_u8(d), vget_low_u8(d)));
        acc1 = vpadalq_u16(acc1, vmull_high_u8(d, d));
    }
    const uint32_t head = vaddvq_u32(vaddq_u32(acc0, acc1));
    return static_cast<int32_t>(head + static_cast<uint32_t>(scalar::l2sq_i8(a + i, b + i, n - i)));
}

int32_t dot_i8(const int8_t *a, const int8_t *b, size_t n) {
    int32x4_t acc0 = vdupq_n_s32(0), acc1 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const int8x16_t x = vld1q_s8(a + i), y = vld1q_s8(b + i);
        acc0 = vpadalq_s16(acc0, vmull_s8(vget_low_s8(x), vget_low_s8(y)));
        acc1 = vpadalq_s16(acc1, vmull_high_s8(x, y));
    }
    // Lane sums as unsigned: the same bits, and an add that may wrap without UB.
    const uint32_t head = vaddvq_u32(vreinterpretq_u32_s32(vaddq_s32(acc0, acc1)));
    return static_cast<int32_t>(head + static_cast<uint32_t>(scalar::dot_i8(a + i, b + i, n - i)));
}

uint32_t hamming_bits(const uint8_t *a, const uint8_t *b, size_t nbytes) {
    uint32x4_t acc = vdupq_n_u32(0);
    size_t i = 0;
    for (; i + 16 <= nbytes; i += 16) {
        const uint8x16_t bits = vcntq_u8(veorq_u8(vld1q_u8(a + i), vld1q_u8(b + i)));
        acc = vpadalq_u16(acc, vpaddlq_u8(bits));
    }
    return vaddvq_u32(acc) + scalar::hamming_bits(a + i, b + i, nbytes - i);
}

} // namespace

const DistanceKernels kNeonKernels = {
    .l2sq_f32 = l2sq_f32,
    .dot_f32 = dot_f32,
    .l2sq_f16 = l2sq_f16,
    .dot_f16 = dot_f16,
    .l2sq_f16_f32 = l2sq_f16_f32,
    .dot_f16_f32 = dot_f16_f32,
    .l2sq_i8 = l2sq_i8,
    .dot_i8 = dot_i8,
    .hamming_bits = hamming_bits,
    .adc_pq = scalar::adc_pq,
    .level = KernelLevel::Neon,
    .name = "neon",
};

} // namespace rvf::detail

#endif // RVF_DISTANCE_NEON

// Kernel tables and run-time selection for rvf/distance.hpp. Scalar and simd128 tables point
// straight at the core headers' inline kernels; the x86 and AArch64 NEON tables live in their own
// files (x86_kernels.hpp, neon_kernels.hpp). CPU features are read once, on the first
// kernels()/kernels_for() call.
#include <rvf/distance.hpp>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include <rvf/core/distance/metric.hpp>
#include <rvf/core/distance/scalar.hpp>
#include <rvf/core/distance/simd128.hpp>

#include "neon_kernels.hpp"
#include "x86_kernels.hpp"

#if RVF_DISTANCE_X86
#include "../cpu/x86_cpu.hpp"
#endif

namespace rvf {
namespace {

namespace scalar = core::dist::scalar;

constexpr DistanceKernels kScalarKernels = {
    .l2sq_f32 = scalar::l2sq_f32,
    .dot_f32 = scalar::dot_f32,
    .l2sq_f16 = scalar::l2sq_f16,
    .dot_f16 = scalar::dot_f16,
    .l2sq_f16_f32 = scalar::l2sq_f16_f32,
    .dot_f16_f32 = scalar::dot_f16_f32,
    .l2sq_i8 = scalar::l2sq_i8,
    .dot_i8 = scalar::dot_i8,
    .hamming_bits = scalar::hamming_bits,
    .adc_pq = scalar::adc_pq,
    .level = KernelLevel::Scalar,
    .name = "scalar",
};

#if defined(__wasm_simd128__)
namespace simd = core::dist::simd128;
// wasm has no run-time feature test: a module built with -msimd128 only validates on engines
// with SIMD, so compiling it in is the decision.
constexpr DistanceKernels kSimd128Kernels = {
    .l2sq_f32 = simd::l2sq_f32,
    .dot_f32 = simd::dot_f32,
    .l2sq_f16 = simd::l2sq_f16,
    .dot_f16 = simd::dot_f16,
    .l2sq_f16_f32 = simd::l2sq_f16_f32,
    .dot_f16_f32 = simd::dot_f16_f32,
    .l2sq_i8 = simd::l2sq_i8,
    .dot_i8 = simd::dot_i8,
    .hamming_bits = simd::hamming_bits,
    .adc_pq = simd::adc_pq,
    .level = KernelLevel::Simd128,
    .name = "simd128",
};
#endif

constexpr size_t kLevelCount = 6;

// The tables this process may use, indexed by KernelLevel; filled once, in place (by_level may
// point into this struct).
struct Available {
    const DistanceKernels *by_level[kLevelCount] = {};
    const DistanceKernels *best = nullptr;
#if RVF_DISTANCE_X86
    DistanceKernels avx512{}; // kAvx512Kernels, Hamming possibly swapped for the AVX2 one
#endif
};

void detect(Available &av) {
    auto offer = [&av](KernelLevel level, const DistanceKernels *k) {
        av.by_level[static_cast<size_t>(level)] = k;
        av.best = k; // offered in increasing order of speed
    };
    offer(KernelLevel::Scalar, &kScalarKernels);
#if defined(__wasm_simd128__)
    offer(KernelLevel::Simd128, &kSimd128Kernels);
#endif
#if RVF_DISTANCE_NEON
    offer(KernelLevel::Neon, &detail::kNeonKernels); // baseline on AArch64: nothing to test
#endif
#if RVF_DISTANCE_X86
    const detail::X86Features &cpu = detail::x86_features();
    const bool sse = cpu.sse42 && cpu.popcnt;
    const bool avx2 = sse && cpu.f16c && cpu.avx2 && cpu.fma;
    const bool avx512 = avx2 && cpu.avx512f && cpu.avx512bw && cpu.avx512vl;
    if (sse)
        offer(KernelLevel::Sse, &detail::kSseKernels);
    if (avx2)
        offer(KernelLevel::Avx2, &detail::kAvx2Kernels);
    if (avx512) {
        av.avx512 = detail::kAvx512Kernels;
        if (!cpu.avx512vpopcntdq)
            av.avx512.hamming_bits = detail::kAvx2Kernels.hamming_bits;
        offer(KernelLevel::Avx512, &av.avx512);
    }
#endif
}

// RVF_KERNEL_LEVEL=scalar|sse4.2|avx2|avx512|simd128|neon makes kernels() use that level when this CPU
// has it (benchmarks compare levels through the whole store, e.g. native AVX2 against wasm
// simd128); an unknown or unavailable name changes nothing.
void apply_level_override(Available &av) {
    const char *want = std::getenv("RVF_KERNEL_LEVEL");
    if (!want)
        return;
    for (size_t i = 0; i < kLevelCount; ++i)
        if (av.by_level[i] && std::strcmp(kernel_level_name(static_cast<KernelLevel>(i)), want) == 0)
            av.best = av.by_level[i];
}

const Available &available() {
    static Available av;
    static const bool ready = (detect(av), apply_level_override(av), true); // thread-safe one-time initialisation
    (void)ready;
    return av;
}

} // namespace

const DistanceKernels &kernels() { return *available().best; }

const DistanceKernels *kernels_for(KernelLevel level) {
    const auto i = static_cast<size_t>(level);
    return i < kLevelCount ? available().by_level[i] : nullptr;
}

const char *kernel_level_name(KernelLevel level) {
    switch (level) {
    case KernelLevel::Scalar:
        return "scalar";
    case KernelLevel::Sse:
        return "sse4.2";
    case KernelLevel::Avx2:
        return "avx2";
    case KernelLevel::Avx512:
        return "avx512";
    case KernelLevel::Simd128:
        return "simd128";
    case KernelLevel::Neon:
        return "neon";
    }
    return "unknown";
}

float distance_f32(core::Metric m, const float *stored, const float *q, size_t dim) {
    const DistanceKernels &k = kernels();
    switch (m) {
    case core::Metric::L2:
        return k.l2sq_f32(stored, q, dim);
    case core::Metric::InnerProduct:
        return core::dist::ip_distance(k.dot_f32(stored, q, dim));
    case core::Metric::Cosine:
        return core::dist::cosine_from_parts(k.dot_f32(stored, q, dim), k.dot_f32(stored, stored, dim),
                                             k.dot_f32(q, q, dim));
    case core::Metric::Hamming: {
        size_t differ = 0;
        for (size_t i = 0; i < dim; ++i)
            differ += (stored[i] > 0.0f) != (q[i] > 0.0f);
        return static_cast<float>(differ);
    }
    }
    return std::nanf("");
}

} // namespace rvf

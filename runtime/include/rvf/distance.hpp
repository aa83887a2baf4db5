// rvf/distance.hpp — hosted distance kernels with run-time CPU dispatch (spec §5 distances,
// §6.5 PQ ADC). The kernels compute the same sums as rvf/core/distance/scalar.hpp (see there for
// each one's exact contract); this header picks the fastest implementation the machine has:
//
//  level    where                                        notes
//  Avx512   x86-64, AVX-512 F+BW+VL and the Avx2 set     masked tails; VPOPCNTQ Hamming if the CPU
//                                                        has AVX512-VPOPCNTDQ, else the Avx2 one
//  Avx2     x86-64, AVX2 + FMA + F16C + POPCNT           F16C widening, 4 FMA accumulators
//  Sse      x86-64, SSE4.2 + POPCNT                      bit-arithmetic f16 widening
//  Simd128  Emscripten build compiled with -msimd128     rvf/core/distance/simd128.hpp
//  Neon     AArch64 (Advanced SIMD is baseline there)    FCVTL f16 widening, 4 FMA accumulators
//  Scalar   everywhere (the only level on other CPUs)    rvf/core/distance/scalar.hpp
// PQ ADC on every x86 level is an unrolled table walk (gathers measured slower).
//
// The choice is made once per process (first call to kernels()). Float results differ between
// levels only by summation order; integer results (i8, Hamming) are identical.
#pragma once
#include <cstddef>
#include <cstdint>

#include <rvf/core/format/enums.hpp> // core::Metric

namespace rvf {

enum class KernelLevel : uint8_t { Scalar, Sse, Avx2, Avx512, Simd128, Neon };

/// One implementation of every kernel. All pointers are non-null; lengths are element counts
/// (bytes for hamming_bits, subspaces for adc_pq). No alignment is required.
struct DistanceKernels {
    float (*l2sq_f32)(const float *a, const float *b, size_t n);
    float (*dot_f32)(const float *a, const float *b, size_t n);
    float (*l2sq_f16)(const uint16_t *a, const uint16_t *b, size_t n);
    float (*dot_f16)(const uint16_t *a, const uint16_t *b, size_t n);
    float (*l2sq_f16_f32)(const uint16_t *stored, const float *q, size_t n);
    float (*dot_f16_f32)(const uint16_t *stored, const float *q, size_t n);
    int32_t (*l2sq_i8)(const int8_t *a, const int8_t *b, size_t n);
    int32_t (*dot_i8)(const int8_t *a, const int8_t *b, size_t n);
    uint32_t (*hamming_bits)(const uint8_t *a, const uint8_t *b, size_t nbytes);
    float (*adc_pq)(const float *table, const uint8_t *codes, size_t m, size_t ksub);
    KernelLevel level;
    const char *name; // "scalar", "sse4.2", "avx2", "avx512", "simd128", "neon"
};

/// The best kernels for this CPU, chosen on first use (thread-safe) and fixed afterwards.
const DistanceKernels &kernels();

/// The kernels of one level, or nullptr when this build or CPU cannot run it. Scalar is always
/// available. Tests and benchmarks iterate over every level with this.
const DistanceKernels *kernels_for(KernelLevel level);

/// Printable level name ("scalar", "sse4.2", ...), also for levels not available here.
const char *kernel_level_name(KernelLevel level);

/// Distance between a stored f32 row and a query under `m`, with kernels():
///  L2 → Σ(a−b)²;  InnerProduct → −Σab;  Cosine → 1 − ab/√(|a|²|b|²) (1.0 for a zero vector);
///  Hamming → the number of positions where (stored[i] > 0) differs from (q[i] > 0), as a float
///  (a NaN or ±0 element counts as "not > 0"). Any metric value outside the enum gives NaN.
float distance_f32(core::Metric m, const float *stored, const float *q, size_t dim);

} // namespace rvf

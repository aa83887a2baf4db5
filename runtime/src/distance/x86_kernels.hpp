// Private to runtime/src/distance: the x86 kernel tables, each defined in its own .cpp whose
// functions carry a per-function target attribute (the rest of the build keeps the baseline
// x86-64 ISA, and no inline function from a shared header is ever emitted with AVX code, which
// could otherwise be picked by the linker for callers on older CPUs). dispatch.cpp chooses.
#pragma once
#include <rvf/distance.hpp>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__EMSCRIPTEN__)
#define RVF_DISTANCE_X86 1
#else
#define RVF_DISTANCE_X86 0
#endif

#if RVF_DISTANCE_X86
namespace rvf::detail {
extern const DistanceKernels kSseKernels;  // needs SSE4.2 + POPCNT
extern const DistanceKernels kAvx2Kernels; // needs AVX2 + FMA + F16C + POPCNT
// Needs the AVX2 set + AVX-512 F, BW, VL; its hamming_bits also needs AVX512-VPOPCNTDQ, and
// dispatch.cpp substitutes the AVX2 one on CPUs without it (e.g. Skylake-X).
extern const DistanceKernels kAvx512Kernels;

/// PQ ADC for every x86 level (defined in sse_kernels.cpp, baseline ISA). Same contract and
/// summation order as core::dist::scalar::adc_pq; for ksub ≥ 256 every u8 code is in range, so
/// the per-code check goes and codes are read 8 per load. Gathers (VGATHERDPS) were measured
/// slower than this on AMD Zen 4, and microcode mitigations (GDS) make them slow on many Intel
/// parts too.
float adc_pq_unrolled(const float *table, const uint8_t *codes, size_t m, size_t ksub);
} // namespace rvf::detail
#endif

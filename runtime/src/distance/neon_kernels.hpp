// Private to runtime/src/distance: the AArch64 NEON kernel table (neon_kernels.cpp).
// Advanced SIMD is part of the ARMv8-A baseline (every AArch64 Linux, macOS and Windows system
// has it), so the whole file is compiled for the target's default ISA and dispatch.cpp offers it
// without a CPU test.
#pragma once
#include <rvf/distance.hpp>

#if defined(__aarch64__) && defined(__ARM_NEON) && !defined(__ARM_BIG_ENDIAN) && !defined(__EMSCRIPTEN__)
#define RVF_DISTANCE_NEON 1
#else
#define RVF_DISTANCE_NEON 0
#endif

#if RVF_DISTANCE_NEON
namespace rvf::detail {
extern const DistanceKernels kNeonKernels;
} // namespace rvf::detail
#endif

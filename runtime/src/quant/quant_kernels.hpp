// Internal: CPU-specific paths of the quantizers (quant_avx2.cpp).
#pragma once
#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__EMSCRIPTEN__)
#define RVF_QUANT_X86 1
#else
#define RVF_QUANT_X86 0
#endif

namespace rvf::quant_detail {
/// Σ (offset[i] − step[i]·codes[i])² with AVX2 + FMA; call only when sq_avx2_usable().
float sq_l2_avx2(const float *offset, const float *step, const uint8_t *codes, size_t n);
/// dist[c] = Σ_t (x[t] − ct[t·k + c])² for c < k, summed in t order with separate multiply and
/// add (no FMA), so every lane rounds exactly as the portable loop does. AVX2 only.
void pq_distances_avx2(const float *x, const float *ct, size_t len, size_t k, float *dist);
/// Index of the smallest of dist[0..k) (lowest index on ties; 0 when none is below +inf, NaNs
/// never win) and, in *second when non-null, the runner-up value (+inf if none) — exactly what
/// the portable scan in product_quantizer.cpp returns. dist is scratch: one element is changed
/// and restored. AVX2 only.
uint32_t argmin2_avx2(float *dist, size_t k, float *second);
/// True when the distance dispatcher runs AVX2 or AVX-512 kernels on this CPU.
bool sq_avx2_usable();
} // namespace rvf::quant_detail

// microkernel/src/kernels.hpp — the per-row distance kernels of the tile (kernels.cpp), one
// out-of-line function per (row dtype, operation) over the core kernels of
// rvf/core/distance/{scalar,simd128}.hpp. They read the loaded query from the tile regions
// (tile_memory.hpp): the widened f32 query for f16 and f32 rows, the raw query bytes for i8
// rows and Hamming. kernels.cpp is compiled for speed (-O2), everything else for size (-Oz).
#pragma once
#include <stdint.h>

namespace rvf::mk {

/// One row's distance part: l2 = Σ(q−r)², dot = Σq·r, norm = Σr·r (n elements).
using Kernel = float (*)(const uint8_t *row, uint32_t n);

struct RowKernels {
    Kernel l2, dot, norm;
};

/// Indexed by tile dtype code (0 f16, 1 i8, 2 f32).
extern const RowKernels kRowKernels[3];

/// popcount(query bytes xor row bytes) over nbytes.
float hamming(const uint8_t *row, uint32_t nbytes);

/// dst[i] = f16 src[i] widened to f32 (exact), i < n; returns dst.
float *widen(float *dst, const uint16_t *src, uint32_t n);

/// Σ(a_i − q_i)² for an f16 vector against an f32 one (PQ table entries).
float l2_f16_f32(const uint16_t *a, const float *q, uint32_t n);

/// Σ_j pq_table[j·k + codes[j]] over m subspaces (codes ≥ k add 0).
float adc(const uint8_t *codes, uint32_t m, uint32_t k);

/// |query|² as the cosine of a `dtype` block needs it.
float query_norm(uint32_t dtype, uint32_t dim);

} // namespace rvf::mk

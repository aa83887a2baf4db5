// microkernel/src/kernels.cpp — per-row distance kernels (kernels.hpp), the only code of the
// simd128 build compiled for speed (-O2). Each wraps one core kernel, so every core kernel is emitted
// once however many metrics use it. Widening f16 is exact, so every form below equals the
// f16×f16 kernel on the same values bit for bit.
#include "kernels.hpp"

#include "rvf/core/distance/scalar.hpp"
#include "rvf/core/f16.hpp"
#include "tile_memory.hpp"

#if defined(__wasm_simd128__)
#include "rvf/core/distance/simd128.hpp"
namespace kern = rvf::core::dist::simd128;
#else
namespace kern = rvf::core::dist::scalar;
#endif
#define RVF_KERNEL __attribute__((noinline))
// The scalar build compiles this file with -Oz too (its 4 KB goal); flatten keeps the two
// per-element loops free of calls there (f16_to_f32, adc_pq's table lookup), which -Oz would
// otherwise leave out of line.
#define RVF_FLAT __attribute__((noinline, flatten))

namespace rvf::mk {
namespace {

TileData &D = g_tile.data;
TileScratch &S = g_tile.scratch;

const uint16_t *as_f16(const uint8_t *p) { return reinterpret_cast<const uint16_t *>(p); }
const float *as_f32(const uint8_t *p) { return reinterpret_cast<const float *>(p); }
const int8_t *as_i8(const uint8_t *p) { return reinterpret_cast<const int8_t *>(p); }
const int8_t *query_i8() { return reinterpret_cast<const int8_t *>(D.query); }

RVF_KERNEL float l2_f32(const float *a, const float *b, uint32_t n) { return kern::l2sq_f32(a, b, n); }
RVF_KERNEL float f32_l2(const uint8_t *r, uint32_t n) { return l2_f32(as_f32(r), S.query_f32, n); }
RVF_KERNEL float f32_dot(const uint8_t *r, uint32_t n) { return kern::dot_f32(as_f32(r), S.query_f32, n); }
RVF_KERNEL float f32_norm(const uint8_t *r, uint32_t n) { return kern::dot_f32(as_f32(r), as_f32(r), n); }

#if defined(__wasm_simd128__)
// simd128: f16 lanes are widened inside the kernels, four at a time.
RVF_KERNEL float f16_l2(const uint8_t *r, uint32_t n) { return l2_f16_f32(as_f16(r), S.query_f32, n); }
RVF_KERNEL float f16_dot(const uint8_t *r, uint32_t n) { return kern::dot_f16_f32(as_f16(r), S.query_f32, n); }
RVF_KERNEL float f16_norm(const uint8_t *r, uint32_t n) { return kern::dot_f16(as_f16(r), as_f16(r), n); }
#else
// Scalar: widen the row into the scratch widening buffer once, then run the f32 kernels: one
// f16 conversion loop in the whole module instead of one per kernel.
const uint8_t *widen_row(const uint8_t *r, uint32_t n) {
    return reinterpret_cast<const uint8_t *>(widen(S.widened, as_f16(r), n));
}
RVF_KERNEL float f16_l2(const uint8_t *r, uint32_t n) { return f32_l2(widen_row(r, n), n); }
RVF_KERNEL float f16_dot(const uint8_t *r, uint32_t n) { return f32_dot(widen_row(r, n), n); }
RVF_KERNEL float f16_norm(const uint8_t *r, uint32_t n) { return f32_norm(widen_row(r, n), n); }
#endif

RVF_KERNEL float i8_l2(const uint8_t *r, uint32_t n) { return static_cast<float>(kern::l2sq_i8(query_i8(), as_i8(r), n)); }
RVF_KERNEL float i8_dot(const uint8_t *r, uint32_t n) { return static_cast<float>(kern::dot_i8(query_i8(), as_i8(r), n)); }
RVF_KERNEL float i8_norm(const uint8_t *r, uint32_t n) { return static_cast<float>(kern::dot_i8(as_i8(r), as_i8(r), n)); }

} // namespace

// Function addresses are link-time table indices: constant-initialised, no constructor.
const RowKernels kRowKernels[3] = {{f16_l2, f16_dot, f16_norm}, {i8_l2, i8_dot, i8_norm}, {f32_l2, f32_dot, f32_norm}};

RVF_FLAT float *widen(float *dst, const uint16_t *src, uint32_t n) {
    for (uint32_t i = 0; i < n; ++i)
        dst[i] = core::f16_to_f32(src[i]);
    return dst;
}

#if defined(__wasm_simd128__)
RVF_KERNEL float l2_f16_f32(const uint16_t *a, const float *q, uint32_t n) { return kern::l2sq_f16_f32(a, q, n); }
#else
float l2_f16_f32(const uint16_t *a, const float *q, uint32_t n) { return l2_f32(widen(S.widened, a, n), q, n); }
#endif

RVF_KERNEL float hamming(const uint8_t *r, uint32_t nbytes) {
    return static_cast<float>(kern::hamming_bits(reinterpret_cast<const uint8_t *>(D.query), r, nbytes));
}


float query_norm(uint32_t dtype, uint32_t dim) {
    // The f16 query's own bits, the i8 codes, or the widened query for f32 rows.
    const uint8_t *q = dtype == kF32 ? reinterpret_cast<const uint8_t *>(S.query_f32) : reinterpret_cast<const uint8_t *>(D.query);
    return kRowKernels[dtype].norm(q, dim);
}

} // namespace rvf::mk

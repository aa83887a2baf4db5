// rvf/core/format/quant_seg.hpp — QUANT_SEG payload (spec §6.5, rvf-quant codec) and the
// scalar / binary quantisation formulas. PQ training and k-means live in the hosted runtime.
//
// Header (64 B, LE):
//  off   size  type  field
//  0x00  1     u8    quant_type   QuantType: 0 scalar, 1 product, 2 binary (3 residual PQ: not
//                                 implemented anywhere → AlgoUnsupported)
//  0x01  1     u8    tier         TemperatureTier (writers: 0 scalar, 1 product, 2 binary)
//  0x02  2     u16   dim          > 0
//  0x04  60    —     zeros
// Body at 0x40:
//  scalar   f32 min[dim] ‖ f32 max[dim]
//  product  u16 M ‖ u16 K ‖ u16 sub_dim ‖ f32 codebook[M][K][sub_dim]
//           (1 ≤ K ≤ 256 — codes are one byte; M·sub_dim == dim)
//  binary   nothing, or f32 threshold[dim] (spec's threshold form; the codec writes none)
// The body must fill the payload exactly.
//
// Formulas (bit-compatible with rvf-quant):
//  scalar encode  code = round_half_away(clamp((v − min)/(max − min), 0, 1) · 255)  (NaN → 0)
//  scalar decode  v = (code / 255) · (max − min) + min
//  training fix   if |max − min| < FLT_EPSILON then max = min + 1
//  quantised L2   Σ f32(Δcode²) · range² · (1/65025)
//  binary         bit d = (v ≥ 0), LSB-first within byte d/8; decode bit ? +1 : −1
// Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"
#include "enums.hpp"

namespace rvf::core {

inline constexpr size_t kQuantHeaderSize = 64;
inline constexpr size_t kPqHeaderSize = 6;
inline constexpr uint32_t kPqMaxK = 256;
inline constexpr float kF32Epsilon = 1.1920928955078125e-7f; // 2^-23, Rust f32::EPSILON

namespace quant_off {
inline constexpr size_t quant_type = 0, tier = 1, dim = 2, reserved = 4;
static_assert(reserved + 60 == kQuantHeaderSize, "QUANT_SEG header is 64 bytes");
} // namespace quant_off

// --- scalar formulas --------------------------------------------------------------------------

/// Round a value already clamped to [0, 255] half away from zero, exactly (no x + 0.5 error).
constexpr uint8_t round_unit255(float x) {
    const int t = static_cast<int>(x);
    return static_cast<uint8_t>(x - static_cast<float>(t) >= 0.5f ? t + 1 : t);
}

constexpr uint8_t sq_encode_value(float v, float min, float max) {
    float x = (v - min) / (max - min);
    if (!(x > 0.0f)) // also catches NaN, which rvf-quant's float→u8 cast maps to 0
        x = 0.0f;
    if (x > 1.0f)
        x = 1.0f;
    return round_unit255(x * 255.0f);
}
constexpr float sq_decode_value(uint8_t code, float min, float max) {
    return (static_cast<float>(code) / 255.0f) * (max - min) + min;
}
/// Training rule for a degenerate dimension: widen a (near-)zero range to 1.
constexpr float sq_fix_max(float min, float max) {
    const float r = max - min;
    return (r < 0.0f ? -r : r) < kF32Epsilon ? min + 1.0f : max;
}
constexpr void sq_encode(const float *v, const float *min, const float *max, size_t dim, uint8_t *codes) {
    for (size_t d = 0; d < dim; ++d)
        codes[d] = sq_encode_value(v[d], min[d], max[d]);
}
constexpr void sq_decode(const uint8_t *codes, const float *min, const float *max, size_t dim, float *out) {
    for (size_t d = 0; d < dim; ++d)
        out[d] = sq_decode_value(codes[d], min[d], max[d]);
}
constexpr float sq_l2_quantized(const uint8_t *a, const uint8_t *b, const float *min, const float *max, size_t dim) {
    const float inv = 1.0f / (255.0f * 255.0f);
    float dist = 0.0f;
    for (size_t d = 0; d < dim; ++d) {
        const int diff = static_cast<int>(a[d]) - static_cast<int>(b[d]);
        const float range = max[d] - min[d];
        dist += static_cast<float>(diff * diff) * (range * range) * inv;
    }
    return dist;
}

// --- binary formulas --------------------------------------------------------------------------

constexpr size_t binary_code_size(size_t dim) { return (dim + 7) / 8; }
/// Sign bits, LSB-first; writes binary_code_size(dim) bytes. -0.0 ≥ 0 → 1; NaN → 0.
constexpr void binary_encode(const float *v, size_t dim, uint8_t *out) {
    for (size_t i = 0; i < binary_code_size(dim); ++i)
        out[i] = 0;
    for (size_t d = 0; d < dim; ++d)
        if (v[d] >= 0.0f)
            out[d / 8] = static_cast<uint8_t>(out[d / 8] | (1u << (d % 8)));
}
constexpr void binary_decode(const uint8_t *bits, size_t dim, float *out) {
    for (size_t d = 0; d < dim; ++d)
        out[d] = ((bits[d / 8] >> (d % 8)) & 1u) ? 1.0f : -1.0f;
}
constexpr uint32_t hamming_distance(const uint8_t *a, const uint8_t *b, size_t n) {
    uint32_t dist = 0;
    for (size_t i = 0; i < n; ++i)
        dist += static_cast<uint32_t>(__builtin_popcount(static_cast<unsigned>(a[i] ^ b[i])));
    return dist;
}

// --- segment view -----------------------------------------------------------------------------

struct QuantSegView {
    uint8_t quant_type = 0;
    uint8_t tier = 0;
    uint16_t dim = 0;
    ByteView body; // everything after the 64-byte header
    // product only
    uint16_t pq_m = 0, pq_k = 0, pq_sub_dim = 0;

    // scalar
    inline float min(uint16_t d) const { return load_f32_le(body.data + 4u * d); }
    inline float max(uint16_t d) const { return load_f32_le(body.data + 4u * (static_cast<size_t>(dim) + d)); }
    // product: codebook[m][k][j]
    inline float centroid(uint16_t m, uint16_t k, uint16_t j) const {
        const size_t idx = (static_cast<size_t>(m) * pq_k + k) * pq_sub_dim + j;
        return load_f32_le(body.data + kPqHeaderSize + 4 * idx);
    }
    // binary
    constexpr bool has_thresholds() const { return body.size > 0; }
    inline float threshold(uint16_t d) const { return has_thresholds() ? load_f32_le(body.data + 4u * d) : 0.0f; }

    /// Errors: TruncatedSegment (header or body short), InvalidManifest (unknown type/tier,
    /// dim 0, reserved bytes, PQ shape, trailing bytes), AlgoUnsupported (residual PQ).
    static constexpr Status parse(ByteView payload, QuantSegView &out) {
        ByteReader r(payload);
        QuantSegView q;
        q.quant_type = r.u8();
        q.tier = r.u8();
        q.dim = r.u16();
        if (!r.ok() || !r.has(kQuantHeaderSize - quant_off::reserved))
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (!r.skip_zero_pad(kQuantHeaderSize))
            return RVF_CORRUPT(Status::InvalidManifest);
        if (!temperature_tier_known(q.tier) || q.dim == 0 || !quant_type_known(q.quant_type))
            return RVF_CORRUPT(Status::InvalidManifest);
        q.body = payload.from(kQuantHeaderSize);
        const uint64_t fdim = 4ull * q.dim;
        switch (static_cast<QuantType>(q.quant_type)) {
        case QuantType::Scalar:
            if (q.body.size < 2 * fdim)
                return RVF_CORRUPT(Status::TruncatedSegment);
            if (q.body.size != 2 * fdim)
                return RVF_CORRUPT(Status::InvalidManifest);
            break;
        case QuantType::Product: {
            q.pq_m = r.u16();
            q.pq_k = r.u16();
            q.pq_sub_dim = r.u16();
            if (!r.ok())
                return RVF_CORRUPT(Status::TruncatedSegment);
            if (q.pq_m == 0 || q.pq_k == 0 || q.pq_k > kPqMaxK || q.pq_sub_dim == 0 ||
                static_cast<uint32_t>(q.pq_m) * q.pq_sub_dim != q.dim)
                return RVF_CORRUPT(Status::InvalidManifest);
            const uint64_t book = 4ull * q.pq_m * q.pq_k * q.pq_sub_dim;
            if (r.remaining() < book)
                return RVF_CORRUPT(Status::TruncatedSegment);
            if (r.remaining() != book)
                return RVF_CORRUPT(Status::InvalidManifest);
            break;
        }
        case QuantType::Binary:
            if (q.body.size != 0 && q.body.size != fdim)
                return RVF_CORRUPT(q.body.size < fdim ? Status::TruncatedSegment : Status::InvalidManifest);
            break;
        case QuantType::ResidualPq:
            return RVF_CORRUPT(Status::AlgoUnsupported);
        }
        out = q;
        return Status::Ok;
    }
};

// --- encoders ---------------------------------------------------------------------------------

namespace detail {
constexpr void quant_header(ByteWriter &w, QuantType t, uint8_t tier, uint16_t dim) {
    w.u8(static_cast<uint8_t>(t));
    w.u8(tier);
    w.u16(dim);
    w.zeros(kQuantHeaderSize - quant_off::reserved);
}
} // namespace detail

/// Scalar QUANT_SEG. Errors: InvalidArgument (dim 0, tier unknown, null arrays), OutOfMemory.
inline Status encode_quant_scalar(ByteWriter &w, uint16_t dim, const float *min, const float *max,
                                  uint8_t tier = static_cast<uint8_t>(TemperatureTier::Hot)) {
    if (dim == 0 || !temperature_tier_known(tier) || min == nullptr || max == nullptr)
        return Status::InvalidArgument;
    detail::quant_header(w, QuantType::Scalar, tier, dim);
    for (uint16_t d = 0; d < dim; ++d)
        w.f32(min[d]);
    for (uint16_t d = 0; d < dim; ++d)
        w.f32(max[d]);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

/// Product QUANT_SEG; dim = m·sub_dim; codebook has m·k·sub_dim floats in [m][k][j] order.
inline Status encode_quant_product(ByteWriter &w, uint16_t m, uint16_t k, uint16_t sub_dim, const float *codebook,
                                   uint8_t tier = static_cast<uint8_t>(TemperatureTier::Warm)) {
    const uint32_t dim = static_cast<uint32_t>(m) * sub_dim;
    if (m == 0 || k == 0 || k > kPqMaxK || sub_dim == 0 || dim > UINT16_MAX || !temperature_tier_known(tier) ||
        codebook == nullptr)
        return Status::InvalidArgument;
    detail::quant_header(w, QuantType::Product, tier, static_cast<uint16_t>(dim));
    w.u16(m);
    w.u16(k);
    w.u16(sub_dim);
    const size_t n = static_cast<size_t>(m) * k * sub_dim;
    for (size_t i = 0; i < n; ++i)
        w.f32(codebook[i]);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

/// Binary QUANT_SEG; `thresholds` (dim floats) is optional.
inline Status encode_quant_binary(ByteWriter &w, uint16_t dim, const float *thresholds = nullptr,
                                  uint8_t tier = static_cast<uint8_t>(TemperatureTier::Cold)) {
    if (dim == 0 || !temperature_tier_known(tier))
        return Status::InvalidArgument;
    detail::quant_header(w, QuantType::Binary, tier, dim);
    if (thresholds != nullptr)
        for (uint16_t d = 0; d < dim; ++d)
            w.f32(thresholds[d]);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

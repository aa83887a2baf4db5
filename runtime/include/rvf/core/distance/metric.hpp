// rvf/core/distance/metric.hpp — turning kernel sums into the runtime's metric distances
// (spec §5 "Distances", used by the store and the microkernel's rvf_distances, spec §7.3).
//
//  metric         distance                                   from kernels
//  L2             Σ (a−b)²  (squared, no sqrt)               l2sq_*
//  InnerProduct   −Σ ab                                      ip_distance(dot_*)
//  Cosine         1 − ab / √(|a|²·|b|²); 1.0 when that       cosine_from_parts(dot_*(a,b),
//                 denominator < FLT_EPSILON (2^-23)            dot_*(a,a), dot_*(b,b))
//
// Smaller is closer for all three. Freestanding.
#pragma once

namespace rvf::core::dist {

/// FLT_EPSILON (Rust's f32::EPSILON), the cosine zero-vector threshold; <float.h> is not used
/// so the header stays free of libc headers.
inline constexpr float kCosineEpsilon = 1.1920929e-7f;

/// Cosine distance from the three dot products. A (near) zero vector on either side gives 1.0,
/// as the runtime does, instead of dividing by zero. The result is not clamped: rounding can
/// take identical vectors a few ulps below 0 or opposite ones a few above 2.
inline float cosine_from_parts(float dot, float norm_a_sq, float norm_b_sq) {
    float denom = __builtin_sqrtf(norm_a_sq * norm_b_sq);
    // |a|²·|b|² can overflow f32 where each factor does not; the split form is the same value
    // up to rounding and stays finite.
    if (denom == __builtin_inff())
        denom = __builtin_sqrtf(norm_a_sq) * __builtin_sqrtf(norm_b_sq);
    if (denom < kCosineEpsilon)
        return 1.0f;
    return 1.0f - dot / denom;
}

/// Inner-product distance: the negated dot product, so larger similarity sorts first.
inline float ip_distance(float dot) { return -dot; }

} // namespace rvf::core::dist

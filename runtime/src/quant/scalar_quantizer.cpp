// Scalar (int8) quantizer and tier names — spec §6.5 scalar body, rvf-quant formulas.
#include <cmath>
#include <limits>

#include <rvf/quantization.hpp>

#include "quant_common.hpp"
#include "quant_kernels.hpp"

namespace rvf {

const char *tier_name(Tier t) {
    switch (t) {
    case Tier::Hot:
        return "hot";
    case Tier::Warm:
        return "warm";
    case Tier::Cold:
        return "cold";
    }
    return "?";
}

ScalarQuantizer ScalarQuantizer::train(const float *rows, size_t n, size_t dim) {
    ScalarQuantizer q;
    q.min.assign(dim, std::numeric_limits<float>::infinity());
    q.max.assign(dim, -std::numeric_limits<float>::infinity());
    for (size_t i = 0; i < n; ++i) {
        const float *r = rows + i * dim;
        for (size_t d = 0; d < dim; ++d) {
            const float v = r[d];
            if (!std::isfinite(v))
                continue;
            q.min[d] = v < q.min[d] ? v : q.min[d];
            q.max[d] = v > q.max[d] ? v : q.max[d];
        }
    }
    for (size_t d = 0; d < dim; ++d) {
        if (!std::isfinite(q.min[d])) { // no finite value seen
            q.min[d] = 0.0f;
            q.max[d] = 1.0f;
        }
        q.max[d] = core::sq_fix_max(q.min[d], q.max[d]);
    }
    return q;
}

void ScalarQuantizer::encode(const float *v, uint8_t *codes) const {
    core::sq_encode(v, min.data(), max.data(), dim(), codes);
}

void ScalarQuantizer::encode_batch(const float *rows, size_t n, uint8_t *codes) const {
    const size_t d = dim();
    for (size_t i = 0; i < n; ++i)
        encode(rows + i * d, codes + i * d);
}

void ScalarQuantizer::decode(const uint8_t *codes, float *out) const {
    core::sq_decode(codes, min.data(), max.data(), dim(), out);
}

float ScalarQuantizer::l2_quantized(const uint8_t *a, const uint8_t *b) const {
    return core::sq_l2_quantized(a, b, min.data(), max.data(), dim());
}

SqQuery ScalarQuantizer::prepare_query(const float *query) const {
    const size_t d = dim();
    SqQuery q;
    q.offset.resize(d);
    q.step.resize(d);
    for (size_t i = 0; i < d; ++i) {
        q.offset[i] = query[i] - min[i];
        q.step[i] = (max[i] - min[i]) / 255.0f;
    }
    return q;
}

float SqQuery::l2(const uint8_t *codes) const {
    static const bool avx2 = quant_detail::sq_avx2_usable();
    const size_t n = offset.size();
    const float *o = offset.data(), *s = step.data();
    if (avx2)
        return quant_detail::sq_l2_avx2(o, s, codes, n);
    // Four independent sums let the compiler keep vector lanes busy without reassociation.
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const float d0 = o[i] - s[i] * static_cast<float>(codes[i]);
        const float d1 = o[i + 1] - s[i + 1] * static_cast<float>(codes[i + 1]);
        const float d2 = o[i + 2] - s[i + 2] * static_cast<float>(codes[i + 2]);
        const float d3 = o[i + 3] - s[i + 3] * static_cast<float>(codes[i + 3]);
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; ++i) {
        const float d0 = o[i] - s[i] * static_cast<float>(codes[i]);
        s0 += d0 * d0;
    }
    return (s0 + s1) + (s2 + s3);
}

Result<std::vector<uint8_t>> ScalarQuantizer::to_quant_seg() const {
    if (min.empty() || min.size() > UINT16_MAX || min.size() != max.size())
        return Error{Status::InvalidArgument, "ScalarQuantizer: dim must be 1..65535 with min/max of equal size"};
    const auto d = static_cast<uint16_t>(min.size());
    return quant_detail::encode_payload(
        [&](core::ByteWriter &w) { return core::encode_quant_scalar(w, d, min.data(), max.data(), tier); },
        "ScalarQuantizer");
}

Result<ScalarQuantizer> ScalarQuantizer::from_quant_seg(core::ByteView payload) {
    auto v = quant_detail::parse_quant(payload, core::QuantType::Scalar, "ScalarQuantizer");
    if (!v.ok())
        return v.error();
    ScalarQuantizer q;
    q.tier = v->tier;
    if (!quant_detail::read_finite_floats(v->body, 0, v->dim, q.min) ||
        !quant_detail::read_finite_floats(v->body, 4u * v->dim, v->dim, q.max))
        return Error{RVF_CORRUPT(Status::InvalidManifest), "ScalarQuantizer: non-finite min/max in QUANT_SEG"};
    return q;
}

} // namespace rvf

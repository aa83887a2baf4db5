// Binary quantizer — spec §6.5 binary body (none, or the spec's f32 threshold[dim]).
#include <cmath>

#include <rvf/quantization.hpp>

#include "quant_common.hpp"

namespace rvf {

BinaryQuantizer BinaryQuantizer::train(const float *rows, size_t n, size_t dim) {
    BinaryQuantizer q;
    q.dim = static_cast<uint16_t>(dim);
    std::vector<double> sum(dim, 0.0);
    std::vector<size_t> cnt(dim, 0);
    for (size_t i = 0; i < n; ++i)
        for (size_t d = 0; d < dim; ++d)
            if (const float v = rows[i * dim + d]; std::isfinite(v)) {
                sum[d] += v;
                ++cnt[d];
            }
    q.threshold.resize(dim);
    for (size_t d = 0; d < dim; ++d)
        q.threshold[d] = cnt[d] != 0 ? static_cast<float>(sum[d] / static_cast<double>(cnt[d])) : 0.0f;
    return q;
}

void BinaryQuantizer::encode_row(const float *v, uint8_t *bits) const {
    if (threshold.empty()) {
        encode(v, dim, bits);
        return;
    }
    for (size_t i = 0; i < code_size(dim); ++i)
        bits[i] = 0;
    for (size_t d = 0; d < dim; ++d)
        if (v[d] >= threshold[d])
            bits[d / 8] = static_cast<uint8_t>(bits[d / 8] | (1u << (d % 8)));
}

uint32_t BinaryQuantizer::hamming(const uint8_t *a, const uint8_t *b, size_t bits_dim) const {
    const size_t full = bits_dim / 8;
    uint32_t h = full != 0 ? kernels().hamming_bits(a, b, full) : 0;
    if (const size_t rest = bits_dim % 8; rest != 0) {
        const unsigned mask = (1u << rest) - 1u;
        h += static_cast<uint32_t>(__builtin_popcount((a[full] ^ b[full]) & mask));
    }
    return h;
}

Result<std::vector<uint8_t>> BinaryQuantizer::to_quant_seg() const {
    if (dim == 0 || (!threshold.empty() && threshold.size() != dim))
        return Error{Status::InvalidArgument, "BinaryQuantizer: dim 0 or threshold size not dim"};
    return quant_detail::encode_payload(
        [&](core::ByteWriter &w) {
            return core::encode_quant_binary(w, dim, threshold.empty() ? nullptr : threshold.data(), tier);
        },
        "BinaryQuantizer");
}

Result<BinaryQuantizer> BinaryQuantizer::from_quant_seg(core::ByteView payload) {
    auto v = quant_detail::parse_quant(payload, core::QuantType::Binary, "BinaryQuantizer");
    if (!v.ok())
        return v.error();
    BinaryQuantizer q;
    q.dim = v->dim;
    q.tier = v->tier;
    if (v->has_thresholds() && !quant_detail::read_finite_floats(v->body, 0, v->dim, q.threshold))
        return Error{RVF_CORRUPT(Status::InvalidManifest), "BinaryQuantizer: non-finite threshold in QUANT_SEG"};
    return q;
}

} // namespace rvf

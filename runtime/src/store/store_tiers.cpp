// store_tiers.cpp — see store_tiers.hpp.
#include "store_tiers.hpp"

#include <algorithm>
#include <cmath>

#include <rvf/core/distance/metric.hpp>
#include <rvf/core/format/quant_seg.hpp>

namespace rvf::store_detail {

bool TierModels::has(Tier t) const {
    switch (t) {
    case Tier::Hot:
        return true;
    case Tier::Warm:
        return warm.has_value();
    case Tier::Cold:
        return pq.has_value() || (binary.has_value() && levels.has_value());
    }
    return false;
}

size_t TierModels::code_bytes(Tier t, size_t hot_row_bytes) const {
    switch (t) {
    case Tier::Hot:
        return hot_row_bytes;
    case Tier::Warm:
        return warm ? warm->dim() : 0;
    case Tier::Cold:
        if (pq)
            return pq->code_size();
        return binary ? BinaryQuantizer::code_size(binary->dim) : 0;
    }
    return 0;
}

void TierModels::encode(Tier t, const float *v, uint8_t *code) const {
    if (t == Tier::Warm)
        warm->encode(v, code);
    else if (pq)
        pq->encode(v, code);
    else
        binary->encode_row(v, code);
}

void TierModels::decode(Tier t, const uint8_t *code, float *out) const {
    if (t == Tier::Warm) {
        warm->decode(code, out);
    } else if (pq) {
        pq->decode(code, out);
    } else {
        for (size_t d = 0; d < binary->dim; ++d)
            out[d] = (code[d >> 3] >> (d & 7)) & 1 ? levels->hi[d] : levels->lo[d];
    }
}

TierQuery prepare_tier_query(const TierModels &m, const float *q, Metric metric, bool warm_rows, bool cold_rows) {
    TierQuery t;
    const bool l2 = metric == Metric::L2;
    if (warm_rows && m.warm) {
        const size_t n = m.warm->dim();
        t.sq_off.resize(n);
        t.sq_step.resize(n);
        t.sq_qstep.resize(n);
        double dot0 = 0;
        for (size_t d = 0; d < n; ++d) {
            t.sq_off[d] = q[d] - m.warm->min[d];
            t.sq_step[d] = (m.warm->max[d] - m.warm->min[d]) / 255.0f;
            t.sq_qstep[d] = q[d] * t.sq_step[d];
            dot0 += double{q[d]} * m.warm->min[d];
        }
        t.sq_dot0 = static_cast<float>(dot0);
    }
    if (cold_rows && m.pq) {
        const ProductQuantizer &pq = *m.pq;
        t.pq_table.assign(static_cast<size_t>(pq.m) * pq.k, 0.0f);
        if (l2) {
            pq.adc_table(q, t.pq_table.data());
        } else { // dot of the query's subspace with each centroid (padding slots are zero)
            for (size_t j = 0; j < pq.m; ++j)
                for (size_t c = 0; c < pq.k; ++c) {
                    const float *cen = pq.centroid(j, c);
                    float s = 0;
                    for (size_t e = 0; e < pq.sub_dim; ++e) {
                        const size_t d = j * pq.sub_dim + e;
                        if (d < pq.dim)
                            s += q[d] * cen[e];
                    }
                    t.pq_table[j * pq.k + c] = s;
                }
        }
    }
    if (cold_rows && m.binary && m.levels) {
        const size_t n = m.binary->dim, nbytes = (n + 7) / 8;
        std::vector<float> add(nbytes * 8, 0.0f); // bits past `n` add nothing
        double base = 0, dot0 = 0;
        for (size_t d = 0; d < n; ++d) {
            const float lo = m.levels->lo[d], hi = m.levels->hi[d];
            base += double(q[d] - lo) * (q[d] - lo);
            dot0 += double{q[d]} * lo;
            add[d] = l2 ? (q[d] - hi) * (q[d] - hi) - (q[d] - lo) * (q[d] - lo) : q[d] * (hi - lo);
        }
        t.bin_base = static_cast<float>(base);
        t.bin_dot0 = static_cast<float>(dot0);
        t.bin_table.assign(nbytes * 256, 0.0f);
        for (size_t j = 0; j < nbytes; ++j) {
            float *row = &t.bin_table[j * 256];
            for (unsigned v = 1; v < 256; ++v) // v = (v without its lowest bit) + that bit's term
                row[v] = row[v & (v - 1)] + add[j * 8 + static_cast<size_t>(__builtin_ctz(v))];
        }
    }
    return t;
}

float tier_distance(const TierModels &m, Tier t, const uint8_t *code, const TierQuery &tq, Metric metric,
                    float row_norm2, float q_norm2) {
    const bool l2 = metric == Metric::L2;
    float dot = 0;
    if (t == Tier::Warm) {
        // Widen the codes into a per-thread buffer and let the SIMD f32 kernels do the sums:
        // L2 = |off − step·c|², dot = dot0 + qstep·c (a scalar loop here was 10× slower than f32).
        const size_t n = tq.sq_off.size();
        thread_local std::vector<float> wide;
        wide.resize(n);
        float *w = wide.data();
        if (l2) {
            for (size_t d = 0; d < n; ++d)
                w[d] = tq.sq_step[d] * static_cast<float>(code[d]);
            return kernels().l2sq_f32(tq.sq_off.data(), w, n);
        }
        for (size_t d = 0; d < n; ++d)
            w[d] = static_cast<float>(code[d]);
        dot = tq.sq_dot0 + kernels().dot_f32(tq.sq_qstep.data(), w, n);
    } else if (m.pq) {
        const float s = kernels().adc_pq(tq.pq_table.data(), code, m.pq->m, m.pq->k);
        if (l2)
            return s;
        dot = s;
    } else {
        const float s = (l2 ? tq.bin_base : tq.bin_dot0) +
                        kernels().adc_pq(tq.bin_table.data(), code, tq.bin_table.size() / 256, 256);
        if (l2)
            return std::max(0.0f, s);
        dot = s;
    }
    return metric == Metric::Cosine ? core::dist::cosine_from_parts(dot, row_norm2, q_norm2)
                                    : core::dist::ip_distance(dot);
}

ScalarQuantizer train_warm(const float *rows, size_t n, size_t dim) {
    ScalarQuantizer q = ScalarQuantizer::train(rows, n, dim);
    q.tier = static_cast<uint8_t>(core::TemperatureTier::Warm);
    return q;
}

Result<void> train_cold(TierModels &m, const float *rows, size_t n, size_t dim, ColdCodec codec, uint16_t pq_m) {
    // An evenly strided sample: k-means costs O(n·k·dim) per round.
    constexpr size_t kMaxSample = 16384;
    std::vector<float> sample;
    const float *train = rows;
    size_t tn = n;
    if (n > kMaxSample) {
        sample.resize(kMaxSample * dim);
        for (size_t i = 0; i < kMaxSample; ++i) {
            const size_t src = i * n / kMaxSample;
            std::copy(rows + src * dim, rows + (src + 1) * dim, sample.begin() + static_cast<std::ptrdiff_t>(i * dim));
        }
        train = sample.data();
        tn = kMaxSample;
    }
    if (codec == ColdCodec::Pq) {
        const auto k = static_cast<uint16_t>(std::clamp<size_t>(tn, 1, 256));
        auto pq = ProductQuantizer::train(train, tn, dim, pq_m, k, 10, 1);
        if (!pq)
            return pq.error();
        pq->tier = static_cast<uint8_t>(core::TemperatureTier::Cold);
        m.pq = std::move(*pq);
        m.binary.reset();
        m.levels.reset();
        return {};
    }
    BinaryQuantizer b = BinaryQuantizer::train(train, tn, dim);
    b.tier = static_cast<uint8_t>(core::TemperatureTier::Cold);
    BinaryLevels lv;
    lv.lo.assign(dim, 0.0f);
    lv.hi.assign(dim, 0.0f);
    for (size_t d = 0; d < dim; ++d) {
        double lo = 0, hi = 0;
        size_t nlo = 0, nhi = 0;
        for (size_t i = 0; i < tn; ++i) {
            const float v = train[i * dim + d];
            if (!std::isfinite(v))
                continue;
            if (v >= b.threshold[d]) {
                hi += v;
                ++nhi;
            } else {
                lo += v;
                ++nlo;
            }
        }
        lv.lo[d] = nlo ? static_cast<float>(lo / double(nlo)) : b.threshold[d];
        lv.hi[d] = nhi ? static_cast<float>(hi / double(nhi)) : b.threshold[d];
    }
    m.binary = std::move(b);
    m.levels = std::move(lv);
    m.pq.reset();
    return {};
}

Result<std::vector<std::vector<uint8_t>>> encode_tier_models(const TierModels &m) {
    std::vector<std::vector<uint8_t>> out;
    if (m.warm) {
        auto q = m.warm->to_quant_seg();
        if (!q)
            return q.error();
        out.push_back(std::move(*q));
    }
    if (m.pq) {
        auto q = m.pq->to_quant_seg();
        if (!q)
            return q.error();
        out.push_back(std::move(*q));
    }
    if (m.binary && m.levels) {
        auto q = m.binary->to_quant_seg();
        if (!q)
            return q.error();
        out.push_back(std::move(*q));
        const auto dim = static_cast<uint16_t>(m.levels->lo.size());
        const auto tier = static_cast<uint8_t>(core::TemperatureTier::Cold);
        core::ByteWriter counter;
        (void)core::encode_quant_scalar(counter, dim, m.levels->lo.data(), m.levels->hi.data(), tier);
        std::vector<uint8_t> lv(counter.pos());
        core::ByteWriter w(core::MutByteView(lv.data(), lv.size()));
        if (core::Status s = core::encode_quant_scalar(w, dim, m.levels->lo.data(), m.levels->hi.data(), tier);
            s != core::Status::Ok)
            return Error{s, "binary levels QUANT segment encoding"};
        out.push_back(std::move(lv));
    }
    return out;
}

Result<void> load_tier_model(TierModels &m, core::ByteView payload, uint16_t dimension) {
    core::QuantSegView v;
    if (core::Status s = core::QuantSegView::parse(payload, v); s != core::Status::Ok)
        return Error{s, "QUANT segment does not decode"};
    const auto warm = static_cast<uint8_t>(core::TemperatureTier::Warm);
    const auto cold = static_cast<uint8_t>(core::TemperatureTier::Cold);
    const auto type = static_cast<core::QuantType>(v.quant_type);
    if (type == core::QuantType::Scalar && v.tier == warm) {
        auto q = ScalarQuantizer::from_quant_seg(payload);
        if (!q)
            return q.error();
        if (q->dim() != dimension)
            return Error{Status::InvalidManifest, "warm scalar model has another dimension"};
        m.warm = std::move(*q);
        return {};
    }
    if (type == core::QuantType::Scalar && v.tier == cold) { // binary reconstruction levels
        if (v.dim != dimension)
            return Error{Status::InvalidManifest, "binary levels have another dimension"};
        BinaryLevels lv;
        for (uint16_t d = 0; d < v.dim; ++d) {
            lv.lo.push_back(v.min(d));
            lv.hi.push_back(v.max(d));
            if (!std::isfinite(lv.lo.back()) || !std::isfinite(lv.hi.back()))
                return Error{Status::InvalidManifest, "binary levels hold a non-finite value"};
        }
        m.levels = std::move(lv);
        return {};
    }
    if (type == core::QuantType::Product && v.tier == cold) {
        auto q = ProductQuantizer::from_quant_seg(payload, dimension);
        if (!q)
            return Error{q.status() == Status::DimensionMismatch ? Status::InvalidManifest : q.status(),
                         "cold PQ model: " + q.error().message};
        m.pq = std::move(*q);
        return {};
    }
    if (type == core::QuantType::Binary && v.tier == cold) {
        auto q = BinaryQuantizer::from_quant_seg(payload);
        if (!q)
            return q.error();
        if (q->dim != dimension)
            return Error{Status::InvalidManifest, "binary model has another dimension"};
        m.binary = std::move(*q);
        return {};
    }
    return Error{Status::InvalidManifest, "QUANT segment: unknown quant type / tier combination"};
}

std::optional<BlockShape> block_shape(const TierModels &m, Tier t, uint8_t hot_dtype, uint16_t dimension) {
    switch (t) {
    case Tier::Hot:
        return BlockShape{hot_dtype, dimension};
    case Tier::Warm:
        if (!m.warm)
            return std::nullopt;
        return BlockShape{static_cast<uint8_t>(core::DataType::U8), dimension};
    case Tier::Cold:
        if (m.pq)
            return BlockShape{static_cast<uint8_t>(core::DataType::Pq), m.pq->m};
        if (m.binary && m.levels)
            return BlockShape{static_cast<uint8_t>(core::DataType::Binary),
                              static_cast<uint16_t>(BinaryQuantizer::code_size(dimension))};
        return std::nullopt;
    }
    return std::nullopt;
}

uint16_t default_pq_m(uint16_t dimension) { return static_cast<uint16_t>(std::max(1, dimension / 4)); }

} // namespace rvf::store_detail

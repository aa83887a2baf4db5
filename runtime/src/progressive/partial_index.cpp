// partial_index.cpp — see partial_index.hpp.
#include "partial_index.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <rvf/core/format/vec_seg.hpp>
#include <rvf/distance.hpp>
#include <rvf/hash.hpp>

namespace rvf::progressive_detail {

Result<PartialIndex> PartialIndex::make(LayeredHnsw graph, RoutingCodes codes, uint16_t dim, Metric metric) {
    if (codes.graph_tag != graph.graph_tag())
        return Error{Status::InvalidManifest, "routing codes belong to another index build (graph tag differs)"};
    if (codes.pq.dim != dim)
        return Error{Status::InvalidManifest, "routing codes are for dimension " + std::to_string(codes.pq.dim) +
                                                  ", the store has " + std::to_string(dim)};
    const HnswGraph &g = graph.graph();
    for (size_t n = codes.slots(); n < g.slots(); ++n)
        if (g.contains(static_cast<uint32_t>(n)))
            return Error{Status::InvalidManifest, "graph node " + std::to_string(n) + " has no routing code"};
    PartialIndex p;
    p.graph_.emplace(std::move(graph));
    p.codes_ = std::move(codes);
    p.dim_ = dim;
    p.metric_ = metric;
    p.slot_of_.reserve(p.codes_.slots());
    for (uint32_t s = 0; s < p.codes_.slots(); ++s)
        if (p.codes_.live[s])
            p.slot_of_[p.codes_.ids[s]] = s;
    return p;
}

void PartialIndex::remove_ids(std::span<const uint64_t> ids) {
    for (uint64_t id : ids) {
        auto it = slot_of_.find(id);
        if (it == slot_of_.end())
            continue;
        codes_.live[it->second] = 0;
        slot_of_.erase(it);
    }
}

Result<void> PartialIndex::add_vec_segment(core::ByteView payload, uint32_t order, const float *i8_range) {
    core::VecSegView v;
    if (Status s = core::VecSegView::parse(payload, v, crc32c_update); s != Status::Ok)
        return Error{s, "VEC segment does not decode"};
    if (rows_.empty()) {
        rows_.assign(codes_.slots() * dim_, 0.0f);
        row_order_.assign(codes_.slots(), 0);
    }
    std::vector<float> row(dim_);
    for (uint32_t bi = 0; bi < v.block_count; ++bi) {
        core::VecBlockView blk;
        if (Status s = v.block(bi, blk); s != Status::Ok)
            return Error{s, "VEC block " + std::to_string(bi)};
        const auto t = static_cast<core::DataType>(blk.info.dtype);
        const bool i8 = t == core::DataType::I8 && i8_range != nullptr;
        if (blk.dim() != dim_ || !(t == core::DataType::F32 || t == core::DataType::F16 || i8))
            continue; // another width or a tiered (lossy) block: the codes keep scoring these rows
        // i8 storage: code − 128 of the store's one global scalar range (store vector_table.hpp).
        const float scale = i8 ? (i8_range[1] - i8_range[0]) / 255.0f : 0.0f;
        const float offset = i8 ? i8_range[0] + 128.0f * scale : 0.0f;
        auto ids = blk.delta_ids();
        auto cur = ids.cursor();
        for (uint32_t i = 0; i < blk.count(); ++i) {
            uint64_t id = 0;
            if (blk.id_encoding == static_cast<uint8_t>(core::IdEncoding::Raw))
                id = blk.id(i);
            else if (!cur.next(id))
                return Error{Status::InvalidManifest, "VEC block id list ends early"};
            auto it = slot_of_.find(id);
            if (it == slot_of_.end())
                continue; // not a live graph row (written after the index, or deleted)
            const uint32_t slot = it->second;
            if (row_order_[slot] > order)
                continue; // a later write of this id already arrived
            if (i8) {
                for (uint32_t d = 0; d < dim_; ++d)
                    row[d] = offset + scale * blk.element(i, d);
            } else {
                (void)blk.copy_vector_f32(i, row.data(), row.size());
            }
            std::copy(row.begin(), row.end(), rows_.begin() + static_cast<std::ptrdiff_t>(size_t{slot} * dim_));
            rows_exact_ += row_order_[slot] == 0 ? 1 : 0;
            row_order_[slot] = order + 1;
        }
    }
    return {};
}

Result<std::vector<Neighbor>> PartialIndex::query(std::span<const float> q, size_t k, const QueryOptions &o) const {
    // L2: the ADC table gives ‖q − decode(code)‖² per row in m lookups; other metrics decode.
    std::vector<float> table;
    if (metric_ == Metric::L2) {
        table.resize(size_t{codes_.pq.m} * codes_.pq.k);
        codes_.pq.adc_table(q.data(), table.data());
    }
    std::vector<float> decoded(dim_ + codes_.pq.m * size_t{codes_.pq.sub_dim});
    auto dist = [&](uint32_t n) -> float {
        if (const float *r = row_order_.empty() ? nullptr : row(n))
            return distance_f32(metric_, r, q.data(), dim_);
        if (metric_ == Metric::L2)
            return codes_.pq.adc(table.data(), codes_.code(n));
        codes_.pq.decode(codes_.code(n), decoded.data());
        return distance_f32(metric_, decoded.data(), q.data(), dim_);
    };
    auto skip = [&](uint32_t n) { return n >= codes_.slots() || !codes_.live[n]; };
    LayeredSearchParams p;
    p.k = k;
    p.ef = std::max<size_t>(o.ef_search, k);
    const LayeredSearchResult r = graph_->search_with(dist, p, skip);
    if (o.stats) {
        *o.stats = QueryStats{};
        o.stats->layers = r.layers;
        o.stats->distance_evals = r.stats.distance_evals;
    }
    std::vector<Neighbor> out;
    out.reserve(r.hits.size());
    for (const auto &h : r.hits)
        out.push_back({codes_.ids[h.second], h.first});
    return out;
}

} // namespace rvf::progressive_detail

// partition_rows.cpp — see partition_rows.hpp.
#include "partition_rows.hpp"

#include <algorithm>
#include <string>

#include <rvf/core/format/vec_seg.hpp>
#include <rvf/distance.hpp>
#include <rvf/hash.hpp>

namespace rvf::progressive_detail {

Result<void> PartitionRows::add(uint32_t p, core::ByteView payload, const float *i8_range) {
    if (parts_[p].ready)
        return {};
    core::VecSegView v;
    if (Status s = core::VecSegView::parse(payload, v, crc32c_update); s != Status::Ok)
        return Error{s, "VEC segment of partition " + std::to_string(p) + " does not decode"};
    Part part;
    part.ids.reserve(map_.parts[p].rows);
    part.rows.reserve(size_t{map_.parts[p].rows} * dim_);
    std::vector<float> row(dim_);
    for (uint32_t bi = 0; bi < v.block_count; ++bi) {
        core::VecBlockView blk;
        if (Status s = v.block(bi, blk); s != Status::Ok)
            return Error{s, "VEC block " + std::to_string(bi) + " of partition " + std::to_string(p)};
        const auto t = static_cast<core::DataType>(blk.info.dtype);
        const bool i8 = t == core::DataType::I8 && i8_range != nullptr;
        if (blk.dim() != dim_ || !(t == core::DataType::F32 || t == core::DataType::F16 || i8))
            return Error{Status::InvalidManifest, "partition " + std::to_string(p) +
                                                      "'s VEC segment holds rows of another width or type"};
        // i8 storage: code − 128 of the store's one global scalar range (store vector_table.hpp).
        const float scale = i8 ? (i8_range[1] - i8_range[0]) / 255.0f : 0.0f;
        const float offset = i8 ? i8_range[0] + 128.0f * scale : 0.0f;
        auto cur = blk.delta_ids().cursor();
        for (uint32_t i = 0; i < blk.count(); ++i) {
            uint64_t id = 0;
            if (blk.id_encoding == static_cast<uint8_t>(core::IdEncoding::Raw))
                id = blk.id(i);
            else if (!cur.next(id))
                return Error{Status::InvalidManifest, "VEC block id list ends early"};
            if (i8) {
                for (uint32_t d = 0; d < dim_; ++d)
                    row[d] = offset + scale * blk.element(i, d);
            } else {
                (void)blk.copy_vector_f32(i, row.data(), row.size());
            }
            part.ids.push_back(id);
            part.rows.insert(part.rows.end(), row.begin(), row.end());
        }
    }
    if (part.ids.size() != map_.parts[p].rows)
        return Error{Status::InvalidManifest, "partition " + std::to_string(p) + "'s VEC segment holds " +
                                                  std::to_string(part.ids.size()) + " rows, the map says " +
                                                  std::to_string(map_.parts[p].rows)};
    part.ready = true;
    rows_exact_ += part.ids.size();
    bytes_held_ += bytes_of(part);
    parts_[p] = std::move(part);
    return {};
}

void PartitionRows::touch(std::span<const uint32_t> ps) const {
    ++tick_;
    for (uint32_t p : ps)
        if (p < used_.size())
            used_[p] = tick_;
}

std::vector<uint32_t> PartitionRows::evict_to(uint64_t cap) {
    std::vector<uint32_t> out;
    if (bytes_held_ <= cap)
        return out;
    std::vector<uint32_t> order;
    for (uint32_t p = 0; p < parts_.size(); ++p)
        if (parts_[p].ready && (used_[p] < tick_ || tick_ == 0))
            order.push_back(p);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return used_[a] < used_[b]; });
    for (uint32_t p : order) {
        if (bytes_held_ <= cap)
            break;
        bytes_held_ -= bytes_of(parts_[p]);
        rows_exact_ -= parts_[p].ids.size();
        parts_[p] = Part{};
        out.push_back(p);
    }
    return out;
}

std::vector<Neighbor> PartitionRows::query(std::span<const float> q, size_t k, size_t probe) const {
    std::vector<Neighbor> best; // a max-heap on distance of at most k
    auto worse = [](const Neighbor &a, const Neighbor &b) { return a.distance < b.distance; };
    for (uint32_t p : map_.nearest(q, probe)) {
        const Part &part = parts_[p];
        if (!part.ready)
            continue;
        for (size_t i = 0; i < part.ids.size(); ++i) {
            const float d = distance_f32(map_.metric, part.rows.data() + i * dim_, q.data(), dim_);
            if (best.size() == k && d >= best.front().distance)
                continue;
            if (gone_.count(part.ids[i]))
                continue;
            if (best.size() == k) {
                std::pop_heap(best.begin(), best.end(), worse);
                best.pop_back();
            }
            best.push_back({part.ids[i], d});
            std::push_heap(best.begin(), best.end(), worse);
        }
    }
    std::sort_heap(best.begin(), best.end(), worse);
    return best;
}

} // namespace rvf::progressive_detail

// partition_probe.cpp — see partition_probe.hpp.
#include "partition_probe.hpp"

#include <algorithm>
#include <string>

namespace rvf::store_detail {

Result<PartitionProbe> PartitionProbe::bind(PartitionMap map, const VecSlots &vec_slots, uint16_t dim,
                                            core::Metric metric) {
    if (map.dim != dim)
        return Error{Status::InvalidManifest, "the partition map is for dimension " + std::to_string(map.dim) +
                                                  ", the store has " + std::to_string(dim)};
    if (map.metric != metric)
        return Error{Status::InvalidManifest, "the partition map ranks by another metric than the store's"};
    PartitionProbe out;
    out.runs_.resize(map.size());
    for (uint32_t p = 0; p < map.size(); ++p) {
        const PartitionEntry &e = map.parts[p];
        if (e.rows == 0)
            continue;
        auto it = vec_slots.find(e.segment_id);
        if (it == vec_slots.end())
            return Error{Status::InvalidManifest, "partition " + std::to_string(p) + " names VEC segment " +
                                                      std::to_string(e.segment_id) +
                                                      ", which the store does not list (merged or rewritten since)"};
        if (it->second.second != e.rows)
            return Error{Status::InvalidManifest, "partition " + std::to_string(p) + "'s VEC segment " +
                                                      std::to_string(e.segment_id) + " holds " +
                                                      std::to_string(it->second.second) + " rows, the map says " +
                                                      std::to_string(e.rows)};
        out.runs_[p] = {it->second.first, e.rows};
        out.covered_.push_back(out.runs_[p]);
    }
    std::sort(out.covered_.begin(), out.covered_.end(),
              [](const SlotRun &a, const SlotRun &b) { return a.first < b.first; });
    // Segment ids are unique in the map (decode checks), and a segment's slots are its own; an
    // overlap would mean the slot ranges are not what we think: refuse rather than score twice.
    for (size_t i = 1; i < out.covered_.size(); ++i)
        if (uint64_t{out.covered_[i - 1].first} + out.covered_[i - 1].count > out.covered_[i].first)
            return Error{Status::InvalidManifest, "two partitions of the map share table slots"};
    out.map_ = std::move(map);
    return out;
}

std::vector<SlotRun> PartitionProbe::uncovered(size_t slots) const {
    std::vector<SlotRun> out;
    uint64_t at = 0;
    auto gap = [&](uint64_t end) {
        end = std::min<uint64_t>(end, slots);
        if (end > at)
            out.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(end - at)});
    };
    for (const SlotRun &r : covered_) {
        gap(r.first);
        at = std::max<uint64_t>(at, uint64_t{r.first} + r.count);
    }
    gap(slots);
    return out;
}

std::vector<SlotRun> PartitionProbe::runs_for(std::span<const float> q, size_t nprobe, size_t slots) const {
    std::vector<SlotRun> out;
    for (uint32_t p : map_.nearest(q, nprobe))
        if (runs_[p].count != 0 && uint64_t{runs_[p].first} + runs_[p].count <= slots)
            out.push_back(runs_[p]);
    const std::vector<SlotRun> rest = uncovered(slots);
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

} // namespace rvf::store_detail

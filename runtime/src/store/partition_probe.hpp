// partition_probe.hpp — the partition map (rvf/partition_map.hpp) as a local store uses it
// (QueryOptions::nprobe, issue 17): the map bound to the table's slots. A partitioned
// compaction writes each partition as one VEC_SEG; the open records which slots each VEC_SEG's
// rows got (RvfStore::Impl::vec_slots), so partition p is the slot run [first, first + rows).
// Slots never move until the next compaction or reload (merges keep them, appends add slots at
// the end, deletes only mark them dead), so the binding stays valid for the handle's life
// between those; what the map does not cover (rows written after the compaction) is kept as
// runs to scan as well, so a probe never misses a row the map cannot place.
#pragma once
#include <cstdint>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include <rvf/partition_map.hpp>
#include <rvf/result.hpp>

namespace rvf::store_detail {

/// A run of table slots [first, first + count).
struct SlotRun {
    uint32_t first = 0;
    uint32_t count = 0;
};

class PartitionProbe {
public:
    /// Per VEC segment id: the first slot of its rows and their count (RvfStore::Impl::vec_slots).
    using VecSlots = std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>>;

    /// Bind `map` to the table: every partition with rows must name a VEC segment whose rows hold
    /// exactly that many slots, and no two partitions may share a slot. Errors (InvalidManifest)
    /// name the first partition that does not fit, or the dimension / metric that differs.
    static Result<PartitionProbe> bind(PartitionMap map, const VecSlots &vec_slots, uint16_t dim, core::Metric metric);

    const PartitionMap &map() const { return map_; }
    SlotRun partition(uint32_t p) const { return runs_[p]; }
    /// What to score for a query: the runs of the `nprobe` partitions nearest `q` (nearest first),
    /// then every run of slots below `slots` that no partition covers.
    std::vector<SlotRun> runs_for(std::span<const float> q, size_t nprobe, size_t slots) const;
    /// Slots no partition covers below `slots` (rows written after the compaction).
    std::vector<SlotRun> uncovered(size_t slots) const;

private:
    PartitionMap map_;
    std::vector<SlotRun> runs_;    ///< per partition (count 0: an empty partition)
    std::vector<SlotRun> covered_; ///< the partitions' runs, sorted by first slot, non-empty
};

} // namespace rvf::store_detail

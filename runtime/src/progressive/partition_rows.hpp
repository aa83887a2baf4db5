// partition_rows.hpp — what a progressive open answers with when the file carries a partition
// map (rvf/partition_map.hpp): the map's centroids, and the exact rows of the partitions whose
// VEC_SEG has arrived. A query scores the held partitions among the nearest kQueryProbe exactly
// (no graph, no codes): the first answer is as good as the partitions the caller fetched for it
// (ProgressiveStore::wanted_for), and it improves as more partitions arrive.
#pragma once
#include <cstdint>
#include <span>
#include <unordered_set>
#include <vector>

#include <rvf/partition_map.hpp>
#include <rvf/store.hpp>

namespace rvf::progressive_detail {

class PartitionRows {
public:
    /// Partitions scored per query before completion (the nearest this many that are held):
    /// bounds a query's cost at ~kQueryProbe × N/√N rows however much has arrived.
    static constexpr size_t kQueryProbe = 64;

    PartitionRows(PartitionMap map, uint16_t dim)
        : map_(std::move(map)), dim_(dim), parts_(map_.size()), used_(map_.size(), 0) {}

    const PartitionMap &map() const { return map_; }
    bool held(uint32_t p) const { return parts_[p].ready; }
    /// Memory the held partitions take (ids and f32 rows).
    uint64_t bytes_held() const { return bytes_held_; }
    /// Mark partitions as just used (a query is about to need them): eviction takes the least
    /// recently used first and never the ones marked by the latest call.
    void touch(std::span<const uint32_t> ps) const;
    /// Evict held partitions, least recently used first, until bytes_held() ≤ cap or only the
    /// latest touched ones are left; returns the evicted partitions.
    std::vector<uint32_t> evict_to(uint64_t cap);
    size_t rows_exact() const { return rows_exact_; }
    /// Rows deleted after the map was written (JOURNAL_SEGs): never returned.
    void remove_ids(std::span<const uint64_t> ids) { gone_.insert(ids.begin(), ids.end()); }
    /// Partition p's VEC_SEG payload (checked by the caller). Errors: the VEC codec's, and
    /// InvalidManifest when the segment does not hold exactly the map's row count at this width
    /// in f32, f16 or (with i8_range) i8.
    Result<void> add(uint32_t p, core::ByteView payload, const float *i8_range);
    /// The best k of the held partitions among the `probe` nearest (QueryOptions::nprobe, or
    /// kQueryProbe when the caller set none).
    std::vector<Neighbor> query(std::span<const float> q, size_t k, size_t probe = kQueryProbe) const;

private:
    struct Part {
        std::vector<uint64_t> ids;
        std::vector<float> rows; // ids.size() × dim
        bool ready = false;
    };
    static uint64_t bytes_of(const Part &p) { return p.ids.size() * sizeof(uint64_t) + p.rows.size() * sizeof(float); }
    PartitionMap map_;
    uint16_t dim_;
    std::vector<Part> parts_;
    std::unordered_set<uint64_t> gone_;
    size_t rows_exact_ = 0;
    uint64_t bytes_held_ = 0;
    mutable std::vector<uint64_t> used_; // per partition: the tick of its last touch (0: never)
    mutable uint64_t tick_ = 0;
};

} // namespace rvf::progressive_detail

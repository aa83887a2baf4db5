// store_iterate.hpp — the id-ordered snapshot behind RvfStore::ids_after (store_iterate.cpp).
// The vector table keeps ids in slot order with a hash map from id to slot, so paging in id
// order needs a sorted copy. It is built once per table state and shared by every page, so a
// walk over N rows costs one O(N log N) sort plus O(log N + limit) per page.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace rvf::store_detail {

/// Which table state a snapshot was sorted from. Every mutation changes one of these: an
/// ingest appends slots, a delete lowers the live count, a rewrite (compaction, conversion)
/// is a new epoch; within one epoch slots and dead rows only grow, so no two states collide.
struct TableVersion {
    uint32_t epoch = 0;
    uint64_t slots = 0;
    uint64_t live = 0;
    bool operator==(const TableVersion &) const = default;
};

struct IdOrderCache {
    std::mutex mutex; ///< ids_after is const and may run on several threads at once
    TableVersion version;
    std::shared_ptr<const std::vector<uint64_t>> ids; ///< live ids ascending; null: none built yet
};

} // namespace rvf::store_detail

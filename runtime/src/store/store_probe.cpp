// store_probe.cpp — QueryOptions::nprobe (issue 17): answer from the rows of the partitions
// nearest the query (the file's partition map, partition_probe.hpp) instead of walking the HNSW
// graph. On a file opened in place a graph walk from a dropped page cache is thousands of
// synchronous 4 KB page faults (each hop a disk round trip); the nprobe partitions are a few
// contiguous byte ranges, asked for all at once (madvise WILLNEED) before scoring, so a cold
// first answer is one parallel batch of sequential reads.
#include <algorithm>
#include <queue>
#include <string>

#include <rvf/filter.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {

/// Start reading every run's rows now, without waiting: one request per run, all issued before
/// the first row is scored, so the disk serves them in parallel. A hint; only for rows that lie
/// in the file mapping, where a partition's rows are one contiguous range.
void prefetch_runs(const store_detail::VectorTable &t, const std::vector<store_detail::SlotRun> &runs) {
    if (!t.external_rows())
        return; // owned memory: nothing to read
    const size_t rb = t.row_bytes();
    for (const store_detail::SlotRun &r : runs) {
        if (r.count == 0)
            continue;
        const uint8_t *a = t.row_ptr(r.first);
        const uint8_t *z = t.row_ptr(r.first + r.count - 1);
        if (z == a + size_t{r.count - 1} * rb) // else rows appended after the compaction: faulted in as scored
            store_detail::prefetch(a, size_t{r.count} * rb);
    }
}

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

} // namespace

void RvfStore::Impl::adopt_partition_map(core::ByteView payload, uint64_t seg_offset) {
    partitions.reset();
    auto m = decode_partition_map(payload);
    if (!m) {
        partitions_missing = "the partition map at " + hex(seg_offset) + " does not decode: " + m.error().message;
        warnings.push_back(partitions_missing + " (nprobe queries are refused; run `rvf verify`)");
        return;
    }
    // A partitioned file stays partitioned: this handle's compactions (auto-compaction included)
    // write a map again unless set_partition_on_compact(false) says otherwise.
    partition_on_compact = true;
    auto p = store_detail::PartitionProbe::bind(std::move(*m), vec_slots, config.dimension,
                                                static_cast<Metric>(config.metric));
    if (!p) {
        // Not damage: a merge may have replaced the partitions' segments since the compaction.
        partitions_missing = "the partition map at " + hex(seg_offset) + " no longer describes the rows: " +
                             p.error().message;
        warnings.push_back(partitions_missing + " (nprobe queries are refused until the next partitioned compaction)");
        return;
    }
    partitions = std::move(*p);
    partitions_missing.clear();
}

Result<std::vector<Neighbor>> RvfStore::Impl::query_partitions(std::span<const float> q, size_t k,
                                                               const QueryOptions &options, QueryStats &st) const {
    if (options.exact)
        return Error{Status::InvalidArgument,
                     "QueryOptions::exact and nprobe contradict each other (exact scores every row, nprobe only the "
                     "nearest partitions): set one of them"};
    if (!partitions)
        return Error{Status::UnsupportedLayout,
                     "QueryOptions::nprobe needs a partition map and this store has none" +
                         (partitions_missing.empty() ? std::string() : " usable (" + partitions_missing + ")") +
                         ": compact it with StoreOptions::partition_on_compact (or "
                         "RvfStore::set_partition_on_compact(true)); an indexed, untiered store of at least " +
                         std::to_string(kPartitionMinRows) + " live rows then gets one. Or query with nprobe = 0"};
    const Metric metric = static_cast<Metric>(config.metric);
    const std::vector<store_detail::SlotRun> runs = partitions->runs_for(q, options.nprobe, table.slots());
    prefetch_runs(table, runs);
    // prepare_local: an in-place table's per-row sums (cosine, i8 inner product) are not computed
    // for every row first, which from a cold cache would read the whole file for a few partitions.
    const store_detail::PreparedQuery pq = table.prepare_local(q.data(), metric);
    if (options.filter)
        st.strategy = FilterStrategy::Intra; // evaluated per scored row
    // Max-heap of the best k by (distance, id), as the exact scan ranks them. A row's id is read
    // only when it could enter the heap (or the filter needs it): in place, ids are another
    // array of the file, and reading every scored row's id would fault its pages in too.
    std::priority_queue<std::pair<float, uint64_t>> heap;
    for (const store_detail::SlotRun &r : runs)
        for (uint32_t slot = r.first; slot < r.first + r.count; ++slot) {
            if (!table.live_at(slot))
                continue;
            ++st.distance_evals;
            const float d = table.distance(metric, slot, pq);
            if (heap.size() == k && d > heap.top().first)
                continue;
            const uint64_t id = table.id_at(slot);
            if (options.filter && !evaluate(*options.filter, meta, id))
                continue;
            if (heap.size() < k) {
                heap.emplace(d, id);
            } else if (std::make_pair(d, id) < heap.top()) {
                heap.pop();
                heap.emplace(d, id);
            }
        }
    std::vector<Neighbor> out(heap.size());
    for (size_t i = out.size(); i-- > 0; heap.pop())
        out[i] = {heap.top().second, heap.top().first};
    record_access(out); // tiering: the blocks this query read
    return out;
}

} // namespace rvf

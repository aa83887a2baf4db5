// store_ops.cpp — everyday operations on top of the commit path: upsert, metadata update,
// count, filter-only id listing and refresh of a read-only handle. Writes follow ingest_batch's
// group-commit pattern (commit with defer_sync under state_mu, apply, maintain, unlock, then
// wait_durable outside the lock).
#include <algorithm>
#include <unordered_set>

#include "store_impl.hpp"

namespace rvf {

Result<IngestResult> RvfStore::upsert_batch(std::span<const uint64_t> ids, std::span<const float> vectors,
                                            std::span<const std::vector<MetadataEntry>> metadata) {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    return impl_->write_rows(g, ids, vectors, metadata, /*replace=*/true);
}

Result<IngestResult> RvfStore::update_metadata(std::span<const uint64_t> ids,
                                               std::span<const std::vector<MetadataEntry>> metadata) {
    Impl &s = *impl_;
    std::unique_lock<std::shared_mutex> g(s.state_mu);
    if (auto w = s.check_writable(); !w)
        return w.error();
    if (metadata.size() != ids.size())
        return Error{Status::InvalidArgument, "update_metadata needs one entry list per id (" +
                                                  std::to_string(metadata.size()) + " for " +
                                                  std::to_string(ids.size()) + " ids)"};
    IngestResult res;
    std::vector<uint64_t> ok_ids;
    std::unordered_set<uint64_t> seen;
    MetadataTable batch; // the META segment's rows; an id with no entries is covered and so cleared
    for (size_t i = 0; i < ids.size(); ++i) {
        Rejection rj{i, ids[i], Status::Ok, {}};
        if (!s.table.contains(ids[i]))
            rj = {i, ids[i], Status::KeyNotFound, "id " + std::to_string(ids[i]) + " is not in the store; insert it first"};
        else if (!seen.insert(ids[i]).second)
            rj = {i, ids[i], Status::InvalidArgument, "id " + std::to_string(ids[i]) + " repeats within the batch"};
        if (rj.status != Status::Ok) {
            res.rejections.push_back(std::move(rj));
            continue;
        }
        ok_ids.push_back(ids[i]);
        batch.put(ids[i], metadata[i]);
    }
    res.rejected = res.rejections.size();
    res.accepted = ok_ids.size();
    res.epoch = s.epoch;
    if (ok_ids.empty())
        return res;
    auto m = batch.encode_meta_seg(ok_ids);
    if (!m)
        return m.error();
    std::vector<PendingSegment> segs;
    segs.push_back({core::SegType::Meta, 0, std::move(*m)});
    s.defer_sync = true; // group commit: the fsync happens below, outside the lock
    auto committed = s.commit(std::move(segs), core::kChainWitnessProvenance, s.table.live());
    s.defer_sync = false;
    if (!committed)
        return committed.error();
    for (size_t i = 0; i < ids.size(); ++i)
        if (seen.count(ids[i]) && s.table.contains(ids[i]))
            s.meta.put(ids[i], metadata[i]); // put() with no entries erases the row
    s.meta_index_dirty = true;
    res.epoch = s.epoch;
    s.maintain_after_write();
    const uint64_t seq = s.last_commit_seq;
    g.unlock();
    if (auto d = s.wait_durable(seq); !d)
        return d.error();
    return res;
}

Result<uint64_t> RvfStore::count(const FilterExpr *filter) const {
    const Impl &s = *impl_;
    std::shared_lock<std::shared_mutex> g(s.state_mu);
    if (!filter)
        return static_cast<uint64_t>(s.table.live());
    if (auto v = validate_filter(*filter, s.meta); !v)
        return v.error();
    uint64_t n = 0;
    for (uint32_t slot = 0; slot < s.table.slots(); ++slot)
        if (s.table.live_at(slot) && evaluate(*filter, s.meta, s.table.id_at(slot)))
            ++n;
    return n;
}

Result<std::vector<uint64_t>> RvfStore::find_ids(const FilterExpr *filter, std::optional<uint64_t> after,
                                                 size_t limit) const {
    if (!filter)
        return ids_after(after, limit);
    {
        std::shared_lock<std::shared_mutex> g(impl_->state_mu);
        if (auto v = validate_filter(*filter, impl_->meta); !v)
            return v.error();
    }
    // Page through the id order, keeping matches, until `limit` are found or the ids run out.
    std::vector<uint64_t> out;
    constexpr size_t kPage = 4096;
    while (out.size() < limit) {
        auto page = ids_after(after, kPage);
        if (!page)
            return page.error();
        if (page->empty())
            break;
        {
            std::shared_lock<std::shared_mutex> g(impl_->state_mu);
            for (uint64_t id : *page)
                if (out.size() < limit && impl_->table.contains(id) && evaluate(*filter, impl_->meta, id))
                    out.push_back(id);
        }
        after = page->back();
    }
    return out;
}

Result<void> RvfStore::refresh() {
    Impl &s = *impl_;
    {
        std::shared_lock<std::shared_mutex> g(s.state_mu);
        if (!s.read_only || s.lock)
            return Error{Status::InvalidArgument,
                         "refresh() is for read-only handles (open_readonly); a writable handle already sees its commits"};
        if (s.path.empty())
            return Error{Status::InvalidArgument, "refresh() needs a store opened from a file, not an in-memory image"};
    }
    auto fresh = open_readonly(s.path); // read and decode outside the lock: queries keep running meanwhile
    if (!fresh)
        return fresh.error();
    Impl &f = *fresh->impl_;
    std::unique_lock<std::shared_mutex> g(s.state_mu);
    std::unique_lock<std::mutex> sync = s.quiesce_syncs();
    s.storage = std::move(f.storage);
    s.config = f.config;
    s.table = std::move(f.table);
    s.meta = std::move(f.meta);
    s.writer = std::move(f.writer);
    s.opened_layout = f.opened_layout;
    s.needs_conversion = false;
    s.epoch = f.epoch;
    s.loaded_segments = f.loaded_segments;
    s.created_ns = f.created_ns;
    std::copy(std::begin(f.file_id), std::end(f.file_id), std::begin(s.file_id));
    std::copy(std::begin(f.parent_id), std::end(f.parent_id), std::begin(s.parent_id));
    std::copy(std::begin(f.parent_hash), std::end(f.parent_hash), std::begin(s.parent_hash));
    s.lineage_depth = f.lineage_depth;
    s.last_witness = f.last_witness;
    s.witness_history = std::move(f.witness_history);
    s.quant_offset = f.quant_offset;
    s.warnings = std::move(f.warnings);
    s.preserved_segments = std::move(f.preserved_segments);
    {
        std::scoped_lock sk(s.sketch_mutex, f.sketch_mutex);
        s.sketch = std::move(f.sketch);
        s.sketch_dirty = false;
    }
    {
        std::scoped_lock ix(s.index_mutex, f.index_mutex);
        s.graph = std::move(f.graph);
        s.graph_persisted_nodes = f.graph_persisted_nodes;
        s.index_scanned_slots = f.index_scanned_slots;
    }
    s.index_a_offset = f.index_a_offset;
    s.checkpoint_offset = f.checkpoint_offset;
    s.chain_prev_offset = f.chain_prev_offset;
    s.bytes_since_checkpoint = f.bytes_since_checkpoint;
    s.commits_since_checkpoint = f.commits_since_checkpoint;
    s.last_checkpoint_bytes = f.last_checkpoint_bytes;
    s.vec_slots = std::move(f.vec_slots);
    s.partitions = std::move(f.partitions);
    s.partitions_missing = std::move(f.partitions_missing);
    {
        // A refresh may keep the epoch, slots and live count while the rows changed (another
        // writer's compaction): drop the id-order snapshot rather than trust its version.
        std::lock_guard<std::mutex> io(s.id_order.mutex);
        s.id_order.ids.reset();
    }
    return {};
}

} // namespace rvf

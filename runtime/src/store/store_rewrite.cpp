// store_rewrite.cpp — compaction and Layout R → S conversion: both write a fresh Layout S
// image of the live state to `<path>.compact.tmp`, fsync it, rename it over the file and fsync
// the directory. Until the rename the old file is untouched; after it the new one is complete.
#include <cstring>
#include <string>

#include <rvf/io/durable_file.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {
constexpr size_t kRowsPerVecSegment = 65536; // keeps each VEC_SEG far below the 4 GiB payload limit
}

Result<std::vector<uint8_t>> RvfStore::Impl::build_image(uint32_t new_epoch,
                                                         const std::vector<PendingSegment> &preserved,
                                                         const TierPlan *plan) const {
    LayoutSWriter w;
    std::vector<core::SegmentHeader> covered;
    auto add = [&](core::SegType t, uint16_t flags, const std::vector<uint8_t> &payload) -> Result<uint64_t> {
        auto off = append_pending(w, PendingSegment{t, flags, payload});
        if (!off)
            return off;
        core::SegmentHeader h;
        core::decode_segment_header_raw(core::ByteView(w.bytes().data() + *off, 64), h);
        covered.push_back(h);
        return off;
    };
    std::optional<uint64_t> qoff;
    if (table.has_quant()) {
        auto q = encode_quant();
        if (!q)
            return q.error();
        auto off = add(core::SegType::Quant, 0, *q);
        if (!off)
            return off.error();
        qoff = *off;
    }
    const std::vector<uint64_t> live = table.live_ids();
    if (plan || table.tiered()) { // tier models, then VEC blocks of one tier each (store_tiers_io.cpp)
        auto segs = tiered_data_segments(live, plan);
        if (!segs)
            return segs.error();
        for (const PendingSegment &p : *segs)
            if (auto off = add(p.type, p.flags, p.payload); !off)
                return off.error();
    }
    for (size_t at = 0; !(plan || table.tiered()) && at < live.size(); at += kRowsPerVecSegment) {
        const size_t n = std::min(kRowsPerVecSegment, live.size() - at);
        std::vector<uint8_t> rows(n * table.row_bytes());
        for (size_t j = 0; j < n; ++j)
            std::memcpy(rows.data() + j * table.row_bytes(), table.row_ptr(*table.slot_of(live[at + j])),
                        table.row_bytes());
        auto vec = encode_vec(live.data() + at, rows.data(), n);
        if (!vec)
            return vec.error();
        if (auto off = add(core::SegType::Vec, 0, *vec); !off)
            return off.error();
    }
    std::vector<uint64_t> with_meta;
    for (uint64_t id : live)
        if (meta.get(id))
            with_meta.push_back(id);
    if (!with_meta.empty()) {
        auto m = meta.encode_meta_seg(with_meta);
        if (!m)
            return m.error();
        if (auto off = add(core::SegType::Meta, 0, *m); !off)
            return off.error();
        auto idx = meta.encode_metaidx_segs();
        if (!idx)
            return idx.error();
        for (const auto &p : *idx)
            if (auto off = add(core::SegType::MetaIdx, 0, p); !off)
                return off.error();
    }
    for (const PendingSegment &p : preserved)
        if (auto off = add(p.type, p.flags, p.payload); !off)
            return off.error();
    if (tiering_enabled()) { // the access sketch (remapped to this image's blocks by a plan)
        auto sk = plan ? plan->sketch.to_sketch_seg() : encode_sketch();
        if (!sk)
            return sk.error();
        if (auto off = add(core::SegType::Sketch, 0, *sk); !off)
            return off.error();
    }
    std::optional<uint64_t> index_a;
    {
        auto idx = image_index_segments(*this, live, new_epoch);
        if (!idx)
            return idx.error();
        for (const PendingSegment &p : *idx) {
            auto off = add(p.type, p.flags, p.payload);
            if (!off)
                return off.error();
            if (p.flags & core::SegFlag::Hot)
                index_a = *off;
        }
    }
    if (config.flags & core::kStoreConfigWitness) {
        // History first (link-checked by verify), then this rewrite's entry over the new segments.
        std::vector<uint8_t> payload;
        for (const auto &e : witness_history)
            payload.insert(payload.end(), e.begin(), e.end());
        core::WitnessEntry e;
        if (last_witness)
            core::witness_link_hash(last_witness->data(), e.prev_hash);
        witness_action_hash(core::kChainWitnessComputation, covered, e.action_hash);
        e.timestamp_ns = now_ns();
        e.witness_type = core::kChainWitnessComputation;
        uint8_t entry[core::kWitnessEntrySize];
        core::encode_witness_entry(e, entry);
        payload.insert(payload.end(), entry, entry + sizeof entry);
        if (auto off = w.append_segment(core::SegType::Witness, 0, core::ByteView(payload.data(), payload.size()));
            !off)
            return off.error();
    }
    core::ManifestL0 root = make_root(new_epoch, live.size());
    root.quantdict = {};
    if (qoff) {
        root.quantdict.seg_offset = *qoff;
        root.quantdict.count = 1;
    }
    root.entrypoint = root.toplayer = root.centroid = {};
    if (index_a) {
        root.entrypoint.seg_offset = root.toplayer.seg_offset = root.centroid.seg_offset = *index_a;
        root.entrypoint.count = 1;
    }
    const std::vector<uint8_t> tlv = config_tlv();
    if (auto m = w.append_manifest(root, nullptr, core::ByteView(tlv.data(), tlv.size())); !m)
        return m.error();
    return w.take_bytes();
}

Result<void> RvfStore::Impl::replace_with(std::vector<uint8_t> image) {
    auto no_sync_in_flight = quiesce_syncs(); // a group-commit leader may be in storage->sync()
    if (storage->is_file()) {
        const std::string tmp = io::compaction_temp_path(path);
        {
            auto f = io::DurableFile::create_new(tmp);
            if (!f) { // a leftover from a crash of this very process: remove and retry once
                if (auto r = io::remove_orphan_temp(path); !r)
                    return r.error();
                f = io::DurableFile::create_new(tmp);
                if (!f)
                    return f.error();
            }
            auto cleanup = [&](Error e) -> Result<void> {
                f->close();
                (void)io::remove_orphan_temp(path);
                return e;
            };
            if (auto r = f->append(core::ByteView(image.data(), image.size())); !r)
                return cleanup(r.error());
            if (auto r = f->sync(); !r)
                return cleanup(r.error());
            f->close();
        }
        if (auto r = io::atomic_replace(tmp, path); !r) {
            (void)io::remove_orphan_temp(path);
            return r;
        }
        auto st = store_detail::file_storage(path, false);
        if (!st) {
            poisoned = true; // the new file is in place; this handle lost it
            return st.error();
        }
        storage = std::move(*st);
    } else {
        storage = store_detail::memory_storage({});
        if (auto r = storage->append(core::ByteView(image.data(), image.size())); !r)
            return r;
    }
    // Reload from the new image: the writer, directory, witness tip and tables all follow it.
    auto bytes = storage->read_all();
    if (!bytes)
        return bytes.error();
    Impl fresh;
    fresh.path = path;
    fresh.storage = std::move(storage);
    if (auto r = fresh.load(std::move(*bytes), true); !r) {
        storage = std::move(fresh.storage);
        poisoned = true;
        return r;
    }
    storage = std::move(fresh.storage);
    config = fresh.config;
    table = std::move(fresh.table);
    meta = std::move(fresh.meta);
    writer = std::move(fresh.writer);
    opened_layout = FileLayout::S;
    needs_conversion = false;
    epoch = fresh.epoch;
    last_witness = fresh.last_witness;
    witness_history = std::move(fresh.witness_history);
    quant_offset = fresh.quant_offset;
    preserved_segments = std::move(fresh.preserved_segments);
    {
        std::scoped_lock g(sketch_mutex, fresh.sketch_mutex);
        sketch = std::move(fresh.sketch);
        sketch_dirty = false;
    }
    graph = std::move(fresh.graph);
    graph_persisted_nodes = fresh.graph_persisted_nodes;
    index_scanned_slots = 0;
    index_a_offset = fresh.index_a_offset;
    meta_index_dirty = false;
    checkpoint_offset = fresh.checkpoint_offset;
    chain_prev_offset = fresh.chain_prev_offset;
    bytes_since_checkpoint = fresh.bytes_since_checkpoint;
    commits_since_checkpoint = fresh.commits_since_checkpoint;
    last_checkpoint_bytes = fresh.last_checkpoint_bytes;
    force_checkpoint = fresh.force_checkpoint;
    vec_slots = std::move(fresh.vec_slots);
    merge_trigger = merge_trigger_base;
    durable_seq = appended_seq.load(); // the rewrite is durable, and holds every commit before it
    return {};
}

Result<void> RvfStore::Impl::convert_if_needed() {
    if (!needs_conversion)
        return {};
    auto image = build_image(epoch + 1, preserved_segments);
    if (!image)
        return image.error();
    if (auto r = replace_with(std::move(*image)); !r)
        return r;
    warnings.push_back("Layout R file rewritten as Layout S on first write");
    return {};
}

Result<CompactResult> RvfStore::compact(uint64_t io_budget_bytes) {
    Impl &s = *impl_;
    std::unique_lock<std::shared_mutex> g(s.state_mu);
    if (auto w = s.check_writable(); !w)
        return w.error();
    const uint64_t before = s.storage->size();
    const uint64_t segments_before = s.writer ? s.writer->directory().size() + 1 : 0;
    std::optional<TierPlan> plan; // tiered stores re-tier every block from the access sketch
    if (s.tiering_enabled()) {
        auto p = s.plan_tiers(s.table.live_ids());
        if (!p)
            return p.error();
        plan = std::move(*p);
    }
    auto image = s.build_image(s.epoch + 1, s.preserved_segments, plan ? &*plan : nullptr);
    if (!image)
        return image.error();
    CompactResult res;
    if (io_budget_bytes != 0 && image->size() > io_budget_bytes) {
        res.complete = false;
        res.epoch = s.epoch;
        return res;
    }
    const uint64_t new_size = image->size();
    if (auto r = s.replace_with(std::move(*image)); !r)
        return r.error();
    res.segments_compacted = segments_before;
    res.bytes_reclaimed = before > new_size ? before - new_size : 0;
    res.epoch = s.epoch;
    return res;
}

} // namespace rvf

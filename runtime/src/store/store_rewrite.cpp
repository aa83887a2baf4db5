// store_rewrite.cpp — compaction and Layout R → S conversion: both stream a fresh Layout S image
// of the live state, segment by segment, to `<path>.compact.tmp`, fsync it, rename it over the
// file and fsync the directory. Until the rename the old file is untouched; after it the new one
// is complete. The handle then adopts the new file from what it already holds (the table is
// compacted in place, the graph renumbered), so memory stays O(one segment + index), never
// O(file): no whole image in RAM, no read-back.
#include <algorithm>
#include <cstring>
#include <string>

#include <rvf/crypto/segment_signature.hpp>
#include <rvf/io/durable_file.hpp>
#include <rvf/partition_map.hpp>
#include <rvf/routing_codes.hpp>

#include "id_table.hpp"
#include "io_throttle.hpp"
#include "store_impl.hpp"

namespace rvf {
namespace {
// A rewrite's VEC segments hold about 4 MiB of rows each (at most 65536 rows, at least one): the
// rewrite holds only a few of those MiB at once, and buffers that size are reused by malloc
// instead of being mapped (and page-faulted) afresh for every segment.
constexpr size_t kVecSegmentBytes = 4u << 20;
constexpr size_t kMaxRowsPerVecSegment = 65536;
constexpr size_t kThrottleChunk = 1u << 20;  // a throttled rewrite writes (and waits) in 1 MiB steps

/// The sink's refusal when the IO budget would be exceeded (compact() turns it into complete = false).
constexpr const char *kBudgetStop = "compaction stopped: the rewrite would exceed io_budget_bytes";

/// An image's row order by partition (docs/format-partition-map.md): `order` holds the live ids
/// partition after partition (each partition in slot order), map.parts their row ranges.
struct PartitionPlan {
    std::vector<uint64_t> order;
    PartitionMap map;
};

/// Partition the live rows when the image will carry an HNSW index over enough of them (the
/// index build is what makes a cold reader's first answer worth routing); nullopt otherwise.
std::optional<PartitionPlan> plan_partitions(const RvfStore::Impl &s, const std::vector<uint64_t> &live) {
    const auto metric = static_cast<core::Metric>(s.config.metric);
    if (!s.partition_on_compact || live.size() < kPartitionMinRows || !s.graph || s.graph->size() == 0 || metric == core::Metric::Hamming)
        return std::nullopt;
    std::vector<uint32_t> slots(live.size());
    for (size_t i = 0; i < live.size(); ++i)
        slots[i] = *s.table.slot_of(live[i]);
    const uint32_t k = partition_count(live.size());
    PartitionTraining t = train_partitions(
        metric, s.config.dimension, live.size(), k, [&](size_t i, float *out) { s.table.to_float(slots[i], out); },
        s.index_threads);
    PartitionPlan p;
    p.map.metric = metric;
    p.map.dim = s.config.dimension;
    p.map.centroids = std::move(t.centroids);
    p.map.parts.resize(k);
    for (uint32_t a : t.assign)
        ++p.map.parts[a].rows;
    uint64_t at = 0;
    std::vector<uint64_t> next(k);
    for (uint32_t j = 0; j < k; ++j) {
        p.map.parts[j].first_row = next[j] = at;
        at += p.map.parts[j].rows;
    }
    p.order.resize(live.size());
    for (size_t i = 0; i < live.size(); ++i)
        p.order[next[t.assign[i]]++] = live[i];
    return p;
}

/// A partitioned image's index segments: layer A last (just before the map, so that the
/// map, the witness and the manifest are one short range at the end of the file) and no RVPQ
/// codes — a reader with the map scores exact rows instead (docs/format-partition-map.md).
void order_for_partition_map(std::vector<PendingSegment> &idx) {
    std::erase_if(idx, [](const PendingSegment &p) {
        return is_routing_codes(core::ByteView(p.payload.data(), p.payload.size()));
    });
    std::stable_partition(idx.begin(), idx.end(), [](const PendingSegment &p) { return !(p.flags & core::SegFlag::Hot); });
}
} // namespace

Result<RvfStore::Impl::ImageInfo> RvfStore::Impl::write_image(uint32_t new_epoch,
                                                              const std::vector<PendingSegment> &preserved,
                                                              const TierPlan *plan, const ImageSink &sink) const {
    ImageInfo info;
    LayoutSWriter &w = info.writer;
    std::vector<core::SegmentHeader> covered;
    // Hand the staged bytes (one segment) to the sink: the writer keeps only the directory.
    auto flush = [&]() -> Result<void> {
        std::vector<uint8_t> staged = w.take_staged();
        return sink(core::ByteView(staged.data(), staged.size()));
    };
    auto header_at = [&](uint64_t off) {
        core::SegmentHeader h;
        core::decode_segment_header_raw(core::ByteView(w.bytes().data() + (off - (w.size() - w.bytes().size())), 64),
                                        h);
        return h;
    };
    // Payloads are moved in, not copied: a VEC segment's bytes exist at most twice at once (the
    // encoded payload and the writer's staged copy), never a whole image.
    auto add = [&](core::SegType t, uint16_t flags, std::vector<uint8_t> &&payload) -> Result<uint64_t> {
        auto off = append_pending(w, PendingSegment{t, flags, std::move(payload)});
        if (!off)
            return off;
        covered.push_back(header_at(*off));
        if (auto r = flush(); !r)
            return r.error();
        return off;
    };
    // A signing store signs its rewrite too (every segment and the manifest root), and the new
    // file names the key in its own CRYPTO_SEG unless one is carried over: a compacted file then
    // passes require_signature at once, not only after the next commit.
    if (signer) {
        w.set_signer(signer);
        const bool carried = std::any_of(preserved.begin(), preserved.end(),
                                         [](const PendingSegment &p) { return p.type == core::SegType::Crypto; });
        if (!carried) {
            crypto::SigningKeyRecord rec;
            rec.key_id = signer->key_id;
            rec.algorithm = signer->algorithm;
            rec.public_key = signer->public_key;
            rec.valid_from_ns = now_ns();
            if (auto off = add(core::SegType::Crypto, 0, crypto::encode_crypto_seg(rec)); !off)
                return off.error();
        }
    }
    if (table.has_quant()) {
        auto q = encode_quant();
        if (!q)
            return q.error();
        auto off = add(core::SegType::Quant, 0, std::move(*q));
        if (!off)
            return off.error();
        info.quant_offset = *off;
    }
    const std::vector<uint64_t> live = table.live_ids();
    info.live = live.size();
    if (plan || table.tiered()) { // tier models, then VEC blocks of one tier each (store_tiers_io.cpp)
        auto segs = tiered_data_segments(live, plan);
        if (!segs)
            return segs.error();
        for (PendingSegment &p : *segs)
            if (auto off = add(p.type, p.flags, std::move(p.payload)); !off)
                return off.error();
    }
    // Indexed, untiered images of enough rows are written partition by partition (one VEC_SEG
    // each) for cold readers: `order` is the image's row order, `cuts` where partitions end.
    std::optional<PartitionPlan> parts;
    if (!(plan || table.tiered()))
        parts = plan_partitions(*this, live);
    const std::vector<uint64_t> &order = parts ? parts->order : live;
    const size_t rows_per_segment = std::clamp<size_t>(kVecSegmentBytes / table.row_bytes(), 1, kMaxRowsPerVecSegment);
    auto write_vec = [&](size_t at, size_t n) -> Result<void> {
        Result<std::vector<uint8_t>> vec = [&] {
            std::vector<uint8_t> rows(n * table.row_bytes()); // freed before the payload is staged
            for (size_t j = 0; j < n; ++j)
                std::memcpy(rows.data() + j * table.row_bytes(), table.row_ptr(*table.slot_of(order[at + j])),
                            table.row_bytes());
            return encode_vec(order.data() + at, rows.data(), n, /*row_major=*/true); // cold-read layout
        }();
        if (!vec)
            return vec.error();
        if (auto off = add(core::SegType::Vec, 0, std::move(*vec)); !off)
            return off.error();
        info.vec_rows.emplace_back(covered.back().segment_id, static_cast<uint32_t>(n));
        return {};
    };
    if (parts) {
        for (PartitionEntry &e : parts->map.parts) {
            if (e.rows == 0)
                continue;
            if (auto r = write_vec(static_cast<size_t>(e.first_row), e.rows); !r)
                return r.error();
            e.segment_id = covered.back().segment_id;
        }
        info.rows_reordered = true;
    }
    for (size_t at = 0; !parts && !(plan || table.tiered()) && at < live.size(); at += rows_per_segment)
        if (auto r = write_vec(at, std::min(rows_per_segment, live.size() - at)); !r)
            return r.error();
    // id → row for in-place opens (docs/format-id-table.md), in the order the rows were written:
    // partition order when the rows were reordered (docs/format-partition-map.md).
    if (!(plan || table.tiered()) && live.size() >= store_detail::kIdTableMinRows)
        if (auto off = add(core::SegType::Index, 0, store_detail::encode_id_table(order, info.vec_rows)); !off)
            return off.error();
    std::vector<uint64_t> with_meta;
    for (uint64_t id : live)
        if (meta.get(id))
            with_meta.push_back(id);
    if (!with_meta.empty()) {
        auto m = meta.encode_meta_seg(with_meta);
        if (!m)
            return m.error();
        if (auto off = add(core::SegType::Meta, 0, std::move(*m)); !off)
            return off.error();
        auto idx = meta.encode_metaidx_segs();
        if (!idx)
            return idx.error();
        for (auto &p : *idx)
            if (auto off = add(core::SegType::MetaIdx, 0, std::move(p)); !off)
                return off.error();
    }
    for (const PendingSegment &p : preserved) // kept by the handle: copied, one at a time
        if (auto off = add(p.type, p.flags, std::vector<uint8_t>(p.payload)); !off)
            return off.error();
    if (tiering_enabled()) { // the access sketch (remapped to this image's blocks by a plan)
        auto sk = plan ? plan->sketch.to_sketch_seg() : encode_sketch();
        if (!sk)
            return sk.error();
        if (auto off = add(core::SegType::Sketch, 0, std::move(*sk)); !off)
            return off.error();
    }
    {
        auto idx = image_index_segments(*this, order, new_epoch, &info.graph);
        if (!idx)
            return idx.error();
        if (parts) // docs/format-partition-map.md: [B][C][F][A][RVPM], no RVPQ codes
            order_for_partition_map(*idx);
        for (PendingSegment &p : *idx) {
            const uint16_t flags = p.flags;
            auto off = add(p.type, flags, std::move(p.payload));
            if (!off)
                return off.error();
            if (flags & core::SegFlag::Hot)
                info.index_a_offset = *off;
        }
        if (parts) {
            parts->map.tag = new_epoch;
            auto m = encode_partition_map(parts->map);
            if (!m)
                return m.error();
            auto off = add(core::SegType::Index, 0, std::move(*m));
            if (!off)
                return off.error();
            info.partition_map_offset = *off;
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
        // A rewrite is a computation; derive() names its entry by the lineage witness type.
        const uint8_t wtype = image_identity ? image_witness_type : core::kChainWitnessComputation;
        witness_action_hash(wtype, covered, e.action_hash);
        e.timestamp_ns = now_ns();
        e.witness_type = wtype;
        std::array<uint8_t, core::kWitnessEntrySize> entry{};
        core::encode_witness_entry(e, entry.data());
        payload.insert(payload.end(), entry.begin(), entry.end());
        if (auto off = w.append_segment(core::SegType::Witness, 0, core::ByteView(payload.data(), payload.size()));
            !off)
            return off.error();
        if (auto r = flush(); !r)
            return r.error();
        info.witness = entry;
    }
    core::ManifestL0 root = make_root(new_epoch, live.size());
    if (image_identity) { // derive(): the child's identity, not this handle's
        std::memcpy(root.file_id, image_identity->file_id, 16);
        std::memcpy(root.parent_id, image_identity->parent_id, 16);
        std::memcpy(root.parent_hash, image_identity->parent_hash, 32);
        root.lineage_depth = image_identity->lineage_depth;
        root.created_ns = now_ns();
    }
    root.quantdict = {};
    if (info.quant_offset) {
        root.quantdict.seg_offset = *info.quant_offset;
        root.quantdict.count = 1;
    }
    root.entrypoint = root.toplayer = root.centroid = {};
    if (info.index_a_offset) {
        root.entrypoint.seg_offset = root.toplayer.seg_offset = root.centroid.seg_offset = *info.index_a_offset;
        root.entrypoint.count = 1;
    }
    if (info.partition_map_offset) { // the centroid pointer names the partition map (cold readers)
        root.centroid.seg_offset = *info.partition_map_offset;
        root.centroid.count = static_cast<uint32_t>(parts->map.size());
    }
    const std::vector<uint8_t> tlv = config_tlv();
    auto m = w.append_manifest(root, nullptr, core::ByteView(tlv.data(), tlv.size()));
    if (!m)
        return m.error();
    info.manifest_offset = *m;
    if (auto r = flush(); !r)
        return r.error();
    return info;
}

Result<std::vector<uint8_t>> RvfStore::Impl::build_image(uint32_t new_epoch,
                                                         const std::vector<PendingSegment> &preserved,
                                                         const TierPlan *plan) const {
    std::vector<uint8_t> image;
    auto info = write_image(new_epoch, preserved, plan, [&](core::ByteView b) -> Result<void> {
        image.insert(image.end(), b.data, b.data + b.size);
        return {};
    });
    if (!info)
        return info.error();
    return image;
}

Result<void> RvfStore::Impl::reload_from_storage() {
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
    partitions = std::move(fresh.partitions); // the new file's map, bound to its slots
    partitions_missing = std::move(fresh.partitions_missing);
    return {};
}

Result<void> RvfStore::Impl::adopt_image(ImageInfo &&info, std::unique_ptr<store_detail::Storage> st) {
    // The same state a reopen of the new file would load (store_boot.cpp), taken from memory.
    storage = std::move(st);
    // Checkpoints list live data only (as at boot): the image's manifest leaves the directory.
    std::vector<core::SegmentDirEntry> dir = info.writer.directory();
    std::erase_if(dir, [](const core::SegmentDirEntry &e) {
        return e.seg_type == static_cast<uint8_t>(core::SegType::Manifest);
    });
    const uint64_t end = info.writer.size();
    auto w = LayoutSWriter::continuing(end, info.writer.next_segment_id(), std::move(dir));
    if (!w || !table.compact_live()) // neither happens for an untiered Layout S image; stay correct anyway
        return reload_from_storage();
    writer = std::move(*w);
    writer->set_list_manifests(false);
    opened_layout = FileLayout::S;
    needs_conversion = false;
    ++epoch;
    if (info.witness) {
        last_witness = *info.witness;
        witness_history.emplace_back(info.witness->begin(), info.witness->end());
    }
    quant_offset = info.quant_offset;
    {
        std::lock_guard g(sketch_mutex);
        sketch_dirty = false; // the image carries the sketch as it is now
    }
    graph = std::move(info.graph);
    graph_persisted_nodes = graph ? graph->size() : 0;
    index_scanned_slots = 0;
    index_a_offset = info.index_a_offset;
    meta_index_dirty = false;
    checkpoint_offset = info.manifest_offset;
    chain_prev_offset = info.manifest_offset;
    last_checkpoint_bytes = end - info.manifest_offset;
    bytes_since_checkpoint = 0;
    commits_since_checkpoint = 0;
    force_checkpoint = false;
    // An adopted image is never partitioned (rows_reordered reloads instead): the old map's slots
    // are gone with the compaction, and its segments with the old file.
    partitions.reset();
    partitions_missing.clear();
    vec_slots.clear(); // the table is in the image's slot order now (store_merge.cpp)
    uint32_t slot = 0;
    for (const auto &[id, rows] : info.vec_rows) {
        vec_slots[id] = {slot, rows};
        slot += rows;
    }
    return {};
}

Result<bool> RvfStore::Impl::rewrite(const TierPlan *plan, const CompactOptions &options, uint64_t *bytes_written) {
    const bool to_file = storage->is_file();
    const std::string tmp = to_file ? io::compaction_temp_path(path) : std::string();
    std::optional<io::DurableFile> file;
    std::unique_ptr<store_detail::Storage> memory;
    if (to_file) {
        auto f = io::DurableFile::create_new(tmp);
        if (!f) { // a leftover from a crash of this very process: remove and retry once
            if (auto r = io::remove_orphan_temp(path); !r)
                return r.error();
            f = io::DurableFile::create_new(tmp);
            if (!f)
                return f.error();
        }
        file.emplace(std::move(*f));
    } else {
        memory = store_detail::memory_storage({});
    }
    auto discard = [&] {
        if (file) {
            file->close();
            (void)io::remove_orphan_temp(path);
        }
    };

    store_detail::IoThrottle throttle(options.io_bytes_per_second);
    uint64_t written = 0;
    bool over_budget = false;
    auto put = [&](core::ByteView b) -> Result<void> { return file ? file->append(b) : memory->append(b); };
    const ImageSink sink = [&](core::ByteView b) -> Result<void> {
        if (options.io_budget_bytes != 0 && written + b.size > options.io_budget_bytes) {
            over_budget = true;
            return Error{Status::InvalidArgument, kBudgetStop};
        }
        if (options.io_bytes_per_second == 0) {
            if (auto r = put(b); !r)
                return r;
        } else {
            for (size_t at = 0; at < b.size; at += kThrottleChunk) {
                const size_t n = std::min(kThrottleChunk, b.size - at);
                throttle.acquire(n);
                if (auto r = put(core::ByteView(b.data + at, n)); !r)
                    return r;
            }
        }
        written += b.size;
        return {};
    };
    auto info = write_image(epoch + 1, preserved_segments, plan, sink);
    if (bytes_written)
        *bytes_written = written;
    if (!info) {
        discard();
        if (over_budget)
            return false;
        return info.error();
    }
    std::unique_ptr<store_detail::Storage> target;
    if (file) {
        if (auto r = file->sync(); !r) {
            discard();
            return r.error();
        }
        file->close();
        if (auto r = io::atomic_replace(tmp, path); !r) {
            (void)io::remove_orphan_temp(path);
            return r.error();
        }
        auto st = store_detail::file_storage(path, false);
        if (!st) {
            poisoned = true; // the new file is in place; this handle lost it
            return st.error();
        }
        target = std::move(*st);
    } else {
        target = std::move(memory);
    }
    // A group-commit leader may be in storage->sync(): let it finish before the storage goes.
    auto no_sync_in_flight = quiesce_syncs();
    durable_seq = appended_seq.load(); // the new file is durable and holds every commit so far
    recent_checkpoints.clear();        // offsets of the old file
    merge_trigger = merge_trigger_base;
    // Tiered rows were re-coded per tier, partitioned rows renumbered: load them from the new image.
    if (plan || table.tiered() || info->rows_reordered) {
        storage = std::move(target);
        if (auto r = reload_from_storage(); !r)
            return r.error();
        return true;
    }
    if (auto r = adopt_image(std::move(*info), std::move(target)); !r)
        return r.error();
    return true;
}

Result<void> RvfStore::Impl::convert_if_needed() {
    if (!needs_conversion)
        return {};
    if (auto r = rewrite(nullptr, CompactOptions{}, nullptr); !r)
        return r.error();
    warnings.push_back("Layout R file rewritten as Layout S on first write");
    return {};
}

Result<CompactResult> RvfStore::compact(uint64_t io_budget_bytes) {
    return compact(CompactOptions{.io_budget_bytes = io_budget_bytes});
}

Result<CompactResult> RvfStore::compact(const CompactOptions &options) {
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
    CompactResult res;
    auto done = s.rewrite(plan ? &*plan : nullptr, options, &res.bytes_written);
    if (!done)
        return done.error();
    if (!*done) {
        res.complete = false;
        res.epoch = s.epoch;
        return res;
    }
    const uint64_t new_size = s.storage->size();
    res.segments_compacted = segments_before;
    res.bytes_reclaimed = before > new_size ? before - new_size : 0;
    res.epoch = s.epoch;
    return res;
}

} // namespace rvf

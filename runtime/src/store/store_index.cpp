// store_index.cpp — the store's HNSW index: built over the table's row slots (multithreaded,
// incrementally per batch), searched by query(), persisted as INDEX_SEG layers A/B/C and
// adopted again at open. The index is derived data: nothing about it can make a file unreadable.
#include <algorithm>
#include <map>
#include <string>

#include <rvf/index_flat.hpp>
#include <rvf/index_layers.hpp>
#include <rvf/partition_map.hpp>
#include <rvf/routing_codes.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {

/// Distances between stored rows; `map` (optional) renumbers graph nodes to table slots.
class TableSpace final : public HnswSpace {
public:
    TableSpace(const store_detail::VectorTable &t, Metric m, const std::vector<uint32_t> *map = nullptr)
        : t_(t), m_(m), map_(map) {}
    float between(uint32_t a, uint32_t b) const override { return t_.distance_between(m_, slot(a), slot(b)); }
    void prefetch(uint32_t n) const override { __builtin_prefetch(t_.row_ptr(slot(n))); }

private:
    uint32_t slot(uint32_t n) const { return map_ ? (*map_)[n] : n; }
    const store_detail::VectorTable &t_;
    Metric m_;
    const std::vector<uint32_t> *map_;
};

} // namespace

HnswParams RvfStore::Impl::hnsw_params() const {
    HnswParams p;
    p.m = config.hnsw_m;
    p.m0 = static_cast<uint16_t>(2 * config.hnsw_m);
    p.ef_construction = config.hnsw_ef_construction;
    return p;
}

void RvfStore::Impl::ensure_index(bool force) const {
    if (!index_enabled() && !force)
        return;
    std::lock_guard<std::mutex> g(index_mutex);
    if (!graph && !force && table.live() < kAutoIndexMinVectors)
        return;
    if (!graph) {
        graph.emplace(hnsw_params());
        index_scanned_slots = 0;
    }
    if (index_scanned_slots >= table.slots())
        return; // nothing ingested since the last look (the common case: every query calls this)
    std::vector<uint32_t> nodes;
    std::vector<uint64_t> ids;
    for (auto slot = static_cast<uint32_t>(index_scanned_slots); slot < table.slots(); ++slot)
        if (table.live_at(slot) && !graph->contains(slot)) {
            nodes.push_back(slot);
            ids.push_back(table.id_at(slot));
        }
    index_scanned_slots = table.slots();
    if (nodes.empty())
        return;
    TableSpace space(table, static_cast<Metric>(config.metric));
    graph->insert(nodes, ids, space, index_threads);
}

Result<std::vector<uint8_t>> RvfStore::Impl::routing_codes_payload(const HnswGraph &g, uint64_t tag,
                                                                   const std::vector<uint32_t> *node_to_slot) const {
    size_t span = g.slots();
    while (span > 0 && !g.contains(static_cast<uint32_t>(span - 1)))
        --span;
    if (span == 0)
        return std::vector<uint8_t>{};
    const size_t dim = config.dimension;
    std::vector<float> rows(span * dim);
    std::vector<uint64_t> ids(span);
    std::vector<uint8_t> live(span);
    for (uint32_t n = 0; n < span; ++n) {
        const uint32_t slot = node_to_slot ? (*node_to_slot)[n] : n;
        if (!g.contains(n) || slot >= table.slots())
            continue; // not a row of the graph: id 0, dead, a zero code
        table.to_float(slot, rows.data() + n * dim);
        ids[n] = table.id_at(slot);
        live[n] = table.live_at(slot) ? 1 : 0;
    }
    auto codes = build_routing_codes(static_cast<Metric>(config.metric), tag, config.dimension,
                                     routing_code_size(config.dimension, table.row_bytes()), rows, ids, live);
    if (!codes)
        return codes.error();
    return encode_routing_codes(*codes);
}

Result<std::vector<PendingSegment>> RvfStore::Impl::index_layer_segments(const HnswGraph &g, const HnswSpace &space,
                                                                         uint64_t tag,
                                                                         const std::vector<uint32_t> *node_to_slot) const {
    std::vector<PendingSegment> out;
    const HnswCentroids centroids = compute_centroids(g, space);
    auto a = encode_layer_a(g, centroids, tag);
    if (!a)
        return a.error();
    // Progressive readers score with these before any VEC_SEG arrives (rvf/routing_codes.hpp).
    auto codes = routing_codes_payload(g, tag, node_to_slot);
    if (!codes)
        return codes.error();
    const std::vector<uint32_t> hot = rank_hot_nodes(g, space, std::max<size_t>(1, g.size() / 8));
    auto b = encode_layer_b(g, hot, tag);
    if (!b)
        return b.error();
    auto c = encode_layer_c(g, tag);
    if (!c)
        return c.error();
    out.push_back({core::SegType::Index, core::SegFlag::Hot, std::move(*a)});
    if (!codes->empty()) // right after A: that is how a reader finds it (not HOT: the root names A)
        out.push_back({core::SegType::Index, 0, std::move(*codes)});
    out.push_back({core::SegType::Index, 0, std::move(*b)});
    out.push_back({core::SegType::Index, 0, std::move(*c)});
    // Last, after C: progressive readers find A, the codes, B and C where they always were.
    auto f = encode_layer_flat(g, tag);
    if (!f)
        return f.error();
    out.push_back({core::SegType::Index, 0, std::move(*f)});
    return out;
}

void RvfStore::Impl::load_index(const std::vector<std::pair<uint64_t, core::ByteView>> &payloads) {
    // Newest layer A wins; its B and C are the ones carrying the same graph tag.
    struct Triple {
        core::ByteView a, b, c;
        uint64_t a_offset = 0;
    };
    std::optional<uint64_t> newest;
    std::map<uint64_t, Triple> by_tag;
    for (const auto &[off, p] : payloads) {
        if (is_routing_codes(p) || is_flat_layer(p) || is_partition_map(p) || store_detail::is_id_table(p))
            continue; // for progressive readers / in-place opens; the copying open decodes A/B/C
        auto info = read_layer_info(p);
        if (!info) {
            warnings.push_back("INDEX segment at " + std::to_string(off) + " ignored: " + info.error().message);
            continue;
        }
        Triple &t = by_tag[info->graph_tag];
        if (info->layer == 0) {
            t.a = p;
            t.a_offset = off;
            newest = info->graph_tag;
        } else if (info->layer == 1) {
            t.b = p;
        } else {
            t.c = p;
        }
    }
    if (!newest)
        return;
    const Triple &t = by_tag[*newest];
    auto fail = [&](const Error &e) { warnings.push_back("HNSW index layers not used (rebuilt on demand): " + e.message); };
    auto layered = LayeredHnsw::open(t.a);
    if (!layered)
        return fail(layered.error());
    if (!t.b.empty())
        if (auto r = layered->add_layer_b(t.b); !r)
            return fail(r.error());
    if (t.c.empty())
        return fail(Error{Status::InvalidManifest, "layer C missing"});
    if (auto r = layered->add_layer_c(t.c); !r)
        return fail(r.error());
    HnswGraph g = std::move(*layered).release_graph();
    if (g.slots() > table.slots())
        return fail(Error{Status::InvalidManifest, "index names rows the file does not hold"});
    graph_persisted_nodes = g.size();
    graph = std::move(g);
    index_scanned_slots = 0;
    index_a_offset = t.a_offset;
}

void RvfStore::Impl::load_layout_r_index(const std::vector<uint8_t> &bytes, const FileReport &rep) {
    const DirectoryEntry *latest = nullptr; // upstream writes one INDEX per close; the newest wins
    for (const DirectoryEntry &d : rep.manifest->directory)
        if (d.seg_type == static_cast<uint8_t>(core::SegType::Index))
            latest = &d;
    if (latest == nullptr)
        return;
    const core::ByteView payload(bytes.data() + latest->offset + core::kSegmentHeaderSize,
                                 static_cast<size_t>(latest->payload_length));
    auto up = decode_layout_r_hnsw(payload);
    if (!up) {
        warnings.push_back("upstream INDEX segment not used (rebuilt on demand): " + up.error().message);
        return;
    }
    // Ordinals → our row slots; deleted ids are dropped and their neighbours' lists repaired.
    std::vector<uint32_t> ordinal_to_slot(up->ids.size(), UINT32_MAX);
    for (size_t i = 0; i < up->ids.size(); ++i)
        if (auto slot = table.slot_of(up->ids[i]))
            ordinal_to_slot[i] = *slot;
    TableSpace space(table, static_cast<Metric>(config.metric));
    graph = up->graph.remap(ordinal_to_slot, &space, index_threads);
    index_scanned_slots = 0;
    graph_persisted_nodes = 0; // ours to write as layers A/B/C on the first write (the file becomes Layout S)
}

void RvfStore::set_index_threads(unsigned threads) {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    impl_->index_threads = threads;
}

void RvfStore::set_partition_on_compact(bool on) {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    impl_->partition_on_compact = on;
}

Result<void> RvfStore::build_index() {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    if (impl_->config.hw_profile == static_cast<uint8_t>(core::ProfileId::Core)) // store_profile.cpp
        return Error{Status::InvalidOptions, "a Core-profile store has no HNSW index (queries are exact scans); "
                                             "copy the rows into a generic-profile store to index them"};
    return impl_->persist_index();
}

Result<void> RvfStore::Impl::persist_index() {
    Impl &s = *this;
    if (auto w = s.check_writable(); !w)
        return w;
    s.ensure_index(true);
    TableSpace space(s.table, static_cast<Metric>(s.config.metric));
    s.graph->settle(space); // the layers on disk hold a graph where every node is reachable
    if (s.graph->size() == s.graph_persisted_nodes)
        return {};
    auto segs = s.index_layer_segments(*s.graph, space, s.epoch + 1);
    if (!segs)
        return segs.error();
    if (auto r = s.commit(std::move(*segs), core::kChainWitnessComputation, s.table.live()); !r)
        return r;
    s.graph_persisted_nodes = s.graph->size();
    return {};
}

/// For build_image: the graph renumbered to the compacted file's slots (live rows in order),
/// dead nodes dropped and their neighbours' lists repaired.
std::optional<HnswGraph> remap_for_image(const RvfStore::Impl &s, const std::vector<uint64_t> &live) {
    if (!s.graph || s.graph->size() == 0)
        return std::nullopt;
    std::vector<uint32_t> old_to_new(s.table.slots(), UINT32_MAX), new_to_old(live.size());
    for (uint32_t j = 0; j < live.size(); ++j) {
        const uint32_t slot = *s.table.slot_of(live[j]);
        old_to_new[slot] = j;
        new_to_old[j] = slot;
    }
    TableSpace space(s.table, static_cast<Metric>(s.config.metric), &new_to_old);
    return s.graph->remap(old_to_new, &space, s.index_threads);
}

Result<std::vector<PendingSegment>> image_index_segments(const RvfStore::Impl &s, const std::vector<uint64_t> &live,
                                                         uint64_t tag, std::optional<HnswGraph> *keep) {
    std::optional<HnswGraph> g = remap_for_image(s, live);
    if (!g)
        return std::vector<PendingSegment>{};
    std::vector<uint32_t> new_to_old(live.size());
    for (uint32_t j = 0; j < live.size(); ++j)
        new_to_old[j] = *s.table.slot_of(live[j]);
    TableSpace space(s.table, static_cast<Metric>(s.config.metric), &new_to_old);
    auto segs = s.index_layer_segments(*g, space, tag, &new_to_old);
    if (segs && keep)
        *keep = std::move(g);
    return segs;
}

} // namespace rvf

// Layout R INDEX payload (spec §3.10) ⇄ HnswGraph. The bytes are decoded and validated by the
// core codec (rvf/core/format/layout_r_index_trailer.hpp); this file checks what the graph
// needs on top (degree bounds, links to nodes on the same level) and builds it.
#include <rvf/index_layers.hpp>

#include <algorithm>
#include <rvf/core/format/layout_r_index_trailer.hpp>

#include "codec_util.hpp"

namespace rvf {

using core::ByteView;
using core::ByteWriter;
using core::MutByteView;
using core::Status;
using index_detail::CodecLists;
using index_detail::format_error;

Result<LayoutRHnsw> decode_layout_r_hnsw(ByteView payload) {
    core::LayoutRIndexView v;
    const Status st = core::decode_layout_r_index(payload, v);
    if (st != Status::Ok)
        return format_error(st, "Layout R INDEX");
    const core::IndexSegView &g = v.graph;
    const core::LayoutRIndexTrailer &t = v.trailer.fields;
    const uint16_t m = g.header.m, m0 = t.m0;
    if (m < 2 || m > kHnswMaxDecodeM || m0 < m || m0 > kHnswMaxDecodeM0)
        return format_error(Status::InvalidManifest, "Layout R INDEX: M or m0 out of range");
    if (g.header.node_count >= kHnswNone) // ≤ payload bytes, so it fits size_t
        return format_error(Status::InvalidManifest, "Layout R INDEX: node_count beyond u32");
    const size_t n = static_cast<size_t>(g.header.node_count);

    // Levels first (layer_count − 1; a node with no layers is not in the graph).
    std::vector<int8_t> level(n, -1);
    const char *bad = nullptr;
    Status walk = g.for_each_list([&](uint64_t node, uint32_t l, uint32_t lc, core::IndexNeighborList &list) {
        if (l == 0)
            level[static_cast<size_t>(node)] = static_cast<int8_t>(std::min<uint32_t>(lc - 1, kHnswMaxLevel));
        if (lc - 1 > static_cast<uint32_t>(kHnswMaxLevel))
            bad = "Layout R INDEX: too many layers";
        else if (list.count() > (l == 0 ? m0 : m))
            bad = "Layout R INDEX: neighbour list longer than its degree bound";
    });
    if (walk != Status::Ok)
        return format_error(walk, "Layout R INDEX: adjacency walk");
    if (bad)
        return format_error(Status::InvalidManifest, bad);

    HnswParams p;
    p.m = m;
    p.m0 = m0;
    p.ef_construction = static_cast<uint16_t>(std::min<uint32_t>(g.header.ef_construction, UINT16_MAX));
    LayoutRHnsw out{HnswGraph(p), {}};
    out.graph.reserve(n);
    for (size_t i = 0; i < n; ++i)
        if (level[i] >= 0)
            out.graph.add_node(static_cast<uint32_t>(i), level[i]);
    std::vector<uint32_t> buf;
    walk = g.for_each_list([&](uint64_t node, uint32_t l, uint32_t, core::IndexNeighborList &list) {
        if (bad)
            return;
        buf.clear();
        uint64_t id = 0;
        while (list.next(&id))
            buf.push_back(static_cast<uint32_t>(id));
        if (!out.graph.set_neighbors(static_cast<uint32_t>(node), static_cast<int>(l), buf))
            bad = "Layout R INDEX: link to a node not on that level";
    });
    if (walk != Status::Ok)
        return format_error(walk, "Layout R INDEX: adjacency walk");
    if (bad)
        return format_error(Status::InvalidManifest, bad);
    if (t.entry_ordinal != core::kLayoutRIndexNoEntry) {
        out.graph.set_entry_point(static_cast<uint32_t>(t.entry_ordinal)); // on max_layer+1 layers (core check)
    } else if (out.graph.size() > 0) {
        return format_error(Status::InvalidManifest, "Layout R INDEX: nodes but no entry point");
    }
    out.ids.resize(static_cast<size_t>(t.id_count)); // id_count = node_count ≤ payload bytes
    v.trailer.copy_ids(out.ids.data(), out.ids.size());
    return out;
}

Result<std::vector<uint8_t>> encode_layout_r_hnsw(const HnswGraph &graph, std::span<const uint64_t> node_ids) {
    // Ordinals follow ascending id (upstream's dense ordinals, §3.10).
    std::vector<std::pair<uint64_t, uint32_t>> by_id;
    by_id.reserve(graph.size());
    for (size_t node = 0; node < graph.slots(); ++node) {
        if (!graph.contains(static_cast<uint32_t>(node)))
            continue;
        if (node >= node_ids.size())
            return Error{Status::InvalidArgument, "Layout R INDEX: graph node without an id"};
        by_id.emplace_back(node_ids[node], static_cast<uint32_t>(node));
    }
    std::sort(by_id.begin(), by_id.end());
    for (size_t i = 1; i < by_id.size(); ++i)
        if (by_id[i].first == by_id[i - 1].first)
            return Error{Status::InvalidArgument, "Layout R INDEX: duplicate id"};
    std::vector<uint32_t> ordinal(graph.slots(), kHnswNone);
    std::vector<uint64_t> ids(by_id.size());
    for (size_t i = 0; i < by_id.size(); ++i) {
        ordinal[by_id[i].second] = static_cast<uint32_t>(i);
        ids[i] = by_id[i].first;
    }

    const size_t n = by_id.size();
    CodecLists lists(n);
    std::vector<uint32_t> mapped;
    for (const auto &[id, node] : by_id) {
        lists.begin_node();
        for (int l = 0; l <= graph.level(node); ++l) {
            mapped.clear();
            for (uint32_t v : graph.neighbors(node, l))
                mapped.push_back(ordinal[v]);
            lists.add_list(mapped.begin(), mapped.end());
        }
    }
    core::IndexSegHeader h;
    h.index_type = static_cast<uint8_t>(core::IndexType::Hnsw);
    h.layer_level = 2;
    h.m = graph.params().m;
    h.ef_construction = graph.params().ef_construction;
    h.node_count = n;
    core::LayoutRIndexTrailer t;
    t.m0 = graph.params().m0;
    t.max_layer = graph.max_level() < 0 ? 0u : static_cast<uint32_t>(graph.max_level());
    t.entry_ordinal = graph.entry_point() == kHnswNone ? core::kLayoutRIndexNoEntry : ordinal[graph.entry_point()];

    const core::IndexNodeInput *nodes = lists.nodes();
    ByteWriter counter;
    Status st = core::encode_layout_r_index(counter, h, nodes, t, ids.data());
    if (st != Status::Ok)
        return Error{st, "Layout R INDEX: encoder refused the graph"};
    std::vector<uint8_t> out(counter.pos());
    ByteWriter w(MutByteView(out.data(), out.size()));
    st = core::encode_layout_r_index(w, h, nodes, t, ids.data());
    if (st != Status::Ok || w.pos() != out.size())
        return Error{Status::InvalidArgument, "Layout R INDEX: encoder size changed between passes"};
    return out;
}

} // namespace rvf

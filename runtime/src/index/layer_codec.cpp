// Layers A/B/C of the HNSW graph as INDEX_SEG payloads (rvf/index_layers.hpp has the layout):
// encoders, the trailer reader, and LayeredHnsw's loaders. Loaders validate a whole payload
// before touching the graph, so a refused layer changes nothing.
#include <rvf/index_layers.hpp>

#include <algorithm>
#include <string>

#include "codec_util.hpp"

namespace rvf {

using core::ByteReader;
using core::ByteView;
using core::ByteWriter;
using core::MutByteView;
using core::Status;
using index_detail::CodecLists;
using index_detail::format_error;
using index_detail::node_span;
using index_detail::read_varint;

namespace {

constexpr size_t kBodyFixed = 24; // every layer
constexpr size_t kBodyA = 48;     // layer A before the centroid lists
constexpr size_t kTail = 8;       // u32 body_len + marker

core::IndexSegHeader codec_header(const HnswGraph &g, uint8_t layer, uint64_t slots) {
    core::IndexSegHeader h;
    h.index_type = static_cast<uint8_t>(core::IndexType::Hnsw);
    h.layer_level = layer;
    h.m = g.params().m;
    h.ef_construction = g.params().ef_construction;
    h.node_count = slots;
    return h;
}

/// Serialise a trailer body; `extra` writes the layer-A part.
template <class Extra>
std::vector<uint8_t> trailer_body(const HnswGraph &g, uint8_t layer, uint64_t tag, uint64_t node_total, Extra &&extra) {
    auto write = [&](ByteWriter &w) {
        w.u16(kHnswLayerVersion);
        w.u8(layer);
        w.u8(0);
        w.u16(g.params().m0);
        w.u16(0);
        w.u64(tag);
        w.u64(node_total);
        extra(w);
    };
    ByteWriter counter;
    write(counter);
    std::vector<uint8_t> body(counter.pos());
    ByteWriter w(MutByteView(body.data(), body.size()));
    write(w);
    return body;
}

/// Level-0 lists of `covered` nodes (slots < span), the shape of layers B and C.
Result<std::vector<uint8_t>> encode_level0_layer(const HnswGraph &g, uint8_t layer, const std::vector<uint8_t> &covered,
                                                 size_t span, uint64_t tag) {
    CodecLists lists(span);
    uint64_t total = 0;
    for (size_t n = 0; n < span; ++n) {
        lists.begin_node();
        if (!covered[n])
            continue;
        const auto nb = g.neighbors(static_cast<uint32_t>(n), 0);
        lists.add_list(nb.begin(), nb.end());
        ++total;
    }
    const auto body = trailer_body(g, layer, tag, total, [](ByteWriter &) {});
    return lists.encode(codec_header(g, layer, span), body, kHnswLayerMarker);
}

/// Decode the codec part of a layer payload and check what every layer shares.
Result<core::IndexSegView> decode_codec(ByteView payload, const HnswLayerInfo &info, uint8_t layer) {
    if (info.layer != layer)
        return format_error(Status::InvalidManifest, "index layer: trailer names another layer");
    core::IndexSegView v;
    const Status st = core::decode_index_seg(payload.sub(0, info.codec_size), core::IndexFlavour::RvfIndex, v);
    if (st != Status::Ok)
        return format_error(st, "index layer: INDEX_SEG codec");
    if (v.encoded_size != info.codec_size)
        return format_error(Status::InvalidManifest, "index layer: bytes between codec and trailer");
    if (v.header.index_type != static_cast<uint8_t>(core::IndexType::Hnsw) || v.header.layer_level != layer)
        return format_error(Status::InvalidManifest, "index layer: codec header is not this HNSW layer");
    return v;
}

/// Copy a validated neighbour list into `out`.
void read_list(core::IndexNeighborList &list, std::vector<uint32_t> &out) {
    out.clear();
    uint64_t id = 0;
    while (list.next(&id))
        out.push_back(static_cast<uint32_t>(id)); // < node_count ≤ payload size < 2^32 checked by caller
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Encoders

Result<std::vector<uint8_t>> encode_layer_a(const HnswGraph &g, const HnswCentroids &c, uint64_t graph_tag) {
    const size_t span = node_span(g);
    if (span > UINT32_MAX)
        return Error{Status::InvalidArgument, "layer A: node numbers beyond u32"};
    // The centroid lists must partition the graph's nodes.
    if (c.reps.size() != c.members.size() || (g.size() > 0) != !c.reps.empty())
        return Error{Status::InvalidArgument, "layer A: centroid reps and lists disagree"};
    std::vector<uint8_t> seen(span, 0);
    size_t assigned = 0;
    for (size_t i = 0; i < c.reps.size(); ++i) {
        if (!g.contains(c.reps[i]))
            return Error{Status::InvalidArgument, "layer A: centroid is not a graph node"};
        const auto &mem = c.members[i];
        for (size_t j = 0; j < mem.size(); ++j) {
            if (!g.contains(mem[j]) || seen[mem[j]] || (j > 0 && mem[j] <= mem[j - 1]))
                return Error{Status::InvalidArgument, "layer A: centroid lists must be ascending, disjoint graph nodes"};
            seen[mem[j]] = 1;
        }
        assigned += mem.size();
    }
    if (assigned != g.size())
        return Error{Status::InvalidArgument, "layer A: centroid lists do not cover the graph"};

    CodecLists lists(span);
    for (size_t n = 0; n < span; ++n) {
        lists.begin_node();
        const int level = g.level(static_cast<uint32_t>(n));
        if (level < 1)
            continue;
        lists.add_empty_list(); // level 0 lives in layers B and C
        for (int l = 1; l <= level; ++l) {
            const auto nb = g.neighbors(static_cast<uint32_t>(n), l);
            lists.add_list(nb.begin(), nb.end());
        }
    }
    const auto body = trailer_body(g, 0, graph_tag, g.size(), [&](ByteWriter &w) {
        w.u32(g.max_level() < 0 ? 0u : static_cast<uint32_t>(g.max_level()));
        w.u32(static_cast<uint32_t>(c.reps.size()));
        w.u64(g.entry_point() == kHnswNone ? UINT64_MAX : g.entry_point());
        w.u64(g.params().level_seed);
        for (size_t i = 0; i < c.reps.size(); ++i) {
            w.varint(c.reps[i]);
            w.varint(c.members[i].size());
            uint32_t prev = 0;
            for (size_t j = 0; j < c.members[i].size(); ++j) {
                w.varint(j == 0 ? c.members[i][j] : c.members[i][j] - prev);
                prev = c.members[i][j];
            }
        }
    });
    return lists.encode(codec_header(g, 0, span), body, kHnswLayerMarker);
}

Result<std::vector<uint8_t>> encode_layer_b(const HnswGraph &g, std::span<const uint32_t> hot, uint64_t graph_tag) {
    const size_t span = node_span(g);
    if (span > UINT32_MAX)
        return Error{Status::InvalidArgument, "layer B: node numbers beyond u32"};
    std::vector<uint8_t> covered(span, 0);
    for (uint32_t n : hot)
        if (g.contains(n))
            covered[n] = 1;
    return encode_level0_layer(g, 1, covered, span, graph_tag);
}

Result<std::vector<uint8_t>> encode_layer_c(const HnswGraph &g, uint64_t graph_tag) {
    const size_t span = node_span(g);
    if (span > UINT32_MAX)
        return Error{Status::InvalidArgument, "layer C: node numbers beyond u32"};
    std::vector<uint8_t> covered(span, 0);
    for (size_t n = 0; n < span; ++n)
        covered[n] = g.contains(static_cast<uint32_t>(n)) ? 1 : 0;
    return encode_level0_layer(g, 2, covered, span, graph_tag);
}

// ---------------------------------------------------------------------------------------------
// Trailer

Result<HnswLayerInfo> read_layer_info(ByteView payload) {
    if (payload.size < kTail)
        return format_error(Status::TruncatedSegment, "index layer: payload shorter than its trailer");
    const uint8_t *end = payload.data + payload.size;
    for (int i = 0; i < 4; ++i)
        if (end[-4 + i] != kHnswLayerMarker[i])
            return format_error(Status::InvalidMagic, "index layer: no RVHL trailer marker");
    const uint32_t body_len = core::load_u32_le(end - 8);
    const size_t avail = payload.size - kTail;
    if (body_len > avail || body_len < kBodyFixed)
        return format_error(Status::TruncatedSegment, "index layer: trailer body length");
    HnswLayerInfo info;
    info.codec_size = avail - body_len;
    ByteReader r(payload.sub(info.codec_size, body_len));
    info.version = r.u16();
    info.layer = r.u8();
    const uint8_t flags = r.u8();
    info.m0 = r.u16();
    const uint16_t reserved = r.u16();
    info.graph_tag = r.u64();
    info.node_total = r.u64();
    if (info.version != kHnswLayerVersion)
        return format_error(Status::InvalidVersion, "index layer: trailer version");
    if (info.layer > 2 || flags != 0 || reserved != 0)
        return format_error(Status::InvalidManifest, "index layer: layer/flags/reserved");
    if (info.layer != 0) {
        if (!r.at_end())
            return format_error(Status::InvalidManifest, "index layer: B/C trailer body must be 24 bytes");
        return info;
    }
    if (body_len < kBodyA)
        return format_error(Status::InvalidManifest, "index layer: A trailer body shorter than 48 bytes");
    info.max_level = r.u32();
    info.centroid_count = r.u32();
    info.entry_node = r.u64();
    info.level_seed = r.u64();
    info.centroid_bytes = payload.sub(info.codec_size + kBodyA, body_len - kBodyA);
    return info;
}

// ---------------------------------------------------------------------------------------------
// Loading

LayeredHnsw::LayeredHnsw() = default;
LayeredHnsw::LayeredHnsw(LayeredHnsw &&) noexcept = default;
LayeredHnsw &LayeredHnsw::operator=(LayeredHnsw &&) noexcept = default;
LayeredHnsw::~LayeredHnsw() = default;

HnswGraph LayeredHnsw::release_graph() && {
    HnswGraph g = std::move(graph_);
    *this = LayeredHnsw();
    return g;
}

Result<LayeredHnsw> LayeredHnsw::open(ByteView payload) {
    auto info_r = read_layer_info(payload);
    if (!info_r)
        return info_r.error();
    const HnswLayerInfo &info = *info_r;
    auto view_r = decode_codec(payload, info, 0);
    if (!view_r)
        return view_r.error();
    const core::IndexSegView &v = *view_r;
    const uint16_t m = v.header.m, m0 = info.m0;
    if (m < 2 || m > kHnswMaxDecodeM || m0 < m || m0 > kHnswMaxDecodeM0 || v.header.ef_construction == 0 ||
        v.header.ef_construction > UINT16_MAX)
        return format_error(Status::InvalidManifest, "layer A: M, m0 or ef_construction out of range");
    // node_count ≤ payload bytes (a codec check), so it fits size_t; node numbers must fit u32.
    if (v.header.node_count >= kHnswNone)
        return format_error(Status::InvalidManifest, "layer A: node_count beyond u32");
    const size_t slots = static_cast<size_t>(v.header.node_count);

    // Centroid lists: which slots are in the graph, and who owns them.
    constexpr uint32_t kFree = UINT32_MAX;
    std::vector<uint32_t> owner(slots, kFree);
    ByteReader cr(info.centroid_bytes);
    if (info.centroid_count > cr.remaining() / 2) // each centroid takes ≥ 2 bytes
        return format_error(Status::TruncatedSegment, "layer A: centroid count beyond the trailer");
    HnswCentroids cents;
    cents.reps.reserve(info.centroid_count);
    cents.members.resize(info.centroid_count);
    uint64_t present = 0;
    for (uint32_t i = 0; i < info.centroid_count; ++i) {
        uint64_t rep = 0, cnt = 0;
        Status st = read_varint(cr, &rep);
        if (st == Status::Ok)
            st = read_varint(cr, &cnt);
        if (st != Status::Ok)
            return format_error(st, "layer A: centroid header varint");
        if (rep >= slots)
            return format_error(Status::InvalidManifest, "layer A: centroid node beyond node_count");
        if (cnt > cr.remaining())
            return format_error(Status::TruncatedSegment, "layer A: centroid list beyond the trailer");
        cents.reps.push_back(static_cast<uint32_t>(rep));
        auto &mem = cents.members[i];
        mem.reserve(static_cast<size_t>(cnt));
        uint64_t prev = 0;
        for (uint64_t j = 0; j < cnt; ++j) {
            uint64_t x = 0;
            if ((st = read_varint(cr, &x)) != Status::Ok)
                return format_error(st, "layer A: centroid member varint");
            if (j > 0 && (x == 0 || x >= slots - prev))
                return format_error(Status::InvalidManifest, "layer A: centroid members not ascending or beyond node_count");
            const uint64_t node = j == 0 ? x : prev + x;
            if (node >= slots)
                return format_error(Status::InvalidManifest, "layer A: centroid member beyond node_count");
            if (owner[static_cast<size_t>(node)] != kFree)
                return format_error(Status::InvalidManifest, "layer A: node in two centroid lists");
            owner[static_cast<size_t>(node)] = i;
            mem.push_back(static_cast<uint32_t>(node));
            prev = node;
        }
        present += cnt;
    }
    if (!cr.at_end())
        return format_error(Status::InvalidManifest, "layer A: bytes after the centroid lists");
    if (present != info.node_total || (present == 0) != (info.centroid_count == 0))
        return format_error(Status::InvalidManifest, "layer A: node_total disagrees with the centroid lists");
    for (uint32_t rep : cents.reps)
        if (owner[rep] == kFree)
            return format_error(Status::InvalidManifest, "layer A: centroid is not a graph node");
    {
        std::vector<uint32_t> sorted = cents.reps;
        std::sort(sorted.begin(), sorted.end());
        if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
            return format_error(Status::InvalidManifest, "layer A: duplicate centroid");
    }

    // Levels and upper lists from the codec.
    std::vector<int8_t> level(slots, -1);
    for (size_t n = 0; n < slots; ++n)
        if (owner[n] != kFree)
            level[n] = 0;
    struct Pending {
        uint32_t node;
        int level;
        size_t start, len;
    };
    std::vector<Pending> pending;
    std::vector<uint32_t> flat, buf;
    const char *bad = nullptr;
    const Status walk = v.for_each_list([&](uint64_t n, uint32_t l, uint32_t lc, core::IndexNeighborList &list) {
        if (bad)
            return;
        if (lc == 1 || lc - 1 > static_cast<uint32_t>(kHnswMaxLevel)) {
            bad = "layer A: a node's layer_count must be 0 or 2..63";
            return;
        }
        if (l == 0) {
            if (list.count() != 0)
                bad = "layer A: level-0 list must be empty";
            else if (owner[static_cast<size_t>(n)] == kFree)
                bad = "layer A: node on an upper level is in no centroid list";
            else
                level[static_cast<size_t>(n)] = static_cast<int8_t>(lc - 1);
            return;
        }
        if (list.count() > m) {
            bad = "layer A: upper list longer than M";
            return;
        }
        read_list(list, buf);
        for (uint32_t x : buf)
            if (x == n)
                bad = "layer A: self link";
        pending.push_back({static_cast<uint32_t>(n), static_cast<int>(l), flat.size(), buf.size()});
        flat.insert(flat.end(), buf.begin(), buf.end());
    });
    if (walk != Status::Ok)
        return format_error(walk, "layer A: adjacency walk");
    if (bad)
        return format_error(Status::InvalidManifest, bad);
    for (const Pending &p : pending)
        for (size_t j = 0; j < p.len; ++j)
            if (level[flat[p.start + j]] < p.level)
                return format_error(Status::InvalidManifest, "layer A: upper link to a node not on that level");

    int max_level = -1;
    for (int8_t lv : level)
        max_level = std::max<int>(max_level, lv);
    if (present == 0) {
        if (info.entry_node != UINT64_MAX || info.max_level != 0)
            return format_error(Status::InvalidManifest, "layer A: empty graph with an entry point");
    } else if (info.entry_node >= slots || level[static_cast<size_t>(info.entry_node)] != max_level ||
               info.max_level != static_cast<uint32_t>(max_level)) {
        return format_error(Status::InvalidManifest, "layer A: entry point is not a node on the top level");
    }

    HnswParams p;
    p.m = m;
    p.m0 = m0;
    p.ef_construction = static_cast<uint16_t>(v.header.ef_construction);
    p.level_seed = info.level_seed;
    LayeredHnsw out;
    out.graph_ = HnswGraph(p);
    out.graph_.reserve(slots);
    for (size_t n = 0; n < slots; ++n)
        if (level[n] >= 0)
            out.graph_.add_node(static_cast<uint32_t>(n), level[n]);
    for (const Pending &q : pending)
        if (!out.graph_.set_neighbors(q.node, q.level, std::span<const uint32_t>(flat.data() + q.start, q.len)))
            return format_error(Status::InvalidManifest, "layer A: list refused by the graph");
    if (present)
        out.graph_.set_entry_point(static_cast<uint32_t>(info.entry_node));
    out.centroids_ = std::move(cents);
    out.l0_known_.assign(slots, 0);
    out.tag_ = info.graph_tag;
    out.slots_ = slots;
    out.m_ = m;
    out.m0_ = m0;
    out.ef_construction_ = v.header.ef_construction;
    out.layers_ = kLayerA;
    return out;
}

Result<void> LayeredHnsw::add_level0_layer(ByteView payload, uint8_t layer) {
    const char *name = layer == 1 ? "layer B" : "layer C";
    if (!(layers_ & kLayerA))
        return format_error(Status::InvalidArgument, std::string(name) + ": layer A must be loaded first");
    auto info_r = read_layer_info(payload);
    if (!info_r)
        return info_r.error();
    const HnswLayerInfo &info = *info_r;
    auto view_r = decode_codec(payload, info, layer);
    if (!view_r)
        return view_r.error();
    const core::IndexSegView &v = *view_r;
    if (info.graph_tag != tag_)
        return format_error(Status::GenerationStale, std::string(name) + ": graph_tag differs from layer A");
    if (v.header.node_count != slots_ || v.header.m != m_ || info.m0 != m0_ ||
        v.header.ef_construction != ef_construction_)
        return format_error(Status::InvalidManifest, std::string(name) + ": node_count/M/m0/ef differ from layer A");

    struct Pending {
        uint32_t node;
        size_t start, len;
    };
    std::vector<Pending> pending;
    std::vector<uint32_t> flat, buf;
    const char *bad = nullptr;
    const Status walk = v.for_each_list([&](uint64_t n, uint32_t, uint32_t lc, core::IndexNeighborList &list) {
        if (bad)
            return;
        if (lc != 1) {
            bad = "level-0 layer: layer_count must be 0 or 1";
            return;
        }
        if (!graph_.contains(static_cast<uint32_t>(n))) {
            bad = "level-0 layer: list for a slot not in the graph";
            return;
        }
        if (list.count() > m0_) {
            bad = "level-0 layer: list longer than m0";
            return;
        }
        read_list(list, buf);
        for (uint32_t x : buf)
            if (x == n || !graph_.contains(x))
                bad = "level-0 layer: link to itself or to a slot not in the graph";
        pending.push_back({static_cast<uint32_t>(n), flat.size(), buf.size()});
        flat.insert(flat.end(), buf.begin(), buf.end());
    });
    if (walk != Status::Ok)
        return format_error(walk, std::string(name) + ": adjacency walk");
    if (bad)
        return format_error(Status::InvalidManifest, std::string(name) + ": " + bad);
    if (pending.size() != info.node_total)
        return format_error(Status::InvalidManifest, std::string(name) + ": node_total disagrees with the lists");
    if (layer == 2 && pending.size() != graph_.size())
        return format_error(Status::InvalidManifest, "layer C: a graph node has no list");

    for (const Pending &q : pending) {
        if (layer == 1 && l0_known_[q.node])
            continue; // already from C (same build: same list)
        graph_.set_neighbors(q.node, 0, std::span<const uint32_t>(flat.data() + q.start, q.len)); // validated above
        l0_known_[q.node] = 1;
    }
    layers_ |= layer == 1 ? kLayerB : kLayerC;
    return {};
}

Result<void> LayeredHnsw::add_layer_b(ByteView payload) { return add_level0_layer(payload, 1); }
Result<void> LayeredHnsw::add_layer_c(ByteView payload) { return add_level0_layer(payload, 2); }

} // namespace rvf

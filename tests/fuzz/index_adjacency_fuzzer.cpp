// Fuzz the INDEX_SEG codec (spec §6.4) in both flavours and the Layout R INDEX trailer (§3.10):
// decoding must never crash; a decoded graph must answer every (node, layer) lookup through the
// restart index exactly as the sequential walk does, and re-encoding it must decode to the same
// graph.
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <vector>

#include <rvf/core/format/index_seg.hpp>
#include <rvf/core/format/layout_r_index_trailer.hpp>

using namespace rvf::core;

namespace {
using Graph = std::vector<std::vector<std::vector<uint64_t>>>;

Graph walk(const IndexSegView &v) {
    Graph g(static_cast<size_t>(v.header.node_count));
    if (v.for_each_list([&](uint64_t n, uint32_t l, uint32_t layers, IndexNeighborList &list) {
            if (g[n].empty())
                g[n].resize(layers);
            uint64_t id = 0;
            while (list.next(&id))
                g[n][l].push_back(id);
        }) != Status::Ok)
        std::abort();
    return g;
}

void check(const IndexSegView &v, IndexFlavour fl) {
    const Graph g = walk(v);
    std::vector<uint64_t> buf;
    for (uint64_t n = 0; n < v.header.node_count; ++n) {
        uint32_t lc = 0;
        if (v.node_layer_count(n, &lc) != Status::Ok || lc > kIndexMaxLayers)
            std::abort();
        for (uint32_t l = 0; l <= lc; ++l) {
            buf.assign(v.header.node_count + 1, 0);
            size_t count = 0;
            if (v.node_neighbors(n, l, buf.data(), buf.size(), &count) != Status::Ok)
                std::abort();
            const size_t want = l < lc ? g[n][l].size() : 0;
            if (count != want)
                std::abort();
            for (size_t k = 0; k < count; ++k)
                if (buf[k] >= v.header.node_count || buf[k] != g[n][l][k])
                    std::abort();
        }
    }
    // Re-encode (only possible for sorted lists) and compare graphs.
    std::vector<std::vector<IndexLayerInput>> layers(g.size());
    std::vector<IndexNodeInput> nodes(g.size());
    for (size_t n = 0; n < g.size(); ++n) {
        for (const auto &list : g[n])
            layers[n].push_back(IndexLayerInput{list.data(), static_cast<uint32_t>(list.size())});
        nodes[n] = IndexNodeInput{layers[n].data(), static_cast<uint32_t>(layers[n].size())};
    }
    ByteWriter counter;
    if (encode_index_seg(counter, v.header, nodes.data(), v.restart_interval, fl) != Status::Ok)
        return; // e.g. an absolute list that is not ascending
    std::vector<uint8_t> out(counter.pos());
    ByteWriter w(MutByteView(out.data(), out.size()));
    if (encode_index_seg(w, v.header, nodes.data(), v.restart_interval, fl) != Status::Ok)
        std::abort();
    IndexSegView again;
    if (decode_index_seg(ByteView(out.data(), out.size()), fl, again) != Status::Ok || walk(again) != g ||
        again.encoded_size != out.size())
        std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const ByteView in(data, size);
    for (IndexFlavour fl : {IndexFlavour::RvfIndex, IndexFlavour::RvfWire}) {
        IndexSegView v;
        if (decode_index_seg(in, fl, v) == Status::Ok) {
            if (v.encoded_size > size || v.adjacency_offset + v.adjacency.size > v.encoded_size)
                std::abort();
            check(v, fl);
        }
    }
    LayoutRIndexView ix;
    if (decode_layout_r_index(in, ix) == Status::Ok) {
        std::vector<uint64_t> ids(static_cast<size_t>(ix.trailer.fields.id_count));
        if (ix.trailer.copy_ids(ids.data(), ids.size()) != ids.size())
            std::abort();
        for (size_t i = 1; i < ids.size(); ++i)
            if (ids[i] <= ids[i - 1])
                std::abort();
        check(ix.graph, IndexFlavour::RvfIndex);
    }
    return 0;
}

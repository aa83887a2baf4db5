// Fuzz the HNSW layer loaders (rvf/index_layers.hpp: layers A/B/C, spec §6.4 + the "RVHL"
// trailer) and the Layout R INDEX → graph decoder (§3.10). Byte 0 picks the entry point:
//   0: LayeredHnsw::open(rest)                      (a layer A)
//   1: open(fixture A), then add_layer_b(rest)      (a layer B of the fixture graph)
//   2: open(fixture A), then add_layer_c(rest)      (a layer C of the fixture graph)
//   3: decode_layout_r_hnsw(rest)
// Anything decoded must search without fault, only ever return graph nodes in ascending
// distance, and survive encode → decode unchanged; a refused B/C must leave the view as it was.
// The fixture graph (200 rows of small integers, exact float sums) is the same on every
// platform, so committed corpus files for modes 1 and 2 stay valid B/C payloads for it.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <vector>

#include <rvf/hnsw.hpp>
#include <rvf/index_layers.hpp>

using namespace rvf;
using core::ByteView;

namespace {

struct Fixture {
    static constexpr uint32_t kRows = 200, kDim = 8;
    static constexpr uint64_t kTag = 0xF022;
    std::vector<float> rows;
    HnswGraph graph;
    std::vector<uint8_t> a, b, c, r;

    struct Space final : HnswSpace {
        const std::vector<float> &rows;
        explicit Space(const std::vector<float> &r) : rows(r) {}
        float between(uint32_t x, uint32_t y) const override {
            float s = 0;
            for (uint32_t d = 0; d < kDim; ++d) {
                const float t = rows[x * kDim + d] - rows[y * kDim + d];
                s += t * t;
            }
            return s;
        }
    };

    Fixture() : rows(kRows * kDim) {
        uint32_t x = 12345;
        for (float &v : rows) {
            x = x * 1103515245u + 12345u;
            v = static_cast<float>((x >> 16) % 16);
        }
        Space space(rows);
        HnswParams p;
        p.m = 4;
        p.m0 = 8;
        p.ef_construction = 32;
        graph = HnswGraph(p);
        std::vector<uint32_t> nodes(kRows);
        std::vector<uint64_t> ids(kRows);
        std::iota(nodes.begin(), nodes.end(), 0u);
        std::iota(ids.begin(), ids.end(), uint64_t{0});
        graph.insert(nodes, ids, space, 1);
        a = encode_layer_a(graph, compute_centroids(graph, space, 0, 1), kTag).value();
        b = encode_layer_b(graph, rank_hot_nodes(graph, space, kRows / 4, 1), kTag).value();
        c = encode_layer_c(graph, kTag).value();
        std::vector<uint64_t> node_ids(kRows);
        for (uint32_t i = 0; i < kRows; ++i)
            node_ids[i] = 1000 + 3ull * i;
        r = encode_layout_r_hnsw(graph, node_ids).value();
    }
    static const Fixture &get() {
        static const Fixture f;
        return f;
    }
};

[[noreturn]] void fail() { std::abort(); }

void check_search(const HnswGraph &g, const std::vector<std::pair<float, uint32_t>> &hits, size_t k) {
    if (hits.size() > k)
        fail();
    for (size_t i = 0; i < hits.size(); ++i)
        if (!g.contains(hits[i].second) || (i && hits[i - 1].first > hits[i].first))
            fail();
}

float fake_dist(uint32_t n) { return static_cast<float>((n * 2654435761u) % 1009u); }

void search_layered(const LayeredHnsw &L) {
    for (size_t ef : {1, 16}) {
        const auto r = L.search_with(fake_dist, LayeredSearchParams{5, ef, 0}, [](uint32_t n) { return n % 7 == 0; });
        check_search(L.graph(), r.hits, 5);
        for (const auto &h : r.hits)
            if (h.second % 7 == 0)
                fail();
    }
}

void same_graph(const HnswGraph &x, const HnswGraph &y, bool level0) {
    if (x.size() != y.size() || x.entry_point() != y.entry_point() || x.max_level() != y.max_level())
        fail();
    for (uint32_t n = 0; n < std::max(x.slots(), y.slots()); ++n) {
        if (x.level(n) != y.level(n))
            fail();
        for (int l = level0 ? 0 : 1; l <= x.level(n); ++l) {
            auto a = x.neighbors(n, l), b = y.neighbors(n, l);
            std::vector<uint32_t> va(a.begin(), a.end()), vb(b.begin(), b.end());
            std::sort(va.begin(), va.end());
            std::sort(vb.begin(), vb.end());
            if (va != vb)
                fail();
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const ByteView in(data + 1, size - 1);
    const Fixture &fx = Fixture::get();
    switch (data[0] % 4) {
    case 0: {
        auto L = LayeredHnsw::open(in);
        if (!L.ok())
            return 0;
        search_layered(*L);
        auto again = encode_layer_a(L->graph(), L->centroids(), L->graph_tag());
        if (!again.ok())
            fail();
        auto L2 = LayeredHnsw::open(ByteView(again->data(), again->size()));
        if (!L2.ok() || L2->centroids().members != L->centroids().members || L2->centroids().reps != L->centroids().reps)
            fail();
        same_graph(L->graph(), L2->graph(), false);
        break;
    }
    case 1:
    case 2: {
        auto L = LayeredHnsw::open(ByteView(fx.a.data(), fx.a.size()));
        if (!L.ok())
            fail();
        const bool c = data[0] % 4 == 2;
        auto r = c ? L->add_layer_c(in) : L->add_layer_b(in);
        if (!r.ok()) {
            if (L->layers() != kLayerA)
                fail();
            for (uint32_t n = 0; n < Fixture::kRows; ++n)
                if (L->level0_known(n) || !L->graph().neighbors(n, 0).empty())
                    fail();
            search_layered(*L);
            return 0;
        }
        search_layered(*L);
        if (c) {
            // Re-encode the level-0 lists and load them into a fresh view: same graph.
            auto again = encode_layer_c(L->graph(), Fixture::kTag);
            auto L2 = LayeredHnsw::open(ByteView(fx.a.data(), fx.a.size()));
            if (!again.ok() || !L2.ok() || !L2->add_layer_c(ByteView(again->data(), again->size())).ok())
                fail();
            same_graph(L->graph(), L2->graph(), true);
        }
        break;
    }
    default: {
        auto g = decode_layout_r_hnsw(in);
        if (!g.ok())
            return 0;
        check_search(g->graph, g->graph.search(fake_dist, 5, 16), 5);
        auto again = encode_layout_r_hnsw(g->graph, g->ids);
        if (!again.ok())
            fail();
        auto g2 = decode_layout_r_hnsw(ByteView(again->data(), again->size()));
        if (!g2.ok() || g2->ids != g->ids)
            fail();
        same_graph(g->graph, g2->graph, true);
        break;
    }
    }
    return 0;
}

#ifdef RVF_INDEX_LAYERS_FUZZ_WRITE_CORPUS
// Helper build (not part of CMake): writes the seed corpus for this target into argv[1].
#include <cstdio>
#include <string>
static void put(const std::string &path, uint8_t mode, const std::vector<uint8_t> &payload) {
    FILE *f = std::fopen(path.c_str(), "wb");
    std::fputc(mode, f);
    std::fwrite(payload.data(), 1, payload.size(), f);
    std::fclose(f);
}
int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    const std::string dir = argv[1];
    const Fixture &fx = Fixture::get();
    put(dir + "/layer-a.bin", 0, fx.a);
    put(dir + "/layer-b.bin", 1, fx.b);
    put(dir + "/layer-c.bin", 2, fx.c);
    put(dir + "/layout-r.bin", 3, fx.r);
    put(dir + "/layer-a-as-c.bin", 2, fx.a);
    std::vector<uint8_t> cut(fx.c.begin(), fx.c.begin() + static_cast<std::ptrdiff_t>(fx.c.size() / 2));
    put(dir + "/layer-c-truncated.bin", 2, cut);
    const HnswGraph empty;
    put(dir + "/layer-a-empty.bin", 0, encode_layer_a(empty, HnswCentroids{}).value());
    return 0;
}
#endif

// INDEX_SEG codec (spec §6.4), both flavours: synthetic graphs round-trip through encode →
// decode → every lookup path; hand-made corruptions give the documented statuses.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include <rvf/core/format/index_seg.hpp>

using namespace rvf::core;

namespace {

using Graph = std::vector<std::vector<std::vector<uint64_t>>>; // node → layer → sorted ids

uint64_t splitmix(uint64_t &s) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

Graph random_graph(uint64_t n, uint64_t seed, size_t max_deg = 12) {
    Graph g(n);
    uint64_t s = seed;
    for (uint64_t i = 0; i < n; ++i) {
        const size_t layers = 1 + (splitmix(s) % 8 == 0) + (splitmix(s) % 32 == 0);
        g[i].resize(layers);
        for (size_t l = 0; l < layers; ++l) {
            const size_t deg = n ? splitmix(s) % (max_deg + 1) : 0;
            std::vector<uint64_t> ids;
            for (size_t k = 0; k < deg; ++k)
                ids.push_back(splitmix(s) % n);
            std::sort(ids.begin(), ids.end());
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
            g[i][l] = ids;
        }
    }
    return g;
}

struct Inputs {
    std::vector<std::vector<IndexLayerInput>> layers;
    std::vector<IndexNodeInput> nodes;
    explicit Inputs(const Graph &g) : layers(g.size()), nodes(g.size()) {
        for (size_t n = 0; n < g.size(); ++n) {
            for (const auto &l : g[n])
                layers[n].push_back(IndexLayerInput{l.data(), static_cast<uint32_t>(l.size())});
            nodes[n] = IndexNodeInput{layers[n].data(), static_cast<uint32_t>(layers[n].size())};
        }
    }
};

std::vector<uint8_t> encode_graph(const Graph &g, uint32_t interval, IndexFlavour fl, IndexSegHeader h = {}) {
    h.node_count = g.size();
    Inputs in(g);
    ByteWriter counter;
    EXPECT_EQ(encode_index_seg(counter, h, in.nodes.data(), interval, fl), Status::Ok);
    std::vector<uint8_t> out(counter.pos());
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode_index_seg(w, h, in.nodes.data(), interval, fl), Status::Ok);
    EXPECT_EQ(w.pos(), out.size());
    return out;
}

void expect_graph(const IndexSegView &v, const Graph &g) {
    ASSERT_EQ(v.header.node_count, g.size());
    // Random access through the restart index.
    for (uint64_t n = 0; n < g.size(); ++n) {
        uint32_t lc = 0;
        ASSERT_EQ(v.node_layer_count(n, &lc), Status::Ok);
        ASSERT_EQ(lc, g[n].size());
        for (uint32_t l = 0; l < lc + 1; ++l) {
            const std::vector<uint64_t> want = l < lc ? g[n][l] : std::vector<uint64_t>{};
            std::vector<uint64_t> got(want.size() + 1);
            size_t count = 99;
            ASSERT_EQ(v.node_neighbors(n, l, got.data(), got.size(), &count), Status::Ok);
            got.resize(count);
            ASSERT_EQ(got, want) << "node " << n << " layer " << l;
            std::vector<uint64_t> cb;
            ASSERT_EQ(v.for_each_neighbor(n, l, [&](uint64_t id) { cb.push_back(id); }), Status::Ok);
            ASSERT_EQ(cb, want);
        }
    }
    // Sequential walk.
    Graph seen(g.size());
    ASSERT_EQ(v.for_each_list([&](uint64_t n, uint32_t l, uint32_t layers, IndexNeighborList &list) {
        if (seen[n].empty())
            seen[n].resize(layers);
        uint64_t id = 0;
        while (list.next(&id))
            seen[n][l].push_back(id);
    }),
              Status::Ok);
    for (size_t n = 0; n < g.size(); ++n) {
        if (!g[n].empty()) {
            ASSERT_EQ(seen[n], g[n]);
        }
    }
}

} // namespace

class IndexSegRoundTrip : public ::testing::TestWithParam<std::tuple<uint64_t, uint32_t, IndexFlavour>> {};

TEST_P(IndexSegRoundTrip, EncodeDecodeEveryLookup) {
    const auto [n, interval, fl] = GetParam();
    const Graph g = random_graph(n, n * 31 + interval);
    IndexSegHeader h;
    h.m = 12;
    h.ef_construction = 77;
    const std::vector<uint8_t> b = encode_graph(g, interval, fl, h);
    EXPECT_EQ(b.size() % 64, 0u);
    IndexSegView v;
    ASSERT_EQ(decode_index_seg(ByteView(b.data(), b.size()), fl, v), Status::Ok);
    EXPECT_EQ(v.encoded_size, b.size());
    EXPECT_EQ(v.header.m, 12);
    EXPECT_EQ(v.header.ef_construction, 77u);
    EXPECT_EQ(v.header.layer_level, 2);
    EXPECT_EQ(v.restart_interval, interval);
    EXPECT_EQ(v.restart_count, n == 0 ? 0 : (n + interval - 1) / interval);
    EXPECT_EQ(v.adjacency_offset % 64, 0u);
    expect_graph(v, g);
    // Trailing bytes after the codec are allowed (the Layout R trailer lives there).
    std::vector<uint8_t> more = b;
    more.insert(more.end(), {1, 2, 3});
    IndexSegView v2;
    ASSERT_EQ(decode_index_seg(ByteView(more.data(), more.size()), fl, v2), Status::Ok);
    EXPECT_EQ(v2.encoded_size, b.size());
    // Every truncation fails cleanly.
    for (size_t len = 0; len < b.size(); len += (b.size() > 3000 ? 7 : 1))
        EXPECT_NE(decode_index_seg(ByteView(b.data(), len), fl, v2), Status::Ok) << len;
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, IndexSegRoundTrip,
    ::testing::Combine(::testing::Values<uint64_t>(0, 1, 2, 63, 64, 65, 130, 700), ::testing::Values<uint32_t>(1, 3, 64),
                       ::testing::Values(IndexFlavour::RvfIndex, IndexFlavour::RvfWire)));

TEST(IndexSeg, FlavoursDifferOnlyAtRestartNodesWithTwoOrMoreNeighbours) {
    // Node 0 (restart) has [3, 5]: rvf-index writes 3,5; rvf-wire writes 3,2.
    Graph g = {{{3, 5}}, {{0, 4}}, {{1}}, {{}}, {{0, 1, 2}}, {{4}}};
    const auto a = encode_graph(g, 4, IndexFlavour::RvfIndex);
    const auto w = encode_graph(g, 4, IndexFlavour::RvfWire);
    ASSERT_EQ(a.size(), w.size());
    size_t diffs = 0, at = 0;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i] != w[i]) {
            ++diffs;
            at = i;
        }
    EXPECT_EQ(diffs, 2u); // node 0's second id (5 vs 2) and node 4's ids (restart at 4: 0,1,2 vs 0,1,1)
    (void)at;
    // Node layout: header 64 B, restart index (u32 4, u32 2, offsets 0, x) padded to 128.
    EXPECT_EQ(load_u32_le(&a[64]), 4u);
    EXPECT_EQ(load_u32_le(&a[68]), 2u);
    EXPECT_EQ(load_u32_le(&a[72]), 0u);
    // adjacency at 128: node 0 = 01 02 03 05
    EXPECT_EQ(a[128], 1);
    EXPECT_EQ(a[129], 2);
    EXPECT_EQ(a[130], 3);
    EXPECT_EQ(a[131], 5);
    EXPECT_EQ(w[131], 2);
    // Reading with the wrong flavour changes the meaning.
    IndexSegView v;
    ASSERT_EQ(decode_index_seg(ByteView(w.data(), w.size()), IndexFlavour::RvfIndex, v), Status::Ok);
    uint64_t out[4];
    size_t count = 0;
    ASSERT_EQ(v.node_neighbors(0, 0, out, 4, &count), Status::Ok);
    ASSERT_EQ(count, 2u);
    EXPECT_EQ(out[1], 2u); // not 5
}

TEST(IndexSeg, PadsCountFromThePayloadStartNotTheBuffer) {
    const Graph g = random_graph(100, 5);
    const auto at0 = encode_graph(g, 64, IndexFlavour::RvfIndex);
    Inputs in(g);
    IndexSegHeader h;
    h.node_count = g.size();
    std::vector<uint8_t> buf(7 + at0.size());
    ByteWriter w(MutByteView(buf.data(), buf.size()));
    w.zeros(7); // e.g. a packed Layout R payload that starts at an odd file offset
    ASSERT_EQ(encode_index_seg(w, h, in.nodes.data(), 64, IndexFlavour::RvfIndex), Status::Ok);
    ASSERT_EQ(w.pos(), buf.size());
    EXPECT_EQ(0, std::memcmp(buf.data() + 7, at0.data(), at0.size()));
}

TEST(IndexSeg, LookupArguments) {
    const Graph g = {{{1, 2, 3}}, {{0}, {2}}, {{0, 1}}, {{0}}};
    const auto b = encode_graph(g, 2, IndexFlavour::RvfIndex);
    IndexSegView v;
    ASSERT_EQ(decode_index_seg(ByteView(b.data(), b.size()), IndexFlavour::RvfIndex, v), Status::Ok);
    EXPECT_EQ(v.max_layer_count, 2u);
    uint64_t out[2] = {};
    size_t count = 0;
    EXPECT_EQ(v.node_neighbors(0, 0, out, 2, &count), Status::OkPartial);
    EXPECT_EQ(count, 3u);
    EXPECT_EQ(out[1], 2u);
    EXPECT_EQ(v.node_neighbors(4, 0, out, 2, &count), Status::InvalidArgument);
    EXPECT_EQ(v.node_neighbors(0, 0, nullptr, 2, &count), Status::InvalidArgument);
    EXPECT_EQ(v.node_neighbors(0, 0, nullptr, 0, &count), Status::OkPartial);
    EXPECT_EQ(count, 3u);
    EXPECT_EQ(v.node_neighbors(1, 1, out, 2, &count), Status::Ok);
    EXPECT_EQ(count, 1u);
    EXPECT_EQ(out[0], 2u);
    EXPECT_EQ(v.node_neighbors(1, 40, out, 2, &count), Status::Ok);
    EXPECT_EQ(count, 0u);
    uint32_t lc = 0;
    EXPECT_EQ(v.node_layer_count(9, &lc), Status::InvalidArgument);
    IndexSegView empty;
    EXPECT_EQ(empty.node_layer_count(0, &lc), Status::InvalidArgument);
}

TEST(IndexSeg, EncoderRejectsBadInput) {
    IndexSegHeader h;
    ByteWriter w;
    const uint64_t unsorted[2] = {3, 1}, big[1] = {9}, ok[1] = {1};
    IndexLayerInput l1{unsorted, 2}, l2{big, 1}, l3{ok, 1};
    IndexNodeInput nodes[4] = {{&l3, 1}, {&l3, 1}, {&l3, 1}, {&l3, 1}};
    h.node_count = 4;
    EXPECT_EQ(encode_index_seg(w, h, nodes, 0, IndexFlavour::RvfIndex), Status::InvalidArgument);
    EXPECT_EQ(encode_index_seg(w, h, nullptr, 64, IndexFlavour::RvfIndex), Status::InvalidArgument);
    nodes[2] = {&l1, 1};
    EXPECT_EQ(encode_index_seg(w, h, nodes, 64, IndexFlavour::RvfIndex), Status::InvalidArgument);
    nodes[2] = {&l2, 1};
    EXPECT_EQ(encode_index_seg(w, h, nodes, 64, IndexFlavour::RvfWire), Status::InvalidArgument);
    std::vector<IndexLayerInput> many(65, l3);
    nodes[2] = {many.data(), 65};
    EXPECT_EQ(encode_index_seg(w, h, nodes, 64, IndexFlavour::RvfIndex), Status::InvalidArgument);
    nodes[2] = {many.data(), 64};
    ByteWriter w2;
    EXPECT_EQ(encode_index_seg(w2, h, nodes, 64, IndexFlavour::RvfIndex), Status::Ok);
    uint8_t small[100];
    ByteWriter w3(MutByteView(small, sizeof small));
    EXPECT_EQ(encode_index_seg(w3, h, nodes, 64, IndexFlavour::RvfIndex), Status::InvalidArgument);
}

namespace {
// A tiny hand-built segment to corrupt: 3 nodes, interval 2, rvf-index.
// node0: 1 layer [1,2]; node1: 1 layer [0]; node2 (restart): 1 layer [0,1].
std::vector<uint8_t> tiny() { return encode_graph({{{1, 2}}, {{0}}, {{0, 1}}}, 2, IndexFlavour::RvfIndex); }
Status decode(const std::vector<uint8_t> &b, IndexFlavour fl = IndexFlavour::RvfIndex) {
    IndexSegView v;
    return decode_index_seg(ByteView(b.data(), b.size()), fl, v);
}
} // namespace

TEST(IndexSeg, DecoderGuardsEveryCount) {
    const auto b = tiny();
    // Layout: [0,64) header, 64: u32 2, u32 2, offsets 0, 7; pad to 128; adjacency at 128:
    // 01 02 01 02 (restart: absolute) | 01 01 00 | 01 02 00 01 (restart), pad to 192.
    ASSERT_EQ(b.size(), 192u);
    ASSERT_EQ(decode(b), Status::Ok);
    const uint8_t adj[] = {1, 2, 1, 2, 1, 1, 0, 1, 2, 0, 1};
    ASSERT_EQ(0, std::memcmp(&b[128], adj, sizeof adj));
    ASSERT_EQ(load_u32_le(&b[76]), 7u);

    auto with = [&](auto &&mutate) {
        std::vector<uint8_t> p = b;
        mutate(p);
        return decode(p);
    };
    EXPECT_EQ(with([](auto &p) { p.resize(15); }), Status::TruncatedSegment);
    EXPECT_EQ(with([](auto &p) { p[17] = 1; }), Status::AlignmentError);             // header pad
    EXPECT_EQ(with([](auto &p) { p[100] = 1; }), Status::AlignmentError);            // restart pad
    EXPECT_EQ(with([](auto &p) { p[191] = 1; }), Status::AlignmentError);            // adjacency pad
    EXPECT_EQ(with([](auto &p) { store_u64_le(&p[8], 1ull << 62); }), Status::TruncatedSegment); // node_count
    EXPECT_EQ(with([](auto &p) { store_u32_le(&p[64], 0); }), Status::InvalidManifest);  // interval 0
    EXPECT_EQ(with([](auto &p) { store_u32_le(&p[68], 3); }), Status::InvalidManifest);  // restart_count
    EXPECT_EQ(with([](auto &p) { store_u32_le(&p[76], 6); }), Status::InvalidManifest);  // offset not at node 2
    EXPECT_EQ(with([](auto &p) { store_u32_le(&p[76], 900); }), Status::InvalidManifest);
    EXPECT_EQ(with([](auto &p) { p[128] = 65; }), Status::InvalidManifest);   // layer_count > 64
    EXPECT_EQ(with([](auto &p) { p[129] = 4; }), Status::InvalidManifest);    // neighbor_count > node_count
    EXPECT_EQ(with([](auto &p) { p[130] = 3; }), Status::InvalidManifest);    // absolute id ≥ n
    EXPECT_EQ(with([](auto &p) { p[138] = 3; }), Status::InvalidManifest);    // node2 (restart) abs id 3
    EXPECT_EQ(with([](auto &p) { p[131] = 1; }), Status::Ok);                 // node0: [1, 2] abs → [1,1] still < n
    // Gap accumulation past n: node1 is not a restart node, give it two ids 1 then gap 2 → 3.
    {
        Graph g = {{{1}}, {{0, 2}}, {{0}}};
        auto p = encode_graph(g, 2, IndexFlavour::RvfIndex);
        ASSERT_EQ(decode(p), Status::Ok);
        // node0: 01 01 01 | node1: 01 02 00 02 → make the gap 3 (0 + 3 = 3 ≥ n)
        ASSERT_EQ(p[128 + 6], 2);
        p[128 + 6] = 3;
        EXPECT_EQ(decode(p), Status::InvalidManifest);
        p[128 + 6] = 0xFF; // overlong varint that runs into the next bytes
        EXPECT_NE(decode(p), Status::Ok);
    }
    // A huge gap must not wrap around u64 to a small id.
    {
        std::vector<uint8_t> p(64, 0);
        p[0] = 0;
        store_u64_le(&p[8], 2);
        std::vector<uint8_t> restart = {2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
        p.insert(p.end(), restart.begin(), restart.end());
        p.resize(128, 0);
        // node0 (restart, abs): 1 layer [1]; node1: 1 layer, 2 ids: 1, gap 2^64-1 → wraps to 0.
        const uint8_t a[] = {1, 1, 1, 1, 2, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
        p.insert(p.end(), a, a + sizeof a);
        p.resize(192, 0);
        EXPECT_EQ(decode(p), Status::InvalidManifest);
        EXPECT_EQ(decode(p, IndexFlavour::RvfWire), Status::InvalidManifest);
        p[128 + 6] = 0; // gap 0 (the same id twice) is tolerated: ids stay < n
        for (int i = 7; i < 16; ++i)
            p[128 + i] = 0;
        EXPECT_EQ(decode(p), Status::Ok);
    }
}

// HNSW layers A/B/C as INDEX_SEG payloads (rvf/index_layers.hpp; issue 4, spec §6.4, §10.1):
// progressive recall floors on SIFT10K (A ≥ 0.70, A+B ≥ 0.85, A+B+C ≥ 0.95), exact round trips,
// load-order and tag checks, typed errors for truncated/corrupt payloads, tombstones in partial
// searches. ctest runs each case in its own process: the SIFT10K graph is built in one case.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <set>

#include <rvf/core/format/index_seg.hpp>
#include <rvf/distance.hpp>
#include <rvf/hnsw.hpp>
#include <rvf/index_layers.hpp>

#include "support/ann_data.hpp"

using namespace rvf;
using core::ByteView;
using core::Status;
using rvf::test::F32Space;
using rvf::test::Matrix;

namespace {

#ifdef NDEBUG
constexpr uint16_t kSiftEfConstruction = 200;
#else
constexpr uint16_t kSiftEfConstruction = 100;
#endif

ByteView view(const std::vector<uint8_t> &b) { return ByteView(b.data(), b.size()); }

HnswGraph build(const Matrix &m, uint16_t ef_construction, unsigned threads, size_t step = 1) {
    F32Space space(m);
    HnswParams p;
    p.ef_construction = ef_construction;
    HnswGraph g(p);
    std::vector<uint32_t> nodes;
    std::vector<uint64_t> ids;
    for (uint32_t n = 0; n < m.n; n += static_cast<uint32_t>(step)) {
        nodes.push_back(n);
        ids.push_back(n);
    }
    g.insert(nodes, ids, space, threads);
    return g;
}

using Results = std::vector<std::vector<std::pair<float, uint32_t>>>;

Results layered_search(const LayeredHnsw &L, const Matrix &base, const Matrix &q, const LayeredSearchParams &p,
                       uint8_t *layers = nullptr, size_t *evals = nullptr,
                       const std::function<bool(uint32_t)> &skip = {}) {
    const auto l2 = kernels().l2sq_f32;
    Results out(q.n);
    size_t total = 0;
    for (size_t i = 0; i < q.n; ++i) {
        auto dist = [&](uint32_t n) { return l2(base.row(n), q.row(i), base.dim); };
        const LayeredSearchResult r = skip ? L.search_with(dist, p, skip) : L.search_with(dist, p);
        out[i] = r.hits;
        total += r.stats.distance_evals;
        if (layers)
            *layers = r.layers;
    }
    if (evals)
        *evals = total / std::max<size_t>(1, q.n);
    return out;
}

std::vector<uint32_t> sorted(std::span<const uint32_t> s) {
    std::vector<uint32_t> v(s.begin(), s.end());
    std::sort(v.begin(), v.end());
    return v;
}

/// Same nodes, levels, entry point and neighbour sets on every level.
void expect_same_graph(const HnswGraph &a, const HnswGraph &b) {
    ASSERT_EQ(a.size(), b.size());
    ASSERT_EQ(a.entry_point(), b.entry_point());
    ASSERT_EQ(a.max_level(), b.max_level());
    EXPECT_EQ(a.params().m, b.params().m);
    EXPECT_EQ(a.params().m0, b.params().m0);
    EXPECT_EQ(a.params().ef_construction, b.params().ef_construction);
    EXPECT_EQ(a.params().level_seed, b.params().level_seed);
    const size_t slots = std::max(a.slots(), b.slots());
    for (uint32_t n = 0; n < slots; ++n) {
        ASSERT_EQ(a.level(n), b.level(n)) << n;
        for (int l = 0; l <= a.level(n); ++l)
            ASSERT_EQ(sorted(a.neighbors(n, l)), sorted(b.neighbors(n, l))) << n << "@" << l;
    }
}

/// A small graph and its three layers, shared by the codec cases (built once per process).
struct Small {
    Matrix base, queries;
    HnswGraph graph;
    HnswCentroids centroids;
    std::vector<uint32_t> hot;
    std::vector<uint8_t> a, b, c;
    static constexpr uint64_t kTag = 0xC0FFEE;

    Small() {
        test::MixtureSpec spec;
        spec.n = 800;
        spec.queries = 40;
        spec.dim = 16;
        spec.clusters = 12;
        spec.seed = 7;
        test::gaussian_mixture(spec, base, queries);
        graph = build(base, 64, 1);
        F32Space space(base);
        centroids = compute_centroids(graph, space, 0, 1);
        hot = rank_hot_nodes(graph, space, graph.size() / 8, 1);
        a = encode_layer_a(graph, centroids, kTag).value();
        b = encode_layer_b(graph, hot, kTag).value();
        c = encode_layer_c(graph, kTag).value();
    }
    static const Small &get() {
        static const Small s;
        return s;
    }
};

const std::set<Status> kFormatErrors = {Status::TruncatedSegment, Status::InvalidMagic, Status::InvalidVersion,
                                        Status::InvalidManifest, Status::AlignmentError, Status::GenerationStale};

} // namespace

// ---------------------------------------------------------------------------------------------
// SIFT10K: progressive recall (issue 4 floors) and an exact round trip of the full graph

TEST(IndexLayersSift, ProgressiveRecallOnSift10k) {
    const std::string dir = std::string(RVF_TEST_DATA_DIR) + "/siftsmall/";
    const Matrix base = test::read_fvecs(dir + "siftsmall_base.fvecs");
    const Matrix queries = test::read_fvecs(dir + "siftsmall_query.fvecs");
    const auto truth = test::read_ivecs_truth(dir + "siftsmall_groundtruth.ivecs", 10);
    ASSERT_EQ(base.n, 10000u);
    ASSERT_EQ(truth.size(), queries.n);

    const HnswGraph g = build(base, kSiftEfConstruction, 1); // one thread: the same graph, so the same recalls, every run
    F32Space space(base);
    const auto t0 = std::chrono::steady_clock::now();
    const HnswCentroids cents = compute_centroids(g, space);
    const std::vector<uint32_t> hot = rank_hot_nodes(g, space, g.size() / 8);
    const auto t1 = std::chrono::steady_clock::now();
    auto a = encode_layer_a(g, cents, 1), b = encode_layer_b(g, hot, 1), c = encode_layer_c(g, 1);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    std::printf("[sift10k] centroids %zu + hot %zu nodes in %.2f s; layer bytes A %zu, B %zu, C %zu\n",
                cents.reps.size(), hot.size(), std::chrono::duration<double>(t1 - t0).count(), a->size(), b->size(),
                c->size());
    EXPECT_EQ(cents.reps.size(), 100u); // √N
    EXPECT_EQ(hot.size(), 1250u);
    EXPECT_LT(a->size(), c->size() / 4); // A is the small, hot one

    auto opened = LayeredHnsw::open(view(*a));
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    LayeredHnsw L = std::move(*opened);
    const LayeredSearchParams params{10, 64, 0};
    auto report = [&](const char *name, const LayeredSearchParams &p, uint8_t want_layers) {
        uint8_t layers = 0;
        size_t evals = 0;
        const double r = test::recall_at_k(layered_search(L, base, queries, p, &layers, &evals), truth, 10);
        std::printf("[sift10k] %-6s ef %3zu nprobe %2zu: recall@10 %.4f, distance evals/query %zu\n", name, p.ef,
                    p.nprobe, r, evals);
        EXPECT_EQ(layers, want_layers);
        return r;
    };
    report("A", {10, 64, 2}, kLayerA);
    const double ra = report("A", params, kLayerA);
    EXPECT_GE(ra, 0.70);

    ASSERT_TRUE(L.add_layer_b(view(*b)).ok());
    EXPECT_EQ(L.layers(), kLayerA | kLayerB);
    report("A+B", {10, 64, 2}, kLayerA | kLayerB);
    const double rab = report("A+B", params, kLayerA | kLayerB);
    EXPECT_GE(rab, 0.85);
    EXPECT_GE(rab, ra);

    ASSERT_TRUE(L.add_layer_c(view(*c)).ok());
    EXPECT_TRUE(L.complete());
    report("A+B+C", {10, 16, 0}, kLayerA | kLayerC);
    const double rabc = report("A+B+C", params, kLayerA | kLayerC);
    EXPECT_GE(rabc, 0.95);

    // The loaded graph is the built one.
    expect_same_graph(L.graph(), g);
    EXPECT_EQ(L.centroids().reps, cents.reps);
    EXPECT_EQ(L.centroids().members, cents.members);
}

// The seeded Gaussian mixture (issue 4's second set): the same floors. CI uses 10,000 rows to stay
// fast under ASan and wasm; RVF_ANN_N=100000 runs the issue's 100,000 × 128 set (Release: a minute).
TEST(IndexLayersMixture, ProgressiveRecallOnGaussianMixture) {
    test::MixtureSpec spec;
    spec.n = 10000;
    spec.queries = 200;
    if (const char *env = std::getenv("RVF_ANN_N"))
        spec.n = std::max<size_t>(2000, std::strtoull(env, nullptr, 10));
    Matrix base, queries;
    test::gaussian_mixture(spec, base, queries);
    const auto truth = test::brute_force_knn(base, queries, 10);

    const HnswGraph g = build(base, kSiftEfConstruction, 1); // one thread: the same graph, so the same recalls, every run
    F32Space space(base);
    const HnswCentroids cents = compute_centroids(g, space);
    const std::vector<uint32_t> hot = rank_hot_nodes(g, space, g.size() / 8);
    auto a = encode_layer_a(g, cents, 7), b = encode_layer_b(g, hot, 7), c = encode_layer_c(g, 7);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    auto opened = LayeredHnsw::open(view(*a));
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    LayeredHnsw L = std::move(*opened);
    const LayeredSearchParams params{10, 64, 0};
    auto recall = [&](const char *name) {
        uint8_t layers = 0;
        size_t evals = 0;
        const double r = test::recall_at_k(layered_search(L, base, queries, params, &layers, &evals), truth, 10);
        std::printf("[mixture %zu] %-6s recall@10 %.4f, distance evals/query %zu\n", base.n, name, r, evals);
        return r;
    };
    const double ra = recall("A");
    EXPECT_GE(ra, 0.70);
    ASSERT_TRUE(L.add_layer_b(view(*b)).ok());
    const double rab = recall("A+B");
    EXPECT_GE(rab, 0.85);
    EXPECT_GE(rab, ra);
    ASSERT_TRUE(L.add_layer_c(view(*c)).ok());
    const double rabc = recall("A+B+C");
    EXPECT_GE(rabc, 0.95);
}

// ---------------------------------------------------------------------------------------------
// Codec round trips and load order on a small graph

TEST(IndexLayers, RoundTripThroughEveryLoadOrder) {
    const Small &s = Small::get();
    // A + C → the whole graph.
    auto ac = LayeredHnsw::open(view(s.a));
    ASSERT_TRUE(ac.ok()) << ac.error().to_string();
    EXPECT_EQ(ac->layers(), kLayerA);
    EXPECT_FALSE(ac->complete());
    EXPECT_EQ(ac->graph_tag(), Small::kTag);
    // A alone: nodes, levels, entry and upper lists are there; no level-0 list is known.
    for (uint32_t n = 0; n < s.graph.slots(); ++n) {
        ASSERT_EQ(ac->graph().level(n), s.graph.level(n));
        ASSERT_FALSE(ac->level0_known(n));
        ASSERT_TRUE(ac->graph().neighbors(n, 0).empty());
        for (int l = 1; l <= s.graph.level(n); ++l)
            ASSERT_EQ(sorted(ac->graph().neighbors(n, l)), sorted(s.graph.neighbors(n, l)));
    }
    EXPECT_EQ(ac->graph().entry_point(), s.graph.entry_point());
    EXPECT_EQ(ac->centroids().members, s.centroids.members);
    ASSERT_TRUE(ac->add_layer_c(view(s.c)).ok());
    EXPECT_EQ(ac->layers(), kLayerA | kLayerC);
    expect_same_graph(ac->graph(), s.graph);

    // A + B → exactly the hot nodes' level-0 lists; then C completes it.
    auto ab = LayeredHnsw::open(view(s.a));
    ASSERT_TRUE(ab.ok());
    ASSERT_TRUE(ab->add_layer_b(view(s.b)).ok());
    const std::set<uint32_t> hot(s.hot.begin(), s.hot.end());
    for (uint32_t n = 0; n < s.graph.slots(); ++n) {
        ASSERT_EQ(ab->level0_known(n), hot.count(n) == 1) << n;
        if (hot.count(n)) {
            ASSERT_EQ(sorted(ab->graph().neighbors(n, 0)), sorted(s.graph.neighbors(n, 0)));
        }
    }
    ASSERT_TRUE(ab->add_layer_c(view(s.c)).ok());
    expect_same_graph(ab->graph(), s.graph);
    // B after C changes nothing.
    ASSERT_TRUE(ac->add_layer_b(view(s.b)).ok());
    EXPECT_EQ(ac->layers(), kLayerA | kLayerB | kLayerC);
    expect_same_graph(ac->graph(), s.graph);

    // A complete graph can be released and grown further.
    HnswGraph grown = std::move(*ac).release_graph();
    EXPECT_EQ(grown.size(), s.graph.size());
    Matrix more = s.base;
    more.n += 1;
    more.v.insert(more.v.end(), s.queries.row(0), s.queries.row(0) + s.base.dim);
    F32Space space(more);
    const uint32_t node[] = {static_cast<uint32_t>(s.base.n)};
    const uint64_t id[] = {999999};
    grown.insert(node, id, space, 1);
    const auto hits = grown.search([&](uint32_t n) { return kernels().l2sq_f32(more.row(n), s.queries.row(0), 16); }, 1, 32);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].second, s.base.n);
}

TEST(IndexLayers, PayloadsAreSpecIndexSegs) {
    const Small &s = Small::get();
    const std::vector<uint8_t> *layers[] = {&s.a, &s.b, &s.c};
    for (uint8_t lv = 0; lv < 3; ++lv) {
        auto info = read_layer_info(view(*layers[lv]));
        ASSERT_TRUE(info.ok());
        EXPECT_EQ(info->version, 1);
        EXPECT_EQ(info->layer, lv);
        EXPECT_EQ(info->m0, 32);
        EXPECT_EQ(info->graph_tag, Small::kTag);
        // The bytes before the trailer are a plain INDEX_SEG (spec §6.4, rvf-index flavour).
        core::IndexSegView v;
        ASSERT_EQ(core::decode_index_seg(ByteView(layers[lv]->data(), info->codec_size), core::IndexFlavour::RvfIndex, v),
                  Status::Ok);
        EXPECT_EQ(v.encoded_size, info->codec_size);
        EXPECT_EQ(info->codec_size % 64, 0u);
        EXPECT_EQ(v.header.index_type, 0);
        EXPECT_EQ(v.header.layer_level, lv);
        EXPECT_EQ(v.header.m, 16);
        EXPECT_EQ(v.header.ef_construction, 64u);
        EXPECT_EQ(v.header.node_count, s.base.n);
        EXPECT_EQ(v.restart_interval, 64u);
        // Trailer tail: u32 body length then "RVHL".
        const auto &p = *layers[lv];
        EXPECT_EQ(std::string(p.end() - 4, p.end()), "RVHL");
        EXPECT_EQ(core::load_u32_le(p.data() + p.size() - 8), p.size() - 8 - info->codec_size);
    }
    auto a = read_layer_info(view(s.a));
    EXPECT_EQ(a->node_total, s.graph.size());
    EXPECT_EQ(a->entry_node, s.graph.entry_point());
    EXPECT_EQ(a->max_level, static_cast<uint32_t>(s.graph.max_level()));
    EXPECT_EQ(a->centroid_count, s.centroids.reps.size());
    EXPECT_EQ(read_layer_info(view(s.b))->node_total, s.hot.size());
    EXPECT_EQ(read_layer_info(view(s.c))->node_total, s.graph.size());
}

TEST(IndexLayers, WrongLayerOrOtherBuildIsRefusedAndChangesNothing) {
    const Small &s = Small::get();
    EXPECT_EQ(LayeredHnsw::open(view(s.b)).status(), Status::InvalidManifest);
    EXPECT_EQ(LayeredHnsw::open(view(s.c)).status(), Status::InvalidManifest);
    auto L = LayeredHnsw::open(view(s.a));
    ASSERT_TRUE(L.ok());
    EXPECT_EQ(L->add_layer_b(view(s.c)).status(), Status::InvalidManifest);
    EXPECT_EQ(L->add_layer_c(view(s.b)).status(), Status::InvalidManifest);
    EXPECT_EQ(L->add_layer_c(view(s.a)).status(), Status::InvalidManifest);
    // Same graph, other tag: stale.
    EXPECT_EQ(L->add_layer_c(view(encode_layer_c(s.graph, Small::kTag + 1).value())).status(), Status::GenerationStale);
    EXPECT_EQ(L->add_layer_b(view(encode_layer_b(s.graph, s.hot, 5).value())).status(), Status::GenerationStale);
    // Another graph with the same tag: its shape differs.
    Matrix half = s.base;
    half.n = 400;
    half.v.resize(400 * 16);
    const HnswGraph other = build(half, 64, 1);
    EXPECT_EQ(L->add_layer_c(view(encode_layer_c(other, Small::kTag).value())).status(), Status::InvalidManifest);
    // Same slots, other degree bound.
    HnswParams p;
    p.ef_construction = 64;
    p.m0 = 24;
    HnswGraph m24(p);
    F32Space space(s.base);
    std::vector<uint32_t> nodes(s.base.n);
    std::vector<uint64_t> ids(s.base.n);
    std::iota(nodes.begin(), nodes.end(), 0u);
    std::iota(ids.begin(), ids.end(), uint64_t{0});
    m24.insert(nodes, ids, space, 1);
    EXPECT_EQ(L->add_layer_c(view(encode_layer_c(m24, Small::kTag).value())).status(), Status::InvalidManifest);

    // Nothing above changed the view.
    EXPECT_EQ(L->layers(), kLayerA);
    for (uint32_t n = 0; n < s.graph.slots(); ++n)
        ASSERT_FALSE(L->level0_known(n));
}

TEST(IndexLayers, TruncatedPayloadsGiveTypedErrors) {
    const Small &s = Small::get();
    auto L = LayeredHnsw::open(view(s.a));
    ASSERT_TRUE(L.ok());
    const std::vector<uint8_t> *layers[] = {&s.a, &s.b, &s.c};
    for (int lv = 0; lv < 3; ++lv) {
        const auto &p = *layers[lv];
        for (size_t len = 0; len < p.size(); len += (len < 200 || len + 200 > p.size()) ? 1 : 37) {
            const ByteView cut(p.data(), len);
            const Status st = lv == 0 ? LayeredHnsw::open(cut).status()
                                      : (lv == 1 ? L->add_layer_b(cut) : L->add_layer_c(cut)).status();
            ASSERT_NE(st, Status::Ok) << "layer " << lv << " len " << len;
            ASSERT_TRUE(kFormatErrors.count(st)) << core::status_name(st);
        }
    }
    // Cuts that keep a well-formed trailer reach the codec and centroid decoders: the codec
    // part cut short (trailer re-attached), and layer A's centroid lists cut short.
    for (int lv = 0; lv < 3; ++lv) {
        const auto &p = *layers[lv];
        const size_t body = core::load_u32_le(p.data() + p.size() - 8);
        const size_t codec = p.size() - 8 - body;
        std::set<Status> seen;
        for (size_t len = 0; len < codec; len += len < 300 ? 1 : 13) {
            std::vector<uint8_t> b(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(len));
            b.insert(b.end(), p.begin() + static_cast<std::ptrdiff_t>(codec), p.end());
            const Status st = lv == 0 ? LayeredHnsw::open(view(b)).status()
                                      : (lv == 1 ? L->add_layer_b(view(b)) : L->add_layer_c(view(b))).status();
            ASSERT_NE(st, Status::Ok) << "layer " << lv << " codec cut at " << len;
            ASSERT_TRUE(kFormatErrors.count(st)) << core::status_name(st);
            seen.insert(st);
        }
        EXPECT_TRUE(seen.count(Status::TruncatedSegment)) << lv;
    }
    const size_t body = core::load_u32_le(s.a.data() + s.a.size() - 8);
    for (size_t cut = 1; cut + 48 <= body; ++cut) {
        std::vector<uint8_t> b(s.a.begin(), s.a.end() - 8 - static_cast<std::ptrdiff_t>(cut));
        const uint8_t tail[8] = {0, 0, 0, 0, 'R', 'V', 'H', 'L'};
        b.insert(b.end(), tail, tail + 8);
        core::store_u32_le(b.data() + b.size() - 8, static_cast<uint32_t>(body - cut));
        const Status st = LayeredHnsw::open(view(b)).status();
        ASSERT_TRUE(st == Status::TruncatedSegment || st == Status::InvalidManifest) << cut << core::status_name(st);
    }
    EXPECT_EQ(L->layers(), kLayerA);
}

TEST(IndexLayers, MarkerVersionAndReservedFieldsAreChecked) {
    const Small &s = Small::get();
    auto patched = [&](size_t from_end, uint8_t value) {
        std::vector<uint8_t> b = s.a;
        b[b.size() - from_end] = value;
        return LayeredHnsw::open(view(b)).status();
    };
    EXPECT_EQ(patched(1, 'X'), Status::InvalidMagic);
    const size_t body = core::load_u32_le(s.a.data() + s.a.size() - 8);
    const size_t body_at_end = body + 8; // distance from the end to the body start
    EXPECT_EQ(patched(body_at_end, 2), Status::InvalidVersion);          // version
    EXPECT_EQ(patched(body_at_end - 2, 3), Status::InvalidManifest);     // layer 3
    EXPECT_EQ(patched(body_at_end - 3, 1), Status::InvalidManifest);     // flags
    EXPECT_EQ(patched(body_at_end - 6, 1), Status::InvalidManifest);     // reserved
    EXPECT_EQ(patched(body_at_end - 16, 0x77), Status::InvalidManifest); // node_total
    std::vector<uint8_t> extra = s.a;
    extra.insert(extra.end() - 8, 0x00); // a byte after the last centroid list
    core::store_u32_le(extra.data() + extra.size() - 8, static_cast<uint32_t>(body + 1));
    EXPECT_EQ(LayeredHnsw::open(view(extra)).status(), Status::InvalidManifest);
    EXPECT_EQ(read_layer_info(ByteView(s.a.data(), 7)).status(), Status::TruncatedSegment);
}

TEST(IndexLayers, BitFlipsAreRefusedOrSearchSafely) {
    const Small &s = Small::get();
    const std::vector<uint8_t> *layers[] = {&s.a, &s.b, &s.c};
    uint64_t x = 99;
    auto l2 = kernels().l2sq_f32;
    auto dist = [&](uint32_t n) { return l2(s.base.row(n), s.queries.row(0), 16); };
    for (int lv = 0; lv < 3; ++lv) {
        for (int i = 0; i < 150; ++i) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            std::vector<uint8_t> b = *layers[lv];
            const size_t pos = static_cast<size_t>(x >> 33) % b.size();
            b[pos] ^= static_cast<uint8_t>(1u << ((x >> 20) & 7));
            auto L = LayeredHnsw::open(view(lv == 0 ? b : s.a));
            if (L.ok() && lv > 0) {
                auto r = lv == 1 ? L->add_layer_b(view(b)) : L->add_layer_c(view(b));
                if (!r.ok()) {
                    ASSERT_TRUE(kFormatErrors.count(r.status())) << core::status_name(r.status());
                    ASSERT_EQ(L->layers(), kLayerA);
                }
            }
            if (!L.ok()) {
                ASSERT_TRUE(kFormatErrors.count(L.status())) << core::status_name(L.status());
                continue;
            }
            const auto res = L->search_with(dist, LayeredSearchParams{10, 32, 0});
            ASSERT_LE(res.hits.size(), 10u);
            for (size_t j = 0; j < res.hits.size(); ++j) {
                ASSERT_TRUE(L->graph().contains(res.hits[j].second));
                if (j) {
                    ASSERT_LE(res.hits[j - 1].first, res.hits[j].first);
                }
            }
        }
    }
}

TEST(IndexLayers, PartialSearchNeverReturnsSkippedNodes) {
    const Small &s = Small::get();
    auto L = LayeredHnsw::open(view(s.a));
    ASSERT_TRUE(L.ok());
    auto dead = [](uint32_t n) { return n % 3 == 0; };
    for (int stage = 0; stage < 3; ++stage) {
        if (stage == 1) {
            ASSERT_TRUE(L->add_layer_b(view(s.b)).ok());
        }
        if (stage == 2) {
            ASSERT_TRUE(L->add_layer_c(view(s.c)).ok());
        }
        const Results res = layered_search(*L, s.base, s.queries, {10, 32, 0}, nullptr, nullptr, dead);
        for (const auto &row : res) {
            EXPECT_EQ(row.size(), 10u);
            for (const auto &h : row)
                ASSERT_FALSE(dead(h.second)) << "stage " << stage;
        }
    }
}

TEST(IndexLayers, SparseSlotsAndEmptyGraph) {
    const Small &s = Small::get();
    // Only even rows are in the graph: odd slots are absent in every layer.
    const HnswGraph g = build(s.base, 64, 1, 2);
    F32Space space(s.base);
    const auto cents = compute_centroids(g, space, 0, 1);
    auto a = encode_layer_a(g, cents, 3), c = encode_layer_c(g, 3);
    ASSERT_TRUE(a.ok() && c.ok());
    auto L = LayeredHnsw::open(view(*a));
    ASSERT_TRUE(L.ok()) << L.error().to_string();
    const Results partial = layered_search(*L, s.base, s.queries, {10, 32, 0});
    for (const auto &row : partial)
        for (const auto &h : row)
            ASSERT_EQ(h.second % 2, 0u);
    ASSERT_TRUE(L->add_layer_c(view(*c)).ok());
    expect_same_graph(L->graph(), g);

    // An empty graph round-trips and answers nothing.
    const HnswGraph empty;
    auto ea = encode_layer_a(empty, HnswCentroids{}), ec = encode_layer_c(empty);
    ASSERT_TRUE(ea.ok() && ec.ok());
    auto E = LayeredHnsw::open(view(*ea));
    ASSERT_TRUE(E.ok()) << E.error().to_string();
    EXPECT_TRUE(E->search([](uint32_t) { return 0.0f; }, {}).hits.empty());
    ASSERT_TRUE(E->add_layer_c(view(*ec)).ok());
    EXPECT_TRUE(E->search([](uint32_t) { return 0.0f; }, {}).hits.empty());
}

TEST(IndexLayers, EncoderRefusesCentroidsThatDoNotPartition) {
    const Small &s = Small::get();
    HnswCentroids bad = s.centroids;
    bad.members[0].pop_back(); // a node in no list
    EXPECT_EQ(encode_layer_a(s.graph, bad).status(), Status::InvalidArgument);
    bad = s.centroids;
    bad.members[1].push_back(bad.members[0].front()); // a node in two lists (and unsorted)
    EXPECT_EQ(encode_layer_a(s.graph, bad).status(), Status::InvalidArgument);
    bad = s.centroids;
    bad.reps.pop_back();
    EXPECT_EQ(encode_layer_a(s.graph, bad).status(), Status::InvalidArgument);
    bad = s.centroids;
    bad.reps[0] = 5000; // not a node
    EXPECT_EQ(encode_layer_a(s.graph, bad).status(), Status::InvalidArgument);
}

TEST(IndexLayers, CentroidsPartitionAndHotRankingIsDeterministic) {
    const Small &s = Small::get();
    F32Space space(s.base);
    EXPECT_EQ(s.centroids.reps.size(), 28u); // round(√800)
    std::vector<int> owner(s.base.n, -1);
    for (size_t i = 0; i < s.centroids.reps.size(); ++i) {
        EXPECT_TRUE(std::is_sorted(s.centroids.members[i].begin(), s.centroids.members[i].end()));
        for (uint32_t m : s.centroids.members[i]) {
            ASSERT_EQ(owner[m], -1);
            owner[m] = static_cast<int>(i);
        }
    }
    for (size_t i = 0; i < s.centroids.reps.size(); ++i)
        EXPECT_EQ(owner[s.centroids.reps[i]], static_cast<int>(i)); // a centroid owns itself
    // Most nodes sit with their truly nearest centroid (the assignment is approximate).
    size_t exact_owner = 0;
    for (uint32_t n = 0; n < s.base.n; ++n) {
        size_t best = 0;
        for (size_t i = 1; i < s.centroids.reps.size(); ++i)
            if (space.between(n, s.centroids.reps[i]) < space.between(n, s.centroids.reps[best]))
                best = i;
        exact_owner += static_cast<int>(best) == owner[n];
    }
    EXPECT_GE(exact_owner, s.base.n * 95 / 100);

    EXPECT_EQ(s.hot.size(), 100u);
    EXPECT_EQ(std::set<uint32_t>(s.hot.begin(), s.hot.end()).size(), s.hot.size());
    EXPECT_EQ(rank_hot_nodes(s.graph, space, 100, 1), s.hot);
    const auto all = rank_hot_nodes(s.graph, space, 0, 1);
    EXPECT_EQ(all.size(), s.graph.size());
    EXPECT_TRUE(std::equal(s.hot.begin(), s.hot.end(), all.begin()));
    EXPECT_EQ(compute_centroids(s.graph, space, 0, 1).members, s.centroids.members);
}

// warm_query_test.cpp — issue 17: a store queried right after ingest must search the same graph,
// laid out the same way, as the store reopened from its file. The INDEX layers store every
// neighbour list in ascending node order; a graph built in memory used to keep its lists in
// insertion/pruning order, so the writer's beam read rows in a scattered order the reopened store
// did not (~2× slower on the same graph). These tests assert order and counts, never times.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <span>
#include <vector>

#include <rvf/hnsw.hpp>
#include <rvf/index_layers.hpp>
#include <rvf/store.hpp>

#include "support/ann_data.hpp"
#include "support/temp_dir.hpp"

using namespace rvf;
using rvf::test::F32Space;
using rvf::test::Matrix;

namespace {

/// A small seeded mixture: 3,000 rows and 100 queries of dimension 32.
struct Data {
    Matrix base, queries;
    Data() {
        test::MixtureSpec spec;
        spec.n = 3000;
        spec.queries = 100;
        spec.dim = 32;
        spec.clusters = 20;
        test::gaussian_mixture(spec, base, queries);
    }
};
const Data &data() {
    static const Data d;
    return d;
}

/// Insert rows [0, n) in batches of `per` with one thread (deterministic), as a store ingests.
HnswGraph build_incrementally(const Matrix &m, size_t per) {
    F32Space space(m);
    HnswGraph g(HnswParams{.m = 8, .m0 = 16, .ef_construction = 64});
    std::vector<uint32_t> nodes(m.n);
    std::vector<uint64_t> ids(m.n);
    std::iota(nodes.begin(), nodes.end(), 0u);
    std::iota(ids.begin(), ids.end(), uint64_t{0});
    for (size_t at = 0; at < m.n; at += per) {
        const size_t len = std::min(per, m.n - at);
        g.insert(std::span<const uint32_t>(nodes).subspan(at, len), std::span<const uint64_t>(ids).subspan(at, len),
                 space, 1);
    }
    return g;
}

/// The graph as a reader gets it: encoded as layers A/B/C and decoded again.
HnswGraph reload(const HnswGraph &g, const Matrix &m) {
    F32Space space(m);
    const auto a = encode_layer_a(g, compute_centroids(g, space), 7);
    const auto hot = rank_hot_nodes(g, space, g.size() / 8);
    const auto b = encode_layer_b(g, hot, 7);
    const auto c = encode_layer_c(g, 7);
    EXPECT_TRUE(a && b && c);
    auto layered = LayeredHnsw::open(core::ByteView(a->data(), a->size()));
    EXPECT_TRUE(layered);
    EXPECT_TRUE(layered->add_layer_b(core::ByteView(b->data(), b->size())));
    EXPECT_TRUE(layered->add_layer_c(core::ByteView(c->data(), c->size())));
    return std::move(*layered).release_graph();
}

void expect_sorted_lists(const HnswGraph &g) {
    for (uint32_t n = 0; n < g.slots(); ++n)
        for (int l = 0; l <= g.level(n); ++l) {
            const auto nb = g.neighbors(n, l);
            ASSERT_TRUE(std::is_sorted(nb.begin(), nb.end())) << "node " << n << " level " << l;
        }
}

} // namespace

TEST(WarmQuery, IncrementalGraphKeepsEveryListInNodeOrder) {
    const Data &d = data();
    const HnswGraph g = build_incrementally(d.base, 100);
    ASSERT_EQ(g.size(), d.base.n);
    expect_sorted_lists(g);
    // A repair and a renumbering write lists too.
    HnswGraph repaired = build_incrementally(d.base, 3000);
    F32Space space(d.base);
    repaired.repair_reachability(space);
    expect_sorted_lists(repaired);
    std::vector<uint32_t> keep_even(d.base.n, kHnswNone);
    for (uint32_t n = 0; n < d.base.n; n += 2)
        keep_even[n] = n; // same numbers: the space still measures them
    expect_sorted_lists(g.remap(keep_even, &space, 1));
}

TEST(WarmQuery, IncrementalGraphIsTheGraphAReaderLoads) {
    const Data &d = data();
    HnswGraph g = build_incrementally(d.base, 100);
    F32Space space(d.base);
    g.settle(space); // what persisting does first
    const HnswGraph loaded = reload(g, d.base);
    ASSERT_EQ(loaded.size(), g.size());
    ASSERT_EQ(loaded.entry_point(), g.entry_point());
    for (uint32_t n = 0; n < g.slots(); ++n) {
        ASSERT_EQ(loaded.level(n), g.level(n));
        for (int l = 0; l <= g.level(n); ++l) {
            const auto a = g.neighbors(n, l), b = loaded.neighbors(n, l);
            ASSERT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << "node " << n << " level " << l;
        }
    }
    // The same beam: identical hits, distance evaluations and expansions for every query.
    const auto l2 = kernels().l2sq_f32;
    for (size_t q = 0; q < d.queries.n; ++q) {
        auto dist = [&](uint32_t n) { return l2(d.base.row(n), d.queries.row(q), d.base.dim); };
        HnswSearchStats sa, sb;
        const auto ha = g.search_with(dist, 10, 16, hnsw_detail::NoSkip{}, &sa);
        const auto hb = loaded.search_with(dist, 10, 16, hnsw_detail::NoSkip{}, &sb);
        ASSERT_EQ(ha, hb) << "query " << q;
        ASSERT_EQ(sa.distance_evals, sb.distance_evals) << "query " << q;
        ASSERT_EQ(sa.expansions, sb.expansions) << "query " << q;
    }
}

TEST(WarmQuery, WritableStoreAnswersLikeItsReopenedFile) {
    const Data &d = data();
    test::TempDir dir;
    const std::string file = dir.file("warm.rvf");
    auto db = RvfStore::create(file, {.dimension = 32, .metric = Metric::L2, .hnsw_ef_construction = 64, .index_threads = 1});
    ASSERT_TRUE(db) << db.error().to_string();
    for (size_t at = 0; at < d.base.n; at += 250) { // as a user ingests: many batches
        std::vector<uint64_t> ids(250);
        std::iota(ids.begin(), ids.end(), uint64_t{at});
        ASSERT_TRUE(db->ingest_batch(ids, std::span<const float>(d.base.v.data() + at * 32, 250 * 32)));
    }
    ASSERT_TRUE(db->build_index()); // persists the graph the writer searches
    auto ro = RvfStore::open_readonly(file);
    ASSERT_TRUE(ro) << ro.error().to_string();
    for (size_t q = 0; q < d.queries.n; ++q) {
        const std::span<const float> v(d.queries.row(q), 32);
        QueryStats sw, sr;
        const auto hw = db->query(v, 10, {.ef_search = 16, .stats = &sw});
        const auto hr = ro->query(v, 10, {.ef_search = 16, .stats = &sr});
        ASSERT_TRUE(hw && hr);
        ASSERT_FALSE(sw.exact);
        ASSERT_EQ(hw->size(), hr->size());
        for (size_t i = 0; i < hw->size(); ++i) {
            ASSERT_EQ((*hw)[i].id, (*hr)[i].id) << "query " << q;
            ASSERT_EQ((*hw)[i].distance, (*hr)[i].distance) << "query " << q;
        }
        ASSERT_EQ(sw.distance_evals, sr.distance_evals) << "query " << q;
    }
}

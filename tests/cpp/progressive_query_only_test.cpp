// progressive_query_only_test.cpp — a query-only progressive reader (ProgressiveOptions::stream
// = false, issue 17 "no step ever needs the whole file in memory"): after the hotset it fetches
// only the partitions queries name (wanted_for), drops each partition's file bytes once decoded,
// keeps the decoded rows within cache_bytes (least recently used dropped, fetched again when a
// query needs them), never completes, and answers exactly as a streaming reader holding the same
// partitions. Files without a map keep their hotset answers; bad option pairs are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <rvf/progressive.hpp>
#include <rvf/store.hpp>

#include "support/ann_data.hpp"

using namespace rvf;

namespace {

using Bytes = std::vector<uint8_t>;
constexpr size_t kN = 12000, kDim = 16;

struct Data {
    test::Matrix base, queries;
};
const Data &data() {
    static const Data d = [] {
        test::MixtureSpec spec;
        spec.n = kN;
        spec.queries = 40;
        spec.dim = kDim;
        spec.seed = 23;
        Data x;
        test::gaussian_mixture(spec, x.base, x.queries);
        return x;
    }();
    return d;
}
std::span<const float> query(size_t i) { return {data().queries.row(i), kDim}; }

/// ids 1..kN, indexed, compacted; with a partition map when `partitioned`.
Bytes make_file(bool partitioned) {
    StoreOptions o;
    o.dimension = kDim;
    o.hnsw_m = 8;
    o.hnsw_ef_construction = 32;
    o.index_threads = 1;
    o.partition_on_compact = partitioned;
    auto db = RvfStore::create_in_memory(o);
    EXPECT_TRUE(db.ok());
    std::vector<uint64_t> ids(kN);
    for (size_t i = 0; i < kN; ++i)
        ids[i] = i + 1;
    EXPECT_TRUE(db->ingest_batch(ids, std::span<const float>(data().base.row(0), kN * kDim)).ok());
    EXPECT_TRUE(db->build_index().ok());
    EXPECT_TRUE(db->compact().ok());
    return db->to_bytes();
}
const Bytes &partitioned_file() {
    static const Bytes f = make_file(true);
    return f;
}

void supply(ProgressiveStore &p, const Bytes &f, const std::vector<ByteRange> &ranges) {
    for (const ByteRange &r : ranges)
        ASSERT_TRUE(p.supply(r.offset, std::span<const uint8_t>(f.data() + r.offset, r.length)).ok());
}

/// A reader past its hotset: the tail and wanted() until queryable.
ProgressiveStore opened(const Bytes &f, const ProgressiveOptions &o) {
    auto p = ProgressiveStore::begin(f.size(), o);
    EXPECT_TRUE(p.ok()) << p.error().to_string();
    while (!p->queryable()) {
        const auto w = p->wanted();
        if (w.empty())
            break;
        supply(*p, f, w);
    }
    EXPECT_TRUE(p->queryable());
    return std::move(*p);
}

/// Fetch the nprobe partitions for query q; returns the bytes fetched.
uint64_t prepare(ProgressiveStore &p, const Bytes &f, size_t q, size_t nprobe) {
    auto w = p.wanted_for(query(q), nprobe);
    EXPECT_TRUE(w.ok()) << w.error().to_string();
    uint64_t n = 0;
    for (const ByteRange &r : *w)
        n += r.length;
    supply(p, f, *w);
    return n;
}

} // namespace

TEST(ProgressiveQueryOnly, FetchesOnlyWhatQueriesNameAndAnswersAsAStreamingReader) {
    const Bytes &f = partitioned_file();
    ProgressiveStore only = opened(f, {.stream = false});
    ASSERT_TRUE(only.partitioned());
    EXPECT_TRUE(only.wanted().empty()) << "a query-only reader streams nothing after the hotset";
    ProgressiveStore streaming = opened(f, {});
    EXPECT_FALSE(streaming.wanted().empty());
    for (size_t q = 0; q < data().queries.n; ++q) {
        prepare(only, f, q, 3);
        prepare(streaming, f, q, 3);
        auto a = only.query(query(q), 10);
        auto b = streaming.query(query(q), 10);
        ASSERT_TRUE(a.ok() && b.ok());
        ASSERT_EQ(a->size(), 10u);
        EXPECT_EQ(*a, *b) << "query " << q;
    }
    EXPECT_TRUE(only.wanted().empty());
    EXPECT_FALSE(only.complete());
    // The partitions' file bytes were dropped once decoded: what is held is the tail, the
    // manifest, the map and the decoded rows — not the fetched partition segments as well.
    EXPECT_LT(only.bytes_held(), streaming.bytes_held());
    EXPECT_GT(only.bytes_supplied(), 0u);
}

TEST(ProgressiveQueryOnly, CacheBoundEvictsLeastRecentlyUsedAndFetchesThemAgain) {
    const Bytes &f = partitioned_file();
    // One partition holds about kN / √kN ≈ 110 rows × (16 f32 + 8-byte id) ≈ 9.6 KB: a bound of
    // 40 KB keeps about four of them.
    constexpr uint64_t kCap = 40000;
    ProgressiveStore p = opened(f, {.stream = false, .cache_bytes = kCap});
    const uint64_t base_held = p.bytes_held(); // tail, manifest, map: not partitions
    std::vector<std::vector<Neighbor>> first(data().queries.n);
    for (size_t q = 0; q < data().queries.n; ++q) {
        prepare(p, f, q, 1);
        auto a = p.query(query(q), 10);
        ASSERT_TRUE(a.ok());
        first[q] = *a;
        EXPECT_LE(p.bytes_held() - base_held, kCap) << "query " << q;
    }
    // Query 0's partition was evicted long ago (40 queries over ~110 partitions): it is named
    // again, fetched again, and answers the same.
    const uint64_t refetched = prepare(p, f, 0, 1);
    EXPECT_GT(refetched, 0u);
    auto again = p.query(query(0), 10);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, first[0]);
    EXPECT_EQ(prepare(p, f, 0, 1), 0u) << "held now";
}

TEST(ProgressiveQueryOnly, TheLatestQuerysPartitionsAreKeptEvenAboveTheBound) {
    const Bytes &f = partitioned_file();
    ProgressiveStore p = opened(f, {.stream = false, .cache_bytes = 1}); // below one partition
    prepare(p, f, 5, 4);
    EXPECT_TRUE(p.wanted_for(query(5), 4)->empty()) << "all four named partitions stay held";
    auto a = p.query(query(5), 10);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->size(), 10u);
    prepare(p, f, 6, 4); // the next query's set replaces them
    EXPECT_TRUE(p.wanted_for(query(6), 4)->empty());
}

TEST(ProgressiveQueryOnly, AFileWithoutAMapKeepsItsHotsetAnswers) {
    const Bytes f = make_file(false);
    ProgressiveStore p = opened(f, {.stream = false});
    EXPECT_FALSE(p.partitioned());
    EXPECT_TRUE(p.wanted().empty());
    auto w = p.wanted_for(query(0), 4);
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.status(), Status::UnsupportedLayout);
    auto a = p.query(query(0), 10); // layer A + routing codes
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->size(), 10u);
    EXPECT_FALSE(p.complete());
}

TEST(ProgressiveQueryOnly, ACacheBoundOnAStreamingReaderIsRefused) {
    auto p = ProgressiveStore::begin(1 << 20, {.stream = true, .cache_bytes = 1 << 20});
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status(), Status::InvalidArgument);
    EXPECT_NE(p.error().message.find("stream = false"), std::string::npos);
}

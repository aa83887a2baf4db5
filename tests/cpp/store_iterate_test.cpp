// RvfStore::ids_after (paging over every live row in id order) and the query rules that
// iteration-style callers rely on: a filter on a field no row has matches nothing, and k = 0
// is an empty answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <rvf/store.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

StoreOptions opts(uint16_t dim) {
    StoreOptions o;
    o.dimension = dim;
    o.index_threads = 1;
    return o;
}

std::vector<float> rows_for(size_t n, size_t dim, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> v(n * dim);
    for (float &x : v)
        x = u(rng);
    return v;
}

// Every live id, by pages of `limit`.
std::vector<uint64_t> walk(const RvfStore &s, size_t limit) {
    std::vector<uint64_t> all;
    std::optional<uint64_t> after;
    for (;;) {
        auto page = s.ids_after(after, limit);
        EXPECT_TRUE(page) << page.error().to_string();
        if (!page || page->empty())
            return all;
        EXPECT_LE(page->size(), limit);
        all.insert(all.end(), page->begin(), page->end());
        after = page->back();
    }
}

} // namespace

TEST(StoreIterate, PagesEveryLiveIdInAscendingOrder) {
    test::TempDir t;
    const std::string path = t.file("iter.rvf");
    const size_t dim = 4;
    // Ids in shuffled order, spread over the whole u64 range (0 and the maximum included).
    std::vector<uint64_t> ids = {0, std::numeric_limits<uint64_t>::max(), uint64_t{1} << 63};
    std::mt19937_64 rng(7);
    while (ids.size() < 2500)
        ids.push_back(rng() >> (rng() % 64));
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::shuffle(ids.begin(), ids.end(), rng);
    std::set<uint64_t> want(ids.begin(), ids.end());
    {
        auto s = RvfStore::create(path, opts(dim));
        ASSERT_TRUE(s) << s.error().to_string();
        const auto rows = rows_for(ids.size(), dim, 3);
        ASSERT_TRUE(s->ingest_batch(ids, rows));
        // (the largest size_t: 2^64 − 1 natively, 2^32 − 1 in the wasm32 build)
        for (size_t limit : {size_t{1}, size_t{7}, size_t{1000}, std::numeric_limits<size_t>::max()})
            EXPECT_EQ(walk(*s, limit), std::vector<uint64_t>(want.begin(), want.end())) << "limit " << limit;

        // Deletes leave the walk at once (a new snapshot for the new table state).
        std::vector<uint64_t> gone(ids.begin(), ids.begin() + 100);
        ASSERT_TRUE(s->remove(gone));
        for (uint64_t id : gone)
            want.erase(id);
        EXPECT_EQ(walk(*s, 333), std::vector<uint64_t>(want.begin(), want.end()));
        ASSERT_TRUE(s->compact());
        EXPECT_EQ(walk(*s, 333), std::vector<uint64_t>(want.begin(), want.end()));
        ASSERT_TRUE(s->close());
    }
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(walk(*r, 500), std::vector<uint64_t>(want.begin(), want.end()));

    // Edges: limit 0, a cursor past the largest id, a cursor between ids.
    auto none = r->ids_after(std::nullopt, 0);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    auto past = r->ids_after(std::numeric_limits<uint64_t>::max(), 10);
    ASSERT_TRUE(past);
    EXPECT_TRUE(past->empty());
    const uint64_t mid = *std::next(want.begin(), 10);
    auto from_mid = r->ids_after(mid - 1, 2); // mid - 1 is not necessarily an id: the next ids ≥ mid
    ASSERT_TRUE(from_mid);
    ASSERT_EQ(from_mid->size(), 2u);
    EXPECT_EQ((*from_mid)[0], mid);
}

TEST(StoreIterate, RowsCommittedBetweenPagesAppearAboveTheCursor) {
    auto s = RvfStore::create_in_memory(opts(2));
    ASSERT_TRUE(s) << s.error().to_string();
    auto empty = s->ids_after(std::nullopt, 5);
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
    const std::vector<uint64_t> first = {10, 20, 30, 40};
    ASSERT_TRUE(s->ingest_batch(first, rows_for(4, 2, 1)));
    auto p1 = s->ids_after(std::nullopt, 2);
    ASSERT_TRUE(p1);
    EXPECT_EQ(*p1, (std::vector<uint64_t>{10, 20}));
    // Between pages: one id below the cursor (not revisited), one above (seen), one deleted.
    const std::vector<uint64_t> more = {5, 35};
    ASSERT_TRUE(s->ingest_batch(more, rows_for(2, 2, 2)));
    const std::vector<uint64_t> del = {30};
    ASSERT_TRUE(s->remove(del));
    auto p2 = s->ids_after(p1->back(), 10);
    ASSERT_TRUE(p2);
    EXPECT_EQ(*p2, (std::vector<uint64_t>{35, 40}));
}

TEST(StoreIterate, ConcurrentReadersShareOneSnapshot) {
#ifdef __EMSCRIPTEN__
    GTEST_SKIP() << "the wasm build has no threads";
#endif
    auto s = RvfStore::create_in_memory(opts(2));
    ASSERT_TRUE(s);
    std::vector<uint64_t> ids(5000);
    for (size_t i = 0; i < ids.size(); ++i)
        ids[i] = (i * 7919) % 100003; // distinct, not in order
    ASSERT_TRUE(s->ingest_batch(ids, rows_for(ids.size(), 2, 9)));
    std::sort(ids.begin(), ids.end());
    std::vector<std::vector<uint64_t>> got(4);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < got.size(); ++i)
        threads.emplace_back([&, i] { got[i] = walk(*s, 97 + i); });
    for (auto &th : threads)
        th.join();
    for (const auto &g : got)
        EXPECT_EQ(g, ids);
}

TEST(StoreIterate, FiltersOnAFieldNoRowHasMatchNothing) {
    test::TempDir t;
    auto s = RvfStore::create(t.file("f.rvf"), opts(2));
    ASSERT_TRUE(s);
    const std::vector<uint64_t> ids = {1, 2, 3};
    std::vector<std::vector<MetadataEntry>> meta = {{{1, MetadataValue::u64(1)}}, {{1, MetadataValue::u64(2)}}, {}};
    ASSERT_TRUE(s->ingest_batch(ids, rows_for(3, 2, 4), meta));
    const std::vector<float> q = {0, 0};
    // "delete rows older than X" on a field nothing has (any more): nothing matches, no error.
    const FilterExpr old = FilterExpr::lt(9, MetadataValue::u64(100));
    auto d = s->remove_by_filter(old);
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ(d->deleted, 0u);
    QueryOptions qo;
    qo.filter = &old;
    auto hits = s->query(q, 10, qo);
    ASSERT_TRUE(hits) << hits.error().to_string();
    EXPECT_TRUE(hits->empty());
    // ne on a missing field holds (spec §5.1), as for a field some rows lack.
    const FilterExpr ne = FilterExpr::ne(9, MetadataValue::u64(1));
    qo.filter = &ne;
    hits = s->query(q, 10, qo);
    ASSERT_TRUE(hits);
    EXPECT_EQ(hits->size(), 3u);
    // The same holds on an empty store, which has no metadata rows at all.
    auto e = RvfStore::create_in_memory(opts(2));
    ASSERT_TRUE(e);
    qo.filter = &old;
    hits = e->query(q, 10, qo);
    ASSERT_TRUE(hits);
    EXPECT_TRUE(hits->empty());
    // k = 0 is an empty answer, filtered or not.
    hits = s->query(q, 0, qo);
    ASSERT_TRUE(hits);
    EXPECT_TRUE(hits->empty());
}

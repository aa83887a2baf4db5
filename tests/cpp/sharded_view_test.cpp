// The fan-out reader's rules as plain functions (rvf/sharded_view.hpp, issue 21): a root's bytes
// decode to the shard list the collection wrote, names resolve against a URL or a directory,
// a shard's tail is judged exactly as ShardedCollection judges the opened file (current, stale,
// another file, an older copy), lower bounds never exceed a true distance, and the merge gives
// the exact top-k in (distance, id) order.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <rvf/sharded.hpp>
#include <rvf/sharded_view.hpp>
#include <rvf/store.hpp>

#include "support/ann_data.hpp"
#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

std::vector<uint8_t> read_all(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::span<const uint8_t> last(const std::vector<uint8_t> &b, size_t n) {
    n = std::min(n, b.size());
    return std::span(b).subspan(b.size() - n);
}

struct Built {
    std::string root;
    std::vector<std::string> shard_paths;
    test::Matrix base, queries;
};

Built build(const test::TempDir &dir, uint16_t shards, size_t n) {
    Built b;
    b.root = dir.file("c.rvf");
    test::gaussian_mixture({.n = n, .queries = 10, .dim = 8, .clusters = 6, .seed = 21}, b.base, b.queries);
    std::vector<uint64_t> ids(n);
    for (size_t i = 0; i < n; ++i)
        ids[i] = i + 1;
    StoreOptions so;
    so.dimension = 8;
    so.index_threads = 1;
    auto c = ShardedCollection::create(b.root, {.shards = shards, .store = so});
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE(c->ingest_batch(ids, b.base.v).ok());
    for (const auto &s : c->status().shards)
        b.shard_paths.push_back(s.path);
    EXPECT_TRUE(c->close().ok());
    return b;
}

} // namespace

TEST(ShardedView, RootBytesDecodeToTheShardListWithResolvedLocations) {
    test::TempDir dir("rvf-shardview");
    const Built b = build(dir, 3, 600);
    const auto bytes = read_all(b.root);
    auto v = ShardRootView::from_bytes(bytes, "http://127.0.0.1:8080/data/c.rvf?x=1");
    ASSERT_TRUE(v.ok()) << v.error().to_string();
    EXPECT_EQ(v->dimension, 8);
    EXPECT_TRUE(v->bounds_exact());
    ASSERT_EQ(v->shards.size(), 3u);
    uint64_t rows = 0;
    for (size_t i = 0; i < 3; ++i) {
        const ShardRecord &s = v->shards[i];
        EXPECT_EQ(s.shard_id, i + 1);
        EXPECT_EQ(s.location, "http://127.0.0.1:8080/data/" + s.name);
        EXPECT_EQ(s.file_size, std::filesystem::file_size(b.shard_paths[i]));
        EXPECT_EQ(s.radii.size() * 8, s.centroids.size());
        rows += s.live_rows;
    }
    EXPECT_EQ(rows, 600u);
    auto local = ShardRootView::from_bytes(bytes, b.root);
    ASSERT_TRUE(local.ok());
    EXPECT_EQ(local->shards[0].location, b.shard_paths[0]);

    // A store's bytes are not a root; a damaged root is a typed error.
    auto store = RvfStore::open_readonly(b.shard_paths[0]);
    ASSERT_TRUE(store.ok());
    EXPECT_EQ(ShardRootView::from_bytes(read_all(b.shard_paths[0]), "x").status(), Status::UnsupportedLayout);
    auto bad = bytes;
    bad[bad.size() - 100] ^= 1;
    EXPECT_FALSE(ShardRootView::from_bytes(bad, "x").ok());
}

TEST(ShardedView, LocationsResolveAgainstUrlsAndDirectories) {
    EXPECT_EQ(resolve_shard_location("https://cdn.example/a/b/root.rvf", "root.rvf.shards/0001.rvf"),
              "https://cdn.example/a/b/root.rvf.shards/0001.rvf");
    EXPECT_EQ(resolve_shard_location("http://h:1/root.rvf#frag", "s/1.rvf"), "http://h:1/s/1.rvf");
    EXPECT_EQ(resolve_shard_location("http://h:1", "s.rvf"), "http://h:1/s.rvf");
    EXPECT_EQ(resolve_shard_location("http://h/root.rvf", "https://other/x.rvf"), "https://other/x.rvf");
    EXPECT_EQ(resolve_shard_location("/data/root.rvf", "root.rvf.shards/0002.rvf"), "/data/root.rvf.shards/0002.rvf");
}

TEST(ShardedView, ATailIsJudgedAsTheCollectionJudgesTheFile) {
    test::TempDir dir("rvf-shardview");
    const Built b = build(dir, 2, 400);
    auto v = ShardRootView::from_bytes(read_all(b.root), b.root);
    ASSERT_TRUE(v.ok());
    const ShardRecord &s1 = v->shards[0];
    const auto f1 = read_all(b.shard_paths[0]);
    // The last 4,096 bytes prove an unchanged shard by their hash alone.
    auto same = check_shard_tail(s1, f1.size(), last(f1, 4096), "shard 1", b.shard_paths[0]);
    ASSERT_TRUE(same.ok()) << same.error().to_string();
    EXPECT_EQ(*same, ShardState::Current);
    // Too little of the tail is an argument error, not a guess.
    EXPECT_EQ(check_shard_tail(s1, f1.size(), last(f1, 100), "shard 1", "x").status(), Status::InvalidArgument);

    // A changed tail needs the Level-0 root, which ends up to 63 bytes before EOF (segment
    // padding): readers fetch kShardTailBytes.
    // Shard 2's file where shard 1 should be: another file id.
    const auto f2 = read_all(b.shard_paths[1]);
    auto other = check_shard_tail(s1, f2.size(), last(f2, kShardTailBytes), "shard 1 (a)", "x");
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.status(), Status::InvalidManifest);
    EXPECT_NE(other.error().message.find("shard 1 (a): the file there is not the shard"), std::string::npos);

    // Written after the root: stale, still used.
    {
        auto st = RvfStore::open(b.shard_paths[0]);
        ASSERT_TRUE(st.ok());
        const uint64_t id = 100000;
        const std::vector<float> row(8, 3.0f);
        ASSERT_TRUE(st->ingest_batch(std::span(&id, 1), row).ok());
        ASSERT_TRUE(st->close().ok());
    }
    const auto f1b = read_all(b.shard_paths[0]);
    auto stale = check_shard_tail(s1, f1b.size(), last(f1b, kShardTailBytes), "shard 1", "x");
    ASSERT_TRUE(stale.ok()) << stale.error().to_string();
    EXPECT_EQ(*stale, ShardState::Stale);

    // An older copy: the record says a later epoch than the file holds.
    ShardRecord newer = s1;
    newer.epoch = 1000;
    auto old = check_shard_tail(newer, f1b.size(), last(f1b, kShardTailBytes), "shard 1", "x");
    EXPECT_EQ(old.status(), Status::ManifestNotFound);

    // A tail that differs and holds no Level-0 root cannot be judged: NotReady, not "ok".
    std::vector<uint8_t> junk(4096, 0x5A);
    EXPECT_EQ(check_shard_tail(s1, 9000, junk, "shard 1", "x").status(), Status::NotReady);

    // The observation form with a damaged newest commit.
    ShardObservation seen;
    seen.file_size = s1.file_size;
    std::copy(std::begin(s1.tail_hash), std::end(s1.tail_hash), seen.tail_hash);
    seen.identity_known = true;
    std::copy(std::begin(s1.file_id), std::end(s1.file_id), seen.file_id);
    seen.epoch = s1.epoch;
    EXPECT_EQ(*check_shard(s1, seen, "shard 1", "x"), ShardState::Current);
    seen.damaged_commit = Problem{.offset = 64, .status = Status::InvalidChecksum, .what = "segment hash"};
    EXPECT_EQ(check_shard(s1, seen, "shard 1", "x").status(), Status::InvalidChecksum);
}

TEST(ShardedView, LowerBoundsNeverExceedTrueDistancesAndMergeIsExact) {
    test::TempDir dir("rvf-shardview");
    const Built b = build(dir, 4, 2000);
    auto v = ShardRootView::from_bytes(read_all(b.root), b.root);
    ASSERT_TRUE(v.ok());
    std::vector<RvfStore> stores;
    for (const auto &p : b.shard_paths)
        stores.push_back(std::move(*RvfStore::open_readonly(p)));
    EXPECT_EQ(v->lower_bounds(std::vector<float>(3, 0.0f)).status(), Status::DimensionMismatch);
    for (size_t q = 0; q < b.queries.n; ++q) {
        const std::span<const float> qv(b.queries.row(q), 8);
        auto lb = v->lower_bounds(qv);
        ASSERT_TRUE(lb.ok());
        std::vector<Neighbor> best, all;
        for (size_t s = 0; s < stores.size(); ++s) {
            auto r = stores[s].query(qv, 10, {.exact = true});
            ASSERT_TRUE(r.ok());
            for (const Neighbor &n : *r) // every row's distance is at least its shard's bound
                EXPECT_LE((*lb)[s], n.distance);
            merge_neighbors(best, *r, 10);
            all.insert(all.end(), r->begin(), r->end());
        }
        finish_top_k(best);
        std::sort(all.begin(), all.end(), neighbor_before);
        all.resize(10);
        EXPECT_EQ(best, all) << "query " << q;
        EXPECT_TRUE(std::is_sorted(best.begin(), best.end(), neighbor_before));
    }
    EXPECT_FALSE(shard_bound_exceeds(1.0f, 1.0f));
    EXPECT_TRUE(shard_bound_exceeds(2.0f, 1.0f));
    std::vector<Neighbor> none;
    merge_neighbors(none, std::vector<Neighbor>{{1, 0.5f}}, 0);
    EXPECT_TRUE(none.empty());
}

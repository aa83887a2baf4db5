// Sharded collections (rvf/sharded.hpp, issue 21): a root listing shard stores, routed writes,
// fan-out queries equal to one store's exact answer, pruning by shard summaries that never
// drops a true neighbour, and shards that are missing, damaged, replaced or changed behind the
// root's back — each reported by shard, never a silently wrong answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include <rvf/sharded.hpp>
#include <rvf/store.hpp>

#include "support/ann_data.hpp"
#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

struct Data {
    test::Matrix base, queries;
    std::vector<uint64_t> ids;
};

Data mixture(size_t n, size_t dim, uint32_t seed) {
    Data d;
    test::gaussian_mixture({.n = n, .queries = 20, .dim = dim, .clusters = 12, .seed = seed}, d.base, d.queries);
    for (size_t i = 0; i < n; ++i)
        d.ids.push_back(1000 + i * 7);
    return d;
}

StoreOptions store_options(uint16_t dim) {
    StoreOptions o;
    o.dimension = dim;
    o.index_threads = 1;
    return o;
}

std::span<const float> row(const test::Matrix &m, size_t i) { return {m.row(i), m.dim}; }

/// One store with every row: the answer a sharded collection must equal.
RvfStore single(const Data &d) {
    auto s = RvfStore::create_in_memory(store_options(static_cast<uint16_t>(d.base.dim)));
    EXPECT_TRUE(s.ok());
    EXPECT_TRUE(s->ingest_batch(d.ids, d.base.v).ok());
    return std::move(*s);
}

std::vector<uint64_t> ids_of(const std::vector<Neighbor> &v) {
    std::vector<uint64_t> out;
    for (const auto &n : v)
        out.push_back(n.id);
    return out;
}

void ingest_in_batches(ShardedCollection &c, const Data &d, size_t batch) {
    for (size_t at = 0; at < d.ids.size(); at += batch) {
        const size_t n = std::min(batch, d.ids.size() - at);
        auto r = c.ingest_batch(std::span(d.ids).subspan(at, n),
                                std::span<const float>(d.base.row(at), n * d.base.dim));
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        EXPECT_EQ(r->accepted, n);
    }
}

void flip_byte(const std::string &path, uint64_t from_end) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(0, std::ios::end);
    const auto size = static_cast<uint64_t>(f.tellg());
    f.seekg(static_cast<std::streamoff>(size - from_end));
    char c;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x40);
    f.seekp(static_cast<std::streamoff>(size - from_end));
    f.write(&c, 1);
}

} // namespace

TEST(Sharded, FanOutEqualsOneStoreExactlyAndReopens) {
    test::TempDir dir("rvf-shard");
    const Data d = mixture(3000, 16, 5);
    const RvfStore one = single(d);
    const std::string root = dir.file("c.rvf");
    {
        auto c = ShardedCollection::create(root, {.shards = 4, .store = store_options(16)});
        ASSERT_TRUE(c.ok()) << c.error().to_string();
        ingest_in_batches(*c, d, 700);
        const ShardedStatus st = c->status();
        EXPECT_EQ(st.total_vectors, 3000u);
        ASSERT_EQ(st.shards.size(), 4u);
        for (const auto &s : st.shards) { // id hash spreads rows over every shard
            EXPECT_GT(s.live_rows, 500u) << s.name;
            EXPECT_TRUE(std::filesystem::exists(s.path)) << s.path;
        }
        ASSERT_TRUE(c->close().ok());
    }
    auto c = ShardedCollection::open_readonly(root);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    EXPECT_EQ(c->status().total_vectors, 3000u);
    double hits = 0;
    for (size_t q = 0; q < d.queries.n; ++q) {
        auto want = one.query(row(d.queries, q), 10, {.exact = true});
        auto exact = c->query(row(d.queries, q), 10, {.exact = true});
        ASSERT_TRUE(exact.ok()) << exact.error().to_string();
        EXPECT_FALSE(exact->partial());
        EXPECT_EQ(exact->neighbors, *want) << "query " << q; // ids and distances, in order
        auto approx = c->query(row(d.queries, q), 10);
        ASSERT_TRUE(approx.ok());
        const auto got = ids_of(approx->neighbors);
        for (uint64_t id : ids_of(*want))
            hits += static_cast<double>(std::count(got.begin(), got.end(), id));
    }
    EXPECT_GE(hits / (10.0 * static_cast<double>(d.queries.n)), 0.95);
}

TEST(Sharded, TheRootIsRefusedAsAStoreWithWhatToDo) {
    test::TempDir dir("rvf-shard");
    const std::string root = dir.file("c.rvf");
    {
        auto c = ShardedCollection::create(root, {.shards = 2, .store = store_options(4)});
        ASSERT_TRUE(c.ok());
    }
    for (bool writable : {false, true}) {
        auto r = writable ? RvfStore::open(root) : RvfStore::open_readonly(root);
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.status(), Status::UnsupportedLayout);
        EXPECT_NE(r.error().message.find("ShardedCollection"), std::string::npos) << r.error().message;
    }
    // ...and a store is refused as a root.
    const std::string plain = dir.file("plain.rvf");
    ASSERT_TRUE(RvfStore::create(plain, store_options(4)).ok());
    auto r = ShardedCollection::open_readonly(plain);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::UnsupportedLayout);
}

TEST(Sharded, OptionsItCannotHonourAreRefused) {
    test::TempDir dir("rvf-shard");
    EXPECT_EQ(ShardedCollection::create(dir.file("a.rvf"), {.shards = 0, .store = store_options(4)}).status(),
              Status::InvalidOptions);
    EXPECT_EQ(ShardedCollection::create(dir.file("b.rvf"), {.shards = 4097, .store = store_options(4)}).status(),
              Status::InvalidOptions);
    EXPECT_EQ(ShardedCollection::create(dir.file("c.rvf"), {.shards = 2, .store = store_options(0)}).status(),
              Status::InvalidOptions);
    auto by_centroid = ShardedCollection::create(
        dir.file("d.rvf"), {.shards = 2, .store = store_options(4), .routing = core::ShardRouting::Centroid});
    EXPECT_EQ(by_centroid.status(), Status::InvalidOptions);
    EXPECT_NE(by_centroid.error().message.find("split"), std::string::npos);
    // A second writer is refused by the root's lock.
    auto first = ShardedCollection::create(dir.file("e.rvf"), {.shards = 2, .store = store_options(4)});
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(ShardedCollection::open(dir.file("e.rvf")).status(), Status::LockHeld);
}

TEST(Sharded, AFailedCreateRemovesWhatItMadeAndNothingElse) {
    test::TempDir dir("rvf-shard");
    const std::string root = dir.file("c.rvf");
    std::filesystem::create_directory(root + ".shards");
    const std::string theirs = root + ".shards/0002.rvf";
    std::ofstream(theirs) << "not ours";
    auto c = ShardedCollection::create(root, {.shards = 3, .store = store_options(4)});
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find("shard 2"), std::string::npos) << c.error().message;
    EXPECT_FALSE(std::filesystem::exists(root));
    EXPECT_FALSE(std::filesystem::exists(root + ".shards/0001.rvf"));
    EXPECT_TRUE(std::filesystem::exists(theirs)); // a file that was there before is left alone
    std::filesystem::remove(theirs);
    EXPECT_TRUE(ShardedCollection::create(root, {.shards = 3, .store = store_options(4)}).ok()); // a retry works
}

TEST(Sharded, DeletesRouteByIdAndDisappearFromAnswers) {
    test::TempDir dir("rvf-shard");
    const Data d = mixture(800, 8, 6);
    auto c = ShardedCollection::create(dir.file("c.rvf"), {.shards = 3, .store = store_options(8)});
    ASSERT_TRUE(c.ok());
    ingest_in_batches(*c, d, 800);
    auto before = c->query(row(d.queries, 0), 5, {.exact = true});
    ASSERT_TRUE(before.ok());
    const auto gone = ids_of(before->neighbors);
    auto del = c->remove(gone);
    ASSERT_TRUE(del.ok());
    EXPECT_EQ(del->deleted, gone.size());
    EXPECT_EQ(c->status().total_vectors, 800u - gone.size());
    auto after = c->query(row(d.queries, 0), 5, {.exact = true});
    ASSERT_TRUE(after.ok());
    for (uint64_t id : ids_of(after->neighbors))
        EXPECT_EQ(std::count(gone.begin(), gone.end(), id), 0);
}

TEST(Sharded, SplitByCentroidPrunesShardsAndStaysExact) {
    test::TempDir dir("rvf-shard");
    const Data d = mixture(4000, 16, 7);
    const RvfStore one = single(d);
    auto c = ShardedCollection::split(one, dir.file("c.rvf"),
                                      {.shards = 8, .store = {}, .routing = core::ShardRouting::Centroid, .summary_centroids = 8});
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    EXPECT_EQ(c->status().total_vectors, 4000u);
    EXPECT_EQ(c->status().routing, core::ShardRouting::Centroid);
    ASSERT_TRUE(c->close().ok());
    auto r = ShardedCollection::open_readonly(dir.file("c.rvf"));
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    size_t skipped = 0;
    for (size_t q = 0; q < d.queries.n; ++q) {
        auto want = one.query(row(d.queries, q), 10, {.exact = true});
        auto got = r->query(row(d.queries, q), 10, {.exact = true});
        ASSERT_TRUE(got.ok());
        EXPECT_EQ(got->neighbors, *want) << "query " << q;
        skipped += got->shards_skipped;
        EXPECT_EQ(got->shards_queried + got->shards_skipped, 8);
    }
    // Clustered data split by centroid: most queries need few of the 8 shards.
    EXPECT_GT(skipped, d.queries.n * 3);
    // max_shards: only the nearest shards are asked (approximate, counted).
    auto one_shard = r->query(row(d.queries, 0), 10, {.exact = true}, {.max_shards = 1});
    ASSERT_TRUE(one_shard.ok());
    EXPECT_EQ(one_shard->shards_queried, 1);
    EXPECT_EQ(one_shard->shards_skipped, 7);
}

TEST(Sharded, AMissingShardGivesAPartialAnswerNamingIt) {
    test::TempDir dir("rvf-shard");
    const Data d = mixture(1200, 8, 8);
    const std::string root = dir.file("c.rvf");
    std::string victim;
    {
        auto c = ShardedCollection::create(root, {.shards = 3, .store = store_options(8)});
        ASSERT_TRUE(c.ok());
        ingest_in_batches(*c, d, 1200);
        victim = c->status().shards[1].path;
        ASSERT_TRUE(c->close().ok());
    }
    std::filesystem::remove(victim);
    auto c = ShardedCollection::open_readonly(root);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    auto got = c->query(row(d.queries, 0), 10, {.exact = true});
    ASSERT_TRUE(got.ok());
    ASSERT_TRUE(got->partial());
    ASSERT_EQ(got->failed.size(), 1u);
    EXPECT_EQ(got->failed[0].shard_id, 2);
    EXPECT_EQ(got->failed[0].error.status, Status::ManifestNotFound);
    EXPECT_NE(got->failed[0].error.message.find("shard 2"), std::string::npos);
    // The rows it does return are the exact answer over the shards that answered.
    for (const auto &n : got->neighbors)
        EXPECT_NE(ShardedCollection::shard_of_id(n.id, 3), 2);
    auto strict = c->query(row(d.queries, 0), 10, {}, {.require_all = true});
    EXPECT_EQ(strict.status(), Status::ManifestNotFound);
    // A writer refuses to go on without the shard.
    EXPECT_EQ(ShardedCollection::open(root).status(), Status::ManifestNotFound);
}

TEST(Sharded, DamagedOrReplacedShardsAreReportedNotUsed) {
    test::TempDir dir("rvf-shard");
    const Data d = mixture(900, 8, 9);
    const std::string root = dir.file("c.rvf");
    std::vector<std::string> paths;
    {
        auto c = ShardedCollection::create(root, {.shards = 3, .store = store_options(8)});
        ASSERT_TRUE(c.ok());
        ingest_in_batches(*c, d, 900);
        for (const auto &s : c->status().shards)
            paths.push_back(s.path);
        ASSERT_TRUE(c->close().ok());
    }
    flip_byte(paths[0], 100);                                                           // inside its last manifest root
    std::filesystem::copy_file(paths[2], paths[1], std::filesystem::copy_options::overwrite_existing); // shard 3 posing as 2
    auto c = ShardedCollection::open_readonly(root);
    ASSERT_TRUE(c.ok());
    auto got = c->query(row(d.queries, 0), 10, {.exact = true});
    ASSERT_TRUE(got.ok());
    std::set<uint16_t> failed;
    for (const auto &f : got->failed) {
        failed.insert(f.shard_id);
        EXPECT_NE(f.error.status, Status::Ok);
    }
    EXPECT_EQ(failed, (std::set<uint16_t>{1, 2}));
    for (const auto &f : got->failed) {
        if (f.shard_id == 2)
            EXPECT_NE(f.error.message.find("not the shard the root lists"), std::string::npos) << f.error.message;
    }
    for (const auto &n : got->neighbors)
        EXPECT_EQ(ShardedCollection::shard_of_id(n.id, 3), 3);
}

TEST(Sharded, AShardChangedBehindTheRootIsStaleAndAlwaysAsked) {
    test::TempDir dir("rvf-shard");
    const Data d = mixture(2000, 8, 10);
    const RvfStore one = single(d);
    const std::string root = dir.file("c.rvf");
    std::string shard1;
    {
        auto c = ShardedCollection::split(one, root, {.shards = 4, .store = {}, .routing = core::ShardRouting::Centroid});
        ASSERT_TRUE(c.ok()) << c.error().to_string();
        shard1 = c->status().shards[0].path;
        ASSERT_TRUE(c->close().ok());
    }
    // A far-away row written straight into shard 1: its summary no longer covers it.
    const std::vector<float> far(8, 500.0f);
    {
        auto s = RvfStore::open(shard1);
        ASSERT_TRUE(s.ok());
        const uint64_t id = 7;
        ASSERT_TRUE(s->ingest_batch(std::span(&id, 1), far).ok());
        ASSERT_TRUE(s->close().ok());
    }
    auto c = ShardedCollection::open_readonly(root);
    ASSERT_TRUE(c.ok());
    auto got = c->query(far, 1, {.exact = true});
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(got->stale, std::vector<uint16_t>{1});
    ASSERT_EQ(got->neighbors.size(), 1u);
    EXPECT_EQ(got->neighbors[0].id, 7u);
}

TEST(Sharded, DamagedRootsAreTypedErrors) {
    test::TempDir dir("rvf-shard");
    const std::string root = dir.file("c.rvf");
    {
        auto c = ShardedCollection::create(root, {.shards = 2, .store = store_options(4)});
        ASSERT_TRUE(c.ok());
    }
    const size_t size = static_cast<size_t>(std::filesystem::file_size(root));
    std::vector<char> bytes(size);
    std::ifstream(root, std::ios::binary).read(bytes.data(), static_cast<std::streamsize>(size));
    for (size_t cut : {size_t{0}, size_t{63}, size / 2, size - 1}) {
        std::ofstream(root, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(cut));
        auto r = ShardedCollection::open_readonly(root);
        EXPECT_FALSE(r.ok()) << cut;
    }
    for (size_t at : {size_t{70}, size_t{200}, size - 4000}) { // TLV area, SHARD_REFS, root
        auto b = bytes;
        b[at] = static_cast<char>(b[at] ^ 1);
        std::ofstream(root, std::ios::binary | std::ios::trunc).write(b.data(), static_cast<std::streamsize>(size));
        auto r = ShardedCollection::open_readonly(root);
        EXPECT_FALSE(r.ok()) << at;
    }
}

TEST(Sharded, AnOlderCopyOfAShardIsRefusedNotUsed) {
    test::TempDir dir("rvf-shard");
    const Data d = mixture(600, 8, 11);
    const std::string root = dir.file("c.rvf");
    std::string shard2;
    {
        auto c = ShardedCollection::create(root, {.shards = 2, .store = store_options(8)});
        ASSERT_TRUE(c.ok());
        shard2 = c->status().shards[1].path;
        ingest_in_batches(*c, d, 300);
        ASSERT_TRUE(c->close().ok());
    }
    std::filesystem::copy_file(shard2, dir.file("old.rvf"));
    {
        auto c = ShardedCollection::open(root);
        ASSERT_TRUE(c.ok()) << c.error().to_string();
        const std::vector<float> v(8, 0.5f);
        for (uint64_t extra = 1; extra < 50; ++extra) // until shard 2 gets a row
            if (ShardedCollection::shard_of_id(extra, 2) == 2) {
                ASSERT_TRUE(c->ingest_batch(std::span(&extra, 1), v).ok());
                break;
            }
        ASSERT_TRUE(c->close().ok());
    }
    std::filesystem::copy_file(dir.file("old.rvf"), shard2, std::filesystem::copy_options::overwrite_existing);
    auto c = ShardedCollection::open_readonly(root);
    ASSERT_TRUE(c.ok());
    auto got = c->query(row(d.queries, 0), 3);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->failed.size(), 1u);
    EXPECT_EQ(got->failed[0].shard_id, 2);
    EXPECT_NE(got->failed[0].error.message.find("epoch"), std::string::npos) << got->failed[0].error.message;
}

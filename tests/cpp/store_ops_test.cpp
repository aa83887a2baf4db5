// RvfStore's everyday operations (store_ops.cpp): upsert in one commit, metadata update,
// count with and without a filter, filter-only id listing and refresh of a read-only handle.
#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include <rvf/store.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

constexpr uint16_t kDim = 4;
constexpr uint16_t kTag = 1; // metadata field used throughout

StoreOptions opts() {
    StoreOptions o;
    o.dimension = kDim;
    o.index_threads = 1;
    return o;
}

std::vector<MetadataEntry> tag(uint64_t v) { return {{kTag, MetadataValue::u64(v)}}; }

std::vector<float> vec_of(uint64_t id, uint64_t version) {
    return {float(id), float(version), float(id % 7), 1.0f};
}

struct Row {
    std::vector<float> vec;
    std::vector<MetadataEntry> meta;
};

// Every live row of `s` equals the model: the same ids, vectors and metadata.
void expect_model(const RvfStore &s, const std::map<uint64_t, Row> &model, const char *what) {
    auto n = s.count();
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, model.size()) << what;
    auto ids = s.ids_after(std::nullopt, model.size() + 10);
    ASSERT_TRUE(ids);
    std::vector<uint64_t> want;
    for (const auto &[id, row] : model)
        want.push_back(id);
    EXPECT_EQ(*ids, want) << what;
    for (const auto &[id, row] : model) {
        auto v = s.vector(id);
        ASSERT_TRUE(v) << what << " id " << id;
        EXPECT_EQ(*v, row.vec) << what << " id " << id;
        auto m = s.metadata_copy(id);
        if (row.meta.empty())
            EXPECT_FALSE(m) << what << " id " << id;
        else {
            ASSERT_TRUE(m) << what << " id " << id;
            EXPECT_EQ(*m, row.meta) << what << " id " << id;
        }
    }
}

} // namespace

TEST(StoreOps, UpsertReplacesLiveRowsInOneCommit) {
    test::TempDir dir("rvf-ops");
    const std::string path = dir.file("u.rvf");
    auto s = RvfStore::create(path, opts());
    ASSERT_TRUE(s) << s.error().to_string();
    std::vector<uint64_t> ids{1, 2, 3};
    std::vector<float> rows;
    for (uint64_t id : ids)
        for (float x : vec_of(id, 0))
            rows.push_back(x);
    std::vector<std::vector<MetadataEntry>> meta{tag(10), tag(20), tag(30)};
    ASSERT_TRUE(s->ingest_batch(ids, rows, meta));
    const uint32_t epoch_before = s->status().current_epoch;

    // 2 replaced (new metadata), 3 replaced without metadata (its old metadata goes), 4 new.
    std::vector<uint64_t> up{2, 3, 4};
    std::vector<float> up_rows;
    for (uint64_t id : up)
        for (float x : vec_of(id, 1))
            up_rows.push_back(x);
    std::vector<std::vector<MetadataEntry>> up_meta{tag(21), {}, tag(40)};
    auto r = s->upsert_batch(up, up_rows, up_meta);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->accepted, 3u);
    EXPECT_EQ(r->rejected, 0u);
    EXPECT_EQ(r->epoch, epoch_before + 1) << "one commit";
    EXPECT_EQ(s->status().deleted_vectors, 2u);

    std::map<uint64_t, Row> model{{1, {vec_of(1, 0), tag(10)}},
                                  {2, {vec_of(2, 1), tag(21)}},
                                  {3, {vec_of(3, 1), {}}},
                                  {4, {vec_of(4, 1), tag(40)}}};
    expect_model(*s, model, "after upsert");
    auto q = s->query(vec_of(3, 1), 1);
    ASSERT_TRUE(q);
    ASSERT_EQ(q->size(), 1u);
    EXPECT_EQ((*q)[0].id, 3u);
    EXPECT_EQ((*q)[0].distance, 0.0f);

    // A repeated id within the batch is rejected (the first instance is kept), and so is a NaN
    // vector: the live row it would have replaced stays.
    std::vector<uint64_t> twice{5, 5};
    std::vector<float> twice_rows = vec_of(5, 0);
    for (float x : vec_of(5, 9))
        twice_rows.push_back(x);
    auto t = s->upsert_batch(twice, twice_rows);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->accepted, 1u);
    ASSERT_EQ(t->rejected, 1u);
    EXPECT_EQ(t->rejections[0].index, 1u);
    model[5] = {vec_of(5, 0), {}};
    std::vector<uint64_t> nan_id{1};
    std::vector<float> nan_row{0, std::numeric_limits<float>::quiet_NaN(), 0, 0};
    auto b = s->upsert_batch(nan_id, nan_row);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->accepted, 0u);
    EXPECT_EQ(b->rejected, 1u);
    expect_model(*s, model, "after rejections");
    ASSERT_TRUE(s->close());

    auto ro = RvfStore::open_readonly(path);
    ASSERT_TRUE(ro) << ro.error().to_string();
    expect_model(*ro, model, "reopened");
}

TEST(StoreOps, UpdateMetadataReplacesAndClears) {
    test::TempDir dir("rvf-ops");
    const std::string path = dir.file("m.rvf");
    auto s = RvfStore::create(path, opts());
    ASSERT_TRUE(s);
    std::vector<uint64_t> ids{1, 2};
    std::vector<float> rows = vec_of(1, 0);
    for (float x : vec_of(2, 0))
        rows.push_back(x);
    std::vector<std::vector<MetadataEntry>> meta{tag(10), tag(20)};
    ASSERT_TRUE(s->ingest_batch(ids, rows, meta));
    const uint64_t size_before = s->status().file_size;

    std::vector<uint64_t> upd{1, 2, 9};
    std::vector<std::vector<MetadataEntry>> upd_meta{tag(11), {}, tag(90)};
    auto r = s->update_metadata(upd, upd_meta);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->accepted, 2u);
    ASSERT_EQ(r->rejections.size(), 1u);
    EXPECT_EQ(r->rejections[0].id, 9u);
    EXPECT_EQ(r->rejections[0].status, Status::KeyNotFound);
    EXPECT_LT(s->status().file_size - size_before, 4096u + 1024u) << "a META segment, not the vectors again";
    std::map<uint64_t, Row> model{{1, {vec_of(1, 0), tag(11)}}, {2, {vec_of(2, 0), {}}}};
    expect_model(*s, model, "after update");
    auto mismatch = s->update_metadata(upd, std::span<const std::vector<MetadataEntry>>(upd_meta.data(), 1));
    ASSERT_FALSE(mismatch);
    EXPECT_EQ(mismatch.error().status, Status::InvalidArgument);
    ASSERT_TRUE(s->close());
    auto ro = RvfStore::open_readonly(path);
    ASSERT_TRUE(ro);
    expect_model(*ro, model, "reopened");
    auto w = ro->update_metadata(upd, upd_meta);
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().status, Status::ReadOnly);
}

TEST(StoreOps, CountAndFindIdsWithFilters) {
    auto s = RvfStore::create_in_memory(opts());
    ASSERT_TRUE(s);
    std::vector<uint64_t> ids;
    std::vector<float> rows;
    std::vector<std::vector<MetadataEntry>> meta;
    for (uint64_t id = 100; id > 0; --id) { // descending: find_ids must still answer in id order
        ids.push_back(id);
        for (float x : vec_of(id, 0))
            rows.push_back(x);
        meta.push_back(id % 3 == 0 ? tag(id % 2) : std::vector<MetadataEntry>{});
    }
    ASSERT_TRUE(s->ingest_batch(ids, rows, meta));
    EXPECT_EQ(*s->count(), 100u);
    const FilterExpr even = FilterExpr::eq(kTag, MetadataValue::u64(0));
    auto n = s->count(&even);
    ASSERT_TRUE(n) << n.error().to_string();
    EXPECT_EQ(*n, 16u); // multiples of 6 in 1..100
    const FilterExpr unknown = FilterExpr::eq(777, MetadataValue::u64(0));
    auto none = s->count(&unknown);
    ASSERT_TRUE(none) << none.error().to_string();
    EXPECT_EQ(*none, 0u);

    auto first = s->find_ids(&even, std::nullopt, 3);
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, (std::vector<uint64_t>{6, 12, 18}));
    auto next = s->find_ids(&even, first->back(), 100);
    ASSERT_TRUE(next);
    ASSERT_EQ(next->size(), 13u);
    EXPECT_EQ(next->front(), 24u);
    EXPECT_EQ(next->back(), 96u);
    auto all = s->find_ids(nullptr, std::nullopt, 5);
    ASSERT_TRUE(all);
    EXPECT_EQ(*all, (std::vector<uint64_t>{1, 2, 3, 4, 5}));
    auto nothing = s->find_ids(&unknown, std::nullopt, 5);
    ASSERT_TRUE(nothing);
    EXPECT_TRUE(nothing->empty());

    std::vector<uint64_t> gone{6};
    ASSERT_TRUE(s->remove(gone));
    EXPECT_EQ(*s->count(&even), 15u);
    EXPECT_EQ(*s->count(), 99u);
}

TEST(StoreOps, RefreshAdoptsLaterCommits) {
    test::TempDir dir("rvf-ops");
    const std::string path = dir.file("r.rvf");
    auto w = RvfStore::create(path, opts());
    ASSERT_TRUE(w);
    std::vector<uint64_t> one{1};
    ASSERT_TRUE(w->ingest_batch(one, vec_of(1, 0)));
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r->count(), 1u);

    std::vector<uint64_t> two{2};
    std::vector<std::vector<MetadataEntry>> m{tag(5)};
    ASSERT_TRUE(w->ingest_batch(two, vec_of(2, 0), m));
    ASSERT_TRUE(w->upsert_batch(one, vec_of(1, 1)));
    EXPECT_EQ(*r->count(), 1u) << "a read-only handle sees the file as it was opened";
    auto ok = r->refresh();
    ASSERT_TRUE(ok) << ok.error().to_string();
    std::map<uint64_t, Row> model{{1, {vec_of(1, 1), {}}}, {2, {vec_of(2, 0), tag(5)}}};
    expect_model(*r, model, "refreshed");
    EXPECT_EQ(r->status().current_epoch, w->status().current_epoch);

    // After a compaction (a new file renamed over the old one) refresh follows too.
    std::vector<uint64_t> gone{2};
    ASSERT_TRUE(w->remove(gone));
    ASSERT_TRUE(w->compact());
    ASSERT_TRUE(r->refresh());
    model.erase(2);
    expect_model(*r, model, "refreshed after compaction");

    auto refused = w->refresh();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().status, Status::InvalidArgument);
    auto mem = RvfStore::create_in_memory(opts());
    ASSERT_TRUE(mem);
    EXPECT_FALSE(mem->refresh());
}

// Many one-row upserts and metadata updates with merges every 16 segments: the merges treat
// JOURNAL-then-re-add and a META away from its VEC as barriers, so a reopened store equals the model.
TEST(StoreOps, ManyUpsertsWithMergesMatchModelAfterReopen) {
    test::TempDir dir("rvf-ops");
    const std::string path = dir.file("many.rvf");
    StoreOptions o = opts();
    o.merge_trigger_segments = 16;
    o.checkpoint_bytes = 0; // every commit lists its segments: merges run often
    std::map<uint64_t, Row> model;
    std::mt19937 rng(18);
    {
        auto s = RvfStore::create(path, o);
        ASSERT_TRUE(s) << s.error().to_string();
        for (uint64_t step = 1; step <= 400; ++step) {
            const uint64_t id = rng() % 40;
            const bool meta_only = model.count(id) && rng() % 3 == 0;
            std::vector<uint64_t> ids{id};
            std::vector<std::vector<MetadataEntry>> m{rng() % 4 == 0 ? std::vector<MetadataEntry>{} : tag(step)};
            if (meta_only) {
                auto r = s->update_metadata(ids, m);
                ASSERT_TRUE(r && r->accepted == 1) << "step " << step;
                model[id].meta = m[0];
            } else {
                const auto v = vec_of(id, step);
                auto r = s->upsert_batch(ids, v, m);
                ASSERT_TRUE(r && r->accepted == 1) << "step " << step;
                model[id] = {v, m[0]};
            }
        }
        expect_model(*s, model, "live");
        EXPECT_GT(s->status().merges, 0u) << "the test must exercise merges";
        ASSERT_TRUE(s->close());
    }
    auto r = RvfStore::open(path);
    ASSERT_TRUE(r) << r.error().to_string();
    expect_model(*r, model, "reopened");
    EXPECT_TRUE(r->verify().ok);
}

// refresh() swaps the handle's state under its lock: queries and counts on other threads keep
// answering (never a torn state) while a writer commits and the reader refreshes.
TEST(StoreOps, RefreshWhileOtherThreadsRead) {
#ifdef __EMSCRIPTEN__
    GTEST_SKIP() << "the wasm build has no threads";
#endif
    test::TempDir dir("rvf-ops");
    const std::string path = dir.file("c.rvf");
    auto w = RvfStore::create(path, opts());
    ASSERT_TRUE(w);
    std::vector<uint64_t> first{0};
    ASSERT_TRUE(w->ingest_batch(first, vec_of(0, 0)));
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r);
    constexpr uint64_t kRows = 150;
    std::atomic<bool> done{false};
    std::atomic<int> bad{0};
    std::thread reader([&] {
        while (!done) {
            auto q = r->query(vec_of(1, 0), 3);
            auto n = r->count();
            if (!q || !n || *n == 0 || *n > kRows || q->empty())
                ++bad;
        }
    });
    uint64_t last = 1;
    for (uint64_t id = 1; id < kRows; ++id) {
        std::vector<uint64_t> one{id};
        ASSERT_TRUE(w->upsert_batch(one, vec_of(id, 0)));
        if (id % 10 == 0) {
            ASSERT_TRUE(r->refresh());
            const uint64_t n = *r->count();
            EXPECT_GE(n, last) << "a refresh never goes back";
            last = n;
        }
    }
    ASSERT_TRUE(r->refresh());
    done = true;
    reader.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_EQ(*r->count(), kRows);
}

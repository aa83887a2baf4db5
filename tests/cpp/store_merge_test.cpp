// Automatic merges and auto-compaction (issue 16): one-row commits keep the listed segment count
// bounded and the file within twice its compacted size (+256 B per commit); merged files reopen
// to exactly the same rows, metadata, deletes and witness chain, in every reader we have.
#include <gtest/gtest.h>

#include <cstring>
#include <fcntl.h>
#include <map>
#include <random>
#include <unistd.h>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/file_report.hpp>
#include <rvf/progressive.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

std::vector<float> row_of(uint64_t id, size_t dim) {
    std::mt19937 rng(static_cast<uint32_t>(id * 7919 + 1));
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> v(dim);
    for (float &x : v)
        x = u(rng);
    return v;
}

std::vector<uint8_t> slurp(const std::string &path) { return *read_file_bytes(path); }

void spit(const std::string &path, const std::vector<uint8_t> &data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
}

class StoreMerge : public ::testing::Test {
protected:
    test::TempDir dir;
    std::string path = dir.file("m.rvf");
    StoreOptions opts(size_t dim) {
        StoreOptions o;
        o.dimension = static_cast<uint16_t>(dim);
        o.index = IndexMode::Off;
        o.index_threads = 1;
        return o;
    }
};

/// What a store must hold: live id → (seed of its vector, metadata tag or -1).
using Model = std::map<uint64_t, std::pair<uint64_t, int64_t>>;

void expect_matches(const RvfStore &s, const Model &m, size_t dim, const char *who) {
    SCOPED_TRACE(who);
    ASSERT_EQ(s.status().total_vectors, m.size());
    for (const auto &[id, want] : m) {
        auto v = s.vector(id);
        ASSERT_TRUE(v) << "id " << id;
        ASSERT_EQ(*v, row_of(want.first, dim)) << "id " << id;
        const auto *md = s.metadata(id);
        if (want.second < 0) {
            EXPECT_TRUE(md == nullptr || md->empty()) << "id " << id;
        } else {
            ASSERT_TRUE(md != nullptr && md->size() == 1) << "id " << id;
            EXPECT_EQ((*md)[0].value.i, want.second) << "id " << id;
        }
    }
}

} // namespace

// The must-show figure in the C++ core: 10,000 one-row commits of 128-d f32.
TEST_F(StoreMerge, TenThousandOneRowCommitsStayBounded) {
    constexpr size_t kDim = 128, kCommits = 10000;
    auto s = RvfStore::create(path, opts(kDim));
    ASSERT_TRUE(s) << s.error().to_string();
    uint64_t max_listed = 0;
    for (uint64_t id = 1; id <= kCommits; ++id) {
        const std::vector<float> v = row_of(id, kDim);
        ASSERT_TRUE(s->ingest_batch({&id, 1}, v));
        max_listed = std::max(max_listed, s->status().total_segments);
    }
    const StoreStatus st = s->status();
    EXPECT_GT(st.merges, 0u);
    EXPECT_GT(st.auto_compactions, 0u);
    EXPECT_TRUE(st.warnings.empty()) << st.warnings.front();
    // Merges start at 256 listed segments and bring the count back down each time.
    EXPECT_LE(max_listed, 260u);
    ASSERT_TRUE(s->close());

    const std::string copy = dir.file("copy.rvf");
    spit(copy, slurp(path));
    uint64_t compacted = 0;
    {
        auto c = RvfStore::open(copy);
        ASSERT_TRUE(c) << c.error().to_string();
        ASSERT_TRUE(c->compact());
        compacted = c->status().file_size;
    }
    const uint64_t size = slurp(path).size();
    std::printf("%zu one-row commits: file %llu B (%.0f B per commit), compacted %llu B, %llu merges, %llu "
                "auto-compactions, at most %llu segments listed\n",
                kCommits, static_cast<unsigned long long>(size), double(size) / kCommits,
                static_cast<unsigned long long>(compacted), static_cast<unsigned long long>(st.merges),
                static_cast<unsigned long long>(st.auto_compactions), static_cast<unsigned long long>(max_listed));
    EXPECT_LE(size, 2 * compacted + 256 * kCommits);

    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r) << r.error().to_string();
    Model m;
    for (uint64_t id = 1; id <= kCommits; ++id)
        m[id] = {id, -1};
    expect_matches(*r, m, kDim, "reopened");
    const VerifyReport vr = r->verify();
    EXPECT_TRUE(vr.ok) << (vr.problems.empty() ? "" : vr.problems.front().what);
}

// Inserts with metadata, deletes, re-inserts of deleted ids with other vectors, all in one-row
// commits with merges every few dozen segments: every reader sees the model's state.
TEST_F(StoreMerge, DeletesReinsertsAndMetadataSurviveMerges) {
    constexpr size_t kDim = 8;
    StoreOptions o = opts(kDim);
    o.merge_trigger_segments = 24;
    o.auto_compact_dead_ratio = 0; // keep every merge in the file
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s) << s.error().to_string();
    Model m;
    std::mt19937_64 rng(42);
    uint64_t seed = 1000;
    for (int step = 0; step < 1500; ++step) {
        const uint64_t id = 1 + rng() % 300;
        if (m.count(id) && rng() % 3 == 0) {
            ASSERT_TRUE(s->remove({&id, 1}));
            m.erase(id);
        } else if (!m.count(id)) {
            const uint64_t sd = ++seed;
            const std::vector<float> v = row_of(sd, kDim);
            const int64_t tag = (rng() % 2) ? static_cast<int64_t>(sd) : -1;
            std::vector<std::vector<MetadataEntry>> md(1);
            if (tag >= 0)
                md[0].push_back({7, MetadataValue::i64(tag)});
            ASSERT_TRUE(s->ingest_batch({&id, 1}, v, md));
            m[id] = {sd, tag};
        }
    }
    EXPECT_GT(s->status().merges, 10u);
    EXPECT_LT(s->status().total_segments, 400u) << "without merges: over 3,000";
    expect_matches(*s, m, kDim, "writer");
    ASSERT_TRUE(s->close());

    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r) << r.error().to_string();
    expect_matches(*r, m, kDim, "reopened");
    const VerifyReport vr = r->verify();
    EXPECT_TRUE(vr.ok) << (vr.problems.empty() ? "" : vr.problems.front().what);
    EXPECT_TRUE(vr.uncommitted.empty());
    EXPECT_TRUE(r->status().warnings.empty()) << r->status().warnings.front();

    // The progressive reader, fed the whole file, ends with the same store.
    {
        const auto bytes = slurp(path);
        auto p = ProgressiveStore::begin(bytes.size());
        ASSERT_TRUE(p) << p.error().to_string();
        for (int round = 0; round < 64 && !p->complete(); ++round)
            for (const ByteRange &r : p->wanted())
                ASSERT_TRUE(p->supply(r.offset, std::span<const uint8_t>(bytes.data() + r.offset, r.length)));
        ASSERT_TRUE(p->complete());
        ASSERT_NE(p->store(), nullptr);
        expect_matches(*p->store(), m, kDim, "progressive");
    }

    auto w = RvfStore::open(path); // and a writer continues the chain
    ASSERT_TRUE(w) << w.error().to_string();
    const uint64_t id = 5000;
    const std::vector<float> v = row_of(id, kDim);
    ASSERT_TRUE(w->ingest_batch({&id, 1}, v));
    m[id] = {id, -1};
    ASSERT_TRUE(w->close());
    auto again = RvfStore::open_readonly(path);
    ASSERT_TRUE(again);
    expect_matches(*again, m, kDim, "after another writer");
}

// Merges keep the table's slot order, so HNSW layers persisted before them still name the right
// rows after a reopen: every stored vector finds itself first.
TEST_F(StoreMerge, PersistedIndexStillNamesTheRightRows) {
    constexpr size_t kDim = 16, kBase = 1200, kSingles = 400;
    StoreOptions o = opts(kDim);
    o.index = IndexMode::Auto;
    o.merge_trigger_segments = 32;
    o.auto_compact_dead_ratio = 0;
    {
        auto s = RvfStore::create(path, o);
        ASSERT_TRUE(s) << s.error().to_string();
        std::vector<uint64_t> ids(kBase);
        std::vector<float> vecs;
        for (uint64_t i = 0; i < kBase; ++i) {
            ids[i] = i + 1;
            const auto v = row_of(i + 1, kDim);
            vecs.insert(vecs.end(), v.begin(), v.end());
        }
        ASSERT_TRUE(s->ingest_batch(ids, vecs));
        ASSERT_TRUE(s->build_index());
        for (uint64_t id = kBase + 1; id <= kBase + kSingles; ++id) {
            const auto v = row_of(id, kDim);
            ASSERT_TRUE(s->ingest_batch({&id, 1}, v));
        }
        EXPECT_GT(s->status().merges, 0u);
        ASSERT_TRUE(s->close());
    }
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_GT(r->status().persisted_index, 0u);
    EXPECT_TRUE(r->status().warnings.empty()) << r->status().warnings.front();
    for (uint64_t id = 1; id <= kBase + kSingles; id += 7) {
        auto res = r->query(row_of(id, kDim), 1);
        ASSERT_TRUE(res);
        ASSERT_EQ(res->size(), 1u);
        EXPECT_EQ((*res)[0].id, id);
    }
}

// A merge IO budget defers merges (the directory grows past the trigger) until the hard cap.
TEST_F(StoreMerge, IoBudgetDefersMergesUpToTheHardCap) {
    constexpr size_t kDim = 8;
    StoreOptions o = opts(kDim);
    o.merge_trigger_segments = 16;
    o.merge_io_bytes_per_second = 1; // the first merge spends far more than a second's worth
    o.auto_compact_dead_ratio = 0;
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s) << s.error().to_string();
    uint64_t max_listed = 0;
    for (uint64_t id = 1; id <= 200; ++id) {
        const auto v = row_of(id, kDim);
        ASSERT_TRUE(s->ingest_batch({&id, 1}, v));
        max_listed = std::max(max_listed, s->status().total_segments);
    }
    EXPECT_GT(max_listed, 32u) << "the budget held merges back";
    EXPECT_LE(max_listed, 4u * 16 + 2) << "past 4 × the trigger they run regardless";
    EXPECT_GT(s->status().merges, 0u);
}

// Deleting most rows makes dead space; the store compacts by itself once it passes the ratio.
TEST_F(StoreMerge, DeletesPastTheRatioCompactByThemselves) {
    constexpr size_t kDim = 64, kRows = 6000;
    auto s = RvfStore::create(path, opts(kDim));
    ASSERT_TRUE(s) << s.error().to_string();
    std::vector<uint64_t> ids(kRows);
    std::vector<float> vecs;
    for (uint64_t i = 0; i < kRows; ++i) {
        ids[i] = i + 1;
        const auto v = row_of(i + 1, kDim);
        vecs.insert(vecs.end(), v.begin(), v.end());
    }
    ASSERT_TRUE(s->ingest_batch(ids, vecs));
    const uint64_t full = s->status().file_size;
    EXPECT_LT(s->status().dead_space_ratio, 0.1);
    std::vector<uint64_t> gone(ids.begin(), ids.begin() + kRows * 2 / 5);
    ASSERT_TRUE(s->remove(gone));
    EXPECT_EQ(s->status().auto_compactions, 0u) << "40 % dead is below the 0.5 ratio";
    EXPECT_GT(s->status().dead_space_ratio, 0.3);
    std::vector<uint64_t> more(ids.begin() + kRows * 2 / 5, ids.begin() + kRows * 3 / 5);
    ASSERT_TRUE(s->remove(more));
    const StoreStatus st = s->status();
    EXPECT_EQ(st.auto_compactions, 1u);
    EXPECT_LT(st.file_size, full / 2 + 8192);
    EXPECT_LT(st.dead_space_ratio, 0.1);
    EXPECT_EQ(st.total_vectors, kRows * 2 / 5);
    ASSERT_TRUE(s->close());
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status().total_vectors, kRows * 2 / 5);
    EXPECT_TRUE(r->verify().ok);
}

// A compaction writes one META for every row after all its VEC segments: that META belongs to no
// single VEC and must never merge with the last one (regression: metadata of every other row was
// dropped once a merge took it along).
TEST_F(StoreMerge, ACompactionsMetaNeverMergesWithItsLastVec) {
    // 128-d f32: a compaction's VEC segments hold 8192 rows (4 MiB), so 8197 rows make a full
    // one and a 5-row one; only the first 20 rows carry metadata, so the META is small too and
    // the size rule would happily merge it with the 5-row VEC and the singles after it.
    constexpr size_t kDim = 128, kBase = 8197, kSingles = 60, kWithMeta = 20;
    StoreOptions o = opts(kDim);
    o.merge_trigger_segments = 16;
    o.auto_compact_dead_ratio = 0;
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s) << s.error().to_string();
    Model m;
    std::vector<uint64_t> ids(kBase);
    std::vector<float> vecs;
    std::vector<std::vector<MetadataEntry>> md(kBase);
    for (uint64_t i = 0; i < kBase; ++i) {
        ids[i] = i + 1;
        const auto v = row_of(i + 1, kDim);
        vecs.insert(vecs.end(), v.begin(), v.end());
        if (i < kWithMeta)
            md[i].push_back({7, MetadataValue::i64(static_cast<int64_t>(i + 1))});
        m[i + 1] = {i + 1, i < kWithMeta ? static_cast<int64_t>(i + 1) : -1};
    }
    ASSERT_TRUE(s->ingest_batch(ids, vecs, md));
    ASSERT_TRUE(s->compact()); // ≥ 2 VEC segments at 128-d, then one META for all rows
    for (uint64_t id = kBase + 1; id <= kBase + kSingles; ++id) {
        std::vector<std::vector<MetadataEntry>> one(1);
        one[0].push_back({7, MetadataValue::i64(static_cast<int64_t>(id))});
        ASSERT_TRUE(s->ingest_batch({&id, 1}, row_of(id, kDim), one));
        m[id] = {id, static_cast<int64_t>(id)};
    }
    EXPECT_GT(s->status().merges, 0u);
    expect_matches(*s, m, kDim, "writer");
    ASSERT_TRUE(s->close());
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r) << r.error().to_string();
    expect_matches(*r, m, kDim, "reopened");
    EXPECT_TRUE(r->verify().ok);
}

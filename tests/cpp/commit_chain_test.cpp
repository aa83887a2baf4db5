// The write path between checkpoints (issue 16): a commit is its segments + one COMMIT record and
// one sync; a checkpoint (full manifest) comes every few MB, when a root pointer moves, and at
// close. Recovery = the latest checkpoint + the records after it; a cut anywhere inside the
// newest commit drops only that commit, and the file a writer leaves is the one it found.
#include <gtest/gtest.h>

#include <cstring>
#include <fcntl.h>
#include <random>
#include <unistd.h>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/commit_record.hpp>
#include <rvf/core/format/manifest_l0.hpp>
#include <rvf/file_report.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

std::vector<uint8_t> slurp(const std::string &path) { return *read_file_bytes(path); }

void spit(const std::string &path, const std::vector<uint8_t> &data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
}

std::vector<float> row_of(uint64_t id, size_t dim) {
    std::mt19937 rng(static_cast<uint32_t>(id * 7919 + 1));
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> v(dim);
    for (float &x : v)
        x = u(rng);
    return v;
}

Result<IngestResult> insert_one(RvfStore &s, uint64_t id, size_t dim) {
    const std::vector<float> v = row_of(id, dim);
    return s.ingest_batch({&id, 1}, v);
}

size_t count_type(const std::vector<uint8_t> &file, uint8_t type) {
    const FileReport rep = inspect_file({file.data(), file.size()});
    size_t n = 0;
    for (const SegmentRecord &r : rep.segments)
        n += r.header_status == Status::Ok && r.header.seg_type == type;
    return n;
}

/// Does the file end with a checkpoint (a Level-0 root, then at most 63 bytes of padding)?
bool ends_with_root(const std::vector<uint8_t> &file) {
    for (size_t pad = 0; pad < 64 && pad + core::kRootManifestSize <= file.size(); ++pad)
        if (core::has_manifest_l0_magic(
                core::ByteView(file.data() + file.size() - pad - core::kRootManifestSize, core::kRootManifestSize)))
            return true;
    return false;
}

class CommitChain : public ::testing::Test {
protected:
    test::TempDir dir;
    std::string path = dir.file("c.rvf");
    StoreOptions opts(size_t dim) {
        StoreOptions o;
        o.dimension = static_cast<uint16_t>(dim);
        o.index = IndexMode::Off;
        return o;
    }
};

} // namespace

// 2,000 one-vector commits (128-d f32): one sync per commit plus one per checkpoint (merges are
// checkpoints too, each its own commit). Auto-compaction is off here so the file holds every
// commit; tests/cpp/store_merge_test.cpp holds the size bound with it on.
TEST_F(CommitChain, OneSyncPerCommitAndLinearGrowth) {
    constexpr size_t kDim = 128, kCommits = 2000;
    StoreOptions o = opts(kDim);
    o.auto_compact_dead_ratio = 0;
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s) << s.error().to_string();
    const size_t manifests_before = count_type(slurp(path), static_cast<uint8_t>(core::SegType::Manifest));
    const uint64_t syncs_before = s->status().syncs;
    for (uint64_t id = 1; id <= kCommits; ++id)
        ASSERT_TRUE(insert_one(*s, id, kDim));
    const std::vector<uint8_t> open_file = slurp(path);
    const size_t checkpoints =
        count_type(open_file, static_cast<uint8_t>(core::SegType::Manifest)) - manifests_before;
    const uint64_t merges = s->status().merges;
    const uint64_t syncs = s->status().syncs - syncs_before;
    EXPECT_GT(merges, 0u);
    // One sync per commit, two per checkpoint; a merge runs inside the commit that triggered it,
    // and its checkpoint's first sync makes that commit durable too.
    EXPECT_EQ(syncs, kCommits - merges + 2 * checkpoints) << "one sync per commit, two per checkpoint";
    EXPECT_EQ(count_type(open_file, core::kCommitSegType) + checkpoints, kCommits + merges);
    EXPECT_GE(checkpoints, merges);
    EXPECT_LT(checkpoints - merges, kCommits / 50);
    ASSERT_TRUE(s->close());
    auto c = RvfStore::open_readonly(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(c->status().total_vectors, kCommits);
    EXPECT_TRUE(c->verify().ok);
}

// A writer killed between checkpoints: the next open adopts every COMMIT record after the latest
// checkpoint, in order, and continues the chain.
TEST_F(CommitChain, OpenReplaysTheCommitsAfterTheCheckpoint) {
    constexpr size_t kDim = 16;
    std::vector<uint8_t> crashed;
    {
        auto s = RvfStore::create(path, opts(kDim));
        ASSERT_TRUE(s);
        for (uint64_t id = 1; id <= 60; ++id)
            ASSERT_TRUE(insert_one(*s, id, kDim));
        const uint64_t gone[] = {7, 8, 9};
        ASSERT_TRUE(s->remove(gone));
        EXPECT_EQ(s->status().commits_since_checkpoint, 61u);
        crashed = slurp(path); // what a kill -9 here would leave: close() never runs
    }
    EXPECT_FALSE(ends_with_root(crashed));
    spit(path, crashed);
    {
        auto s = RvfStore::open(path);
        ASSERT_TRUE(s) << s.error().to_string();
        EXPECT_EQ(s->status().total_vectors, 57u);
        EXPECT_EQ(s->status().commits_since_checkpoint, 61u);
        EXPECT_TRUE(s->status().warnings.empty());
        EXPECT_FALSE(s->vector(8).has_value());
        EXPECT_EQ(*s->vector(60), row_of(60, kDim));
        ASSERT_TRUE(insert_one(*s, 61, kDim));
        EXPECT_EQ(s->status().commits_since_checkpoint, 62u);
        EXPECT_TRUE(s->verify().ok);
    }
    const std::vector<uint8_t> closed = slurp(path);
    EXPECT_TRUE(ends_with_root(closed)) << "close() writes a checkpoint";
    EXPECT_TRUE(verify_bytes({closed.data(), closed.size()}).ok);
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status().total_vectors, 58u);
    EXPECT_EQ(r->status().current_epoch, 63u); // create + 60 inserts + delete + 1 insert
}

// A crash inside the newest commit's single write leaves a prefix of it: every cut drops exactly
// that commit (verify calls the rest uncommitted), and a writer truncates back to the commit before.
TEST_F(CommitChain, EveryCutInsideTheNewestCommitIsATornTail) {
    constexpr size_t kDim = 8;
    std::vector<uint8_t> before, after;
    {
        auto s = RvfStore::create(path, opts(kDim));
        ASSERT_TRUE(s);
        for (uint64_t id = 1; id <= 5; ++id)
            ASSERT_TRUE(insert_one(*s, id, kDim));
        before = slurp(path);
        ASSERT_TRUE(insert_one(*s, 6, kDim));
        after = slurp(path);
    }
    ASSERT_GT(after.size(), before.size());
    size_t cuts = 0;
    for (size_t cut = before.size() + 1; cut < after.size(); ++cut) {
        if (cut % 7 != 0 && cut % 64 > 1 && cut % 64 < 63)
            continue; // every 7th byte and both sides of every 64-byte boundary
        ++cuts;
        std::vector<uint8_t> torn(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(cut));
        const VerifyReport v = verify_bytes({torn.data(), torn.size()});
        EXPECT_TRUE(v.ok) << "cut " << cut << ": " << (v.problems.empty() ? "" : v.problems.front().what);
        spit(path, torn);
        {
            auto w = RvfStore::open(path);
            ASSERT_TRUE(w) << "cut " << cut << ": " << w.error().to_string();
            EXPECT_EQ(w->status().total_vectors, 5u) << "cut " << cut;
        }
        // The writer dropped the torn tail; close() then added its checkpoint after it.
        const std::vector<uint8_t> now = slurp(path);
        ASSERT_GE(now.size(), before.size());
        EXPECT_TRUE(std::equal(before.begin(), before.end(), now.begin())) << "cut " << cut;
    }
    EXPECT_GT(cuts, 20u);
}

// The newest commit written to its end, then damaged: a flip in its COMMIT record, in a segment
// it names, or in the record's header (type, length) is reported and never dropped.
TEST_F(CommitChain, ADamagedNewestRecordIsReportedNeverDropped) {
    constexpr size_t kDim = 8;
    std::vector<uint8_t> good;
    uint64_t record = 0, vec = 0;
    {
        auto s = RvfStore::create(path, opts(kDim));
        ASSERT_TRUE(s);
        for (uint64_t id = 1; id <= 3; ++id)
            ASSERT_TRUE(insert_one(*s, id, kDim));
        good = slurp(path);
    }
    const FileReport rep = inspect_file({good.data(), good.size()});
    for (const SegmentRecord &r : rep.segments) {
        if (r.header.seg_type == core::kCommitSegType)
            record = r.offset;
        if (r.header.seg_type == static_cast<uint8_t>(core::SegType::Vec))
            vec = r.offset;
    }
    ASSERT_EQ(rep.replayed_commits, 3u);
    ASSERT_GT(record, vec);
    struct Flip {
        const char *what;
        uint64_t at;
        uint8_t mask;
    };
    const Flip flips[] = {
        {"record payload (epoch)", record + 64 + core::commit_off::epoch, 0x01},
        {"record payload (previous link)", record + 64 + core::commit_off::prev_offset + 1, 0x10},
        {"record payload (a segment's hash)", record + 64 + core::kCommitFixedSize + 30, 0x80},
        {"record header type", record + 5, 0x01},
        {"record header payload length", record + 0x10, 0x08},
        {"record header segment id", record + 0x08, 0x02},
        {"VEC payload the record names", vec + 64 + 8, 0x04},
    };
    for (const Flip &f : flips) {
        SCOPED_TRACE(f.what);
        std::vector<uint8_t> bad = good;
        bad[f.at] ^= f.mask;
        const VerifyReport v = verify_bytes({bad.data(), bad.size()});
        EXPECT_FALSE(v.ok);
        spit(path, bad);
        {
            auto w = RvfStore::open(path);
            EXPECT_FALSE(w) << "a writer opened over the damage";
        }
        EXPECT_EQ(slurp(path), bad) << "a refused writer changed the file";
        auto r = RvfStore::open_readonly(path);
        if (r) {
            EXPECT_EQ(r->status().total_vectors, 2u);
            EXPECT_FALSE(r->status().warnings.empty());
        }
    }
}

// Commits that move a root pointer (here: persisting the HNSW layers, whose layer A the root
// names) are checkpoints, so boot and progressive readers that follow the root see them.
TEST_F(CommitChain, IndexPersistIsACheckpoint) {
    constexpr size_t kDim = 8;
    StoreOptions o = opts(kDim);
    o.index = IndexMode::Auto; // build_index() builds it whatever the size
    o.index_threads = 1;
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s);
    for (uint64_t id = 1; id <= 40; ++id)
        ASSERT_TRUE(insert_one(*s, id, kDim));
    EXPECT_FALSE(ends_with_root(slurp(path)));
    ASSERT_TRUE(s->build_index());
    EXPECT_TRUE(ends_with_root(slurp(path)));
    EXPECT_EQ(s->status().commits_since_checkpoint, 0u);
}

// checkpoint_bytes = 0 keeps the old protocol: every commit is a checkpoint.
TEST_F(CommitChain, CheckpointBytesZeroMakesEveryCommitACheckpoint) {
    StoreOptions o = opts(4);
    o.checkpoint_bytes = 0;
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s);
    for (uint64_t id = 1; id <= 5; ++id) {
        ASSERT_TRUE(insert_one(*s, id, 4));
        EXPECT_TRUE(ends_with_root(slurp(path)));
    }
    EXPECT_EQ(count_type(slurp(path), core::kCommitSegType), 0u);
}

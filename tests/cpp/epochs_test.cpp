// Time travel (issue 20): every committed epoch still in the append-only file opens read-only
// with that epoch's rows; compaction drops the history (refused, typed); a damaged older commit
// is reported as damaged, never skipped over to a neighbouring epoch.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <random>
#include <unistd.h>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

constexpr uint16_t kDim = 4;

std::vector<float> rows_for(const std::vector<uint64_t> &ids) {
    std::vector<float> v;
    for (uint64_t id : ids) {
        std::mt19937 rng(static_cast<uint32_t>(id * 13 + 5));
        std::uniform_real_distribution<float> u(-1, 1);
        for (int d = 0; d < kDim; ++d)
            v.push_back(u(rng));
    }
    return v;
}

void spit(const std::string &path, const std::vector<uint8_t> &data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
}

/// Three commits of two rows each (ids 1-2, 3-4, 5-6); returns their epochs.
std::vector<uint32_t> three_commits(const std::string &path, uint64_t checkpoint_bytes) {
    auto s = RvfStore::create(path, StoreOptions{.dimension = kDim, .checkpoint_bytes = checkpoint_bytes});
    EXPECT_TRUE(s) << s.error().message;
    std::vector<uint32_t> epochs;
    for (uint64_t first : {1, 3, 5}) {
        const std::vector<uint64_t> ids = {first, first + 1};
        auto r = s->ingest_batch(ids, rows_for(ids));
        EXPECT_TRUE(r);
        epochs.push_back(r->epoch);
    }
    EXPECT_TRUE(s->close());
    return epochs;
}

const EpochInfo *find(const std::vector<EpochInfo> &all, uint32_t epoch) {
    for (const EpochInfo &e : all)
        if (e.epoch == epoch)
            return &e;
    return nullptr;
}

void expect_epochs_open(const std::string &path, const std::vector<uint32_t> &epochs) {
    const auto bytes = *read_file_bytes(path);
    const auto listed = list_epochs({bytes.data(), bytes.size()});
    for (size_t i = 0; i < epochs.size(); ++i) {
        SCOPED_TRACE("epoch " + std::to_string(epochs[i]));
        const EpochInfo *e = find(listed, epochs[i]);
        ASSERT_NE(e, nullptr);
        EXPECT_FALSE(e->damaged);
        EXPECT_EQ(e->total_vectors, 2 * (i + 1));
        EXPECT_GT(e->modified_ns, 0u);
        auto s = RvfStore::open_readonly(path, OpenOptions{.epoch = epochs[i]});
        ASSERT_TRUE(s) << s.error().message;
        EXPECT_EQ(s->status().current_epoch, epochs[i]);
        EXPECT_TRUE(s->status().read_only);
        auto ids = s->ids_after(std::nullopt, 100);
        std::vector<uint64_t> want;
        for (uint64_t id = 1; id <= 2 * (i + 1); ++id)
            want.push_back(id);
        EXPECT_EQ(*ids, want);
        EXPECT_EQ(*s->vector(2 * (i + 1)), rows_for({2 * (i + 1)}));
        // The same from bytes (what the wasm backend uses).
        auto m = RvfStore::from_bytes_readonly(bytes, epochs[i]);
        ASSERT_TRUE(m) << m.error().message;
        EXPECT_EQ(*m->count(), 2 * (i + 1));
    }
}

} // namespace

TEST(Epochs, OpenAtEachOfThreeEpochsReturnsThatEpochsRows_Checkpoints) {
    test::TempDir dir("rvf-epochs");
    const std::string path = dir.file("e.rvf");
    expect_epochs_open(path, three_commits(path, 0)); // every commit a full manifest
}

TEST(Epochs, OpenAtEachOfThreeEpochsReturnsThatEpochsRows_CommitRecords) {
    test::TempDir dir("rvf-epochs");
    const std::string path = dir.file("e.rvf");
    const auto epochs = three_commits(path, 1u << 20); // COMMIT records between checkpoints
    const auto bytes = *read_file_bytes(path);
    EXPECT_FALSE(find(list_epochs({bytes.data(), bytes.size()}), epochs[0])->checkpoint);
    expect_epochs_open(path, epochs);
}

TEST(Epochs, OpenWithAnEpochIsReadOnly) {
    test::TempDir dir("rvf-epochs");
    const std::string path = dir.file("e.rvf");
    const auto epochs = three_commits(path, 0);
    auto s = RvfStore::open(path, OpenOptions{.epoch = epochs[0]});
    ASSERT_TRUE(s) << s.error().message;
    const std::vector<uint64_t> id = {99};
    auto w = s->ingest_batch(id, rows_for(id));
    ASSERT_FALSE(w);
    EXPECT_EQ(w.status(), Status::ReadOnly);
    EXPECT_EQ(*s->count(), 2u);
}

TEST(Epochs, UnknownAndCompactedAwayEpochsAreRefused) {
    test::TempDir dir("rvf-epochs");
    const std::string path = dir.file("e.rvf");
    const auto epochs = three_commits(path, 0);
    auto never = RvfStore::open_readonly(path, OpenOptions{.epoch = 9999});
    ASSERT_FALSE(never);
    EXPECT_EQ(never.status(), Status::ManifestNotFound);
    EXPECT_NE(never.error().message.find("rvf inspect --epochs"), std::string::npos) << never.error().message;
    uint32_t after = 0;
    {
        auto s = RvfStore::open(path);
        ASSERT_TRUE(s);
        auto c = s->compact();
        ASSERT_TRUE(c);
        after = c->epoch;
    }
    auto gone = RvfStore::open_readonly(path, OpenOptions{.epoch = epochs[1]});
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.status(), Status::ManifestNotFound);
    EXPECT_NE(gone.error().message.find("ompaction"), std::string::npos) << gone.error().message;
    auto now = RvfStore::open_readonly(path, OpenOptions{.epoch = after});
    ASSERT_TRUE(now) << now.error().message;
    EXPECT_EQ(*now->count(), 6u);
}

TEST(Epochs, ADamagedOlderManifestIsReportedNotSkipped) {
    test::TempDir dir("rvf-epochs");
    const std::string path = dir.file("e.rvf");
    const auto epochs = three_commits(path, 0);
    auto bytes = *read_file_bytes(path);
    const EpochInfo middle = *find(list_epochs({bytes.data(), bytes.size()}), epochs[1]);
    ASSERT_TRUE(middle.checkpoint);
    bytes[middle.end - 200] ^= 0x40; // inside that manifest's root, past its Level-1 records
    spit(path, bytes);

    const auto listed = list_epochs({bytes.data(), bytes.size()});
    bool reported = false;
    for (const EpochInfo &e : listed)
        reported |= e.damaged && e.offset == middle.offset;
    EXPECT_TRUE(reported);
    auto s = RvfStore::open_readonly(path, OpenOptions{.epoch = epochs[1]});
    ASSERT_FALSE(s);
    EXPECT_NE(s.status(), Status::ManifestNotFound);
    EXPECT_NE(s.error().message.find("damaged"), std::string::npos) << s.error().message;
    // The epochs around it still open with their own rows.
    auto first = RvfStore::open_readonly(path, OpenOptions{.epoch = epochs[0]});
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(*first->count(), 2u);
    auto last = RvfStore::open_readonly(path, OpenOptions{.epoch = epochs[2]});
    ASSERT_TRUE(last) << last.error().message;
    EXPECT_EQ(*last->count(), 6u);
}

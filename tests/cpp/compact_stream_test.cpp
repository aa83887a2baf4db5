// Streaming compaction (issue 16): the rewrite goes to `<file>.compact.tmp` segment by segment,
// the handle adopts the new file from memory (no read-back) with the same state a reopen loads,
// an interrupted rewrite leaves the old file and a working handle, and io_bytes_per_second
// really throttles (a token bucket checked here with a fake clock: no timed asserts).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <sys/stat.h>

#include <rvf/byte_source.hpp>
#include <rvf/io/fault_injection.hpp>
#include <rvf/store.hpp>

#include "../../runtime/src/store/io_throttle.hpp" // internal: the throttle under a fake clock
#include "support/mulberry32.hpp"
#include "support/temp_dir.hpp"

using namespace rvf;
using rvf::store_detail::IoThrottle;

namespace {

constexpr uint16_t kDim = 16;

bool exists(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::vector<uint8_t> slurp(const std::string &path) {
    auto b = read_file_bytes(path);
    EXPECT_TRUE(b.ok()) << path;
    return b.ok() ? *b : std::vector<uint8_t>{};
}

std::vector<float> rows(uint32_t seed, size_t n) {
    test::Mulberry32 r(seed);
    std::vector<float> v(n * kDim);
    for (float &x : v)
        x = static_cast<float>(r.gaussian());
    return v;
}

/// A store with `n` rows (ids 1..n, every third with metadata), every tenth row deleted.
void fill(RvfStore &s, size_t n) {
    std::vector<uint64_t> ids(n);
    std::vector<std::vector<MetadataEntry>> meta(n);
    for (size_t i = 0; i < n; ++i) {
        ids[i] = i + 1;
        if (i % 3 == 0)
            meta[i] = {{1, MetadataValue::u64(i % 7)}};
    }
    const std::vector<float> v = rows(7, n);
    for (size_t at = 0; at < n; at += 500) { // several commits, so there is something to compact
        const size_t m = std::min<size_t>(500, n - at);
        auto r = s.ingest_batch(std::span(ids).subspan(at, m), std::span(v).subspan(at * kDim, m * kDim),
                                std::span(meta).subspan(at, m));
        ASSERT_TRUE(r.ok()) << r.error().to_string();
    }
    std::vector<uint64_t> dead;
    for (size_t i = 0; i < n; i += 10)
        dead.push_back(i + 1);
    ASSERT_TRUE(s.remove(dead).ok());
}

/// Answers that must not change across compaction, reopen and adoption: exact and indexed
/// top-10 for a few queries, a filtered query, and the status counts.
struct Snapshot {
    std::vector<std::vector<Neighbor>> exact, approx, filtered;
    uint64_t live = 0;
    bool operator==(const Snapshot &) const = default;
};

Snapshot snapshot(const RvfStore &s) {
    Snapshot out;
    const std::vector<float> qs = rows(99, 5);
    const FilterExpr f = FilterExpr::eq(1, MetadataValue::u64(3));
    for (size_t i = 0; i < 5; ++i) {
        const std::span<const float> q(qs.data() + i * kDim, kDim);
        QueryOptions ex;
        ex.exact = true;
        out.exact.push_back(*s.query(q, 10, ex));
        out.approx.push_back(*s.query(q, 10));
        QueryOptions fo;
        fo.filter = &f;
        fo.exact = true;
        out.filtered.push_back(*s.query(q, 10, fo));
    }
    out.live = s.status().total_vectors;
    return out;
}

StoreOptions options(IndexMode index = IndexMode::Auto, StorageType storage = StorageType::F32) {
    StoreOptions o;
    o.dimension = kDim;
    o.index = index;
    o.storage = storage;
    o.index_threads = 1; // the same graph every run
    return o;
}

} // namespace

// --- the throttle, under a fake clock ---

TEST(IoThrottle, UnthrottledNeverSleeps) {
    uint64_t now = 0, slept = 0;
    IoThrottle t(0, 0, [&] { return now; }, [&](uint64_t ns) { slept += ns; });
    for (int i = 0; i < 100; ++i)
        t.acquire(1u << 20);
    EXPECT_EQ(slept, 0u);
}

TEST(IoThrottle, WaitsExactlyForTheRate) {
    uint64_t now = 0;
    IoThrottle t(1000, 100, [&] { return now; }, [&](uint64_t ns) { now += ns; });
    t.acquire(1000); // the bucket starts empty: a second's worth of bytes costs a second
    EXPECT_EQ(now, 1'000'000'000u);
    for (int i = 0; i < 4; ++i)
        t.acquire(250);
    EXPECT_EQ(now, 2'000'000'000u);
    EXPECT_EQ(t.slept_ns(), 2'000'000'000u);
}

TEST(IoThrottle, IdleTimeIsCreditedOnlyUpToTheBurst) {
    uint64_t now = 0;
    IoThrottle t(1000, 100, [&] { return now; }, [&](uint64_t ns) { now += ns; });
    t.acquire(1);
    const uint64_t start = now;
    now += 10'000'000'000ull; // ten idle seconds save up only the 100-byte burst
    t.acquire(1100);
    EXPECT_EQ(now - start - 10'000'000'000ull, 1'000'000'000u);
}

TEST(IoThrottle, LongRunRateHoldsForAnyChunkSizes) {
    uint64_t now = 0, total = 0;
    const uint64_t rate = 50'000'000;
    IoThrottle t(rate, 0, [&] { return now; }, [&](uint64_t ns) { now += ns; });
    test::Mulberry32 r(5);
    t.acquire(1);
    total = 1;
    const uint64_t start = now;
    for (int i = 0; i < 2000; ++i) {
        const auto n = static_cast<uint64_t>(r.uniform() * 4'000'000) + 1;
        t.acquire(n);
        total += n;
        now += static_cast<uint64_t>(r.uniform() * 1'000'000); // the write itself takes time too
    }
    // Bytes after the first: never more than rate × elapsed (+ the first call's byte), and no
    // slower than the rate by more than one chunk's worth.
    const double seconds = static_cast<double>(now - start) / 1e9;
    EXPECT_LE(static_cast<double>(total - 1), static_cast<double>(rate) * seconds + 1);
    EXPECT_GE(static_cast<double>(total - 1), static_cast<double>(rate) * seconds - 4'000'000.0 - rate / 1000.0);
}

// --- the store ---

TEST(CompactStream, AdoptedStateMatchesAReopen) {
    for (StorageType st : {StorageType::F32, StorageType::I8}) {
        SCOPED_TRACE(static_cast<int>(st));
        test::TempDir dir("rvf-compact");
        const std::string path = dir.file("a.rvf");
        {
            auto s = RvfStore::create(path, options(IndexMode::Auto, st));
            ASSERT_TRUE(s.ok());
            fill(*s, 3000);
            const Snapshot before = snapshot(*s);
            auto c = s->compact();
            ASSERT_TRUE(c.ok()) << c.error().to_string();
            EXPECT_TRUE(c->complete);
            EXPECT_EQ(c->bytes_written, s->status().file_size);
            EXPECT_FALSE(exists(path + ".compact.tmp") || exists(dir.file("a.compact.tmp")));
            EXPECT_EQ(s->status().deleted_vectors, 0u);
            const Snapshot adopted = snapshot(*s);
            EXPECT_EQ(adopted.exact, before.exact);
            EXPECT_EQ(adopted.filtered, before.filtered);
            EXPECT_EQ(adopted.live, 2700u);
            // The handle keeps writing after the adoption: new rows, a delete, a second compaction.
            const std::vector<float> more = rows(11, 40);
            std::vector<uint64_t> ids(40);
            for (size_t i = 0; i < ids.size(); ++i)
                ids[i] = 10'000 + i;
            ASSERT_TRUE(s->ingest_batch(ids, more).ok());
            const uint64_t gone[] = {2, 10'005};
            ASSERT_TRUE(s->remove(gone).ok());
            const Snapshot after_writes = snapshot(*s);
            const VerifyReport v = s->verify();
            EXPECT_TRUE(v.ok) << (v.problems.empty() ? "" : v.problems[0].what);
            // A reopen of what the adopted handle wrote answers the same.
            ASSERT_TRUE(s->close().ok());
            auto r = RvfStore::open_readonly(path);
            ASSERT_TRUE(r.ok()) << r.error().to_string();
            EXPECT_EQ(snapshot(*r), after_writes);
        }
    }
}

TEST(CompactStream, SecondCompactionAfterAdoptionMatchesAReopenedOne) {
    // The adopted handle (table compacted in place, graph renumbered in memory) and a fresh open
    // of the file it adopted compact to the same bytes, up to the root (which stamps modified_ns).
    test::TempDir dir("rvf-compact");
    const std::string a = dir.file("a.rvf"), b = dir.file("b.rvf");
    StoreOptions o = options();
    o.witness = false;
    auto s = RvfStore::create(a, o);
    ASSERT_TRUE(s.ok());
    fill(*s, 2500);
    ASSERT_TRUE(s->compact().ok());
    {
        const std::vector<uint8_t> bytes = slurp(a);
        FILE *f = std::fopen(b.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fwrite(bytes.data(), 1, bytes.size(), f);
        std::fclose(f);
    }
    auto fresh = RvfStore::open(b);
    ASSERT_TRUE(fresh.ok()) << fresh.error().to_string();
    ASSERT_TRUE(s->compact().ok());
    ASSERT_TRUE(fresh->compact().ok());
    const std::vector<uint8_t> x = slurp(a), y = slurp(b);
    ASSERT_EQ(x.size(), y.size());
    const auto segs = s->segments();
    ASSERT_FALSE(segs.empty());
    const uint64_t manifest = segs.back().offset; // the manifest is the image's last segment
    EXPECT_TRUE(std::equal(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(manifest), y.begin()));
}

TEST(CompactStream, ThrottledRewriteWritesTheSameFile) {
    test::TempDir dir("rvf-compact");
    const std::string a = dir.file("a.rvf"), b = dir.file("b.rvf");
    StoreOptions o = options(IndexMode::Off);
    o.witness = false; // witness entries carry a timestamp
    {
        auto s = RvfStore::create(a, o);
        ASSERT_TRUE(s.ok());
        fill(*s, 2000);
    }
    {
        const std::vector<uint8_t> bytes = slurp(a);
        FILE *f = std::fopen(b.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fwrite(bytes.data(), 1, bytes.size(), f);
        std::fclose(f);
    }
    auto plain = RvfStore::open(a);
    auto slow = RvfStore::open(b);
    ASSERT_TRUE(plain.ok() && slow.ok());
    auto c1 = plain->compact(CompactOptions{});
    // A rate far above this small file's size: the throttle runs, the test does not wait long.
    auto c2 = slow->compact(CompactOptions{.io_bytes_per_second = 64ull << 20});
    ASSERT_TRUE(c1.ok() && c2.ok());
    EXPECT_EQ(c1->bytes_written, c2->bytes_written);
    const std::vector<uint8_t> x = slurp(a), y = slurp(b);
    ASSERT_EQ(x.size(), y.size());
    const uint64_t manifest = plain->segments().back().offset; // the root carries modified_ns
    EXPECT_TRUE(std::equal(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(manifest), y.begin()));
    EXPECT_EQ(snapshot(*plain), snapshot(*slow));
}

TEST(CompactStream, BudgetStopsTheRewriteAndChangesNothing) {
    test::TempDir dir("rvf-compact");
    const std::string path = dir.file("a.rvf");
    auto s = RvfStore::create(path, options(IndexMode::Off));
    ASSERT_TRUE(s.ok());
    fill(*s, 2000);
    const std::vector<uint8_t> image = slurp(path);
    const Snapshot before = snapshot(*s);
    auto c = s->compact(CompactOptions{.io_budget_bytes = 4096});
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    EXPECT_FALSE(c->complete);
    EXPECT_LE(c->bytes_written, 4096u);
    EXPECT_EQ(slurp(path), image);
    EXPECT_FALSE(exists(dir.file("a.compact.tmp")));
    EXPECT_EQ(snapshot(*s), before);
    EXPECT_EQ(s->status().deleted_vectors, 200u);
}

TEST(CompactStream, FailedRewriteMidwayLeavesTheOldFileAndAWorkingHandle) {
    struct Case {
        const char *name;
        io::FaultPlan plan;
    };
    std::vector<Case> cases;
    for (int at : {0, 1, 3}) { // the first VEC segment, a later segment, one after the metadata
        io::FaultPlan p;
        p.fail_write_at = at;
        p.write_kind = io::FaultPlan::Kind::ShortWrite;
        p.short_write_bytes = 100;
        cases.push_back({"short write", p});
        p.write_kind = io::FaultPlan::Kind::NoSpace;
        cases.push_back({"disk full", p});
    }
    io::FaultPlan sync;
    sync.fail_sync_at = 0;
    cases.push_back({"fsync", sync});
    io::FaultPlan rename;
    rename.fail_rename_at = 0;
    cases.push_back({"rename", rename});
    for (const Case &k : cases) {
        SCOPED_TRACE(testing::Message() << k.name << " write " << k.plan.fail_write_at);
        test::TempDir dir("rvf-compact");
        const std::string path = dir.file("a.rvf");
        auto s = RvfStore::create(path, options());
        ASSERT_TRUE(s.ok());
        fill(*s, 3000);
        const std::vector<uint8_t> image = slurp(path);
        const Snapshot before = snapshot(*s);
        io::set_fault_plan(k.plan);
        auto c = s->compact();
        io::clear_fault_plan();
        ASSERT_FALSE(c.ok());
        EXPECT_EQ(slurp(path), image);
        EXPECT_FALSE(exists(dir.file("a.compact.tmp")));
        EXPECT_EQ(snapshot(*s), before);
        // The handle still writes, and the next compaction succeeds.
        const uint64_t id = 77'777;
        const std::vector<float> v = rows(1, 1);
        ASSERT_TRUE(s->ingest_batch({&id, 1}, v).ok());
        auto again = s->compact();
        ASSERT_TRUE(again.ok()) << again.error().to_string();
        EXPECT_EQ(s->status().total_vectors, 2701u);
        ASSERT_TRUE(s->close().ok());
        auto r = RvfStore::open(path);
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        EXPECT_EQ(r->status().total_vectors, 2701u);
    }
}

TEST(CompactStream, InMemoryStoreCompactsInPlace) {
    auto s = RvfStore::create_in_memory(options());
    ASSERT_TRUE(s.ok());
    fill(*s, 2000);
    const Snapshot before = snapshot(*s);
    auto c = s->compact(CompactOptions{.io_bytes_per_second = 256ull << 20});
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    EXPECT_EQ(c->bytes_written, s->to_bytes().size());
    EXPECT_EQ(snapshot(*s).exact, before.exact);
    auto copy = RvfStore::from_bytes(s->to_bytes());
    ASSERT_TRUE(copy.ok()) << copy.error().to_string();
    EXPECT_EQ(snapshot(*copy), snapshot(*s));
}

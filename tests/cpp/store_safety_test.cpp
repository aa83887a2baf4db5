// Committed data is never lost or silently rolled back (issue 14 #1, #2, #3, #9):
//   * a damaged commit that was written to its end is reported by verify and refused by writers,
//     unlike a torn tail (a bit-flip campaign over the newest commit's records, every flip);
//   * a foreign append (a second writer that ignored the lock) stops our writer before its first
//     byte instead of interleaving two histories;
//   * create never leaves a file without a commit at the path, and resolves older litter;
//   * verify checks what a re-hash cannot hide: the root's vector count and directory counts.
#include <gtest/gtest.h>

#include <filesystem>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/manifest_l0.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/file_report.hpp>
#include <rvf/hash.hpp>
#include <rvf/io/fault_injection.hpp>
#include <rvf/core/format/commit_record.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

std::vector<uint8_t> slurp(const std::string &path) {
    auto b = read_file_bytes(path);
    EXPECT_TRUE(b.ok()) << path;
    return b.ok() ? *b : std::vector<uint8_t>{};
}

void spit(const std::string &path, const std::vector<uint8_t> &data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
}

/// True when some problem's text contains `text`.
bool names(const std::vector<Problem> &problems, const std::string &text) {
    for (const Problem &p : problems)
        if (p.what.find(text) != std::string::npos)
            return true;
    return false;
}

bool exists(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

/// A store of `batches` one-row commits (dimension 4), no index, no witness-free shortcuts:
/// closed (it ends with close()'s checkpoint), or as a writer killed before close() leaves it
/// (it ends with the last commit's COMMIT record).
void make_store(const std::string &path, int batches, bool closed = true) {
    std::vector<uint8_t> killed;
    {
        auto s = RvfStore::create(path, {.dimension = 4, .index = IndexMode::Off});
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        for (int i = 0; i < batches; ++i) {
            const uint64_t id = static_cast<uint64_t>(i + 1);
            const float row[] = {float(i), 1, 2, 3};
            ASSERT_TRUE(s->ingest_batch({&id, 1}, row).ok());
        }
        killed = slurp(path);
        ASSERT_TRUE(s->close().ok());
    }
    if (!closed)
        spit(path, killed);
}

/// [start, end) of the newest commit: from the end of the link before it (a manifest or a COMMIT
/// record) to the file end.
std::pair<uint64_t, uint64_t> newest_commit(const std::vector<uint8_t> &file) {
    const FileReport rep = inspect_file(core::ByteView(file.data(), file.size()));
    EXPECT_TRUE(rep.manifest.has_value());
    std::vector<uint64_t> link_ends;
    for (const SegmentRecord &r : rep.segments)
        if (r.header.seg_type == static_cast<uint8_t>(core::SegType::Manifest) ||
            r.header.seg_type == core::kCommitSegType)
            link_ends.push_back(r.offset + core::kSegmentHeaderSize + r.header.payload_length + r.header.alignment_pad);
    EXPECT_GE(link_ends.size(), 2u);
    return {link_ends.size() >= 2 ? link_ends[link_ends.size() - 2] : 0, file.size()};
}

/// Re-hash a Layout S segment's payload after an edit (what a careful attacker or a buggy
/// writer would do), so only semantic checks can catch the edit.
void rehash_segment(std::vector<uint8_t> &file, uint64_t off) {
    core::SegmentHeader h;
    ASSERT_EQ(core::decode_segment_header_raw(core::ByteView(file.data() + off, 64), h), core::Status::Ok);
    uint8_t hash[16];
    ASSERT_EQ(content_hash(Layout::S, h.checksum_algo,
                           core::ByteView(file.data() + off + 64, static_cast<size_t>(h.payload_length)), hash),
              core::Status::Ok);
    std::memcpy(h.content_hash, hash, 16);
    core::encode_segment_header(h, file.data() + off);
}

class StoreSafety : public ::testing::Test {
protected:
    test::TempDir dir;
    std::string path = dir.file("s.rvf");
};

} // namespace

TEST_F(StoreSafety, DamagedNewestCommitIsReportedNeverRolledBack) {
    make_store(path, 3, /*closed=*/false);
    const std::vector<uint8_t> good = slurp(path);
    const auto [start, end] = newest_commit(good);
    ASSERT_LT(start, end);
    // One flip in the newest commit's COMMIT record (not its header): the commit is complete.
    std::vector<uint8_t> bad = good;
    bad[end - 100] ^= 0x10;
    spit(path, bad);

    // Verify names it and fails.
    const VerifyReport v = verify_file(path);
    EXPECT_FALSE(v.ok);
    EXPECT_TRUE(names(v.problems, "damaged commit"));

    // A writer refuses, and the file is left exactly as it was (the old code truncated it).
    auto w = RvfStore::open(path);
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message.find("read-only"), std::string::npos) << w.error().message;
    EXPECT_EQ(slurp(path), bad);

    // A reader falls back to the last intact epoch and says so.
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(r->status().total_vectors, 2u);
    ASSERT_FALSE(r->status().warnings.empty());
    bool warned = false;
    for (const std::string &m : r->status().warnings)
        warned = warned || m.find("damaged commit") != std::string::npos;
    EXPECT_TRUE(warned);
}

TEST_F(StoreSafety, TornTailIsStillDroppedByAWriter) {
    make_store(path, 2);
    const std::vector<uint8_t> good = slurp(path);
    // A crash while appending the next commit: part of a segment, cut at every kind of point.
    for (size_t cut : {size_t{1}, size_t{63}, size_t{64}, size_t{100}, size_t{4096}}) {
        SCOPED_TRACE(cut);
        std::vector<uint8_t> torn = good;
        std::vector<uint8_t> next(good.end() - static_cast<std::ptrdiff_t>(4224), good.end()); // a manifest's bytes
        torn.insert(torn.end(), next.begin(), next.begin() + static_cast<std::ptrdiff_t>(std::min(cut, next.size() - 1)));
        spit(path, torn);
        const VerifyReport v = verify_file(path);
        EXPECT_TRUE(v.ok) << (v.problems.empty() ? "" : v.problems.front().what);
        auto w = RvfStore::open(path);
        ASSERT_TRUE(w.ok()) << w.error().to_string();
        EXPECT_EQ(w->status().total_vectors, 2u);
        ASSERT_TRUE(w->close().ok());
        EXPECT_TRUE(verify_file(path).ok); // the tail was dropped and the close committed
    }
}

// Every bit of the newest commit is flipped once, on its own: in a closed store that is close()'s
// checkpoint (header, Level-1 records, root, padding); in a store whose writer was killed, the
// last commit's VEC and WITNESS segments and its COMMIT record. Each flip must be reported by
// verify, must keep a writer out without changing a byte, and must never give a silent reader.
TEST_F(StoreSafety, BitFlipCampaignOverTheNewestCommitIsAlwaysReported) {
    for (const bool closed : {true, false}) {
        SCOPED_TRACE(closed ? "closed store" : "killed writer");
        make_store(path, 3, closed);
        const std::vector<uint8_t> good = slurp(path);
        const auto [start, end] = newest_commit(good);
        const size_t stride = std::getenv("RVF_FLIP_FULL") ? 1 : 3; // every third bit by default
        size_t flips = 0, reported = 0, writer_refused = 0, silent_readers = 0;
        std::vector<uint8_t> bad = good;
        for (uint64_t bit = 0; bit < (end - start) * 8; bit += stride) {
            const uint64_t at = start + bit / 8;
            const uint8_t mask = static_cast<uint8_t>(1u << (bit % 8));
            bad[at] ^= mask;
            ++flips;
            const VerifyReport v = verify_bytes({bad.data(), bad.size()});
            reported += v.ok ? 0 : 1;
            if (v.ok)
                ADD_FAILURE() << "flip at byte " << at << " bit " << bit % 8 << " not reported";
            // Writers and readers, over every 16th flip (each opens a file).
            if (flips % 16 == 1) {
                spit(path, bad);
                {
                    auto w = RvfStore::open(path);
                    writer_refused += w.ok() ? 0 : 1;
                    if (w.ok())
                        ADD_FAILURE() << "writer opened over a flip at byte " << at;
                }
                if (slurp(path) != bad)
                    ADD_FAILURE() << "the file changed after a refused writer open (byte " << at << ")";
                auto r = RvfStore::open_readonly(path);
                if (r.ok() && r->status().warnings.empty()) {
                    ++silent_readers;
                    ADD_FAILURE() << "a reader opened a damaged file without a warning (byte " << at << ")";
                }
            }
            bad[at] ^= mask;
        }
        std::printf("bit-flip campaign (%s): %zu flips over bytes [%llu, %llu), %zu reported by verify (%.1f %%), "
                    "%zu writer opens refused, %zu silent readers\n",
                    closed ? "closed store" : "killed writer", flips, static_cast<unsigned long long>(start),
                    static_cast<unsigned long long>(end), reported, 100.0 * double(reported) / double(flips),
                    writer_refused, silent_readers);
        EXPECT_EQ(reported, flips);
        std::filesystem::remove(path);
        std::filesystem::remove(path + ".lock");
    }
}

TEST_F(StoreSafety, ForeignAppendStopsTheWriterBeforeItWrites) {
    make_store(path, 1);
    auto s = RvfStore::open(path);
    ASSERT_TRUE(s.ok());
    // Another process appends (say a writer on a host that took the lock by its record alone).
    std::vector<uint8_t> foreign(128, 0xEE);
    {
        const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::write(fd, foreign.data(), foreign.size()), 128);
        ::close(fd);
    }
    const std::vector<uint8_t> before = slurp(path);
    const uint64_t id = 9;
    const float row[] = {9, 9, 9, 9};
    auto r = s->ingest_batch({&id, 1}, row);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::FileChanged) << r.error().to_string();
    EXPECT_NE(r.error().message.find("reopen"), std::string::npos) << r.error().message;
    EXPECT_EQ(slurp(path), before); // not one byte written, not one byte cut
}

TEST_F(StoreSafety, ReplacedFileStopsTheWriter) {
    make_store(path, 1);
    auto s = RvfStore::open(path);
    ASSERT_TRUE(s.ok());
    const std::vector<uint8_t> image = slurp(path);
    const std::string other = dir.file("other.rvf");
    spit(other, image);
    ASSERT_EQ(::rename(other.c_str(), path.c_str()), 0); // someone else's compaction
    const uint64_t id = 9;
    const float row[] = {9, 9, 9, 9};
    auto r = s->ingest_batch({&id, 1}, row);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::FileChanged);
    EXPECT_EQ(slurp(path), image);
}

TEST_F(StoreSafety, KilledCreateNeverLeavesAFileWithoutACommit) {
#ifdef __EMSCRIPTEN__
    GTEST_SKIP() << "needs fork()";
#else
    // Kill the creating process inside each write it makes (the first commit's data segments
    // and its manifest), at a few cut points.
    for (int write_at : {0, 1}) {
        for (size_t bytes : {size_t{0}, size_t{64}, size_t{192}, size_t{5000}}) {
            SCOPED_TRACE(testing::Message() << "write " << write_at << " cut " << bytes);
            const pid_t pid = ::fork();
            ASSERT_GE(pid, 0);
            if (pid == 0) {
                io::FaultPlan p;
                p.fail_write_at = write_at;
                p.write_kind = io::FaultPlan::Kind::Crash;
                p.short_write_bytes = bytes;
                io::set_fault_plan(p);
                auto s = RvfStore::create(path, {.dimension = 4});
                ::_exit(s.ok() ? 0 : 1);
            }
            int st = 0;
            ::waitpid(pid, &st, 0);
            ASSERT_TRUE(WIFEXITED(st));
            ASSERT_EQ(WEXITSTATUS(st), io::kFaultCrashExitCode);
            EXPECT_FALSE(exists(path)) << "a file without a commit is at the store's path";
            // Both create and open resolve what the kill left (staging file, lock record).
            auto again = RvfStore::create(path, {.dimension = 4});
            ASSERT_TRUE(again.ok()) << again.error().to_string();
            ASSERT_TRUE(again->close().ok());
            EXPECT_FALSE(exists(path + ".create.tmp"));
            auto reopened = RvfStore::open(path);
            ASSERT_TRUE(reopened.ok()) << reopened.error().to_string();
            ASSERT_TRUE(reopened->close().ok());
            ::unlink(path.c_str());
        }
    }
#endif
}

TEST_F(StoreSafety, LitterOfOlderInterruptedCreatesIsResolved) {
    make_store(path, 0);
    const std::vector<uint8_t> image = slurp(path);
    ::unlink(path.c_str());
    // What a kill during create left before creates were atomic: 0 bytes, or 192 bytes of the
    // first segment, and no manifest.
    for (size_t n : {size_t{0}, size_t{192}}) {
        SCOPED_TRACE(n);
        spit(path, std::vector<uint8_t>(image.begin(), image.begin() + static_cast<std::ptrdiff_t>(n)));
        auto o = RvfStore::open(path);
        ASSERT_FALSE(o.ok());
        // The format's verdict (cut segment, or no manifest), with what to do about it.
        EXPECT_TRUE(o.status() == Status::TruncatedSegment || o.status() == Status::ManifestNotFound)
            << o.error().to_string();
        EXPECT_NE(o.error().message.find("interrupted"), std::string::npos) << o.error().message;
        EXPECT_NE(o.error().message.find("Create the store again"), std::string::npos) << o.error().message;
        auto c = RvfStore::create(path, {.dimension = 4});
        ASSERT_TRUE(c.ok()) << c.error().to_string();
        ASSERT_TRUE(c->close().ok());
        EXPECT_TRUE(verify_file(path).ok);
        ::unlink(path.c_str());
    }
    // A real store, or any file that is not ours, is never replaced: FileExists, not FsyncFailed.
    make_store(path, 1);
    const std::vector<uint8_t> store = slurp(path);
    auto over_store = RvfStore::create(path, {.dimension = 4});
    EXPECT_EQ(over_store.status(), Status::FileExists);
    EXPECT_EQ(slurp(path), store);
    const std::string text = dir.file("notes.rvf");
    spit(text, {'h', 'e', 'l', 'l', 'o'});
    EXPECT_EQ(RvfStore::create(text, {.dimension = 4}).status(), Status::FileExists);
    EXPECT_EQ(slurp(text).size(), 5u);
}

TEST_F(StoreSafety, VerifyChecksWhatARehashCannotHide) {
    make_store(path, 3);
    const std::vector<uint8_t> good = slurp(path);
    const FileReport rep = inspect_file(core::ByteView(good.data(), good.size()));
    ASSERT_TRUE(rep.manifest);
    const uint64_t moff = rep.manifest->offset;
    core::SegmentHeader mh;
    ASSERT_EQ(core::decode_segment_header_raw(core::ByteView(good.data() + moff, 64), mh), core::Status::Ok);
    const uint64_t root = moff + 64 + mh.payload_length - core::kRootManifestSize;

    // Root total_vector_count = 2^63 - 1, root CRC and segment hash recomputed.
    {
        std::vector<uint8_t> bad = good;
        core::store_u64_le(bad.data() + root + core::l0_off::total_vector_count, (uint64_t{1} << 63) - 1);
        core::store_u32_le(bad.data() + root + core::l0_off::root_checksum,
                           core::manifest_l0_checksum(bad.data() + root));
        rehash_segment(bad, moff);
        spit(path, bad);
        const VerifyReport v = verify_file(path);
        EXPECT_FALSE(v.ok);
        EXPECT_TRUE(names(v.problems, "counts 9223372036854775807 vectors"));
    }
    // A directory entry's block_count = 0xFFFFFFFF (found by the content hash it carries).
    {
        std::vector<uint8_t> bad = good;
        const DirectoryEntry &d = rep.manifest->directory.front();
        size_t entry = 0;
        for (size_t i = moff + 64; i + 16 <= root; ++i)
            if (std::memcmp(bad.data() + i, d.content_hash, 16) == 0) {
                entry = i - 0x30;
                break;
            }
        ASSERT_NE(entry, 0u);
        core::store_u32_le(bad.data() + entry + 0x2C, 0xFFFFFFFFu);
        rehash_segment(bad, moff);
        spit(path, bad);
        const VerifyReport v = verify_file(path);
        EXPECT_FALSE(v.ok);
        EXPECT_TRUE(names(v.problems, "4294967295 blocks"));
    }
}

// Every commit record of the file, not just the newest: data segments, witnesses and the
// manifests of earlier commits. A flip anywhere must be reported by verify_bytes (sampled every
// 29th bit by default; RVF_FLIP_FULL=1 flips every bit).
TEST_F(StoreSafety, BitFlipCampaignOverEveryCommitRecordIsAlwaysReported) {
    make_store(path, 4);
    const std::vector<uint8_t> good = slurp(path);
    ASSERT_TRUE(verify_bytes({good.data(), good.size()}).ok);
    const size_t stride = std::getenv("RVF_FLIP_FULL") ? 1 : 29;
    size_t flips = 0, reported = 0;
    std::vector<uint8_t> bad = good;
    for (uint64_t bit = 0; bit < good.size() * 8; bit += stride) {
        const uint64_t at = bit / 8;
        const uint8_t mask = static_cast<uint8_t>(1u << (bit % 8));
        bad[at] ^= mask;
        ++flips;
        if (!verify_bytes({bad.data(), bad.size()}).ok)
            ++reported;
        else
            ADD_FAILURE() << "flip at byte " << at << " bit " << bit % 8 << " not reported";
        bad[at] ^= mask;
    }
    std::printf("bit-flip campaign over the whole file (%zu bytes, %d commits): %zu flips, %zu reported (%.1f %%)\n",
                good.size(), 4 + 2, flips, reported, 100.0 * double(reported) / double(flips));
    EXPECT_EQ(reported, flips);
}

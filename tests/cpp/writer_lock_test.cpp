// Writer lock file (spec §11): the record on disk, exclusive acquisition, every stale rule with
// backdated records (same host + dead pid, other host, invalid files), ownership-checked release,
// and a multi-process race with exactly one winner.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/lock_file.hpp>
#include <rvf/core/hash/crc32.hpp>
#include <rvf/io/writer_lock.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;
using namespace rvf::io;

namespace {

constexpr uint64_t kSec = 1'000'000'000ull;

using TempDir = test::TempDir;

uint64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * kSec + static_cast<uint64_t>(ts.tv_nsec);
}

bool exists(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

std::vector<uint8_t> bytes_of(const std::string &path) {
    auto b = read_file_bytes(path);
    EXPECT_TRUE(b.ok()) << path;
    return b.ok() ? *b : std::vector<uint8_t>{};
}

void write_raw(const std::string &path, const std::vector<uint8_t> &data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
}

std::vector<uint8_t> record(uint32_t pid, const std::string &host, uint64_t ts, uint8_t id_fill = 0xAB) {
    core::LockRecord r;
    r.pid = pid;
    r.set_hostname(host.data(), host.size());
    r.timestamp_ns = ts;
    for (auto &b : r.writer_id)
        b = id_fill;
    std::vector<uint8_t> out(core::kLockFileSize);
    core::encode_lock_file(r, out.data());
    return out;
}

// A pid that certainly belonged to a process and no longer does: a reaped child.
uint32_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0)
        ::_exit(0);
    int st = 0;
    EXPECT_EQ(::waitpid(pid, &st, 0), pid);
    return static_cast<uint32_t>(pid);
}

// Emscripten has no fork() and no process table (every pid counts as alive there).
#ifdef __EMSCRIPTEN__
#define RVF_NEEDS_PROCESSES() GTEST_SKIP() << "needs fork() and kill()"
#else
#define RVF_NEEDS_PROCESSES() (void)0
#endif

class WriterLockTest : public ::testing::Test {
protected:
    TempDir dir;
    std::string rvf = dir.file("data.rvf");
    std::string lock = dir.file("data.rvf.lock");
};

} // namespace

TEST_F(WriterLockTest, AcquireReleaseReacquire) {
    EXPECT_EQ(lock_path_for(rvf), lock);
    auto l = WriterLock::acquire(rvf);
    ASSERT_TRUE(l.ok()) << l.error().to_string();
    EXPECT_TRUE(l->held());
    EXPECT_EQ(l->path(), lock);
    EXPECT_TRUE(l->still_owned());
    EXPECT_EQ(bytes_of(lock).size(), core::kLockFileSize);

    l->release();
    EXPECT_FALSE(l->held());
    EXPECT_FALSE(exists(lock));
    l->release(); // idempotent
    EXPECT_FALSE(exists(lock));

    auto again = WriterLock::acquire(rvf);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_NE(again->writer_id(), l->writer_id()); // fresh random id per holder
    // Nothing but the lock itself is left in the directory (the link staging file is gone).
    size_t entries = 0;
    for (const auto &e : std::filesystem::directory_iterator(dir.path)) {
        (void)e;
        ++entries;
    }
    EXPECT_EQ(entries, 1u);
}

TEST_F(WriterLockTest, RecordDecodesWithCodecAndCrc32Verifies) {
    const uint64_t before = now_ns();
    auto l = WriterLock::acquire(rvf);
    ASSERT_TRUE(l.ok()) << l.error().to_string();
    const uint64_t after = now_ns();

    const std::vector<uint8_t> b = bytes_of(lock);
    ASSERT_EQ(b.size(), 104u);
    EXPECT_EQ(0, std::memcmp(b.data(), "FLVR", 4));
    core::LockRecord rec;
    ASSERT_EQ(core::decode_lock_file({b.data(), b.size()}, rec), core::Status::Ok);
    EXPECT_EQ(rec.pid, static_cast<uint32_t>(::getpid()));
    const std::string host = local_hostname();
    EXPECT_TRUE(rec.hostname_equals(host.data(), std::min<size_t>(host.size(), 62)));
    EXPECT_GE(rec.timestamp_ns, before);
    EXPECT_LE(rec.timestamp_ns, after);
    EXPECT_EQ(0, std::memcmp(rec.writer_id, l->writer_id().data(), 16));
    EXPECT_NE(l->writer_id(), (std::array<uint8_t, 16>{})); // random, not zero
#ifdef __EMSCRIPTEN__
    EXPECT_FALSE(l->os_locked()); // no fcntl/flock under Emscripten: a record-only lock
    EXPECT_EQ(rec.lock_version, core::kLockVersion);
#else
    EXPECT_TRUE(l->os_locked()); // backed by an OS lock on every local file system here
    EXPECT_EQ(rec.lock_version, core::kLockVersionOsLocked);
#endif
    EXPECT_EQ(core::load_u32_le(b.data() + 0x64), core::crc32_ieee({b.data(), 100}));
}

TEST_F(WriterLockTest, SecondAcquireIsLockHeldNamingTheHolder) {
    auto first = WriterLock::acquire(rvf);
    ASSERT_TRUE(first.ok());
    const std::vector<uint8_t> before = bytes_of(lock);
    auto second = WriterLock::acquire(rvf);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status(), Status::LockHeld);
    const std::string &msg = second.error().message;
    EXPECT_NE(msg.find("pid " + std::to_string(::getpid())), std::string::npos) << msg;
    EXPECT_NE(msg.find(local_hostname().substr(0, 62)), std::string::npos) << msg;
    EXPECT_EQ(bytes_of(lock), before); // the holder's record is untouched
    EXPECT_TRUE(first->still_owned());
}

TEST_F(WriterLockTest, DestructorAndMovesReleaseExactlyOnce) {
    {
        auto l = WriterLock::acquire(rvf);
        ASSERT_TRUE(l.ok());
        WriterLock moved = std::move(*l);
        EXPECT_FALSE(l->held());
        EXPECT_TRUE(moved.held());
        l->release(); // moved-from: must not delete the lock
        EXPECT_TRUE(exists(lock));

        const std::string other_rvf = dir.file("other.rvf");
        auto other = WriterLock::acquire(other_rvf);
        ASSERT_TRUE(other.ok());
        *other = std::move(moved); // releases other.rvf.lock, takes data.rvf.lock
        EXPECT_FALSE(exists(lock_path_for(other_rvf)));
        EXPECT_TRUE(exists(lock));
        EXPECT_EQ(other->path(), lock);
    }
    EXPECT_FALSE(exists(lock)); // destructor released it
}

TEST_F(WriterLockTest, SameHostDeadPidIsTakenOverAtOnce) {
    RVF_NEEDS_PROCESSES();
    // Regression (issue 14 #4): a crashed writer's lock blocked restarts for 30 s.
    const uint32_t pid = dead_pid();
    const std::string host = local_hostname();
    write_raw(lock, record(pid, host, now_ns()));
    auto taken = WriterLock::acquire(rvf);
    ASSERT_TRUE(taken.ok()) << taken.error().to_string();
    core::LockRecord rec;
    const auto b = bytes_of(lock);
    ASSERT_EQ(core::decode_lock_file({b.data(), b.size()}, rec), core::Status::Ok);
    EXPECT_EQ(rec.pid, static_cast<uint32_t>(::getpid()));
    taken->release();

    // An injected same-host threshold still applies, and the message says when it expires.
    LockPolicy slow;
    slow.same_host_stale_ns = 60 * kSec;
    write_raw(lock, record(pid, host, now_ns() - 5 * kSec));
    auto held = WriterLock::acquire(rvf, slow);
    ASSERT_EQ(held.status(), Status::LockHeld);
    EXPECT_NE(held.error().message.find("not running"), std::string::npos) << held.error().message;
    EXPECT_NE(held.error().message.find("stale in 5"), std::string::npos) << held.error().message;
}

TEST_F(WriterLockTest, SameHostLivePidIsNeverStale) {
    const std::string host = local_hostname();
    write_raw(lock, record(static_cast<uint32_t>(::getpid()), host, now_ns() - 3600 * kSec));
    EXPECT_EQ(WriterLock::acquire(rvf).status(), Status::LockHeld);
    // pid 1 always exists; kill() answers 0 (root) or EPERM (others): alive either way.
    write_raw(lock, record(1, host, now_ns() - 3600 * kSec));
    EXPECT_EQ(WriterLock::acquire(rvf).status(), Status::LockHeld);
    EXPECT_TRUE(exists(lock));
}

TEST_F(WriterLockTest, OtherHostIsStaleOnlyAfterItsOwnThreshold) {
    const std::string other = "rvf-test-some-other-host";
    ASSERT_NE(other, local_hostname());
    // Our own (live) pid: for another host the pid is never checked, only the age.
    const uint32_t pid = static_cast<uint32_t>(::getpid());

    write_raw(lock, record(pid, other, now_ns() - 200 * kSec));
    auto held = WriterLock::acquire(rvf);
    EXPECT_EQ(held.status(), Status::LockHeld);
    EXPECT_NE(held.error().message.find(other), std::string::npos) << held.error().message;
    EXPECT_NE(held.error().message.find("another host"), std::string::npos) << held.error().message;

    write_raw(lock, record(pid, other, now_ns() - 301 * kSec));
    auto taken = WriterLock::acquire(rvf);
    ASSERT_TRUE(taken.ok()) << taken.error().to_string();
    taken->release();

    LockPolicy p;
    p.other_host_stale_ns = 10 * kSec;
    write_raw(lock, record(static_cast<uint32_t>(::getpid()), other, now_ns() - 5 * kSec));
    EXPECT_EQ(WriterLock::acquire(rvf, p).status(), Status::LockHeld);
    write_raw(lock, record(static_cast<uint32_t>(::getpid()), other, now_ns() - 11 * kSec));
    EXPECT_TRUE(WriterLock::acquire(rvf, p).ok());
}

TEST_F(WriterLockTest, ShortOrBadMagicLockIsReplaced) {
    LockPolicy no_pause;
    no_pause.invalid_recent_ns = 0;
    for (const std::vector<uint8_t> &junk : {std::vector<uint8_t>{}, std::vector<uint8_t>(10, 0x46),
                                             std::vector<uint8_t>(103, 0), std::vector<uint8_t>(104, 0x00)}) {
        SCOPED_TRACE(junk.size());
        write_raw(lock, junk);
        auto l = WriterLock::acquire(rvf, no_pause);
        ASSERT_TRUE(l.ok()) << l.error().to_string();
        EXPECT_TRUE(l->still_owned());
    }
    // With the default policy a young invalid lock is re-read once, then replaced all the same.
    std::vector<uint8_t> bad = record(static_cast<uint32_t>(::getpid()), local_hostname(), now_ns());
    bad[0] ^= 0xFF; // magic
    write_raw(lock, bad);
    auto l = WriterLock::acquire(rvf);
    ASSERT_TRUE(l.ok()) << l.error().to_string();
}

TEST_F(WriterLockTest, InvalidLockThatBecomesValidDuringRecheckIsHonoured) {
    RVF_NEEDS_PROCESSES(); // and threads
    // An upstream writer creates the file, then writes it: a reader in between sees 0 bytes.
    write_raw(lock, {});
    const std::vector<uint8_t> live = record(static_cast<uint32_t>(::getpid()), local_hostname(), now_ns());
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const int fd = ::open(lock.c_str(), O_WRONLY);
        if (fd >= 0) {
            (void)!::write(fd, live.data(), live.size());
            ::close(fd);
        }
    });
    LockPolicy p;
    p.invalid_recheck_ms = 400;
    auto l = WriterLock::acquire(rvf, p);
    writer.join();
    EXPECT_EQ(l.status(), Status::LockHeld);
    EXPECT_EQ(bytes_of(lock), live);
}

TEST_F(WriterLockTest, BadChecksumDoesNotMakeALiveLockStale) {
    // Upstream never verifies the checksum, and a spec-reading writer would use CRC32C: only
    // pid/host/age decide.
    std::vector<uint8_t> b = record(static_cast<uint32_t>(::getpid()), local_hostname(), now_ns());
    b[0x64] ^= 0x5A;
    write_raw(lock, b);
    EXPECT_EQ(WriterLock::acquire(rvf).status(), Status::LockHeld);
    EXPECT_EQ(bytes_of(lock), b);
}

TEST_F(WriterLockTest, ReleaseLeavesSomeoneElsesLock) {
    auto l = WriterLock::acquire(rvf);
    ASSERT_TRUE(l.ok());
    // Another writer broke our lock and took it: its record carries a different writer_id.
    const std::vector<uint8_t> theirs = record(4242, "their-host", now_ns(), 0x11);
    write_raw(lock, theirs);
    EXPECT_FALSE(l->still_owned());
    l->release();
    EXPECT_FALSE(l->held());
    ASSERT_TRUE(exists(lock));
    EXPECT_EQ(bytes_of(lock), theirs);
}

TEST_F(WriterLockTest, LongHostnameComparedAsStored) {
    RVF_NEEDS_PROCESSES();
    // A 70-byte hostname is stored as its first 62 bytes; a dead same-host lock written with that
    // truncated name must get the pid check (stale after 30 s), not the 300 s other-host rule.
    const char *saved = std::getenv("HOSTNAME");
    const std::string saved_value = saved ? saved : "";
    const std::string longname(70, 'h');
    ::setenv("HOSTNAME", longname.c_str(), 1);
    EXPECT_EQ(local_hostname(), longname);

    write_raw(lock, record(dead_pid(), longname, now_ns() - 60 * kSec));
    auto l = WriterLock::acquire(rvf);
    EXPECT_TRUE(l.ok()) << l.error().to_string();
    if (l.ok()) {
        core::LockRecord rec;
        const auto b = bytes_of(lock);
        ASSERT_EQ(core::decode_lock_file({b.data(), b.size()}, rec), core::Status::Ok);
        EXPECT_EQ(rec.hostname_len(), 62u);
        l->release();
    }
    if (saved)
        ::setenv("HOSTNAME", saved_value.c_str(), 1);
    else
        ::unsetenv("HOSTNAME");
}

TEST_F(WriterLockTest, ConcurrentProcessesExactlyOneWins) {
    RVF_NEEDS_PROCESSES();
    constexpr int kProcs = 6;
    int go[2], results[2], done[2];
    ASSERT_EQ(::pipe(go), 0);
    ASSERT_EQ(::pipe(results), 0);
    ASSERT_EQ(::pipe(done), 0);
    std::vector<pid_t> kids;
    for (int i = 0; i < kProcs; ++i) {
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(go[1]);
            ::close(results[0]);
            ::close(done[1]);
            char c;
            (void)!::read(go[0], &c, 1); // returns 0 when the parent closes the pipe: start together
            auto l = WriterLock::acquire(rvf);
            const char verdict = l.ok() ? 'W' : (l.status() == Status::LockHeld ? 'H' : 'E');
            (void)!::write(results[1], &verdict, 1);
            (void)!::read(done[0], &c, 1); // hold the lock until every process has tried
            if (l.ok())
                l->release();
            ::_exit(0);
        }
        kids.push_back(pid);
    }
    ::close(go[0]);
    ::close(results[1]);
    ::close(done[0]);
    ::close(go[1]); // go
    std::string verdicts;
    char c;
    while (verdicts.size() < kProcs && ::read(results[0], &c, 1) == 1)
        verdicts += c;
    ::close(done[1]);
    for (pid_t k : kids)
        ::waitpid(k, nullptr, 0);
    ::close(results[0]);
    ASSERT_EQ(verdicts.size(), static_cast<size_t>(kProcs)) << verdicts;
    EXPECT_EQ(std::count(verdicts.begin(), verdicts.end(), 'W'), 1) << verdicts;
    EXPECT_EQ(std::count(verdicts.begin(), verdicts.end(), 'H'), kProcs - 1) << verdicts;
    EXPECT_FALSE(exists(lock)); // the winner released it
}

// DurableFile, atomic_replace, compaction temp handling and fault injection (spec §10.2, §3.8).
// Every injected fault must surface its own Status and leave the file exactly at its size before
// the failed call; the RVF_FAULT_PLAN environment path is checked in real child processes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rvf/byte_source.hpp>
#include <rvf/io/durable_file.hpp>
#include <rvf/io/fault_injection.hpp>

#include "support/temp_dir.hpp"

extern char **environ;

using namespace rvf;
using namespace rvf::io;

namespace {

using TempDir = test::TempDir;

core::ByteView view(const std::string &s) { return {reinterpret_cast<const uint8_t *>(s.data()), s.size()}; }

std::string contents(const std::string &path) {
    auto b = read_file_bytes(path);
    EXPECT_TRUE(b.ok()) << path;
    return b.ok() ? std::string(b->begin(), b->end()) : std::string("<unreadable>");
}

uint64_t disk_size(const std::string &path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return static_cast<uint64_t>(st.st_size);
}

bool exists(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

void write_plain(const std::string &path, const std::string &data) {
    auto f = DurableFile::create_new(path);
    ASSERT_TRUE(f.ok()) << f.error().to_string();
    ASSERT_TRUE(f->append(view(data)).ok());
    ASSERT_TRUE(f->sync().ok());
}

class DurableFileTest : public ::testing::Test {
protected:
    void TearDown() override { clear_fault_plan(); }
    TempDir dir;
};

} // namespace

TEST_F(DurableFileTest, AppendReadSizeTruncateAndReopen) {
    const std::string p = dir.file("a.rvf");
    {
        auto f = DurableFile::create_new(p);
        ASSERT_TRUE(f.ok()) << f.error().to_string();
        EXPECT_TRUE(f->is_open());
        EXPECT_EQ(f->size(), 0u);
        EXPECT_EQ(f->path(), p);
        ASSERT_TRUE(f->append(view("hello")).ok());
        ASSERT_TRUE(f->append(view(" world")).ok());
        ASSERT_TRUE(f->append(core::ByteView{}).ok()); // empty append is a no-op
        EXPECT_EQ(f->size(), 11u);
        EXPECT_EQ(disk_size(p), 11u);
        ASSERT_TRUE(f->sync().ok());

        auto all = f->read_at(0, 11);
        ASSERT_TRUE(all.ok());
        EXPECT_EQ(std::string(all->begin(), all->end()), "hello world");
        auto tail = f->read_at(6, 5);
        ASSERT_TRUE(tail.ok());
        EXPECT_EQ(std::string(tail->begin(), tail->end()), "world");

        ASSERT_TRUE(f->truncate(5).ok());
        EXPECT_EQ(f->size(), 5u);
        EXPECT_EQ(disk_size(p), 5u);
        EXPECT_EQ(f->truncate(6).status(), Status::InvalidArgument); // never grows
        ASSERT_TRUE(f->append(view("!")).ok());                      // appends at the new end
        ASSERT_TRUE(f->sync().ok());
    }
    EXPECT_EQ(contents(p), "hello!");

    auto g = DurableFile::open_existing(p);
    ASSERT_TRUE(g.ok()) << g.error().to_string();
    EXPECT_EQ(g->size(), 6u);
    ASSERT_TRUE(g->append(view("?")).ok());
    g->close();
    EXPECT_EQ(contents(p), "hello!?");
}

TEST_F(DurableFileTest, CreateNewOnExistingPathFailsTypedAndKeepsFile) {
    const std::string p = dir.file("exists.rvf");
    write_plain(p, "keep me");
    auto f = DurableFile::create_new(p);
    ASSERT_FALSE(f.ok());
    EXPECT_EQ(f.status(), Status::FsyncFailed); // upstream's code for create over an existing path
    EXPECT_NE(f.error().message.find("already exists"), std::string::npos) << f.error().message;
    EXPECT_EQ(contents(p), "keep me");
}

TEST_F(DurableFileTest, OpenExistingErrors) {
    EXPECT_EQ(DurableFile::open_existing(dir.file("missing.rvf")).status(), Status::ManifestNotFound);
    EXPECT_EQ(DurableFile::open_existing(dir.path).status(), Status::IoError);
    EXPECT_EQ(DurableFile::create_new(dir.file("no/such/dir.rvf")).status(), Status::IoError);
}

TEST_F(DurableFileTest, ReadAtOutOfBoundsIsTyped) {
    const std::string p = dir.file("r.rvf");
    auto f = DurableFile::create_new(p);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->append(view("0123456789")).ok());
    EXPECT_EQ(f->read_at(0, 11).status(), Status::TruncatedSegment);
    EXPECT_EQ(f->read_at(10, 1).status(), Status::TruncatedSegment);
    EXPECT_EQ(f->read_at(11, 0).status(), Status::TruncatedSegment);
    EXPECT_EQ(f->read_at(UINT64_MAX, 1).status(), Status::TruncatedSegment);
    EXPECT_EQ(f->read_at(1, UINT64_MAX).status(), Status::TruncatedSegment); // off+len overflows
    auto empty = f->read_at(10, 0);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->empty());
    // After a truncate the bound follows the new size.
    ASSERT_TRUE(f->truncate(4).ok());
    EXPECT_EQ(f->read_at(3, 2).status(), Status::TruncatedSegment);
}

TEST_F(DurableFileTest, ClosedAndMovedFromFilesRefuseWork) {
    const std::string p = dir.file("c.rvf");
    auto f = DurableFile::create_new(p);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->append(view("abc")).ok());
    DurableFile moved = std::move(*f);
    EXPECT_FALSE(f->is_open());
    EXPECT_EQ(f->append(view("x")).status(), Status::IoError);
    EXPECT_TRUE(moved.is_open());
    EXPECT_EQ(moved.size(), 3u);

    // Move-assignment closes the target's own descriptor first and takes the source's.
    const std::string q = dir.file("d.rvf");
    auto other = DurableFile::create_new(q);
    ASSERT_TRUE(other.ok());
    *other = std::move(moved);
    EXPECT_EQ(other->path(), p);
    ASSERT_TRUE(other->append(view("d")).ok());

    other->close();
    other->close(); // idempotent
    EXPECT_FALSE(other->is_open());
    EXPECT_EQ(other->append(view("x")).status(), Status::IoError);
    EXPECT_EQ(other->sync().status(), Status::IoError);
    EXPECT_EQ(other->truncate(0).status(), Status::IoError);
    EXPECT_EQ(other->read_at(0, 1).status(), Status::IoError);
    EXPECT_EQ(contents(p), "abcd");
    EXPECT_EQ(contents(q), "");
}

// Each write fault kind: the failing append reports its Status, the file is back at the size it
// had before that call (on disk and in memory), and the next append lands right after it.
TEST_F(DurableFileTest, EveryWriteFaultKindSurfacesStatusAndRollsBack) {
    struct Case {
        FaultPlan::Kind kind;
        size_t short_bytes;
        Status want;
        const char *msg;
    };
    const Case cases[] = {
        {FaultPlan::Kind::ShortWrite, 3, Status::IoError, "short write"},
        {FaultPlan::Kind::ShortWrite, 1000, Status::IoError, "short write"}, // all bytes written, still fails
        {FaultPlan::Kind::NoSpace, 0, Status::DiskFull, "disk full"},
        {FaultPlan::Kind::IoError, 0, Status::IoError, "writing 6 bytes at offset 6"}, // strerror text varies by libc
    };
    int i = 0;
    for (const Case &c : cases) {
        SCOPED_TRACE(i);
        const std::string p = dir.file("fault" + std::to_string(i++) + ".rvf");
        FaultPlan plan;
        plan.fail_write_at = 1;
        plan.write_kind = c.kind;
        plan.short_write_bytes = c.short_bytes;
        set_fault_plan(plan);

        auto f = DurableFile::create_new(p);
        ASSERT_TRUE(f.ok());
        ASSERT_TRUE(f->append(view("first-")).ok()); // call 0
        VoidResult r = f->append(view("SECOND"));    // call 1 fails
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.status(), c.want);
        EXPECT_NE(r.error().message.find(c.msg), std::string::npos) << r.error().message;
        EXPECT_NE(r.error().message.find(p), std::string::npos) << r.error().message;
        EXPECT_EQ(f->size(), 6u);
        EXPECT_EQ(disk_size(p), 6u);
        ASSERT_TRUE(f->append(view("third")).ok()); // call 2: the fault fired once
        EXPECT_EQ(contents(p), "first-third");
    }
}

TEST_F(DurableFileTest, SyncFaultFiresOnceAtItsIndex) {
    FaultPlan plan;
    plan.fail_sync_at = 1;
    set_fault_plan(plan);
    auto f = DurableFile::create_new(dir.file("s.rvf"));
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->append(view("x")).ok());
    EXPECT_TRUE(f->sync().ok());
    EXPECT_EQ(f->sync().status(), Status::FsyncFailed);
    EXPECT_TRUE(f->sync().ok());
    EXPECT_EQ(f->size(), 1u); // a failed sync does not touch the size

    clear_fault_plan();
    for (int k = 0; k < 3; ++k)
        EXPECT_TRUE(f->sync().ok());
}

TEST_F(DurableFileTest, DirectorySyncFaultOnCreateRemovesTheNewFile) {
    FaultPlan plan;
    plan.fail_dir_sync_at = 0;
    set_fault_plan(plan);
    const std::string p = dir.file("ds.rvf");
    auto f = DurableFile::create_new(p);
    EXPECT_EQ(f.status(), Status::FsyncFailed);
    EXPECT_FALSE(exists(p));
    EXPECT_TRUE(DurableFile::create_new(p).ok()); // second directory sync succeeds
    EXPECT_TRUE(sync_directory_of(p).ok());
}

TEST(FaultPlanParse, AcceptsTheDocumentedSyntax) {
    auto p = parse_fault_plan("write:3:nospace,sync:2");
    ASSERT_TRUE(p.ok()) << p.error().to_string();
    EXPECT_EQ(p->fail_write_at, 3);
    EXPECT_EQ(p->write_kind, FaultPlan::Kind::NoSpace);
    EXPECT_EQ(p->fail_sync_at, 2);
    EXPECT_EQ(p->fail_rename_at, -1);
    EXPECT_EQ(p->fail_dir_sync_at, -1);

    p = parse_fault_plan(" write:0:short:17 , rename:4,dirsync:1 ");
    ASSERT_TRUE(p.ok()) << p.error().to_string();
    EXPECT_EQ(p->fail_write_at, 0);
    EXPECT_EQ(p->write_kind, FaultPlan::Kind::ShortWrite);
    EXPECT_EQ(p->short_write_bytes, 17u);
    EXPECT_EQ(p->fail_rename_at, 4);
    EXPECT_EQ(p->fail_dir_sync_at, 1);
    EXPECT_EQ(p->fail_sync_at, -1);

    p = parse_fault_plan("write:5:io");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->write_kind, FaultPlan::Kind::IoError);
    p = parse_fault_plan("write:2:crash:9");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->write_kind, FaultPlan::Kind::Crash);
    EXPECT_EQ(p->short_write_bytes, 9u);

    p = parse_fault_plan("");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->fail_write_at, -1);
    EXPECT_EQ(p->fail_sync_at, -1);
}

TEST(FaultPlanParse, RejectsMalformedItems) {
    for (const char *bad :
         {"write", "write:x:io", "write:-1:io", "write:1", "write:1:short", "write:1:short:z", "write:1:nospace:5",
          "write:1:weird", "sync", "sync:1:2", "sync:", "bogus:1", "rename:99999999999", "write:1:io,sync:q"}) {
        auto p = parse_fault_plan(bad);
        EXPECT_EQ(p.status(), Status::InvalidArgument) << bad;
    }
}

TEST_F(DurableFileTest, AtomicReplaceSwapsContentAndRemovesTemp) {
    const std::string final_path = dir.file("db.rvf");
    const std::string tmp = compaction_temp_path(final_path);
    EXPECT_EQ(tmp, final_path + ".compact.tmp");
    write_plain(final_path, "old");
    write_plain(tmp, "new contents");
    ASSERT_TRUE(atomic_replace(tmp, final_path).ok());
    EXPECT_EQ(contents(final_path), "new contents");
    EXPECT_FALSE(exists(tmp));
    // A missing temp is an I/O error and leaves the target alone.
    EXPECT_EQ(atomic_replace(tmp, final_path).status(), Status::IoError);
    EXPECT_EQ(contents(final_path), "new contents");
}

TEST_F(DurableFileTest, AtomicReplaceFaultsLeaveTheOldFileInPlace) {
    const std::string final_path = dir.file("db.rvf");
    const std::string tmp = compaction_temp_path(final_path);
    write_plain(final_path, "old");
    write_plain(tmp, "new");

    FaultPlan plan;
    plan.fail_sync_at = 0; // the temp's fsync
    set_fault_plan(plan);
    EXPECT_EQ(atomic_replace(tmp, final_path).status(), Status::FsyncFailed);
    EXPECT_EQ(contents(final_path), "old");
    EXPECT_TRUE(exists(tmp));

    plan = FaultPlan{};
    plan.fail_rename_at = 0;
    set_fault_plan(plan);
    EXPECT_EQ(atomic_replace(tmp, final_path).status(), Status::IoError);
    EXPECT_EQ(contents(final_path), "old");
    EXPECT_EQ(contents(tmp), "new");

    // A directory fsync failure comes after the rename: the new file is in place but its name
    // is not known to be durable, so the caller still hears about it.
    plan = FaultPlan{};
    plan.fail_dir_sync_at = 0;
    set_fault_plan(plan);
    EXPECT_EQ(atomic_replace(tmp, final_path).status(), Status::FsyncFailed);
    EXPECT_EQ(contents(final_path), "new");
    EXPECT_FALSE(exists(tmp));
}

TEST(CompactionTempPath, FollowsUpstreamWithExtension) {
    EXPECT_EQ(compaction_temp_path("data.rvf"), "data.rvf.compact.tmp");
    EXPECT_EQ(compaction_temp_path("/x/y/data.rvf"), "/x/y/data.rvf.compact.tmp");
    EXPECT_EQ(compaction_temp_path("/x/a.rvdna"), "/x/a.rvf.compact.tmp"); // spec §3.8
    EXPECT_EQ(compaction_temp_path("/x/a.b.rvtext"), "/x/a.b.rvf.compact.tmp");
    EXPECT_EQ(compaction_temp_path("/x/noext"), "/x/noext.rvf.compact.tmp");
    EXPECT_EQ(compaction_temp_path("/x.d/noext"), "/x.d/noext.rvf.compact.tmp"); // dot in a directory
    EXPECT_EQ(compaction_temp_path("/x/.hidden"), "/x/.hidden.rvf.compact.tmp");
}

TEST_F(DurableFileTest, RemoveOrphanTemp) {
    const std::string p = dir.file("db.rvf");
    write_plain(p, "live");
    auto none = remove_orphan_temp(p);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(*none);

    write_plain(compaction_temp_path(p), "half-written compaction");
    auto removed = remove_orphan_temp(p);
    ASSERT_TRUE(removed.ok()) << removed.error().to_string();
    EXPECT_TRUE(*removed);
    EXPECT_FALSE(exists(compaction_temp_path(p)));
    EXPECT_EQ(contents(p), "live");
    auto again = remove_orphan_temp(p);
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(*again);
}

// ---- RVF_FAULT_PLAN in child processes (how a crash harness drives a writer) -----------------

namespace {

// Runs this test binary again with only FaultEnvChild.Run selected and the given environment
// additions; returns the raw waitpid status.
int run_child(const std::vector<std::string> &extra_env) {
    std::vector<std::string> env_strings;
    for (char **e = environ; *e != nullptr; ++e)
        if (std::strncmp(*e, "RVF_FAULT_PLAN=", 15) != 0 && std::strncmp(*e, "RVF_FILEIO_CHILD_FILE=", 22) != 0)
            env_strings.emplace_back(*e);
    for (const std::string &s : extra_env)
        env_strings.push_back(s);
    std::vector<char *> envp;
    for (std::string &s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);

    std::string arg0 = "durable_file_test", filter = "--gtest_filter=FaultEnvChild.Run";
    char *argv[] = {arg0.data(), filter.data(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0); // keep the child's report quiet
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv, envp.data());
    posix_spawn_file_actions_destroy(&fa);
    EXPECT_EQ(rc, 0);
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, 0), pid);
    return status;
}

} // namespace

// The child side: does nothing unless started by run_child. The environment plan is read once,
// on the first append, exactly as in a store process.
TEST(FaultEnvChild, Run) {
    const char *file = std::getenv("RVF_FILEIO_CHILD_FILE");
    const char *plan = std::getenv("RVF_FAULT_PLAN");
    if (file == nullptr || plan == nullptr)
        GTEST_SKIP() << "only runs as a child of FaultEnv tests";
    auto f = DurableFile::create_new(file);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->append(view("aaaa")).ok()); // write 0
    VoidResult r = f->append(view("bbbbbb"));  // write 1: the planned fault (or crash)
    ASSERT_EQ(r.status(), Status::DiskFull);
    EXPECT_EQ(f->size(), 4u);
    EXPECT_EQ(f->sync().status(), Status::FsyncFailed); // sync 0
    EXPECT_TRUE(f->sync().ok());
}

TEST(FaultEnv, ChildProcessFollowsEnvironmentPlan) {
#ifdef __EMSCRIPTEN__
    GTEST_SKIP() << "no child processes under Emscripten";
#endif
    TempDir dir;
    const std::string p = dir.file("child.rvf");
    const int st = run_child({"RVF_FAULT_PLAN=write:1:nospace,sync:0", "RVF_FILEIO_CHILD_FILE=" + p});
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 0); // every assertion in FaultEnvChild.Run held
    EXPECT_EQ(contents(p), "aaaa");
}

TEST(FaultEnv, CrashKindLeavesATornTailAndExits) {
#ifdef __EMSCRIPTEN__
    GTEST_SKIP() << "no child processes under Emscripten";
#endif
    TempDir dir;
    const std::string p = dir.file("crash.rvf");
    const int st = run_child({"RVF_FAULT_PLAN=write:1:crash:3", "RVF_FILEIO_CHILD_FILE=" + p});
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), kFaultCrashExitCode);
    EXPECT_EQ(contents(p), "aaaabbb"); // 3 bytes of the second append really reached the file
}

TEST(FaultEnv, MalformedEnvironmentPlanAborts) {
#ifdef __EMSCRIPTEN__
    GTEST_SKIP() << "no child processes under Emscripten";
#endif
    TempDir dir;
    const int st = run_child({"RVF_FAULT_PLAN=write:oops", "RVF_FILEIO_CHILD_FILE=" + dir.file("bad.rvf")});
    ASSERT_TRUE(WIFSIGNALED(st));
    EXPECT_EQ(WTERMSIG(st), SIGABRT);
}

// Crash safety (spec §10.2): a forked writer child ingests batches with metadata, deletes and
// compacts (with checkpoints at every commit, every 8 KiB or every MiB; merges every few dozen
// segments; auto-compaction at a dead-byte ratio), acknowledging each commit on a pipe; the
// parent kills it at a random moment — every fifth time within the first 3 ms, inside the open
// that replays the previous child's COMMIT records
// (SIGKILL, or an injected crash in the middle of a write), then reopens the file and checks:
// every acknowledged batch is present with its metadata, acknowledged deletions are gone, no
// batch is partially visible, and verify() passes. 100 kills per run (RVF_CRASH_ITERATIONS).
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

#include <rvf/io/fault_injection.hpp>
#include <rvf/store.hpp>

using namespace rvf;
namespace fs = std::filesystem;

namespace {

constexpr size_t kDim = 8;
constexpr uint64_t kBatch = 40; // ids per batch: [b·40, b·40+40)

std::vector<float> batch_rows(uint64_t b) {
    std::mt19937 rng(static_cast<uint32_t>(b));
    std::uniform_real_distribution<float> u(-1, 1);
    std::vector<float> v(kBatch * kDim);
    for (float &x : v)
        x = u(rng);
    return v;
}

// Ack records on the pipe: 'O' 0 (opened), 'I' b (ingested), 'D' b (deleted), 'C' 0 (compacted),
// 'M' n (n merges or automatic compactions so far, after a write that made one).
struct Ack {
    char kind;
    uint64_t batch;
};

[[noreturn]] void child(const std::string &path, uint64_t first_batch, int ack_fd, uint32_t seed, bool crash_write) {
    std::mt19937 rng(seed);
    if (crash_write) {
        io::FaultPlan p;
        p.fail_write_at = static_cast<int>(rng() % 12);
        p.write_kind = io::FaultPlan::Kind::Crash;
        p.short_write_bytes = rng() % 5000;
        io::set_fault_plan(p);
    }
    auto s = RvfStore::open(path);
    if (!s)
        _exit(3);
    Ack opened{'O', 0};
    if (write(ack_fd, &opened, sizeof opened) != sizeof opened)
        _exit(10);
    // Merges every few dozen listed segments, automatic compaction of a small file: kills land
    // inside both.
    s->set_merge_trigger_segments(16 + seed % 8);
    s->set_auto_compaction(seed % 4 == 0 ? 0 : 0.3 + 0.1 * (seed % 3), 64u << 10);
    uint64_t maintenance = 0;
    // Every commit a checkpoint, one every few KiB, or the default spacing: kills land inside
    // COMMIT records, checkpoints, and the replay of long record chains at the next open.
    s->set_checkpoint_bytes(seed % 3 == 0 ? 0 : seed % 3 == 1 ? 8192 : uint64_t{1} << 20);
    for (uint64_t b = first_batch;; ++b) {
        const auto rows = batch_rows(b);
        std::vector<uint64_t> ids(kBatch);
        std::vector<std::vector<MetadataEntry>> meta(kBatch);
        for (uint64_t i = 0; i < kBatch; ++i) {
            ids[i] = b * kBatch + i;
            meta[i] = {{1, MetadataValue::u64(b)}, {2, MetadataValue::str("batch-" + std::to_string(b))}};
        }
        if (!s->ingest_batch(ids, rows, meta))
            _exit(4);
        Ack a{'I', b};
        if (write(ack_fd, &a, sizeof a) != sizeof a)
            _exit(5);
        const StoreStatus st = s->status();
        if (st.merges + st.auto_compactions != maintenance) {
            maintenance = st.merges + st.auto_compactions;
            Ack m{'M', maintenance};
            if (write(ack_fd, &m, sizeof m) != sizeof m)
                _exit(11);
        }
        if (b >= first_batch + 3 && rng() % 3 == 0) {
            const uint64_t victim = b - 3;
            std::vector<uint64_t> del(kBatch);
            for (uint64_t i = 0; i < kBatch; ++i)
                del[i] = victim * kBatch + i;
            if (!s->remove(del))
                _exit(6);
            Ack d{'D', victim};
            if (write(ack_fd, &d, sizeof d) != sizeof d)
                _exit(7);
        }
        if (rng() % 7 == 0) {
            if (!s->compact())
                _exit(8);
            Ack c{'C', 0};
            if (write(ack_fd, &c, sizeof c) != sizeof c)
                _exit(9);
        }
    }
}

} // namespace

TEST(StoreCrash, KilledWritersNeverLoseAcknowledgedBatches) {
#ifdef __EMSCRIPTEN__
    GTEST_SKIP() << "needs fork() and SIGKILL: native builds only";
#endif
    char tmpl[] = "/tmp/rvf-crash-XXXXXX";
    const fs::path dir = mkdtemp(tmpl);
    const std::string path = (dir / "crash.rvf").string();
    {
        StoreOptions o;
        o.dimension = kDim;
        auto s = RvfStore::create(path, o);
        ASSERT_TRUE(s) << s.error().to_string();
    }
    const int iterations = std::getenv("RVF_CRASH_ITERATIONS") ? std::atoi(std::getenv("RVF_CRASH_ITERATIONS")) : 100;
    std::mt19937 rng(20261124);
    // Model: batch → state. Present = acknowledged ingest; Gone = acknowledged delete;
    // Maybe = a delete that may or may not have committed when the child died.
    enum class State { Present, Gone };
    std::map<uint64_t, State> model;
    uint64_t next_batch = 0;
    int kills_mid_write = 0, kills_in_open = 0;
    uint64_t maintenance_seen = 0, maintenance_acks = 0;
    for (int it = 0; it < iterations; ++it) {
        int fds[2];
        ASSERT_EQ(pipe(fds), 0);
        const bool crash_write = it % 3 == 2;
        const uint64_t first = next_batch;
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            close(fds[0]);
            child(path, first, fds[1], static_cast<uint32_t>(rng()), crash_write);
        }
        close(fds[1]);
        if (!crash_write) {
            const bool early = it % 5 == 0; // inside the open (it replays the last child's records)
            usleep(static_cast<useconds_t>(early ? rng() % 3000 : 1000 + rng() % 40000));
            kill(pid, SIGKILL);
        }
        int status = 0;
        waitpid(pid, &status, 0);
        if (crash_write && WIFEXITED(status) && WEXITSTATUS(status) == io::kFaultCrashExitCode)
            ++kills_mid_write;
        ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == io::kFaultCrashExitCode))
            << "child ended on its own with status " << status << " at iteration " << it;
        // Read every ack the child managed to send.
        std::vector<Ack> acks;
        Ack a;
        while (read(fds[0], &a, sizeof a) == sizeof a)
            acks.push_back(a);
        close(fds[0]);
        uint64_t last_attempted = first; // the batch the child may have been writing
        bool opened = false;
        for (const Ack &x : acks) {
            opened = opened || x.kind == 'O';
            if (x.kind == 'M')
                maintenance_seen = std::max<uint64_t>(maintenance_seen, x.batch);
            if (x.kind == 'M')
                ++maintenance_acks;
            if (x.kind == 'I') {
                model[x.batch] = State::Present;
                last_attempted = x.batch + 1;
            } else if (x.kind == 'D') {
                model[x.batch] = State::Gone;
            }
        }
        // The child deletes only right after acknowledging an ingest: if that is the last ack,
        // the delete of (that batch − 3) may have committed unacknowledged.
        // ('M' acks report maintenance and do not count as the last step.)
        std::optional<uint64_t> maybe_deleted;
        size_t last = acks.size();
        while (last > 0 && acks[last - 1].kind == 'M')
            --last;
        if (last > 0 && acks[last - 1].kind == 'I' && acks[last - 1].batch >= first + 3)
            maybe_deleted = acks[last - 1].batch - 3;
        next_batch = last_attempted + 1;
        kills_in_open += !opened;
        // The dead writer's lock names a dead pid; the operator (us) clears it.
        fs::remove(path + ".lock");

        auto s = RvfStore::open_readonly(path);
        ASSERT_TRUE(s) << "iteration " << it << ": " << s.error().to_string();
        const VerifyReport vr = s->verify();
        ASSERT_TRUE(vr.ok) << "iteration " << it << ": " << vr.problems.front().what;
        // Every batch ever attempted: all-or-nothing, and the model's acknowledged states hold.
        for (uint64_t b = 0; b < next_batch; ++b) {
            size_t present = 0;
            for (uint64_t i = 0; i < kBatch; ++i)
                present += s->vector(b * kBatch + i).has_value();
            ASSERT_TRUE(present == 0 || present == kBatch)
                << "iteration " << it << ": batch " << b << " partially visible (" << present << ")";
            auto m = model.find(b);
            if (m == model.end())
                continue; // never acknowledged: either outcome is allowed
            if (m->second == State::Gone) {
                ASSERT_EQ(present, 0u) << "iteration " << it << ": deleted batch " << b << " is back";
                continue;
            }
            // Acknowledged and not acknowledged-deleted: present, unless its delete was in flight.
            if (present == 0 && maybe_deleted == b) {
                model[b] = State::Gone; // the in-flight delete committed
                continue;
            }
            ASSERT_EQ(present, kBatch) << "iteration " << it << ": acknowledged batch " << b << " lost";
            {
                const auto *meta = s->metadata(b * kBatch);
                ASSERT_NE(meta, nullptr) << "batch " << b;
                ASSERT_EQ(meta->size(), 2u);
                EXPECT_EQ((*meta)[0].value, MetadataValue::u64(b));
            }
        }
    }
    std::printf("crash harness: %d kills (%d inside a write, %d inside an open), %zu batches tracked, %llu writes "
                "followed by a merge or automatic compaction\n",
                iterations, kills_mid_write, kills_in_open, model.size(),
                static_cast<unsigned long long>(maintenance_acks));
    (void)maintenance_seen;
    EXPECT_GT(maintenance_acks, 0u) << "the children merged or compacted by themselves";
    fs::remove_all(dir);
}

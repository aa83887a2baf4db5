// compact_bench — memory and write rate of RvfStore::compact() (issue 16): builds an N × 128 f32
// store (seeded rows, IndexMode::Off unless --index), deletes every tenth row, closes; then, each
// in a fresh process (so nothing the build allocated counts), opens it and prints the open
// store's RSS, compacts it (a) unthrottled and (b) at --rate bytes/s (default 50 MB/s) and
// prints the peak RSS during the compaction (VmHWM, reset after the open by writing 5 to
// /proc/self/clear_refs), its ratio to the open store's RSS, the bytes written, the wall time
// and the measured write rate against the budget. Prints numbers, asserts nothing.
//
//   rvf_compact_bench [--rows 1000000] [--index] [--rate 50000000] [--dir /tmp]
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <rvf/store.hpp>

using namespace rvf;

namespace {

constexpr uint16_t kDim = 128;

/// VmRSS and VmHWM of this process, in bytes.
struct Rss {
    uint64_t rss = 0, hwm = 0;
};

Rss read_rss() {
    Rss r;
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        unsigned long long kb = 0;
        if (std::sscanf(line.c_str(), "VmRSS: %llu kB", &kb) == 1)
            r.rss = kb * 1024;
        else if (std::sscanf(line.c_str(), "VmHWM: %llu kB", &kb) == 1)
            r.hwm = kb * 1024;
    }
    return r;
}

bool reset_hwm() {
    std::ofstream f("/proc/self/clear_refs");
    f << "5";
    f.flush();
    return static_cast<bool>(f);
}

double mib(uint64_t b) { return static_cast<double>(b) / (1024.0 * 1024.0); }

int build(const std::string &path, size_t rows, bool index) {
    std::filesystem::remove(path);
    StoreOptions o;
    o.dimension = kDim;
    o.index = index ? IndexMode::Auto : IndexMode::Off;
    auto s = RvfStore::create(path, o);
    if (!s) {
        std::fprintf(stderr, "create %s: %s\n", path.c_str(), s.error().to_string().c_str());
        return 1;
    }
    std::mt19937 rng(1234);
    std::normal_distribution<float> g;
    const size_t batch = 10'000;
    std::vector<float> v(batch * kDim);
    std::vector<uint64_t> ids(batch);
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t at = 0; at < rows; at += batch) {
        const size_t n = std::min(batch, rows - at);
        for (size_t i = 0; i < n * kDim; ++i)
            v[i] = g(rng);
        for (size_t i = 0; i < n; ++i)
            ids[i] = at + i + 1;
        auto r = s->ingest_batch(std::span(ids.data(), n), std::span(v.data(), n * kDim));
        if (!r) {
            std::fprintf(stderr, "ingest: %s\n", r.error().to_string().c_str());
            return 1;
        }
    }
    std::vector<uint64_t> dead;
    for (size_t i = 0; i < rows; i += 10)
        dead.push_back(i + 1);
    if (auto r = s->remove(dead); !r) {
        std::fprintf(stderr, "delete: %s\n", r.error().to_string().c_str());
        return 1;
    }
    if (auto r = s->close(); !r) {
        std::fprintf(stderr, "close: %s\n", r.error().to_string().c_str());
        return 1;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("built %zu x %u f32 (%s), deleted %zu, file %.1f MiB in %.1f s\n", rows, kDim,
                index ? "HNSW index" : "no index", dead.size(), mib(std::filesystem::file_size(path)), secs);
    return 0;
}

/// The child: open, measure, compact, measure. One line of results.
int compact_child(const std::string &path, uint64_t rate) {
    auto s = RvfStore::open(path);
    if (!s) {
        std::fprintf(stderr, "open %s: %s\n", path.c_str(), s.error().to_string().c_str());
        return 1;
    }
    const Rss open = read_rss();
    if (!reset_hwm())
        std::fprintf(stderr, "warning: cannot reset VmHWM (/proc/self/clear_refs); peak includes the open\n");
    const uint64_t size_before = std::filesystem::file_size(path);
    const auto t0 = std::chrono::steady_clock::now();
    auto c = s->compact(CompactOptions{.io_bytes_per_second = rate});
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const Rss peak = read_rss();
    if (!c) {
        std::fprintf(stderr, "compact: %s\n", c.error().to_string().c_str());
        return 1;
    }
    const double written_rate = static_cast<double>(c->bytes_written) / secs;
    std::printf("%-12s open RSS %7.1f MiB | peak RSS during compact %7.1f MiB = %.2fx open | "
                "file %.1f -> %.1f MiB, wrote %.1f MiB in %.2f s = %.1f MB/s",
                rate ? "throttled" : "unthrottled", mib(open.rss), mib(peak.hwm),
                static_cast<double>(peak.hwm) / static_cast<double>(open.rss), mib(size_before),
                mib(std::filesystem::file_size(path)), mib(c->bytes_written), secs, written_rate / 1e6);
    if (rate)
        std::printf(" (budget %.1f MB/s: %+.1f %%)", static_cast<double>(rate) / 1e6,
                    100.0 * (written_rate / static_cast<double>(rate) - 1.0));
    std::printf("\n");
    return 0;
}

int run_child(const char *self, const std::string &path, uint64_t rate) {
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        const std::string r = std::to_string(rate);
        ::execl(self, self, "--child", path.c_str(), r.c_str(), static_cast<char *>(nullptr));
        std::perror("exec");
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

} // namespace

int main(int argc, char **argv) {
    if (argc == 4 && std::strcmp(argv[1], "--child") == 0)
        return compact_child(argv[2], std::strtoull(argv[3], nullptr, 10));
    size_t rows = 1'000'000;
    bool index = false;
    uint64_t rate = 50'000'000;
    std::string dir = "/tmp";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--rows" && i + 1 < argc)
            rows = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--index")
            index = true;
        else if (a == "--rate" && i + 1 < argc)
            rate = std::strtoull(argv[++i], nullptr, 10);
        else if (a == "--dir" && i + 1 < argc)
            dir = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--rows N] [--index] [--rate BYTES_PER_S] [--dir DIR]\n", argv[0]);
            return 2;
        }
    }
    const std::string base = dir + "/rvf-compact-bench-" + std::to_string(::getpid()) + ".rvf";
    const std::string work = dir + "/rvf-compact-bench-" + std::to_string(::getpid()) + "-run.rvf";
    int rc = build(base, rows, index);
    for (uint64_t r : {uint64_t{0}, rate}) {
        if (rc != 0)
            break;
        // Both runs compact the same input: a fresh copy of the built file.
        std::filesystem::copy_file(base, work, std::filesystem::copy_options::overwrite_existing);
        rc = run_child(argv[0], work, r);
    }
    std::filesystem::remove(base);
    std::filesystem::remove(work);
    std::filesystem::remove(base + ".lock");
    std::filesystem::remove(work + ".lock");
    return rc;
}

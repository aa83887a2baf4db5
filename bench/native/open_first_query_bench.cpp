// open_first_query_bench — open + first query of a read-only store (issue 17): the copying open
// (the file read into memory, every hash checked, rows transposed into owned memory: the path
// before the in-place open), the in-place open with full verification (the default), and the
// in-place structural open (tail + manifest + headers; rows used where they lie in the mapping).
// Each mode runs in a fresh child process (fork), so its RSS is its own: VmRSS, and its
// anonymous part RssAnon (mapped file pages are shared page cache, not the process's memory).
// "+anon" is RssAnon after the open minus before it (what the open itself allocated).
// Page cache warm (the file was just written or read); numbers are printed, never asserted.
//
//   open_first_query_bench PATH [--n 100000] [--dim 128] [--no-index] [--no-compact] [--rebuild] [--runs 3]
// --no-compact leaves the appended dim-major blocks (the only layout before row-major blocks).
// PATH is built when missing (or with --rebuild): the seeded Gaussian mixture of
// tests/cpp/support/ann_data.hpp, f32, ids 1..n, then compacted (row-major VEC blocks) and
// closed (HNSW layers persisted unless --no-index).
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <rvf/store.hpp>

#include "support/ann_data.hpp"

using namespace rvf;
using Clock = std::chrono::steady_clock;

namespace {

double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

/// A field of /proc/self/status in KiB ("VmRSS", "RssAnon"), or -1.
long status_kib(const char *field) {
    std::ifstream f("/proc/self/status");
    std::string line;
    const size_t n = std::strlen(field);
    while (std::getline(f, line))
        if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
            return std::strtol(line.c_str() + n + 1, nullptr, 10);
    return -1;
}

bool build_file(const std::string &path, const test::Matrix &base, bool index, bool compact) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".lock");
    StoreOptions o;
    o.dimension = static_cast<uint16_t>(base.dim);
    o.index = index ? IndexMode::Auto : IndexMode::Off;
    auto db = RvfStore::create(path, o);
    if (!db) {
        std::fprintf(stderr, "create: %s\n", db.error().to_string().c_str());
        return false;
    }
    const auto t0 = Clock::now();
    for (size_t at = 0; at < base.n; at += 50000) {
        const size_t c = std::min<size_t>(50000, base.n - at);
        std::vector<uint64_t> ids(c);
        for (size_t i = 0; i < c; ++i)
            ids[i] = at + i + 1;
        if (auto r = db->ingest_batch(ids, std::span<const float>(base.row(at), c * base.dim)); !r) {
            std::fprintf(stderr, "ingest: %s\n", r.error().to_string().c_str());
            return false;
        }
    }
    if (!compact) {
        // dim-major appends, closed with a checkpoint: the layout every file had before
    } else if (auto r = db->compact(CompactOptions{}); !r) { // row-major VEC blocks
        std::fprintf(stderr, "compact: %s\n", r.error().to_string().c_str());
        return false;
    }
    if (index)
        if (auto r = db->build_index(); !r) {
            std::fprintf(stderr, "build_index: %s\n", r.error().to_string().c_str());
            return false;
        }
    if (auto r = db->close(); !r) {
        std::fprintf(stderr, "close: %s\n", r.error().to_string().c_str());
        return false;
    }
    std::fprintf(stderr, "built %s in %.1f s\n", path.c_str(), ms(t0, Clock::now()) / 1000);
    return true;
}

struct Sample {
    double open_ms = 0, query_ms = 0;
    long rss_kib = 0, anon_kib = 0, base_anon_kib = 0;
    uint64_t bytes_read = 0, rows_in_place = 0, first_id = 0;
    int ok = 0;
};

Sample run_mode(const std::string &path, const OpenOptions &o, const std::vector<float> &q) {
    Sample s;
    s.base_anon_kib = status_kib("RssAnon"); // the process before the open (binary, libraries)
    const auto t0 = Clock::now();
    auto db = RvfStore::open_readonly(path, o);
    const auto t1 = Clock::now();
    if (!db) {
        std::fprintf(stderr, "open: %s\n", db.error().to_string().c_str());
        return s;
    }
    s.rss_kib = status_kib("VmRSS");
    s.anon_kib = status_kib("RssAnon");
    auto hits = db->query(q, 10, {.ef_search = 100});
    const auto t2 = Clock::now();
    s.open_ms = ms(t0, t1);
    s.query_ms = ms(t1, t2);
    s.bytes_read = db->status().open_bytes_read;
    s.rows_in_place = db->status().rows_in_place;
    s.first_id = hits && !hits->empty() ? (*hits)[0].id : 0;
    s.ok = hits ? 1 : 0;
    return s;
}

/// run_mode in a fresh process (its own RSS), the sample back through a pipe.
Sample in_child(const std::string &path, const OpenOptions &o, const std::vector<float> &q) {
    int fd[2];
    if (::pipe(fd) != 0)
        return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fd[0]);
        const Sample s = run_mode(path, o, q);
        (void)!::write(fd[1], &s, sizeof s);
        ::_exit(0);
    }
    ::close(fd[1]);
    Sample s;
    if (::read(fd[0], &s, sizeof s) != static_cast<ssize_t>(sizeof s))
        s = Sample{};
    ::close(fd[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    return s;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PATH [--n N] [--dim D] [--no-index] [--rebuild] [--runs R]\n", argv[0]);
        return 2;
    }
    const std::string path = argv[1];
    test::MixtureSpec spec;
    spec.queries = 1;
    bool index = true, rebuild = false, compact = true;
    int runs = 3;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--no-index")
            index = false;
        else if (a == "--no-compact")
            compact = false;
        else if (a == "--rebuild")
            rebuild = true;
        else if (a == "--runs" && i + 1 < argc)
            runs = std::atoi(argv[++i]);
        else if (i + 1 < argc && test::mixture_option(a, argv[i + 1], spec))
            ++i;
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    test::Matrix base, queries;
    test::gaussian_mixture(spec, base, queries);
    if (rebuild || !std::filesystem::exists(path))
        if (!build_file(path, base, index, compact))
            return 1;
    base = test::Matrix{}; // the children's RSS should be the store's, not the generator's
    const std::vector<float> q(queries.row(0), queries.row(0) + queries.dim);
    const uint64_t size = std::filesystem::file_size(path);
    std::printf("file %s: %.1f MB, n %zu, dim %zu, index %s\n", path.c_str(), size / 1e6, spec.n, spec.dim,
                index ? "yes" : "no");
    std::printf("%-34s %9s %9s %9s %10s %10s %10s %12s %9s\n", "mode", "open ms", "query ms", "total ms", "VmRSS MB",
                "anon MB", "+anon MB", "read MB", "in place");
    struct Mode {
        const char *name;
        OpenOptions o;
    };
    OpenOptions copy, full, structural;
    copy.in_place = false;
    structural.verify = OpenVerify::Structural;
    const Mode modes[] = {{"copying (before: read + decode)", copy},
                          {"in place, verify full (default)", full},
                          {"in place, structural", structural}};
    for (const Mode &m : modes) {
        for (int r = 0; r < runs; ++r) {
            const Sample s = in_child(path, m.o, q);
            std::printf("%-34s %9.1f %9.2f %9.1f %10.1f %10.1f %10.1f %12.2f %9llu%s\n", m.name, s.open_ms, s.query_ms,
                        s.open_ms + s.query_ms, s.rss_kib / 1024.0, s.anon_kib / 1024.0,
                        (s.anon_kib - s.base_anon_kib) / 1024.0, s.bytes_read / 1e6,
                        static_cast<unsigned long long>(s.rows_in_place), s.ok ? "" : "  FAILED");
        }
    }
    return 0;
}

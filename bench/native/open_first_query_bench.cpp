// open_first_query_bench — open + first query of a read-only store (issue 17): the copying open
// (the file read into memory, every hash checked, rows transposed into owned memory: the path
// before the in-place open), the in-place open with full verification (the default), and the
// in-place structural open (tail + manifest + headers; rows used where they lie in the mapping).
// Each mode runs in a fresh child process (fork), so its RSS is its own: VmRSS, and its
// anonymous part RssAnon (mapped file pages are shared page cache, not the process's memory).
// "+anon" is RssAnon after the open minus before it (what the open itself allocated).
// Page cache warm (the file was just written or read), or with --cold dropped for the file
// before every run (posix_fadvise DONTNEED, as bench/open-first-query does); numbers are
// printed, never asserted. "touched MB" = pages of the file that became resident in the page
// cache between just before the open and just after the first query (mincore over a mapping of
// the file: what the open and the first answer made the kernel read, readahead included).
// With --gt Q, Q queries get exact ground truth (brute force over the generated rows): run r
// answers query r mod Q first ("recall1": recall@10 of that first answer), then all Q in the
// same process ("recall"): mean recall@10 at --ef.
// --nprobe P answers every query (the first and the recall ones) from the file's partition map
// (QueryOptions::nprobe: the P nearest partitions' rows, no graph walk) instead of the HNSW graph;
// the file must be partitioned (--partition builds it so; bench/README.md "Cold first answer").
// "io MB o+q" = /proc/self/io read_bytes of the open + first query: bytes the process made the
// kernel read from storage (page faults' readahead and madvise WILLNEED included; 0 from a warm
// cache); "io MB q" = those of the first query alone.
// "ids i.p." = rows whose id lookups read the persisted id table in place (docs/format-id-table.md;
// 0: the open built its id map); "q faults" = major/minor page faults of the first query (major:
// a disk read; minor: a page already cached, mapped in).
//
//   open_first_query_bench PATH [--n 100000] [--dim 128] [--no-index] [--no-compact] [--rebuild] [--runs 3]
//                          [--cold] [--ef 100] [--gt Q] [--structural-only] [--recompact] [--first-id 1]
//                          [--partition] [--nprobe P] [--cosine]
// --json FILE writes every sample as JSON (bench/open-first-query/results/ keeps some).
// --recompact opens PATH writable and compacts it first (a file from an older build gets this
// build's layout, layer F included); --first-id is row 0's id (bench/open-first-query's files: 0).
// --no-compact leaves the appended dim-major blocks (the only layout before row-major blocks).
// PATH is built when missing (or with --rebuild): the seeded Gaussian mixture of
// tests/cpp/support/ann_data.hpp, f32, ids 1..n, then compacted (row-major VEC blocks; with
// --partition partition by partition with a partition map, as rvf_boot_bench builds its files)
// and closed (HNSW layers persisted unless --no-index). --partition also applies to --recompact.
// --cosine builds the file with the cosine metric (without --gt: its truth is L2).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
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

/// read_bytes of /proc/self/io: bytes this process caused to be read from storage (-1: unknown).
long long io_read_bytes() {
    std::ifstream f("/proc/self/io");
    std::string key;
    long long v = 0;
    while (f >> key >> v)
        if (key == "read_bytes:")
            return v;
    return -1;
}

bool build_file(const std::string &path, const test::Matrix &base, bool index, bool compact, bool partition,
                Metric metric) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + ".lock");
    StoreOptions o;
    o.dimension = static_cast<uint16_t>(base.dim);
    o.index = index ? IndexMode::Auto : IndexMode::Off;
    o.partition_on_compact = partition;
    o.metric = metric;
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
    uint64_t bytes_read = 0, rows_in_place = 0, ids_in_place = 0, first_id = 0;
    long open_majflt = 0, query_majflt = 0, query_minflt = 0; // page faults: disk reads (major), mapped pages (minor)
    uint64_t cached_before = 0, touched = 0; // file bytes resident before the open / added by open + 1st query
    long long io_read = -1, io_open = -1;    // /proc/self/io read_bytes of open + first query / of the open
    double recall_first = -1, recall_mean = -1;
    int ok = 0, graph_in_place = 0;
};

/// Bytes of the file resident in the page cache (mincore over a mapping that touches nothing).
struct Residency {
    const uint8_t *map = nullptr;
    size_t size = 0;
    explicit Residency(const std::string &path) {
        const int fd = ::open(path.c_str(), O_RDONLY);
        if (fd < 0)
            return;
        size = static_cast<size_t>(std::filesystem::file_size(path));
        void *m = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
        ::close(fd);
        map = m == MAP_FAILED ? nullptr : static_cast<const uint8_t *>(m);
    }
    ~Residency() {
        if (map)
            ::munmap(const_cast<uint8_t *>(map), size);
    }
    uint64_t bytes() const {
        if (!map)
            return 0;
        const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
        std::vector<unsigned char> v((size + page - 1) / page);
        if (::mincore(const_cast<uint8_t *>(map), size, v.data()) != 0)
            return 0;
        uint64_t n = 0;
        for (unsigned char c : v)
            n += c & 1;
        return n * page;
    }
};

/// Drop the file's pages from the page cache (the file is clean: nothing to write back).
void drop_cache(const std::string &path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
        return;
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

struct Queries {
    const test::Matrix *m = nullptr;
    const std::vector<std::vector<uint32_t>> *gt = nullptr; // row indices (id − 1), may be empty
    size_t first = 0;
    uint32_t ef = 100;
    uint32_t nprobe = 0; // > 0: QueryOptions::nprobe instead of the graph
};

uint64_t g_first_id = 1; // id of row 0: 1 here, 0 in files bench/open-first-query built

double recall_of(const std::vector<Neighbor> &hits, const std::vector<uint32_t> &truth) {
    size_t found = 0;
    for (const Neighbor &h : hits)
        for (uint32_t t : truth)
            found += h.id == uint64_t{t} + g_first_id ? 1 : 0;
    return truth.empty() ? 0 : static_cast<double>(found) / static_cast<double>(truth.size());
}

Sample run_mode(const std::string &path, const OpenOptions &o, const Queries &qs) {
    Sample s;
    Residency res(path);
    s.cached_before = res.bytes();
    s.base_anon_kib = status_kib("RssAnon"); // the process before the open (binary, libraries)
    const std::span<const float> q(qs.m->row(qs.first), qs.m->dim);
    rusage u0{}, u1{}, u2{};
    const long long io0 = io_read_bytes();
    ::getrusage(RUSAGE_SELF, &u0);
    const auto t0 = Clock::now();
    auto db = RvfStore::open_readonly(path, o);
    const auto t1 = Clock::now();
    ::getrusage(RUSAGE_SELF, &u1);
    const long long io_mid = io_read_bytes();
    if (!db) {
        std::fprintf(stderr, "open: %s\n", db.error().to_string().c_str());
        return s;
    }
    s.rss_kib = status_kib("VmRSS");
    s.anon_kib = status_kib("RssAnon");
    auto hits = db->query(q, 10, {.ef_search = qs.ef, .nprobe = qs.nprobe});
    const auto t2 = Clock::now();
    ::getrusage(RUSAGE_SELF, &u2);
    const long long io1 = io_read_bytes();
    s.io_read = io0 < 0 || io1 < 0 ? -1 : io1 - io0;
    s.io_open = io0 < 0 || io_mid < 0 ? -1 : io_mid - io0;
    s.open_majflt = u1.ru_majflt - u0.ru_majflt;
    s.query_majflt = u2.ru_majflt - u1.ru_majflt;
    s.query_minflt = u2.ru_minflt - u1.ru_minflt;
    s.touched = res.bytes() - std::min(res.bytes(), s.cached_before);
    s.open_ms = ms(t0, t1);
    s.query_ms = ms(t1, t2);
    s.bytes_read = db->status().open_bytes_read;
    s.rows_in_place = db->status().rows_in_place;
    s.ids_in_place = db->status().ids_in_place;
    s.graph_in_place = db->status().graph_in_place ? 1 : 0;
    s.first_id = hits && !hits->empty() ? (*hits)[0].id : 0;
    s.ok = hits ? 1 : 0;
    if (!hits)
        std::fprintf(stderr, "query: %s\n", hits.error().to_string().c_str());
    if (hits && qs.gt && !qs.gt->empty()) {
        s.recall_first = recall_of(*hits, (*qs.gt)[qs.first]);
        double sum = 0;
        for (size_t i = 0; i < qs.gt->size(); ++i) {
            auto h = db->query(std::span<const float>(qs.m->row(i), qs.m->dim), 10,
                               {.ef_search = qs.ef, .nprobe = qs.nprobe});
            sum += h ? recall_of(*h, (*qs.gt)[i]) : 0;
        }
        s.recall_mean = sum / static_cast<double>(qs.gt->size());
    }
    return s;
}

/// run_mode in a fresh process (its own RSS), the sample back through a pipe.
Sample in_child(const std::string &path, const OpenOptions &o, const Queries &q) {
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
        std::fprintf(stderr, "usage: %s PATH [--n N] [--dim D] [--no-index] [--no-compact] [--rebuild] [--runs R] [--cold] [--ef E] [--gt Q] [--structural-only] [--recompact] [--first-id I] [--json FILE] [--partition] [--nprobe P]\n", argv[0]);
        return 2;
    }
    const std::string path = argv[1];
    test::MixtureSpec spec;
    spec.queries = 1;
    bool index = true, rebuild = false, compact = true, cold = false, structural_only = false, recompact = false,
         partition = false;
    uint32_t nprobe = 0;
    Metric metric = Metric::L2;
    int runs = 3;
    uint32_t ef = 100;
    size_t gt_queries = 0;
    std::string json_path;
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
        else if (a == "--cold")
            cold = true;
        else if (a == "--structural-only")
            structural_only = true;
        else if (a == "--ef" && i + 1 < argc)
            ef = static_cast<uint32_t>(std::atoi(argv[++i]));
        else if (a == "--first-id" && i + 1 < argc)
            g_first_id = static_cast<uint64_t>(std::atoll(argv[++i]));
        else if (a == "--json" && i + 1 < argc)
            json_path = argv[++i];
        else if (a == "--recompact")
            recompact = true;
        else if (a == "--partition")
            partition = true;
        else if (a == "--cosine") // the file's metric when built (--gt's truth is L2: not with this)
            metric = Metric::Cosine;
        else if (a == "--nprobe" && i + 1 < argc)
            nprobe = static_cast<uint32_t>(std::atoi(argv[++i]));
        else if (a == "--gt" && i + 1 < argc)
            gt_queries = static_cast<size_t>(std::atoll(argv[++i]));
        else if (i + 1 < argc && test::mixture_option(a, argv[i + 1], spec))
            ++i;
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (metric != Metric::L2 && gt_queries > 0) {
        std::fprintf(stderr, "--gt computes L2 truth: not with --cosine\n");
        return 2;
    }
    spec.queries = std::max<size_t>(1, gt_queries);
    test::Matrix base, queries;
    test::gaussian_mixture(spec, base, queries);
    if (rebuild || !std::filesystem::exists(path))
        if (!build_file(path, base, index, compact, partition, metric))
            return 1;
    if (recompact) { // an existing file (e.g. bench/open-first-query's) rewritten in this build's format
        const auto t0 = Clock::now();
        auto db = RvfStore::open(path);
        if (db)
            db->set_partition_on_compact(partition);
        auto r = db ? db->compact(CompactOptions{}) : Result<CompactResult>(db.error());
        if (!r || !db->close()) {
            std::fprintf(stderr, "recompact: %s\n", r ? "close failed" : r.error().to_string().c_str());
            return 1;
        }
        std::fprintf(stderr, "recompacted %s in %.1f s\n", path.c_str(), ms(t0, Clock::now()) / 1000);
    }
    std::vector<std::vector<uint32_t>> gt;
    if (gt_queries > 0) {
        const auto t0 = Clock::now();
        gt = test::brute_force_knn(base, queries, 10);
        std::fprintf(stderr, "ground truth for %zu queries in %.1f s\n", gt.size(), ms(t0, Clock::now()) / 1000);
    }
    base = test::Matrix{}; // the children's RSS should be the store's, not the generator's
    const uint64_t size = std::filesystem::file_size(path);
    std::printf("file %s: %.1f MB, n %zu, dim %zu, index %s, page cache %s, %s\n", path.c_str(), size / 1e6,
                spec.n, spec.dim, index ? "yes" : "no", cold ? "dropped before each run" : "warm",
                nprobe ? ("nprobe " + std::to_string(nprobe) + " (partition map, no graph)").c_str()
                       : ("ef " + std::to_string(ef)).c_str());
    std::printf("%-34s %9s %9s %9s %10s %10s %10s %10s %10s %9s %8s %9s %9s %7s %11s %7s %7s\n", "mode", "open ms",
                "query ms", "total ms", "VmRSS MB", "anon MB", "+anon MB", "read MB", "touched MB", "io MB o+q", "io MB q",
                "in place", "ids i.p.", "graph", "q faults", "recall1", "recall");
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
    // --json FILE: the same samples, machine-readable (bench/open-first-query/results/).
    std::string json;
    auto jnum = [&](const char *k, double v, bool comma = true) {
        char b[96];
        std::snprintf(b, sizeof b, "\"%s\": %.12g%s", k, v, comma ? ", " : "");
        json += b;
    };
    {
        std::string cmd;
        for (int i = 0; i < argc; ++i)
            cmd += (i ? " " : "") + std::string(argv[i]);
        double load[3] = {0, 0, 0};
        (void)::getloadavg(load, 3);
        json += "{\n \"run\": {\"command\": \"" + cmd + "\", \"file\": \"" + path + "\", ";
        jnum("file_bytes", static_cast<double>(size));
        jnum("n", static_cast<double>(spec.n));
        jnum("dim", static_cast<double>(spec.dim));
        jnum("ef", ef);
        jnum("nprobe", nprobe);
        jnum("gt_queries", static_cast<double>(gt_queries));
        jnum("cores", static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN)));
        jnum("loadavg_start", load[0]);
        json += std::string("\"page_cache\": \"") + (cold ? "dropped (posix_fadvise DONTNEED) before each run" : "warm") +
                "\"},\n \"samples\": [";
    }
    bool first_sample = true;
    for (const Mode &m : modes) {
        if (structural_only && &m != &modes[2])
            continue;
        for (int r = 0; r < runs; ++r) {
            if (cold)
                drop_cache(path);
            const Queries qs{&queries, &gt, gt.empty() ? 0 : static_cast<size_t>(r) % gt.size(), ef, nprobe};
            const Sample s = in_child(path, m.o, qs);
            char faults[32];
            std::snprintf(faults, sizeof faults, "%ld/%ld", s.query_majflt, s.query_minflt);
            std::printf("%-34s %9.1f %9.2f %9.1f %10.1f %10.1f %10.1f %10.2f %10.2f %9.2f %8.2f %9llu %9llu %7s %11s %7.2f %7.3f%s%s\n",
                        m.name, s.open_ms, s.query_ms, s.open_ms + s.query_ms, s.rss_kib / 1024.0, s.anon_kib / 1024.0,
                        (s.anon_kib - s.base_anon_kib) / 1024.0, s.bytes_read / 1e6, s.touched / 1e6, static_cast<double>(s.io_read) / 1e6,
                        static_cast<double>(s.io_read - s.io_open) / 1e6,
                        static_cast<unsigned long long>(s.rows_in_place),
                        static_cast<unsigned long long>(s.ids_in_place), s.graph_in_place ? "mapped" : "decoded", faults,
                        s.recall_first, s.recall_mean, s.ok ? "" : "  FAILED",
                        cold && s.cached_before > size / 100 ? "  (cache not dropped)" : "");
            json += std::string(first_sample ? "\n  {" : ",\n  {") + "\"mode\": \"" + m.name + "\", ";
            first_sample = false;
            jnum("run", r);
            jnum("ok", s.ok);
            jnum("open_ms", s.open_ms);
            jnum("first_query_ms", s.query_ms);
            jnum("vmrss_after_open_kib", static_cast<double>(s.rss_kib));
            jnum("rss_anon_growth_kib", static_cast<double>(s.anon_kib - s.base_anon_kib));
            jnum("open_bytes_requested", static_cast<double>(s.bytes_read));
            jnum("cached_bytes_before_open", static_cast<double>(s.cached_before));
            jnum("page_cache_bytes_added_by_open_and_first_query", static_cast<double>(s.touched));
            jnum("rows_in_place", static_cast<double>(s.rows_in_place));
            jnum("graph_in_place", s.graph_in_place);
            jnum("ids_in_place", static_cast<double>(s.ids_in_place));
            jnum("open_major_faults", static_cast<double>(s.open_majflt));
            jnum("io_read_bytes_open_and_first_query", static_cast<double>(s.io_read));
            jnum("io_read_bytes_open", static_cast<double>(s.io_open));
            jnum("first_query_major_faults", static_cast<double>(s.query_majflt));
            jnum("first_query_minor_faults", static_cast<double>(s.query_minflt));
            jnum("recall10_first", s.recall_first);
            jnum("recall10_mean", s.recall_mean, false);
            json += "}";
        }
    }
    if (!json_path.empty()) {
        double load[3] = {0, 0, 0};
        (void)::getloadavg(load, 3);
        char b[64];
        std::snprintf(b, sizeof b, "%.2f", load[0]);
        json += std::string("\n ],\n \"loadavg_end\": ") + b + "\n}\n";
        std::ofstream(json_path) << json;
    }
    return 0;
}

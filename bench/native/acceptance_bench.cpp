// acceptance_bench — the spec's primary acceptance run (§10.1) on our data, end to end, as one
// JSON report with the spec's field names (boot_ms, first_query_ms, first_query_recall_at_10,
// working_quality_ms/_recall_at_10, full_quality_ms/_recall_at_10, steady_state_qps,
// p50/p95/p99_ms, data_read_first_query_mb, data_read_working_quality_mb) plus dataset, hardware,
// build and in-place blocks. Numbers are printed, never asserted (bench/README.md).
//
//   rvf_acceptance_bench PATH [--n 10000000] [--dim 128] [--storage f16|f32] [--queries 1000]
//                        [--clusters 100] [--sigma 0.5] [--seed 42] [--recall 0.95]
//                        [--phases build,truth,cold,progressive,steady] [--json FILE]
//
// Phases, each in a fresh child process (fork) so its peak RSS (VmHWM) is its own:
//   build        PATH from the seeded Gaussian mixture of tests/cpp/support/ann_data.hpp, streamed
//                (rows are generated batch by batch, never all at once: 10 M × 384 would not fit),
//                ids 1..n, batches of 50,000 (one commit each), then compact() (row-major VEC,
//                layer F) and build_index() (M 16, ef_construction 200, spec §10.1), close().
//                The held-out queries (the stream continued after the rows) go to PATH.queries.
//                Skipped when PATH and PATH.queries exist (delete them or pass --phases build).
//   truth        exact top-10 of every query (QueryOptions::exact over the stored rows, so f16
//                rounding is in the truth too), both cores, to PATH.truth.
//   cold         page cache of PATH dropped (posix_fadvise DONTNEED), then the in-place
//                Structural open + one query: open ms, first query ms, bytes the process read
//                from storage (/proc/self/io read_bytes), recall@10 of that answer.
//   progressive  rvf/progressive.hpp over pread, page cache dropped: boot (Level-0 root parsed),
//                first answer (queryable), working quality (layers A+B), full quality (complete);
//                at each point ms, bytes supplied, round trips and mean recall@10 over the
//                queries (the recall's own time is not on the clock).
//   steady       in-place open, warm: ef raised until mean recall@10 ≥ --recall, then one pass
//                at that ef timed per query: single-thread QPS, p50/p95/p99.
// A phase that fails prints why and the report keeps the others (null fields).
#include <fcntl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <rvf/index_layers.hpp>
#include <rvf/progressive.hpp>
#include <rvf/store.hpp>

#include "support/ann_data.hpp"

using namespace rvf;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kK = 10;

double ms(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }
double mb(uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

/// A field of a /proc/self file ("VmHWM" in status: KiB; "read_bytes" in io: bytes), or -1.
long long proc_field(const char *file, const char *field) {
    std::ifstream f(file);
    std::string line;
    const size_t n = std::strlen(field);
    while (std::getline(f, line))
        if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
            return std::strtoll(line.c_str() + n + 1, nullptr, 10);
    return -1;
}
double peak_rss_mb() { return static_cast<double>(proc_field("/proc/self/status", "VmHWM")) / 1024.0; }
long long storage_read_bytes() { return proc_field("/proc/self/io", "read_bytes"); }

void drop_cache(const std::string &path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
        return;
    ::fsync(fd);
    (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

/// ann_data.hpp's gaussian_mixture, one row at a time: the same numbers in the same order
/// (centres first, then the rows, then the queries), without holding the rows.
class MixtureStream {
public:
    explicit MixtureStream(const test::MixtureSpec &s) : s_(s), r_(s.seed), centres_(s.clusters * s.dim) {
        for (auto &c : centres_)
            c = static_cast<float>(r_.gaussian() * s.centre_scale);
    }
    void next(float *out) {
        const size_t c = std::min(s_.clusters - 1, static_cast<size_t>(r_.uniform() * static_cast<double>(s_.clusters)));
        for (size_t d = 0; d < s_.dim; ++d)
            out[d] = static_cast<float>(centres_[c * s_.dim + d] + r_.gaussian() * s_.sigma);
    }

private:
    test::MixtureSpec s_;
    test::Mulberry32 r_;
    std::vector<float> centres_;
};

bool write_floats(const std::string &path, const std::vector<float> &v) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
    return static_cast<bool>(f);
}
template <class T> std::vector<T> read_all(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return {};
    const auto size = std::filesystem::file_size(path);
    std::vector<T> v(size / sizeof(T));
    f.read(reinterpret_cast<char *>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
    return f ? v : std::vector<T>{};
}

/// One phase's results: JSON members ("\"key\":value" pairs) in order.
struct Fields {
    std::vector<std::pair<std::string, std::string>> kv;
    void num(const std::string &k, double v, int prec = 3) {
        char b[64];
        if (std::isfinite(v))
            std::snprintf(b, sizeof b, "%.*f", prec, v);
        else
            std::snprintf(b, sizeof b, "null");
        kv.emplace_back(k, b);
    }
    void str(const std::string &k, const std::string &v) { kv.emplace_back(k, "\"" + v + "\""); }
    std::string lines() const {
        std::string s;
        for (const auto &[k, v] : kv)
            s += k + "\t" + v + "\n";
        return s;
    }
    static Fields parse(const std::string &text) {
        Fields f;
        std::stringstream ss(text);
        for (std::string line; std::getline(ss, line);)
            if (const size_t tab = line.find('\t'); tab != std::string::npos)
                f.kv.emplace_back(line.substr(0, tab), line.substr(tab + 1));
        return f;
    }
    const std::string *get(const std::string &k) const {
        for (const auto &[key, v] : kv)
            if (key == k)
                return &v;
        return nullptr;
    }
    std::string json() const {
        std::string s = "{";
        for (size_t i = 0; i < kv.size(); ++i)
            s += (i ? "," : "") + ("\"" + kv[i].first + "\":") + kv[i].second;
        return s + "}";
    }
};

struct Setup {
    std::string path;
    test::MixtureSpec spec;
    StorageType storage = StorageType::F16;
    double recall_goal = 0.95;
};

std::string queries_path(const Setup &s) { return s.path + ".queries"; }
std::string truth_path(const Setup &s) { return s.path + ".truth"; }

bool phase_build(const Setup &s, Fields &out) {
    std::filesystem::remove(s.path);
    std::filesystem::remove(s.path + ".lock");
    StoreOptions o;
    o.dimension = static_cast<uint16_t>(s.spec.dim);
    o.storage = s.storage;
    o.hnsw_m = 16;
    o.hnsw_ef_construction = 200;
    auto db = RvfStore::create(s.path, o);
    if (!db) {
        std::fprintf(stderr, "create: %s\n", db.error().to_string().c_str());
        return false;
    }
    MixtureStream gen(s.spec);
    const size_t batch = 50000, dim = s.spec.dim;
    std::vector<float> rows(batch * dim);
    std::vector<uint64_t> ids(batch);
    const auto t0 = Clock::now();
    for (size_t at = 0; at < s.spec.n; at += batch) {
        const size_t c = std::min(batch, s.spec.n - at);
        for (size_t i = 0; i < c; ++i) {
            gen.next(rows.data() + i * dim);
            ids[i] = at + i + 1;
        }
        if (auto r = db->ingest_batch(std::span(ids.data(), c), std::span<const float>(rows.data(), c * dim)); !r) {
            std::fprintf(stderr, "ingest: %s\n", r.error().to_string().c_str());
            return false;
        }
        if ((at / batch) % 20 == 19)
            std::fprintf(stderr, "  ingested %zu / %zu (%.0f s)\n", at + c, s.spec.n, ms(t0, Clock::now()) / 1000);
    }
    const auto t1 = Clock::now();
    std::vector<float> queries(s.spec.queries * dim);
    for (size_t i = 0; i < s.spec.queries; ++i)
        gen.next(queries.data() + i * dim);
    if (!write_floats(queries_path(s), queries))
        return false;
    if (auto r = db->compact(CompactOptions{}); !r) {
        std::fprintf(stderr, "compact: %s\n", r.error().to_string().c_str());
        return false;
    }
    const auto t2 = Clock::now();
    std::fprintf(stderr, "  compacted (%.0f s); building the index ...\n", ms(t1, t2) / 1000);
    if (auto r = db->build_index(); !r) {
        std::fprintf(stderr, "build_index: %s\n", r.error().to_string().c_str());
        return false;
    }
    const auto t3 = Clock::now();
    if (auto r = db->close(); !r) {
        std::fprintf(stderr, "close: %s\n", r.error().to_string().c_str());
        return false;
    }
    const auto t4 = Clock::now();
    out.num("ingest_s", ms(t0, t1) / 1000, 1);
    out.num("ingest_vectors_per_s", static_cast<double>(s.spec.n) / (ms(t0, t1) / 1000), 0);
    out.num("compact_s", ms(t1, t2) / 1000, 1);
    out.num("index_s", ms(t2, t3) / 1000, 1);
    out.num("close_s", ms(t3, t4) / 1000, 1);
    out.num("build_s", ms(t0, t4) / 1000, 1);
    out.num("file_bytes", static_cast<double>(std::filesystem::file_size(s.path)), 0);
    out.num("peak_rss_mb", peak_rss_mb(), 1);
    return true;
}

std::span<const float> query_row(const std::vector<float> &q, size_t dim, size_t i) {
    return std::span<const float>(q.data() + i * dim, dim);
}

bool phase_truth(const Setup &s, Fields &out) {
    const auto q = read_all<float>(queries_path(s));
    const size_t dim = s.spec.dim, nq = q.size() / dim;
    auto db = RvfStore::open_readonly(s.path, {.verify = OpenVerify::Structural});
    if (nq == 0 || !db) {
        std::fprintf(stderr, "truth: no queries or open failed%s\n", db ? "" : (": " + db.error().to_string()).c_str());
        return false;
    }
    std::vector<uint64_t> truth(nq * kK, 0);
    const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
    std::vector<std::thread> pool;
    bool ok = true;
    const auto t0 = Clock::now();
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            for (size_t i = t; i < nq; i += threads) {
                auto r = db->query(query_row(q, dim, i), kK, {.exact = true});
                if (!r) {
                    ok = false;
                    return;
                }
                for (size_t j = 0; j < r->size() && j < kK; ++j)
                    truth[i * kK + j] = (*r)[j].id;
            }
        });
    for (auto &th : pool)
        th.join();
    if (!ok)
        return false;
    std::ofstream f(truth_path(s), std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char *>(truth.data()), static_cast<std::streamsize>(truth.size() * 8));
    out.num("truth_s", ms(t0, Clock::now()) / 1000, 1);
    out.num("peak_rss_mb", peak_rss_mb(), 1);
    return static_cast<bool>(f);
}

struct Eval {
    std::vector<float> q;
    std::vector<uint64_t> truth;
    size_t dim = 0, nq = 0;
    bool load(const Setup &s) {
        q = read_all<float>(queries_path(s));
        truth = read_all<uint64_t>(truth_path(s));
        dim = s.spec.dim;
        nq = dim ? q.size() / dim : 0;
        return nq > 0 && truth.size() == nq * kK;
    }
    double recall(size_t i, const std::vector<Neighbor> &hits) const {
        size_t found = 0, want = 0;
        for (size_t j = 0; j < kK; ++j) {
            const uint64_t t = truth[i * kK + j];
            if (t == 0)
                continue;
            ++want;
            for (const Neighbor &h : hits)
                found += h.id == t ? 1 : 0;
        }
        return want ? static_cast<double>(found) / static_cast<double>(want) : 1.0;
    }
    /// Mean recall@10 over every query, answered by `ask`.
    double mean(const std::function<Result<std::vector<Neighbor>>(std::span<const float>)> &ask) const {
        double sum = 0;
        for (size_t i = 0; i < nq; ++i) {
            auto r = ask(query_row(q, dim, i));
            sum += r ? recall(i, *r) : 0;
        }
        return sum / static_cast<double>(nq);
    }
};

bool phase_cold(const Setup &s, Fields &out) {
    Eval e;
    if (!e.load(s))
        return false;
    drop_cache(s.path);
    const long long read0 = storage_read_bytes();
    const auto t0 = Clock::now();
    auto db = RvfStore::open_readonly(s.path, {.verify = OpenVerify::Structural});
    const auto t1 = Clock::now();
    if (!db) {
        std::fprintf(stderr, "open: %s\n", db.error().to_string().c_str());
        return false;
    }
    const long long read1 = storage_read_bytes();
    auto hits = db->query(query_row(e.q, e.dim, 0), kK, {.ef_search = 100});
    const auto t2 = Clock::now();
    const long long read2 = storage_read_bytes();
    if (!hits)
        return false;
    out.num("open_ms", ms(t0, t1), 2);
    out.num("first_query_ms", ms(t1, t2), 2);
    out.num("open_plus_first_query_ms", ms(t0, t2), 2);
    out.num("data_read_open_mb", mb(static_cast<uint64_t>(std::max(0LL, read1 - read0))), 3);
    out.num("data_read_first_query_mb", mb(static_cast<uint64_t>(std::max(0LL, read2 - read0))), 3);
    out.num("first_query_recall_at_10", e.recall(0, *hits), 3);
    out.num("peak_rss_mb", peak_rss_mb(), 1);
    return true;
}

bool phase_progressive(const Setup &s, Fields &out) {
    Eval e;
    if (!e.load(s))
        return false;
    drop_cache(s.path);
    const int fd = ::open(s.path.c_str(), O_RDONLY);
    if (fd < 0)
        return false;
    const uint64_t size = std::filesystem::file_size(s.path);
    auto p = ProgressiveStore::begin(size);
    if (!p)
        return false;
    std::vector<uint8_t> buf;
    double clock = 0; // ms on the loading clock (recall measurements excluded)
    size_t rounds = 0;
    bool booted = false, first = false, working = false;
    auto recall_now = [&] {
        return e.mean([&](std::span<const float> v) { return p->query(v, kK, {.ef_search = 100}); });
    };
    auto mark = [&](const char *name) {
        out.num(std::string(name) + "_ms", clock, 2);
        out.num(std::string(name) + "_round_trips", static_cast<double>(rounds), 0);
        out.num(std::string("data_read_") + name + "_mb", mb(p->bytes_supplied()), 3);
        out.num(std::string(name) + "_recall_at_10", recall_now(), 3);
    };
    while (!p->complete()) {
        const auto want = p->wanted();
        if (want.empty())
            break;
        ++rounds;
        const auto t0 = Clock::now();
        for (const ByteRange &r : want) {
            buf.resize(static_cast<size_t>(r.length));
            size_t got = 0;
            while (got < buf.size()) {
                const ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(r.offset + got));
                if (n <= 0) {
                    std::perror("pread");
                    ::close(fd);
                    return false;
                }
                got += static_cast<size_t>(n);
            }
            if (auto st = p->supply(r.offset, buf); !st) {
                std::fprintf(stderr, "supply: %s\n", st.error().to_string().c_str());
                ::close(fd);
                return false;
            }
        }
        clock += ms(t0, Clock::now());
        if (!booted && p->phase() != ProgressivePhase::Tail) {
            booted = true;
            out.num("boot_ms", clock, 3);
            out.num("data_read_boot_mb", mb(p->bytes_supplied()), 4);
        }
        if (!first && p->queryable() && !p->complete()) {
            first = true;
            const auto q0 = Clock::now();
            (void)p->query(query_row(e.q, e.dim, 0), kK, {.ef_search = 100});
            clock += ms(q0, Clock::now());
            mark("first_query");
        }
        if (!working && (p->layers() & (kLayerA | kLayerB)) == (kLayerA | kLayerB) && !p->complete()) {
            working = true;
            mark("working_quality");
        }
    }
    ::close(fd);
    if (!p->complete())
        return false;
    out.num("whole_file", p->whole_file() ? 1 : 0, 0);
    mark("full_quality");
    out.num("peak_rss_mb", peak_rss_mb(), 1);
    return true;
}

bool phase_steady(const Setup &s, Fields &out) {
    Eval e;
    if (!e.load(s))
        return false;
    auto db = RvfStore::open_readonly(s.path, {.verify = OpenVerify::Structural});
    if (!db)
        return false;
    uint32_t ef = 16;
    double rec = 0;
    for (; ef <= 1024; ef = ef < 64 ? ef * 2 : ef * 3 / 2) {
        rec = e.mean([&](std::span<const float> v) { return db->query(v, kK, {.ef_search = ef}); });
        std::fprintf(stderr, "  ef %u: recall@10 %.4f\n", ef, rec);
        if (rec >= s.recall_goal)
            break;
    }
    std::vector<double> lat(e.nq);
    const auto t0 = Clock::now();
    for (size_t i = 0; i < e.nq; ++i) {
        const auto a = Clock::now();
        (void)db->query(query_row(e.q, e.dim, i), kK, {.ef_search = ef});
        lat[i] = ms(a, Clock::now());
    }
    const double total = ms(t0, Clock::now());
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) { return lat[std::min(lat.size() - 1, static_cast<size_t>(p * static_cast<double>(lat.size())))]; };
    out.num("steady_ef", ef, 0);
    out.num("steady_recall_at_10", rec, 4);
    out.num("steady_state_qps", static_cast<double>(e.nq) / (total / 1000), 0);
    out.num("p50_ms", pct(0.50), 4);
    out.num("p95_ms", pct(0.95), 4);
    out.num("p99_ms", pct(0.99), 4);
    out.num("peak_rss_mb", peak_rss_mb(), 1);
    return true;
}

/// Run a phase in a fresh process; its Fields come back through a pipe (nullopt: it failed).
std::optional<Fields> in_child(const std::function<bool(Fields &)> &phase) {
    int fd[2];
    if (::pipe(fd) != 0)
        return std::nullopt;
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(fd[0]);
        Fields f;
        const std::string j = phase(f) ? "ok\t1\n" + f.lines() : "";
        size_t at = 0;
        while (at < j.size()) {
            const ssize_t n = ::write(fd[1], j.data() + at, j.size() - at);
            if (n <= 0)
                break;
            at += static_cast<size_t>(n);
        }
        ::_exit(0);
    }
    ::close(fd[1]);
    std::string j;
    char b[4096];
    for (ssize_t n; (n = ::read(fd[0], b, sizeof b)) > 0;)
        j.append(b, static_cast<size_t>(n));
    ::close(fd[0]);
    int st = 0;
    ::waitpid(pid, &st, 0);
    if (j.rfind("ok\t1\n", 0) != 0 || !WIFEXITED(st))
        return std::nullopt;
    return Fields::parse(j.substr(5));
}

std::string hardware_json() {
    std::string cpu = "unknown";
    std::ifstream c("/proc/cpuinfo");
    for (std::string line; std::getline(c, line);)
        if (line.rfind("model name", 0) == 0) {
            cpu = line.substr(line.find(':') + 2);
            break;
        }
    std::replace(cpu.begin(), cpu.end(), '"', '\'');
    struct utsname u {};
    ::uname(&u);
    const double mem_gb = static_cast<double>(proc_field("/proc/meminfo", "MemTotal")) / 1024.0 / 1024.0;
    char b[512];
    std::snprintf(b, sizeof b, "{\"cpu\":\"%s\",\"cores\":%u,\"memory_gb\":%.1f,\"kernel\":\"%s %s\"}", cpu.c_str(),
                  std::thread::hardware_concurrency(), mem_gb, u.sysname, u.release);
    return b;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 2 || argv[1][0] == '-') {
        std::fprintf(stderr, "usage: %s PATH [--n N] [--dim D] [--storage f16|f32] [--queries Q] [--clusters C] "
                             "[--sigma S] [--seed X] [--recall R] [--phases build,truth,cold,progressive,steady] "
                             "[--json FILE]\n", argv[0]);
        return 2;
    }
    Setup s;
    s.path = argv[1];
    s.spec.n = 10000000;
    std::string phases = "build,truth,cold,progressive,steady", json_path;
    bool phases_given = false;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const char *v = argv[i + 1];
        if (test::mixture_option(a, v, s.spec))
            continue;
        if (a == "--storage" && (std::strcmp(v, "f16") == 0 || std::strcmp(v, "f32") == 0))
            s.storage = v[1] == '1' ? StorageType::F16 : StorageType::F32;
        else if (a == "--recall")
            s.recall_goal = std::strtod(v, nullptr);
        else if (a == "--phases")
            phases = v, phases_given = true;
        else if (a == "--json")
            json_path = v;
        else {
            std::fprintf(stderr, "unknown argument %s (run without arguments for the usage)\n", a.c_str());
            return 2;
        }
    }
    if (argc % 2 != 0) {
        std::fprintf(stderr, "%s needs a value\n", argv[argc - 1]);
        return 2;
    }
    const std::map<std::string, std::function<bool(const Setup &, Fields &)>> table = {
        {"build", phase_build}, {"truth", phase_truth}, {"cold", phase_cold},
        {"progressive", phase_progressive}, {"steady", phase_steady}};
    std::vector<std::string> order;
    std::stringstream ss(phases);
    for (std::string p; std::getline(ss, p, ',');) {
        if (!table.count(p)) {
            std::fprintf(stderr, "unknown phase %s (build, truth, cold, progressive, steady)\n", p.c_str());
            return 2;
        }
        order.push_back(p);
    }
    const bool have_file = std::filesystem::exists(s.path) && std::filesystem::exists(queries_path(s));
    std::map<std::string, Fields> results;
    std::string report = "{\"dataset\":{";
    char b[512];
    std::snprintf(b, sizeof b, "\"kind\":\"gaussian mixture (tests/cpp/support/ann_data.hpp)\",\"n\":%zu,\"dim\":%zu,"
                  "\"storage\":\"%s\",\"metric\":\"l2\",\"clusters\":%zu,\"sigma\":%.3f,\"seed\":%u,\"queries\":%zu,"
                  "\"k\":%zu,\"hnsw_m\":16,\"ef_construction\":200}",
                  s.spec.n, s.spec.dim, s.storage == StorageType::F16 ? "f16" : "f32", s.spec.clusters, s.spec.sigma,
                  s.spec.seed, s.spec.queries, kK);
    report += b + std::string(",\"hardware\":") + hardware_json();
    for (const std::string &p : order) {
        if (p == "build" && have_file && !phases_given) {
            std::fprintf(stderr, "%s exists: build skipped (delete it, or pass --phases build)\n", s.path.c_str());
            report += ",\"build\":\"skipped: file existed\"";
            continue;
        }
        if (p == "truth" && std::filesystem::exists(truth_path(s)) && have_file && !phases_given) {
            report += ",\"truth\":\"skipped: " + truth_path(s) + " existed\"";
            continue;
        }
        std::fprintf(stderr, "phase %s ...\n", p.c_str());
        const auto t0 = Clock::now();
        const auto f = in_child([&](Fields &out) { return table.at(p)(s, out); });
        const std::string j = f ? f->json() : "null";
        std::fprintf(stderr, "phase %s: %s (%.1f s)\n", p.c_str(), j.c_str(), ms(t0, Clock::now()) / 1000);
        report += ",\"" + p + "\":" + j;
        if (f)
            results[p] = *f;
    }
    // The spec's report fields (§10.1) at the top level, from the phases that measure them.
    const std::pair<const char *, const char *> spec_fields[] = {
        {"boot_ms", "progressive"}, {"first_query_ms", "progressive"}, {"first_query_recall_at_10", "progressive"},
        {"data_read_first_query_mb", "progressive"}, {"working_quality_ms", "progressive"},
        {"working_quality_recall_at_10", "progressive"}, {"data_read_working_quality_mb", "progressive"},
        {"full_quality_ms", "progressive"}, {"full_quality_recall_at_10", "progressive"},
        {"steady_state_qps", "steady"}, {"p50_ms", "steady"}, {"p95_ms", "steady"}, {"p99_ms", "steady"}};
    for (const auto &[field, phase] : spec_fields) {
        const auto it = results.find(phase);
        const std::string *v = it == results.end() ? nullptr : it->second.get(field);
        report += ",\"" + std::string(field) + "\":" + (v ? *v : "null");
    }
    report += "}";
    std::printf("%s\n", report.c_str());
    if (!json_path.empty()) {
        std::ofstream f(json_path, std::ios::trunc);
        f << report << "\n";
        if (!f) {
            std::fprintf(stderr, "cannot write %s\n", json_path.c_str());
            return 1;
        }
    }
    return 0;
}

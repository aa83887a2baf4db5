// engine_runner — this project's native RvfStore as one engine of the peer benchmark
// (`npm run bench`, bench/run.mjs). It speaks the JSON-lines protocol of bench/engines/*.mjs:
// one JSON job on stdin, one JSON object per line on stdout (bench/README.md, "Protocol").
//
//   echo '{"phase":"build",...}' | rvf_bench_engine
//   rvf_bench_engine --evict FILE...   fsync each file, then drop its pages from the page cache
//                                      (posix_fadvise DONTNEED), so the next open reads the disk
//
// phase "build": create the store at job.file, ingest job.base in batches of job.batch (each
//   batch is a durable commit and extends the HNSW index), answer one query (the index is ready),
//   close() (persists the index layers), report times, file size and peak RSS.
// phase "serve": open_readonly(job.file) and answer the first query (cold open), warm up for
//   job.warmup_s (1 s), then sweep job.ef_search single-threaded at k = job.k: recall@k against
//   job.truth, QPS of the fastest timed pass, p50/p95/p99 latency of that pass, CPU time per
//   query of the least-CPU pass.
// The same steps, in the same order, are what every JS engine runner does (engines/common.mjs).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <rvf/distance.hpp>
#include <rvf/store.hpp>
#include <rvf/version.hpp>

#include "support/ann_data.hpp"

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU time of this process in seconds: unlike wall time, it does not grow when other processes
/// take the core away, so it compares engines on a shared machine.
double cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void emit(json j) {
    std::cout << j.dump() << '\n' << std::flush;
}

/// Peak resident set of this process (VmHWM), in KiB; 0 when /proc is unavailable.
long peak_rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

uint64_t file_bytes(const std::string &path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

int fail(const std::string &what) {
    emit({{"event", "error"}, {"message", what}});
    return 1;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    return v[i];
}

int build(const json &job) {
    const rvf::test::Matrix base = rvf::test::read_fvecs(job.at("base").get<std::string>());
    if (base.n == 0)
        return fail("cannot read base vectors");
    const std::string file = job.at("file").get<std::string>();
    std::remove(file.c_str());
    std::remove((file + ".lock").c_str());
    rvf::StoreOptions opt;
    opt.dimension = static_cast<uint16_t>(base.dim);
    opt.metric = rvf::Metric::L2;
    opt.hnsw_m = job.value("m", uint16_t{16});
    opt.hnsw_ef_construction = job.value("ef_construction", uint16_t{200});
    const size_t batch = std::max<size_t>(1, job.value("batch", size_t{10000}));

    const auto t0 = Clock::now();
    auto store = rvf::RvfStore::create(file, opt);
    if (!store)
        return fail(store.error().to_string());
    std::vector<uint64_t> ids;
    for (size_t at = 0; at < base.n; at += batch) {
        const size_t n = std::min(batch, base.n - at);
        ids.resize(n);
        for (size_t i = 0; i < n; ++i)
            ids[i] = at + i;
        auto r = store->ingest_batch(ids, std::span<const float>(base.row(at), n * base.dim));
        if (!r)
            return fail(r.error().to_string());
        if (r->rejected)
            return fail("rejected vectors in batch at " + std::to_string(at));
    }
    rvf::QueryOptions qo;
    qo.ef_search = 64;
    auto first = store->query(std::span<const float>(base.row(0), base.dim), job.value("k", size_t{10}), qo);
    if (!first)
        return fail(first.error().to_string());
    const double build_s = since(t0);
    const auto t1 = Clock::now();
    if (auto c = store->close(); !c)
        return fail(c.error().to_string());
    const double save_s = since(t1);
    emit({{"event", "build"},
          {"seconds", build_s},
          {"vectors", base.n},
          {"vectors_per_s", static_cast<double>(base.n) / build_s},
          {"threads", std::max(1u, std::thread::hardware_concurrency())},
          {"durable", true}});
    emit({{"event", "save"}, {"seconds", save_s}, {"file_bytes", file_bytes(file)}});
    emit({{"event", "rss"}, {"phase", "build"}, {"peak_rss_kib", peak_rss_kib()}});
    return 0;
}

int serve(const json &job) {
    const size_t max_q = job.value("max_queries", size_t{0}); // 0: all
    const rvf::test::Matrix q = rvf::test::read_fvecs(job.at("query").get<std::string>(), max_q);
    const size_t k = job.value("k", size_t{10});
    auto truth = rvf::test::read_ivecs_truth(job.at("truth").get<std::string>(), k);
    if (max_q && truth.size() > max_q)
        truth.resize(max_q);
    if (q.n == 0 || truth.size() != q.n)
        return fail("cannot read queries / ground truth");
    const std::string file = job.at("file").get<std::string>();

    const auto t0 = Clock::now();
    auto store = rvf::RvfStore::open_readonly(file);
    if (!store)
        return fail(store.error().to_string());
    const double open_s = since(t0);
    rvf::QueryOptions first_opt;
    first_opt.ef_search = 64;
    const auto t1 = Clock::now();
    auto first = store->query(std::span<const float>(q.row(0), q.dim), k, first_opt);
    if (!first)
        return fail(first.error().to_string());
    const double first_s = since(t1);
    const rvf::StoreStatus st = store->status();
    emit({{"event", "open"},
          {"open_seconds", open_s},
          {"first_query_seconds", first_s},
          {"vectors", st.total_vectors},
          {"indexed", st.indexed_vectors}});

    // Warm-up before any timing, as the JS runners do (there it lets V8 optimise the code).
    {
        rvf::QueryOptions wo;
        wo.ef_search = 64;
        const auto w0 = Clock::now();
        for (size_t i = 0; since(w0) < job.value("warmup_s", 1.0); i = (i + 1) % q.n)
            (void)store->query(std::span<const float>(q.row(i), q.dim), k, wo);
    }
    const double min_time = job.value("min_time", 0.3);
    const int min_passes = job.value("min_passes", 2), max_passes = job.value("max_passes", 50);
    const double stop_recall = job.value("stop_recall", 0.995);
    std::vector<std::vector<std::pair<float, uint32_t>>> res(q.n);
    std::vector<double> lat(q.n), best_lat;
    for (const auto &efv : job.at("ef_search")) {
        rvf::QueryOptions qo;
        qo.ef_search = efv.get<uint32_t>();
        auto run = [&](size_t i) -> bool {
            auto r = store->query(std::span<const float>(q.row(i), q.dim), k, qo);
            if (!r)
                return false;
            res[i].clear();
            for (const auto &nb : *r)
                res[i].push_back({nb.distance, static_cast<uint32_t>(nb.id)});
            return true;
        };
        // Untimed pass: warms the caches and gives recall.
        for (size_t i = 0; i < q.n; ++i)
            if (!run(i))
                return fail("query failed");
        const double recall = rvf::test::recall_at_k(res, truth, k);
        double best = 1e300, best_cpu = 1e300, total = 0;
        int passes = 0;
        while (passes < min_passes || (total < min_time && passes < max_passes)) {
            const double c0 = cpu_seconds();
            const auto p0 = Clock::now();
            for (size_t i = 0; i < q.n; ++i) {
                const auto a = Clock::now();
                run(i);
                lat[i] = since(a);
            }
            const double s = since(p0), cpu = cpu_seconds() - c0;
            total += s;
            ++passes;
            best_cpu = std::min(best_cpu, cpu);
            if (s < best) {
                best = s;
                best_lat = lat;
            }
        }
        emit({{"event", "search"},
              {"ef", qo.ef_search},
              {"k", k},
              {"recall", recall},
              {"qps", static_cast<double>(q.n) / best},
              {"p50_us", percentile(best_lat, 0.50) * 1e6},
              {"p95_us", percentile(best_lat, 0.95) * 1e6},
              {"p99_us", percentile(best_lat, 0.99) * 1e6},
              {"cpu_us_per_query", best_cpu / static_cast<double>(q.n) * 1e6},
              {"passes", passes}});
        if (recall >= stop_recall)
            break;
    }
    emit({{"event", "rss"}, {"phase", "serve"}, {"peak_rss_kib", peak_rss_kib()}});
    return 0;
}

/// The driver calls this between the build and serve processes of every engine: a cold open
/// should read the file, not find it in the page cache the build just filled.
int evict(int argc, char **argv) {
    int rc = 0;
    for (int i = 2; i < argc; ++i) {
        const int fd = ::open(argv[i], O_RDONLY);
        if (fd < 0 || ::fsync(fd) != 0 || ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
            rc = 1;
        if (fd >= 0)
            ::close(fd);
    }
    return rc;
}

} // namespace

int main(int argc, char **argv) {
    if (argc > 1 && std::string(argv[1]) == "--evict")
        return evict(argc, argv);
    json job;
    try {
        job = json::parse(std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()));
    } catch (const std::exception &e) {
        return fail(std::string("bad job: ") + e.what());
    }
    emit({{"event", "info"},
          {"engine", "rvf-native"},
          {"version", rvf::version()},
          {"kernels", rvf::kernels().name},
          {"api", "C++ RvfStore (file, f32, L2)"}});
    try {
        const std::string phase = job.value("phase", "");
        if (phase == "build")
            return build(job);
        if (phase == "serve")
            return serve(job);
        return fail("unknown phase '" + phase + "'");
    } catch (const std::exception &e) { // json type errors in the job
        return fail(std::string("bad job: ") + e.what());
    }
}

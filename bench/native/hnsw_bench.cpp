// hnsw_bench — HNSW build time, single-thread QPS and recall@10 (k = 10, L2) over ef, the ef
// needed for recall 0.95 / 0.99, and progressive recall from layers A, A+B, A+B+C.
// Prints JSON lines (STYLE §29: reported, never asserted).
//
//   hnsw_bench [--n 100000] [--queries 1000] [--dim 128] [--clusters 100] [--sigma 0.5] [--seed 42]
//              [--m 16] [--efc 200] [--threads 0] [--sift DIR] [--dump DIR] [--graph PATH] [--search-only 1]
// Default data: the seeded Gaussian mixture of tests/cpp/support/ann_data.hpp. --sift DIR reads
// TEXMEX files (siftsmall_{base,query}.fvecs, siftsmall_groundtruth.ivecs). --dump DIR writes the
// data set as base.fvecs / query.fvecs / groundtruth.ivecs so peer libraries (bench/js) can be
// measured on the very same vectors. --graph PATH caches the built graph (as a Layout R INDEX
// payload): loaded when the file exists, written after the build otherwise. --search-only 1 stops
// after the ef sweep (repeatable timing rounds).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include <rvf/distance.hpp>
#include <rvf/hnsw.hpp>
#include <rvf/index_layers.hpp>

#include "support/ann_data.hpp"

using namespace rvf;
using rvf::test::F32Space;
using rvf::test::Matrix;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

bool write_vecs(const std::string &path, const void *data, size_t rows, size_t dim) {
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f)
        return false;
    const int32_t d = static_cast<int32_t>(dim);
    for (size_t r = 0; r < rows; ++r) {
        std::fwrite(&d, 4, 1, f);
        std::fwrite(static_cast<const char *>(data) + r * dim * 4, 4, dim, f);
    }
    return std::fclose(f) == 0;
}

struct Run {
    double recall = 0, qps = 0, evals = 0;
};

/// Timed passes over all queries on one thread after an untimed warm-up pass; QPS of the fastest
/// pass (at least 3 passes and 0.3 s), which filters out interference from other processes.
template <class Search> Run run_queries(const Matrix &q, const std::vector<std::vector<uint32_t>> &truth, Search &&search) {
    std::vector<std::vector<std::pair<float, uint32_t>>> res(q.n);
    size_t evals = 0;
    for (size_t i = 0; i < q.n; ++i)
        res[i] = search(i, evals);
    const double recall = test::recall_at_k(res, truth, 10);
    const double per_query = static_cast<double>(evals) / static_cast<double>(q.n);
    double best = 0, total = 0;
    for (int pass = 0; pass < 3 || (total < 0.3 && pass < 50); ++pass) {
        const auto t0 = Clock::now();
        for (size_t i = 0; i < q.n; ++i)
            res[i] = search(i, evals);
        const double s = seconds(t0, Clock::now());
        total += s;
        best = std::max(best, static_cast<double>(q.n) / s);
    }
    return {recall, best, per_query};
}

} // namespace

int main(int argc, char **argv) {
    test::MixtureSpec spec;
    HnswParams params;
    unsigned threads = 0;
    std::string sift, dump, graph_path;
    bool search_only = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const char *v = argv[i + 1];
        if (rvf::test::mixture_option(a, v, spec))
            continue;
        else if (a == "--m") {
            params.m = static_cast<uint16_t>(std::atoi(v));
            params.m0 = static_cast<uint16_t>(2 * params.m);
        } else if (a == "--efc")
            params.ef_construction = static_cast<uint16_t>(std::atoi(v));
        else if (a == "--threads")
            threads = static_cast<unsigned>(std::atoi(v));
        else if (a == "--sift")
            sift = v;
        else if (a == "--dump")
            dump = v;
        else if (a == "--graph")
            graph_path = v;
        else if (a == "--search-only")
            search_only = std::atoi(v) != 0;
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }

    Matrix base, queries;
    std::vector<std::vector<uint32_t>> truth;
    std::string dataset;
    if (!sift.empty()) {
        base = test::read_fvecs(sift + "/siftsmall_base.fvecs");
        queries = test::read_fvecs(sift + "/siftsmall_query.fvecs");
        truth = test::read_ivecs_truth(sift + "/siftsmall_groundtruth.ivecs", 10);
        dataset = "sift10k";
        if (base.n == 0 || queries.n == 0 || truth.size() != queries.n) {
            std::fprintf(stderr, "cannot read SIFT files in %s\n", sift.c_str());
            return 1;
        }
    } else {
        test::gaussian_mixture(spec, base, queries);
        truth = test::brute_force_knn(base, queries, 10);
        char buf[160];
        std::snprintf(buf, sizeof buf, "gaussian-mixture n=%zu dim=%zu clusters=%zu sigma=%g seed=%u", spec.n,
                      spec.dim, spec.clusters, spec.sigma, spec.seed);
        dataset = buf;
    }
    if (!dump.empty()) {
        std::vector<int32_t> gt;
        for (const auto &row : truth)
            for (uint32_t id : row)
                gt.push_back(static_cast<int32_t>(id));
        if (!write_vecs(dump + "/base.fvecs", base.v.data(), base.n, base.dim) ||
            !write_vecs(dump + "/query.fvecs", queries.v.data(), queries.n, queries.dim) ||
            !write_vecs(dump + "/groundtruth.ivecs", gt.data(), truth.size(), 10)) {
            std::fprintf(stderr, "cannot write to %s\n", dump.c_str());
            return 1;
        }
    }
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    std::printf("{\"bench\":\"hnsw\",\"dataset\":\"%s\",\"n\":%zu,\"dim\":%zu,\"queries\":%zu,\"kernels\":\"%s\","
                "\"cores\":%u,\"m\":%u,\"ef_construction\":%u}\n",
                dataset.c_str(), base.n, base.dim, queries.n, kernels().name, cores, unsigned{params.m},
                unsigned{params.ef_construction});

    // Build.
    F32Space space(base);
    std::vector<uint32_t> nodes(base.n);
    std::vector<uint64_t> ids(base.n);
    std::iota(nodes.begin(), nodes.end(), 0u);
    std::iota(ids.begin(), ids.end(), uint64_t{0});
    HnswGraph g(params);
    std::vector<uint8_t> cached;
    if (!graph_path.empty()) {
        std::ifstream f(graph_path, std::ios::binary);
        cached.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    auto t0 = Clock::now();
    if (!cached.empty()) {
        auto r = decode_layout_r_hnsw(core::ByteView(cached.data(), cached.size()));
        if (!r.ok() || r->graph.size() != base.n) {
            std::fprintf(stderr, "%s: not a graph of this data set\n", graph_path.c_str());
            return 1;
        }
        g = std::move(r->graph);
        std::printf("{\"phase\":\"load_graph\",\"seconds\":%.3f,\"bytes\":%zu}\n", seconds(t0, Clock::now()),
                    cached.size());
    } else {
        g.insert(nodes, ids, space, threads);
        const double build_s = seconds(t0, Clock::now());
        std::printf("{\"phase\":\"build\",\"seconds\":%.3f,\"threads\":%u,\"max_level\":%d}\n", build_s,
                    threads ? threads : cores, g.max_level());
        if (!graph_path.empty()) {
            auto bytes = encode_layout_r_hnsw(g, ids);
            std::ofstream f(graph_path, std::ios::binary);
            if (bytes.ok())
                f.write(reinterpret_cast<const char *>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
        }
    }
    std::fflush(stdout);

    // Single-thread search over ef.
    const auto l2 = kernels().l2sq_f32;
    auto hnsw_search = [&](size_t ef) {
        return [&, ef](size_t i, size_t &evals) {
            HnswSearchStats st;
            auto r = g.search_with([&](uint32_t n) { return l2(base.row(n), queries.row(i), base.dim); }, 10, ef,
                                   hnsw_detail::NoSkip{}, &st, [&](uint32_t n) { F32Space::prefetch_row(base, n); });
            evals += st.distance_evals;
            return r;
        };
    };
    for (size_t ef : {10, 20, 40, 80, 160, 320}) {
        const Run r = run_queries(queries, truth, hnsw_search(ef));
        std::printf("{\"phase\":\"search\",\"ef\":%zu,\"recall_at_10\":%.4f,\"qps\":%.0f,\"evals_per_query\":%.0f}\n", ef,
                    r.recall, r.qps, r.evals);
        std::fflush(stdout);
    }
    // Smallest ef on a fine grid reaching 0.95 / 0.99, with the QPS there.
    const size_t grid[] = {10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256,
                           320, 384, 448, 512, 640, 768, 1024};
    for (double target : {0.95, 0.99}) {
        bool found = false;
        for (size_t ef : grid) {
            const Run r = run_queries(queries, truth, hnsw_search(ef));
            if (r.recall >= target) {
                std::printf("{\"phase\":\"ef_for_recall\",\"target\":%.2f,\"ef\":%zu,\"recall_at_10\":%.4f,\"qps\":%.0f}\n",
                            target, ef, r.recall, r.qps);
                found = true;
                break;
            }
        }
        if (!found)
            std::printf("{\"phase\":\"ef_for_recall\",\"target\":%.2f,\"ef\":null}\n", target);
        std::fflush(stdout);
    }

    if (search_only)
        return 0;

    // Layers: encode, then search with A, A+B, A+B+C.
    t0 = Clock::now();
    const HnswCentroids cents = compute_centroids(g, space, 0, threads);
    const double cent_s = seconds(t0, Clock::now());
    t0 = Clock::now();
    const std::vector<uint32_t> hot = rank_hot_nodes(g, space, g.size() / 8, threads);
    const double hot_s = seconds(t0, Clock::now());
    auto a = encode_layer_a(g, cents, 1), b = encode_layer_b(g, hot, 1), c = encode_layer_c(g, 1);
    if (!a.ok() || !b.ok() || !c.ok()) {
        std::fprintf(stderr, "layer encoding failed\n");
        return 1;
    }
    std::printf("{\"phase\":\"layers\",\"centroids\":%zu,\"centroid_seconds\":%.3f,\"hot_nodes\":%zu,"
                "\"hot_seconds\":%.3f,\"bytes_a\":%zu,\"bytes_b\":%zu,\"bytes_c\":%zu}\n",
                cents.reps.size(), cent_s, hot.size(), hot_s, a->size(), b->size(), c->size());
    t0 = Clock::now();
    auto L = LayeredHnsw::open(core::ByteView(a->data(), a->size()));
    const double open_s = seconds(t0, Clock::now());
    if (!L.ok()) {
        std::fprintf(stderr, "layer A: %s\n", L.error().to_string().c_str());
        return 1;
    }
    auto layered = [&](const LayeredSearchParams &p) {
        return [&, p](size_t i, size_t &evals) {
            auto r = L->search_with([&](uint32_t n) { return l2(base.row(n), queries.row(i), base.dim); }, p);
            evals += r.stats.distance_evals;
            return r.hits;
        };
    };
    auto report = [&](const char *name, const LayeredSearchParams &p, double load_s) {
        const Run r = run_queries(queries, truth, layered(p));
        std::printf("{\"phase\":\"layered\",\"layers\":\"%s\",\"load_seconds\":%.4f,\"ef\":%zu,\"nprobe\":%zu,"
                    "\"recall_at_10\":%.4f,\"qps\":%.0f,\"evals_per_query\":%.0f}\n",
                    name, load_s, p.ef, p.nprobe, r.recall, r.qps, r.evals);
        std::fflush(stdout);
    };
    report("A", {10, 64, 0}, open_s);
    report("A", {10, 64, 4}, open_s);
    t0 = Clock::now();
    if (!L->add_layer_b(core::ByteView(b->data(), b->size())).ok())
        return 1;
    const double b_s = seconds(t0, Clock::now());
    report("A+B", {10, 64, 0}, b_s);
    report("A+B", {10, 64, 4}, b_s);
    t0 = Clock::now();
    if (!L->add_layer_c(core::ByteView(c->data(), c->size())).ok())
        return 1;
    const double c_s = seconds(t0, Clock::now());
    report("A+B+C", {10, 64, 0}, c_s);
    return 0;
}

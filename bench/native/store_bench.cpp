// rvf_store_bench — prints (asserts nothing): ingest rate with an fsync per 1000-vector batch,
// and exact-search throughput (GB of vectors scanned per second) for the store per storage
// type and for each distance kernel level against the scalar reference.
// Usage: rvf_store_bench [N=100000] [DIM=128] [QUERIES=50]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <vector>

#include <rvf/distance.hpp>
#include <rvf/store.hpp>

using namespace rvf;
using Clock = std::chrono::steady_clock;

static double secs(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

int main(int argc, char **argv) {
    const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
    const size_t dim = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 128;
    const size_t nq = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 50;
    std::mt19937 rng(1);
    std::normal_distribution<float> nd;
    std::vector<float> rows(n * dim), queries(nq * dim);
    for (float &x : rows)
        x = nd(rng);
    for (float &x : queries)
        x = nd(rng);
    std::printf("rvf_store_bench: %zu x %zu-d vectors, %zu queries, best kernel: %s\n", n, dim, nq, kernels().name);

    const auto dir = std::filesystem::temp_directory_path() / "rvf-store-bench";
    std::filesystem::create_directories(dir);
    for (StorageType st : {StorageType::F32, StorageType::F16, StorageType::I8}) {
        const std::string path = (dir / (std::string("bench-") + storage_type_name(st) + ".rvf")).string();
        std::filesystem::remove(path);
        std::filesystem::remove(path + ".lock");
        StoreOptions o;
        o.dimension = static_cast<uint16_t>(dim);
        o.storage = st;
        o.witness = true;
        auto s = RvfStore::create(path, o);
        if (!s) {
            std::fprintf(stderr, "%s\n", s.error().to_string().c_str());
            return 1;
        }
        auto t0 = Clock::now();
        constexpr size_t kBatch = 1000;
        std::vector<uint64_t> ids(kBatch);
        for (size_t b = 0; b * kBatch < n; ++b) {
            const size_t m = std::min(kBatch, n - b * kBatch);
            ids.resize(m);
            for (size_t i = 0; i < m; ++i)
                ids[i] = b * kBatch + i;
            auto r = s->ingest_batch(ids, std::span(rows).subspan(b * kBatch * dim, m * dim));
            if (!r) {
                std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
                return 1;
            }
        }
        const double ingest_s = secs(t0);
        t0 = Clock::now();
        size_t found = 0;
        for (size_t q = 0; q < nq; ++q)
            found += s->query(std::span(queries).subspan(q * dim, dim), 10)->size();
        const double q_s = secs(t0);
        const double d = static_cast<double>(dim), nn = static_cast<double>(n), qq = static_cast<double>(nq);
        const double bytes_per_row = st == StorageType::F32 ? 4.0 * d : st == StorageType::F16 ? 2.0 * d : d;
        std::printf("store %-4s ingest %9.0f vectors/s (fsync per %zu)  exact L2 search %7.1f q/s  %6.2f GB/s scanned  file %.1f MB\n",
                    storage_type_name(st), nn / ingest_s, kBatch, qq / q_s, qq * nn * bytes_per_row / q_s / 1e9,
                    static_cast<double>(s->status().file_size) / 1e6);
        (void)found;
        (void)s->close();
        std::filesystem::remove(path);
    }

    // Raw kernel scans over a cache-resident slice (≤ 1 MB), every level this CPU runs: the
    // store-level numbers above are bound by memory bandwidth, these by the kernels.
    const size_t hot = std::min<size_t>(n, (1u << 20) / (dim * 4));
    double scalar_gbs = 0;
    for (KernelLevel lv : {KernelLevel::Scalar, KernelLevel::Sse, KernelLevel::Avx2, KernelLevel::Avx512}) {
        const DistanceKernels *k = kernels_for(lv);
        if (!k)
            continue;
        auto t0 = Clock::now();
        float sink = 0;
        const size_t reps = std::max<size_t>(1, nq * n / hot / 5);
        for (size_t q = 0; q < reps; ++q)
            for (size_t i = 0; i < hot; ++i)
                sink += k->l2sq_f32(&rows[i * dim], &queries[(q % nq) * dim], dim);
        const double gbs = static_cast<double>(reps * hot * dim) * 4.0 / secs(t0) / 1e9;
        if (lv == KernelLevel::Scalar)
            scalar_gbs = gbs;
        std::printf("kernel %-8s f32 L2 scan (in cache) %6.2f GB/s  (%.1fx scalar)  [%g]\n", k->name, gbs,
                    scalar_gbs > 0 ? gbs / scalar_gbs : 1.0, static_cast<double>(sink) * 0);
    }
    return 0;
}

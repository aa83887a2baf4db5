// rvf_quant_bench — prints (asserts nothing), per storage tier (f32, f16, int8, PQ m=16/32/48,
// binary): bytes per vector in memory and in a Layout S file, recall@10 of an exhaustive scan over
// the codes with and without an exact f32 rerank of 10·k and 50·k candidates, training time,
// encode speed, scan time per query, and ns per PQ ADC distance for the scalar kernel and the
// best one.
//
// Data: the project's seeded Gaussian mixture (tests/cpp/support/ann_data.hpp: 100 centres N(0,1),
// σ 0.5, seed 42 — the set the HNSW bench uses), N base rows + Q held-out queries; or real vectors
// from two .fvecs files (e.g. tests/data/siftsmall). Ground truth is the exact L2 top-10.
// Usage: rvf_quant_bench [N=100000] [DIM=128] [QUERIES=1000]
//        rvf_quant_bench BASE.fvecs QUERY.fvecs [QUERIES]
// Threads: training and the ground truth use every core; encode speed is single-threaded.
// "file B/vec": a VEC_SEG with 1024-vector blocks of the tier's codes (f32 / f16 / u8 codes /
// binary and PQ codes as 1-byte elements, dim = code bytes), delta-varint ids, plus the model's
// QUANT_SEG, each with its 64-B segment header, divided by N.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <rvf/core/f16.hpp>
#include <rvf/core/format/vec_seg.hpp>
#include <rvf/distance.hpp>
#include <rvf/quantization.hpp>

#include "support/ann_data.hpp" // Gaussian mixture, fvecs reader

using namespace rvf;
using Clock = std::chrono::steady_clock;

namespace {

double secs(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Data {
    size_t n = 0, dim = 0;
    std::vector<float> rows;
    const float *row(size_t i) const { return rows.data() + i * dim; }
};

Data from_matrix(test::Matrix &&m) { return Data{m.n, m.dim, std::move(m.v)}; }

unsigned cores() { return std::max(1u, std::thread::hardware_concurrency()); }

/// fn(q) for every query on all cores.
void for_queries(size_t nq, const std::function<void(size_t)> &fn) {
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < cores(); ++t)
        pool.emplace_back([&] {
            for (size_t q = next++; q < nq; q = next++)
                fn(q);
        });
    for (auto &th : pool)
        th.join();
}

struct Row {
    std::string tier;
    double mem_bpv = 0, file_bpv = 0, recall = 0, recall_rerank = 0, recall_rerank50 = 0;
    double train_s = 0, encode_vps = 0, scan_ms = 0;
};

/// Layout S bytes per vector: one VEC_SEG of 1024-vector blocks + the model's QUANT_SEG.
double file_bytes_per_vector(size_t n, uint16_t block_dim, core::DataType dtype, size_t quant_seg_payload) {
    std::vector<uint64_t> ids(1024);
    for (size_t i = 0; i < ids.size(); ++i)
        ids[i] = i; // consecutive ids: the delta-varint map's typical cost
    std::vector<core::VecBlockInput> blocks;
    static const uint8_t dummy = 0; // rows are never read: the size comes from a counting pass
    for (size_t at = 0; at < n; at += 1024) {
        core::VecBlockInput b;
        b.rows = &dummy;
        b.ids = ids.data();
        b.count = static_cast<uint32_t>(std::min<size_t>(1024, n - at));
        b.dim = block_dim;
        b.dtype = static_cast<uint8_t>(dtype);
        blocks.push_back(b);
    }
    uint64_t payload = 0;
    if (core::vec_seg_encoded_size(blocks.data(), blocks.size(), payload) != core::Status::Ok)
        return -1;
    const uint64_t quant = quant_seg_payload != 0 ? 64 + core::align_up(quant_seg_payload, 64) : 0;
    return static_cast<double>(64 + payload + quant) / static_cast<double>(n);
}

struct Runner {
    const Data &base, &queries;
    std::vector<std::vector<uint64_t>> truth;

    /// recall@10 of a scan scoring base row j for query q through `make(q)` → scorer(j).
    template <class Make> void scan(Row &r, Make &&make) {
        std::atomic<size_t> h{0}, hr{0}, hr50{0};
        const auto t0 = Clock::now();
        for_queries(queries.n, [&](size_t q) {
            auto score = make(queries.row(q));
            TopK top(500);
            for (size_t j = 0; j < base.n; ++j)
                top.push(j, score(j));
            std::vector<Candidate> c50 = top.take_sorted();
            std::vector<Candidate> c10(c50.begin(),
                                       c50.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(100, c50.size())));
            auto row = [&](uint64_t id) { return base.row(id); };
            auto hits = [&](const std::vector<Candidate> &c, size_t upto) {
                size_t x = 0;
                for (size_t i = 0; i < std::min(upto, c.size()); ++i)
                    x += static_cast<size_t>(std::count(truth[q].begin(), truth[q].end(), c[i].id));
                return x;
            };
            h += hits(c50, 10);
            rerank_exact(core::Metric::L2, queries.row(q), base.dim, c10, row, 10);
            rerank_exact(core::Metric::L2, queries.row(q), base.dim, c50, row, 10);
            hr += hits(c10, 10);
            hr50 += hits(c50, 10);
        });
        const double s = secs(t0);
        r.recall = static_cast<double>(h.load()) / (10.0 * static_cast<double>(queries.n));
        r.recall_rerank = static_cast<double>(hr.load()) / (10.0 * static_cast<double>(queries.n));
        r.recall_rerank50 = static_cast<double>(hr50.load()) / (10.0 * static_cast<double>(queries.n));
        r.scan_ms = 1e3 * s * cores() / static_cast<double>(queries.n); // per query per core
    }
};

void print_row(const Row &r) {
    std::printf("%-14s %9.1f %9.1f %8.4f %8.4f %8.4f %9.2f %12.0f %9.2f\n", r.tier.c_str(), r.mem_bpv, r.file_bpv,
                r.recall, r.recall_rerank, r.recall_rerank50, r.train_s, r.encode_vps, r.scan_ms);
}

void print_json(const Row &r, size_t n, size_t dim) {
    std::printf("{\"bench\":\"quant\",\"tier\":\"%s\",\"n\":%zu,\"dim\":%zu,\"mem_bytes_per_vector\":%.2f,"
                "\"file_bytes_per_vector\":%.2f,\"recall_at_10\":%.4f,\"recall_at_10_rerank_10x\":%.4f,"
                "\"recall_at_10_rerank_50x\":%.4f,\"train_s\":%.3f,\"encode_vectors_per_s\":%.0f,"
                "\"scan_ms_per_query\":%.3f}\n",
                r.tier.c_str(), n, dim, r.mem_bpv, r.file_bpv, r.recall, r.recall_rerank, r.recall_rerank50, r.train_s,
                r.encode_vps, r.scan_ms);
}

} // namespace

int main(int argc, char **argv) {
    Data base, queries;
    std::string source;
    if (argc > 2 && std::strstr(argv[1], ".fvecs") != nullptr) {
        const size_t nq = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000;
        base = from_matrix(test::read_fvecs(argv[1]));
        queries = from_matrix(test::read_fvecs(argv[2], nq));
        source = argv[1];
    } else {
        test::MixtureSpec spec;
        spec.n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
        spec.dim = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 128;
        spec.queries = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000;
        test::Matrix b, q;
        test::gaussian_mixture(spec, b, q);
        base = from_matrix(std::move(b));
        queries = from_matrix(std::move(q));
        source = "Gaussian mixture (100 centres N(0,1), sigma 0.5, seed 42)";
    }
    const size_t n = base.n, dim = base.dim;
    if (n == 0 || dim == 0 || dim > 65535 || queries.n == 0 || queries.dim != dim) {
        std::fprintf(stderr, "rvf_quant_bench: bad input\n");
        return 1;
    }
    std::printf("rvf_quant_bench: %zu x %zu base, %zu queries, %s\nbest kernel: %s, %u cores\n", n, dim, queries.n,
                source.c_str(), kernels().name, cores());

    Runner run{base, queries, std::vector<std::vector<uint64_t>>(queries.n)};
    auto t0 = Clock::now();
    for_queries(queries.n, [&](size_t q) {
        TopK top(10);
        for (size_t j = 0; j < n; ++j)
            top.push(j, kernels().l2sq_f32(base.row(j), queries.row(q), dim));
        for (const Candidate &c : top.take_sorted())
            run.truth[q].push_back(c.id);
    });
    std::printf("ground truth (exact L2 top-10): %.2f s\n\n", secs(t0));
    std::printf("%-14s %9s %9s %8s %8s %8s %9s %12s %9s\n", "tier", "mem B/v", "file B/v", "R@10", "rr 10x", "rr 50x",
                "train s", "encode v/s", "scan ms");
    std::vector<Row> rows;
    const auto d16 = static_cast<uint16_t>(dim);

    { // f32: the exact baseline
        Row r{"f32 (hot)"};
        r.mem_bpv = 4.0 * static_cast<double>(dim);
        r.file_bpv = file_bytes_per_vector(n, d16, core::DataType::F32, 0);
        r.encode_vps = 0;
        run.scan(r,
                 [&](const float *q) { return [&, q](size_t j) { return kernels().l2sq_f32(base.row(j), q, dim); }; });
        rows.push_back(r);
        print_row(r);
    }
    { // f16
        Row r{"f16 (hot)"};
        std::vector<uint16_t> h(n * dim);
        t0 = Clock::now();
        for (size_t i = 0; i < n * dim; ++i)
            h[i] = core::f32_to_f16(base.rows[i]);
        r.encode_vps = static_cast<double>(n) / secs(t0);
        r.mem_bpv = 2.0 * static_cast<double>(dim);
        r.file_bpv = file_bytes_per_vector(n, d16, core::DataType::F16, 0);
        run.scan(r, [&](const float *q) {
            return [&, q](size_t j) { return kernels().l2sq_f16_f32(h.data() + j * dim, q, dim); };
        });
        rows.push_back(r);
        print_row(r);
    }
    { // int8, per-dimension scalar quantization
        Row r{"int8 (warm)"};
        t0 = Clock::now();
        const ScalarQuantizer sq = ScalarQuantizer::train(base.rows.data(), n, dim);
        r.train_s = secs(t0);
        std::vector<uint8_t> codes(n * dim);
        t0 = Clock::now();
        sq.encode_batch(base.rows.data(), n, codes.data());
        r.encode_vps = static_cast<double>(n) / secs(t0);
        const size_t model = sq.to_quant_seg()->size();
        r.mem_bpv = static_cast<double>(dim) + 8.0 * static_cast<double>(dim) / static_cast<double>(n);
        r.file_bpv = file_bytes_per_vector(n, d16, core::DataType::U8, model);
        run.scan(r, [&](const float *q) {
            return [&, qq = sq.prepare_query(q)](size_t j) { return qq.l2(codes.data() + j * dim); };
        });
        rows.push_back(r);
        print_row(r);
    }
    std::vector<ProductQuantizer> pqs;
    for (uint16_t m : {uint16_t{16}, uint16_t{32}, uint16_t{48}}) {
        Row r{"pq m=" + std::to_string(m) + " (cold)"};
        t0 = Clock::now();
        auto pq = ProductQuantizer::train(base.rows.data(), n, dim, m);
        r.train_s = secs(t0);
        if (!pq.ok()) {
            std::printf("%s: %s\n", r.tier.c_str(), pq.error().to_string().c_str());
            continue;
        }
        std::vector<uint8_t> codes(n * m);
        t0 = Clock::now();
        pq->encode_batch(base.rows.data(), n, codes.data(), 1);
        r.encode_vps = static_cast<double>(n) / secs(t0);
        const size_t model = pq->to_quant_seg()->size();
        r.mem_bpv = static_cast<double>(m) + 4.0 * static_cast<double>(pq->codebook.size()) / static_cast<double>(n);
        r.file_bpv = file_bytes_per_vector(n, m, core::DataType::Pq, model);
        const ProductQuantizer &p = *pq;
        run.scan(r, [&](const float *q) {
            std::vector<float> table(static_cast<size_t>(p.m) * p.k);
            p.adc_table(q, table.data());
            return [&, table = std::move(table)](size_t j) { return p.adc(table.data(), codes.data() + j * p.m); };
        });
        rows.push_back(r);
        print_row(r);
        pqs.push_back(std::move(*pq));
    }
    for (int mode = 0; mode < 2; ++mode) {
        Row r{mode == 0 ? "binary mean" : "binary sign"};
        t0 = Clock::now();
        const BinaryQuantizer bq =
            mode == 0 ? BinaryQuantizer::train(base.rows.data(), n, dim) : BinaryQuantizer::sign(d16);
        r.train_s = secs(t0);
        const size_t cs = BinaryQuantizer::code_size(dim);
        std::vector<uint8_t> codes(n * cs);
        t0 = Clock::now();
        for (size_t j = 0; j < n; ++j)
            bq.encode_row(base.row(j), codes.data() + j * cs);
        r.encode_vps = static_cast<double>(n) / secs(t0);
        const size_t model = bq.to_quant_seg()->size();
        r.mem_bpv = static_cast<double>(cs) + 4.0 * static_cast<double>(bq.threshold.size()) / static_cast<double>(n);
        r.file_bpv = file_bytes_per_vector(n, static_cast<uint16_t>(cs), core::DataType::Binary, model);
        run.scan(r, [&](const float *q) {
            std::vector<uint8_t> qc(cs);
            bq.encode_row(q, qc.data());
            return [&, qc = std::move(qc)](size_t j) {
                return static_cast<float>(bq.hamming(qc.data(), codes.data() + j * cs, dim));
            };
        });
        rows.push_back(r);
        print_row(r);
    }
    std::printf("\nR@10: exhaustive scan over the codes, top 10 by approximate distance (f32 row: exact).\n"
                "rr 10x / rr 50x: top 100 / 500 candidates by approximate distance re-scored with the f32 rows.\n"
                "scan ms: one exhaustive scan of all %zu codes (keeping 500 candidates), per query per core.\n\n",
                n);

    // ADC micro-benchmark: ns per distance (one table lookup per subspace) for each kernel level.
    std::printf("%-10s %14s %14s %14s\n", "ADC", "scalar ns/d", "best ns/d", "best kernel");
    for (const ProductQuantizer &p : pqs) {
        std::vector<uint8_t> codes(n * p.m);
        p.encode_batch(base.rows.data(), n, codes.data());
        std::vector<float> table(static_cast<size_t>(p.m) * p.k);
        p.adc_table(queries.row(0), table.data());
        auto time_level = [&](const DistanceKernels &kk) {
            volatile float sink = 0;
            double best = 1e30;
            for (int rep = 0; rep < 5; ++rep) {
                const auto t = Clock::now();
                float acc = 0;
                for (size_t j = 0; j < n; ++j)
                    acc += kk.adc_pq(table.data(), codes.data() + j * p.m, p.m, p.k);
                sink = sink + acc;
                best = std::min(best, secs(t));
            }
            return 1e9 * best / static_cast<double>(n);
        };
        const double sc = time_level(*kernels_for(KernelLevel::Scalar)), bk = time_level(kernels());
        std::printf("pq m=%-5u %14.2f %14.2f %14s\n", p.m, sc, bk, kernels().name);
        std::printf("{\"bench\":\"quant_adc\",\"m\":%u,\"n\":%zu,\"scalar_ns_per_distance\":%.3f,"
                    "\"best_ns_per_distance\":%.3f,\"kernel\":\"%s\"}\n",
                    p.m, n, sc, bk, kernels().name);
    }
    std::printf("\n");
    for (const Row &r : rows)
        print_json(r, n, dim);
    return 0;
}

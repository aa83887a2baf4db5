// rvf_store_tiers_bench — prints (asserts nothing), for an RvfStore per storage choice: bytes per
// vector in memory (the rows' vectors or codes, StoreStatus::tier_bytes) and in the compacted file
// (whole file / N), recall@10 of exact-scan queries against the exact neighbours of the original
// rows, and query time. Choices: hot storage f32, f16, i8 (one global range) without tiering;
// tiered stores (StoreOptions::tiering) compacted so that every block is warm (per-dimension u8),
// cold PQ (m = dim/4, dim/8) or cold binary; and an "adaptive" mix (10 % of blocks hot, 30 % warm,
// 60 % cold PQ dim/4) driven through the access sketch the way queries would drive it.
//
// Data: SIFT10K (tests/data/siftsmall: 10K × 128, 100 queries, its ground truth) and the project's
// seeded Gaussian mixture (tests/cpp/support/ann_data.hpp: 100 centres, σ 0.5, seed 42), N × 128.
// Usage: rvf_store_tiers_bench [N=100000] [QUERIES=200] [SIFT_DIR=tests/data/siftsmall]
// Blocks are made warm/hot by querying one of their rows (k = 1 returns the row itself, so the
// query records exactly that block) as often as the thresholds ask.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <rvf/store.hpp>

#include "support/ann_data.hpp"

using namespace rvf;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kBlock = 1024;

struct Set {
    std::string name;
    test::Matrix base, queries;
    std::vector<std::vector<uint32_t>> truth;
};

struct Choice {
    const char *name;
    StorageType storage = StorageType::F32;
    bool tiering = false;
    ColdCodec codec = ColdCodec::Pq;
    uint16_t pq_div = 4;  ///< pq_m = dim / pq_div
    int mix = 0;          ///< 0: every block cold, 1: every block warm, 2: adaptive 10/30/60
};

/// Touch block b `times` times through k = 1 queries on its first row.
bool touch(const RvfStore &s, const Set &d, size_t b, int times) {
    for (int i = 0; i < times; ++i)
        if (!s.query(std::span(d.base.row(b * kBlock), d.base.dim), 1))
            return false;
    return true;
}

void run(const Set &d, const Choice &c) {
    const size_t n = d.base.n, dim = d.base.dim;
    StoreOptions o;
    o.dimension = static_cast<uint16_t>(dim);
    o.storage = c.storage;
    o.index = IndexMode::Off; // exact scans: recall reflects the codes, not the graph
    o.witness = false;
    if (c.tiering) {
        o.tiering.enabled = true;
        o.tiering.cold_codec = c.codec;
        o.tiering.pq_m = static_cast<uint16_t>(dim / c.pq_div);
        o.tiering.hot_threshold = 4;
        o.tiering.warm_threshold = 1;
    }
    auto s = RvfStore::create_in_memory(o);
    if (!s) {
        std::printf("%s: %s\n", c.name, s.error().to_string().c_str());
        return;
    }
    std::vector<uint64_t> ids(n);
    for (size_t i = 0; i < n; ++i)
        ids[i] = i;
    for (size_t at = 0; at < n; at += 10000) {
        const size_t m = std::min<size_t>(10000, n - at);
        if (!s->ingest_batch(std::span(ids).subspan(at, m), std::span(d.base.v).subspan(at * dim, m * dim)))
            return;
    }
    const auto t0 = Clock::now();
    if (c.tiering) {
        const size_t blocks = (n + kBlock - 1) / kBlock;
        for (size_t b = 0; b < blocks; ++b) {
            int times = c.mix == 1 ? 2 : 0; // 2 > warm_threshold 1
            if (c.mix == 2)
                times = b % 10 == 0 ? 5 : (b % 10 < 4 ? 2 : 0); // 10 % hot, 30 % warm, 60 % cold
            if (!touch(*s, d, b, times))
                return;
        }
    }
    auto comp = s->compact();
    if (!comp) {
        std::printf("%s: %s\n", c.name, comp.error().to_string().c_str());
        return;
    }
    const double compact_s = std::chrono::duration<double>(Clock::now() - t0).count();
    const StoreStatus st = s->status();
    uint64_t mem = 0; // an untiered store reports all its rows as hot
    for (uint64_t b : st.tier_bytes)
        mem += b;
    std::vector<std::vector<std::pair<float, uint32_t>>> res(d.queries.n);
    const auto q0 = Clock::now();
    for (size_t q = 0; q < d.queries.n; ++q) {
        auto hits = s->query(std::span(d.queries.row(q), dim), 10);
        if (!hits)
            return;
        for (const auto &h : *hits)
            res[q].push_back({h.distance, static_cast<uint32_t>(h.id)});
    }
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - q0).count() / double(d.queries.n);
    std::printf("%-10s %-22s  mem %7.1f B/vec  file %7.1f B/vec  rows hot/warm/cold %zu/%zu/%zu  recall@10 %.3f"
                "  %.2f ms/query  compact %.2f s\n",
                d.name.c_str(), c.name, double(mem) / double(n), double(st.file_size) / double(n),
                size_t(st.tier_rows[0]), size_t(st.tier_rows[1]), size_t(st.tier_rows[2]),
                test::recall_at_k(res, d.truth, 10), ms, compact_s);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv) {
    const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
    const size_t nq = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200;
    const std::string sift = argc > 3 ? argv[3] : std::string(RVF_TEST_DATA_DIR) + "/siftsmall";
    const Choice choices[] = {
        {"f32"},
        {"f16", StorageType::F16},
        {"i8 (global range)", StorageType::I8},
        {"tiered all-warm u8", StorageType::F32, true, ColdCodec::Pq, 4, 1},
        {"tiered all-cold PQ d/4", StorageType::F32, true, ColdCodec::Pq, 4, 0},
        {"tiered all-cold PQ d/8", StorageType::F32, true, ColdCodec::Pq, 8, 0},
        {"tiered all-cold binary", StorageType::F32, true, ColdCodec::Binary, 4, 0},
        {"tiered adaptive 10/30/60", StorageType::F32, true, ColdCodec::Pq, 4, 2},
    };
    std::vector<Set> sets;
    {
        Set s;
        s.name = "SIFT10K";
        s.base = test::read_fvecs(sift + "/siftsmall_base.fvecs");
        s.queries = test::read_fvecs(sift + "/siftsmall_query.fvecs");
        if (s.base.n > 0 && s.queries.n > 0) {
            s.truth = test::brute_force_knn(s.base, s.queries, 10);
            sets.push_back(std::move(s));
        } else {
            std::printf("SIFT10K not found under %s: skipped\n", sift.c_str());
        }
    }
    {
        Set s;
        test::MixtureSpec spec;
        spec.n = n;
        spec.queries = nq;
        test::gaussian_mixture(spec, s.base, s.queries);
        s.name = "mixture";
        s.truth = test::brute_force_knn(s.base, s.queries, 10);
        sets.push_back(std::move(s));
    }
    for (const Set &d : sets) {
        std::printf("# %s: %zu x %zu, %zu queries (exact scans; recall vs the original rows)\n", d.name.c_str(),
                    d.base.n, d.base.dim, d.queries.n);
        for (const Choice &c : choices)
            run(d, c);
    }
    return 0;
}

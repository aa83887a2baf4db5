// warm_query_bench.cpp — issue 17 at the C++ level: single-thread QPS, recall@10 and distance
// evaluations per query of one RvfStore (a) right after ingest, (a') after build_index() with
// (b') an open_readonly() handle of the same file beside it (rounds alternate between the two, so
// both see the same machine load), then (b) open_readonly() and (c) open() after close().
// Times are thread CPU time (CLOCK_THREAD_CPUTIME_ID), best of --rounds, to damp other load.
// Nothing is asserted (tests/cpp/warm_query_test.cpp asserts that both handles search the same
// graph the same way).
//
//   rvf_warm_query_bench [--n 100000] [--queries 1000] [--batch 1000] [--ef 16] [--rounds 5] [--dir /tmp]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <numeric>
#include <string>
#include <vector>

#include <rvf/store.hpp>

#include "support/ann_data.hpp"

using namespace rvf;
using rvf::test::Matrix;

namespace {

struct Args {
    size_t n = 100000, queries = 1000, batch = 1000, ef = 16, rounds = 5;
    std::string dir = "/tmp";
};

double thread_seconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

struct Bench {
    const Args &a;
    const Matrix &qs;
    const std::vector<std::vector<uint32_t>> &truth;

    void measure(const RvfStore &db, const char *label) const {
        double best = 0;
        size_t evals = 0, hit = 0;
        for (size_t r = 0; r < a.rounds; ++r) {
            evals = hit = 0;
            const double t0 = thread_seconds();
            for (size_t q = 0; q < qs.n; ++q) {
                QueryStats st;
                auto res = db.query(std::span<const float>(qs.row(q), qs.dim), 10,
                                    {.ef_search = static_cast<uint32_t>(a.ef), .stats = &st});
                if (!res) {
                    std::printf("query failed: %s\n", res.error().to_string().c_str());
                    std::exit(1);
                }
                evals += st.distance_evals;
                for (const Neighbor &h : *res)
                    hit += std::count(truth[q].begin(), truth[q].end(), static_cast<uint32_t>(h.id));
            }
            best = std::max(best, static_cast<double>(qs.n) / (thread_seconds() - t0));
        }
        std::printf("%-38s %8.0f QPS  recall@10 %.3f  distance evals/query %.1f\n", label, best,
                    static_cast<double>(hit) / (10.0 * static_cast<double>(qs.n)),
                    static_cast<double>(evals) / static_cast<double>(qs.n));
    }
};

} // namespace

int main(int argc, char **argv) {
    Args a;
    test::MixtureSpec spec;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string o = argv[i];
        const char *v = argv[i + 1];
        if (o == "--n")
            a.n = std::strtoull(v, nullptr, 10);
        else if (o == "--queries")
            a.queries = std::strtoull(v, nullptr, 10);
        else if (o == "--batch")
            a.batch = std::max<size_t>(1, std::strtoull(v, nullptr, 10));
        else if (o == "--ef")
            a.ef = std::strtoull(v, nullptr, 10);
        else if (o == "--rounds")
            a.rounds = std::max<size_t>(1, std::strtoull(v, nullptr, 10));
        else if (o == "--dir")
            a.dir = v;
        else {
            std::fprintf(stderr, "unknown option %s (see the header of bench/native/warm_query_bench.cpp)\n", o.c_str());
            return 2;
        }
    }
    spec.n = a.n;
    spec.queries = a.queries;
    Matrix base, qs;
    test::gaussian_mixture(spec, base, qs);
    const auto truth = test::brute_force_knn(base, qs, 10);
    std::printf("%zu x %zu mixture (seed %u), %zu queries, k 10, ef %zu, ingest batches of %zu\n", base.n, base.dim,
                spec.seed, qs.n, a.ef, a.batch);
    const Bench b{a, qs, truth};
    const std::string file = a.dir + "/rvf_warm_query_bench.rvf";
    std::filesystem::remove(file);
    {
        auto db = RvfStore::create(file, {.dimension = static_cast<uint16_t>(base.dim), .metric = Metric::L2});
        if (!db) {
            std::printf("%s\n", db.error().to_string().c_str());
            return 1;
        }
        for (size_t at = 0; at < base.n; at += a.batch) {
            const size_t len = std::min(a.batch, base.n - at);
            std::vector<uint64_t> ids(len);
            std::iota(ids.begin(), ids.end(), uint64_t{at});
            if (auto r = db->ingest_batch(ids, std::span<const float>(base.row(at), len * base.dim)); !r) {
                std::printf("%s\n", r.error().to_string().c_str());
                return 1;
            }
        }
        b.measure(*db, "(a) right after ingest");
        (void)db->build_index();
        auto ro = RvfStore::open_readonly(file);
        for (int i = 0; i < 3; ++i) {
            b.measure(*db, "(a') after build_index()");
            b.measure(*ro, "(b') open_readonly() beside it");
        }
        (void)db->close();
    }
    b.measure(*RvfStore::open_readonly(file), "(b) close + open_readonly()");
    {
        auto db = RvfStore::open(file);
        b.measure(*db, "(c) close + open() (writable)");
        (void)db->close();
    }
    std::filesystem::remove(file);
    std::filesystem::remove(file + ".lock");
}

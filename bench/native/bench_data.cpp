// bench_data — writes one data set of the peer benchmark (bench/run.mjs) as TEXMEX files:
// base.fvecs, query.fvecs and groundtruth.ivecs (exact top-k by L2², ties by lower id), so every
// engine, native or JS, reads the very same vectors and is scored against the same truth.
//
//   rvf_bench_data --out DIR [--n 100000] [--queries 1000] [--dim 128] [--clusters 100]
//                  [--sigma 0.5] [--seed 42] [--k 10]
// The vectors are the seeded Gaussian mixture of tests/cpp/support/ann_data.hpp (the one
// rvf_hnsw_bench measures); the exact search uses every core. Prints one JSON line.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/ann_data.hpp"

namespace {

bool write_vecs(const std::string &path, const void *data, size_t rows, size_t dim) {
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f)
        return false;
    const int32_t d = static_cast<int32_t>(dim);
    bool ok = true;
    for (size_t r = 0; r < rows && ok; ++r)
        ok = std::fwrite(&d, 4, 1, f) == 1 &&
             std::fwrite(static_cast<const char *>(data) + r * dim * 4, 4, dim, f) == dim;
    return std::fclose(f) == 0 && ok;
}

} // namespace

int main(int argc, char **argv) {
    rvf::test::MixtureSpec spec;
    std::string out;
    size_t k = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        const char *v = argv[i + 1];
        if (a == "--out")
            out = v;
        else if (rvf::test::mixture_option(a, v, spec))
            continue;
        else if (a == "--k")
            k = std::strtoull(v, nullptr, 10);
        else {
            std::fprintf(stderr, "unknown option %s\n", a.c_str());
            return 2;
        }
    }
    if (out.empty() || spec.n == 0 || spec.queries == 0 || spec.dim == 0 || spec.clusters == 0 || k == 0 || k > spec.n) {
        std::fprintf(stderr, "usage: rvf_bench_data --out DIR [--n N] [--queries Q] [--dim D] [--clusters C] "
                             "[--sigma S] [--seed S] [--k K]\n");
        return 2;
    }
    const auto t0 = std::chrono::steady_clock::now();
    rvf::test::Matrix base, queries;
    rvf::test::gaussian_mixture(spec, base, queries);
    const auto truth = rvf::test::brute_force_knn(base, queries, k);
    std::vector<int32_t> gt;
    gt.reserve(truth.size() * k);
    for (const auto &row : truth)
        for (uint32_t id : row)
            gt.push_back(static_cast<int32_t>(id));
    if (!write_vecs(out + "/base.fvecs", base.v.data(), base.n, base.dim) ||
        !write_vecs(out + "/query.fvecs", queries.v.data(), queries.n, queries.dim) ||
        !write_vecs(out + "/groundtruth.ivecs", gt.data(), truth.size(), k)) {
        std::fprintf(stderr, "cannot write to %s\n", out.c_str());
        return 1;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("{\"dataset\":\"gaussian-mixture\",\"n\":%zu,\"queries\":%zu,\"dim\":%zu,\"clusters\":%zu,"
                "\"sigma\":%g,\"seed\":%u,\"k\":%zu,\"seconds\":%.2f}\n",
                base.n, queries.n, base.dim, spec.clusters, spec.sigma, spec.seed, k, s);
    return 0;
}

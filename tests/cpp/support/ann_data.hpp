// Test/bench support for ANN recall: fvecs/ivecs readers (TEXMEX format), a seeded Gaussian-mixture
// generator, exact (brute-force) ground truth and recall@k, and an f32 HnswSpace over row-major data.
//
// Gaussian mixture (deterministic, easy to port to JS): mulberry32 + Box–Muller (the generator the
// upstream fixtures use, from mulberry32.hpp, which needs no JSON dependency):
//   centres: `clusters` × dim values  N(0,1) · centre_scale        (drawn first)
//   rows:    cluster c = floor(uniform · clusters); value = centre[c][d] + N(0,1) · sigma
//   queries: the same process continued from the same stream after the rows.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <string>
#include <cstdlib>
#include <thread>
#include <vector>

#include <rvf/distance.hpp>
#include <rvf/hnsw.hpp>

#include "mulberry32.hpp"

namespace rvf::test {

/// Row-major float matrix.
struct Matrix {
    size_t n = 0, dim = 0;
    std::vector<float> v;
    const float *row(size_t i) const { return v.data() + i * dim; }
};

/// TEXMEX .fvecs / .ivecs: per record a little-endian i32 dim then dim values (f32 or i32).
/// Returns an empty matrix when the file is missing or malformed. max_rows = 0: all.
template <class T> inline std::vector<T> read_vecs(const std::string &path, size_t &dim, size_t &rows, size_t max_rows = 0) {
    std::vector<T> out;
    dim = rows = 0;
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return out;
    for (;;) {
        int32_t d = 0;
        if (!f.read(reinterpret_cast<char *>(&d), 4))
            break;
        if (d <= 0 || (dim && static_cast<size_t>(d) != dim))
            return {};
        dim = static_cast<size_t>(d);
        const size_t at = out.size();
        out.resize(at + dim);
        if (!f.read(reinterpret_cast<char *>(out.data() + at), static_cast<std::streamsize>(dim * sizeof(T))))
            return {};
        if (++rows == max_rows)
            break;
    }
    return out;
}

inline Matrix read_fvecs(const std::string &path, size_t max_rows = 0) {
    Matrix m;
    m.v = read_vecs<float>(path, m.dim, m.n, max_rows);
    return m;
}

/// Ground truth rows of `k` ids each (ivecs rows may be longer: truncated to k).
inline std::vector<std::vector<uint32_t>> read_ivecs_truth(const std::string &path, size_t k) {
    size_t dim = 0, rows = 0;
    const std::vector<int32_t> raw = read_vecs<int32_t>(path, dim, rows);
    std::vector<std::vector<uint32_t>> gt(rows);
    for (size_t r = 0; r < rows; ++r)
        for (size_t j = 0; j < std::min(k, dim); ++j)
            gt[r].push_back(static_cast<uint32_t>(raw[r * dim + j]));
    return gt;
}


struct MixtureSpec {
    size_t n = 100000, queries = 1000, dim = 128, clusters = 100;
    double centre_scale = 1.0, sigma = 0.5;
    uint32_t seed = 42;
};

/// Rows and held-out queries of the mixture (see the header comment).
inline void gaussian_mixture(const MixtureSpec &s, Matrix &base, Matrix &queries) {
    Mulberry32 r(s.seed);
    std::vector<float> centres(s.clusters * s.dim);
    for (auto &c : centres)
        c = static_cast<float>(r.gaussian() * s.centre_scale);
    auto fill = [&](Matrix &m, size_t n) {
        m.n = n;
        m.dim = s.dim;
        m.v.resize(n * s.dim);
        for (size_t i = 0; i < n; ++i) {
            const size_t c = std::min(s.clusters - 1, static_cast<size_t>(r.uniform() * static_cast<double>(s.clusters)));
            for (size_t d = 0; d < s.dim; ++d)
                m.v[i * s.dim + d] = static_cast<float>(centres[c * s.dim + d] + r.gaussian() * s.sigma);
        }
    };
    fill(base, s.n);
    fill(queries, s.queries);
}

/// Benchmark command lines: applies "--n | --queries | --dim | --clusters | --sigma | --seed VALUE"
/// to `s` and returns true, or returns false for any other option.
inline bool mixture_option(const std::string &opt, const char *v, MixtureSpec &s) {
    if (opt == "--n")
        s.n = std::strtoull(v, nullptr, 10);
    else if (opt == "--queries")
        s.queries = std::strtoull(v, nullptr, 10);
    else if (opt == "--dim")
        s.dim = std::strtoull(v, nullptr, 10);
    else if (opt == "--clusters")
        s.clusters = std::strtoull(v, nullptr, 10);
    else if (opt == "--sigma")
        s.sigma = std::strtod(v, nullptr);
    else if (opt == "--seed")
        s.seed = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
    else
        return false;
    return true;
}

/// Exact top-k by L2² (ties by lower id), using all cores (one in a wasm build without pthreads,
/// where constructing a std::thread aborts).
inline std::vector<std::vector<uint32_t>> brute_force_knn(const Matrix &base, const Matrix &queries, size_t k) {
    std::vector<std::vector<uint32_t>> gt(queries.n);
    const auto l2 = rvf::kernels().l2sq_f32;
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    const unsigned nt = 1;
#else
    const unsigned nt = std::max(1u, std::thread::hardware_concurrency());
#endif
    auto worker = [&](unsigned t) {
        std::vector<std::pair<float, uint32_t>> all(base.n);
        for (size_t q = t; q < queries.n; q += nt) {
            for (size_t i = 0; i < base.n; ++i)
                all[i] = {l2(base.row(i), queries.row(q), base.dim), static_cast<uint32_t>(i)};
            const size_t kk = std::min(k, all.size());
            std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(kk), all.end());
            for (size_t j = 0; j < kk; ++j)
                gt[q].push_back(all[j].second);
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < nt; ++t)
        pool.emplace_back(worker, t);
    worker(0);
    for (auto &th : pool)
        th.join();
    return gt;
}

/// Mean fraction of each truth row's first k ids found among the result's ids.
inline double recall_at_k(const std::vector<std::vector<std::pair<float, uint32_t>>> &results,
                          const std::vector<std::vector<uint32_t>> &truth, size_t k) {
    double sum = 0;
    size_t rows = 0;
    for (size_t q = 0; q < results.size() && q < truth.size(); ++q) {
        const size_t kk = std::min(k, truth[q].size());
        if (kk == 0)
            continue;
        size_t hit = 0;
        for (size_t j = 0; j < kk; ++j)
            for (const auto &r : results[q])
                if (r.second == truth[q][j]) {
                    ++hit;
                    break;
                }
        sum += static_cast<double>(hit) / static_cast<double>(kk);
        ++rows;
    }
    return rows ? sum / static_cast<double>(rows) : 0.0;
}

/// HnswSpace over a row-major f32 matrix, L2², with row prefetch.
class F32Space final : public rvf::HnswSpace {
public:
    explicit F32Space(const Matrix &m) : m_(m), l2_(rvf::kernels().l2sq_f32) {}
    float between(uint32_t a, uint32_t b) const override { return l2_(m_.row(a), m_.row(b), m_.dim); }
    void prefetch(uint32_t n) const override { prefetch_row(m_, n); }
    static void prefetch_row(const Matrix &m, uint32_t n) {
        const char *p = reinterpret_cast<const char *>(m.row(n));
        __builtin_prefetch(p);
        __builtin_prefetch(p + 64);
        __builtin_prefetch(p + 128);
        __builtin_prefetch(p + 192);
    }

private:
    const Matrix &m_;
    float (*l2_)(const float *, const float *, size_t);
};

} // namespace rvf::test

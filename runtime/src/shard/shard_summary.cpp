// shard_summary.cpp — see shard_summary.hpp. Plain scalar loops: summaries are computed once
// per batch over at most a few thousand centroid distances per row, far below ingest cost.
#include "shard_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rvf::shard_detail {
namespace {

double l2sq(const float *a, const float *b, size_t dim) {
    double s = 0;
    for (size_t i = 0; i < dim; ++i) {
        const double d = static_cast<double>(a[i]) - static_cast<double>(b[i]);
        s += d * d;
    }
    return s;
}

uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

size_t nearest(const ShardSummary &s, const float *row, double *best_d) {
    size_t best = 0;
    double bd = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < s.count(); ++c) {
        const double d = l2sq(row, s.centroids.data() + c * s.dim, s.dim);
        if (d < bd) {
            bd = d;
            best = c;
        }
    }
    *best_d = bd;
    return best;
}

// Radii are stored as floats; round up so the stored radius never falls below the true one.
float radius_up(double sq) {
    const double r = std::sqrt(sq);
    float f = static_cast<float>(r);
    if (static_cast<double>(f) < r)
        f = std::nextafter(f, std::numeric_limits<float>::infinity());
    return f;
}

} // namespace

uint16_t shard_of_id(uint64_t id, uint16_t shards) {
    return shards == 0 ? 0 : static_cast<uint16_t>(1 + splitmix64(id) % shards);
}

ShardSummary summarize(std::span<const float> rows, size_t dim, uint32_t max_centroids, uint64_t seed) {
    ShardSummary s;
    s.dim = dim;
    const size_t n = dim ? rows.size() / dim : 0;
    if (n == 0 || max_centroids == 0)
        return s;
    const size_t c = std::min<size_t>(max_centroids, n);
    // Starting rows: a seeded stride through the batch (deterministic, spread over it).
    s.centroids.resize(c * dim);
    const uint64_t off = splitmix64(seed) % n;
    for (size_t j = 0; j < c; ++j) {
        const size_t r = static_cast<size_t>((off + j * n / c) % n);
        std::copy_n(rows.data() + r * dim, dim, s.centroids.data() + j * dim);
    }
    s.radii.assign(c, 0.0f);
    std::vector<double> sum(c * dim);
    std::vector<size_t> members(c);
    for (int iter = 0; iter < 5; ++iter) {
        std::fill(sum.begin(), sum.end(), 0.0);
        std::fill(members.begin(), members.end(), 0);
        for (size_t r = 0; r < n; ++r) {
            double d;
            const size_t j = nearest(s, rows.data() + r * dim, &d);
            ++members[j];
            for (size_t k = 0; k < dim; ++k)
                sum[j * dim + k] += rows[r * dim + k];
        }
        for (size_t j = 0; j < c; ++j)
            if (members[j]) // an empty centroid keeps its place
                for (size_t k = 0; k < dim; ++k)
                    s.centroids[j * dim + k] = static_cast<float>(sum[j * dim + k] / static_cast<double>(members[j]));
    }
    absorb(s, rows, dim, max_centroids, seed);
    return s;
}

void absorb(ShardSummary &s, std::span<const float> rows, size_t dim, uint32_t max_centroids, uint64_t seed) {
    if (max_centroids == 0 || dim == 0 || rows.empty())
        return;
    if (s.count() == 0) {
        s = summarize(rows, dim, max_centroids, seed);
        return;
    }
    const size_t n = rows.size() / dim;
    for (size_t r = 0; r < n; ++r) {
        double d;
        const size_t j = nearest(s, rows.data() + r * dim, &d);
        s.radii[j] = std::max(s.radii[j], radius_up(d));
    }
}

float nearest_centroid_l2sq(const ShardSummary &s, std::span<const float> q) {
    if (s.count() == 0)
        return std::numeric_limits<float>::infinity();
    double d;
    (void)nearest(s, q.data(), &d);
    return static_cast<float>(d);
}

float lower_bound_l2sq(const ShardSummary &s, std::span<const float> q) {
    return lower_bound_l2sq(s.centroids, s.radii, s.dim, q);
}

float lower_bound_l2sq(std::span<const float> centroids, std::span<const float> radii, size_t dim,
                       std::span<const float> q) {
    if (radii.empty())
        return 0.0f;
    double best = std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < radii.size(); ++c) {
        const double gap = std::sqrt(l2sq(q.data(), centroids.data() + c * dim, dim)) - radii[c];
        best = std::min(best, gap > 0 ? gap * gap : 0.0);
    }
    // Round down so float rounding never turns the bound into more than the true distance.
    float f = static_cast<float>(best);
    if (static_cast<double>(f) > best)
        f = std::nextafter(f, 0.0f);
    return f;
}

} // namespace rvf::shard_detail

// partition_map.cpp — the RVPM codec and the writer's seeded k-means (rvf/partition_map.hpp).
#include <rvf/partition_map.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <unordered_set>

#include <rvf/distance.hpp>

#include "parallel.hpp"

namespace rvf {
namespace {

float l2sq(const float *a, const float *b, size_t dim) {
    float s = 0;
    for (size_t d = 0; d < dim; ++d) {
        const float t = a[d] - b[d];
        s += t * t;
    }
    return s;
}

void normalise(float *v, size_t dim) {
    double s = 0;
    for (size_t d = 0; d < dim; ++d)
        s += double{v[d]} * v[d];
    if (s > 0) {
        const float inv = static_cast<float>(1.0 / std::sqrt(s));
        for (size_t d = 0; d < dim; ++d)
            v[d] *= inv;
    }
}

uint32_t nearest_centroid(const float *v, const std::vector<float> &c, uint32_t k, size_t dim) {
    uint32_t best = 0;
    float bd = std::numeric_limits<float>::infinity();
    for (uint32_t j = 0; j < k; ++j) {
        const float d = l2sq(v, c.data() + size_t{j} * dim, dim);
        if (d < bd) {
            bd = d;
            best = j;
        }
    }
    return best;
}

} // namespace

bool is_partition_map(core::ByteView payload) {
    return payload.size >= 4 && std::memcmp(payload.data, kPartitionMapMagic, 4) == 0;
}

uint32_t partition_count(size_t n) {
    return std::max<uint32_t>(1, static_cast<uint32_t>(std::llround(std::sqrt(static_cast<double>(n)))));
}

std::vector<uint32_t> PartitionMap::nearest(std::span<const float> q, size_t nprobe) const {
    std::vector<std::pair<float, uint32_t>> d;
    d.reserve(parts.size());
    for (uint32_t p = 0; p < parts.size(); ++p)
        if (parts[p].rows != 0)
            d.emplace_back(distance_f32(metric, centroid(p), q.data(), dim), p);
    nprobe = std::min(nprobe, d.size());
    std::partial_sort(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(nprobe), d.end());
    std::vector<uint32_t> out(nprobe);
    for (size_t i = 0; i < nprobe; ++i)
        out[i] = d[i].second;
    return out;
}

namespace partition_detail {

PartitionTraining train(core::Metric metric, uint16_t dim, size_t n, uint32_t k,
                        void (*row)(void *ctx, size_t i, float *out), void *ctx, unsigned threads, uint64_t seed) {
    PartitionTraining t;
    k = static_cast<uint32_t>(std::clamp<size_t>(k, 1, std::max<size_t>(n, 1)));
    const bool cosine = metric == core::Metric::Cosine;
    auto fetch = [&](size_t i, float *out) {
        row(ctx, i, out);
        if (cosine)
            normalise(out, dim);
    };
    // A deterministic sample: 32 rows per centroid is enough for a routing map, and bounds the
    // Lloyd steps at 65536 × k × dim however large the store is.
    const size_t sample_n = std::min<size_t>(n, std::min<size_t>(65536, std::max<size_t>(16384, size_t{32} * k)));
    std::vector<size_t> pick(n);
    std::iota(pick.begin(), pick.end(), size_t{0});
    std::mt19937_64 rng(seed);
    for (size_t i = 0; i < sample_n; ++i) // partial Fisher–Yates: the first sample_n are the sample
        std::swap(pick[i], pick[i + rng() % (n - i)]);
    std::vector<float> sample(sample_n * dim);
    for (size_t i = 0; i < sample_n; ++i)
        fetch(pick[i], sample.data() + i * dim);
    pick = {};
    t.centroids.assign(sample.begin(), sample.begin() + static_cast<std::ptrdiff_t>(size_t{k} * dim)); // sample is shuffled
    std::vector<uint32_t> near(sample_n);
    const unsigned workers = index_detail::resolve_threads(threads, sample_n);
    for (int it = 0; it < 6; ++it) {
        index_detail::run_parallel(workers, [&](unsigned w) {
            for (size_t i = w; i < sample_n; i += workers)
                near[i] = nearest_centroid(sample.data() + i * dim, t.centroids, k, dim);
        });
        std::vector<double> sum(size_t{k} * dim, 0.0);
        std::vector<uint32_t> cnt(k, 0);
        for (size_t i = 0; i < sample_n; ++i) {
            ++cnt[near[i]];
            for (size_t d = 0; d < dim; ++d)
                sum[size_t{near[i]} * dim + d] += sample[i * dim + d];
        }
        for (uint32_t j = 0; j < k; ++j)
            if (cnt[j] != 0) // an empty centroid keeps its place (it may win rows at assignment)
                for (size_t d = 0; d < dim; ++d)
                    t.centroids[size_t{j} * dim + d] = static_cast<float>(sum[size_t{j} * dim + d] / cnt[j]);
    }
    t.assign.resize(n);
    const unsigned aw = index_detail::resolve_threads(threads, n);
    index_detail::run_parallel(aw, [&](unsigned w) {
        std::vector<float> v(dim);
        for (size_t i = w; i < n; i += aw) {
            fetch(i, v.data());
            t.assign[i] = nearest_centroid(v.data(), t.centroids, k, dim);
        }
    });
    return t;
}

} // namespace partition_detail

Result<std::vector<uint8_t>> encode_partition_map(const PartitionMap &m) {
    if (m.parts.empty() || m.dim == 0 || m.centroids.size() != m.parts.size() * m.dim)
        return Error{Status::InvalidArgument, "a partition map needs ≥ 1 partition and K × dim centroids"};
    std::vector<uint8_t> out(kPartitionMapHeaderSize + m.parts.size() * kPartitionEntrySize +
                             m.centroids.size() * 4);
    uint8_t *p = out.data();
    std::memcpy(p, kPartitionMapMagic, 4);
    core::store_u16_le(p + 4, kPartitionMapVersion);
    p[6] = static_cast<uint8_t>(m.metric);
    core::store_u64_le(p + 8, m.tag);
    core::store_u32_le(p + 0x10, static_cast<uint32_t>(m.parts.size()));
    core::store_u16_le(p + 0x14, m.dim);
    core::store_u64_le(p + 0x18, m.rows());
    uint8_t *e = p + kPartitionMapHeaderSize;
    for (const PartitionEntry &pe : m.parts) {
        core::store_u64_le(e, pe.segment_id);
        core::store_u64_le(e + 8, pe.first_row);
        core::store_u32_le(e + 16, pe.rows);
        e += kPartitionEntrySize;
    }
    for (float c : m.centroids) {
        core::store_f32_le(e, c);
        e += 4;
    }
    return out;
}

Result<PartitionMap> decode_partition_map(core::ByteView payload) {
    const uint8_t *p = payload.data;
    if (payload.size < kPartitionMapHeaderSize)
        return Error{Status::TruncatedSegment, "partition map shorter than its 64-byte header"};
    if (!is_partition_map(payload))
        return Error{Status::InvalidMagic, "partition map does not start with RVPM"};
    if (core::load_u16_le(p + 4) != kPartitionMapVersion)
        return Error{Status::InvalidVersion, "partition map version " + std::to_string(core::load_u16_le(p + 4)) +
                                                 " (this reader knows 1): rewrite the file with compact()"};
    PartitionMap m;
    if (!core::metric_known(p[6]))
        return Error{Status::InvalidManifest, "partition map names an unknown metric"};
    m.metric = static_cast<core::Metric>(p[6]);
    m.tag = core::load_u64_le(p + 8);
    const uint32_t k = core::load_u32_le(p + 0x10);
    m.dim = core::load_u16_le(p + 0x14);
    const uint64_t rows = core::load_u64_le(p + 0x18);
    if (p[7] != 0 || core::load_u16_le(p + 0x16) != 0 ||
        std::any_of(p + 0x20, p + kPartitionMapHeaderSize, [](uint8_t b) { return b != 0; }))
        return Error{Status::InvalidManifest, "partition map flags, centroid dtype or reserved bytes are not 0"};
    if (k == 0 || m.dim == 0)
        return Error{Status::InvalidManifest, "partition map with no partitions or dimension 0"};
    const uint64_t need = kPartitionMapHeaderSize + uint64_t{k} * kPartitionEntrySize + uint64_t{k} * m.dim * 4;
    if (payload.size < need)
        return Error{Status::TruncatedSegment, "partition map ends before its " + std::to_string(k) +
                                                   " entries and centroids"};
    if (payload.size != need)
        return Error{Status::InvalidManifest, "partition map has trailing bytes"};
    m.parts.resize(k);
    const uint8_t *e = p + kPartitionMapHeaderSize;
    uint64_t at = 0;
    std::unordered_set<uint64_t> seen;
    for (uint32_t i = 0; i < k; ++i, e += kPartitionEntrySize) {
        PartitionEntry &pe = m.parts[i];
        pe.segment_id = core::load_u64_le(e);
        pe.first_row = core::load_u64_le(e + 8);
        pe.rows = core::load_u32_le(e + 16);
        if (core::load_u32_le(e + 20) != 0 || pe.first_row != at || (pe.segment_id == 0) != (pe.rows == 0) ||
            (pe.segment_id != 0 && !seen.insert(pe.segment_id).second))
            return Error{Status::InvalidManifest, "partition map entry " + std::to_string(i) +
                                                      " is inconsistent (row range, segment id or padding)"};
        at += pe.rows;
    }
    if (at != rows)
        return Error{Status::InvalidManifest, "partition map rows do not add up to its total"};
    m.centroids.resize(size_t{k} * m.dim);
    for (float &c : m.centroids) {
        c = core::load_f32_le(e);
        e += 4;
        if (!std::isfinite(c))
            return Error{Status::InvalidManifest, "partition map centroid is NaN or infinite"};
    }
    return m;
}

} // namespace rvf

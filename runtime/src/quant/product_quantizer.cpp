// Product quantizer: per-subspace k-means (k-means++ or rvf-quant's first-K seeding), encode,
// decode and ADC — spec §6.5 product body.
//
// Subspace layout when m does not divide dim: sub_dim = ceil(dim/m) and P = m·sub_dim − dim
// (< m) padding slots, one at the end of each of the last P subspaces. Subspace j < m − P covers
// sub_dim vector dimensions, the others sub_dim − 1, in vector order. Padding slots are zero in
// trained codebooks and ignored by encode, decode and ADC, so ADC always equals the L2 distance
// to the decoded vector. (128-d with m = 48: 32 subspaces of 3 dims, 16 of 2.)
#include <cmath>
#include <limits>
#include <string>

#include <rvf/quantization.hpp>

#include "parallel.hpp"
#include "quant_common.hpp"
#include "quant_kernels.hpp"

namespace rvf {
namespace {

struct Span {
    size_t start, len;
};

Span subspace(size_t dim, size_t m, size_t sub_dim, size_t j) {
    const size_t pad = m * sub_dim - dim, full = m - pad;
    if (j < full)
        return {j * sub_dim, sub_dim};
    return {full * sub_dim + (j - full) * (sub_dim - 1), sub_dim - 1};
}

/// splitmix64: tiny, seedable, and identical on every platform.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; } // [0, 1)
};

/// Squared L2 over `len` floats, summed in index order (encode, training and ADC agree bit for bit).
inline float l2_seq(const float *a, const float *b, size_t len) {
    float s = 0.0f;
    for (size_t t = 0; t < len; ++t) {
        const float d = a[t] - b[t];
        s += d * d;
    }
    return s;
}

/// Squared distances from x to all k centroids stored transposed (ct[t·k + c]) into dist. The
/// per-centroid sums run in t order, as l2_seq, so the nearest found here is what encode() finds
/// (the AVX2 path keeps that order and rounding lane by lane).
inline void distances_transposed(const float *x, const float *ct, size_t len, size_t k, float *dist) {
    static const bool avx2 = quant_detail::sq_avx2_usable();
    if (avx2) {
        quant_detail::pq_distances_avx2(x, ct, len, k, dist);
        return;
    }
    for (size_t c = 0; c < k; ++c)
        dist[c] = 0.0f;
    for (size_t t = 0; t < len; ++t) {
        const float xt = x[t];
        const float *row = ct + t * k;
        for (size_t c = 0; c < k; ++c) {
            const float d = xt - row[c];
            dist[c] += d * d;
        }
    }
}

/// Index of the smallest of dist[0..k) (lowest index on ties, 0 if none is below +inf); `second`
/// gets the runner-up value. dist is scratch (the AVX2 path changes and restores one element).
inline uint32_t argmin2(float *dist, size_t k, float *second) {
    static const bool avx2 = quant_detail::sq_avx2_usable();
    if (avx2)
        return quant_detail::argmin2_avx2(dist, k, second);
    uint32_t best = 0;
    float bd = std::numeric_limits<float>::infinity(), sd = bd;
    for (size_t c = 0; c < k; ++c) {
        if (dist[c] < bd) {
            sd = bd;
            bd = dist[c];
            best = static_cast<uint32_t>(c);
        } else if (dist[c] < sd) {
            sd = dist[c];
        }
    }
    if (second != nullptr)
        *second = sd;
    return best;
}

void transpose(const float *cent, size_t k, size_t len, size_t stride, float *ct) {
    for (size_t c = 0; c < k; ++c)
        for (size_t t = 0; t < len; ++t)
            ct[t * k + c] = cent[c * stride + t];
}

/// Seeds k centroids (k × stride; floats past len untouched).
void seed_centroids(const float *x, size_t n, size_t len, size_t k, size_t stride, PqInit init, uint64_t seed,
                    float *cent) {
    auto set_centroid = [&](size_t c, const float *src) {
        for (size_t t = 0; t < len; ++t)
            cent[c * stride + t] = src[t];
    };
    if (init == PqInit::FirstK) {
        for (size_t c = 0; c < k; ++c)
            set_centroid(c, x + std::min(c, n - 1) * len);
        return;
    }
    // k-means++: D² sampling. Block sums of D² let each draw walk blocks first, then one block.
    // Lowering D² for a new centroid skips rows it cannot reach: if ‖new − near‖² ≥ 4·D²·(1 + ε)
    // the triangle inequality puts the row strictly closer to its current centre `near`, so
    // D² is unchanged — the skip never changes a result.
    constexpr size_t kBlock = 1024;
    constexpr float kSkipMargin = 4.0f * (1.0f + 1e-5f);
    const size_t blocks = (n + kBlock - 1) / kBlock;
    std::vector<float> d2(n), to_new(k);
    std::vector<uint32_t> near(n, 0);
    std::vector<double> bsum(blocks, 0.0);
    Rng rng{seed};
    set_centroid(0, x + (rng.next() % n) * len);
    for (size_t i = 0; i < n; ++i) {
        d2[i] = l2_seq(x + i * len, cent, len);
        bsum[i / kBlock] += d2[i];
    }
    for (size_t c = 1; c < k; ++c) {
        double total = 0.0;
        for (double s : bsum)
            total += s;
        if (!(total > 0.0)) { // every row sits on a centroid already: fewer distinct rows than k
            set_centroid(c, cent + (c - 1) * stride);
            continue;
        }
        const double r = rng.uniform() * total;
        double acc = 0.0;
        size_t b = 0;
        while (b + 1 < blocks && acc + bsum[b] <= r)
            acc += bsum[b++];
        size_t pick = n;
        const size_t end = std::min(n, (b + 1) * kBlock);
        for (size_t i = b * kBlock; i < end && pick == n; ++i) {
            acc += d2[i];
            if (acc > r && d2[i] > 0.0f)
                pick = i;
        }
        for (size_t i = end; pick == n && i-- > 0;) // rounding ran past the block: last positive row
            if (d2[i] > 0.0f)
                pick = i;
        set_centroid(c, x + pick * len);
        const float *cc = cent + c * stride;
        for (size_t o = 0; o < c; ++o)
            to_new[o] = l2_seq(cc, cent + o * stride, len);
        for (size_t i = 0; i < n; ++i) {
            if (to_new[near[i]] >= kSkipMargin * d2[i])
                continue;
            const float d = l2_seq(x + i * len, cc, len);
            if (d < d2[i]) {
                bsum[i / kBlock] -= static_cast<double>(d2[i]) - d;
                d2[i] = d;
                near[i] = static_cast<uint32_t>(c);
            }
        }
    }
}

/// k-means on one subspace. x: n × len contiguous (finite); cent: k × stride, the stride − len
/// padding floats stay zero. Lloyd's algorithm with Hamerly's bounds: a row whose distance to
/// its centroid (upper bound u) is below both the distance to any other centroid (lower bound l)
/// and half the gap to the nearest other centroid (s) keeps its assignment without a scan.
/// The bounds skip only rows that are strictly (by a 1e-5 relative margin) inside their cell,
/// so ties and near-ties are always rescanned and resolved to the lowest index as in plain Lloyd.
void kmeans_subspace(const float *x, size_t n, size_t len, size_t k, size_t stride, unsigned iterations, PqInit init,
                     uint64_t seed, float *cent) {
    seed_centroids(x, n, len, k, stride, init, seed, cent);
    if (iterations == 0)
        return;
    constexpr double kMargin = 1.0 - 1e-5;
    std::vector<uint32_t> assign(n);
    std::vector<double> upper(n), lower(n), drift(k), half_gap(k);
    std::vector<float> ct(k * len), dist(k), old(k * len);
    std::vector<double> sum(k * len);
    std::vector<size_t> count(k);

    auto scan = [&](size_t i) {
        float second = 0.0f;
        distances_transposed(x + i * len, ct.data(), len, k, dist.data());
        assign[i] = argmin2(dist.data(), k, &second);
        upper[i] = std::sqrt(static_cast<double>(dist[assign[i]]));
        lower[i] = std::sqrt(static_cast<double>(second));
    };
    transpose(cent, k, len, stride, ct.data());
    for (size_t i = 0; i < n; ++i)
        scan(i);

    for (unsigned it = 0;; ++it) {
        // Update step: means in double, accumulated in row order; an empty cluster stays put.
        std::fill(sum.begin(), sum.end(), 0.0);
        std::fill(count.begin(), count.end(), size_t{0});
        for (size_t i = 0; i < n; ++i) {
            double *s = sum.data() + assign[i] * len;
            for (size_t t = 0; t < len; ++t)
                s[t] += x[i * len + t];
            ++count[assign[i]];
        }
        double max1 = 0.0, max2 = 0.0;
        size_t arg1 = 0;
        for (size_t c = 0; c < k; ++c) {
            float *cc = cent + c * stride;
            for (size_t t = 0; t < len; ++t)
                old[c * len + t] = cc[t];
            if (count[c] != 0)
                for (size_t t = 0; t < len; ++t)
                    cc[t] = static_cast<float>(sum[c * len + t] / static_cast<double>(count[c]));
            drift[c] = std::sqrt(static_cast<double>(l2_seq(cc, old.data() + c * len, len)));
            if (drift[c] > max1) {
                max2 = max1;
                max1 = drift[c];
                arg1 = c;
            } else if (drift[c] > max2) {
                max2 = drift[c];
            }
        }
        if (it + 1 >= iterations || max1 == 0.0)
            break; // done, or a fixed point: more iterations would change nothing
        transpose(cent, k, len, stride, ct.data());
        for (size_t c = 0; c < k; ++c) {
            float g = std::numeric_limits<float>::infinity();
            for (size_t o = 0; o < k; ++o)
                if (o != c)
                    g = std::min(g, l2_seq(cent + c * stride, cent + o * stride, len));
            half_gap[c] = 0.5 * std::sqrt(static_cast<double>(g));
        }
        bool changed = false;
        for (size_t i = 0; i < n; ++i) {
            const uint32_t a = assign[i];
            upper[i] += drift[a];
            lower[i] -= a == arg1 ? max2 : max1;
            const double z = std::max(lower[i], half_gap[a]);
            if (upper[i] < z * kMargin)
                continue;
            upper[i] = std::sqrt(static_cast<double>(l2_seq(x + i * len, cent + a * stride, len)));
            if (upper[i] < z * kMargin)
                continue;
            scan(i);
            changed |= assign[i] != a;
        }
        if (!changed)
            break;
    }
}

} // namespace

Result<ProductQuantizer> ProductQuantizer::train(const float *rows, size_t n, size_t dim, uint16_t m, uint16_t k,
                                                 unsigned iterations, uint64_t seed, PqInit init, unsigned threads) {
    if (rows == nullptr || n == 0)
        return Error{Status::InvalidArgument, "ProductQuantizer::train: no training rows"};
    if (dim == 0 || dim > UINT16_MAX || m == 0 || m > dim)
        return Error{Status::InvalidArgument, "ProductQuantizer::train: need 1 <= m <= dim <= 65535"};
    if (k == 0 || k > core::kPqMaxK)
        return Error{Status::InvalidArgument, "ProductQuantizer::train: k must be 1..256"};
    const size_t sub_dim = (dim + m - 1) / m;
    if (static_cast<size_t>(m) * sub_dim > UINT16_MAX)
        return Error{Status::InvalidArgument, "ProductQuantizer::train: m*sub_dim exceeds 65535"};

    ProductQuantizer pq;
    pq.m = m;
    pq.k = k;
    pq.sub_dim = static_cast<uint16_t>(sub_dim);
    pq.dim = static_cast<uint16_t>(dim);
    pq.codebook.assign(static_cast<size_t>(m) * k * sub_dim, 0.0f);

    // Subspaces are independent problems with their own seed, so they train in parallel and the
    // result does not depend on the thread count.
    quant_detail::parallel_for(m, threads, [&](size_t j) {
        const Span sp = subspace(dim, m, sub_dim, j);
        std::vector<float> x(n * sp.len);
        for (size_t i = 0; i < n; ++i)
            for (size_t t = 0; t < sp.len; ++t) {
                const float v = rows[i * dim + sp.start + t];
                x[i * sp.len + t] = std::isfinite(v) ? v : 0.0f; // keep NaN out of the means
            }
        Rng mix{seed ^ (0xD1B54A32D192ED03ull * (j + 1))};
        kmeans_subspace(x.data(), n, sp.len, k, sub_dim, iterations, init, mix.next(),
                        pq.codebook.data() + j * k * sub_dim);
    });
    return pq;
}

void ProductQuantizer::encode(const float *v, uint8_t *codes) const {
    for (size_t j = 0; j < m; ++j) {
        const Span sp = subspace(dim, m, sub_dim, j);
        uint32_t best = 0;
        float bd = std::numeric_limits<float>::infinity();
        for (size_t c = 0; c < k; ++c) {
            const float d = l2_seq(v + sp.start, centroid(j, c), sp.len);
            if (d < bd) {
                bd = d;
                best = static_cast<uint32_t>(c);
            }
        }
        codes[j] = static_cast<uint8_t>(best);
    }
}

void ProductQuantizer::encode_batch(const float *rows, size_t n, uint8_t *codes, unsigned threads) const {
    std::vector<float> ct(static_cast<size_t>(m) * k * sub_dim);
    for (size_t j = 0; j < m; ++j)
        transpose(centroid(j, 0), k, subspace(dim, m, sub_dim, j).len, sub_dim, ct.data() + j * k * sub_dim);
    constexpr size_t kChunk = 512;
    quant_detail::parallel_for((n + kChunk - 1) / kChunk, threads, [&](size_t chunk) {
        std::vector<float> dist(k);
        const size_t end = std::min(n, (chunk + 1) * kChunk);
        for (size_t i = chunk * kChunk; i < end; ++i)
            for (size_t j = 0; j < m; ++j) {
                const Span sp = subspace(dim, m, sub_dim, j);
                distances_transposed(rows + i * dim + sp.start, ct.data() + j * k * sub_dim, sp.len, k, dist.data());
                codes[i * m + j] = static_cast<uint8_t>(argmin2(dist.data(), k, nullptr));
            }
    });
}

void ProductQuantizer::decode(const uint8_t *codes, float *out) const {
    for (size_t j = 0; j < m; ++j) {
        const Span sp = subspace(dim, m, sub_dim, j);
        const float *c = codes[j] < k ? centroid(j, codes[j]) : nullptr;
        for (size_t t = 0; t < sp.len; ++t)
            out[sp.start + t] = c != nullptr ? c[t] : 0.0f;
    }
}

void ProductQuantizer::adc_table(const float *query, float *table) const {
    for (size_t j = 0; j < m; ++j) {
        const Span sp = subspace(dim, m, sub_dim, j);
        for (size_t c = 0; c < k; ++c)
            table[j * k + c] = l2_seq(query + sp.start, centroid(j, c), sp.len);
    }
}

float ProductQuantizer::adc(const float *table, const uint8_t *codes) const {
    return kernels().adc_pq(table, codes, m, k);
}

Result<std::vector<uint8_t>> ProductQuantizer::to_quant_seg() const {
    if (m == 0 || k == 0 || k > core::kPqMaxK || sub_dim == 0 ||
        codebook.size() != static_cast<size_t>(m) * k * sub_dim)
        return Error{Status::InvalidArgument, "ProductQuantizer: inconsistent shape or codebook size"};
    return quant_detail::encode_payload(
        [&](core::ByteWriter &w) { return core::encode_quant_product(w, m, k, sub_dim, codebook.data(), tier); },
        "ProductQuantizer");
}

Result<ProductQuantizer> ProductQuantizer::from_quant_seg(core::ByteView payload, uint16_t vector_dim) {
    auto v = quant_detail::parse_quant(payload, core::QuantType::Product, "ProductQuantizer");
    if (!v.ok())
        return v.error();
    ProductQuantizer pq;
    pq.m = v->pq_m;
    pq.k = v->pq_k;
    pq.sub_dim = v->pq_sub_dim;
    pq.tier = v->tier;
    const size_t width = static_cast<size_t>(pq.m) * pq.sub_dim; // == segment dim (parser checked)
    pq.dim = vector_dim != 0 ? vector_dim : static_cast<uint16_t>(width);
    // The padding rule needs fewer than m padding slots, i.e. ceil(dim/m) == sub_dim.
    if (pq.dim > width || width - pq.dim >= pq.m)
        return Error{Status::DimensionMismatch, "ProductQuantizer: vector width " + std::to_string(pq.dim) +
                                                    " does not fit m=" + std::to_string(pq.m) +
                                                    " sub_dim=" + std::to_string(pq.sub_dim)};
    if (!quant_detail::read_finite_floats(v->body, core::kPqHeaderSize, width * pq.k, pq.codebook))
        return Error{RVF_CORRUPT(Status::InvalidManifest), "ProductQuantizer: non-finite centroid in QUANT_SEG"};
    return pq;
}

} // namespace rvf

// rvf/quantization.hpp — trained vector quantizers for the temperature tiers (spec §6.5) and the
// search helpers that go with them. Codebooks travel in QUANT_SEG payloads through the core codec
// (rvf/core/format/quant_seg.hpp), so every model here round-trips byte-exactly with it.
//
//  tier   storage per vector (128-d)      quantizer          distance on codes
//  hot    f32 512 B / f16 256 B           —                  exact kernels (rvf/distance.hpp)
//  warm   int8 128 B                      ScalarQuantizer    asymmetric L2 (query stays f32)
//  cold   PQ m B, binary ceil(dim/8) B    ProductQuantizer   ADC table + kernels().adc_pq
//                                         BinaryQuantizer    Hamming (kernels().hamming_bits)
// Quantized search is approximate; rerank_exact() re-scores a candidate list with the
// full-precision rows when they are available.
//
// Choices where the spec leaves room (spec §6.5 describes rvf-quant's codec):
//  * Scalar: per-dimension min/max and the exact rvf-quant formulas (core::sq_encode_value).
//    Training skips non-finite values (rvf-quant's comparisons already skip NaN; ±inf would make
//    the range infinite and every code 0).
//  * Product: PqInit::FirstK is rvf-quant's rule (first K rows, K capped at n by repeating the last
//    one); PqInit::KMeansPlusPlus (default) seeds with D²-sampling from `seed`. Then `iterations`
//    Lloyd rounds (stopping early only at a fixed point, where more rounds change nothing); an
//    empty cluster keeps its centroid; ties go to the lowest centroid index. Triangle-inequality
//    bounds skip provably unchanged assignments, so the result is plain Lloyd's. Training is
//    deterministic for a given seed whatever the thread count (subspaces train independently) and
//    costs O(n·k·dim) per round: train on a sample (e.g. ≤ 64·k rows) for large sets.
//    When m does not divide dim: sub_dim = ceil(dim/m) and the P = m·sub_dim − dim (< m) padding
//    slots are the last slot of each of the last P subspaces (128-d, m = 48: 32 subspaces of 3
//    dimensions, then 16 of 2 + one pad). Padding is zero in trained codebooks and ignored by
//    encode/decode/ADC. QUANT_SEG's dim field (which must equal m·sub_dim) then holds the padded
//    width — pass the vector width to from_quant_seg. (Spec §6.5 describes only m | dim.)
//  * Binary: the static encode is rvf-quant's sign rule. A model may carry per-dimension
//    thresholds (the spec's "f32 threshold[dim]" body; bit = v ≥ threshold): data that is not
//    centred on 0 (SIFT-like, all values ≥ 0) needs them, else every bit is 1.
//  * Models loaded from QUANT_SEG must hold finite floats; anything else is InvalidManifest.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include <rvf/core/bytes.hpp>            // ByteView
#include <rvf/core/format/enums.hpp>     // Metric, kHotThreshold, kWarmThreshold
#include <rvf/core/format/quant_seg.hpp> // formulas, binary_code_size
#include <rvf/distance.hpp>              // kernels(), distance_f32
#include <rvf/result.hpp>                // Result<T>

namespace rvf {

// --- tiers ------------------------------------------------------------------------------------

/// Temperature tier of a block: hot keeps f32/f16, warm int8, cold PQ or binary. Values equal
/// core::TemperatureTier (the QUANT_SEG / VEC_SEG tier byte).
enum class Tier : uint8_t { Hot = 0, Warm = 1, Cold = 2 };

/// Tier for an access estimate: > hot_threshold → Hot, > warm_threshold → Warm, else Cold
/// (exclusive, as the spec's assign_tier; with the defaults it equals core::assign_tier).
constexpr Tier choose_tier(uint32_t access_estimate, uint32_t hot_threshold = core::kHotThreshold,
                           uint32_t warm_threshold = core::kWarmThreshold) {
    if (access_estimate > hot_threshold)
        return Tier::Hot;
    if (access_estimate > warm_threshold)
        return Tier::Warm;
    return Tier::Cold;
}
const char *tier_name(Tier t); // "hot", "warm", "cold"; "?" outside the enum

// --- scalar (int8) ----------------------------------------------------------------------------

/// Per-query precomputation for ScalarQuantizer's asymmetric L2: with offset[d] = q[d] − min[d]
/// and step[d] = (max[d] − min[d]) / 255, distance = Σ (offset[d] − step[d]·code[d])².
struct SqQuery {
    std::vector<float> offset, step;
    float l2(const uint8_t *codes) const;
};

struct ScalarQuantizer {
    std::vector<float> min, max; ///< per dimension; max − min ≥ FLT_EPSILON after training
    uint8_t tier = static_cast<uint8_t>(core::TemperatureTier::Hot); ///< QUANT_SEG tier byte (rvf-quant: 0)

    size_t dim() const { return min.size(); }
    /// Per-dimension min/max of `n` rows (row-major, dim floats each); a dimension whose range is
    /// below FLT_EPSILON gets max = min + 1, one with no finite value gets [0, 1]. n may be 0.
    static ScalarQuantizer train(const float *rows, size_t n, size_t dim);
    /// code = round(clamp((v − min)/(max − min), 0, 1)·255); NaN → 0. Writes dim() bytes.
    void encode(const float *v, uint8_t *codes) const;
    void encode_batch(const float *rows, size_t n, uint8_t *codes) const;
    /// v = code/255·(max − min) + min. Writes dim() floats.
    void decode(const uint8_t *codes, float *out) const;
    /// rvf-quant's symmetric quantized L2: Σ Δcode²·range²/65025.
    float l2_quantized(const uint8_t *a, const uint8_t *b) const;
    SqQuery prepare_query(const float *query) const;

    /// QUANT_SEG payload (scalar body). Errors: InvalidArgument (dim 0 or > 65535, min/max sizes
    /// differ).
    Result<std::vector<uint8_t>> to_quant_seg() const;
    /// Errors: the core parser's (TruncatedSegment, InvalidManifest, AlgoUnsupported),
    /// InvalidArgument (another quant type), InvalidManifest (non-finite min/max).
    static Result<ScalarQuantizer> from_quant_seg(core::ByteView payload);
};

// --- product quantization ---------------------------------------------------------------------

enum class PqInit : uint8_t {
    KMeansPlusPlus, ///< D²-sampling seeded by `seed` (better codebooks)
    FirstK,         ///< rvf-quant: the first K rows (repeating the last when n < K); ignores seed
};

struct ProductQuantizer {
    uint16_t m = 0;       ///< subspaces (code bytes per vector)
    uint16_t k = 0;       ///< centroids per subspace, 1..256
    uint16_t sub_dim = 0; ///< floats per subspace; m·sub_dim ≥ dim (zero padding)
    uint16_t dim = 0;     ///< vector width
    uint8_t tier = static_cast<uint8_t>(core::TemperatureTier::Warm); ///< QUANT_SEG tier byte (rvf-quant: 1)
    std::vector<float> codebook;                                      ///< [m][k][sub_dim]

    /// k-means per subspace on `n` rows. `threads` 0 = all cores (1 under a non-threaded wasm
    /// build). Errors: InvalidArgument (rows null, n 0, dim 0 or > 65535, m 0 or > dim, k 0 or
    /// > 256, m·sub_dim > 65535).
    static Result<ProductQuantizer> train(const float *rows, size_t n, size_t dim, uint16_t m, uint16_t k = 256,
                                          unsigned iterations = 10, uint64_t seed = 1,
                                          PqInit init = PqInit::KMeansPlusPlus, unsigned threads = 0);

    size_t code_size() const { return m; }
    const float *centroid(size_t sub, size_t c) const { return codebook.data() + (sub * k + c) * sub_dim; }
    /// Nearest centroid per subspace (ties → lowest index). Writes m bytes.
    void encode(const float *v, uint8_t *codes) const;
    /// Encode n rows (m bytes each) on `threads` threads (0 = all cores).
    void encode_batch(const float *rows, size_t n, uint8_t *codes, unsigned threads = 0) const;
    /// Concatenated centroids, first dim floats. A code ≥ k decodes as zeros (as adc_pq skips it).
    void decode(const uint8_t *codes, float *out) const;
    /// table[j·k + c] = squared L2 between the query's subspace j and centroid c (m·k floats).
    void adc_table(const float *query, float *table) const;
    /// Σ_j table[j·k + codes[j]] with kernels().adc_pq: equals l2sq(query, decode(codes)).
    float adc(const float *table, const uint8_t *codes) const;

    /// QUANT_SEG payload (product body). Errors: InvalidArgument (shape, codebook size).
    Result<std::vector<uint8_t>> to_quant_seg() const;
    /// `vector_dim` 0 = the segment's dim (m·sub_dim). Errors: as ScalarQuantizer's, plus
    /// DimensionMismatch (vector_dim > m·sub_dim or so small that a subspace is all padding).
    static Result<ProductQuantizer> from_quant_seg(core::ByteView payload, uint16_t vector_dim = 0);
};

// --- binary -----------------------------------------------------------------------------------

struct BinaryQuantizer {
    uint16_t dim = 0;
    std::vector<float> threshold; ///< empty: sign bits (rvf-quant); else dim floats, bit = v ≥ t
    uint8_t tier = static_cast<uint8_t>(core::TemperatureTier::Cold); ///< QUANT_SEG tier byte (rvf-quant: 2)

    static size_t code_size(size_t dim) { return core::binary_code_size(dim); }
    /// rvf-quant rule: bit d = (v[d] ≥ 0), LSB-first; writes code_size(dim) bytes.
    static void encode(const float *v, size_t dim, uint8_t *bits) { core::binary_encode(v, dim, bits); }
    /// ±1.0 per bit.
    static void decode(const uint8_t *bits, size_t dim, float *out) { core::binary_decode(bits, dim, out); }
    /// A model with per-dimension mean thresholds over the finite values (none → 0); dim ≤ 65535.
    static BinaryQuantizer train(const float *rows, size_t n, size_t dim);
    /// A sign-bit model (no thresholds) of width dim.
    static BinaryQuantizer sign(uint16_t dim) { return BinaryQuantizer{dim, {}}; }
    /// This model's rule: thresholds when present, else sign. Writes code_size(dim) bytes.
    void encode_row(const float *v, uint8_t *bits) const;
    /// Differing bits among the first `dim` (bits past dim in the last byte are ignored).
    uint32_t hamming(const uint8_t *a, const uint8_t *b, size_t dim) const;

    /// Errors: InvalidArgument (dim 0, threshold size not 0 or dim).
    Result<std::vector<uint8_t>> to_quant_seg() const;
    static Result<BinaryQuantizer> from_quant_seg(core::ByteView payload);
};

// --- search helpers ---------------------------------------------------------------------------

struct Candidate {
    uint64_t id = 0;
    float distance = 0;
    bool operator==(const Candidate &) const = default;
};

/// Ordering used by every helper: distance, then id (so equal distances sort reproducibly).
template <class Hit> constexpr bool hit_less(const Hit &a, const Hit &b) {
    return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
}

/// The k smallest (distance, id) pairs pushed so far; a bounded max-heap.
class TopK {
public:
    explicit TopK(size_t k) : k_(k) { heap_.reserve(k); }
    /// Distance a new hit must beat to enter (+inf while not full).
    float bound() const { return heap_.size() < k_ ? std::numeric_limits<float>::infinity() : heap_.front().distance; }
    void push(uint64_t id, float distance) {
        if (k_ == 0)
            return;
        const Candidate c{id, distance};
        if (heap_.size() < k_) {
            heap_.push_back(c);
            std::push_heap(heap_.begin(), heap_.end(), hit_less<Candidate>);
        } else if (hit_less(c, heap_.front())) {
            std::pop_heap(heap_.begin(), heap_.end(), hit_less<Candidate>);
            heap_.back() = c;
            std::push_heap(heap_.begin(), heap_.end(), hit_less<Candidate>);
        }
    }
    size_t size() const { return heap_.size(); }
    /// Ascending; leaves the heap empty.
    std::vector<Candidate> take_sorted() {
        std::sort_heap(heap_.begin(), heap_.end(), hit_less<Candidate>);
        return std::move(heap_);
    }

private:
    size_t k_;
    std::vector<Candidate> heap_;
};

/// Exact rerank: re-scores every hit (any type with `id` and `distance` members, e.g. Candidate
/// or rvf::Neighbor) with the full-precision row `row(id)` under `metric` (distance_f32), drops
/// hits whose row() is nullptr (no full-precision copy), and keeps the best k ascending.
template <class Hit, class RowFn>
void rerank_exact(core::Metric metric, const float *query, size_t dim, std::vector<Hit> &hits, RowFn &&row, size_t k) {
    size_t kept = 0;
    for (size_t i = 0; i < hits.size(); ++i) {
        const float *r = row(hits[i].id);
        if (r == nullptr)
            continue;
        hits[i].distance = distance_f32(metric, r, query, dim);
        hits[kept++] = hits[i];
    }
    hits.resize(kept);
    const size_t top = std::min(k, kept);
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(top), hits.end(), hit_less<Hit>);
    hits.resize(top);
}

} // namespace rvf

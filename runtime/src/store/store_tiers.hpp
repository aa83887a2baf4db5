// store_tiers.hpp — the quantized temperature tiers of a tiered store (StoreOptions::tiering):
// the models that encode warm and cold rows, per-query distance tables over their codes, and
// the on-disk form (spec §6.2 VEC blocks with dtype/tier bytes, §6.5 QUANT_SEG models).
//
//  tier  in memory and in VEC blocks          block dtype / dim field   model (QUANT_SEG)
//  hot   the store's storage dtype            f32|f16|i8 / dimension    (i8: the tier-0 range)
//  warm  per-dimension scalar u8 codes        u8 (4) / dimension        scalar, tier byte 1
//  cold  PQ codes, m bytes                    PQ (7) / m                product, tier byte 2
//        or binary codes, ceil(dim/8) bytes   binary (6) / ceil(dim/8)  binary thresholds, tier 2,
//                                                                       + scalar, tier 2 (levels)
// VEC_SEG's codec counts PQ and binary elements as one byte each (spec §6.1), so for those
// dtypes the block's dim field holds the code width in bytes; the loader checks it against the
// model. A binary-cold row decodes per dimension to lo[d] (bit 0) or hi[d] (bit 1): the means of
// the training values below / at-or-above the threshold, carried in a second, tier-2 scalar
// QUANT_SEG (min = lo, max = hi). Those are our choices where the spec leaves room.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <rvf/core/format/enums.hpp>
#include <rvf/quantization.hpp>
#include <rvf/result.hpp>
#include <rvf/store.hpp>

namespace rvf::store_detail {

/// Rows per access-sketch block (spec §6.6: one sketch entry per 1024-vector block).
inline constexpr uint32_t kTierBlockRows = 1024;

/// Binary-cold reconstruction levels (see the header comment).
struct BinaryLevels {
    std::vector<float> lo, hi;
};

/// What a tiered table needs to encode, decode and score warm and cold rows.
struct TierModels {
    std::optional<ScalarQuantizer> warm;
    std::optional<ProductQuantizer> pq;
    std::optional<BinaryQuantizer> binary;
    std::optional<BinaryLevels> levels; ///< with `binary`

    bool has(Tier t) const;
    /// Bytes per row in tier t (hot: the caller's row_bytes; 0 when the model is missing).
    size_t code_bytes(Tier t, size_t hot_row_bytes) const;
    void encode(Tier t, const float *v, uint8_t *code) const; ///< warm or cold only
    void decode(Tier t, const uint8_t *code, float *out) const;
};

/// One query prepared for the warm and cold rows of a table.
struct TierQuery {
    // warm: L2 = Σ (off[d] − step[d]·c)², dot = sq_dot0 + Σ qstep[d]·c
    std::vector<float> sq_off, sq_step, sq_qstep;
    float sq_dot0 = 0;
    // PQ: per subspace tables (squared L2 or dot with each centroid), m·k floats
    std::vector<float> pq_table;
    // binary: L2 = bin_base + Σ_{bit set} delta[d]; dot = bin_dot0 + Σ_{bit set} ddot[d], where
    // delta/ddot are per-dimension terms. They are folded into one 256-entry table per code byte
    // (entry v = the sum over v's set bits), so a row costs one ADC table walk of ⌈dim/8⌉ bytes
    // instead of a branch per bit.
    std::vector<float> bin_table;
    float bin_base = 0, bin_dot0 = 0;
};

TierQuery prepare_tier_query(const TierModels &m, const float *q, Metric metric, bool warm_rows, bool cold_rows);
/// Distance between the prepared query and a warm/cold code (not Hamming metric: decode for that).
/// `row_norm2` is the decoded row's |x|², `q_norm2` the query's (cosine).
float tier_distance(const TierModels &m, Tier t, const uint8_t *code, const TierQuery &tq, Metric metric,
                    float row_norm2, float q_norm2);

/// Train the warm model on `n` rows (per-dimension min/max; tier byte 1).
ScalarQuantizer train_warm(const float *rows, size_t n, size_t dim);
/// Train the cold model (PQ with `pq_m` subspaces, or binary thresholds + levels) on a sample of
/// at most 16384 of the `n` rows. Errors: ProductQuantizer::train's.
Result<void> train_cold(TierModels &m, const float *rows, size_t n, size_t dim, ColdCodec codec, uint16_t pq_m);

/// QUANT_SEG payloads of the warm/cold models (in the order the loader expects none of: any).
Result<std::vector<std::vector<uint8_t>>> encode_tier_models(const TierModels &m);
/// Adopt one QUANT_SEG whose header tier byte is warm or cold (the tier-0 scalar range of i8
/// storage is the caller's). Errors: InvalidManifest (unknown combination, wrong dimension, a
/// non-finite value), the model parsers' statuses.
Result<void> load_tier_model(TierModels &m, core::ByteView payload, uint16_t dimension);

/// The (dtype, dim field) a VEC block of tier t must carry, given the store's hot dtype.
struct BlockShape {
    uint8_t dtype = 0;
    uint16_t dim = 0;
};
std::optional<BlockShape> block_shape(const TierModels &m, Tier t, uint8_t hot_dtype, uint16_t dimension);

/// Default PQ subspaces for a dimension: dim/4 (at least 1).
uint16_t default_pq_m(uint16_t dimension);

} // namespace rvf::store_detail

// microkernel/src/rvf_exports.cpp — the 14 C-ABI exports of the freestanding wasm32 tile
// microkernel (spec §7.3), with the signatures of the shipped module (i64 ids included).
// Each export validates its arguments against the tile memory map (tile_memory.hpp), then calls
// the row kernels (kernels.cpp, over core/distance/) or the freestanding core directly: f16
// conversion, CRC-32C, segment-header offsets, cosine/IP from dot products. No math is defined
// here. Built with -Oz: nothing in this file is on a per-element path.
//
// Error contract: every bad pointer, size, count or code returns −1 and leaves the tile state
// as it was; no input makes the module trap. Exports are named by attribute, so a missing
// definition fails the link instead of silently dropping the export.
#include <stddef.h>
#include <stdint.h>

#include "kernels.hpp"
#include "rvf/core/bytes.hpp"
#include "rvf/core/distance/metric.hpp"
#include "rvf/core/f16.hpp"
#include "rvf/core/format/segment_header.hpp"
#include "rvf/core/hash/crc32c.hpp"
#include "tile_memory.hpp"

#define RVF_EXPORT(name) extern "C" __attribute__((export_name(#name), visibility("default")))

using namespace rvf::mk;
using rvf::core::load_f32_le;
using rvf::core::load_u32_le;
using rvf::core::load_u64_le;
using rvf::core::store_f32_le;
using rvf::core::store_u64_le;

namespace {

TileData &D = g_tile.data;
TileScratch &S = g_tile.scratch;

constexpr uint32_t elem_bytes(uint32_t dtype) { return dtype == kF16 ? 2u : dtype == kI8 ? 1u : 4u; }

/// Keep the k smallest (dist, id) pairs, sorted ascending. An equal distance never displaces an
/// earlier entry (first come stays, like the shipped max-heap), and NaN never enters.
void topk_insert(float d, uint64_t id, uint32_t k) {
    if (d != d)
        return;
    uint32_t n = D.topk_n < k ? D.topk_n : k; // a smaller k than before drops the largest
    uint32_t pos = n;
    while (pos > 0 && d < D.topk[pos - 1].dist)
        --pos;
    if (pos < k) {
        for (uint32_t j = n < k ? n : k - 1; j > pos; --j)
            D.topk[j] = D.topk[j - 1];
        D.topk[pos] = {d, id};
        if (n < k)
            ++n;
    }
    D.topk_n = n;
}

/// PQ geometry for M subspaces of K centroids over the current dim, or false when the codebook
/// or the distance table would not fit their scratch areas.
bool pq_shape(uint32_t m, uint32_t k, uint32_t &sub) {
    const uint32_t dim = cfg(kCfgDim);
    if (m == 0 || k == 0 || k > 256 || dim > kMaxDim || m > dim)
        return false;
    sub = dim / m;
    return m * k <= kPqTableEntries && m * k * sub * 2u <= kPqCodebookBytes;
}

} // namespace

// ---- 1-6: query path ---------------------------------------------------------------------

/// Copy the 64-B tile config from the hub window and clear the top-K buffer.
RVF_EXPORT(rvf_init) int32_t rvf_init(int32_t config_ptr) {
    if (!host_range(config_ptr, sizeof D.config))
        return -1;
    __builtin_memcpy(D.config, host_ptr(config_ptr), sizeof D.config);
    D.topk_n = 0;
    return 0;
}

/// Copy `dim` f16 values (2·dim bytes) into the query area; dim ≤ 768.
RVF_EXPORT(rvf_load_query) int32_t rvf_load_query(int32_t query_ptr, int32_t dim) {
    if (dim < 0 || static_cast<uint32_t>(dim) > kMaxDim || !host_range(query_ptr, 2u * static_cast<uint32_t>(dim)))
        return -1;
    __builtin_memcpy(D.query, host_ptr(query_ptr), 2u * static_cast<uint32_t>(dim));
    widen(S.query_f32, D.query, static_cast<uint32_t>(dim));
    cfg(kCfgDim) = static_cast<uint32_t>(dim);
    return 0;
}

/// Copy count·dim·elem bytes of row-major vectors into the scratch block (≤ 32 KB).
RVF_EXPORT(rvf_load_block) int32_t rvf_load_block(int32_t block_ptr, int32_t count, int32_t dtype) {
    // dim is bounded first (rvf_init can set any value) so the byte count cannot wrap.
    if (count < 0 || static_cast<uint32_t>(dtype) > kF32 || cfg(kCfgDim) > kMaxDim)
        return -1;
    const uint64_t bytes = static_cast<uint64_t>(count) * cfg(kCfgDim) * elem_bytes(static_cast<uint32_t>(dtype));
    if (bytes > kBlockBytes || !host_range(block_ptr, bytes))
        return -1;
    __builtin_memcpy(S.block, host_ptr(block_ptr), static_cast<size_t>(bytes));
    cfg(kCfgCount) = static_cast<uint32_t>(count);
    cfg(kCfgDtype) = static_cast<uint32_t>(dtype);
    return 0;
}

/// Write one f32 distance per loaded vector to result_ptr; returns the count. f16 and i8 blocks
/// take all four metrics, f32 blocks all but Hamming. The config is re-validated here because
/// rvf_init or rvf_load_query may have changed dim since the block was loaded.
RVF_EXPORT(rvf_distances) int32_t rvf_distances(int32_t metric, int32_t result_ptr) {
    const uint32_t dim = cfg(kCfgDim), count = cfg(kCfgCount), dtype = cfg(kCfgDtype);
    const uint32_t m = static_cast<uint32_t>(metric);
    if (dim == 0 || dim > kMaxDim || count == 0 || dtype > kF32 || m > kHamming || (dtype == kF32 && m == kHamming))
        return -1;
    const uint32_t row_bytes = dim * elem_bytes(dtype);
    if (static_cast<uint64_t>(count) * row_bytes > kBlockBytes || !host_range(result_ptr, 4ull * count))
        return -1;
    const RowKernels &kk = kRowKernels[dtype];
    const float qq = m == kCosine ? query_norm(dtype, dim) : 0.0f;
    uint8_t *out = host_ptr(result_ptr);
    const uint8_t *row = S.block;
    for (uint32_t i = 0; i < count; ++i, row += row_bytes) {
        float d;
        if (m == kHamming) {
            d = hamming(row, row_bytes);
        } else if (m == kL2) {
            d = kk.l2(row, dim);
        } else {
            const float dot = kk.dot(row, dim);
            d = m == kIp ? rvf::core::dist::ip_distance(dot) : rvf::core::dist::cosine_from_parts(dot, qq, kk.norm(row, dim));
        }
        store_f32_le(out + 4u * i, d);
    }
    return static_cast<int32_t>(count);
}

/// Merge `count` (f32 dist, u64 id) pairs into the top-K buffer, keeping the k ≤ 16 smallest.
/// The buffer persists across calls until rvf_init.
RVF_EXPORT(rvf_topk_merge) int32_t rvf_topk_merge(int32_t dist_ptr, int32_t id_ptr, int32_t count, int32_t k) {
    if (k < 0 || static_cast<uint32_t>(k) > kMaxK || count < 0 || !host_range(dist_ptr, 4ull * count) ||
        !host_range(id_ptr, 8ull * static_cast<uint32_t>(count)))
        return -1;
    if (k == 0)
        return 0;
    const uint8_t *dists = host_ptr(dist_ptr);
    const uint8_t *ids = host_ptr(id_ptr);
    for (uint32_t i = 0; i < static_cast<uint32_t>(count); ++i)
        topk_insert(load_f32_le(dists + 4u * i), load_u64_le(ids + 8u * i), static_cast<uint32_t>(k));
    return 0;
}

/// Write the top-K buffer, ascending, as 12-B records (u64 id LE, f32 dist LE); returns how many.
RVF_EXPORT(rvf_topk_read) int32_t rvf_topk_read(int32_t out_ptr) {
    const uint32_t n = D.topk_n;
    if (!host_range(out_ptr, kTopkRecordBytes * n))
        return -1;
    uint8_t *out = host_ptr(out_ptr);
    for (uint32_t i = 0; i < n; ++i) {
        store_u64_le(out + kTopkRecordBytes * i, D.topk[i].id);
        store_f32_le(out + kTopkRecordBytes * i + 8, D.topk[i].dist);
    }
    return static_cast<int32_t>(n);
}

// ---- 7-10: quantization ------------------------------------------------------------------

/// Copy `dim` interleaved (f32 min, f32 max) pairs into the decode area; dim ≤ 768.
RVF_EXPORT(rvf_load_sq_params) int32_t rvf_load_sq_params(int32_t params_ptr, int32_t dim) {
    if (dim < 0 || static_cast<uint32_t>(dim) > kMaxDim || !host_range(params_ptr, 8u * static_cast<uint32_t>(dim)))
        return -1;
    __builtin_memcpy(D.sq_params, host_ptr(params_ptr), 8u * static_cast<uint32_t>(dim));
    D.sq_dim = static_cast<uint32_t>(dim);
    return 0;
}

/// Decode `count` i8 codes to f16: element i uses the params of dimension i mod dim, value
/// min + ((code + 128) / 255) · (max − min), rounded to nearest f16. Needs params for every dim.
RVF_EXPORT(rvf_dequant_i8) int32_t rvf_dequant_i8(int32_t src_ptr, int32_t dst_ptr, int32_t count) {
    const uint32_t dim = cfg(kCfgDim);
    if (dim == 0 || dim > D.sq_dim || count < 0 || !host_range(src_ptr, static_cast<uint32_t>(count)) ||
        !host_range(dst_ptr, 2ull * static_cast<uint32_t>(count)))
        return -1;
    const int8_t *src = reinterpret_cast<const int8_t *>(host_ptr(src_ptr));
    uint8_t *dst = host_ptr(dst_ptr);
    for (uint32_t i = 0, d = 0; i < static_cast<uint32_t>(count); ++i) {
        const float lo = D.sq_params[2 * d], hi = D.sq_params[2 * d + 1];
        const float v = lo + (static_cast<float>(src[i]) + 128.0f) / 255.0f * (hi - lo);
        rvf::core::store_u16_le(dst + 2u * i, rvf::core::f32_to_f16(v));
        if (++d == dim)
            d = 0;
    }
    return 0;
}

/// Copy an f16 codebook [M][K][dim/M] into the PQ area. M ≤ dim, K ≤ 256, M·K ≤ 2048 and the
/// codebook ≤ 16 KB (384-d: PQ 48×16 fits; 48×256 needs 192 KB and is a Hot-profile shape).
RVF_EXPORT(rvf_load_pq_codebook) int32_t rvf_load_pq_codebook(int32_t codebook_ptr, int32_t m, int32_t k) {
    uint32_t sub;
    if (m <= 0 || k <= 0 || !pq_shape(static_cast<uint32_t>(m), static_cast<uint32_t>(k), sub))
        return -1;
    const uint32_t bytes = static_cast<uint32_t>(m) * static_cast<uint32_t>(k) * sub * 2u;
    if (!host_range(codebook_ptr, bytes))
        return -1;
    __builtin_memcpy(S.pq_codebook, host_ptr(codebook_ptr), bytes);
    cfg(kCfgPqM) = static_cast<uint32_t>(m);
    cfg(kCfgPqK) = static_cast<uint32_t>(k);
    return 0;
}

/// ADC distances of `count` PQ-coded vectors (M code bytes each): builds the f32 table
/// L2²(query sub-vector m, centroid k), then sums one entry per subspace (codes ≥ K add 0).
RVF_EXPORT(rvf_pq_distances) int32_t rvf_pq_distances(int32_t codes_ptr, int32_t count, int32_t result_ptr) {
    const uint32_t m = cfg(kCfgPqM), k = cfg(kCfgPqK);
    uint32_t sub;
    if (count < 0 || !pq_shape(m, k, sub) || !host_range(codes_ptr, static_cast<uint64_t>(count) * m) ||
        !host_range(result_ptr, 4ull * static_cast<uint32_t>(count)))
        return -1;
    for (uint32_t j = 0; j < m; ++j)
        for (uint32_t c = 0; c < k; ++c)
            S.pq_table[j * k + c] = l2_f16_f32(S.pq_codebook + (j * k + c) * sub, S.query_f32 + j * sub, sub);
    const uint8_t *codes = host_ptr(codes_ptr);
    uint8_t *out = host_ptr(result_ptr);
    for (uint32_t i = 0; i < static_cast<uint32_t>(count); ++i)
        store_f32_le(out + 4u * i, adc(codes + i * m, m, k));
    return count;
}

// ---- 11-12: HNSW navigation --------------------------------------------------------------

/// Remember `out_ptr` as the current neighbor list (`u32 n`, then n × (u64 id, f32 dist)),
/// which the hub fills; node_id and layer are the hub's business, as in the shipped tile.
RVF_EXPORT(rvf_load_neighbors) int32_t rvf_load_neighbors(int64_t node_id, int32_t layer, int32_t out_ptr) {
    (void)node_id;
    (void)layer;
    if (!host_range(out_ptr, 4))
        return -1;
    D.neighbor_ptr = static_cast<uint32_t>(out_ptr);
    return 0;
}

/// The id of the closest neighbor other than current_id (strictly smaller distance wins, so the
/// first of equals; distances ≥ FLT_MAX or NaN never win). −1 when there is no list, the list
/// is empty or runs out of memory, or no other neighbor qualifies.
RVF_EXPORT(rvf_greedy_step) int64_t rvf_greedy_step(int64_t current_id, int32_t layer) {
    (void)layer;
    const int32_t list = static_cast<int32_t>(D.neighbor_ptr);
    if (list == 0 || !host_range(list, 4))
        return -1;
    const uint32_t n = load_u32_le(host_ptr(list));
    if (!host_range(list, 4 + static_cast<uint64_t>(kNeighborRecordBytes) * n))
        return -1;
    const uint8_t *e = host_ptr(list) + 4;
    int64_t best = -1;
    float best_dist = 3.40282347e+38f;
    for (uint32_t i = 0; i < n; ++i, e += kNeighborRecordBytes) {
        const int64_t id = static_cast<int64_t>(load_u64_le(e));
        const float d = load_f32_le(e + 8);
        if (id != current_id && d < best_dist) {
            best_dist = d;
            best = id;
        }
    }
    return best;
}

// ---- 13-14: segment checks ---------------------------------------------------------------

/// Check the 64-byte segment header at `header_ptr`: 0 ok, 1 bad magic, 2 bad version (only
/// magic and version, like the shipped tile: spec §7.3 #13, §12 #22); −1 bad pointer.
RVF_EXPORT(rvf_verify_header) int32_t rvf_verify_header(int32_t header_ptr) {
    if (!host_range(header_ptr, rvf::core::kSegmentHeaderSize))
        return -1;
    // Only the two fields judged are read (offsets from the core header table).
    const uint8_t *p = host_ptr(header_ptr);
    if (load_u32_le(p + rvf::core::seg_off::magic) != rvf::core::kSegmentMagic)
        return 1;
    return p[rvf::core::seg_off::version] == rvf::core::kSegmentVersion ? 0 : 2;
}

// ---- 14 ---------------------------------------------------------------------------------------

/// CRC-32C of `len` bytes at `data_ptr`, bit pattern returned as i32 ("123456789" → 0xE3069283);
/// −1 for a bad range (a CRC of 0xFFFFFFFF reads the same: check the range first if it matters).
/// Table-free variant: the 8 KB slicing tables alone would exceed the size budget.
RVF_EXPORT(rvf_crc32c) int32_t rvf_crc32c(int32_t data_ptr, int32_t len) {
    if (len < 0 || !host_range(data_ptr, static_cast<uint32_t>(len)))
        return -1;
    return static_cast<int32_t>(rvf::core::crc32c_update_compact(0, host_ptr(data_ptr), static_cast<uint32_t>(len)));
}

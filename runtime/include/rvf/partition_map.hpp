// rvf/partition_map.hpp — the "RVPM" partition map (issue 17, spec §6.4 Layer A blocks 2–3):
// √N centroids of the rows, and per centroid the one VEC_SEG holding exactly the rows nearest
// to it. Compaction (store_rewrite.cpp) writes the rows partition by partition, one row-major
// VEC_SEG each, so a progressive reader holding only this map can fetch the few segments
// nearest a query as whole, hash-checked segments and answer from exact rows
// (rvf/progressive.hpp wanted_for). Format and compatibility: docs/format-partition-map.md.
//
// Payload of one INDEX_SEG (not HOT; the root's centroid pointer names it), LE:
//  off   size  field
//  0x00  4     magic       ASCII "RVPM" (52 56 50 4D); 'R' is no valid index_type (spec §6.4)
//  0x04  2     u16 version 1
//  0x06  1     u8 metric   the store's Metric (centroids are ranked with it)
//  0x07  1     u8 flags    0
//  0x08  8     u64 tag     the image's index graph tag (informational; 0 without an index)
//  0x10  4     u32 K       partitions (≥ 1)
//  0x14  2     u16 dim     vector width
//  0x16  2     u16 dtype   centroid element type: 0 = f32 (nothing else is defined)
//  0x18  8     u64 rows    Σ rows of the partitions
//  0x20  32    zero
//  0x40        K × 24 B entries: u64 segment_id (0 iff rows = 0), u64 first_row, u32 rows, u32 0
//              first_row = Σ rows of the entries before it (the file's row order)
//              K × dim f32 centroids; the payload ends exactly here
#pragma once
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/enums.hpp>
#include <rvf/result.hpp>

namespace rvf {

inline constexpr uint8_t kPartitionMapMagic[4] = {0x52, 0x56, 0x50, 0x4D}; // "RVPM"
inline constexpr uint16_t kPartitionMapVersion = 1;
inline constexpr size_t kPartitionMapHeaderSize = 64;
inline constexpr size_t kPartitionEntrySize = 24;
/// Compaction writes a map only from this many live rows on: below it one small file is read
/// whole faster than a map plus partitions.
inline constexpr size_t kPartitionMinRows = 4096;

struct PartitionEntry {
    uint64_t segment_id = 0;
    uint64_t first_row = 0;
    uint32_t rows = 0;
    bool operator==(const PartitionEntry &) const = default;
};

struct PartitionMap {
    core::Metric metric = core::Metric::L2;
    uint64_t tag = 0;
    uint16_t dim = 0;
    std::vector<PartitionEntry> parts;
    std::vector<float> centroids; ///< parts.size() × dim
    size_t size() const { return parts.size(); }
    uint64_t rows() const { return parts.empty() ? 0 : parts.back().first_row + parts.back().rows; }
    const float *centroid(size_t p) const { return centroids.data() + p * dim; }
    /// The `nprobe` partitions (with rows) nearest to q by the map's metric, nearest first.
    std::vector<uint32_t> nearest(std::span<const float> q, size_t nprobe) const;
};

/// True when `payload` starts with the RVPM magic (an INDEX_SEG holding a partition map).
bool is_partition_map(core::ByteView payload);

/// Partition count for n rows: round(√n), at least 1.
uint32_t partition_count(size_t n);

/// Seeded k-means for the writer: `k` centroids from a deterministic sample of at most
/// max(32·k, 16384) rows (capped at 65536), `iterations` Lloyd steps, then every row assigned.
/// row(i, out) writes row i (0 ≤ i < n) as dim floats. Cosine rows are clustered normalised.
/// Returns the centroids (k × dim) and assign (n entries, each < k). Bounded: O(n·k·dim) for the
/// assignment, spread over `threads` (0 = all cores).
struct PartitionTraining {
    std::vector<float> centroids;
    std::vector<uint32_t> assign;
};
template <class RowFn> PartitionTraining train_partitions(core::Metric metric, uint16_t dim, size_t n, uint32_t k,
                                                          RowFn &&row, unsigned threads, uint64_t seed = 17);

Result<std::vector<uint8_t>> encode_partition_map(const PartitionMap &m);
/// Errors: TruncatedSegment (shorter than its header or its K entries and centroids),
/// InvalidMagic, InvalidVersion, InvalidManifest (flags, dtype, reserved bytes, K = 0, dim = 0,
/// trailing bytes, first_row not the running sum, rows ≠ the total, a segment id 0 with rows or
/// one repeated, a non-finite centroid).
Result<PartitionMap> decode_partition_map(core::ByteView payload);

namespace partition_detail {
/// The type-erased core of train_partitions.
PartitionTraining train(core::Metric metric, uint16_t dim, size_t n, uint32_t k,
                        void (*row)(void *ctx, size_t i, float *out), void *ctx, unsigned threads, uint64_t seed);
} // namespace partition_detail

template <class RowFn>
PartitionTraining train_partitions(core::Metric metric, uint16_t dim, size_t n, uint32_t k, RowFn &&row,
                                   unsigned threads, uint64_t seed) {
    using F = std::remove_reference_t<RowFn>;
    return partition_detail::train(
        metric, dim, n, k, [](void *ctx, size_t i, float *out) { (*static_cast<F *>(ctx))(i, out); },
        const_cast<void *>(static_cast<const void *>(&row)), threads, seed);
}

} // namespace rvf

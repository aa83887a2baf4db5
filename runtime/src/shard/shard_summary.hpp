// shard_summary.hpp — the per-shard centroids a sharded root keeps for routing (SHARD_REFS,
// docs/format-shard-refs.md): a few centroids, each with a radius bounding the L2 distance from
// it to every row it summarises, so ‖q − c‖ − r bounds from below the distance from q to any
// row of the shard. Summaries only grow: a new row enlarges its nearest centroid's radius;
// deletes leave radii too large, which keeps the bound a bound.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rvf::shard_detail {

struct ShardSummary {
    size_t dim = 0;
    std::vector<float> centroids; ///< count × dim
    std::vector<float> radii;     ///< count, each ≥ 0 (plain L2, not squared)
    size_t count() const { return radii.size(); }
};

/// Up to `max_centroids` centroids over `rows` (n × dim): a seeded choice of starting rows, a few
/// Lloyd iterations, then every row assigned to its nearest centroid and the radii set.
ShardSummary summarize(std::span<const float> rows, size_t dim, uint32_t max_centroids, uint64_t seed);

/// Make `s` cover `rows` too: each row grows its nearest centroid's radius; an empty summary is
/// built from these rows (summarize). max_centroids 0 leaves it empty.
void absorb(ShardSummary &s, std::span<const float> rows, size_t dim, uint32_t max_centroids, uint64_t seed);

/// Lower bound on the squared L2 distance from q to any row `s` covers; 0 when s is empty.
float lower_bound_l2sq(const ShardSummary &s, std::span<const float> q);
/// The same over a summary's parts (centroids count × dim, radii count), as a root view holds them.
float lower_bound_l2sq(std::span<const float> centroids, std::span<const float> radii, size_t dim,
                       std::span<const float> q);

/// Squared L2 distance from q to the nearest centroid of `s`; +inf when s is empty.
float nearest_centroid_l2sq(const ShardSummary &s, std::span<const float> q);

/// The id-hash routing function: 1 + splitmix64(id) mod shards.
uint16_t shard_of_id(uint64_t id, uint16_t shards);

} // namespace rvf::shard_detail

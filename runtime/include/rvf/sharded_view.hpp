// rvf/sharded_view.hpp — the rules a fan-out reader applies to a sharded collection, as plain
// functions over bytes, for readers that fetch the files themselves (the wasm/SDK reader over
// HTTP, npm/rvf-wasm/src/sharded.js) and for ShardedCollection (rvf/sharded.hpp), which uses
// the same functions, so both decide alike:
//   - ShardRootView::from_bytes: a root file's shard list (docs/format-shard-refs.md), names
//     resolved against where the root came from (a directory or an http(s) URL);
//   - check_shard / check_shard_tail: is the shard a reader reached the one the root names, at
//     the root's commit or later (stale), or must it be left out (a typed error)?
//   - lower_bounds / shard_bound_exceeds: which shards can hold a query's neighbours (L2, f32);
//   - merge_neighbors / finish_top_k: the exact top-k over every shard's answers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <rvf/core/format/shard_refs.hpp>
#include <rvf/file_report.hpp>
#include <rvf/result.hpp>
#include <rvf/store.hpp>

namespace rvf {

/// What a root file says about one shard as of the root's commit.
struct ShardRecord {
    uint16_t shard_id = 0;      ///< 1-based
    std::string name;           ///< as stored
    std::string location;       ///< name resolved against the root's location (a path or URL)
    uint64_t file_size = 0;
    uint64_t live_rows = 0;
    uint8_t file_id[16] = {};
    uint8_t tail_hash[16] = {}; ///< XXH3-128 of the shard's last 4,096 bytes
    uint32_t epoch = 0;
    std::vector<float> centroids; ///< count × dimension
    std::vector<float> radii;     ///< count; L2 (not squared)
};

/// A root file, decoded.
struct ShardRootView {
    uint16_t dimension = 0;
    Metric metric = Metric::L2;
    StorageType storage = StorageType::F32;
    core::ShardRouting routing = core::ShardRouting::IdHash;
    uint32_t epoch = 0;
    std::vector<ShardRecord> shards;

    /// Decode a root file's bytes (every hash checked). `base` is where the root came from — a
    /// file path or an http(s) URL — and each relative shard name is resolved against it.
    /// UnsupportedLayout when the bytes are an ordinary store; InvalidManifest/InvalidChecksum
    /// when damaged.
    static Result<ShardRootView> from_bytes(std::span<const uint8_t> root_file, const std::string &base);

    /// Summaries bound L2 distances of f32 rows exactly: only then may a shard be skipped by its
    /// bound and the merged answer stay exact.
    bool bounds_exact() const { return metric == Metric::L2 && storage == StorageType::F32; }

    /// Per shard (in order), a lower bound on the squared L2 distance from `q` to any row its
    /// summary covers; 0 for a shard without centroids. DimensionMismatch for a wrong length.
    Result<std::vector<float>> lower_bounds(std::span<const float> q) const;
};

/// Resolve a shard name against the root's location. An absolute http(s) name is kept; a
/// relative one replaces the last path component of `base` (a path or URL, its query string and
/// fragment dropped).
std::string resolve_shard_location(const std::string &base, const std::string &name);

/// What a reader saw of a shard file.
struct ShardObservation {
    uint64_t file_size = 0;
    uint8_t tail_hash[16] = {};
    /// The file's identity and epoch; unknown when the reader could not read them (a tail that
    /// does not hold a whole Level-0 root): then only an identical tail proves the shard.
    bool identity_known = false;
    uint8_t file_id[16] = {};
    uint32_t epoch = 0;
    /// A read-only open that found the newest commit damaged.
    std::optional<Problem> damaged_commit;
};

enum class ShardState : uint8_t {
    Current = 0, ///< the file the root committed, unchanged
    Stale = 1,   ///< the same file, written after the root: query it, never skip it by its summary
};

/// The one rule for "may this shard answer?". Errors (the caller leaves the shard out and names
/// it): InvalidManifest (another file: file id differs), the damage's status (newest commit
/// damaged), ManifestNotFound (an earlier epoch than the root recorded). `label` starts the
/// message ("shard 3 (x.rvf.shards/0003.rvf)"); `where` is the path or URL the advice names.
Result<ShardState> check_shard(const ShardRecord &want, const ShardObservation &seen, const std::string &label,
                               const std::string &where);

/// check_shard from the bytes at the end of a shard file (`tail` ends at EOF; at least the last
/// 4,096 bytes, or the whole file when shorter; kShardTailBytes to judge a changed shard). The file id and epoch come from the Level-0
/// root when the tail holds it; a tail that differs from the recorded one and does not hold the
/// root is NotReady ("fetch more of the tail"), never a guess.
Result<ShardState> check_shard_tail(const ShardRecord &want, uint64_t file_size, std::span<const uint8_t> tail,
                                    const std::string &label, const std::string &where);

/// Bytes from a shard file's end that always hold its Level-0 root: the root (4,096 bytes) ends
/// up to 63 bytes before EOF (a manifest segment is padded to 64 bytes).
inline constexpr size_t kShardTailBytes = 4096 + 64;

/// XXH3-128 of the last 4,096 bytes of `tail` (all of it when shorter): the root's tail hash.
void shard_tail_hash(std::span<const uint8_t> tail, uint8_t out[16]);

/// May a shard whose lower bound is `bound` be skipped when `kth` is the k-th distance found
/// so far? Slack covers float rounding in the shards' own distance kernels.
inline bool shard_bound_exceeds(float bound, float kth) { return bound > kth * 1.0001f + 1e-6f; }

/// The order of a merged answer: ascending distance, ties by id.
inline bool neighbor_before(const Neighbor &a, const Neighbor &b) {
    return a.distance < b.distance || (a.distance == b.distance && a.id < b.id);
}

/// Add `more` to `best`, a max-heap (by neighbor_before) of at most k neighbours.
void merge_neighbors(std::vector<Neighbor> &best, std::span<const Neighbor> more, size_t k);
/// The heap as the answer: ascending, ties by id.
void finish_top_k(std::vector<Neighbor> &best);

} // namespace rvf

// rvf/sharded.hpp — a sharded collection (issue 21): a small root .rvf whose manifest lists its
// shard files (SHARD_REFS, docs/format-shard-refs.md), each shard an ordinary store with its
// own writer lock. Writes route rows to shards and then commit the root; queries fan out to the
// shards, merge the top-k and say which shards failed instead of answering wrongly.
//
// The root file is rewritten whole at each collection commit (it is small: the shard list and
// per-shard centroid summaries), through a temp file and an atomic rename, so a reader — or an
// HTTP server, a CDN — always sees one complete root, and the shards never need the root.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <rvf/core/format/shard_refs.hpp>
#include <rvf/metadata.hpp>
#include <rvf/result.hpp>
#include <rvf/store.hpp>

namespace rvf {

struct ShardedOptions {
    uint16_t shards = 0;     ///< 1..core::kMaxShards, required
    StoreOptions store;      ///< every shard's options (dimension required)
    /// IdHash: a row goes to shard 1 + splitmix64(id) mod n (docs/format-shard-refs.md), so a
    /// delete goes to one shard. Centroid routing needs centroids first: split() makes them.
    core::ShardRouting routing = core::ShardRouting::IdHash;
    /// Centroids kept per shard to route queries (0: none, every query goes to every shard).
    uint32_t summary_centroids = 16;
};

/// A shard a query could not use, and why. The answer then lacks that shard's rows.
struct ShardFailure {
    uint16_t shard_id = 0;
    std::string name;
    Error error;
};

struct FanOutOptions {
    /// 0: every shard that may hold a neighbour (all of them, or — L2 with summaries — those whose
    /// lower bound does not exceed the k-th distance found: an exact answer when each shard's
    /// answer is exact). n > 0: only the n shards whose summaries are nearest (approximate).
    uint16_t max_shards = 0;
    /// Fail with the first shard's error instead of returning a partial answer.
    bool require_all = false;
};

struct FanOutResult {
    std::vector<Neighbor> neighbors;      ///< merged top-k, ascending distance, ties by id
    std::vector<ShardFailure> failed;     ///< non-empty = a partial answer
    uint16_t shards_queried = 0;
    uint16_t shards_skipped = 0;          ///< left out by their summaries (bound or max_shards)
    /// Shards whose file changed after the root was committed (size or tail hash): their
    /// summaries may be stale, so they are always queried, never skipped.
    std::vector<uint16_t> stale;
    bool partial() const { return !failed.empty(); }
};

/// One shard as the root lists it.
struct ShardInfo {
    uint16_t shard_id = 0;
    std::string name;     ///< as stored: relative to the root's directory, or a URL
    std::string path;     ///< resolved local path ("" for a URL)
    uint64_t file_size = 0;
    uint64_t live_rows = 0;
    uint32_t centroids = 0;
};

struct ShardedStatus {
    uint16_t dimension = 0;
    Metric metric = Metric::L2;
    core::ShardRouting routing = core::ShardRouting::IdHash;
    uint32_t epoch = 0;        ///< of the root
    uint64_t total_vectors = 0;
    std::vector<ShardInfo> shards;
    bool read_only = false;
};

class ShardedCollection {
public:
    ~ShardedCollection();
    ShardedCollection(ShardedCollection &&) noexcept;
    ShardedCollection &operator=(ShardedCollection &&) noexcept;

    /// New root at `root_path` and `options.shards` empty shards next to it, in
    /// "<root file name>.shards/NNNN.rvf". Fails (like RvfStore::create) if any exists.
    static Result<ShardedCollection> create(const std::string &root_path, const ShardedOptions &options);
    /// Open for writing: takes the root's writer lock; each shard is opened (and locked) when a
    /// write first needs it.
    static Result<ShardedCollection> open(const std::string &root_path);
    /// Open for queries: reads the root; each shard is opened read-only in place. A shard that
    /// cannot be opened is not an error here: queries report it as failed.
    static Result<ShardedCollection> open_readonly(const std::string &root_path);

    /// Route rows to shards (by id hash or nearest centroid), commit each shard, then the root.
    /// A crash between the two leaves shards ahead of the root: the rows are committed in their
    /// shards, and readers query such a shard unconditionally (FanOutResult::stale).
    Result<IngestResult> ingest_batch(std::span<const uint64_t> ids, std::span<const float> vectors,
                                      std::span<const std::vector<MetadataEntry>> metadata = {});
    Result<DeleteResult> remove(std::span<const uint64_t> ids);
    Result<FanOutResult> query(std::span<const float> vector, size_t k, const QueryOptions &options = {},
                               const FanOutOptions &fan_out = {}) const;
    /// compact() every shard, then commit the root.
    Result<void> compact();
    ShardedStatus status() const;
    /// Close the shards (each writes its checkpoint), commit the root, release the lock.
    Result<void> close();

    /// Split a store into a new sharded collection: rows (and metadata) of `source` go to
    /// `options.shards` shards by id hash, or — routing Centroid — by the nearest of k-means
    /// centroids (seeded), one per shard; every shard is compacted and indexed.
    static Result<ShardedCollection> split(const RvfStore &source, const std::string &root_path,
                                           const ShardedOptions &options);

    /// The shard an id belongs to under IdHash routing (1-based).
    static uint16_t shard_of_id(uint64_t id, uint16_t shards);

    struct Impl;

private:
    explicit ShardedCollection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

/// What RvfStore / ProgressiveStore say when asked to open a sharded root as a store.
std::string sharded_root_message(const std::string &path);

} // namespace rvf

// shard_root.hpp — the root file of a sharded collection: one Layout S manifest whose Level-1
// area holds PROFILE_CONFIG (with the sharded-root flag, so stores refuse the file) and
// SHARD_REFS (docs/format-shard-refs.md). Written whole, to a temp file renamed over the root.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <rvf/core/format/shard_refs.hpp>
#include <rvf/core/format/store_config.hpp>
#include <rvf/result.hpp>

#include "shard_summary.hpp"

namespace rvf::shard_detail {

/// A root file's contents.
struct RootRecord {
    core::StoreConfig config; ///< the shards' metric, storage, dimension; flags has kStoreConfigShardedRoot
    core::ShardRouting routing = core::ShardRouting::IdHash;
    uint32_t epoch = 0;
    uint64_t created_ns = 0;
    uint8_t file_id[16] = {};
    struct Shard {
        std::string name;
        uint64_t file_size = 0;
        uint64_t live_rows = 0;
        uint8_t file_id[16] = {};
        uint8_t tail_hash[16] = {};
        uint32_t epoch = 0;
        ShardSummary summary;
    };
    std::vector<Shard> shards;
};

/// Largest root file a reader accepts: 4,096 shards × a few centroids fit many times over.
inline constexpr uint64_t kMaxRootFileBytes = 64ull << 20;

/// The root file bytes (one MANIFEST_SEG). InvalidArgument for what SHARD_REFS cannot hold.
Result<std::vector<uint8_t>> encode_root(const RootRecord &r);
/// Parse a root file: every hash checked (inspect_file), the latest manifest's PROFILE_CONFIG
/// and SHARD_REFS decoded. UnsupportedLayout when the file is an ordinary store.
Result<RootRecord> decode_root(const std::vector<uint8_t> &file);
/// Read and decode `path` (at most kMaxRootFileBytes).
Result<RootRecord> read_root(const std::string &path);
/// Write `path` atomically: a temp file next to it, fsync, rename, directory fsync.
Result<void> write_root(const std::string &path, const RootRecord &r);

/// A shard file's size and the XXH3-128 of its last 4,096 bytes (the whole file if shorter).
Result<void> fingerprint(const std::string &path, uint64_t &size, uint8_t hash[16]);

/// Resolve a shard name against the root's path: "dir/root.rvf" + "root.rvf.shards/0001.rvf".
/// URLs resolve to "" (not a local file).
std::string resolve_shard_path(const std::string &root_path, const std::string &name);
bool is_url(const std::string &name);

} // namespace rvf::shard_detail

// shard_view.cpp — rvf/sharded_view.hpp: the reader's rules, shared by ShardedCollection and the
// fan-out readers that fetch bytes themselves (the wasm binding, js/embind/sharded_bindings.cpp).
#include <rvf/sharded_view.hpp>

#include <algorithm>
#include <cstring>

#include <rvf/core/format/manifest_l0.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/hash.hpp>

#include "shard_root.hpp"
#include "shard_summary.hpp"

namespace rvf {

std::string resolve_shard_location(const std::string &base, const std::string &name) {
    if (shard_detail::is_url(name))
        return name;
    std::string b = base;
    if (shard_detail::is_url(b)) {
        // The root's URL without its query or fragment: the name replaces the last segment.
        if (const size_t cut = b.find_first_of("?#"); cut != std::string::npos)
            b.resize(cut);
        const size_t host = b.find("://") + 3;
        const size_t slash = b.rfind('/');
        return slash == std::string::npos || slash < host ? b + "/" + name : b.substr(0, slash + 1) + name;
    }
    return shard_detail::resolve_shard_path(base, name);
}

Result<ShardRootView> ShardRootView::from_bytes(std::span<const uint8_t> root_file, const std::string &base) {
    if (root_file.size() > shard_detail::kMaxRootFileBytes)
        return Error{Status::UnsupportedLayout, base + " is " + std::to_string(root_file.size()) +
                                                    " bytes: larger than any sharded root (64 MiB); is it a store?"};
    auto r = shard_detail::decode_root(std::vector<uint8_t>(root_file.begin(), root_file.end()));
    if (!r)
        return Error{r.status(), base + ": " + r.error().message};
    ShardRootView v;
    v.dimension = r->config.dimension;
    v.metric = static_cast<Metric>(r->config.metric);
    v.storage = static_cast<StorageType>(r->config.storage);
    v.routing = r->routing;
    v.epoch = r->epoch;
    for (size_t i = 0; i < r->shards.size(); ++i) {
        auto &s = r->shards[i];
        ShardRecord o;
        o.shard_id = static_cast<uint16_t>(i + 1);
        o.location = resolve_shard_location(base, s.name);
        o.name = std::move(s.name);
        o.file_size = s.file_size;
        o.live_rows = s.live_rows;
        std::memcpy(o.file_id, s.file_id, 16);
        std::memcpy(o.tail_hash, s.tail_hash, 16);
        o.epoch = s.epoch;
        o.centroids = std::move(s.summary.centroids);
        o.radii = std::move(s.summary.radii);
        v.shards.push_back(std::move(o));
    }
    return v;
}

Result<std::vector<float>> ShardRootView::lower_bounds(std::span<const float> q) const {
    if (q.size() != dimension)
        return Error{Status::DimensionMismatch, "query has " + std::to_string(q.size()) + " components, the collection " +
                                                    std::to_string(dimension)};
    std::vector<float> out;
    out.reserve(shards.size());
    for (const ShardRecord &s : shards)
        out.push_back(shard_detail::lower_bound_l2sq(s.centroids, s.radii, dimension, q));
    return out;
}

Result<ShardState> check_shard(const ShardRecord &want, const ShardObservation &seen, const std::string &label,
                               const std::string &where) {
    const bool same_tail = seen.file_size == want.file_size && std::memcmp(seen.tail_hash, want.tail_hash, 16) == 0;
    if (seen.identity_known && std::memcmp(seen.file_id, want.file_id, 16) != 0)
        return Error{Status::InvalidManifest, label + ": the file there is not the shard the root lists (file id "
                                                      "differs): restore the shard or re-split the collection"};
    if (seen.damaged_commit)
        return Error{seen.damaged_commit->status, label + ": the shard's newest commit is damaged (" +
                                                      seen.damaged_commit->what +
                                                      "); answering from an earlier epoch would drop rows. `rvf verify " +
                                                      where + "` names the damage; restore the shard from a copy"};
    if (seen.identity_known && seen.epoch < want.epoch)
        return Error{Status::ManifestNotFound, label + ": the shard is at epoch " + std::to_string(seen.epoch) +
                                                   ", the root recorded epoch " + std::to_string(want.epoch) +
                                                   ": its newer commits are damaged or missing (`rvf verify " + where +
                                                   "` names the damage); restore the shard from a copy"};
    if (same_tail)
        return ShardState::Current;
    if (!seen.identity_known)
        return Error{Status::NotReady, label + ": the shard's tail differs from the root's record and does not hold "
                                               "its Level-0 root; read more of the file's end to check it"};
    return ShardState::Stale;
}

void shard_tail_hash(std::span<const uint8_t> tail, uint8_t out[16]) {
    const size_t n = std::min(tail.size(), core::kRootManifestSize);
    xxh3_128(core::ByteView(tail.data() + (tail.size() - n), n), out);
}

Result<ShardState> check_shard_tail(const ShardRecord &want, uint64_t file_size, std::span<const uint8_t> tail,
                                    const std::string &label, const std::string &where) {
    if (tail.size() > file_size)
        return Error{Status::InvalidArgument, label + ": the tail is longer than the file"};
    if (tail.size() < std::min<uint64_t>(file_size, core::kRootManifestSize))
        return Error{Status::InvalidArgument, label + ": pass at least the file's last 4,096 bytes"};
    ShardObservation seen;
    seen.file_size = file_size;
    shard_tail_hash(tail, seen.tail_hash);
    // Our writer pads a manifest segment to 64 bytes, so its Level-0 root ends 0..63 bytes
    // before EOF; its CRC tells the real one from bytes that merely look like it.
    for (size_t pad = 0; pad < core::kSegmentAlignment && pad + core::kRootManifestSize <= tail.size(); ++pad) {
        const size_t at = tail.size() - pad - core::kRootManifestSize;
        core::ManifestL0 l0;
        if (core::decode_manifest_l0(core::ByteView(tail.data() + at, core::kRootManifestSize), l0) == Status::Ok) {
            seen.identity_known = true;
            std::memcpy(seen.file_id, l0.file_id, 16);
            seen.epoch = l0.epoch;
            break;
        }
    }
    return check_shard(want, seen, label, where);
}

void merge_neighbors(std::vector<Neighbor> &best, std::span<const Neighbor> more, size_t k) {
    for (const Neighbor &nb : more) {
        if (best.size() < k) {
            best.push_back(nb);
            std::push_heap(best.begin(), best.end(), neighbor_before);
        } else if (k > 0 && neighbor_before(nb, best.front())) {
            std::pop_heap(best.begin(), best.end(), neighbor_before);
            best.back() = nb;
            std::push_heap(best.begin(), best.end(), neighbor_before);
        }
    }
}

void finish_top_k(std::vector<Neighbor> &best) { std::sort(best.begin(), best.end(), neighbor_before); }

} // namespace rvf

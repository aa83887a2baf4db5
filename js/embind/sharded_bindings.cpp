// js/embind/sharded_bindings.cpp — the Embind class "ShardRoot": a sharded collection's root
// (rvf/sharded_view.hpp) for npm/rvf-wasm/src/sharded.js, which fetches the root and the shards
// over HTTP. Every rule a fan-out reader applies — the root's format, whether a shard's tail is
// the file the root named (current, stale, or a typed error), the lower bounds that let a
// shard be skipped, the exact top-k merge — runs here, the same functions ShardedCollection
// uses; the JS side only moves bytes and schedules requests. Results are outcome objects.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <optional>
#include <string>
#include <vector>

#include <rvf/sharded_view.hpp>

#include "convert.hpp"

namespace rvf::js {
namespace {

const Error kNotOpen{Status::StoreClosed, "the shard root is not open: call open(bytes, base) first"};

class ShardRoot {
public:
    /// Decode the root file's bytes; `base` (the root's URL) resolves relative shard names.
    val open(const val &bytes, size_t n, const std::string &base) {
        const std::vector<uint8_t> b = copy_in<uint8_t>(bytes, n);
        auto v = ShardRootView::from_bytes(b, base);
        if (!v)
            return outcome_err(v.error());
        v_.emplace(std::move(*v));
        return outcome_ok();
    }

    /// {dimension, metric, storage, routing, epoch, boundsExact, totalVectors,
    ///  shards: [{shardId, name, location, fileSize, liveRows, epoch, centroids}]}
    val info() const {
        if (!v_)
            return outcome_err(kNotOpen);
        val o = val::object();
        o.set("dimension", v_->dimension);
        o.set("metric", std::string(metric_name(v_->metric)));
        o.set("storage", std::string(storage_type_name(v_->storage)));
        o.set("routing", std::string(v_->routing == core::ShardRouting::IdHash ? "id" : "centroid"));
        o.set("epoch", v_->epoch);
        o.set("boundsExact", v_->bounds_exact());
        double total = 0;
        val shards = val::array();
        for (const ShardRecord &s : v_->shards) {
            val so = val::object();
            so.set("shardId", s.shard_id);
            so.set("name", s.name);
            so.set("location", s.location);
            so.set("fileSize", static_cast<double>(s.file_size));
            so.set("liveRows", static_cast<double>(s.live_rows));
            so.set("epoch", s.epoch);
            so.set("centroids", static_cast<double>(s.radii.size()));
            shards.call<void>("push", so);
            total += static_cast<double>(s.live_rows);
        }
        o.set("totalVectors", total);
        o.set("shards", shards);
        return outcome_ok(o);
    }

    /// Float32Array: per shard, the squared-L2 lower bound from the query to its rows.
    val lower_bounds(const val &vector, size_t n) const {
        if (!v_)
            return outcome_err(kNotOpen);
        const std::vector<float> q = copy_in<float>(vector, n);
        auto lb = v_->lower_bounds(q);
        if (!lb)
            return outcome_err(lb.error());
        return outcome_ok(copy_out(lb->data(), lb->size()));
    }

    /// Judge shard `index` (0-based) by the bytes at its end: 'current' | 'stale', or the typed
    /// error that leaves it out. `label` starts the message; the shard's location is the advice's.
    val check_tail(size_t index, double file_size, const val &tail, size_t n, const std::string &label) const {
        if (!v_)
            return outcome_err(kNotOpen);
        if (index >= v_->shards.size())
            return outcome_err(Error{Status::InvalidArgument, "no shard " + std::to_string(index + 1)});
        const std::vector<uint8_t> t = copy_in<uint8_t>(tail, n);
        const ShardRecord &s = v_->shards[index];
        auto r = check_shard_tail(s, static_cast<uint64_t>(file_size), t, label, s.location);
        if (!r)
            return outcome_err(r.error());
        return outcome_ok(val(std::string(*r == ShardState::Stale ? "stale" : "current")));
    }

private:
    std::optional<ShardRootView> v_;
};

/// The exact top-k of candidate lists concatenated into (ids as u32 word pairs, distances):
/// ascending distance, ties by id — the merge ShardedCollection::query does.
val merge_top_k(const val &words, const val &distances, size_t n, size_t k) {
    const std::vector<uint64_t> ids = copy_in_u64(words, n);
    const std::vector<float> d = copy_in<float>(distances, n);
    std::vector<Neighbor> all(n), best;
    for (size_t i = 0; i < n; ++i)
        all[i] = {ids[i], d[i]};
    merge_neighbors(best, all, k);
    finish_top_k(best);
    return outcome_ok(neighbors_to_js(best));
}

bool bound_exceeds(float bound, float kth) { return shard_bound_exceeds(bound, kth); }

double shard_tail_bytes() { return static_cast<double>(kShardTailBytes); }

} // namespace
} // namespace rvf::js

EMSCRIPTEN_BINDINGS(rvf_sharded) {
    using rvf::js::ShardRoot;
    emscripten::class_<ShardRoot>("ShardRoot")
        .constructor<>()
        .function("open", &ShardRoot::open)
        .function("info", &ShardRoot::info)
        .function("lowerBounds", &ShardRoot::lower_bounds)
        .function("checkTail", &ShardRoot::check_tail);
    emscripten::function("shardMergeTopK", &rvf::js::merge_top_k);
    emscripten::function("shardBoundExceeds", &rvf::js::bound_exceeds);
    emscripten::function("shardTailBytes", &rvf::js::shard_tail_bytes);
}

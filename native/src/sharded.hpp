// native/src/sharded.hpp — RvfShardedCollection: the addon's face of rvf::ShardedCollection
// (rvf/sharded.hpp, issue 21) over local shard files. Synchronous, like RvfDatabase's sync methods.
#pragma once
#include <napi.h>

#include <memory>
#include <optional>

#include <rvf/sharded.hpp>

namespace rvf::node {

class RvfShardedCollection : public Napi::ObjectWrap<RvfShardedCollection> {
public:
    static Napi::Function define(Napi::Env env);
    explicit RvfShardedCollection(const Napi::CallbackInfo &info);

private:
    static Napi::Object wrap(Napi::Env env, ShardedCollection &&c);
    /// create(root, {shards, dimensions, metric, storage, ..., centroids})
    static Napi::Value create(const Napi::CallbackInfo &info);
    static Napi::Value open(const Napi::CallbackInfo &info);
    static Napi::Value open_readonly(const Napi::CallbackInfo &info);
    /// split(sourcePath, root, {shards, by: 'id' | 'centroid', centroids})
    static Napi::Value split(const Napi::CallbackInfo &info);
    Napi::Value ingest_batch(const Napi::CallbackInfo &info);
    Napi::Value remove(const Napi::CallbackInfo &info);
    /// query(vector, k, {efSearch, exact, filter, maxShards, requireAll}) →
    /// {neighbors, partial, failed: [{shardId, name, code, name, message}], shardsQueried, shardsSkipped, stale}
    Napi::Value query(const Napi::CallbackInfo &info);
    Napi::Value compact(const Napi::CallbackInfo &info);
    Napi::Value status(const Napi::CallbackInfo &info);
    Napi::Value close(const Napi::CallbackInfo &info);
    ShardedCollection &live(Napi::Env env);

    std::optional<ShardedCollection> c_;
};

} // namespace rvf::node

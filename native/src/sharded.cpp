// native/src/sharded.cpp — see sharded.hpp. Argument conversion reuses convert.hpp (ids, vectors,
// metadata, store options, query options); the sharded options are read here.
#include "sharded.hpp"

#include <cmath>
#include <string>

#include "convert.hpp"
#include "database.hpp"
#include "errors.hpp"

namespace rvf::node {
namespace {

/// {shards, by, centroids} of create/split; the rest of the object is the shards' store options.
ShardedOptions sharded_options(Napi::Env env, const Napi::Value &v, bool with_store) {
    if (!v.IsObject())
        throw_error(env, Status::InvalidOptions, "options must be an object {shards, ...}");
    const Napi::Object o = v.As<Napi::Object>();
    ShardedOptions s;
    s.shards = static_cast<uint16_t>(uint_option(env, o, "shards", core::kMaxShards, 0));
    s.summary_centroids = static_cast<uint32_t>(uint_option(env, o, "centroids", core::kMaxShardCentroids - 1, 16));
    const Napi::Value by = o.Get("by");
    if (!by.IsUndefined()) {
        const std::string b = by.IsString() ? by.As<Napi::String>().Utf8Value() : "";
        if (b != "id" && b != "centroid")
            throw_error(env, Status::InvalidOptions, "by must be 'id' or 'centroid'");
        s.routing = b == "id" ? core::ShardRouting::IdHash : core::ShardRouting::Centroid;
    }
    if (with_store)
        s.store = create_options_from_js(env, v);
    return s;
}

} // namespace

Napi::Function RvfShardedCollection::define(Napi::Env env) {
    using C = RvfShardedCollection;
    return DefineClass(env, "RvfShardedCollection",
                       {
                           StaticMethod<&C::create>("create"),
                           StaticMethod<&C::open>("open"),
                           StaticMethod<&C::open_readonly>("openReadonly"),
                           StaticMethod<&C::split>("split"),
                           InstanceMethod<&C::ingest_batch>("ingestBatch"),
                           InstanceMethod<&C::remove>("delete"),
                           InstanceMethod<&C::query>("query"),
                           InstanceMethod<&C::compact>("compact"),
                           InstanceMethod<&C::status>("status"),
                           InstanceMethod<&C::close>("close"),
                       });
}

RvfShardedCollection::RvfShardedCollection(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RvfShardedCollection>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
        throw Napi::TypeError::New(info.Env(), "use RvfShardedCollection.create(), open(), openReadonly() or split()");
    c_.emplace(std::move(*info[0].As<Napi::External<ShardedCollection>>().Data()));
}

Napi::Object RvfShardedCollection::wrap(Napi::Env env, ShardedCollection &&c) {
    Napi::FunctionReference &ctor = env.GetInstanceData<AddonData>()->sharded_constructor;
    return ctor.New({Napi::External<ShardedCollection>::New(env, &c)});
}

ShardedCollection &RvfShardedCollection::live(Napi::Env env) {
    if (!c_)
        throw_closed(env);
    return *c_;
}

Napi::Value RvfShardedCollection::create(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::string root = path_from_js(env, info[0]);
    return wrap(env, take(env, ShardedCollection::create(root, sharded_options(env, info[1], true))));
}

Napi::Value RvfShardedCollection::open(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    return wrap(env, take(env, ShardedCollection::open(path_from_js(env, info[0]))));
}

Napi::Value RvfShardedCollection::open_readonly(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    return wrap(env, take(env, ShardedCollection::open_readonly(path_from_js(env, info[0]))));
}

Napi::Value RvfShardedCollection::split(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::string src = path_from_js(env, info[0]);
    const std::string root = path_from_js(env, info[1]);
    const ShardedOptions o = sharded_options(env, info[2], false);
    RvfStore source = take(env, RvfStore::open_readonly(src));
    return wrap(env, take(env, ShardedCollection::split(source, root, o)));
}

Napi::Value RvfShardedCollection::ingest_batch(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    ShardedCollection &c = live(env);
    const IdList ids = ids_from_js(env, info[0], "ids");
    const FloatList vectors = floats_from_js(env, info[1], "vectors");
    const auto meta = info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNull()
                          ? metadata_from_js(env, info[2], ids.view.size())
                          : std::vector<std::vector<MetadataEntry>>{};
    return ingest_to_js(env, take(env, c.ingest_batch(ids.view, vectors.view, meta)));
}

Napi::Value RvfShardedCollection::remove(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    ShardedCollection &c = live(env);
    const IdList ids = ids_from_js(env, info[0], "ids");
    return delete_to_js(env, take(env, c.remove(ids.view)));
}

Napi::Value RvfShardedCollection::query(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    ShardedCollection &c = live(env);
    const FloatList q = floats_from_js(env, info[0], "vector");
    const size_t k = k_from_js(env, info[1]);
    const QueryParams p = query_params_from_js(env, info[2]);
    FanOutOptions f;
    if (info[2].IsObject()) {
        const Napi::Object o = info[2].As<Napi::Object>();
        f.max_shards = static_cast<uint16_t>(uint_option(env, o, "maxShards", core::kMaxShards, 0));
        const Napi::Value all = o.Get("requireAll");
        if (!all.IsUndefined())
            f.require_all = all.ToBoolean().Value();
    }
    const FanOutResult r = take(env, c.query(q.view, k, p.options(), f));
    Napi::Object out = Napi::Object::New(env);
    out.Set("neighbors", neighbors_to_js(env, r.neighbors));
    out.Set("partial", r.partial());
    Napi::Array failed = Napi::Array::New(env, r.failed.size());
    for (size_t i = 0; i < r.failed.size(); ++i) {
        Napi::Object f1 = Napi::Object::New(env);
        f1.Set("shardId", r.failed[i].shard_id);
        f1.Set("shard", r.failed[i].name);
        f1.Set("error", make_error(env, r.failed[i].error).Value());
        failed.Set(static_cast<uint32_t>(i), f1);
    }
    out.Set("failed", failed);
    out.Set("shardsQueried", r.shards_queried);
    out.Set("shardsSkipped", r.shards_skipped);
    Napi::Array stale = Napi::Array::New(env, r.stale.size());
    for (size_t i = 0; i < r.stale.size(); ++i)
        stale.Set(static_cast<uint32_t>(i), r.stale[i]);
    out.Set("stale", stale);
    return out;
}

Napi::Value RvfShardedCollection::compact(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    take(env, live(env).compact());
    return env.Undefined();
}

Napi::Value RvfShardedCollection::status(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const ShardedStatus st = live(env).status();
    Napi::Object o = Napi::Object::New(env);
    o.Set("dimension", st.dimension);
    o.Set("routing", st.routing == core::ShardRouting::IdHash ? "id" : "centroid");
    o.Set("epoch", st.epoch);
    o.Set("totalVectors", static_cast<double>(st.total_vectors));
    o.Set("readOnly", st.read_only);
    Napi::Array shards = Napi::Array::New(env, st.shards.size());
    for (size_t i = 0; i < st.shards.size(); ++i) {
        const ShardInfo &s = st.shards[i];
        Napi::Object so = Napi::Object::New(env);
        so.Set("shardId", s.shard_id);
        so.Set("name", s.name);
        so.Set("path", s.path);
        so.Set("fileSize", static_cast<double>(s.file_size));
        so.Set("liveRows", static_cast<double>(s.live_rows));
        so.Set("centroids", s.centroids);
        shards.Set(static_cast<uint32_t>(i), so);
    }
    o.Set("shards", shards);
    return o;
}

Napi::Value RvfShardedCollection::close(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    if (c_) {
        Result<void> r = c_->close();
        c_.reset();
        take(env, r);
    }
    return env.Undefined();
}

} // namespace rvf::node

// native/src/database_ops.cpp — RvfDatabase's everyday operations over RvfStore's store_ops.cpp:
// upsertBatch/upsert, updateMetadata, count, findIds and refresh. Ids come first everywhere
// (the one argument order: ids, vectors, metadata).
#include <cmath>
#include <optional>

#include "convert.hpp"
#include "database.hpp"
#include "errors.hpp"

namespace rvf::node {
namespace {

RvfStore &store_of(Napi::Env env, RvfStore *s) {
    if (!s)
        throw_closed(env);
    return *s;
}
const RvfStore &store_of(Napi::Env env, const RvfStore *s) {
    if (!s)
        throw_closed(env);
    return *s;
}

} // namespace

Napi::Value RvfDatabase::upsert_batch(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const IdList ids = ids_from_js(env, info[0], "ids");
    const FloatList vectors = floats_from_js(env, info[1], "vectors");
    const auto meta = metadata_from_js(env, info[2], ids.view.size());
    WriteAccess a(*handle_);
    return ingest_to_js(env, take(env, store_of(env, a.store).upsert_batch(ids.view, vectors.view, meta)));
}

Napi::Value RvfDatabase::upsert(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const uint64_t id = id_from_js(env, info[0], "id");
    const FloatList vector = floats_from_js(env, info[1], "vector");
    std::vector<std::vector<MetadataEntry>> meta;
    if (auto rec = record_from_js(env, info[2], "metadata"); !rec.empty())
        meta.push_back(std::move(rec));
    WriteAccess a(*handle_);
    const IngestResult r =
        take(env, store_of(env, a.store).upsert_batch(std::span<const uint64_t>(&id, 1), vector.view, meta));
    if (!r.rejections.empty()) // one vector: its rejection is the call's failure
        throw_error(env, r.rejections.front().status, r.rejections.front().reason);
    return ingest_to_js(env, r);
}

Napi::Value RvfDatabase::update_metadata(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const IdList ids = ids_from_js(env, info[0], "ids");
    auto meta = metadata_from_js(env, info[1], ids.view.size());
    if (meta.empty()) // [] / null / undefined: clear every listed id's metadata
        meta.resize(ids.view.size());
    WriteAccess a(*handle_);
    return ingest_to_js(env, take(env, store_of(env, a.store).update_metadata(ids.view, meta)));
}

Napi::Value RvfDatabase::count(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::optional<FilterExpr> f = filter_from_js(env, info[0]);
    ReadAccess a(*handle_);
    const uint64_t n = take(env, store_of(env, a.store).count(f ? &*f : nullptr));
    return Napi::Number::New(env, static_cast<double>(n));
}

Napi::Value RvfDatabase::find_ids(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::optional<FilterExpr> f = filter_from_js(env, info[0]);
    std::optional<uint64_t> after;
    if (!info[1].IsUndefined() && !info[1].IsNull())
        after = id_from_js(env, info[1], "findIds(filter, after, limit): after");
    const double limit = info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : -1;
    if (!(limit >= 0 && limit <= 9007199254740991.0 && std::floor(limit) == limit))
        throw_invalid(env, "findIds(filter, after, limit): limit must be a non-negative integer (ids per page, e.g. 1000)");
    ReadAccess a(*handle_);
    const std::vector<uint64_t> ids =
        take(env, store_of(env, a.store).find_ids(f ? &*f : nullptr, after, static_cast<size_t>(limit)));
    Napi::Array out = Napi::Array::New(env, ids.size());
    for (size_t i = 0; i < ids.size(); ++i)
        out.Set(static_cast<uint32_t>(i), id_to_js(env, ids[i]));
    return out;
}

Napi::Value RvfDatabase::refresh(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    WriteAccess a(*handle_);
    take(env, store_of(env, a.store).refresh());
    return env.Undefined();
}

} // namespace rvf::node

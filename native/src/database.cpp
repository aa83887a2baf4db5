// native/src/database.cpp — RvfDatabase: class definition, factories and synchronous methods.
// Each method converts its arguments (convert.hpp), takes the handle's read or write lock
// (handle.hpp), calls the runtime, and converts the result or throws its error (errors.hpp).
#include "database.hpp"

#include <cmath>
#include <optional>
#include <utility>

#include <rvf/core/format/derivation_names.hpp>

#include "convert.hpp"
#include "errors.hpp"
#include "open_options.hpp"
#include "signing.hpp"

namespace rvf::node {
namespace {

const RvfStore &reading(Napi::Env env, const ReadAccess &a) {
    if (!a.store)
        throw_closed(env);
    return *a.store;
}

RvfStore &writing(Napi::Env env, const WriteAccess &a) {
    if (!a.store)
        throw_closed(env);
    return *a.store;
}

Napi::Value ingest(Napi::Env env, StoreHandle &h, const Napi::Value &ids_v, const Napi::Value &vectors_v,
                   const Napi::Value &meta_v) {
    const IdList ids = ids_from_js(env, ids_v, "ids");
    const FloatList vectors = floats_from_js(env, vectors_v, "vectors");
    const auto meta = metadata_from_js(env, meta_v, ids.view.size());
    WriteAccess a(h);
    return ingest_to_js(env, take(env, writing(env, a).ingest_batch(ids.view, vectors.view, meta)));
}

} // namespace

Napi::Function RvfDatabase::define(Napi::Env env) {
    using D = RvfDatabase;
    return DefineClass(
        env, "RvfDatabase",
        {
            StaticMethod<&D::create>("create"),
            StaticMethod<&D::open>("open"),
            StaticMethod<&D::open_readonly>("openReadonly"),
            StaticMethod<&D::open_at_epoch>("openAtEpoch"),
            StaticMethod<&D::create_async>("createAsync"),
            StaticMethod<&D::open_async>("openAsync"),
            StaticMethod<&D::open_readonly_async>("openReadonlyAsync"),
            InstanceMethod<&D::ingest_batch>("ingestBatch"),
            InstanceMethod<&D::ingest_batch_async>("ingestBatchAsync"),
            InstanceMethod<&D::insert_batch>("insertBatch"),
            InstanceMethod<&D::insert>("insert"),
            InstanceMethod<&D::upsert_batch>("upsertBatch"),
            InstanceMethod<&D::upsert>("upsert"),
            InstanceMethod<&D::update_metadata>("updateMetadata"),
            InstanceMethod<&D::count>("count"),
            InstanceMethod<&D::find_ids>("findIds"),
            InstanceMethod<&D::refresh>("refresh"),
            InstanceMethod<&D::query>("query"),
            InstanceMethod<&D::query_async>("queryAsync"),
            InstanceMethod<&D::query_batch>("queryBatch"),
            InstanceMethod<&D::query_batch_async>("queryBatchAsync"),
            InstanceMethod<&D::remove>("remove"),
            InstanceMethod<&D::remove_by_filter>("removeByFilter"),
            InstanceMethod<&D::remove>("delete"),                   // upstream's name for remove
            InstanceMethod<&D::remove_by_filter>("deleteByFilter"), // upstream's name for removeByFilter
            InstanceMethod<&D::build_index>("buildIndex"),
            InstanceMethod<&D::build_index_async>("buildIndexAsync"),
            InstanceMethod<&D::compact>("compact"),
            InstanceMethod<&D::checkpoint>("checkpoint"),
            InstanceMethod<&D::compact_async>("compactAsync"),
            InstanceMethod<&D::status>("status"),
            InstanceMethod<&D::segments>("segments"),
            InstanceMethod<&D::dimension>("dimension"),
            InstanceMethod<&D::metric>("metric"),
            InstanceMethod<&D::file_id>("fileId"),
            InstanceMethod<&D::parent_id>("parentId"),
            InstanceMethod<&D::lineage_depth>("lineageDepth"),
            InstanceMethod<&D::index_stats>("indexStats"),
            InstanceMethod<&D::verify_witness>("verifyWitness"),
            InstanceMethod<&D::append_witness>("appendWitness"),
            InstanceMethod<&D::witness_entries>("witnessEntries"),
            InstanceMethod<&D::verify>("verify"),
            InstanceMethod<&D::set_signing_key>("setSigningKey"),
            InstanceMethod<&D::require_signature>("requireSignature"),
            InstanceMethod<&D::metadata>("metadata"),
            InstanceMethod<&D::vector>("vector"),
            InstanceMethod<&D::ids_after>("idsAfter"),
            InstanceMethod<&D::export_layout_r>("exportLayoutR"),
            InstanceMethod<&D::freeze>("freeze"),
            InstanceMethod<&D::derive>("derive"),
            InstanceMethod<&D::not_supported<1>>("branch"),
            InstanceMethod<&D::not_supported<2>>("embedKernel"),
            InstanceMethod<&D::not_supported<3>>("extractKernel"),
            InstanceMethod<&D::not_supported<4>>("embedEbpf"),
            InstanceMethod<&D::not_supported<5>>("extractEbpf"),
            InstanceMethod<&D::close>("close"),
            InstanceAccessor<&D::closed>("closed"),
        });
}

Napi::Object RvfDatabase::wrap(Napi::Env env, RvfStore &&store) {
    Napi::FunctionReference &ctor = env.GetInstanceData<AddonData>()->constructor;
    return ctor.New({Napi::External<RvfStore>::New(env, &store)});
}

RvfDatabase::RvfDatabase(const Napi::CallbackInfo &info) : Napi::ObjectWrap<RvfDatabase>(info) {
    if (info.Length() != 1 || !info[0].IsExternal())
        throw Napi::TypeError::New(info.Env(), "use RvfDatabase.create(), open() or openReadonly()");
    handle_ = std::make_shared<StoreHandle>();
    handle_->store.emplace(std::move(*info[0].As<Napi::External<RvfStore>>().Data()));
}

// --- factories ---------------------------------------------------------------------------------

Napi::Value RvfDatabase::create(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::string path = path_from_js(env, info[0]);
    const StoreOptions o = create_options_from_js(env, info[1]);
    return wrap(env, take(env, RvfStore::create(path, o)));
}

Napi::Value RvfDatabase::open(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    return wrap(env, take(env, RvfStore::open(path_from_js(env, info[0]))));
}

Napi::Value RvfDatabase::open_readonly(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::string path = path_from_js(env, info[0]);
    return wrap(env, take(env, RvfStore::open_readonly(path, readonly_options_from_js(env, info[1]))));
}

Napi::Value RvfDatabase::open_at_epoch(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::string path = path_from_js(env, info[0]);
    const double e = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
    if (!(e >= 0 && e <= 4294967295.0 && std::floor(e) == e))
        throw_invalid(env, "openAtEpoch(path, epoch): epoch must be a committed epoch number (u32); `rvf inspect "
                           "FILE --epochs` lists them");
    OpenOptions o;
    o.epoch = static_cast<uint32_t>(e);
    return wrap(env, take(env, RvfStore::open_readonly(path, o)));
}

// --- writes ------------------------------------------------------------------------------------

// Canonical order (ids, vectors, metadata); upstream's (vectors, ids, metadata) when the first
// argument holds vectors (holds_vectors, README "One API").
Napi::Value RvfDatabase::ingest_batch(const Napi::CallbackInfo &info) {
    if (holds_vectors(info[0]))
        return ingest(info.Env(), *handle_, info[1], info[0], info[2]);
    return ingest(info.Env(), *handle_, info[0], info[1], info[2]);
}

Napi::Value RvfDatabase::insert_batch(const Napi::CallbackInfo &info) { // ids first, as rvf-wasm
    return ingest(info.Env(), *handle_, info[0], info[1], info[2]);
}

Napi::Value RvfDatabase::insert(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const uint64_t id = id_from_js(env, info[0], "id");
    const FloatList vector = floats_from_js(env, info[1], "vector");
    std::vector<std::vector<MetadataEntry>> meta;
    if (auto rec = record_from_js(env, info[2], "metadata"); !rec.empty())
        meta.push_back(std::move(rec));
    WriteAccess a(*handle_);
    const IngestResult r = take(env, writing(env, a).ingest_batch(std::span<const uint64_t>(&id, 1), vector.view, meta));
    if (!r.rejections.empty()) // one vector: its rejection is the call's failure
        throw_error(env, r.rejections.front().status, r.rejections.front().reason);
    return ingest_to_js(env, r);
}

Napi::Value RvfDatabase::remove(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const IdList ids = ids_from_js(env, info[0], "ids");
    WriteAccess a(*handle_);
    return delete_to_js(env, take(env, writing(env, a).remove(ids.view)));
}

Napi::Value RvfDatabase::remove_by_filter(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::optional<FilterExpr> f = filter_from_js(env, info[0]);
    if (!f)
        throw_invalid(env, "removeByFilter(filter) (deleteByFilter) needs a filter");
    WriteAccess a(*handle_);
    return delete_to_js(env, take(env, writing(env, a).remove_by_filter(*f)));
}

Napi::Value RvfDatabase::build_index(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    WriteAccess a(*handle_);
    take(env, writing(env, a).build_index());
    return env.Undefined();
}

Napi::Value RvfDatabase::compact(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const CompactOptions opts = compact_options(env, info[0]);
    WriteAccess a(*handle_);
    return compact_to_js(env, take(env, writing(env, a).compact(opts)));
}

Napi::Value RvfDatabase::checkpoint(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    WriteAccess a(*handle_);
    take(env, writing(env, a).checkpoint());
    return env.Undefined();
}

// --- reads -------------------------------------------------------------------------------------

Napi::Value RvfDatabase::query(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const FloatList q = floats_from_js(env, info[0], "vector");
    const size_t k = k_from_js(env, info[1]);
    const QueryParams p = query_params_from_js(env, info[2]);
    ReadAccess a(*handle_);
    return neighbors_to_js(env, take(env, reading(env, a).query(q.view, k, p.options())));
}

Napi::Value RvfDatabase::query_batch(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const size_t k = k_from_js(env, info[1]);
    const QueryParams p = query_params_from_js(env, info[2]);
    ReadAccess a(*handle_);
    const RvfStore &s = reading(env, a);
    const QueryRows rows = query_rows_from_js(env, info[0], s.status().dimension);
    Napi::Array out = Napi::Array::New(env, rows.rows.size());
    for (size_t i = 0; i < rows.rows.size(); ++i)
        out.Set(static_cast<uint32_t>(i), neighbors_to_js(env, take(env, s.query(rows.rows[i], k, p.options()))));
    return out;
}

Napi::Value RvfDatabase::status(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return status_to_js(info.Env(), reading(info.Env(), a).status());
}

Napi::Value RvfDatabase::segments(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return segments_to_js(info.Env(), reading(info.Env(), a).segments());
}

Napi::Value RvfDatabase::dimension(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return Napi::Number::New(info.Env(), reading(info.Env(), a).status().dimension);
}

Napi::Value RvfDatabase::metric(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return Napi::String::New(info.Env(), upstream_metric_name(reading(info.Env(), a).status().metric));
}

Napi::Value RvfDatabase::file_id(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    const StoreStatus st = reading(info.Env(), a).status();
    return Napi::String::New(info.Env(), hex(st.file_id, sizeof st.file_id));
}

// The FileIdentity of the root: zeros and 0 for a root file, the parent for a derive() child.
Napi::Value RvfDatabase::parent_id(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    const auto p = reading(info.Env(), a).parent_id();
    return Napi::String::New(info.Env(), hex(p.data(), p.size()));
}

Napi::Value RvfDatabase::lineage_depth(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return Napi::Number::New(info.Env(), reading(info.Env(), a).lineage_depth());
}

// derive(childPath, {type}): the child, open for writing (store_lineage.cpp).
Napi::Value RvfDatabase::derive(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::string path = path_from_js(env, info[0]);
    DeriveOptions o;
    if (info.Length() > 1 && info[1].IsObject()) {
        const Napi::Object opts = info[1].As<Napi::Object>();
        const Napi::Array keys = opts.GetPropertyNames();
        for (uint32_t i = 0; i < keys.Length(); ++i)
            if (keys.Get(i).ToString().Utf8Value() != "type")
                throw_error(env, Status::InvalidOptions, "derive(childPath, options): unknown option '" +
                                                             keys.Get(i).ToString().Utf8Value() + "' (accepted: type)");
        if (opts.Has("type") && !opts.Get("type").IsUndefined()) {
            const std::string t = opts.Get("type").IsString() ? opts.Get("type").ToString().Utf8Value() : "";
            if (!core::derivation_type_from_name(t.c_str(), o.type))
                throw_error(env, Status::InvalidOptions, "derive(): unknown type '" + t + "' (" +
                                                             core::kDerivationTypeNameList + ")");
        }
    } else if (info.Length() > 1 && !info[1].IsUndefined() && !info[1].IsNull()) {
        throw_error(env, Status::InvalidOptions, "derive(childPath, options): options must be an object ({type})");
    }
    ReadAccess a(*handle_);
    return wrap(env, take(env, reading(env, a).derive(path, o)));
}

Napi::Value RvfDatabase::index_stats(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return index_stats_to_js(info.Env(), reading(info.Env(), a).status());
}

Napi::Value RvfDatabase::verify_witness(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return witness_to_js(info.Env(), reading(info.Env(), a).verify());
}

// --- signing (native/src/signing.cpp parses the options) ----------------------------------------

Napi::Value RvfDatabase::set_signing_key(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const auto k = signing_from_js(env, info[0]);
    if (!k)
        throw_error(env, Status::InvalidOptions, "setSigningKey() takes {algorithm, key}");
    WriteAccess a(*handle_);
    take(env, writing(env, a).set_signing_key(k->second, k->first));
    return env.Undefined();
}

Napi::Value RvfDatabase::require_signature(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const std::string hex = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : std::string();
    const auto id = crypto::key_id_from_hex(hex);
    if (!id)
        throw_error(env, Status::InvalidOptions,
                    "requireSignature takes a key id (32 hex digits, as signingKeyId() returns), got '" + hex + "'");
    ReadAccess a(*handle_);
    take(env, rvf::require_signature(reading(env, a).verify(), *id));
    return env.Undefined();
}

Napi::Value RvfDatabase::verify(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return verify_to_js(info.Env(), reading(info.Env(), a).verify());
}

Napi::Value RvfDatabase::metadata(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const uint64_t id = id_from_js(env, info[0], "id");
    ReadAccess a(*handle_);
    const auto m = reading(env, a).metadata_copy(id); // a copy: writers may run meanwhile
    return m ? metadata_to_js(env, *m) : env.Null();
}

Napi::Value RvfDatabase::vector(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const uint64_t id = id_from_js(env, info[0], "id");
    ReadAccess a(*handle_);
    const std::optional<std::vector<float>> v = reading(env, a).vector(id);
    if (!v)
        return env.Null();
    Napi::Float32Array out = Napi::Float32Array::New(env, v->size());
    std::copy(v->begin(), v->end(), out.Data());
    return out;
}

Napi::Value RvfDatabase::ids_after(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    std::optional<uint64_t> after;
    if (!info[0].IsUndefined() && !info[0].IsNull())
        after = id_from_js(env, info[0], "idsAfter(after, limit): after");
    const double limit = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
    if (!(limit >= 0 && limit <= 9007199254740991.0 && std::floor(limit) == limit))
        throw_invalid(env, "idsAfter(after, limit): limit must be a non-negative integer (ids per page, e.g. 1000)");
    ReadAccess a(*handle_);
    const std::vector<uint64_t> ids = take(env, reading(env, a).ids_after(after, static_cast<size_t>(limit)));
    Napi::Array out = Napi::Array::New(env, ids.size());
    for (size_t i = 0; i < ids.size(); ++i)
        out.Set(static_cast<uint32_t>(i), id_to_js(env, ids[i]));
    return out;
}

Napi::Value RvfDatabase::export_layout_r(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    ReadAccess a(*handle_);
    const std::vector<uint8_t> bytes = take(env, reading(env, a).export_layout_r());
    Napi::Uint8Array out = Napi::Uint8Array::New(env, bytes.size());
    std::copy(bytes.begin(), bytes.end(), out.Data());
    return out;
}

// --- lifecycle ---------------------------------------------------------------------------------

// freeze(): commits the frozen marker (every later writable open is refused with SnapshotFrozen)
// and keeps this handle open read-only. Returns the epoch of the freezing commit.
Napi::Value RvfDatabase::freeze(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    CloseAccess a(*handle_);
    if (!a.store)
        throw_error(env, Status::StoreClosed, "Store is closed");
    RvfStore &s = *a.store;
    take(env, s.freeze());
    return Napi::Number::New(env, s.status().current_epoch);
}

// Branching (COW children) and kernel/eBPF segments have no writer in the runtime: a typed
// error rather than an empty child or a silently dropped image.
template <int Op> Napi::Value RvfDatabase::not_supported(const Napi::CallbackInfo &info) {
    static const char *const names[] = {"(unused)", "branch", "embedKernel", "extractKernel", "embedEbpf", "extractEbpf"};
    throw_invalid(info.Env(), std::string(names[Op]) + "() is not supported by this runtime");
}

Napi::Value RvfDatabase::close(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    CloseAccess a(*handle_);
    if (!a.store)
        throw_error(env, Status::StoreClosed, "Store is already closed");
    const Result<void> r = a.store->close();
    handle_->store.reset();
    take(env, r);
    return env.Undefined();
}

Napi::Value RvfDatabase::closed(const Napi::CallbackInfo &info) {
    ReadAccess a(*handle_);
    return Napi::Boolean::New(info.Env(), a.store == nullptr);
}

} // namespace rvf::node

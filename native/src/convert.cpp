// native/src/convert.cpp — see convert.hpp.
#include "convert.hpp"
#include "signing.hpp"

#include <cmath>
#include <cstdio>
#include <utility>

#include <rvf/core/format/enums.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/metadata_convert.hpp>

#include "errors.hpp"

namespace rvf::node {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0; // Number.MAX_SAFE_INTEGER

[[noreturn]] void throw_options(Napi::Env env, const std::string &message) {
    throw_error(env, Status::InvalidOptions, message);
}

bool is_typed(const Napi::Value &v, napi_typedarray_type t) {
    return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == t;
}

std::string js_string(const Napi::Value &v) { return v.ToString().Utf8Value(); }

std::string bytes_of(const Napi::Value &v) {
    const auto u8 = v.As<Napi::Uint8Array>();
    return std::string(reinterpret_cast<const char *>(u8.Data()), u8.ElementLength());
}

bool is_bytes(const Napi::Value &v) { return is_typed(v, napi_uint8_array); } // Buffer is a Uint8Array

MetadataValue take_value(Napi::Env env, Result<MetadataValue> r) { return take(env, std::move(r)); }

/// {u64: …} and friends: the value under the one type key.
MetadataValue typed_value(Napi::Env env, const Napi::Value &x, const std::string &key, const std::string &path) {
    const std::string p = path + "." + key;
    const std::optional<MetaType> t = meta_type_from_name(key);
    if (!t)
        throw_invalid(env, path + ": unknown value type '" + key + "' (u64, i64, f64, string, bool, bytes)");
    switch (*t) {
    case MetaType::U64:
    case MetaType::I64:
        if (x.IsBigInt() || x.IsString())
            return take_value(env, metadata_value_from_text(*t, js_string(x), p));
        if (x.IsNumber())
            return take_value(env, metadata_value_from_integral(*t, x.As<Napi::Number>().DoubleValue(), p));
        break;
    case MetaType::F64:
        if (x.IsNumber())
            return MetadataValue::f64(x.As<Napi::Number>().DoubleValue());
        if (x.IsString())
            return take_value(env, metadata_value_from_text(*t, js_string(x), p));
        break;
    case MetaType::String:
        if (x.IsString())
            return MetadataValue::str(js_string(x));
        break;
    case MetaType::Bool:
        if (x.IsBoolean())
            return MetadataValue::boolean(x.As<Napi::Boolean>().Value());
        break;
    case MetaType::Bytes:
        if (is_bytes(x))
            return MetadataValue::bytes(std::string_view(bytes_of(x)));
        break;
    }
    throw_invalid(env, p + ": wrong JS type for a " + key + " value");
}

/// A record value: shorthand by JS type, or typed (index.d.ts RvfMetadataValue).
MetadataValue value_from_js(Napi::Env env, const Napi::Value &v, const std::string &path) {
    if (v.IsString())
        return MetadataValue::str(js_string(v));
    if (v.IsBoolean())
        return MetadataValue::boolean(v.As<Napi::Boolean>().Value());
    if (v.IsBigInt())
        return take_value(env, metadata_value_from_bigint_text(js_string(v), path));
    if (v.IsNumber())
        return take_value(env, metadata_value_from_number(v.As<Napi::Number>().DoubleValue(), path));
    if (is_bytes(v))
        return MetadataValue::bytes(std::string_view(bytes_of(v)));
    if (v.IsObject() && !v.IsArray() && !v.IsTypedArray()) {
        const Napi::Object o = v.As<Napi::Object>();
        const Napi::Array keys = o.GetPropertyNames();
        if (keys.Length() == 1) {
            const std::string key = js_string(keys.Get(0u));
            return typed_value(env, o.Get(key), key, path);
        }
        throw_invalid(env, path + ": a typed value needs exactly one key (u64, i64, f64, string, bool, bytes)");
    }
    throw_invalid(env, path + ": unsupported metadata value");
}

/// Upstream's {fieldId, valueType, value} entry.
MetadataEntry flat_entry_from_js(Napi::Env env, const Napi::Value &v, const std::string &path) {
    if (!v.IsObject())
        throw_invalid(env, path + ": must be an object {fieldId, valueType, value}");
    const Napi::Object o = v.As<Napi::Object>();
    const Napi::Value field = o.Get("fieldId"), type = o.Get("valueType"), x = o.Get("value");
    if (!field.IsNumber())
        throw_invalid(env, path + ".fieldId: must be an integer 0..65535");
    const double f = field.As<Napi::Number>().DoubleValue();
    if (!(f >= 0 && f <= 65535 && std::floor(f) == f))
        throw_invalid(env, path + ".fieldId: must be an integer 0..65535");
    const std::optional<MetaType> t = type.IsString() ? meta_type_from_name(js_string(type)) : std::nullopt;
    if (!t)
        throw_invalid(env, path + ".valueType: must be one of u64, i64, f64, string, bool, bytes");
    const std::string p = path + ".value";
    MetadataEntry e;
    e.field_id = static_cast<uint16_t>(f);
    if (x.IsString() || x.IsBigInt())
        e.value = take_value(env, metadata_value_from_text(*t, js_string(x), p));
    else if (x.IsNumber() && *t == MetaType::F64)
        e.value = MetadataValue::f64(x.As<Napi::Number>().DoubleValue());
    else if (x.IsNumber() && (*t == MetaType::U64 || *t == MetaType::I64))
        e.value = take_value(env, metadata_value_from_integral(*t, x.As<Napi::Number>().DoubleValue(), p));
    else if (x.IsBoolean() && *t == MetaType::Bool)
        e.value = MetadataValue::boolean(x.As<Napi::Boolean>().Value());
    else if (is_bytes(x) && *t == MetaType::Bytes)
        e.value = MetadataValue::bytes(std::string_view(bytes_of(x)));
    else
        throw_invalid(env, p + ": wrong JS type for valueType " + meta_type_name(*t));
    return e;
}

Result<Metric> metric_from_name(const std::string &n) {
    if (n == "l2" || n == "L2")
        return Metric::L2;
    if (n == "cosine" || n == "Cosine")
        return Metric::Cosine;
    if (n == "inner_product" || n == "InnerProduct" || n == "ip" || n == "dotproduct")
        return Metric::InnerProduct;
    if (n == "hamming")
        return Metric::Hamming;
    return Error{Status::MetricUnsupported,
                 "Invalid metric '" + n + "' (l2, cosine, inner_product, ip, dotproduct, hamming)"};
}

double number_or(const Napi::Value &v, double fallback) {
    return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : fallback;
}

Napi::Value problems_to_js(Napi::Env env, const std::vector<Problem> &problems) {
    Napi::Array out = Napi::Array::New(env, problems.size());
    for (size_t i = 0; i < problems.size(); ++i) {
        const Problem &p = problems[i];
        Napi::Object row = Napi::Object::New(env);
        row.Set("offset", static_cast<double>(p.offset));
        row.Set("code", core::status_code(p.status));
        row.Set("name", core::status_name(p.status));
        row.Set("message", Error{p.status, p.what}.to_string());
        out.Set(static_cast<uint32_t>(i), row);
    }
    return out;
}

} // namespace

// --- inputs ------------------------------------------------------------------------------------

uint64_t id_from_js(Napi::Env env, const Napi::Value &v, const std::string &where) {
    if (v.IsNumber()) {
        const double d = v.As<Napi::Number>().DoubleValue();
        if (d >= 0 && d <= kMaxSafeInteger && std::floor(d) == d)
            return static_cast<uint64_t>(d);
    } else if (v.IsBigInt()) {
        bool lossless = false;
        const uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
        if (lossless)
            return u;
    }
    throw_invalid(env, where + " must be a non-negative safe integer or a bigint below 2^64");
}

void IdList::own() {
    if (owned.empty() && !view.empty()) {
        owned.assign(view.begin(), view.end());
        view = owned;
    }
}

bool holds_vectors(const Napi::Value &v) {
    if (is_typed(v, napi_float32_array))
        return true;
    if (!v.IsArray() || v.As<Napi::Array>().Length() == 0)
        return false;
    const Napi::Value first = v.As<Napi::Array>().Get(uint32_t{0});
    return first.IsArray() || first.IsTypedArray();
}

IdList ids_from_js(Napi::Env env, const Napi::Value &v, const std::string &what) {
    IdList out;
    if (is_typed(v, napi_biguint64_array)) {
        const auto a = v.As<Napi::TypedArrayOf<uint64_t>>();
        out.view = std::span<const uint64_t>(a.Data(), a.ElementLength());
        return out;
    }
    if (!v.IsArray() && !v.IsTypedArray())
        throw_invalid(env, what + " must be an array of ids or a BigUint64Array");
    const Napi::Object a = v.As<Napi::Object>();
    const uint32_t n = v.IsArray() ? v.As<Napi::Array>().Length()
                                   : static_cast<uint32_t>(v.As<Napi::TypedArray>().ElementLength());
    out.owned.resize(n);
    for (uint32_t i = 0; i < n; ++i)
        out.owned[i] = id_from_js(env, a.Get(i), what + "[" + std::to_string(i) + "]");
    out.view = out.owned;
    return out;
}

FloatList floats_from_js(Napi::Env env, const Napi::Value &v, const std::string &what) {
    FloatList out;
    if (is_typed(v, napi_float32_array)) {
        const auto a = v.As<Napi::Float32Array>();
        out.view = std::span<const float>(a.Data(), a.ElementLength());
        return out;
    }
    if (!v.IsArray())
        throw_invalid(env, what + " must be a Float32Array (or an array of numbers)");
    const Napi::Array a = v.As<Napi::Array>();
    out.owned.resize(a.Length());
    for (uint32_t i = 0; i < a.Length(); ++i) {
        const Napi::Value x = a.Get(i);
        if (!x.IsNumber())
            throw_invalid(env, what + "[" + std::to_string(i) + "] is not a number");
        out.owned[i] = static_cast<float>(x.As<Napi::Number>().DoubleValue());
    }
    out.view = out.owned;
    return out;
}

QueryRows query_rows_from_js(Napi::Env env, const Napi::Value &v, size_t dim) {
    QueryRows q;
    if (v.IsArray()) {
        const Napi::Array a = v.As<Napi::Array>();
        for (uint32_t i = 0; i < a.Length(); ++i)
            q.lists.push_back(floats_from_js(env, a.Get(i), "vectors[" + std::to_string(i) + "]"));
        for (const FloatList &l : q.lists)
            q.rows.push_back(l.view);
        return q;
    }
    q.lists.push_back(floats_from_js(env, v, "vectors"));
    const std::span<const float> all = q.lists.back().view;
    if (dim == 0 || all.size() % dim != 0)
        throw_error(env, Status::DimensionMismatch,
                    std::to_string(all.size()) + " floats are not a whole number of queries of dimension " +
                        std::to_string(dim));
    for (size_t off = 0; off < all.size(); off += dim)
        q.rows.push_back(all.subspan(off, dim));
    return q;
}

std::vector<MetadataEntry> record_from_js(Napi::Env env, const Napi::Value &v, const std::string &path) {
    std::vector<MetadataEntry> out;
    if (v.IsUndefined() || v.IsNull())
        return out;
    if (!v.IsObject() || v.IsArray() || v.IsTypedArray())
        throw_invalid(env, path + ": must be an object {fieldId: value}, null or undefined");
    const Napi::Object o = v.As<Napi::Object>();
    const Napi::Array keys = o.GetPropertyNames();
    out.reserve(keys.Length());
    for (uint32_t k = 0; k < keys.Length(); ++k) {
        const std::string key = js_string(keys.Get(k));
        const std::string p = path + "[\"" + key + "\"]";
        const std::optional<uint16_t> field = metadata_field_from_key(key);
        if (!field)
            throw_invalid(env, p + ": field ids are integers 0..65535");
        out.push_back({*field, value_from_js(env, o.Get(key), p)});
    }
    return out;
}

std::vector<std::vector<MetadataEntry>> metadata_from_js(Napi::Env env, const Napi::Value &v, size_t n) {
    std::vector<std::vector<MetadataEntry>> out;
    if (v.IsUndefined() || v.IsNull())
        return out;
    if (!v.IsArray())
        throw_invalid(env, "metadata must be an array (one record per id, or upstream's flat entry list)");
    const Napi::Array a = v.As<Napi::Array>();
    const uint32_t len = a.Length();
    if (len == 0)
        return out;
    // Upstream's flat form is told apart by its `valueType` key (a record's keys are field ids).
    const Napi::Value first = a.Get(0u);
    if (first.IsObject() && first.As<Napi::Object>().Has("valueType")) {
        std::vector<MetadataEntry> flat;
        flat.reserve(len);
        for (uint32_t i = 0; i < len; ++i)
            flat.push_back(flat_entry_from_js(env, a.Get(i), "metadata[" + std::to_string(i) + "]"));
        return take(env, split_metadata_evenly(std::move(flat), n));
    }
    if (len != n)
        throw_invalid(env, "metadata has " + std::to_string(len) + " records for " + std::to_string(n) + " ids");
    out.resize(n);
    bool any = false;
    for (uint32_t i = 0; i < len; ++i) {
        out[i] = record_from_js(env, a.Get(i), "metadata[" + std::to_string(i) + "]");
        any = any || !out[i].empty();
    }
    if (!any)
        out.clear();
    return out;
}

std::optional<FilterExpr> filter_from_js(Napi::Env env, const Napi::Value &v) {
    if (v.IsUndefined() || v.IsNull())
        return std::nullopt;
    std::string text;
    if (v.IsString()) {
        text = js_string(v);
    } else if (v.IsObject() && !v.IsArray()) {
        // bigint literals: the decimal string the JSON form accepts under u64/i64; in shorthand
        // position wrapped in their type, since a bare string would be a String literal.
        const Napi::Function replacer = Napi::Function::New(env, [](const Napi::CallbackInfo &info) -> Napi::Value {
            const Napi::Env e = info.Env();
            const Napi::Value value = info[1];
            if (!value.IsBigInt())
                return value;
            const std::string key = js_string(info[0]), s = js_string(value);
            if (key == "u64" || key == "i64")
                return Napi::String::New(e, s);
            Napi::Object typed = Napi::Object::New(e);
            typed.Set(!s.empty() && s[0] == '-' ? "i64" : "u64", s);
            return typed;
        });
        const Napi::Object json = env.Global().Get("JSON").As<Napi::Object>();
        text = js_string(json.Get("stringify").As<Napi::Function>().Call(json, {v, replacer}));
    } else {
        throw_invalid(env, "a filter is an object in the filter JSON form or its JSON text");
    }
    return take(env, filter_from_json(text));
}

uint64_t uint_option(Napi::Env env, const Napi::Object &o, const char *key, uint64_t max, uint64_t fallback) {
    const Napi::Value v = o.Get(key);
    if (v.IsUndefined())
        return fallback;
    const double d = number_or(v, -1);
    if (!(d >= 0 && d <= static_cast<double>(max) && d <= kMaxSafeInteger && std::floor(d) == d))
        throw_options(env, std::string(key) + " must be an integer in 0.." + std::to_string(max));
    return static_cast<uint64_t>(d);
}

// create({tiering}): the TieringPolicy. Strict (unknown keys refused) because the policy is lossy:
// a misspelt threshold must not silently fall back to a default that re-tiers differently.
static TieringPolicy tiering_from_js(Napi::Env env, const Napi::Value &v) {
    if (!v.IsObject() || v.IsArray())
        throw_options(env, "tiering must be an object {enabled, coldCodec, pqM, hotThreshold, warmThreshold}");
    const Napi::Object t = v.As<Napi::Object>();
    const Napi::Array keys = t.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
        const std::string k = js_string(keys.Get(i));
        if (k != "enabled" && k != "coldCodec" && k != "pqM" && k != "hotThreshold" && k != "warmThreshold")
            throw_options(env, "tiering: unknown option '" + k +
                                   "' (enabled, coldCodec, pqM, hotThreshold, warmThreshold)");
    }
    TieringPolicy p;
    p.enabled = true; // giving the object opts in
    const Napi::Value en = t.Get("enabled");
    if (!en.IsUndefined()) {
        if (!en.IsBoolean())
            throw_options(env, "tiering.enabled must be a boolean");
        p.enabled = en.As<Napi::Boolean>().Value();
    }
    const Napi::Value cc = t.Get("coldCodec");
    if (!cc.IsUndefined()) {
        const std::string c = cc.IsString() ? js_string(cc) : std::string();
        if (c == "pq")
            p.cold_codec = ColdCodec::Pq;
        else if (c == "binary")
            p.cold_codec = ColdCodec::Binary;
        else
            throw_options(env, "tiering.coldCodec must be 'pq' or 'binary'");
    }
    auto num = [&](const char *key, uint64_t max, uint64_t fallback) {
        const Napi::Value x = t.Get(key);
        if (x.IsUndefined())
            return fallback;
        const double d = number_or(x, -1);
        if (!(d >= 0 && d <= static_cast<double>(max) && std::floor(d) == d))
            throw_options(env, std::string("tiering.") + key + " must be an integer in 0.." + std::to_string(max));
        return static_cast<uint64_t>(d);
    };
    p.pq_m = static_cast<uint16_t>(num("pqM", 0xFFFF, p.pq_m));
    p.hot_threshold = static_cast<uint32_t>(num("hotThreshold", 0xFFFFFFFFu, p.hot_threshold));
    p.warm_threshold = static_cast<uint32_t>(num("warmThreshold", 0xFFFFFFFFu, p.warm_threshold));
    return p;
}

StoreOptions create_options_from_js(Napi::Env env, const Napi::Value &v) {
    if (!v.IsObject())
        throw_options(env, "create() takes an options object {dimension, metric, ...}");
    const Napi::Object o = v.As<Napi::Object>();
    StoreOptions s;
    const char *dim_key = o.Get("dimension").IsUndefined() ? "dimensions" : "dimension";
    if (o.Get(dim_key).IsUndefined())
        throw_options(env, "dimension is required");
    s.dimension = static_cast<uint16_t>(uint_option(env, o, dim_key, 0xFFFF, 0)); // 0: the runtime's error
    auto str = [&](const char *key) -> std::optional<std::string> {
        const Napi::Value x = o.Get(key);
        if (x.IsUndefined())
            return std::nullopt;
        if (!x.IsString())
            throw_options(env, std::string(key) + " must be a string");
        return js_string(x);
    };
    if (auto m = str("metric"))
        s.metric = take(env, metric_from_name(*m));
    if (auto st = str("storage")) {
        if (*st == "f32")
            s.storage = StorageType::F32;
        else if (*st == "f16")
            s.storage = StorageType::F16;
        else if (*st == "i8")
            s.storage = StorageType::I8;
        else
            throw_options(env, "unknown storage '" + *st + "' (f32, f16, i8)");
    }
    if (auto c = str("compression")) {
        if (*c == "Scalar" || *c == "scalar")
            s.storage = StorageType::I8;
        else if (*c == "lz4" || *c == "LZ4")
            s.compression = Compression::Lz4;
        else if (*c == "zstd" || *c == "ZSTD")
            s.compression = Compression::Zstd;
        else if (*c == "Product" || *c == "product")
            throw_options(env, "compression 'product' (product quantisation) is not supported by this runtime");
        else if (*c != "None" && *c != "none")
            throw_options(env, "unknown compression '" + *c + "' (none, scalar, lz4, zstd)");
    }
    // The hardware profile: upstream's number 0..3 or its name (generic, core, hot, full), kept in
    // the file and held to its limits (store_profile.cpp). A Core create without a storage gets
    // the Core storage its dimension allows (f16 ≤ 384, else i8).
    if (const Napi::Value p = o.Get("profile"); p.IsString()) {
        const auto id = profile_from_name(p.As<Napi::String>().Utf8Value());
        if (!id)
            throw_options(env, "profile must be 0..3 or 'generic', 'core', 'hot', 'full'");
        s.profile = *id;
    } else {
        s.profile = static_cast<core::ProfileId>(uint_option(env, o, "profile", 3, 0));
    }
    if (o.Get("storage").IsUndefined() && s.storage == StorageType::F32)
        s.storage = profile_default_storage(s.profile, s.dimension);
    // The domain profile (0 generic .. 4 rvvision, or custom 0x10..0xEF), stored in the file;
    // absent: from the path's extension. The SDK maps profile names to these ids.
    if (!o.Get("domainProfile").IsUndefined()) {
        const auto dp = static_cast<uint8_t>(uint_option(env, o, "domainProfile", 0xEF, 0));
        if (!core::domain_profile_valid(dp))
            throw_options(env, "domainProfile must be 0..4 or a custom id 16..239");
        s.domain_profile = static_cast<core::DomainProfile>(dp);
    }
    if (const auto k = signing_from_js(env, o.Get("signing"))) { // native/src/signing.cpp
        s.signing_algorithm = k->first;
        s.signing_key = k->second;
    }
    s.hnsw_m = static_cast<uint16_t>(uint_option(env, o, "m", 0xFFFF, 16));
    s.hnsw_ef_construction = static_cast<uint16_t>(uint_option(env, o, "efConstruction", 0xFFFF, 200));
    const Napi::Value witness = o.Get("witness");
    if (!witness.IsUndefined()) {
        if (!witness.IsBoolean())
            throw_options(env, "witness must be a boolean");
        s.witness = witness.As<Napi::Boolean>().Value();
    }
    if (auto ix = str("index")) {
        if (*ix == "auto")
            s.index = IndexMode::Auto;
        else if (*ix == "off")
            s.index = IndexMode::Off;
        else
            throw_options(env, "index must be 'auto' or 'off'");
    }
    if (const Napi::Value t = o.Get("tiering"); !t.IsUndefined())
        s.tiering = tiering_from_js(env, t);
    if (const Napi::Value p = o.Get("partitionOnCompact"); !p.IsUndefined()) {
        if (!p.IsBoolean())
            throw_options(env, "partitionOnCompact must be a boolean");
        s.partition_on_compact = p.As<Napi::Boolean>().Value();
    }
    return s;
}

QueryParams query_params_from_js(Napi::Env env, const Napi::Value &v) {
    QueryParams q;
    if (v.IsUndefined() || v.IsNull())
        return q;
    if (!v.IsObject())
        throw_options(env, "query options must be an object {efSearch, filter, exact, nprobe}");
    const Napi::Object o = v.As<Napi::Object>();
    q.ef_search = static_cast<uint32_t>(uint_option(env, o, "efSearch", 0xFFFFFFFFu, 100));
    q.nprobe = static_cast<uint32_t>(uint_option(env, o, "nprobe", 0xFFFFFFFFu, 0));
    const Napi::Value exact = o.Get("exact");
    if (!exact.IsUndefined())
        q.exact = exact.ToBoolean().Value();
    q.filter = filter_from_js(env, o.Get("filter"));
    return q;
}

size_t k_from_js(Napi::Env env, const Napi::Value &v) {
    const double d = number_or(v, -1);
    if (!(d >= 0 && d <= kMaxSafeInteger && std::floor(d) == d))
        throw_invalid(env, "k must be a non-negative integer");
    return static_cast<size_t>(d);
}

std::string path_from_js(Napi::Env env, const Napi::Value &v) {
    if (!v.IsString())
        throw_invalid(env, "path must be a string");
    return js_string(v);
}

// --- outputs -----------------------------------------------------------------------------------

Napi::Value id_to_js(Napi::Env env, uint64_t id) {
    if (static_cast<double>(id) <= kMaxSafeInteger && id <= 9007199254740991ull)
        return Napi::Number::New(env, static_cast<double>(id));
    return Napi::BigInt::New(env, id);
}

Napi::Value ingest_to_js(Napi::Env env, const IngestResult &r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("accepted", static_cast<double>(r.accepted));
    o.Set("rejected", static_cast<double>(r.rejected));
    o.Set("epoch", r.epoch);
    Napi::Array rows = Napi::Array::New(env, r.rejections.size());
    for (size_t i = 0; i < r.rejections.size(); ++i) {
        const Rejection &rj = r.rejections[i];
        Napi::Object row = Napi::Object::New(env);
        row.Set("index", static_cast<double>(rj.index));
        row.Set("id", id_to_js(env, rj.id));
        row.Set("code", core::status_code(rj.status));
        row.Set("name", core::status_name(rj.status));
        row.Set("message", Error{rj.status, rj.reason}.to_string());
        rows.Set(static_cast<uint32_t>(i), row);
    }
    o.Set("rejections", rows);
    return o;
}

Napi::Value neighbors_to_js(Napi::Env env, const std::vector<Neighbor> &hits) {
    Napi::Array out = Napi::Array::New(env, hits.size());
    for (size_t i = 0; i < hits.size(); ++i) {
        Napi::Object row = Napi::Object::New(env);
        row.Set("id", id_to_js(env, hits[i].id));
        row.Set("distance", hits[i].distance);
        out.Set(static_cast<uint32_t>(i), row);
    }
    return out;
}

Napi::Value delete_to_js(Napi::Env env, const DeleteResult &r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("deleted", static_cast<double>(r.deleted));
    o.Set("epoch", r.epoch);
    return o;
}

Napi::Value compact_to_js(Napi::Env env, const CompactResult &r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("segmentsCompacted", static_cast<double>(r.segments_compacted));
    o.Set("bytesReclaimed", static_cast<double>(r.bytes_reclaimed));
    o.Set("epoch", r.epoch);
    o.Set("complete", r.complete);
    o.Set("bytesWritten", static_cast<double>(r.bytes_written));
    return o;
}

CompactOptions compact_options(Napi::Env env, const Napi::Value &v) {
    CompactOptions o;
    if (!v.IsObject())
        return o;
    const Napi::Object obj = v.As<Napi::Object>();
    const Napi::Array keys = obj.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
        const std::string k = keys.Get(i).ToString().Utf8Value();
        if (k != "ioBudgetBytes" && k != "ioBytesPerSecond")
            throw_options(env, "compact(): unknown option '" + k + "' (ioBudgetBytes, ioBytesPerSecond)");
    }
    o.io_budget_bytes = uint_option(env, obj, "ioBudgetBytes", UINT64_MAX, 0);
    o.io_bytes_per_second = uint_option(env, obj, "ioBytesPerSecond", UINT64_MAX, 0);
    return o;
}

Napi::Value status_to_js(Napi::Env env, const StoreStatus &s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("totalVectors", static_cast<double>(s.total_vectors));
    o.Set("totalSegments", static_cast<double>(s.total_segments));
    o.Set("fileSize", static_cast<double>(s.file_size));
    o.Set("currentEpoch", s.current_epoch);
    o.Set("profileId", static_cast<uint32_t>(s.domain_profile));
    o.Set("profile", profile_name(s.profile));
    o.Set("compactionState", "idle"); // compaction runs inside compact() under the write lock
    o.Set("deadSpaceRatio", s.dead_space_ratio);
    o.Set("deadBytes", static_cast<double>(s.dead_bytes));
    o.Set("merges", static_cast<double>(s.merges));
    o.Set("autoCompactions", static_cast<double>(s.auto_compactions));
    o.Set("syncs", static_cast<double>(s.syncs));
    o.Set("readOnly", s.read_only);
    o.Set("deletedVectors", static_cast<double>(s.deleted_vectors));
    o.Set("dimension", s.dimension);
    o.Set("metric", metric_name(s.metric));
    o.Set("storage", storage_type_name(s.storage));
    const char *dp = core::domain_profile_name(s.domain_profile);
    o.Set("domainProfile", dp ? std::string(dp) : "custom:" + std::to_string(static_cast<unsigned>(s.domain_profile)));
    o.Set("layout", file_layout_name(s.opened_layout));
    o.Set("indexedVectors", static_cast<double>(s.indexed_vectors));
    o.Set("tiering", s.tiering);
    Napi::Object tiers = Napi::Object::New(env);
    const char *tier_names[3] = {"hot", "warm", "cold"}; // StoreStatus index order
    for (size_t i = 0; i < 3; ++i) {
        Napi::Object t = Napi::Object::New(env);
        t.Set("rows", static_cast<double>(s.tier_rows[i]));
        t.Set("bytes", static_cast<double>(s.tier_bytes[i]));
        tiers.Set(tier_names[i], t);
    }
    o.Set("tiers", tiers);
    Napi::Array w = Napi::Array::New(env, s.warnings.size());
    for (size_t i = 0; i < s.warnings.size(); ++i)
        w.Set(static_cast<uint32_t>(i), s.warnings[i]);
    o.Set("warnings", w);
    return o;
}

Napi::Value segments_to_js(Napi::Env env, const std::vector<SegmentSummary> &segs) {
    Napi::Array out = Napi::Array::New(env, segs.size());
    for (size_t i = 0; i < segs.size(); ++i) {
        const SegmentSummary &s = segs[i];
        Napi::Object row = Napi::Object::New(env);
        row.Set("id", static_cast<double>(s.id));
        row.Set("offset", static_cast<double>(s.offset));
        row.Set("payloadLength", static_cast<double>(s.payload_length));
        const char *name = core::seg_type_name(s.seg_type);
        char unknown[16];
        std::snprintf(unknown, sizeof unknown, "unknown(0x%02X)", static_cast<unsigned>(s.seg_type));
        row.Set("segType", name ? name : unknown);
        out.Set(static_cast<uint32_t>(i), row);
    }
    return out;
}

Napi::Value verify_to_js(Napi::Env env, const VerifyReport &r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("ok", r.ok);
    o.Set("segmentsChecked", static_cast<double>(r.segments_checked));
    o.Set("witnessEntriesChecked", static_cast<double>(r.witness_entries_checked));
    o.Set("manifestsChecked", static_cast<double>(r.manifests_checked));
    o.Set("problems", problems_to_js(env, r.problems));
    o.Set("uncommitted", problems_to_js(env, r.uncommitted));
    add_signatures_to_js(env, o, r);
    return o;
}

Napi::Value witness_to_js(Napi::Env env, const VerifyReport &r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("valid", r.ok);
    o.Set("entries", static_cast<double>(r.witness_entries_checked));
    if (!r.problems.empty())
        o.Set("error", Error{r.problems.front().status, r.problems.front().what}.to_string());
    return o;
}

Napi::Value metadata_to_js(Napi::Env env, const std::vector<MetadataEntry> &entries) {
    Napi::Object out = Napi::Object::New(env);
    for (const MetadataEntry &e : entries) {
        Napi::Object typed = Napi::Object::New(env);
        const MetadataValue &v = e.value;
        switch (v.type) {
        case MetaType::U64:
            typed.Set("u64", Napi::BigInt::New(env, v.u));
            break;
        case MetaType::I64:
            typed.Set("i64", Napi::BigInt::New(env, v.i));
            break;
        case MetaType::F64:
            typed.Set("f64", v.f);
            break;
        case MetaType::String:
            typed.Set("string", v.s);
            break;
        case MetaType::Bool:
            typed.Set("bool", v.b);
            break;
        case MetaType::Bytes: {
            Napi::Uint8Array b = Napi::Uint8Array::New(env, v.s.size());
            std::copy(v.s.begin(), v.s.end(), reinterpret_cast<char *>(b.Data()));
            typed.Set("bytes", b);
            break;
        }
        }
        out.Set(std::to_string(e.field_id), typed);
    }
    return out;
}

Napi::Value index_stats_to_js(Napi::Env env, const StoreStatus &s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("indexedVectors", static_cast<double>(s.indexed_vectors));
    o.Set("layers", s.persisted_index > 0 ? 3 : 0); // INDEX_SEG layers A, B, C are written together
    o.Set("m", s.hnsw_m);
    o.Set("efConstruction", s.hnsw_ef_construction);
    o.Set("needsRebuild", s.dead_space_ratio > 0.3);
    return o;
}

std::string hex(const uint8_t *bytes, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s(2 * n, '0');
    for (size_t i = 0; i < n; ++i) {
        s[2 * i] = digits[bytes[i] >> 4];
        s[2 * i + 1] = digits[bytes[i] & 15];
    }
    return s;
}

const char *upstream_metric_name(Metric m) {
    switch (m) {
    case Metric::L2:
        return "l2";
    case Metric::InnerProduct:
        return "inner_product";
    case Metric::Cosine:
        return "cosine";
    case Metric::Hamming:
        return "hamming";
    }
    return "?";
}

} // namespace rvf::node

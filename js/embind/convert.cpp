// js/embind/convert.cpp — see convert.hpp.
#include "convert.hpp"

#include <charconv>
#include <cmath>

namespace rvf::js {
namespace {

Error bad(const std::string &path, const std::string &why) {
    return Error{Status::InvalidArgument, path + ": " + why};
}

template <class Int> bool parse_int(const std::string &s, Int &out) {
    const char *end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, out);
    return ec == std::errc() && p == end && !s.empty();
}

val object_keys(const val &v) { return val::global("Object").call<val>("keys", v); }

bool is_uint8_array(const val &v) { return v.instanceof(val::global("Uint8Array")); }

std::string bytes_of(const val &u8) {
    const size_t n = u8["length"].as<size_t>();
    std::string s(n, '\0');
    if (n != 0)
        val(emscripten::typed_memory_view(n, reinterpret_cast<uint8_t *>(s.data()))).call<void>("set", u8);
    return s;
}

// 2^64 and 2^63 as doubles: integral numbers at or past them do not fit u64 / i64.
constexpr double kTwo64 = 18446744073709551616.0;
constexpr double kTwo63 = 9223372036854775808.0;

/// A u64/i64 literal given as bigint, integral number or decimal string.
template <class Int> Result<Int> integer_from_js(const val &v, const std::string &path, const char *type) {
    const std::string t = v.typeOf().as<std::string>();
    Int out{};
    if (t == "bigint" || t == "string") {
        if (parse_int(v.call<std::string>("toString"), out))
            return out;
        return bad(path, std::string("not a ") + type + " value");
    }
    if (t == "number") {
        const double d = v.as<double>();
        const bool integral = std::isfinite(d) && std::floor(d) == d;
        if constexpr (std::is_signed_v<Int>) {
            if (integral && d >= -kTwo63 && d < kTwo63)
                return static_cast<Int>(d);
        } else {
            if (integral && d >= 0 && d < kTwo64)
                return static_cast<Int>(d);
        }
        return bad(path, std::string("number out of range for ") + type);
    }
    return bad(path, std::string(type) + " must be a bigint, an integer number or a decimal string");
}

Result<MetadataValue> typed_value(const val &v, const std::string &key, const std::string &path) {
    const val x = v[key];
    const std::string t = x.typeOf().as<std::string>();
    const std::string p = path + "." + key;
    if (key == "u64") {
        auto u = integer_from_js<uint64_t>(x, p, "u64");
        return u ? Result<MetadataValue>(MetadataValue::u64(*u)) : u.error();
    }
    if (key == "i64") {
        auto i = integer_from_js<int64_t>(x, p, "i64");
        return i ? Result<MetadataValue>(MetadataValue::i64(*i)) : i.error();
    }
    if (key == "f64" && t == "number")
        return MetadataValue::f64(x.as<double>());
    if (key == "string" && t == "string")
        return MetadataValue::str(x.as<std::string>());
    if (key == "bool" && t == "boolean")
        return MetadataValue::boolean(x.as<bool>());
    if (key == "bytes" && is_uint8_array(x))
        return MetadataValue::bytes(std::string_view(bytes_of(x)));
    if (key == "f64" || key == "string" || key == "bool" || key == "bytes")
        return bad(p, "wrong JS type " + t);
    return bad(path, "unknown value type '" + key + "' (u64, i64, f64, string, bool, bytes)");
}

Result<MetadataValue> value_from_js(const val &v, const std::string &path) {
    const std::string t = v.typeOf().as<std::string>();
    if (t == "string")
        return MetadataValue::str(v.as<std::string>());
    if (t == "boolean")
        return MetadataValue::boolean(v.as<bool>());
    if (t == "bigint") {
        const std::string s = v.call<std::string>("toString");
        uint64_t u = 0;
        int64_t i = 0;
        if (parse_int(s, u))
            return MetadataValue::u64(u);
        if (parse_int(s, i))
            return MetadataValue::i64(i);
        return bad(path, "bigint " + s + " fits neither u64 nor i64");
    }
    if (t == "number") {
        const double d = v.as<double>();
        if (std::isfinite(d) && std::floor(d) == d) {
            if (d >= 0 && d < kTwo64)
                return MetadataValue::u64(static_cast<uint64_t>(d));
            if (d < 0 && d >= -kTwo63)
                return MetadataValue::i64(static_cast<int64_t>(d));
            return bad(path, "integer out of the u64/i64 range");
        }
        return MetadataValue::f64(d);
    }
    if (t == "object" && !v.isNull()) {
        if (is_uint8_array(v))
            return MetadataValue::bytes(std::string_view(bytes_of(v)));
        const val keys = object_keys(v);
        if (keys["length"].as<size_t>() == 1)
            return typed_value(v, keys[0].as<std::string>(), path);
    }
    return bad(path, "unsupported metadata value of JS type " + t);
}

} // namespace

val outcome_ok(const val &value) {
    val o = val::object();
    o.set("ok", true);
    o.set("value", value);
    return o;
}

val outcome_ok() { return outcome_ok(val::undefined()); }

val outcome_err(const Error &e) {
    val o = val::object();
    o.set("ok", false);
    o.set("code", static_cast<uint16_t>(e.status));
    o.set("name", std::string(core::status_name(e.status)));
    o.set("message", e.to_string());
    return o;
}

Result<Metric> metric_from_name(const std::string &name) {
    for (Metric m : {Metric::L2, Metric::InnerProduct, Metric::Cosine, Metric::Hamming})
        if (name == metric_name(m))
            return m;
    if (name == "dotproduct" || name == "inner_product")
        return Metric::InnerProduct;
    return Error{Status::MetricUnsupported,
                 "unknown metric '" + name + "' (l2, cosine, ip, dotproduct, inner_product, hamming)"};
}

Result<Compression> compression_from_name(const std::string &name) {
    if (name == "none")
        return Compression::None;
    if (name == "lz4")
        return Compression::Lz4;
    if (name == "zstd")
        return Compression::Zstd;
    return Error{Status::InvalidOptions, "unknown compression '" + name + "' (none, lz4, zstd)"};
}

Result<StorageType> storage_from_name(const std::string &name) {
    for (StorageType s : {StorageType::F32, StorageType::F16, StorageType::I8})
        if (name == storage_type_name(s))
            return s;
    return Error{Status::InvalidOptions, "unknown storage '" + name + "' (f32, f16, i8)"};
}

Result<std::vector<std::vector<MetadataEntry>>> metadata_from_js(const val &list, size_t n) {
    std::vector<std::vector<MetadataEntry>> out(n);
    for (size_t i = 0; i < n; ++i) {
        const val row = list[i];
        if (row.isUndefined() || row.isNull())
            continue;
        const std::string row_path = "metadata[" + std::to_string(i) + "]";
        if (row.typeOf().as<std::string>() != "object")
            return bad(row_path, "must be an object {fieldId: value}, null or undefined");
        const val keys = object_keys(row);
        const size_t nk = keys["length"].as<size_t>();
        out[i].reserve(nk);
        for (size_t k = 0; k < nk; ++k) {
            const std::string key = keys[k].as<std::string>();
            const std::string path = row_path + "[\"" + key + "\"]";
            uint16_t field = 0;
            if (key.empty() || key[0] == '+' || !parse_int(key, field))
                return bad(path, "field ids are integers 0..65535");
            auto v = value_from_js(row[key], path);
            if (!v)
                return v.error();
            out[i].push_back({field, std::move(*v)});
        }
    }
    return out;
}

val metadata_to_js(const std::vector<MetadataEntry> &entries) {
    val out = val::object();
    const val big_int = val::global("BigInt");
    for (const MetadataEntry &e : entries) {
        val typed = val::object();
        const MetadataValue &v = e.value;
        switch (v.type) {
        case MetaType::U64:
            typed.set("u64", big_int(std::to_string(v.u)));
            break;
        case MetaType::I64:
            typed.set("i64", big_int(std::to_string(v.i)));
            break;
        case MetaType::F64:
            typed.set("f64", v.f);
            break;
        case MetaType::String:
            typed.set("string", v.s);
            break;
        case MetaType::Bool:
            typed.set("bool", v.b);
            break;
        case MetaType::Bytes:
            typed.set("bytes", copy_out(reinterpret_cast<const uint8_t *>(v.s.data()), v.s.size()));
            break;
        }
        out.set(std::to_string(e.field_id), typed);
    }
    return out;
}

val neighbors_to_js(const std::vector<Neighbor> &hits) {
    std::vector<uint64_t> ids(hits.size());
    std::vector<float> dist(hits.size());
    for (size_t i = 0; i < hits.size(); ++i) {
        ids[i] = hits[i].id;
        dist[i] = hits[i].distance;
    }
    val o = val::object();
    o.set("ids", copy_out_u64(ids.data(), ids.size()));
    o.set("distances", copy_out(dist.data(), dist.size()));
    return o;
}

Result<void> set_query_filter(const std::string &filter_json, std::optional<FilterExpr> &holder, QueryOptions &opts) {
    if (filter_json.empty())
        return {};
    auto f = filter_from_json(filter_json);
    if (!f)
        return f.error();
    holder = std::move(*f);
    opts.filter = &*holder;
    return {};
}

} // namespace rvf::js

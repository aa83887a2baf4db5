// Filter JSON (grammar in rvf/filter.hpp). Parsing never throws: nlohmann is asked for a
// discarded value instead of an exception, and every access is type-checked first.
#include <rvf/filter.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <rvf/json_depth.hpp>

#include "filter_internal.hpp"
#include "text_scalars.hpp"

namespace rvf {

namespace {

using json = nlohmann::json;
using metadata_detail::f64_from_text;
using metadata_detail::hex_decode;
using metadata_detail::int_from_text;
using Op = FilterExpr::Op;

Error perr(const std::string &path, const std::string &msg) {
    return Error{Status::FilterParseError, "filter JSON " + path + ": " + msg};
}

std::optional<Op> op_from_name(const std::string &s) {
    static const std::pair<const char *, Op> kOps[] = {
        {"eq", Op::Eq}, {"ne", Op::Ne},       {"lt", Op::Lt},   {"le", Op::Le}, {"gt", Op::Gt},  {"ge", Op::Ge},
        {"in", Op::In}, {"range", Op::Range}, {"and", Op::And}, {"or", Op::Or}, {"not", Op::Not},
    };
    for (const auto &[name, op] : kOps)
        if (s == name)
            return op;
    return std::nullopt;
}

std::optional<MetaType> type_from_name(const std::string &s) {
    for (MetaType t : {MetaType::U64, MetaType::I64, MetaType::F64, MetaType::String, MetaType::Bool, MetaType::Bytes})
        if (s == meta_type_name(t))
            return t;
    return std::nullopt;
}

// A literal of known type `t`: a JSON scalar of a fitting kind, or a string spelling it.
Result<MetadataValue> typed_literal(const json &v, MetaType t, const std::string &path) {
    const std::string want = std::string("a ") + meta_type_name(t) + " literal";
    switch (t) {
    case MetaType::U64:
        if (v.is_number_unsigned())
            return MetadataValue::u64(v.get<uint64_t>());
        if (v.is_string())
            if (auto x = int_from_text<uint64_t>(v.get_ref<const std::string &>()))
                return MetadataValue::u64(*x);
        break;
    case MetaType::I64:
        if (v.is_number_integer() && !v.is_number_unsigned())
            return MetadataValue::i64(v.get<int64_t>());
        if (v.is_number_unsigned() && v.get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX))
            return MetadataValue::i64(static_cast<int64_t>(v.get<uint64_t>()));
        if (v.is_string())
            if (auto x = int_from_text<int64_t>(v.get_ref<const std::string &>()))
                return MetadataValue::i64(*x);
        break;
    case MetaType::F64:
        if (v.is_number())
            return MetadataValue::f64(v.get<double>());
        if (v.is_string())
            if (auto x = f64_from_text(v.get_ref<const std::string &>()))
                return MetadataValue::f64(*x);
        break;
    case MetaType::String:
        if (v.is_string())
            return MetadataValue::str(v.get<std::string>());
        break;
    case MetaType::Bool:
        if (v.is_boolean())
            return MetadataValue::boolean(v.get<bool>());
        if (v.is_string() && (v == "true" || v == "false"))
            return MetadataValue::boolean(v == "true");
        break;
    case MetaType::Bytes:
        if (v.is_string())
            if (auto x = hex_decode(v.get_ref<const std::string &>()))
                return MetadataValue::bytes(*x);
        break;
    }
    return perr(path, "expected " + want);
}

// A literal: typed object {"u64": …}, or a shorthand scalar; with `vt` (N-API "valueType") read as that type.
Result<MetadataValue> literal(const json &v, std::optional<MetaType> vt, const std::string &path) {
    if (vt)
        return typed_literal(v, *vt, path);
    if (v.is_object()) {
        if (v.size() != 1)
            return perr(path, "a typed value needs exactly one key (u64, i64, f64, string, bool, bytes)");
        const auto it = v.begin();
        const std::optional<MetaType> t = type_from_name(it.key());
        if (!t)
            return perr(path, "unknown value type \"" + it.key() + "\"");
        return typed_literal(it.value(), *t, path + "." + it.key());
    }
    if (v.is_boolean())
        return MetadataValue::boolean(v.get<bool>());
    if (v.is_string())
        return MetadataValue::str(v.get<std::string>());
    if (v.is_number_unsigned())
        return MetadataValue::u64(v.get<uint64_t>());
    if (v.is_number_integer())
        return MetadataValue::i64(v.get<int64_t>());
    if (v.is_number_float())
        return MetadataValue::f64(v.get<double>());
    return perr(path, "expected a value");
}

// The value at one of two spellings of a key (nullptr when neither; error when both).
Result<const json *> one_of(const json &j, const char *a, const char *b, const std::string &path) {
    const auto ia = j.find(a), ib = j.find(b);
    if (ia != j.end() && ib != j.end())
        return perr(path, std::string("both \"") + a + "\" and \"" + b + "\" given");
    if (ia != j.end())
        return &*ia;
    if (ib != j.end())
        return &*ib;
    return static_cast<const json *>(nullptr);
}

Result<FilterExpr> parse_node(const json &j, const std::string &path, size_t depth) {
    if (depth > kMaxFilterDepth)
        return perr(path, "nesting deeper than 64");
    if (!j.is_object())
        return perr(path, "expected an object");
    const auto op_it = j.find("op");
    if (op_it == j.end() || !op_it->is_string())
        return perr(path, "missing \"op\" string");
    const std::optional<Op> op = op_from_name(op_it->get<std::string>());
    if (!op)
        return perr(path, "unknown op \"" + op_it->get<std::string>() + "\"");
    FilterExpr e;
    e.op = *op;

    std::vector<const char *> allowed;
    const bool leaf = *op < Op::And;
    if (*op == Op::And || *op == Op::Or)
        allowed = {"op", "children", "exprs"};
    else if (*op == Op::Not)
        allowed = {"op", "child", "expr"};
    else if (*op == Op::In)
        allowed = {"op", "field", "fieldId", "valueType", "values"};
    else if (*op == Op::Range)
        allowed = {"op", "field", "fieldId", "valueType", "low", "high"};
    else
        allowed = {"op", "field", "fieldId", "valueType", "value"};
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool ok = false;
        for (const char *k : allowed)
            ok = ok || it.key() == k;
        if (!ok)
            return perr(path, "unexpected key \"" + it.key() + "\" for op " + filter_op_name(*op));
    }

    if (!leaf) {
        const bool is_not = *op == Op::Not;
        auto kids = one_of(j, is_not ? "child" : "children", is_not ? "expr" : "exprs", path);
        if (!kids.ok())
            return kids.error();
        const json *k = kids.value();
        if (k == nullptr)
            return perr(path, is_not ? "missing \"child\"" : "missing \"children\"");
        if (is_not) {
            auto c = parse_node(*k, path + ".child", depth + 1);
            if (!c.ok())
                return c.error();
            e.children.push_back(std::move(c.value()));
            return e;
        }
        if (!k->is_array())
            return perr(path + ".children", "expected an array");
        for (size_t i = 0; i < k->size(); ++i) {
            auto c = parse_node((*k)[i], path + ".children[" + std::to_string(i) + "]", depth + 1);
            if (!c.ok())
                return c.error();
            e.children.push_back(std::move(c.value()));
        }
        return e;
    }

    auto f = one_of(j, "field", "fieldId", path);
    if (!f.ok())
        return f.error();
    const json *fj = f.value();
    if (fj == nullptr || !fj->is_number_unsigned() || fj->get<uint64_t>() > UINT16_MAX)
        return perr(path, "\"field\" must be an integer 0..65535");
    e.field_id = static_cast<uint16_t>(fj->get<uint64_t>());
    std::optional<MetaType> vt;
    if (const auto it = j.find("valueType"); it != j.end()) {
        if (!it->is_string() || !(vt = type_from_name(it->get<std::string>())))
            return perr(path + ".valueType", "expected one of u64, i64, f64, string, bool, bytes");
    }
    auto add = [&](const json &v, const std::string &p) -> Result<void> {
        auto lit = literal(v, vt, p);
        if (!lit.ok())
            return lit.error();
        e.values.push_back(std::move(lit.value()));
        return {};
    };
    std::vector<const char *> keys;
    if (*op == Op::In) {
        const auto it = j.find("values");
        if (it == j.end() || !it->is_array())
            return perr(path, "missing \"values\" array");
        for (size_t i = 0; i < it->size(); ++i)
            if (auto r = add((*it)[i], path + ".values[" + std::to_string(i) + "]"); !r.ok())
                return r.error();
        return e;
    }
    if (*op == Op::Range)
        keys = {"low", "high"};
    else
        keys = {"value"};
    for (const char *k : keys) {
        const auto it = j.find(k);
        if (it == j.end())
            return perr(path, std::string("missing \"") + k + "\"");
        if (auto r = add(*it, path + "." + k); !r.ok())
            return r.error();
    }
    return e;
}

json value_json(const MetadataValue &v) {
    constexpr uint64_t kJsSafe = 1ull << 53; // beyond it JavaScript readers would round
    switch (v.type) {
    case MetaType::U64:
        return v.u <= kJsSafe ? json{{"u64", v.u}} : json{{"u64", std::to_string(v.u)}};
    case MetaType::I64: {
        const bool safe = v.i >= -static_cast<int64_t>(kJsSafe) && v.i <= static_cast<int64_t>(kJsSafe);
        return safe ? json{{"i64", v.i}} : json{{"i64", std::to_string(v.i)}};
    }
    case MetaType::F64:
        if (std::isnan(v.f))
            return json{{"f64", "NaN"}};
        if (std::isinf(v.f))
            return json{{"f64", v.f > 0 ? "inf" : "-inf"}};
        return json{{"f64", v.f}};
    case MetaType::String:
        return json{{"string", v.s}};
    case MetaType::Bool:
        return json{{"bool", v.b}};
    case MetaType::Bytes: {
        static const char *hex = "0123456789abcdef";
        std::string h;
        for (unsigned char c : v.s) {
            h += hex[c >> 4];
            h += hex[c & 15];
        }
        return json{{"bytes", h}};
    }
    }
    return json();
}

json node_json(const FilterExpr &e, size_t depth) {
    if (depth > kMaxFilterDepth) // not a valid filter; cut so the recursion stays bounded
        return json();
    json j;
    j["op"] = filter_op_name(e.op);
    switch (e.op) {
    case Op::And:
    case Op::Or: {
        json kids = json::array();
        for (const FilterExpr &c : e.children)
            kids.push_back(node_json(c, depth + 1));
        j["children"] = std::move(kids);
        return j;
    }
    case Op::Not:
        j["child"] = e.children.empty() ? json() : node_json(e.children[0], depth + 1);
        return j;
    default:
        break;
    }
    j["field"] = e.field_id;
    if (e.op == Op::In) {
        json vals = json::array();
        for (const MetadataValue &v : e.values)
            vals.push_back(value_json(v));
        j["values"] = std::move(vals);
    } else if (e.op == Op::Range) {
        j["low"] = e.values.size() > 0 ? value_json(e.values[0]) : json();
        j["high"] = e.values.size() > 1 ? value_json(e.values[1]) : json();
    } else {
        j["value"] = e.values.empty() ? json() : value_json(e.values[0]);
    }
    return j;
}

} // namespace

Result<FilterExpr> filter_from_json(std::string_view text) {
    // Measured before parsing: the parsed tree of a deeper text could only be refused by
    // parse_node, after nlohmann had already built (and would recursively free) all of it.
    if (json_depth_exceeds(text, kMaxFilterJsonDepth))
        return perr("$", "nesting deeper than " + std::to_string(kMaxFilterJsonDepth) +
                             " JSON levels (a filter has at most 64 levels; split it into several queries)");
    const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return perr("$", "not valid JSON");
    auto e = parse_node(j, "$", 1);
    if (!e.ok())
        return e;
    if (auto r = detail::check_filter_shape(e.value(), /*allow_bytes=*/true); !r.ok())
        return r.error();
    return e;
}

std::string filter_to_json(const FilterExpr &expr) {
    return node_json(expr, 1).dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace rvf

// Metadata typing rules for bindings (rvf/metadata_convert.hpp).
#include <rvf/metadata_convert.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "text_scalars.hpp"

namespace rvf {
namespace {

using metadata_detail::f64_from_text;
using metadata_detail::hex_decode;
using metadata_detail::int_from_text;

Error bad(const std::string &path, const std::string &why) {
    return Error{Status::InvalidArgument, path.empty() ? why : path + ": " + why};
}

// 2^64 and 2^63 as doubles: integral values at or past them do not fit u64 / i64.
constexpr double kTwo64 = 18446744073709551616.0;
constexpr double kTwo63 = 9223372036854775808.0;

bool integral(double v) { return std::isfinite(v) && std::floor(v) == v; }

} // namespace

std::optional<MetaType> meta_type_from_name(std::string_view name) {
    for (MetaType t : {MetaType::U64, MetaType::I64, MetaType::F64, MetaType::String, MetaType::Bool, MetaType::Bytes})
        if (name == meta_type_name(t))
            return t;
    return std::nullopt;
}

Result<MetadataValue> metadata_value_from_number(double v, const std::string &path) {
    if (!integral(v))
        return MetadataValue::f64(v); // includes NaN and ±inf: they are f64 values too
    if (v >= 0 && v < kTwo64)
        return MetadataValue::u64(static_cast<uint64_t>(v));
    if (v < 0 && v >= -kTwo63)
        return MetadataValue::i64(static_cast<int64_t>(v));
    return bad(path, "integer out of the u64/i64 range");
}

Result<MetadataValue> metadata_value_from_bigint_text(std::string_view decimal, const std::string &path) {
    if (auto u = int_from_text<uint64_t>(decimal))
        return MetadataValue::u64(*u);
    if (auto i = int_from_text<int64_t>(decimal))
        return MetadataValue::i64(*i);
    return bad(path, "bigint " + std::string(decimal) + " fits neither u64 nor i64");
}

Result<MetadataValue> metadata_value_from_text(MetaType t, std::string_view text, const std::string &path) {
    switch (t) {
    case MetaType::U64:
        if (auto u = int_from_text<uint64_t>(text))
            return MetadataValue::u64(*u);
        break;
    case MetaType::I64:
        if (auto i = int_from_text<int64_t>(text))
            return MetadataValue::i64(*i);
        break;
    case MetaType::F64:
        if (auto f = f64_from_text(text))
            return MetadataValue::f64(*f);
        break;
    case MetaType::String:
        return MetadataValue::str(std::string(text));
    case MetaType::Bool:
        if (text == "true" || text == "false")
            return MetadataValue::boolean(text == "true");
        break;
    case MetaType::Bytes:
        if (auto b = hex_decode(text))
            return MetadataValue::bytes(std::string_view(*b));
        break;
    }
    return bad(path, "\"" + std::string(text) + "\" is not a " + meta_type_name(t) + " value");
}

Result<MetadataValue> metadata_value_from_integral(MetaType t, double v, const std::string &path) {
    if (t == MetaType::U64 && integral(v) && v >= 0 && v < kTwo64)
        return MetadataValue::u64(static_cast<uint64_t>(v));
    if (t == MetaType::I64 && integral(v) && v >= -kTwo63 && v < kTwo63)
        return MetadataValue::i64(static_cast<int64_t>(v));
    return bad(path, "number out of range for " + std::string(meta_type_name(t)));
}

std::optional<uint16_t> metadata_field_from_key(std::string_view key) {
    if (key.empty() || key[0] < '0' || key[0] > '9')
        return std::nullopt;
    return int_from_text<uint16_t>(key);
}

Result<std::vector<std::vector<MetadataEntry>>> split_metadata_evenly(std::vector<MetadataEntry> flat, size_t n_ids) {
    std::vector<std::vector<MetadataEntry>> out;
    if (flat.empty())
        return out;
    if (n_ids == 0 || flat.size() % n_ids != 0)
        return bad("metadata", std::to_string(flat.size()) + " entries cannot be split evenly over " +
                                   std::to_string(n_ids) + " ids");
    const size_t per = flat.size() / n_ids;
    out.resize(n_ids);
    for (size_t i = 0; i < n_ids; ++i)
        out[i].assign(std::make_move_iterator(flat.begin() + static_cast<ptrdiff_t>(i * per)),
                      std::make_move_iterator(flat.begin() + static_cast<ptrdiff_t>((i + 1) * per)));
    return out;
}

} // namespace rvf

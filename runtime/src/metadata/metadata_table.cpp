// MetadataValue helpers and the in-memory MetadataTable with its incrementally kept indexes.
#include <rvf/metadata.hpp>

#include <algorithm>
#include <cstdio>

#include <rvf/core/format/meta_seg.hpp>
#include <rvf/core/format/metaidx_seg.hpp>

namespace rvf {

const char *meta_type_name(MetaType t) {
    switch (t) {
    case MetaType::U64:
        return "u64";
    case MetaType::I64:
        return "i64";
    case MetaType::F64:
        return "f64";
    case MetaType::String:
        return "string";
    case MetaType::Bool:
        return "bool";
    case MetaType::Bytes:
        return "bytes";
    }
    return "unknown";
}

MetadataValue MetadataValue::u64(uint64_t v) {
    MetadataValue m;
    m.type = MetaType::U64;
    m.u = v;
    return m;
}
MetadataValue MetadataValue::i64(int64_t v) {
    MetadataValue m;
    m.type = MetaType::I64;
    m.i = v;
    return m;
}
MetadataValue MetadataValue::f64(double v) {
    MetadataValue m;
    m.type = MetaType::F64;
    m.f = v;
    return m;
}
MetadataValue MetadataValue::str(std::string v) {
    MetadataValue m;
    m.type = MetaType::String;
    m.s = std::move(v);
    return m;
}
MetadataValue MetadataValue::boolean(bool v) {
    MetadataValue m;
    m.type = MetaType::Bool;
    m.b = v;
    return m;
}
MetadataValue MetadataValue::bytes(std::string_view v) {
    MetadataValue m;
    m.type = MetaType::Bytes;
    m.s.assign(v.data(), v.size());
    return m;
}
MetadataValue MetadataValue::bytes(std::span<const uint8_t> v) {
    MetadataValue m;
    m.type = MetaType::Bytes;
    m.s.assign(reinterpret_cast<const char *>(v.data()), v.size());
    return m;
}

bool MetadataValue::operator==(const MetadataValue &o) const {
    if (type != o.type)
        return false;
    switch (type) {
    case MetaType::U64:
        return u == o.u;
    case MetaType::I64:
        return i == o.i;
    case MetaType::F64:
        return __builtin_bit_cast(uint64_t, f) == __builtin_bit_cast(uint64_t, o.f);
    case MetaType::Bool:
        return b == o.b;
    case MetaType::String:
    case MetaType::Bytes:
        return s == o.s;
    }
    return false;
}

std::string to_string(const MetadataValue &v) {
    char buf[64];
    switch (v.type) {
    case MetaType::U64:
        std::snprintf(buf, sizeof buf, "u64:%llu", static_cast<unsigned long long>(v.u));
        return buf;
    case MetaType::I64:
        std::snprintf(buf, sizeof buf, "i64:%lld", static_cast<long long>(v.i));
        return buf;
    case MetaType::F64:
        std::snprintf(buf, sizeof buf, "f64:%.17g", v.f);
        return buf;
    case MetaType::Bool:
        return v.b ? "bool:true" : "bool:false";
    case MetaType::String:
        return "string:\"" + v.s + "\"";
    case MetaType::Bytes: {
        std::string out = "bytes:";
        static const char *hex = "0123456789abcdef";
        for (unsigned char c : v.s) {
            out += hex[c >> 4];
            out += hex[c & 15];
        }
        return out;
    }
    }
    return "?";
}

namespace detail {
uint8_t meta_field_type_code(MetaType t) {
    using core::MetaFieldType;
    switch (t) {
    case MetaType::U64:
        return static_cast<uint8_t>(MetaFieldType::U64);
    case MetaType::I64:
        return static_cast<uint8_t>(MetaFieldType::I64);
    case MetaType::F64:
        return static_cast<uint8_t>(MetaFieldType::F64);
    case MetaType::String:
        return static_cast<uint8_t>(MetaFieldType::String);
    case MetaType::Bool:
        return static_cast<uint8_t>(MetaFieldType::Bool);
    case MetaType::Bytes:
        return static_cast<uint8_t>(MetaFieldType::Bytes);
    }
    return 0xFF;
}
uint64_t meta_raw_bits(const MetadataValue &v) {
    switch (v.type) {
    case MetaType::U64:
        return v.u;
    case MetaType::I64:
        return static_cast<uint64_t>(v.i);
    case MetaType::F64:
        return __builtin_bit_cast(uint64_t, v.f);
    case MetaType::Bool:
        return v.b ? 1 : 0;
    default:
        return 0;
    }
}
uint64_t meta_numeric_key(const MetadataValue &v) {
    return core::meta_order_key(meta_field_type_code(v.type), meta_raw_bits(v));
}
} // namespace detail

namespace {
bool is_text(MetaType t) { return t == MetaType::String || t == MetaType::Bytes; }

// Stable sort by field_id, keep the first entry of each field_id.
void normalise(std::vector<MetadataEntry> &e) {
    std::stable_sort(e.begin(), e.end(),
                     [](const MetadataEntry &a, const MetadataEntry &b) { return a.field_id < b.field_id; });
    e.erase(std::unique(e.begin(), e.end(),
                        [](const MetadataEntry &a, const MetadataEntry &b) { return a.field_id == b.field_id; }),
            e.end());
}
} // namespace

void MetadataTable::index_row(uint64_t id, const std::vector<MetadataEntry> &entries, bool add) {
    for (const MetadataEntry &e : entries) {
        FieldIndex &fi = fields_[e.field_id];
        ValueIndex &vi = fi.by_type[static_cast<size_t>(e.value.type)];
        if (add) {
            if (is_text(e.value.type))
                vi.text[e.value.s].insert(id);
            else
                vi.numeric[detail::meta_numeric_key(e.value)].insert(id);
            ++vi.rows;
            ++fi.rows;
            continue;
        }
        if (is_text(e.value.type)) {
            auto it = vi.text.find(e.value.s);
            if (it != vi.text.end() && it->second.erase(id) && it->second.empty())
                vi.text.erase(it);
        } else {
            auto it = vi.numeric.find(detail::meta_numeric_key(e.value));
            if (it != vi.numeric.end() && it->second.erase(id) && it->second.empty())
                vi.numeric.erase(it);
        }
        --vi.rows;
        if (--fi.rows == 0)
            fields_.erase(e.field_id);
    }
}

void MetadataTable::put(uint64_t id, std::vector<MetadataEntry> entries) {
    normalise(entries);
    erase(id);
    if (entries.empty())
        return;
    index_row(id, entries, true);
    rows_.emplace(id, std::move(entries));
}

void MetadataTable::erase(uint64_t id) {
    auto it = rows_.find(id);
    if (it == rows_.end())
        return;
    index_row(id, it->second, false);
    rows_.erase(it);
}

void MetadataTable::clear() {
    rows_.clear();
    fields_.clear();
}

const std::vector<MetadataEntry> *MetadataTable::get(uint64_t id) const {
    auto it = rows_.find(id);
    return it == rows_.end() ? nullptr : &it->second;
}

const MetadataValue *MetadataTable::field(uint64_t id, uint16_t field_id) const {
    const std::vector<MetadataEntry> *row = get(id);
    if (row == nullptr)
        return nullptr;
    auto it = std::lower_bound(row->begin(), row->end(), field_id,
                               [](const MetadataEntry &e, uint16_t f) { return e.field_id < f; });
    return it != row->end() && it->field_id == field_id ? &it->value : nullptr;
}

bool MetadataTable::has_field(uint16_t field_id) const { return fields_.count(field_id) != 0; }

std::vector<uint64_t> MetadataTable::ids() const {
    std::vector<uint64_t> out;
    out.reserve(rows_.size());
    for (const auto &kv : rows_)
        out.push_back(kv.first);
    std::sort(out.begin(), out.end());
    return out;
}

const MetadataTable::FieldIndex *MetadataTable::field_index(uint16_t field_id) const {
    auto it = fields_.find(field_id);
    return it == fields_.end() ? nullptr : &it->second;
}

} // namespace rvf

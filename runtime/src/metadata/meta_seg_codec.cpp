// META_SEG payloads for MetadataTable: our column layout (core/format/meta_column.hpp).
#include <rvf/metadata.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <rvf/core/format/meta_column.hpp>
#include <rvf/core/format/meta_seg.hpp>

namespace rvf {

namespace {

using core::ByteWriter;
using core::MetaFieldType;

struct Column {
    std::vector<uint32_t> rows;              // ordinals in the covered-id list, ascending
    std::vector<const MetadataValue *> vals; // one per row
};

constexpr uint8_t code(MetaFieldType t) { return static_cast<uint8_t>(t); }

// Presence bitmap (when nullable), padding, then the type's body; the caller pads to 64.
// `w` must be at a 64-aligned position (or a fresh counting writer).
void write_column(ByteWriter &w, uint8_t type, const Column &c, uint32_t row_count, bool nullable) {
    if (nullable) {
        std::vector<uint8_t> bits((static_cast<size_t>(row_count) + 7) / 8, 0);
        for (uint32_t r : c.rows)
            bits[r >> 3] = static_cast<uint8_t>(bits[r >> 3] | (1u << (r & 7)));
        w.bytes(bits.data(), bits.size());
    }
    w.pad_to(8);
    if (type == code(MetaFieldType::Bool)) {
        std::vector<uint8_t> bits((c.vals.size() + 7) / 8, 0);
        for (size_t k = 0; k < c.vals.size(); ++k)
            if (c.vals[k]->b)
                bits[k >> 3] = static_cast<uint8_t>(bits[k >> 3] | (1u << (k & 7)));
        w.bytes(bits.data(), bits.size());
    } else if (type == code(MetaFieldType::String) || type == code(MetaFieldType::Bytes)) {
        std::map<std::string_view, uint32_t> dict;
        for (const MetadataValue *v : c.vals)
            dict.emplace(v->s, 0);
        uint32_t next = 0;
        for (auto &kv : dict)
            kv.second = next++;
        w.u32(next);
        for (const auto &kv : dict) {
            w.varint(kv.first.size());
            w.bytes(reinterpret_cast<const uint8_t *>(kv.first.data()), kv.first.size());
        }
        w.pad_to(4);
        for (const MetadataValue *v : c.vals)
            w.varint(dict.find(v->s)->second);
    } else {
        for (const MetadataValue *v : c.vals)
            w.u64(detail::meta_raw_bits(*v));
    }
}

Error seg_error(Status s, const std::string &where) {
    return Error{s, "META_SEG " + where + ": " + core::status_name(s)};
}

// MetaType a stored column type decodes to (spec u32/f32 widen to our u64/f64).
MetaType decoded_type(uint8_t t) {
    switch (static_cast<MetaFieldType>(t)) {
    case MetaFieldType::String:
        return MetaType::String;
    case MetaFieldType::U32:
    case MetaFieldType::U64:
        return MetaType::U64;
    case MetaFieldType::F32:
    case MetaFieldType::F64:
        return MetaType::F64;
    case MetaFieldType::Bool:
        return MetaType::Bool;
    case MetaFieldType::I64:
        return MetaType::I64;
    case MetaFieldType::Bytes:
        return MetaType::Bytes;
    case MetaFieldType::Enum:
        break;
    }
    return MetaType::Bytes; // unreachable: MetaColumnView::parse refuses enum / unknown types
}

} // namespace

Result<std::vector<uint8_t>> MetadataTable::encode_meta_seg(std::span<const uint64_t> ids) const {
    std::vector<uint64_t> cov(ids.begin(), ids.end());
    std::sort(cov.begin(), cov.end());
    cov.erase(std::unique(cov.begin(), cov.end()), cov.end());
    if (cov.size() > UINT32_MAX)
        return Error{Status::SegmentTooLarge, "META_SEG: more than 2^32-1 ids in one segment"};
    const uint32_t row_count = static_cast<uint32_t>(cov.size());

    std::map<std::pair<uint16_t, uint8_t>, Column> cols;
    for (uint32_t r = 0; r < row_count; ++r) {
        const std::vector<MetadataEntry> *row = get(cov[r]);
        if (row == nullptr)
            continue;
        for (const MetadataEntry &e : *row) {
            Column &c = cols[{e.field_id, detail::meta_field_type_code(e.value.type)}];
            c.rows.push_back(r);
            c.vals.push_back(&e.value);
        }
    }
    if (cols.size() > UINT16_MAX)
        return Error{Status::SegmentTooLarge, "META_SEG: more than 65535 (field, type) columns"};

    // Layout: header + directory, id block, then each column padded to 64.
    core::MetaHeader h;
    h.schema_id = 0;
    h.id_range_start = cov.empty() ? 0 : cov.front();
    h.id_range_end = cov.empty() ? 0 : cov.back();
    h.encoding = static_cast<uint8_t>(core::MetaEncoding::Column);
    ByteWriter counter;
    if (core::encode_meta_row_ids(counter, cov.data(), row_count) != Status::Ok)
        return Error{Status::OutOfMemory, "META_SEG: id block"};
    uint64_t pos = core::meta_directory_end(static_cast<uint16_t>(cols.size())) + counter.pos();
    std::vector<core::MetaField> dir;
    dir.reserve(cols.size());
    for (const auto &[key, c] : cols) {
        const bool nullable = c.rows.size() < row_count;
        ByteWriter cw;
        write_column(cw, key.second, c, row_count, nullable);
        if (pos > UINT32_MAX)
            return Error{Status::SegmentTooLarge, "META_SEG: column offset beyond 4 GiB"};
        core::MetaField f;
        f.field_id = key.first;
        f.field_type = key.second;
        f.flags = static_cast<uint8_t>(core::MetaFieldFlag::Stored | (nullable ? core::MetaFieldFlag::Nullable : 0));
        f.field_offset = static_cast<uint32_t>(pos);
        dir.push_back(f);
        pos += core::align_up(cw.pos(), 64);
    }
    if (pos > UINT32_MAX)
        return Error{Status::SegmentTooLarge, "META_SEG: payload beyond 4 GiB"};

    std::vector<uint8_t> out(static_cast<size_t>(pos));
    ByteWriter w(core::MutByteView(out.data(), out.size()));
    if (core::encode_meta_seg_head(w, h, dir.data(), dir.size()) != Status::Ok ||
        core::encode_meta_row_ids(w, cov.data(), row_count) != Status::Ok)
        return Error{Status::OutOfMemory, "META_SEG: header"};
    size_t k = 0;
    for (const auto &[key, c] : cols) {
        write_column(w, key.second, c, row_count, (dir[k++].flags & core::MetaFieldFlag::Nullable) != 0);
        w.pad_to(64);
    }
    if (!w.ok() || w.pos() != out.size())
        return Error{Status::OutOfMemory, "META_SEG: size mismatch while writing"};
    return out;
}

Result<void> MetadataTable::load_meta_seg(core::ByteView payload) {
    core::MetaBodyView body;
    if (Status s = core::MetaBodyView::parse(payload, body); s != Status::Ok)
        return seg_error(s, "header/directory/id block");
    const uint32_t n = body.row_count;
    std::vector<uint64_t> covered;
    covered.reserve(n); // n ≤ payload bytes (each id takes ≥ 1)
    core::DeltaIdsCursor ids = body.ids.cursor();
    for (uint64_t id = 0; ids.next(id);)
        covered.push_back(id);
    std::vector<std::vector<MetadataEntry>> staged(n);

    for (uint16_t i = 0; i < body.seg.header.field_count; ++i) {
        core::MetaColumnView col;
        const core::MetaField f = body.seg.field(i);
        const std::string where = "column " + std::to_string(i) + " (field " + std::to_string(f.field_id) +
                                  ", type " + std::to_string(f.field_type) + ")";
        if (Status s = body.column(i, col); s != Status::Ok)
            return seg_error(s, where);
        const MetaType t = decoded_type(f.field_type);
        std::vector<std::string_view> dict;
        if (t == MetaType::String || t == MetaType::Bytes) {
            dict.reserve(col.dict_size); // ≤ column bytes
            core::MetaDictCursor dc(col.dict);
            for (core::ByteView e; dc.next(e);)
                dict.emplace_back(reinterpret_cast<const char *>(e.data), e.size);
        }
        core::MetaCodeCursor codes(col.body);
        uint32_t k = 0;
        for (uint32_t r = 0; r < n; ++r) {
            if (!col.has_row(r))
                continue;
            MetadataValue v;
            v.type = t;
            if (t == MetaType::String || t == MetaType::Bytes) {
                uint32_t c = 0;
                codes.next(c); // validated: present codes, each < dict_size
                v.s.assign(dict[c]);
            } else if (t == MetaType::Bool) {
                v.b = col.boolean(k);
            } else if (f.field_type == static_cast<uint8_t>(MetaFieldType::F32)) {
                v.f = static_cast<double>(__builtin_bit_cast(float, static_cast<uint32_t>(col.raw(k))));
            } else if (t == MetaType::F64) {
                v.f = __builtin_bit_cast(double, col.raw(k));
            } else if (t == MetaType::I64) {
                v.i = static_cast<int64_t>(col.raw(k));
            } else {
                v.u = col.raw(k);
            }
            ++k;
            std::vector<MetadataEntry> &row = staged[r];
            if (!row.empty() && row.back().field_id == f.field_id)
                return seg_error(Status::InvalidManifest,
                                 where + ": id " + std::to_string(covered[r]) + " already has this field");
            row.push_back(MetadataEntry{f.field_id, std::move(v)});
        }
    }
    for (uint32_t r = 0; r < n; ++r)
        put(covered[r], std::move(staged[r]));
    return {};
}

} // namespace rvf

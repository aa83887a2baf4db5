// METAIDX_SEG payloads for MetadataTable: inverted (string/bool/bytes) and range B+tree
// (u64/i64/f64) indexes, written deterministically so a check can compare bytes.
#include <rvf/metadata.hpp>

#include <algorithm>
#include <optional>
#include <string>

#include <rvf/core/format/meta_seg.hpp>
#include <rvf/core/format/metaidx_seg.hpp>

namespace rvf {

namespace {

using core::ByteView;
using core::ByteWriter;
using core::MetaFieldType;
using core::MetaIndexType;

bool is_range(MetaType t) { return t == MetaType::U64 || t == MetaType::I64 || t == MetaType::F64; }

// Writes one index payload (header + body) through `w`; false when a term is too long.
bool write_index(ByteWriter &w, uint16_t field_id, MetaType t, const MetadataTable::ValueIndex &vi,
                 std::vector<uint64_t> &scratch_raw, std::vector<uint64_t> &scratch_ids) {
    const uint8_t ft = detail::meta_field_type_code(t);
    core::MetaIdxHeader h;
    h.field_id = field_id;
    h.field_type = ft;
    h.total_vectors = vi.rows;
    const bool text = t == MetaType::String || t == MetaType::Bytes;
    h.unique_values = text ? vi.text.size() : vi.numeric.size();
    h.index_type = static_cast<uint8_t>(is_range(t) ? MetaIndexType::RangeTree : MetaIndexType::Inverted);
    if (core::encode_metaidx_seg_header(w, h) != Status::Ok)
        return w.ok();
    if (is_range(t)) {
        scratch_raw.clear();
        scratch_ids.clear();
        for (const auto &[key, ids] : vi.numeric)
            for (uint64_t id : ids) {
                scratch_raw.push_back(core::meta_order_key_inverse(ft, key));
                scratch_ids.push_back(id);
            }
        core::encode_range_tree(w, ft, scratch_raw.data(), scratch_ids.data(), scratch_raw.size());
        return true;
    }
    core::encode_inverted_head(w, static_cast<uint32_t>(h.unique_values));
    auto term = [&](ByteView bytes, const MetadataTable::IdSet &ids) {
        scratch_ids.assign(ids.begin(), ids.end());
        return core::encode_inverted_term(w, bytes, scratch_ids.data(), scratch_ids.size()) != Status::InvalidArgument;
    };
    if (t == MetaType::Bool) {
        for (const auto &[key, ids] : vi.numeric) {
            const uint8_t b = static_cast<uint8_t>(key);
            term(ByteView(&b, 1), ids);
        }
        return true;
    }
    for (const auto &[s, ids] : vi.text)
        if (!term(ByteView(reinterpret_cast<const uint8_t *>(s.data()), s.size()), ids))
            return false;
    return true;
}

// The payload the table writes for (field_id, t); nullopt when it writes none.
Result<std::optional<std::vector<uint8_t>>> encode_index(uint16_t field_id, MetaType t,
                                                         const MetadataTable::ValueIndex &vi) {
    if (vi.rows == 0)
        return std::optional<std::vector<uint8_t>>{};
    if (t == MetaType::String || t == MetaType::Bytes)
        for (const auto &kv : vi.text)
            if (kv.first.size() > core::kInvertedMaxTerm)
                return std::optional<std::vector<uint8_t>>{};
    std::vector<uint64_t> raw, ids;
    ByteWriter counter;
    write_index(counter, field_id, t, vi, raw, ids);
    if (!counter.ok() || counter.pos() > UINT32_MAX)
        return Error{Status::SegmentTooLarge, "METAIDX_SEG for field " + std::to_string(field_id) + " exceeds 4 GiB"};
    std::vector<uint8_t> out(counter.pos());
    ByteWriter w(core::MutByteView(out.data(), out.size()));
    write_index(w, field_id, t, vi, raw, ids);
    if (!w.ok() || w.pos() != out.size())
        return Error{Status::OutOfMemory, "METAIDX_SEG: size mismatch while writing"};
    return std::optional<std::vector<uint8_t>>(std::move(out));
}

std::optional<MetaType> indexed_type(uint8_t ft) {
    switch (static_cast<MetaFieldType>(ft)) {
    case MetaFieldType::String:
        return MetaType::String;
    case MetaFieldType::U64:
        return MetaType::U64;
    case MetaFieldType::Bool:
        return MetaType::Bool;
    case MetaFieldType::I64:
        return MetaType::I64;
    case MetaFieldType::F64:
        return MetaType::F64;
    case MetaFieldType::Bytes:
        return MetaType::Bytes;
    default:
        return std::nullopt;
    }
}

} // namespace

Result<std::vector<std::vector<uint8_t>>> MetadataTable::encode_metaidx_segs() const {
    // Column order: field_id, then META_SEG type code (as the META_SEG directory sorts).
    static constexpr MetaType kByCode[] = {MetaType::String, MetaType::U64, MetaType::Bool,
                                           MetaType::I64,    MetaType::F64, MetaType::Bytes};
    std::vector<std::vector<uint8_t>> out;
    for (const auto &[field_id, fi] : fields_) {
        for (MetaType t : kByCode) {
            auto r = encode_index(field_id, t, fi.by_type[static_cast<size_t>(t)]);
            if (!r.ok())
                return r.error();
            if (r.value())
                out.push_back(std::move(*r.value()));
        }
    }
    return out;
}

Result<void> MetadataTable::check_metaidx_seg(core::ByteView payload) const {
    core::MetaIdxSegView v;
    if (Status s = core::MetaIdxSegView::parse(payload, v); s != Status::Ok)
        return Error{s, std::string("METAIDX_SEG header: ") + core::status_name(s)};
    const core::MetaIdxHeader &h = v.header;
    const std::string what = "METAIDX_SEG for field " + std::to_string(h.field_id) + " (type " +
                             std::to_string(h.field_type) + ")";
    const std::optional<MetaType> t = indexed_type(h.field_type);
    if (!t || h.index_type == static_cast<uint8_t>(MetaIndexType::Bitmap))
        return Error{Status::UnsupportedLayout, what + ": index kind " + std::to_string(h.index_type) +
                                                    " over this field type is never written by this runtime"};
    Status s = Status::Ok;
    if (is_range(*t)) {
        core::RangeTreeView tree;
        s = core::RangeTreeView::parse(v, tree);
    } else {
        core::InvertedIndexView inv;
        s = core::InvertedIndexView::parse(v, inv);
    }
    if (s != Status::Ok)
        return Error{s, what + ": " + core::status_name(s)};

    const FieldIndex *fi = field_index(h.field_id);
    static const ValueIndex kEmpty;
    const ValueIndex &vi = fi ? fi->by_type[static_cast<size_t>(*t)] : kEmpty;
    auto expected = encode_index(h.field_id, *t, vi);
    if (!expected.ok())
        return expected.error();
    const uint64_t unique = (*t == MetaType::String || *t == MetaType::Bytes) ? vi.text.size() : vi.numeric.size();
    if (!expected.value() || expected.value()->size() != payload.size ||
        !std::equal(expected.value()->begin(), expected.value()->end(), payload.data))
        return Error{Status::InvalidManifest,
                     what + " does not match the metadata table (index: " + std::to_string(h.total_vectors) +
                         " ids, " + std::to_string(h.unique_values) + " values; table: " + std::to_string(vi.rows) +
                         " ids, " + std::to_string(unique) + " values" +
                         (expected.value() ? "" : ", and writes no index for it") + ")"};
    return {};
}

} // namespace rvf

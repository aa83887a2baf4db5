// rvf/metadata.hpp — typed per-vector metadata (spec §5), its persistence as META_SEG +
// METAIDX_SEG payloads (spec §6.7, with our extensions in core/format/meta_column.hpp and
// core/format/metaidx_seg.hpp), and the in-memory indexes filters use (rvf/filter.hpp).
//
// Upstream keeps metadata in memory only (spec §12 #8); we persist it. A store writes one
// META_SEG per commit with encode_meta_seg(ids of the batch) and, when it closes, the METAIDX_SEG
// payloads of encode_metaidx_segs(). On open it feeds every META_SEG, oldest first, to
// load_meta_seg (a later segment replaces the rows of the ids it covers) and then erases deleted
// ids. METAIDX_SEGs are derived data: the table rebuilds its indexes from the rows, so opening
// never needs them; verify() checks them with check_metaidx_seg.
// Threading: const members never mutate (no lazy caches), so concurrent readers are safe while
// no writer runs; put/erase/load need exclusive access.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/result.hpp>

namespace rvf {

/// Value variants of upstream's MetadataValue (spec §5), plus Bool.
enum class MetaType : uint8_t { U64, I64, F64, String, Bool, Bytes };
inline constexpr size_t kMetaTypeCount = 6;

/// "u64", "i64", "f64", "string", "bool", "bytes".
const char *meta_type_name(MetaType t);

struct MetadataValue {
    MetaType type = MetaType::U64;
    uint64_t u = 0;  // U64
    int64_t i = 0;   // I64
    double f = 0.0;  // F64
    bool b = false;  // Bool
    std::string s;   // String (UTF-8 by convention; not checked) and Bytes (any bytes)

    static MetadataValue u64(uint64_t v);
    static MetadataValue i64(int64_t v);
    static MetadataValue f64(double v);
    static MetadataValue str(std::string v);
    static MetadataValue boolean(bool v);
    static MetadataValue bytes(std::string_view v);
    static MetadataValue bytes(std::span<const uint8_t> v);

    /// Identity, not filter equality: same type and same payload, F64 by bit pattern (a NaN
    /// equals the same NaN; −0.0 ≠ +0.0). Filters use IEEE semantics (rvf/filter.hpp).
    bool operator==(const MetadataValue &o) const;
};

/// For messages: `u64:5`, `i64:-3`, `f64:1.5`, `string:"abc"`, `bool:true`, `bytes:0a0b`.
std::string to_string(const MetadataValue &v);

struct MetadataEntry {
    uint16_t field_id = 0;
    MetadataValue value;
    bool operator==(const MetadataEntry &o) const = default;
};

class MetadataTable {
public:
    using IdSet = std::set<uint64_t>;
    /// Ids holding each value of one (field_id, type). U64/I64/F64/Bool values key `numeric` by
    /// core::meta_order_key of their raw bits, so map order is value order (F64: IEEE
    /// totalOrder, every bit pattern its own key); String/Bytes values key `text` by their bytes.
    struct ValueIndex {
        std::map<uint64_t, IdSet> numeric;
        std::map<std::string, IdSet, std::less<>> text;
        size_t rows = 0; ///< ids with a value of this type for the field
    };
    struct FieldIndex {
        std::array<ValueIndex, kMetaTypeCount> by_type; ///< indexed by MetaType
        size_t rows = 0;                                ///< ids with the field, any type
    };

    /// Replace the id's entries. Entries are normalised so that what get() returns is exactly
    /// what survives a persist/reload round trip: sorted by field_id (stable), and for a
    /// field_id given twice only the first is kept (filters read "the first matching field",
    /// spec §5.1, so later duplicates were unreachable anyway). Empty entries = erase(id).
    void put(uint64_t id, std::vector<MetadataEntry> entries);
    void erase(uint64_t id);
    void clear();
    /// The id's entries (sorted by field_id), or nullptr if it has none.
    const std::vector<MetadataEntry> *get(uint64_t id) const;
    /// The id's value for field_id, or nullptr.
    const MetadataValue *field(uint64_t id, uint16_t field_id) const;
    /// Ids with at least one entry.
    size_t size() const { return rows_.size(); }
    /// True when some row holds field_id (any type).
    bool has_field(uint16_t field_id) const;
    /// All ids with entries, ascending.
    std::vector<uint64_t> ids() const;
    /// Index of one field, or nullptr when no row holds it.
    const FieldIndex *field_index(uint16_t field_id) const;
    const std::map<uint16_t, FieldIndex> &field_indexes() const { return fields_; }

    // --- persistence ------------------------------------------------------------------------------
    /// One META_SEG payload covering `ids` (any order, duplicates ignored): the rows of those
    /// that have entries, and — for those that have none — a record that they have none, so a
    /// reload clears an earlier row. Layout: core/format/meta_column.hpp.
    /// Errors: SegmentTooLarge (payload would exceed 4 GiB or 2^32−1 rows), OutOfMemory.
    Result<std::vector<uint8_t>> encode_meta_seg(std::span<const uint64_t> ids) const;
    /// One METAIDX_SEG payload per (field_id, type) column of the whole table, ascending by
    /// (field_id, META_SEG field type code): inverted for String/Bool/Bytes, range B+tree for
    /// U64/I64/F64 (core/format/metaidx_seg.hpp). A String/Bytes column holding a value longer
    /// than 65535 bytes cannot be an inverted term and gets no index. Deterministic bytes.
    /// Errors: SegmentTooLarge, OutOfMemory.
    Result<std::vector<std::vector<uint8_t>>> encode_metaidx_segs() const;
    /// Merge one META_SEG payload: every covered id's row is replaced by the segment's (erased if
    /// the segment gives it no values). All-or-nothing: on error the table is unchanged.
    /// Errors (typed, never a crash): TruncatedSegment, InvalidManifest, AlignmentError,
    /// UnsupportedLayout (row encoding, SORTED, enum columns) — message says where.
    Result<void> load_meta_seg(core::ByteView payload);
    /// Decode a METAIDX_SEG payload and check it equals the index the table would write now.
    /// Errors: TruncatedSegment / InvalidManifest / AlignmentError (malformed), UnsupportedLayout
    /// (bitmap indexes, types we never index), InvalidManifest "does not match" (well-formed but
    /// different from the table, e.g. stale).
    Result<void> check_metaidx_seg(core::ByteView payload) const;

private:
    void index_row(uint64_t id, const std::vector<MetadataEntry> &entries, bool add);

    std::unordered_map<uint64_t, std::vector<MetadataEntry>> rows_;
    std::map<uint16_t, FieldIndex> fields_;
};

namespace detail {
/// META_SEG field type code for a MetaType (String 0, Bool 5, U64 2, I64 6, F64 7, Bytes 8).
uint8_t meta_field_type_code(MetaType t);
/// Raw 8-byte bits of a numeric/bool value (U64 as is, I64 two's complement, F64 IEEE, Bool 0/1).
uint64_t meta_raw_bits(const MetadataValue &v);
/// Key of `v` in its ValueIndex::numeric map (only for U64/I64/F64/Bool).
uint64_t meta_numeric_key(const MetadataValue &v);
} // namespace detail

} // namespace rvf

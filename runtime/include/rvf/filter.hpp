// rvf/filter.hpp — metadata filter expressions (spec §5.1): evaluation, validation, selectivity
// and strategy choice (spec §6.7), index-driven pre-filtering, and the JSON and binary forms.
//
// Semantics (spec §5.1, followed exactly). A leaf reads the id's value of field_id (at most one:
// MetadataTable::put keeps the first entry per field) and compares it with the literal(s).
// Before comparing, a Bytes value — stored or literal — becomes the empty String (spec §5:
// "Bytes becomes empty String for filtering"). Values compare only within one variant
// (U64, I64, F64, String, Bool); no numeric widening. Then:
//   Eq      missing ⇒ false · variant mismatch ⇒ false · F64 by IEEE == (NaN never equal)
//   Ne      missing ⇒ TRUE · variant mismatch ⇒ false · otherwise !Eq (so NaN ≠ anything)
//   Lt Le Gt Ge   missing, mismatch or unordered (NaN) ⇒ false
//   In      Eq against any listed literal (none listed ⇒ false)
//   Range   lo ≤ v < hi (half-open); both comparisons must be defined
//   And     all children (none ⇒ true) · Or: any child (none ⇒ false) · Not: negation
// String order is bytewise (unsigned), Bool false < true, I64 signed, U64 unsigned.
// Note: upstream's Rust derives `!=`, so there Ne of a mismatched variant is true; the spec
// digest states "mismatched variant ⇒ false" for every leaf, and we follow the spec.
//
// Filter JSON (filter_from_json; filter_to_json writes the canonical form):
//   {"op":"eq"|"ne"|"lt"|"le"|"gt"|"ge", "field":F, "value":V}
//   {"op":"in",    "field":F, "values":[V, ...]}
//   {"op":"range", "field":F, "low":V, "high":V}          low ≤ v < high
//   {"op":"and"|"or", "children":[NODE, ...]}
//   {"op":"not",   "child":NODE}
//   F is an integer 0..65535. V, canonical: an object with exactly one key naming the type —
//   {"u64": 5 | "5"}, {"i64": -5 | "-5"} (strings allow values past 2^53 from JavaScript),
//   {"f64": 1.5 | "NaN" | "inf" | "-inf"}, {"string": "text"}, {"bool": true},
//   {"bytes": "<hex, even length>"}.
//   V, shorthand (accepted, never written): true/false → bool, a JSON string → string, an
//   integer ≥ 0 → u64, a negative integer → i64, any other number → f64.
//   Upstream N-API form (spec §9.1) is accepted too: "fieldId" for "field", and with
//   "valueType": "u64"|"i64"|"f64"|"string"|"bool"|"bytes" the literals in "value", "values",
//   "low", "high" are strings (or plain JSON scalars) read as that type. The TS SDK spellings
//   "exprs" / "expr" are accepted for "children" / "child".
//   Unknown or duplicate-meaning keys, missing keys, wrong JSON types, out-of-range numbers and
//   nesting deeper than 64 are FilterParseError; the message gives the path ("$.children[1]").
//   Text nesting deeper than kMaxFilterJsonDepth JSON levels is refused before it is parsed.
//
// Binary form (filter_to_wire / filter_from_wire; spec 10 §9 gives only "u8 op, u16 field_id,
// u8 value_type, value, children; max nesting 64" — counts and value layouts are ours):
//   node    := u8 op | u16 field_id | u8 value_type | body            (LE)
//   Eq..Ge  (0x00-0x05): body = value(value_type)
//   In      (0x06): body = u32 n | n × value(value_type)
//   Range   (0x07): body = value(value_type) value(value_type)
//           For In/Range whose literals differ in type, value_type = 0xFF and every value is
//           preceded by its own u8 type.
//   And/Or  (0x10/0x11): field_id 0, value_type 0; body = u32 n | n × node
//   Not     (0x12): field_id 0, value_type 0; body = node
//   value(t): t = 0 u64 (8 B) · 1 i64 (8 B) · 2 f64 (8 B IEEE bits) · 3 string (u32 len | bytes)
//             · 4 bytes (u32 len | bytes) · 5 bool (1 B, 0 or 1)
//   Codes 0-4 are spec 10 §4's ingest value types; 5 (bool) is our extension. The whole input
//   must be one node; depth is 1 for a leaf and ≤ 64. Any violation is FilterParseError.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/metadata.hpp>
#include <rvf/result.hpp>

namespace rvf {

inline constexpr size_t kMaxFilterDepth = 64;
/// JSON nesting of the deepest valid filter JSON: each and/or level takes two (the node object
/// and its "children" array), a leaf one more for a typed literal, "in" one more for its list.
/// filter_from_json refuses deeper text before parsing it (rvf/json_depth.hpp).
inline constexpr size_t kMaxFilterJsonDepth = 2 * kMaxFilterDepth + 2;

struct FilterExpr {
    enum class Op : uint8_t {
        Eq = 0x00,
        Ne = 0x01,
        Lt = 0x02,
        Le = 0x03,
        Gt = 0x04,
        Ge = 0x05,
        In = 0x06,
        Range = 0x07,
        And = 0x10,
        Or = 0x11,
        Not = 0x12,
    };
    Op op = Op::And;
    uint16_t field_id = 0;
    std::vector<MetadataValue> values; ///< 1 for Eq..Ge, any number for In, 2 (lo, hi) for Range
    std::vector<FilterExpr> children;  ///< And/Or: any number; Not: exactly 1

    static FilterExpr eq(uint16_t field, MetadataValue v);
    static FilterExpr ne(uint16_t field, MetadataValue v);
    static FilterExpr lt(uint16_t field, MetadataValue v);
    static FilterExpr le(uint16_t field, MetadataValue v);
    static FilterExpr gt(uint16_t field, MetadataValue v);
    static FilterExpr ge(uint16_t field, MetadataValue v);
    static FilterExpr in(uint16_t field, std::vector<MetadataValue> vals);
    static FilterExpr range(uint16_t field, MetadataValue lo, MetadataValue hi);
    static FilterExpr all_of(std::vector<FilterExpr> children);
    static FilterExpr any_of(std::vector<FilterExpr> children);
    static FilterExpr negate(FilterExpr child);

    bool is_leaf() const { return op < Op::And; }
    /// Structural identity (literals compared with MetadataValue::operator==).
    bool operator==(const FilterExpr &o) const;
};

/// "eq", "ne", "lt", "le", "gt", "ge", "in", "range", "and", "or", "not"; "?" otherwise.
const char *filter_op_name(FilterExpr::Op op);

/// §5.1 for one id. Ids without a row behave as rows with no fields. Expects a filter that
/// passes validate_filter_shape; deeper than 64 levels, the deeper part counts as false.
bool evaluate(const FilterExpr &expr, const MetadataTable &table, uint64_t id);
/// What evaluate returns for any id that has no metadata row (e.g. Ne, Not(Eq) ⇒ true).
bool matches_without_metadata(const FilterExpr &expr);

/// Shape only: op codes, arity (Eq..Ge one value, Range two, In any, And/Or no values, Not one
/// child, leaves no children), nesting ≤ 64, no Bytes literals (they could only ever compare as
/// the empty string, spec §5). Error: FilterParseError naming the node ("$.children[0]").
Result<void> validate_filter_shape(const FilterExpr &expr);
/// validate_filter_shape. A field no row holds is valid: every row lacks it, so its leaves match
/// nothing (ne, and not(...) around them, match every row, as for any missing field).
/// Errors: FilterParseError (shape).
Result<void> validate_filter(const FilterExpr &expr, const MetadataTable &table);

/// Fraction of the live_count live ids expected to match (0 when live_count is 0). Leaves are
/// exact counts from the indexes (ids without a row count as missing fields, so Ne adds
/// live_count − table.size()); And/Or/Not combine by independence: ∏s, 1 − ∏(1 − s), 1 − s.
double estimate_selectivity(const FilterExpr &expr, const MetadataTable &table, size_t live_count);

enum class FilterStrategy : uint8_t { Pre, Intra, Post };
inline constexpr double kPrefilterBelow = 0.01;  ///< spec §6.7: selectivity < 1 % ⇒ pre-filter
inline constexpr double kPostfilterAbove = 0.20; ///< spec §6.7: selectivity > 20 % ⇒ post-filter
FilterStrategy choose_strategy(double selectivity);
const char *filter_strategy_name(FilterStrategy s);
/// Post-filter over-retrieval (spec §6.7): k · min(1/selectivity, 10), at least k.
size_t postfilter_candidates(size_t k, double selectivity);
/// Intra-filter skip budget (spec §6.7): 3 · ef_search.
size_t intrafilter_max_skips(size_t ef_search);

/// Ids that have a metadata row and satisfy the filter, ascending, computed from the indexes
/// (a full scan only when the result is a complement, e.g. a top-level Not). Ids WITHOUT a row
/// are never listed: they all match iff matches_without_metadata(expr) — callers add their
/// live ids without metadata in that case. Equals brute-force evaluate over table.ids().
std::vector<uint64_t> prefilter_ids(const FilterExpr &expr, const MetadataTable &table);

/// JSON form above. Errors: FilterParseError.
Result<FilterExpr> filter_from_json(std::string_view json);
/// Canonical JSON (typed literals). Strings that are not valid UTF-8 have bad bytes replaced
/// by U+FFFD (JSON cannot carry them; use Bytes or the binary form for arbitrary bytes).
std::string filter_to_json(const FilterExpr &expr);

/// Binary form above. Errors: FilterParseError (shape invalid, see validate_filter_shape, except
/// that Bytes literals are carried), SegmentTooLarge (a string over 4 GiB).
Result<std::vector<uint8_t>> filter_to_wire(const FilterExpr &expr);
/// Errors: FilterParseError (message gives the byte offset).
Result<FilterExpr> filter_from_wire(core::ByteView bytes);

} // namespace rvf

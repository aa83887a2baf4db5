// rvf/metadata_convert.hpp — the typing rules a binding applies to metadata values handed in by a
// dynamically typed caller (JavaScript), shared so the N-API addon and the Embind module give the
// same value the same type. Each binding reads its own value objects (Napi::Value, emscripten::val)
// and calls these for the decisions:
//
//   shorthand number   integral and ≥ 0 → U64 · integral and < 0 → I64 · otherwise → F64
//                      (the filter JSON's shorthand rule, rvf/filter.hpp, so a filter literal
//                      written the same way compares equal); integral values outside both
//                      ranges are InvalidArgument.
//   bigint             its decimal text: U64 when it fits, else I64, else InvalidArgument.
//   typed text         upstream's N-API form {fieldId, valueType, value: "<string>"} (spec §9.1):
//                      the text read as the named type — decimal for u64/i64, strtod syntax plus
//                      "NaN"/"inf"/"-inf" for f64, "true"/"false" for bool, even-length hex for
//                      bytes, as is for string.
//   flat list split    upstream's ingestBatch takes one flat entry list for the whole batch and
//                      splits it evenly: entries per id = list length / id count (must divide),
//                      consecutive groups. (Upstream divides by the ACCEPTED ids; we divide by all
//                      ids so a rejected vector's entries cannot shift onto its neighbour.)
//
// Errors are InvalidArgument with `path` (e.g. `metadata[3]["7"]`) at the front of the message.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rvf/metadata.hpp>
#include <rvf/result.hpp>

namespace rvf {

/// "u64", "i64", "f64", "string", "bool", "bytes" → the type; nullopt otherwise.
std::optional<MetaType> meta_type_from_name(std::string_view name);

/// A JS number by the shorthand rule above.
Result<MetadataValue> metadata_value_from_number(double v, const std::string &path);

/// A bigint's decimal text (e.g. from BigInt.prototype.toString): U64 if it fits, else I64.
Result<MetadataValue> metadata_value_from_bigint_text(std::string_view decimal, const std::string &path);

/// `text` read as type `t` (upstream's valueType form, and the typed form's decimal strings).
Result<MetadataValue> metadata_value_from_text(MetaType t, std::string_view text, const std::string &path);

/// An integral number converted to U64/I64 for a typed {u64: n} / {i64: n} value. InvalidArgument
/// when `v` is not integral or out of the type's range.
Result<MetadataValue> metadata_value_from_integral(MetaType t, double v, const std::string &path);

/// Field ids are written as object keys by JavaScript: decimal 0..65535, no sign, no spaces.
std::optional<uint16_t> metadata_field_from_key(std::string_view key);

/// Upstream's flat list split evenly over `n_ids` ids (see above). Empty `flat` → no metadata
/// (an empty result). Error: InvalidArgument when n_ids is 0 or does not divide the list.
Result<std::vector<std::vector<MetadataEntry>>> split_metadata_evenly(std::vector<MetadataEntry> flat, size_t n_ids);

} // namespace rvf

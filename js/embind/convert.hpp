// js/embind/convert.hpp — JS ↔ C++ value conversions shared by the Embind surfaces. Nothing
// here knows the file format: it moves typed arrays in and out of wasm memory, maps option
// names to the runtime's enums (the names come from the runtime's own *_name functions) and
// turns JS metadata values into rvf::MetadataValue by their JS type.
//
// Error convention (STYLE §15): the runtime never throws and neither does this layer. Every
// bound call returns an outcome object, {ok: true, value} or {ok: false, code, name, message}, where
// message is rvf::Error::to_string(); npm/rvf-wasm/src/index.js turns the latter into RvfError.
#pragma once
#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rvf/filter.hpp>
#include <rvf/metadata.hpp>
#include <rvf/result.hpp>
#include <rvf/store.hpp>

namespace rvf::js {

using emscripten::val;

val outcome_ok(const val &value);
val outcome_ok();
val outcome_err(const Error &e);
template <class T> val outcome(const Result<T> &r, val (*to_js)(const T &)) {
    return r ? outcome_ok(to_js(*r)) : outcome_err(r.error());
}

/// A copy of a JS typed array (or any array-like TypedArray.prototype.set accepts) of n elements
/// into wasm memory: the one copy of the input. n comes from the JS side's own length checks.
template <class T> std::vector<T> copy_in(const val &array, size_t n) {
    std::vector<T> out(n);
    if (n != 0)
        val(emscripten::typed_memory_view(n, out.data())).call<void>("set", array);
    return out;
}

/// A fresh JS typed array holding a copy of data[0, n) (a view would dangle once data is freed
/// or memory grows).
template <class T> val copy_out(const T *data, size_t n) {
    return val(emscripten::typed_memory_view(n, data)).call<val>("slice");
}

/// u64 arrays cross as Uint32Array views of 2n little-endian words (lo, hi per id): Embind
/// 3.1.6 registers no 64-bit memory view. index.js wraps a BigUint64Array's buffer that way.
inline std::vector<uint64_t> copy_in_u64(const val &words, size_t n) {
    std::vector<uint64_t> out(n);
    if (n != 0)
        val(emscripten::typed_memory_view(2 * n, reinterpret_cast<uint32_t *>(out.data()))).call<void>("set", words);
    return out;
}
inline val copy_out_u64(const uint64_t *data, size_t n) {
    return copy_out(reinterpret_cast<const uint32_t *>(data), 2 * n);
}

/// "l2" | "cosine" | "ip" | "hamming" (rvf::metric_name) plus the aliases "dotproduct" and
/// "inner_product". Error: MetricUnsupported naming the accepted spellings.
Result<Metric> metric_from_name(const std::string &name);
/// "f32" | "f16" | "i8" (rvf::storage_type_name). Error: InvalidOptions.
Result<StorageType> storage_from_name(const std::string &name);
/// "none" | "lz4" | "zstd" (codec of VEC segments); else InvalidOptions.
Result<Compression> compression_from_name(const std::string &name);

/// Query results as parallel arrays (ids: Uint32Array of lo/hi words, distances: Float32Array);
/// the JS side builds the {id, distance} rows, choosing number or bigint per id.
val neighbors_to_js(const std::vector<Neighbor> &hits);

/// A query's filter from its JSON text (empty: no filter): parsed into `holder`, which must
/// outlive the query, and set as opts.filter. Error: filter_from_json's.
Result<void> set_query_filter(const std::string &filter_json, std::optional<FilterExpr> &holder, QueryOptions &opts);

/// Per-id metadata: `list` is an array of n items, each undefined/null (no metadata) or an
/// object {fieldId: value}. A value is either typed — an object with exactly one key of u64,
/// i64, f64, string, bool, bytes (u64/i64 as bigint, safe-integer number or decimal string;
/// f64 as number; bytes as Uint8Array) — or shorthand by JS type: string → String,
/// boolean → Bool, Uint8Array → Bytes, bigint → U64 (≥ 0) or I64, number → U64 when an integer
/// ≥ 0, I64 when a negative integer, else F64 (the shorthand rule of the filter JSON, so a
/// filter literal written the same way compares equal). Error: InvalidArgument with the path
/// ("metadata[3][\"7\"]").
Result<std::vector<std::vector<MetadataEntry>>> metadata_from_js(const val &list, size_t n);
/// {fieldId: {type: value}} in the typed form above (u64/i64 as bigint, bytes as Uint8Array),
/// so metadata_from_js(metadata_to_js(x)) == x.
val metadata_to_js(const std::vector<MetadataEntry> &entries);

} // namespace rvf::js

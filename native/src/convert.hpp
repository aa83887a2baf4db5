// native/src/convert.hpp — JS ↔ C++ conversions for the addon. Nothing here knows the file
// format or checks an RVF rule (dimension, NaN, k, filter semantics): the runtime does that and
// its errors pass through. This layer checks only JS types and ranges of JS numbers, raising
// InvalidArgument / InvalidOptions (errors.hpp) for those. Metadata typing decisions come from
// the runtime's rvf/metadata_convert.hpp, shared with the Embind module.
#pragma once
#include <napi.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <rvf/filter.hpp>
#include <rvf/store.hpp>

namespace rvf::node {

// --- inputs ------------------------------------------------------------------------------------

/// A number (non-negative safe integer) or a bigint below 2^64.
uint64_t id_from_js(Napi::Env env, const Napi::Value &v, const std::string &where);

/// Ids: an Array of ids, or a BigUint64Array read in place (`view` points into it; keep the
/// array alive while using it).
struct IdList {
    std::vector<uint64_t> owned;
    std::span<const uint64_t> view;
    /// Copy a borrowed view into `owned` (for work that outlives the JS call).
    void own();
};
/// True when a batch's first argument holds vectors (a Float32Array, or a list whose first item
/// is an array or typed array): upstream's (vectors, ids, metadata) order. Ids are never floats,
/// so anything else is the canonical (ids, vectors, metadata) order (README "One API").
bool holds_vectors(const Napi::Value &v);
IdList ids_from_js(Napi::Env env, const Napi::Value &v, const std::string &what);

/// Floats: a Float32Array read in place (zero copy), or an Array of numbers (copied).
struct FloatList {
    std::vector<float> owned;
    std::span<const float> view;
    bool borrowed() const { return owned.empty() && !view.empty(); }
};
FloatList floats_from_js(Napi::Env env, const Napi::Value &v, const std::string &what);

/// Queries for queryBatch: a flat Float32Array of n × dim (split into rows here; a length that
/// dim does not divide is DimensionMismatch) or an Array of Float32Array / number arrays.
struct QueryRows {
    std::vector<FloatList> lists;
    std::vector<std::span<const float>> rows;
};
QueryRows query_rows_from_js(Napi::Env env, const Napi::Value &v, size_t dim);

/// Batch metadata (index.d.ts RvfMetadataInput) for n ids: one record per id, or upstream's
/// flat {fieldId, valueType, value} list split evenly. undefined/null/[] → empty (no metadata).
std::vector<std::vector<MetadataEntry>> metadata_from_js(Napi::Env env, const Napi::Value &v, size_t n);
/// One record {fieldId: value}.
std::vector<MetadataEntry> record_from_js(Napi::Env env, const Napi::Value &v, const std::string &path);

/// A filter given as JSON text or as an object (stringified; bigint literals become decimal
/// strings in the typed form). undefined/null → nullopt. Parse errors: FilterParseError.
std::optional<FilterExpr> filter_from_js(Napi::Env env, const Napi::Value &v);

/// RvfCreateOptions → StoreOptions (index.d.ts).
StoreOptions create_options_from_js(Napi::Env env, const Napi::Value &v);

struct QueryParams {
    uint32_t ef_search = 100;
    bool exact = false;
    uint32_t nprobe = 0; ///< QueryOptions::nprobe: answer from the partition map's nearest partitions
    std::optional<FilterExpr> filter;
    QueryOptions options() const {
        QueryOptions o;
        o.ef_search = ef_search;
        o.exact = exact;
        o.nprobe = nprobe;
        o.filter = filter ? &*filter : nullptr;
        return o;
    }
};
QueryParams query_params_from_js(Napi::Env env, const Napi::Value &v);
size_t k_from_js(Napi::Env env, const Napi::Value &v);
/// An optional non-negative integer option (safe integer), `fallback` when undefined.
uint64_t uint_option(Napi::Env env, const Napi::Object &o, const char *key, uint64_t max, uint64_t fallback);
std::string path_from_js(Napi::Env env, const Napi::Value &v);

// --- outputs -----------------------------------------------------------------------------------

Napi::Value id_to_js(Napi::Env env, uint64_t id);
Napi::Value ingest_to_js(Napi::Env env, const IngestResult &r);
Napi::Value neighbors_to_js(Napi::Env env, const std::vector<Neighbor> &hits);
Napi::Value delete_to_js(Napi::Env env, const DeleteResult &r);
Napi::Value compact_to_js(Napi::Env env, const CompactResult &r);
/// compact()'s options object: ioBudgetBytes, ioBytesPerSecond (absent or not an object = defaults).
CompactOptions compact_options(Napi::Env env, const Napi::Value &v);
Napi::Value status_to_js(Napi::Env env, const StoreStatus &s);
Napi::Value segments_to_js(Napi::Env env, const std::vector<SegmentSummary> &segs);
Napi::Value verify_to_js(Napi::Env env, const VerifyReport &r);
Napi::Value metadata_to_js(Napi::Env env, const std::vector<MetadataEntry> &entries);
Napi::Value index_stats_to_js(Napi::Env env, const StoreStatus &s);
Napi::Value witness_to_js(Napi::Env env, const VerifyReport &r);
std::string hex(const uint8_t *bytes, size_t n);
/// Upstream's metric spelling: "l2", "inner_product", "cosine" (and "hamming").
const char *upstream_metric_name(Metric m);

} // namespace rvf::node

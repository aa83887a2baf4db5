// rvf/server/json_api.hpp — the JSON bodies of `rvf serve`'s HTTP routes, independent of the
// HTTP library (http_server.cpp only moves bytes between these and cpp-httplib).
//
// Upstream rvf-server's shapes (RVF-FORMAT.md §10.4), with additive extensions (EXT):
//   POST /v1/ingest  {"vectors": [[f32]], "ids": [u64], "metadata"?: M}
//                    → {"accepted", "rejected", "epoch", "rejections" (EXT): [{index, id, code, name, message}]}
//   POST /v1/query   {"vector": [f32], "k": n, "ef_search"?: n, "filter"? (EXT): F, "exact"? (EXT): bool}
//                    → {"results": [{"id", "distance"}]}
//   POST /v1/delete  {"ids": [u64]}  or (EXT) {"filter": F}  → {"deleted", "epoch"}
//   POST /v1/compact (EXT, no body) → {"segments_compacted", "bytes_reclaimed", "epoch", "complete"}
//   GET  /v1/status  → {"total_vectors", "total_segments", "file_size", "current_epoch", "profile_id",
//                       "dead_space_ratio", "read_only"} + EXT {"deleted_vectors", "dimension",
//                       "metric", "storage", "profile"}
//   GET  /v1/health  → {"status": "ok"}
// Ids are JSON integers (decimal strings are accepted on input, for ids past 2^53 from JS).
// F is the filter JSON of rvf/filter.hpp. M is one of:
//   - upstream's flat list [{"field_id": u16, "value": V}, ...]: its length must be a multiple of
//     the vector count, and each vector takes the next length/count entries in order;
//   - one entry per vector (null for none): an object {"<field id>": V, ...} (the form
//     @ruvector/rvf-wasm takes) or a list [{"field_id", "value"}, ...].
// V uses the filter JSON's literal grammar (rvf/filter.hpp): shorthand scalars (string, bool,
// integer ≥ 0 → u64, negative → i64, other numbers → f64) or one-key typed objects
// {"u64": 5 | "5"}, {"i64": …}, {"f64": …}, {"string": …}, {"bool": …}, {"bytes": "<hex>"} — the
// runtime's filter_from_json parses it, so ingest and filters agree on what a literal means.
//
// Bodies nesting deeper than kMaxRequestJsonDepth arrays/objects are refused (400
// InvalidArgument) by a byte scan before they are parsed (rvf/json_depth.hpp).
//
// Errors: {"error": "RVF error 0x0200: DimensionMismatch (…)", "code": <RVF status code>,
// "name": "DimensionMismatch"}. HTTP status: 400 for bad input (InvalidArgument — also bad JSON —
// DimensionMismatch, FilterParseError, KTooLarge, MetricUnsupported, InvalidOptions), 403
// ReadOnly, 409 LockHeld, 404 ManifestNotFound, 503 StoreClosed (shutting down), else 500.
// (Upstream's body is {"error", "code"} with code = the RVF code, or 400 for its own bad-request
// errors; ours always carries the RVF code.)
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include <rvf/result.hpp>
#include <rvf/server/event_hub.hpp>
#include <rvf/server/store_service.hpp>
#include <rvf/sharded.hpp>

namespace rvf::server {

/// Above the 131 levels of a request around the deepest valid filter (kMaxFilterJsonDepth + 1),
/// far below what the recursive JSON code could overflow a thread's stack with.
inline constexpr size_t kMaxRequestJsonDepth = 160;

struct JsonReply {
    int http_status = 200;
    std::string body;
};

JsonReply api_ingest(StoreService &svc, std::string_view body);
JsonReply api_query(const StoreService &svc, std::string_view body);
JsonReply api_delete(StoreService &svc, std::string_view body);
/// Insert-or-replace: the body and reply of api_ingest.
JsonReply api_upsert(StoreService &svc, std::string_view body);
/// {"ids", "metadata"} → the reply of api_ingest.
JsonReply api_update_metadata(StoreService &svc, std::string_view body);
/// {"filter"?} → {"count"}.
JsonReply api_count(const StoreService &svc, std::string_view body);
/// {"witness_type": 3 | 4 | 5 (delegation, audit, attestation), "payload": hex, ≤ 64 KiB} → {"entry"}:
/// an action of the caller's own on the witness chain, one commit (a write route: token needed).
JsonReply api_append_witness(StoreService &svc, std::string_view body);
/// {"from"?, "limit"?} (0, 1000; limit ≤ 100000) → {"entries"}, oldest first. Each entry: index,
/// witness_type, timestamp_ns (a decimal string: ns since 1970 pass 2^53), prev_hash, hash,
/// action_hash (hex), payload (hex, or null for the store's own commit entries).
JsonReply api_witness_entries(const StoreService &svc, std::string_view body);
/// {"filter"?, "after"?, "limit"?} → {"ids" ascending, "next_after" (null on the last page)}.
JsonReply api_find(const StoreService &svc, std::string_view body);
/// {"io_budget_bytes"?, "io_bytes_per_second"?} (an empty body is {}).
JsonReply api_compact(StoreService &svc, std::string_view body = {});

inline constexpr uint64_t kDefaultFindLimit = 1000;
inline constexpr uint64_t kMaxFindLimit = 100000;
JsonReply api_status(const StoreService &svc);

// A sharded collection root (`rvf serve ROOT --readonly`, read-only):
//   POST /v1/query   the body above + EXT {"max_shards"?: n (0: every shard that may hold a
//                    neighbour), "require_all"?: bool} → {"results", "partial", "failed":
//                    [{"shard_id", "name", "error", "code", "error_name"}], "stale": [shard ids],
//                    "shards_queried", "shards_skipped"}. A partial answer is still 200: the
//                    results are exact over the shards that answered, "failed" says which did not
//                    ("require_all" turns it into the first failure's error instead).
//   GET  /v1/status  → {"sharded": true, "total_vectors", "current_epoch", "dimension", "metric",
//                       "routing", "read_only": true, "shards": [{"shard_id", "name", "file_size",
//                       "live_rows", "centroids"}]}
// A single store's /v1/query refuses max_shards / require_all (InvalidOptions).
JsonReply api_sharded_query(const ShardedCollection &coll, std::string_view body);
JsonReply api_sharded_status(const ShardedCollection &coll);
JsonReply api_health();

JsonReply error_reply(const Error &e);
int http_status_for(Status s);
/// {"epoch", "event": "ingest"|"delete"|"compaction", "affected_count", "new_total", "ids", "ids_truncated"}
std::string event_json(const UpdateEvent &e);

} // namespace rvf::server

// native/src/database.hpp — class RvfDatabase: one RvfStore behind upstream @ruvector/rvf-node's
// method names (spec §9.1; the JS surface is documented in npm/rvf-node/index.d.ts).
// database.cpp holds the synchronous methods, async.cpp the Promise-returning *Async ones.
#pragma once
#include <napi.h>

#include "handle.hpp"

namespace rvf::node {

/// Per-environment state (NODE_API_MODULE is context-aware: one per worker thread / vm context).
struct AddonData {
    Napi::FunctionReference constructor;
    Napi::FunctionReference sharded_constructor; ///< RvfShardedCollection (sharded.cpp)
};

class RvfDatabase : public Napi::ObjectWrap<RvfDatabase> {
public:
    static Napi::Function define(Napi::Env env);
    /// A new JS RvfDatabase owning `store` (moved from).
    static Napi::Object wrap(Napi::Env env, RvfStore &&store);

    explicit RvfDatabase(const Napi::CallbackInfo &info);

private:
    // --- database.cpp: factories and synchronous methods ---
    static Napi::Value create(const Napi::CallbackInfo &info);
    static Napi::Value open(const Napi::CallbackInfo &info);
    static Napi::Value open_readonly(const Napi::CallbackInfo &info);
    /// openAtEpoch(path, epoch): read-only, at an earlier committed epoch (store_epochs.cpp).
    static Napi::Value open_at_epoch(const Napi::CallbackInfo &info);
    Napi::Value derive(const Napi::CallbackInfo &info);

    Napi::Value ingest_batch(const Napi::CallbackInfo &info);
    Napi::Value insert_batch(const Napi::CallbackInfo &info);
    Napi::Value insert(const Napi::CallbackInfo &info);
    Napi::Value query(const Napi::CallbackInfo &info);
    Napi::Value query_batch(const Napi::CallbackInfo &info);
    Napi::Value remove(const Napi::CallbackInfo &info);
    Napi::Value remove_by_filter(const Napi::CallbackInfo &info);
    Napi::Value build_index(const Napi::CallbackInfo &info);
    Napi::Value compact(const Napi::CallbackInfo &info);
    /// Write a checkpoint (full manifest) now if commits were made since the last one.
    Napi::Value checkpoint(const Napi::CallbackInfo &info);
    Napi::Value status(const Napi::CallbackInfo &info);
    Napi::Value segments(const Napi::CallbackInfo &info);
    Napi::Value dimension(const Napi::CallbackInfo &info);
    Napi::Value metric(const Napi::CallbackInfo &info);
    Napi::Value file_id(const Napi::CallbackInfo &info);
    Napi::Value parent_id(const Napi::CallbackInfo &info);
    Napi::Value lineage_depth(const Napi::CallbackInfo &info);
    Napi::Value index_stats(const Napi::CallbackInfo &info);
    Napi::Value verify_witness(const Napi::CallbackInfo &info);
    Napi::Value verify(const Napi::CallbackInfo &info);
    Napi::Value set_signing_key(const Napi::CallbackInfo &info);
    Napi::Value require_signature(const Napi::CallbackInfo &info);
    Napi::Value metadata(const Napi::CallbackInfo &info);
    Napi::Value vector(const Napi::CallbackInfo &info);
    /// idsAfter(after: id | null, limit): up to `limit` live ids above `after`, ascending.
    Napi::Value ids_after(const Napi::CallbackInfo &info);
    Napi::Value export_layout_r(const Napi::CallbackInfo &info);

    // --- database_witness.cpp: the audit trail on the witness chain ---
    /// appendWitness(witnessType, payload): one durable commit; the entry as witnessEntries gives it.
    Napi::Value append_witness(const Napi::CallbackInfo &info);
    /// witnessEntries(from = 0, limit = all): chain entries oldest first.
    Napi::Value witness_entries(const Napi::CallbackInfo &info);

    // --- database_ops.cpp: upsert, metadata update, count, filter-only ids, refresh ---
    Napi::Value upsert_batch(const Napi::CallbackInfo &info);
    Napi::Value upsert(const Napi::CallbackInfo &info);
    Napi::Value update_metadata(const Napi::CallbackInfo &info);
    Napi::Value count(const Napi::CallbackInfo &info);
    Napi::Value find_ids(const Napi::CallbackInfo &info);
    Napi::Value refresh(const Napi::CallbackInfo &info);
    Napi::Value freeze(const Napi::CallbackInfo &info);
    template <int Op> Napi::Value not_supported(const Napi::CallbackInfo &info);
    Napi::Value close(const Napi::CallbackInfo &info);
    Napi::Value closed(const Napi::CallbackInfo &info);

    // --- async.cpp ---
    static Napi::Value create_async(const Napi::CallbackInfo &info);
    static Napi::Value open_async(const Napi::CallbackInfo &info);
    static Napi::Value open_readonly_async(const Napi::CallbackInfo &info);
    Napi::Value ingest_batch_async(const Napi::CallbackInfo &info);
    Napi::Value query_async(const Napi::CallbackInfo &info);
    Napi::Value query_batch_async(const Napi::CallbackInfo &info);
    Napi::Value build_index_async(const Napi::CallbackInfo &info);
    Napi::Value compact_async(const Napi::CallbackInfo &info);

    HandlePtr handle_;
};

} // namespace rvf::node

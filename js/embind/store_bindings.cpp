// js/embind/store_bindings.cpp — the Embind class "Store": one rvf::RvfStore over an in-memory
// image. Conversions only: typed arrays in (one copy into wasm memory), plain objects and fresh
// typed arrays out, every result an outcome object (convert.hpp). npm/rvf-wasm/src/index.js
// checks JS argument types and lengths before calling, and throws RvfError on {ok: false}.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rvf/core/format/derivation_names.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/file_report.hpp>
#include <rvf/filter.hpp>
#include <rvf/store.hpp>

#include "convert.hpp"
#include "signing.hpp"

namespace rvf::js {
namespace {

val big(uint64_t v) { return val::global("BigInt")(std::to_string(v)); }

val problems_to_js(const std::vector<Problem> &problems) {
    val out = val::array();
    for (const Problem &p : problems) {
        val row = val::object();
        row.set("offset", static_cast<double>(p.offset));
        row.set("code", static_cast<uint16_t>(p.status));
        row.set("name", std::string(core::status_name(p.status)));
        row.set("message", Error{p.status, p.what}.to_string());
        out.call<void>("push", row);
    }
    return out;
}

std::string domain_name(core::DomainProfile p) {
    if (const char *n = core::domain_profile_name(p))
        return n;
    return "custom:" + std::to_string(static_cast<unsigned>(p));
}

val status_to_js(const StoreStatus &s) {
    val o = val::object();
    o.set("totalVectors", static_cast<double>(s.total_vectors));
    o.set("deletedVectors", static_cast<double>(s.deleted_vectors));
    o.set("totalSegments", static_cast<double>(s.total_segments));
    o.set("fileSize", static_cast<double>(s.file_size));
    o.set("currentEpoch", s.current_epoch);
    o.set("dimension", s.dimension);
    o.set("dimensions", s.dimension); // the SDK's (upstream's option) spelling, kept as an alias
    o.set("profileId", static_cast<unsigned>(s.domain_profile));
    o.set("profile", std::string(profile_name(s.profile)));
    o.set("metric", std::string(metric_name(s.metric)));
    o.set("storage", std::string(storage_type_name(s.storage)));
    o.set("domainProfile", domain_name(s.domain_profile));
    o.set("deadSpaceRatio", s.dead_space_ratio);
    o.set("deadBytes", static_cast<double>(s.dead_bytes));
    o.set("merges", static_cast<double>(s.merges));
    o.set("autoCompactions", static_cast<double>(s.auto_compactions));
    o.set("syncs", static_cast<double>(s.syncs));
    o.set("readOnly", s.read_only);
    o.set("layout", std::string(file_layout_name(s.opened_layout)));
    o.set("tiering", s.tiering);
    val tiers = val::object();
    const char *tier_names[3] = {"hot", "warm", "cold"}; // StoreStatus index order
    for (size_t i = 0; i < 3; ++i) {
        val t = val::object();
        t.set("rows", static_cast<double>(s.tier_rows[i]));
        t.set("bytes", static_cast<double>(s.tier_bytes[i]));
        tiers.set(tier_names[i], t);
    }
    o.set("tiers", tiers);
    o.set("warnings", val::array(s.warnings));
    // The file's identity and the index parameters: the SDK's fileId() / indexStats() read them.
    static const char digits[] = "0123456789abcdef";
    std::string fid(2 * sizeof s.file_id, '0');
    for (size_t i = 0; i < sizeof s.file_id; ++i) {
        fid[2 * i] = digits[s.file_id[i] >> 4];
        fid[2 * i + 1] = digits[s.file_id[i] & 15];
    }
    o.set("fileId", fid);
    o.set("indexedVectors", static_cast<double>(s.indexed_vectors));
    o.set("persistedIndex", static_cast<double>(s.persisted_index));
    o.set("hnswM", static_cast<unsigned>(s.hnsw_m));
    o.set("hnswEfConstruction", static_cast<unsigned>(s.hnsw_ef_construction));
    return o;
}

val segments_to_js(const std::vector<SegmentSummary> &segs) {
    val out = val::array();
    for (const SegmentSummary &s : segs) {
        val row = val::object();
        row.set("id", static_cast<double>(s.id));
        const char *name = core::seg_type_name(s.seg_type);
        row.set("segType", name ? val(std::string(name)) : val(static_cast<unsigned>(s.seg_type)));
        row.set("offset", static_cast<double>(s.offset));
        row.set("payloadLength", static_cast<double>(s.payload_length));
        out.call<void>("push", row);
    }
    return out;
}

val verify_to_js(const VerifyReport &r) {
    val o = val::object();
    o.set("ok", r.ok);
    o.set("segmentsChecked", static_cast<double>(r.segments_checked));
    o.set("witnessEntriesChecked", static_cast<double>(r.witness_entries_checked));
    o.set("manifestsChecked", static_cast<double>(r.manifests_checked));
    o.set("problems", problems_to_js(r.problems));
    o.set("uncommitted", problems_to_js(r.uncommitted));
    add_signatures_to_js(o, r);
    return o;
}

val ingest_to_js(const IngestResult &r) {
    val o = val::object();
    o.set("accepted", static_cast<double>(r.accepted));
    o.set("rejected", static_cast<double>(r.rejected));
    o.set("epoch", r.epoch);
    val rows = val::array();
    for (const Rejection &rj : r.rejections) {
        val row = val::object();
        row.set("index", static_cast<double>(rj.index));
        row.set("id", big(rj.id));
        row.set("code", static_cast<uint16_t>(rj.status));
        row.set("name", std::string(core::status_name(rj.status)));
        row.set("message", Error{rj.status, rj.reason}.to_string());
        rows.call<void>("push", row);
    }
    o.set("rejections", rows);
    return o;
}

val delete_to_js(const DeleteResult &r) {
    val o = val::object();
    o.set("deleted", static_cast<double>(r.deleted));
    o.set("epoch", r.epoch);
    return o;
}

val compact_to_js(const CompactResult &r) {
    val o = val::object();
    o.set("segmentsCompacted", static_cast<double>(r.segments_compacted));
    o.set("bytesReclaimed", static_cast<double>(r.bytes_reclaimed));
    o.set("epoch", r.epoch);
    o.set("complete", r.complete);
    o.set("bytesWritten", static_cast<double>(r.bytes_written));
    return o;
}

val bytes_to_js(const std::vector<uint8_t> &b) { return copy_out(b.data(), b.size()); }

std::string hex32(const std::array<uint8_t, 32> &d) {
    static const char digits[] = "0123456789abcdef";
    std::string out(64, '0');
    for (size_t i = 0; i < 32; ++i) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    return out;
}

/// One witness chain entry, as the addon gives it (native/src/database_witness.cpp).
val witness_to_js(const WitnessRecord &r) {
    val o = val::object();
    o.set("index", static_cast<double>(r.index));
    o.set("witnessType", static_cast<unsigned>(r.witness_type));
    o.set("timestampNs", big(r.timestamp_ns));
    o.set("prevHash", hex32(r.prev_hash));
    o.set("hash", hex32(r.hash));
    o.set("actionHash", hex32(r.action_hash));
    o.set("payload", r.payload ? bytes_to_js(*r.payload) : val::null());
    return o;
}
val ids_to_js(const std::vector<uint64_t> &ids) { return copy_out_u64(ids.data(), ids.size()); }

const Error kNoStore{Status::StoreClosed, "the store is closed"};

class Store {
public:
    val create(unsigned dimensions, const std::string &metric, const std::string &storage, unsigned m,
               unsigned ef_construction, bool witness, const std::string &compression, int domain_profile,
               const val &tiering, unsigned profile, const val &signing, bool partition_on_compact) {
        auto mt = metric_from_name(metric);
        if (!mt)
            return outcome_err(mt.error());
        // The hardware profile (index.js checks 0..3); storage "" = the profile's default.
        const auto hw = static_cast<core::ProfileId>(profile);
        auto st = storage.empty() ? Result<StorageType>(profile_default_storage(hw, static_cast<uint16_t>(dimensions)))
                                  : storage_from_name(storage);
        if (!st)
            return outcome_err(st.error());
        auto cm = compression_from_name(compression);
        if (!cm)
            return outcome_err(cm.error());
        StoreOptions o;
        o.dimension = static_cast<uint16_t>(dimensions); // index.js checks 0..65535
        o.metric = *mt;
        o.storage = *st;
        o.hnsw_m = static_cast<uint16_t>(m);
        o.hnsw_ef_construction = static_cast<uint16_t>(ef_construction);
        o.witness = witness;
        o.compression = *cm;
        o.profile = hw;
        o.partition_on_compact = partition_on_compact;
        if (domain_profile >= 0) // -1: unset (generic in memory); index.js checks the id
            o.domain_profile = static_cast<core::DomainProfile>(domain_profile);
        // index.js has validated and completed it: {enabled, coldCodec, pqM, hotThreshold,
        // warmThreshold}, or undefined for no tiering.
        if (!tiering.isUndefined()) {
            o.tiering.enabled = tiering["enabled"].as<bool>();
            o.tiering.cold_codec =
                tiering["coldCodec"].as<std::string>() == "binary" ? ColdCodec::Binary : ColdCodec::Pq;
            o.tiering.pq_m = static_cast<uint16_t>(tiering["pqM"].as<double>());
            o.tiering.hot_threshold = static_cast<uint32_t>(tiering["hotThreshold"].as<double>());
            o.tiering.warm_threshold = static_cast<uint32_t>(tiering["warmThreshold"].as<double>());
        }
        // index.js has checked it: undefined, or {algorithm, key (Uint8Array)}.
        if (!signing.isUndefined()) {
            auto k = signing_key_from_js(signing["algorithm"].as<std::string>(), signing["key"],
                                         signing["key"]["length"].as<size_t>());
            if (!k)
                return outcome_err(k.error());
            o.signing_algorithm = k->first;
            o.signing_key = k->second;
        }
        return adopt(RvfStore::create_in_memory(o));
    }

    /// Sign this handle's later commits (open: the SDK passes its signing option here).
    val set_signing_key(const std::string &algorithm, const val &key, size_t n) {
        if (!store_)
            return outcome_err(kNoStore);
        auto k = signing_key_from_js(algorithm, key, n);
        if (!k)
            return outcome_err(k.error());
        auto r = store_->set_signing_key(k->second, k->first);
        return r ? outcome_ok() : outcome_err(r.error());
    }

    /// The require_signature policy over this image: UnknownSigner / InvalidSignature /
    /// UnsignedManifest naming the first offending segment, or ok.
    val require_signature(const std::string &key_id) const {
        if (!store_)
            return outcome_err(kNoStore);
        const auto id = crypto::key_id_from_hex(key_id);
        if (!id)
            return outcome_err(Error{Status::InvalidOptions, "requireSignature must be a key id (32 hex digits), got '" +
                                                                 key_id + "'"});
        auto r = rvf::require_signature(verify_bytes(store_->to_bytes()), *id);
        return r ? outcome_ok() : outcome_err(r.error());
    }

    /// The copy out of JS becomes the store's image (moved, not copied again): one copy in all.
    val from_bytes(const val &bytes, size_t n) {
        return adopt(RvfStore::from_bytes(copy_in<uint8_t>(bytes, n)));
    }

    val to_bytes() const {
        if (!store_)
            return outcome_err(kNoStore);
        return outcome_ok(bytes_to_js(store_->to_bytes()));
    }

    val export_layout_r() const {
        if (!store_)
            return outcome_err(kNoStore);
        return outcome(store_->export_layout_r(), bytes_to_js);
    }

    val ingest(const val &ids, size_t n, const val &vectors, size_t n_floats, const val &metadata) {
        if (!store_)
            return outcome_err(kNoStore);
        const std::vector<uint64_t> id_vec = copy_in_u64(ids, n);
        const std::vector<float> rows = copy_in<float>(vectors, n_floats);
        std::vector<std::vector<MetadataEntry>> meta;
        if (!metadata.isUndefined() && !metadata.isNull()) {
            auto m = metadata_from_js(metadata, n);
            if (!m)
                return outcome_err(m.error());
            meta = std::move(*m);
        }
        return outcome(store_->ingest_batch(id_vec, rows, meta), ingest_to_js);
    }

    /// ingest()'s arguments; ids already live are replaced in the same commit.
    val upsert(const val &ids, size_t n, const val &vectors, size_t n_floats, const val &metadata) {
        if (!store_)
            return outcome_err(kNoStore);
        const std::vector<uint64_t> id_vec = copy_in_u64(ids, n);
        const std::vector<float> rows = copy_in<float>(vectors, n_floats);
        std::vector<std::vector<MetadataEntry>> meta;
        if (!metadata.isUndefined() && !metadata.isNull()) {
            auto m = metadata_from_js(metadata, n);
            if (!m)
                return outcome_err(m.error());
            meta = std::move(*m);
        }
        return outcome(store_->upsert_batch(id_vec, rows, meta), ingest_to_js);
    }

    /// One record per id (an empty record clears that id's metadata).
    val update_metadata(const val &ids, size_t n, const val &metadata) {
        if (!store_)
            return outcome_err(kNoStore);
        const std::vector<uint64_t> id_vec = copy_in_u64(ids, n);
        auto m = metadata_from_js(metadata, n);
        if (!m)
            return outcome_err(m.error());
        if (m->empty())
            m->resize(n);
        return outcome(store_->update_metadata(id_vec, *m), ingest_to_js);
    }

    /// Live rows, or those the filter (JSON; "" = none) matches.
    val count(const std::string &filter_json) const {
        if (!store_)
            return outcome_err(kNoStore);
        std::optional<FilterExpr> filter;
        if (!filter_json.empty()) {
            auto f = filter_from_json(filter_json);
            if (!f)
                return outcome_err(f.error());
            filter = std::move(*f);
        }
        auto n = store_->count(filter ? &*filter : nullptr);
        return n ? outcome_ok(val(static_cast<double>(*n))) : outcome_err(n.error());
    }

    /// ids_after with a filter (JSON; "" = every row): matching ids ascending, as word pairs.
    val find_ids(const std::string &filter_json, const val &after_words, double limit) const {
        if (!store_)
            return outcome_err(kNoStore);
        if (!(limit >= 0) || limit > 9007199254740991.0)
            return outcome_err(Error{Status::InvalidArgument, "findIds: limit must be a non-negative integer (ids per page)"});
        std::optional<FilterExpr> filter;
        if (!filter_json.empty()) {
            auto f = filter_from_json(filter_json);
            if (!f)
                return outcome_err(f.error());
            filter = std::move(*f);
        }
        std::optional<uint64_t> after;
        if (after_words["length"].as<unsigned>() == 2)
            after = copy_in_u64(after_words, 1)[0];
        // size_t is 32 bits here: "every match" (up to 2^53 - 1) saturates instead of wrapping.
        const size_t lim = limit >= static_cast<double>(SIZE_MAX) ? SIZE_MAX : static_cast<size_t>(limit);
        auto page = store_->find_ids(filter ? &*filter : nullptr, after, lim);
        return outcome(page, ids_to_js);
    }

    /// nprobe: QueryOptions::nprobe (0: the index; > 0: the partition map's nearest partitions).
    val query(const val &vector, size_t n_floats, size_t k, unsigned ef_search, const std::string &filter_json,
              unsigned nprobe) const {
        if (!store_)
            return outcome_err(kNoStore);
        const std::vector<float> q = copy_in<float>(vector, n_floats);
        QueryOptions opts;
        opts.ef_search = ef_search;
        opts.nprobe = nprobe;
        std::optional<FilterExpr> filter;
        if (auto r = set_query_filter(filter_json, filter, opts); !r)
            return outcome_err(r.error());
        return outcome(store_->query(q, k, opts), neighbors_to_js);
    }

    val remove(const val &ids, size_t n) {
        if (!store_)
            return outcome_err(kNoStore);
        return outcome(store_->remove(copy_in_u64(ids, n)), delete_to_js);
    }

    val remove_by_filter(const std::string &filter_json) {
        if (!store_)
            return outcome_err(kNoStore);
        auto f = filter_from_json(filter_json);
        if (!f)
            return outcome_err(f.error());
        return outcome(store_->remove_by_filter(*f), delete_to_js);
    }

    // index.js has checked both are non-negative safe integers.
    val compact(double io_budget_bytes, double io_bytes_per_second) {
        if (!store_)
            return outcome_err(kNoStore);
        CompactOptions o;
        o.io_budget_bytes = static_cast<uint64_t>(io_budget_bytes);
        o.io_bytes_per_second = static_cast<uint64_t>(io_bytes_per_second);
        return outcome(store_->compact(o), compact_to_js);
    }

    val status() const { return store_ ? outcome_ok(status_to_js(store_->status())) : outcome_err(kNoStore); }
    val segments() const { return store_ ? outcome_ok(segments_to_js(store_->segments())) : outcome_err(kNoStore); }
    val verify() const { return store_ ? outcome_ok(verify_to_js(store_->verify())) : outcome_err(kNoStore); }

    /// id: two u32 words (lo, hi), as for id arrays: a u64 passes losslessly that way.
    val metadata(const val &id) const {
        if (!store_)
            return outcome_err(kNoStore);
        const std::vector<MetadataEntry> *m = store_->metadata(copy_in_u64(id, 1)[0]);
        return outcome_ok(m ? metadata_to_js(*m) : val::null());
    }

    val vector(const val &id) const {
        if (!store_)
            return outcome_err(kNoStore);
        const std::optional<std::vector<float>> v = store_->vector(copy_in_u64(id, 1)[0]);
        return outcome_ok(v ? copy_out(v->data(), v->size()) : val::null());
    }

    /// Up to `limit` live ids above the cursor, ascending (as lo/hi word pairs). after_words:
    /// the cursor id's two words, or an empty array for "from the first id".
    val ids_after(const val &after_words, double limit) const {
        if (!store_)
            return outcome_err(kNoStore);
        if (!(limit >= 0) || limit > 9007199254740991.0)
            return outcome_err(Error{Status::InvalidArgument, "idsAfter: limit must be a non-negative integer (ids per page)"});
        std::optional<uint64_t> after;
        if (after_words["length"].as<unsigned>() == 2)
            after = copy_in_u64(after_words, 1)[0];
        auto page = store_->ids_after(after, static_cast<size_t>(limit));
        return outcome(page, ids_to_js);
    }

    /// Bytes [offset, offset + length) of the image: what the SDK appends to its file after a
    /// commit, without copying the whole image.
    val bytes_range(double offset, double length) const {
        if (!store_)
            return outcome_err(kNoStore);
        if (!(offset >= 0) || !(length >= 0) || offset > 9007199254740991.0 || length > 9007199254740991.0)
            return outcome_err(Error{Status::InvalidArgument, "bytesRange: offset and length must be whole numbers >= 0"});
        return outcome(store_->read_range(static_cast<uint64_t>(offset), static_cast<uint64_t>(length)), bytes_to_js);
    }

    /// Offsets of the checkpoints written at or after `offset` (RvfStore::checkpoints_since).
    val checkpoints_since(double offset) const {
        if (!store_)
            return outcome_err(kNoStore);
        if (!(offset >= 0) || offset > 9007199254740991.0)
            return outcome_err(Error{Status::InvalidArgument, "checkpointsSince: offset must be a whole number >= 0"});
        auto r = store_->checkpoints_since(static_cast<uint64_t>(offset));
        if (!r)
            return outcome_err(r.error());
        val out = val::array();
        for (uint64_t o : *r)
            out.call<void>("push", static_cast<double>(o));
        return outcome_ok(out);
    }

    /// Write a checkpoint (a full manifest) if commits were made since the last one.
    val checkpoint() {
        if (!store_)
            return outcome_err(kNoStore);
        Result<void> r = store_->checkpoint();
        return r ? outcome_ok() : outcome_err(r.error());
    }

    /// The audit trail: append_witness(type, payload) → the entry; witness_entries(from, limit).
    val append_witness(unsigned witness_type, const val &payload, size_t n) {
        if (!store_)
            return outcome_err(kNoStore);
        if (witness_type > 255)
            return outcome_err(Error{Status::InvalidArgument, "appendWitness: witnessType must be 3, 4 or 5"});
        const std::vector<uint8_t> bytes = copy_in<uint8_t>(payload, n);
        return outcome(store_->append_witness(static_cast<uint8_t>(witness_type), bytes), witness_to_js);
    }

    val witness_entries(double from, double limit) const {
        if (!store_)
            return outcome_err(kNoStore);
        if (!(from >= 0) || !(limit >= 0) || from > 9007199254740991.0 || limit > 9007199254740991.0)
            return outcome_err(Error{Status::InvalidArgument, "witnessEntries: from and limit must be whole numbers >= 0"});
        const size_t lim = limit >= static_cast<double>(SIZE_MAX) ? SIZE_MAX : static_cast<size_t>(limit);
        auto r = store_->witness_entries(static_cast<uint64_t>(from), lim);
        if (!r)
            return outcome_err(r.error());
        val out = val::array();
        for (const WitnessRecord &w : *r)
            out.call<void>("push", witness_to_js(w));
        return outcome_ok(out);
    }

    // --- lineage and time travel (docs/lineage-and-time-travel.md) ---

    /// A read-only store over an image at `epoch` (< 0: the latest).
    val from_bytes_readonly(const val &bytes, size_t n, double epoch) {
        std::optional<uint32_t> at;
        if (epoch >= 0)
            at = static_cast<uint32_t>(epoch); // index.js checks it is a u32
        return adopt(RvfStore::from_bytes_readonly(copy_in<uint8_t>(bytes, n), at)); // moved in, as from_bytes
    }

    /// derive() into memory: the child image; index.js writes and opens it.
    val derive_image(const std::string &child_name, const std::string &type) const {
        if (!store_)
            return outcome_err(kNoStore);
        DeriveOptions o;
        if (!core::derivation_type_from_name(type.c_str(), o.type))
            return outcome_err(Error{Status::InvalidOptions, "derive(): unknown type '" + type + "' (" +
                                                                 core::kDerivationTypeNameList + ")"});
        return outcome(store_->derive_image(child_name, o), bytes_to_js);
    }

    val freeze() {
        if (!store_)
            return outcome_err(kNoStore);
        Result<void> r = store_->freeze();
        return r ? outcome_ok() : outcome_err(r.error());
    }

    /// {fileId, parentId, parentHash (hex), lineageDepth, frozen}.
    val lineage() const {
        if (!store_)
            return outcome_err(kNoStore);
        static const char digits[] = "0123456789abcdef";
        auto hex = [](const uint8_t *p, size_t len) {
            std::string h(2 * len, '0');
            for (size_t i = 0; i < len; ++i) {
                h[2 * i] = digits[p[i] >> 4];
                h[2 * i + 1] = digits[p[i] & 15];
            }
            return h;
        };
        val o = val::object();
        o.set("fileId", hex(store_->file_id().data(), 16));
        o.set("parentId", hex(store_->parent_id().data(), 16));
        o.set("parentHash", hex(store_->parent_hash().data(), 32));
        o.set("lineageDepth", store_->lineage_depth());
        o.set("frozen", store_->frozen());
        return outcome_ok(o);
    }

    /// Flush and drop the store; idempotent. Memory is released here, not only at delete().
    val close() {
        if (!store_)
            return outcome_ok();
        Result<void> r = store_->close();
        store_.reset();
        return r ? outcome_ok() : outcome_err(r.error());
    }

private:
    val adopt(Result<RvfStore> r) {
        if (!r)
            return outcome_err(r.error());
        store_.emplace(std::move(*r));
        return outcome_ok();
    }

    std::optional<RvfStore> store_;
};

/// Every check of an image that may not even open (verify_bytes): for `rvf verify` on a damaged file.
val verify_bytes_js(const val &bytes, size_t n) {
    const std::vector<uint8_t> image = copy_in<uint8_t>(bytes, n);
    return verify_to_js(verify_bytes(image));
}

/// True when the bytes are what a create killed before its first commit leaves (no data).
bool incomplete_create_js(const val &bytes, size_t n) {
    const std::vector<uint8_t> image = copy_in<uint8_t>(bytes, n);
    return is_incomplete_create(core::ByteView(image.data(), image.size()));
}

} // namespace
} // namespace rvf::js

EMSCRIPTEN_BINDINGS(rvf_store) {
    emscripten::function("verifyBytes", &rvf::js::verify_bytes_js);
    emscripten::function("isIncompleteCreate", &rvf::js::incomplete_create_js);
    emscripten::function("signingKeyId", &rvf::js::signing_key_id_js);
    using rvf::js::Store;
    emscripten::class_<Store>("Store")
        .constructor<>()
        .function("create", &Store::create)
        .function("fromBytes", &Store::from_bytes)
        .function("toBytes", &Store::to_bytes)
        .function("exportLayoutR", &Store::export_layout_r)
        .function("ingest", &Store::ingest)
        .function("query", &Store::query)
        .function("remove", &Store::remove)
        .function("removeByFilter", &Store::remove_by_filter)
        .function("compact", &Store::compact)
        .function("status", &Store::status)
        .function("segments", &Store::segments)
        .function("verify", &Store::verify)
        .function("setSigningKey", &Store::set_signing_key)
        .function("requireSignature", &Store::require_signature)
        .function("metadata", &Store::metadata)
        .function("vector", &Store::vector)
        .function("idsAfter", &Store::ids_after)
        .function("upsert", &Store::upsert)
        .function("updateMetadata", &Store::update_metadata)
        .function("count", &Store::count)
        .function("findIds", &Store::find_ids)
        .function("bytesRange", &Store::bytes_range)
        .function("checkpoint", &Store::checkpoint)
        .function("checkpointsSince", &Store::checkpoints_since)
        .function("appendWitness", &Store::append_witness)
        .function("witnessEntries", &Store::witness_entries)
        .function("fromBytesReadonly", &Store::from_bytes_readonly)
        .function("deriveImage", &Store::derive_image)
        .function("freeze", &Store::freeze)
        .function("lineage", &Store::lineage)
        .function("close", &Store::close);
}

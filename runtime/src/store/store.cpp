// store.cpp — RvfStore's public methods: lifecycle, ingest, delete, query, status.
// Every mutation validates first, commits second, and touches the in-memory tables only after
// the commit is durable, so a failed write leaves memory and file at the last commit.
#include <rvf/store.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <queue>
#include <random>
#include <unordered_set>

#include <unistd.h>

#include <rvf/byte_source.hpp>
#include <rvf/file_report.hpp>
#include <rvf/core/format/enums.hpp>
#include <rvf/io/durable_file.hpp>

#include <rvf/index_layers.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {

constexpr size_t kMaxK = 1u << 20; // a k beyond this is a caller bug, not a request for "all"

Result<void> validate_options(const StoreOptions &o) {
    if (o.dimension == 0)
        return Error{Status::InvalidManifest, "dimension must be > 0"};
    if (static_cast<uint8_t>(o.metric) > 3)
        return Error{Status::MetricUnsupported, "unknown metric"};
    if (static_cast<uint8_t>(o.storage) > 2)
        return Error{Status::InvalidArgument, "unknown storage type"};
    if (static_cast<uint8_t>(o.compression) > 2)
        return Error{Status::InvalidArgument, "unknown compression (None, Lz4 or Zstd)"};
    if (o.tiering.enabled &&
        (static_cast<uint8_t>(o.tiering.cold_codec) > 1 || o.tiering.pq_m > o.dimension ||
         o.tiering.warm_threshold > o.tiering.hot_threshold))
        return Error{Status::InvalidArgument, "tiering: unknown cold codec, pq_m > dimension or warm > hot threshold"};
    if (o.merge_trigger_segments < 16)
        return Error{Status::InvalidArgument, "merge_trigger_segments must be at least 16"};
    if (!(o.auto_compact_dead_ratio >= 0 && o.auto_compact_dead_ratio <= 1))
        return Error{Status::InvalidArgument, "auto_compact_dead_ratio must be in [0, 1] (0 turns it off)"};
    if (o.hnsw_m < 2 || o.hnsw_ef_construction == 0)
        return Error{Status::InvalidArgument, "hnsw_m must be ≥ 2 and ef_construction > 0"};
    if (o.signing_key && !crypto::signature_algo_implemented(static_cast<uint16_t>(o.signing_algorithm)))
        return Error{Status::InvalidOptions, std::string("signing_algorithm ") +
                                                 crypto::signature_algo_name(o.signing_algorithm) +
                                                 " is not implemented: use Ed25519 or MlDsa65"};
    // The hardware profile's limits (store_profile.cpp) over the config new_impl makes.
    core::StoreConfig c;
    c.dimension = o.dimension;
    c.storage = static_cast<uint8_t>(o.storage);
    c.compression = static_cast<uint8_t>(o.compression);
    c.hw_profile = static_cast<uint8_t>(o.profile);
    c.flags = static_cast<uint8_t>((o.tiering.enabled ? core::kStoreConfigTiering : 0) | core::kStoreConfigNoIndex);
    return check_profile_limits(c);
}

void random_bytes(uint8_t *out, size_t n) {
    std::random_device rd;
    for (size_t i = 0; i < n; ++i)
        out[i] = static_cast<uint8_t>(rd());
}

std::unique_ptr<RvfStore::Impl> new_impl(const StoreOptions &o, const std::string &path) {
    auto impl = std::make_unique<RvfStore::Impl>();
    impl->path = path;
    impl->config.dimension = o.dimension;
    impl->config.metric = static_cast<uint8_t>(o.metric);
    impl->config.storage = static_cast<uint8_t>(o.storage);
    impl->config.domain_profile =
        static_cast<uint8_t>(o.domain_profile.value_or(domain_profile_from_path(path)));
    impl->config.compression = static_cast<uint8_t>(o.compression);
    impl->config.flags = static_cast<uint8_t>((o.witness ? core::kStoreConfigWitness : 0) |
                                              (o.index == IndexMode::Off ? core::kStoreConfigNoIndex : 0));
    impl->config.hnsw_m = o.hnsw_m;
    impl->config.hnsw_ef_construction = o.hnsw_ef_construction;
    impl->config.hw_profile = static_cast<uint8_t>(o.profile);
    if (o.profile == core::ProfileId::Core) // a Core tile has no index: queries scan (spec)
        impl->config.flags = static_cast<uint8_t>(impl->config.flags | core::kStoreConfigNoIndex);
    if (o.signing_key)
        impl->signer = crypto::SegmentSigner::from_seed(*o.signing_key, o.signing_algorithm);
    impl->index_threads = o.index_threads;
    impl->partition_on_compact = o.partition_on_compact;
    impl->checkpoint_min_bytes = o.checkpoint_bytes;
    impl->merge_io_bytes_per_second = o.merge_io_bytes_per_second;
    impl->auto_compact_ratio = o.auto_compact_dead_ratio;
    impl->merge_trigger_base = impl->merge_trigger = o.merge_trigger_segments;
    if (o.tiering.enabled) { // persisted in PROFILE_CONFIG (store_config.hpp)
        impl->config.flags = static_cast<uint8_t>(impl->config.flags | core::kStoreConfigTiering);
        impl->config.cold_codec = static_cast<uint8_t>(o.tiering.cold_codec);
        impl->config.pq_m = o.tiering.cold_codec == ColdCodec::Pq
                                ? (o.tiering.pq_m ? o.tiering.pq_m : store_detail::default_pq_m(o.dimension))
                                : 0;
        impl->config.hot_threshold = o.tiering.hot_threshold;
        impl->config.warm_threshold = o.tiering.warm_threshold;
    }
    impl->table = store_detail::VectorTable(o.dimension, o.storage);
    impl->created_ns = now_ns();
    random_bytes(impl->file_id, 16);
    impl->writer = LayoutSWriter{};
    impl->writer->set_list_manifests(false); // checkpoints list live data only
    return impl;
}

bool all_finite(const float *v, size_t n) {
    for (size_t i = 0; i < n; ++i)
        if (!std::isfinite(v[i]))
            return false;
    return true;
}

} // namespace

RvfStore::RvfStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RvfStore::~RvfStore() {
    if (impl_)
        (void)close();
}
RvfStore::RvfStore(RvfStore &&) noexcept = default;
RvfStore &RvfStore::operator=(RvfStore &&) noexcept = default;

core::DomainProfile domain_profile_from_path(const std::string &path) {
    const auto dot = path.rfind('.');
    if (dot == std::string::npos)
        return core::DomainProfile::Generic;
    std::string ext = path.substr(dot + 1);
    for (char &c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == "rvdna")
        return core::DomainProfile::Rvdna;
    if (ext == "rvtext")
        return core::DomainProfile::Rvtext;
    if (ext == "rvgraph")
        return core::DomainProfile::Rvgraph;
    if (ext == "rvvis")
        return core::DomainProfile::Rvvision;
    return core::DomainProfile::Generic;
}

const char *metric_name(Metric m) {
    switch (m) {
    case Metric::L2:
        return "l2";
    case Metric::InnerProduct:
        return "ip";
    case Metric::Cosine:
        return "cosine";
    case Metric::Hamming:
        return "hamming";
    }
    return "?";
}

const char *storage_type_name(StorageType t) {
    switch (t) {
    case StorageType::F32:
        return "f32";
    case StorageType::F16:
        return "f16";
    case StorageType::I8:
        return "i8";
    }
    return "?";
}

Result<RvfStore> RvfStore::create(const std::string &path, const StoreOptions &options) {
    if (auto v = validate_options(options); !v)
        return v.error();
    auto lock = io::WriterLock::acquire(path);
    if (!lock)
        return lock.error();
    // The path must be free, except for the remains of a create killed before its first commit
    // (an earlier version created the file in place): those hold no data and are replaced.
    bool replace = false;
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        // Only a small file can be such remains: never read a real store just to refuse it.
        const auto size = std::filesystem::file_size(path, ec);
        if (!ec && size <= kIncompleteCreateMaxBytes)
            if (auto existing = read_file_bytes(path))
                replace = is_incomplete_create(core::ByteView(existing->data(), existing->size()));
        if (!replace)
            return Error{Status::FileExists, path + " already exists; open it, or delete it first to create a new "
                                                    "store there"};
    }
    // The first commit is written and synced under a staging name and then linked into place, so
    // `path` never names a file without a commit, whenever the process dies. The name is fixed:
    // under the writer lock, a staging file found here is a killed creator's.
    const std::string staging = path + ".create.tmp";
    ::unlink(staging.c_str());
    auto st = store_detail::file_storage(staging, true);
    if (!st)
        return st.error();
    auto impl = new_impl(options, path);
    impl->storage = std::move(*st);
    impl->lock = std::move(*lock);
    if (auto r = impl->commit({}, core::kChainWitnessProvenance, 0); !r) {
        impl->storage.reset();
        ::unlink(staging.c_str());
        return r.error();
    }
    impl->storage.reset();
    if (auto r = io::publish_new_file(staging, path, replace); !r) {
        ::unlink(staging.c_str());
        return r.error();
    }
    auto published = store_detail::file_storage(path, false);
    if (!published)
        return published.error();
    impl->storage = std::move(*published);
    return RvfStore(std::move(impl));
}

Result<RvfStore> RvfStore::create_in_memory(const StoreOptions &options) {
    if (auto v = validate_options(options); !v)
        return v.error();
    auto impl = new_impl(options, "");
    impl->storage = store_detail::memory_storage({});
    if (auto r = impl->commit({}, core::kChainWitnessProvenance, 0); !r)
        return r.error();
    return RvfStore(std::move(impl));
}

Result<RvfStore> RvfStore::open(const std::string &path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return Error{Status::ManifestNotFound, "no such file: " + path};
    auto lock = io::WriterLock::acquire(path);
    if (!lock)
        return lock.error();
    if (auto removed = io::remove_orphan_temp(path); !removed)
        return removed.error();
    ::unlink((path + ".create.tmp").c_str()); // a killed create's staging file (we hold the lock)
    auto st = store_detail::file_storage(path, false);
    if (!st)
        return st.error();
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->storage = std::move(*st);
    impl->lock = std::move(*lock);
    auto bytes = impl->storage->read_all();
    if (!bytes)
        return bytes.error();
    if (auto r = impl->load(std::move(*bytes), true); !r)
        return r.error();
    return RvfStore(std::move(impl));
}

Result<RvfStore> RvfStore::open_readonly(const std::string &path) { return open_readonly_unchecked(path, OpenOptions{}); }

Result<RvfStore> RvfStore::open_readonly_unchecked(const std::string &path, const OpenOptions &options) {
    if (static_cast<uint8_t>(options.verify) > 1)
        return Error{Status::InvalidArgument, "unknown OpenVerify value; use Full or Structural"};
    if (options.epoch) { // time travel (store_epochs.cpp): a prefix of the image, always fully checked
        auto src = open_file_source(path);
        if (!src)
            return src.error();
        auto bytes = (*src)->read_all();
        if (!bytes)
            return bytes.error();
        return open_epoch(path, std::move(*bytes), *options.epoch);
    }
    if (options.in_place) {
        // The mapping lives as long as the store: row-major rows are read where they lie, and
        // to_bytes/verify read the file through it. Without mmap (Windows, wasm) the copying
        // path below is used unchanged.
        auto src = MappedSource::open(path);
        if (!src)
            return src.error();
        if ((*src)->mapped()) {
            auto impl = std::make_unique<Impl>();
            impl->path = path;
            impl->read_only = true;
            MappedSource &m = **src;
            bool loaded = false;
            if (options.verify == OpenVerify::Structural) {
                auto r = impl->load_in_place_structural(m);
                if (!r)
                    return r.error();
                loaded = *r;
                if (!loaded) { // not eligible: the full path, from a clean state
                    impl = std::make_unique<Impl>();
                    impl->path = path;
                    impl->read_only = true;
                }
            }
            if (!loaded) {
                auto whole = m.reference(0, static_cast<size_t>(m.size()));
                if (!whole)
                    return whole.error();
                if (auto all = m.view(0, static_cast<size_t>(m.size())); !all) // counted: the full check reads it all
                    return all.error();
                if (auto r = impl->load_view(*whole, false, &m); !r)
                    return r.error();
            }
            impl->open_bytes_read = m.bytes_requested();
            impl->rows_in_place = impl->table.external_row_count();
            impl->storage = store_detail::source_storage(std::move(*src));
            return RvfStore(std::move(impl));
        }
    }
    // The image is decoded and dropped; the store keeps the descriptor (to_bytes and verify read
    // the file again, up to the size seen here), so serving does not hold the file twice.
    auto src = open_file_source(path);
    if (!src)
        return src.error();
    auto bytes = (*src)->read_all();
    if (!bytes)
        return bytes.error();
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->read_only = true;
    if (auto r = impl->load(*bytes, false); !r)
        return r.error();
    impl->storage = store_detail::source_storage(std::move(*src));
    return RvfStore(std::move(impl));
}

Result<RvfStore> RvfStore::from_bytes(std::span<const uint8_t> bytes) {
    return from_bytes(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

Result<RvfStore> RvfStore::from_bytes(std::vector<uint8_t> &&bytes) {
    auto impl = std::make_unique<Impl>();
    impl->storage = store_detail::memory_storage(std::move(bytes));
    auto all = impl->storage->read_all();
    if (auto r = impl->load(std::move(*all), true); !r)
        return r.error();
    return RvfStore(std::move(impl));
}

std::vector<uint8_t> RvfStore::to_bytes() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    auto b = impl_->storage->read_all();
    return b ? std::move(*b) : std::vector<uint8_t>{};
}

const std::string &RvfStore::path() const { return impl_->path; }

Result<IngestResult> RvfStore::ingest_batch(std::span<const uint64_t> ids, std::span<const float> vectors,
                                            std::span<const std::vector<MetadataEntry>> metadata) {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    return impl_->write_rows(g, ids, vectors, metadata, /*replace=*/false);
}

Result<IngestResult> RvfStore::Impl::write_rows(std::unique_lock<std::shared_mutex> &g, std::span<const uint64_t> ids,
                                                std::span<const float> vectors,
                                                std::span<const std::vector<MetadataEntry>> metadata, bool replace) {
    Impl &s = *this;
    if (auto w = s.check_writable(); !w)
        return w.error();
    if (auto p = check_profile_limits(s.config); !p)
        return Error{p.status(), "this store cannot take rows: " + p.error().message};
    const size_t dim = s.config.dimension;
    if (vectors.size() != ids.size() * dim)
        return Error{Status::DimensionMismatch, std::to_string(vectors.size()) + " floats for " +
                                                    std::to_string(ids.size()) + " ids of dimension " +
                                                    std::to_string(dim)};
    if (!metadata.empty() && metadata.size() != ids.size())
        return Error{Status::InvalidArgument, "metadata must have one entry list per id (" +
                                                  std::to_string(metadata.size()) + " for " +
                                                  std::to_string(ids.size()) + " ids)"};
    IngestResult res;
    std::vector<uint64_t> ok_ids;
    std::vector<size_t> ok_idx;
    std::unordered_set<uint64_t> seen;
    for (size_t i = 0; i < ids.size(); ++i) {
        const float *v = vectors.data() + i * dim;
        Rejection rj{i, ids[i], Status::Ok, {}};
        if (!all_finite(v, dim))
            rj = {i, ids[i], Status::InvalidArgument, "vector has a NaN or infinite component"};
        else if (!replace && s.table.contains(ids[i]))
            rj = {i, ids[i], Status::InvalidArgument, "id " + std::to_string(ids[i]) + " already exists"};
        else if (!seen.insert(ids[i]).second)
            rj = {i, ids[i], Status::InvalidArgument, "id " + std::to_string(ids[i]) + " repeats within the batch"};
        if (rj.status != Status::Ok) {
            res.rejections.push_back(std::move(rj));
            continue;
        }
        ok_ids.push_back(ids[i]);
        ok_idx.push_back(i);
    }
    res.rejected = res.rejections.size();
    res.accepted = ok_ids.size();
    if (ok_ids.empty()) {
        res.epoch = s.epoch;
        return res;
    }

    // Build the rows in the storage dtype with a scratch table (nothing changes until commit).
    std::vector<PendingSegment> segs;
    const bool train = s.table.storage() == StorageType::I8 && !s.table.has_quant();
    store_detail::VectorTable scratch(s.config.dimension, s.table.storage());
    if (s.table.storage() == StorageType::I8) {
        std::vector<float> rows;
        for (size_t i : ok_idx)
            rows.insert(rows.end(), vectors.data() + i * dim, vectors.data() + (i + 1) * dim);
        scratch.set_quant(train ? store_detail::VectorTable::train_quant(rows.data(), ok_idx.size(), dim)
                                : *s.table.quant());
    }
    for (size_t j = 0; j < ok_idx.size(); ++j)
        scratch.add(ok_ids[j], vectors.data() + ok_idx[j] * dim);
    if (train) {
        s.table.set_quant(*scratch.quant());
        auto q = s.encode_quant();
        s.table.clear_quant();
        if (!q)
            return q.error();
        segs.push_back({core::SegType::Quant, 0, std::move(*q)});
    }
    // Upsert: a JOURNAL deleting the live instances comes before the VEC that re-adds them
    // (loaders apply a commit's segments in order).
    std::vector<uint64_t> replaced;
    if (replace)
        for (uint64_t id : ok_ids)
            if (s.table.contains(id))
                replaced.push_back(id);
    if (!replaced.empty()) {
        auto j = Impl::encode_journal(replaced, s.epoch + 1);
        if (!j)
            return j.error();
        segs.push_back({core::SegType::Journal, 0, std::move(*j)});
    }
    std::vector<uint8_t> rows(scratch.row_bytes() * ok_ids.size());
    for (uint32_t j = 0; j < ok_ids.size(); ++j)
        std::memcpy(rows.data() + j * scratch.row_bytes(), scratch.row_ptr(j), scratch.row_bytes());
    auto vec = s.encode_vec(ok_ids.data(), rows.data(), ok_ids.size());
    if (!vec)
        return vec.error();
    segs.push_back({core::SegType::Vec, 0, std::move(*vec)});

    MetadataTable batch_meta;
    std::vector<uint64_t> meta_ids; // only ids with entries: memory and a reopened file then agree
    if (!metadata.empty())
        for (size_t j = 0; j < ok_idx.size(); ++j)
            if (!metadata[ok_idx[j]].empty()) {
                batch_meta.put(ok_ids[j], metadata[ok_idx[j]]);
                meta_ids.push_back(ok_ids[j]);
            }
    const bool any_meta = !meta_ids.empty();
    if (any_meta) {
        auto m = batch_meta.encode_meta_seg(meta_ids);
        if (!m)
            return m.error();
        segs.push_back({core::SegType::Meta, 0, std::move(*m)});
    }
    const uint64_t quant_off_before = s.storage->size();
    s.defer_sync = true; // group commit: the fsync happens below, outside the lock
    auto committed = s.commit(std::move(segs), core::kChainWitnessProvenance,
                              s.table.live() + ok_ids.size() - replaced.size());
    s.defer_sync = false;
    if (!committed)
        return committed.error();
    for (uint64_t id : replaced) {
        s.table.remove(id);
        if (s.meta.get(id)) {
            s.meta.erase(id);
            s.meta_index_dirty = true;
        }
    }
    for (const core::SegmentHeader &h : s.last_commit_segments)
        if (h.seg_type == static_cast<uint8_t>(core::SegType::Vec)) // the rows land in the next slots
            s.vec_slots[h.segment_id] = {static_cast<uint32_t>(s.table.slots()), static_cast<uint32_t>(ok_ids.size())};
    if (train) {
        s.table.set_quant(*scratch.quant());
        s.quant_offset = quant_off_before; // QUANT_SEG is the commit's first segment
    }
    for (uint32_t j = 0; j < ok_ids.size(); ++j)
        s.table.add_raw(ok_ids[j], scratch.row_ptr(j));
    s.ensure_index(); // incremental: inserts the new rows (multithreaded) once the index exists
    if (any_meta) {
        for (size_t j = 0; j < ok_idx.size(); ++j)
            if (!metadata[ok_idx[j]].empty())
                s.meta.put(ok_ids[j], metadata[ok_idx[j]]);
        s.meta_index_dirty = true;
    }
    res.epoch = s.epoch;
    s.maintain_after_write();
    const uint64_t seq = s.last_commit_seq;
    g.unlock();
    if (auto d = s.wait_durable(seq); !d)
        return d.error();
    return res;
}

Result<DeleteResult> RvfStore::remove(std::span<const uint64_t> ids) {
    Impl &s = *impl_;
    std::unique_lock<std::shared_mutex> g(s.state_mu);
    if (auto w = s.check_writable(); !w)
        return w.error();
    std::vector<uint64_t> live;
    std::unordered_set<uint64_t> seen;
    for (uint64_t id : ids)
        if (s.table.contains(id) && seen.insert(id).second)
            live.push_back(id);
    DeleteResult res;
    if (live.empty()) {
        res.epoch = s.epoch;
        return res;
    }
    auto j = Impl::encode_journal(live, s.epoch + 1);
    if (!j)
        return j.error();
    std::vector<PendingSegment> segs;
    segs.push_back({core::SegType::Journal, 0, std::move(*j)});
    s.defer_sync = true;
    auto committed = s.commit(std::move(segs), core::kChainWitnessProvenance, s.table.live() - live.size());
    s.defer_sync = false;
    if (!committed)
        return committed.error();
    for (uint64_t id : live) {
        s.table.remove(id);
        if (s.meta.get(id)) {
            s.meta.erase(id);
            s.meta_index_dirty = true;
        }
    }
    res.deleted = live.size();
    res.epoch = s.epoch;
    s.maintain_after_write();
    const uint64_t seq = s.last_commit_seq;
    g.unlock();
    if (auto d = s.wait_durable(seq); !d)
        return d.error();
    return res;
}

Result<DeleteResult> RvfStore::remove_by_filter(const FilterExpr &filter) {
    std::vector<uint64_t> hit;
    {
        // The filter picks rows from a snapshot; remove() skips any deleted since.
        std::shared_lock<std::shared_mutex> g(impl_->state_mu);
        if (auto v = validate_filter(filter, impl_->meta); !v)
            return v.error();
        for (uint64_t id : impl_->table.live_ids())
            if (evaluate(filter, impl_->meta, id))
                hit.push_back(id);
    }
    return remove(hit);
}

Result<std::vector<Neighbor>> RvfStore::query(std::span<const float> vector, size_t k,
                                              const QueryOptions &options) const {
    const Impl &s = *impl_;
    std::shared_lock<std::shared_mutex> lock(s.state_mu);
    const size_t dim = s.config.dimension;
    if (vector.size() != dim)
        return Error{Status::DimensionMismatch, "query has " + std::to_string(vector.size()) +
                                                    " components, the store has dimension " + std::to_string(dim)};
    if (!all_finite(vector.data(), dim))
        return Error{Status::InvalidArgument, "query has a NaN or infinite component"};
    if (k == 0)
        return std::vector<Neighbor>{}; // k = 0 asks for nothing (as upstream answers it)
    if (k > kMaxK)
        return Error{Status::KTooLarge, "k = " + std::to_string(k) + " exceeds the limit of " + std::to_string(kMaxK)};
    if (options.nprobe != 0) { // the partition map instead of the graph (store_probe.cpp)
        if (options.filter)
            if (auto v = validate_filter(*options.filter, s.meta); !v)
                return v.error();
        QueryStats local_stats;
        QueryStats &st = options.stats ? *options.stats : local_stats;
        st = QueryStats{};
        return s.query_partitions(vector, k, options, st);
    }
    const Metric metric = static_cast<Metric>(s.config.metric);
    std::vector<uint8_t> allowed; // per slot, for pre-filtering
    bool intra = false, post = false;
    double sel = 1.0;
    if (options.filter) {
        if (auto v = validate_filter(*options.filter, s.meta); !v)
            return v.error();
        sel = estimate_selectivity(*options.filter, s.meta, s.table.live());
        // Pre-filtering lists only ids with metadata rows; a filter that also matches rows
        // without metadata (Ne, Not) is evaluated per candidate instead.
        if (choose_strategy(sel) == FilterStrategy::Pre && !matches_without_metadata(*options.filter)) {
            allowed.assign(s.table.slots(), 0);
            for (uint64_t id : prefilter_ids(*options.filter, s.meta))
                if (auto slot = s.table.slot_of(id))
                    allowed[*slot] = 1;
        } else {
            post = choose_strategy(sel) == FilterStrategy::Post;
            intra = !post;
        }
    }
    const store_detail::PreparedQuery pq = s.table.prepare(vector.data(), metric);
    QueryStats local_stats;
    QueryStats &st = options.stats ? *options.stats : local_stats;
    st = QueryStats{};
    if (options.filter)
        st.strategy = allowed.empty() ? (post ? FilterStrategy::Post : FilterStrategy::Intra) : FilterStrategy::Pre;

    // HNSW: tombstones (and, intra-filtering, rows the filter rejects) are traversed, never returned.
    // k or ef_search at least the live row count asks for everything: the exact scan is cheaper
    // than a beam that wide, and it is the only way to promise every live row (issue 14).
    s.ensure_index();
    const bool exhaustive = k >= s.table.live() || options.ef_search >= s.table.live();
    if (!options.exact && !exhaustive && allowed.empty() && s.graph && s.graph->size() > 0) {
        auto dist = [&](uint32_t n) { return s.table.distance(metric, n, pq); };
        auto prefetch = [&](uint32_t n) { __builtin_prefetch(s.table.row_ptr(n)); };
        auto skip = [&](uint32_t n) {
            return !s.table.live_at(n) || (intra && !evaluate(*options.filter, s.meta, s.table.id_at(n)));
        };
        HnswSearchStats hs;
        std::vector<std::pair<float, uint32_t>> hits;
        if (post) { // over-retrieve, then filter; fall back to intra when too few survive
            const size_t kk = std::min(postfilter_candidates(k, sel), s.table.live());
            auto dead = [&](uint32_t n) { return !s.table.live_at(n); };
            for (const auto &h : s.graph->search_with(dist, kk, std::max<size_t>(options.ef_search, kk), dead, &hs, prefetch))
                if (evaluate(*options.filter, s.meta, s.table.id_at(h.second)) && hits.size() < k)
                    hits.push_back(h);
            if (hits.size() < k && kk < s.table.live()) {
                intra = true;
                hits = s.graph->search_with(dist, k, std::max<size_t>(options.ef_search, k), skip, &hs, prefetch);
                st.strategy = FilterStrategy::Intra;
            }
        } else {
            hits = s.graph->search_with(dist, k, std::max<size_t>(options.ef_search, k), skip, &hs, prefetch);
        }
        st.distance_evals = hs.distance_evals;
        // Fewer than k: either the filter matches fewer rows (the exact scan says so exactly) or
        // the beam missed rows it should have returned; either way the scan below answers.
        if (hits.size() >= k) {
            st.layers = 7; // the whole graph (A + B + C) is in memory
            std::vector<Neighbor> out;
            out.reserve(hits.size());
            for (const auto &h : hits)
                out.push_back({s.table.id_at(h.second), h.first});
            s.record_access(out); // tiering: the blocks this query read
            return out;
        }
    }

    st.exact = true;
    // Max-heap of the best k: (distance, id); ties broken by id for stable output.
    std::priority_queue<std::pair<float, uint64_t>> heap;
    for (uint32_t slot = 0; slot < s.table.slots(); ++slot) {
        if (!s.table.live_at(slot) || (!allowed.empty() && !allowed[slot]))
            continue;
        const uint64_t id = s.table.id_at(slot);
        if (options.filter && !evaluate(*options.filter, s.meta, id))
            continue;
        ++st.distance_evals;
        const float d = s.table.distance(metric, slot, pq);
        if (heap.size() < k)
            heap.emplace(d, id);
        else if (std::make_pair(d, id) < heap.top()) {
            heap.pop();
            heap.emplace(d, id);
        }
    }
    std::vector<Neighbor> out(heap.size());
    for (size_t i = out.size(); i-- > 0; heap.pop())
        out[i] = {heap.top().second, heap.top().first};
    s.record_access(out); // tiering: the blocks this query read
    return out;
}

StoreStatus RvfStore::status() const {
    const Impl &s = *impl_;
    std::shared_lock<std::shared_mutex> g(s.state_mu);
    StoreStatus st;
    st.total_vectors = s.table.live();
    st.deleted_vectors = s.table.dead();
    st.total_segments = s.writer ? s.writer->directory().size() : s.loaded_segments;
    st.file_size = s.storage->size();
    st.current_epoch = s.epoch;
    st.dimension = s.config.dimension;
    st.metric = static_cast<Metric>(s.config.metric);
    st.storage = static_cast<StorageType>(s.config.storage);
    st.domain_profile = static_cast<core::DomainProfile>(s.config.domain_profile);
    st.profile = static_cast<core::ProfileId>(s.config.hw_profile);
    st.dead_bytes = s.dead_bytes();
    st.dead_space_ratio = st.file_size ? double(st.dead_bytes) / double(st.file_size) : 0.0;
    st.merges = s.merges;
    st.auto_compactions = s.auto_compactions;
    st.read_only = s.read_only;
    st.syncs = s.syncs;
    st.commits_since_checkpoint = s.commits_since_checkpoint;
    st.opened_layout = s.opened_layout;
    st.indexed_vectors = s.graph ? s.graph->size() : 0;
    st.persisted_index = s.graph_persisted_nodes;
    st.warnings = s.warnings;
    st.damaged_commit = s.damaged_commit;
    st.rows_in_place = s.rows_in_place;
    st.open_bytes_read = s.open_bytes_read;
    st.graph_in_place = s.graph && s.graph->borrowed();
    st.ids_in_place = s.table.base_rows();
    st.tiering = s.tiering_enabled();
    st.tier_rows = s.table.live_per_tier();
    for (size_t t = 0; t < 3; ++t)
        st.tier_bytes[t] = st.tier_rows[t] * s.table.models().code_bytes(static_cast<Tier>(t), s.table.row_bytes());
    std::memcpy(st.file_id, s.file_id, sizeof st.file_id);
    st.hnsw_m = s.config.hnsw_m;
    st.hnsw_ef_construction = s.config.hnsw_ef_construction;
    return st;
}

std::vector<SegmentSummary> RvfStore::segments() const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    std::vector<SegmentSummary> out;
    auto bytes = impl_->storage->read_all();
    if (!bytes)
        return out;
    const FileReport rep = inspect_file(core::ByteView(bytes->data(), bytes->size()));
    if (!rep.manifest)
        return out;
    for (const DirectoryEntry &d : rep.manifest->directory)
        out.push_back({d.segment_id, d.seg_type, d.offset, d.payload_length});
    out.push_back({rep.manifest->segment_id, static_cast<uint8_t>(core::SegType::Manifest), rep.manifest->offset, 0});
    for (const SegmentRecord &r : rep.segments)
        if (r.offset == rep.manifest->offset)
            out.back().payload_length = r.header.payload_length;
    return out;
}

const std::vector<MetadataEntry> *RvfStore::metadata(uint64_t id) const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    return impl_->table.contains(id) ? impl_->meta.get(id) : nullptr;
}

std::optional<std::vector<MetadataEntry>> RvfStore::metadata_copy(uint64_t id) const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    const std::vector<MetadataEntry> *m = impl_->table.contains(id) ? impl_->meta.get(id) : nullptr;
    if (!m)
        return std::nullopt;
    return *m;
}

std::optional<std::vector<float>> RvfStore::vector(uint64_t id) const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    auto slot = impl_->table.slot_of(id);
    if (!slot)
        return std::nullopt;
    std::vector<float> v(impl_->config.dimension);
    impl_->table.to_float(*slot, v.data());
    return v;
}

void RvfStore::set_checkpoint_bytes(uint64_t bytes) {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    impl_->checkpoint_min_bytes = bytes;
}
void RvfStore::set_auto_compaction(double dead_ratio, uint64_t min_file_bytes) {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    impl_->auto_compact_ratio = dead_ratio > 0 && dead_ratio <= 1 ? dead_ratio : 0;
    impl_->auto_compact_min_bytes = min_file_bytes;
}
void RvfStore::set_merge_trigger_segments(uint32_t segments) {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    impl_->merge_trigger_base = impl_->merge_trigger = std::max<uint32_t>(segments, 16);
}
void RvfStore::set_merge_io_bytes_per_second(uint64_t bytes_per_second) {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    impl_->merge_io_bytes_per_second = bytes_per_second;
}

Result<std::vector<uint8_t>> RvfStore::read_range(uint64_t offset, uint64_t length) const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    return impl_->storage->read_range(offset, length);
}

Result<std::vector<uint64_t>> RvfStore::checkpoints_since(uint64_t offset) const {
    std::shared_lock<std::shared_mutex> g(impl_->state_mu);
    const auto &r = impl_->recent_checkpoints;
    if (!r.empty() && r.size() == Impl::kRecentCheckpoints && r.front() >= offset)
        return Error{Status::InvalidArgument, "more checkpoints were written since offset " + std::to_string(offset) +
                                                  " than the store remembers; copy the whole image instead"};
    std::vector<uint64_t> out;
    for (uint64_t off : r)
        if (off >= offset)
            out.push_back(off);
    return out;
}

Result<void> RvfStore::checkpoint() {
    std::unique_lock<std::shared_mutex> g(impl_->state_mu);
    return impl_->checkpoint_now();
}

Result<void> RvfStore::close() {
    if (!impl_)
        return {};
    Impl &s = *impl_;
    std::unique_lock<std::shared_mutex> g(s.state_mu);
    Result<void> res;
    if (!s.read_only && !s.poisoned && s.meta_index_dirty && s.storage) {
        auto idx = s.meta.encode_metaidx_segs();
        if (!idx) {
            res = Result<void>(idx.error());
        } else if (!idx->empty()) {
            std::vector<PendingSegment> segs;
            for (auto &p : *idx)
                segs.push_back({core::SegType::MetaIdx, 0, std::move(p)});
            res = s.commit(std::move(segs), core::kChainWitnessComputation, s.table.live());
        }
        s.meta_index_dirty = false;
    }
    if (res.ok() && !s.read_only && !s.poisoned && s.storage)
        res = s.persist_sketch(); // tiering: the block accesses since the last SKETCH_SEG
    if (res.ok() && !s.read_only && !s.poisoned && s.storage && s.graph && s.graph->size() != s.graph_persisted_nodes) {
        // Persist the HNSW layers the file does not have yet (upstream only ever does this here).
        res = s.persist_index();
    }
    // A closed file ends with a checkpoint, so readers that only look for the latest manifest
    // (upstream's, the progressive loader) see every commit.
    if (res.ok() && !s.read_only && !s.poisoned && s.storage)
        res = s.checkpoint_now();
    if (s.lock)
        s.lock->release();
    s.lock.reset();
    s.read_only = true; // a closed store accepts no writes
    return res;
}

} // namespace rvf

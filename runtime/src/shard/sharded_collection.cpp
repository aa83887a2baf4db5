// sharded_collection.cpp — ShardedCollection (rvf/sharded.hpp): create/open, routed writes,
// root commits, fan-out queries with exact pruning by shard summaries.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <rvf/io/writer_lock.hpp>
#include <rvf/sharded.hpp>
#include <rvf/sharded_view.hpp>

#include "shard_root.hpp"
#include "shard_summary.hpp"

namespace rvf {

using shard_detail::RootRecord;
using shard_detail::ShardSummary;

namespace {

constexpr uint64_t kSummarySeed = 0x5EED5A4D;

uint64_t now_ns() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

std::string shard_name(const std::string &root_path, uint16_t id) {
    char num[8];
    std::snprintf(num, sizeof num, "%04u", static_cast<unsigned>(id));
    return std::filesystem::path(root_path).filename().string() + ".shards/" + num + ".rvf";
}

/// A seeded reservoir sample of at most `cap` rows of `store` (rows × dim floats).
Result<std::vector<float>> sample_rows(const RvfStore &store, size_t dim, size_t cap, uint64_t seed) {
    std::vector<float> sample;
    std::mt19937_64 rng(seed);
    size_t seen = 0;
    for (std::optional<uint64_t> after;;) {
        auto page = store.ids_after(after, 4096);
        if (!page)
            return page.error();
        if (page->empty())
            break;
        for (uint64_t id : *page) {
            auto v = store.vector(id);
            if (!v)
                continue;
            ++seen;
            if (sample.size() < cap * dim)
                sample.insert(sample.end(), v->begin(), v->end());
            else if (const size_t j = rng() % seen; j < cap)
                std::copy(v->begin(), v->end(), sample.begin() + static_cast<long>(j * dim));
        }
        after = page->back();
    }
    return sample;
}

/// A summary of every row of `store`: centroids from a sample, radii over all rows.
Result<ShardSummary> summarize_store(const RvfStore &store, size_t dim, uint32_t centroids, uint64_t seed) {
    auto sample = sample_rows(store, dim, 20000, seed);
    if (!sample)
        return sample.error();
    ShardSummary s = shard_detail::summarize(*sample, dim, centroids, seed);
    for (std::optional<uint64_t> after;;) {
        auto page = store.ids_after(after, 4096);
        if (!page)
            return page.error();
        if (page->empty())
            break;
        std::vector<float> rows;
        for (uint64_t id : *page)
            if (auto v = store.vector(id))
                rows.insert(rows.end(), v->begin(), v->end());
        shard_detail::absorb(s, rows, dim, centroids, seed);
        after = page->back();
    }
    return s;
}

} // namespace

struct ShardedCollection::Impl {
    std::string root_path;
    RootRecord root;
    bool read_only = false;
    bool dirty = false;
    uint32_t summary_centroids = 16;
    std::optional<io::WriterLock> lock;
    struct Shard {
        std::string path;
        std::optional<RvfStore> store;
        std::optional<Error> error; ///< read-only: why the shard cannot answer
        bool stale = false;
        bool dirty = false;
    };
    std::vector<Shard> shards;

    uint16_t count() const { return static_cast<uint16_t>(shards.size()); }
    uint16_t dimension() const { return root.config.dimension; }

    std::string label(size_t i) const { return "shard " + std::to_string(i + 1) + " (" + root.shards[i].name + ")"; }

    /// Re-read each changed shard's size, tail hash, id and row count into the root; write it.
    Result<void> commit_root() {
        for (size_t i = 0; i < shards.size(); ++i) {
            Shard &s = shards[i];
            if (!s.dirty || !s.store)
                continue;
            auto &r = root.shards[i];
            const StoreStatus st = s.store->status();
            r.live_rows = st.total_vectors;
            r.epoch = st.current_epoch;
            std::memcpy(r.file_id, st.file_id, 16);
            if (auto f = shard_detail::fingerprint(s.path, r.file_size, r.tail_hash); !f)
                return Error{f.status(), label(i) + ": " + f.error().message};
            s.dirty = false;
        }
        ++root.epoch;
        dirty = false;
        return shard_detail::write_root(root_path, root);
    }

    /// The shard a row goes to (0-based).
    size_t route(uint64_t id, const float *row) const {
        if (root.routing == core::ShardRouting::IdHash)
            return shard_detail::shard_of_id(id, count()) - 1u;
        size_t best = 0;
        float best_d = std::numeric_limits<float>::infinity();
        const std::span<const float> q(row, dimension());
        for (size_t i = 0; i < shards.size(); ++i)
            if (const float d = shard_detail::nearest_centroid_l2sq(root.shards[i].summary, q); d < best_d) {
                best_d = d;
                best = i;
            }
        return best;
    }
};

ShardedCollection::ShardedCollection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ShardedCollection::~ShardedCollection() {
    if (impl_ && !impl_->read_only)
        (void)close();
}
ShardedCollection::ShardedCollection(ShardedCollection &&) noexcept = default;
ShardedCollection &ShardedCollection::operator=(ShardedCollection &&) noexcept = default;

uint16_t ShardedCollection::shard_of_id(uint64_t id, uint16_t shards) { return shard_detail::shard_of_id(id, shards); }

Result<ShardedCollection> ShardedCollection::create(const std::string &root_path, const ShardedOptions &o) {
    if (o.shards == 0 || o.shards > core::kMaxShards)
        return Error{Status::InvalidOptions, "shards must be 1.." + std::to_string(core::kMaxShards)};
    if (o.store.dimension == 0)
        return Error{Status::InvalidOptions, "dimension is required (> 0)"};
    if (o.summary_centroids >= core::kMaxShardCentroids) // split may add one routing centre
        return Error{Status::InvalidOptions, "summary_centroids must be < " + std::to_string(core::kMaxShardCentroids)};
    if (o.routing == core::ShardRouting::Centroid)
        return Error{Status::InvalidOptions, "routing by centroid needs centroids from data: create the collection with "
                                             "ShardedCollection::split (rvf shard split --by centroid)"};
    if (std::filesystem::exists(root_path))
        return Error{Status::FsyncFailed, root_path + " already exists: choose a new path or remove it"};
    auto impl = std::make_unique<Impl>();
    impl->root_path = root_path;
    impl->summary_centroids = o.summary_centroids;
    auto lock = io::WriterLock::acquire(root_path);
    if (!lock)
        return lock.error();
    impl->lock.emplace(std::move(*lock));
    RootRecord &r = impl->root;
    r.config.dimension = o.store.dimension;
    r.config.metric = static_cast<uint8_t>(o.store.metric);
    r.config.storage = static_cast<uint8_t>(o.store.storage);
    r.config.flags = 0;
    r.config.hnsw_m = o.store.hnsw_m;
    r.config.hnsw_ef_construction = o.store.hnsw_ef_construction;
    r.routing = o.routing;
    r.created_ns = now_ns();
    std::random_device rd;
    for (auto &b : r.file_id)
        b = static_cast<uint8_t>(rd());
    const std::filesystem::path dir = std::filesystem::path(root_path).parent_path() /
                                      (std::filesystem::path(root_path).filename().string() + ".shards");
    std::error_code ec;
    const bool made_dir = std::filesystem::create_directory(dir, ec);
    if (ec)
        return Error{Status::IoError, "cannot create " + dir.string() + ": " + ec.message()};
    // A create that fails part-way removes what it made (never a file that was there before), so
    // the same call can simply be retried.
    auto undo = [&](Error e) -> Error {
        std::error_code ignore;
        for (auto &s : impl->shards) {
            s.store.reset();
            std::filesystem::remove(s.path, ignore);
            std::filesystem::remove(s.path + ".lock", ignore);
        }
        std::filesystem::remove(root_path, ignore);
        if (made_dir)
            std::filesystem::remove(dir, ignore); // only if empty
        return e;
    };
    for (uint16_t i = 1; i <= o.shards; ++i) {
        RootRecord::Shard rs;
        rs.name = shard_name(root_path, i);
        Impl::Shard s;
        s.path = shard_detail::resolve_shard_path(root_path, rs.name);
        auto st = RvfStore::create(s.path, o.store);
        if (!st)
            return undo(Error{st.status(), "shard " + std::to_string(i) + " (" + s.path + "): " + st.error().message});
        s.store.emplace(std::move(*st));
        s.dirty = true;
        r.shards.push_back(std::move(rs));
        impl->shards.push_back(std::move(s));
    }
    if (auto c = impl->commit_root(); !c)
        return undo(c.error());
    return ShardedCollection(std::move(impl));
}

namespace {

Result<std::unique_ptr<ShardedCollection::Impl>> open_common(const std::string &root_path, bool read_only) {
    auto impl = std::make_unique<ShardedCollection::Impl>();
    impl->root_path = root_path;
    impl->read_only = read_only;
    if (!read_only) {
        auto lock = io::WriterLock::acquire(root_path);
        if (!lock)
            return lock.error();
        impl->lock.emplace(std::move(*lock));
    }
    auto root = shard_detail::read_root(root_path);
    if (!root)
        return root.error();
    impl->root = std::move(*root);
    for (const auto &rs : impl->root.shards)
        impl->summary_centroids = std::max<uint32_t>(impl->summary_centroids, static_cast<uint32_t>(rs.summary.count()));
    for (size_t i = 0; i < impl->root.shards.size(); ++i) {
        const auto &rs = impl->root.shards[i];
        ShardedCollection::Impl::Shard s;
        s.path = shard_detail::resolve_shard_path(root_path, rs.name);
        auto fail = [&](Status st, const std::string &why) -> std::optional<Error> {
            return Error{st, impl->label(i) + ": " + why};
        };
        if (s.path.empty()) {
            s.error = fail(Status::UnsupportedLayout, "shards named by URL are read over HTTP, which this reader does "
                                                      "not do; use @ruvector/rvf-wasm's RvfShardedCollection.open(rootUrl), "
                                                      "or copy the collection's files here");
        } else {
            ShardObservation seen;
            if (auto f = shard_detail::fingerprint(s.path, seen.file_size, seen.tail_hash); !f) {
                s.error = fail(f.status(), f.error().message);
            } else {
                auto st = read_only ? RvfStore::open_readonly(s.path, OpenOptions{.verify = OpenVerify::Structural})
                                    : RvfStore::open(s.path);
                if (!st) {
                    s.error = fail(st.status(), st.error().message);
                } else {
                    const StoreStatus now = st->status();
                    seen.identity_known = true;
                    std::memcpy(seen.file_id, now.file_id, 16);
                    seen.epoch = now.current_epoch;
                    seen.damaged_commit = now.damaged_commit;
                    // The same rule the HTTP readers apply (rvf/sharded_view.hpp).
                    ShardRecord want;
                    want.file_size = rs.file_size;
                    want.epoch = rs.epoch;
                    std::memcpy(want.file_id, rs.file_id, 16);
                    std::memcpy(want.tail_hash, rs.tail_hash, 16);
                    auto state = check_shard(want, seen, impl->label(i), s.path);
                    if (!state)
                        s.error = state.error();
                    else {
                        s.stale = *state == ShardState::Stale;
                        s.store.emplace(std::move(*st));
                    }
                }
            }
        }
        if (s.error && !read_only) // a writer must not commit a root over shards it cannot see
            return *s.error;
        impl->shards.push_back(std::move(s));
    }
    return impl;
}

} // namespace

Result<ShardedCollection> ShardedCollection::open(const std::string &root_path) {
    auto impl = open_common(root_path, false);
    if (!impl)
        return impl.error();
    return ShardedCollection(std::move(*impl));
}

Result<ShardedCollection> ShardedCollection::open_readonly(const std::string &root_path) {
    auto impl = open_common(root_path, true);
    if (!impl)
        return impl.error();
    return ShardedCollection(std::move(*impl));
}

Result<IngestResult> ShardedCollection::ingest_batch(std::span<const uint64_t> ids, std::span<const float> vectors,
                                                     std::span<const std::vector<MetadataEntry>> metadata) {
    Impl &m = *impl_;
    if (m.read_only)
        return Error{Status::ReadOnly, "collection was opened read-only"};
    const size_t dim = m.dimension();
    if (vectors.size() != ids.size() * dim)
        return Error{Status::DimensionMismatch, "vectors must hold ids × " + std::to_string(dim) + " floats"};
    if (!metadata.empty() && metadata.size() != ids.size())
        return Error{Status::InvalidArgument, "metadata must be empty or one entry list per id"};
    struct Part {
        std::vector<size_t> at; // positions in the batch
        std::vector<uint64_t> ids;
        std::vector<float> rows;
        std::vector<std::vector<MetadataEntry>> meta;
    };
    std::vector<Part> parts(m.shards.size());
    for (size_t i = 0; i < ids.size(); ++i) {
        const float *row = vectors.data() + i * dim;
        Part &p = parts[m.route(ids[i], row)];
        p.at.push_back(i);
        p.ids.push_back(ids[i]);
        p.rows.insert(p.rows.end(), row, row + dim);
        if (!metadata.empty())
            p.meta.push_back(metadata[i]);
    }
    IngestResult out;
    for (size_t s = 0; s < parts.size(); ++s) {
        Part &p = parts[s];
        if (p.ids.empty())
            continue;
        auto r = m.shards[s].store->ingest_batch(p.ids, p.rows, p.meta);
        if (!r)
            return Error{r.status(), m.label(s) + ": " + r.error().message};
        m.shards[s].dirty = true;
        out.accepted += r->accepted;
        out.rejected += r->rejected;
        std::vector<bool> rejected(p.ids.size(), false);
        for (Rejection rej : r->rejections) {
            rejected[rej.index] = true;
            rej.index = p.at[rej.index];
            out.rejections.push_back(std::move(rej));
        }
        std::vector<float> kept;
        for (size_t j = 0; j < p.ids.size(); ++j)
            if (!rejected[j])
                kept.insert(kept.end(), p.rows.begin() + static_cast<long>(j * dim),
                            p.rows.begin() + static_cast<long>((j + 1) * dim));
        shard_detail::absorb(m.root.shards[s].summary, kept, dim, m.summary_centroids, kSummarySeed + s);
    }
    std::sort(out.rejections.begin(), out.rejections.end(),
              [](const Rejection &a, const Rejection &b) { return a.index < b.index; });
    if (auto c = m.commit_root(); !c)
        return c.error();
    out.epoch = m.root.epoch;
    return out;
}

Result<DeleteResult> ShardedCollection::remove(std::span<const uint64_t> ids) {
    Impl &m = *impl_;
    if (m.read_only)
        return Error{Status::ReadOnly, "collection was opened read-only"};
    std::vector<std::vector<uint64_t>> parts(m.shards.size());
    for (uint64_t id : ids)
        if (m.root.routing == core::ShardRouting::IdHash)
            parts[shard_detail::shard_of_id(id, m.count()) - 1u].push_back(id);
        else
            for (auto &p : parts) // rows placed by centroid may be in any shard
                p.push_back(id);
    DeleteResult out;
    for (size_t s = 0; s < parts.size(); ++s) {
        if (parts[s].empty())
            continue;
        auto r = m.shards[s].store->remove(parts[s]);
        if (!r)
            return Error{r.status(), m.label(s) + ": " + r.error().message};
        if (r->deleted)
            m.shards[s].dirty = true;
        out.deleted += r->deleted;
    }
    if (auto c = m.commit_root(); !c)
        return c.error();
    out.epoch = m.root.epoch;
    return out;
}

Result<FanOutResult> ShardedCollection::query(std::span<const float> vector, size_t k, const QueryOptions &options,
                                              const FanOutOptions &fan_out) const {
    const Impl &m = *impl_;
    if (vector.size() != m.dimension())
        return Error{Status::DimensionMismatch, "query has " + std::to_string(vector.size()) + " components, the "
                                                "collection " + std::to_string(m.dimension())};
    FanOutResult out;
    for (size_t i = 0; i < m.shards.size(); ++i) {
        if (m.shards[i].error) {
            if (fan_out.require_all)
                return *m.shards[i].error;
            out.failed.push_back({static_cast<uint16_t>(i + 1), m.root.shards[i].name, *m.shards[i].error});
        }
        if (m.shards[i].stale)
            out.stale.push_back(static_cast<uint16_t>(i + 1));
    }
    // Summaries bound L2 distances of f32 rows exactly; other metrics and quantised rows are
    // queried everywhere (max_shards still limits them, approximately).
    const bool bounds_exact = static_cast<Metric>(m.root.config.metric) == Metric::L2 &&
                              static_cast<StorageType>(m.root.config.storage) == StorageType::F32;
    struct Candidate {
        size_t shard;
        float lb;
        bool skippable;
    };
    std::vector<Candidate> order;
    for (size_t i = 0; i < m.shards.size(); ++i)
        if (m.shards[i].store) {
            const auto &sum = m.root.shards[i].summary;
            order.push_back({i, sum.count() ? shard_detail::lower_bound_l2sq(sum, vector) : 0.0f,
                             !m.shards[i].stale && sum.count() > 0});
        }
    std::stable_sort(order.begin(), order.end(), [](const Candidate &a, const Candidate &b) { return a.lb < b.lb; });
    if (fan_out.max_shards > 0 && order.size() > fan_out.max_shards) {
        // Stale shards are always asked; the rest fill the remaining places nearest first.
        std::vector<Candidate> keep;
        size_t room = fan_out.max_shards;
        for (const Candidate &c : order)
            if (!c.skippable)
                keep.push_back(c);
        room = keep.size() >= room ? 0 : room - keep.size();
        for (const Candidate &c : order)
            if (c.skippable && room > 0) {
                keep.push_back(c);
                --room;
            }
        out.shards_skipped = static_cast<uint16_t>(order.size() - keep.size());
        std::stable_sort(keep.begin(), keep.end(), [](const Candidate &a, const Candidate &b) { return a.lb < b.lb; });
        order = std::move(keep);
    }

    std::mutex mu;
    std::vector<Neighbor> best; // a max-heap (merge_neighbors) of at most k
    std::vector<ShardFailure> failures;
    std::atomic<size_t> next{0};
    std::atomic<uint16_t> queried{0}, skipped{0};
    QueryOptions per = options;
    per.stats = nullptr;
    auto worker = [&] {
        for (size_t n; (n = next.fetch_add(1)) < order.size();) {
            const Candidate &c = order[n];
            if (bounds_exact && c.skippable && k > 0) {
                std::lock_guard g(mu);
                if (best.size() == k && shard_bound_exceeds(c.lb, best.front().distance)) {
                    ++skipped;
                    continue;
                }
            }
            auto r = m.shards[c.shard].store->query(vector, k, per);
            std::lock_guard g(mu);
            ++queried;
            if (!r) {
                failures.push_back({static_cast<uint16_t>(c.shard + 1), m.root.shards[c.shard].name,
                                    Error{r.status(), m.label(c.shard) + ": " + r.error().message}});
                continue;
            }
            merge_neighbors(best, *r, k);
        }
    };
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    const size_t threads = 1; // no threads in this build: the shards are asked one after another
#else
    const size_t threads = std::min<size_t>(order.size(), std::max(1u, std::thread::hardware_concurrency()));
#endif
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (auto &t : pool)
        t.join();
    if (!failures.empty() && fan_out.require_all)
        return failures.front().error;
    std::sort(failures.begin(), failures.end(),
              [](const ShardFailure &a, const ShardFailure &b) { return a.shard_id < b.shard_id; });
    out.failed.insert(out.failed.end(), failures.begin(), failures.end());
    finish_top_k(best);
    out.neighbors = std::move(best);
    out.shards_queried = queried;
    out.shards_skipped = static_cast<uint16_t>(out.shards_skipped + skipped);
    return out;
}

Result<void> ShardedCollection::compact() {
    Impl &m = *impl_;
    if (m.read_only)
        return Error{Status::ReadOnly, "collection was opened read-only"};
    for (size_t s = 0; s < m.shards.size(); ++s) {
        if (auto r = m.shards[s].store->compact(); !r)
            return Error{r.status(), m.label(s) + ": " + r.error().message};
        m.shards[s].dirty = true;
    }
    return m.commit_root();
}

ShardedStatus ShardedCollection::status() const {
    const Impl &m = *impl_;
    ShardedStatus st;
    st.dimension = m.dimension();
    st.metric = static_cast<Metric>(m.root.config.metric);
    st.routing = m.root.routing;
    st.epoch = m.root.epoch;
    st.read_only = m.read_only;
    for (size_t i = 0; i < m.root.shards.size(); ++i) {
        const auto &rs = m.root.shards[i];
        st.total_vectors += rs.live_rows;
        st.shards.push_back({static_cast<uint16_t>(i + 1), rs.name, m.shards[i].path, rs.file_size, rs.live_rows,
                             static_cast<uint32_t>(rs.summary.count())});
    }
    return st;
}

Result<void> ShardedCollection::close() {
    if (!impl_)
        return {};
    Impl &m = *impl_;
    if (m.read_only) {
        for (auto &s : m.shards)
            s.store.reset();
        return {};
    }
    if (!m.lock)
        return {};
    for (size_t s = 0; s < m.shards.size(); ++s)
        if (m.shards[s].store) {
            if (auto r = m.shards[s].store->close(); !r)
                return Error{r.status(), m.label(s) + ": " + r.error().message};
            m.shards[s].dirty = true; // close() checkpoints: the tail changed
        }
    auto c = m.commit_root();
    for (auto &s : m.shards)
        s.store.reset();
    m.lock.reset();
    return c;
}

Result<ShardedCollection> ShardedCollection::split(const RvfStore &source, const std::string &root_path,
                                                   const ShardedOptions &options) {
    const StoreStatus src = source.status();
    ShardedOptions o = options;
    if (o.store.dimension == 0) {
        o.store.dimension = src.dimension;
        o.store.metric = src.metric;
        o.store.storage = src.storage;
    } else if (o.store.dimension != src.dimension) {
        return Error{Status::DimensionMismatch, "split: the shards' dimension must be the source's (" +
                                                    std::to_string(src.dimension) + ")"};
    }
    const size_t dim = o.store.dimension;
    // Routing centroids (by centroid): k-means over a seeded sample of at most 20,000 rows.
    ShardSummary routing;
    if (o.routing == core::ShardRouting::Centroid) {
        auto sample = sample_rows(source, dim, 20000, kSummarySeed);
        if (!sample)
            return sample.error();
        routing = shard_detail::summarize(*sample, dim, o.shards, kSummarySeed);
        if (routing.count() < o.shards)
            return Error{Status::InvalidArgument, "split by centroid needs at least as many rows as shards"};
    }
    ShardedOptions create_opts = o;
    create_opts.routing = core::ShardRouting::IdHash; // create() refuses Centroid; set below
    auto c = create(root_path, create_opts);
    if (!c)
        return c.error();
    Impl &m = *c->impl_;
    if (o.routing == core::ShardRouting::Centroid) {
        m.root.routing = core::ShardRouting::Centroid;
        for (uint16_t s = 0; s < o.shards; ++s) { // each shard starts summarised by its own centre
            auto &sum = m.root.shards[s].summary;
            sum.dim = dim;
            sum.centroids.assign(routing.centroids.begin() + static_cast<long>(s * dim),
                                 routing.centroids.begin() + static_cast<long>((s + 1) * dim));
            sum.radii.assign(1, 0.0f);
        }
    }
    // Copy the rows in pages; each page is one routed ingest.
    for (std::optional<uint64_t> after;;) {
        auto page = source.ids_after(after, 10000);
        if (!page)
            return page.error();
        if (page->empty())
            break;
        std::vector<uint64_t> ids;
        std::vector<float> rows;
        std::vector<std::vector<MetadataEntry>> meta;
        for (uint64_t id : *page) {
            auto v = source.vector(id);
            if (!v)
                continue;
            ids.push_back(id);
            rows.insert(rows.end(), v->begin(), v->end());
            meta.push_back(source.metadata_copy(id).value_or(std::vector<MetadataEntry>{}));
        }
        if (auto r = c->ingest_batch(ids, rows, meta); !r)
            return r.error();
        after = page->back();
    }
    for (size_t s = 0; s < m.shards.size(); ++s) {
        if (auto r = m.shards[s].store->compact(); !r)
            return Error{r.status(), m.label(s) + ": " + r.error().message};
        if (auto r = m.shards[s].store->build_index(); !r)
            return Error{r.status(), m.label(s) + ": " + r.error().message};
        // Routing summaries of the shard's rows as they now are (tighter than those grown
        // batch by batch, and for centroid routing more than the one routing centre).
        auto sum = summarize_store(*m.shards[s].store, dim, m.summary_centroids, kSummarySeed + s);
        if (!sum)
            return Error{sum.status(), m.label(s) + ": " + sum.error().message};
        if (o.routing == core::ShardRouting::Centroid) { // keep the routing centre: later rows route by it
            const auto &grown = m.root.shards[s].summary; // the centre, its radius grown by the ingest
            sum->centroids.insert(sum->centroids.begin(), grown.centroids.begin(), grown.centroids.begin() + static_cast<long>(dim));
            sum->radii.insert(sum->radii.begin(), grown.radii.front());
        }
        m.root.shards[s].summary = std::move(*sum);
        m.shards[s].dirty = true;
    }
    if (auto r = m.commit_root(); !r)
        return r.error();
    return c;
}

} // namespace rvf

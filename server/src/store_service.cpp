// store_service.cpp — see rvf/server/store_service.hpp.
#include <rvf/server/store_service.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <shared_mutex>

namespace rvf::server {
namespace {
const Error kClosed{Status::StoreClosed, "the server is shutting down"};
} // namespace

FileSnapshot::FileSnapshot(FileSnapshot &&o) noexcept
    : fd(o.fd), size(o.size), epoch(o.epoch), etag(std::move(o.etag)) {
    o.fd = -1;
}

FileSnapshot &FileSnapshot::operator=(FileSnapshot &&o) noexcept {
    if (this != &o) {
        if (fd >= 0)
            ::close(fd);
        fd = o.fd;
        size = o.size;
        epoch = o.epoch;
        etag = std::move(o.etag);
        o.fd = -1;
    }
    return *this;
}

FileSnapshot::~FileSnapshot() {
    if (fd >= 0)
        ::close(fd);
}

StoreService::StoreService(RvfStore store, size_t subscriber_queue_capacity)
    : store_(std::move(store)), hub_(subscriber_queue_capacity), dimension_(store_.status().dimension),
      path_(store_.path()) {}

StoreService::~StoreService() { (void)close(); }

namespace {

/// The ids of a batch the store accepted: every id but those it rejected, at most kMaxEventIds.
std::pair<std::vector<uint64_t>, bool> accepted_ids(std::span<const uint64_t> ids, const IngestResult &r) {
    std::vector<bool> rejected(ids.size(), false);
    for (const Rejection &x : r.rejections)
        if (x.index < ids.size())
            rejected[x.index] = true;
    std::vector<uint64_t> out;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (rejected[i])
            continue;
        if (out.size() == kMaxEventIds)
            return {std::move(out), true};
        out.push_back(ids[i]);
    }
    return {std::move(out), false};
}

std::pair<std::vector<uint64_t>, bool> first_ids(std::span<const uint64_t> ids) {
    const size_t n = std::min(ids.size(), kMaxEventIds);
    return {std::vector<uint64_t>(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n)), ids.size() > n};
}

} // namespace

void StoreService::publish_if_committed(uint32_t epoch_before, uint32_t epoch_after, EventKind kind,
                                        uint64_t affected, std::vector<uint64_t> ids, bool ids_truncated) {
    if (epoch_after == epoch_before)
        return; // nothing committed (every vector rejected, no live id named, ...)
    UpdateEvent e;
    e.epoch = epoch_after;
    e.kind = kind;
    e.affected_count = affected > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(affected);
    e.new_total = store_.status().total_vectors;
    e.ids = std::move(ids);
    e.ids_truncated = ids_truncated;
    hub_.publish(e);
}

Result<IngestResult> StoreService::ingest(std::span<const uint64_t> ids, std::span<const float> vectors,
                                          std::span<const std::vector<MetadataEntry>> metadata) {
    std::unique_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    const uint32_t before = store_.status().current_epoch;
    auto r = store_.ingest_batch(ids, vectors, metadata);
    if (r) {
        auto [named, truncated] = accepted_ids(ids, *r);
        publish_if_committed(before, r->epoch, EventKind::Ingest, r->accepted, std::move(named), truncated);
    }
    return r;
}

Result<std::vector<Neighbor>> StoreService::query(std::span<const float> vector, size_t k,
                                                  const QueryOptions &options) const {
    std::shared_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    return store_.query(vector, k, options);
}

Result<DeleteResult> StoreService::remove(std::span<const uint64_t> ids) {
    std::unique_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    const uint32_t before = store_.status().current_epoch;
    auto r = store_.remove(ids);
    if (r) {
        auto [named, truncated] = first_ids(ids);
        publish_if_committed(before, r->epoch, EventKind::Delete, r->deleted, std::move(named), truncated);
    }
    return r;
}

Result<DeleteResult> StoreService::remove_by_filter(const FilterExpr &filter) {
    std::unique_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    const uint32_t before = store_.status().current_epoch;
    // The rows the filter names, read before they go (only when someone listens for them).
    std::vector<uint64_t> named;
    bool truncated = false;
    if (hub_.subscriber_count() > 0) {
        auto f = store_.find_ids(&filter, std::nullopt, kMaxEventIds + 1);
        if (f) {
            named = std::move(*f);
            truncated = named.size() > kMaxEventIds;
            if (truncated)
                named.resize(kMaxEventIds);
        }
    }
    auto r = store_.remove_by_filter(filter);
    if (r)
        publish_if_committed(before, r->epoch, EventKind::Delete, r->deleted, std::move(named), truncated);
    return r;
}

// Upserts and metadata updates are published as ingest events: subscribers learn that rows
// changed (affected = rows written), and every commit keeps its place in the epoch order.
Result<IngestResult> StoreService::upsert(std::span<const uint64_t> ids, std::span<const float> vectors,
                                          std::span<const std::vector<MetadataEntry>> metadata) {
    std::unique_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    const uint32_t before = store_.status().current_epoch;
    auto r = store_.upsert_batch(ids, vectors, metadata);
    if (r) {
        auto [named, truncated] = accepted_ids(ids, *r);
        publish_if_committed(before, r->epoch, EventKind::Ingest, r->accepted, std::move(named), truncated);
    }
    return r;
}

Result<IngestResult> StoreService::update_metadata(std::span<const uint64_t> ids,
                                                   std::span<const std::vector<MetadataEntry>> metadata) {
    std::unique_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    const uint32_t before = store_.status().current_epoch;
    auto r = store_.update_metadata(ids, metadata);
    if (r) {
        auto [named, truncated] = accepted_ids(ids, *r);
        publish_if_committed(before, r->epoch, EventKind::Ingest, r->accepted, std::move(named), truncated);
    }
    return r;
}

Result<WitnessRecord> StoreService::append_witness(uint8_t witness_type, std::span<const uint8_t> payload) {
    std::unique_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    return store_.append_witness(witness_type, payload);
}

Result<std::vector<WitnessRecord>> StoreService::witness_entries(uint64_t from, size_t limit) const {
    std::shared_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    return store_.witness_entries(from, limit);
}

Result<uint64_t> StoreService::count(const FilterExpr *filter) const {
    std::shared_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    return store_.count(filter);
}

Result<std::vector<uint64_t>> StoreService::find_ids(const FilterExpr *filter, std::optional<uint64_t> after,
                                                     size_t limit) const {
    std::shared_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    return store_.find_ids(filter, after, limit);
}

Result<CompactResult> StoreService::compact(const CompactOptions &options) {
    std::unique_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    const uint32_t before = store_.status().current_epoch;
    auto r = store_.compact(options);
    if (r)
        publish_if_committed(before, r->epoch, EventKind::Compaction, r->segments_compacted);
    return r;
}

StoreStatus StoreService::status() const {
    std::shared_lock<RwLock> g(mu_);
    return store_.status();
}

VerifyReport StoreService::verify() const {
    std::shared_lock<RwLock> g(mu_);
    return store_.verify();
}

Result<FileSnapshot> StoreService::file_snapshot() const {
    std::shared_lock<RwLock> g(mu_);
    if (closed_)
        return kClosed;
    // Under the shared lock no commit or compaction runs, so the size, the epoch and the inode
    // the descriptor names all belong to the same committed state.
    const StoreStatus st = store_.status();
    FileSnapshot snap;
    snap.fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (snap.fd < 0)
        return Error{Status::IoError, "cannot open " + path_ + ": " + std::strerror(errno)};
    snap.size = st.file_size;
    snap.epoch = st.current_epoch;
    snap.etag = "\"rvf-" + std::to_string(st.current_epoch) + "-" + std::to_string(st.file_size) + "\"";
    return snap;
}

std::shared_ptr<Subscription> StoreService::subscribe(uint32_t min_epoch, uint8_t notify_flags,
                                                      uint32_t *start_epoch, uint64_t *total_vectors) {
    // Shared lock: commits publish under the exclusive lock, so none can fall between reading
    // the epoch and registering — the subscriber misses nothing and sees nothing twice.
    std::shared_lock<RwLock> g(mu_);
    const StoreStatus st = store_.status();
    if (start_epoch)
        *start_epoch = st.current_epoch;
    if (total_vectors)
        *total_vectors = st.total_vectors;
    auto s = hub_.subscribe(min_epoch, notify_flags);
    if (closed_)
        s->close();
    return s;
}

Result<void> StoreService::close() {
    hub_.close_all();
    std::unique_lock<RwLock> g(mu_);
    if (closed_)
        return {};
    closed_ = true;
    return store_.close();
}

} // namespace rvf::server

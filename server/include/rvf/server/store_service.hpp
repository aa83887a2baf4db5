// rvf/server/store_service.hpp — the one RvfStore a server shares between its HTTP and TCP
// front ends: many readers, one writer.
//
// Locking. A writer-preferring RwLock (rw_lock.hpp) guards the store. query / status / verify /
// file_snapshot take it shared: RvfStore's const members may run concurrently (the only lazily
// built state, the HNSW graph, is built under the store's own index mutex; search scratch is
// thread_local), as long as no write runs. ingest / remove / compact / close take it
// exclusively, so a query sees the store before a commit or after it — never a batch half
// applied to the in-memory tables. Each successful commit publishes its UpdateEvent while the
// exclusive lock is still held, which gives every subscriber the same epoch order.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <rvf/server/event_hub.hpp>
#include <rvf/server/rw_lock.hpp>
#include <rvf/store.hpp>

namespace rvf::server {

/// The committed file as of one epoch: an open descriptor (so a later compaction's rename
/// cannot swap the bytes underneath) and the committed length. Bytes [0, size) of an
/// append-only RVF file never change once committed.
struct FileSnapshot {
    int fd = -1;
    uint64_t size = 0;
    uint32_t epoch = 0;
    std::string etag; ///< strong validator, changes with every commit: "\"rvf-<epoch>-<size>\""
    FileSnapshot() = default;
    FileSnapshot(const FileSnapshot &) = delete;
    FileSnapshot &operator=(const FileSnapshot &) = delete;
    FileSnapshot(FileSnapshot &&o) noexcept;
    FileSnapshot &operator=(FileSnapshot &&o) noexcept;
    ~FileSnapshot();
};

class StoreService {
public:
    StoreService(RvfStore store, size_t subscriber_queue_capacity);
    ~StoreService();

    /// Errors: as RvfStore::ingest_batch; StoreClosed after close().
    Result<IngestResult> ingest(std::span<const uint64_t> ids, std::span<const float> vectors,
                                std::span<const std::vector<MetadataEntry>> metadata = {});
    Result<std::vector<Neighbor>> query(std::span<const float> vector, size_t k, const QueryOptions &options) const;
    Result<DeleteResult> remove(std::span<const uint64_t> ids);
    Result<DeleteResult> remove_by_filter(const FilterExpr &filter);
    /// Errors: as RvfStore::upsert_batch / update_metadata; StoreClosed after close().
    Result<IngestResult> upsert(std::span<const uint64_t> ids, std::span<const float> vectors,
                                std::span<const std::vector<MetadataEntry>> metadata = {});
    Result<IngestResult> update_metadata(std::span<const uint64_t> ids,
                                         std::span<const std::vector<MetadataEntry>> metadata);
    Result<uint64_t> count(const FilterExpr *filter) const;
    /// The audit trail (RvfStore::append_witness / witness_entries): one commit, under the write lock.
    Result<WitnessRecord> append_witness(uint8_t witness_type, std::span<const uint8_t> payload);
    Result<std::vector<WitnessRecord>> witness_entries(uint64_t from, size_t limit) const;
    Result<std::vector<uint64_t>> find_ids(const FilterExpr *filter, std::optional<uint64_t> after,
                                           size_t limit) const;
    Result<CompactResult> compact(const CompactOptions &options = {});
    StoreStatus status() const;
    VerifyReport verify() const;
    /// Errors: IoError (the file cannot be opened), StoreClosed.
    Result<FileSnapshot> file_snapshot() const;
    /// A subscription registered atomically with the epoch it starts after: it receives exactly
    /// the commits with epoch > *start_epoch (and ≥ min_epoch).
    std::shared_ptr<Subscription> subscribe(uint32_t min_epoch, uint8_t notify_flags, uint32_t *start_epoch,
                                            uint64_t *total_vectors = nullptr);
    EventHub &events() { return hub_; }
    uint16_t dimension() const { return dimension_; }
    const std::string &path() const { return path_; }

    /// Ends every subscription, then flushes and closes the store (releases the writer lock).
    /// Idempotent; later calls to the methods above return StoreClosed (status: last known).
    Result<void> close();

private:
    void publish_if_committed(uint32_t epoch_before, uint32_t epoch_after, EventKind kind, uint64_t affected,
                              std::vector<uint64_t> ids = {}, bool ids_truncated = false);

    mutable RwLock mu_;
    RvfStore store_;
    bool closed_ = false;
    EventHub hub_;
    const uint16_t dimension_;
    const std::string path_;
};

} // namespace rvf::server

// native/src/handle.hpp — the state one RvfDatabase wraps, shared with the async workers that
// use it (a worker keeps the handle alive even if the JS object is collected mid-call).
//
// Threading (checked against runtime/src/store): RvfStore's const members (query, status,
// segments, verify, metadata, vector, export_*) may run concurrently with each other — the lazy
// HNSW build inside a const query is serialised by the store's own index mutex, search scratch
// is thread_local and MetadataTable's const members never mutate — but not with any non-const
// member (ingest_batch, remove*, build_index, compact, close). So each handle has a
// reader/writer lock: readers share it, writers and close take it exclusively. A synchronous
// call made while an async write holds the lock waits for that write (a blocking wait on the
// JS thread; the worker never needs the JS thread to finish, so this cannot deadlock).
#pragma once
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include <rvf/store.hpp>

namespace rvf::node {

struct StoreHandle {
    std::shared_mutex mu;
    std::optional<RvfStore> store; ///< nullopt once closed
};
using HandlePtr = std::shared_ptr<StoreHandle>;

/// The store for reading: holds the shared lock; `store` is null when the handle is closed.
struct ReadAccess {
    std::shared_lock<std::shared_mutex> lock;
    const RvfStore *store;
    explicit ReadAccess(StoreHandle &h) : lock(h.mu), store(h.store ? &*h.store : nullptr) {}
};

/// The store for writing: holds the exclusive lock; `store` is null when the handle is closed.
struct WriteAccess {
    std::unique_lock<std::shared_mutex> lock;
    RvfStore *store;
    explicit WriteAccess(StoreHandle &h) : lock(h.mu), store(h.store ? &*h.store : nullptr) {}
};

} // namespace rvf::node

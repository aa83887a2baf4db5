// native/src/handle.hpp — the state one RvfDatabase wraps, shared with the async workers that
// use it (a worker keeps the handle alive even if the JS object is collected mid-call).
//
// Threading: RvfStore serialises its own writers and lets readers run beside them (rvf/store.hpp;
// a write waits for its fsync outside the store's lock, so concurrent writes share fsyncs —
// group commit). The handle's lock only keeps the store alive: every call holds it shared, and
// only close()/freeze(), which end or replace the store, take it exclusively. A synchronous
// close() made while async calls run waits for them (a blocking wait on the JS thread; the
// workers never need the JS thread to finish, so this cannot deadlock).
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

/// The store for writing: holds the lock shared (the store orders writes itself); `store` is
/// null when the handle is closed.
struct WriteAccess {
    std::shared_lock<std::shared_mutex> lock;
    RvfStore *store;
    explicit WriteAccess(StoreHandle &h) : lock(h.mu), store(h.store ? &*h.store : nullptr) {}
};

/// close()/freeze(): the exclusive lock, after every call in flight.
struct CloseAccess {
    std::unique_lock<std::shared_mutex> lock;
    RvfStore *store;
    explicit CloseAccess(StoreHandle &h) : lock(h.mu), store(h.store ? &*h.store : nullptr) {}
};

} // namespace rvf::node

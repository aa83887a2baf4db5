// rvf/server/event_hub.hpp — commit notifications fanned out to subscribers (SSE and TCP
// SUBSCRIBE), each through its own bounded queue.
//
// The writer publishes while it still holds the store's exclusive lock, so every subscriber
// receives the events of one store in the same (epoch) order. publish() never blocks on a
// subscriber: it only appends to each queue; a queue that is full marks its subscription
// "overflowed" (the event and every later one are dropped for it) and the transport tells that
// client and closes it — a slow reader can cost itself its subscription, never a writer its
// progress. Event fields mirror spec 10 §6 UPDATE_NOTIFY (RVF-FORMAT.md §10.4).
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

namespace rvf::server {

/// UPDATE_NOTIFY event codes (spec 10 §6): 0 ingest, 1 delete, 2 compaction.
enum class EventKind : uint8_t { Ingest = 0, Delete = 1, Compaction = 2 };

/// "ingest", "delete", "compaction".
const char *event_kind_name(EventKind k);

/// notify_flags bits of SUBSCRIBE (spec 10 §6): bit0 ingest, bit1 delete, bit2 compaction.
inline constexpr uint8_t kNotifyAll = 0x07;
constexpr uint8_t notify_bit(EventKind k) { return static_cast<uint8_t>(1u << static_cast<uint8_t>(k)); }

/// Ids an event names at most: a subscriber's queue stays bounded in bytes, not only in events.
/// A bigger commit sets ids_truncated; the subscriber then re-reads what it needs (find/ids).
inline constexpr size_t kMaxEventIds = 4096;

struct UpdateEvent {
    uint32_t epoch = 0;          ///< the store's epoch after the commit
    EventKind kind = EventKind::Ingest;
    uint32_t affected_count = 0; ///< vectors accepted / deleted; segments compacted
    uint64_t new_total = 0;      ///< live vectors after the commit
    /// The rows the commit wrote (ingest, upsert, metadata update: the accepted ids) or named for
    /// deletion (delete by ids: the ids asked for; by filter: those that matched), at most
    /// kMaxEventIds. Empty for compaction. The SSE stream carries them; TCP UPDATE_NOTIFY keeps
    /// the spec's fixed fields only.
    std::vector<uint64_t> ids;
    bool ids_truncated = false;
    bool operator==(const UpdateEvent &) const = default;
};

/// One subscriber's queue. Thread-safe: the hub pushes, one consumer pops.
class Subscription {
public:
    enum class Pop { Event, Timeout, Overflow, Closed };

    Subscription(uint32_t min_epoch, uint8_t notify_flags, size_t capacity);

    /// Waits up to `timeout` for the next event. Overflow is reported once the events queued
    /// before it have been taken; Closed after close() (queued events are dropped).
    Pop pop(UpdateEvent &out, std::chrono::milliseconds timeout);
    /// Ends the subscription: pop() returns Closed from now on.
    void close();
    /// Events dropped because the queue was full (0 unless pop() reported Overflow).
    uint64_t dropped() const;
    /// Epoch of the last event handed out by pop() (the min_epoch − 1 floor before that).
    uint32_t last_epoch() const;

private:
    friend class EventHub;
    void offer(const UpdateEvent &e); // called by the hub only

    mutable std::mutex m_;
    std::condition_variable cv_;
    std::deque<UpdateEvent> q_;
    const uint32_t min_epoch_;
    const uint8_t flags_;
    const size_t capacity_;
    bool overflowed_ = false;
    bool closed_ = false;
    uint64_t dropped_ = 0;
    uint32_t last_epoch_ = 0;
};

class EventHub {
public:
    explicit EventHub(size_t queue_capacity) : capacity_(queue_capacity ? queue_capacity : 1) {}

    /// A new subscription that receives every event published from now on whose epoch is
    /// ≥ min_epoch and whose kind is in notify_flags (kNotifyAll: all). After close_all() the
    /// subscription starts closed.
    std::shared_ptr<Subscription> subscribe(uint32_t min_epoch = 0, uint8_t notify_flags = kNotifyAll);
    /// Appends `e` to every live subscription's queue (never blocks on a consumer).
    void publish(const UpdateEvent &e);
    /// Closes every subscription and refuses new ones (server shutdown).
    void close_all();
    /// Subscriptions still registered (closed ones are pruned at the next publish/subscribe).
    size_t subscriber_count() const;

private:
    void prune_locked();

    mutable std::mutex m_;
    std::vector<std::weak_ptr<Subscription>> subs_;
    const size_t capacity_;
    bool closed_ = false;
};

} // namespace rvf::server

// rvf/server/slot_limiter.hpp — a cap on long-lived streams (SSE subscribers), in total and per
// client address.
//
// Why: cpp-httplib serves each connection on one pool thread for as long as it stays open, and
// an SSE stream stays open until the server stops. Without a cap, threads-many idle
// subscribers take every thread and even /v1/health hangs (issue 14 #7a). The total cap is
// kept below the pool size, so threads are always left for ordinary requests; the per-address
// cap stops one client from taking all the slots.
#pragma once
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace rvf::server {

class SlotLimiter {
public:
    SlotLimiter(size_t max_total, size_t max_per_key) : max_total_(max_total), max_per_key_(max_per_key) {}

    /// Held while the stream runs; destroying it frees the slot.
    class Slot {
    public:
        Slot(SlotLimiter &l, std::string key) : l_(l), key_(std::move(key)) {}
        ~Slot() { l_.release(key_); }
        Slot(const Slot &) = delete;
        Slot &operator=(const Slot &) = delete;

    private:
        SlotLimiter &l_;
        std::string key_;
    };

    /// A slot for `key` (the client address), or nullptr when either cap is reached.
    std::unique_ptr<Slot> try_acquire(const std::string &key);
    size_t in_use() const;
    size_t max_total() const { return max_total_; }
    size_t max_per_key() const { return max_per_key_; }

private:
    void release(const std::string &key);

    mutable std::mutex m_;
    std::map<std::string, size_t> per_key_;
    size_t total_ = 0;
    const size_t max_total_;
    const size_t max_per_key_;
};

} // namespace rvf::server

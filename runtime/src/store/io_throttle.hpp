// io_throttle.hpp — a token bucket over bytes per second: compaction asks it before every write so
// a background rewrite never takes more of the disk than the caller allowed. The clock and the
// sleep are injectable so tests drive it with a fake clock (no real waiting, no timed asserts).
#pragma once
#include <cstdint>
#include <functional>

namespace rvf::store_detail {

class IoThrottle {
public:
    using Clock = std::function<uint64_t()>;          ///< monotonic nanoseconds
    using Sleep = std::function<void(uint64_t ns)>;   ///< blocks for about that long

    /// bytes_per_second 0 = unthrottled (acquire never waits). burst_bytes: how much idle time
    /// may be saved up and spent at once (0 = one second's worth, at least 64 KiB: the time a
    /// rewrite spends encoding between writes counts towards its rate, so a CPU-bound rewrite is
    /// not slowed further, while no second ever sees much more than twice the rate).
    /// The bucket starts empty, so even a short rewrite runs at the rate from its first byte.
    explicit IoThrottle(uint64_t bytes_per_second, uint64_t burst_bytes = 0, Clock clock = {}, Sleep sleep = {});

    /// Wait until `bytes` may be written. A request larger than the bucket is allowed and paid
    /// for afterwards (the bucket goes into debt and the call sleeps the debt off), so any chunk
    /// size keeps the long-run rate.
    void acquire(uint64_t bytes);

    uint64_t bytes_per_second() const { return rate_; }
    /// Nanoseconds this throttle has slept so far.
    uint64_t slept_ns() const { return slept_ns_; }

private:
    void refill(uint64_t now);

    uint64_t rate_;
    double burst_;
    double tokens_ = 0; ///< bytes that may be written now; negative = debt
    uint64_t last_ns_ = 0;
    bool started_ = false;
    uint64_t slept_ns_ = 0;
    Clock clock_;
    Sleep sleep_;
};

} // namespace rvf::store_detail

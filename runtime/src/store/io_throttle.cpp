// io_throttle.cpp — see io_throttle.hpp.
#include "io_throttle.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

namespace rvf::store_detail {
namespace {
uint64_t steady_now_ns() {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
}
void real_sleep(uint64_t ns) { std::this_thread::sleep_for(std::chrono::nanoseconds(ns)); }
} // namespace

IoThrottle::IoThrottle(uint64_t bytes_per_second, uint64_t burst_bytes, Clock clock, Sleep sleep)
    : rate_(bytes_per_second),
      burst_(static_cast<double>(burst_bytes != 0 ? burst_bytes
                                                  : std::max<uint64_t>(bytes_per_second, 64 * 1024))),
      clock_(clock ? std::move(clock) : Clock(steady_now_ns)), sleep_(sleep ? std::move(sleep) : Sleep(real_sleep)) {}

void IoThrottle::refill(uint64_t now) {
    if (!started_) { // the first request starts the clock with an empty bucket
        started_ = true;
        last_ns_ = now;
        return;
    }
    if (now <= last_ns_)
        return;
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(now - last_ns_) * static_cast<double>(rate_) / 1e9);
    last_ns_ = now;
}

void IoThrottle::acquire(uint64_t bytes) {
    if (rate_ == 0 || bytes == 0)
        return;
    refill(clock_());
    tokens_ -= static_cast<double>(bytes);
    if (tokens_ >= 0)
        return;
    // Sleep the debt off; the next refill credits the time slept, bringing the bucket back to ~0.
    const auto wait = static_cast<uint64_t>(std::ceil(-tokens_ * 1e9 / static_cast<double>(rate_)));
    sleep_(wait);
    slept_ns_ += wait;
    refill(clock_());
}

} // namespace rvf::store_detail

// Internal: a tiny fork-join loop for quantizer training and batch encoding. Work items are
// handed out through an atomic counter, so the split never changes what an item computes —
// results are identical for every thread count.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace rvf::quant_detail {

#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
inline constexpr bool kHaveThreads = false; // std::thread would abort without wasm pthreads
#else
inline constexpr bool kHaveThreads = true;
#endif

/// Threads to use for `items` work items: `requested` (0 = all cores), at most `items`, ≥ 1.
inline unsigned resolve_threads(unsigned requested, size_t items) {
    if (!kHaveThreads)
        return 1;
    unsigned t = requested != 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
    if (items < t)
        t = static_cast<unsigned>(std::max<size_t>(items, 1));
    return t;
}

/// Calls fn(i) for every i < items on `threads` threads (the caller's thread is one of them).
template <class Fn> void parallel_for(size_t items, unsigned threads, Fn &&fn) {
    threads = resolve_threads(threads, items);
    if (threads <= 1) {
        for (size_t i = 0; i < items; ++i)
            fn(i);
        return;
    }
    std::atomic<size_t> next{0};
    auto worker = [&] {
        for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < items;
             i = next.fetch_add(1, std::memory_order_relaxed))
            fn(i);
    };
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back(worker);
    worker();
    for (auto &th : pool)
        th.join();
}

} // namespace rvf::quant_detail

// Internal: the small thread fan-out used by graph construction, repair, centroid assignment and
// hot-node ranking. Not a public header.
#pragma once
#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace rvf::index_detail {

/// Threads to use for `work` items: 0 = all cores; never more than one per ~256 items (thread
/// start-up would dominate); always 1 in a wasm build without pthreads (no std::thread there).
inline unsigned resolve_threads(unsigned threads, size_t work) {
#if defined(__EMSCRIPTEN__) && !defined(__EMSCRIPTEN_PTHREADS__)
    (void)threads;
    (void)work;
    return 1;
#else
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    const size_t useful = std::max<size_t>(1, work / 256);
    return static_cast<unsigned>(std::min<size_t>(threads, useful));
#endif
}

/// Run f(worker_index) on `threads` threads; the calling thread is worker 0.
template <class F> void run_parallel(unsigned threads, F &&f) {
    if (threads <= 1) {
        f(0u);
        return;
    }
    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned t = 1; t < threads; ++t)
        pool.emplace_back([&f, t] { f(t); });
    f(0u);
    for (auto &th : pool)
        th.join();
}

} // namespace rvf::index_detail

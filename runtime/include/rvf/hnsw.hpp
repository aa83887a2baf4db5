// rvf/hnsw.hpp — in-memory HNSW graph over the store's row slots (issue 4; spec §3.10, §6.4).
//
// The graph never owns vectors: node numbers are the store's dense row slots and every distance
// comes from the caller (HnswSpace at build time, a callable at query time), so one graph serves
// f32, f16 and i8 rows alike. Levels come from the spec's seeded id hash, so two builds of the same
// ids agree on every node's level (adjacency depends on insertion order and threads).
//
// Memory layout (hnswlib-style, for cache behaviour):
//  * level 0: one contiguous u32 array, (m0 + 1) slots per node: [count, n_0 … n_{m0−1}];
//  * levels ≥ 1: per node one block of level · (m + 1) slots, same shape per level;
//  * per node: level (−1 = not in the graph) and a spinlock used only while building.
//
// A graph is either owned (built, decoded from layers A/B/C) or borrowed: a read-only view of
// the same shapes lying in a mapped file (the flat layer F, rvf/index_flat.hpp), so an in-place
// open serves queries without decoding every node. Borrowed memory is untrusted: every read
// through it clamps counts to the degree bound and skips node numbers ≥ slots(), so a flipped
// bit changes answers, never the addresses read. Mutating a borrowed graph first copies it
// into owned memory (materialise), dropping whatever does not validate.
//
// Threading: insert() is internally parallel; search()/search_with() are const and may run
// concurrently with each other, but never concurrently with insert() (the store serialises
// writers against readers). Per-thread search scratch (visited generations, heaps) is reused
// across calls; a distance callback must not itself search the same thread's graphs.
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include <rvf/zeroed_array.hpp>

namespace rvf {

struct HnswParams {
    uint16_t m = 16;                ///< links per node on levels ≥ 1 (and picked per insert on level 0)
    uint16_t m0 = 32;               ///< level-0 degree bound (2·M, spec §3.10)
    uint16_t ef_construction = 200; ///< beam width while inserting
    /// Added to the id before the SplitMix64 level hash; 0 = upstream's level function exactly.
    uint64_t level_seed = 0;
};

/// Highest level a node may get (the codec allows 64 layers; the hash yields ≤ 39 for m ≥ 2).
inline constexpr int kHnswMaxLevel = 62;
inline constexpr uint32_t kHnswNone = UINT32_MAX;

/// Level of a node from the spec's seeded id hash (§3.10): u = top 53 bits of
/// SplitMix64(id + level_seed) / 2^53, clamped to [1e−12, 1 − 1e−12];
/// level = floor(−ln(u) · 1/ln(m)). m < 2 is treated as 2.
uint8_t hnsw_level_for_id(uint64_t id, const HnswParams &params);

struct HnswSearchStats {
    size_t distance_evals = 0; ///< distance callbacks made (= nodes visited)
    size_t expansions = 0;     ///< nodes whose neighbour lists were read
};

/// Distances the graph needs while building/repairing; the store implements it over its rows.
class HnswSpace {
public:
    virtual ~HnswSpace() = default;
    /// Distance between the rows of nodes a and b under the store's metric (any real-valued
    /// dissimilarity: L2², −dot, 1 − cos; smaller = closer).
    virtual float between(uint32_t a, uint32_t b) const = 0;
    /// Hint that node's row will be read soon (e.g. __builtin_prefetch of its first cache lines).
    virtual void prefetch(uint32_t) const {}
};

namespace hnsw_detail {
struct NoSkip {
    constexpr bool operator()(uint32_t) const { return false; }
};
struct NoPrefetch {
    constexpr void operator()(uint32_t) const {}
};
struct Entry {
    float d;
    uint32_t n;
};
struct Closer { // min-heap order for std::*_heap
    bool operator()(const Entry &a, const Entry &b) const { return a.d > b.d; }
};
struct Farther { // max-heap order
    bool operator()(const Entry &a, const Entry &b) const { return a.d < b.d; }
};
/// Per-thread search scratch: visited generations (u16, cleared on wrap) and two heaps.
struct Scratch {
    std::vector<uint16_t> visited;
    uint16_t gen = 0;
    std::vector<Entry> cand, top;
    std::vector<uint32_t> fresh; // unvisited neighbours of the node being expanded
    /// Start a new search over `slots` nodes with lists of up to `degree` entries; returns the
    /// generation marking "visited".
    uint16_t begin(size_t slots, size_t degree = 0) {
        if (fresh.size() < degree)
            fresh.resize(degree);
        if (visited.size() < slots) {
            visited.assign(slots + slots / 4 + 64, 0);
            gen = 0;
        }
        if (++gen == 0) {
            std::fill(visited.begin(), visited.end(), uint16_t{0});
            gen = 1;
        }
        cand.clear();
        top.clear();
        return gen;
    }
};
Scratch &thread_scratch();
class SpinLock {
public:
    void lock() {
        for (unsigned spins = 0; flag_.exchange(true, std::memory_order_acquire); ++spins)
            while (flag_.load(std::memory_order_relaxed))
                pause(spins);
    }
    void unlock() { flag_.store(false, std::memory_order_release); }

private:
    static void pause(unsigned spins);
    std::atomic<bool> flag_{false};
};
} // namespace hnsw_detail

/// Where a borrowed graph's arrays lie (all little-endian u32 / i8, caller keeps them alive).
struct HnswBorrowed {
    HnswParams params;
    size_t slots = 0;                 ///< node numbers < slots have a level byte and a level-0 list
    size_t nodes = 0;                 ///< nodes in the graph (as recorded; used for size())
    uint32_t entry = kHnswNone;       ///< validated: < slots, level(entry) == max_level
    int max_level = -1;
    const int8_t *levels = nullptr;   ///< slots bytes
    const uint32_t *l0 = nullptr;     ///< slots × (m0 + 1) words
    const uint32_t *upper_off = nullptr; ///< slots words: first word of the node's upper block, or kHnswNone
    const uint32_t *upper = nullptr;  ///< upper_words words
    size_t upper_words = 0;
};

class HnswGraph {
public:
    /// A read-only graph over memory the caller keeps alive (see the header comment).
    static HnswGraph borrow(const HnswBorrowed &b);
    bool borrowed() const { return borrowed_; }

    explicit HnswGraph(HnswParams p = {});
    HnswGraph(HnswGraph &&) noexcept;
    HnswGraph &operator=(HnswGraph &&) noexcept;
    HnswGraph(const HnswGraph &) = delete;
    HnswGraph &operator=(const HnswGraph &) = delete;
    ~HnswGraph();

    const HnswParams &params() const { return p_; }

    /// Add nodes (dense node numbers = the store's row slots; ids[i] gives nodes[i] its level).
    /// Parallel over `threads` (0 = all cores; wasm without pthreads: 1). With threads = 1 the
    /// result is deterministic for a given insertion order. Nodes already in the graph, and node
    /// UINT32_MAX, are skipped. Callable for every batch (incremental). Ends with
    /// repair_reachability() once the nodes added since the last repair reach 1/16 of the graph
    /// (a whole build, any large batch): the repair walks the whole graph, so running it after
    /// every one-row batch would make a stream of single inserts quadratic. settle() runs it for
    /// whatever is left (the store calls it before persisting the index). Precondition: the graph is
    /// complete (not a partial view from index_layers), nodes.size() == ids.size(), and no
    /// search runs concurrently.
    void insert(std::span<const uint32_t> nodes, std::span<const uint64_t> ids, const HnswSpace &space,
                unsigned threads = 0);

    /// k nearest: dist(node) = distance from the query to node; skip(node) true = tombstoned or
    /// filtered (still traversed, never returned). Returns (distance, node) ascending, at most k
    /// pairs; ef is raised to k when smaller.
    std::vector<std::pair<float, uint32_t>> search(const std::function<float(uint32_t)> &dist, size_t k, size_t ef,
                                                   const std::function<bool(uint32_t)> &skip = {},
                                                   HnswSearchStats *stats = nullptr) const;

    /// The same search with inlinable callables (the store's hot path): Dist: float(uint32_t),
    /// Skip: bool(uint32_t), Prefetch: void(uint32_t) — called for a node shortly before Dist.
    template <class Dist, class Skip = hnsw_detail::NoSkip, class Prefetch = hnsw_detail::NoPrefetch>
    std::vector<std::pair<float, uint32_t>> search_with(Dist &&dist, size_t k, size_t ef, Skip &&skip = Skip{},
                                                        HnswSearchStats *stats = nullptr,
                                                        Prefetch &&prefetch = Prefetch{}) const;

    size_t size() const { return count_; }       ///< nodes in the graph
    size_t slots() const { return cap_; }        ///< node numbers < slots() have storage
    int max_level() const { return max_level_; } ///< −1 when empty
    uint32_t entry_point() const { return entry_; }
    bool contains(uint32_t node) const { return level(node) >= 0; }
    /// Level of a node, −1 when not in the graph.
    int level(uint32_t node) const {
        if (node >= cap_)
            return -1;
        if (!borrowed_)
            return level_[node];
        const int v = b_.levels[node];
        return v < 0 || v > kHnswMaxLevel ? -1 : v;
    }
    /// Neighbours of node at level (unordered; empty when the node is not on that level).
    /// Valid until the next mutation. On a borrowed graph the count is clamped to the degree
    /// bound, but entries are not checked (they may be ≥ slots() in a damaged file).
    std::span<const uint32_t> neighbors(uint32_t node, int level) const;

    /// Renumber nodes: old_to_new[old] = new node number, UINT32_MAX (or old ≥ size of the map) =
    /// dropped (compaction). New numbers must be distinct. Lists that lose neighbours are repaired
    /// when `space` is given (it measures NEW node numbers): the survivors plus the dropped
    /// nodes' own neighbours are re-pruned with the HNSW heuristic, then repair_reachability()
    /// runs; without `space` dead links are just removed. A dropped entry point is replaced by a surviving node of the highest
    /// level. Parallel over `threads` (0 = all cores).
    HnswGraph remap(std::span<const uint32_t> old_to_new, const HnswSpace *space = nullptr, unsigned threads = 0) const;

    /// Link every node that cannot be reached over level-0 links from the entry point into the
    /// part that can: the node is added to the lists of those of its m nearest reachable nodes
    /// that have room (when none has, it is forced into the nearest one's list, re-pruned), and
    /// links back to them while its own list has room. Pruning the heuristic way lets a node lose
    /// its last incoming link (a parallel build, near-duplicate rows, a compaction repair), and a
    /// node nobody links to is never returned by any search. insert() and remap() with a space
    /// call this; returns the number of nodes linked. Serial and deterministic; not concurrent
    /// with searches.
    size_t repair_reachability(const HnswSpace &space);
    /// repair_reachability() if nodes were inserted since the last one; returns nodes linked.
    size_t settle(const HnswSpace &space);
    /// Nodes inserted since the last repair_reachability().
    size_t unrepaired() const { return unrepaired_; }

    // ---- Raw construction, for loaders (index_layers) and tests; not thread-safe. ----
    /// Make node numbers < slots addressable.
    void reserve(size_t slots);
    /// Declare `node` present at `level` with empty lists. false when already present, node is
    /// UINT32_MAX or level ∉ [0, kHnswMaxLevel].
    bool add_node(uint32_t node, int level);
    /// Replace node's list at `level` (≤ m0 entries on level 0, ≤ m above). false when the node
    /// is absent, not on that level, or the list does not fit.
    bool set_neighbors(uint32_t node, int level, std::span<const uint32_t> ids);
    /// Make `node` (present) the entry point; max_level becomes its level. false when absent.
    bool set_entry_point(uint32_t node);

private:
    struct Build;
    /// Replace a borrowed graph by an owned copy (before any mutation).
    void materialise();
    HnswGraph owned_copy() const;
    /// Node's list on level l ≥ 1 with its count clamped to m; nullptr when a borrowed graph's
    /// node is not on that level or its block leaves the upper array.
    const uint32_t *upper_list(uint32_t n, int l, uint32_t &cnt) const {
        if (!borrowed_) {
            const uint32_t *ln = upper_[n].get() + static_cast<size_t>(l - 1) * (p_.m + 1);
            cnt = ln[0];
            return ln;
        }
        if (level(n) < l)
            return nullptr;
        const uint32_t off = b_.upper_off[n];
        const size_t words = static_cast<size_t>(l) * (p_.m + 1u);
        if (off == kHnswNone || off > b_.upper_words || words > b_.upper_words - off)
            return nullptr;
        const uint32_t *ln = b_.upper + off + static_cast<size_t>(l - 1) * (p_.m + 1);
        cnt = std::min<uint32_t>(ln[0], p_.m);
        return ln;
    }
    uint32_t *l0_links(uint32_t n) { return l0_.data() + static_cast<size_t>(n) * (p_.m0 + 1); }
    const uint32_t *l0_links(uint32_t n) const { return l0_.data() + static_cast<size_t>(n) * (p_.m0 + 1); }
    uint32_t *links(uint32_t n, int l) {
        return l == 0 ? l0_links(n) : upper_[n].get() + static_cast<size_t>(l - 1) * (p_.m + 1);
    }
    const uint32_t *links(uint32_t n, int l) const {
        return l == 0 ? l0_links(n) : upper_[n].get() + static_cast<size_t>(l - 1) * (p_.m + 1);
    }
    void grow(size_t slots);
    void insert_one(uint32_t node, int level, Build &b);

    HnswParams p_;
    size_t cap_ = 0;
    size_t count_ = 0;
    size_t unrepaired_ = 0; ///< nodes inserted since the last repair_reachability()
    int max_level_ = -1;
    uint32_t entry_ = kHnswNone;
    ZeroedArray<uint32_t> l0_; // (m0 + 1) words per slot; slots never added stay untouched (zero)
    std::vector<int8_t> level_;
    std::vector<std::unique_ptr<uint32_t[]>> upper_;
    std::unique_ptr<hnsw_detail::SpinLock[]> locks_; // cap_ of them, only used by insert()
    std::unique_ptr<std::mutex> global_;             // entry point / max level while inserting
    bool borrowed_ = false;
    HnswBorrowed b_{}; // when borrowed_: the arrays read instead of l0_, level_, upper_
};

// ---------------------------------------------------------------------------------------------
// Query-time search (template so that the store's distance lambda inlines).

template <class Dist, class Skip, class Prefetch>
std::vector<std::pair<float, uint32_t>> HnswGraph::search_with(Dist &&dist, size_t k, size_t ef, Skip &&skip,
                                                               HnswSearchStats *stats, Prefetch &&prefetch) const {
    using hnsw_detail::Closer;
    using hnsw_detail::Entry;
    using hnsw_detail::Farther;
    std::vector<std::pair<float, uint32_t>> out;
    if (entry_ == kHnswNone || k == 0)
        return out;
    ef = std::max(ef, k);
    size_t evals = 0, expansions = 0;

    // Greedy descent through the upper levels (skip() does not apply: routing only).
    uint32_t cur = entry_;
    float cur_d = dist(cur);
    ++evals;
    for (int l = max_level_; l >= 1; --l) {
        for (bool changed = true; changed;) {
            changed = false;
            uint32_t cnt = 0;
            const uint32_t *ln = upper_list(cur, l, cnt);
            ++expansions;
            if (ln == nullptr)
                break;
            for (uint32_t j = 1; j <= cnt; ++j)
                if (ln[j] < cap_)
                    prefetch(ln[j]);
            for (uint32_t j = 1; j <= cnt; ++j) {
                const uint32_t v = ln[j]; // read once: borrowed memory is not ours
                if (v >= cap_)
                    continue; // only a damaged borrowed list holds one
                const float d = dist(v);
                ++evals;
                if (d < cur_d) {
                    cur_d = d;
                    cur = v;
                    changed = true;
                }
            }
        }
    }

    // Beam search on level 0: `cand` (min-heap) = frontier, `top` (max-heap, ≤ ef) = results
    // without skipped nodes; the search stops when the nearest frontier node is farther than
    // the ef-th result.
    hnsw_detail::Scratch &s = hnsw_detail::thread_scratch();
    const uint16_t gen = s.begin(cap_, p_.m0);
    uint16_t *visited = s.visited.data();
    std::vector<Entry> &cand = s.cand;
    std::vector<Entry> &top = s.top;
    visited[cur] = gen;
    cand.push_back({cur_d, cur});
    float bound = std::numeric_limits<float>::infinity();
    if (!skip(cur)) {
        top.push_back({cur_d, cur});
        if (ef == 1)
            bound = cur_d;
    }
    const uint32_t stride = p_.m0 + 1u;
    const uint32_t *l0 = borrowed_ ? b_.l0 : l0_.data();
    const uint32_t cap = static_cast<uint32_t>(cap_), m0 = p_.m0;
    while (!cand.empty()) {
        const Entry c = cand.front();
        if (c.d > bound)
            break;
        std::pop_heap(cand.begin(), cand.end(), Closer{});
        cand.pop_back();
        ++expansions;
        const uint32_t *ln = l0 + static_cast<size_t>(c.n) * stride;
        const uint32_t cnt = std::min(ln[0], m0); // a borrowed count may be damaged
        // Collect the unvisited neighbours first (marking them), so that their rows can be
        // prefetched a few ahead of the distance loop; the list itself is usually cached.
        uint32_t *fresh = s.fresh.data();
        uint32_t nf = 0;
        for (uint32_t j = 1; j <= cnt; ++j) {
            const uint32_t v = ln[j];
            if (v < cap && visited[v] != gen) {
                visited[v] = gen;
                fresh[nf++] = v;
            }
        }
        constexpr uint32_t kAhead = 4;
        for (uint32_t j = 0; j < nf && j < kAhead; ++j)
            prefetch(fresh[j]);
        for (uint32_t j = 0; j < nf; ++j) {
            const uint32_t v = fresh[j];
            if (j + kAhead < nf)
                prefetch(fresh[j + kAhead]);
            const float d = dist(v);
            ++evals;
            if (top.size() < ef || d < bound) {
                cand.push_back({d, v});
                std::push_heap(cand.begin(), cand.end(), Closer{});
                __builtin_prefetch(l0 + static_cast<size_t>(v) * stride); // likely expanded soon
                if (!skip(v)) {
                    top.push_back({d, v});
                    std::push_heap(top.begin(), top.end(), Farther{});
                    if (top.size() > ef) {
                        std::pop_heap(top.begin(), top.end(), Farther{});
                        top.pop_back();
                    }
                    if (top.size() == ef)
                        bound = top.front().d;
                }
            }
        }
    }
    std::sort_heap(top.begin(), top.end(), Farther{}); // ascending
    const size_t n = std::min(k, top.size());
    out.reserve(n);
    for (size_t i = 0; i < n; ++i)
        out.emplace_back(top[i].d, top[i].n);
    if (stats) {
        stats->distance_evals += evals;
        stats->expansions += expansions;
    }
    return out;
}

} // namespace rvf

// HNSW construction, repair and the type-erased search entry (rvf/hnsw.hpp).
//
// Insertion follows Malkov & Yashunin (2018): greedy descent to the node's level, a beam search of
// width ef_construction per level, the "relative neighbourhood" heuristic to pick M links, and
// back-links that re-prune a full list with the same heuristic. Concurrency is per-node
// spinlocks around every neighbour-list read or write plus one mutex for the entry point,
// held for a whole insert only when the new node raises the top level (rare: ~N/M^L).
#include <rvf/hnsw.hpp>

#include <algorithm>
#include <thread>

#include "parallel.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h> // _mm_pause
#endif

namespace rvf {

using hnsw_detail::Closer;
using hnsw_detail::Entry;
using hnsw_detail::Farther;
using hnsw_detail::Scratch;
using index_detail::resolve_threads;
using index_detail::run_parallel;

uint8_t hnsw_level_for_id(uint64_t id, const HnswParams &params) {
    // SplitMix64 finaliser over id + seed (spec §3.10), then the top 53 bits as a uniform double.
    uint64_t z = id + params.level_seed + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    double u = static_cast<double>(z >> 11) / 9007199254740992.0; // 2^53
    u = std::clamp(u, 1e-12, 1.0 - 1e-12);
    const double ml = 1.0 / std::log(static_cast<double>(std::max<uint16_t>(params.m, 2)));
    const double level = std::floor(-std::log(u) * ml);
    return static_cast<uint8_t>(std::min(level, static_cast<double>(kHnswMaxLevel)));
}

namespace hnsw_detail {
Scratch &thread_scratch() {
    thread_local Scratch s;
    return s;
}
void SpinLock::pause(unsigned spins) {
    if (spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
        _mm_pause();
#endif
    } else {
        std::this_thread::yield();
    }
}
} // namespace hnsw_detail

namespace {

/// The HNSW neighbour heuristic: walk candidates nearest first, keep one unless an already
/// kept node is closer to it than the base is. `sorted` is ascending by distance to the base.
/// Keeps at most `cap`. Reorders the candidates that tie with the nearest one (see below).
template <class Between>
void select_heuristic(uint32_t base, std::vector<Entry> &sorted, size_t cap, Between &&between,
                      std::vector<Entry> &out) {
    out.clear();
    // Exact copies of the nearest candidate (in practice: of the base row) tie at its distance
    // and never prune each other (their mutual distance is not below it), so a base with more
    // copies than `cap` would link only to copies, and a large group of duplicate rows would
    // close itself off (issue 14). A quarter of the list is enough to keep the copies linked to
    // each other; the remaining slots go to the other candidates. Which copies: the ones
    // numbered just before the base (cyclically). Inserted in node order, a copy then links to
    // the latest copies and gets their back-links, so a group forms a chain that reaches every
    // member; an arbitrary choice (the heap order) or "just after" would make most copies pick
    // the same few first ones and leave the others with no incoming link from the group.
    const size_t copy_cap = std::max<size_t>(2, cap / 4);
    if (!sorted.empty()) {
        auto run_end = std::find_if(sorted.begin(), sorted.end(), [&](const Entry &e) { return e.d != sorted.front().d; });
        if (run_end - sorted.begin() > 1)
            std::sort(sorted.begin(), run_end, [&](const Entry &x, const Entry &y) { return base - x.n < base - y.n; });
    }
    size_t copies = 0;
    for (const Entry &c : sorted) {
        if (out.size() >= cap)
            break;
        if (!out.empty() && c.d == out.front().d && ++copies >= copy_cap)
            continue;
        bool good = true;
        for (const Entry &s : out) {
            if (between(c.n, s.n) < c.d) {
                good = false;
                break;
            }
        }
        if (good)
            out.push_back(c);
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------

HnswGraph::HnswGraph(HnswParams p) : p_(p), global_(std::make_unique<std::mutex>()) {
    p_.m = std::max<uint16_t>(p_.m, 2);
    p_.m0 = std::max(p_.m0, p_.m); // a new node takes m links on level 0
    p_.ef_construction = std::max<uint16_t>(p_.ef_construction, 1);
}
HnswGraph::HnswGraph(HnswGraph &&) noexcept = default;
HnswGraph &HnswGraph::operator=(HnswGraph &&) noexcept = default;
HnswGraph::~HnswGraph() = default;

void HnswGraph::grow(size_t slots) {
    if (slots <= cap_)
        return;
    l0_.grow(slots * (p_.m0 + 1u));
    level_.resize(slots, -1);
    upper_.resize(slots);
    locks_ = std::make_unique<hnsw_detail::SpinLock[]>(slots); // only ever replaced while unlocked
    cap_ = slots;
}

void HnswGraph::reserve(size_t slots) {
    materialise();
    grow(slots);
}

// ---------------------------------------------------------------------------------------------
// Borrowed graphs

HnswGraph HnswGraph::borrow(const HnswBorrowed &b) {
    HnswGraph g(b.params);
    g.borrowed_ = true;
    g.b_ = b;
    g.cap_ = b.slots;
    g.count_ = b.nodes;
    g.entry_ = b.entry;
    g.max_level_ = b.entry == kHnswNone ? -1 : b.max_level;
    return g;
}

HnswGraph HnswGraph::owned_copy() const {
    HnswGraph g(p_);
    g.grow(cap_);
    for (uint32_t n = 0; n < cap_; ++n)
        if (const int l = level(n); l >= 0)
            g.add_node(n, l);
    std::vector<uint32_t> ok;
    for (uint32_t n = 0; n < cap_; ++n)
        for (int l = 0; l <= g.level(n); ++l) {
            ok.clear();
            for (uint32_t v : neighbors(n, l)) // keep what set_neighbors accepts
                if (v < cap_ && v != n && g.level(v) >= l)
                    ok.push_back(v);
            g.set_neighbors(n, l, ok);
        }
    if (entry_ != kHnswNone)
        g.set_entry_point(entry_);
    return g;
}

void HnswGraph::materialise() {
    if (borrowed_)
        *this = owned_copy();
}

bool HnswGraph::add_node(uint32_t node, int level) {
    materialise();
    if (node == kHnswNone || level < 0 || level > kHnswMaxLevel)
        return false;
    if (node >= cap_)
        grow(std::max<size_t>(static_cast<size_t>(node) + 1, cap_ + cap_ / 2));
    if (level_[node] >= 0)
        return false;
    level_[node] = static_cast<int8_t>(level);
    // Its level-0 list is already empty: slots start zeroed and nodes are never removed. Not
    // writing it keeps the pages of nodes whose lists have not arrived untouched.
    if (level > 0)
        upper_[node] = std::make_unique<uint32_t[]>(static_cast<size_t>(level) * (p_.m + 1u)); // zeroed
    ++count_;
    return true;
}

bool HnswGraph::set_neighbors(uint32_t node, int level, std::span<const uint32_t> ids) {
    materialise();
    if (!contains(node) || level < 0 || level > level_[node])
        return false;
    if (ids.size() > (level == 0 ? p_.m0 : p_.m))
        return false;
    // Search dereferences neighbours' lists on the same level: they must exist there.
    for (uint32_t v : ids)
        if (v >= cap_ || level_[v] < level)
            return false;
    uint32_t *ln = links(node, level);
    ln[0] = static_cast<uint32_t>(ids.size());
    std::copy(ids.begin(), ids.end(), ln + 1);
    return true;
}

bool HnswGraph::set_entry_point(uint32_t node) {
    materialise();
    if (!contains(node))
        return false;
    entry_ = node;
    max_level_ = level_[node];
    return true;
}

std::span<const uint32_t> HnswGraph::neighbors(uint32_t node, int level) const {
    if (!contains(node) || level < 0 || level > this->level(node))
        return {};
    if (borrowed_) {
        if (level == 0) {
            const uint32_t *ln = b_.l0 + static_cast<size_t>(node) * (p_.m0 + 1u);
            return {ln + 1, std::min<uint32_t>(ln[0], p_.m0)};
        }
        uint32_t cnt = 0;
        const uint32_t *ln = upper_list(node, level, cnt);
        return ln ? std::span<const uint32_t>(ln + 1, cnt) : std::span<const uint32_t>{};
    }
    const uint32_t *ln = links(node, level);
    return {ln + 1, ln[0]};
}

std::vector<std::pair<float, uint32_t>> HnswGraph::search(const std::function<float(uint32_t)> &dist, size_t k,
                                                          size_t ef, const std::function<bool(uint32_t)> &skip,
                                                          HnswSearchStats *stats) const {
    if (skip)
        return search_with([&](uint32_t n) { return dist(n); }, k, ef, [&](uint32_t n) { return skip(n); }, stats);
    return search_with([&](uint32_t n) { return dist(n); }, k, ef, hnsw_detail::NoSkip{}, stats);
}

// ---------------------------------------------------------------------------------------------
// Insertion

/// One worker's insertion state; buffers live as long as the worker, q changes per insert.
struct HnswGraph::Build {
    HnswGraph &g;
    const HnswSpace &space;
    Scratch &s;
    uint32_t q = kHnswNone;
    std::vector<uint32_t> buf; // a neighbour list copied out under its lock
    std::vector<Entry> sorted, sel, prune;
    std::vector<std::vector<Entry>> chosen; // per level, until q's lists are published

    Build(HnswGraph &graph, const HnswSpace &sp, Scratch &scratch) : g(graph), space(sp), s(scratch) {}

    /// Copy node n's list on level l while holding n's lock.
    void read_links(uint32_t n, int l) {
        std::lock_guard<hnsw_detail::SpinLock> lk(g.locks_[n]);
        const uint32_t *ln = g.links(n, l);
        buf.assign(ln + 1, ln + 1 + ln[0]);
    }

    void greedy(uint32_t &ep, float &ep_d, int l) {
        for (bool changed = true; changed;) {
            changed = false;
            read_links(ep, l);
            for (uint32_t v : buf) {
                const float d = space.between(q, v);
                if (d < ep_d) {
                    ep_d = d;
                    ep = v;
                    changed = true;
                }
            }
        }
    }

    /// Beam search of width ef on level l from ep; leaves the result ascending in `sorted`.
    void search_layer(uint32_t ep, float ep_d, int l, size_t ef) {
        const uint16_t gen = s.begin(g.cap_);
        uint16_t *visited = s.visited.data();
        visited[q] = gen;
        visited[ep] = gen;
        s.cand.push_back({ep_d, ep});
        s.top.push_back({ep_d, ep});
        float bound = ef == 1 ? ep_d : std::numeric_limits<float>::infinity();
        while (!s.cand.empty()) {
            const Entry c = s.cand.front();
            if (c.d > bound)
                break;
            std::pop_heap(s.cand.begin(), s.cand.end(), Closer{});
            s.cand.pop_back();
            read_links(c.n, l);
            // Unvisited neighbours first, so their rows can be prefetched a few ahead.
            size_t nf = 0;
            for (uint32_t v : buf)
                if (visited[v] != gen) {
                    visited[v] = gen;
                    buf[nf++] = v;
                }
            constexpr size_t kAhead = 4;
            for (size_t j = 0; j < nf && j < kAhead; ++j)
                space.prefetch(buf[j]);
            for (size_t j = 0; j < nf; ++j) {
                const uint32_t v = buf[j];
                if (j + kAhead < nf)
                    space.prefetch(buf[j + kAhead]);
                const float d = space.between(q, v);
                if (s.top.size() < ef || d < bound) {
                    s.cand.push_back({d, v});
                    std::push_heap(s.cand.begin(), s.cand.end(), Closer{});
                    s.top.push_back({d, v});
                    std::push_heap(s.top.begin(), s.top.end(), Farther{});
                    if (s.top.size() > ef) {
                        std::pop_heap(s.top.begin(), s.top.end(), Farther{});
                        s.top.pop_back();
                    }
                    if (s.top.size() == ef)
                        bound = s.top.front().d;
                }
            }
        }
        std::sort_heap(s.top.begin(), s.top.end(), Farther{});
        sorted.assign(s.top.begin(), s.top.end());
    }

    /// Add q (at distance d from n) to n's list on level l, re-pruning a full list.
    void connect(uint32_t n, float d, int l) {
        const size_t cap = l == 0 ? g.p_.m0 : g.p_.m;
        std::lock_guard<hnsw_detail::SpinLock> lk(g.locks_[n]);
        uint32_t *ln = g.links(n, l);
        const uint32_t cnt = ln[0];
        for (uint32_t j = 1; j <= cnt; ++j)
            if (ln[j] == q)
                return;
        if (cnt < cap) {
            ln[cnt + 1] = q;
            ln[0] = cnt + 1;
            return;
        }
        prune.clear();
        prune.push_back({d, q});
        for (uint32_t j = 1; j <= cnt; ++j)
            prune.push_back({space.between(n, ln[j]), ln[j]});
        std::sort(prune.begin(), prune.end(), [](const Entry &a, const Entry &b) { return a.d < b.d; });
        select_heuristic(n, prune, cap, [&](uint32_t a, uint32_t b) { return space.between(a, b); }, sel);
        ln[0] = static_cast<uint32_t>(sel.size());
        for (size_t j = 0; j < sel.size(); ++j)
            ln[j + 1] = sel[j].n;
    }
};

void HnswGraph::insert_one(uint32_t q, int level, Build &b) {
    std::unique_lock<std::mutex> g(*global_);
    if (entry_ == kHnswNone) {
        entry_ = q;
        max_level_ = level;
        return;
    }
    uint32_t ep = entry_;
    const int top = max_level_;
    if (level <= top)
        g.unlock();

    const HnswSpace &space = b.space;
    b.q = q;
    float ep_d = space.between(q, ep);
    for (int l = top; l > level; --l)
        b.greedy(ep, ep_d, l);
    // Choose q's neighbours on every level first, and write all of q's lists before linking
    // anyone to q. Otherwise another thread can reach q through an upper-level back-link while
    // q's lower lists are still empty: its search then sees q alone, it links only to q, and
    // its back-link in q's list is overwritten when q's list is written — leaving that node
    // with no incoming link at all (issue 14: unreachable rows after parallel builds). With one
    // thread the order makes no difference: connecting on level l never changes level l − 1.
    const int from = std::min(level, top);
    if (b.chosen.size() < static_cast<size_t>(from) + 1)
        b.chosen.resize(static_cast<size_t>(from) + 1);
    for (int l = from; l >= 0; --l) {
        b.search_layer(ep, ep_d, l, p_.ef_construction);
        ep = b.sorted.front().n; // the nearest found seeds the next level down
        ep_d = b.sorted.front().d;
        select_heuristic(q, b.sorted, p_.m, [&](uint32_t x, uint32_t y) { return space.between(x, y); },
                         b.chosen[static_cast<size_t>(l)]);
    }
    {
        std::lock_guard<hnsw_detail::SpinLock> lk(locks_[q]);
        for (int l = from; l >= 0; --l) {
            const std::vector<Entry> &chosen = b.chosen[static_cast<size_t>(l)];
            uint32_t *ln = links(q, l);
            ln[0] = static_cast<uint32_t>(chosen.size());
            for (size_t j = 0; j < chosen.size(); ++j)
                ln[j + 1] = chosen[j].n;
        }
    }
    for (int l = from; l >= 0; --l)
        for (const Entry &c : b.chosen[static_cast<size_t>(l)])
            b.connect(c.n, c.d, l);
    if (level > top) { // still holding the global lock
        entry_ = q;
        max_level_ = level;
    }
}

void HnswGraph::insert(std::span<const uint32_t> nodes, std::span<const uint64_t> ids, const HnswSpace &space,
                       unsigned threads) {
    materialise();
    const size_t n = std::min(nodes.size(), ids.size());
    uint32_t max_node = 0;
    bool any = false;
    for (size_t i = 0; i < n; ++i)
        if (nodes[i] != kHnswNone) {
            max_node = std::max(max_node, nodes[i]);
            any = true;
        }
    if (!any)
        return;
    if (static_cast<size_t>(max_node) + 1 > cap_)
        grow(std::max<size_t>(static_cast<size_t>(max_node) + 1, cap_ + cap_ / 2));

    // Levels and upper-level storage are set up serially, before any node is linked, so workers
    // only ever read storage that already exists.
    std::vector<uint32_t> todo;
    todo.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const uint32_t node = nodes[i];
        if (node == kHnswNone || level_[node] >= 0)
            continue;
        if (!add_node(node, hnsw_level_for_id(ids[i], p_)))
            continue;
        todo.push_back(node);
    }
    if (todo.empty())
        return;

    size_t first = 0;
    if (entry_ == kHnswNone) { // the first node is the entry point; nothing to link
        entry_ = todo[0];
        max_level_ = level_[todo[0]];
        first = 1;
    }
    const unsigned nt = resolve_threads(threads, todo.size() - first);
    std::atomic<size_t> next{first};
    run_parallel(nt, [&](unsigned worker) {
        Scratch local;
        Build b(*this, space, worker == 0 ? hnsw_detail::thread_scratch() : local);
        for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < todo.size();)
            insert_one(todo[i], level_[todo[i]], b);
    });
    unrepaired_ += todo.size();
    if (unrepaired_ * 16 >= count_) // amortised: the walk is O(graph), see the header
        repair_reachability(space);
}

size_t HnswGraph::settle(const HnswSpace &space) { return unrepaired_ > 0 ? repair_reachability(space) : 0; }

// ---------------------------------------------------------------------------------------------
// Reachability repair

size_t HnswGraph::repair_reachability(const HnswSpace &space) {
    materialise();
    unrepaired_ = 0;
    if (entry_ == kHnswNone)
        return 0;
    std::vector<uint8_t> reached(cap_, 0);
    std::vector<uint32_t> stack;
    // Mark everything reachable over level 0 from `from` that is not marked yet.
    auto flood = [&](uint32_t from) {
        reached[from] = 1;
        stack.push_back(from);
        while (!stack.empty()) {
            const uint32_t n = stack.back();
            stack.pop_back();
            const uint32_t *ln = l0_links(n);
            for (uint32_t j = 1; j <= ln[0]; ++j)
                if (!reached[ln[j]]) {
                    reached[ln[j]] = 1;
                    stack.push_back(ln[j]);
                }
        }
    };
    Build b(*this, space, hnsw_detail::thread_scratch());
    size_t linked = 0;
    // A forced link (every candidate's list full) re-prunes one list and may drop the only link
    // to some other node, so the pass repeats until nothing is left unreached. Each forced link
    // is to the nearest node, whose re-pruned list keeps its closest neighbours: in practice a
    // second pass finds nothing; the bound only guards against a pathological cycle.
    for (int pass = 0; pass < 8; ++pass) {
        std::fill(reached.begin(), reached.end(), uint8_t{0});
        flood(entry_);
        bool forced = false;
        size_t before = linked;
        for (uint32_t u = 0; u < cap_; ++u) {
            if (level_[u] < 0 || reached[u])
                continue;
            // A level-0 beam from the entry point only walks the reached part, so every node
            // it returns is a valid place to hang u from.
            b.q = u;
            b.search_layer(entry_, space.between(u, entry_), 0, p_.ef_construction);
            // Hang u off its nearest reachable nodes that have room — up to m of them, as an
            // insertion's back-links would — so that a search for u's own vector, which ends
            // among those nearest nodes, finds it. Only when none of them has room is u forced
            // into the nearest one's list.
            uint32_t *own = l0_links(u);
            auto link_back = [&](uint32_t host) { // u → host too, when u has room
                if (own[0] < p_.m0 && std::find(own + 1, own + 1 + own[0], host) == own + 1 + own[0])
                    own[++own[0]] = host;
            };
            size_t hung = 0;
            const size_t tries = std::min<size_t>(b.sorted.size(), p_.m);
            for (size_t i = 0; i < tries; ++i) {
                uint32_t *ln = l0_links(b.sorted[i].n);
                if (ln[0] < p_.m0) {
                    ln[++ln[0]] = u;
                    link_back(b.sorted[i].n);
                    ++hung;
                }
            }
            if (hung == 0) {
                const Entry host = b.sorted.front();
                forced = true;
                // Re-prune the nearest node's list with u in it, then make room for u if the
                // heuristic left it out: u's link is the one this repair exists for.
                uint32_t *ln = l0_links(host.n);
                b.prune.clear();
                for (uint32_t j = 1; j <= ln[0]; ++j)
                    b.prune.push_back({space.between(host.n, ln[j]), ln[j]});
                b.prune.push_back({host.d, u});
                std::sort(b.prune.begin(), b.prune.end(), [](const Entry &x, const Entry &y) { return x.d < y.d; });
                select_heuristic(host.n, b.prune, p_.m0, [&](uint32_t x, uint32_t y) { return space.between(x, y); }, b.sel);
                if (std::none_of(b.sel.begin(), b.sel.end(), [&](const Entry &e) { return e.n == u; })) {
                    if (b.sel.size() == p_.m0)
                        b.sel.back() = {host.d, u};
                    else
                        b.sel.push_back({host.d, u});
                }
                ln[0] = static_cast<uint32_t>(b.sel.size());
                for (size_t j = 0; j < b.sel.size(); ++j)
                    ln[j + 1] = b.sel[j].n;
                link_back(host.n);
            }
            ++linked;
            flood(u);
        }
        if (!forced || linked == before)
            break;
    }
    return linked;
}

// ---------------------------------------------------------------------------------------------
// Renumbering / compaction repair

HnswGraph HnswGraph::remap(std::span<const uint32_t> old_to_new, const HnswSpace *space, unsigned threads) const {
    if (borrowed_)
        return owned_copy().remap(old_to_new, space, threads);
    HnswGraph g(p_);
    const size_t mapped = std::min(cap_, old_to_new.size());
    uint32_t max_new = 0;
    bool any = false;
    for (size_t o = 0; o < mapped; ++o)
        if (level_[o] >= 0 && old_to_new[o] != kHnswNone) {
            max_new = std::max(max_new, old_to_new[o]);
            any = true;
        }
    if (!any)
        return g;
    g.reserve(static_cast<size_t>(max_new) + 1);

    std::vector<uint32_t> nmap(cap_, kHnswNone); // effective map: duplicates keep the first
    std::vector<uint32_t> live;
    for (size_t o = 0; o < mapped; ++o)
        if (level_[o] >= 0 && old_to_new[o] != kHnswNone && g.add_node(old_to_new[o], level_[o])) {
            nmap[o] = old_to_new[o];
            live.push_back(static_cast<uint32_t>(o));
        }

    const unsigned nt = resolve_threads(threads, live.size());
    std::atomic<size_t> next{0};
    run_parallel(nt, [&](unsigned) {
        std::vector<uint32_t> kept, dead, cand;
        std::vector<Entry> sorted, sel;
        for (size_t i; (i = next.fetch_add(64, std::memory_order_relaxed)) < live.size();) {
            const size_t end = std::min(live.size(), i + 64);
            for (; i < end; ++i) {
                const uint32_t o = live[i];
                const uint32_t nn = nmap[o];
                for (int l = 0; l <= level_[o]; ++l) {
                    kept.clear();
                    dead.clear();
                    const uint32_t *ln = links(o, l);
                    for (uint32_t j = 1; j <= ln[0]; ++j) {
                        if (nmap[ln[j]] != kHnswNone)
                            kept.push_back(nmap[ln[j]]);
                        else
                            dead.push_back(ln[j]);
                    }
                    const size_t cap = l == 0 ? p_.m0 : p_.m;
                    if (dead.empty() || space == nullptr) {
                        g.set_neighbors(nn, l, kept);
                        continue;
                    }
                    // Survivors plus the dead nodes' live neighbours, re-pruned around nn.
                    cand = kept;
                    for (uint32_t d : dead) {
                        const uint32_t *dl = links(d, l);
                        for (uint32_t j = 1; j <= dl[0]; ++j) {
                            const uint32_t v = nmap[dl[j]];
                            if (v != kHnswNone && v != nn)
                                cand.push_back(v);
                        }
                    }
                    std::sort(cand.begin(), cand.end());
                    cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
                    if (cand.size() <= cap) {
                        g.set_neighbors(nn, l, cand);
                        continue;
                    }
                    sorted.clear();
                    for (uint32_t v : cand)
                        sorted.push_back({space->between(nn, v), v});
                    std::sort(sorted.begin(), sorted.end(), [](const Entry &a, const Entry &b) { return a.d < b.d; });
                    select_heuristic(nn, sorted, cap, [&](uint32_t x, uint32_t y) { return space->between(x, y); }, sel);
                    cand.clear();
                    for (const Entry &e : sel)
                        cand.push_back(e.n);
                    g.set_neighbors(nn, l, cand);
                }
            }
        }
    });

    if (entry_ != kHnswNone && nmap[entry_] != kHnswNone) {
        g.set_entry_point(nmap[entry_]);
    } else {
        uint32_t best = live.front();
        for (uint32_t o : live)
            if (level_[o] > level_[best])
                best = o;
        g.set_entry_point(nmap[best]);
    }
    // Dropping nodes removes links: some survivor may have been reachable only through them.
    if (space != nullptr)
        g.repair_reachability(*space);
    return g;
}

} // namespace rvf

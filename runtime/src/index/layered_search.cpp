// Search over a partially loaded graph (layer A, or A+B), centroid selection/assignment for
// layer A, and the hot-node ranking that chooses layer B (rvf/index_layers.hpp).
#include <rvf/index_layers.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "parallel.hpp"

namespace rvf {

using hnsw_detail::Closer;
using hnsw_detail::Entry;
using hnsw_detail::Farther;
using index_detail::resolve_threads;
using index_detail::run_parallel;

namespace {

uint64_t mix64(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

bool by_distance(const Entry &a, const Entry &b) { return a.d < b.d || (a.d == b.d && a.n < b.n); }

/// Per-thread scratch of a partial search: which nodes were evaluated (with their distance)
/// and which are already queued in the current beam.
struct PartialScratch {
    std::vector<uint16_t> evaluated, queued;
    std::vector<float> dist;
    uint16_t eval_gen = 0, queue_gen = 0;
    std::vector<Entry> seen, cand, top, cent;

    void begin(size_t slots) {
        if (evaluated.size() < slots) {
            evaluated.assign(slots, 0);
            queued.assign(slots, 0);
            dist.assign(slots, 0.0f);
            eval_gen = queue_gen = 0;
        }
        if (++eval_gen == 0) {
            std::fill(evaluated.begin(), evaluated.end(), uint16_t{0});
            eval_gen = 1;
        }
        seen.clear();
        cent.clear();
    }
    uint16_t new_beam() {
        if (++queue_gen == 0) {
            std::fill(queued.begin(), queued.end(), uint16_t{0});
            queue_gen = 1;
        }
        cand.clear();
        top.clear();
        return queue_gen;
    }
};

PartialScratch &partial_scratch() {
    thread_local PartialScratch s;
    return s;
}

std::vector<uint32_t> present_nodes(const HnswGraph &g) {
    std::vector<uint32_t> out;
    out.reserve(g.size());
    for (size_t n = 0; n < g.slots(); ++n)
        if (g.contains(static_cast<uint32_t>(n)))
            out.push_back(static_cast<uint32_t>(n));
    return out;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Partial search

void LayeredHnsw::partial_search(hnsw_detail::FnRef<float(uint32_t)> dist, hnsw_detail::FnRef<bool(uint32_t)> skip,
                                 const LayeredSearchParams &params, LayeredSearchResult &out) const {
    out.layers = kLayerA;
    if (graph_.size() == 0 || params.k == 0)
        return;
    const size_t ef = std::max(params.ef, params.k);
    PartialScratch &s = partial_scratch();
    s.begin(graph_.slots());
    size_t evals = 0, expansions = 0;
    auto eval = [&](uint32_t n) -> float {
        if (s.evaluated[n] == s.eval_gen)
            return s.dist[n];
        const float d = dist(n);
        ++evals;
        s.evaluated[n] = s.eval_gen;
        s.dist[n] = d;
        s.seen.push_back({d, n});
        return d;
    };

    // 1. Centroids: distance to every representative, then scan the nprobe nearest lists.
    const size_t kc = centroids_.reps.size();
    // Auto: 0.8·√K lists (at least 4): with K ≈ √N that scans ≈ 0.8·N^¾ rows — 8 % of 10 K,
    // 4.5 % of 100 K, 2.5 % of 1 M.
    const size_t auto_probe = std::max<size_t>(4, static_cast<size_t>(std::lround(0.8 * std::sqrt(static_cast<double>(kc)))));
    const size_t nprobe = std::min(kc, params.nprobe ? params.nprobe : auto_probe);
    for (size_t i = 0; i < kc; ++i)
        s.cent.push_back({eval(centroids_.reps[i]), static_cast<uint32_t>(i)});
    std::partial_sort(s.cent.begin(), s.cent.begin() + static_cast<std::ptrdiff_t>(nprobe), s.cent.end(), by_distance);
    for (size_t j = 0; j < nprobe; ++j)
        for (uint32_t m : centroids_.members[s.cent[j].n])
            eval(m);

    // 2. Upper levels: greedy descent to level 1, then an ef-beam on level 1 seeded with the
    //    descent's node and every level-≥1 node evaluated so far.
    const int top_level = graph_.max_level();
    if (top_level >= 1) {
        uint32_t cur = graph_.entry_point();
        float cur_d = eval(cur);
        for (int l = top_level; l >= 2; --l) {
            for (bool changed = true; changed;) {
                changed = false;
                ++expansions;
                for (uint32_t v : graph_.neighbors(cur, l)) {
                    const float d = eval(v);
                    if (d < cur_d) {
                        cur_d = d;
                        cur = v;
                        changed = true;
                    }
                }
            }
        }
        const uint16_t qg = s.new_beam();
        for (const Entry &e : s.seen)
            if (graph_.level(e.n) >= 1 && s.queued[e.n] != qg) {
                s.queued[e.n] = qg;
                s.cand.push_back(e);
            }
        std::sort(s.cand.begin(), s.cand.end(), by_distance);
        if (s.cand.size() > ef)
            s.cand.resize(ef);
        s.top = s.cand;
        std::make_heap(s.top.begin(), s.top.end(), Farther{});
        std::make_heap(s.cand.begin(), s.cand.end(), Closer{});
        float bound = s.top.size() >= ef ? s.top.front().d : std::numeric_limits<float>::infinity();
        while (!s.cand.empty()) {
            const Entry c = s.cand.front();
            if (c.d > bound)
                break;
            std::pop_heap(s.cand.begin(), s.cand.end(), Closer{});
            s.cand.pop_back();
            ++expansions;
            for (uint32_t v : graph_.neighbors(c.n, 1)) {
                if (s.queued[v] == qg)
                    continue;
                s.queued[v] = qg;
                const float d = eval(v);
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
    }

    // 3. Layer B: an ef-beam on level 0 from the best nodes so far, expanding only nodes whose
    //    level-0 list is known; skipped nodes route but do not count towards the bound.
    if (layers_ & kLayerB) {
        out.layers |= kLayerB;
        const uint16_t qg = s.new_beam();
        std::vector<Entry> &seeds = s.cand;
        seeds = s.seen;
        const size_t nseed = std::min(seeds.size(), ef);
        std::partial_sort(seeds.begin(), seeds.begin() + static_cast<std::ptrdiff_t>(nseed), seeds.end(), by_distance);
        seeds.resize(nseed);
        for (const Entry &e : seeds) {
            s.queued[e.n] = qg;
            if (!skip(e.n))
                s.top.push_back(e);
        }
        std::make_heap(s.top.begin(), s.top.end(), Farther{});
        std::make_heap(seeds.begin(), seeds.end(), Closer{});
        float bound = s.top.size() >= ef ? s.top.front().d : std::numeric_limits<float>::infinity();
        while (!s.cand.empty()) {
            const Entry c = s.cand.front();
            if (c.d > bound)
                break;
            std::pop_heap(s.cand.begin(), s.cand.end(), Closer{});
            s.cand.pop_back();
            if (!l0_known_[c.n])
                continue;
            ++expansions;
            for (uint32_t v : graph_.neighbors(c.n, 0)) {
                if (s.queued[v] == qg)
                    continue;
                s.queued[v] = qg;
                const float d = eval(v);
                if (s.top.size() < ef || d < bound) {
                    s.cand.push_back({d, v});
                    std::push_heap(s.cand.begin(), s.cand.end(), Closer{});
                    if (!skip(v)) {
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
        }
    }

    // 4. Every evaluated node competes: nearest k that are not skipped.
    std::sort(s.seen.begin(), s.seen.end(), by_distance);
    for (const Entry &e : s.seen) {
        if (out.hits.size() == params.k)
            break;
        if (!skip(e.n))
            out.hits.emplace_back(e.d, e.n);
    }
    out.stats.distance_evals += evals;
    out.stats.expansions += expansions;
}

LayeredSearchResult LayeredHnsw::search(const std::function<float(uint32_t)> &dist, const LayeredSearchParams &params,
                                        const std::function<bool(uint32_t)> &skip) const {
    if (skip)
        return search_with([&](uint32_t n) { return dist(n); }, params, [&](uint32_t n) { return skip(n); });
    return search_with([&](uint32_t n) { return dist(n); }, params);
}

// ---------------------------------------------------------------------------------------------
// Centroids for layer A

HnswCentroids compute_centroids(const HnswGraph &g, const HnswSpace &space, size_t count, unsigned threads) {
    HnswCentroids out;
    const std::vector<uint32_t> nodes = present_nodes(g);
    if (nodes.empty())
        return out;
    size_t k = count ? count : static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(nodes.size()))));
    k = std::clamp<size_t>(k, 1, nodes.size());

    // Representatives: highest levels first (they are also routable through the upper levels),
    // then a hash of the node number, which is a uniform sample independent of insertion order.
    std::vector<uint32_t> order = nodes;
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        if (g.level(a) != g.level(b))
            return g.level(a) > g.level(b);
        return mix64(a) < mix64(b);
    });
    out.reps.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k));
    std::sort(out.reps.begin(), out.reps.end());

    // Nearest representative of every node through a small HNSW over the representatives.
    struct RepSpace final : HnswSpace {
        const HnswSpace &base;
        const std::vector<uint32_t> &reps;
        RepSpace(const HnswSpace &b, const std::vector<uint32_t> &r) : base(b), reps(r) {}
        float between(uint32_t a, uint32_t b) const override { return base.between(reps[a], reps[b]); }
        void prefetch(uint32_t n) const override { base.prefetch(reps[n]); }
    } rep_space(space, out.reps);
    HnswParams rp;
    rp.ef_construction = 100;
    HnswGraph rg(rp);
    std::vector<uint32_t> rnodes(k);
    std::vector<uint64_t> rids(k);
    for (size_t i = 0; i < k; ++i) {
        rnodes[i] = static_cast<uint32_t>(i);
        rids[i] = i;
    }
    rg.insert(rnodes, rids, rep_space, threads);

    std::vector<uint32_t> owner(g.slots(), kHnswNone);
    for (size_t i = 0; i < k; ++i)
        owner[out.reps[i]] = static_cast<uint32_t>(i);
    std::atomic<size_t> next{0};
    run_parallel(resolve_threads(threads, nodes.size()), [&](unsigned) {
        for (size_t i; (i = next.fetch_add(256, std::memory_order_relaxed)) < nodes.size();) {
            const size_t end = std::min(nodes.size(), i + 256);
            for (; i < end; ++i) {
                const uint32_t x = nodes[i];
                if (owner[x] != kHnswNone)
                    continue; // a representative owns itself
                const auto hit = rg.search_with(
                    [&](uint32_t r) { return space.between(x, out.reps[r]); }, 1, 24, hnsw_detail::NoSkip{}, nullptr,
                    [&](uint32_t r) { space.prefetch(out.reps[r]); });
                owner[x] = hit.empty() ? 0 : hit.front().second;
            }
        }
    });
    out.members.assign(k, {});
    for (uint32_t x : nodes)
        out.members[owner[x]].push_back(x); // ascending: nodes is ascending
    return out;
}

// ---------------------------------------------------------------------------------------------
// Hot-node ranking for layer B

std::vector<uint32_t> rank_hot_nodes(const HnswGraph &g, const HnswSpace &space, size_t budget, unsigned threads) {
    const std::vector<uint32_t> nodes = present_nodes(g);
    if (nodes.empty())
        return {};
    const size_t samples = std::min(nodes.size(), 1000 + nodes.size() / 100);
    const double stride = static_cast<double>(nodes.size()) / static_cast<double>(samples);
    std::vector<std::atomic<uint32_t>> heat(g.slots());
    for (auto &h : heat)
        h.store(0, std::memory_order_relaxed);

    std::atomic<size_t> next{0};
    run_parallel(resolve_threads(threads, samples * 8), [&](unsigned) {
        // A level-0 beam search per sampled row, counting expansions (nodes whose lists are read).
        std::vector<uint16_t> queued(g.slots(), 0);
        uint16_t gen = 0;
        std::vector<Entry> cand, top;
        constexpr size_t ef = 32;
        for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < samples;) {
            const uint32_t q = nodes[static_cast<size_t>(static_cast<double>(i) * stride)];
            if (++gen == 0) {
                std::fill(queued.begin(), queued.end(), uint16_t{0});
                gen = 1;
            }
            uint32_t cur = g.entry_point();
            float cur_d = space.between(q, cur);
            for (int l = g.max_level(); l >= 1; --l)
                for (bool changed = true; changed;) {
                    changed = false;
                    for (uint32_t v : g.neighbors(cur, l)) {
                        const float d = space.between(q, v);
                        if (d < cur_d) {
                            cur_d = d;
                            cur = v;
                            changed = true;
                        }
                    }
                }
            cand.assign(1, {cur_d, cur});
            top.assign(1, {cur_d, cur});
            queued[cur] = gen;
            float bound = std::numeric_limits<float>::infinity();
            while (!cand.empty()) {
                const Entry c = cand.front();
                if (c.d > bound)
                    break;
                std::pop_heap(cand.begin(), cand.end(), Closer{});
                cand.pop_back();
                heat[c.n].fetch_add(1, std::memory_order_relaxed);
                for (uint32_t v : g.neighbors(c.n, 0)) {
                    if (queued[v] == gen)
                        continue;
                    queued[v] = gen;
                    const float d = space.between(q, v);
                    if (top.size() < ef || d < bound) {
                        cand.push_back({d, v});
                        std::push_heap(cand.begin(), cand.end(), Closer{});
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
    });

    std::vector<uint32_t> ranked = nodes;
    auto hotter = [&](uint32_t a, uint32_t b) {
        const uint32_t ha = heat[a].load(std::memory_order_relaxed), hb = heat[b].load(std::memory_order_relaxed);
        if (ha != hb)
            return ha > hb;
        if (g.level(a) != g.level(b))
            return g.level(a) > g.level(b);
        return a < b;
    };
    const size_t keep = budget ? std::min(budget, ranked.size()) : ranked.size();
    std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep), ranked.end(), hotter);
    ranked.resize(keep);
    return ranked;
}

} // namespace rvf

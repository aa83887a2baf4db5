// rvf/index_layers.hpp — the HNSW graph persisted as three INDEX_SEG layers (issue 4; spec §6.4,
// §10.1), progressive loading and search over a partial graph, and the Layout R INDEX (§3.10).
//
// Layers. Each is ONE INDEX_SEG payload: the spec codec (rvf/core/format/index_seg.hpp, rvf-index
// flavour, restart interval 64, header layer_level 0/1/2, node ordinal = the store's row slot),
// followed by a small trailer (below). Node lists in the codec:
//   A (layer_level 0) — routing, meant to be flagged HOT and referenced from the Level-0 root:
//       node on level L ≥ 1 → layer_count L+1, list 0 empty, lists 1..L = its upper links;
//       any other slot      → layer_count 0.  Trailer: entry point, max level, level seed and
//       ~√N centroids: each a graph node (its row is the centroid) with the ascending list of the
//       nodes nearest to it. The lists partition the graph, so they also say which slots are in it.
//   B (layer_level 1) — level-0 lists of the "hot region": layer_count 1 + list for a hot node,
//       0 elsewhere. Hot = the nodes whose lists a search needs most, measured by replaying
//       searches for a deterministic sample of the stored rows themselves and counting how often
//       each node is expanded (rank_hot_nodes); a caller with real access counts (SKETCH_SEG)
//       may pass its own ranking. Tests and bench use a budget of 1/8 of the nodes (B ≈ 1/6 of
//       C's bytes), which lifts SIFT10K recall at equal cost from 0.64 (A) to 0.88 (A+B).
//   C (layer_level 2) — every node's level-0 list (layer_count 1), 0 for slots not in the graph.
// No codec extension is needed: "absent from this layer" is layer_count 0, and what the codec
// has no room for (entry point, centroids, a tag tying the three layers together) goes into the
// trailer, after the codec's final pad — the same place Layout R puts its "RVIX" trailer.
//
// Trailer = body ‖ u32 body_len ‖ ASCII "RVHL" (52 56 48 4C, reading order, like "RVIX"):
//  body off  size  type    field
//  0          2    u16     version        1
//  2          1    u8      layer          0 A, 1 B, 2 C (= codec layer_level)
//  3          1    u8      flags          0
//  4          2    u16     m0             level-0 degree bound (the codec header carries M)
//  6          2    u16     reserved       0
//  8          8    u64     graph_tag      equal in the A, B and C of one build
//  16         8    u64     node_total     A, C: nodes in the graph; B: nodes B has lists for
//  -- layer A only --
//  24         4    u32     max_level
//  28         4    u32     centroid_count K
//  32         8    u64     entry_node     UINT64_MAX when the graph is empty
//  40         8    u64     level_seed     HnswParams::level_seed of the build
//  48         …            K × { varint rep_node, varint member_count,
//                                member_count varints (first absolute, then gaps ≥ 1) }
// Decoding is strict (canonical form only): every count is checked against the bytes left,
// every node number against the codec's node_count, and nothing is allocated from an untrusted
// count before that check.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/hnsw.hpp>
#include <rvf/result.hpp>

namespace rvf {

/// Bits of LayeredSearchResult::layers / LayeredHnsw::layers().
enum HnswLayerBit : uint8_t { kLayerA = 1, kLayerB = 2, kLayerC = 4 };

inline constexpr uint16_t kHnswLayerVersion = 1;
inline constexpr uint8_t kHnswLayerMarker[4] = {0x52, 0x56, 0x48, 0x4C}; // "RVHL"
/// Decoders refuse larger degree bounds (they size per-node storage from them).
inline constexpr uint16_t kHnswMaxDecodeM = 256, kHnswMaxDecodeM0 = 512;

/// Routing centroids: reps[i] is a graph node; members[i] (ascending) are the nodes whose nearest
/// centroid is reps[i]. Every graph node is in exactly one list.
struct HnswCentroids {
    std::vector<uint32_t> reps;
    std::vector<std::vector<uint32_t>> members;
};

/// Pick `count` centroids (0 = round(√size)) among the graph's nodes — highest levels first,
/// ties by a hash of the node number — and assign every node to its nearest one through a small
/// HNSW over the centroids. Deterministic for threads = 1; parallel over `threads` (0 = all).
HnswCentroids compute_centroids(const HnswGraph &graph, const HnswSpace &space, size_t count = 0,
                                unsigned threads = 0);

/// The graph's nodes, hottest first, cut to `budget` (0 = all): replays an ef = 32 search for a
/// deterministic sample of ≈ 1000 + size/100 nodes (each node's own row as the query) and ranks
/// nodes by level-0 expansions, then by level, then by node number.
std::vector<uint32_t> rank_hot_nodes(const HnswGraph &graph, const HnswSpace &space, size_t budget = 0,
                                     unsigned threads = 0);

/// Layer payloads. graph_tag ties the three layers of one build together (the store may use the
/// epoch). Errors: InvalidArgument when `centroids` does not partition the graph's nodes, or a
/// codec limit is exceeded (adjacency beyond 4 GiB).
Result<std::vector<uint8_t>> encode_layer_a(const HnswGraph &graph, const HnswCentroids &centroids,
                                            uint64_t graph_tag = 0);
/// `hot` = nodes whose level-0 lists go into B (duplicates and nodes not in the graph ignored).
Result<std::vector<uint8_t>> encode_layer_b(const HnswGraph &graph, std::span<const uint32_t> hot,
                                            uint64_t graph_tag = 0);
Result<std::vector<uint8_t>> encode_layer_c(const HnswGraph &graph, uint64_t graph_tag = 0);

/// Trailer fields of a layer payload (the centroid lists stay undecoded bytes here).
struct HnswLayerInfo {
    uint16_t version = 0;
    uint8_t layer = 0;
    uint16_t m0 = 0;
    uint64_t graph_tag = 0;
    uint64_t node_total = 0;
    uint32_t max_level = 0, centroid_count = 0; // layer A only
    uint64_t entry_node = UINT64_MAX, level_seed = 0;
    core::ByteView centroid_bytes{};
    size_t codec_size = 0; // payload bytes before the trailer body
};
/// Locate and check a layer trailer. Errors: TruncatedSegment (too short / body beyond the
/// payload), InvalidMagic (no "RVHL"), InvalidVersion, InvalidManifest (layer > 2, non-zero
/// flags/reserved, a B/C body that is not exactly 24 bytes, an A body shorter than 48).
Result<HnswLayerInfo> read_layer_info(core::ByteView payload);

struct LayeredSearchParams {
    size_t k = 10;
    size_t ef = 64;    ///< beam width (full graph: ef_search; partial: per beam)
    size_t nprobe = 0; ///< centroid lists scanned by a partial search; 0 = auto (0.8·√K, ≥ 4)
};
struct LayeredSearchResult {
    std::vector<std::pair<float, uint32_t>> hits; ///< (distance, node) ascending, ≤ k
    uint8_t layers = 0;                           ///< HnswLayerBit set that answered
    HnswSearchStats stats;
};

namespace hnsw_detail {
/// Non-owning callable reference (one indirect call, no allocation).
template <class Sig> class FnRef;
template <class R, class... A> class FnRef<R(A...)> {
public:
    template <class F>
        requires(!std::is_same_v<std::remove_cv_t<F>, FnRef>)
    FnRef(F &f) : obj_(static_cast<void *>(&f)), call_([](void *o, A... a) -> R { return (*static_cast<F *>(o))(a...); }) {}
    R operator()(A... a) const { return call_(obj_, a...); }

private:
    void *obj_;
    R (*call_)(void *, A...);
};
} // namespace hnsw_detail

/// An HNSW graph loaded layer by layer. open(A) gives a searchable routing view (centroids +
/// upper levels); add_layer_b / add_layer_c add level-0 lists; with C the graph is complete and
/// search is the plain HNSW search. A failed add leaves the object unchanged.
class LayeredHnsw {
public:
    /// Errors: those of read_layer_info and core::decode_index_seg, plus InvalidManifest (not a
    /// layer A, index_type ≠ HNSW, M/m0 out of range, a non-empty list 0, a node on an upper level
    /// that is in no centroid list, a node in two lists, an upper link to a node not on that
    /// level, a self link, a list longer than M, entry/max level/node_total inconsistent).
    static Result<LayeredHnsw> open(core::ByteView layer_a);
    /// Errors as open, plus InvalidManifest (wrong layer, node_count/M/m0 differ from A, a list
    /// for a slot not in the graph, layer C missing a node), GenerationStale (graph_tag ≠ A's).
    Result<void> add_layer_b(core::ByteView layer_b);
    Result<void> add_layer_c(core::ByteView layer_c);

    uint8_t layers() const { return layers_; }
    bool complete() const { return (layers_ & kLayerC) != 0; }
    const HnswGraph &graph() const { return graph_; }
    /// Move the graph out (for inserting further batches once complete()); leaves this empty.
    HnswGraph release_graph() &&;
    const HnswCentroids &centroids() const { return centroids_; }
    uint64_t graph_tag() const { return tag_; }
    /// Whether node's level-0 list is known (from B or C).
    bool level0_known(uint32_t node) const { return node < l0_known_.size() && l0_known_[node]; }

    /// Search: dist(node) = distance from the query; skip(node) = never return it. Complete →
    /// HNSW search (layers A|C). Partial → scan the nprobe nearest centroid lists, HNSW descent and
    /// an ef-beam on level 1, then (with B) an ef-beam on level 0 expanding the nodes B covers;
    /// every node evaluated competes for the top k (layers A, or A|B).
    template <class Dist, class Skip = hnsw_detail::NoSkip>
    LayeredSearchResult search_with(Dist &&dist, const LayeredSearchParams &params, Skip &&skip = Skip{}) const {
        LayeredSearchResult r;
        if (complete()) {
            r.hits = graph_.search_with(dist, params.k, params.ef, skip, &r.stats);
            r.layers = kLayerA | kLayerC;
            return r;
        }
        auto d = [&](uint32_t n) -> float { return dist(n); };
        auto s = [&](uint32_t n) -> bool { return skip(n); };
        partial_search(hnsw_detail::FnRef<float(uint32_t)>(d), hnsw_detail::FnRef<bool(uint32_t)>(s), params, r);
        return r;
    }
    LayeredSearchResult search(const std::function<float(uint32_t)> &dist, const LayeredSearchParams &params,
                               const std::function<bool(uint32_t)> &skip = {}) const;

    LayeredHnsw(LayeredHnsw &&) noexcept;
    LayeredHnsw &operator=(LayeredHnsw &&) noexcept;
    ~LayeredHnsw();

private:
    LayeredHnsw();
    Result<void> add_level0_layer(core::ByteView payload, uint8_t layer);
    void partial_search(hnsw_detail::FnRef<float(uint32_t)> dist, hnsw_detail::FnRef<bool(uint32_t)> skip,
                        const LayeredSearchParams &params, LayeredSearchResult &out) const;

    HnswGraph graph_;
    HnswCentroids centroids_;
    std::vector<uint8_t> l0_known_;
    uint64_t tag_ = 0;
    uint64_t slots_ = 0; // codec node_count of layer A
    uint16_t m_ = 0, m0_ = 0;
    uint32_t ef_construction_ = 0;
    uint8_t layers_ = 0;
};

// ---- Layout R INDEX (spec §3.10): what upstream writes at close ----

/// A Layout R HNSW: graph nodes are ordinals 0..n−1 and ids[ordinal] the vector ids (ascending).
/// Turn ordinals into row slots with graph.remap(ordinal_to_row).
struct LayoutRHnsw {
    HnswGraph graph;
    std::vector<uint64_t> ids;
};
/// Decode and validate (core::decode_layout_r_index) and build the graph. Errors: those of the
/// core decoder, plus InvalidManifest when a list is longer than M (upper) / m0 (level 0), M or
/// m0 is out of range, an upper link points to a node not on that level, or the entry point is
/// missing while nodes exist.
Result<LayoutRHnsw> decode_layout_r_hnsw(core::ByteView payload);
/// Encode `graph` as upstream's INDEX payload: node_ids[node] = vector id of each graph node
/// (ids of graph nodes distinct); ordinals follow ascending id. Errors: InvalidArgument (a node
/// without an id, duplicate ids, codec limits).
Result<std::vector<uint8_t>> encode_layout_r_hnsw(const HnswGraph &graph, std::span<const uint64_t> node_ids);

} // namespace rvf

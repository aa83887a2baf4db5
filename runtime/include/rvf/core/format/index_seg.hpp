// rvf/core/format/index_seg.hpp — INDEX_SEG codec (spec §6.4), both upstream flavours.
//
// All offsets are from the start of the payload; every "pad" is zero bytes up to the next
// multiple of 64 measured from the payload start (not from the file).
//
//  off   size   type      field
//  0      1     u8        index_type        0 HNSW, 1 IVF, 2 flat
//  1      1     u8        layer_level       0 A, 1 B, 2 C  (the runtime writes 2)
//  2      2     u16       M
//  4      4     u32       ef_construction
//  8      8     u64       node_count
//  16    48     —         pad (zero)
//  64     4     u32       restart_interval  runtime: 64
//  68     4     u32       restart_count     = ceil(node_count / restart_interval)
//  72    4·c    u32[c]    restart_offsets   byte offset of node r·interval within the adjacency area
//  …            —         pad
//  A      …     node[n]   adjacency, node ordinal order:
//                           varint layer_count; per layer: varint neighbor_count, neighbor ids
//  …            —         pad
//
// Neighbour ids are dense ordinals (< node_count), lists sorted ascending. Flavours:
//  * RvfIndex (rvf-index codec, what the Layout R runtime writes, §3.10): at restart nodes
//    (ordinal % interval == 0) every id is absolute; elsewhere the first id is absolute and the
//    rest are gaps from the previous id.
//  * RvfWire (rvf-wire codec): every list is first-absolute-then-gaps, restart or not.
// Decoding walks the whole adjacency once (validating every count and id, and that each restart
// offset is exactly where its node starts); afterwards a lookup jumps to the nearest restart
// point and walks at most interval−1 nodes. Little-endian. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"  // ByteView, ByteReader, ByteWriter, align_up
#include "../status.hpp" // Status, RVF_CORRUPT

namespace rvf::core {

inline constexpr size_t kIndexSegHeaderSize = 16; // before padding
inline constexpr size_t kIndexSegAlign = 64;
inline constexpr uint32_t kIndexDefaultRestartInterval = 64;
inline constexpr uint32_t kIndexMaxLayers = 64; // guard on layer_count (HNSW levels ≪ 64)

enum class IndexType : uint8_t { Hnsw = 0, Ivf = 1, Flat = 2 };
enum class IndexFlavour : uint8_t { RvfIndex = 0, RvfWire = 1 };

struct IndexSegHeader {
    uint8_t index_type = 0;
    uint8_t layer_level = 2;
    uint16_t m = 16;
    uint32_t ef_construction = 200;
    uint64_t node_count = 0;
};
namespace index_seg_off {
inline constexpr size_t index_type = 0, layer_level = 1, m = 2, ef_construction = 4, node_count = 8,
                        restart_interval = 64, restart_count = 68, restart_offsets = 72;
static_assert(node_count + 8 == kIndexSegHeaderSize, "INDEX_SEG header is 16 bytes before padding");
static_assert(restart_interval == kIndexSegAlign, "restart index starts at the first 64-B boundary");
} // namespace index_seg_off

/// Lazy decoder over one already-validated neighbour list.
class IndexNeighborList {
public:
    constexpr IndexNeighborList() : r_(ByteView{}) {}
    constexpr IndexNeighborList(ByteReader r, uint64_t count, bool absolute)
        : r_(r), count_(count), left_(count), absolute_(absolute) {}
    constexpr uint64_t count() const { return count_; }
    /// Next absolute ordinal; false when the list is exhausted.
    constexpr bool next(uint64_t *id) {
        if (left_ == 0)
            return false;
        const uint64_t v = r_.varint();
        if (!r_.ok())
            return false;
        --left_;
        prev_ = (absolute_ || first_) ? v : prev_ + v;
        first_ = false;
        *id = prev_;
        return true;
    }
    /// Consume what is left; returns the reader position after the list.
    constexpr size_t finish() {
        uint64_t id = 0;
        while (next(&id)) {
        }
        return r_.pos();
    }

private:
    ByteReader r_;
    uint64_t count_ = 0, left_ = 0, prev_ = 0;
    bool absolute_ = false, first_ = true;
};

struct IndexSegView {
    IndexSegHeader header{};
    IndexFlavour flavour = IndexFlavour::RvfIndex;
    uint32_t restart_interval = 0;
    uint32_t restart_count = 0;
    ByteView restart_offsets{};   // restart_count × u32
    ByteView adjacency{};         // node records exactly, without the trailing pad
    size_t adjacency_offset = 0;  // from the payload start (a multiple of 64)
    size_t encoded_size = 0;      // payload bytes the codec occupies, final pad included
    uint32_t max_layer_count = 0; // largest layer_count of any node

    constexpr uint32_t restart_offset(uint32_t r) const { return load_u32_le(restart_offsets.data + 4 * static_cast<size_t>(r)); }
    constexpr bool is_absolute_node(uint64_t ordinal) const {
        return flavour == IndexFlavour::RvfIndex && ordinal % restart_interval == 0;
    }

    /// Number of layers node `ordinal` is on. InvalidArgument if ordinal ≥ node_count.
    constexpr Status node_layer_count(uint64_t ordinal, uint32_t *out) const {
        ByteReader r(adjacency);
        RVF_TRY(seek_node(ordinal, r));
        const uint64_t lc = r.varint();
        if (!r.ok())
            return RVF_CORRUPT(Status::TruncatedSegment);
        *out = static_cast<uint32_t>(lc);
        return Status::Ok;
    }

    /// Call f(uint64_t neighbor_ordinal) for each neighbour of `ordinal` on `layer`, ascending.
    /// A node not present on `layer` has no neighbours there (Ok, no calls).
    /// InvalidArgument if ordinal ≥ node_count.
    template <class F> constexpr Status for_each_neighbor(uint64_t ordinal, uint32_t layer, F &&f) const {
        IndexNeighborList list;
        RVF_TRY(neighbor_list(ordinal, layer, list));
        uint64_t id = 0;
        while (list.next(&id))
            f(id);
        return Status::Ok;
    }

    /// Copy up to `cap` neighbours of `ordinal` on `layer` to out[]; *count = the full number.
    /// Ok; OkPartial when cap < *count (out holds the first cap); InvalidArgument for a bad
    /// ordinal or a null out with cap > 0.
    constexpr Status node_neighbors(uint64_t ordinal, uint32_t layer, uint64_t *out, size_t cap, size_t *count) const {
        if (cap && !out)
            return Status::InvalidArgument;
        IndexNeighborList list;
        RVF_TRY(neighbor_list(ordinal, layer, list));
        *count = static_cast<size_t>(list.count());
        uint64_t id = 0;
        for (size_t i = 0; i < cap && list.next(&id); ++i)
            out[i] = id;
        return list.count() > cap ? Status::OkPartial : Status::Ok;
    }

    /// The lazy list for (ordinal, layer); empty when the node is not on that layer.
    constexpr Status neighbor_list(uint64_t ordinal, uint32_t layer, IndexNeighborList &out) const {
        out = IndexNeighborList{};
        ByteReader r(adjacency);
        RVF_TRY(seek_node(ordinal, r));
        const uint64_t lc = r.varint();
        for (uint64_t l = 0; l < lc && r.ok(); ++l) {
            const uint64_t nc = r.varint();
            IndexNeighborList list(r, nc, is_absolute_node(ordinal));
            if (l == layer) {
                out = list;
                return r.ok() ? Status::Ok : RVF_CORRUPT(Status::TruncatedSegment);
            }
            r.seek(list.finish());
        }
        return r.ok() ? Status::Ok : RVF_CORRUPT(Status::TruncatedSegment);
    }

    /// Sequential walk of every node: f(uint64_t ordinal, uint32_t layer, uint32_t layer_count,
    /// IndexNeighborList &list) once per (node, layer); the list may be left unread. O(size).
    template <class F> constexpr Status for_each_list(F &&f) const {
        ByteReader r(adjacency);
        for (uint64_t n = 0; n < header.node_count; ++n) {
            const uint64_t lc = r.varint();
            for (uint64_t l = 0; l < lc && r.ok(); ++l) {
                const uint64_t nc = r.varint();
                IndexNeighborList list(r, nc, is_absolute_node(n));
                IndexNeighborList copy = list;
                f(n, static_cast<uint32_t>(l), static_cast<uint32_t>(lc), copy);
                r.seek(list.finish());
            }
            if (!r.ok())
                return RVF_CORRUPT(Status::TruncatedSegment);
        }
        return Status::Ok;
    }

private:
    /// Position r at the first byte of node `ordinal`, starting from its restart point.
    constexpr Status seek_node(uint64_t ordinal, ByteReader &r) const {
        if (ordinal >= header.node_count)
            return Status::InvalidArgument;
        const uint64_t rs = ordinal / restart_interval;
        r.seek(restart_offset(static_cast<uint32_t>(rs)));
        for (uint64_t n = rs * restart_interval; n < ordinal && r.ok(); ++n) {
            const uint64_t lc = r.varint();
            for (uint64_t l = 0; l < lc && r.ok(); ++l) {
                const uint64_t nc = r.varint();
                for (uint64_t k = 0; k < nc && r.ok(); ++k)
                    r.varint();
            }
        }
        return r.ok() ? Status::Ok : RVF_CORRUPT(Status::TruncatedSegment);
    }
};

namespace detail {
/// Zero bytes from r.pos() to the next multiple of 64 (from the view start) must be present.
constexpr Status idx_skip_pad(ByteReader &r) {
    const uint64_t target = align_up(r.pos(), kIndexSegAlign);
    if (target - r.pos() > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (!r.skip_zero_pad(kIndexSegAlign))
        return RVF_CORRUPT(Status::AlignmentError);
    return Status::Ok;
}
/// Read one varint; a failure with ≥ 10 bytes available is a malformed varint, else truncation.
constexpr Status idx_varint(ByteReader &a, uint64_t *v) {
    const bool room = a.has(10);
    *v = a.varint();
    if (a.ok())
        return Status::Ok;
    return room ? RVF_CORRUPT(Status::InvalidManifest) : RVF_CORRUPT(Status::TruncatedSegment);
}
/// Zero-fill to the next multiple of 64 counted from `base` (the payload start in the writer).
constexpr bool idx_write_pad(ByteWriter &w, size_t base) {
    const uint64_t rel = w.pos() - base;
    return w.zeros(static_cast<size_t>(align_up(rel, kIndexSegAlign) - rel));
}
} // namespace detail

/// Decode and fully validate an INDEX_SEG codec payload. Bytes after the codec (e.g. the Layout R
/// trailer) are allowed; view.encoded_size tells where the codec ends.
/// Returns Ok, or:
///  * TruncatedSegment — header, restart index, adjacency or a pad runs past the payload
///    (including node_count larger than the bytes could possibly describe);
///  * AlignmentError — a pad byte is not zero;
///  * InvalidManifest — restart_interval 0 with nodes, restart_count ≠ ceil(n/interval), a
///    restart offset not at its node, layer_count > 64, neighbor_count > node_count, an id
///    ≥ node_count (after gap accumulation), or a varint longer than 10 bytes / beyond u64
///    (a varint cut off by the end of the payload is TruncatedSegment).
constexpr Status decode_index_seg(ByteView payload, IndexFlavour flavour, IndexSegView &out) {
    out = IndexSegView{};
    out.flavour = flavour;
    ByteReader r(payload);
    IndexSegHeader &h = out.header;
    h.index_type = r.u8();
    h.layer_level = r.u8();
    h.m = r.u16();
    h.ef_construction = r.u32();
    h.node_count = r.u64();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    RVF_TRY(detail::idx_skip_pad(r));

    out.restart_interval = r.u32();
    out.restart_count = r.u32();
    if (!r.ok())
        return RVF_CORRUPT(Status::TruncatedSegment);
    // Every node takes at least one byte: a cheap bound before any loop runs on node_count.
    if (h.node_count > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (h.node_count > 0 && out.restart_interval == 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    const uint64_t want_restarts =
        h.node_count == 0 ? 0 : (h.node_count - 1) / out.restart_interval + 1;
    if (out.restart_count != want_restarts)
        return RVF_CORRUPT(Status::InvalidManifest);
    if (static_cast<uint64_t>(out.restart_count) * 4 > r.remaining())
        return RVF_CORRUPT(Status::TruncatedSegment);
    out.restart_offsets = r.bytes(static_cast<size_t>(out.restart_count) * 4);
    RVF_TRY(detail::idx_skip_pad(r));

    // Adjacency: walk every node once.
    out.adjacency_offset = r.pos();
    const ByteView rest = payload.from(r.pos());
    ByteReader a(rest);
    const uint64_t n = h.node_count;
    for (uint64_t node = 0; node < n; ++node) {
        if (node % out.restart_interval == 0 &&
            out.restart_offset(static_cast<uint32_t>(node / out.restart_interval)) != a.pos())
            return RVF_CORRUPT(Status::InvalidManifest);
        const bool absolute = flavour == IndexFlavour::RvfIndex && node % out.restart_interval == 0;
        uint64_t lc = 0;
        RVF_TRY(detail::idx_varint(a, &lc));
        if (lc > kIndexMaxLayers)
            return RVF_CORRUPT(Status::InvalidManifest);
        if (lc > out.max_layer_count)
            out.max_layer_count = static_cast<uint32_t>(lc);
        for (uint64_t l = 0; l < lc; ++l) {
            uint64_t nc = 0;
            RVF_TRY(detail::idx_varint(a, &nc));
            if (nc > n)
                return RVF_CORRUPT(Status::InvalidManifest);
            if (nc > a.remaining())
                return RVF_CORRUPT(Status::TruncatedSegment);
            uint64_t prev = 0;
            for (uint64_t k = 0; k < nc; ++k) {
                uint64_t v = 0;
                RVF_TRY(detail::idx_varint(a, &v));
                uint64_t id = v;
                if (!absolute && k > 0) {
                    if (v > n - 1 - prev) // prev < n, so n-1-prev cannot wrap
                        return RVF_CORRUPT(Status::InvalidManifest);
                    id = prev + v;
                }
                if (id >= n)
                    return RVF_CORRUPT(Status::InvalidManifest);
                prev = id;
            }
        }
    }
    out.adjacency = rest.sub(0, a.pos());
    r.seek(out.adjacency_offset + a.pos());
    RVF_TRY(detail::idx_skip_pad(r));
    out.encoded_size = r.pos();
    return Status::Ok;
}

/// Encoder input: one neighbour list (ids ascending, each < node_count).
struct IndexLayerInput {
    const uint64_t *ids = nullptr;
    uint32_t count = 0;
};
/// Encoder input: one node's lists, layer 0 first.
struct IndexNodeInput {
    const IndexLayerInput *layers = nullptr;
    uint32_t layer_count = 0;
};

namespace detail {
constexpr Status idx_encode_node(ByteWriter &w, const IndexNodeInput &node, uint64_t n, bool absolute) {
    if (node.layer_count > kIndexMaxLayers || (node.layer_count && !node.layers))
        return Status::InvalidArgument;
    w.varint(node.layer_count);
    for (uint32_t l = 0; l < node.layer_count; ++l) {
        const IndexLayerInput &L = node.layers[l];
        if (L.count > n || (L.count && !L.ids))
            return Status::InvalidArgument;
        w.varint(L.count);
        for (uint32_t k = 0; k < L.count; ++k) {
            const uint64_t id = L.ids[k];
            if (id >= n || (k > 0 && id < L.ids[k - 1]))
                return Status::InvalidArgument;
            w.varint((absolute || k == 0) ? id : id - L.ids[k - 1]);
        }
    }
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}
} // namespace detail

/// Encode an INDEX_SEG codec payload at the writer's position (pads count from there).
/// `nodes` has header.node_count entries. restart_interval ≥ 1 (runtime: 64).
/// Returns Ok, or InvalidArgument (bad interval, > 64 layers, unsorted list, id ≥ node_count,
/// neighbor_count > node_count, adjacency beyond 4 GiB so offsets overflow u32, writer full).
constexpr Status encode_index_seg(ByteWriter &w, const IndexSegHeader &h, const IndexNodeInput *nodes,
                                  uint32_t restart_interval, IndexFlavour flavour) {
    const uint64_t n = h.node_count;
    if (restart_interval == 0 || (n && !nodes) || static_cast<uint64_t>(static_cast<size_t>(n)) != n)
        return Status::InvalidArgument;
    const uint64_t restarts = n == 0 ? 0 : (n - 1) / restart_interval + 1;
    if (restarts > UINT32_MAX)
        return Status::InvalidArgument;
    const size_t base = w.pos();
    w.u8(h.index_type);
    w.u8(h.layer_level);
    w.u16(h.m);
    w.u32(h.ef_construction);
    w.u64(n);
    detail::idx_write_pad(w, base);
    w.u32(restart_interval);
    w.u32(static_cast<uint32_t>(restarts));
    // Restart offsets come from a counting pass over the adjacency, written as they are found.
    ByteWriter sizer;
    for (uint64_t i = 0; i < n; ++i) {
        const bool restart = i % restart_interval == 0;
        if (restart) {
            if (sizer.pos() > UINT32_MAX)
                return Status::InvalidArgument;
            w.u32(static_cast<uint32_t>(sizer.pos()));
        }
        RVF_TRY(detail::idx_encode_node(sizer, nodes[i], n, restart && flavour == IndexFlavour::RvfIndex));
    }
    detail::idx_write_pad(w, base);
    for (uint64_t i = 0; i < n && w.ok(); ++i) {
        const bool absolute = i % restart_interval == 0 && flavour == IndexFlavour::RvfIndex;
        RVF_TRY(detail::idx_encode_node(w, nodes[i], n, absolute));
    }
    detail::idx_write_pad(w, base);
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

} // namespace rvf::core

// rvf/index_flat.hpp — layer F: the HNSW graph as fixed-width arrays a mapped file can serve
// without decoding (issue 17; layout in docs/format-hnsw-flat.md).
//
// Layers A/B/C (rvf/index_layers.hpp) are compact varint codecs: a reader must decode every
// node before it can search, which is most of an in-place open's time and memory. Index builds
// and compactions also write layer F, one more INDEX_SEG payload after C, holding the same
// graph as the in-memory HnswGraph arrays (one level byte per slot, (m0 + 1) words per slot on
// level 0, an offsets table into one array of upper-level blocks). An in-place open checks its
// header and sizes (O(1)) and borrows the arrays (HnswGraph::borrow); everything else reads
// the A/B/C layers as before. A reader that predates F refuses the payload with InvalidMagic in
// read_layer_info (F ends in "RVHF", not "RVHL") and ignores it: it never misreads it.
#pragma once
#include <cstdint>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/hnsw.hpp>
#include <rvf/result.hpp>

namespace rvf {

inline constexpr uint8_t kHnswFlatMagic[4] = {0x52, 0x56, 0x48, 0x46}; // "RVHF"
inline constexpr uint16_t kHnswFlatVersion = 1;
inline constexpr size_t kHnswFlatHeaderSize = 64;

/// Header fields of a layer F payload (checked by read_flat_header).
struct HnswFlatHeader {
    uint16_t version = 0;
    HnswParams params;
    uint64_t graph_tag = 0;
    uint32_t slots = 0, nodes = 0;
    uint32_t entry = kHnswNone;
    int32_t max_level = -1;
    uint64_t upper_words = 0;
    // Byte offsets of the arrays inside the payload.
    size_t levels_at = 0, l0_at = 0, upper_off_at = 0, upper_at = 0, total = 0;
};

/// Whether a payload starts with the layer F magic (cheap: 4 bytes).
bool is_flat_layer(core::ByteView payload);

/// Layer F of `graph`. Errors: InvalidArgument when node numbers or the upper array exceed u32.
Result<std::vector<uint8_t>> encode_layer_flat(const HnswGraph &graph, uint64_t graph_tag);

/// Check the 64-byte header against the payload size. Errors: InvalidMagic, InvalidVersion,
/// InvalidManifest (flags/reserved, M/m0/ef out of range, entry/max level inconsistent, array
/// sizes that do not add up to payload_size exactly).
Result<HnswFlatHeader> read_flat_header(core::ByteView header, uint64_t payload_size);

/// Borrow the graph from a whole layer F payload (read_flat_header's checks plus the entry
/// node's level byte). The payload must be 4-byte aligned and stay alive as long as the graph.
/// Only the header and the entry's level byte are read here; queries read the rest lazily,
/// through HnswGraph's clamped, bounds-checked accessors. Errors: as read_flat_header, plus
/// AlignmentError (unaligned payload or a big-endian host) and InvalidManifest (entry level).
Result<HnswGraph> borrow_layer_flat(core::ByteView payload);

} // namespace rvf

// Layer F (rvf/index_flat.hpp, docs/format-hnsw-flat.md): encoder, header check and the
// borrowed graph an in-place open serves queries from.
#include <rvf/index_flat.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include <rvf/index_layers.hpp>

#include "codec_util.hpp"

namespace rvf {

using core::ByteView;
using core::Status;
using index_detail::format_error;

namespace {

constexpr size_t kFooter = 8; // u32 reserved ‖ "RVHF": an older reader's trailer check fails

size_t pad64(size_t n) { return (n + 63) & ~size_t{63}; }

/// Where the arrays lie for these counts; false when the sizes overflow.
bool place(HnswFlatHeader &h) {
    const uint64_t s = h.slots, words0 = uint64_t{h.params.m0} + 1;
    const uint64_t levels = pad64(h.slots);
    const uint64_t l0 = s * words0 * 4, off = s * 4;
    if (h.upper_words > (uint64_t{1} << 40))
        return false;
    const uint64_t total = kHnswFlatHeaderSize + levels + l0 + off + h.upper_words * 4 + kFooter;
    if (total > SIZE_MAX)
        return false;
    h.levels_at = kHnswFlatHeaderSize;
    h.l0_at = static_cast<size_t>(kHnswFlatHeaderSize + levels);
    h.upper_off_at = static_cast<size_t>(h.l0_at + l0);
    h.upper_at = static_cast<size_t>(h.upper_off_at + off);
    h.total = static_cast<size_t>(total);
    return true;
}

} // namespace

bool is_flat_layer(ByteView payload) {
    return payload.size >= 4 && std::memcmp(payload.data, kHnswFlatMagic, 4) == 0;
}

Result<std::vector<uint8_t>> encode_layer_flat(const HnswGraph &g, uint64_t graph_tag) {
    size_t span = g.slots();
    while (span > 0 && !g.contains(static_cast<uint32_t>(span - 1)))
        --span;
    if (span >= kHnswNone || g.size() >= kHnswNone)
        return Error{Status::InvalidArgument, "layer F: node numbers beyond u32"};
    HnswFlatHeader h;
    h.params = g.params();
    h.slots = static_cast<uint32_t>(span);
    h.nodes = static_cast<uint32_t>(g.size());
    h.entry = g.entry_point();
    h.max_level = g.max_level();
    const uint32_t mw = g.params().m + 1u;
    for (size_t n = 0; n < span; ++n)
        if (const int l = g.level(static_cast<uint32_t>(n)); l > 0)
            h.upper_words += static_cast<uint64_t>(l) * mw;
    if (h.upper_words >= kHnswNone || !place(h))
        return Error{Status::InvalidArgument, "layer F: upper levels beyond u32 words"};
    std::vector<uint8_t> out(h.total, 0);
    uint8_t *p = out.data();
    std::memcpy(p, kHnswFlatMagic, 4);
    core::store_u16_le(p + 4, kHnswFlatVersion);
    core::store_u16_le(p + 8, h.params.m);
    core::store_u16_le(p + 10, h.params.m0);
    core::store_u16_le(p + 12, h.params.ef_construction);
    core::store_u64_le(p + 16, graph_tag);
    core::store_u64_le(p + 24, h.params.level_seed);
    core::store_u32_le(p + 32, h.slots);
    core::store_u32_le(p + 36, h.nodes);
    core::store_u32_le(p + 40, h.entry);
    core::store_u32_le(p + 44, static_cast<uint32_t>(h.max_level));
    core::store_u64_le(p + 48, h.upper_words);
    const uint32_t w0 = g.params().m0 + 1u;
    uint64_t next_upper = 0;
    for (size_t n = 0; n < span; ++n) {
        const auto node = static_cast<uint32_t>(n);
        const int level = g.level(node);
        p[h.levels_at + n] = static_cast<uint8_t>(static_cast<int8_t>(level));
        uint8_t *off = p + h.upper_off_at + n * 4;
        core::store_u32_le(off, kHnswNone);
        if (level < 0)
            continue;
        // Lists ascending, as layers B/C store them, so a borrowed graph walks neighbours in
        // the order a decoded one does and both answer identically.
        auto put = [&](uint8_t *at, int l) {
            std::vector<uint32_t> nb(g.neighbors(node, l).begin(), g.neighbors(node, l).end());
            std::sort(nb.begin(), nb.end());
            core::store_u32_le(at, static_cast<uint32_t>(nb.size()));
            for (size_t j = 0; j < nb.size(); ++j)
                core::store_u32_le(at + 4 * (j + 1), nb[j]);
        };
        put(p + h.l0_at + n * w0 * 4, 0);
        if (level > 0) {
            core::store_u32_le(off, static_cast<uint32_t>(next_upper));
            for (int l = 1; l <= level; ++l)
                put(p + h.upper_at + (next_upper + static_cast<uint64_t>(l - 1) * mw) * 4, l);
            next_upper += static_cast<uint64_t>(level) * mw;
        }
    }
    std::memcpy(p + h.total - 4, kHnswFlatMagic, 4);
    return out;
}

Result<HnswFlatHeader> read_flat_header(ByteView header, uint64_t payload_size) {
    if (header.size < kHnswFlatHeaderSize || payload_size < kHnswFlatHeaderSize + kFooter)
        return format_error(Status::TruncatedSegment, "layer F: payload shorter than its header");
    const uint8_t *p = header.data;
    if (!is_flat_layer(header))
        return format_error(Status::InvalidMagic, "layer F: no RVHF magic");
    HnswFlatHeader h;
    h.version = core::load_u16_le(p + 4);
    if (h.version != kHnswFlatVersion)
        return format_error(Status::InvalidVersion, "layer F: version " + std::to_string(h.version) +
                                                        " is newer than this reader (update rvf)");
    if (core::load_u16_le(p + 6) != 0 || core::load_u16_le(p + 14) != 0 || core::load_u64_le(p + 56) != 0)
        return format_error(Status::InvalidManifest, "layer F: flags/reserved not zero");
    h.params.m = core::load_u16_le(p + 8);
    h.params.m0 = core::load_u16_le(p + 10);
    h.params.ef_construction = core::load_u16_le(p + 12);
    h.graph_tag = core::load_u64_le(p + 16);
    h.params.level_seed = core::load_u64_le(p + 24);
    h.slots = core::load_u32_le(p + 32);
    h.nodes = core::load_u32_le(p + 36);
    h.entry = core::load_u32_le(p + 40);
    h.max_level = static_cast<int32_t>(core::load_u32_le(p + 44));
    h.upper_words = core::load_u64_le(p + 48);
    if (h.params.m < 2 || h.params.m > kHnswMaxDecodeM || h.params.m0 < h.params.m ||
        h.params.m0 > kHnswMaxDecodeM0 || h.params.ef_construction == 0)
        return format_error(Status::InvalidManifest, "layer F: M, m0 or ef_construction out of range");
    if (h.slots >= kHnswNone || h.nodes > h.slots)
        return format_error(Status::InvalidManifest, "layer F: node counts");
    const bool empty = h.entry == kHnswNone;
    if (empty != (h.nodes == 0) || (empty ? h.max_level != -1 : (h.entry >= h.slots || h.max_level < 0 ||
                                                               h.max_level > kHnswMaxLevel)))
        return format_error(Status::InvalidManifest, "layer F: entry point / max level");
    if (!place(h) || h.total != payload_size)
        return format_error(Status::InvalidManifest, "layer F: array sizes do not add up to the payload size");
    return h;
}

Result<HnswGraph> borrow_layer_flat(ByteView payload) {
    auto h = read_flat_header(payload, payload.size);
    if (!h)
        return h.error();
    if constexpr (std::endian::native != std::endian::little)
        return format_error(Status::AlignmentError, "layer F: served in place only on little-endian hosts");
    if (reinterpret_cast<uintptr_t>(payload.data) % 4 != 0)
        return format_error(Status::AlignmentError, "layer F: payload not 4-byte aligned");
    if (std::memcmp(payload.data + payload.size - 4, kHnswFlatMagic, 4) != 0 ||
        core::load_u32_le(payload.data + payload.size - 8) != 0)
        return format_error(Status::InvalidManifest, "layer F: footer");
    HnswBorrowed b;
    b.params = h->params;
    b.slots = h->slots;
    b.nodes = h->nodes;
    b.entry = h->entry;
    b.max_level = h->max_level;
    b.levels = reinterpret_cast<const int8_t *>(payload.data + h->levels_at);
    b.l0 = reinterpret_cast<const uint32_t *>(payload.data + h->l0_at);
    b.upper_off = reinterpret_cast<const uint32_t *>(payload.data + h->upper_off_at);
    b.upper = reinterpret_cast<const uint32_t *>(payload.data + h->upper_at);
    b.upper_words = static_cast<size_t>(h->upper_words);
    if (b.entry != kHnswNone && b.levels[b.entry] != b.max_level)
        return format_error(Status::InvalidManifest, "layer F: the entry node's level is not max_level");
    return HnswGraph::borrow(b);
}

} // namespace rvf

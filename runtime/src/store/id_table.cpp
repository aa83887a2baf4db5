// id_table.cpp — see id_table.hpp; the byte layout is in docs/format-id-table.md.
#include "id_table.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

namespace rvf::store_detail {
namespace {

using core::align_up;
using core::load_u16_le;
using core::load_u32_le;
using core::load_u64_le;

/// Offsets of the arrays for n rows after a prefix of `prefix` bytes, and the payload size.
struct Layout {
    uint64_t row_ids, sorted_ids, sorted_rows, footer, size;
};
Layout layout_of(uint64_t prefix, uint64_t n) {
    Layout l{};
    l.row_ids = prefix;
    l.sorted_ids = l.row_ids + 8 * n;
    l.sorted_rows = l.sorted_ids + 8 * n;
    l.footer = align_up(l.sorted_rows + 4 * n, 8);
    l.size = l.footer + kIdTableFooter;
    return l;
}

Error bad(Status s, const std::string &what) {
    return Error{s, "id table: " + what + " (the open decodes the VEC id maps instead; `rvf compact` rewrites it)"};
}

} // namespace

std::vector<uint8_t> encode_id_table(std::span<const uint64_t> ids, std::span<const IdTableSegment> segments) {
    const uint64_t n = ids.size();
    const uint64_t prefix = align_up(kIdTableHeaderSize + kIdTableSegmentRecord * segments.size(), 64);
    const Layout l = layout_of(prefix, n);
    std::vector<uint8_t> out(static_cast<size_t>(l.size), 0);
    uint8_t *p = out.data();
    std::memcpy(p, kIdTableMagic, 4);
    core::store_u16_le(p + 4, kIdTableVersion);
    core::store_u64_le(p + 8, n);
    core::store_u32_le(p + 16, static_cast<uint32_t>(segments.size()));
    for (size_t i = 0; i < segments.size(); ++i) {
        uint8_t *r = p + kIdTableHeaderSize + kIdTableSegmentRecord * i;
        core::store_u64_le(r, segments[i].segment_id);
        core::store_u32_le(r + 8, segments[i].rows);
    }
    std::vector<uint32_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return ids[a] < ids[b]; });
    for (size_t i = 0; i < n; ++i) {
        core::store_u64_le(p + l.row_ids + 8 * i, ids[i]);
        core::store_u64_le(p + l.sorted_ids + 8 * i, ids[order[i]]);
        core::store_u32_le(p + l.sorted_rows + 4 * i, order[i]);
    }
    std::memcpy(p + l.footer + 4, kIdTableMagic, 4);
    return out;
}

std::vector<uint8_t> encode_id_table(std::span<const uint64_t> ids,
                                     const std::vector<std::pair<uint64_t, uint32_t>> &segments) {
    std::vector<IdTableSegment> segs;
    segs.reserve(segments.size());
    for (const auto &[id, rows] : segments)
        segs.push_back({id, rows});
    return encode_id_table(ids, segs);
}

bool is_id_table(core::ByteView payload) {
    return payload.size >= 4 && std::memcmp(payload.data, kIdTableMagic, 4) == 0;
}

size_t id_table_prefix_size(core::ByteView head) {
    if (head.size < kIdTableHeaderSize || !is_id_table(head) || load_u16_le(head.data + 4) != kIdTableVersion)
        return 0;
    const uint64_t k = load_u32_le(head.data + 16);
    return static_cast<size_t>(align_up(kIdTableHeaderSize + kIdTableSegmentRecord * k, 64));
}

Result<IdTableView> IdTableView::parse(core::ByteView payload) {
    if (payload.size < kIdTableHeaderSize + kIdTableFooter)
        return bad(Status::TruncatedSegment, "payload shorter than its header");
    const uint8_t *p = payload.data;
    if (!is_id_table(payload))
        return bad(Status::InvalidMagic, "no RVID magic");
    if (load_u16_le(p + 4) != kIdTableVersion)
        return bad(Status::InvalidVersion, "version " + std::to_string(load_u16_le(p + 4)) + " is not 1");
    if (load_u16_le(p + 6) != 0 || load_u32_le(p + 20) != 0 || load_u64_le(p + 24) != 0)
        return bad(Status::InvalidManifest, "nonzero flags or reserved fields");
    const uint64_t n = load_u64_le(p + 8);
    const uint64_t k = load_u32_le(p + 16);
    if (n >= 0xFFFFFFFFull || k > n + 1 || k > (payload.size / kIdTableSegmentRecord))
        return bad(Status::InvalidManifest, "row or segment count out of range");
    const uint64_t prefix = align_up(kIdTableHeaderSize + kIdTableSegmentRecord * k, 64);
    if (n > payload.size) // every row takes 20 bytes: cheap guard before the size arithmetic
        return bad(Status::TruncatedSegment, "arrays do not fit the payload");
    const Layout l = layout_of(prefix, n);
    if (l.size != payload.size)
        return bad(Status::TruncatedSegment, "sizes do not add up to the payload length");
    if (load_u32_le(p + l.footer) != 0 || std::memcmp(p + l.footer + 4, kIdTableMagic, 4) != 0)
        return bad(Status::InvalidMagic, "footer is not 0 ‖ RVID");
    for (size_t i = kIdTableHeaderSize + kIdTableSegmentRecord * k; i < prefix; ++i)
        if (p[i] != 0)
            return bad(Status::InvalidManifest, "nonzero padding after the segment list");
    IdTableView v;
    v.n_ = static_cast<uint32_t>(n);
    uint64_t covered = 0;
    for (uint64_t i = 0; i < k; ++i) {
        const uint8_t *r = p + kIdTableHeaderSize + kIdTableSegmentRecord * i;
        if (load_u32_le(r + 12) != 0)
            return bad(Status::InvalidManifest, "nonzero reserved field in the segment list");
        v.segments_.push_back({load_u64_le(r), load_u32_le(r + 8)});
        covered += load_u32_le(r + 8);
    }
    if (covered != n)
        return bad(Status::InvalidManifest, "segment rows do not add up to the row count");
    v.row_ids_ = p + l.row_ids;
    v.sorted_ids_ = p + l.sorted_ids;
    v.sorted_rows_ = p + l.sorted_rows;
    return v;
}

std::optional<uint32_t> IdTableView::find(uint64_t id) const {
    // lower_bound over untrusted data: terminates whatever the order, and every index is < n_.
    size_t lo = 0, len = n_;
    while (len > 0) {
        const size_t half = len / 2;
        if (load_u64_le(sorted_ids_ + 8 * (lo + half)) < id) {
            lo += half + 1;
            len -= half + 1;
        } else {
            len = half;
        }
    }
    if (lo >= n_ || load_u64_le(sorted_ids_ + 8 * lo) != id)
        return std::nullopt;
    const uint32_t row = load_u32_le(sorted_rows_ + 4 * lo);
    if (row >= n_ || id_at(row) != id)
        return std::nullopt;
    return row;
}

} // namespace rvf::store_detail

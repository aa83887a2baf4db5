// Fuzz the segment header decoder (spec §2), the forward walk in both layouts, the Layout R tail
// scan (§3.6) and every Layout R payload decoder reached through the walk — the input is treated
// as a whole file. Nothing may crash; found segments must lie inside the file.
#include <cstdint>
#include <cstdlib>
#include <initializer_list>

#include <rvf/core/format/layout_r_index_trailer.hpp>
#include <rvf/core/format/layout_r_journal.hpp>
#include <rvf/core/format/layout_r_manifest.hpp>
#include <rvf/core/format/layout_r_vec.hpp>
#include <rvf/core/format/layout_r_witness.hpp>
#include <rvf/core/format/upstream_wasm_export.hpp>
#include <rvf/core/scan/layout_r_tail_scan.hpp>
#include <rvf/core/scan/segment_walk.hpp>

using namespace rvf::core;

namespace {
uint64_t touch_payload(uint8_t type, ByteView p) {
    uint64_t sink = 0;
    switch (static_cast<SegType>(type)) {
    case SegType::Manifest: {
        LayoutRManifestView m;
        if (decode_layout_r_manifest(p, m) == Status::Ok)
            for (uint32_t i = 0; i < m.entry_count(); ++i)
                sink += m.entry(i).file_offset;
        break;
    }
    case SegType::Vec: {
        LayoutRVecView v;
        if (decode_layout_r_vec(p, v) == Status::Ok && v.count > 0) {
            float tmp[64];
            if (v.dim <= 64)
                v.copy_vector(v.count - 1, tmp);
            sink += v.id(v.count - 1);
        }
        break;
    }
    case SegType::Journal: {
        LayoutRJournalView j;
        if (decode_layout_r_journal(p, j) == Status::Ok && j.entry_count > 0)
            sink += j.vector_id(j.entry_count - 1);
        break;
    }
    case SegType::Witness: {
        LayoutRWitnessView w;
        if (decode_layout_r_witness(p, w) == Status::Ok)
            sink += w.action.size + w.prev_hash.data[31];
        break;
    }
    case SegType::Index: {
        LayoutRIndexView ix;
        if (decode_layout_r_index(p, ix) == Status::Ok && ix.graph.header.node_count > 0) {
            uint64_t out[8];
            size_t count = 0;
            if (!is_ok(ix.graph.node_neighbors(ix.graph.header.node_count - 1, 0, out, 8, &count)))
                std::abort();
        }
        break;
    }
    default:
        break;
    }
    return sink;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const ByteView file(data, size);
    SegmentHeader h;
    (void)decode_segment_header(file, 0, size, h);
    uint64_t sink = 0;
    for (SegmentLayout layout : {SegmentLayout::R, SegmentLayout::S}) {
        SegmentWalker w(file, layout);
        WalkedSegment s;
        uint64_t last = 0;
        while (w.next(s)) {
            if (s.offset < last || s.next_offset > size || s.payload.data + s.payload.size > data + size)
                std::abort();
            last = s.next_offset;
            sink += touch_payload(s.header.seg_type, s.payload);
        }
        if (w.status() == Status::Ok && w.offset() != size && w.offset() < size)
            std::abort();
    }
    TailScanCandidate c;
    uint64_t before = UINT64_MAX;
    TailScanOptions opts;
    opts.accept_layout_s = (size & 1) != 0;
    for (int i = 0; i < 16 && find_previous_manifest(file, 0, size, before, c, opts) == Status::Ok; ++i) {
        if (c.offset >= before || c.offset + 64 + c.payload.size > size)
            std::abort();
        before = c.offset;
    }
    // Windowed scan over the tail half.
    const uint64_t wo = size / 2;
    (void)find_previous_manifest(file.from(static_cast<size_t>(wo)), wo, size, UINT64_MAX, c);
    (void)looks_like_upstream_wasm_export(file);
    (void)detect_layout(file, size);
    (void)sink;
    return 0;
}

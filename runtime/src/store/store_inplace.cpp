// store_inplace.cpp — the in-place read-only open (issue 17): boot from the tail of a mapped
// file and use row-major VEC blocks where they lie.
//
// What is checked at open without hashing payloads ("structural"): the newest manifest is the
// one whose Level-0 root ends the file (tail scan fast path), its content hash and root CRC;
// every directory entry lies before it, and the segment header at each listed offset decodes,
// fits in the file and agrees with its entry (id, type, length, flags, compression, content
// hash); every block of an in-place VEC segment passes the core decoder's bounds, alignment,
// id-map and padding checks (CRC skipped: it would read the rows). So every row pointer lies
// inside the mapping and a query can never read outside it; a flipped bit inside committed row
// data changes distances, is never dereferenced out of bounds, and verify() reports it.
// Files whose newest commit is a COMMIT record (no root at the end), torn tails, Layout R and
// tiered stores are not eligible: the caller takes the fully verified path.
#include <cstring>
#include <string>

#if !defined(_WIN32) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#include <unistd.h>
#define RVF_INPLACE_MADVISE 1
#endif

#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/format/vec_seg.hpp>
#include <rvf/core/scan/layout_s_tail_scan.hpp>
#include <rvf/hash.hpp>
#include <rvf/index_flat.hpp>
#include <rvf/index_layers.hpp>

#include "id_table.hpp"
#include "store_impl.hpp"

namespace rvf {
namespace {

using core::ByteView;
using core::SegType;
using store_detail::IdTableSegment;
using store_detail::IdTableView;
using store_detail::id_table_prefix_size;
using store_detail::is_id_table;
using store_detail::kIdTableHeaderSize;

/// Queries read rows and adjacency lists at random: tell the kernel not to read ahead around
/// each page fault (by default a fault on a cold mapping reads ~128 KB, so a first query's few
/// thousand row and list faults would pull hundreds of MB from disk). A hint only: ignored on
/// failure, and a no-op where the open does not map the file.
void advise(const uint8_t *p, size_t len, bool random) {
#ifdef RVF_INPLACE_MADVISE
    if (p == nullptr || len == 0)
        return;
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t lo = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
    const uintptr_t hi = reinterpret_cast<uintptr_t>(p) + len;
    (void)::madvise(reinterpret_cast<void *>(lo), hi - lo, random ? MADV_RANDOM : MADV_NORMAL);
#else
    (void)p;
    (void)len;
    (void)random;
#endif
}
void advise_random(const uint8_t *p, size_t len) { advise(p, len, true); }

} // namespace

/// The structural open checks one segment header per directory entry: on a cold file each is
/// a disk round trip, so asking for all of them first lets the disk serve them in parallel.
void store_detail::prefetch(const uint8_t *p, size_t len) {
#ifdef RVF_INPLACE_MADVISE
    if (p == nullptr || len == 0)
        return;
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t lo = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
    const uintptr_t hi = reinterpret_cast<uintptr_t>(p) + len;
    (void)::madvise(reinterpret_cast<void *>(lo), hi - lo, MADV_WILLNEED);
#else
    (void)p;
    (void)len;
#endif
}

namespace {
using store_detail::prefetch;

/// Back to normal readahead unless kept: a file the structural open declines takes the Full
/// path, which hashes the whole mapping front to back.
struct RandomAdvice {
    core::ByteView all{};
    bool keep = false;
    ~RandomAdvice() {
        if (!keep)
            advise(all.data, all.size, false);
    }
};

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

uint8_t vec_dtype_of(StorageType t) {
    switch (t) {
    case StorageType::F16:
        return static_cast<uint8_t>(core::DataType::F16);
    case StorageType::I8:
        return static_cast<uint8_t>(core::DataType::I8);
    case StorageType::F32:
        break;
    }
    return static_cast<uint8_t>(core::DataType::F32);
}

} // namespace

RvfStore::Impl::SlotRanges RvfStore::Impl::load_id_table_in_place(const std::vector<core::SegmentDirEntry> &dir,
                                                                  MappedSource &src) {
    // Any reason not to use the table is a warning: the VEC id maps are decoded as before.
    auto decline = [&](const std::string &why) {
        warnings.push_back("id table not used (ids decoded from the VEC segments instead): " + why);
        return SlotRanges{};
    };
    if (!src.mapped() || table.slots() != 0 || !table.external_rows())
        return {};
    const core::SegmentDirEntry *found = nullptr;
    for (const core::SegmentDirEntry &d : dir) {
        if (d.seg_type != static_cast<uint8_t>(SegType::Index) || (d.flags & core::SegFlag::Compressed) != 0 ||
            d.compression != 0 || d.payload_length < kIdTableHeaderSize)
            continue;
        auto head = src.view(d.file_offset + core::kSegmentHeaderSize, 4); // counted: a few bytes per INDEX_SEG
        if (head && is_id_table(*head))
            found = &d; // the newest one listed
    }
    if (found == nullptr)
        return {};
    const uint64_t at = found->file_offset + core::kSegmentHeaderSize;
    auto head = src.view(at, kIdTableHeaderSize);
    if (!head)
        return decline(head.error().message);
    const size_t prefix = id_table_prefix_size(*head);
    if (prefix == 0 || prefix > found->payload_length)
        return decline("INDEX segment " + std::to_string(found->segment_id) + " is not a version-1 id table");
    if (auto v = src.view(at, prefix); !v) // the segment list
        return decline(v.error().message);
    auto payload = src.reference(at, static_cast<size_t>(found->payload_length)); // arrays: read by lookups
    if (!payload)
        return decline(payload.error().message);
    auto view = IdTableView::parse(*payload);
    if (!view)
        return decline(view.error().message);
    // The table covers the first VEC segments in directory order (the slots it numbers), each one
    // uncompressed row-major hot block of the listed row count (equal sizes from a plain
    // compaction, one per partition from a partitioned one: docs/format-partition-map.md).
    const auto &segs = view->segments();
    const size_t rb = table.row_bytes();
    std::vector<const uint8_t *> runs;
    SlotRanges covered;
    uint32_t first = 0;
    size_t k = 0;
    for (const core::SegmentDirEntry &d : dir) {
        if (d.seg_type != static_cast<uint8_t>(SegType::Vec))
            continue;
        if (k == segs.size())
            break;
        const IdTableSegment &want = segs[k];
        const std::string where = "VEC segment " + std::to_string(d.segment_id);
        if (d.segment_id != want.segment_id)
            return decline(where + " is not the one it lists (" + std::to_string(want.segment_id) + ")");
        if ((d.flags & core::SegFlag::Compressed) != 0 || d.compression != 0 ||
            d.payload_length < core::kVecDirHeaderSize + core::kVecDirEntrySize)
            return decline(where + " is compressed or too short");
        auto vd = src.view(d.file_offset + core::kSegmentHeaderSize, core::kVecDirHeaderSize + core::kVecDirEntrySize);
        if (!vd)
            return decline(vd.error().message);
        core::VecSegView seg;
        seg.payload = *vd;
        seg.block_count = 1;
        const core::VecBlockInfo e = seg.block_info(0);
        const uint64_t bytes = uint64_t{e.vector_count} * rb;
        if (core::load_u32_le(vd->data) != 1 || !e.row_major || e.tier != static_cast<uint8_t>(Tier::Hot) ||
            e.dim != config.dimension || e.dtype != vec_dtype_of(static_cast<StorageType>(config.storage)) ||
            e.vector_count != want.rows || e.vector_count == 0 || (e.block_offset % 64) != 0 ||
            e.block_offset < core::vec_directory_size(1) || e.block_offset + bytes > d.payload_length)
            return decline(where + " is not one row-major block of the rows the table lists");
        auto rows = src.reference(d.file_offset + core::kSegmentHeaderSize + e.block_offset, static_cast<size_t>(bytes));
        if (!rows)
            return decline(rows.error().message);
        runs.push_back(rows->data);
        covered[d.segment_id] = {first, want.rows};
        first += want.rows;
        ++k;
    }
    if (k != segs.size())
        return decline("it lists VEC segments the directory does not hold first");
    if (segs.empty())
        return {};
    std::vector<uint32_t> run_rows;
    for (const IdTableSegment &sg : segs)
        run_rows.push_back(sg.rows);
    table.use_base(*view, std::move(runs), run_rows);
    return covered;
}

Result<bool> RvfStore::Impl::load_in_place_structural(MappedSource &src) {
    const uint64_t size = src.size();
    if (size < core::kSegmentHeaderSize + core::kRootManifestSize)
        return false;
    RandomAdvice advice;
    if (src.mapped()) { // every read below is a small view somewhere in the file
        if (auto all = src.reference(0, static_cast<size_t>(size)); all) {
            advice.all = *all;
            advise_random(all->data, all->size);
        }
    }
    const uint64_t lo = size - std::min<uint64_t>(size, core::kTailScanFastPathSpan + core::kRootManifestSize);
    auto tail = src.view(lo, static_cast<size_t>(size - lo));
    if (!tail)
        return tail.error();
    core::ManifestCandidate c;
    if (core::find_latest_layout_s_manifest({*tail, lo, size}, c) != Status::Ok || !c.fast_path)
        return false; // no root ends the file: COMMIT records, a torn tail, Layout R, another writer
    const core::SegmentHeader &mh = c.header;
    if (mh.flags != 0 || mh.compression != 0)
        return false;
    auto payload = src.view(c.payload_offset, static_cast<size_t>(mh.payload_length));
    if (!payload)
        return payload.error();
    if (Status s = verify_content_hash(Layout::S, mh.checksum_algo, *payload, mh.content_hash); s != Status::Ok)
        return false; // a damaged newest manifest: the verified path reports it / falls back
    core::LayoutSManifestView mv;
    if (core::parse_layout_s_manifest(*payload, c.payload_offset, mv) != Status::Ok || !mv.has_directory)
        return false;
    core::TlvRecord cfg;
    core::StoreConfig probe;
    if (mv.tlv.find(core::ManifestTag::ProfileConfig, cfg) && core::decode_store_config(cfg.value, probe) == Status::Ok &&
        (probe.flags & core::kStoreConfigTiering) != 0)
        return false; // tiered rows are codes in owned arrays

    ManifestInfo mi;
    mi.layout = FileLayout::S;
    mi.offset = c.header_offset;
    mi.segment_id = mh.segment_id;
    mi.epoch = mv.root.epoch;
    mi.dimension = mv.root.dimension;
    mi.total_vectors = mv.root.total_vector_count;
    mi.base_dtype = mv.root.base_dtype;
    if (advice.all.data != nullptr) // every header (and a VEC segment's block directory after it)
        for (size_t i = 0; i < mv.directory.size(); ++i) {
            const core::SegmentDirEntry e = mv.directory.at(i);
            if (e.file_offset < size)
                prefetch(advice.all.data + e.file_offset,
                         static_cast<size_t>(std::min<uint64_t>(size - e.file_offset, core::kSegmentHeaderSize + 64)));
        }
    for (size_t i = 0; i < mv.directory.size(); ++i) {
        const core::SegmentDirEntry e = mv.directory.at(i);
        const std::string where = "directory entry for segment " + std::to_string(e.segment_id) + " at " +
                                  hex(e.file_offset);
        if (!core::is_aligned(e.file_offset, core::kSegmentAlignment) || e.file_offset >= c.header_offset ||
            e.segment_id >= mh.segment_id)
            return Error{Status::InvalidManifest, where + " does not lie before the manifest (run `rvf verify`)"};
        auto hb = src.view(e.file_offset, core::kSegmentHeaderSize);
        if (!hb)
            return hb.error();
        core::SegmentHeader h;
        if (Status s = core::decode_segment_header(*hb, e.file_offset, size, h); s != Status::Ok)
            return Error{s, where + ": the header there does not decode (run `rvf verify`)"};
        if (h.segment_id != e.segment_id || h.seg_type != e.seg_type || h.payload_length != e.payload_length ||
            h.flags != e.flags || h.compression != e.compression ||
            std::memcmp(h.content_hash, e.content_hash, 16) != 0 ||
            e.file_offset + core::layout_s_segment_span(h.payload_length) > c.header_offset)
            return Error{Status::InvalidManifest, where + " disagrees with the segment header there (run `rvf verify`)"};
        mi.directory.push_back(directory_entry_of(e));
    }
    auto whole = src.reference(0, static_cast<size_t>(size));
    if (!whole)
        return whole.error();
    opened_layout = FileLayout::S;
    loaded_segments = mi.directory.size() + 1;
    if (auto r = load_layout_s(*whole, mi, mh, nullptr, false, &src); !r)
        return r.error();
    advice.keep = true;
    return true;
}

Result<void> RvfStore::Impl::load_vec_in_place(ByteView payload, uint64_t payload_offset, const std::string &where,
                                               MappedSource &src) {
    // Directory first (counted); any block we cannot reference takes the copying decoder.
    auto fallback = [&]() -> Result<void> {
        if (auto v = src.view(payload_offset, payload.size); !v) // read whole: count it
            return v.error();
        return load_vec_segment(payload, where);
    };
    if (payload.size < core::kVecDirHeaderSize)
        return Error{Status::TruncatedSegment, where + " does not decode"};
    const uint32_t n = core::load_u32_le(payload.data);
    if (n > (payload.size - core::kVecDirHeaderSize) / core::kVecDirEntrySize ||
        core::vec_directory_size(n) > payload.size)
        return Error{Status::TruncatedSegment, where + " does not decode"};
    const size_t dir = static_cast<size_t>(core::vec_directory_size(n));
    if (auto v = src.view(payload_offset, dir); !v)
        return v.error();
    core::VecSegView seg;
    seg.payload = payload;
    seg.block_count = n;
    seg.directory_size = dir;
    for (size_t i = core::kVecDirHeaderSize + size_t{n} * core::kVecDirEntrySize; i < dir; ++i)
        if (payload.data[i] != 0)
            return Error{Status::AlignmentError, where + " does not decode"};
    uint64_t total = 0;
    for (uint32_t bi = 0; bi < n; ++bi) {
        const core::VecBlockInfo e = seg.block_info(bi);
        if (!e.row_major || e.tier != static_cast<uint8_t>(Tier::Hot))
            return fallback();
        total += e.vector_count;
    }
    table.reserve_rows(static_cast<size_t>(total), static_cast<size_t>(total));
    if (src.mapped()) // after the directory: only the blocks' rows are read at random
        advise_random(payload.data + dir, payload.size - dir);
    const size_t row_bytes = table.row_bytes();
    uint64_t prev_end = dir;
    for (uint32_t bi = 0; bi < n; ++bi) {
        const core::VecBlockInfo e = seg.block_info(bi);
        if (e.block_offset < prev_end)
            return Error{Status::InvalidManifest, where + " does not decode"};
        core::VecBlockView blk;
        // Same rules as the copying decoder except the CRC, which would read every row.
        if (Status s = core::parse_vec_block(payload, e, blk, /*verify_crc=*/false); s != Status::Ok)
            return Error{s, where + " block " + std::to_string(bi)};
        prev_end = uint64_t{e.block_offset} + blk.span;
        const size_t vec_bytes = blk.vectors.size;
        if (auto v = src.view(payload_offset + e.block_offset + vec_bytes, blk.span - vec_bytes); !v)
            return v.error(); // the id map, CRC and padding the parse read
        if (blk.dim() != config.dimension)
            return Error{Status::DimensionMismatch, where + " holds dimension " + std::to_string(blk.dim())};
        if (blk.elem_size * blk.dim() != row_bytes)
            return Error{Status::InvalidManifest, where + " dtype differs from the store's"};
        if (static_cast<StorageType>(config.storage) == StorageType::I8 && !table.has_quant())
            return Error{Status::InvalidManifest, where + ": i8 rows before any QUANT_SEG"};
        auto cur = blk.delta_ids().cursor();
        for (uint32_t i = 0; i < blk.count(); ++i) {
            uint64_t id = 0;
            if (blk.id_encoding == static_cast<uint8_t>(core::IdEncoding::Raw))
                id = blk.id(i);
            else if (!cur.next(id))
                return Error{Status::InvalidManifest, where + ": id list ends early"};
            if (table.contains(id))
                table.remove(id);
            table.add_external(id, blk.row_ptr(i));
        }
    }
    return {};
}

Result<void> RvfStore::Impl::load_index_in_place(const std::vector<IndexRef> &refs, MappedSource &src) {
    // Which build is newest: the last layer A in directory order (its trailer's fixed part).
    std::optional<uint64_t> newest_tag, a_offset;
    const IndexRef *flat = nullptr;
    std::optional<uint64_t> flat_tag;
    std::unordered_set<uint64_t> id_tables; // segment offsets
    for (const IndexRef &r : refs) {
        if (r.length < kHnswFlatHeaderSize)
            continue;
        auto tail = src.view(r.payload_offset + r.length - 8, 8);
        if (!tail)
            return tail.error();
        if (std::memcmp(tail->data + 4, kHnswLayerMarker, 4) == 0) {
            const uint32_t body = core::load_u32_le(tail->data);
            if (body < 24 || body > r.length - 8)
                continue; // load_index would refuse it too
            auto fixed = src.view(r.payload_offset + r.length - 8 - body, 24);
            if (!fixed)
                return fixed.error();
            if (fixed->data[2] == 0) { // layer A
                newest_tag = core::load_u64_le(fixed->data + 8);
                a_offset = r.seg_offset;
            }
            continue;
        }
        auto head = src.view(r.payload_offset, kHnswFlatHeaderSize);
        if (!head)
            return head.error();
        if (is_id_table(*head)) { // load_id_table_in_place's; never decoded as a layer
            id_tables.insert(r.seg_offset);
            continue;
        }
        if (!is_flat_layer(*head))
            continue;
        if (auto h = read_flat_header(*head, r.length); h) {
            flat = &r;
            flat_tag = h->graph_tag;
        } else {
            warnings.push_back("INDEX layer F at " + hex(r.seg_offset) + " not used: " + h.error().message);
        }
    }
    if (flat && newest_tag && flat_tag == newest_tag) {
        // Referenced, not read: queries touch the pages they need.
        auto payload = src.reference(flat->payload_offset, static_cast<size_t>(flat->length));
        if (!payload)
            return payload.error();
        auto g = borrow_layer_flat(*payload);
        if (g && g->slots() <= table.slots()) {
            if (src.mapped())
                advise_random(payload->data, payload->size);
            graph_persisted_nodes = g->size();
            // Our writers index every live row before persisting (persist_index, compaction), and
            // slots only grow, so every live slot below F's span is in the graph: the first query
            // need not scan the level bytes of a million slots to find none missing.
            index_scanned_slots = std::min<size_t>(g->slots(), table.slots());
            graph = std::move(*g);
            index_a_offset = a_offset;
            return {};
        }
        warnings.push_back("INDEX layer F at " + hex(flat->seg_offset) + " not used (layers A/B/C decoded instead): " +
                           (g ? std::string("it names rows the file does not hold") : g.error().message));
    }
    std::vector<std::pair<uint64_t, ByteView>> payloads;
    for (const IndexRef &r : refs) {
        if (id_tables.count(r.seg_offset) != 0)
            continue;
        auto v = src.view(r.payload_offset, static_cast<size_t>(r.length)); // counted: decoded whole
        if (!v)
            return v.error();
        payloads.emplace_back(r.seg_offset, *v);
    }
    load_index(payloads);
    return {};
}

} // namespace rvf

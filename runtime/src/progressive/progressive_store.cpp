// progressive_store.cpp — the ProgressiveStore state machine (rvf/progressive.hpp): which bytes
// each phase needs, and what it does with them once they are all here. No I/O: supply() is
// the only way bytes come in, wanted() the only way needs go out.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include <rvf/sharded.hpp>
#include <rvf/core/format/commit_record.hpp>
#include <rvf/core/format/journal_seg.hpp>
#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/format/quant_seg.hpp>
#include <rvf/core/format/store_config.hpp>
#include <rvf/core/scan/layout_s_tail_scan.hpp>
#include <rvf/compression.hpp>
#include <rvf/hash.hpp>
#include <rvf/index_layers.hpp>
#include <rvf/progressive.hpp>
#include <rvf/routing_codes.hpp>

#include "byte_store.hpp"
#include "partial_index.hpp"
#include "partition_rows.hpp"

namespace rvf {
namespace {

using core::ByteView;
using core::SegType;
using progressive_detail::ByteStore;
using progressive_detail::PartialIndex;
using progressive_detail::PartitionRows;

constexpr size_t kNone = SIZE_MAX;

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

uint64_t stored_length(const core::SegmentDirEntry &d) {
    return d.compressed_length != 0 ? d.compressed_length : d.payload_length;
}

/// A hint, not a fact: where the partition map of the root that probably ends the 4 KiB tail
/// starts. The tail window usually lacks the root's first bytes (the manifest segment is padded
/// to 64), so its CRC cannot be checked; but its centroid pointer (root offset 0x58) is there.
/// A partitioned image puts the map, the witness and the manifest last (store_rewrite.cpp), so
/// one request from the map to EOF brings the root, the directory and the hotset together.
/// Whatever it brings is verified like any other bytes; a wrong hint costs at most
/// ProgressiveStore::kHotsetHint bytes. The root's reserved run (0xF84..0xFFB, zeros) and
/// 64-aligned pointers pick the padding.
std::optional<uint64_t> partition_map_hint(ByteView w, uint64_t lo, uint64_t size) {
    for (uint64_t pad = 0; pad < core::kSegmentAlignment && pad + core::kRootManifestSize <= size; ++pad) {
        if (pad > 0 && w.data[size - pad - lo] != 0)
            break; // the zero run before EOF ends here
        const uint64_t root_at = size - pad - core::kRootManifestSize;
        if (root_at + 0x38 < lo)
            break;
        const uint8_t *r = w.data + (root_at - lo);
        if (std::any_of(r + 0xF84, r + 0xFFC, [](uint8_t b) { return b != 0; }))
            continue;
        const uint64_t ep = core::load_u64_le(r + 0x38), cen = core::load_u64_le(r + 0x58);
        if (cen == 0 || cen == ep || cen % core::kSegmentAlignment != 0 || ep % core::kSegmentAlignment != 0 ||
            cen >= root_at || root_at - cen > ProgressiveStore::kHotsetHint || core::load_u32_le(r + 0x64) == 0)
            continue;
        return cen;
    }
    return std::nullopt;
}

} // namespace

const char *progressive_phase_name(ProgressivePhase p) {
    switch (p) {
    case ProgressivePhase::Tail:
        return "tail";
    case ProgressivePhase::Directory:
        return "directory";
    case ProgressivePhase::Hotset:
        return "hotset";
    case ProgressivePhase::Stream:
        return "stream";
    case ProgressivePhase::Complete:
        return "complete";
    }
    return "?";
}

struct ProgressiveStore::State {
    explicit State(uint64_t file_size)
        : size(file_size), bytes(file_size), tail_lo(file_size - std::min(file_size, kTailBytes)) {}

    uint64_t size;
    ProgressivePhase phase = ProgressivePhase::Tail;
    std::optional<Error> failed;
    ByteStore bytes;
    ProgressiveOptions options;
    uint64_t tail_lo; // the tail window asked for is [tail_lo, size)
    uint64_t supplied = 0, supply_calls = 0;
    ProgressiveBytes by_phase;
    bool whole_file = false;
    std::vector<std::string> warnings;

    // directory phase: the latest checkpoint [manifest_off, manifest_end) and the COMMIT records
    // after it, up to the end of the file
    uint64_t manifest_off = 0, manifest_end = 0;
    core::ManifestL0 root;
    core::StoreConfig config;
    std::vector<core::SegmentDirEntry> dir; // file order
    std::vector<uint32_t> rank;             // per dir entry: its position in the manifest's order
    std::vector<uint8_t> processed;         // per dir entry

    // hotset
    size_t a_idx = kNone, codes_idx = kNone, quant_idx = kNone;
    size_t map_idx = kNone;              // the partition map's dir entry (root's centroid pointer)
    std::vector<uint32_t> part_of_dir;   // per dir entry: its partition, or UINT32_MAX
    std::vector<size_t> dir_of_part;     // per partition: its VEC dir entry (kNone without rows)
    std::optional<PartitionRows> parts;  // the map and the partitions' rows, once the map arrived
    std::vector<size_t> journals;
    float i8_range[2] = {0, 1};
    bool have_i8_range = false;

    // stream
    std::vector<size_t> index_after_a, vecs; // dir indices, file order
    struct StreamItem {
        ByteRange range;
        bool merge; // may share a request with its neighbour (the small segments of the rest)
    };
    std::vector<StreamItem> stream_items; // priority order, each a whole segment or a gap
    std::optional<PartialIndex> partial;
    std::optional<RvfStore> full;

    /// The checkpoint a COMMIT record ending the file names (`tail` holds [lo, size)).
    std::optional<uint64_t> checkpoint_named_at_end(ByteView tail, uint64_t lo) const;
    /// Adopt the COMMIT records after the checkpoint whose header is `mh`, as a store's open does:
    /// their segments join `dir`, the root's epoch and count follow the last one.
    Result<void> adopt_commits(const core::SegmentHeader &mh);

    // ---- helpers ----
    ByteRange span_of(size_t i) const {
        const core::SegmentDirEntry &d = dir[i];
        return {d.file_offset, std::min(core::layout_s_segment_span(stored_length(d)), size - d.file_offset)};
    }
    bool held(const ByteRange &r) const { return bytes.has(r.offset, r.length); }

    /// A checked payload: a view into the held bytes, or into `own` when it had to be assembled
    /// from several fetched ranges or decompressed (views stay valid while the bytes are held).
    struct Payload {
        std::vector<uint8_t> own;
        ByteView view;
    };

    /// Payload of dir entry i, checked against its header and the directory; decompressed.
    Result<Payload> checked_payload(size_t i) const {
        const core::SegmentDirEntry &d = dir[i];
        std::vector<uint8_t> scratch;
        const ByteView hb = bytes.view(d.file_offset, core::kSegmentHeaderSize, scratch);
        core::SegmentHeader h;
        const std::string where = std::string(core::seg_type_name(d.seg_type) ? core::seg_type_name(d.seg_type) : "?") +
                                  " segment " + std::to_string(d.segment_id) + " at " + hex(d.file_offset);
        if (Status s = core::decode_segment_header(hb, d.file_offset, size, h); s != Status::Ok)
            return Error{s, where + ": header does not decode"};
        if (h.segment_id != d.segment_id || h.seg_type != d.seg_type || h.payload_length != stored_length(d))
            return Error{Status::FileChanged, where + ": the header is not the segment the manifest lists"};
        if (std::memcmp(h.content_hash, d.content_hash, 16) != 0)
            return Error{Status::ContentHashMismatch, where + ": header hash differs from the directory's"};
        Payload out;
        const ByteView stored = bytes.view(d.file_offset + core::kSegmentHeaderSize, h.payload_length, out.own);
        if (Status s = verify_content_hash(Layout::S, h.checksum_algo, stored, h.content_hash); s != Status::Ok)
            return Error{s, where + ": payload does not match its content hash"};
        out.view = stored; // moving `out` keeps own's buffer, so the view survives the return
        if ((h.flags & core::SegFlag::Compressed) != 0) {
            auto logical = segment_payload(h, stored);
            if (!logical)
                return Error{logical.status(), where + ": " + logical.error().message};
            out.own = std::move(*logical);
            out.view = ByteView(out.own.data(), out.own.size());
        }
        return out;
    }

    Result<void> fail(Error e) {
        failed = e;
        return e;
    }

    // ---- phases ----
    Result<void> step_tail();
    Result<void> step_directory();
    Result<void> plan_hotset();
    Result<void> step_hotset();
    Result<void> load_partition_map();
    Result<std::vector<uint64_t>> journal_deletes();
    Result<void> load_quant();
    void plan_stream();
    Result<void> step_stream();
    Result<void> advance();
};

Result<void> ProgressiveStore::State::advance() {
    for (;;) {
        const ProgressivePhase before = phase;
        Result<void> r;
        switch (phase) {
        case ProgressivePhase::Tail:
            r = step_tail();
            break;
        case ProgressivePhase::Directory:
            r = step_directory();
            break;
        case ProgressivePhase::Hotset:
            r = step_hotset();
            break;
        case ProgressivePhase::Stream:
            r = step_stream();
            break;
        case ProgressivePhase::Complete:
            return {};
        }
        if (!r)
            return fail(r.error());
        if (phase == before)
            return {};
    }
}

Result<void> ProgressiveStore::State::step_tail() {
    const uint64_t lo = bytes.suffix_start();
    if (lo == size)
        return {};
    std::vector<uint8_t> scratch;
    const core::TailScanWindow w{bytes.view(lo, size - lo, scratch), lo, size};
    // A file a writer has not closed may end with COMMIT records; the last one names the
    // checkpoint they continue (step_directory adopts them).
    if (const std::optional<uint64_t> cp = checkpoint_named_at_end(w.bytes, lo)) {
        manifest_off = *cp;
        manifest_end = 0; // known once its header arrives
        phase = ProgressivePhase::Directory;
        return {};
    }
    core::ManifestCandidate c;
    if (core::find_latest_layout_s_manifest(w, c) == Status::Ok) {
        manifest_off = c.header_offset;
        manifest_end = c.payload_offset + c.header.payload_length;
        phase = ProgressivePhase::Directory;
        return {};
    }
    // The root may be whole while its manifest header is not: the root says where its TLV is.
    for (uint64_t pad = 0; pad < core::kSegmentAlignment && pad < size; ++pad) {
        if (pad > 0 && (size - pad < lo || w.bytes.data[size - pad - lo] != 0))
            break; // the zero run before EOF ends here; a longer pad cannot be ours
        const uint64_t root_end = size - pad;
        if (root_end < core::kRootManifestSize + core::kSegmentHeaderSize ||
            root_end - core::kRootManifestSize < lo)
            break;
        const uint64_t root_at = root_end - core::kRootManifestSize;
        const ByteView rb = w.bytes.sub(static_cast<size_t>(root_at - lo), core::kRootManifestSize);
        if (core::load_u32_le(rb.data) != core::kRootManifestMagic)
            continue;
        core::ManifestL0 r;
        if (Status s = core::decode_manifest_l0(rb, r); s != Status::Ok)
            return Error{s, "Level-0 root at " + hex(root_at) + " does not decode"};
        if (r.l1_manifest_offset < core::kSegmentHeaderSize || r.l1_manifest_offset > root_at ||
            root_at - r.l1_manifest_offset != r.l1_manifest_length)
            return Error{Status::InvalidManifest, "Level-0 root's Level-1 pointer (" + hex(r.l1_manifest_offset) +
                                                      ", " + std::to_string(r.l1_manifest_length) +
                                                      " B) does not lead to the root's own manifest"};
        manifest_off = r.l1_manifest_offset - core::kSegmentHeaderSize;
        manifest_end = root_end;
        phase = ProgressivePhase::Directory;
        return {};
    }
    if (lo > tail_lo)
        return {}; // the window asked for has not fully arrived yet
    if (tail_lo == size - std::min(size, kTailBytes))
        if (const std::optional<uint64_t> m = partition_map_hint(w.bytes, lo, size)) {
            tail_lo = std::min(*m, size - std::min(size, kTailWiden / 4));
            return {};
        }
    // Ask for more, backwards: 16 KiB (the root plus a typical directory), then 64 KiB (the
    // spec's fast-path span, §4.3); past that the last segment is no Layout S manifest.
    for (uint64_t span : {kTailWiden / 4, kTailWiden}) {
        const uint64_t widened = size - std::min(size, span);
        if (lo > widened) {
            tail_lo = widened;
            return {};
        }
    }
    // No Layout S root near the end: Layout R, a torn tail or another writer. Fetch everything.
    whole_file = true;
    warnings.push_back("no Layout S root in the last " + std::to_string(size - lo) +
                       " bytes: fetching the whole file before answering");
    plan_stream();
    phase = ProgressivePhase::Stream;
    return {};
}

std::optional<uint64_t> ProgressiveStore::State::checkpoint_named_at_end(ByteView tail, uint64_t lo) const {
    uint64_t hdr = 0;
    if (!core::find_record_ending_at(tail, lo, lo, hdr))
        return std::nullopt;
    core::SegmentHeader h;
    if (core::decode_segment_header(tail.sub(static_cast<size_t>(hdr - lo), core::kSegmentHeaderSize), hdr, size, h) !=
            Status::Ok ||
        h.seg_type != core::kCommitSegType)
        return std::nullopt;
    const uint64_t cp = core::load_u64_le(tail.data + (hdr + core::kSegmentHeaderSize - lo) +
                                          core::commit_off::checkpoint_offset);
    return cp < hdr ? std::optional<uint64_t>(cp) : std::nullopt;
}

Result<void> ProgressiveStore::State::adopt_commits(const core::SegmentHeader &mh) {
    uint64_t pos = manifest_off + core::layout_s_segment_span(mh.payload_length);
    core::CommitLink link{manifest_off, manifest_off, mh.segment_id, root.epoch};
    std::vector<core::SegmentHeader> group;
    std::vector<core::SegmentDirEntry> entries;
    while (pos < size) {
        std::vector<uint8_t> hs, ps;
        core::SegmentHeader h;
        if (size - pos < core::kSegmentHeaderSize ||
            core::decode_segment_header(bytes.view(pos, core::kSegmentHeaderSize, hs), pos, size, h) != Status::Ok)
            break; // a torn tail: the commit it belonged to was never acknowledged
        const ByteView payload = bytes.view(pos + core::kSegmentHeaderSize, h.payload_length, ps);
        const std::string where = "segment at " + hex(pos) + " after the checkpoint";
        if (verify_content_hash(Layout::S, h.checksum_algo, payload, h.content_hash) != Status::Ok) {
            warnings.push_back(where + " fails its content hash: answering from the commits before it");
            break;
        }
        if (h.seg_type == static_cast<uint8_t>(SegType::Manifest)) {
            warnings.push_back(where + " is a manifest the tail scan did not take: answering from the commits before it");
            break;
        }
        if (h.seg_type != core::kCommitSegType) {
            core::SegmentDirEntry e;
            e.segment_id = h.segment_id;
            e.seg_type = h.seg_type;
            e.flags = h.flags;
            e.file_offset = pos;
            e.payload_length = h.payload_length;
            e.compression = h.compression;
            e.compressed_length = h.compression != 0 ? h.payload_length : 0;
            std::memcpy(e.content_hash, h.content_hash, 16);
            group.push_back(h);
            entries.push_back(e);
            pos += core::layout_s_segment_span(h.payload_length);
            continue;
        }
        core::CommitRecordView v;
        if (core::CommitRecordView::parse(payload, v) != Status::Ok ||
            core::check_commit_link(v, h, group.data(), group.size(), link) != Status::Ok) {
            warnings.push_back("COMMIT record at " + hex(pos) + " does not continue the chain: answering from the "
                               "commits before it");
            break;
        }
        dir.insert(dir.end(), entries.begin(), entries.end());
        root.epoch = v.header.epoch;
        root.total_vector_count = v.header.total_vector_count;
        const uint64_t record_at = pos;
        pos += core::layout_s_segment_span(h.payload_length);
        link = {manifest_off, record_at, h.segment_id, v.header.epoch};
        group.clear();
        entries.clear();
    }
    return {};
}

Result<void> ProgressiveStore::State::step_directory() {
    if (!bytes.has(manifest_off, size - manifest_off))
        return {}; // the checkpoint and every commit after it
    std::vector<uint8_t> scratch;
    const ByteView hb = bytes.view(manifest_off, core::kSegmentHeaderSize, scratch);
    core::SegmentHeader h;
    if (Status s = core::decode_segment_header(hb, manifest_off, size, h); s != Status::Ok)
        return Error{s, "manifest header at " + hex(manifest_off) + " does not decode"};
    if (manifest_end == 0)
        manifest_end = manifest_off + core::kSegmentHeaderSize + h.payload_length;
    if (h.seg_type != static_cast<uint8_t>(SegType::Manifest) || (h.flags & core::SegFlag::Compressed) != 0 ||
        manifest_off + core::kSegmentHeaderSize + h.payload_length != manifest_end)
        return Error{Status::InvalidManifest, "segment at " + hex(manifest_off) + " is not the root's manifest"};
    std::vector<uint8_t> pscratch;
    const ByteView payload = bytes.view(manifest_off + core::kSegmentHeaderSize, h.payload_length, pscratch);
    if (Status s = verify_content_hash(Layout::S, h.checksum_algo, payload, h.content_hash); s != Status::Ok)
        return Error{s, "latest manifest at " + hex(manifest_off) + " does not match its content hash"};
    core::LayoutSManifestView mv;
    if (Status s = core::parse_layout_s_manifest(payload, manifest_off + core::kSegmentHeaderSize, mv); s != Status::Ok)
        return Error{s, "latest manifest at " + hex(manifest_off) + " does not decode"};
    root = mv.root;
    // Store options: PROFILE_CONFIG when our writer made the file, else what the root says.
    core::TlvRecord cfg;
    if (mv.tlv.find(core::ManifestTag::ProfileConfig, cfg)) {
        if (Status s = core::decode_store_config(cfg.value, config); s != Status::Ok)
            return Error{s, "PROFILE_CONFIG record is invalid"};
        if (config.flags & core::kStoreConfigShardedRoot)
            return Error{Status::UnsupportedLayout, sharded_root_message("this file")};
    } else {
        config = core::StoreConfig{};
        config.dimension = root.dimension;
        config.storage = root.base_dtype == static_cast<uint8_t>(core::DataType::F16)  ? 1
                         : root.base_dtype == static_cast<uint8_t>(core::DataType::I8) ? 2
                                                                                        : 0;
    }
    if (config.dimension == 0 || config.dimension != root.dimension)
        return Error{Status::InvalidManifest, "manifest dimension is 0 or differs between root and config"};
    dir.clear();
    for (size_t i = 0; i < mv.directory.size(); ++i) {
        const core::SegmentDirEntry d = mv.directory.at(i);
        if (d.file_offset > size || stored_length(d) > size - d.file_offset ||
            core::kSegmentHeaderSize > size - d.file_offset - stored_length(d))
            return Error{Status::TruncatedSegment, "directory lists segment " + std::to_string(d.segment_id) +
                                                       " at " + hex(d.file_offset) + " beyond the file's end"};
        dir.push_back(d);
    }
    if (auto r = adopt_commits(h); !r)
        return r;
    // Fetches follow file order; row precedence follows the directory's order (a store's merge
    // lists its merged segment where the segments it replaced were, not at its file offset).
    {
        std::vector<size_t> perm(dir.size());
        for (size_t i = 0; i < perm.size(); ++i)
            perm[i] = i;
        std::stable_sort(perm.begin(), perm.end(),
                         [&](size_t a, size_t b) { return dir[a].file_offset < dir[b].file_offset; });
        std::vector<core::SegmentDirEntry> sorted(dir.size());
        rank.assign(dir.size(), 0);
        for (size_t i = 0; i < perm.size(); ++i) {
            sorted[i] = dir[perm[i]];
            rank[i] = static_cast<uint32_t>(perm[i]);
        }
        dir = std::move(sorted);
    }
    processed.assign(dir.size(), 0);
    phase = ProgressivePhase::Hotset;
    return plan_hotset();
}

Result<void> ProgressiveStore::State::plan_hotset() {
    auto find = [&](uint64_t off) -> size_t {
        auto it = std::lower_bound(dir.begin(), dir.end(), off,
                                   [](const core::SegmentDirEntry &d, uint64_t o) { return d.file_offset < o; });
        return it != dir.end() && it->file_offset == off ? static_cast<size_t>(it - dir.begin()) : kNone;
    };
    if (root.centroid.seg_offset != 0 && root.centroid.seg_offset != root.entrypoint.seg_offset) {
        // Our writers point it at layer A, except in a partitioned image: there it names the map.
        map_idx = find(root.centroid.seg_offset);
        if (map_idx == kNone || dir[map_idx].seg_type != static_cast<uint8_t>(SegType::Index))
            return Error{Status::InvalidManifest, "root's centroid pointer " + hex(root.centroid.seg_offset) +
                                                      " names no INDEX segment of the directory"};
    }
    if (root.entrypoint.count != 0 && root.entrypoint.seg_offset != 0) {
        a_idx = find(root.entrypoint.seg_offset);
        if (a_idx == kNone || dir[a_idx].seg_type != static_cast<uint8_t>(SegType::Index))
            return Error{Status::InvalidManifest, "root's entrypoint pointer " + hex(root.entrypoint.seg_offset) +
                                                      " names no INDEX segment of the directory"};
        if (a_idx + 1 < dir.size() && dir[a_idx + 1].seg_type == static_cast<uint8_t>(SegType::Index) &&
            a_idx + 1 != map_idx)
            codes_idx = a_idx + 1;
        for (size_t i = a_idx + 1; i < dir.size(); ++i) {
            if (dir[i].seg_type == static_cast<uint8_t>(SegType::Journal))
                journals.push_back(i);
            else if (dir[i].seg_type == static_cast<uint8_t>(SegType::Index) && i != codes_idx && i != map_idx)
                index_after_a.push_back(i);
        }
    }
    if (config.storage == 2 /* i8 */ && root.quantdict.seg_offset != 0) {
        quant_idx = find(root.quantdict.seg_offset);
        if (quant_idx == kNone || dir[quant_idx].seg_type != static_cast<uint8_t>(SegType::Quant))
            return Error{Status::InvalidManifest, "root's quantdict pointer " + hex(root.quantdict.seg_offset) +
                                                      " names no QUANT segment of the directory"};
    }
    for (size_t i = 0; i < dir.size(); ++i)
        if (dir[i].seg_type == static_cast<uint8_t>(SegType::Vec))
            vecs.push_back(i);
    if (map_idx != kNone)
        codes_idx = kNone; // the map's partitions answer first: the codes are not needed
    else if (a_idx == kNone || codes_idx == kNone) {
        whole_file = true;
        warnings.push_back("no persisted index layers with routing codes: fetching the whole file before answering");
        plan_stream();
        phase = ProgressivePhase::Stream;
    }
    return {};
}

Result<std::vector<uint64_t>> ProgressiveStore::State::journal_deletes() {
    std::vector<uint64_t> gone;
    for (size_t j : journals) {
        auto p = checked_payload(j);
        if (!p)
            return p.error();
        core::JournalSegView jv;
        if (Status s = core::JournalSegView::parse(p->view, jv); s != Status::Ok)
            return Error{s, "JOURNAL segment " + std::to_string(dir[j].segment_id) + " does not decode"};
        auto cur = jv.cursor();
        core::JournalEntry e;
        while (cur.next(e)) {
            if (e.type == core::JournalEntryType::DeleteVector) {
                gone.push_back(e.vector_id());
            } else if (e.type == core::JournalEntryType::DeleteRange) {
                return Error{Status::UnsupportedLayout, "range deletes are not applied progressively"};
            }
        }
        processed[j] = 1;
    }
    return gone;
}

Result<void> ProgressiveStore::State::load_quant() {
    if (quant_idx == kNone)
        return {};
    auto p = checked_payload(quant_idx);
    if (!p)
        return p.error();
    core::QuantSegView q;
    if (Status s = core::QuantSegView::parse(p->view, q); s != Status::Ok)
        return Error{s, "QUANT segment does not decode"};
    if (q.quant_type != static_cast<uint8_t>(core::QuantType::Scalar) || q.dim != config.dimension)
        return Error{Status::InvalidManifest, "QUANT segment is not a scalar range for this dimension"};
    i8_range[0] = q.min(0);
    i8_range[1] = q.max(0);
    have_i8_range = true;
    processed[quant_idx] = 1;
    return {};
}

Result<void> ProgressiveStore::State::load_partition_map() {
    auto p = checked_payload(map_idx);
    if (!p)
        return p.error();
    auto m = decode_partition_map(p->view);
    if (!m)
        return Error{m.status(), "partition map: " + m.error().message};
    if (m->dim != config.dimension)
        return Error{Status::InvalidManifest, "partition map is for dimension " + std::to_string(m->dim) +
                                                  ", the store has " + std::to_string(config.dimension)};
    part_of_dir.assign(dir.size(), UINT32_MAX);
    dir_of_part.assign(m->size(), kNone);
    for (uint32_t q = 0; q < m->size(); ++q) {
        if (m->parts[q].rows == 0)
            continue;
        auto it = std::find_if(vecs.begin(), vecs.end(), [&](size_t i) { return dir[i].segment_id == m->parts[q].segment_id; });
        if (it == vecs.end())
            return Error{Status::InvalidManifest, "partition map names VEC segment " +
                                                      std::to_string(m->parts[q].segment_id) +
                                                      ", which the directory does not list"};
        part_of_dir[*it] = q;
        dir_of_part[q] = *it;
    }
    processed[map_idx] = 1;
    parts.emplace(std::move(*m), config.dimension);
    auto gone = journal_deletes();
    if (!gone)
        return gone.error();
    parts->remove_ids(*gone);
    if (auto r = load_quant(); !r)
        return r;
    plan_stream();
    phase = ProgressivePhase::Stream;
    return {};
}

Result<void> ProgressiveStore::State::step_hotset() {
    if (map_idx != kNone) {
        std::vector<size_t> need = {map_idx};
        need.insert(need.end(), journals.begin(), journals.end());
        if (quant_idx != kNone)
            need.push_back(quant_idx);
        for (size_t i : need)
            if (!held(span_of(i)))
                return {};
        return load_partition_map();
    }
    std::vector<size_t> need = {a_idx, codes_idx};
    need.insert(need.end(), journals.begin(), journals.end());
    if (quant_idx != kNone)
        need.push_back(quant_idx);
    for (size_t i : need)
        if (!held(span_of(i)))
            return {};
    auto a = checked_payload(a_idx);
    if (!a)
        return a.error();
    auto graph = LayeredHnsw::open(a->view);
    if (!graph)
        return Error{graph.status(), "INDEX layer A: " + graph.error().message};
    auto c = checked_payload(codes_idx);
    if (!c)
        return c.error();
    processed[a_idx] = processed[codes_idx] = 1;
    if (is_partition_map(c->view)) {
        // A partitioned image whose root no longer names the map (a commit after the
        // compaction rewrote the root): the map still describes the compaction's VEC segments.
        processed[a_idx] = 0;
        map_idx = codes_idx;
        codes_idx = kNone;
        std::erase(index_after_a, map_idx);
        return load_partition_map();
    }
    if (!is_routing_codes(c->view)) {
        // An index written before routing codes existed: the segment after A is layer B or C.
        index_after_a.insert(index_after_a.begin(), codes_idx);
        processed[codes_idx] = 0;
        codes_idx = kNone;
        whole_file = true;
        warnings.push_back("index layers without routing codes: fetching the whole file before answering");
        plan_stream();
        phase = ProgressivePhase::Stream;
        return {};
    }
    auto codes = decode_routing_codes(c->view);
    if (!codes)
        return codes.error();
    auto partial_index =
        PartialIndex::make(std::move(*graph), std::move(*codes), config.dimension, static_cast<Metric>(config.metric));
    if (!partial_index)
        return partial_index.error();
    partial.emplace(std::move(*partial_index));
    auto gone = journal_deletes();
    if (!gone)
        return gone.error();
    partial->remove_ids(*gone);
    if (auto r = load_quant(); !r)
        return r;
    plan_stream();
    phase = ProgressivePhase::Stream;
    return {};
}

void ProgressiveStore::State::plan_stream() {
    // Layers B and C first (better routing), then the vectors (exact distances), then the rest
    // in file order: every listed segment, the manifest and whatever lies between them.
    stream_items.clear();
    std::vector<uint8_t> placed(dir.size(), 0);
    for (size_t i : index_after_a)
        if (!processed[i]) {
            stream_items.push_back({span_of(i), false});
            placed[i] = 1;
        }
    for (size_t i : vecs) {
        stream_items.push_back({span_of(i), false});
        placed[i] = 1;
    }
    uint64_t at = 0;
    auto gap_to = [&](uint64_t end) {
        if (end > at)
            stream_items.push_back({{at, end - at}, true});
    };
    for (size_t i = 0; i < dir.size(); ++i) {
        const ByteRange r = span_of(i);
        if (r.offset < at) // overlapping entries (another writer): the gap logic covers them anyway
            continue;
        gap_to(r.offset);
        if (!placed[i])
            stream_items.push_back({r, true});
        at = r.offset + r.length;
    }
    gap_to(size);
}

Result<void> ProgressiveStore::State::step_stream() {
    if (parts) {
        for (size_t i : vecs) {
            if (processed[i] || part_of_dir[i] == UINT32_MAX || !held(span_of(i)))
                continue;
            processed[i] = 1;
            auto p = checked_payload(i);
            if (!p)
                return p.error();
            if (auto r = parts->add(part_of_dir[i], p->view, have_i8_range ? i8_range : nullptr); !r)
                return r;
            if (!options.stream) { // query-only: the decoded rows are all a query needs
                const ByteRange sp = span_of(i);
                bytes.drop(sp.offset, sp.length);
            }
        }
        if (!options.stream && options.cache_bytes > 0)
            for (uint32_t p : parts->evict_to(options.cache_bytes))
                if (dir_of_part[p] != kNone)
                    processed[dir_of_part[p]] = 0; // wanted_for asks for it again when needed
    }
    if (partial) {
        for (size_t i : index_after_a) {
            if (processed[i] || !held(span_of(i)))
                continue;
            processed[i] = 1;
            auto p = checked_payload(i);
            if (!p)
                return p.error();
            const ByteView v = p->view;
            if (is_routing_codes(v))
                continue;
            auto info = read_layer_info(v);
            if (!info || info->graph_tag != partial->graph().graph_tag())
                continue; // another build's layer (never listed after A by our writer)
            auto r = info->layer == 1 ? partial->graph().add_layer_b(v)
                     : info->layer == 2 ? partial->graph().add_layer_c(v)
                                        : Result<void>{};
            if (!r) // derived data, as at a normal open: the full store rebuilds what it needs
                warnings.push_back("INDEX layer at " + hex(dir[i].file_offset) + " not used: " + r.error().message);
        }
        for (size_t i : vecs) {
            if (processed[i] || !held(span_of(i)))
                continue;
            processed[i] = 1;
            if (codes_idx != kNone && rank[i] > rank[codes_idx] && (dir[i].flags & core::SegFlag::Sealed) == 0)
                continue; // rows written after the index: not in the graph, found once complete
            auto p = checked_payload(i);
            if (!p)
                return p.error();
            if (auto r = partial->add_vec_segment(p->view, rank[i],
                                                  have_i8_range ? i8_range : nullptr);
                !r)
                return r;
        }
    }
    if (bytes.held() != size)
        return {};
    // Everything is here: the normal open path validates the whole file and answers from now on.
    partial.reset();
    parts.reset();
    std::vector<uint8_t> image = bytes.take_all();
    auto store = RvfStore::from_bytes(image);
    if (!store)
        return store.error();
    full.emplace(std::move(*store));
    phase = ProgressivePhase::Complete;
    return {};
}

// ---- public API ----

ProgressiveStore::ProgressiveStore(std::unique_ptr<State> s) : s_(std::move(s)) {}
ProgressiveStore::ProgressiveStore(ProgressiveStore &&) noexcept = default;
ProgressiveStore &ProgressiveStore::operator=(ProgressiveStore &&) noexcept = default;
ProgressiveStore::~ProgressiveStore() = default;

Result<ProgressiveStore> ProgressiveStore::begin(uint64_t file_size, const ProgressiveOptions &options) {
    if (file_size < core::kSegmentHeaderSize)
        return Error{Status::InvalidArgument, "a file of " + std::to_string(file_size) + " bytes holds no segment"};
    if (options.stream && options.cache_bytes > 0)
        return Error{Status::InvalidArgument, "cache_bytes bounds a query-only reader: set stream = false (a streaming "
                                              "reader holds the whole file by the time it completes)"};
    auto s = std::make_unique<State>(file_size);
    s->options = options;
    return ProgressiveStore(std::move(s));
}

std::vector<ByteRange> ProgressiveStore::wanted() const {
    const State &s = *s_;
    std::vector<ByteRange> out;
    if (s.failed)
        return out;
    auto add = [&](ByteRange r) { s.bytes.missing(r.offset, r.length, out); };
    switch (s.phase) {
    case ProgressivePhase::Tail:
        add({s.tail_lo, s.size - s.tail_lo});
        break;
    case ProgressivePhase::Directory:
        add({s.manifest_off, s.size - s.manifest_off}); // the checkpoint and the commits after it
        break;
    case ProgressivePhase::Hotset:
        if (s.map_idx != kNone) { // the map instead of A and the codes
            add(s.span_of(s.map_idx));
        } else {
            add(s.span_of(s.a_idx));
            add(s.span_of(s.codes_idx));
        }
        for (size_t j : s.journals)
            add(s.span_of(j));
        if (s.quant_idx != kNone)
            add(s.span_of(s.quant_idx));
        break;
    case ProgressivePhase::Stream: {
        if (!s.options.stream)
            break; // query-only: wanted_for names what a query needs
        // Each item's missing bytes, cut into stream-sized pieces; small neighbours of the
        // rest share a request.
        std::vector<ByteRange> raw;
        bool prev_merge = false;
        for (const auto &item : s.stream_items) {
            raw.clear();
            s.bytes.missing(item.range.offset, item.range.length, raw);
            for (const ByteRange &r : raw) {
                if (item.merge && prev_merge && !out.empty() && out.back().offset + out.back().length == r.offset &&
                    out.back().length + r.length <= kStreamChunk) {
                    out.back().length += r.length;
                    continue;
                }
                for (uint64_t at = 0; at < r.length; at += kStreamChunk)
                    out.push_back({r.offset + at, std::min(kStreamChunk, r.length - at)});
                prev_merge = item.merge;
            }
        }
        break;
    }
    case ProgressivePhase::Complete:
        break;
    }
    return out;
}

Result<void> ProgressiveStore::supply(uint64_t offset, std::span<const uint8_t> bytes) {
    State &s = *s_;
    if (s.failed)
        return *s.failed;
    if (offset > s.size || bytes.size() > s.size - offset)
        return Error{Status::InvalidArgument, "supplied bytes " + std::to_string(offset) + "+" +
                                                  std::to_string(bytes.size()) + " lie outside the file of " +
                                                  std::to_string(s.size) + " bytes"};
    if (bytes.empty() || s.phase == ProgressivePhase::Complete)
        return {};
    if (auto r = s.bytes.add(offset, ByteView(bytes.data(), bytes.size())); !r)
        return s.fail(r.error());
    s.supplied += bytes.size();
    ++s.supply_calls;
    switch (s.phase) {
    case ProgressivePhase::Tail:
        s.by_phase.tail += bytes.size();
        break;
    case ProgressivePhase::Directory:
        s.by_phase.directory += bytes.size();
        break;
    case ProgressivePhase::Hotset:
        s.by_phase.hotset += bytes.size();
        break;
    default:
        s.by_phase.stream += bytes.size();
        break;
    }
    return s.advance();
}

ProgressivePhase ProgressiveStore::phase() const { return s_->phase; }
uint8_t ProgressiveStore::layers() const {
    if (s_->full)
        return s_->full->status().indexed_vectors > 0 ? (kLayerA | kLayerB | kLayerC) : 0;
    return s_->partial ? s_->partial->layers() : 0;
}
bool ProgressiveStore::queryable() const {
    return s_->full.has_value() || s_->partial.has_value() || s_->parts.has_value();
}
bool ProgressiveStore::partitioned() const { return s_->parts.has_value() || s_->map_idx != kNone; }
size_t ProgressiveStore::partitions() const { return s_->parts ? s_->parts->map().size() : 0; }
bool ProgressiveStore::complete() const { return s_->phase == ProgressivePhase::Complete; }
bool ProgressiveStore::whole_file() const { return s_->whole_file; }
uint64_t ProgressiveStore::file_size() const { return s_->size; }
uint64_t ProgressiveStore::bytes_supplied() const { return s_->supplied; }
uint64_t ProgressiveStore::bytes_held() const {
    return s_->bytes.held() + (s_->parts ? s_->parts->bytes_held() : 0);
}
uint64_t ProgressiveStore::supplies() const { return s_->supply_calls; }
ProgressiveBytes ProgressiveStore::bytes_by_phase() const { return s_->by_phase; }
uint64_t ProgressiveStore::rows_exact() const {
    if (s_->full)
        return s_->full->status().total_vectors;
    if (s_->parts)
        return s_->parts->rows_exact();
    return s_->partial ? s_->partial->rows_exact() : 0;
}
uint16_t ProgressiveStore::dimension() const { return s_->config.dimension; }
const Error *ProgressiveStore::error() const { return s_->failed ? &*s_->failed : nullptr; }
std::vector<std::string> ProgressiveStore::warnings() const { return s_->warnings; }
const RvfStore *ProgressiveStore::store() const { return s_->full ? &*s_->full : nullptr; }

Result<std::vector<Neighbor>> ProgressiveStore::query(std::span<const float> vector, size_t k,
                                                      const QueryOptions &options) const {
    const State &s = *s_;
    if (s.failed)
        return *s.failed;
    if (s.full)
        return s.full->query(vector, k, options);
    if (!s.partial && !s.parts)
        return Error{Status::NotReady, "the index hotset has not arrived yet (phase " +
                                           std::string(progressive_phase_name(s.phase)) + ")"};
    if (options.filter)
        return Error{Status::NotReady, "filters need the metadata segments: query again once loading is complete"};
    if (vector.size() != s.config.dimension)
        return Error{Status::DimensionMismatch, "query has " + std::to_string(vector.size()) +
                                                    " components, the store has dimension " +
                                                    std::to_string(s.config.dimension)};
    for (float x : vector)
        if (!std::isfinite(x))
            return Error{Status::InvalidArgument, "query has a NaN or infinite component"};
    if (k == 0)
        return std::vector<Neighbor>{}; // k = 0 asks for nothing (as upstream answers it)
    if (k > (size_t{1} << 20))
        return Error{Status::KTooLarge, "k = " + std::to_string(k) + " exceeds the limit of 1048576"};
    if (options.nprobe != 0 && options.exact)
        return Error{Status::InvalidArgument, "QueryOptions::exact and nprobe contradict each other: set one of them"};
    if (s.parts) { // nprobe: the held partitions among the nprobe nearest (0: among kQueryProbe)
        if (options.stats)
            *options.stats = QueryStats{};
        return s.parts->query(vector, k, options.nprobe != 0 ? options.nprobe : PartitionRows::kQueryProbe);
    }
    if (options.nprobe != 0) // layer A + routing codes: nothing to probe
        return Error{Status::UnsupportedLayout,
                     "QueryOptions::nprobe needs a partition map and this file has none (compact it with "
                     "StoreOptions::partition_on_compact): query with nprobe = 0"};
    return s.partial->query(vector, k, options);
}

Result<std::vector<ByteRange>> ProgressiveStore::wanted_for(std::span<const float> vector, size_t nprobe) const {
    const State &s = *s_;
    if (s.failed)
        return *s.failed;
    if (s.full)
        return std::vector<ByteRange>{};
    if (!s.parts) {
        if (s.phase == ProgressivePhase::Stream || s.whole_file)
            return Error{Status::UnsupportedLayout, "this file has no partition map (compact() writes one for an "
                                                    "indexed store of at least 4096 rows): fetch wanted() instead"};
        return Error{Status::NotReady, "the partition map has not arrived yet (phase " +
                                           std::string(progressive_phase_name(s.phase)) + "): supply wanted() first"};
    }
    if (vector.size() != s.config.dimension)
        return Error{Status::DimensionMismatch, "query has " + std::to_string(vector.size()) +
                                                    " components, the store has dimension " +
                                                    std::to_string(s.config.dimension)};
    for (float x : vector)
        if (!std::isfinite(x))
            return Error{Status::InvalidArgument, "query has a NaN or infinite component"};
    if (nprobe == 0)
        return Error{Status::InvalidArgument, "nprobe must be at least 1 (the partitions to fetch)"};
    std::vector<ByteRange> out;
    const std::vector<uint32_t> near = s.parts->map().nearest(vector, nprobe);
    s.parts->touch(near); // the cache keeps these: the query that follows needs them
    for (uint32_t p : near)
        if (!s.parts->held(p)) {
            const ByteRange r = s.span_of(s.dir_of_part[p]);
            s.bytes.missing(r.offset, r.length, out);
        }
    return out;
}

Result<RvfStore> ProgressiveStore::finish() && {
    State &s = *s_;
    if (s.failed)
        return *s.failed;
    if (!s.full)
        return Error{Status::NotReady, "finish() needs every byte of the file (phase " +
                                           std::string(progressive_phase_name(s.phase)) + ")"};
    RvfStore out = std::move(*s.full);
    s.full.reset();
    return out;
}

} // namespace rvf

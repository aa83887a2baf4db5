// store_boot.cpp — turning file bytes into a store: full verification first (inspect_file
// checks every header and content hash and finds the latest valid manifest), then the segments
// the manifest lists are replayed in file order. See store_impl.hpp. The bytes may be a file
// mapping (open_readonly in place): then row-major VEC blocks are referenced, not copied, and
// store_inplace.cpp offers a boot that skips the full verification (OpenVerify::Structural).
#include <cstring>
#include <string>
#include <unordered_set>

#include <rvf/sharded.hpp>
#include <rvf/core/format/journal_seg.hpp>
#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/format/quant_seg.hpp>
#include <rvf/core/format/vec_seg.hpp>
#include <rvf/compression.hpp>
#include <rvf/partition_map.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {

using core::ByteView;
using core::SegType;

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

uint64_t last_record_id(const FileReport &rep) {
    for (const SegmentRecord &r : rep.segments)
        if (r.offset == rep.last_record_offset)
            return r.header.segment_id;
    return 0;
}

bool known_store_type(uint8_t t) {
    switch (static_cast<SegType>(t)) {
    case SegType::Vec:
    case SegType::Journal:
    case SegType::Manifest:
    case SegType::Quant:
    case SegType::Meta:
    case SegType::MetaIdx:
    case SegType::Witness:
    case SegType::Index: // rebuilt by the index layer; never carried over verbatim
        return true;
    default:
        return false;
    }
}

} // namespace

Result<void> RvfStore::Impl::load(const std::vector<uint8_t> &bytes, bool writable) {
    return load_view(ByteView(bytes.data(), bytes.size()), writable, nullptr);
}

Result<void> RvfStore::Impl::load_view(ByteView file, bool writable, MappedSource *in_place) {
    const FileReport rep = inspect_file(file);
    if (!rep.manifest && !path.empty() && is_incomplete_create(file))
        return Error{rep.status() == Status::Ok ? Status::ManifestNotFound : rep.status(),
                     path + " holds no commit (" +
                         std::to_string(file.size) +
                         " bytes): a create was interrupted before its first commit, so nothing was stored. "
                         "Create the store again (create replaces this file)."};
    if (rep.layout == FileLayout::UpstreamWasmExport || rep.layout == FileLayout::Unknown || !rep.manifest)
        return Error{rep.status() == Status::Ok ? Status::ManifestNotFound : rep.status(),
                     rep.problems.empty() ? "no manifest" : rep.problems.back().what};
    // A commit written to its end that fails its checks is damage, not a crash's torn tail:
    // dropping it would silently undo an acknowledged write. Readers may fall back to the last
    // intact epoch (with a warning in status()); a writer must not append after it or truncate it.
    if (rep.damaged_commit && writable)
        return Error{rep.damaged_commit->status,
                     rep.damaged_commit->what + " (at " + hex(rep.damaged_commit->offset) + "). Refusing to open for writing: that would drop the commit for "
                                                "good. Open read-only to read the last intact epoch, and run `rvf "
                                                "verify` for the full list; to give the damaged commit up, copy the "
                                                "file aside and truncate it to " +
                         std::to_string(rep.intact_end) + " bytes."};
    damaged_commit = rep.damaged_commit;
    opened_layout = rep.layout;
    loaded_segments = rep.manifest->directory.size() + 1;

    // A problem at a segment the manifest lists is committed data damaged: refuse, naming it.
    std::unordered_set<uint64_t> listed;
    for (const DirectoryEntry &d : rep.manifest->directory)
        listed.insert(d.offset);
    for (const Problem &p : rep.problems) {
        if (listed.count(p.offset)) {
            uint64_t id = 0;
            for (const DirectoryEntry &d : rep.manifest->directory)
                if (d.offset == p.offset)
                    id = d.segment_id;
            return Error{p.status, "committed segment " + std::to_string(id) + " at " + hex(p.offset) +
                                       " is damaged: " + p.what};
        }
        warnings.push_back(p.what); // torn tail, fallback to an earlier manifest, unlisted leftovers
    }
    if (rep.layout == FileLayout::R) { // upstream's layout: decoded into owned rows, as always
        const std::vector<uint8_t> bytes(file.data, file.data + file.size);
        if (auto r = load_layout_r(bytes); !r)
            return r;
        // Layout R's manifest byte 18 is the hardware profile (spec §3.3); an unknown value is
        // not one of ours to enforce, so it reads as generic.
        if (core::profile_id_known(rep.manifest->profile_id))
            config.hw_profile = rep.manifest->profile_id;
        load_layout_r_index(bytes, rep);
        needs_conversion = writable;
        return {};
    }
    const core::SegmentHeader *mh = nullptr;
    for (const SegmentRecord &s : rep.segments)
        if (s.offset == rep.manifest->offset)
            mh = &s.header;
    if (mh == nullptr)
        return Error{Status::InvalidManifest, "latest manifest not found in the segment walk"};
    return load_layout_s(file, *rep.manifest, *mh, &rep, writable, in_place);
}

Result<void> RvfStore::Impl::load_layout_r(const std::vector<uint8_t> &bytes) {
    auto c = read_contents(ByteView(bytes.data(), bytes.size()));
    if (!c)
        return c.error();
    config = core::StoreConfig{};
    config.dimension = c->dimension;
    config.metric = c->metric;
    config.storage = static_cast<uint8_t>(StorageType::F32);
    config.domain_profile = static_cast<uint8_t>(domain_profile_from_path(path));
    config.flags = core::kStoreConfigWitness;
    if (config.dimension == 0)
        return Error{Status::InvalidManifest, "Layout R manifest has dimension 0"};
    table = store_detail::VectorTable(config.dimension, StorageType::F32);
    for (size_t i = 0; i < c->ids.size(); ++i) {
        if (table.contains(c->ids[i]))
            table.remove(c->ids[i]);
        table.add(c->ids[i], c->vectors.data() + i * c->dimension);
    }
    for (uint64_t id : c->deleted_ids)
        table.remove(id);
    epoch = c->epoch;
    std::memcpy(file_id, c->identity.file_id, 16);
    std::memcpy(parent_id, c->identity.parent_id, 16);
    std::memcpy(parent_hash, c->identity.parent_hash, 32);
    lineage_depth = c->identity.lineage_depth;
    return {};
}

Result<void> RvfStore::Impl::load_layout_s(ByteView file, const ManifestInfo &mi, const core::SegmentHeader &mh_ref,
                                           const FileReport *rep, bool writable, MappedSource *in_place) {
    const core::SegmentHeader *mh = &mh_ref;
    const uint64_t payload_off = mi.offset + core::kSegmentHeaderSize;
    core::LayoutSManifestView mv;
    if (Status s = core::parse_layout_s_manifest(file.sub(static_cast<size_t>(payload_off), mh->payload_length),
                                                 payload_off, mv);
        s != Status::Ok)
        return Error{s, "latest manifest does not decode"};

    core::TlvRecord cfg;
    if (mv.tlv.find(core::ManifestTag::ProfileConfig, cfg)) {
        if (Status s = core::decode_store_config(cfg.value, config); s != Status::Ok)
            return Error{s, "PROFILE_CONFIG record is invalid"};
        if (config.dimension != mv.root.dimension)
            return Error{Status::InvalidManifest, "PROFILE_CONFIG dimension differs from the root's"};
        if (config.flags & core::kStoreConfigShardedRoot)
            return Error{Status::UnsupportedLayout, sharded_root_message(path)};
    } else { // a Layout S file from another writer: what the root says, defaults otherwise
        config = core::StoreConfig{};
        config.dimension = mv.root.dimension;
        config.storage = mv.root.base_dtype == static_cast<uint8_t>(core::DataType::F16)  ? 1
                         : mv.root.base_dtype == static_cast<uint8_t>(core::DataType::I8) ? 2
                                                                                          : 0;
        config.domain_profile = static_cast<uint8_t>(domain_profile_from_path(path));
    }
    if (config.dimension == 0)
        return Error{Status::InvalidManifest, "manifest has dimension 0"};
    epoch = mi.epoch; // the checkpoint's, or the last adopted COMMIT record's
    created_ns = mv.root.created_ns;
    std::memcpy(file_id, mv.root.file_id, 16);
    std::memcpy(parent_id, mv.root.parent_id, 16);
    std::memcpy(parent_hash, mv.root.parent_hash, 32);
    lineage_depth = mv.root.lineage_depth;
    if (writable && (config.flags & core::kStoreConfigFrozen) != 0) // freeze() (store_lineage.cpp)
        return Error{Status::SnapshotFrozen,
                     (path.empty() ? std::string("the image") : path) +
                         " was frozen with freeze(): it can no longer be opened for writing. Open it read-only, or "
                         "derive() a writable child from it"};
    const auto storage_t = static_cast<StorageType>(config.storage);
    table = store_detail::VectorTable(config.dimension, storage_t);
    if (in_place && !tiering_enabled())
        table.use_external_rows(); // rows stay in the mapping (row-major blocks) or in owned chunks
    else
        in_place = nullptr;
    meta = MetadataTable{};

    // The checkpoint's directory plus the segments of every COMMIT record adopted after it.
    std::vector<core::SegmentDirEntry> dir;
    for (const DirectoryEntry &d : mi.directory) {
        core::SegmentDirEntry e;
        e.segment_id = d.segment_id;
        e.seg_type = d.seg_type;
        e.tier = d.tier;
        e.flags = d.flags;
        e.file_offset = d.offset;
        e.payload_length = d.payload_length;
        e.compressed_length = d.compressed_length;
        e.compression = d.compression;
        e.block_count = d.block_count;
        std::memcpy(e.content_hash, d.content_hash, 16);
        dir.push_back(e);
    }
    // In place: VEC segments a persisted id table serves need no id map decoded (O(1) open).
    const SlotRanges by_id_table = in_place ? load_id_table_in_place(dir, *in_place) : SlotRanges{};
    std::vector<std::pair<uint64_t, ByteView>> index_payloads; // views into `bytes` (never compressed)
    std::vector<IndexRef> index_refs; // in place: INDEX payloads not read yet
    for (const core::SegmentDirEntry &d : dir) {
        const uint64_t stored_off = d.file_offset + core::kSegmentHeaderSize;
        if (auto it = by_id_table.find(d.segment_id); it != by_id_table.end()) { // served by table.use_base
            vec_slots[d.segment_id] = it->second;
            continue;
        }
        ByteView stored = file.sub(static_cast<size_t>(stored_off), static_cast<size_t>(d.payload_length));
        core::SegmentHeader h;
        (void)core::decode_segment_header_raw(file.sub(static_cast<size_t>(d.file_offset), core::kSegmentHeaderSize), h);
        // In place: an uncompressed VEC payload is only referenced (its rows are read by
        // queries); every other payload is read here, and counted as such.
        const bool vec_in_place = in_place && d.seg_type == static_cast<uint8_t>(SegType::Vec) &&
                                  (h.flags & core::SegFlag::Compressed) == 0;
        if (in_place && d.seg_type == static_cast<uint8_t>(SegType::Index) &&
            (h.flags & core::SegFlag::Compressed) == 0) { // load_index_in_place reads what it needs
            index_refs.push_back({d.file_offset, stored_off, d.payload_length});
            continue;
        }
        if (in_place && !vec_in_place) {
            auto v = in_place->view(stored_off, static_cast<size_t>(d.payload_length));
            if (!v)
                return v.error();
            stored = *v;
        }
        // Only compressed payloads need a buffer of their own; the rest are read in place.
        std::vector<uint8_t> inflated;
        ByteView payload = stored;
        if ((h.flags & core::SegFlag::Compressed) != 0) {
            auto logical = segment_payload(h, stored);
            if (!logical)
                return logical.error();
            inflated = std::move(*logical);
            payload = ByteView(inflated.data(), inflated.size());
        }
        const std::string where = std::string(core::seg_type_name(d.seg_type) ? core::seg_type_name(d.seg_type) : "?") +
                                  " segment " + std::to_string(d.segment_id) + " at " + hex(d.file_offset);
        switch (static_cast<SegType>(d.seg_type)) {
        case SegType::Quant: // the i8 range, or a warm/cold tier's model (store_tiers_io.cpp)
            if (auto r = load_quant_segment(payload, where, d.file_offset); !r)
                return r;
            break;
        case SegType::Vec: { // hot rows in the storage dtype, warm/cold rows as codes (store_tiers_io.cpp)
            const size_t first = table.slots();
            if (auto r = vec_in_place ? load_vec_in_place(payload, stored_off, where, *in_place)
                                      : load_vec_segment(payload, where);
                !r)
                return r;
            vec_slots[d.segment_id] = {static_cast<uint32_t>(first), static_cast<uint32_t>(table.slots() - first)};
            break;
        }
        case SegType::Journal: {
            core::JournalSegView j;
            if (Status s = core::JournalSegView::parse(payload, j); s != Status::Ok)
                return Error{s, where + " does not decode"};
            auto cur = j.cursor();
            core::JournalEntry e;
            while (cur.next(e)) {
                if (e.type == core::JournalEntryType::DeleteVector) {
                    table.remove(e.vector_id());
                    meta.erase(e.vector_id());
                } else if (e.type == core::JournalEntryType::DeleteRange) {
                    for (uint64_t id : table.live_ids())
                        if (id >= e.range_start() && id < e.range_end()) {
                            table.remove(id);
                            meta.erase(id);
                        }
                }
            }
            break;
        }
        case SegType::Meta:
            if (auto r = meta.load_meta_seg(payload); !r)
                return Error{r.status(), where + ": " + r.error().message};
            break;
        case SegType::Witness: {
            core::WitnessSegView w;
            if (Status s = core::WitnessSegView::parse(payload, w); s != Status::Ok)
                return Error{s, where + " does not decode"};
            // The latest WITNESS_SEG carries the chain tip; history is rebuilt from the last
            // segment that holds it all (a rewrite) plus every later entry. A digest (OVERLAY:
            // a merge's copy of consecutive entries, listed where they were) continues it.
            if (w.count > 1 && (h.flags & core::SegFlag::Overlay) == 0)
                witness_history.clear();
            for (size_t i = 0; i < w.count; ++i)
                witness_history.emplace_back(w.entry_bytes(i), w.entry_bytes(i) + core::kWitnessEntrySize);
            std::array<uint8_t, core::kWitnessEntrySize> tip{};
            std::memcpy(tip.data(), w.entry_bytes(w.count - 1), tip.size());
            last_witness = tip;
            break;
        }
        case SegType::Index:
            if ((h.flags & core::SegFlag::Compressed) == 0)
                index_payloads.emplace_back(d.file_offset, stored);
            break;
        case SegType::Manifest:
        case SegType::MetaIdx:
            break;
        case SegType::Sketch: // a tiered store's access sketch; any other store keeps it verbatim
            if (tiering_enabled()) {
                load_sketch_segment(payload, where);
                break;
            }
            [[fallthrough]];
        default:
            if (!known_store_type(d.seg_type)) {
                PendingSegment p;
                p.type = static_cast<SegType>(d.seg_type);
                // The payload is kept byte-for-byte (decompressed if it was stored compressed).
                p.flags = static_cast<uint16_t>(d.flags & ~core::SegFlag::Compressed);
                p.payload.assign(payload.data, payload.data + payload.size);
                preserved_segments.push_back(std::move(p));
            }
            break;
        }
    }
    if (table.base_rows() != 0 && static_cast<StorageType>(config.storage) == StorageType::I8 && !table.has_quant())
        return Error{Status::InvalidManifest, "i8 rows before any QUANT_SEG (run `rvf verify`)"};
    // The newest partition map listed (rvf/partition_map.hpp), bound to the slots just loaded
    // (QueryOptions::nprobe). Found by its magic rather than the root's centroid pointer: a
    // commit after the compaction points that back at layer A, and a map whose segments were
    // merged away since fails to bind (the segment ids it names are never reused in a file).
    partitions.reset();
    partitions_missing.clear();
    if (in_place) {
        const IndexRef *map_ref = nullptr;
        for (const IndexRef &r : index_refs) {
            if (r.length < kPartitionMapHeaderSize)
                continue;
            auto head = in_place->view(r.payload_offset, 4); // counted: a few bytes per INDEX_SEG
            if (!head)
                return head.error();
            if (is_partition_map(*head))
                map_ref = &r;
        }
        if (map_ref) {
            auto v = in_place->view(map_ref->payload_offset, static_cast<size_t>(map_ref->length)); // decoded whole
            if (!v)
                return v.error();
            if (in_place->mapped()) // ~0.5 MB at 1 M rows: one batch, not a fault per page
                store_detail::prefetch(v->data, v->size);
            adopt_partition_map(*v, map_ref->seg_offset);
        }
    } else {
        const std::pair<uint64_t, ByteView> *map_seg = nullptr;
        for (const auto &ip : index_payloads)
            if (is_partition_map(ip.second))
                map_seg = &ip;
        if (map_seg)
            adopt_partition_map(map_seg->second, map_seg->first);
    }
    if (in_place) {
        if (auto r = load_index_in_place(index_refs, *in_place); !r)
            return r;
    } else {
        load_index(index_payloads);
    }
    if (writable) {
        if (rep == nullptr)
            return Error{Status::InvalidArgument, "a writable open needs the full file report"};
        // Drop the torn tail (anything after the last adopted commit) before appending.
        const uint64_t end = rep->committed_end;
        if (storage->size() > end) {
            if (auto r = storage->truncate(end); !r)
                return r;
            if (auto r = storage->sync(); !r)
                return r;
        }
        // Checkpoints list live data only: earlier manifests are dropped from the directory.
        std::erase_if(dir, [](const core::SegmentDirEntry &e) { return e.seg_type == static_cast<uint8_t>(SegType::Manifest); });
        const uint64_t last_id = rep->last_record_offset ? last_record_id(*rep) : mh->segment_id;
        auto w = LayoutSWriter::continuing(end, last_id + 1, std::move(dir));
        if (!w)
            return w.error();
        writer = std::move(*w);
        writer->set_list_manifests(false);
        const uint64_t manifest_end = mi.offset + core::kSegmentHeaderSize + mh->payload_length + mh->alignment_pad;
        checkpoint_offset = mi.offset;
        chain_prev_offset = rep->last_record_offset ? rep->last_record_offset : mi.offset;
        last_checkpoint_bytes = manifest_end - mi.offset;
        bytes_since_checkpoint = end - manifest_end;
        commits_since_checkpoint = rep->replayed_commits;
        // A checkpoint without our PROFILE_CONFIG (another writer's file) is replaced at the first
        // commit. (The config is fixed at create: nothing else changes it between checkpoints.)
        force_checkpoint = !mv.tlv.find(core::ManifestTag::ProfileConfig, cfg);
    }
    return {};
}

} // namespace rvf

// store_merge.cpp — automatic merges: keep the number of segments a checkpoint lists bounded
// under any write pattern (one-row commits make one VEC and one WITNESS each), and compact the
// file once dead bytes pass a threshold. See README "Format decisions" (merges).
//
// A merge is one checkpoint commit that appends merged segments and replaces, in the directory,
// each run of small segments by its merged segment *at the position of the run's last entry*.
// Loaders apply a directory in order (later VEC rows win, a JOURNAL deletes what came before
// it), so a merge must give the same state in directory order and, for the progressive reader,
// in file order. The rules that make that true:
//  * data spans — [VEC, META?] groups (one commit each) and the JOURNALs between them — merge
//    into [VEC (every row, dead ones too, in slot order), META (live rows' metadata), JOURNAL
//    (the span's deletes)] listed where the span's last entry was. The table's slot order, which
//    the persisted HNSW layers number by, does not change; no span re-adds an id one of its
//    journals deleted (the merged journal comes after the merged rows). Dead rows wait for
//    compaction (auto-compaction at a dead-byte ratio).
//  * WITNESS runs become one digest (WITNESS + OVERLAY flag): a copy of consecutive chain entries
//    that verify checks against the chain and loaders splice in place.
//  * superseded INDEX layers, METAIDX groups and SKETCH segments are dropped from the directory.
// Merged-away segments stay in the file (committed once, so inspect does not call them orphans)
// until compaction rewrites it; dead_bytes() counts them.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <unordered_set>

#include <rvf/core/format/journal_seg.hpp>
#include <rvf/core/format/witness_chain.hpp>

#include "store_impl.hpp"

namespace rvf {
namespace {

using core::SegmentDirEntry;
using core::SegType;

constexpr size_t kFanIn = 8;              // a merged segment is ≥ kFanIn × any old one it absorbs
constexpr uint64_t kSmallBytes = 4096;    // segments this small always merge
constexpr uint32_t kMaxMergedRows = 65536; // as compaction's VEC segments

bool is(const SegmentDirEntry &e, SegType t) { return e.seg_type == static_cast<uint8_t>(t); }

uint64_t span_of(const SegmentDirEntry &e) {
    const uint64_t stored = e.compression != 0 && e.compressed_length != 0 ? e.compressed_length : e.payload_length;
    return core::kSegmentHeaderSize + ((stored + 63) & ~uint64_t{63});
}

/// Backwards from the end of `bytes`: the first index of the tail that merges (small segments,
/// or ones the tail after them outweighs kFanIn − 1 times). Returns bytes.size() for none.
size_t mergeable_tail(const std::vector<uint64_t> &bytes) {
    uint64_t acc = 0;
    size_t start = bytes.size();
    for (size_t i = bytes.size(); i-- > 0;) {
        if (bytes[i] > kSmallBytes && bytes[i] * (kFanIn - 1) > acc)
            break;
        acc += bytes[i];
        start = i;
    }
    return bytes.size() - start >= 2 ? start : bytes.size();
}

/// One replacement: directory indices removed, and where the new segments go (index of the
/// run's last entry; the outputs are listed in its place).
struct Replacement {
    std::vector<size_t> removed;
    size_t at = 0;
    size_t outputs = 0; ///< segments appended for it, in commit order
};

} // namespace

uint64_t RvfStore::Impl::dead_bytes() const {
    if (!writer || !storage)
        return 0;
    uint64_t live = last_checkpoint_bytes;
    for (const SegmentDirEntry &e : writer->directory())
        live += span_of(e);
    const uint64_t dead_rows = table.dead() * table.row_bytes();
    live = live > dead_rows ? live - dead_rows : 0;
    const uint64_t size = storage->size();
    return size > live ? size - live : 0;
}

bool RvfStore::Impl::merge_allowed_now(size_t listed) {
    if (merge_io_bytes_per_second == 0 || listed >= kMergeHardCapFactor * merge_trigger_base)
        return true;
    // Token bucket: merges may write merge_io_bytes_per_second on average (one second of burst).
    const uint64_t now = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
    if (merge_tokens_at_ns != 0) {
        const double earned = double(now - merge_tokens_at_ns) * 1e-9 * double(merge_io_bytes_per_second);
        merge_tokens = std::min(merge_tokens + earned, double(merge_io_bytes_per_second));
    } else {
        merge_tokens = double(merge_io_bytes_per_second);
    }
    merge_tokens_at_ns = now;
    return merge_tokens > 0;
}

Result<void> RvfStore::Impl::maintain() {
    if (!writer || !storage || read_only || poisoned || maintaining || needs_conversion)
        return {};
    maintaining = true;
    Result<void> r;
    if (writer->directory().size() >= merge_trigger && !tiering_enabled() && merge_allowed_now(writer->directory().size())) {
        const uint64_t before = storage->size();
        r = merge_now();
        if (merge_io_bytes_per_second != 0)
            merge_tokens -= double(storage->size() - before);
        // Next look when the directory has doubled (or reached the trigger): a directory that a
        // merge could not shrink (every run holds dead rows) is not rescanned at every commit.
        merge_trigger = std::max<size_t>(merge_trigger_base, 2 * writer->directory().size());
    }
    if (r.ok() && auto_compact_ratio > 0 && !tiering_enabled() && storage->size() >= auto_compact_min_bytes) {
        const uint64_t dead = dead_bytes();
        if (double(dead) >= auto_compact_ratio * double(storage->size())) {
            auto c = compact_for_maintenance();
            if (!c)
                r = c;
        }
    }
    maintaining = false;
    return r;
}

Result<bool> RvfStore::Impl::meta_belongs_to(const SegmentDirEntry &m, uint32_t first, uint32_t rows) const {
    // An ingest's META follows its VEC and covers only those rows; a compaction's lists every
    // row with metadata after all the VEC segments. Only the first kind merges with its VEC.
    if (m.compression != 0)
        return false;
    auto p = storage->read_range(m.file_offset + core::kSegmentHeaderSize, m.payload_length);
    if (!p)
        return p.error();
    MetadataTable t;
    if (!t.load_meta_seg(core::ByteView(p->data(), p->size())))
        return false;
    std::unordered_set<uint64_t> ids;
    for (uint32_t k = 0; k < rows; ++k)
        ids.insert(table.id_at(first + k));
    for (uint64_t id : t.ids())
        if (!ids.count(id))
            return false;
    return true;
}

Result<void> RvfStore::Impl::merge_now() {
    const std::vector<SegmentDirEntry> dir = writer->directory();
    const size_t n = dir.size();
    std::vector<uint8_t> drop(n, 0);
    std::vector<Replacement> reps;
    std::vector<PendingSegment> segs;
    struct VecOut {
        uint32_t first_slot = 0, rows = 0;
        std::vector<uint64_t> removed_ids;
    };
    std::vector<VecOut> vec_outs; // one per data replacement

    // --- data spans: [VEC, META?] groups and the JOURNALs between them ---
    struct Unit {
        size_t vec = SIZE_MAX; ///< VEC entry (SIZE_MAX: the unit is a journal)
        std::optional<size_t> meta;
        size_t journal = SIZE_MAX;
        uint64_t bytes = 0;
        uint32_t first = 0, rows = 0;
        std::vector<uint64_t> deletes; ///< a journal's ids
    };
    std::vector<std::vector<Unit>> spans(1);
    std::unordered_set<uint64_t> deleted_in_span; // ids a journal of the current span deletes
    uint32_t next_slot = UINT32_MAX;              // where the span's next VEC rows must start
    auto cut = [&] {
        if (!spans.back().empty())
            spans.emplace_back();
        deleted_in_span.clear();
        next_slot = UINT32_MAX;
    };
    for (size_t i = 0; i < n; ++i) {
        const SegmentDirEntry &e = dir[i];
        if (is(e, SegType::Vec)) {
            auto it = vec_slots.find(e.segment_id);
            if (it == vec_slots.end() || (e.flags & ~core::SegFlag::Sealed) != 0 || it->second.second >= kMaxMergedRows) {
                cut();
                continue;
            }
            Unit u;
            u.vec = i;
            u.first = it->second.first;
            u.rows = it->second.second;
            u.bytes = e.payload_length;
            if (i + 1 < n && is(dir[i + 1], SegType::Meta) && dir[i + 1].flags == 0) {
                auto own = meta_belongs_to(dir[i + 1], u.first, u.rows);
                if (!own)
                    return own.error();
                if (*own) { // else the META (a compaction's, say, covering every row) is a barrier
                    u.meta = i + 1;
                    u.bytes += dir[i + 1].payload_length;
                }
            }
            // Rows of a span are consecutive slots, and none re-adds an id a journal of the span
            // deleted (merged, that journal moves after the rows).
            bool reinsert = false;
            for (uint32_t k = 0; k < u.rows && !deleted_in_span.empty() && !reinsert; ++k)
                reinsert = deleted_in_span.count(table.id_at(u.first + k)) != 0;
            if (reinsert || (next_slot != UINT32_MAX && next_slot != u.first))
                cut();
            spans.back().push_back(u);
            next_slot = u.first + u.rows;
            if (u.meta)
                ++i;
        } else if (is(e, SegType::Journal)) {
            Unit u;
            u.journal = i;
            u.bytes = e.payload_length;
            bool ok = e.flags == 0 && e.compression == 0;
            if (ok) {
                auto p = storage->read_range(e.file_offset + core::kSegmentHeaderSize, e.payload_length);
                if (!p)
                    return p.error();
                core::JournalSegView j;
                ok = core::JournalSegView::parse(core::ByteView(p->data(), p->size()), j) == Status::Ok;
                auto cur = j.cursor();
                core::JournalEntry je;
                while (ok && cur.next(je)) {
                    ok = je.type == core::JournalEntryType::DeleteVector;
                    u.deletes.push_back(je.vector_id());
                }
            }
            if (!ok) {
                cut();
                continue;
            }
            deleted_in_span.insert(u.deletes.begin(), u.deletes.end());
            spans.back().push_back(std::move(u));
        } else if (is(e, SegType::Meta) || is(e, SegType::Quant)) {
            cut(); // rows may not move past these
        }
    }
    for (const std::vector<Unit> &span : spans) {
        std::vector<uint64_t> bytes;
        for (const Unit &u : span)
            bytes.push_back(u.bytes);
        size_t start = mergeable_tail(bytes);
        uint64_t rows = 0; // one VEC output per replacement: at most kMaxMergedRows rows
        for (size_t k = start; k < span.size(); ++k)
            rows += span[k].rows;
        while (start < span.size() && rows > kMaxMergedRows)
            rows -= span[start++].rows;
        if (span.size() - start < 2)
            continue;
        Replacement rep;
        VecOut out;
        std::vector<uint64_t> deletes;
        bool have_rows = false;
        for (size_t k = start; k < span.size(); ++k) {
            const Unit &u = span[k];
            if (u.vec == SIZE_MAX) {
                rep.removed.push_back(u.journal);
                deletes.insert(deletes.end(), u.deletes.begin(), u.deletes.end());
                continue;
            }
            if (!have_rows)
                out.first_slot = u.first;
            have_rows = true;
            rep.removed.push_back(u.vec);
            out.removed_ids.push_back(dir[u.vec].segment_id);
            if (u.meta)
                rep.removed.push_back(*u.meta);
        }
        rep.at = rep.removed.back();
        for (size_t i : rep.removed)
            rep.at = std::max(rep.at, i);
        out.rows = static_cast<uint32_t>(rows);
        if (have_rows) {
            // Every row, dead ones too: the slot order (which persisted HNSW layers number by)
            // stays, and the journals after them still delete them. Compaction drops them.
            std::vector<uint64_t> ids(rows);
            std::vector<uint8_t> rowbuf(rows * table.row_bytes());
            std::vector<uint64_t> meta_ids;
            for (uint32_t j = 0; j < rows; ++j) {
                const uint32_t slot = out.first_slot + j;
                ids[j] = table.id_at(slot);
                std::memcpy(rowbuf.data() + size_t{j} * table.row_bytes(), table.row_ptr(slot), table.row_bytes());
                if (table.live_at(slot) && meta.get(ids[j]))
                    meta_ids.push_back(ids[j]);
            }
            auto vec = encode_vec(ids.data(), rowbuf.data(), rows, /*row_major=*/true); // cold-read layout
            if (!vec)
                return vec.error();
            segs.push_back({SegType::Vec, core::SegFlag::Sealed, std::move(*vec)});
            ++rep.outputs;
            if (!meta_ids.empty()) {
                auto m = meta.encode_meta_seg(meta_ids);
                if (!m)
                    return m.error();
                segs.push_back({SegType::Meta, 0, std::move(*m)});
                ++rep.outputs;
            }
        }
        if (!deletes.empty()) {
            std::sort(deletes.begin(), deletes.end());
            deletes.erase(std::unique(deletes.begin(), deletes.end()), deletes.end());
            auto j = encode_journal(deletes, epoch + 1);
            if (!j)
                return j.error();
            segs.push_back({SegType::Journal, 0, std::move(*j)});
            ++rep.outputs;
        }
        reps.push_back(std::move(rep));
        vec_outs.push_back(have_rows ? std::move(out) : VecOut{});
    }
    const size_t data_reps = reps.size();

    // --- WITNESS runs: a digest of the tail of the chain's segments ---
    {
        std::vector<size_t> ws;
        for (size_t i = 0; i < n; ++i)
            if (is(dir[i], SegType::Witness) && (dir[i].flags & ~core::SegFlag::Overlay) == 0 && dir[i].compression == 0)
                ws.push_back(i);
        std::vector<uint64_t> bytes;
        for (size_t i : ws)
            bytes.push_back(dir[i].payload_length);
        const size_t start = mergeable_tail(bytes);
        if (start < ws.size()) {
            std::vector<uint8_t> digest;
            for (size_t k = start; k < ws.size(); ++k) {
                auto p = storage->read_range(dir[ws[k]].file_offset + core::kSegmentHeaderSize, dir[ws[k]].payload_length);
                if (!p)
                    return p.error();
                core::WitnessSegView w;
                if (core::WitnessSegView::parse(core::ByteView(p->data(), p->size()), w) != Status::Ok)
                    return Error{Status::InvalidChecksum, "WITNESS segment " + std::to_string(dir[ws[k]].segment_id) +
                                                              " does not decode; run `rvf verify`"};
                digest.insert(digest.end(), p->begin(), p->end());
            }
            Replacement rep;
            for (size_t k = start; k < ws.size(); ++k)
                rep.removed.push_back(ws[k]);
            rep.at = ws.back();
            rep.outputs = 1;
            segs.push_back({SegType::Witness, core::SegFlag::Overlay, std::move(digest)});
            reps.push_back(std::move(rep));
        }
    }

    // --- superseded derived segments: older index layers, METAIDX groups, sketches ---
    std::optional<size_t> last_metaidx, last_sketch;
    for (size_t i = 0; i < n; ++i) {
        if (is(dir[i], SegType::Index) && index_a_offset && dir[i].file_offset < *index_a_offset)
            drop[i] = 1;
        if (is(dir[i], SegType::MetaIdx))
            last_metaidx = i;
        if (is(dir[i], SegType::Sketch))
            last_sketch = i;
    }
    if (last_metaidx) { // the newest group: the METAIDX entries that end at the last one
        size_t g = *last_metaidx;
        while (g > 0 && is(dir[g - 1], SegType::MetaIdx))
            --g;
        for (size_t i = 0; i < g; ++i)
            if (is(dir[i], SegType::MetaIdx))
                drop[i] = 1;
    }
    if (last_sketch)
        for (size_t i = 0; i < *last_sketch; ++i)
            if (is(dir[i], SegType::Sketch))
                drop[i] = 1;
    const bool drops = std::find(drop.begin(), drop.end(), 1) != drop.end();
    if (reps.empty() && !drops)
        return {};

    // The directory the merge's checkpoint lists: each run replaced in place by its outputs.
    std::vector<size_t> insert_at(n, SIZE_MAX); // replacement index inserted at that entry
    for (size_t r = 0; r < reps.size(); ++r) {
        for (size_t i : reps[r].removed)
            drop[i] = 1;
        insert_at[reps[r].at] = r;
    }
    DirEdit edit = [&](std::vector<SegmentDirEntry> &d, size_t first_new) {
        std::vector<size_t> out_start(reps.size());
        size_t at = first_new;
        for (size_t r = 0; r < reps.size(); ++r) {
            out_start[r] = at;
            at += reps[r].outputs;
        }
        std::vector<SegmentDirEntry> next;
        next.reserve(d.size());
        for (size_t i = 0; i < n; ++i) {
            if (insert_at[i] != SIZE_MAX) {
                const size_t r = insert_at[i];
                for (size_t k = 0; k < reps[r].outputs; ++k)
                    next.push_back(d[out_start[r] + k]);
            }
            if (!drop[i])
                next.push_back(d[i]);
        }
        for (size_t i = at; i < d.size(); ++i) // what the commit appended after the outputs (its WITNESS)
            next.push_back(d[i]);
        d = std::move(next);
    };
    const size_t first_new = writer->directory().size();
    if (auto r = commit(std::move(segs), core::kChainWitnessComputation, table.live(), &edit); !r)
        return r;
    ++merges;
    // Slot ranges of the merged VEC segments (the commit appended them in replacement order).
    size_t out_at = first_new;
    for (size_t r = 0; r < data_reps; ++r) {
        for (uint64_t id : vec_outs[r].removed_ids)
            vec_slots.erase(id);
        const core::SegmentHeader &h = last_commit_segments[out_at - first_new];
        if (h.seg_type == static_cast<uint8_t>(SegType::Vec))
            vec_slots[h.segment_id] = {vec_outs[r].first_slot, vec_outs[r].rows};
        out_at += reps[r].outputs;
    }
    return {};
}

Result<void> RvfStore::Impl::compact_for_maintenance() {
    auto done = rewrite(nullptr, CompactOptions{}, nullptr); // streaming, as compact()
    if (!done)
        return done.error();
    ++auto_compactions;
    return {};
}

} // namespace rvf

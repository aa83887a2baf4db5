// store_commit.cpp — the commit protocol (segments + COMMIT record → one fsync; every few MB a
// checkpoint: data → fsync → manifest → fsync) and the payloads a commit appends. See store_impl.hpp.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#include <rvf/core/format/commit_record.hpp>
#include <rvf/core/format/journal_seg.hpp>
#include <rvf/core/format/manifest_tlv.hpp>
#include <rvf/core/format/quant_seg.hpp>
#include <rvf/core/format/vec_seg.hpp>
#include <rvf/compression.hpp>
#include <rvf/core/hash/shake256.hpp>

#include "store_impl.hpp"

namespace rvf {

uint64_t now_ns() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count());
}

void witness_action_hash(uint8_t witness_type, const std::vector<core::SegmentHeader> &covered,
                         uint8_t out[core::kWitnessDigestSize]) {
    core::Shake256 h;
    static constexpr char kTag[] = "RVF-witness-v1";
    h.absorb(reinterpret_cast<const uint8_t *>(kTag), sizeof kTag - 1);
    h.absorb(&witness_type, 1);
    for (const core::SegmentHeader &s : covered) {
        uint8_t rec[25];
        core::store_u64_le(rec, s.segment_id);
        rec[8] = s.seg_type;
        std::memcpy(rec + 9, s.content_hash, 16);
        h.absorb(rec, sizeof rec);
    }
    h.finalize();
    h.squeeze(out, core::kWitnessDigestSize);
}

Result<uint64_t> RvfStore::Impl::append_pending(LayoutSWriter &w, const PendingSegment &seg) const {
    const core::ByteView raw(seg.payload.data(), seg.payload.size());
    const auto codec = static_cast<core::Compression>(config.compression);
    if (codec != core::Compression::None && seg.type == core::SegType::Vec && raw.size <= UINT32_MAX)
        if (auto packed = compress_payload(codec, raw))
            return w.append_compressed(seg.type, seg.flags, core::ByteView(packed->data(), packed->size()),
                                       static_cast<uint32_t>(raw.size), codec);
    return w.append_segment(seg.type, seg.flags, raw);
}

Result<void> RvfStore::Impl::check_writable() const {
    if (read_only)
        return Error{Status::ReadOnly, "store was opened read-only"};
    if (poisoned)
        return Error{Status::IoError, "an earlier write failed and could not be rolled back; reopen the store"};
    return {};
}

std::vector<uint8_t> RvfStore::Impl::config_tlv() const {
    core::ByteWriter counter;
    (void)core::encode_store_config(counter, config);
    std::vector<uint8_t> value(counter.pos());
    core::ByteWriter vw(core::MutByteView(value.data(), value.size()));
    (void)core::encode_store_config(vw, config);
    std::vector<uint8_t> rec(static_cast<size_t>(core::tlv_record_span(value.size())));
    core::ByteWriter w(core::MutByteView(rec.data(), rec.size()));
    (void)core::encode_tlv_record(w, static_cast<uint16_t>(core::ManifestTag::ProfileConfig),
                                  core::ByteView(value.data(), value.size()));
    return rec;
}

core::ManifestL0 RvfStore::Impl::make_root(uint32_t new_epoch, uint64_t live) const {
    core::ManifestL0 r;
    r.total_vector_count = live;
    r.dimension = config.dimension;
    switch (static_cast<StorageType>(config.storage)) {
    case StorageType::F32:
        r.base_dtype = static_cast<uint8_t>(core::DataType::F32);
        break;
    case StorageType::F16:
        r.base_dtype = static_cast<uint8_t>(core::DataType::F16);
        break;
    case StorageType::I8:
        r.base_dtype = static_cast<uint8_t>(core::DataType::I8);
        break;
    }
    r.epoch = new_epoch;
    r.created_ns = created_ns;
    r.modified_ns = now_ns();
    if (quant_offset) {
        r.quantdict.seg_offset = *quant_offset;
        r.quantdict.count = 1;
    }
    if (index_a_offset) { // layer A holds the entry point, the upper levels and the centroids
        r.entrypoint.seg_offset = r.toplayer.seg_offset = r.centroid.seg_offset = *index_a_offset;
        r.entrypoint.count = 1;
    }
    std::memcpy(r.file_id, file_id, 16);
    std::memcpy(r.parent_id, parent_id, 16);
    std::memcpy(r.parent_hash, parent_hash, 32);
    r.lineage_depth = lineage_depth;
    return r;
}

Result<std::vector<uint8_t>> RvfStore::Impl::encode_vec(const uint64_t *ids, const uint8_t *rows, size_t count,
                                                       bool row_major) const {
    core::VecBlockInput b;
    b.row_major = row_major;
    b.rows = rows;
    b.ids = ids;
    b.count = static_cast<uint32_t>(count);
    b.dim = config.dimension;
    switch (static_cast<StorageType>(config.storage)) {
    case StorageType::F32:
        b.dtype = static_cast<uint8_t>(core::DataType::F32);
        break;
    case StorageType::F16:
        b.dtype = static_cast<uint8_t>(core::DataType::F16);
        break;
    case StorageType::I8:
        b.dtype = static_cast<uint8_t>(core::DataType::I8);
        break;
    }
    // Delta-varint ids need non-decreasing ids; batches in arbitrary order keep raw u64 ids.
    bool sorted = true;
    for (size_t i = 1; i < count && sorted; ++i)
        sorted = ids[i - 1] <= ids[i];
    b.id_encoding = static_cast<uint8_t>(sorted ? core::IdEncoding::DeltaVarint : core::IdEncoding::Raw);
    uint64_t size = 0;
    if (Status s = core::vec_seg_encoded_size(&b, 1, size); s != Status::Ok)
        return Error{s, "VEC segment encoding"};
    if (size > core::kMaxSegmentPayload)
        return Error{Status::SegmentTooLarge, "VEC segment of " + std::to_string(size) + " bytes"};
    std::vector<uint8_t> out(static_cast<size_t>(size));
    core::ByteWriter w(core::MutByteView(out.data(), out.size()));
    if (Status s = core::encode_vec_seg(w, &b, 1); s != Status::Ok)
        return Error{s, "VEC segment encoding"};
    return out;
}

Result<std::vector<uint8_t>> RvfStore::Impl::encode_quant() const {
    const auto &q = table.quant();
    if (!q)
        return Error{Status::InvalidArgument, "no quantisation range"};
    std::vector<float> mins(config.dimension, q->min), maxs(config.dimension, q->max);
    core::ByteWriter counter;
    (void)core::encode_quant_scalar(counter, config.dimension, mins.data(), maxs.data());
    std::vector<uint8_t> out(counter.pos());
    core::ByteWriter w(core::MutByteView(out.data(), out.size()));
    if (Status s = core::encode_quant_scalar(w, config.dimension, mins.data(), maxs.data()); s != Status::Ok)
        return Error{s, "QUANT segment encoding"};
    return out;
}

Result<std::vector<uint8_t>> RvfStore::Impl::encode_journal(std::span<const uint64_t> ids, uint32_t epoch) {
    std::vector<core::JournalEntry> entries(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
        entries[i].type = core::JournalEntryType::DeleteVector;
        entries[i].a = ids[i];
    }
    core::JournalHeader h;
    h.journal_epoch = epoch;
    core::ByteWriter counter;
    (void)core::encode_journal_seg(counter, h, entries.data(), entries.size());
    std::vector<uint8_t> out(counter.pos());
    core::ByteWriter w(core::MutByteView(out.data(), out.size()));
    if (Status s = core::encode_journal_seg(w, h, entries.data(), entries.size()); s != Status::Ok)
        return Error{s, "JOURNAL segment encoding"};
    return out;
}

bool RvfStore::Impl::wants_checkpoint(uint64_t commit_bytes, size_t segment_count, bool moves_root) const {
    // The root's pointers (layer A, the quantisation dictionary) are what boot and progressive
    // readers follow: a commit that moves one is a checkpoint.
    if (!checkpoint_offset || segment_count > core::kCommitMaxSegments || force_checkpoint || moves_root ||
        checkpoint_min_bytes == 0 || signer /* COMMIT records are not signed: see store_impl.hpp */)
        return true;
    // Checkpoints cost O(live segments); spacing them by kCheckpointSpacing times their own size
    // keeps the bytes they add to a fixed fraction of the commits between them, whatever the
    // write pattern (recovery replays at most that many bytes of records).
    const uint64_t spacing = std::max<uint64_t>(checkpoint_min_bytes, kCheckpointSpacing * last_checkpoint_bytes);
    return bytes_since_checkpoint + commit_bytes >= spacing;
}

Result<std::vector<uint8_t>> RvfStore::Impl::commit_record_payload(uint32_t new_epoch, uint64_t live_after,
                                                                   const std::vector<core::SegmentHeader> &segs) const {
    std::vector<core::CommitSegmentRef> refs(segs.size());
    for (size_t i = 0; i < segs.size(); ++i) {
        const core::SegmentHeader &h = segs[i];
        refs[i].segment_id = h.segment_id;
        refs[i].payload_length = h.payload_length;
        refs[i].seg_type = h.seg_type;
        refs[i].compression = h.compression;
        refs[i].flags = h.flags;
        std::memcpy(refs[i].content_hash, h.content_hash, 16);
    }
    core::CommitHeader ch;
    ch.segment_count = static_cast<uint16_t>(segs.size());
    ch.epoch = new_epoch;
    ch.checkpoint_offset = *checkpoint_offset;
    ch.prev_offset = chain_prev_offset;
    ch.total_vector_count = live_after;
    ch.modified_ns = now_ns();
    std::vector<uint8_t> out(core::commit_record_size(segs.size()));
    core::ByteWriter w(core::MutByteView(out.data(), out.size()));
    if (Status st = core::encode_commit_record(w, ch, refs.data()); st != Status::Ok)
        return Error{st, "COMMIT record encoding"};
    return out;
}

Result<void> RvfStore::Impl::commit(std::vector<PendingSegment> segs, uint8_t witness_type, uint64_t live_after,
                                    const DirEdit *edit) {
    if (auto w = check_writable(); !w)
        return w;
    if (auto c = convert_if_needed(); !c)
        return c;
    // Signing: this handle's key signs everything appended below; its first commit also
    // writes the public key (CRYPTO_SEG) so verifiers find it in the file.
    const bool key_written_before = signing_key_written;
    if (signer) {
        writer->set_signer(signer);
        // Also after a compaction adopted a new file whose directory lists no CRYPTO_SEG.
        const auto &dir = writer->directory();
        const bool listed = std::any_of(dir.begin(), dir.end(), [](const core::SegmentDirEntry &e) {
            return e.seg_type == static_cast<uint8_t>(core::SegType::Crypto);
        });
        if (!signing_key_written || !listed) {
            crypto::SigningKeyRecord rec;
            rec.key_id = signer->key_id;
            rec.algorithm = signer->algorithm;
            rec.public_key = signer->public_key;
            rec.valid_from_ns = now_ns();
            segs.insert(segs.begin(), PendingSegment{core::SegType::Crypto, 0, crypto::encode_crypto_seg(rec)});
            signing_key_written = true;
        }
    }
    const LayoutSWriter snapshot = *writer;
    const std::optional<uint64_t> index_a_before = index_a_offset;
    const uint64_t start = storage->size();
    auto rollback = [&](Error e) -> Result<void> {
        *writer = snapshot;
        signing_key_written = key_written_before;
        index_a_offset = index_a_before;
        if (storage->size() != start && !storage->truncate(start))
            poisoned = true; // the tail is uncommitted garbage on disk: harmless, but stop writing
        return e;
    };
    auto header_at = [&](uint64_t off) {
        core::SegmentHeader h;
        core::decode_segment_header_raw(
            core::ByteView(writer->bytes().data() + (off - (writer->size() - writer->bytes().size())), 64), h);
        return h;
    };

    const size_t first_new = writer->directory().size();
    std::vector<core::SegmentHeader> covered;
    for (const PendingSegment &s : segs) {
        auto off = append_pending(*writer, s);
        if (!off)
            return rollback(off.error());
        if (s.type == core::SegType::Index && (s.flags & core::SegFlag::Hot))
            index_a_offset = *off; // the root's hotset pointers name the newest layer A
        covered.push_back(header_at(*off));
    }
    std::vector<core::SegmentHeader> written = covered; // what a COMMIT record names
    std::array<uint8_t, core::kWitnessEntrySize> entry{};
    const bool witness = (config.flags & core::kStoreConfigWitness) != 0;
    if (witness) {
        core::WitnessEntry e;
        if (last_witness)
            core::witness_link_hash(last_witness->data(), e.prev_hash);
        witness_action_hash(witness_type, covered, e.action_hash);
        e.timestamp_ns = now_ns();
        e.witness_type = witness_type;
        core::encode_witness_entry(e, entry.data());
        auto off = writer->append_segment(core::SegType::Witness, 0, core::ByteView(entry.data(), entry.size()));
        if (!off)
            return rollback(off.error());
        written.push_back(header_at(*off));
    }

    const uint32_t new_epoch = epoch + 1;
    bool moves_root = index_a_offset != index_a_before;
    for (const PendingSegment &p : segs)
        moves_root = moves_root || p.type == core::SegType::Quant;
    if (edit) // a merge: its directory differs from the last one by more than appended entries
        (*edit)(writer->mutable_directory(), first_new);
    const bool checkpoint = edit || wants_checkpoint(writer->bytes().size(), written.size(), moves_root);
    std::optional<uint64_t> record_offset;
    if (!checkpoint) {
        // One write, one sync: the record names every segment before it by id and hash, so recovery
        // adopts the commit only when all of it reached the disk (README "Format decisions").
        auto rec = commit_record_payload(new_epoch, live_after, written);
        if (!rec)
            return rollback(rec.error());
        auto off = writer->append_unlisted(core::kCommitSegType, core::ByteView(rec->data(), rec->size()));
        if (!off)
            return rollback(off.error());
        record_offset = *off;
    }
    std::vector<uint8_t> data = writer->take_staged();
    if (auto r = storage->append(core::ByteView(data.data(), data.size())); !r)
        return rollback(r.error());
    const bool sync_now = checkpoint || !defer_sync;
    if (sync_now) {
        if (auto r = storage->sync(); !r) {
            note_sync_failure(r.error());
            return rollback(r.error());
        }
        ++syncs;
    }
    last_commit_seq = ++appended_seq;
    if (sync_now)
        note_synced();

    if (checkpoint) {
        // A checkpoint keeps the two-step protocol: its data is durable before the manifest that
        // lists it is written, so a crash can tear only the manifest, never leave it naming
        // missing data.
        if (auto r = append_checkpoint(new_epoch, live_after); !r)
            return rollback(r.error());
    } else {
        chain_prev_offset = *record_offset;
        bytes_since_checkpoint += data.size();
        ++commits_since_checkpoint;
    }

    epoch = new_epoch;
    last_commit_segments = std::move(covered);
    if (lock)
        lock->refresh(); // keeps the record fresh for lock readers that judge by age
    if (witness) {
        last_witness = entry;
        witness_history.emplace_back(entry.begin(), entry.end());
    }
    return {};
}

Result<void> RvfStore::Impl::wait_durable(uint64_t seq) {
    std::unique_lock<std::mutex> g(sync_mu);
    for (;;) {
        if (sync_failure)
            return Error{sync_failure->status, "the commit may not be on disk: " + sync_failure->message +
                                                   ". Reopen the store: it recovers the last durable commit"};
        if (durable_seq >= seq)
            return {};
        if (!syncing)
            break;
        sync_cv.wait(g);
    }
    syncing = true;
    const uint64_t target = appended_seq.load(); // every commit appended so far: this fsync covers it
    g.unlock();
    auto r = storage->sync();
    g.lock();
    syncing = false;
    if (r) {
        ++syncs;
        durable_seq = std::max(durable_seq, target);
    } else {
        sync_failure = r.error();
        poisoned = true;
    }
    sync_cv.notify_all();
    if (!r)
        return Error{r.status(), "the commit may not be on disk: " + r.error().message +
                                     ". Reopen the store: it recovers the last durable commit"};
    return {}; // target ≥ seq: seq was appended before this call
}

void RvfStore::Impl::note_sync_failure(const Error &e) {
    std::lock_guard<std::mutex> g(sync_mu);
    // Alone, this commit is rolled back and the handle goes on (memory never saw it). With other
    // commits appended but not yet durable (applied in memory, waiting in wait_durable), their
    // fate is unknown: fail them all and stop writing.
    if (durable_seq != appended_seq.load()) {
        sync_failure = e;
        poisoned = true;
        sync_cv.notify_all();
    }
}

void RvfStore::Impl::note_synced() {
    std::lock_guard<std::mutex> g(sync_mu);
    durable_seq = appended_seq.load();
}

std::unique_lock<std::mutex> RvfStore::Impl::quiesce_syncs() {
    std::unique_lock<std::mutex> g(sync_mu);
    sync_cv.wait(g, [&] { return !syncing; });
    return g;
}

Result<void> RvfStore::Impl::append_checkpoint(uint32_t at_epoch, uint64_t live) {
    const std::vector<uint8_t> tlv = config_tlv();
    auto moff = writer->append_manifest(make_root(at_epoch, live), nullptr, core::ByteView(tlv.data(), tlv.size()));
    if (!moff)
        return moff.error();
    std::vector<uint8_t> manifest = writer->take_staged();
    if (auto r = storage->append(core::ByteView(manifest.data(), manifest.size())); !r)
        return r;
    if (auto r = storage->sync(); !r) {
        note_sync_failure(r.error());
        return r;
    }
    ++syncs;
    note_synced();
    checkpoint_offset = *moff;
    chain_prev_offset = *moff;
    if (recent_checkpoints.size() == kRecentCheckpoints)
        recent_checkpoints.erase(recent_checkpoints.begin());
    recent_checkpoints.push_back(*moff);
    last_checkpoint_bytes = manifest.size();
    bytes_since_checkpoint = 0;
    commits_since_checkpoint = 0;
    force_checkpoint = false;
    return {};
}

Result<void> RvfStore::Impl::checkpoint_now() {
    if (auto w = check_writable(); !w)
        return w;
    if (!writer || (checkpoint_offset && chain_prev_offset == *checkpoint_offset))
        return {}; // nothing committed since the last checkpoint
    const uint64_t start = storage->size();
    const LayoutSWriter snapshot = *writer;
    if (auto r = append_checkpoint(epoch, table.live()); !r) {
        *writer = snapshot;
        if (storage->size() != start && !storage->truncate(start))
            poisoned = true;
        return r;
    }
    return {};
}

} // namespace rvf

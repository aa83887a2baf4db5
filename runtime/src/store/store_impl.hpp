// store_impl.hpp — RvfStore's state, shared by the files that implement it:
//   store.cpp (public methods), store_boot.cpp (open/load), store_commit.cpp (the two-fsync
//   commit and segment payloads), store_rewrite.cpp (compaction and Layout R conversion),
//   store_verify.cpp (verify()).
#pragma once
#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <shared_mutex>
#include <unordered_map>
#include <unordered_set>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <rvf/core/format/segment_header.hpp>
#include <rvf/core/format/store_config.hpp>
#include <rvf/core/format/witness_chain.hpp>
#include <rvf/access_sketch.hpp>
#include <rvf/byte_source.hpp>
#include <rvf/file_report.hpp>
#include <rvf/hnsw.hpp>
#include <rvf/io/writer_lock.hpp>
#include <rvf/layout_s_writer.hpp>
#include <rvf/store.hpp>

#include "partition_probe.hpp"
#include "storage.hpp"
#include "store_iterate.hpp"
#include "vector_table.hpp"

namespace rvf {

namespace store_detail {
/// Ask the kernel to start reading the mapped range [p, p + len) now, without waiting
/// (madvise WILLNEED; a hint, errors ignored; a no-op where files are not mapped).
/// store_inplace.cpp. A mapping the open marked MADV_RANDOM reads a range it decodes one
/// synchronous page fault at a time: this turns those into one batch.
void prefetch(const uint8_t *p, size_t len);
} // namespace store_detail

/// What compact() decided for a tiered store (store_tiers_io.cpp): each live row's tier in the
/// new image, the models the image carries, and the access sketch remapped to its blocks.
struct TierPlan {
    std::vector<uint8_t> tiers; ///< per live row, image slot order (Tier values)
    store_detail::TierModels models;
    AccessSketch sketch;
};

/// A segment a commit is about to append.
struct PendingSegment {
    core::SegType type = core::SegType::Vec;
    uint16_t flags = 0;
    std::vector<uint8_t> payload;
};

struct RvfStore::Impl {
    std::string path; ///< empty for in-memory stores
    bool read_only = false;
    uint64_t rows_in_place = 0;   ///< read-only in-place open: rows referenced in the mapping
    uint64_t open_bytes_read = 0; ///< read-only in-place open: bytes the open asked the file for
    std::unique_ptr<store_detail::Storage> storage;
    std::optional<io::WriterLock> lock;

    core::StoreConfig config;
    store_detail::VectorTable table;
    MetadataTable meta;
    bool meta_index_dirty = false;

    std::optional<LayoutSWriter> writer; ///< directory + next id; nullopt until the file is Layout S
    FileLayout opened_layout = FileLayout::S;
    bool needs_conversion = false;       ///< Layout R opened for writing: first write rewrites as S
    uint32_t epoch = 0;
    uint64_t loaded_segments = 0;        ///< directory entries + the manifest, as opened (read-only status)
    uint64_t created_ns = 0;
    uint8_t file_id[16] = {};
    // Lineage (store_lineage.cpp): read from the root, written into every root this handle makes.
    uint8_t parent_id[16] = {};
    uint8_t parent_hash[32] = {};
    uint32_t lineage_depth = 0;
    /// derive() only, for the duration of one write_image: the child's identity replaces the
    /// handle's in the image root, and its witness entry gets this type instead of computation.
    const core::FileIdentity *image_identity = nullptr;
    uint8_t image_witness_type = 0;
    std::optional<std::array<uint8_t, core::kWitnessEntrySize>> last_witness; ///< chain tip
    std::vector<std::vector<uint8_t>> witness_history; ///< every entry so far (compaction carries them)
    std::optional<uint64_t> quant_offset; ///< QUANT_SEG header offset (root quantdict pointer)
    std::vector<std::string> warnings;
    /// Read-only opens: the newest commit was written completely but is damaged, so this
    /// handle answers from the last intact epoch (StoreStatus::damaged_commit).
    std::optional<Problem> damaged_commit;
    std::atomic<bool> poisoned{false}; ///< a failed rollback or sync: the file is safe on disk but this handle must not write

    // --- locking and group commit (store.cpp) ---
    // Public const methods hold state_mu shared, mutations hold it exclusively while they check,
    // append and apply; a commit between checkpoints then waits for durability *outside* it
    // (wait_durable), so writers that arrive while an fsync is in flight append theirs and share
    // the next one. Readers may see a commit whose fsync is still in flight; it is acknowledged
    // only once durable, and a failed fsync poisons the handle (memory is then ahead of disk).
    mutable std::shared_mutex state_mu;
    std::mutex sync_mu;                 ///< guards the fields below and `storage` against replacement mid-sync
    std::condition_variable sync_cv;
    bool syncing = false;               ///< a wait_durable leader is in fsync
    uint64_t durable_seq = 0;           ///< commits up to this sequence number are on disk
    std::atomic<uint64_t> appended_seq{0}; ///< commits appended (bumped under state_mu after the write)
    std::optional<Error> sync_failure;  ///< sticky: what a failed fsync said
    uint64_t last_commit_seq = 0;       ///< sequence number of the last commit() (state_mu)
    bool defer_sync = false;            ///< commit() leaves the sync of a non-checkpoint commit to wait_durable
    /// Return once commit `seq` is durable: fsync if no one is, else wait for the one in flight
    /// and, if it started before `seq` was appended, lead the next.
    Result<void> wait_durable(uint64_t seq);
    /// Mark everything appended so far durable (after a sync made under state_mu).
    void note_synced();
    /// A sync under state_mu failed (the caller rolls its commit back).
    void note_sync_failure(const Error &e);
    /// Wait for an in-flight group sync before `storage` is replaced; returns holding sync_mu.
    std::unique_lock<std::mutex> quiesce_syncs();

    /// ingest_batch (replace = false: a live id is rejected) and upsert_batch (replace = true: a
    /// JOURNAL deletes the live instances in the same commit) under `g`, which it releases
    /// before waiting for durability.
    Result<IngestResult> write_rows(std::unique_lock<std::shared_mutex> &g, std::span<const uint64_t> ids,
                                    std::span<const float> vectors,
                                    std::span<const std::vector<MetadataEntry>> metadata, bool replace);

    // --- store_commit.cpp ---
    // Commit chain: commits between checkpoints end with a COMMIT record (one sync); a checkpoint
    // (full MANIFEST) is written when the bytes since the last one reach
    // max(checkpoint_min_bytes, 4 × the last checkpoint's size), when a root pointer moves, and at close.
    std::optional<uint64_t> checkpoint_offset; ///< latest checkpoint MANIFEST header (nullopt: none yet)
    uint64_t chain_prev_offset = 0;            ///< latest COMMIT record, or the checkpoint
    uint64_t bytes_since_checkpoint = 0;
    uint32_t commits_since_checkpoint = 0;
    uint64_t last_checkpoint_bytes = 0;
    uint64_t checkpoint_min_bytes = kDefaultCheckpointBytes; ///< 0: every commit is a checkpoint
    std::vector<uint64_t> recent_checkpoints; ///< the last kRecentCheckpoints checkpoint offsets (oldest first)
    static constexpr size_t kRecentCheckpoints = 64;
    bool force_checkpoint = false; ///< the next commit is a checkpoint (a foreign file's checkpoint lacks our config)
    /// Signing (StoreOptions::signing_key / OpenOptions::signing_key): every commit signs what it
    /// writes and is a checkpoint (COMMIT records are not signed); the first commit of each
    /// handle writes the public key in a CRYPTO_SEG.
    std::shared_ptr<const crypto::SegmentSigner> signer;
    bool signing_key_written = false;
    std::atomic<uint64_t> syncs{0}; ///< storage syncs this handle issued (status().syncs)
    static constexpr uint64_t kDefaultCheckpointBytes = 1u << 20;
    static constexpr uint64_t kCheckpointSpacing = 4;
    bool wants_checkpoint(uint64_t commit_bytes, size_t segment_count, bool moves_root) const;
    Result<std::vector<uint8_t>> commit_record_payload(uint32_t new_epoch, uint64_t live_after,
                                                       const std::vector<core::SegmentHeader> &segs) const;
    /// Write a checkpoint when commits were made since the last one (close()).
    Result<void> checkpoint_now();
    /// build_index() under the caller's lock (close() persists the layers through it).
    Result<void> persist_index();
    /// Append + sync a MANIFEST of the current directory at `at_epoch` and make it the chain's
    /// start; the caller rolls the file back on failure.
    Result<void> append_checkpoint(uint32_t at_epoch, uint64_t live);
    Result<void> check_writable() const;
    /// Append `segs` (+ a WITNESS entry when enabled) + a COMMIT record → one sync, or at a
    /// checkpoint `segs` + WITNESS → sync → MANIFEST → sync. On failure the
    /// file is truncated back and the in-memory writer restored; the caller has not yet changed
    /// its tables (it applies the change only after this succeeds).
    /// A merge's change to the directory its checkpoint lists: called after the commit appended
    /// its segments (entries from `first_new` on), before the manifest is written.
    using DirEdit = std::function<void(std::vector<core::SegmentDirEntry> &, size_t first_new)>;
    Result<void> commit(std::vector<PendingSegment> segs, uint8_t witness_type, uint64_t live_after,
                        const DirEdit *edit = nullptr);
    /// Headers of the segments the last successful commit appended (its WITNESS not included).
    std::vector<core::SegmentHeader> last_commit_segments;

    // --- store_merge.cpp ---
    /// Per VEC segment the directory lists (by segment id): its rows' table slots [first, first + n).
    std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> vec_slots;
    size_t merge_trigger_base = 256; ///< StoreOptions::merge_trigger_segments
    static constexpr size_t kMergeHardCapFactor = 4; ///< × trigger: merge even past the IO budget
    size_t merge_trigger = 256; ///< the directory size of the next merge look
    uint64_t merge_io_bytes_per_second = 0; ///< StoreOptions::merge_io_bytes_per_second (0: unlimited)
    double merge_tokens = 0;
    uint64_t merge_tokens_at_ns = 0;
    double auto_compact_ratio = 0.5;                 ///< StoreOptions::auto_compact_dead_ratio
    uint64_t auto_compact_min_bytes = 1u << 20;      ///< files smaller than this are never auto-compacted
    bool maintaining = false;
    uint64_t merges = 0;       ///< merge commits this handle made (status)
    uint64_t auto_compactions = 0;
    /// After a write: merge when the directory passed the trigger (and the IO budget allows),
    /// then compact when dead bytes passed auto_compact_ratio of the file.
    Result<void> maintain();
    /// maintain() after an acknowledged write: that write stays committed whatever happens here,
    /// so a failed merge or compaction (already rolled back) is kept as a warning.
    void maintain_after_write() {
        if (auto r = maintain(); !r)
            warnings.push_back("background merge/compaction failed (the write itself is committed): " +
                               r.error().message);
    }
    Result<void> merge_now();
    /// Does META entry `m` hold metadata only for the rows in slots [first, first + rows)?
    Result<bool> meta_belongs_to(const core::SegmentDirEntry &m, uint32_t first, uint32_t rows) const;
    bool merge_allowed_now(size_t listed);
    /// Bytes of the file no checkpoint needs: superseded segments, COMMIT records, earlier
    /// checkpoints, deleted rows (estimated at their row size).
    uint64_t dead_bytes() const;
    Result<void> compact_for_maintenance();
    /// Append one pending segment to `w`, LZ4-compressing VEC payloads when the store asks for it
    /// and it saves space.
    Result<uint64_t> append_pending(LayoutSWriter &w, const PendingSegment &seg) const;
    core::ManifestL0 make_root(uint32_t epoch, uint64_t live) const;
    std::vector<uint8_t> config_tlv() const;
    /// One VEC segment of `count` rows. `row_major`: the cold-read block layout (vec_seg.hpp),
    /// written by rewrites and merges so a read-only open can use the rows where they lie.
    Result<std::vector<uint8_t>> encode_vec(const uint64_t *ids, const uint8_t *rows, size_t count,
                                            bool row_major = false) const;
    Result<std::vector<uint8_t>> encode_quant() const;
    static Result<std::vector<uint8_t>> encode_journal(std::span<const uint64_t> ids, uint32_t epoch);

    // --- store_boot.cpp ---
    Result<void> load(const std::vector<uint8_t> &bytes, bool writable);
    /// As load(), over bytes that stay valid for the store's life (a file mapping): with
    /// `in_place`, row-major hot VEC blocks are referenced where they lie instead of copied.
    Result<void> load_view(core::ByteView file, bool writable, MappedSource *in_place);
    /// The in-place read-only open without full verification (store_inplace.cpp): the newest
    /// manifest from the tail, every listed header checked against it, no payload hashed.
    /// Returns false (nothing loaded) when the file is not eligible — no root ending the file
    /// (COMMIT records, torn tail, Layout R), a tiered store — and the caller falls back.
    Result<bool> load_in_place_structural(MappedSource &src);
    Result<void> load_layout_s(core::ByteView file, const ManifestInfo &mi, const core::SegmentHeader &mh,
                               const FileReport *rep, bool writable, MappedSource *in_place);
    /// A listed, uncompressed VEC segment of an in-place open (store_inplace.cpp): row-major hot
    /// blocks become external rows; any other block shape falls back to load_vec_segment.
    Result<void> load_vec_in_place(core::ByteView payload, uint64_t payload_offset, const std::string &where,
                                   MappedSource &src);
    /// In place, before any VEC segment is loaded (store_inplace.cpp): adopt the newest persisted
    /// id table (docs/format-id-table.md) when it checks out against the directory, and return the
    /// VEC segments whose rows it serves with their slot ranges (their id maps are never read).
    using SlotRanges = std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>>;
    SlotRanges load_id_table_in_place(const std::vector<core::SegmentDirEntry> &dir, MappedSource &src);
    Result<void> load_layout_r(const std::vector<uint8_t> &bytes);
    /// Adopt upstream's Layout R INDEX (spec §3.10) when it is valid and names our rows.
    void load_layout_r_index(const std::vector<uint8_t> &bytes, const FileReport &rep);

    mutable store_detail::IdOrderCache id_order; ///< store_iterate.cpp: ids_after's sorted snapshot

    // --- store_index.cpp ---
    mutable std::mutex index_mutex;             ///< guards building `graph` from a const query
    mutable std::optional<HnswGraph> graph;     ///< over table slots; tombstones stay until compaction
    mutable size_t graph_persisted_nodes = 0;   ///< nodes the INDEX layers on disk cover
    /// Row slots ensure_index() has already looked at: every live slot below it is in `graph`, so a
    /// query's check costs O(new rows), not O(all rows). Reset whenever `graph` is replaced.
    mutable size_t index_scanned_slots = 0;
    std::optional<uint64_t> index_a_offset;     ///< latest layer A (HOT) segment: root hotset pointers
    unsigned index_threads = 0;                 ///< StoreOptions::index_threads (this handle only)
    bool partition_on_compact = false;          ///< StoreOptions::partition_on_compact (this handle only)
    bool index_enabled() const { return (config.flags & core::kStoreConfigNoIndex) == 0; }
    HnswParams hnsw_params() const;
    /// Build the graph when enabled and the store is big enough (or `force`); index rows not yet in it.
    void ensure_index(bool force = false) const;
    /// Layer A (HOT), the RVPQ routing codes (rvf/routing_codes.hpp), B and C payloads of `g`
    /// (node numbers are slots of the file they go into; node_to_slot maps them to this table's
    /// slots, nullptr = the same numbers).
    Result<std::vector<PendingSegment>> index_layer_segments(const HnswGraph &g, const HnswSpace &space, uint64_t tag,
                                                             const std::vector<uint32_t> *node_to_slot = nullptr) const;
    /// The RVPQ routing codes of `g`'s rows (empty when the graph is empty).
    Result<std::vector<uint8_t>> routing_codes_payload(const HnswGraph &g, uint64_t tag,
                                                       const std::vector<uint32_t> *node_to_slot) const;
    /// Adopt the newest complete A/B/C triple listed in the directory (derived data: a bad or
    /// stale one is a warning and the graph is rebuilt when needed).
    void load_index(const std::vector<std::pair<uint64_t, core::ByteView>> &index_payloads);
    /// An uncompressed INDEX_SEG an in-place open has not read yet (store_inplace.cpp).
    struct IndexRef {
        uint64_t seg_offset = 0, payload_offset = 0, length = 0;
    };
    /// In place: serve the newest build's layer F from the mapping when it is there and checks
    /// out (reads a few header bytes per INDEX_SEG); otherwise read A/B/C and load_index().
    Result<void> load_index_in_place(const std::vector<IndexRef> &refs, MappedSource &src);

    // --- store_probe.cpp (QueryOptions::nprobe, issue 17) ---
    /// The file's partition map bound to this table's slots (partition_probe.hpp): set by the
    /// open when the newest RVPM map the directory lists describes the VEC segments it holds;
    /// dropped when the table is renumbered (a compaction this handle adopts; a reload or a
    /// refresh takes the new file's).
    std::optional<store_detail::PartitionProbe> partitions;
    std::string partitions_missing; ///< why a listed map is not used (nprobe's error says it)
    /// At open, after every VEC segment is loaded: decode and bind the map at `seg_offset`;
    /// one that does not decode or fit is a warning, never an error (it is derived data).
    void adopt_partition_map(core::ByteView payload, uint64_t seg_offset);
    /// query() with nprobe > 0, under the caller's shared lock (dimension, k and filter checked).
    Result<std::vector<Neighbor>> query_partitions(std::span<const float> q, size_t k, const QueryOptions &options,
                                                   QueryStats &st) const;

    // --- store_rewrite.cpp ---
    /// A fresh Layout S image of the live state (QUANT, VEC, META, METAIDX, preserved unknown
    /// segments, WITNESS history + this rewrite's entry, MANIFEST).
    /// `plan` (tiered compaction) re-tiers the rows; without it a tiered table keeps each row's tier.
    Result<std::vector<uint8_t>> build_image(uint32_t new_epoch, const std::vector<PendingSegment> &preserved,
                                             const TierPlan *plan = nullptr) const;
    /// Receives a rewrite's bytes segment by segment (a temp file, a memory image); an error
    /// stops the rewrite.
    using ImageSink = std::function<Result<void>(core::ByteView)>;
    /// What a streamed rewrite produced: enough for the handle to adopt the new file without
    /// reading it back.
    struct ImageInfo {
        LayoutSWriter writer;                        ///< directory and next id (nothing staged)
        std::optional<uint64_t> quant_offset, index_a_offset;
        uint64_t manifest_offset = 0;
        std::optional<std::array<uint8_t, core::kWitnessEntrySize>> witness; ///< this rewrite's entry
        std::optional<HnswGraph> graph;              ///< renumbered to the image's slots
        uint64_t live = 0;
        std::vector<std::pair<uint64_t, uint32_t>> vec_rows; ///< VEC segment ids and their rows, in slot order
        std::optional<uint64_t> partition_map_offset; ///< the RVPM INDEX_SEG (rvf/partition_map.hpp)
        bool rows_reordered = false; ///< rows written in partition order (partition_map.hpp): reload, not adopt
    };
    /// build_image, streamed: each segment goes to `sink` as soon as it is encoded.
    Result<ImageInfo> write_image(uint32_t new_epoch, const std::vector<PendingSegment> &preserved,
                                  const TierPlan *plan, const ImageSink &sink) const;
    /// Stream a fresh image to `<path>.compact.tmp` (or a new memory image), publish it and adopt
    /// it. Returns false (nothing changed) when io_budget_bytes stopped it.
    Result<bool> rewrite(const TierPlan *plan, const CompactOptions &options, uint64_t *bytes_written);
    /// Take over a just-published image: the table compacted in place, graph, writer, offsets.
    Result<void> adopt_image(ImageInfo &&info, std::unique_ptr<store_detail::Storage> st);
    /// Re-read the whole (new) file into this handle (tiered rewrites re-code rows).
    Result<void> reload_from_storage();
    Result<void> convert_if_needed();
    std::vector<PendingSegment> preserved_segments; ///< unknown segment types, copied by rewrites

    // --- store_tiers_io.cpp (temperature tiers; rvf/store.hpp TieringPolicy) ---
    mutable std::mutex sketch_mutex;  ///< guards `sketch` and `sketch_dirty` (query() records from any thread)
    mutable AccessSketch sketch;      ///< block accesses (block = row slot / kTierBlockRows)
    mutable bool sketch_dirty = false; ///< recorded since the file last got a SKETCH_SEG
    bool tiering_enabled() const { return (config.flags & core::kStoreConfigTiering) != 0; }
    /// Record the blocks of a query's results (no-op unless tiering is on).
    void record_access(const std::vector<Neighbor> &results) const;
    /// Commit the sketch as a SKETCH_SEG when it changed (close()).
    Result<void> persist_sketch();
    Result<std::vector<uint8_t>> encode_sketch() const;
    /// Tiers, models and remapped sketch for compacting to `live` (image slot order).
    Result<TierPlan> plan_tiers(const std::vector<uint64_t> &live) const;
    /// QUANT (models) and VEC payloads of a tiered image: blocks of one tier, never crossing a
    /// kTierBlockRows boundary of image slots.
    Result<std::vector<PendingSegment>> tiered_data_segments(const std::vector<uint64_t> &live,
                                                             const TierPlan *plan) const;
    /// Loader pieces (store_boot.cpp calls them per segment).
    Result<void> load_quant_segment(core::ByteView payload, const std::string &where, uint64_t offset);
    Result<void> load_vec_segment(core::ByteView payload, const std::string &where);
    /// The latest SKETCH_SEG wins; one that does not decode is a warning (the sketch restarts).
    void load_sketch_segment(core::ByteView payload, const std::string &where);
};

/// SHAKE-256/256 over what a witness entry vouches for: "RVF-witness-v1" ‖ witness_type ‖ for
/// each covered segment (file order) u64 id ‖ u8 type ‖ content_hash[16]. verify() recomputes it.
void witness_action_hash(uint8_t witness_type, const std::vector<core::SegmentHeader> &covered,
                         uint8_t out[core::kWitnessDigestSize]);

uint64_t now_ns();

/// store_profile.cpp: the hardware profile's limits over a store's config (InvalidOptions naming
/// the limit and what to do).
Result<void> check_profile_limits(const core::StoreConfig &c);

/// INDEX layers for a rewrite: the graph renumbered to `live` (the new file's slot order), dead
/// nodes dropped and lists repaired; empty when the store has no graph. `keep`, when given,
/// receives that renumbered graph (a streamed compaction adopts it instead of re-reading the file).
Result<std::vector<PendingSegment>> image_index_segments(const RvfStore::Impl &s, const std::vector<uint64_t> &live,
                                                         uint64_t tag, std::optional<HnswGraph> *keep = nullptr);

} // namespace rvf

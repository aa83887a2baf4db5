// store_impl.hpp — RvfStore's state, shared by the files that implement it:
//   store.cpp (public methods), store_boot.cpp (open/load), store_commit.cpp (the two-fsync
//   commit and segment payloads), store_rewrite.cpp (compaction and Layout R conversion),
//   store_verify.cpp (verify()).
#pragma once
#include <array>
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
#include <rvf/hnsw.hpp>
#include <rvf/io/writer_lock.hpp>
#include <rvf/layout_s_writer.hpp>
#include <rvf/store.hpp>

#include "storage.hpp"
#include "vector_table.hpp"

namespace rvf {

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
    std::optional<std::array<uint8_t, core::kWitnessEntrySize>> last_witness; ///< chain tip
    std::vector<std::vector<uint8_t>> witness_history; ///< every entry so far (compaction carries them)
    std::optional<uint64_t> quant_offset; ///< QUANT_SEG header offset (root quantdict pointer)
    std::vector<std::string> warnings;
    bool poisoned = false; ///< a failed rollback: the file is safe on disk but this handle must not write

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
    bool force_checkpoint = false; ///< the next commit is a checkpoint (a foreign file's checkpoint lacks our config)
    uint64_t syncs = 0; ///< storage syncs this handle issued (status().syncs)
    static constexpr uint64_t kDefaultCheckpointBytes = 1u << 20;
    static constexpr uint64_t kCheckpointSpacing = 4;
    bool wants_checkpoint(uint64_t commit_bytes, size_t segment_count, bool moves_root) const;
    Result<std::vector<uint8_t>> commit_record_payload(uint32_t new_epoch, uint64_t live_after,
                                                       const std::vector<core::SegmentHeader> &segs) const;
    /// Write a checkpoint when commits were made since the last one (close()).
    Result<void> checkpoint_now();
    /// Append + sync a MANIFEST of the current directory at `at_epoch` and make it the chain's
    /// start; the caller rolls the file back on failure.
    Result<void> append_checkpoint(uint32_t at_epoch, uint64_t live);
    Result<void> check_writable() const;
    /// Append `segs` (+ a WITNESS entry when enabled) + a COMMIT record → one sync, or at a
    /// checkpoint `segs` + WITNESS → sync → MANIFEST → sync. On failure the
    /// file is truncated back and the in-memory writer restored; the caller has not yet changed
    /// its tables (it applies the change only after this succeeds).
    Result<void> commit(std::vector<PendingSegment> segs, uint8_t witness_type, uint64_t live_after);
    /// Append one pending segment to `w`, LZ4-compressing VEC payloads when the store asks for it
    /// and it saves space.
    Result<uint64_t> append_pending(LayoutSWriter &w, const PendingSegment &seg) const;
    core::ManifestL0 make_root(uint32_t epoch, uint64_t live) const;
    std::vector<uint8_t> config_tlv() const;
    Result<std::vector<uint8_t>> encode_vec(const uint64_t *ids, const uint8_t *rows, size_t count) const;
    Result<std::vector<uint8_t>> encode_quant() const;
    static Result<std::vector<uint8_t>> encode_journal(std::span<const uint64_t> ids, uint32_t epoch);

    // --- store_boot.cpp ---
    Result<void> load(const std::vector<uint8_t> &bytes, bool writable);
    Result<void> load_layout_s(const std::vector<uint8_t> &bytes, const FileReport &rep, bool writable);
    Result<void> load_layout_r(const std::vector<uint8_t> &bytes);
    /// Adopt upstream's Layout R INDEX (spec §3.10) when it is valid and names our rows.
    void load_layout_r_index(const std::vector<uint8_t> &bytes, const FileReport &rep);

    // --- store_index.cpp ---
    mutable std::mutex index_mutex;             ///< guards building `graph` from a const query
    mutable std::optional<HnswGraph> graph;     ///< over table slots; tombstones stay until compaction
    mutable size_t graph_persisted_nodes = 0;   ///< nodes the INDEX layers on disk cover
    /// Row slots ensure_index() has already looked at: every live slot below it is in `graph`, so a
    /// query's check costs O(new rows), not O(all rows). Reset whenever `graph` is replaced.
    mutable size_t index_scanned_slots = 0;
    std::optional<uint64_t> index_a_offset;     ///< latest layer A (HOT) segment: root hotset pointers
    unsigned index_threads = 0;                 ///< StoreOptions::index_threads (this handle only)
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

/// INDEX layers for a rewrite: the graph renumbered to `live` (the new file's slot order), dead
/// nodes dropped and lists repaired; empty when the store has no graph. `keep`, when given,
/// receives that renumbered graph (a streamed compaction adopts it instead of re-reading the file).
Result<std::vector<PendingSegment>> image_index_segments(const RvfStore::Impl &s, const std::vector<uint64_t> &live,
                                                         uint64_t tag, std::optional<HnswGraph> *keep = nullptr);

} // namespace rvf

// rvf/store.hpp — RvfStore: the append-only, crash-safe vector store every binding wraps.
//
// A store is one .rvf file (or an in-memory byte image, for browsers). Every mutation is one
// commit: its data segments (VEC, META, JOURNAL, QUANT) and a WITNESS entry are appended and
// fsync'd, then a MANIFEST_SEG (Level-1 TLV + 4096-B root) is appended and fsync'd. The commit
// point is the durable manifest: a crash before it leaves the previous state, a crash after it
// the new one; reopening ignores anything past the latest valid manifest.
//
// Layout S is written. A Layout R file (upstream 0.2.x) opens read-write too: the first write
// rewrites it as Layout S (the compaction path: temp file, fsync, rename), so nothing is lost.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/enums.hpp>
#include <rvf/crypto/segment_signature.hpp>
#include <rvf/file_report.hpp>
#include <rvf/filter.hpp>
#include <rvf/metadata.hpp>
#include <rvf/result.hpp>

namespace rvf {

using core::Metric;

/// How vectors are held on disk and in memory.
enum class StorageType : uint8_t {
    F32 = 0,
    F16 = 1,
    I8 = 2, ///< scalar-quantised: one global [min, max] range trained on the first batch (QUANT_SEG)
};

/// Codec for VEC segment payloads (spec §2.3 values). Every hosted build reads and writes both.
enum class Compression : uint8_t { None = 0, Lz4 = 1, Zstd = 2 };

/// When the HNSW index exists. Auto: built (multithreaded, incrementally per batch) once the
/// store holds kAutoIndexMinVectors live vectors — below that an exact scan is as fast and exact.
enum class IndexMode : uint8_t { Auto = 0, Off = 1 };
inline constexpr size_t kAutoIndexMinVectors = 1024;

/// Codec of the cold tier (StoreOptions::tiering).
enum class ColdCodec : uint8_t {
    Pq = 0,     ///< product quantization, pq_m bytes per vector, scored by ADC
    Binary = 1, ///< one bit per dimension (per-dimension mean thresholds), ceil(dim/8) bytes
};

/// Temperature-tiered quantization (spec §6.1 assign_tier, §6.2 block tier bytes, §6.5, §6.6).
///
/// Off by default; a store without it writes exactly the bytes it always did. On: every query
/// records the 1024-row blocks (row slots / 1024) of the results it returns in a count-min
/// access sketch (SKETCH_SEG, written at close() and compact(), restored at open). compact()
/// then gives each block the tier choose_tier(estimate, hot_threshold, warm_threshold) picks:
///  hot   the storage dtype (f32/f16/i8) — exact, bit-identical vectors;
///  warm  per-dimension scalar u8 codes (QUANT_SEG scalar, tier 1) — asymmetric SQ distances;
///  cold  PQ codes (QUANT_SEG product, tier 2; ADC) or binary codes (QUANT_SEG binary, tier 2).
/// THIS IS LOSSY BY DESIGN: a block made warm or cold keeps only its codes; vector(), exports
/// and later promotions see the decoded values (promotion re-encodes those at the higher tier).
/// Models are trained at the compaction that first needs them (again whenever no row uses
/// them) from the decoded live rows and kept otherwise, so rows that stay in a tier keep their
/// codes. Compaction also halves the sketch (explicit aging), so a block must keep being read
/// to stay hot. Rows added after a compaction are hot until the next one.
struct TieringPolicy {
    bool enabled = false;
    ColdCodec cold_codec = ColdCodec::Pq;
    uint16_t pq_m = 0; ///< PQ subspaces (cold code bytes per vector); 0 = dimension / 4 (≥ 1)
    uint32_t hot_threshold = core::kHotThreshold;   ///< estimate > this → hot
    uint32_t warm_threshold = core::kWarmThreshold; ///< estimate > this → warm, else cold
};

/// Core-profile limits (spec: a Cognitum tile's budget): f16 rows of at most 384 dimensions or
/// i8 rows of at most 768; no f32, no VEC compression, no PQ/tiering, no HNSW index (a tile's
/// hub routes queries; the store answers by exact scan). Hot: at most 1024 dimensions.
inline constexpr uint16_t kCoreMaxDimF16 = 384;
inline constexpr uint16_t kCoreMaxDimI8 = 768;
inline constexpr uint16_t kHotMaxDim = 1024;

struct StoreOptions {
    uint16_t dimension = 0; ///< required, > 0
    /// Hardware profile (spec ProfileId), kept in PROFILE_CONFIG and reported by status(). Core
    /// and Hot are held to their limits (kCoreMax*, kHotMaxDim) at create and at every write;
    /// a Core store never builds an HNSW index. Generic and Full impose nothing.
    core::ProfileId profile = core::ProfileId::Generic;
    Metric metric = Metric::L2;
    StorageType storage = StorageType::F32;
    /// Domain profile; nullopt = from the file extension (.rvdna .rvtext .rvgraph .rvvis), as upstream.
    std::optional<core::DomainProfile> domain_profile = std::nullopt;
    Compression compression = Compression::None;
    uint16_t hnsw_m = 16;
    uint16_t hnsw_ef_construction = 200;
    bool witness = true; ///< chain a WITNESS entry into every commit
    IndexMode index = IndexMode::Auto;
    TieringPolicy tiering = {}; ///< opt-in, lossy: see TieringPolicy
    /// Threads that insert rows into the HNSW index (0 = all cores). Several threads build a
    /// graph that depends on their timing; 1 builds the same graph for the same rows every run
    /// (reproducible approximate answers, e.g. in tests). Not stored in the file: see
    /// RvfStore::set_index_threads for a store that is opened.
    unsigned index_threads = 0;
    /// Commits between checkpoints end with a small COMMIT record and one fsync; a checkpoint (a
    /// full manifest, two fsyncs) is written once the bytes committed since the last one reach
    /// max(checkpoint_bytes, 4 × the last checkpoint's size), at close, and by commits that
    /// move a root pointer. 0: every commit is a checkpoint (the pre-0.5 behaviour). Not stored
    /// in the file: see RvfStore::set_checkpoint_bytes for a store that is opened.
    uint64_t checkpoint_bytes = 1u << 20;
    /// Compactions of an indexed, untiered store of ≥ kPartitionMinRows rows write the rows
    /// partition by partition with a partition map (docs/format-partition-map.md), for
    /// query-directed progressive reads (ProgressiveStore::wanted_for). Off by default until every
    /// progressive reader (the JS loader, the browser) fetches by query: a reader that streams
    /// with wanted() only answers from the partitions that have arrived. Not stored in the file:
    /// see RvfStore::set_partition_on_compact for a store that is opened.
    bool partition_on_compact = false;
    /// Merges keep the segments a checkpoint lists bounded: once merge_trigger_segments are listed, runs of small
    /// segments are merged (README "Format decisions"). This caps the bytes/s merges write on
    /// average (0: unlimited); past 4 × the trigger they merge regardless. Not stored in the file.
    uint64_t merge_io_bytes_per_second = 0;
    /// Listed segments that start a merge (≥ 16). Not stored in the file.
    uint32_t merge_trigger_segments = 256;
    /// After a write, compact() runs by itself once dead bytes (status().dead_bytes) reach this
    /// fraction of a file of at least 1 MiB. 0 turns it off; tiered stores never auto-compact
    /// (compaction re-tiers, which is lossy). Not stored in the file: see set_auto_compaction.
    double auto_compact_dead_ratio = 0.5;
    /// 32-byte seed (the secret key; Ed25519 or ML-DSA-65 per signing_algorithm): every commit
    /// then signs what it writes (SIGNED segments with a signature footer, manifests in their
    /// root, the public key in a CRYPTO_SEG) and is a checkpoint. Not stored in the file.
    /// nullopt: unsigned (docs/signing.md).
    std::optional<crypto::Ed25519Seed> signing_key = std::nullopt;
    /// Which algorithm signing_key is for: Ed25519 or MlDsa65 (SlhDsa128s is refused).
    crypto::SignatureAlgo signing_algorithm = crypto::SignatureAlgo::Ed25519;
};

/// How open_readonly checks a file before answering (issue 17).
enum class OpenVerify : uint8_t {
    /// Default: every header and content hash, the rules verify() applies (a damaged file is
    /// refused or answered from its last intact epoch, as before). Reads the whole file once.
    Full = 0,
    /// O(1) in the file size: the Level-0 root ending the file, its manifest (hash + CRC), every
    /// listed segment header against the directory, and the bounds of every block and id map.
    /// Payloads are not hashed: a flipped bit in row data changes answers, never reads out of
    /// bounds; verify() reports it. Files whose newest commit is not a checkpoint (COMMIT
    /// records, a torn tail), Layout R and tiered stores take the Full path.
    Structural = 1,
};

/// Options of open / open_readonly: how a read-only open checks and maps the file (store.cpp,
/// store_inplace.cpp) and the signature policy (store_signing.cpp).
struct OpenOptions {
    /// open_readonly only (a writer always checks everything): Full or Structural, above.
    OpenVerify verify = OpenVerify::Full;
    /// open_readonly: map the file and use row-major VEC blocks (what compaction writes) where
    /// they lie instead of copying them. Native POSIX builds; elsewhere (and false) the file is
    /// read into memory. A writable open keeps its rows in memory whatever this says.
    bool in_place = true;
    /// Refuse the file (UnknownSigner, InvalidSignature or UnsignedManifest) unless every
    /// committed segment and manifest is signed by this key id and the signatures verify.
    std::optional<crypto::KeyId> require_signature = std::nullopt;
    /// Sign this handle's commits (open only; as StoreOptions::signing_key / signing_algorithm).
    std::optional<crypto::Ed25519Seed> signing_key = std::nullopt;
    crypto::SignatureAlgo signing_algorithm = crypto::SignatureAlgo::Ed25519;
    /// Time travel (store_epochs.cpp): answer from this earlier committed epoch, read-only (open
    /// with an epoch opens read-only too). ManifestNotFound when the file no longer holds it
    /// (compaction keeps only the live state); a damaged manifest or COMMIT record of that epoch
    /// is refused with its own status. list_epochs() says which epochs a file holds.
    std::optional<uint32_t> epoch = std::nullopt;
};

/// Options of RvfStore::derive (store_lineage.cpp).
struct DeriveOptions {
    /// Names the child's lineage witness entry (spec §6.1 lineage witness types: merge 0x0A,
    /// snapshot 0x0B, transform 0x0C, every other type derivation 0x09). Every type writes the
    /// same thing: a compacted copy of the parent's live rows.
    core::DerivationType type = core::DerivationType::Clone;
};

/// One committed epoch a file still holds (list_epochs).
struct EpochInfo {
    uint32_t epoch = 0;
    uint64_t total_vectors = 0;   ///< live rows at that epoch
    uint64_t modified_ns = 0;     ///< when it was committed
    uint64_t offset = 0;          ///< its MANIFEST or COMMIT record
    uint64_t end = 0;             ///< end of that segment: the file as it was after the commit
    bool checkpoint = false;      ///< a full MANIFEST (false: a COMMIT record)
    bool damaged = false;         ///< fails its checks: listed, never opened
    Status status = Status::Ok;   ///< damaged: why
    std::string what;             ///< damaged: what is wrong
};

/// One rejected vector of a batch: its position in the batch, its id and why.
struct Rejection {
    size_t index = 0;
    uint64_t id = 0;
    Status status = Status::Ok;
    std::string reason;
};

struct IngestResult {
    uint64_t accepted = 0;
    uint64_t rejected = 0;
    uint32_t epoch = 0;
    std::vector<Rejection> rejections;
};

struct DeleteResult {
    uint64_t deleted = 0;
    uint32_t epoch = 0;
};

struct Neighbor {
    uint64_t id = 0;
    float distance = 0;
    bool operator==(const Neighbor &) const = default;
};

/// How a query was answered (QueryOptions::stats).
struct QueryStats {
    bool exact = false;      ///< exact scan (no index, a pre-filter, or exact requested)
    uint8_t layers = 0;      ///< index layers that answered (HnswLayerBit: 1 A, 2 B, 4 C)
    size_t distance_evals = 0;
    FilterStrategy strategy = FilterStrategy::Intra; ///< meaningful with a filter
};

/// A query through the HNSW index is approximate, but never returns fewer than min(k, live
/// rows that pass the filter): with k or ef_search at least the live row count it is an exact
/// scan, and a search that comes back short is answered by an exact scan instead.
struct QueryOptions {
    uint32_t ef_search = 100;
    const FilterExpr *filter = nullptr;
    bool exact = false;          ///< force an exact scan even when an index exists
    QueryStats *stats = nullptr; ///< filled when given
    /// Partition probe (issue 17; docs/format-partition-map.md): 0 (default) = off, the graph or
    /// the exact scan answers as always. nprobe > 0 on a store whose file carries a partition map
    /// (written by a compaction with StoreOptions::partition_on_compact) scores exactly every live
    /// row of the nprobe partitions whose centroids are nearest the query, plus every live row the
    /// map does not cover (rows written after that compaction), applies the filter per row and
    /// returns the best k. No graph is walked: on a file opened in place the chosen partitions are
    /// contiguous byte ranges, asked for in one batch (madvise WILLNEED) before scoring, so a cold
    /// first answer costs a few sequential reads instead of thousands of random page faults.
    /// Approximate (recall grows with nprobe; stats.exact stays false). Errors: InvalidArgument
    /// with exact = true (contradictory); UnsupportedLayout when the store has no valid map
    /// (never compacted with partition_on_compact, the map damaged, or a later rewrite/merge
    /// replaced the segments it names): compact with partition_on_compact to write one.
    uint32_t nprobe = 0;
};

struct CompactResult {
    uint64_t segments_compacted = 0;
    uint64_t bytes_reclaimed = 0;
    uint32_t epoch = 0;
    bool complete = true; ///< false when the IO budget stopped it before the rewrite (nothing changed)
    uint64_t bytes_written = 0; ///< bytes the rewrite wrote (the new file's size when complete)
};

/// How compact() may use the disk.
struct CompactOptions {
    /// 0 = unlimited; otherwise a rewrite that would write more stops (its temp file removed),
    /// returns complete = false and changes nothing.
    uint64_t io_budget_bytes = 0;
    /// 0 = unthrottled; otherwise the rewrite writes at most about this many bytes per second
    /// (a token bucket: it sleeps between writes), leaving the disk to everything else.
    uint64_t io_bytes_per_second = 0;
};

struct StoreStatus {
    uint64_t total_vectors = 0;   ///< live vectors
    uint64_t deleted_vectors = 0; ///< deleted, not yet compacted away
    uint64_t total_segments = 0;
    uint64_t file_size = 0;
    uint32_t current_epoch = 0;
    uint16_t dimension = 0;
    Metric metric = Metric::L2;
    StorageType storage = StorageType::F32;
    core::DomainProfile domain_profile = core::DomainProfile::Generic;
    core::ProfileId profile = core::ProfileId::Generic; ///< hardware profile (StoreOptions::profile)
    /// Bytes of the file a compaction would drop: deleted rows, segments merges replaced,
    /// COMMIT records and earlier checkpoints (an estimate: rows at their stored size).
    uint64_t dead_bytes = 0;
    double dead_space_ratio = 0; ///< dead_bytes / file_size
    uint64_t merges = 0;           ///< merge commits this handle made
    uint64_t auto_compactions = 0; ///< compactions this handle ran by itself
    uint64_t syncs = 0;          ///< fsyncs this handle issued (one per commit, two per checkpoint)
    uint32_t commits_since_checkpoint = 0; ///< COMMIT records after the latest checkpoint
    bool read_only = false;
    FileLayout opened_layout = FileLayout::S;
    uint64_t indexed_vectors = 0;   ///< rows in the HNSW graph (0: queries scan exactly)
    uint64_t persisted_index = 0;   ///< rows the INDEX_SEG layers on disk cover
    bool tiering = false;           ///< StoreOptions::tiering.enabled
    /// Per tier (index: Tier — 0 hot, 1 warm, 2 cold): live rows, and the bytes their vectors
    /// (hot rows) or codes (warm/cold rows) take in memory (models not included).
    std::array<uint64_t, 3> tier_rows{};
    std::array<uint64_t, 3> tier_bytes{};
    std::vector<std::string> warnings; ///< e.g. "fell back to the previous manifest"
    /// Read-only handles: the file's newest commit was written completely but fails its checks,
    /// so this handle answers from the last intact epoch (also among the warnings). Writers
    /// refuse such a file instead.
    std::optional<Problem> damaged_commit;
    /// Read-only opens (issue 17): rows used where they lie in the file mapping (0: all rows
    /// copied into memory), and bytes the open asked the file for (its tail, manifest, headers,
    /// id maps, metadata, index; not the rows it references). 0 for other opens.
    uint64_t rows_in_place = 0;
    uint64_t open_bytes_read = 0;
    /// The HNSW graph is served from the mapped file's layer F (not decoded into memory).
    bool graph_in_place = false;
    /// Rows whose id → row lookups read a persisted id table in place (docs/format-id-table.md)
    /// instead of a hash map built at open; 0 when the file has none or the open declined it.
    uint64_t ids_in_place = 0;
    uint8_t file_id[16] = {};          ///< the file's identity (manifest root / Layout R FIDI)
    uint16_t hnsw_m = 0;               ///< HNSW parameters the store builds its index with
    uint16_t hnsw_ef_construction = 0;
};

/// Witness types a caller may append (spec §6.11 crypto doc types; the store's own commits use
/// 0x01 provenance and 0x02 computation, lineage 0x09..0x0D is reserved for derivations).
inline constexpr uint8_t kWitnessDelegation = 0x03;
inline constexpr uint8_t kWitnessAudit = 0x04;
inline constexpr uint8_t kWitnessAttestation = 0x05;
/// Largest payload append_witness takes (one audit record segment).
inline constexpr size_t kMaxWitnessPayload = 64 * 1024;

/// One entry of the witness chain, oldest first (RvfStore::witness_entries).
struct WitnessRecord {
    uint64_t index = 0;        ///< position in the chain (0 = oldest)
    uint8_t witness_type = 0;  ///< 0x01 provenance · 0x02 computation · 0x03..0x05 a caller's own
    uint64_t timestamp_ns = 0; ///< when the entry was written (wall clock)
    std::array<uint8_t, 32> prev_hash{};   ///< link: SHAKE-256 of the previous entry (zeros for the first)
    std::array<uint8_t, 32> hash{};        ///< SHAKE-256 of this entry: the next entry's prev_hash
    std::array<uint8_t, 32> action_hash{}; ///< what the entry vouches for (the segments its commit wrote)
    /// An entry append_witness wrote carries its payload; the store's own commit entries have none.
    std::optional<std::vector<uint8_t>> payload;
};

struct SegmentSummary {
    uint64_t id = 0;
    uint8_t seg_type = 0;
    uint64_t offset = 0;
    uint64_t payload_length = 0;
};

/// Signature state of one committed segment (VerifyReport::signatures).
enum class SignatureState : uint8_t {
    Unsigned = 0, ///< no SIGNED flag (manifests: no root signature; COMMIT records are never signed)
    Valid = 1,    ///< verifies under `key_id`, a key of the file's CRYPTO_SEGs (or one the caller trusts)
    Invalid = 2,  ///< SIGNED, but the footer is missing/damaged or verifies under no known key
};
struct SegmentSignature {
    uint64_t segment_id = 0;
    uint64_t offset = 0;
    uint8_t seg_type = 0;
    SignatureState state = SignatureState::Unsigned;
    std::optional<crypto::KeyId> key_id; ///< Valid: the signer
    std::optional<crypto::SignatureAlgo> algorithm; ///< signed segments: the footer's / root's algorithm
    std::string what;                    ///< Invalid: why
};

struct VerifyReport {
    bool ok = true;
    /// Every committed Layout S segment in file order (COMMIT records included), with its
    /// signature state; an Invalid one is also a problem (InvalidSignature / AlgoUnsupported).
    std::vector<SegmentSignature> signatures;
    std::vector<crypto::KeyId> signing_keys; ///< key ids of the file's CRYPTO_SEG records
    uint64_t segments_checked = 0;
    uint64_t witness_entries_checked = 0;
    uint64_t manifests_checked = 0;
    std::vector<Problem> problems; ///< each names the segment id/offset or witness link
    /// Bytes after the latest valid manifest that a crash left (a torn tail): never committed,
    /// so not a verification failure; a writer drops them at open. A newest commit that was
    /// written completely and is damaged is not listed here but in `problems` (ok = false).
    std::vector<Problem> uncommitted;
};

/// Threads: every method may be called from any thread. Queries and other const methods run
/// concurrently; writes are serialised, and a write between checkpoints waits for its fsync
/// outside the store's lock, so writers arriving meanwhile share the next fsync (group commit;
/// status().syncs counts them). A query may see a write whose fsync is still in flight; the
/// write is acknowledged (returns) only once durable, and a failed fsync poisons the handle.
class RvfStore {
public:
    ~RvfStore();
    RvfStore(RvfStore &&) noexcept;
    RvfStore &operator=(RvfStore &&) noexcept;

    /// New file; fails if it exists (create_new semantics) or the lock is held.
    static Result<RvfStore> create(const std::string &path, const StoreOptions &options);
    /// Open for writing: takes the writer lock, drops a torn tail, removes an orphaned compaction temp file.
    static Result<RvfStore> open(const std::string &path);
    /// Open without the lock; every write returns ReadOnly.
    static Result<RvfStore> open_readonly(const std::string &path);
    /// open / open_readonly with options: how a read-only open checks and maps the file, a
    /// signature policy and (open) a signing key: see OpenOptions.
    static Result<RvfStore> open(const std::string &path, const OpenOptions &options);
    static Result<RvfStore> open_readonly(const std::string &path, const OpenOptions &options);
    /// Sign this handle's later commits with `seed` (as OpenOptions::signing_key): for handles
    /// made without options (from_bytes, the bindings' open). ReadOnly on a read-only handle,
    /// InvalidOptions for an algorithm not implemented.
    Result<void> set_signing_key(const crypto::Ed25519Seed &seed, crypto::SignatureAlgo algorithm);
    /// A store over an in-memory image (writable; to_bytes() returns the image). Empty span + options = new store.
    static Result<RvfStore> from_bytes(std::span<const uint8_t> bytes);
    /// The same over an image the caller gives up: it becomes the store's storage, not copied
    /// (the bindings hand over the buffer they copied out of JS).
    static Result<RvfStore> from_bytes(std::vector<uint8_t> &&bytes);
    static Result<RvfStore> create_in_memory(const StoreOptions &options);
    std::vector<uint8_t> to_bytes() const;

    Result<IngestResult> ingest_batch(std::span<const uint64_t> ids, std::span<const float> vectors,
                                      std::span<const std::vector<MetadataEntry>> metadata = {});
    Result<std::vector<Neighbor>> query(std::span<const float> vector, size_t k, const QueryOptions &options = {}) const;
    /// Insert-or-replace in one commit (store_ops.cpp): ids already live are deleted by a JOURNAL
    /// that precedes the VEC (+ META) with the new rows, so a reader sees the old row or the new
    /// one, never neither. A replaced row's metadata is dropped with it (the new row's metadata,
    /// if given, takes its place). Rows are rejected as by ingest_batch, except that a live id is not.
    Result<IngestResult> upsert_batch(std::span<const uint64_t> ids, std::span<const float> vectors,
                                      std::span<const std::vector<MetadataEntry>> metadata = {});
    /// Replace the metadata of live ids (one commit holding a META segment only; an empty list
    /// clears the id's metadata). Ids that are not live are rejected, the rest still committed.
    Result<IngestResult> update_metadata(std::span<const uint64_t> ids,
                                         std::span<const std::vector<MetadataEntry>> metadata);
    /// Live rows, or (filter given) live rows the filter matches. A field no row has matches nothing.
    Result<uint64_t> count(const FilterExpr *filter = nullptr) const;
    /// Up to `limit` live ids the filter matches (nullptr: every row), ascending, all greater
    /// than `after`: a filter-only query, paged like ids_after.
    Result<std::vector<uint64_t>> find_ids(const FilterExpr *filter, std::optional<uint64_t> after, size_t limit) const;
    /// Read-only handles: re-read the file and adopt the commits made since it was opened (or
    /// last refreshed). Writable handles already see their own commits: InvalidArgument.
    Result<void> refresh();
    Result<DeleteResult> remove(std::span<const uint64_t> ids);
    Result<DeleteResult> remove_by_filter(const FilterExpr &filter);
    /// Build the HNSW index now (if absent) over every row and persist it as INDEX_SEG layers
    /// A (HOT: entry point, upper levels, centroids), B (hot level-0 lists), C (all level-0 lists).
    Result<void> build_index();
    /// Threads for later HNSW index insertions of this handle (StoreOptions::index_threads).
    void set_index_threads(unsigned threads);
    /// StoreOptions::partition_on_compact for this handle's later compactions.
    void set_partition_on_compact(bool on);
    /// Bytes [offset, offset + length) of the store's image (its file, or the in-memory image):
    /// what a binding that keeps its own copy of the file needs to append after a commit, at
    /// O(new bytes) instead of to_bytes()'s O(file). InvalidArgument past the end.
    Result<std::vector<uint8_t>> read_range(uint64_t offset, uint64_t length) const;
    /// Offsets of the checkpoint MANIFEST segments this handle wrote at or after `offset`, in file
    /// order: a binding that copies the image to a file of its own (read_range) makes the bytes
    /// before each durable before writing the checkpoint, as the store does. InvalidArgument when
    /// more were written since than it remembers (64).
    Result<std::vector<uint64_t>> checkpoints_since(uint64_t offset) const;
    /// StoreOptions::checkpoint_bytes for this handle.
    void set_checkpoint_bytes(uint64_t bytes);
    /// StoreOptions::auto_compact_dead_ratio (and the smallest file it applies to),
    /// merge_io_bytes_per_second and merge_trigger_segments (≥ 16) for this handle.
    void set_auto_compaction(double dead_ratio, uint64_t min_file_bytes = 1u << 20);
    void set_merge_io_bytes_per_second(uint64_t bytes_per_second);
    void set_merge_trigger_segments(uint32_t segments);
    /// Write a checkpoint now if commits were made since the last one (close() does this).
    Result<void> checkpoint();
    /// Rewrite live data into a fresh file, streamed segment by segment to `<file>.compact.tmp`
    /// (fsync, rename, directory fsync), then adopted by this handle without reading it back:
    /// memory stays O(one segment + index), never O(file). See CompactOptions.
    Result<CompactResult> compact(const CompactOptions &options);
    /// compact({.io_budget_bytes = io_budget_bytes}).
    Result<CompactResult> compact(uint64_t io_budget_bytes = 0);
    StoreStatus status() const;
    /// Audit trail (store_witness.cpp): append an action of the caller's own to the witness chain,
    /// in one durable commit. `payload` (≤ kMaxWitnessPayload bytes, SegmentTooLarge beyond) is
    /// kept in an audit record segment (type 0xF1) the new entry vouches for, so verify() checks
    /// it with the chain; `witness_type` is 0x03 delegation, 0x04 audit or 0x05 attestation
    /// (InvalidArgument otherwise). InvalidOptions on a store created with witness = false.
    Result<WitnessRecord> append_witness(uint8_t witness_type, std::span<const uint8_t> payload);
    /// Up to `limit` chain entries from position `from`, oldest first (an empty list past the end).
    /// Entries are held in memory (73 bytes each); payloads are read from their segments.
    Result<std::vector<WitnessRecord>> witness_entries(uint64_t from, size_t limit) const;
    /// Entries in the witness chain.
    uint64_t witness_count() const;
    std::vector<SegmentSummary> segments() const;
    /// Re-read the file: every segment hash, every manifest in the chain, the witness chain and
    /// each witness entry's action hash against the segments it covers.
    VerifyReport verify() const;
    /// Flush (writes the metadata indexes and the HNSW layers if they changed), release the lock. Idempotent.
    Result<void> close();

    /// The live state as a fresh Layout S image (what compact() would write) — `rvf convert --layout s`.
    Result<std::vector<uint8_t>> export_layout_s() const;
    /// The live vectors as a Layout R file upstream's runtime opens (f16/i8 rows dequantised;
    /// metadata and the witness chain have no Layout R form and are not exported).
    Result<std::vector<uint8_t>> export_layout_r() const;

    /// Up to `limit` live ids in ascending order, the smallest first, all greater than `after`
    /// (nullopt: from the smallest id). Page through every row with the last id of each page
    /// as the next `after`; an empty page is the end. No cap on the store size: a sorted
    /// snapshot of the ids is built once per table state (O(N log N), 8 bytes a row) and each
    /// page then costs O(log N + limit). Rows committed between pages appear when their ids are
    /// above the cursor. limit = 0 returns no ids.
    Result<std::vector<uint64_t>> ids_after(std::optional<uint64_t> after, size_t limit) const;

    /// Metadata stored for a live id (nullptr when none). The pointer is valid until the next
    /// write; callers that write from other threads meanwhile use metadata_copy().
    const std::vector<MetadataEntry> *metadata(uint64_t id) const;
    std::optional<std::vector<MetadataEntry>> metadata_copy(uint64_t id) const;
    /// The stored vector of a live id as floats (dequantised for f16/i8).
    std::optional<std::vector<float>> vector(uint64_t id) const;
    const std::string &path() const;

    // --- lineage (store_lineage.cpp) ---
    /// Write `child_path` (create-new: FileExists if it is there) as a compacted copy of the live
    /// rows whose FileIdentity names this store (parent_id = file_id(), parent_hash = fold hash of
    /// the last min(64 KiB, size) bytes of this file, spec §3.9; depth + 1) and whose witness chain
    /// ends with a derivation entry (type 0x09). Works on read-only and frozen handles; returns
    /// the child open for writing.
    Result<RvfStore> derive(const std::string &child_path, const DeriveOptions &options = {}) const;
    /// derive() into memory: the child's image (its file_id hashed from `child_name`), for bindings
    /// that write files themselves (the wasm backend).
    Result<std::vector<uint8_t>> derive_image(const std::string &child_name, const DeriveOptions &options = {}) const;
    /// Commit a frozen marker (PROFILE_CONFIG flag) at a checkpoint; this handle turns read-only and
    /// every later writable open — C++, wasm, Node — is refused with SnapshotFrozen. Idempotent.
    Result<void> freeze();
    bool frozen() const;
    std::array<uint8_t, 16> file_id() const;
    std::array<uint8_t, 16> parent_id() const; ///< zero for a root file
    std::array<uint8_t, 32> parent_hash() const;
    uint32_t lineage_depth() const;           ///< 0 for a root file

    /// A read-only store over an image at an earlier epoch (nullopt: the latest): the in-memory form
    /// of open_readonly with OpenOptions::epoch, for bindings that hold the bytes.
    static Result<RvfStore> from_bytes_readonly(std::span<const uint8_t> bytes, std::optional<uint32_t> epoch);
    /// The same over an image the caller gives up (moved into the store, not copied).
    static Result<RvfStore> from_bytes_readonly(std::vector<uint8_t> &&bytes, std::optional<uint32_t> epoch);

    struct Impl;

private:
    explicit RvfStore(std::unique_ptr<Impl> impl);
    /// open_readonly without the signature policy (store.cpp; the policy is store_signing.cpp's).
    static Result<RvfStore> open_readonly_unchecked(const std::string &path, const OpenOptions &options);
    /// The read-only store at `epoch` of a whole image (store_epochs.cpp).
    static Result<RvfStore> open_epoch(const std::string &path, std::vector<uint8_t> bytes, uint32_t epoch);
    std::unique_ptr<Impl> impl_;
};

/// Verify a file without opening it as a store (no lock, nothing held): every check of
/// RvfStore::verify, and when the file does not even load, the reason as one more problem. For
/// damaged files, where open and open_readonly refuse: `rvf verify` lists what is wrong.
VerifyReport verify_file(const std::string &path);
/// The require_signature policy over a report: Ok when every committed segment but COMMIT
/// records is signed (manifests in their root) by `key` and verifies. Otherwise, naming the first
/// offending segment: InvalidSignature (a signature that fails), UnknownSigner (signed by
/// another key), UnsignedManifest (an unsigned segment or manifest, or no segment at all).
Result<void> require_signature(const VerifyReport &report, const crypto::KeyId &key);
/// The same over an image in memory (browsers, the SDK's wasm backend).
VerifyReport verify_bytes(std::span<const uint8_t> bytes);

/// Every committed epoch a Layout S image holds, oldest first, one entry per epoch (the last
/// intact commit of it; a damaged one is listed as such when no intact commit has that epoch).
/// Layout R files list their one manifest.
std::vector<EpochInfo> list_epochs(core::ByteView file);

/// `rvf verify --lineage`: does `child` name `parent` (parent_id = the parent's file id, depth =
/// parent's + 1, and parent_hash = the fold hash of the last min(64 KiB) bytes of the parent as it
/// was after one of its commits still in the file)? Returns that commit's epoch (the parent state
/// the child was derived from; the parent may have committed more since). ParentNotFound /
/// LineageBroken / ParentHashMismatch name what differs.
Result<uint32_t> verify_lineage(const std::string &child_path, const std::string &parent_path);

/// Domain profile implied by a file name (case-insensitive extension), as upstream derives it.
core::DomainProfile domain_profile_from_path(const std::string &path);

const char *metric_name(Metric m);
/// "generic", "core", "hot", "full" (store_profile.cpp); nullopt for any other name.
const char *profile_name(core::ProfileId p);
std::optional<core::ProfileId> profile_from_name(const std::string &name);
/// The storage a binding picks when a create names a profile but no storage: f16 for a Core
/// store of ≤ 384 dimensions, i8 up to 768 (the Core limits), else f32.
StorageType profile_default_storage(core::ProfileId p, uint16_t dimension);
const char *storage_type_name(StorageType t);

} // namespace rvf

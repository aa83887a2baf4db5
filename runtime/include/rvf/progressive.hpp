// rvf/progressive.hpp — open an RVF file from partial bytes (issue 4 "progressive open", spec
// §4.2–4.5, §10.1): a pull-driven state machine that does no I/O itself, so the same code
// serves pread (native, bench/native/boot_bench.cpp) and HTTP Range requests (JS, where fetch
// is async: npm/rvf-wasm/src/progressive.js).
//
//   auto p = ProgressiveStore::begin(file_size);
//   while (!p->complete()) {
//       for (ByteRange r : p->wanted())            // fetch these (in parallel if you like)
//           p->supply(r.offset, bytes_of(r));      // verified here; typed errors
//       if (p->queryable()) p->query(q, 10);       // answers improve as bytes arrive
//   }
//   RvfStore full = std::move(*p).finish().value(); // = RvfStore::from_bytes(the file)
//
// Phases (wanted() lists what the current one needs; ranges supplied early are kept):
//   tail       the last 4096 bytes (spec §10.1 "boot reads 4 KB"). Our writer pads a segment to
//              64 bytes, so the Level-0 root usually ends a few bytes before EOF and the window
//              is widened backwards to 16 KiB (normally the whole manifest), then 64 KiB.
//   directory  the rest of the latest MANIFEST_SEG (Level-1 TLV with the segment directory),
//              when the tail window did not hold it. Hash-checked, then parsed (root CRC too).
//   hotset     in parallel: INDEX layer A (the root's entrypoint/toplayer/centroid pointer), the
//              RVPQ routing codes written right after it (rvf/routing_codes.hpp), JOURNAL_SEGs
//              written after the index (deletions) and, for i8 stores, the QUANT_SEG range.
//              After it queries are answered: Layer A routes, the codes score (≈ 6 % of a
//              128-d f32 file for both; measured in bench/README.md).
//   stream     every other byte of the file in ≤ 4 MiB ranges: layers B and C of the same
//              graph first, then the VEC_SEGs (exact distances replace the codes row by row),
//              then the rest (witness, metadata, older segments).
//              Partitioned files (rvf/partition_map.hpp, docs/format-partition-map.md): the
//              hotset is the partition map (√N centroids → one VEC_SEG each) instead of A and
//              the codes; the tail's second request reaches back to it (kHotsetHint), so the
//              root, the directory and the map arrive together. Then wanted_for(query, nprobe)
//              names the nearest partitions' segments; query() scores the held partitions
//              among the nearest 64 exactly. Round trips to a first answer: tail, tail+hotset,
//              partitions (3).
//   query-only ProgressiveOptions::stream = false stops after the hotset: only wanted_for's
//              partitions are fetched, their bytes dropped once decoded, the rows kept up to
//              cache_bytes (least recently used dropped first): memory follows the queries.
//   complete   all bytes: the file is opened by RvfStore::from_bytes (full validation, the
//              answers of a normal open); queries go to it and finish() hands it over.
// A file without a Layout S root in its last 64 KiB (Layout R, a torn tail, another writer)
// and a store without persisted index layers or routing codes fall back to fetching the whole
// file: queryable() only at complete (whole_file() says which happened).
//
// Verification: every segment used before completion is checked against its header (content
// hash, spec §2.4) and against the directory entry the verified manifest holds (id, type,
// length, hash), the root by its CRC32C. Errors (sticky: the state machine stops; begin again):
// InvalidChecksum (payload ≠ its header's hash, or a root CRC), ContentHashMismatch (header hash
// ≠ the directory's), FileChanged (a header that is not the segment the directory lists, or
// supplied bytes that differ from bytes supplied before), InvalidManifest / TruncatedSegment /
// InvalidMagic ... (what the codecs say; pointers or offsets beyond the file). A supply outside
// the file is InvalidArgument and changes nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <rvf/result.hpp>
#include <rvf/store.hpp>

namespace rvf {

struct ByteRange {
    uint64_t offset = 0;
    uint64_t length = 0;
    bool operator==(const ByteRange &) const = default;
};

/// How a progressive open fetches once it can answer (ProgressiveStore::begin).
struct ProgressiveOptions {
    /// true (the default): after the hotset, wanted() streams every other byte until the file
    /// is complete and opened as a full store. false: a query-only reader — wanted() is empty
    /// after the hotset and the file never completes; a partitioned file is read only through
    /// wanted_for (the partitions queries need), and each partition's file bytes are dropped
    /// once its rows are decoded. A file without a partition map keeps answering from its
    /// hotset (layer A + routing codes). Memory then follows the queries, not the file.
    bool stream = true;
    /// With stream = false: at most this many bytes of decoded partition rows are kept (0: no
    /// bound); the least recently used partitions are dropped and fetched again when a query
    /// needs them (the partitions named by the latest wanted_for are never dropped, so a bound
    /// below nprobe partitions is exceeded by that set). With stream = true: InvalidArgument.
    uint64_t cache_bytes = 0;
};

enum class ProgressivePhase : uint8_t { Tail = 0, Directory = 1, Hotset = 2, Stream = 3, Complete = 4 };
/// "tail", "directory", "hotset", "stream", "complete".
const char *progressive_phase_name(ProgressivePhase p);

/// Byte counts per phase (what was supplied while that phase was current).
struct ProgressiveBytes {
    uint64_t tail = 0, directory = 0, hotset = 0, stream = 0;
};

class ProgressiveStore {
public:
    static constexpr uint64_t kTailBytes = 4096;          ///< first request: the Level-0 root
    static constexpr uint64_t kTailWiden = 64 * 1024;     ///< widest tail window (16 KiB before it)
    static constexpr uint64_t kStreamChunk = 4ull << 20;  ///< stream ranges are at most this long
    /// A partitioned file's second request reaches back at most this far from EOF (the map,
    /// the witness and the manifest; docs/format-partition-map.md).
    static constexpr uint64_t kHotsetHint = 4ull << 20;

    /// Errors: InvalidArgument for a size below one segment header (64 B), or cache_bytes
    /// with stream = true.
    static Result<ProgressiveStore> begin(uint64_t file_size, const ProgressiveOptions &options = {});

    /// Ranges still needed by the current phase, in priority order, disjoint, none already held.
    /// Empty when complete() or after an error.
    std::vector<ByteRange> wanted() const;
    /// Partitioned files (rvf/partition_map.hpp): the byte ranges, not yet held, of the VEC
    /// segments of the `nprobe` partitions whose centroids are nearest to `query` — fetch them
    /// (in parallel), supply() them, then query() scores those rows exactly. Empty once
    /// complete. Errors: NotReady before the hotset (supply wanted() first), UnsupportedLayout
    /// for a file without a map (use wanted()), DimensionMismatch, InvalidArgument (a NaN
    /// component, nprobe = 0), or the sticky error.
    Result<std::vector<ByteRange>> wanted_for(std::span<const float> query, size_t nprobe) const;
    /// Hand over file bytes [offset, offset + bytes.size()). Any range is accepted (overlaps,
    /// any order, more or less than asked); the state advances as far as the bytes allow.
    Result<void> supply(uint64_t offset, std::span<const uint8_t> bytes);

    ProgressivePhase phase() const;
    uint8_t layers() const;  ///< HnswLayerBit set loaded (1 A, 2 B, 4 C); 7 once complete with an index
    bool queryable() const;  ///< query() can answer (hotset loaded, or complete)
    bool complete() const;
    bool whole_file() const; ///< no usable root/hotset: everything is fetched before queries
    bool partitioned() const; ///< the file's root or layer A names a partition map (answers from partitions)
    size_t partitions() const; ///< partitions in the map once it arrived (0 before, or without one)
    uint64_t file_size() const;
    uint64_t bytes_supplied() const; ///< every byte handed to supply(), duplicates included
    /// What the reader holds now: file bytes kept plus decoded partition rows (a query-only
    /// reader's memory; see ProgressiveOptions::cache_bytes).
    uint64_t bytes_held() const;
    uint64_t supplies() const;       ///< supply() calls that carried bytes
    ProgressiveBytes bytes_by_phase() const;
    uint64_t rows_exact() const;     ///< graph rows whose exact vector has arrived (all live rows once complete)
    uint16_t dimension() const;      ///< 0 before the manifest is known
    /// The sticky error, if one stopped the state machine.
    const Error *error() const;
    std::vector<std::string> warnings() const;

    /// k nearest. Before completion: unfiltered only (filters need the metadata segments:
    /// NotReady), routed by the loaded layers and scored with exact rows where they have
    /// arrived, routing codes elsewhere; options.stats gets layers (A/B/C bits) and
    /// distance_evals. A partitioned file before completion scores the held partitions among
    /// the nearest options.nprobe (0: among PartitionRows::kQueryProbe = 64); a file without a
    /// map refuses nprobe (UnsupportedLayout). Complete: RvfStore::query of the full store
    /// (identical answers, nprobe included).
    /// Errors: NotReady (not queryable() yet, or a filter before completion), and the
    /// argument errors of RvfStore::query.
    Result<std::vector<Neighbor>> query(std::span<const float> vector, size_t k, const QueryOptions &options = {}) const;

    /// The full store once complete (an in-memory image, RvfStore::from_bytes): NotReady before.
    Result<RvfStore> finish() &&;
    /// Borrow the full store (nullptr before completion).
    const RvfStore *store() const;

    ProgressiveStore(ProgressiveStore &&) noexcept;
    ProgressiveStore &operator=(ProgressiveStore &&) noexcept;
    ~ProgressiveStore();

    struct State;

private:
    explicit ProgressiveStore(std::unique_ptr<State> s);
    std::unique_ptr<State> s_;
};

} // namespace rvf

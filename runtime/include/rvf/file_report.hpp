// rvf/file_report.hpp — what a full verification pass finds in an .rvf file, for either layout:
// every segment (header, hash verdict), the latest manifest that validates, and every problem.
// Used by `rvf inspect`, by verify(), and by the corruption tests.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/file_identity.hpp>
#include <rvf/core/format/manifest_tlv.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/result.hpp>

namespace rvf {

/// Which on-disk layout a file uses (spec "one thing to know first").
enum class FileLayout : uint8_t {
    Unknown = 0,
    R = 1,                  ///< packed segments, CRC digests, compact manifest (upstream runtime)
    S = 2,                  ///< 64-B aligned segments, XXH3/SHAKE hashes, TLV + RVM0 root (ours)
    UpstreamWasmExport = 3, ///< @ruvector/rvf-wasm 0.1.9 export: incompatible variant (spec §7.4)
};
const char *file_layout_name(FileLayout l);

enum class HashVerdict : uint8_t {
    Ok = 0,
    Bad = 1,         ///< recomputed hash differs
    Unchecked = 2,   ///< Layout R segment with an all-zero hash (upstream writes none there)
    Unsupported = 3, ///< checksum_algo not valid for this layout
    NotRead = 4,     ///< header invalid or payload outside the file: nothing to hash
};
const char *hash_verdict_name(HashVerdict v);

struct SegmentRecord {
    uint64_t offset = 0;
    core::SegmentHeader header{};
    Status header_status = Status::Ok; ///< Ok, or why the header is invalid
    HashVerdict hash = HashVerdict::NotRead;
};

/// One directory entry, normalised over both layouts (Layout S adds flags/tier/hash).
struct DirectoryEntry {
    uint64_t segment_id = 0;
    uint8_t seg_type = 0;
    uint64_t offset = 0;
    uint64_t payload_length = 0;
    uint16_t flags = 0;
    uint8_t tier = 0;
    uint64_t compressed_length = 0;
    uint16_t compression = 0;
    uint32_t block_count = 0; ///< Layout S directory: 0 = not recorded
    bool has_content_hash = false;
    uint8_t content_hash[16] = {};
};

/// A Layout S SEGMENT_DIR entry as a DirectoryEntry (its content hash is always present).
DirectoryEntry directory_entry_of(const core::SegmentDirEntry &e);

/// The decoded latest valid manifest.
struct ManifestInfo {
    FileLayout layout = FileLayout::Unknown;
    uint64_t offset = 0;      ///< file offset of the MANIFEST segment header
    uint64_t segment_id = 0;
    uint32_t epoch = 0;
    uint16_t dimension = 0;
    uint8_t metric = 0;       ///< Layout R byte 19 (0 L2, 1 IP, 2 cosine)
    bool has_metric = false;  ///< Layout S roots carry no metric
    uint8_t profile_id = 0;
    uint8_t base_dtype = 0;   ///< Layout S only
    uint64_t total_vectors = 0;
    std::vector<DirectoryEntry> directory;
    std::vector<uint64_t> deleted_ids;
    bool has_identity = false;
    core::FileIdentity identity{};
};

/// Something wrong, located in the file.
struct Problem {
    uint64_t offset = 0;
    Status status = Status::Ok;
    std::string what;
};

struct FileReport {
    FileLayout layout = FileLayout::Unknown;
    uint64_t file_size = 0;
    std::vector<SegmentRecord> segments;  ///< every segment the forward walk found, in file order
    /// Latest manifest that validated (the checkpoint), with the COMMIT records after it already
    /// applied: `directory` also lists the segments of every adopted commit, `epoch` and
    /// `total_vectors` are the last adopted commit's. `offset` stays the checkpoint's.
    std::optional<ManifestInfo> manifest;
    uint32_t replayed_commits = 0; ///< COMMIT records adopted after the checkpoint
    uint64_t committed_end = 0;    ///< end of the last adopted commit (record or checkpoint)
    uint64_t last_record_offset = 0; ///< header of the last adopted COMMIT record (0: none)
    std::vector<Problem> problems;        ///< empty = every check passed
    /// Set when the bytes after the latest valid manifest hold a commit that was written to its
    /// end and is damaged (as opposed to a torn tail, which a crash leaves and a writer may drop).
    /// Also listed in `problems`. Writers refuse such a file; readers may use the earlier epoch.
    std::optional<Problem> damaged_commit;
    uint64_t intact_end = 0; ///< with damaged_commit: where the last intact commit ends

    bool clean() const { return problems.empty(); }
    /// First problem's status, or Ok.
    Status status() const { return problems.empty() ? Status::Ok : problems.front().status; }
};

/// Full verification of a whole file held in memory: walk every segment, verify every content
/// hash, find the latest manifest that validates (falling back past corrupt ones), cross-check
/// its directory against the segments on disk. Never fails: problems are reported in the result.
FileReport inspect_file(core::ByteView file);

/// Bytes at most this long that hold no manifest are what a create killed before its first
/// commit leaves (versions before atomic create wrote the file in place): never a store.
inline constexpr uint64_t kIncompleteCreateMaxBytes = 64 * 1024;

/// True when `file` cannot hold any committed data because it is the remains of an interrupted
/// create: empty, all zero bytes, or RVF segments without a single valid manifest, and no larger
/// than kIncompleteCreateMaxBytes. create() replaces such a file; open() says so.
bool is_incomplete_create(core::ByteView file);

/// Vectors, ids and deletion state recovered from a file (Layout R or S).
struct StoreContents {
    FileLayout layout = FileLayout::Unknown;
    uint16_t dimension = 0;
    uint8_t metric = 0;
    uint32_t epoch = 0;
    std::vector<uint64_t> ids;     ///< in file order; a later duplicate id replaces the earlier vector
    std::vector<float> vectors;    ///< ids.size() × dimension, row-major
    std::vector<uint64_t> deleted_ids;
    core::FileIdentity identity{};
};

/// Read the contents listed by the latest valid manifest. Fails with the first problem that
/// affects the data (a bad VEC hash, an undecodable VEC payload, no manifest, an unsupported layout).
Result<StoreContents> read_contents(core::ByteView file);

} // namespace rvf

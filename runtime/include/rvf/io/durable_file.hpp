// rvf/io/durable_file.hpp — the append-only file the store writes, and the rename/fsync steps of
// the crash-safety protocol (spec §10.2):
//   data segment → sync() → manifest → sync()        the commit point is the durable manifest
//   compaction: write compaction_temp_path() → atomic_replace() (fsync file, rename, fsync dir)
//   open: remove_orphan_temp() deletes a temp left by a crash before its rename
// The OS calls themselves are in runtime/src/platform (POSIX, macOS and Windows branches); this
// layer is written once over them. Reading an existing file for inspection goes through
// rvf/byte_source.hpp instead.
//
// Faults can be injected into append/sync/rename/directory fsync for tests
// (rvf/io/fault_injection.hpp); an injected fault takes the same path as the real failure.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/result.hpp>

namespace rvf::io {

/// One open file written only at its end. Not thread-safe; the writer lock (writer_lock.hpp)
/// keeps other processes out. Movable, not copyable; the destructor closes the descriptor
/// without syncing (call sync() at each commit point).
class DurableFile {
public:
    /// Create a new empty file (O_CREAT|O_EXCL, mode 0644) and make its directory entry durable.
    /// Errors: FsyncFailed with "... already exists" when the path exists — upstream's code for
    /// creating a store over an existing path (spec §8, measured 0x0303); FsyncFailed when the
    /// directory cannot be synced (the new file is removed again); IoError otherwise.
    static Result<DurableFile> create_new(const std::string &path);

    /// Open an existing regular file read+write without truncating; size() = its current size.
    /// Errors: ManifestNotFound when missing (as upstream's open, spec §8); IoError otherwise
    /// (not a regular file, permission denied, ...).
    static Result<DurableFile> open_existing(const std::string &path);

    DurableFile(DurableFile &&other) noexcept;
    DurableFile &operator=(DurableFile &&other) noexcept;
    DurableFile(const DurableFile &) = delete;
    DurableFile &operator=(const DurableFile &) = delete;
    ~DurableFile();

    /// Bytes in the file as this object knows it (= offset of the next append).
    uint64_t size() const { return size_; }
    bool is_open() const { return fd_ != -1; }
    const std::string &path() const { return path_; }

    /// Append all of `bytes` at size() (handles EINTR and partial writes). First checks that
    /// the file still is size() bytes long and still is the file at path() (FileChanged if
    /// another process appended, truncated or replaced it: nothing is written). On failure the file is
    /// truncated back to its size before the call; if even that fails, size() is set to what is
    /// really on disk, so it is never wrong. Errors: DiskFull (ENOSPC/EDQUOT: message names the
    /// byte count), IoError (other write errors, short write, closed file, or the file would pass
    /// 2^63 bytes).
    VoidResult append(core::ByteView bytes);

    /// fdatasync: everything appended so far survives a crash once this returns Ok.
    /// Errors: FsyncFailed — after which the kernel may have dropped the dirty pages, so the
    /// caller must treat the unsynced tail as lost (reopen and re-scan rather than retry).
    VoidResult sync();

    /// Cut the file to `new_size` (≤ size()), e.g. to drop a torn tail found at open. Not synced:
    /// call sync() to make the cut durable. Errors: InvalidArgument (new_size > size()), IoError.
    VoidResult truncate(uint64_t new_size);

    /// Read exactly `len` bytes at `off`. Errors: TruncatedSegment when [off, off+len) is not
    /// inside [0, size()) or the file shrank underneath; IoError (OS failure, closed file).
    Result<std::vector<uint8_t>> read_at(uint64_t off, uint64_t len) const;

    /// FileChanged unless the open file is still size() bytes and still named path().
    VoidResult check_unchanged() const;

    /// Close the descriptor (no sync). Idempotent; later calls other than size() fail IoError.
    void close();

private:
    DurableFile(intptr_t fd, uint64_t size, std::string path, uint64_t device, uint64_t inode)
        : fd_(fd), size_(size), path_(std::move(path)), device_(device), inode_(inode) {}
    intptr_t fd_ = -1; ///< platform::FileHandle: a descriptor, or a Windows HANDLE; -1 when closed
    uint64_t size_ = 0;
    std::string path_;
    /// The file's identity when it was opened: check_unchanged() compares the path's current
    /// identity with it (not with a fresh fstat, which Emscripten's NODERAWFS answers by path).
    uint64_t device_ = 0, inode_ = 0;
};

/// fsync the directory that holds `path`, so a create, rename or unlink there is durable.
/// Filesystems that cannot fsync a directory (EINVAL) count as success. Errors: FsyncFailed,
/// IoError (the directory cannot be opened).
VoidResult sync_directory_of(const std::string &path);

/// Crash-safe replace: fsync `tmp_path`, rename it over `final_path`, fsync the directory (both
/// directories if they differ). A crash at any point leaves either the old or the new file at
/// `final_path`. Errors: FsyncFailed (file or directory fsync; for the file fsync nothing was
/// renamed), IoError (tmp missing, rename failed — `final_path` untouched).
VoidResult atomic_replace(const std::string &tmp_path, const std::string &final_path);

/// Make a fully written, synced new file visible at `final_path` in one step: hard-link `tmp_path`
/// there (which fails if anything exists, so a racing creator is never overwritten), or, when
/// `replace` is set, rename over it; then remove `tmp_path` and fsync the directory. A crash
/// leaves `final_path` absent (or as it was) or complete. Errors: FileExists, IoError, FsyncFailed.
VoidResult publish_new_file(const std::string &tmp_path, const std::string &final_path, bool replace);

/// Upstream's compaction temp name (spec §3.8): the extension of the file name is replaced by
/// "rvf.compact.tmp" — "data.rvf" → "data.rvf.compact.tmp", "a.rvdna" → "a.rvf.compact.tmp",
/// "noext" → "noext.rvf.compact.tmp". For ".rvf" paths this is "<path>.compact.tmp".
std::string compaction_temp_path(const std::string &rvf_path);

/// Delete the compaction temp of `rvf_path` left by a crash before its rename (spec §10.2
/// startup recovery) and sync the directory. Call only while holding the writer lock.
/// Returns true if a file was removed, false if there was none. Errors: IoError, FsyncFailed.
Result<bool> remove_orphan_temp(const std::string &rvf_path);

} // namespace rvf::io

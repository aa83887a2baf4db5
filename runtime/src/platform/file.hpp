// platform/file.hpp — the file operations the io layer needs, one set per OS (file_posix.cpp,
// file_win32.cpp). Internal to rvf_runtime: only runtime/src/io includes it.
//
// Every call returns 0 or an errno value (Windows errors are mapped onto the nearest errno,
// platform/os_error.hpp), so callers classify failures (EEXIST, ENOENT, ENOSPC, ...) the same
// way on every OS. EINTR is retried inside; callers never see it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace rvf::platform {

/// An open file: a descriptor on POSIX, a HANDLE on Windows. kNoFile when not open.
using FileHandle = intptr_t;
inline constexpr FileHandle kNoFile = -1;

enum class OpenMode {
    Read,      ///< read-only
    ReadWrite, ///< read+write, must exist, never truncated
    CreateNew, ///< read+write, created (mode 0644); EEXIST when the path exists
    /// Opened only to be synced: read-only on POSIX; read+write on Windows, whose
    /// FlushFileBuffers needs write access.
    SyncOnly,
};

/// Open `path`. Descriptors are close-on-exec; Windows handles share read, write and delete,
/// so other openers, renames over the file and deletes behave as they do on POSIX.
int open_file(const std::string &path, OpenMode mode, FileHandle &out);
/// Close without syncing. Errors are not reported: durability is the sync calls' job.
void close_file(FileHandle f);

/// One positional read of up to `len` bytes at `offset` (the file position is not used);
/// `got` = bytes read, 0 at end of file.
int read_at(FileHandle f, void *buf, size_t len, uint64_t offset, size_t &got);
/// One positional write of up to `len` bytes at `offset`; `put` = bytes written.
int write_at(FileHandle f, const void *buf, size_t len, uint64_t offset, size_t &put);
/// Set the file's length (cut, or extend with zeros).
int truncate_file(FileHandle f, uint64_t size);

/// What the io layer asks of a file: its size, whether it is a regular file, its identity
/// (same device + inode = same file; Windows: volume serial + file index) and its mtime.
struct FileInfo {
    uint64_t size = 0;
    bool regular = false;
    uint64_t device = 0;
    uint64_t inode = 0;
    uint64_t mtime_ns = 0; ///< since 1970; 0 when before it
};
int file_info(FileHandle f, FileInfo &out);
/// As file_info, for the file a path names (following links).
int path_info(const std::string &path, FileInfo &out);

/// Remove a name (POSIX unlink; Windows DeleteFileW, which leaves open handles working).
int remove_file(const std::string &path);
/// Rename over `to` if it exists (atomic on POSIX; MoveFileExW with replace on Windows).
int rename_replace(const std::string &from, const std::string &to);
/// Rename only if `to` does not exist: EEXIST otherwise. Windows: MoveFileExW without replace
/// (atomic). POSIX: a check, then rename (callers hold the writer lock, which keeps our own
/// writers out of the gap).
int rename_no_replace(const std::string &from, const std::string &to);
/// A second name for a file; EEXIST when `to` exists. ENOSYS/EPERM/EOPNOTSUPP/EMLINK where the
/// file system has no hard links (the caller then falls back to rename_no_replace).
int link_file(const std::string &from, const std::string &to);

/// Index of the last path separator in `path` ('/', and '\\' on Windows); npos if none.
size_t last_separator(const std::string &path);
/// The directory holding `path`: "." for a bare name, "/" for a file in the root.
std::string parent_dir(const std::string &path);

} // namespace rvf::platform

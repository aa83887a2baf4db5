// platform/file_sync.hpp — making writes durable, per OS (file_sync_posix.cpp, file_sync_win32.cpp):
//   Linux       fdatasync (data) / fsync (data + metadata)
//   macOS       fcntl(F_FULLFSYNC) — plain fsync there only reaches the drive's cache — falling
//               back to fsync where the file system refuses it (network and FUSE mounts)
//   Windows     FlushFileBuffers (always data + metadata)
//   directories Linux/macOS fsync the directory so a create/rename/unlink is durable; NTFS
//               journals names itself and cannot flush a directory handle: a no-op there.
// Returns 0 or an errno value, as platform/file.hpp.
#pragma once
#include <string>

#include "file.hpp"

namespace rvf::platform {

/// Appended data survives a crash once this returns 0 (metadata only as far as needed to read it).
int sync_data(FileHandle f);
/// Data and metadata survive a crash once this returns 0.
int sync_all(FileHandle f);

/// Open a directory so sync_directory can make its entries durable.
int open_directory(const std::string &dir, FileHandle &out);
/// fsync a directory from open_directory. File systems that cannot (EINVAL) count as success.
int sync_directory(FileHandle dir);

} // namespace rvf::platform

// platform/os_lock.hpp — the OS lock behind the writer lock file (io/writer_lock.cpp): exclusive,
// non-blocking, released by the kernel when the holder's process dies, and tied to one open
// file (never dropped because some other descriptor of the same file is closed).
//   Linux       fcntl F_OFD_SETLK on the whole file (flock where OFD locks are missing)
//   macOS/BSD   flock (no OFD locks)
//   Windows     LockFileEx on one byte far past the end of the file: Windows byte-range locks
//               are mandatory, so locking the record itself would stop readers quoting it
//   Emscripten  none (Unsupported): only the record protects
#pragma once
#include "file.hpp"

namespace rvf::platform {

enum class OsLock { Locked, Busy, Unsupported };

/// Try to take the OS lock on `f` without waiting. Busy: another open file holds it.
/// Unsupported: this file system refuses locks (ENOLCK) — the caller falls back to the record.
OsLock try_exclusive_lock(FileHandle f);

} // namespace rvf::platform

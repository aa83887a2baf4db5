// platform/file_sync.hpp on POSIX. macOS has no fdatasync worth the name and its fsync stops at
// the drive's volatile cache, so both calls use F_FULLFSYNC there (fsync where it is refused).
#if !defined(_WIN32)
#include "file_sync.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace rvf::platform {
namespace {

int fd_of(FileHandle f) { return static_cast<int>(f); }

// fsync/fdatasync can fail EINTR on some file systems (e.g. FUSE); the sync did not happen.
template <class F> int retry(F call) {
    for (;;) {
        if (call() == 0)
            return 0;
        if (errno != EINTR)
            return errno;
    }
}

#if defined(__APPLE__)
int full_fsync(int fd) {
    if (retry([fd] { return ::fcntl(fd, F_FULLFSYNC); }) == 0)
        return 0;
    return retry([fd] { return ::fsync(fd); }); // ENOTSUP and friends: the best this mount offers
}
#endif

} // namespace

int sync_data(FileHandle f) {
#if defined(__APPLE__)
    return full_fsync(fd_of(f));
#else
    return retry([fd = fd_of(f)] { return ::fdatasync(fd); });
#endif
}

int sync_all(FileHandle f) {
#if defined(__APPLE__)
    return full_fsync(fd_of(f));
#else
    return retry([fd = fd_of(f)] { return ::fsync(fd); });
#endif
}

int open_directory(const std::string &dir, FileHandle &out) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        out = kNoFile;
        return errno;
    }
    out = fd;
    return 0;
}

int sync_directory(FileHandle dir) {
    // A plain fsync on macOS too: a directory's entries are metadata, which HFS+/APFS journal.
    const int e = retry([fd = fd_of(dir)] { return ::fsync(fd); });
    return e == EINVAL ? 0 : e; // EINVAL: this file system cannot sync directories
}

} // namespace rvf::platform
#endif

// platform/os_lock.hpp on POSIX: an fcntl open-file-description lock where the kernel has one
// (Linux), flock otherwise. Both belong to the open file, so closing another descriptor of the
// same file (a reader, a test) never drops them, and two opens in one process exclude each other.
#if !defined(_WIN32)
#include "os_lock.hpp"

#include <cerrno>
#include <fcntl.h>
#if !defined(__EMSCRIPTEN__)
#include <sys/file.h>
#endif

namespace rvf::platform {

OsLock try_exclusive_lock(FileHandle f) {
#if defined(__EMSCRIPTEN__)
    (void)f;
    return OsLock::Unsupported;
#else
    const int fd = static_cast<int>(f);
#if defined(F_OFD_SETLK)
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0;
    if (::fcntl(fd, F_OFD_SETLK, &fl) == 0)
        return OsLock::Locked;
    if (errno == EAGAIN || errno == EACCES)
        return OsLock::Busy;
    if (errno != EINVAL) // EINVAL: a kernel without OFD locks; try flock
        return OsLock::Unsupported;
#endif
    int r;
    do
        r = ::flock(fd, LOCK_EX | LOCK_NB);
    while (r != 0 && errno == EINTR);
    if (r == 0)
        return OsLock::Locked;
    return errno == EWOULDBLOCK ? OsLock::Busy : OsLock::Unsupported;
#endif
}

} // namespace rvf::platform
#endif

// platform/file.hpp on POSIX (Linux, macOS, Emscripten's file system): open/pread/pwrite/
// ftruncate/fstat/unlink/rename/link.
#if !defined(_WIN32)
#include "file.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rvf::platform {
namespace {

int fd_of(FileHandle f) { return static_cast<int>(f); }

uint64_t mtime_of(const struct stat &st) {
#if defined(__APPLE__)
    const struct timespec &t = st.st_mtimespec;
#else
    const struct timespec &t = st.st_mtim;
#endif
    if (t.tv_sec < 0)
        return 0;
    return static_cast<uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(t.tv_nsec);
}

void fill(const struct stat &st, FileInfo &out) {
    out.size = static_cast<uint64_t>(st.st_size);
    out.regular = S_ISREG(st.st_mode);
    out.device = static_cast<uint64_t>(st.st_dev);
    out.inode = static_cast<uint64_t>(st.st_ino);
    out.mtime_ns = mtime_of(st);
}

} // namespace

int open_file(const std::string &path, OpenMode mode, FileHandle &out) {
    int flags = O_CLOEXEC;
    switch (mode) {
    case OpenMode::Read:
    case OpenMode::SyncOnly:
        flags |= O_RDONLY;
        break;
    case OpenMode::ReadWrite:
        flags |= O_RDWR;
        break;
    case OpenMode::CreateNew:
        flags |= O_RDWR | O_CREAT | O_EXCL;
        break;
    }
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) {
        out = kNoFile;
        return errno;
    }
    out = fd;
    return 0;
}

void close_file(FileHandle f) {
    // Never retried: on Linux a failed close has already released the descriptor, and a retry
    // could close one another thread was just given.
    if (f != kNoFile)
        ::close(fd_of(f));
}

int read_at(FileHandle f, void *buf, size_t len, uint64_t offset, size_t &got) {
    for (;;) {
        const ssize_t n = ::pread(fd_of(f), buf, len, static_cast<off_t>(offset));
        if (n >= 0) {
            got = static_cast<size_t>(n);
            return 0;
        }
        if (errno != EINTR)
            return errno;
    }
}

int write_at(FileHandle f, const void *buf, size_t len, uint64_t offset, size_t &put) {
    for (;;) {
        const ssize_t n = ::pwrite(fd_of(f), buf, len, static_cast<off_t>(offset));
        if (n >= 0) {
            put = static_cast<size_t>(n);
            return 0;
        }
        if (errno != EINTR)
            return errno;
    }
}

int truncate_file(FileHandle f, uint64_t size) {
    for (;;) {
        if (::ftruncate(fd_of(f), static_cast<off_t>(size)) == 0)
            return 0;
        if (errno != EINTR)
            return errno;
    }
}

int file_info(FileHandle f, FileInfo &out) {
    struct stat st {};
    if (::fstat(fd_of(f), &st) != 0)
        return errno;
    fill(st, out);
    return 0;
}

int path_info(const std::string &path, FileInfo &out) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return errno;
    fill(st, out);
    return 0;
}

int remove_file(const std::string &path) { return ::unlink(path.c_str()) == 0 ? 0 : errno; }

int rename_replace(const std::string &from, const std::string &to) {
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

int rename_no_replace(const std::string &from, const std::string &to) {
    struct stat st {};
    if (::stat(to.c_str(), &st) == 0)
        return EEXIST;
    return rename_replace(from, to);
}

int link_file(const std::string &from, const std::string &to) {
    return ::link(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

size_t last_separator(const std::string &path) { return path.find_last_of('/'); }

} // namespace rvf::platform
#endif

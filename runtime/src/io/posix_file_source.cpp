// POSIX file source: pread on a read-only descriptor. The only OS code for reading files.
#include "rvf/byte_source.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rvf {
namespace {

class PosixFileSource final : public ByteSource {
public:
    PosixFileSource(int fd, uint64_t size) : fd_(fd), size_(size) {}
    ~PosixFileSource() override { ::close(fd_); }
    PosixFileSource(const PosixFileSource &) = delete;
    PosixFileSource &operator=(const PosixFileSource &) = delete;

    uint64_t size() const override { return size_; }

    VoidResult read_at(uint64_t offset, size_t len, uint8_t *out) override {
        if (offset > size_ || len > size_ - offset)
            return Error{Status::TruncatedSegment, "read past end of file"};
        size_t done = 0;
        while (done < len) {
            const ssize_t n = ::pread(fd_, out + done, len - done, static_cast<off_t>(offset + done));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return Error{Status::IoError, std::string("pread: ") + std::strerror(errno)};
            }
            if (n == 0) // file shrank under us
                return Error{Status::TruncatedSegment, "file shorter than when opened"};
            done += static_cast<size_t>(n);
        }
        return {};
    }

private:
    int fd_;
    uint64_t size_;
};

} // namespace

Result<std::unique_ptr<ByteSource>> open_file_source(const std::string &path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int e = errno;
        if (e == ENOENT)
            return Error{Status::ManifestNotFound, "no such file: " + path};
        return Error{Status::IoError, path + ": " + std::strerror(e)};
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Error{Status::IoError, path + ": not a regular file"};
    }
    return std::unique_ptr<ByteSource>(new PosixFileSource(fd, static_cast<uint64_t>(st.st_size)));
}

Result<std::vector<uint8_t>> read_file_bytes(const std::string &path) {
    auto src = open_file_source(path);
    if (!src)
        return src.error();
    return (*src)->read_all();
}

} // namespace rvf

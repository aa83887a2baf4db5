// The file ByteSource: positional reads on a read-only handle (pread; ReadFile at an offset on
// Windows, through runtime/src/platform). The only code that reads files for inspection.
#include "rvf/byte_source.hpp"

#include <cerrno>

#include "../platform/file.hpp"
#include "../platform/os_error.hpp"

namespace rvf {
namespace {

namespace os = rvf::platform;

class FileSource final : public ByteSource {
public:
    FileSource(os::FileHandle fd, uint64_t size) : fd_(fd), size_(size) {}
    ~FileSource() override { os::close_file(fd_); }
    FileSource(const FileSource &) = delete;
    FileSource &operator=(const FileSource &) = delete;

    uint64_t size() const override { return size_; }

    VoidResult read_at(uint64_t offset, size_t len, uint8_t *out) override {
        if (offset > size_ || len > size_ - offset)
            return Error{Status::TruncatedSegment, "read past end of file"};
        size_t done = 0;
        while (done < len) {
            size_t n = 0;
            if (const int e = os::read_at(fd_, out + done, len - done, offset + done, n); e != 0)
                return Error{Status::IoError, "pread: " + os::error_text(e)};
            if (n == 0) // file shrank under us
                return Error{Status::TruncatedSegment, "file shorter than when opened"};
            done += n;
        }
        return {};
    }

private:
    os::FileHandle fd_;
    uint64_t size_;
};

} // namespace

Result<std::unique_ptr<ByteSource>> open_file_source(const std::string &path) {
    os::FileHandle fd = os::kNoFile;
    if (const int e = os::open_file(path, os::OpenMode::Read, fd); e != 0) {
        if (e == ENOENT)
            return Error{Status::ManifestNotFound, "no such file: " + path};
        return Error{Status::IoError, path + ": " + os::error_text(e)};
    }
    os::FileInfo st;
    if (os::file_info(fd, st) != 0 || !st.regular) {
        os::close_file(fd);
        return Error{Status::IoError, path + ": not a regular file"};
    }
    return std::unique_ptr<ByteSource>(new FileSource(fd, st.size));
}

Result<std::vector<uint8_t>> read_file_bytes(const std::string &path) {
    auto src = open_file_source(path);
    if (!src)
        return src.error();
    return (*src)->read_all();
}

} // namespace rvf

// MappedSource (rvf/byte_source.hpp): a read-only mapping of a local file, or positional reads
// into kept buffers where mapping is unavailable. POSIX mmap only; Windows and Emscripten use
// the pread fallback (MapViewOfFile can come later without changing callers).
#include "rvf/byte_source.hpp"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <vector>

#if !defined(_WIN32) && !defined(__EMSCRIPTEN__)
#define RVF_HAVE_MMAP 1
#include <sys/mman.h>
#endif

#include "../platform/file.hpp"
#include "../platform/os_error.hpp"

namespace rvf {

namespace os = rvf::platform;

struct MappedSource::State {
    os::FileHandle fd = os::kNoFile;
    uint64_t size = 0;
    const uint8_t *map = nullptr; // whole file when mapped
    std::atomic<uint64_t> requested{0};
    std::mutex mu;                          // guards `kept` (fallback views)
    std::deque<std::vector<uint8_t>> kept;  // fallback: one buffer per view, stable addresses

    ~State() {
#if RVF_HAVE_MMAP
        if (map != nullptr)
            ::munmap(const_cast<uint8_t *>(map), static_cast<size_t>(size));
#endif
        if (fd != os::kNoFile)
            os::close_file(fd);
    }
    bool in_range(uint64_t off, size_t len) const { return off <= size && len <= size - off; }
    VoidResult pread_exact(uint64_t off, size_t len, uint8_t *out) {
        size_t done = 0;
        while (done < len) {
            size_t n = 0;
            if (const int e = os::read_at(fd, out + done, len - done, off + done, n); e != 0)
                return Error{Status::IoError, "pread: " + os::error_text(e)};
            if (n == 0)
                return Error{Status::TruncatedSegment, "file shorter than when opened"};
            done += n;
        }
        return {};
    }
    Result<core::ByteView> get(uint64_t off, size_t len) {
        if (!in_range(off, len))
            return Error{Status::TruncatedSegment, "range " + std::to_string(off) + "+" + std::to_string(len) +
                                                       " leaves the " + std::to_string(size) + "-byte file"};
        if (map != nullptr || len == 0)
            return core::ByteView(map ? map + off : nullptr, len);
        std::vector<uint8_t> buf(len);
        if (auto r = pread_exact(off, len, buf.data()); !r)
            return r.error();
        std::lock_guard<std::mutex> g(mu);
        kept.push_back(std::move(buf));
        return core::ByteView(kept.back().data(), len);
    }
};

MappedSource::MappedSource(std::unique_ptr<State> s) : s_(std::move(s)) {}
MappedSource::~MappedSource() = default;

Result<std::unique_ptr<MappedSource>> MappedSource::open(const std::string &path, bool allow_map) {
    auto st = std::make_unique<State>();
    if (const int e = os::open_file(path, os::OpenMode::Read, st->fd); e != 0) {
        st->fd = os::kNoFile;
        if (e == ENOENT)
            return Error{Status::ManifestNotFound, "no such file: " + path};
        return Error{Status::IoError, path + ": " + os::error_text(e)};
    }
    os::FileInfo info;
    if (os::file_info(st->fd, info) != 0 || !info.regular)
        return Error{Status::IoError, path + ": not a regular file"};
    st->size = info.size;
#if RVF_HAVE_MMAP
    if (allow_map && info.size > 0 && info.size <= SIZE_MAX) {
        void *m = ::mmap(nullptr, static_cast<size_t>(info.size), PROT_READ, MAP_SHARED, static_cast<int>(st->fd), 0);
        if (m != MAP_FAILED)
            st->map = static_cast<const uint8_t *>(m); // else: the pread fallback
    }
#else
    (void)allow_map;
#endif
    return std::unique_ptr<MappedSource>(new MappedSource(std::move(st)));
}

uint64_t MappedSource::size() const { return s_->size; }
bool MappedSource::mapped() const { return s_->map != nullptr; }
uint64_t MappedSource::bytes_requested() const { return s_->requested.load(std::memory_order_relaxed); }
void MappedSource::reset_counter() { s_->requested.store(0, std::memory_order_relaxed); }

VoidResult MappedSource::read_at(uint64_t offset, size_t len, uint8_t *out) {
    if (!s_->in_range(offset, len))
        return Error{Status::TruncatedSegment, "read past end of file"};
    s_->requested.fetch_add(len, std::memory_order_relaxed);
    // Always pread, even when mapped: a file cut short under us (another process truncating
    // it) then reads as TruncatedSegment, as FileSource reports it, instead of a SIGBUS on a
    // mapped page past the new end (to_bytes, verify and read_range come through here).
    return s_->pread_exact(offset, len, out);
}

Result<core::ByteView> MappedSource::view(uint64_t offset, size_t len) {
    auto v = s_->get(offset, len);
    if (v)
        s_->requested.fetch_add(len, std::memory_order_relaxed);
    return v;
}

Result<core::ByteView> MappedSource::reference(uint64_t offset, size_t len) { return s_->get(offset, len); }

} // namespace rvf

// rvf/byte_source.hpp — where file bytes come from. The runtime reads only through
// ByteSource::read_at, so the same reader serves a POSIX file, an in-memory buffer (browsers,
// tests) and, later, HTTP Range requests (STYLE §6). OS calls live in runtime/src/io/ only.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/result.hpp>

namespace rvf {

class ByteSource {
public:
    virtual ~ByteSource() = default;
    /// Total size in bytes, fixed for the source's lifetime.
    virtual uint64_t size() const = 0;
    /// Read exactly `len` bytes at `offset` into `out`. TruncatedSegment when the range is not
    /// inside [0, size()); IoError on an OS failure.
    virtual VoidResult read_at(uint64_t offset, size_t len, uint8_t *out) = 0;

    /// Convenience: read into a new vector.
    Result<std::vector<uint8_t>> read_vec(uint64_t offset, size_t len);
    /// Whole source into memory (guards against sizes that do not fit in size_t).
    Result<std::vector<uint8_t>> read_all();
};

/// A source over bytes held in memory (copied in, or shared).
class MemorySource final : public ByteSource {
public:
    explicit MemorySource(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
    uint64_t size() const override { return bytes_.size(); }
    VoidResult read_at(uint64_t offset, size_t len, uint8_t *out) override;
    const std::vector<uint8_t> &bytes() const { return bytes_; }

private:
    std::vector<uint8_t> bytes_;
};

/// Open a regular file read-only (pread-based). NotFound maps to ManifestNotFound as upstream
/// does for open() of a missing path (spec §8); other failures to IoError with errno text.
Result<std::unique_ptr<ByteSource>> open_file_source(const std::string &path);

/// A read-only local file that hands out stable views (pointer + length) of its ranges, for
/// the in-place open (issue 17): the file is mapped (mmap, read-only, shared) so a view costs
/// nothing until its pages are touched. Where mapping is unavailable (Windows, wasm, a file
/// system without mmap, or a failed mmap) each view is read with pread into a buffer the
/// source keeps until it dies, so callers see the same stable views either way.
/// The source counts the bytes callers asked to *read* (view(), read_at()); reference() hands
/// out a range to be read later (rows queried in place) without counting it. Tests and
/// benches assert on that count; it is not a measure of page-cache or disk traffic.
class MappedSource final : public ByteSource {
public:
    /// Errors as open_file_source. `allow_map` false forces the pread fallback (tests).
    static Result<std::unique_ptr<MappedSource>> open(const std::string &path, bool allow_map = true);
    ~MappedSource() override;
    MappedSource(const MappedSource &) = delete;
    MappedSource &operator=(const MappedSource &) = delete;

    uint64_t size() const override;
    /// Copy out (counted), always with pread: see mapped_source.cpp.
    VoidResult read_at(uint64_t offset, size_t len, uint8_t *out) override;
    /// Bytes [offset, offset + len), valid while the source lives; counted as read.
    /// TruncatedSegment when the range leaves the file.
    Result<core::ByteView> view(uint64_t offset, size_t len);
    /// As view(), not counted: the caller keeps the range to read parts of it later.
    Result<core::ByteView> reference(uint64_t offset, size_t len);
    /// True when the file is memory-mapped (views are free); false on the pread fallback.
    bool mapped() const;
    /// Bytes asked for through view() and read_at() since open or the last reset.
    uint64_t bytes_requested() const;
    void reset_counter();

    struct State;

private:
    explicit MappedSource(std::unique_ptr<State> s);
    std::unique_ptr<State> s_;
};

/// Read a whole file (small files, tools and tests).
Result<std::vector<uint8_t>> read_file_bytes(const std::string &path);

} // namespace rvf

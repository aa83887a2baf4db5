// rvf/byte_source.hpp — where file bytes come from. The runtime reads only through
// ByteSource::read_at, so the same reader serves a POSIX file, an in-memory buffer (browsers,
// tests) and, later, HTTP Range requests (STYLE §6). OS calls live in runtime/src/io/ only.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

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

/// Read a whole file (small files, tools and tests).
Result<std::vector<uint8_t>> read_file_bytes(const std::string &path);

} // namespace rvf

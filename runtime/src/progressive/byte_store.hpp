// byte_store.hpp — the file bytes a progressive open has been handed so far: disjoint chunks
// keyed by file offset. Supplies may overlap, arrive in any order and be larger or smaller
// than asked; bytes already held are compared (a difference means the file changed between
// requests) and only the new parts are stored.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/progressive.hpp>
#include <rvf/result.hpp>

namespace rvf::progressive_detail {

class ByteStore {
public:
    explicit ByteStore(uint64_t file_size = 0) : size_(file_size) {}

    /// Keep [offset, offset + b.size). The caller has checked the range lies in the file.
    /// Error: FileChanged when a byte differs from one held before (nothing is stored then).
    Result<void> add(uint64_t offset, core::ByteView b);
    bool has(uint64_t offset, uint64_t len) const;
    /// The bytes of a held range: a view into one chunk, or assembled into `scratch` when the
    /// range spans several. Precondition: has(offset, len).
    core::ByteView view(uint64_t offset, uint64_t len, std::vector<uint8_t> &scratch) const;
    /// Sub-ranges of [offset, offset + len) not held, ascending.
    void missing(uint64_t offset, uint64_t len, std::vector<ByteRange> &out) const;
    /// Lowest lo with [lo, size) held (size when the last byte is not held).
    uint64_t suffix_start() const;
    uint64_t held() const { return held_; }
    uint64_t size() const { return size_; }
    /// Forget [offset, offset + len) (what is held of it): the bytes were decoded elsewhere and
    /// are not needed again; a later add() of them is stored anew.
    void drop(uint64_t offset, uint64_t len);
    /// The whole file (precondition: held() == size()); empties the store chunk by chunk.
    std::vector<uint8_t> take_all();

private:
    uint64_t size_;
    uint64_t held_ = 0;
    std::map<uint64_t, std::vector<uint8_t>> chunks_; // offset → bytes; disjoint
};

} // namespace rvf::progressive_detail

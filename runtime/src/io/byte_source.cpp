// Portable parts of ByteSource and the in-memory source.
#include "rvf/byte_source.hpp"

#include <cstring>
#include <limits>

namespace rvf {

Result<std::vector<uint8_t>> ByteSource::read_vec(uint64_t offset, size_t len) {
    std::vector<uint8_t> v(len);
    if (auto r = read_at(offset, len, v.data()); !r)
        return r.error();
    return v;
}

Result<std::vector<uint8_t>> ByteSource::read_all() {
    const uint64_t n = size();
    if (n > std::numeric_limits<size_t>::max() / 2)
        return Error{Status::OutOfMemory, "file too large to load into memory"};
    return read_vec(0, static_cast<size_t>(n));
}

VoidResult MemorySource::read_at(uint64_t offset, size_t len, uint8_t *out) {
    if (offset > bytes_.size() || len > bytes_.size() - offset)
        return Error{Status::TruncatedSegment, "read past end of buffer"};
    if (len)
        std::memcpy(out, bytes_.data() + offset, len);
    return {};
}

} // namespace rvf

// storage.hpp — where a store's bytes live: a durable file (DurableFile: append, fsync,
// truncate) or an in-memory image (browsers, from_bytes). The store's commit protocol is written
// once against this interface.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/core/bytes.hpp>
#include <rvf/result.hpp>

namespace rvf::store_detail {

class Storage {
public:
    virtual ~Storage() = default;
    virtual uint64_t size() const = 0;
    /// Append all bytes or fail leaving size() unchanged (the file layer truncates a partial write).
    virtual Result<void> append(core::ByteView bytes) = 0;
    virtual Result<void> sync() = 0;
    virtual Result<void> truncate(uint64_t new_size) = 0;
    /// The whole image (a copy for files; for memory the bytes themselves).
    virtual Result<std::vector<uint8_t>> read_all() const = 0;
    /// Bytes [offset, offset + length); the range must lie inside the image.
    virtual Result<std::vector<uint8_t>> read_range(uint64_t offset, uint64_t length) const = 0;
    virtual bool is_file() const = 0;
};

std::unique_ptr<Storage> memory_storage(std::vector<uint8_t> initial);
/// Read-only: the bytes of `src` (a file opened read-only), read again on demand.
std::unique_ptr<Storage> source_storage(std::unique_ptr<ByteSource> src);
/// create_new: the file must not exist. Otherwise opens an existing file read-write.
Result<std::unique_ptr<Storage>> file_storage(const std::string &path, bool create_new);

} // namespace rvf::store_detail

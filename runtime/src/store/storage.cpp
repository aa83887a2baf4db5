// storage.cpp — the Storage backends (see storage.hpp).
#include "storage.hpp"

#include <utility>

#include <rvf/byte_source.hpp>
#include <rvf/io/durable_file.hpp>

namespace rvf::store_detail {
namespace {

class MemoryStorage final : public Storage {
public:
    explicit MemoryStorage(std::vector<uint8_t> b) : bytes_(std::move(b)) {}
    uint64_t size() const override { return bytes_.size(); }
    Result<void> append(core::ByteView b) override {
        bytes_.insert(bytes_.end(), b.data, b.data + b.size);
        return {};
    }
    Result<void> sync() override { return {}; }
    Result<void> truncate(uint64_t n) override {
        if (n > bytes_.size())
            return Error{Status::InvalidArgument, "truncate beyond the end of the image"};
        bytes_.resize(static_cast<size_t>(n));
        return {};
    }
    Result<std::vector<uint8_t>> read_all() const override { return bytes_; }
    Result<std::vector<uint8_t>> read_range(uint64_t off, uint64_t len) const override {
        if (off > bytes_.size() || len > bytes_.size() - off)
            return Error{Status::InvalidArgument, "range beyond the end of the image"};
        return std::vector<uint8_t>(bytes_.begin() + static_cast<std::ptrdiff_t>(off),
                                    bytes_.begin() + static_cast<std::ptrdiff_t>(off + len));
    }
    bool is_file() const override { return false; }

private:
    std::vector<uint8_t> bytes_;
};

class FileStorage final : public Storage {
public:
    explicit FileStorage(io::DurableFile f) : file_(std::move(f)) {}
    uint64_t size() const override { return file_.size(); }
    Result<void> append(core::ByteView b) override { return file_.append(b); }
    Result<void> sync() override { return file_.sync(); }
    Result<void> truncate(uint64_t n) override { return file_.truncate(n); }
    Result<std::vector<uint8_t>> read_all() const override { return file_.read_at(0, file_.size()); }
    Result<std::vector<uint8_t>> read_range(uint64_t off, uint64_t len) const override {
        if (off > file_.size() || len > file_.size() - off)
            return Error{Status::InvalidArgument, "range beyond the end of the file"};
        return file_.read_at(off, len);
    }
    bool is_file() const override { return true; }

private:
    io::DurableFile file_;
};

/// A read-only store's file: its bytes stay on disk (the image is not kept in memory after the
/// open); reads are limited to the size seen at open, and every write is refused.
class SourceStorage final : public Storage {
public:
    explicit SourceStorage(std::unique_ptr<ByteSource> src) : src_(std::move(src)) {}
    uint64_t size() const override { return src_->size(); }
    Result<void> append(core::ByteView) override { return refused(); }
    Result<void> sync() override { return {}; }
    Result<void> truncate(uint64_t) override { return refused(); }
    Result<std::vector<uint8_t>> read_all() const override { return src_->read_all(); }
    Result<std::vector<uint8_t>> read_range(uint64_t off, uint64_t len) const override {
        if (off > src_->size() || len > src_->size() - off || len > SIZE_MAX)
            return Error{Status::InvalidArgument, "range beyond the end of the file"};
        std::vector<uint8_t> out(static_cast<size_t>(len));
        if (auto r = src_->read_at(off, out.size(), out.data()); !r)
            return r.error();
        return out;
    }
    bool is_file() const override { return true; }

private:
    static Result<void> refused() { return Error{Status::ReadOnly, "the store was opened read-only"}; }
    std::unique_ptr<ByteSource> src_;
};

} // namespace

std::unique_ptr<Storage> source_storage(std::unique_ptr<ByteSource> src) {
    return std::make_unique<SourceStorage>(std::move(src));
}

std::unique_ptr<Storage> memory_storage(std::vector<uint8_t> initial) {
    return std::make_unique<MemoryStorage>(std::move(initial));
}

Result<std::unique_ptr<Storage>> file_storage(const std::string &path, bool create_new) {
    auto f = create_new ? io::DurableFile::create_new(path) : io::DurableFile::open_existing(path);
    if (!f)
        return f.error();
    return std::unique_ptr<Storage>(std::make_unique<FileStorage>(std::move(*f)));
}

} // namespace rvf::store_detail

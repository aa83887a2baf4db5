// Append-only durable file, directory fsync, atomic replace and compaction temp handling
// (spec §10.2, §3.8). All writes are positional (pwrite / WriteFile at an offset): O_APPEND is
// not used because Linux ignores pwrite's offset on O_APPEND descriptors. The OS calls are in
// runtime/src/platform; the messages keep POSIX's names (fdatasync, pread) on every OS.
#include "rvf/io/durable_file.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdlib>

#include "../platform/file.hpp"
#include "../platform/file_sync.hpp"
#include "../platform/os_error.hpp"
#include "rvf/io/fault_injection.hpp"

namespace rvf::io {
namespace {

namespace os = rvf::platform;
using os::parent_dir;

std::string errno_text(int e) { return os::error_text(e); }

Error closed_error(const std::string &path) { return Error{Status::IoError, path + ": file is closed"}; }

constexpr uint64_t kMaxFileSize = static_cast<uint64_t>(INT64_MAX); // off_t is signed

} // namespace

Result<DurableFile> DurableFile::create_new(const std::string &path) {
    os::FileHandle fd = os::kNoFile;
    if (const int e = os::open_file(path, os::OpenMode::CreateNew, fd); e != 0) {
        if (e == EEXIST)
            return Error{Status::FsyncFailed, path + ": already exists"};
        return Error{Status::IoError, "create " + path + ": " + errno_text(e)};
    }
    // Without this a crash could lose the directory entry even after the data is synced.
    if (VoidResult d = sync_directory_of(path); !d) {
        os::close_file(fd);
        os::remove_file(path);
        return d.error();
    }
    os::FileInfo st;
    if (const int e = os::file_info(fd, st); e != 0) {
        os::close_file(fd);
        os::remove_file(path);
        return Error{Status::IoError, "fstat " + path + ": " + errno_text(e)};
    }
    return DurableFile(fd, 0, path, st.device, st.inode);
}

Result<DurableFile> DurableFile::open_existing(const std::string &path) {
    os::FileHandle fd = os::kNoFile;
    if (const int e = os::open_file(path, os::OpenMode::ReadWrite, fd); e != 0) {
        if (e == ENOENT)
            return Error{Status::ManifestNotFound, "no such file: " + path};
        return Error{Status::IoError, "open " + path + ": " + errno_text(e)};
    }
    os::FileInfo st;
    if (os::file_info(fd, st) != 0 || !st.regular) {
        os::close_file(fd);
        return Error{Status::IoError, path + ": not a regular file"};
    }
    return DurableFile(fd, st.size, path, st.device, st.inode);
}

DurableFile::DurableFile(DurableFile &&other) noexcept
    : fd_(other.fd_), size_(other.size_), path_(std::move(other.path_)), device_(other.device_),
      inode_(other.inode_) {
    other.fd_ = -1;
}

DurableFile &DurableFile::operator=(DurableFile &&other) noexcept {
    if (this != &other) {
        close();
        fd_ = other.fd_;
        size_ = other.size_;
        path_ = std::move(other.path_);
        device_ = other.device_;
        inode_ = other.inode_;
        other.fd_ = -1;
    }
    return *this;
}

DurableFile::~DurableFile() { close(); }

void DurableFile::close() {
    if (fd_ != os::kNoFile) {
        // close() errors are not actionable here: durability is sync()'s job, and retrying
        // close on Linux could close a descriptor reused by another thread.
        os::close_file(fd_);
        fd_ = -1;
    }
}

VoidResult DurableFile::append(core::ByteView bytes) {
    if (fd_ == os::kNoFile)
        return closed_error(path_);
    if (bytes.size == 0)
        return {};
    const uint64_t before = size_;
    if (bytes.size > kMaxFileSize - before)
        return Error{Status::IoError, path_ + ": append would pass the maximum file size"};
    if (VoidResult same = check_unchanged(); !same)
        return same;

    // An injected fault limits how much is really written and names the errno reported after.
    size_t limit = bytes.size;
    int fault_errno = 0;
    const detail::WriteFault fault = detail::next_write_fault();
    if (fault.fire) {
        switch (fault.kind) {
        case FaultPlan::Kind::NoSpace:
            limit = 0, fault_errno = ENOSPC;
            break;
        case FaultPlan::Kind::IoError:
            limit = 0, fault_errno = EIO;
            break;
        case FaultPlan::Kind::ShortWrite:
        case FaultPlan::Kind::Crash:
            limit = fault.bytes < bytes.size ? fault.bytes : bytes.size;
            fault_errno = EIO;
            break;
        }
    }

    size_t done = 0;
    int err = 0;
    while (done < limit) {
        size_t n = 0;
        if (const int e = os::write_at(fd_, bytes.data + done, limit - done, before + done, n); e != 0) {
            err = e;
            break;
        }
        if (n == 0) { // no progress and no errno: do not spin
            err = EIO;
            break;
        }
        done += n;
    }
    if (fault.fire && fault.kind == FaultPlan::Kind::Crash)
        std::_Exit(kFaultCrashExitCode); // the torn tail stays, as after kill -9
    if (err == 0 && fault.fire)
        err = fault_errno;
    if (err == 0) {
        size_ = before + bytes.size;
        return {};
    }

    // Roll back the partial tail so the next append starts at a segment boundary.
    std::string rollback;
    if (done > 0) {
        if (const int te = os::truncate_file(fd_, before); te == 0) {
            size_ = before;
        } else {
            os::FileInfo st;
            size_ = os::file_info(fd_, st) == 0 ? st.size : before + done;
            rollback = "; truncate back to " + std::to_string(before) + " failed (" + errno_text(te) +
                       "), file size now " + std::to_string(size_);
        }
    }
    const std::string where = " writing " + std::to_string(bytes.size) + " bytes at offset " + std::to_string(before) +
                              " of " + path_ + " (" + std::to_string(done) + " written before the failure" + rollback +
                              ")";
    if (err == ENOSPC
#ifdef EDQUOT
        || err == EDQUOT
#endif
    )
        return Error{Status::DiskFull, "disk full" + where};
    if (done > 0 || fault.kind == FaultPlan::Kind::ShortWrite)
        return Error{Status::IoError, "short write, then " + errno_text(err) + where};
    return Error{Status::IoError, errno_text(err) + where};
}

VoidResult DurableFile::check_unchanged() const {
    // Another process writing this file means the writer lock was broken (a writer that ignores
    // OS locks, a copied lock file, a second host over a file system without locks). Appending
    // at our own idea of the end would interleave two histories; stop before the first byte.
    os::FileInfo mine, named;
    if (const int e = os::file_info(fd_, mine); e != 0)
        return Error{Status::IoError, "fstat " + path_ + ": " + errno_text(e)};
    if (mine.size != size_)
        return Error{Status::FileChanged, path_ + " is " + std::to_string(mine.size) +
                                              " bytes but this writer left it at " + std::to_string(size_) +
                                              ": another process wrote to it (was the writer lock broken?). "
                                              "Nothing was written; close this store and reopen it."};
    if (os::path_info(path_, named) != 0 || named.device != device_ || named.inode != inode_)
        return Error{Status::FileChanged, path_ + " was replaced or removed by another process (a compaction by "
                                              "another writer?). Nothing was written; close this store and "
                                              "reopen it."};
    return {};
}

VoidResult DurableFile::sync() {
    if (fd_ == os::kNoFile)
        return closed_error(path_);
    detail::run_sync_hook();
    if (detail::next_sync_fault())
        return Error{Status::FsyncFailed, "fdatasync " + path_ + ": injected fault"};
    if (const int e = os::sync_data(fd_); e != 0) {
        return Error{Status::FsyncFailed, "fdatasync " + path_ + ": " + errno_text(e)};
    }
    return {};
}

VoidResult DurableFile::truncate(uint64_t new_size) {
    if (fd_ == os::kNoFile)
        return closed_error(path_);
    if (new_size > size_)
        return Error{Status::InvalidArgument, "truncate " + path_ + " to " + std::to_string(new_size) +
                                                  " would grow it (size " + std::to_string(size_) + ")"};
    if (VoidResult same = check_unchanged(); !same)
        return same; // never cut bytes another process wrote
    if (const int e = os::truncate_file(fd_, new_size); e != 0) {
        return Error{Status::IoError, "truncate " + path_ + ": " + errno_text(e)};
    }
    size_ = new_size;
    return {};
}

Result<std::vector<uint8_t>> DurableFile::read_at(uint64_t off, uint64_t len) const {
    if (fd_ == os::kNoFile)
        return closed_error(path_);
    if (off > size_ || len > size_ - off)
        return Error{Status::TruncatedSegment, "read of " + std::to_string(len) + " bytes at " + std::to_string(off) +
                                                   " is past the end of " + path_ + " (size " + std::to_string(size_) +
                                                   ")"};
    if (len > SIZE_MAX)
        return Error{Status::OutOfMemory, "read too large for this address space"};
    std::vector<uint8_t> out(static_cast<size_t>(len));
    size_t done = 0;
    while (done < out.size()) {
        size_t n = 0;
        if (const int e = os::read_at(fd_, out.data() + done, out.size() - done, off + done, n); e != 0)
            return Error{Status::IoError, "pread " + path_ + ": " + errno_text(e)};
        if (n == 0)
            return Error{Status::TruncatedSegment, path_ + " is shorter than expected"};
        done += n;
    }
    return out;
}

VoidResult sync_directory_of(const std::string &path) {
    const std::string dir = parent_dir(path);
    os::FileHandle fd = os::kNoFile;
    if (const int e = os::open_directory(dir, fd); e != 0)
        return Error{Status::IoError, "open directory " + dir + ": " + errno_text(e)};
    if (detail::next_dir_sync_fault()) {
        os::close_file(fd);
        return Error{Status::FsyncFailed, "fsync directory " + dir + ": injected fault"};
    }
    const int e = os::sync_directory(fd); // 0 where the file system cannot sync directories
    os::close_file(fd);
    if (e != 0)
        return Error{Status::FsyncFailed, "fsync directory " + dir + ": " + errno_text(e)};
    return {};
}

VoidResult atomic_replace(const std::string &tmp_path, const std::string &final_path) {
    os::FileHandle fd = os::kNoFile;
    if (const int e = os::open_file(tmp_path, os::OpenMode::SyncOnly, fd); e != 0)
        return Error{Status::IoError, "open " + tmp_path + ": " + errno_text(e)};
    // The data must be durable before the name points at it, or a crash could leave the final
    // name on an empty or partial file.
    VoidResult synced;
    if (detail::next_sync_fault())
        synced = Error{Status::FsyncFailed, "fsync " + tmp_path + ": injected fault"};
    else if (const int e = os::sync_all(fd); e != 0) {
        synced = Error{Status::FsyncFailed, "fsync " + tmp_path + ": " + errno_text(e)};
    }
    os::close_file(fd);
    if (!synced)
        return synced;

    if (detail::next_rename_fault())
        return Error{Status::IoError, "rename " + tmp_path + " -> " + final_path + ": injected fault"};
    if (const int e = os::rename_replace(tmp_path, final_path); e != 0) {
        return Error{Status::IoError, "rename " + tmp_path + " -> " + final_path + ": " + errno_text(e)};
    }

    if (VoidResult d = sync_directory_of(final_path); !d)
        return d;
    if (parent_dir(tmp_path) != parent_dir(final_path))
        return sync_directory_of(tmp_path);
    return {};
}

std::string compaction_temp_path(const std::string &rvf_path) {
    // Same rule as Rust's Path::with_extension, which upstream uses: the extension is the part of
    // the file name after its last '.', unless that '.' is the first character.
    const size_t slash = os::last_separator(rvf_path);
    const size_t name_start = slash == std::string::npos ? 0 : slash + 1;
    const size_t dot = rvf_path.find_last_of('.');
    const bool has_ext = dot != std::string::npos && dot > name_start;
    return (has_ext ? rvf_path.substr(0, dot) : rvf_path) + ".rvf.compact.tmp";
}

VoidResult publish_new_file(const std::string &tmp_path, const std::string &final_path, bool replace) {
    if (replace) {
        if (const int e = os::rename_replace(tmp_path, final_path); e != 0) {
            return Error{Status::IoError, "rename " + tmp_path + " to " + final_path + ": " + errno_text(e)};
        }
        return sync_directory_of(final_path);
    }
    if (const int e = os::link_file(tmp_path, final_path); e != 0) {
        if (e == EEXIST)
            return Error{Status::FileExists, final_path + " already exists; open it, or choose another path"};
        if (e != EPERM && e != ENOSYS && e != EOPNOTSUPP && e != EMLINK)
            return Error{Status::IoError, "link " + tmp_path + " to " + final_path + ": " + errno_text(e)};
        // No hard links here (some FUSE and SMB mounts, FAT): rename only if the name is free
        // (atomic on Windows; on POSIX check-then-rename, with the writer lock keeping other
        // creators of ours out of the gap).
        const int le = os::rename_no_replace(tmp_path, final_path);
        if (le == EEXIST)
            return Error{Status::FileExists, final_path + " already exists; open it, or choose another path"};
        if (le != 0) {
            return Error{Status::IoError, "rename " + tmp_path + " to " + final_path + ": " + errno_text(le)};
        }
        return sync_directory_of(final_path);
    }
    os::remove_file(tmp_path);
    return sync_directory_of(final_path);
}

Result<bool> remove_orphan_temp(const std::string &rvf_path) {
    const std::string tmp = compaction_temp_path(rvf_path);
    if (const int e = os::remove_file(tmp); e != 0) {
        if (e == ENOENT)
            return false;
        return Error{Status::IoError, "remove " + tmp + ": " + errno_text(e)};
    }
    if (VoidResult d = sync_directory_of(tmp); !d)
        return d.error();
    return true;
}

} // namespace rvf::io

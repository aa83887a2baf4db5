// platform/file_sync.hpp on Windows: FlushFileBuffers (data and metadata alike). NTFS journals
// directory entries itself and FlushFileBuffers refuses directory handles, so a directory sync
// only checks that the directory exists.
#if defined(_WIN32)
#include "file_sync.hpp"

#include "win32_util.hpp"

namespace rvf::platform {

int sync_data(FileHandle f) { return sync_all(f); }

int sync_all(FileHandle f) {
    return ::FlushFileBuffers(reinterpret_cast<HANDLE>(f)) ? 0 : win32::last_errno();
}

int open_directory(const std::string &dir, FileHandle &out) {
    const HANDLE h = ::CreateFileW(win32::widen(dir).c_str(), 0,
                                   FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                                   FILE_FLAG_BACKUP_SEMANTICS, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        out = kNoFile;
        return win32::last_errno();
    }
    out = reinterpret_cast<FileHandle>(h);
    return 0;
}

int sync_directory(FileHandle) { return 0; }

} // namespace rvf::platform
#endif

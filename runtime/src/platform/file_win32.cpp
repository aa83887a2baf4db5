// platform/file.hpp on Windows: CreateFileW/ReadFile/WriteFile at an OVERLAPPED offset,
// SetFileInformationByHandle, GetFileInformationByHandle, DeleteFileW, MoveFileExW, CreateHardLinkW.
#if defined(_WIN32)
#include "file.hpp"

#include <cerrno>

#include "win32_util.hpp"

namespace rvf::platform {
namespace {

HANDLE h_of(FileHandle f) { return reinterpret_cast<HANDLE>(f); }

// Every opener shares read, write and delete, so readers beside the writer, a rename over an
// open file (compaction) and deleting an open lock file work as on POSIX.
constexpr DWORD kShareAll = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

OVERLAPPED at(uint64_t offset) {
    OVERLAPPED ov{};
    ov.Offset = static_cast<DWORD>(offset);
    ov.OffsetHigh = static_cast<DWORD>(offset >> 32);
    return ov;
}

// ReadFile/WriteFile take a DWORD length: larger requests are split by the callers' loops.
DWORD clamp(size_t len) { return len > 0x40000000u ? 0x40000000u : static_cast<DWORD>(len); }

uint64_t filetime_ns_since_1970(FILETIME ft) {
    const uint64_t ticks = (static_cast<uint64_t>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime; // 100 ns since 1601
    constexpr uint64_t k1970 = 116444736000000000ull;
    return ticks < k1970 ? 0 : (ticks - k1970) * 100;
}

int info_of(HANDLE h, FileInfo &out) {
    BY_HANDLE_FILE_INFORMATION fi{};
    if (!::GetFileInformationByHandle(h, &fi))
        return win32::last_errno();
    out.size = (static_cast<uint64_t>(fi.nFileSizeHigh) << 32) | fi.nFileSizeLow;
    out.regular = (fi.dwFileAttributes & (FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_DEVICE)) == 0;
    out.device = fi.dwVolumeSerialNumber;
    out.inode = (static_cast<uint64_t>(fi.nFileIndexHigh) << 32) | fi.nFileIndexLow;
    out.mtime_ns = filetime_ns_since_1970(fi.ftLastWriteTime);
    return 0;
}

} // namespace

int open_file(const std::string &path, OpenMode mode, FileHandle &out) {
    DWORD access = GENERIC_READ | GENERIC_WRITE;
    DWORD disposition = OPEN_EXISTING;
    if (mode == OpenMode::Read)
        access = GENERIC_READ;
    if (mode == OpenMode::CreateNew)
        disposition = CREATE_NEW;
    const HANDLE h = ::CreateFileW(win32::widen(path).c_str(), access, kShareAll, nullptr, disposition,
                                   FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        out = kNoFile;
        return win32::last_errno();
    }
    out = reinterpret_cast<FileHandle>(h);
    return 0;
}

void close_file(FileHandle f) {
    if (f != kNoFile)
        ::CloseHandle(h_of(f));
}

int read_at(FileHandle f, void *buf, size_t len, uint64_t offset, size_t &got) {
    OVERLAPPED ov = at(offset);
    DWORD n = 0;
    got = 0;
    if (!::ReadFile(h_of(f), buf, clamp(len), &n, &ov)) {
        const DWORD e = ::GetLastError();
        if (e == ERROR_HANDLE_EOF)
            return 0; // reading at or past the end: 0 bytes, as pread
        return win32::to_errno(e);
    }
    got = n;
    return 0;
}

int write_at(FileHandle f, const void *buf, size_t len, uint64_t offset, size_t &put) {
    OVERLAPPED ov = at(offset);
    DWORD n = 0;
    put = 0;
    if (!::WriteFile(h_of(f), buf, clamp(len), &n, &ov))
        return win32::last_errno();
    put = n;
    return 0;
}

int truncate_file(FileHandle f, uint64_t size) {
    FILE_END_OF_FILE_INFO eof{};
    eof.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
    if (!::SetFileInformationByHandle(h_of(f), FileEndOfFileInfo, &eof, sizeof eof))
        return win32::last_errno();
    return 0;
}

int file_info(FileHandle f, FileInfo &out) { return info_of(h_of(f), out); }

int path_info(const std::string &path, FileInfo &out) {
    // No access rights asked: enough to read the attributes and the file index of anything.
    const HANDLE h = ::CreateFileW(win32::widen(path).c_str(), 0, kShareAll, nullptr, OPEN_EXISTING,
                                   FILE_FLAG_BACKUP_SEMANTICS, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return win32::last_errno();
    const int e = info_of(h, out);
    ::CloseHandle(h);
    return e;
}

int remove_file(const std::string &path) {
    return ::DeleteFileW(win32::widen(path).c_str()) ? 0 : win32::last_errno();
}

int rename_replace(const std::string &from, const std::string &to) {
    return ::MoveFileExW(win32::widen(from).c_str(), win32::widen(to).c_str(),
                         MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)
               ? 0
               : win32::last_errno();
}

int rename_no_replace(const std::string &from, const std::string &to) {
    return ::MoveFileExW(win32::widen(from).c_str(), win32::widen(to).c_str(), MOVEFILE_WRITE_THROUGH)
               ? 0
               : win32::last_errno();
}

int link_file(const std::string &from, const std::string &to) {
    return ::CreateHardLinkW(win32::widen(to).c_str(), win32::widen(from).c_str(), nullptr) ? 0
                                                                                          : win32::last_errno();
}

size_t last_separator(const std::string &path) { return path.find_last_of("/\\"); }

} // namespace rvf::platform
#endif

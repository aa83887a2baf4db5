// platform/file.hpp on Windows: CreateFileW/ReadFile/WriteFile at an OVERLAPPED offset,
// SetFileInformationByHandle, GetFileInformationByHandle, DeleteFileW, MoveFileExW, CreateHardLinkW.
#if defined(_WIN32)
#include "file.hpp"

#include <cerrno>
#include <cstring>
#include <vector>

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

// FILE_INFO_BY_HANDLE_CLASS value 22; mingw-w64 10 declares it only under an impossible
// _WIN32_WINNT condition.
constexpr auto kFileRenameInfoEx = static_cast<FILE_INFO_BY_HANDLE_CLASS>(22);

// SetFileInformationByHandle(FileRenameInfoEx, REPLACE_IF_EXISTS | POSIX_SEMANTICS); false where
// the OS or file system does not offer it (the caller falls back to MoveFileExW).
bool posix_rename(const std::wstring &from, const std::wstring &to) {
    const DWORD full_len = ::GetFullPathNameW(to.c_str(), 0, nullptr, nullptr);
    if (full_len == 0)
        return false;
    std::wstring full(full_len, L'\0');
    const DWORD n = ::GetFullPathNameW(to.c_str(), full_len, full.data(), nullptr);
    if (n == 0 || n >= full_len)
        return false;
    full.resize(n);
    const HANDLE h = ::CreateFileW(from.c_str(), DELETE | SYNCHRONIZE, kShareAll, nullptr, OPEN_EXISTING,
                                   FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return false;
    std::vector<unsigned char> buf(sizeof(FILE_RENAME_INFO) + full.size() * sizeof(wchar_t));
    auto *info = reinterpret_cast<FILE_RENAME_INFO *>(buf.data());
    // Flags shares its place with the older BOOLEAN ReplaceIfExists (the headers name it only for
    // newer _WIN32_WINNT values), so it is written by offset.
    const DWORD flags = FILE_RENAME_FLAG_REPLACE_IF_EXISTS | FILE_RENAME_FLAG_POSIX_SEMANTICS;
    std::memcpy(buf.data(), &flags, sizeof flags);
    info->RootDirectory = nullptr;
    info->FileNameLength = static_cast<DWORD>(full.size() * sizeof(wchar_t));
    std::memcpy(info->FileName, full.data(), full.size() * sizeof(wchar_t));
    const bool ok = ::SetFileInformationByHandle(h, kFileRenameInfoEx, info, static_cast<DWORD>(buf.size())) != 0;
    ::CloseHandle(h);
    return ok;
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
    // The store renames its compacted copy over the file it still has open. MoveFileExW refuses
    // that (access denied) while any handle is open; a POSIX-semantics rename (Windows 10 1709+,
    // NTFS) replaces the name and leaves open handles on the old file, as rename(2) does.
    const std::wstring wfrom = win32::widen(from), wto = win32::widen(to);
    if (posix_rename(wfrom, wto))
        return 0;
    return ::MoveFileExW(wfrom.c_str(), wto.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)
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

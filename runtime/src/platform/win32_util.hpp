// Helpers shared by the *_win32.cpp files: UTF-8 paths to UTF-16, Windows errors to errno.
#pragma once
#if defined(_WIN32)
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00 // Windows 10: SetFileInformationByHandle, GetSystemTimePreciseAsFileTime
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#ifndef NOMINMAX
#define NOMINMAX
#endif
#include <windows.h>

#include <string>

namespace rvf::platform::win32 {

/// Paths are UTF-8 in the whole runtime (as Node hands them over); Windows wants UTF-16.
std::wstring widen(const std::string &utf8);
/// The errno value nearest a GetLastError() code, so callers classify failures one way on
/// every OS (EEXIST, ENOENT, ENOSPC, EACCES, EAGAIN, ...); EIO for anything unmapped.
int to_errno(DWORD error);
/// to_errno(GetLastError()).
int last_errno();

} // namespace rvf::platform::win32
#endif

// platform/directory.hpp on Windows: FindFirstFileW/FindNextFileW, names back to UTF-8.
#if defined(_WIN32)
#include "directory.hpp"

#include "win32_util.hpp"

namespace rvf::platform {
namespace {

std::string narrow(const wchar_t *w) {
    const int n = ::WideCharToMultiByte(CP_UTF8, 0, w, -1, nullptr, 0, nullptr, nullptr);
    if (n <= 1)
        return {};
    std::string out(static_cast<size_t>(n - 1), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, w, -1, out.data(), n, nullptr, nullptr);
    return out;
}

} // namespace

bool list_directory(const std::string &dir, const std::function<void(const std::string &name)> &visit) {
    WIN32_FIND_DATAW fd{};
    const HANDLE h = ::FindFirstFileW(win32::widen(dir + "\\*").c_str(), &fd);
    if (h == INVALID_HANDLE_VALUE)
        return false;
    do
        visit(narrow(fd.cFileName));
    while (::FindNextFileW(h, &fd));
    ::FindClose(h);
    return true;
}

} // namespace rvf::platform
#endif

// platform/directory.hpp — listing a directory's entries (POSIX readdir, Windows FindFirstFileW).
#pragma once
#include <functional>
#include <string>

namespace rvf::platform {

/// Call `visit` with each entry name in `dir` ("." and ".." included where the OS lists them).
/// Returns false when the directory cannot be opened.
bool list_directory(const std::string &dir, const std::function<void(const std::string &name)> &visit);

} // namespace rvf::platform

// Portable parts of platform/file.hpp and platform/os_error.hpp.
#include <cstring>

#include "file.hpp"
#include "os_error.hpp"

namespace rvf::platform {

std::string parent_dir(const std::string &path) {
    const size_t slash = last_separator(path);
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return path.substr(0, 1);
    return path.substr(0, slash);
}

std::string error_text(int e) { return std::strerror(e); }

} // namespace rvf::platform

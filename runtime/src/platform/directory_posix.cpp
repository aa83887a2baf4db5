// platform/directory.hpp on POSIX: opendir/readdir.
#if !defined(_WIN32)
#include "directory.hpp"

#include <dirent.h>

namespace rvf::platform {

bool list_directory(const std::string &dir, const std::function<void(const std::string &name)> &visit) {
    DIR *d = ::opendir(dir.c_str());
    if (d == nullptr)
        return false;
    while (const dirent *e = ::readdir(d))
        visit(e->d_name);
    ::closedir(d);
    return true;
}

} // namespace rvf::platform
#endif

// platform/os_error.hpp — text for the errno values platform calls return.
#pragma once
#include <string>

namespace rvf::platform {

/// strerror(e), on every OS (Windows errors reach callers already mapped onto errno values).
std::string error_text(int e);

} // namespace rvf::platform

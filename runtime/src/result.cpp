#include "rvf/result.hpp"

#include <cstdio>

namespace rvf {

std::string Error::to_string() const {
    char head[64];
    std::snprintf(head, sizeof head, "RVF error 0x%04X: %s", static_cast<unsigned>(core::status_code(status)),
                  core::status_name(status));
    std::string s = head;
    if (!message.empty())
        s += " (" + message + ")";
    return s;
}

} // namespace rvf

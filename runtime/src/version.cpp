#include "rvf/version.hpp"
namespace rvf {
const char *version() { return "0.1.0"; }
} // namespace rvf

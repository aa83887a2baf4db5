// rvf/version.hpp — library version, for tools and bindings.
#pragma once
namespace rvf {
/// Semantic version of this implementation ("0.1.0").
const char *version();
} // namespace rvf

// rvf/json_depth.hpp — how deeply a JSON text nests, found by one linear scan of its bytes,
// before anything parses, copies or prints it.
//
// Why: nlohmann::json's dump(), copy and comparison recurse once per nesting level, so a
// 120 KB text of 60,000 '[' overflows a thread's stack (a crash from one HTTP request). Every
// JSON text that comes from outside (request bodies, filter JSON) is checked here first and
// refused when it nests deeper than its limit; after that, recursion is bounded by the limit.
#pragma once
#include <cstddef>
#include <string_view>

namespace rvf {

/// True when `text` opens more than `limit` arrays/objects inside each other. Brackets inside
/// JSON strings (with their \" escapes) do not count. Invalid JSON is not diagnosed here (the
/// parser does that); only its depth is measured.
bool json_depth_exceeds(std::string_view text, size_t limit);

} // namespace rvf

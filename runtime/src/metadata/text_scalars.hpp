// Internal: strict text → scalar parsing shared by the filter JSON parser (filter_json.cpp) and
// the bindings' metadata typing (metadata_convert.cpp). Strict means the whole text is the value:
// no leading spaces, no trailing bytes, no partial numbers. Not a public header.
#pragma once
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace rvf::metadata_detail {

template <class Int> std::optional<Int> int_from_text(std::string_view s) {
    Int v{};
    const char *end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ec != std::errc() || p != end)
        return std::nullopt;
    return v;
}

inline std::optional<double> f64_from_text(std::string_view s) {
    // strtod needs a terminated string and skips leading spaces, which we refuse.
    if (s.empty() || std::isspace(static_cast<unsigned char>(s[0])))
        return std::nullopt;
    const std::string z(s);
    char *end = nullptr;
    const double v = std::strtod(z.c_str(), &end);
    if (end != z.c_str() + z.size())
        return std::nullopt;
    return v;
}

/// Even-length hex (either case) to bytes.
inline std::optional<std::string> hex_decode(std::string_view s) {
    if (s.size() % 2 != 0)
        return std::nullopt;
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size() / 2);
    for (size_t i = 0; i < s.size(); i += 2) {
        const int hi = nib(s[i]), lo = nib(s[i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

} // namespace rvf::metadata_detail

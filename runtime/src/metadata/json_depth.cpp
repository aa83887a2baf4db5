// json_depth.cpp — see rvf/json_depth.hpp. No recursion and no allocation: one pass, a counter.
#include <rvf/json_depth.hpp>

namespace rvf {

bool json_depth_exceeds(std::string_view text, size_t limit) {
    size_t depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i; // the escaped character cannot end the string
            else if (c == '"')
                in_string = false;
            continue;
        }
        switch (c) {
        case '"':
            in_string = true;
            break;
        case '[':
        case '{':
            if (++depth > limit)
                return true;
            break;
        case ']':
        case '}':
            if (depth > 0) // unbalanced closers are the parser's error, not a depth
                --depth;
            break;
        default:
            break;
        }
    }
    return false;
}

} // namespace rvf

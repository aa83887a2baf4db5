// http_file.cpp — see rvf/server/http_file.hpp.
#include <rvf/server/http_file.hpp>

#include <algorithm>

namespace rvf::server {
namespace {

// If-None-Match: "*" or a comma-separated list of entity tags; weak comparison (W/ ignored).
bool none_match_hits(const std::string &header, const std::string &etag) {
    size_t i = 0;
    while (i < header.size()) {
        while (i < header.size() && (header[i] == ' ' || header[i] == ',' || header[i] == '\t'))
            ++i;
        size_t j = i;
        while (j < header.size() && header[j] != ',')
            ++j;
        std::string tag = header.substr(i, j - i);
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t'))
            tag.pop_back();
        if (tag.rfind("W/", 0) == 0)
            tag = tag.substr(2);
        if (tag == "*" || (!tag.empty() && tag == etag))
            return true;
        i = j;
    }
    return false;
}

std::string range_header(uint64_t first, uint64_t last, uint64_t size) {
    return "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size);
}

} // namespace

FileResponsePlan plan_file_response(uint64_t size, const std::string &etag,
                                    const std::vector<std::pair<int64_t, int64_t>> &ranges,
                                    const std::string &if_none_match, bool has_if_range,
                                    const std::string &if_range) {
    FileResponsePlan p;
    if (!if_none_match.empty() && none_match_hits(if_none_match, etag)) {
        p.status = 304;
        return p;
    }
    p.length = size;
    // If-Range must be a strong match of the current ETag; a date or an old tag means "the
    // client's copy is stale": send everything instead of a piece of a different file.
    const bool use_range = ranges.size() == 1 && (!has_if_range || if_range == etag);
    if (!use_range)
        return p;
    const int64_t a = ranges[0].first, b = ranges[0].second;
    uint64_t first = 0, last = 0;
    if (a < 0) { // suffix: the last b bytes
        if (b <= 0 || size == 0) {
            p.status = 416;
            p.length = 0;
            p.content_range = "bytes */" + std::to_string(size);
            return p;
        }
        const uint64_t n = std::min<uint64_t>(static_cast<uint64_t>(b), size);
        first = size - n;
        last = size - 1;
    } else {
        first = static_cast<uint64_t>(a);
        if (first >= size) {
            p.status = 416;
            p.length = 0;
            p.content_range = "bytes */" + std::to_string(size);
            return p;
        }
        last = (b < 0 || static_cast<uint64_t>(b) >= size) ? size - 1 : static_cast<uint64_t>(b);
        if (last < first) { // "bytes=9-3" is invalid syntax: ignore the Range
            return p;
        }
    }
    p.status = 206;
    p.offset = first;
    p.length = last - first + 1;
    p.content_range = range_header(first, last, size);
    return p;
}

} // namespace rvf::server

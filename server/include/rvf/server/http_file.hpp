// rvf/server/http_file.hpp — the conditional and Range logic of GET/HEAD /v1/file, as a pure
// function of the request headers and the committed file's size and ETag (RFC 9110 §13-14).
//
//   If-None-Match matches (or is "*")          → 304, no body
//   Range absent, or If-Range names another
//   validator (a stale ETag or any date)       → 200, the whole committed file
//   one range  bytes=a-b | a- | -n  inside it  → 206 with Content-Range: bytes a-b/size
//   one range starting at/after the end, or -0 → 416 with Content-Range: bytes */size
//   several ranges                             → 200, the whole file (RFC 9110 lets a server
//                                                ignore Range; multipart answers are not needed)
// A syntactically bad Range never reaches this code: cpp-httplib 0.11 answers it with 416.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rvf::server {

struct FileResponsePlan {
    int status = 200;
    uint64_t offset = 0; ///< first byte to send
    uint64_t length = 0; ///< bytes to send (0 for 304/416)
    std::string content_range; ///< value for Content-Range, empty when none
};

/// ranges: cpp-httplib's parsed Range list ({first, last}, −1 = absent: {-1, n} is a suffix).
FileResponsePlan plan_file_response(uint64_t size, const std::string &etag,
                                    const std::vector<std::pair<int64_t, int64_t>> &ranges,
                                    const std::string &if_none_match, bool has_if_range,
                                    const std::string &if_range);

} // namespace rvf::server

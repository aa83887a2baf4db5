// rvf/server/socket_read.hpp — bounded reads from a stream socket for the TCP front end:
// every read has a deadline, and a frame's payload buffer grows only as its bytes arrive.
//
// Why grow as bytes arrive: a frame header declares its payload length (≤ --max-frame, 16 MiB
// by default) before a single payload byte is sent. Sizing the buffer from the header let
// 1,000 clients that send only headers make the server zero-fill 16 GiB (issue 14 #7b); here a
// client can make the server hold at most one chunk more than it has actually sent.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace rvf::server {

enum class ReadResult { Ok, Eof, Timeout, Error };

using Deadline = std::optional<std::chrono::steady_clock::time_point>; ///< nullopt: no deadline

inline constexpr size_t kPayloadChunk = 64 * 1024;

/// Reads exactly n bytes into p, all of them before `deadline`.
ReadResult read_exact(int fd, uint8_t *p, size_t n, Deadline deadline);

/// Reads a `len`-byte payload into `out` (resized to len on Ok), growing it by at most `chunk`
/// bytes beyond what has been received, all before `deadline`. On any other result the frame
/// is abandoned (out holds at most what arrived). Capacity never exceeds
/// max(2 × received, received + chunk).
ReadResult read_payload(int fd, size_t len, Deadline deadline, std::vector<uint8_t> &out,
                        size_t chunk = kPayloadChunk);

} // namespace rvf::server

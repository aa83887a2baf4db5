// Internal: the ZSTD half of rvf/compression.hpp (compression.cpp dispatches to it).
#pragma once
#include <cstdint>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/result.hpp>

namespace rvf::detail {

/// Decode a COMPRESSED segment whose compression byte is ZSTD (see segment_payload).
Result<std::vector<uint8_t>> zstd_segment_payload(const core::SegmentHeader &h, core::ByteView stored);

} // namespace rvf::detail

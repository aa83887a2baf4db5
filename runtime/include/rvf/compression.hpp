// rvf/compression.hpp — segment payload compression (spec §2.2–2.3: COMPRESSED flag +
// compression byte + uncompressed_len at header 0x38). We write LZ4 blocks (liblz4) for VEC
// payloads when a store asks for it; the content hash covers the stored (compressed) bytes.
// Builds without liblz4 (Emscripten) read and write uncompressed segments only and report a
// compressed one as UnsupportedLayout.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/result.hpp>

namespace rvf {

/// True when this build links liblz4.
bool lz4_available();

/// LZ4 block of `raw`, or nullopt when compression is unavailable or would not save space.
std::optional<std::vector<uint8_t>> lz4_compress(core::ByteView raw);

/// The logical payload of a segment: `stored` itself when the header is not COMPRESSED, else
/// the decompressed bytes. Errors: UnsupportedLayout (ZSTD/custom, or no liblz4 here),
/// InvalidManifest (uncompressed_len implausible for the stored size, or the block does not
/// decode to exactly uncompressed_len bytes).
Result<std::vector<uint8_t>> segment_payload(const core::SegmentHeader &h, core::ByteView stored);

} // namespace rvf

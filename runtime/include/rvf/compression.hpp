// rvf/compression.hpp — segment payload compression (spec §2.2–2.3: COMPRESSED flag +
// compression byte + uncompressed_len at header 0x38). A store that asks for it writes its VEC
// payloads as LZ4 blocks (compression 1) or single zstd frames (compression 2); the content
// hash covers the stored (compressed) bytes. Every hosted build reads and writes both: native
// builds link Debian's liblz4/libzstd, the others compile the vendored third_party/lz4 and
// third_party/zstd sources. The freestanding microkernel has neither (it is not built on this).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/result.hpp>

namespace rvf {

/// True when this build can read and write LZ4 / ZSTD segments.
bool lz4_available();
bool zstd_available();

/// zstd level our writers use: zstd's default, a fast encode that still finds the redundancy
/// float rows have (decode speed barely depends on the level).
inline constexpr int kZstdLevel = 3;

/// LZ4 block of `raw`, or nullopt when compression is unavailable or would not save space.
std::optional<std::vector<uint8_t>> lz4_compress(core::ByteView raw);

/// One zstd frame of `raw` that declares its content size and carries zstd's content checksum,
/// or nullopt when compression is unavailable, `raw` is empty or larger than a u32 length, or
/// the frame would not save space.
std::optional<std::vector<uint8_t>> zstd_compress(core::ByteView raw, int level = kZstdLevel);

/// `raw` compressed with `c` (Lz4 or Zstd); nullopt for None/Custom or as the codec says.
std::optional<std::vector<uint8_t>> compress_payload(core::Compression c, core::ByteView raw);

/// The logical payload of a segment: `stored` itself when the header is not COMPRESSED, else
/// the decompressed bytes. Errors: UnsupportedLayout (custom compression, or a codec this build
/// lacks), InvalidManifest (uncompressed_len implausible for the stored size, a zstd frame
/// that is not exactly the payload or declares another length, or data that does not decode to
/// exactly uncompressed_len bytes). Memory is bounded by what the data really decodes to: a
/// header or frame that lies about the length is refused before or while decoding, never by
/// allocating the claimed size first.
Result<std::vector<uint8_t>> segment_payload(const core::SegmentHeader &h, core::ByteView stored);

} // namespace rvf

// Segment payload compression: LZ4 blocks here, ZSTD frames in zstd_codec.cpp. See rvf/compression.hpp.
#include <rvf/compression.hpp>

#include "zstd_codec.hpp"

#include <string>

#if RVF_HAVE_LZ4
#include <lz4.h>
#endif

namespace rvf {

bool lz4_available() { return RVF_HAVE_LZ4 != 0; }

std::optional<std::vector<uint8_t>> lz4_compress(core::ByteView raw) {
#if RVF_HAVE_LZ4
    if (raw.size == 0 || raw.size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
        return std::nullopt;
    std::vector<uint8_t> out(static_cast<size_t>(LZ4_compressBound(static_cast<int>(raw.size))));
    const int n = LZ4_compress_default(reinterpret_cast<const char *>(raw.data), reinterpret_cast<char *>(out.data()),
                                       static_cast<int>(raw.size), static_cast<int>(out.size()));
    if (n <= 0 || static_cast<size_t>(n) >= raw.size)
        return std::nullopt;
    out.resize(static_cast<size_t>(n));
    return out;
#else
    (void)raw;
    return std::nullopt;
#endif
}

std::optional<std::vector<uint8_t>> compress_payload(core::Compression c, core::ByteView raw) {
    switch (c) {
    case core::Compression::Lz4:
        return lz4_compress(raw);
    case core::Compression::Zstd:
        return zstd_compress(raw);
    default:
        return std::nullopt;
    }
}

Result<std::vector<uint8_t>> segment_payload(const core::SegmentHeader &h, core::ByteView stored) {
    if ((h.flags & core::SegFlag::Compressed) == 0)
        return std::vector<uint8_t>(stored.data, stored.data + stored.size);
    if (h.compression == static_cast<uint8_t>(core::Compression::Zstd))
        return detail::zstd_segment_payload(h, stored);
    if (h.compression != static_cast<uint8_t>(core::Compression::Lz4))
        return Error{Status::UnsupportedLayout, "segment " + std::to_string(h.segment_id) +
                                                    " uses compression " + std::to_string(h.compression) +
                                                    "; only LZ4 (1) and ZSTD (2) are supported"};
#if RVF_HAVE_LZ4
    // LZ4 expands at most ~255:1; anything beyond that is a corrupt length, not a reason to allocate.
    if (h.uncompressed_len == 0 || stored.size == 0 || h.uncompressed_len / 255 > stored.size + 16 ||
        stored.size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
        return Error{Status::InvalidManifest, "segment " + std::to_string(h.segment_id) +
                                                  ": implausible uncompressed_len " + std::to_string(h.uncompressed_len)};
    std::vector<uint8_t> out(h.uncompressed_len);
    const int n = LZ4_decompress_safe(reinterpret_cast<const char *>(stored.data), reinterpret_cast<char *>(out.data()),
                                      static_cast<int>(stored.size), static_cast<int>(out.size()));
    if (n < 0 || static_cast<uint32_t>(n) != h.uncompressed_len)
        return Error{Status::InvalidManifest,
                     "segment " + std::to_string(h.segment_id) + ": LZ4 block does not decode to its declared length"};
    return out;
#else
    return Error{Status::UnsupportedLayout, "segment " + std::to_string(h.segment_id) +
                                                " is LZ4-compressed and this build has no LZ4"};
#endif
}

} // namespace rvf

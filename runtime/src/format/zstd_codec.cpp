// ZSTD segment payloads (compression 2): one frame per segment, written with its content size
// and content checksum. See rvf/compression.hpp.
//
// Decoding is bounded by what the bytes really hold, never by what a header claims:
//  - uncompressed_len must be reachable at all: a zstd block yields at most 128 KiB and costs at
//    least 4 stored bytes (3-byte header + one RLE byte), so no frame expands beyond 32768:1;
//  - the payload must be exactly one frame, and that frame must declare the header's length;
//  - a plausible ratio (≤ kOneShotRatio:1) decodes in one call into a buffer of that length;
//    anything beyond (zero-filled rows, or a lie) decodes in streaming mode into a buffer that
//    grows only as output really arrives, so a lying frame costs what it decodes to, not what
//    it claims;
//  - the output must be exactly uncompressed_len bytes and the content checksum (when present)
//    must match.
#include "zstd_codec.hpp"

#include <rvf/compression.hpp>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#if RVF_HAVE_ZSTD
#include <zstd.h>
#endif

namespace rvf {

bool zstd_available() { return RVF_HAVE_ZSTD != 0; }

#if RVF_HAVE_ZSTD
namespace {

struct CCtxFree {
    void operator()(ZSTD_CCtx *c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
    void operator()(ZSTD_DCtx *d) const { ZSTD_freeDCtx(d); }
};

constexpr uint64_t kMinBytesPerBlock = 4;  // 3-byte block header + 1 RLE byte
constexpr uint64_t kOneShotRatio = 64;     // float rows compress < 2:1; beyond this, stream
constexpr size_t kStreamStart = 1u << 20;  // first buffer of a streamed decode

Error bad(const core::SegmentHeader &h, const std::string &what) {
    return Error{Status::InvalidManifest, "segment " + std::to_string(h.segment_id) + ": " + what +
                                              " (the segment is damaged; restore the file from a copy)"};
}

} // namespace
#endif

std::optional<std::vector<uint8_t>> zstd_compress(core::ByteView raw, int level) {
#if RVF_HAVE_ZSTD
    if (raw.size == 0 || raw.size > UINT32_MAX)
        return std::nullopt;
    std::unique_ptr<ZSTD_CCtx, CCtxFree> cctx(ZSTD_createCCtx());
    if (!cctx)
        return std::nullopt;
    // The checksum lets the decoder itself notice damage (4 bytes; the content hash covers
    // the stored bytes too, but a reader handed a payload directly has only this).
    if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, level)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_contentSizeFlag, 1)))
        return std::nullopt;
    std::vector<uint8_t> out(ZSTD_compressBound(raw.size));
    const size_t n = ZSTD_compress2(cctx.get(), out.data(), out.size(), raw.data, raw.size);
    if (ZSTD_isError(n) || n >= raw.size)
        return std::nullopt;
    out.resize(n);
    return out;
#else
    (void)raw;
    (void)level;
    return std::nullopt;
#endif
}

namespace detail {

Result<std::vector<uint8_t>> zstd_segment_payload(const core::SegmentHeader &h, core::ByteView stored) {
#if RVF_HAVE_ZSTD
    const uint64_t want = h.uncompressed_len;
    if (want == 0 || stored.size == 0 ||
        (want + ZSTD_BLOCKSIZE_MAX - 1) / ZSTD_BLOCKSIZE_MAX * kMinBytesPerBlock > stored.size)
        return bad(h, "implausible uncompressed_len " + std::to_string(want) + " for a " +
                          std::to_string(stored.size) + "-byte zstd frame");
    const size_t frame = ZSTD_findFrameCompressedSize(stored.data, stored.size);
    if (ZSTD_isError(frame) || frame != stored.size)
        return bad(h, "payload is not exactly one zstd frame");
    const unsigned long long declared = ZSTD_getFrameContentSize(stored.data, stored.size);
    if (declared == ZSTD_CONTENTSIZE_UNKNOWN || declared == ZSTD_CONTENTSIZE_ERROR)
        return bad(h, "zstd frame does not declare its content size");
    if (declared != want)
        return bad(h, "zstd frame declares " + std::to_string(declared) + " bytes, the header " + std::to_string(want));

    if (want >= std::numeric_limits<size_t>::max()) // wasm32: 4 GiB − 1 (+1 byte of slack below)
        return Error{Status::SegmentTooLarge, "segment " + std::to_string(h.segment_id) + " decodes to " +
                                                  std::to_string(want) +
                                                  " bytes, more than this build can address; open it natively"};

    std::unique_ptr<ZSTD_DCtx, DCtxFree> dctx(ZSTD_createDCtx());
    if (!dctx)
        return Error{Status::IoError, "out of memory creating a zstd decoder"};

    if (want <= std::max<uint64_t>(kStreamStart, stored.size * kOneShotRatio)) {
        std::vector<uint8_t> out(static_cast<size_t>(want));
        const size_t n = ZSTD_decompressDCtx(dctx.get(), out.data(), out.size(), stored.data, stored.size);
        if (ZSTD_isError(n))
            return bad(h, std::string("zstd frame does not decode: ") + ZSTD_getErrorName(n));
        if (n != want)
            return bad(h, "zstd frame decodes to " + std::to_string(n) + " bytes, not " + std::to_string(want));
        return out;
    }

    // Streamed: grow by doubling up to `want`; one byte of slack past `want` would reveal a
    // frame that decodes longer than it declared (zstd checks that too).
    std::vector<uint8_t> out(kStreamStart);
    ZSTD_inBuffer in{stored.data, stored.size, 0};
    size_t produced = 0;
    for (;;) {
        ZSTD_outBuffer ob{out.data(), out.size(), produced};
        const size_t r = ZSTD_decompressStream(dctx.get(), &ob, &in);
        produced = ob.pos;
        if (ZSTD_isError(r))
            return bad(h, std::string("zstd frame does not decode: ") + ZSTD_getErrorName(r));
        if (r == 0)
            break; // frame complete (and its checksum verified)
        if (produced == out.size()) {
            if (out.size() > want)
                return bad(h, "zstd frame decodes to more than " + std::to_string(want) + " bytes");
            out.resize(static_cast<size_t>(std::min<uint64_t>(want + 1, uint64_t(out.size()) * 2)));
        } else if (in.pos == in.size) {
            return bad(h, "zstd frame is truncated");
        }
    }
    if (produced != want || in.pos != in.size)
        return bad(h, "zstd frame decodes to " + std::to_string(produced) + " bytes, not " + std::to_string(want));
    out.resize(produced);
    return out;
#else
    return Error{Status::UnsupportedLayout, "segment " + std::to_string(h.segment_id) +
                                                " is ZSTD-compressed and this build has no zstd; open it with a "
                                                "build that has (native, wasm or portable)"};
#endif
}

} // namespace detail
} // namespace rvf

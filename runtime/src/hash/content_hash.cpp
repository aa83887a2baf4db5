// Segment content hashes per layout and checksum_algo (spec §2.4). The hash covers the payload
// bytes only; callers pass exactly header+64 .. +payload_length.
#include <rvf/hash.hpp>

#include <rvf/core/hash/crc32.hpp>
#include <rvf/core/hash/shake256.hpp>

namespace rvf {

using core::Status;

Status content_hash(Layout layout, uint8_t checksum_algo, core::ByteView payload, uint8_t out[16]) {
    switch (layout) {
    case Layout::R:
        switch (checksum_algo) {
        case 0:
            core::layout_r_legacy_digest(core::crc32_ieee(payload), out);
            return Status::Ok;
        case 1:
            xxh3_128(payload, out);
            return Status::Ok;
        case 2:
            core::shake256(payload, out, 16);
            return Status::Ok;
        default:
            // The newest Layout R reader rejects unknown algos rather than guessing (§2.4).
            return RVF_CORRUPT(Status::AlgoUnsupported);
        }
    case Layout::S:
        // rvf-wire: 2 is SHAKE-256; 0 ("deprecated CRC32C"), 1, 3 (reserved HMAC) and any
        // unknown value are all computed as XXH3-128.
        if (checksum_algo == 2)
            core::shake256(payload, out, 16);
        else
            xxh3_128(payload, out);
        return Status::Ok;
    }
    return Status::UnsupportedLayout;
}

Status verify_content_hash(Layout layout, uint8_t checksum_algo, core::ByteView payload,
                           const uint8_t expected[16]) {
    uint8_t got[16];
    RVF_TRY(content_hash(layout, checksum_algo, payload, got));
    // Constant time in the position of the first differing byte (rvf-wire compares with
    // `subtle`); volatile keeps the compiler from turning the loop into an early-exit memcmp.
    volatile uint8_t diff = 0;
    for (int i = 0; i < 16; ++i)
        diff = static_cast<uint8_t>(diff | (got[i] ^ expected[i]));
    return diff == 0 ? Status::Ok : RVF_CORRUPT(Status::InvalidChecksum);
}

} // namespace rvf

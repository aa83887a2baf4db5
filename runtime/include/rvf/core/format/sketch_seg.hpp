// rvf/core/format/sketch_seg.hpp — SKETCH_SEG payload, the count-min sketch form that code
// (rvf-quant) writes (spec §6.6). The spec document's per-block layout (block_count,
// counter_bits, decay_shift, one sketch per 1024 vectors) differs and nothing implements it
// (spec §12 #18), so it is not decoded here.
//
// Payload (LE):
//  off   size         type  field
//  0x00  4            u32   width           counters per row, > 0
//  0x04  4            u32   depth           rows (hash functions), > 0
//  0x08  8            u64   total_accesses  increments so far (wrapping)
//  0x10  48           —     zeros
//  0x40  depth·width  u8    counters, row-major: row r at 0x40 + r·width
//
// Hashing (per row r): h = 0xcbf29ce484222325 XOR seed[r mod 8]; for each of the 8 LE bytes b of
// the block id: h ^= b; h *= 0x100000001b3 (mod 2^64); column = h mod width.
// Update: every row's counter saturating-increments (max 255); total_accesses += 1 (wrapping).
// Estimate: min over rows. Aging: halve every counter when total_accesses is a non-zero
// multiple of 2^16 (the caller decides when to apply it; sketch_touch does both).
// Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"

namespace rvf::core {

inline constexpr size_t kSketchHeaderSize = 64;
inline constexpr uint32_t kSketchDefaultWidth = 1024;
inline constexpr uint32_t kSketchDefaultDepth = 4;
inline constexpr uint64_t kSketchAgingInterval = 1ull << 16;
inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ull;
inline constexpr uint64_t kSketchSeeds[8] = {
    0x517cc1b727220a95ull, 0x6c62272e07bb0142ull, 0x44c6b90e0f294e41ull, 0x3b9f7a3e2d8f1c5bull,
    0x7e4a1b3c5d6f8a9eull, 0x1a2b3c4d5e6f7089ull, 0x9f8e7d6c5b4a3210ull, 0xdeadbeefcafebabeull,
};

namespace sketch_off {
inline constexpr size_t width = 0x00, depth = 0x04, total_accesses = 0x08, reserved = 0x10;
static_assert(reserved + 48 == kSketchHeaderSize, "SKETCH_SEG header is 64 bytes");
} // namespace sketch_off

/// The row hash (64-bit, before the modulo).
constexpr uint64_t sketch_row_hash(uint64_t block_id, uint32_t row) {
    uint64_t h = kFnvOffset ^ kSketchSeeds[row % 8];
    for (int i = 0; i < 8; ++i) {
        h ^= (block_id >> (8 * i)) & 0xFF;
        h *= kFnvPrime;
    }
    return h;
}
constexpr uint32_t sketch_column(uint64_t block_id, uint32_t row, uint32_t width) {
    return static_cast<uint32_t>(sketch_row_hash(block_id, row) % width);
}
constexpr bool sketch_should_age(uint64_t total_accesses) {
    return total_accesses != 0 && total_accesses % kSketchAgingInterval == 0;
}

/// Validated view; `counters` is the depth·width counter matrix.
struct SketchSegView {
    uint32_t width = 0;
    uint32_t depth = 0;
    uint64_t total_accesses = 0;
    ByteView counters;

    constexpr uint8_t counter(uint32_t row, uint32_t col) const {
        return counters.data[static_cast<size_t>(row) * width + col];
    }
    constexpr uint8_t estimate(uint64_t block_id) const {
        uint8_t m = 255;
        for (uint32_t r = 0; r < depth; ++r) {
            const uint8_t c = counter(r, sketch_column(block_id, r, width));
            m = c < m ? c : m;
        }
        return m;
    }

    /// Errors: TruncatedSegment (header or counters short), InvalidManifest (width or depth 0,
    /// non-zero reserved bytes, bytes after the counters).
    static constexpr Status parse(ByteView payload, SketchSegView &out) {
        ByteReader r(payload);
        SketchSegView s;
        s.width = r.u32();
        s.depth = r.u32();
        s.total_accesses = r.u64();
        if (!r.ok() || !r.has(kSketchHeaderSize - sketch_off::reserved))
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (!r.skip_zero_pad(kSketchHeaderSize) || s.width == 0 || s.depth == 0)
            return RVF_CORRUPT(Status::InvalidManifest);
        const uint64_t n = static_cast<uint64_t>(s.width) * s.depth; // ≤ 2^64 − 2^33 + 1: no overflow
        if (n > r.remaining())
            return RVF_CORRUPT(Status::TruncatedSegment);
        if (n != r.remaining())
            return RVF_CORRUPT(Status::InvalidManifest);
        s.counters = r.bytes(static_cast<size_t>(n));
        out = s;
        return Status::Ok;
    }
};

// --- in-place updates on a payload already validated by SketchSegView::parse -----------------

/// Record one access of `block_id`: saturating increments, total_accesses + 1 (wrapping).
constexpr void sketch_increment(MutByteView payload, uint64_t block_id) {
    const uint32_t width = load_u32_le(payload.data + sketch_off::width);
    const uint32_t depth = load_u32_le(payload.data + sketch_off::depth);
    uint8_t *c = payload.data + kSketchHeaderSize;
    for (uint32_t r = 0; r < depth; ++r) {
        uint8_t &v = c[static_cast<size_t>(r) * width + sketch_column(block_id, r, width)];
        if (v != 255)
            ++v;
    }
    store_u64_le(payload.data + sketch_off::total_accesses, load_u64_le(payload.data + sketch_off::total_accesses) + 1);
}
/// Halve every counter.
constexpr void sketch_age(MutByteView payload) {
    const uint64_t n = static_cast<uint64_t>(load_u32_le(payload.data + sketch_off::width)) *
                       load_u32_le(payload.data + sketch_off::depth);
    for (uint64_t i = 0; i < n; ++i)
        payload.data[kSketchHeaderSize + i] = static_cast<uint8_t>(payload.data[kSketchHeaderSize + i] >> 1);
}
/// Increment, then age if the aging rule fires; true when it aged.
constexpr bool sketch_touch(MutByteView payload, uint64_t block_id) {
    sketch_increment(payload, block_id);
    if (!sketch_should_age(load_u64_le(payload.data + sketch_off::total_accesses)))
        return false;
    sketch_age(payload);
    return true;
}

/// Write a SKETCH_SEG payload; `counters` (depth·width bytes, row-major) may be null for an
/// empty sketch. Errors: InvalidArgument (width or depth 0), OutOfMemory.
constexpr Status encode_sketch_seg(ByteWriter &w, uint32_t width, uint32_t depth, uint64_t total_accesses,
                                   const uint8_t *counters = nullptr) {
    if (width == 0 || depth == 0)
        return Status::InvalidArgument;
    uint64_t n = 0;
    if (mul_overflows(width, depth, &n) || n > SIZE_MAX)
        return Status::InvalidArgument;
    w.u32(width);
    w.u32(depth);
    w.u64(total_accesses);
    w.zeros(kSketchHeaderSize - sketch_off::reserved);
    if (counters != nullptr)
        w.bytes(counters, static_cast<size_t>(n));
    else
        w.zeros(static_cast<size_t>(n));
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

} // namespace rvf::core

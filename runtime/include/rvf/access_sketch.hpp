// rvf/access_sketch.hpp — count-min sketch of block accesses, persisted as SKETCH_SEG (spec §6.6,
// the rvf-quant form decoded by rvf/core/format/sketch_seg.hpp). It drives tier choice: hot
// blocks keep f32/f16, warm ones int8, cold ones PQ or binary (rvf/quantization.hpp).
//
// Semantics (identical to repeated core::sketch_touch on the payload):
//  record(b, n)  every row's counter for b saturating-adds n (u8, max 255); total_accesses += n;
//                with auto-aging on, all counters halve each time total_accesses reaches a
//                non-zero multiple of 2^16 (rvf-quant's rule), at that exact access.
//  estimate(b)   min over rows: never below the true count while no counter saturated and no
//                aging happened; above it by at most e/width · total with probability
//                ≥ 1 − e^(−depth) (the count-min bound; 1024 × 4 → ε ≈ 0.27 %, δ ≈ 1.8 %).
//  decay()       halves every counter now (explicit aging, e.g. at compaction).
// Not thread-safe: callers that record from several query threads serialise the calls.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include <rvf/core/bytes.hpp>             // ByteView
#include <rvf/core/format/sketch_seg.hpp> // hashing, defaults, codec
#include <rvf/quantization.hpp>           // Tier, choose_tier
#include <rvf/result.hpp>                 // Result<T>

namespace rvf {

class AccessSketch {
public:
    /// rvf-quant's defaults: 1024 columns × 4 rows, auto-aging on.
    AccessSketch() : AccessSketch(core::kSketchDefaultWidth, core::kSketchDefaultDepth, true) {}
    /// Errors: InvalidArgument (width or depth 0, or width·depth over 256 MiB).
    static Result<AccessSketch> create(uint32_t width, uint32_t depth, bool auto_aging = true);

    void record(uint64_t block, uint32_t n = 1);
    uint32_t estimate(uint64_t block) const;
    void decay();
    /// choose_tier(estimate(block), ...).
    Tier tier(uint64_t block, uint32_t hot_threshold = core::kHotThreshold,
              uint32_t warm_threshold = core::kWarmThreshold) const {
        return choose_tier(estimate(block), hot_threshold, warm_threshold);
    }

    uint32_t width() const { return width_; }
    uint32_t depth() const { return depth_; }
    uint64_t total_accesses() const { return total_; }
    bool auto_aging() const { return auto_aging_; }
    void set_auto_aging(bool on) { auto_aging_ = on; }
    /// depth rows of width u8 counters, row-major (the SKETCH_SEG counter matrix).
    const std::vector<uint8_t> &counters() const { return counters_; }

    /// SKETCH_SEG payload (64-B header + counters).
    Result<std::vector<uint8_t>> to_sketch_seg() const;
    /// Errors: TruncatedSegment, InvalidManifest (core::SketchSegView::parse). Auto-aging on.
    static Result<AccessSketch> from_sketch_seg(core::ByteView payload);

private:
    AccessSketch(uint32_t width, uint32_t depth, bool auto_aging)
        : width_(width), depth_(depth), auto_aging_(auto_aging), counters_(static_cast<size_t>(width) * depth, 0) {}

    uint32_t width_;
    uint32_t depth_;
    bool auto_aging_;
    uint64_t total_ = 0;
    std::vector<uint8_t> counters_;
};

} // namespace rvf

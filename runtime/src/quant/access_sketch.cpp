// Count-min sketch of block accesses (spec §6.6, rvf-quant SKETCH_SEG form).
#include <algorithm>
#include <string>

#include <rvf/access_sketch.hpp>

namespace rvf {
namespace {
constexpr uint64_t kMaxCounters = 256ull << 20; // a sketch bigger than this is a caller mistake
}

Result<AccessSketch> AccessSketch::create(uint32_t width, uint32_t depth, bool auto_aging) {
    if (width == 0 || depth == 0 || static_cast<uint64_t>(width) * depth > kMaxCounters)
        return Error{Status::InvalidArgument, "AccessSketch: width and depth must be > 0 and width*depth <= 2^28"};
    return AccessSketch(width, depth, auto_aging);
}

void AccessSketch::record(uint64_t block, uint32_t n) {
    // Columns do not change between the increments of one call, so apply them in runs that end
    // at the next aging point: the result equals n single touches.
    size_t col[64];
    const uint32_t rows = std::min<uint32_t>(depth_, 64);
    for (uint32_t r = 0; r < rows; ++r)
        col[r] = static_cast<size_t>(r) * width_ + core::sketch_column(block, r, width_);
    auto bump = [&](uint64_t step) {
        const uint32_t add = static_cast<uint32_t>(std::min<uint64_t>(step, 255));
        for (uint32_t r = 0; r < depth_; ++r) {
            uint8_t &c =
                counters_[r < 64 ? col[r] : static_cast<size_t>(r) * width_ + core::sketch_column(block, r, width_)];
            c = static_cast<uint8_t>(std::min<uint32_t>(c + add, 255));
        }
    };
    uint64_t left = n;
    while (left > 0) {
        uint64_t step = left;
        if (auto_aging_) {
            const uint64_t to_age = core::kSketchAgingInterval - total_ % core::kSketchAgingInterval;
            step = std::min(step, to_age);
        }
        bump(step);
        total_ += step;
        left -= step;
        if (auto_aging_ && core::sketch_should_age(total_))
            decay();
    }
}

uint32_t AccessSketch::estimate(uint64_t block) const {
    uint32_t m = 255;
    for (uint32_t r = 0; r < depth_; ++r)
        m = std::min<uint32_t>(m, counters_[static_cast<size_t>(r) * width_ + core::sketch_column(block, r, width_)]);
    return m;
}

void AccessSketch::decay() {
    for (uint8_t &c : counters_)
        c = static_cast<uint8_t>(c >> 1);
}

Result<std::vector<uint8_t>> AccessSketch::to_sketch_seg() const {
    std::vector<uint8_t> out(core::kSketchHeaderSize + counters_.size());
    core::ByteWriter w(core::MutByteView(out.data(), out.size()));
    if (const Status s = core::encode_sketch_seg(w, width_, depth_, total_, counters_.data()); s != Status::Ok)
        return Error{s, "AccessSketch: cannot encode SKETCH_SEG"};
    return out;
}

Result<AccessSketch> AccessSketch::from_sketch_seg(core::ByteView payload) {
    core::SketchSegView v;
    if (const Status s = core::SketchSegView::parse(payload, v); s != Status::Ok)
        return Error{s, "AccessSketch: malformed SKETCH_SEG"};
    AccessSketch a(v.width, v.depth, true);
    a.total_ = v.total_accesses;
    std::copy(v.counters.data, v.counters.data + v.counters.size, a.counters_.begin());
    return a;
}

} // namespace rvf

// AccessSketch (rvf/access_sketch.hpp, spec §6.6): count-min guarantees (never under the true
// count, over it by at most e/width·N with probability ≥ 1 − e^−depth), u8 saturation, decay and
// rvf-quant's 2^16 aging rule, agreement with the core SKETCH_SEG codec byte for byte, and typed
// errors on corrupt payloads.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <vector>

#include <rvf/access_sketch.hpp>
#include <rvf/core/format/sketch_seg.hpp>

using namespace rvf;

namespace {

/// Skewed access counts for `blocks` blocks summing to about `total` (each count < 255).
std::map<uint64_t, uint32_t> skewed_counts(size_t blocks, uint64_t seed) {
    std::mt19937_64 g(seed);
    std::map<uint64_t, uint32_t> counts;
    for (size_t i = 0; i < blocks; ++i) {
        const uint64_t id = g(); // spread over the whole id space
        counts[id] = 1 + static_cast<uint32_t>(60.0 / static_cast<double>(1 + i % 30)); // 1..61
    }
    return counts;
}

uint64_t total_of(const std::map<uint64_t, uint32_t> &c) {
    uint64_t t = 0;
    for (const auto &[id, n] : c)
        t += n;
    return t;
}

core::ByteView view(const std::vector<uint8_t> &b) { return core::ByteView(b.data(), b.size()); }

} // namespace

TEST(AccessSketch, DefaultsAndCreateErrors) {
    const AccessSketch s;
    EXPECT_EQ(s.width(), 1024u);
    EXPECT_EQ(s.depth(), 4u);
    EXPECT_EQ(s.total_accesses(), 0u);
    EXPECT_TRUE(s.auto_aging());
    EXPECT_EQ(s.counters().size(), 4096u);
    EXPECT_EQ(s.estimate(12345), 0u);
    EXPECT_EQ(AccessSketch::create(0, 4).status(), Status::InvalidArgument);
    EXPECT_EQ(AccessSketch::create(16, 0).status(), Status::InvalidArgument);
    EXPECT_EQ(AccessSketch::create(1u << 20, 1u << 10).status(), Status::InvalidArgument);
    auto small = AccessSketch::create(7, 2, false);
    ASSERT_TRUE(small.ok());
    EXPECT_FALSE(small->auto_aging());
}

TEST(AccessSketch, EstimatesNeverBelowTrueCounts) {
    auto counts = skewed_counts(3000, 1);
    AccessSketch s;
    for (const auto &[id, n] : counts)
        for (uint32_t i = 0; i < n; ++i)
            s.record(id);
    ASSERT_LT(s.total_accesses(), core::kSketchAgingInterval); // no aging happened
    for (const auto &[id, n] : counts)
        EXPECT_GE(s.estimate(id), n) << id;
}

TEST(AccessSketch, OverestimateWithinTheCountMinBound) {
    // Narrow sketch so collisions matter: width 512, depth 3 → ε = e/512, δ = e^−3 ≈ 5 %.
    auto counts = skewed_counts(2000, 2);
    const uint64_t total = total_of(counts);
    auto s = AccessSketch::create(512, 3, false);
    ASSERT_TRUE(s.ok());
    auto one_row = AccessSketch::create(512, 1, false);
    for (const auto &[id, n] : counts) {
        s->record(id, n);
        one_row->record(id, n);
    }
    EXPECT_EQ(s->total_accesses(), total);
    const double bound = std::exp(1.0) / 512.0 * static_cast<double>(total);
    size_t over = 0;
    double err3 = 0, err1 = 0;
    for (const auto &[id, n] : counts) {
        const uint32_t e = s->estimate(id);
        ASSERT_GE(e, std::min<uint32_t>(n, 255));
        over += static_cast<double>(e) - n > bound;
        err3 += e - n;
        err1 += one_row->estimate(id) - n;
    }
    const double frac = static_cast<double>(over) / static_cast<double>(counts.size());
    std::printf("[ measure  ] CM 512x3: N=%llu, bound %.1f, %.2f %% of blocks over it (delta %.2f %%), mean error "
                "%.2f (1 row: %.2f)\n",
                static_cast<unsigned long long>(total), bound, 100 * frac, 100 * std::exp(-3.0),
                err3 / static_cast<double>(counts.size()), err1 / static_cast<double>(counts.size()));
    EXPECT_LE(frac, std::exp(-3.0));
    EXPECT_LT(err3, err1); // more rows, tighter estimates
}

TEST(AccessSketch, RecordNEqualsRepeatedTouchesAndTheCoreCodec) {
    // The core in-place updater is the reference: n calls of sketch_touch on a payload.
    auto s = AccessSketch::create(64, 4);
    ASSERT_TRUE(s.ok());
    std::vector<uint8_t> ref(core::kSketchHeaderSize + 64 * 4);
    core::ByteWriter w(core::MutByteView(ref.data(), ref.size()));
    ASSERT_EQ(core::encode_sketch_seg(w, 64, 4, 0), core::Status::Ok);
    std::mt19937_64 g(3);
    uint64_t done = 0;
    // Crosses the 2^16 aging point in the middle of a bulk record.
    while (done < 70000) {
        const uint64_t block = g() % 40;
        const uint32_t n = static_cast<uint32_t>(1 + g() % 700);
        s->record(block, n);
        for (uint32_t i = 0; i < n; ++i)
            core::sketch_touch(core::MutByteView(ref.data(), ref.size()), block);
        done += n;
    }
    auto bytes = s->to_sketch_seg();
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(*bytes, ref);
}

TEST(AccessSketch, AutoAgingHalvesAtTwoToTheSixteen) {
    AccessSketch s;
    s.record(7, 200);
    s.record(8, 65535 - 200);
    EXPECT_EQ(s.estimate(7), 200u);
    EXPECT_EQ(s.estimate(8), 255u); // saturated
    s.record(9);                    // the 65536th access
    EXPECT_EQ(s.total_accesses(), 65536u);
    EXPECT_EQ(s.estimate(7), 100u);
    EXPECT_EQ(s.estimate(8), 127u);
    EXPECT_EQ(s.estimate(9), 0u); // incremented to 1, then halved

    auto manual = AccessSketch::create(1024, 4, false);
    manual->record(7, 65536);
    EXPECT_EQ(manual->estimate(7), 255u);
}

TEST(AccessSketch, DecayHalvesEveryCounter) {
    AccessSketch s;
    auto counts = skewed_counts(500, 4);
    for (const auto &[id, n] : counts)
        s.record(id, n);
    const std::vector<uint8_t> before = s.counters();
    std::map<uint64_t, uint32_t> est;
    for (const auto &[id, n] : counts)
        est[id] = s.estimate(id);
    s.decay();
    for (size_t i = 0; i < before.size(); ++i)
        ASSERT_EQ(s.counters()[i], before[i] >> 1) << i;
    for (const auto &[id, e] : est)
        EXPECT_EQ(s.estimate(id), e / 2);
    EXPECT_EQ(s.total_accesses(), total_of(counts)); // decay ages counters, not the access total
}

TEST(AccessSketch, TiersFollowTheEstimate) {
    AccessSketch s;
    s.record(1, 200);
    s.record(2, 50);
    s.record(3, 3);
    EXPECT_EQ(s.tier(1), Tier::Hot);
    EXPECT_EQ(s.tier(2), Tier::Warm);
    EXPECT_EQ(s.tier(3), Tier::Cold);
    EXPECT_EQ(s.tier(4), Tier::Cold);
    EXPECT_EQ(s.tier(2, 40, 10), Tier::Hot);
}

TEST(AccessSketch, SketchSegRoundTripIsByteExact) {
    auto s = AccessSketch::create(300, 5);
    ASSERT_TRUE(s.ok());
    for (const auto &[id, n] : skewed_counts(400, 5))
        s->record(id, n);
    const auto bytes = *s->to_sketch_seg();
    ASSERT_EQ(bytes.size(), 64u + 300u * 5u);
    EXPECT_EQ(core::load_u32_le(bytes.data()), 300u);
    EXPECT_EQ(core::load_u32_le(bytes.data() + 4), 5u);
    EXPECT_EQ(core::load_u64_le(bytes.data() + 8), s->total_accesses());
    core::ByteWriter c;
    ASSERT_EQ(core::encode_sketch_seg(c, 300, 5, s->total_accesses(), s->counters().data()), core::Status::Ok);
    EXPECT_EQ(c.pos(), bytes.size());

    auto back = AccessSketch::from_sketch_seg(view(bytes));
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->width(), 300u);
    EXPECT_EQ(back->depth(), 5u);
    EXPECT_EQ(back->total_accesses(), s->total_accesses());
    EXPECT_EQ(back->counters(), s->counters());
    EXPECT_EQ(*back->to_sketch_seg(), bytes);
    core::SketchSegView v;
    ASSERT_EQ(core::SketchSegView::parse(view(bytes), v), core::Status::Ok);
    for (uint64_t id = 0; id < 1000; ++id)
        EXPECT_EQ(v.estimate(id), back->estimate(id));
}

TEST(AccessSketch, CorruptPayloadsGiveTypedErrors) {
    AccessSketch s;
    s.record(1, 3);
    const auto good = *s.to_sketch_seg();
    for (size_t n : {0u, 3u, 8u, 16u, 63u, 64u, 100u, 64u + 4095u})
        EXPECT_EQ(AccessSketch::from_sketch_seg(core::ByteView(good.data(), n)).status(), Status::TruncatedSegment)
            << n;
    auto longer = good;
    longer.push_back(0);
    EXPECT_EQ(AccessSketch::from_sketch_seg(view(longer)).status(), Status::InvalidManifest);
    auto zero_width = good;
    core::store_u32_le(zero_width.data(), 0);
    EXPECT_EQ(AccessSketch::from_sketch_seg(view(zero_width)).status(), Status::InvalidManifest);
    auto zero_depth = good;
    core::store_u32_le(zero_depth.data() + 4, 0);
    EXPECT_EQ(AccessSketch::from_sketch_seg(view(zero_depth)).status(), Status::InvalidManifest);
    auto reserved = good;
    reserved[63] = 0x80;
    EXPECT_EQ(AccessSketch::from_sketch_seg(view(reserved)).status(), Status::InvalidManifest);
    auto huge = good; // 2^32-1 × 2^32-1 counters claimed by a 4 KB payload: no allocation, typed error
    core::store_u32_le(huge.data(), 0xFFFFFFFFu);
    core::store_u32_le(huge.data() + 4, 0xFFFFFFFFu);
    EXPECT_EQ(AccessSketch::from_sketch_seg(view(huge)).status(), Status::TruncatedSegment);
    auto reshaped = good; // same counter count, other shape: valid, and estimates follow the shape
    core::store_u32_le(reshaped.data(), 2048);
    core::store_u32_le(reshaped.data() + 4, 2);
    auto r = AccessSketch::from_sketch_seg(view(reshaped));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->width(), 2048u);
}

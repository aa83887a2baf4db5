// SKETCH_SEG count-min sketch (spec §6.6, code form): header layout, the seeded FNV row hash
// against independently computed values, saturation, min-estimate, aging, strict parsing.
#include <gtest/gtest.h>

#include <vector>

#include <rvf/core/format/sketch_seg.hpp>

using namespace rvf::core;

namespace {
std::vector<uint8_t> make(uint32_t width, uint32_t depth, uint64_t total = 0) {
    ByteWriter c;
    EXPECT_EQ(encode_sketch_seg(c, width, depth, total), Status::Ok);
    std::vector<uint8_t> out(c.pos(), 0xCC);
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode_sketch_seg(w, width, depth, total), Status::Ok);
    return out;
}
Status parse(const std::vector<uint8_t> &b, SketchSegView &v) {
    return SketchSegView::parse(ByteView(b.data(), b.size()), v);
}
} // namespace

TEST(SketchSeg, RowHashMatchesIndependentValues) {
    // Computed outside C++ (Python big ints) from the spec's description of the hash.
    EXPECT_EQ(sketch_row_hash(0, 0), 0xaa10aaddda623fb0ull);
    EXPECT_EQ(sketch_row_hash(0, 1), 0xffdbdd135ed83547ull);
    EXPECT_EQ(sketch_row_hash(42, 0), 0x00839016e9d1e0daull);
    EXPECT_EQ(sketch_row_hash(42, 3), 0x2704aa675b0f71d4ull);
    EXPECT_EQ(sketch_row_hash(42, 7), 0x90d1e46e551bf9d1ull);
    EXPECT_EQ(sketch_row_hash(42, 8), sketch_row_hash(42, 0)); // seeds wrap after 8 rows
    EXPECT_EQ(sketch_row_hash(UINT64_MAX, 2), 0xb3c59df651e2e25cull);
    const uint32_t cols42[4] = {218, 493, 782, 468};
    const uint32_t cols0[4] = {944, 327, 484, 830};
    for (uint32_t r = 0; r < 4; ++r) {
        EXPECT_EQ(sketch_column(42, r, 1024), cols42[r]);
        EXPECT_EQ(sketch_column(0, r, 1024), cols0[r]);
    }
}

TEST(SketchSeg, HeaderLayoutAndRoundTrip) {
    auto p = make(1024, 4, 0x1122334455667788ull);
    ASSERT_EQ(p.size(), 64u + 4096u);
    EXPECT_EQ(load_u32_le(&p[0]), 1024u);
    EXPECT_EQ(load_u32_le(&p[4]), 4u);
    EXPECT_EQ(load_u64_le(&p[8]), 0x1122334455667788ull);
    for (size_t i = 16; i < p.size(); ++i)
        ASSERT_EQ(p[i], 0) << i;
    SketchSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.width, 1024u);
    EXPECT_EQ(v.depth, 4u);
    EXPECT_EQ(v.total_accesses, 0x1122334455667788ull);
    EXPECT_EQ(v.estimate(999), 0);
    // Counters supplied by the caller land row-major.
    std::vector<uint8_t> ctr(3 * 5);
    for (size_t i = 0; i < ctr.size(); ++i)
        ctr[i] = static_cast<uint8_t>(i + 1);
    std::vector<uint8_t> q(64 + 15);
    ByteWriter w(MutByteView(q.data(), q.size()));
    ASSERT_EQ(encode_sketch_seg(w, 5, 3, 7, ctr.data()), Status::Ok);
    ASSERT_EQ(parse(q, v), Status::Ok);
    EXPECT_EQ(v.counter(0, 0), 1);
    EXPECT_EQ(v.counter(1, 0), 6);
    EXPECT_EQ(v.counter(2, 4), 15);
}

TEST(SketchSeg, IncrementEstimateSaturateAge) {
    auto p = make(1024, 4);
    MutByteView m(p.data(), p.size());
    for (int i = 0; i < 50; ++i)
        sketch_increment(m, 100);
    for (int i = 0; i < 10; ++i)
        sketch_increment(m, 200);
    SketchSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.total_accesses, 60u);
    EXPECT_GE(v.estimate(100), 50);
    EXPECT_GE(v.estimate(200), 10);
    // The counters are where the row hash says, in every row.
    for (uint32_t r = 0; r < 4; ++r)
        EXPECT_GE(v.counter(r, sketch_column(100, r, 1024)), 50);
    for (int i = 0; i < 300; ++i)
        sketch_increment(m, 7);
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.estimate(7), 255); // saturated
    sketch_age(m);
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.estimate(7), 127);
    EXPECT_EQ(v.estimate(100), 25);
    EXPECT_FALSE(sketch_should_age(0));
    EXPECT_FALSE(sketch_should_age(100));
    EXPECT_TRUE(sketch_should_age(1u << 16));
    EXPECT_TRUE(sketch_should_age(2u << 16));
    EXPECT_FALSE(sketch_should_age((1u << 16) + 1));
}

TEST(SketchSeg, TouchAgesExactlyOnTheInterval) {
    auto p = make(16, 2, (1ull << 16) - 2);
    MutByteView m(p.data(), p.size());
    for (int i = 0; i < 8; ++i)
        sketch_increment(m, 5);
    store_u64_le(p.data() + 8, (1ull << 16) - 2);
    EXPECT_FALSE(sketch_touch(m, 5)); // total → 2^16 − 1, count 9
    EXPECT_TRUE(sketch_touch(m, 5));  // total → 2^16, count 10 → halved to 5
    SketchSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.total_accesses, 1ull << 16);
    EXPECT_EQ(v.estimate(5), 5);
}

TEST(SketchSeg, StrictParsingAndTruncations) {
    const auto good = make(8, 3);
    SketchSegView v;
    for (size_t n = 0; n < good.size(); ++n)
        EXPECT_EQ(SketchSegView::parse(ByteView(good.data(), n), v), Status::TruncatedSegment) << n;
    auto q = good;
    q.push_back(0);
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[0], 0);
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[4], 0);
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[40] = 1;
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[0], 0xFFFFFFFF);
    store_u32_le(&q[4], 0xFFFFFFFF);
    EXPECT_EQ(parse(q, v), Status::TruncatedSegment);
    ByteWriter c;
    EXPECT_EQ(encode_sketch_seg(c, 0, 4, 0), Status::InvalidArgument);
    EXPECT_EQ(encode_sketch_seg(c, 4, 0, 0), Status::InvalidArgument);
}

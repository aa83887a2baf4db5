// Layout S HOT_SEG (spec §6.3): header offsets, 64-aligned entries (the spec's 960-byte example),
// round trip, strict padding, every truncation rejected.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <rvf/core/format/hot_seg.hpp>

using namespace rvf::core;

namespace {
struct Fixture {
    std::vector<std::vector<uint8_t>> vecs;
    std::vector<std::vector<uint64_t>> nbrs;
    std::vector<HotEntryInput> in;
    HotHeader h;
    Fixture(uint16_t dim, uint8_t dtype, uint32_t n) {
        h.dim = dim;
        h.dtype = dtype;
        h.neighbor_m = 16;
        const size_t vb = dim * data_type_element_size(dtype);
        for (uint32_t i = 0; i < n; ++i) {
            vecs.emplace_back(vb);
            for (size_t k = 0; k < vb; ++k)
                vecs.back()[k] = static_cast<uint8_t>(i * 31 + k);
            nbrs.emplace_back();
            for (uint64_t j = 0; j < i * 3; ++j) // varying list lengths: 0, 3, 6, ...
                nbrs.back().push_back(1000 * i + j);
        }
        for (uint32_t i = 0; i < n; ++i)
            in.push_back({100u * i + 1, vecs[i].data(), nbrs[i].data(), static_cast<uint16_t>(nbrs[i].size())});
    }
    std::vector<uint8_t> encode() const {
        ByteWriter c;
        EXPECT_EQ(encode_hot_seg(c, h, in.data(), in.size()), Status::Ok);
        std::vector<uint8_t> out(c.pos(), 0xCC);
        ByteWriter w(MutByteView(out.data(), out.size()));
        EXPECT_EQ(encode_hot_seg(w, h, in.data(), in.size()), Status::Ok);
        EXPECT_EQ(w.pos(), out.size());
        return out;
    }
};
Status parse(const std::vector<uint8_t> &b, HotSegView &v) {
    return HotSegView::parse(ByteView(b.data(), b.size()), v);
}
} // namespace

TEST(HotSeg, SpecEntrySizeExample) {
    EXPECT_EQ(hot_entry_size(384, uint8_t(DataType::F16), 16), 960u); // 8 + 768 + 2 + 128 = 906
    EXPECT_EQ(hot_entry_size(4, uint8_t(DataType::F32), 0), 64u);     // 8 + 16 + 2 = 26
    EXPECT_EQ(hot_entry_size(4, uint8_t(DataType::F32), 5), 128u);    // 26 + 40 = 66
}

TEST(HotSeg, HeaderAndEntryOffsets) {
    Fixture f(4, uint8_t(DataType::F32), 2);
    const auto p = f.encode();
    EXPECT_EQ(load_u32_le(&p[0]), 2u);
    EXPECT_EQ(load_u16_le(&p[4]), 4u);
    EXPECT_EQ(p[6], 0);
    EXPECT_EQ(load_u16_le(&p[7]), 16u);
    for (size_t i = 9; i < 64; ++i)
        EXPECT_EQ(p[i], 0);
    // Entry 0 at 64: id 1, 16 vector bytes, 0 neighbours → 26 bytes padded to 64.
    EXPECT_EQ(load_u64_le(&p[64]), 1u);
    EXPECT_EQ(p[72], 0);
    EXPECT_EQ(p[73], 1);
    EXPECT_EQ(load_u16_le(&p[88]), 0u);
    // Entry 1 at 128: id 101, neighbours 1000, 1001, 1002 → 26 + 24 = 50 → 64.
    EXPECT_EQ(load_u64_le(&p[128]), 101u);
    EXPECT_EQ(load_u16_le(&p[128 + 24]), 3u);
    EXPECT_EQ(load_u64_le(&p[128 + 26]), 1000u);
    EXPECT_EQ(load_u64_le(&p[128 + 42]), 1002u);
    EXPECT_EQ(p.size(), 192u);
}

TEST(HotSeg, RoundTrip) {
    Fixture f(384, uint8_t(DataType::F16), 5);
    const auto p = f.encode();
    HotSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.header.vector_count, 5u);
    EXPECT_EQ(v.header.dim, 384u);
    EXPECT_EQ(v.header.neighbor_m, 16u);
    EXPECT_EQ(v.vector_bytes(), 768u);
    HotEntryCursor c = v.cursor();
    HotEntry e;
    uint32_t i = 0;
    while (c.next(e)) {
        EXPECT_EQ(e.vector_id, 100u * i + 1);
        ASSERT_EQ(e.vector.size, 768u);
        EXPECT_EQ(0, std::memcmp(e.vector.data, f.vecs[i].data(), 768));
        ASSERT_EQ(e.neighbor_count, f.nbrs[i].size());
        for (uint16_t j = 0; j < e.neighbor_count; ++j)
            EXPECT_EQ(e.neighbor(j), f.nbrs[i][j]);
        EXPECT_EQ(e.neighbor(e.neighbor_count), 0u);
        ++i;
    }
    EXPECT_EQ(i, 5u);
    ASSERT_EQ(v.entry(3, e), Status::Ok);
    EXPECT_EQ(e.vector_id, 301u);
    EXPECT_EQ(v.entry(5, e), Status::InvalidArgument);
}

TEST(HotSeg, EmptySegmentIsJustTheHeader) {
    Fixture f(128, uint8_t(DataType::F16), 0);
    const auto p = f.encode();
    EXPECT_EQ(p.size(), 64u);
    HotSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    HotEntry e;
    EXPECT_FALSE(v.cursor().next(e));
}

TEST(HotSeg, EveryTruncationRejected) {
    Fixture f(3, uint8_t(DataType::U8), 4);
    const auto p = f.encode();
    HotSegView v;
    for (size_t n = 0; n < p.size(); ++n)
        EXPECT_NE(HotSegView::parse(ByteView(p.data(), n), v), Status::Ok) << n;
}

TEST(HotSeg, StrictChecks) {
    Fixture f(4, uint8_t(DataType::F32), 3);
    const auto good = f.encode();
    HotSegView v;
    ASSERT_EQ(parse(good, v), Status::Ok);
    auto q = good;
    q[20] = 1; // header padding
    EXPECT_EQ(parse(q, v), Status::AlignmentError);
    q = good;
    q[127] = 1; // entry 0 padding
    EXPECT_EQ(parse(q, v), Status::AlignmentError);
    q = good;
    q[6] = 9; // dtype
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u16_le(&q[4], 0); // dim 0
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q.resize(q.size() + 64, 0); // trailing bytes after the last entry
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[0], 0xFFFFFFFF); // absurd count, rejected before walking
    EXPECT_EQ(parse(q, v), Status::TruncatedSegment);
    q = good;
    store_u16_le(&q[128 + 24], 200); // neighbour list running past the payload
    EXPECT_EQ(parse(q, v), Status::TruncatedSegment);
}

TEST(HotSeg, EncoderRejectsBadInput) {
    Fixture f(4, uint8_t(DataType::F32), 2);
    ByteWriter c;
    HotHeader h = f.h;
    h.dim = 0;
    EXPECT_EQ(encode_hot_seg(c, h, f.in.data(), f.in.size()), Status::InvalidArgument);
    h = f.h;
    h.dtype = 42;
    EXPECT_EQ(encode_hot_seg(c, h, f.in.data(), f.in.size()), Status::InvalidArgument);
    auto in = f.in;
    in[1].neighbors = nullptr;
    EXPECT_EQ(encode_hot_seg(c, f.h, in.data(), in.size()), Status::InvalidArgument);
    uint8_t small[100];
    ByteWriter w(MutByteView(small, sizeof small));
    EXPECT_EQ(encode_hot_seg(w, f.h, f.in.data(), f.in.size()), Status::OutOfMemory);
}

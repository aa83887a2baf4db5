// QUANT_SEG (spec §6.5): header and body layouts, round trips, strict shape checks, every
// truncation rejected; scalar/binary formulas with hand-computed values.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include <rvf/core/format/quant_seg.hpp>

using namespace rvf::core;

namespace {
template <class F> std::vector<uint8_t> build(F &&encode) {
    ByteWriter c;
    EXPECT_EQ(encode(c), Status::Ok);
    std::vector<uint8_t> out(c.pos(), 0xCC);
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode(w), Status::Ok);
    EXPECT_EQ(w.pos(), out.size());
    return out;
}
Status parse(const std::vector<uint8_t> &b, QuantSegView &v) {
    return QuantSegView::parse(ByteView(b.data(), b.size()), v);
}
} // namespace

TEST(QuantSeg, ScalarLayoutAndRoundTrip) {
    const float mn[4] = {-1.0f, -2.0f, -0.5f, 0.0f}, mx[4] = {1.0f, 2.0f, 0.5f, 1.0f};
    const auto p = build([&](ByteWriter &w) { return encode_quant_scalar(w, 4, mn, mx); });
    ASSERT_EQ(p.size(), 64u + 32u);
    EXPECT_EQ(p[0], 0);                // scalar
    EXPECT_EQ(p[1], 0);                // hot
    EXPECT_EQ(load_u16_le(&p[2]), 4u); // dim
    for (size_t i = 4; i < 64; ++i)
        EXPECT_EQ(p[i], 0);
    EXPECT_EQ(load_f32_le(&p[64]), -1.0f);     // min[0]
    EXPECT_EQ(load_f32_le(&p[64 + 16]), 1.0f); // max[0]
    EXPECT_EQ(load_f32_le(&p[64 + 28]), 1.0f); // max[3]
    QuantSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.quant_type, 0);
    EXPECT_EQ(v.dim, 4);
    for (uint16_t d = 0; d < 4; ++d) {
        EXPECT_EQ(v.min(d), mn[d]);
        EXPECT_EQ(v.max(d), mx[d]);
    }
}

TEST(QuantSeg, ProductLayoutAndRoundTrip) {
    std::vector<float> book(2 * 4 * 2);
    for (size_t i = 0; i < book.size(); ++i)
        book[i] = 0.1f * static_cast<float>(i);
    const auto p = build([&](ByteWriter &w) { return encode_quant_product(w, 2, 4, 2, book.data()); });
    ASSERT_EQ(p.size(), 64u + 6u + 64u);
    EXPECT_EQ(p[0], 1);
    EXPECT_EQ(p[1], 1);                 // warm
    EXPECT_EQ(load_u16_le(&p[2]), 4u);  // dim = M · sub_dim
    EXPECT_EQ(load_u16_le(&p[64]), 2u); // M
    EXPECT_EQ(load_u16_le(&p[66]), 4u); // K
    EXPECT_EQ(load_u16_le(&p[68]), 2u); // sub_dim
    QuantSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.pq_m, 2);
    EXPECT_EQ(v.pq_k, 4);
    EXPECT_EQ(v.pq_sub_dim, 2);
    for (uint16_t m = 0; m < 2; ++m)
        for (uint16_t k = 0; k < 4; ++k)
            for (uint16_t j = 0; j < 2; ++j)
                EXPECT_EQ(v.centroid(m, k, j), book[(m * 4u + k) * 2u + j]);
}

TEST(QuantSeg, BinaryWithAndWithoutThresholds) {
    auto p = build([&](ByteWriter &w) { return encode_quant_binary(w, 16); });
    ASSERT_EQ(p.size(), 64u);
    EXPECT_EQ(p[0], 2);
    EXPECT_EQ(p[1], 2); // cold
    QuantSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_FALSE(v.has_thresholds());
    const float th[3] = {0.5f, -1.0f, 2.0f};
    p = build([&](ByteWriter &w) { return encode_quant_binary(w, 3, th); });
    ASSERT_EQ(parse(p, v), Status::Ok);
    ASSERT_TRUE(v.has_thresholds());
    EXPECT_EQ(v.threshold(1), -1.0f);
    p.push_back(0); // neither empty nor dim floats
    EXPECT_EQ(parse(p, v), Status::InvalidManifest);
}

TEST(QuantSeg, StrictChecksAndTruncations) {
    const float mn[2] = {0, 0}, mx[2] = {1, 1};
    const auto sq = build([&](ByteWriter &w) { return encode_quant_scalar(w, 2, mn, mx); });
    std::vector<float> book(4 * 3 * 2, 1.0f);
    const auto pq = build([&](ByteWriter &w) { return encode_quant_product(w, 4, 3, 2, book.data()); });
    QuantSegView v;
    for (const auto *p : {&sq, &pq})
        for (size_t n = 0; n < p->size(); ++n)
            EXPECT_EQ(QuantSegView::parse(ByteView(p->data(), n), v), Status::TruncatedSegment) << n;
    auto q = sq;
    q.push_back(0);
    EXPECT_EQ(parse(q, v), Status::InvalidManifest); // trailing bytes
    q = sq;
    q[10] = 1;
    EXPECT_EQ(parse(q, v), Status::InvalidManifest); // reserved header byte
    q = sq;
    q[1] = 3;
    EXPECT_EQ(parse(q, v), Status::InvalidManifest); // tier
    q = sq;
    q[0] = 4;
    EXPECT_EQ(parse(q, v), Status::InvalidManifest); // quant type
    q = sq;
    q[0] = 3;
    EXPECT_EQ(parse(q, v), Status::AlgoUnsupported); // residual PQ
    q = sq;
    store_u16_le(&q[2], 0);
    EXPECT_EQ(parse(q, v), Status::InvalidManifest); // dim 0
    q = pq;
    store_u16_le(&q[2], 9);
    EXPECT_EQ(parse(q, v), Status::InvalidManifest); // M · sub_dim ≠ dim
    q = pq;
    store_u16_le(&q[66], 0);
    EXPECT_EQ(parse(q, v), Status::InvalidManifest); // K = 0
    q = pq;
    store_u16_le(&q[66], 257);
    EXPECT_EQ(parse(q, v), Status::InvalidManifest); // K > 256
    ByteWriter c;
    EXPECT_EQ(encode_quant_product(c, 2, 300, 2, book.data()), Status::InvalidArgument);
    EXPECT_EQ(encode_quant_product(c, 300, 2, 300, book.data()), Status::InvalidArgument); // dim > u16
    EXPECT_EQ(encode_quant_scalar(c, 0, mn, mx), Status::InvalidArgument);
    EXPECT_EQ(encode_quant_binary(c, 4, nullptr, 7), Status::InvalidArgument);
}

TEST(QuantFormulas, ScalarEncodeDecode) {
    EXPECT_EQ(sq_encode_value(-1.0f, -1.0f, 1.0f), 0);
    EXPECT_EQ(sq_encode_value(1.0f, -1.0f, 1.0f), 255);
    EXPECT_EQ(sq_encode_value(0.0f, -1.0f, 1.0f), 128); // 127.5 rounds half away from zero
    EXPECT_EQ(sq_encode_value(5.0f, -1.0f, 1.0f), 255); // clamped
    EXPECT_EQ(sq_encode_value(-5.0f, -1.0f, 1.0f), 0);
    EXPECT_EQ(sq_encode_value(NAN, -1.0f, 1.0f), 0);
    EXPECT_EQ(sq_encode_value(0.25f, 0.0f, 1.0f), 64); // 63.75
    EXPECT_EQ(sq_encode_value(0.0f, 0.0f, 255.0f), 0);
    EXPECT_EQ(sq_encode_value(100.49f, 0.0f, 255.0f), 100);
    EXPECT_EQ(sq_encode_value(100.5f, 0.0f, 255.0f), 101);
    // A value just under a half must not round up through an x + 0.5 shortcut.
    EXPECT_EQ(round_unit255(0.49999997f), 0);
    EXPECT_EQ(round_unit255(254.5f), 255);
    EXPECT_EQ(sq_decode_value(0, -1.0f, 1.0f), -1.0f);
    EXPECT_EQ(sq_decode_value(255, -1.0f, 1.0f), 1.0f);
    EXPECT_FLOAT_EQ(sq_decode_value(51, 0.0f, 5.0f), 1.0f);
    // Round trip error ≤ half a step.
    for (int i = 0; i <= 1000; ++i) {
        const float x = -3.0f + 6.0f * static_cast<float>(i) / 1000.0f;
        const float y = sq_decode_value(sq_encode_value(x, -3.0f, 3.0f), -3.0f, 3.0f);
        EXPECT_LE(std::fabs(x - y), 6.0f / 255.0f / 2.0f + 1e-6f);
    }
    EXPECT_EQ(sq_fix_max(2.0f, 2.0f), 3.0f);
    EXPECT_EQ(sq_fix_max(2.0f, 2.0f + 1e-7f), 3.0f); // below f32 epsilon
    EXPECT_EQ(sq_fix_max(0.0f, 1e-6f), 1e-6f);
    static_assert(sq_encode_value(1.0f, 0.0f, 1.0f) == 255, "constexpr");
}

TEST(QuantFormulas, ScalarVectorsAndQuantizedL2) {
    const float mn[3] = {0, -1, 10}, mx[3] = {1, 1, 20};
    const float a[3] = {0.5f, -1.0f, 20.0f}, b[3] = {0.0f, 1.0f, 10.0f};
    uint8_t ca[3], cb[3];
    sq_encode(a, mn, mx, 3, ca);
    sq_encode(b, mn, mx, 3, cb);
    EXPECT_EQ(ca[0], 128);
    EXPECT_EQ(ca[1], 0);
    EXPECT_EQ(ca[2], 255);
    float out[3];
    sq_decode(ca, mn, mx, 3, out);
    EXPECT_EQ(out[1], -1.0f);
    // Σ Δ²·range²/65025 = 128²·1/65025 + 255²·4/65025 + 255²·100/65025
    const double expect = (128.0 * 128.0 * 1.0 + 255.0 * 255.0 * 4.0 + 255.0 * 255.0 * 100.0) / 65025.0;
    EXPECT_NEAR(sq_l2_quantized(ca, cb, mn, mx, 3), expect, 1e-4);
    EXPECT_EQ(sq_l2_quantized(ca, ca, mn, mx, 3), 0.0f);
}

TEST(QuantFormulas, BinaryPacksLsbFirst) {
    const float v[9] = {1.0f, -1.0f, -0.5f, -2.0f, 0.0f, 0.1f, -0.1f, 0.9f, -0.0f};
    uint8_t bits[2] = {0xFF, 0xFF};
    EXPECT_EQ(binary_code_size(9), 2u);
    binary_encode(v, 9, bits);
    // dims 0, 4, 5, 7 set in byte 0 → 0b1011'0001; dim 8 (-0.0 ≥ 0) → bit 0 of byte 1.
    EXPECT_EQ(bits[0], 0xB1);
    EXPECT_EQ(bits[1], 0x01);
    float out[9];
    binary_decode(bits, 9, out);
    EXPECT_EQ(out[0], 1.0f);
    EXPECT_EQ(out[1], -1.0f);
    EXPECT_EQ(out[8], 1.0f);
    const uint8_t x[3] = {0xFF, 0x00, 0x0F}, y[3] = {0x00, 0x00, 0xF0};
    EXPECT_EQ(hamming_distance(x, y, 3), 16u);
    EXPECT_EQ(hamming_distance(x, x, 3), 0u);
    const float nan1[1] = {NAN};
    binary_encode(nan1, 1, bits);
    EXPECT_EQ(bits[0], 0);
}

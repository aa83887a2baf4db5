// Layout S VEC_SEG (spec §6.2): directory and block offsets, columnar layout, id map, block
// CRC32C, element access per dtype, every truncation and every single-bit flip rejected.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include <rvf/core/format/vec_seg.hpp>

using namespace rvf::core;

namespace {
std::vector<uint8_t> encode(const std::vector<VecBlockInput> &blocks) {
    uint64_t size = 0;
    EXPECT_EQ(vec_seg_encoded_size(blocks.data(), blocks.size(), size), Status::Ok);
    ByteWriter counter;
    EXPECT_EQ(encode_vec_seg(counter, blocks.data(), blocks.size()), Status::Ok);
    EXPECT_EQ(counter.pos(), size);
    std::vector<uint8_t> out(size, 0xCC);
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode_vec_seg(w, blocks.data(), blocks.size()), Status::Ok);
    EXPECT_EQ(w.pos(), size);
    return out;
}
Status parse(const std::vector<uint8_t> &b, VecSegView &v) {
    return VecSegView::parse(ByteView(b.data(), b.size()), v);
}

// 4 vectors × 3 dims, value = 10·v + d (+0.5 so f16 is exact too).
struct Sample {
    std::vector<float> rows;
    std::vector<uint64_t> ids = {10, 20, 30, 45};
    Sample() {
        for (int v = 0; v < 4; ++v)
            for (int d = 0; d < 3; ++d)
                rows.push_back(static_cast<float>(10 * v + d) + 0.5f);
    }
};
} // namespace

TEST(VecSeg, LayoutOffsetsAndCrc) {
    Sample s;
    VecBlockInput b;
    b.rows = s.rows.data();
    b.ids = s.ids.data();
    b.count = 4;
    b.dim = 3;
    const auto p = encode({b});
    // Directory: count 1, entry (offset 64, count 4, dim 3, f32, hot), padded to 64.
    EXPECT_EQ(load_u32_le(&p[0]), 1u);
    EXPECT_EQ(load_u32_le(&p[4]), 64u);
    EXPECT_EQ(load_u32_le(&p[8]), 4u);
    EXPECT_EQ(load_u16_le(&p[12]), 3u);
    EXPECT_EQ(p[14], 0);
    EXPECT_EQ(p[15], 0);
    for (size_t i = 16; i < 64; ++i)
        EXPECT_EQ(p[i], 0) << i;
    // Columnar: dim 0 of vectors 0..3, then dim 1, ...
    for (int d = 0; d < 3; ++d)
        for (int v = 0; v < 4; ++v)
            EXPECT_EQ(load_f32_le(&p[64 + 4 * (4 * d + v)]), static_cast<float>(10 * v + d) + 0.5f);
    // ID map at 64 + 48: delta-varint, restart 128, count 4, ids 10,+10,+10,+15.
    const size_t m = 64 + 48;
    EXPECT_EQ(p[m], 1);
    EXPECT_EQ(load_u16_le(&p[m + 1]), 128u);
    EXPECT_EQ(load_u32_le(&p[m + 3]), 4u);
    EXPECT_EQ(p[m + 7], 10);
    EXPECT_EQ(p[m + 8], 10);
    EXPECT_EQ(p[m + 9], 10);
    EXPECT_EQ(p[m + 10], 15);
    // CRC32C of vectors ‖ id map, computed independently, then zeros to 64.
    const size_t crc_at = m + 11;
    EXPECT_EQ(load_u32_le(&p[crc_at]), crc32c_portable(ByteView(&p[64], crc_at - 64)));
    EXPECT_EQ(p.size(), 128u); // directory 64 + block (48 + 11 + 4 = 63 → 64)
    for (size_t i = crc_at + 4; i < p.size(); ++i)
        EXPECT_EQ(p[i], 0);
}

TEST(VecSeg, RoundTripMultipleBlocksAndDtypes) {
    Sample s;
    std::vector<uint16_t> half(s.rows.size());
    for (size_t i = 0; i < half.size(); ++i)
        half[i] = f32_to_f16(s.rows[i]);
    std::vector<int8_t> i8 = {-128, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 127};
    std::vector<uint8_t> u8 = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 200, 255};
    std::vector<uint64_t> raw_ids = {9, 3, 7, 1}; // raw ids need not be sorted

    VecBlockInput f32b{s.rows.data(), nullptr, s.ids.data(), 4, 3};
    VecBlockInput f16b{half.data(),
                       nullptr,
                       raw_ids.data(),
                       4,
                       3,
                       uint8_t(DataType::F16),
                       uint8_t(TemperatureTier::Warm),
                       uint8_t(IdEncoding::Raw)};
    VecBlockInput f16conv{nullptr, s.rows.data(), s.ids.data(), 4, 3, uint8_t(DataType::F16)};
    VecBlockInput i8b{i8.data(), nullptr, s.ids.data(), 4, 3, uint8_t(DataType::I8), uint8_t(TemperatureTier::Cold)};
    VecBlockInput u8b{u8.data(), nullptr, s.ids.data(), 4, 3, uint8_t(DataType::U8)};
    VecBlockInput empty{nullptr, nullptr, nullptr, 0, 7};
    const auto p = encode({f32b, f16b, f16conv, i8b, u8b, empty});

    VecSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    ASSERT_EQ(v.block_count, 6u);
    EXPECT_EQ(v.directory_size, 128u); // 4 + 6·12 = 76 → 128
    EXPECT_EQ(v.total_vectors(), 20u);
    uint32_t prev_end = 128;
    for (uint32_t i = 0; i < 6; ++i) {
        const VecBlockInfo e = v.block_info(i);
        EXPECT_EQ(e.block_offset, prev_end) << "blocks are contiguous";
        VecBlockView bv;
        ASSERT_EQ(v.block(i, bv), Status::Ok);
        EXPECT_EQ(bv.span % 64, 0u);
        prev_end = e.block_offset + static_cast<uint32_t>(bv.span);
    }
    EXPECT_EQ(prev_end, p.size());

    VecBlockView b;
    float out[3];
    ASSERT_EQ(v.block(0, b), Status::Ok);
    for (uint32_t k = 0; k < 4; ++k) {
        ASSERT_EQ(b.copy_vector_f32(k, out, 3), Status::Ok);
        for (uint32_t d = 0; d < 3; ++d) {
            EXPECT_EQ(out[d], s.rows[k * 3 + d]);
            EXPECT_EQ(b.element(k, d), s.rows[k * 3 + d]);
        }
        EXPECT_EQ(b.id(k), s.ids[k]);
    }
    EXPECT_EQ(b.element(4, 0), 0.0f);
    EXPECT_EQ(b.copy_vector_f32(4, out, 3), Status::InvalidArgument);
    EXPECT_EQ(b.copy_vector_f32(0, out, 2), Status::InvalidArgument);

    ASSERT_EQ(v.block(1, b), Status::Ok);
    EXPECT_EQ(b.info.dtype, uint8_t(DataType::F16));
    EXPECT_EQ(b.info.tier, uint8_t(TemperatureTier::Warm));
    EXPECT_EQ(b.id_encoding, 0);
    for (uint32_t k = 0; k < 4; ++k) {
        ASSERT_EQ(b.copy_vector_f32(k, out, 3), Status::Ok);
        for (uint32_t d = 0; d < 3; ++d)
            EXPECT_EQ(out[d], s.rows[k * 3 + d]);
        EXPECT_EQ(b.id(k), raw_ids[k]);
    }
    VecBlockView c;
    ASSERT_EQ(v.block(2, c), Status::Ok); // converted from f32 on the way in: same bytes as block 1
    EXPECT_EQ(0, std::memcmp(c.vectors.data, b.vectors.data, b.vectors.size));

    ASSERT_EQ(v.block(3, b), Status::Ok);
    uint8_t raw[3];
    EXPECT_EQ(b.copy_vector_f32(0, out, 3), Status::InvalidArgument); // i8 is raw-only
    ASSERT_EQ(b.copy_vector_raw(0, raw, 3), Status::Ok);
    EXPECT_EQ(int8_t(raw[0]), -128);
    EXPECT_EQ(int8_t(raw[1]), -1);
    EXPECT_EQ(b.element(3, 2), 127.0f);
    EXPECT_EQ(b.element(0, 0), -128.0f);
    ASSERT_EQ(v.block(4, b), Status::Ok);
    ASSERT_EQ(b.copy_vector_raw(3, raw, 3), Status::Ok);
    EXPECT_EQ(raw[0], 9);
    EXPECT_EQ(raw[1], 200);
    EXPECT_EQ(raw[2], 255);
    EXPECT_EQ(b.copy_vector_raw(0, raw, 2), Status::InvalidArgument);
    ASSERT_EQ(v.block(5, b), Status::Ok);
    EXPECT_EQ(b.count(), 0u);
    EXPECT_EQ(b.dim(), 7u);
    EXPECT_EQ(v.block(6, b), Status::InvalidArgument);
}

TEST(VecSeg, CopyRowsRawTransposesAnyRangeOfEveryElementSize) {
    // 300 rows cross several 64-row tiles; dtypes of 4, 2 and 1 bytes. Every sub-range must
    // equal the per-vector gather.
    constexpr uint32_t n = 300;
    constexpr uint16_t dim = 5;
    std::vector<uint64_t> ids(n);
    for (uint32_t i = 0; i < n; ++i)
        ids[i] = i;
    std::vector<float> f32(n * dim);
    std::vector<uint16_t> f16(n * dim);
    std::vector<uint8_t> u8(n * dim);
    for (size_t i = 0; i < f32.size(); ++i) {
        f32[i] = static_cast<float>(i) * 0.25f;
        f16[i] = static_cast<uint16_t>(i * 7);
        u8[i] = static_cast<uint8_t>(i * 13);
    }
    const auto p = encode({VecBlockInput{f32.data(), nullptr, ids.data(), n, dim},
                           VecBlockInput{f16.data(), nullptr, ids.data(), n, dim, uint8_t(DataType::F16)},
                           VecBlockInput{u8.data(), nullptr, ids.data(), n, dim, uint8_t(DataType::U8)}});
    VecSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    for (uint32_t bi = 0; bi < v.block_count; ++bi) {
        VecBlockView b;
        ASSERT_EQ(v.block(bi, b), Status::Ok);
        const size_t row = b.elem_size * dim;
        std::vector<uint8_t> want(row), got(row * n);
        for (auto [first, count] : {std::pair<uint32_t, uint32_t>{0, n}, {0, 1}, {63, 2}, {100, 200}, {299, 1}, {300, 0}}) {
            std::fill(got.begin(), got.end(), 0xEE);
            ASSERT_EQ(b.copy_rows_raw(first, count, got.data(), got.size()), Status::Ok);
            for (uint32_t k = 0; k < count; ++k) {
                ASSERT_EQ(b.copy_vector_raw(first + k, want.data(), want.size()), Status::Ok);
                ASSERT_EQ(0, std::memcmp(want.data(), got.data() + k * row, row))
                    << "block " << bi << " rows " << first << "+" << count << " row " << k;
            }
        }
        EXPECT_EQ(b.copy_rows_raw(0, n + 1, got.data(), got.size() + row), Status::InvalidArgument);
        EXPECT_EQ(b.copy_rows_raw(301, 0, got.data(), got.size()), Status::InvalidArgument);
        EXPECT_EQ(b.copy_rows_raw(0, 2, got.data(), 2 * row - 1), Status::InvalidArgument);
        EXPECT_EQ(b.copy_rows_raw(0, 1, nullptr, 0), Status::InvalidArgument);
    }
}

TEST(VecSeg, DeltaIdsWithSmallRestartInterval) {
    std::vector<float> rows(10, 1.0f);
    std::vector<uint64_t> ids;
    for (uint64_t i = 0; i < 10; ++i)
        ids.push_back(1000 + i * i);
    VecBlockInput b{rows.data(), nullptr, ids.data(), 10, 1};
    b.restart_interval = 3;
    const auto p = encode({b});
    VecSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    VecBlockView bv;
    ASSERT_EQ(v.block(0, bv), Status::Ok);
    EXPECT_EQ(bv.restart_interval, 3u);
    DeltaIdsView d = bv.delta_ids();
    std::vector<uint32_t> offs(d.restart_count());
    ASSERT_EQ(d.fill_restart_offsets(offs.data(), offs.size()), Status::Ok);
    ASSERT_EQ(d.set_restart_offsets(offs.data(), offs.size()), Status::Ok);
    for (uint32_t i = 0; i < 10; ++i) {
        EXPECT_EQ(bv.id(i), ids[i]);
        EXPECT_EQ(d.at(i), ids[i]);
    }
}

TEST(VecSeg, EmptySegment) {
    const auto p = encode({});
    EXPECT_EQ(p.size(), 64u);
    VecSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.block_count, 0u);
    EXPECT_EQ(v.total_vectors(), 0u);
}

TEST(VecSeg, EveryTruncationRejected) {
    Sample s;
    std::vector<uint64_t> raw_ids = {1, 2, 3, 4};
    VecBlockInput a{s.rows.data(), nullptr, s.ids.data(), 4, 3};
    VecBlockInput b{s.rows.data(), nullptr, raw_ids.data(), 4, 3, 0, 0, uint8_t(IdEncoding::Raw)};
    const auto p = encode({a, b});
    VecSegView v;
    for (size_t n = 0; n < p.size(); ++n)
        EXPECT_NE(VecSegView::parse(ByteView(p.data(), n), v), Status::Ok) << n;
}

TEST(VecSeg, EverySingleBitFlipInABlockIsDetected) {
    Sample s;
    std::vector<uint64_t> raw_ids = {1, 2, 3, 4};
    VecBlockInput a{s.rows.data(), nullptr, s.ids.data(), 4, 3};
    VecBlockInput b{s.rows.data(), nullptr, raw_ids.data(), 4, 3, 0, 0, uint8_t(IdEncoding::Raw)};
    const auto p = encode({a, b});
    VecSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    int crc_caught = 0;
    for (uint32_t blk = 0; blk < 2; ++blk) {
        VecBlockView bv;
        ASSERT_EQ(v.block(blk, bv), Status::Ok);
        const size_t start = bv.info.block_offset;
        const size_t vec_end = start + bv.vectors.size;
        const size_t ids_start = static_cast<size_t>(bv.id_bytes.data - p.data());
        const size_t crc_end = ids_start + bv.id_bytes.size + 4;
        for (size_t i = start; i < start + bv.span; ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                auto q = p;
                q[i] ^= static_cast<uint8_t>(1u << bit);
                const Status st = parse(q, v);
                ASSERT_NE(st, Status::Ok) << "byte " << i << " bit " << bit;
                // Vector bytes, raw ids and the CRC itself leave the structure intact: only the
                // CRC can catch those.
                const bool data_only =
                    i < vec_end || (i >= crc_end - 4 && i < crc_end) || (blk == 1 && i >= ids_start && i < crc_end);
                if (data_only) {
                    EXPECT_EQ(st, Status::InvalidChecksum) << "byte " << i << " bit " << bit;
                    ++crc_caught;
                }
            }
        }
    }
    EXPECT_EQ(crc_caught, 8 * ((48 + 4) + (48 + 32 + 4)));
}

TEST(VecSeg, DirectoryAndBlockErrors) {
    Sample s;
    VecBlockInput a{s.rows.data(), nullptr, s.ids.data(), 4, 3};
    const auto good = encode({a, a});
    VecSegView v;
    ASSERT_EQ(parse(good, v), Status::Ok);
    const uint32_t off1 = load_u32_le(&good[4 + 12]);

    auto q = good;
    store_u32_le(&q[4 + 12], load_u32_le(&good[4])); // second block overlaps the first
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[4], 0); // block inside the directory
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[4 + 12], off1 + 8); // misaligned
    EXPECT_EQ(parse(q, v), Status::AlignmentError);
    q = good;
    store_u32_le(&q[4 + 12], 0xFFFFFFC0u); // beyond the payload
    EXPECT_EQ(parse(q, v), Status::TruncatedSegment);
    q = good;
    q[4 + 10] = 9; // unknown dtype
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[4 + 11] = 3; // unknown tier
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u16_le(&q[4 + 8], 0); // dim 0
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[4 + 4], 5); // directory count ≠ id_count
    EXPECT_NE(parse(q, v), Status::Ok);
    q = good;
    store_u32_le(&q[0], 0x10000000); // absurd block count
    EXPECT_EQ(parse(q, v), Status::TruncatedSegment);
    q = good;
    q[63] = 1; // non-zero directory padding
    EXPECT_EQ(parse(q, v), Status::AlignmentError);
    q = good;
    q[off1 - 1] = 1; // non-zero block padding (after the CRC of block 0)
    EXPECT_EQ(parse(q, v), Status::AlignmentError);
    q = good;
    q.resize(q.size() + 64, 0); // a trailing gap is tolerated
    EXPECT_EQ(parse(q, v), Status::Ok);

    // Id map header errors are caught by structure checks before the CRC is compared.
    q = good;
    const size_t m = 64 + 48;
    q[m] = 2;
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u16_le(&q[m + 1], 0); // delta coding with restart interval 0
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
}

TEST(VecSeg, EncoderRejectsBadInput) {
    Sample s;
    uint64_t size = 0;
    VecBlockInput b{s.rows.data(), nullptr, s.ids.data(), 4, 3};
    b.dim = 0;
    EXPECT_EQ(vec_seg_encoded_size(&b, 1, size), Status::InvalidArgument);
    b.dim = 3;
    b.dtype = 9;
    EXPECT_EQ(vec_seg_encoded_size(&b, 1, size), Status::InvalidArgument);
    b.dtype = uint8_t(DataType::I8);
    b.rows_f32 = s.rows.data(); // f32 input only narrows to f32/f16/bf16
    EXPECT_EQ(vec_seg_encoded_size(&b, 1, size), Status::InvalidArgument);
    b.rows_f32 = nullptr;
    b.dtype = 0;
    std::vector<uint64_t> down = {4, 3, 2, 1};
    b.ids = down.data();
    EXPECT_EQ(vec_seg_encoded_size(&b, 1, size), Status::InvalidArgument); // delta needs sorted ids
    b.id_encoding = uint8_t(IdEncoding::Raw);
    EXPECT_EQ(vec_seg_encoded_size(&b, 1, size), Status::Ok);
    b.ids = nullptr;
    EXPECT_EQ(vec_seg_encoded_size(&b, 1, size), Status::InvalidArgument);
    b.ids = s.ids.data();
    std::vector<uint8_t> small(100);
    ByteWriter w(MutByteView(small.data(), small.size()));
    EXPECT_EQ(encode_vec_seg(w, &b, 1), Status::OutOfMemory);
}

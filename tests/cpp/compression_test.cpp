// Segment payload codecs (rvf/compression.hpp): ZSTD and LZ4 round trips, a store written with
// each, and the ways a damaged or lying zstd frame must be refused without allocating what it
// claims (truncation, every single-bit flip, a frame declaring 4 GiB or more than it holds).
// Runs natively and under node in the wasm-release build: every hosted build has both codecs.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <rvf/compression.hpp>
#include <rvf/core/format/segment_header.hpp>
#include <rvf/file_report.hpp>
#include <rvf/layout_s_writer.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

using Bytes = std::vector<uint8_t>;

core::SegmentHeader header_for(core::Compression c, uint32_t uncompressed_len, uint64_t stored_len) {
    core::SegmentHeader h;
    h.seg_type = static_cast<uint8_t>(core::SegType::Vec);
    h.segment_id = 7;
    h.flags = core::SegFlag::Compressed;
    h.compression = static_cast<uint8_t>(c);
    h.uncompressed_len = uncompressed_len;
    h.payload_length = stored_len;
    return h;
}

/// f32 rows rounded to quarter steps: what real embeddings look like to a byte codec (many
/// repeated exponent bytes), so both codecs save space. Seeded, so every run sees the same rows.
Bytes float_rows(size_t n_floats, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int> q(-8, 8);
    std::vector<float> f(n_floats);
    for (float &x : f)
        x = float(q(rng)) / 4.0f;
    Bytes b(n_floats * 4);
    std::memcpy(b.data(), f.data(), b.size());
    return b;
}

Result<Bytes> decode(core::Compression c, const Bytes &stored, uint32_t uncompressed_len) {
    return segment_payload(header_for(c, uncompressed_len, stored.size()), core::ByteView(stored.data(), stored.size()));
}

void put_le(Bytes &out, uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
        out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

/// Start of a zstd frame with an 8-byte content size, no checksum and a 128 KiB window (so a
/// streamed decode needs no window the size of the content).
Bytes frame_header(uint64_t content_size) {
    Bytes f = {0x28, 0xB5, 0x2F, 0xFD, 0xC0, 0x38}; // magic; FHD: FCS 8 bytes; window 2^17
    put_le(f, content_size, 8);
    return f;
}

/// zstd block header (3 bytes LE): bit 0 last, bits 1–2 type (0 raw, 1 RLE, 2 compressed), then size.
void block_header(Bytes &f, bool last, unsigned type, uint32_t size) {
    put_le(f, (uint64_t(size) << 3) | (uint64_t(type) << 1) | (last ? 1u : 0u), 3);
}

constexpr uint32_t kBlock = 128 * 1024;

} // namespace

TEST(Compression, EveryHostedBuildHasBothCodecs) {
    EXPECT_TRUE(lz4_available());
    EXPECT_TRUE(zstd_available());
}

TEST(Compression, ZstdAndLz4RoundTripFloatRows) {
    for (size_t n : {size_t(256), size_t(64 * 1024), size_t(1 << 20)}) {
        const Bytes raw = float_rows(n, 42 + uint32_t(n));
        for (core::Compression c : {core::Compression::Lz4, core::Compression::Zstd}) {
            auto packed = compress_payload(c, core::ByteView(raw.data(), raw.size()));
            ASSERT_TRUE(packed) << "codec " << int(c) << ", " << n << " floats";
            EXPECT_LT(packed->size(), raw.size());
            auto back = decode(c, *packed, uint32_t(raw.size()));
            ASSERT_TRUE(back) << back.error().to_string();
            EXPECT_EQ(*back, raw);
        }
    }
}

TEST(Compression, ZstdFrameDeclaresSizeAndChecksum) {
    const Bytes raw = float_rows(4096, 1);
    auto f = zstd_compress(core::ByteView(raw.data(), raw.size()));
    ASSERT_TRUE(f);
    ASSERT_GE(f->size(), 9u);
    EXPECT_EQ((*f)[0], 0x28);
    EXPECT_EQ((*f)[3], 0xFD);
    EXPECT_NE((*f)[4] & 0x04, 0) << "content checksum flag";
    EXPECT_NE((*f)[4] & 0xC0, 0) << "content size present";
}

TEST(Compression, IncompressibleAndEmptyPayloadsStayPlain) {
    std::mt19937 rng(9);
    Bytes noise(64 * 1024);
    for (uint8_t &b : noise)
        b = uint8_t(rng());
    EXPECT_FALSE(zstd_compress(core::ByteView(noise.data(), noise.size())));
    EXPECT_FALSE(lz4_compress(core::ByteView(noise.data(), noise.size())));
    EXPECT_FALSE(zstd_compress(core::ByteView()));
    EXPECT_FALSE(compress_payload(core::Compression::None, core::ByteView(noise.data(), noise.size())));
    EXPECT_FALSE(compress_payload(core::Compression::Custom, core::ByteView(noise.data(), noise.size())));
}

TEST(Compression, ZeroFilledPayloadDecodesThroughTheStreamedPath) {
    // 24 MiB of zeros packs into a few hundred bytes: far past the one-shot ratio, so this
    // checks the growing-buffer decode on a frame that tells the truth.
    const Bytes raw(24u << 20, 0);
    auto f = zstd_compress(core::ByteView(raw.data(), raw.size()));
    ASSERT_TRUE(f);
    EXPECT_LT(f->size(), 4096u);
    auto back = decode(core::Compression::Zstd, *f, uint32_t(raw.size()));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(back->size(), raw.size());
    EXPECT_EQ(*back, raw);
}

TEST(Compression, ZstdLengthMustMatchTheHeader) {
    const Bytes raw = float_rows(2048, 3);
    auto f = zstd_compress(core::ByteView(raw.data(), raw.size()));
    ASSERT_TRUE(f);
    for (uint32_t len : {uint32_t(raw.size() - 1), uint32_t(raw.size() + 1), uint32_t(raw.size() * 2)}) {
        auto r = decode(core::Compression::Zstd, *f, len);
        ASSERT_FALSE(r) << len;
        EXPECT_EQ(r.status(), Status::InvalidManifest);
        EXPECT_NE(r.error().message.find("declares"), std::string::npos) << r.error().message;
    }
    auto zero = decode(core::Compression::Zstd, *f, 0);
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.status(), Status::InvalidManifest);
}

TEST(Compression, ZstdPayloadMustBeExactlyOneFrame) {
    const Bytes raw = float_rows(2048, 4);
    auto f = zstd_compress(core::ByteView(raw.data(), raw.size()));
    ASSERT_TRUE(f);
    Bytes trailing = *f;
    trailing.push_back(0);
    Bytes twice = *f;
    twice.insert(twice.end(), f->begin(), f->end());
    for (const Bytes *p : {&trailing, &twice}) {
        auto r = decode(core::Compression::Zstd, *p, uint32_t(raw.size()));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.status(), Status::InvalidManifest);
    }
    Bytes lz4_bytes = *lz4_compress(core::ByteView(raw.data(), raw.size()));
    auto r = decode(core::Compression::Zstd, lz4_bytes, uint32_t(raw.size()));
    ASSERT_FALSE(r) << "an LZ4 block labelled ZSTD";
    EXPECT_EQ(r.status(), Status::InvalidManifest);
}

TEST(Compression, TruncatedZstdFrameIsRefusedAtEveryLength) {
    const Bytes raw = float_rows(8192, 5);
    auto f = zstd_compress(core::ByteView(raw.data(), raw.size()));
    ASSERT_TRUE(f);
    for (size_t cut = 1; cut < f->size(); ++cut) {
        const Bytes part(f->begin(), f->begin() + static_cast<std::ptrdiff_t>(cut));
        auto r = decode(core::Compression::Zstd, part, uint32_t(raw.size()));
        ASSERT_FALSE(r) << "cut at " << cut << " of " << f->size();
        EXPECT_EQ(r.status(), Status::InvalidManifest);
    }
}

TEST(Compression, ZstdBitFlipsNeverDecodeToOtherBytes) {
    // Every single-bit flip of a frame: refused, or (a flip zstd cannot see, e.g. a larger
    // window in the header) decoded to exactly the original rows. The content checksum makes
    // flips in the data itself detectable.
    const Bytes raw = float_rows(1024, 6);
    auto f = zstd_compress(core::ByteView(raw.data(), raw.size()));
    ASSERT_TRUE(f);
    size_t refused = 0, flips = 0;
    for (size_t i = 0; i < f->size(); ++i)
        for (int bit = 0; bit < 8; ++bit) {
            Bytes g = *f;
            g[i] ^= uint8_t(1u << bit);
            ++flips;
            auto r = decode(core::Compression::Zstd, g, uint32_t(raw.size()));
            if (!r) {
                EXPECT_EQ(r.status(), Status::InvalidManifest) << r.error().to_string();
                ++refused;
            } else {
                ASSERT_EQ(*r, raw) << "flip of byte " << i << " bit " << bit << " decoded to other rows";
            }
        }
    std::printf("zstd bit flips: %zu of %zu refused, the rest decode to the original\n", refused, flips);
    EXPECT_GE(refused * 100, flips * 95);
}

TEST(Compression, LyingLz4AndZstdLengthsAreRefusedBeforeAllocating) {
    const Bytes raw = float_rows(256, 7);
    for (core::Compression c : {core::Compression::Lz4, core::Compression::Zstd}) {
        auto f = compress_payload(c, core::ByteView(raw.data(), raw.size()));
        ASSERT_TRUE(f);
        auto r = decode(c, *f, UINT32_MAX); // ~4 GiB from a few hundred bytes: impossible for either codec
        ASSERT_FALSE(r) << int(c);
        EXPECT_EQ(r.status(), Status::InvalidManifest);
        EXPECT_NE(r.error().message.find("implausible"), std::string::npos) << r.error().message;
    }
}

TEST(Compression, ZstdFrameClaiming4GiBIsRefused) {
    // Enough real RLE blocks (4 stored bytes per 128 KiB) that 4 GiB is reachable by size alone;
    // the frame declares 2^32 bytes, which no u32 uncompressed_len can match.
    const uint64_t four_gib = uint64_t(1) << 32;
    Bytes f = frame_header(four_gib);
    const uint64_t blocks = four_gib / kBlock;
    for (uint64_t i = 0; i < blocks; ++i) {
        block_header(f, i + 1 == blocks, 1, kBlock);
        f.push_back(0);
    }
    auto r = decode(core::Compression::Zstd, f, UINT32_MAX);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status(), Status::InvalidManifest);
    EXPECT_NE(r.error().message.find("declares 4294967296"), std::string::npos) << r.error().message;
}

TEST(Compression, ZstdFrameHoldingLessThanItDeclaresCostsOnlyWhatItDecodes) {
    // A frame and header agreeing on 3 GiB, with a block structure that spans the payload, but
    // whose blocks are garbage after the first MiB. Allocating the declared 3 GiB up front
    // would fail outright in wasm32; the streamed decode stops at the first bad block.
    const uint64_t claimed = uint64_t(3) << 30;
    Bytes f = frame_header(claimed);
    const uint64_t blocks = claimed / kBlock;
    for (uint64_t i = 0; i < blocks; ++i) {
        if (i < 8) { // 1 MiB of real RLE output
            block_header(f, false, 1, kBlock);
            f.push_back(0x11);
        } else { // "compressed" blocks of junk
            block_header(f, i + 1 == blocks, 2, 4);
            f.insert(f.end(), {0xFF, 0xFF, 0xFF, 0xFF});
        }
    }
    auto r = decode(core::Compression::Zstd, f, uint32_t(claimed));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status(), Status::InvalidManifest);
    EXPECT_NE(r.error().message.find("does not decode"), std::string::npos) << r.error().message;
}

TEST(Compression, CustomCompressionIsUnsupportedLayout) {
    const Bytes stored = {1, 2, 3, 4};
    auto r = decode(core::Compression::Custom, stored, 4);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status(), Status::UnsupportedLayout);
}

TEST(Compression, WriterRefusesCodecsItCannotLabel) {
    auto w = LayoutSWriter::with_initial_bytes({});
    ASSERT_TRUE(w);
    const Bytes stored = {1, 2, 3, 4};
    for (core::Compression c : {core::Compression::None, core::Compression::Custom}) {
        auto r = w->append_compressed(core::SegType::Vec, 0, core::ByteView(stored.data(), stored.size()), 8, c);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.status(), Status::InvalidArgument);
    }
}

TEST(Compression, StoreWithZstdWritesCompression2AndReadsBack) {
    test::TempDir t("rvf-zstd");
    const size_t n = 3000, dim = 64;
    const Bytes rb = float_rows(n * dim, 11);
    std::vector<float> rows(n * dim);
    std::memcpy(rows.data(), rb.data(), rb.size());
    std::vector<uint64_t> ids(n);
    for (size_t i = 0; i < n; ++i)
        ids[i] = i + 1;
    uint64_t sizes[3] = {};
    const Compression codecs[3] = {Compression::None, Compression::Lz4, Compression::Zstd};
    for (int c = 0; c < 3; ++c) {
        const std::string path = t.file("s" + std::to_string(c) + ".rvf");
        StoreOptions o;
        o.dimension = uint16_t(dim);
        o.compression = codecs[c];
        o.index = IndexMode::Off;
        {
            auto s = RvfStore::create(path, o);
            ASSERT_TRUE(s) << s.error().to_string();
            ASSERT_TRUE(s->ingest_batch(ids, rows));
            ASSERT_TRUE(s->compact()); // the rewrite compresses too
            ASSERT_TRUE(s->ingest_batch(std::vector<uint64_t>{n + 1}, std::vector<float>(rows.begin(), rows.begin() + dim)));
        }
        auto s = RvfStore::open_readonly(path);
        ASSERT_TRUE(s) << s.error().to_string();
        sizes[c] = s->status().file_size;
        for (uint64_t id : {uint64_t(1), uint64_t(1500), uint64_t(n)}) {
            auto v = s->vector(id);
            ASSERT_TRUE(v);
            EXPECT_EQ(std::memcmp(v->data(), &rows[(id - 1) * dim], dim * 4), 0);
        }
        auto last = s->vector(n + 1);
        ASSERT_TRUE(last);
        EXPECT_EQ(std::memcmp(last->data(), rows.data(), dim * 4), 0);
        EXPECT_TRUE(s->verify().ok);
        auto bytes = s->to_bytes();
        const auto rep = inspect_file(core::ByteView(bytes.data(), bytes.size()));
        EXPECT_TRUE(rep.clean()) << rep.problems.front().what;
        size_t compressed = 0;
        for (const auto &seg : rep.segments)
            if ((seg.header.flags & core::SegFlag::Compressed) != 0) {
                ++compressed;
                EXPECT_EQ(seg.header.compression, uint8_t(codecs[c]));
            }
        EXPECT_EQ(compressed > 0, c != 0);
    }
    std::printf("%zux%zu quarter-step rows: %llu bytes plain, %llu LZ4, %llu ZSTD\n", n, dim,
                (unsigned long long)sizes[0], (unsigned long long)sizes[1], (unsigned long long)sizes[2]);
    EXPECT_LT(sizes[2], sizes[0]);
    EXPECT_LT(sizes[1], sizes[0]);
}

TEST(Compression, ReopenedZstdStoreKeepsCompressing) {
    test::TempDir t("rvf-zstd");
    const std::string path = t.file("z.rvf");
    StoreOptions o;
    o.dimension = 32;
    o.compression = Compression::Zstd;
    o.index = IndexMode::Off;
    const Bytes rb = float_rows(500 * 32, 12);
    std::vector<float> rows(500 * 32);
    std::memcpy(rows.data(), rb.data(), rb.size());
    std::vector<uint64_t> ids(500);
    for (size_t i = 0; i < 500; ++i)
        ids[i] = i;
    ASSERT_TRUE(RvfStore::create(path, o));
    {
        auto s = RvfStore::open(path);
        ASSERT_TRUE(s) << s.error().to_string();
        ASSERT_TRUE(s->ingest_batch(ids, rows));
    }
    auto s = RvfStore::open_readonly(path);
    ASSERT_TRUE(s);
    auto bytes = s->to_bytes();
    const auto rep = inspect_file(core::ByteView(bytes.data(), bytes.size()));
    bool zstd_vec = false;
    for (const auto &seg : rep.segments)
        zstd_vec |= seg.header.seg_type == uint8_t(core::SegType::Vec) &&
                    seg.header.compression == uint8_t(core::Compression::Zstd);
    EXPECT_TRUE(zstd_vec);
    auto v = s->vector(499);
    ASSERT_TRUE(v);
    EXPECT_EQ(std::memcmp(v->data(), &rows[499 * 32], 32 * 4), 0);
}

TEST(Compression, UnknownStoreCompressionIsRefused) {
    test::TempDir t("rvf-zstd");
    StoreOptions o;
    o.dimension = 4;
    o.compression = static_cast<Compression>(3);
    auto s = RvfStore::create(t.file("x.rvf"), o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.status(), Status::InvalidArgument);
    EXPECT_NE(s.error().message.find("Zstd"), std::string::npos);
}

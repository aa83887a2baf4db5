// SHARD_REFS (TLV 0x0006) value codec (rvf/core/format/shard_refs.hpp, docs/format-shard-refs.md):
// round trips, the name rules, and strict decoding — every truncation, every changed reserved
// byte, a NaN, a negative radius, out-of-order ids and trailing bytes are InvalidManifest.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <rvf/core/format/shard_refs.hpp>

using namespace rvf::core;

namespace {

using Bytes = std::vector<uint8_t>;

ByteView view(const std::string &s) { return ByteView(reinterpret_cast<const uint8_t *>(s.data()), s.size()); }

struct Input {
    std::vector<std::string> names;
    std::vector<std::vector<float>> centroids; // per shard: count × (dim + 1)
    std::vector<ShardRef> refs;
};

// Three shards of a 4-d collection: two with centroids, one URL without.
Input sample(uint16_t dim = 4) {
    Input in;
    in.names = {"shards/part-1.rvf", "part-2.rvf", "https://cdn.example/c/part-3.rvf"};
    in.centroids = {{}, {}, {}};
    for (uint32_t c = 0; c < 2; ++c)
        for (uint16_t d = 0; d <= dim; ++d)
            in.centroids[0].push_back(d == dim ? 0.5f + static_cast<float>(c) : static_cast<float>(c * 10 + d));
    for (uint16_t d = 0; d <= dim; ++d)
        in.centroids[1].push_back(d == dim ? 0.0f : -1.0f * d);
    for (uint16_t i = 0; i < 3; ++i) {
        ShardRef s;
        s.shard_id = static_cast<uint16_t>(i + 1);
        s.name = view(in.names[i]);
        s.file_size = 4096u * (i + 7);
        s.live_rows = 1000u + i;
        for (int b = 0; b < 16; ++b) {
            s.file_id[b] = static_cast<uint8_t>(i * 16 + b);
            s.root_hash[b] = static_cast<uint8_t>(0xA0 + i + b);
        }
        s.epoch = 40u + i;
        s.centroid_count = static_cast<uint32_t>(in.centroids[i].size() / (dim + 1u));
        s.centroids = ByteView(reinterpret_cast<const uint8_t *>(in.centroids[i].data()), in.centroids[i].size() * 4);
        in.refs.push_back(s);
    }
    return in;
}

Bytes encode(const ShardRefsHeader &h, const std::vector<ShardRef> &refs, Status want = Status::Ok) {
    ByteWriter counter;
    EXPECT_EQ(encode_shard_refs(counter, h, refs.data()), want);
    if (want != Status::Ok)
        return {};
    EXPECT_EQ(counter.pos(), shard_refs_encoded_size(h.dimension, refs.data(), refs.size()));
    Bytes out(counter.pos());
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode_shard_refs(w, h, refs.data()), Status::Ok);
    EXPECT_EQ(w.pos(), out.size());
    return out;
}

ShardRefsHeader header(uint16_t n = 3, uint16_t dim = 4) {
    return ShardRefsHeader{.routing = ShardRouting::Centroid, .shard_count = n, .dimension = dim};
}

Status validate(const Bytes &b) {
    ShardRefsHeader h;
    return validate_shard_refs(ByteView(b.data(), b.size()), h);
}

} // namespace

TEST(ShardRefs, RoundTripsEveryField) {
    const Input in = sample();
    const Bytes b = encode(header(), in.refs);
    ASSERT_FALSE(b.empty());
    EXPECT_EQ(b.size() % 8, 0u);
    ShardRefsHeader h;
    ASSERT_EQ(decode_shard_refs_header(ByteView(b.data(), b.size()), h), Status::Ok);
    EXPECT_EQ(h.routing, ShardRouting::Centroid);
    EXPECT_EQ(h.shard_count, 3);
    EXPECT_EQ(h.dimension, 4);
    ShardRefsCursor c(ByteView(b.data(), b.size()), h);
    ShardRef s;
    for (size_t i = 0; i < 3; ++i) {
        ASSERT_TRUE(c.next(s)) << i;
        const ShardRef &w = in.refs[i];
        EXPECT_EQ(s.shard_id, w.shard_id);
        EXPECT_EQ(std::string(reinterpret_cast<const char *>(s.name.data), s.name.size), in.names[i]);
        EXPECT_EQ(s.file_size, w.file_size);
        EXPECT_EQ(s.live_rows, w.live_rows);
        EXPECT_EQ(0, std::memcmp(s.file_id, w.file_id, 16));
        EXPECT_EQ(0, std::memcmp(s.root_hash, w.root_hash, 16));
        EXPECT_EQ(s.epoch, w.epoch);
        EXPECT_EQ(s.centroid_count, w.centroid_count);
        ASSERT_EQ(s.centroids.size, w.centroids.size);
        if (s.centroids.size) // an empty view may hold a null pointer
            EXPECT_EQ(0, std::memcmp(s.centroids.data, w.centroids.data, s.centroids.size));
    }
    EXPECT_FALSE(c.next(s));
    EXPECT_EQ(c.status(), Status::Ok);
}

TEST(ShardRefs, NameRules) {
    for (const char *ok : {"a.rvf", "dir/a.rvf", "a/b/c-1.rvf", ".hidden.rvf", "a..b.rvf", "http://h/x", "https://h:8080/x?y=1"})
        EXPECT_TRUE(shard_name_valid(view(ok))) << ok;
    // Absolute paths, escapes, empty components, backslashes, control bytes, a bare scheme.
    for (const char *bad : {"", "/etc/passwd", "../x.rvf", "a/../../x.rvf", "a/./b", ".", "..", "a//b", "a/", "a\\b",
                            "a\nb", "https://", "http://"})
        EXPECT_FALSE(shard_name_valid(view(bad))) << bad;
    EXPECT_FALSE(shard_name_valid(view(std::string(kMaxShardNameLength + 1, 'a'))));
    EXPECT_TRUE(shard_name_valid(view(std::string(kMaxShardNameLength, 'a'))));
}

TEST(ShardRefs, EncoderRefusesWhatTheDecoderWould) {
    Input in = sample();
    auto bad = [&](auto change) {
        Input c = sample();
        change(c);
        encode(header(), c.refs, Status::InvalidArgument);
    };
    bad([](Input &c) { c.refs[1].shard_id = 3; });                        // out of order
    bad([](Input &c) { c.refs[0].name = view("../escape.rvf"); });       // bad name
    bad([](Input &c) { c.refs[0].centroid_count = 3; });                 // view too short
    bad([](Input &c) { c.centroids[0][2] = std::nanf(""); });            // NaN coordinate
    bad([](Input &c) { c.centroids[0][4] = -1.0f; });                    // negative radius
    bad([](Input &c) { c.centroids[1][4] = INFINITY; });                 // infinite radius
    encode(ShardRefsHeader{.shard_count = 0, .dimension = 4}, in.refs, Status::InvalidArgument);
    encode(ShardRefsHeader{.shard_count = 3, .dimension = 0}, in.refs, Status::InvalidArgument);
}

TEST(ShardRefs, EveryTruncationIsRefused) {
    const Bytes b = encode(header(), sample().refs);
    for (size_t n = 0; n < b.size(); ++n) {
        const Bytes cut(b.begin(), b.begin() + static_cast<long>(n));
        EXPECT_EQ(validate(cut), Status::InvalidManifest) << n;
    }
    EXPECT_EQ(validate(b), Status::Ok);
}

TEST(ShardRefs, TrailingBytesAreRefused) {
    Bytes b = encode(header(), sample().refs);
    b.insert(b.end(), 8, 0);
    EXPECT_EQ(validate(b), Status::InvalidManifest);
}

TEST(ShardRefs, EveryReservedByteAndCountIsChecked) {
    const Bytes good = encode(header(), sample().refs);
    // Header: mode, routing, count, dimension, zero fields.
    auto with = [&](size_t at, uint8_t v) {
        Bytes b = good;
        b[at] = v;
        return validate(b);
    };
    EXPECT_EQ(with(0, 0), Status::InvalidManifest); // mode 0 (single file)
    EXPECT_EQ(with(0, 2), Status::InvalidManifest);
    EXPECT_EQ(with(1, 2), Status::InvalidManifest); // unknown routing
    EXPECT_EQ(with(1, 0), Status::Ok);              // id-hash routing is legal
    EXPECT_EQ(with(2, 2), Status::InvalidManifest); // fewer shards than records: trailing bytes
    EXPECT_EQ(with(2, 4), Status::InvalidManifest); // more shards than records
    EXPECT_EQ(with(4, 5), Status::InvalidManifest); // another dimension: centroid bytes misaligned
    for (size_t at = 6; at < kShardRefsHeaderSize; ++at)
        EXPECT_EQ(with(at, 1), Status::InvalidManifest) << at;
    // First record: shard id 1 → 2, name length 0 or past the area, name padding non-zero.
    const size_t r0 = kShardRefsHeaderSize;
    EXPECT_EQ(with(r0, 2), Status::InvalidManifest);
    EXPECT_EQ(with(r0 + 2, 0), Status::InvalidManifest);
    EXPECT_EQ(with(r0 + 3, 0xFF), Status::InvalidManifest);
    EXPECT_EQ(with(r0 + 0x3C, 1), Status::InvalidManifest); // the zero after the epoch
    const size_t name_end = r0 + kShardRecordFixedSize + std::strlen("shards/part-1.rvf");
    ASSERT_NE(name_end % 8, 0u); // the sample has padding to check
    EXPECT_EQ(with(name_end, 1), Status::InvalidManifest);
    // The second record's centroid padding (1 centroid of 4 + 1 floats = 20 B, padded to 24):
    // header 16 + record 1 (88 + 40) = 144; + 80 (fixed + "part-2.rvf", padded) + 20.
    EXPECT_EQ(with(144 + 80 + 20, 1), Status::InvalidManifest);
    EXPECT_EQ(with(144, 2), Status::Ok);              // that offset is the second record's id (2)...
    EXPECT_EQ(with(144, 3), Status::InvalidManifest); // ...and ids must run 1..n
    // The name itself turned into an absolute path.
    EXPECT_EQ(with(r0 + kShardRecordFixedSize, '/'), Status::InvalidManifest);
}

TEST(ShardRefs, NonFiniteCentroidsAndNegativeRadiiAreRefused) {
    const Bytes good = encode(header(), sample().refs);
    const size_t c0 = kShardRefsHeaderSize + static_cast<size_t>(align_up(kShardRecordFixedSize + std::strlen("shards/part-1.rvf"), 8));
    auto put = [&](size_t at, float v) {
        Bytes b = good;
        std::memcpy(b.data() + at, &v, 4);
        return validate(b);
    };
    EXPECT_EQ(put(c0, 1.25f), Status::Ok);                 // a coordinate may be anything finite
    EXPECT_EQ(put(c0, std::nanf("")), Status::InvalidManifest);
    EXPECT_EQ(put(c0 + 4, -INFINITY), Status::InvalidManifest);
    EXPECT_EQ(put(c0 + 16, -0.5f), Status::InvalidManifest); // the first centroid's radius
    EXPECT_EQ(put(c0 + 16, 0.0f), Status::Ok);
    EXPECT_EQ(put(c0, -3.0f), Status::Ok);                   // negative coordinates are fine
}

TEST(ShardRefs, BitFlipsNeverCrashAndNeverPassAsAnotherValidValueSilently) {
    // Every single-bit flip either decodes (a field the format cannot check, e.g. a size or a
    // hash byte) or is refused; none reads past the value (ASan) or loops.
    const Bytes good = encode(header(), sample().refs);
    size_t refused = 0;
    for (size_t bit = 0; bit < good.size() * 8; ++bit) {
        Bytes b = good;
        b[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
        refused += validate(b) == Status::InvalidManifest;
    }
    EXPECT_GT(refused, 0u);
}

TEST(ShardRefs, BoundsOnCounts) {
    EXPECT_EQ(shard_record_size(4, 0, 0), 0u);
    EXPECT_EQ(shard_record_size(4, kMaxShardNameLength + 1, 0), 0u);
    EXPECT_EQ(shard_record_size(4, 5, kMaxShardCentroids + 1), 0u);
    EXPECT_EQ(shard_record_size(4, 5, 1), align_up(kShardRecordFixedSize + 5, 8) + 24u); // 20 B of floats, padded
    // A header promising kMaxShards records over 16 bytes fails on the first record.
    Bytes b(kShardRefsHeaderSize, 0);
    b[0] = 1;
    b[2] = static_cast<uint8_t>(kMaxShards & 0xFF);
    b[3] = static_cast<uint8_t>(kMaxShards >> 8);
    b[4] = 4;
    EXPECT_EQ(validate(b), Status::InvalidManifest);
    b[3] = static_cast<uint8_t>((kMaxShards + 1) >> 8);
    b[2] = static_cast<uint8_t>((kMaxShards + 1) & 0xFF);
    ShardRefsHeader h;
    EXPECT_EQ(decode_shard_refs_header(ByteView(b.data(), b.size()), h), Status::InvalidManifest);
}

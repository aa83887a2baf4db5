// Delta + LEB128 id lists with restart points (spec §6.2): exact bytes, round trips, random
// access through restart tables, and strict rejection of malformed streams.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include <rvf/core/delta_ids.hpp>

using namespace rvf::core;

namespace {
std::vector<uint8_t> encode(const std::vector<uint64_t> &ids, uint32_t r) {
    size_t n = 0;
    EXPECT_EQ(delta_ids_encoded_size(ids.data(), ids.size(), r, n), Status::Ok);
    std::vector<uint8_t> out(n);
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode_delta_ids(w, ids.data(), ids.size(), r), Status::Ok);
    EXPECT_EQ(w.pos(), n);
    return out;
}
std::vector<uint64_t> decode_all(const DeltaIdsView &v) {
    std::vector<uint64_t> out;
    DeltaIdsCursor c = v.cursor();
    uint64_t id = 0;
    while (c.next(id))
        out.push_back(id);
    return out;
}
} // namespace

TEST(DeltaIds, ExactBytesWithDefaultInterval) {
    const std::vector<uint64_t> ids = {100, 105, 108, 120, 200};
    EXPECT_EQ(encode(ids, 128), (std::vector<uint8_t>{0x64, 0x05, 0x03, 0x0C, 0x50}));
}

TEST(DeltaIds, RestartEntriesAreAbsolute) {
    // R = 2: entries 0 and 2 absolute (100, 108 = 0x6C), 1 and 3 deltas; 300 = AC 02.
    const std::vector<uint64_t> ids = {100, 105, 108, 120, 300};
    EXPECT_EQ(encode(ids, 2), (std::vector<uint8_t>{0x64, 0x05, 0x6C, 0x0C, 0xAC, 0x02}));
}

TEST(DeltaIds, RoundTripsAndReportsConsumed) {
    std::mt19937_64 rng(7);
    for (uint32_t r : {1u, 3u, 4u, 128u}) {
        std::vector<uint64_t> ids(1000);
        uint64_t v = rng() >> 20;
        for (auto &x : ids) {
            v += rng() % 3 == 0 ? 0 : rng() % 100000; // includes duplicates
            x = v;
        }
        auto bytes = encode(ids, r);
        bytes.push_back(0xEE); // trailing data must not be consumed
        DeltaIdsView view;
        size_t used = 0;
        ASSERT_EQ(DeltaIdsView::parse(ByteView(bytes.data(), bytes.size()), ids.size(), r, view, used), Status::Ok);
        EXPECT_EQ(used, bytes.size() - 1);
        EXPECT_EQ(view.bytes.size, used);
        EXPECT_EQ(decode_all(view), ids);
        for (size_t i = 0; i < ids.size(); i += 37)
            EXPECT_EQ(view.at(i), ids[i]);
    }
}

TEST(DeltaIds, EmptySingleAndExtremeValues) {
    DeltaIdsView v;
    size_t used = 1;
    ASSERT_EQ(DeltaIdsView::parse(ByteView(), 0, 128, v, used), Status::Ok);
    EXPECT_EQ(used, 0u);
    EXPECT_EQ(v.restart_count(), 0u);
    const std::vector<uint64_t> big = {UINT64_MAX - 100, UINT64_MAX - 50, UINT64_MAX - 10, UINT64_MAX};
    auto b = encode(big, 128);
    EXPECT_EQ(b.size(), 10u + 1 + 1 + 1); // absolute u64 max needs 10 bytes
    ASSERT_EQ(DeltaIdsView::parse(ByteView(b.data(), b.size()), 4, 128, v, used), Status::Ok);
    EXPECT_EQ(decode_all(v), big);
    const std::vector<uint64_t> one = {42};
    b = encode(one, 1);
    ASSERT_EQ(DeltaIdsView::parse(ByteView(b.data(), b.size()), 1, 1, v, used), Status::Ok);
    EXPECT_EQ(v.at(0), 42u);
    EXPECT_EQ(v.at(1), 0u); // out of range
}

TEST(DeltaIds, RestartTableGivesRandomAccessAndLowerBound) {
    std::vector<uint64_t> ids;
    for (uint64_t i = 0; i < 1000; ++i)
        ids.push_back(10 + i * 7 + (i / 50) * 1000);
    const uint32_t r = 16;
    auto b = encode(ids, r);
    DeltaIdsView v;
    size_t used = 0;
    ASSERT_EQ(DeltaIdsView::parse(ByteView(b.data(), b.size()), ids.size(), r, v, used), Status::Ok);
    std::vector<uint32_t> offs(v.restart_count());
    EXPECT_EQ(offs.size(), (1000u + 15) / 16);
    EXPECT_EQ(v.fill_restart_offsets(offs.data(), offs.size() - 1), Status::InvalidArgument);
    ASSERT_EQ(v.fill_restart_offsets(offs.data(), offs.size()), Status::Ok);
    EXPECT_EQ(offs[0], 0u);
    // Cross-check an offset: decoding from it yields the absolute id at that restart.
    ByteReader rr(v.bytes);
    rr.seek(offs[5]);
    EXPECT_EQ(rr.varint(), ids[5 * r]);

    // Linear answers first, then the same with the table.
    std::vector<uint64_t> probes = {0, 10, 11, 17, ids[500], ids[500] + 1, ids.back(), ids.back() + 1};
    std::vector<uint64_t> linear;
    for (uint64_t p : probes)
        linear.push_back(v.lower_bound(p));
    ASSERT_EQ(v.set_restart_offsets(offs.data(), offs.size()), Status::Ok);
    for (size_t i = 0; i < ids.size(); ++i)
        ASSERT_EQ(v.at(i), ids[i]);
    for (size_t k = 0; k < probes.size(); ++k) {
        const uint64_t expect =
            static_cast<uint64_t>(std::lower_bound(ids.begin(), ids.end(), probes[k]) - ids.begin());
        EXPECT_EQ(v.lower_bound(probes[k]), expect) << probes[k];
        EXPECT_EQ(linear[k], expect) << probes[k];
    }
}

TEST(DeltaIds, SetRestartOffsetsChecksShape) {
    const std::vector<uint64_t> ids = {1, 2, 3, 4, 5, 6, 7};
    auto b = encode(ids, 3);
    DeltaIdsView v;
    size_t used = 0;
    ASSERT_EQ(DeltaIdsView::parse(ByteView(b.data(), b.size()), ids.size(), 3, v, used), Status::Ok);
    const uint32_t good[3] = {0, 3, 6};
    const uint32_t wrong_first[3] = {1, 3, 6};
    const uint32_t not_ascending[3] = {0, 3, 3};
    const uint32_t outside[3] = {0, 3, 7};
    EXPECT_EQ(v.set_restart_offsets(good, 2), Status::InvalidManifest);
    EXPECT_EQ(v.set_restart_offsets(wrong_first, 3), Status::InvalidManifest);
    EXPECT_EQ(v.set_restart_offsets(not_ascending, 3), Status::InvalidManifest);
    EXPECT_EQ(v.set_restart_offsets(outside, 3), Status::InvalidManifest);
    ASSERT_EQ(v.set_restart_offsets(good, 3), Status::Ok);
    EXPECT_EQ(v.at(6), 7u);
}

TEST(DeltaIds, EncoderRejectsBadArguments) {
    const std::vector<uint64_t> down = {5, 4};
    ByteWriter w;
    EXPECT_EQ(encode_delta_ids(w, down.data(), down.size(), 128), Status::InvalidArgument);
    EXPECT_EQ(encode_delta_ids(w, down.data(), 1, 0), Status::InvalidArgument);
    EXPECT_EQ(encode_delta_ids(w, nullptr, 3, 128), Status::InvalidArgument);
    uint8_t small[2];
    ByteWriter tight(MutByteView(small, sizeof small));
    const std::vector<uint64_t> ids = {1000, 2000};
    EXPECT_EQ(encode_delta_ids(tight, ids.data(), ids.size(), 128), Status::OutOfMemory);
}

TEST(DeltaIds, DecoderRejectsMalformedStreams) {
    DeltaIdsView v;
    size_t used = 0;
    auto parse = [&](std::vector<uint8_t> b, uint64_t count, uint32_t r) {
        return DeltaIdsView::parse(ByteView(b.data(), b.size()), count, r, v, used);
    };
    // Overflow when adding a delta: UINT64_MAX then +1.
    std::vector<uint8_t> ovf = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x01};
    EXPECT_EQ(parse(ovf, 2, 128), Status::InvalidManifest);
    // A restart value below its predecessor (R = 1: 10 then 9).
    EXPECT_EQ(parse({10, 9}, 2, 1), Status::InvalidManifest);
    EXPECT_EQ(parse({10, 10}, 2, 1), Status::Ok); // equal is fine
    // Varint longer than 10 bytes / beyond u64.
    EXPECT_EQ(parse({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}, 1, 128),
              Status::InvalidManifest);
    EXPECT_EQ(parse({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}, 1, 128), Status::InvalidManifest);
    // Restart interval 0 with entries.
    EXPECT_EQ(parse({1}, 1, 0), Status::InvalidManifest);
    // More entries than bytes.
    EXPECT_EQ(parse({1, 2}, 3, 128), Status::TruncatedSegment);
    // Every truncation of a valid stream.
    const std::vector<uint64_t> ids = {1, 300, 70000, 70001, UINT64_MAX / 2};
    auto b = encode(ids, 2);
    for (size_t n = 0; n < b.size(); ++n) {
        std::vector<uint8_t> cut(b.begin(), b.begin() + static_cast<long>(n));
        EXPECT_EQ(parse(cut, ids.size(), 2), Status::TruncatedSegment) << n;
    }
    EXPECT_EQ(parse(b, ids.size(), 2), Status::Ok);
}

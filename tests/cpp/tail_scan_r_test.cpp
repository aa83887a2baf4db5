// Layout R tail scan (spec §3.6): latest manifest in every upstream fixture, robustness to
// appended garbage and torn tails, caller-driven fallback past a manifest whose hash is bad, and
// the widening windows (64 KiB → 1 MiB → 16 MiB → file).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <rvf/core/format/layout_r_manifest.hpp>
#include <rvf/core/format/layout_r_vec.hpp>
#include <rvf/core/hash/crc32.hpp>
#include <rvf/core/scan/layout_r_tail_scan.hpp>
#include <rvf/core/scan/segment_walk.hpp>

using namespace rvf::core;

namespace {

std::vector<uint8_t> read_file(const std::string &name) {
    std::ifstream f(std::string(RVF_TEST_DATA_DIR) + "/upstream/" + name, std::ios::binary);
    EXPECT_TRUE(f.good()) << name;
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
ByteView view(const std::vector<uint8_t> &v) { return ByteView(v.data(), v.size()); }

const char *const kNative[] = {"cosine-1000x16.rvf",     "empty-d16.rvf",          "ip-1000x16.rvf",
                               "l2-1000x16-deleted.rvf", "l2-1000x16-meta.rvf",    "l2-1000x16-noquery.rvf",
                               "l2-1000x16-sparseids.rvf", "l2-5000x64.rvf"};

std::vector<uint64_t> manifest_offsets(const std::vector<uint8_t> &file) {
    std::vector<uint64_t> out;
    SegmentWalker w(view(file), SegmentLayout::R);
    WalkedSegment s;
    while (w.next(s))
        if (s.header.seg_type == static_cast<uint8_t>(SegType::Manifest))
            out.push_back(s.offset);
    return out;
}

bool hash_ok(const TailScanCandidate &c) {
    uint8_t want[16];
    layout_r_legacy_digest(crc32_ieee(c.payload), want);
    return std::memcmp(want, c.header.content_hash, 16) == 0;
}

// The hosted reader's loop (as documented in layout_r_tail_scan.hpp): widen the tail window
// step by step and, inside a window, fall back past candidates whose hash is wrong.
struct OpenResult {
    Status status = Status::ManifestNotFound;
    uint64_t offset = 0;
    int step = -1;
    int rejected = 0;
};
OpenResult open_latest(const std::vector<uint8_t> &file, bool check_hash = true) {
    OpenResult r;
    const uint64_t size = file.size();
    uint64_t before = UINT64_MAX;
    for (int step = 0; step < kTailScanSteps; ++step) {
        const uint64_t w = tail_scan_window(step, size);
        const ByteView win = view(file).sub(static_cast<size_t>(size - w), static_cast<size_t>(w));
        TailScanCandidate c;
        while (find_previous_manifest(win, size - w, size, before, c) == Status::Ok) {
            if (!check_hash || hash_ok(c)) {
                r.status = Status::Ok;
                r.offset = c.offset;
                r.step = step;
                return r;
            }
            ++r.rejected;
            before = c.offset;
        }
        if (w == size)
            break;
        before = std::min<uint64_t>(before, size - w);
    }
    return r;
}

void append_segment(std::vector<uint8_t> &f, uint8_t type, uint64_t id, const std::vector<uint8_t> &payload) {
    SegmentHeader h;
    h.seg_type = type;
    h.segment_id = id;
    h.payload_length = payload.size();
    layout_r_legacy_digest(crc32_ieee(ByteView(payload.data(), payload.size())), h.content_hash);
    uint8_t hb[64];
    encode_segment_header(h, hb);
    f.insert(f.end(), hb, hb + 64);
    f.insert(f.end(), payload.begin(), payload.end());
}

std::vector<uint8_t> manifest_payload(uint32_t epoch, const std::vector<LayoutRDirEntry> &dir) {
    LayoutRManifestHeader h;
    h.epoch = epoch;
    h.dimension = 4;
    FileIdentity id;
    id.file_id[0] = 1;
    ByteWriter c;
    EXPECT_EQ(encode_layout_r_manifest(c, h, dir.data(), static_cast<uint32_t>(dir.size()), nullptr, 0, &id, nullptr),
              Status::Ok);
    std::vector<uint8_t> out(c.pos());
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode_layout_r_manifest(w, h, dir.data(), static_cast<uint32_t>(dir.size()), nullptr, 0, &id, nullptr),
              Status::Ok);
    return out;
}

} // namespace

TEST(TailScanR, LatestManifestInEveryFixture) {
    for (const char *name : kNative) {
        const auto file = read_file(name);
        const auto offs = manifest_offsets(file);
        ASSERT_FALSE(offs.empty()) << name;
        TailScanCandidate c;
        ASSERT_EQ(find_latest_manifest(view(file), c), Status::Ok) << name;
        EXPECT_EQ(c.offset, offs.back()) << name;
        EXPECT_EQ(c.layout, SegmentLayout::R);
        EXPECT_TRUE(hash_ok(c));
        EXPECT_EQ(c.payload.size, c.header.payload_length);
        EXPECT_EQ(c.offset + 64 + c.payload.size, file.size()); // upstream ends every mutation with it
        const OpenResult r = open_latest(file);
        EXPECT_EQ(r.status, Status::Ok);
        EXPECT_EQ(r.offset, offs.back());
        EXPECT_EQ(r.step, 0); // found in the first 64 KiB window
        EXPECT_EQ(r.rejected, 0);
        // Iterating "before" visits every manifest of the file, newest first.
        std::vector<uint64_t> seen;
        uint64_t before = UINT64_MAX;
        while (find_previous_manifest(view(file), 0, file.size(), before, c) == Status::Ok) {
            seen.push_back(c.offset);
            before = c.offset;
        }
        EXPECT_EQ(std::vector<uint64_t>(seen.rbegin(), seen.rend()), offs) << name;
        EXPECT_EQ(find_previous_manifest(view(file), 0, file.size(), 0, c), Status::ManifestNotFound);
    }
}

TEST(TailScanR, GarbageOrZerosAppendedStillFindLastManifest) {
    const auto base = read_file("l2-1000x16-deleted.rvf");
    const uint64_t last = manifest_offsets(base).back();
    uint32_t s = 12345;
    for (size_t extra : {1u, 63u, 64u, 1000u, 70000u}) {
        for (int kind = 0; kind < 2; ++kind) {
            auto f = base;
            for (size_t i = 0; i < extra; ++i) {
                s = s * 1103515245u + 12345u;
                f.push_back(kind == 0 ? 0 : static_cast<uint8_t>(s >> 24));
            }
            const OpenResult r = open_latest(f);
            ASSERT_EQ(r.status, Status::Ok) << extra << " " << kind;
            EXPECT_EQ(r.offset, last) << extra << " " << kind;
            EXPECT_EQ(r.step, extra > 60000 ? 1 : 0); // the header left the 64 KiB window
        }
    }
}

TEST(TailScanR, TruncatedTailFallsBackToPreviousManifest) {
    for (const char *name : {"l2-1000x16-deleted.rvf", "l2-1000x16-meta.rvf", "l2-5000x64.rvf"}) {
        const auto file = read_file(name);
        const auto offs = manifest_offsets(file);
        ASSERT_GE(offs.size(), 2u);
        // Cut anywhere inside the last manifest segment (header or payload).
        for (uint64_t cut = offs.back() + 1; cut < file.size(); ++cut) {
            TailScanCandidate c;
            ASSERT_EQ(find_latest_manifest(ByteView(file.data(), cut), c), Status::Ok) << name << " cut " << cut;
            ASSERT_EQ(c.offset, offs[offs.size() - 2]) << name << " cut " << cut;
        }
    }
}

TEST(TailScanR, ManifestWithBadHashIsSkippedWhenCallerRejectsIt) {
    auto file = read_file("l2-1000x16-deleted.rvf");
    const auto offs = manifest_offsets(file);
    file[offs.back() + 64 + 0] ^= 0x40; // epoch byte: still parses, hash now wrong
    TailScanCandidate c;
    ASSERT_EQ(find_latest_manifest(view(file), c), Status::Ok);
    EXPECT_EQ(c.offset, offs.back()); // 0.2.2 semantics: the scan itself does not hash
    EXPECT_FALSE(hash_ok(c));
    const OpenResult r = open_latest(file);
    ASSERT_EQ(r.status, Status::Ok);
    EXPECT_EQ(r.offset, offs[offs.size() - 2]);
    EXPECT_EQ(r.rejected, 1);
    // Break every manifest: nothing trustworthy is left.
    auto all_bad = read_file("l2-1000x16-deleted.rvf");
    for (uint64_t o : offs)
        all_bad[o + 64] ^= 0x40;
    const OpenResult none = open_latest(all_bad);
    EXPECT_EQ(none.status, Status::ManifestNotFound);
    EXPECT_EQ(none.rejected, static_cast<int>(offs.size()));
}

TEST(TailScanR, WindowsWidenForAManifestLargerThan64KiB) {
    // 3000 directory entries → 75,098-B manifest: its header is outside the 64 KiB tail window.
    std::vector<uint8_t> f;
    append_segment(f, 5, 1, manifest_payload(0, {}));
    const uint64_t vec_at = f.size();
    const uint64_t ids[1] = {7};
    const float v[4] = {1, 2, 3, 4};
    std::vector<uint8_t> vec(6 + 8 + 16);
    ByteWriter vw(MutByteView(vec.data(), vec.size()));
    ASSERT_EQ(encode_layout_r_vec(vw, 4, ids, v, 1), Status::Ok);
    append_segment(f, 1, 2, vec);
    std::vector<LayoutRDirEntry> dir;
    dir.push_back({1, 0, 98, 5});
    for (uint64_t i = 0; i < 2999; ++i)
        dir.push_back({2, vec_at, vec.size(), 1});
    const uint64_t big_at = f.size();
    const auto big = manifest_payload(1, dir);
    ASSERT_GT(big.size(), 65536u);
    append_segment(f, 5, 3, big);

    const ByteView tail64 = view(f).sub(f.size() - 65536, 65536);
    TailScanCandidate c;
    EXPECT_EQ(find_previous_manifest(tail64, f.size() - 65536, f.size(), UINT64_MAX, c), Status::ManifestNotFound);
    const OpenResult r = open_latest(f);
    ASSERT_EQ(r.status, Status::Ok);
    EXPECT_EQ(r.offset, big_at);
    EXPECT_EQ(r.step, 1);
    EXPECT_EQ(tail_scan_window(0, f.size()), 65536u);
    EXPECT_EQ(tail_scan_window(1, f.size()), f.size()); // file is smaller than 1 MiB
    EXPECT_EQ(tail_scan_window(2, 100u << 20), 16u << 20);
    EXPECT_EQ(tail_scan_window(3, 100u << 20), 100u << 20);
}

TEST(TailScanR, FakeCandidatesAreSkipped) {
    const auto base = read_file("l2-1000x16-meta.rvf");
    const uint64_t last = manifest_offsets(base).back();
    auto add_fake = [](std::vector<uint8_t> &f, uint64_t plen, size_t actual) {
        SegmentHeader h;
        h.seg_type = 5;
        h.payload_length = plen;
        uint8_t hb[64];
        encode_segment_header(h, hb);
        f.insert(f.end(), hb, hb + 64);
        f.insert(f.end(), actual, 0xEE);
    };
    auto f = base;
    add_fake(f, 300ull << 20, 0); // > 256 MiB
    add_fake(f, 1000, 10);        // payload past EOF (torn)
    add_fake(f, 30, 30);          // payload is not a manifest
    add_fake(f, 21, 21);          // shorter than a manifest header
    TailScanCandidate c;
    ASSERT_EQ(find_latest_manifest(view(f), c), Status::Ok);
    EXPECT_EQ(c.offset, last);
    // A candidate whose version byte is wrong: 0.2.2 takes it, the canonical-header option does not.
    f = base;
    f[last + 4] = 2;
    ASSERT_EQ(find_latest_manifest(view(f), c), Status::Ok);
    EXPECT_EQ(c.offset, last);
    TailScanOptions strict;
    strict.require_canonical_header = true;
    ASSERT_EQ(find_latest_manifest(view(f), c, strict), Status::Ok);
    EXPECT_EQ(c.offset, 0u);
}

TEST(TailScanR, WindowArgumentsAndStraddlingHeaders) {
    const auto file = read_file("l2-1000x16-meta.rvf");
    const uint64_t last = manifest_offsets(file).back(); // 72366, payload 173 → file 72603
    TailScanCandidate c;
    EXPECT_EQ(find_previous_manifest(view(file), 1, file.size(), UINT64_MAX, c), Status::InvalidArgument);
    EXPECT_EQ(find_previous_manifest(ByteView(file.data(), 10), file.size() - 5, file.size(), UINT64_MAX, c),
              Status::InvalidArgument);
    EXPECT_EQ(find_previous_manifest(ByteView(file.data(), 63), 0, 63, UINT64_MAX, c), Status::ManifestNotFound);
    // A window that starts one byte after the header: the header straddles the start → unseen.
    const uint64_t wo = last + 1;
    EXPECT_EQ(find_previous_manifest(view(file).from(wo), wo, file.size(), UINT64_MAX, c), Status::ManifestNotFound);
    // Exactly at the header: found; `before` equal to it: not.
    EXPECT_EQ(find_previous_manifest(view(file).from(last), last, file.size(), UINT64_MAX, c), Status::Ok);
    EXPECT_EQ(c.offset, last);
    EXPECT_EQ(find_previous_manifest(view(file).from(last), last, file.size(), last, c), Status::ManifestNotFound);
    EXPECT_EQ(find_previous_manifest(view(file).from(last), last, file.size(), last + 1, c), Status::Ok);
    // A window that does not reach EOF cannot see a payload beyond its end.
    EXPECT_EQ(find_previous_manifest(view(file).sub(last, 100), last, file.size(), UINT64_MAX, c),
              Status::ManifestNotFound);
}

TEST(TailScanR, LayoutSManifestOnlyWhenAccepted) {
    std::vector<uint8_t> f;
    append_segment(f, 5, 1, manifest_payload(0, {}));
    std::vector<uint8_t> s_payload(4096 + 40, 0);
    store_u32_le(&s_payload[40], 0x52564D30); // "RVM0" root at payload end − 4096
    const uint64_t s_at = f.size();
    append_segment(f, 5, 2, s_payload);
    TailScanCandidate c;
    ASSERT_EQ(find_latest_manifest(view(f), c), Status::Ok);
    EXPECT_EQ(c.offset, 0u);
    TailScanOptions dual;
    dual.accept_layout_s = true;
    ASSERT_EQ(find_latest_manifest(view(f), c, dual), Status::Ok);
    EXPECT_EQ(c.offset, s_at);
    EXPECT_EQ(c.layout, SegmentLayout::S);
}

// Layout S writer + tail scan (spec §2.5, §4.1-4.3, §14 item 4): a small file with VEC payloads,
// a WITNESS and two manifests; the scan finds the newer manifest, falls back to the older one
// when the tail is torn or corrupt, survives appended garbage; the bytes match a golden file.
//
// Golden file: tests/golden/layout_s_small.rvf holds the exact bytes build_small_file() writes.
// After an intentional format change, regenerate it with
//     RVF_UPDATE_GOLDEN=1 ./build/<dir>/tests/layout_s_writer_test --gtest_filter='*Golden*'
// and review the diff like any other format change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/scan/layout_s_tail_scan.hpp>
#include <rvf/hash.hpp>
#include <rvf/layout_s_writer.hpp>

using namespace rvf::core;
using rvf::LayoutSWriter;

namespace {

using Bytes = std::vector<uint8_t>;

Bytes pattern(size_t n, uint8_t seed) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i)
        b[i] = static_cast<uint8_t>(seed + i * 7);
    return b;
}
ByteView view(const Bytes &b) { return ByteView(b.data(), b.size()); }

struct SmallFile {
    Bytes bytes;
    std::vector<uint64_t> offsets; // every segment, in order
    uint64_t m1 = 0, m2 = 0;       // manifest header offsets
    Bytes m1_hash;
};

ManifestL0 root_fields(uint32_t epoch, uint64_t vectors) {
    ManifestL0 m;
    m.epoch = epoch;
    m.total_vector_count = vectors;
    m.dimension = 4;
    m.base_dtype = 0;
    m.created_ns = 1700000000000000000ull;
    m.modified_ns = m.created_ns + epoch;
    m.entrypoint = {64, 0, 1};
    for (int i = 0; i < 16; ++i)
        m.file_id[i] = static_cast<uint8_t>(0xF0 + i);
    return m;
}

// VEC 100 B, VEC 64 B, VEC 1000 B, WITNESS 73 B, MANIFEST (epoch 1), VEC 200 B, MANIFEST (epoch 2,
// overlay chain -> first manifest).
SmallFile build_small_file() {
    SmallFile f;
    LayoutSWriter w;
    auto add = [&](SegType t, uint16_t flags, const Bytes &p) {
        auto r = w.append_segment(t, flags, view(p));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
        f.offsets.push_back(r.ok() ? r.value() : 0);
    };
    add(SegType::Vec, 0, pattern(100, 1));
    add(SegType::Vec, SegFlag::Sealed, pattern(64, 2));
    add(SegType::Vec, 0, pattern(1000, 3));
    add(SegType::Witness, 0, pattern(73, 4));
    auto m1 = w.append_manifest(root_fields(1, 3));
    EXPECT_TRUE(m1.ok());
    f.m1 = m1.ok() ? m1.value() : 0;
    f.offsets.push_back(f.m1);
    add(SegType::Vec, 0, pattern(200, 5));
    OverlayChain chain;
    chain.epoch = 1;
    chain.prev_manifest_offset = *w.last_manifest_offset();
    chain.prev_manifest_id = *w.last_manifest_id();
    const uint8_t *h1 = w.bytes().data() + f.m1 + seg_off::content_hash;
    std::memcpy(chain.checkpoint_hash, h1, 16);
    f.m1_hash.assign(h1, h1 + 16);
    auto m2 = w.append_manifest(root_fields(2, 4), &chain);
    EXPECT_TRUE(m2.ok());
    f.m2 = m2.ok() ? m2.value() : 0;
    f.offsets.push_back(f.m2);
    f.bytes = w.take_bytes();
    return f;
}

struct Opened {
    Status status = Status::ManifestNotFound;
    uint64_t header_offset = 0;
    bool fast_path = false;
    uint32_t epoch = 0;
    size_t dir_entries = 0;
    int fallbacks = 0;
};

// What a reader does: latest candidate, verify content hash + manifest, else the one before.
Opened open_latest(const Bytes &file) {
    Opened o;
    const TailScanWindow win{view(file), 0, file.size()};
    ManifestCandidate c;
    Status s = find_latest_layout_s_manifest(win, c);
    while (s == Status::Ok) {
        const ByteView payload = view(file).sub(c.payload_offset, c.header.payload_length);
        LayoutSManifestView m;
        if (rvf::verify_content_hash(rvf::Layout::S, c.header.checksum_algo, payload, c.header.content_hash) ==
                Status::Ok &&
            parse_layout_s_manifest(payload, c.payload_offset, m) == Status::Ok) {
            o.status = Status::Ok;
            o.header_offset = c.header_offset;
            o.fast_path = c.fast_path;
            o.epoch = m.root.epoch;
            o.dir_entries = m.directory.size();
            return o;
        }
        ++o.fallbacks;
        s = find_layout_s_manifest_before(win, c.header_offset, c);
    }
    o.status = s;
    return o;
}

} // namespace

TEST(LayoutSWriter, SegmentsAreAlignedPaddedAndHashed) {
    const SmallFile f = build_small_file();
    ASSERT_EQ(f.offsets.size(), 7u);
    EXPECT_EQ(f.bytes.size() % 64, 0u);
    const uint64_t expected_len[] = {100, 64, 1000, 73, 0, 200, 0};
    for (size_t i = 0; i < f.offsets.size(); ++i) {
        const uint64_t off = f.offsets[i];
        ASSERT_EQ(off % 64, 0u) << i;
        SegmentHeader h;
        ASSERT_EQ(decode_segment_header(view(f.bytes).from(off), off, f.bytes.size(), h), Status::Ok) << i;
        EXPECT_EQ(h.segment_id, i + 1);
        EXPECT_EQ(h.checksum_algo, 1);
        EXPECT_EQ(h.timestamp_ns, 0u);
        if (expected_len[i]) {
            EXPECT_EQ(h.payload_length, expected_len[i]) << i;
        }
        EXPECT_EQ(h.alignment_pad, layout_s_pad(h.payload_length)) << i;
        const uint64_t end = off + 64 + h.payload_length;
        for (uint64_t p = end; p < end + h.alignment_pad; ++p)
            ASSERT_EQ(f.bytes[p], 0) << i;
        const uint64_t next = i + 1 < f.offsets.size() ? f.offsets[i + 1] : f.bytes.size();
        EXPECT_EQ(end + h.alignment_pad, next) << i;
        EXPECT_EQ(
            rvf::verify_content_hash(rvf::Layout::S, 1, view(f.bytes).sub(off + 64, h.payload_length), h.content_hash),
            Status::Ok)
            << i;
    }
    EXPECT_EQ(f.bytes[f.offsets[4] + seg_off::seg_type], 0x05);
    EXPECT_EQ(f.bytes[f.offsets[3] + seg_off::seg_type], 0x0A);
    EXPECT_EQ(load_u16_le(f.bytes.data() + f.offsets[1] + seg_off::flags), SegFlag::Sealed);
}

TEST(LayoutSWriter, ManifestsListEveryEarlierSegmentButThemselves) {
    const SmallFile f = build_small_file();
    for (uint64_t m : {f.m1, f.m2}) {
        SegmentHeader h;
        ASSERT_EQ(decode_segment_header(view(f.bytes).from(m), m, f.bytes.size(), h), Status::Ok);
        LayoutSManifestView v;
        ASSERT_EQ(parse_layout_s_manifest(view(f.bytes).sub(m + 64, h.payload_length), m + 64, v), Status::Ok);
        EXPECT_EQ(v.root.l1_manifest_offset, m + 64);
        EXPECT_EQ(v.root.dimension, 4);
        ASSERT_TRUE(v.has_directory);
        const bool second = m == f.m2;
        ASSERT_EQ(v.directory.size(), second ? 6u : 4u); // the second lists the first manifest too
        for (size_t i = 0; i < v.directory.size(); ++i) {
            const SegmentDirEntry e = v.directory.at(i);
            EXPECT_NE(e.file_offset, m); // never itself
            EXPECT_EQ(e.seg_type == 0x05, second && e.file_offset == f.m1);
            EXPECT_EQ(e.tier, 0);
            EXPECT_EQ(e.block_count, 0u);
            SegmentHeader sh;
            ASSERT_EQ(decode_segment_header(view(f.bytes).from(e.file_offset), e.file_offset, f.bytes.size(), sh),
                      Status::Ok);
            EXPECT_EQ(sh.segment_id, e.segment_id);
            EXPECT_EQ(sh.seg_type, e.seg_type);
            EXPECT_EQ(sh.flags, e.flags);
            EXPECT_EQ(sh.payload_length, e.payload_length);
            EXPECT_EQ(0, std::memcmp(sh.content_hash, e.content_hash, 16));
        }
        EXPECT_EQ(v.has_overlay_chain, second);
        if (second) {
            EXPECT_EQ(v.overlay_chain.prev_manifest_offset, f.m1);
            EXPECT_EQ(v.overlay_chain.prev_manifest_id, 5u);
            EXPECT_EQ(0, std::memcmp(v.overlay_chain.checkpoint_hash, f.m1_hash.data(), 16));
        }
    }
}

TEST(LayoutSTailScan, FindsTheSecondManifestByTheFastPath) {
    const SmallFile f = build_small_file();
    const Opened o = open_latest(f.bytes);
    ASSERT_EQ(o.status, Status::Ok);
    EXPECT_EQ(o.header_offset, f.m2);
    EXPECT_TRUE(o.fast_path); // root ends at EOF - alignment_pad (our writer pads, §14.4)
    EXPECT_EQ(o.epoch, 2u);
    EXPECT_EQ(o.dir_entries, 6u);
    EXPECT_EQ(o.fallbacks, 0);
    // The one before it is the first manifest.
    ManifestCandidate c;
    ASSERT_EQ(find_layout_s_manifest_before(TailScanWindow{view(f.bytes), 0, f.bytes.size()}, f.m2, c), Status::Ok);
    EXPECT_EQ(c.header_offset, f.m1);
    EXPECT_EQ(find_layout_s_manifest_before(TailScanWindow{view(f.bytes), 0, f.bytes.size()}, f.m1, c),
              Status::ManifestNotFound);
    EXPECT_EQ(c.scanned_down_to, 0u);
}

TEST(LayoutSTailScan, FastPathWithRootAtEof) {
    // A manifest whose payload is a multiple of 64 minus 64: no padding, root ends at EOF.
    LayoutSWriter w;
    const Bytes extra = [] {
        // SEGMENT_DIR with one entry is 72 bytes; a 56-byte record brings the TLV area to 128.
        Bytes b(56);
        ByteWriter bw(MutByteView(b.data(), b.size()));
        const uint8_t v[48] = {};
        EXPECT_EQ(encode_tlv_record(bw, 0x0100, ByteView(v, 48)), Status::Ok);
        return b;
    }();
    ASSERT_TRUE(w.append_segment(SegType::Vec, 0, view(pattern(10, 9))).ok());
    auto m = w.append_manifest(root_fields(3, 1), nullptr, view(extra));
    ASSERT_TRUE(m.ok());
    const Bytes file = w.take_bytes();
    ASSERT_EQ(load_u32_le(file.data() + file.size() - 4096), kRootManifestMagic);
    ManifestCandidate c;
    ASSERT_EQ(find_latest_layout_s_manifest(TailScanWindow{view(file), 0, file.size()}, c), Status::Ok);
    EXPECT_TRUE(c.fast_path);
    EXPECT_EQ(c.header.alignment_pad, 0u);
    EXPECT_EQ(c.header_offset, m.value());
    EXPECT_EQ(open_latest(file).epoch, 3u);
}

TEST(LayoutSTailScan, TruncationInsideTheLastManifestFallsBackToTheFirst) {
    const SmallFile f = build_small_file();
    int cuts = 0;
    for (uint64_t cut = f.m2; cut < f.bytes.size(); cut += 64, ++cuts) {
        const Bytes torn(f.bytes.begin(), f.bytes.begin() + static_cast<long>(cut));
        const Opened o = open_latest(torn);
        ASSERT_EQ(o.status, Status::Ok) << cut;
        EXPECT_EQ(o.header_offset, f.m1) << cut;
        EXPECT_EQ(o.epoch, 1u) << cut;
        EXPECT_EQ(o.dir_entries, 4u) << cut;
    }
    EXPECT_GT(cuts, 60);
    // Cut before the first manifest: nothing left.
    const Bytes early(f.bytes.begin(), f.bytes.begin() + static_cast<long>(f.m1));
    EXPECT_EQ(open_latest(early).status, Status::ManifestNotFound);
    EXPECT_EQ(open_latest(Bytes(32)).status, Status::TruncatedSegment);
}

TEST(LayoutSTailScan, CorruptLastManifestFallsBackByValidation) {
    const SmallFile f = build_small_file();
    SegmentHeader h;
    ASSERT_EQ(decode_segment_header(view(f.bytes).from(f.m2), f.m2, f.bytes.size(), h), Status::Ok);
    const uint64_t payload_end = f.m2 + 64 + h.payload_length;
    // A byte of the root, of the TLV area, and of the content hash in the header.
    for (uint64_t at : {payload_end - 100, f.m2 + 64 + 20, f.m2 + seg_off::content_hash}) {
        Bytes b = f.bytes;
        b[at] ^= 0x10;
        const Opened o = open_latest(b);
        ASSERT_EQ(o.status, Status::Ok) << at;
        EXPECT_EQ(o.epoch, 1u) << at;
        EXPECT_EQ(o.fallbacks, 1) << at;
    }
}

TEST(LayoutSTailScan, AppendedGarbageStillFindsAManifest) {
    const SmallFile f = build_small_file();
    uint32_t rng = 12345;
    for (size_t n = 0; n <= 200; ++n) {
        for (int zeros = 0; zeros < 2; ++zeros) {
            Bytes b = f.bytes;
            for (size_t i = 0; i < n; ++i) {
                rng = rng * 1103515245u + 12345u;
                b.push_back(zeros ? 0 : static_cast<uint8_t>(rng >> 24));
            }
            const Opened o = open_latest(b);
            ASSERT_EQ(o.status, Status::Ok) << n << " zeros=" << zeros;
            EXPECT_EQ(o.epoch, 2u) << n;
            EXPECT_EQ(o.header_offset, f.m2) << n;
        }
    }
}

TEST(LayoutSTailScan, TailWindowReportsHowFarItLooked) {
    const SmallFile f = build_small_file();
    const uint64_t from = f.m2 - 64; // window = the last VEC's padding... and the second manifest
    const TailScanWindow win{view(f.bytes).from(from), from, f.bytes.size()};
    ManifestCandidate c;
    ASSERT_EQ(find_latest_layout_s_manifest(win, c), Status::Ok);
    EXPECT_EQ(c.header_offset, f.m2);
    EXPECT_EQ(find_layout_s_manifest_before(win, f.m2, c), Status::ManifestNotFound);
    EXPECT_EQ(c.scanned_down_to, from); // widen below this and retry
    const TailScanWindow bad{view(f.bytes), 64, f.bytes.size()};
    EXPECT_EQ(find_latest_layout_s_manifest(bad, c), Status::InvalidArgument);
}

TEST(LayoutSWriter, IsDeterministicAndMatchesTheGoldenFile) {
    const SmallFile a = build_small_file(), b = build_small_file();
    ASSERT_EQ(a.bytes, b.bytes);
    const std::filesystem::path golden = std::filesystem::path(RVF_GOLDEN_DIR) / "layout_s_small.rvf";
    const char *update = std::getenv("RVF_UPDATE_GOLDEN");
    if (update && std::string(update) == "1") {
        std::ofstream out(golden, std::ios::binary);
        out.write(reinterpret_cast<const char *>(a.bytes.data()), static_cast<std::streamsize>(a.bytes.size()));
        ASSERT_TRUE(out.good());
        GTEST_SKIP() << "rewrote " << golden;
    }
    std::ifstream in(golden, std::ios::binary);
    ASSERT_TRUE(in.good()) << "missing " << golden << " (generate with RVF_UPDATE_GOLDEN=1)";
    const Bytes want((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_EQ(want.size(), a.bytes.size());
    for (size_t i = 0; i < want.size(); ++i)
        ASSERT_EQ(want[i], a.bytes[i]) << "first difference at byte " << i;
}

TEST(LayoutSWriter, RefusesWhatItCannotWrite) {
    LayoutSWriter w;
    const Bytes p = pattern(10, 0);
    EXPECT_EQ(w.append_segment(SegType::Vec, SegFlag::Compressed, view(p)).status(), Status::InvalidArgument);
    EXPECT_EQ(w.append_segment(SegType::Vec, 0x8000, view(p)).status(), Status::InvalidArgument);
    EXPECT_EQ(w.append_segment(SegType::Vec, 0, view(p), 9).status(), Status::InvalidArgument);
    EXPECT_EQ(w.size(), 0u);
    EXPECT_EQ(w.next_segment_id(), 1u);
    const uint8_t not_tlv[3] = {1, 2, 3};
    EXPECT_EQ(w.append_manifest(ManifestL0{}, nullptr, ByteView(not_tlv, 3)).status(), Status::InvalidArgument);
    EXPECT_FALSE(w.last_manifest_offset().has_value());
}

TEST(LayoutSWriter, ContinuesAfterInitialBytes) {
    EXPECT_EQ(LayoutSWriter::with_initial_bytes(Bytes(100)).status(), Status::InvalidArgument);
    const SmallFile f = build_small_file();
    auto w = LayoutSWriter::with_initial_bytes(f.bytes, 8);
    ASSERT_TRUE(w.ok());
    auto off = w->append_segment(SegType::Vec, 0, view(pattern(5, 1)));
    ASSERT_TRUE(off.ok());
    EXPECT_EQ(off.value(), f.bytes.size());
    auto m = w->append_manifest(root_fields(3, 5));
    ASSERT_TRUE(m.ok());
    const Bytes file = w->take_bytes();
    EXPECT_EQ(load_u64_le(file.data() + off.value() + seg_off::segment_id), 8u);
    EXPECT_EQ(load_u64_le(file.data() + m.value() + seg_off::segment_id), 9u);
    const Opened o = open_latest(file);
    EXPECT_EQ(o.epoch, 3u);
    EXPECT_EQ(o.dir_entries, 1u); // only what this writer appended
}

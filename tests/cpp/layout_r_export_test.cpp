// Layout R export: what we write for upstream tools reads back identically, and for the
// single-batch fixtures reproduces upstream's own file byte for byte.
#include <gtest/gtest.h>

#include <cstring>

#include <rvf/core/format/layout_r_witness.hpp>
#include <rvf/file_report.hpp>
#include <rvf/layout_r_export.hpp>

#include "support/upstream_fixtures.hpp"

using namespace rvf;

namespace {

StoreContents load(const std::string &name, std::vector<uint8_t> *bytes_out = nullptr) {
    auto bytes = test::read_binary(test::upstream_dir() + name + ".rvf");
    auto c = read_contents(core::ByteView(bytes.data(), bytes.size()));
    EXPECT_TRUE(c.ok()) << name;
    if (bytes_out)
        *bytes_out = bytes;
    return c.ok() ? *c : StoreContents{};
}

/// Timestamp of the first WITNESS in an upstream file (so our witness bytes can match).
uint64_t first_witness_ts(const std::vector<uint8_t> &file) {
    const FileReport r = inspect_file(core::ByteView(file.data(), file.size()));
    for (const auto &s : r.segments)
        if (s.header.seg_type == static_cast<uint8_t>(core::SegType::Witness)) {
            core::LayoutRWitnessView w;
            EXPECT_EQ(core::decode_layout_r_witness(
                          core::ByteView(file.data() + s.offset + 64, static_cast<size_t>(s.header.payload_length)), w),
                      core::Status::Ok);
            return w.timestamp_ns;
        }
    return 1;
}

TEST(LayoutRExport, EveryFixtureRoundTrips) {
    for (const auto &name : test::native_fixture_names()) {
        const StoreContents c = load(name);
        auto out = export_layout_r(c, {0, 42, 256ull << 20});
        ASSERT_TRUE(out.ok()) << name << out.error().to_string();
        const FileReport r = inspect_file(core::ByteView(out->data(), out->size()));
        EXPECT_TRUE(r.clean()) << name << ": " << (r.problems.empty() ? "" : r.problems.front().what);
        auto back = read_contents(core::ByteView(out->data(), out->size()));
        ASSERT_TRUE(back.ok()) << name;
        EXPECT_EQ(back->ids, c.ids) << name;
        EXPECT_EQ(back->vectors, c.vectors) << name;
        EXPECT_EQ(back->deleted_ids, c.deleted_ids) << name;
        EXPECT_EQ(back->metric, c.metric) << name;
        EXPECT_EQ(back->epoch, c.epoch) << name;
        EXPECT_TRUE(back->identity == c.identity) << name;
    }
}

TEST(LayoutRExport, ReproducesUpstreamBytesExactly) {
    for (const char *name :
         {"empty-d16", "l2-1000x16-noquery", "cosine-1000x16", "ip-1000x16", "l2-1000x16-sparseids"}) {
        std::vector<uint8_t> upstream;
        const StoreContents c = load(name, &upstream);
        auto out = export_layout_r(c, {0, first_witness_ts(upstream), 256ull << 20});
        ASSERT_TRUE(out.ok());
        EXPECT_EQ(out->size(), upstream.size()) << name;
        EXPECT_TRUE(*out == upstream) << name << ": bytes differ";
    }
}

TEST(LayoutRExport, DeletionsFollowUpstreamSequence) {
    std::vector<uint8_t> upstream;
    const StoreContents c = load("l2-1000x16-deleted", &upstream);
    auto out = export_layout_r(c, {0, 7, 256ull << 20});
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->size(), upstream.size()); // same segments, same sizes
    const FileReport ours = inspect_file(core::ByteView(out->data(), out->size()));
    const FileReport theirs = inspect_file(core::ByteView(upstream.data(), upstream.size()));
    ASSERT_EQ(ours.segments.size(), theirs.segments.size());
    for (size_t i = 0; i < ours.segments.size(); ++i) {
        const auto &a = ours.segments[i].header;
        const auto &b = theirs.segments[i].header;
        EXPECT_EQ(a.seg_type, b.seg_type);
        EXPECT_EQ(a.segment_id, b.segment_id);
        EXPECT_EQ(a.payload_length, b.payload_length);
        if (a.seg_type != static_cast<uint8_t>(core::SegType::Witness)) // witnesses carry timestamps
            EXPECT_EQ(0, std::memcmp(out->data() + ours.segments[i].offset,
                                     upstream.data() + theirs.segments[i].offset,
                                     static_cast<size_t>(64 + a.payload_length)))
                << "segment " << a.segment_id;
    }
}

TEST(LayoutRExport, SplitsLargeStoresIntoBatchesUpstreamCanRead) {
    const StoreContents c = load("l2-1000x16-meta");
    auto out = export_layout_r(c, {0, 5, 6 + 72 * 300}); // 300 vectors per VEC
    ASSERT_TRUE(out.ok());
    const FileReport r = inspect_file(core::ByteView(out->data(), out->size()));
    EXPECT_TRUE(r.clean());
    size_t vecs = 0;
    for (const auto &s : r.segments)
        vecs += s.header.seg_type == static_cast<uint8_t>(core::SegType::Vec);
    EXPECT_EQ(vecs, 4u);
    auto back = read_contents(core::ByteView(out->data(), out->size()));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->ids, c.ids);
    EXPECT_EQ(back->epoch, 4u);
}

TEST(LayoutRExport, RefusesWhatLayoutRCannotHold) {
    StoreContents c = load("l2-1000x16-meta");
    StoreContents bad = c;
    bad.metric = 3; // Hamming
    EXPECT_EQ(export_layout_r(bad).status(), Status::MetricUnsupported);
    bad = c;
    bad.deleted_ids = {123456789};
    EXPECT_EQ(export_layout_r(bad).status(), Status::InvalidArgument);
    bad = c;
    bad.vectors.pop_back();
    EXPECT_EQ(export_layout_r(bad).status(), Status::DimensionMismatch);
    bad = c;
    bad.ids[1] = bad.ids[0];
    EXPECT_EQ(export_layout_r(bad).status(), Status::InvalidArgument);
}

} // namespace

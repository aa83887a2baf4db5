// Lineage (issue 20): derive() writes a child whose FileIdentity names its parent, freeze()
// commits a marker every writable open honours, verify_lineage() checks a child against a file,
// and upstream-written files report their (root) identity.
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/witness_chain.hpp>
#include <rvf/file_report.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"
#include "support/upstream_fixtures.hpp"

using namespace rvf;

namespace {

constexpr uint16_t kDim = 8;

std::vector<float> rows_for(const std::vector<uint64_t> &ids) {
    std::vector<float> v;
    for (uint64_t id : ids) {
        std::mt19937 rng(static_cast<uint32_t>(id * 31 + 7));
        std::uniform_real_distribution<float> u(-1, 1);
        for (int d = 0; d < kDim; ++d)
            v.push_back(u(rng));
    }
    return v;
}

void add(RvfStore &s, std::vector<uint64_t> ids) {
    const auto v = rows_for(ids);
    auto r = s.ingest_batch(ids, v);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->accepted, ids.size());
}

RvfStore make(const std::string &path, std::vector<uint64_t> ids) {
    auto s = RvfStore::create(path, StoreOptions{.dimension = kDim});
    EXPECT_TRUE(s) << s.error().message;
    add(*s, std::move(ids));
    return std::move(*s);
}

std::string hex(const uint8_t *p, size_t n) {
    static const char *d = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

/// The witness_type of the last entry of the last WITNESS segment of a file.
int last_witness_type(const std::string &path) {
    const auto bytes = *read_file_bytes(path);
    const FileReport rep = inspect_file({bytes.data(), bytes.size()});
    int type = -1;
    for (const SegmentRecord &r : rep.segments) {
        if (r.header.seg_type != static_cast<uint8_t>(core::SegType::Witness))
            continue;
        core::WitnessSegView w;
        const core::ByteView payload(bytes.data() + r.offset + core::kSegmentHeaderSize, r.header.payload_length);
        if (core::WitnessSegView::parse(payload, w) == Status::Ok && w.count > 0)
            type = w.entry_bytes(w.count - 1)[core::witness_off::witness_type];
    }
    return type;
}

bool zero(const auto &a) {
    for (auto b : a)
        if (b != 0)
            return false;
    return true;
}

} // namespace

TEST(Lineage, DeriveChainDepthTwo) {
    test::TempDir dir("rvf-lineage");
    RvfStore parent = make(dir.file("p.rvf"), {1, 2, 3, 4, 5});
    ASSERT_TRUE(parent.remove(std::vector<uint64_t>{2}));
    EXPECT_EQ(parent.lineage_depth(), 0u);
    EXPECT_TRUE(zero(parent.parent_id()));

    auto child = parent.derive(dir.file("c.rvf"), DeriveOptions{.type = core::DerivationType::Filter});
    ASSERT_TRUE(child) << child.error().message;
    EXPECT_EQ(child->lineage_depth(), 1u);
    EXPECT_EQ(child->parent_id(), parent.file_id());
    EXPECT_NE(child->file_id(), parent.file_id());
    EXPECT_FALSE(zero(child->parent_hash()));
    // A compacted copy of the live rows: 4 rows, row 2 gone, the same vectors.
    EXPECT_EQ(*child->count(), 4u);
    EXPECT_FALSE(child->vector(2));
    EXPECT_EQ(*child->vector(3), rows_for({3}));
    EXPECT_EQ(last_witness_type(dir.file("c.rvf")), 0x09); // spec lineage witness: derivation
    EXPECT_TRUE(child->verify().ok);

    add(*child, {10, 11}); // the child is writable
    auto grand = child->derive(dir.file("g.rvf"));
    ASSERT_TRUE(grand) << grand.error().message;
    EXPECT_EQ(grand->lineage_depth(), 2u);
    EXPECT_EQ(grand->parent_id(), child->file_id());
    EXPECT_EQ(*grand->count(), 6u);

    // The identity survives close and reopen, and compaction.
    const auto gid = grand->file_id();
    ASSERT_TRUE(grand->compact());
    ASSERT_TRUE(grand->close());
    auto again = RvfStore::open_readonly(dir.file("g.rvf"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->lineage_depth(), 2u);
    EXPECT_EQ(again->file_id(), gid);
    EXPECT_EQ(again->parent_id(), child->file_id());

    ASSERT_TRUE(child->close());
    ASSERT_TRUE(parent.close());
    // verify --lineage: each child names its parent (closing the parents appended checkpoints:
    // the state each child came from is still in the file), not its grandparent.
    auto cp = verify_lineage(dir.file("c.rvf"), dir.file("p.rvf"));
    EXPECT_TRUE(cp) << cp.error().message;
    auto gc = verify_lineage(dir.file("g.rvf"), dir.file("c.rvf"));
    EXPECT_TRUE(gc) << gc.error().message;
    auto wrong = verify_lineage(dir.file("g.rvf"), dir.file("p.rvf"));
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.status(), Status::ParentNotFound);
    auto root = verify_lineage(dir.file("p.rvf"), dir.file("c.rvf"));
    ASSERT_FALSE(root);
    EXPECT_EQ(root.status(), Status::ParentNotFound);
}

TEST(Lineage, VerifyLineageFindsTheParentStateUntilCompaction) {
    test::TempDir dir("rvf-lineage");
    RvfStore parent = make(dir.file("p.rvf"), {1, 2, 3});
    const uint32_t at = parent.status().current_epoch;
    ASSERT_TRUE(parent.derive(dir.file("c.rvf")));
    add(parent, {4}); // later commits append: the state the child came from is still in the file
    auto later = verify_lineage(dir.file("c.rvf"), dir.file("p.rvf"));
    ASSERT_TRUE(later) << later.error().message;
    EXPECT_EQ(*later, at);
    ASSERT_TRUE(parent.compact()); // compaction drops that state
    auto r = verify_lineage(dir.file("c.rvf"), dir.file("p.rvf"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status(), Status::ParentHashMismatch);
    EXPECT_NE(r.error().message.find("freeze()"), std::string::npos) << r.error().message;
}

TEST(Lineage, DeriveRefusesAnExistingPathAndUnknownTypes) {
    test::TempDir dir("rvf-lineage");
    RvfStore parent = make(dir.file("p.rvf"), {1});
    make(dir.file("taken.rvf"), {9});
    auto r = parent.derive(dir.file("taken.rvf"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status(), Status::FileExists);
    auto t = parent.derive(dir.file("x.rvf"), DeriveOptions{.type = static_cast<core::DerivationType>(42)});
    ASSERT_FALSE(t);
    EXPECT_EQ(t.status(), Status::InvalidArgument);
}

TEST(Lineage, FreezeIsHonouredAfterReopen) {
    test::TempDir dir("rvf-lineage");
    const std::string path = dir.file("f.rvf");
    {
        RvfStore s = make(path, {1, 2, 3});
        ASSERT_TRUE(s.freeze());
        EXPECT_TRUE(s.frozen());
        EXPECT_TRUE(s.freeze()); // idempotent
        const auto v = rows_for({4});
        auto w = s.ingest_batch(std::vector<uint64_t>{4}, v);
        ASSERT_FALSE(w);
        EXPECT_EQ(w.status(), Status::ReadOnly);
        EXPECT_EQ(*s.count(), 3u); // still answers
    }
    auto rw = RvfStore::open(path);
    ASSERT_FALSE(rw);
    EXPECT_EQ(rw.status(), Status::SnapshotFrozen);
    EXPECT_NE(rw.error().message.find("freeze()"), std::string::npos) << rw.error().message;
    const auto bytes = *read_file_bytes(path);
    auto mem = RvfStore::from_bytes(bytes); // the in-memory writable open (wasm) too
    ASSERT_FALSE(mem);
    EXPECT_EQ(mem.status(), Status::SnapshotFrozen);

    auto ro = RvfStore::open_readonly(path);
    ASSERT_TRUE(ro) << ro.error().message;
    EXPECT_TRUE(ro->frozen());
    EXPECT_EQ(*ro->count(), 3u);
    EXPECT_TRUE(ro->verify().ok);
    auto memro = RvfStore::from_bytes_readonly(bytes, std::nullopt);
    ASSERT_TRUE(memro);
    EXPECT_EQ(*memro->count(), 3u);

    // A frozen parent derives a writable child (the marker is not inherited).
    auto child = ro->derive(dir.file("c.rvf"));
    ASSERT_TRUE(child) << child.error().message;
    EXPECT_FALSE(child->frozen());
    add(*child, {7});
    EXPECT_EQ(*child->count(), 4u);
    ASSERT_TRUE(child->close());
    EXPECT_TRUE(verify_lineage(dir.file("c.rvf"), path)); // a frozen parent stays checkable

    // A read-only handle cannot freeze (freezing commits).
    auto ro2 = RvfStore::open_readonly(dir.file("c.rvf"));
    auto f = ro2->freeze();
    ASSERT_FALSE(f);
    EXPECT_EQ(f.status(), Status::ReadOnly);
}

TEST(Lineage, UpstreamFixturesReportTheirIdentity) {
    for (const std::string &name : test::native_fixture_names()) {
        SCOPED_TRACE(name);
        const auto want = test::read_json(test::upstream_dir() + name + ".expected.json");
        if (!want.contains("fileId"))
            continue;
        auto s = RvfStore::open_readonly(test::upstream_dir() + name + ".rvf");
        ASSERT_TRUE(s) << s.error().message;
        const auto fid = s->file_id();
        const auto pid = s->parent_id();
        EXPECT_EQ(hex(fid.data(), 16), want["fileId"].get<std::string>());
        EXPECT_EQ(hex(pid.data(), 16), want["parentId"].get<std::string>());
        EXPECT_EQ(s->lineage_depth(), want["lineageDepth"].get<uint32_t>());
    }
}

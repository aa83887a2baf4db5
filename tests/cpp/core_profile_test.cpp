// The hardware profile (issue 19, rvlite): create({profile: Core}) is kept in PROFILE_CONFIG and
// reported by status() after a reopen; the spec's Core limits (f16 ≤ 384 or i8 ≤ 768 dimensions,
// no f32, no compression, no PQ/tiering, no index) are refused at create and at every write with
// the limit named; an upstream (Layout R) file's profile byte is read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <rvf/core/format/store_config.hpp>
#include <rvf/layout_r_export.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"
#include "support/upstream_fixtures.hpp"

using namespace rvf;

namespace {

StoreOptions core_opts(uint16_t dim, StorageType st) {
    StoreOptions o;
    o.dimension = dim;
    o.storage = st;
    o.profile = core::ProfileId::Core;
    return o;
}

std::vector<float> rows(size_t n, size_t dim) {
    std::vector<float> v(n * dim);
    for (size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<float>((i * 37) % 101) / 101.0f - 0.5f;
    return v;
}

} // namespace

TEST(CoreProfile, IsPersistedAndReportedAfterReopen) {
    test::TempDir dir;
    const std::string path = dir.file("core.rvf");
    {
        auto s = RvfStore::create(path, core_opts(384, StorageType::F16));
        ASSERT_TRUE(s) << s.error().to_string();
        EXPECT_EQ(s->status().profile, core::ProfileId::Core);
        std::vector<uint64_t> ids(50);
        for (size_t i = 0; i < ids.size(); ++i)
            ids[i] = i + 1;
        const auto v = rows(ids.size(), 384);
        auto r = s->ingest_batch(ids, v);
        ASSERT_TRUE(r) << r.error().to_string();
        EXPECT_EQ(r->accepted, 50u);
        QueryStats qs;
        auto hits = s->query(std::span<const float>(v.data() + 7 * 384, 384), 1, {.stats = &qs});
        ASSERT_TRUE(hits);
        EXPECT_EQ((*hits)[0].id, 8u);
        EXPECT_TRUE(qs.exact) << "a Core store has no index: every query is an exact scan";
        EXPECT_EQ(s->status().indexed_vectors, 0u);
        const auto bi = s->build_index();
        ASSERT_FALSE(bi);
        EXPECT_EQ(bi.status(), Status::InvalidOptions);
        EXPECT_NE(bi.error().message.find("no HNSW index"), std::string::npos);
        ASSERT_TRUE(s->close());
    }
    for (bool ro : {true, false}) {
        auto s = ro ? RvfStore::open_readonly(path) : RvfStore::open(path);
        ASSERT_TRUE(s) << s.error().to_string();
        EXPECT_EQ(s->status().profile, core::ProfileId::Core);
        EXPECT_EQ(s->status().storage, StorageType::F16);
        EXPECT_EQ(s->status().total_vectors, 50u);
        EXPECT_TRUE(s->verify().ok);
    }
    // A generic store stays generic (the byte was a zero before profiles existed).
    auto g = RvfStore::create(dir.file("g.rvf"), {.dimension = 4});
    ASSERT_TRUE(g);
    EXPECT_EQ(g->status().profile, core::ProfileId::Generic);
}

TEST(CoreProfile, LimitsAreRefusedAtCreateNamingTheLimit) {
    test::TempDir dir;
    struct Case {
        StoreOptions o;
        const char *want;
    };
    std::vector<Case> cases;
    cases.push_back({core_opts(16, StorageType::F32), "no f32 storage"});
    cases.push_back({core_opts(385, StorageType::F16), "at most 384"});
    cases.push_back({core_opts(769, StorageType::I8), "at most 768"});
    StoreOptions lz = core_opts(16, StorageType::F16);
    lz.compression = Compression::Lz4;
    cases.push_back({lz, "no VEC compression"});
    StoreOptions pq = core_opts(16, StorageType::I8);
    pq.tiering.enabled = true;
    cases.push_back({pq, "no PQ"});
    StoreOptions hot;
    hot.dimension = 1025;
    hot.profile = core::ProfileId::Hot;
    cases.push_back({hot, "at most 1024"});
    int n = 0;
    for (const Case &c : cases) {
        const std::string path = dir.file("bad" + std::to_string(n++) + ".rvf");
        auto s = RvfStore::create(path, c.o);
        ASSERT_FALSE(s) << c.want;
        EXPECT_EQ(s.status(), Status::InvalidOptions) << c.want;
        EXPECT_NE(s.error().message.find(c.want), std::string::npos) << s.error().message;
        EXPECT_FALSE(std::filesystem::exists(path)) << "nothing is created";
        auto m = RvfStore::create_in_memory(c.o);
        EXPECT_FALSE(m) << c.want;
    }
    // The largest shapes the spec allows are accepted.
    EXPECT_TRUE(RvfStore::create_in_memory(core_opts(768, StorageType::I8)));
    EXPECT_TRUE(RvfStore::create_in_memory(core_opts(384, StorageType::F16)));
}

// A file whose config says Core but breaks the limits (here: an upstream Layout R file marked
// Core, which holds f32 rows) reads, reports Core, and refuses rows with the limit named.
TEST(CoreProfile, UpstreamProfileByteIsReadAndItsLimitsHoldOnIngest) {
    test::TempDir dir;
    // The upstream fixtures were written with profile 0.
    for (const std::string &name : test::native_fixture_names()) {
        auto s = RvfStore::open_readonly(test::upstream_dir() + name + ".rvf");
        ASSERT_TRUE(s) << name << ": " << s.error().to_string();
        EXPECT_EQ(s->status().profile, core::ProfileId::Generic) << name;
    }
    // The same layout with byte 18 = 1 (Core), as upstream writes for profile 1.
    StoreContents c;
    c.layout = FileLayout::R;
    c.dimension = 4;
    c.ids = {1, 2};
    c.vectors = {1, 0, 0, 0, 0, 1, 0, 0};
    c.identity.file_id[0] = 7;
    auto bytes = export_layout_r(c, {.profile_id = 1});
    ASSERT_TRUE(bytes);
    const std::string path = dir.file("up.rvf");
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char *>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
    }
    {
        auto ro = RvfStore::open_readonly(path);
        ASSERT_TRUE(ro) << ro.error().to_string();
        EXPECT_EQ(ro->status().profile, core::ProfileId::Core);
        EXPECT_EQ(ro->status().total_vectors, 2u);
    }
    auto w = RvfStore::open(path);
    ASSERT_TRUE(w) << w.error().to_string();
    const uint64_t id = 3;
    const float v[4] = {0, 0, 1, 0};
    auto r = w->ingest_batch({&id, 1}, v);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status(), Status::InvalidOptions);
    EXPECT_NE(r.error().message.find("no f32 storage"), std::string::npos) << r.error().message;
    // And our own Core store exports a Layout R file that carries the profile.
    auto core_store = RvfStore::create_in_memory(core_opts(4, StorageType::F16));
    ASSERT_TRUE(core_store);
    auto lr = core_store->export_layout_r();
    ASSERT_TRUE(lr);
    const FileReport rep = inspect_file({lr->data(), lr->size()});
    ASSERT_TRUE(rep.manifest);
    EXPECT_EQ(rep.manifest->profile_id, 1);
}

// PROFILE_CONFIG byte 0x0D: round-trips 0..3, an unknown profile is InvalidManifest.
TEST(CoreProfile, StoreConfigCarriesTheProfileByte) {
    core::StoreConfig c;
    c.dimension = 8;
    c.hw_profile = 1;
    uint8_t buf[core::kStoreConfigSize];
    core::ByteWriter w(core::MutByteView(buf, sizeof buf));
    ASSERT_EQ(core::encode_store_config(w, c), Status::Ok);
    EXPECT_EQ(buf[0x0D], 1);
    core::StoreConfig back;
    ASSERT_EQ(core::decode_store_config(core::ByteView(buf, sizeof buf), back), Status::Ok);
    EXPECT_EQ(back.hw_profile, 1);
    buf[0x0D] = 4;
    EXPECT_EQ(core::decode_store_config(core::ByteView(buf, sizeof buf), back), Status::InvalidManifest);
}

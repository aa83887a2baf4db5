// The HNSW graph served from the mapping (issue 17): layer F (docs/format-hnsw-flat.md) is
// borrowed by an in-place open instead of decoding layers A/B/C. Queries answer exactly as the
// decoded graph does; readers that predate F refuse it with a typed error and keep using A/B/C;
// a damaged F never makes a query read outside the mapping (this suite also runs under
// native-asan).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/index_flat.hpp>
#include <rvf/index_layers.hpp>
#include <rvf/routing_codes.hpp>
#include <rvf/store.hpp>

#include "support/mulberry32.hpp"
#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

std::vector<float> gaussian_rows(uint32_t seed, size_t n, size_t dim) {
    test::Mulberry32 r(seed);
    std::vector<float> v(n * dim);
    for (float &x : v)
        x = static_cast<float>(r.gaussian());
    return v;
}

/// A compacted store with an HNSW index: ids 1..n, every 7th deleted before the compaction.
void make_indexed(const std::string &path, size_t n, uint16_t dim, StorageType storage, Metric metric) {
    StoreOptions o;
    o.dimension = dim;
    o.metric = metric;
    o.storage = storage;
    o.index = IndexMode::Auto; // ≥ 1024 rows: built
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    const std::vector<float> v = gaussian_rows(8, n, dim);
    std::vector<uint64_t> ids(n);
    for (size_t i = 0; i < n; ++i)
        ids[i] = i + 1;
    ASSERT_TRUE(s->ingest_batch(ids, v).ok());
    std::vector<uint64_t> gone;
    for (uint64_t id = 5; id <= n; id += 7)
        gone.push_back(id);
    ASSERT_TRUE(s->remove(gone).ok());
    auto c = s->compact(CompactOptions{});
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    ASSERT_TRUE(s->close().ok());
}

bool can_map() {
    static const bool yes = [] {
        test::TempDir dir("rvf-map");
        const std::string p = dir.file("probe");
        FILE *fp = std::fopen(p.c_str(), "wb");
        if (fp == nullptr)
            return false;
        std::fputs("probe", fp);
        std::fclose(fp);
        auto m = MappedSource::open(p);
        return m.ok() && (*m)->mapped();
    }();
    return yes;
}

OpenOptions structural() {
    OpenOptions o;
    o.verify = OpenVerify::Structural;
    return o;
}
OpenOptions copying() {
    OpenOptions o;
    o.in_place = false;
    return o;
}

void write_file(const std::string &path, const std::vector<uint8_t> &b) {
    FILE *fp = std::fopen(path.c_str(), "wb");
    ASSERT_NE(fp, nullptr);
    if (!b.empty())
        ASSERT_EQ(std::fwrite(b.data(), 1, b.size(), fp), b.size());
    std::fclose(fp);
}

/// The layer F payload's [offset, length) in the file (0, 0 when there is none).
std::pair<uint64_t, uint64_t> flat_payload(const std::string &path, const std::vector<uint8_t> &bytes) {
    auto s = RvfStore::open_readonly(path, copying());
    EXPECT_TRUE(s.ok());
    std::pair<uint64_t, uint64_t> at{0, 0};
    for (const SegmentSummary &g : s->segments()) {
        if (g.seg_type != static_cast<uint8_t>(core::SegType::Index))
            continue;
        const uint64_t off = g.offset + core::kSegmentHeaderSize;
        if (is_flat_layer(core::ByteView(bytes.data() + off, static_cast<size_t>(g.payload_length))))
            at = {off, g.payload_length};
    }
    return at;
}

class InPlaceGraph : public ::testing::TestWithParam<std::tuple<StorageType, Metric>> {};

TEST_P(InPlaceGraph, ServedFromTheMappingAnswersAsTheDecodedGraph) {
    const auto [storage, metric] = GetParam();
    test::TempDir dir("rvf-graph");
    const std::string path = dir.file("g.rvf");
    constexpr size_t kN = 2500;
    constexpr uint16_t kDim = 16;
    make_indexed(path, kN, kDim, storage, metric);
    auto copy = RvfStore::open_readonly(path, copying());
    ASSERT_TRUE(copy.ok()) << copy.error().to_string();
    EXPECT_FALSE(copy->status().graph_in_place);
    EXPECT_TRUE(copy->status().warnings.empty()) << copy->status().warnings.front();
    auto in = RvfStore::open_readonly(path, structural());
    ASSERT_TRUE(in.ok()) << in.error().to_string();
    EXPECT_EQ(in->status().graph_in_place, can_map());
    EXPECT_EQ(in->status().indexed_vectors, copy->status().indexed_vectors);
    EXPECT_GT(in->status().indexed_vectors, 0u);
    const auto qs = gaussian_rows(77, 40, kDim);
    for (uint32_t ef : {10u, 48u}) {
        for (size_t q = 0; q < 40; ++q) {
            const std::span<const float> qv(qs.data() + q * kDim, kDim);
            QueryStats sa, sb;
            auto a = in->query(qv, 10, {.ef_search = ef, .stats = &sa});
            auto b = copy->query(qv, 10, {.ef_search = ef, .stats = &sb});
            ASSERT_TRUE(a.ok() && b.ok());
            EXPECT_EQ(*a, *b) << "query " << q << " ef " << ef;
            EXPECT_EQ(sa.distance_evals, sb.distance_evals) << "the same walk, query " << q;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Metrics, InPlaceGraph,
                         ::testing::Values(std::tuple{StorageType::F32, Metric::L2},
                                           std::tuple{StorageType::F32, Metric::InnerProduct},
                                           std::tuple{StorageType::F32, Metric::Cosine},
                                           std::tuple{StorageType::F16, Metric::L2},
                                           std::tuple{StorageType::F16, Metric::InnerProduct},
                                           std::tuple{StorageType::F16, Metric::Cosine}));

TEST(InPlaceGraphFormat, OlderReadersRefuseLayerFWithATypedError) {
    test::TempDir dir("rvf-graph");
    const std::string path = dir.file("f.rvf");
    make_indexed(path, 1500, 8, StorageType::F32, Metric::L2);
    auto bytes = read_file_bytes(path);
    ASSERT_TRUE(bytes.ok());
    const auto [off, len] = flat_payload(path, *bytes);
    ASSERT_GT(len, 0u) << "index builds and compactions write layer F";
    const core::ByteView f(bytes->data() + off, static_cast<size_t>(len));
    // What a reader before layer F does with every INDEX_SEG: routing codes? a layer trailer?
    EXPECT_FALSE(is_routing_codes(f));
    auto info = read_layer_info(f);
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().status, Status::InvalidMagic);
    auto layered = LayeredHnsw::open(f);
    ASSERT_FALSE(layered.ok());
    EXPECT_EQ(layered.error().status, Status::InvalidMagic);
    // And a later F version is refused by this reader, which then decodes A/B/C instead.
    std::vector<uint8_t> newer = *bytes;
    newer[off + 4] = 2;
    auto h = read_flat_header(core::ByteView(newer.data() + off, kHnswFlatHeaderSize), len);
    ASSERT_FALSE(h.ok());
    EXPECT_EQ(h.error().status, Status::InvalidVersion);
    // The store-level fallback needs the structural in-place open: without a file mapping (wasm)
    // every open hashes the INDEX payload and refuses the changed byte instead.
    if (!can_map())
        return;
    const std::string p2 = dir.file("newer.rvf");
    write_file(p2, newer);
    auto s = RvfStore::open_readonly(p2, structural());
    ASSERT_TRUE(s.ok()) << s.error().to_string(); // INDEX payloads are not hashed by this open
    EXPECT_FALSE(s->status().graph_in_place);
    EXPECT_GT(s->status().indexed_vectors, 0u);
    ASSERT_FALSE(s->status().warnings.empty());
    EXPECT_NE(s->status().warnings.front().find("layer F"), std::string::npos) << s->status().warnings.front();
}

TEST(InPlaceGraphFormat, BorrowedGraphCopiesItselfBeforeAnyChange) {
    // A graph over 300 points in 4-d, its layer F borrowed, then grown by one node.
    const size_t n = 300;
    const auto pts = gaussian_rows(3, n + 1, 4);
    struct Space final : HnswSpace {
        const std::vector<float> &p;
        explicit Space(const std::vector<float> &v) : p(v) {}
        float between(uint32_t a, uint32_t b) const override {
            float d = 0;
            for (int i = 0; i < 4; ++i)
                d += (p[a * 4 + i] - p[b * 4 + i]) * (p[a * 4 + i] - p[b * 4 + i]);
            return d;
        }
    } space(pts);
    HnswGraph g(HnswParams{.m = 4, .m0 = 8, .ef_construction = 32});
    std::vector<uint32_t> nodes(n);
    std::vector<uint64_t> ids(n);
    for (uint32_t i = 0; i < n; ++i)
        nodes[i] = i, ids[i] = i + 1;
    g.insert(nodes, ids, space, 1);
    auto f = encode_layer_flat(g, 9);
    ASSERT_TRUE(f.ok());
    std::vector<uint32_t> aligned((f->size() + 3) / 4);
    std::memcpy(aligned.data(), f->data(), f->size());
    auto b = borrow_layer_flat(core::ByteView(reinterpret_cast<const uint8_t *>(aligned.data()), f->size()));
    ASSERT_TRUE(b.ok()) << b.error().to_string();
    EXPECT_TRUE(b->borrowed());
    EXPECT_EQ(b->size(), g.size());
    EXPECT_EQ(b->entry_point(), g.entry_point());
    for (uint32_t i = 0; i < n; ++i) {
        ASSERT_EQ(b->level(i), g.level(i));
        for (int l = 0; l <= g.level(i); ++l) {
            std::vector<uint32_t> x(g.neighbors(i, l).begin(), g.neighbors(i, l).end());
            std::vector<uint32_t> y(b->neighbors(i, l).begin(), b->neighbors(i, l).end());
            std::sort(x.begin(), x.end());
            EXPECT_EQ(x, y) << "node " << i << " level " << l;
        }
    }
    const uint32_t extra = static_cast<uint32_t>(n);
    b->insert(std::vector<uint32_t>{extra}, std::vector<uint64_t>{n + 1}, space, 1);
    EXPECT_FALSE(b->borrowed());
    EXPECT_EQ(b->size(), n + 1);
    auto hit = b->search([&](uint32_t v) { return space.between(extra, v); }, 1, 16);
    ASSERT_EQ(hit.size(), 1u);
    EXPECT_EQ(hit[0].second, extra);
}

TEST(InPlaceGraphDamage, DamagedLayerFNeverCrashesAQuery) {
    if (!can_map())
        GTEST_SKIP() << "no file mapping in this build: layer F is never borrowed";
    test::TempDir dir("rvf-graph");
    const std::string good = dir.file("good.rvf");
    constexpr uint16_t kDim = 8;
    make_indexed(good, 1500, kDim, StorageType::F32, Metric::L2);
    auto bytes = read_file_bytes(good);
    ASSERT_TRUE(bytes.ok());
    const auto [off, len] = flat_payload(good, *bytes);
    ASSERT_GT(len, kHnswFlatHeaderSize);
    const std::string bad = dir.file("bad.rvf");
    const auto qs = gaussian_rows(4, 4, kDim);
    test::Mulberry32 r(99);
    auto rnd = [&] { return static_cast<uint32_t>(r.uniform() * 4294967296.0); };
    int borrowed = 0;
    for (int i = 0; i < 120; ++i) {
        std::vector<uint8_t> b = *bytes;
        // Flips anywhere in F, then (half the time) a whole word of garbage in the arrays: huge
        // counts, node numbers past the end, upper offsets out of range, levels out of range.
        for (int k = 0; k < 1 + i % 4; ++k) {
            const size_t at = off + rnd() % len;
            b[at] ^= static_cast<uint8_t>(1u << (rnd() % 8));
        }
        if (i % 2 == 0) {
            const size_t at = (off + kHnswFlatHeaderSize + rnd() % (len - kHnswFlatHeaderSize - 8)) & ~size_t{3};
            const uint32_t w = rnd();
            std::memcpy(&b[at], &w, 4);
        }
        write_file(bad, b);
        auto s = RvfStore::open_readonly(bad, structural());
        if (!s.ok())
            continue; // a typed refusal is fine too
        borrowed += s->status().graph_in_place ? 1 : 0;
        for (size_t q = 0; q < 4; ++q) {
            auto res = s->query(std::span(qs).subspan(q * kDim, kDim), 10, {.ef_search = 32});
            ASSERT_TRUE(res.ok());
            EXPECT_LE(res->size(), 10u);
            for (const Neighbor &nb : *res)
                EXPECT_TRUE(s->vector(nb.id).has_value()) << "flip " << i;
        }
    }
    RecordProperty("borrowed_damaged_graphs", borrowed);
    EXPECT_GT(borrowed, 60) << "most damage lies in the arrays, which only queries read";
}

} // namespace

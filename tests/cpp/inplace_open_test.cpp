// In-place read-only open (issue 17): the row-major VEC block layout that compaction writes,
// the mapped byte source, and open_readonly(path, {Structural}) answering from the file mapping
// exactly as the copying open does, while reading only a small part of the file, and never
// crashing on a damaged file (this suite also runs under native-asan).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/vec_seg.hpp>
#include <rvf/store.hpp>

#include "support/mulberry32.hpp"
#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

// --- the block layout -------------------------------------------------------------------------

std::vector<uint8_t> encode_block(const std::vector<float> &rows, const std::vector<uint64_t> &ids, uint16_t dim,
                                  bool row_major) {
    core::VecBlockInput b;
    b.rows_f32 = rows.data();
    b.ids = ids.data();
    b.count = static_cast<uint32_t>(ids.size());
    b.dim = dim;
    b.row_major = row_major;
    uint64_t size = 0;
    EXPECT_EQ(core::vec_seg_encoded_size(&b, 1, size), core::Status::Ok);
    std::vector<uint8_t> out(static_cast<size_t>(size));
    core::ByteWriter w(core::MutByteView(out.data(), out.size()));
    EXPECT_EQ(core::encode_vec_seg(w, &b, 1), core::Status::Ok);
    return out;
}

struct BlockFixture {
    uint16_t dim = 5;
    std::vector<uint64_t> ids;
    std::vector<float> rows;
    BlockFixture() {
        test::Mulberry32 r(11);
        for (uint64_t i = 0; i < 37; ++i)
            ids.push_back(100 + 3 * i);
        rows.resize(ids.size() * dim);
        for (float &x : rows)
            x = static_cast<float>(r.gaussian());
    }
};

TEST(VecSegRowMajor, DecodesToTheSameRowsAsTheColumnarBlock) {
    BlockFixture f;
    const auto col = encode_block(f.rows, f.ids, f.dim, false);
    const auto row = encode_block(f.rows, f.ids, f.dim, true);
    ASSERT_EQ(col.size(), row.size()); // only the tier byte and the vector order differ
    core::VecSegView cv, rv;
    ASSERT_EQ(core::VecSegView::parse(core::ByteView(col.data(), col.size()), cv), core::Status::Ok);
    ASSERT_EQ(core::VecSegView::parse(core::ByteView(row.data(), row.size()), rv), core::Status::Ok);
    core::VecBlockView cb, rb;
    ASSERT_EQ(cv.block(0, cb), core::Status::Ok);
    ASSERT_EQ(rv.block(0, rb), core::Status::Ok);
    EXPECT_FALSE(cb.info.row_major);
    EXPECT_TRUE(rb.info.row_major);
    EXPECT_EQ(rb.info.tier, 0); // the marker bit is not part of the tier
    const size_t n = f.ids.size() * f.dim * 4;
    std::vector<uint8_t> a(n), b(n);
    ASSERT_EQ(cb.copy_rows_raw(0, cb.count(), a.data(), a.size()), core::Status::Ok);
    ASSERT_EQ(rb.copy_rows_raw(0, rb.count(), b.data(), b.size()), core::Status::Ok);
    EXPECT_EQ(a, b);
    EXPECT_EQ(std::memcmp(b.data(), f.rows.data(), n), 0);
    for (uint32_t v = 0; v < rb.count(); ++v) {
        EXPECT_EQ(rb.id(v), f.ids[v]);
        EXPECT_EQ(std::memcmp(rb.row_ptr(v), &f.rows[v * f.dim], f.dim * 4u), 0);
        for (uint32_t d = 0; d < f.dim; ++d)
            EXPECT_EQ(rb.element(v, d), cb.element(v, d));
    }
    EXPECT_EQ(cb.row_ptr(0), nullptr); // no row pointer into a dim-major block
}

TEST(VecSegRowMajor, OldDecodeRulesRefuseTheMarker) {
    BlockFixture f;
    const auto row = encode_block(f.rows, f.ids, f.dim, true);
    const uint8_t tier_byte = row[core::kVecDirHeaderSize + core::vec_dir_off::tier];
    EXPECT_EQ(tier_byte, core::kVecTierRowMajor);
    // Before the extension, block_info copied the tier byte as it is and parse_vec_block's first
    // check was temperature_tier_known: such a reader refuses the block with a typed error.
    EXPECT_FALSE(core::temperature_tier_known(tier_byte));
    core::VecSegView rv;
    ASSERT_EQ(core::VecSegView::parse(core::ByteView(row.data(), row.size()), rv), core::Status::Ok);
    core::VecBlockInfo old_info = rv.block_info(0);
    old_info.tier = tier_byte;   // what the old block_info produced
    old_info.row_major = false;  // a field the old reader did not have
    core::VecBlockView out;
    EXPECT_EQ(core::parse_vec_block(core::ByteView(row.data(), row.size()), old_info, out), core::Status::InvalidManifest);
}

TEST(VecSegRowMajor, BlockCrcStillCoversTheRows) {
    BlockFixture f;
    auto row = encode_block(f.rows, f.ids, f.dim, true);
    row[core::vec_directory_size(1) + 17] ^= 0x10; // inside row 0..1's values
    core::VecSegView rv;
    EXPECT_EQ(core::VecSegView::parse(core::ByteView(row.data(), row.size()), rv), core::Status::InvalidChecksum);
}

// --- the mapped source ------------------------------------------------------------------------

TEST(MappedSourceTest, ViewsAreStableCountedAndBoundsChecked) {
    test::TempDir dir("rvf-map");
    const std::string path = dir.file("bytes.bin");
    std::vector<uint8_t> bytes(10000);
    for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<uint8_t>(i * 7);
    {
        FILE *fp = std::fopen(path.c_str(), "wb");
        ASSERT_NE(fp, nullptr);
        ASSERT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), fp), bytes.size());
        std::fclose(fp);
    }
    for (bool allow_map : {true, false}) {
        auto src = MappedSource::open(path, allow_map);
        ASSERT_TRUE(src.ok()) << src.error().to_string();
        MappedSource &m = **src;
        EXPECT_EQ(m.size(), bytes.size());
        if (!allow_map)
            EXPECT_FALSE(m.mapped());
        auto a = m.view(100, 50);
        ASSERT_TRUE(a.ok());
        auto b = m.reference(9000, 1000);
        ASSERT_TRUE(b.ok());
        EXPECT_EQ(m.bytes_requested(), 50u); // reference() is not counted
        EXPECT_EQ(std::memcmp(a->data, bytes.data() + 100, 50), 0);
        EXPECT_EQ(std::memcmp(b->data, bytes.data() + 9000, 1000), 0);
        auto c = m.view(9990, 11);
        ASSERT_FALSE(c.ok());
        EXPECT_EQ(c.error().status, Status::TruncatedSegment);
        std::vector<uint8_t> out(10);
        ASSERT_TRUE(m.read_at(0, out.size(), out.data()).ok());
        EXPECT_EQ(m.bytes_requested(), 60u);
        EXPECT_EQ(std::memcmp(a->data, bytes.data() + 100, 50), 0); // still valid after more views
        m.reset_counter();
        EXPECT_EQ(m.bytes_requested(), 0u);
    }
    auto missing = MappedSource::open(dir.file("nope"));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().status, Status::ManifestNotFound);
}

// --- the store --------------------------------------------------------------------------------

std::vector<float> gaussian_rows(uint32_t seed, size_t n, size_t dim) {
    test::Mulberry32 r(seed);
    std::vector<float> v(n * dim);
    for (float &x : v)
        x = static_cast<float>(r.gaussian());
    return v;
}

/// A compacted store at `path`: n rows (ids 1..n, every 4th with metadata), a tenth deleted.
void make_compacted(const std::string &path, size_t n, uint16_t dim, StorageType storage, IndexMode index,
                    Metric metric = Metric::L2) {
    StoreOptions o;
    o.dimension = dim;
    o.metric = metric;
    o.storage = storage;
    o.index = index;
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    const std::vector<float> v = gaussian_rows(5, n, dim);
    for (size_t at = 0; at < n; at += 2000) {
        const size_t m = std::min<size_t>(2000, n - at);
        std::vector<uint64_t> ids(m);
        std::vector<std::vector<MetadataEntry>> meta(m);
        for (size_t i = 0; i < m; ++i) {
            ids[i] = at + i + 1;
            if ((at + i) % 4 == 0)
                meta[i] = {{1, MetadataValue::u64((at + i) % 5)}};
        }
        auto r = s->ingest_batch(ids, std::span(v).subspan(at * dim, m * dim), meta);
        ASSERT_TRUE(r.ok()) << r.error().to_string();
    }
    std::vector<uint64_t> gone;
    for (uint64_t id = 3; id <= n; id += 10)
        gone.push_back(id);
    ASSERT_TRUE(s->remove(gone).ok());
    auto c = s->compact(CompactOptions{});
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    ASSERT_TRUE(s->close().ok());
}

/// Whether this build maps files (native POSIX); elsewhere (wasm, Windows) open_readonly copies
/// as before and only the layout and equality checks apply.
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

void expect_same_answers(const RvfStore &a, const RvfStore &b, size_t n, uint16_t dim) {
    EXPECT_EQ(a.status().total_vectors, b.status().total_vectors);
    EXPECT_EQ(a.status().current_epoch, b.status().current_epoch);
    EXPECT_EQ(*a.count(), *b.count());
    const FilterExpr f = FilterExpr::eq(1, MetadataValue::u64(1));
    EXPECT_EQ(*a.count(&f), *b.count(&f));
    EXPECT_TRUE(a.metadata_copy(17).has_value());
    for (uint64_t id : {uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{n / 2}, uint64_t{n}}) {
        EXPECT_EQ(a.vector(id), b.vector(id)) << id;
        EXPECT_EQ(a.metadata_copy(id), b.metadata_copy(id)) << id;
    }
    const std::vector<float> qs = gaussian_rows(99, 12, dim);
    for (size_t q = 0; q < 12; ++q) {
        const std::span<const float> qv(qs.data() + q * dim, dim);
        auto ra = a.query(qv, 10);
        auto rb = b.query(qv, 10);
        ASSERT_TRUE(ra.ok() && rb.ok());
        EXPECT_EQ(*ra, *rb) << "query " << q;
        auto fa = a.query(qv, 5, {.filter = &f});
        auto fb = b.query(qv, 5, {.filter = &f});
        ASSERT_TRUE(fa.ok() && fb.ok());
        EXPECT_EQ(*fa, *fb) << "filtered query " << q;
    }
}

class InPlaceOpen : public ::testing::TestWithParam<std::tuple<StorageType, Metric>> {};

TEST_P(InPlaceOpen, CompactedFileAnswersAsTheCopyingOpen) {
    const auto [storage, metric] = GetParam();
    test::TempDir dir("rvf-inplace");
    const std::string path = dir.file("c.rvf");
    constexpr size_t kN = 3000;
    constexpr uint16_t kDim = 24;
    make_compacted(path, kN, kDim, storage, IndexMode::Auto, metric);
    auto copy = RvfStore::open_readonly(path, copying());
    ASSERT_TRUE(copy.ok()) << copy.error().to_string();
    EXPECT_EQ(copy->status().rows_in_place, 0u);
    for (const OpenOptions &o : {structural(), OpenOptions{}}) {
        auto in = RvfStore::open_readonly(path, o);
        ASSERT_TRUE(in.ok()) << in.error().to_string();
        if (can_map())
            EXPECT_EQ(in->status().rows_in_place, in->status().total_vectors);
        EXPECT_TRUE(in->status().read_only);
        expect_same_answers(*in, *copy, kN, kDim);
        EXPECT_TRUE(in->verify().ok);
        EXPECT_EQ(in->to_bytes(), copy->to_bytes());
        EXPECT_EQ(in->ingest_batch(std::vector<uint64_t>{kN + 1}, std::vector<float>(kDim, 0.f)).error().status,
                  Status::ReadOnly);
    }
}

INSTANTIATE_TEST_SUITE_P(Storages, InPlaceOpen,
                         ::testing::Values(std::tuple{StorageType::F32, Metric::L2},
                                           std::tuple{StorageType::F32, Metric::Cosine},
                                           std::tuple{StorageType::F16, Metric::L2},
                                           std::tuple{StorageType::F16, Metric::InnerProduct},
                                           std::tuple{StorageType::I8, Metric::L2},
                                           std::tuple{StorageType::I8, Metric::Cosine}));

TEST(InPlaceOpenBytes, OpenReadsUnderFivePercentOfA20KRowFile) {
    if (!can_map())
        GTEST_SKIP() << "no file mapping in this build: open_readonly reads the whole file, as before";
    test::TempDir dir("rvf-inplace");
    const std::string path = dir.file("big.rvf");
    make_compacted(path, 20000, 128, StorageType::F32, IndexMode::Off);
    const uint64_t size = std::filesystem::file_size(path);
    auto s = RvfStore::open_readonly(path, structural());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    const StoreStatus st = s->status();
    EXPECT_EQ(st.rows_in_place, 18000u);
    EXPECT_LT(st.open_bytes_read * 20, size) << st.open_bytes_read << " of " << size << " bytes";
    RecordProperty("open_bytes_read", std::to_string(st.open_bytes_read));
    RecordProperty("file_size", std::to_string(size));
    // The full check reads everything: the count says so.
    auto full = RvfStore::open_readonly(path);
    ASSERT_TRUE(full.ok());
    EXPECT_GE(full->status().open_bytes_read, size);
}

TEST(InPlaceOpenBytes, WithAnIndexTheOpenReadsNoAdjacency) {
    if (!can_map())
        GTEST_SKIP() << "no file mapping in this build: open_readonly reads the whole file, as before";
    test::TempDir dir("rvf-inplace");
    const std::string path = dir.file("idx.rvf");
    make_compacted(path, 6000, 64, StorageType::F32, IndexMode::Auto); // (HNSW build: kept small for debug builds)
    const uint64_t size = std::filesystem::file_size(path);
    uint64_t index_bytes = 0;
    {
        auto s = RvfStore::open_readonly(path);
        ASSERT_TRUE(s.ok());
        for (const SegmentSummary &g : s->segments())
            if (g.seg_type == static_cast<uint8_t>(core::SegType::Index))
                index_bytes += g.payload_length;
    }
    auto s = RvfStore::open_readonly(path, structural());
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    const uint64_t read = s->status().open_bytes_read;
    RecordProperty("open_bytes_read", std::to_string(read));
    RecordProperty("index_bytes", std::to_string(index_bytes));
    RecordProperty("file_size", std::to_string(size));
    EXPECT_GT(index_bytes, 0u);
    // The graph is served from layer F in the mapping (inplace_graph_test.cpp): the open reads
    // a few header bytes of each INDEX_SEG, so everything it reads is < 10 % of the file here
    // (6 K × 64-d rows are a quarter of the 20 K × 128-d file's per-row bytes, so ids and
    // metadata weigh more; that file reads ~2 %).
    EXPECT_TRUE(s->status().graph_in_place);
    EXPECT_LT(read * 10, size) << read << " of " << size << " bytes; index " << index_bytes;
}

TEST(InPlaceOpenFallback, AppendOnlyFileTakesTheVerifiedPath) {
    test::TempDir dir("rvf-inplace");
    const std::string path = dir.file("a.rvf");
    {
        auto s = RvfStore::create(path, {.dimension = 8});
        ASSERT_TRUE(s.ok());
        const auto v = gaussian_rows(3, 100, 8);
        std::vector<uint64_t> ids(100);
        for (size_t i = 0; i < ids.size(); ++i)
            ids[i] = i + 1;
        ASSERT_TRUE(s->ingest_batch(ids, v).ok());
        // no close(): the file ends with a COMMIT record, not a checkpoint root
        auto ro = RvfStore::open_readonly(path, structural());
        ASSERT_TRUE(ro.ok()) << ro.error().to_string();
        EXPECT_EQ(ro->status().total_vectors, 100u);
        EXPECT_EQ(ro->status().rows_in_place, 0u); // columnar appends: decoded into owned rows
        auto q = ro->query(std::span(v).subspan(8 * 7, 8), 1);
        ASSERT_TRUE(q.ok());
        EXPECT_EQ((*q)[0].id, 8u);
    }
}

TEST(InPlaceOpenFallback, RowMajorFileExportsToLayoutR) {
    test::TempDir dir("rvf-inplace");
    const std::string path = dir.file("r.rvf");
    make_compacted(path, 500, 16, StorageType::F32, IndexMode::Off);
    auto s = RvfStore::open_readonly(path, structural());
    ASSERT_TRUE(s.ok());
    auto r = s->export_layout_r();
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    auto back = RvfStore::from_bytes(*r);
    ASSERT_TRUE(back.ok()) << back.error().to_string();
    EXPECT_EQ(back->status().opened_layout, FileLayout::R);
    EXPECT_EQ(back->status().total_vectors, s->status().total_vectors);
    EXPECT_EQ(back->vector(17), s->vector(17));
}

// --- damage -----------------------------------------------------------------------------------

/// Open (structural) and, if it opens, query, read and verify: none of it may crash. Returns
/// whether the open succeeded; a successful open of damaged data must be caught by verify().
bool probe(const std::string &path, uint16_t dim, bool *verified_ok) {
    auto s = RvfStore::open_readonly(path, structural());
    if (!s.ok()) {
        EXPECT_NE(s.error().status, Status::Ok);
        EXPECT_FALSE(s.error().message.empty());
        return false;
    }
    const auto qs = gaussian_rows(42, 3, dim);
    for (size_t q = 0; q < 3; ++q)
        (void)s->query(std::span(qs).subspan(q * dim, dim), 10);
    (void)s->vector(1);
    (void)s->count();
    *verified_ok = s->verify().ok;
    return true;
}

TEST(InPlaceOpenDamage, TruncatedOrBitFlippedFilesNeverCrash) {
    test::TempDir dir("rvf-inplace");
    const std::string good = dir.file("good.rvf");
    constexpr uint16_t kDim = 16;
    make_compacted(good, 1200, kDim, StorageType::F32, IndexMode::Auto); // > 1024 rows: the HNSW layers too
    auto bytes = read_file_bytes(good);
    ASSERT_TRUE(bytes.ok());
    const std::string bad = dir.file("bad.rvf");
    auto write = [&](const std::vector<uint8_t> &b) {
        FILE *fp = std::fopen(bad.c_str(), "wb");
        ASSERT_NE(fp, nullptr);
        if (!b.empty()) // (fwrite of an empty vector would pass a null pointer)
            ASSERT_EQ(std::fwrite(b.data(), 1, b.size(), fp), b.size());
        std::fclose(fp);
    };
    // Truncations: every 64-byte boundary near the tail, and a few deep cuts.
    std::vector<size_t> cuts = {0, 10, 64, 4096, bytes->size() / 3, bytes->size() / 2};
    for (size_t c = 1; c <= 80; ++c)
        cuts.push_back(bytes->size() - c * 37);
    for (size_t cut : cuts) {
        write(std::vector<uint8_t>(bytes->begin(), bytes->begin() + std::min(cut, bytes->size())));
        bool ok = true;
        if (probe(bad, kDim, &ok))
            SUCCEED(); // an earlier intact epoch may still answer
    }
    // Bit flips at seeded positions: wherever one lands, the open refuses it with a typed error,
    // or opens and verify() reports the damage (a flip the open cannot see lies in a payload).
    test::Mulberry32 r(2024);
    int opened = 0;
    for (int i = 0; i < 150; ++i) {
        std::vector<uint8_t> b = *bytes;
        const size_t at = static_cast<size_t>(static_cast<uint32_t>(r.uniform() * 4294967296.0) % b.size());
        b[at] ^= static_cast<uint8_t>(1u << (static_cast<uint32_t>(r.uniform() * 4294967296.0) % 8));
        write(b);
        bool verified_ok = true;
        if (probe(bad, kDim, &verified_ok)) {
            ++opened;
            EXPECT_FALSE(verified_ok) << "flip at " << at << " opened and passed verify()";
        }
    }
    RecordProperty("flips_opened", opened);
}

} // namespace

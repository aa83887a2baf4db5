// MetadataTable (rvf/metadata.hpp): normalisation, META_SEG round trips of every type and of
// sparse id sets, reload replacement, pinned layout bytes, corrupt payloads → typed errors with
// the table untouched, METAIDX_SEG indexes (decoded with the core views, checked, stale
// detection), and incremental index upkeep against a rebuilt table.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <rvf/core/format/meta_column.hpp>
#include <rvf/core/format/meta_seg.hpp>
#include <rvf/core/format/metaidx_seg.hpp>
#include <rvf/metadata.hpp>

using namespace rvf;
using core::ByteView;
using core::Status;

namespace {

using V = MetadataValue;
using Row = std::vector<MetadataEntry>;
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();

ByteView view(const std::vector<uint8_t> &b) { return ByteView(b.data(), b.size()); }

double nan_with_payload() { return __builtin_bit_cast(double, 0x7FF4000000ABCDEFull); } // signalling-style NaN

// Rows covering every type and edge value, on sparse ids.
std::map<uint64_t, Row> edge_rows() {
    std::map<uint64_t, Row> m;
    m[0] = {{1, V::u64(0)}, {2, V::i64(kI64Min)}, {3, V::f64(nan_with_payload())}, {4, V::str("")},
            {5, V::boolean(false)}, {6, V::bytes(std::string_view(""))}};
    m[7] = {{1, V::u64(kU64Max)}, {2, V::i64(std::numeric_limits<int64_t>::max())}, {3, V::f64(-0.0)},
            {4, V::str("h\xC3\xA9llo")}, {5, V::boolean(true)}, {6, V::bytes(std::string_view("\0\xFF\x01", 3))}};
    m[1ull << 40] = {{3, V::f64(-HUGE_VAL)}, {4, V::str(std::string(70000, 'x'))}};
    m[kU64Max] = {{3, V::f64(HUGE_VAL)}, {2, V::i64(-1)}, {9, V::f64(0.1)}};
    m[kU64Max - 1] = {{65535, V::str("top field")}, {0, V::u64(42)}};
    return m;
}

MetadataTable table_of(const std::map<uint64_t, Row> &rows) {
    MetadataTable t;
    for (const auto &[id, r] : rows)
        t.put(id, r);
    return t;
}

std::vector<uint64_t> keys_of(const std::map<uint64_t, Row> &rows) {
    std::vector<uint64_t> k;
    for (const auto &kv : rows)
        k.push_back(kv.first);
    return k;
}

// Every row of `a` equals the row of `b` and the sizes match.
void expect_same(const MetadataTable &a, const MetadataTable &b) {
    ASSERT_EQ(a.size(), b.size());
    for (uint64_t id : a.ids()) {
        const Row *ra = a.get(id), *rb = b.get(id);
        ASSERT_NE(rb, nullptr) << id;
        EXPECT_EQ(*ra, *rb) << id;
    }
}

bool is_format_error(Status s) {
    return s == Status::TruncatedSegment || s == Status::InvalidManifest || s == Status::AlignmentError ||
           s == Status::UnsupportedLayout;
}

} // namespace

TEST(MetadataValue, FactoriesIdentityAndNames) {
    EXPECT_EQ(V::u64(5).type, MetaType::U64);
    EXPECT_EQ(V::i64(-5).i, -5);
    EXPECT_EQ(V::str("a").s, "a");
    EXPECT_TRUE(V::boolean(true).b);
    const uint8_t raw[] = {0, 1, 255};
    EXPECT_EQ(V::bytes(std::span<const uint8_t>(raw, 3)).s, std::string("\0\x01\xFF", 3));
    EXPECT_EQ(V::bytes(std::string_view("ab")), V::bytes(std::span<const uint8_t>((const uint8_t *)"ab", 2)));
    // Identity: NaN equals the same NaN; −0 differs from +0; types never equal across.
    EXPECT_EQ(V::f64(nan_with_payload()), V::f64(nan_with_payload()));
    EXPECT_FALSE(V::f64(std::nan("")) == V::f64(nan_with_payload()));
    EXPECT_FALSE(V::f64(-0.0) == V::f64(0.0));
    EXPECT_FALSE(V::str("a") == V::bytes(std::string_view("a")));
    EXPECT_FALSE(V::u64(1) == V::i64(1));
    EXPECT_EQ(to_string(V::i64(-3)), "i64:-3");
    EXPECT_EQ(to_string(V::bytes(std::string_view("\x0a\xff", 2))), "bytes:0aff");
    EXPECT_STREQ(meta_type_name(MetaType::Bytes), "bytes");
}

TEST(MetadataTable, PutNormalisesAndErases) {
    MetadataTable t;
    t.put(9, {{5, V::u64(1)}, {2, V::str("b")}, {5, V::u64(2)}, {2, V::str("c")}});
    const Row *r = t.get(9);
    ASSERT_NE(r, nullptr);
    const Row want = {{2, V::str("b")}, {5, V::u64(1)}}; // sorted, first of each field kept
    EXPECT_EQ(*r, want);
    EXPECT_EQ(*t.field(9, 5), V::u64(1));
    EXPECT_EQ(t.field(9, 3), nullptr);
    EXPECT_EQ(t.field(8, 5), nullptr);
    EXPECT_TRUE(t.has_field(2));
    EXPECT_FALSE(t.has_field(3));
    t.put(9, {{3, V::boolean(true)}}); // replaces
    EXPECT_FALSE(t.has_field(2));
    EXPECT_TRUE(t.has_field(3));
    t.put(9, {}); // empty = erase
    EXPECT_EQ(t.get(9), nullptr);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_TRUE(t.field_indexes().empty());
    t.put(1, {{1, V::u64(1)}});
    t.erase(2); // absent: no-op
    t.erase(1);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_TRUE(t.field_indexes().empty());
}

TEST(MetaSegRoundTrip, EveryTypeAndEdgeValueOnSparseIds) {
    const auto rows = edge_rows();
    const MetadataTable t = table_of(rows);
    const auto ids = keys_of(rows);
    auto seg = t.encode_meta_seg(ids);
    ASSERT_TRUE(seg.ok()) << seg.error().to_string();
    EXPECT_EQ(seg->size() % 64, 0u);
    core::MetaBodyView body;
    ASSERT_EQ(core::MetaBodyView::parse(view(*seg), body), Status::Ok);
    EXPECT_EQ(body.seg.header.encoding, 1);
    EXPECT_EQ(body.seg.header.id_range_start, 0u);
    EXPECT_EQ(body.seg.header.id_range_end, kU64Max);
    EXPECT_EQ(body.row_count, rows.size());
    MetadataTable back;
    ASSERT_TRUE(back.load_meta_seg(view(*seg)).ok());
    expect_same(t, back);
    // The NaN payload and −0.0 survive bit-exactly.
    EXPECT_EQ(__builtin_bit_cast(uint64_t, back.field(0, 3)->f), 0x7FF4000000ABCDEFull);
    EXPECT_TRUE(std::signbit(back.field(7, 3)->f));
    EXPECT_EQ(back.field(1ull << 40, 4)->s.size(), 70000u);
    // Re-encoding the reloaded table gives the same bytes (deterministic).
    auto again = back.encode_meta_seg(ids);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *seg);
    // Ids given in any order and repeated encode the same.
    std::vector<uint64_t> shuffled = {kU64Max, 7, 0, 7, 1ull << 40, kU64Max - 1, 0};
    EXPECT_EQ(*t.encode_meta_seg(shuffled), *seg);
}

TEST(MetaSegRoundTrip, OneFieldWithSeveralTypes) {
    MetadataTable t;
    t.put(1, {{5, V::u64(3)}});
    t.put(2, {{5, V::str("three")}});
    t.put(3, {{5, V::f64(3.0)}, {6, V::boolean(true)}});
    t.put(4, {{6, V::boolean(false)}});
    auto seg = t.encode_meta_seg(std::vector<uint64_t>{1, 2, 3, 4});
    ASSERT_TRUE(seg.ok());
    core::MetaBodyView body;
    ASSERT_EQ(core::MetaBodyView::parse(view(*seg), body), Status::Ok);
    ASSERT_EQ(body.seg.header.field_count, 4u); // (5,string) (5,u64) (5,f64) (6,bool)
    EXPECT_EQ(body.seg.field(0).field_type, uint8_t(core::MetaFieldType::String));
    EXPECT_EQ(body.seg.field(1).field_type, uint8_t(core::MetaFieldType::U64));
    EXPECT_EQ(body.seg.field(2).field_type, uint8_t(core::MetaFieldType::F64));
    EXPECT_EQ(body.seg.field(3).field_id, 6u);
    EXPECT_EQ(body.seg.field(3).flags, core::MetaFieldFlag::Stored | core::MetaFieldFlag::Nullable);
    MetadataTable back;
    ASSERT_TRUE(back.load_meta_seg(view(*seg)).ok());
    expect_same(t, back);
}

TEST(MetaSegRoundTrip, LaterSegmentsReplaceAndClearCoveredIds) {
    MetadataTable w;
    w.put(1, {{1, V::str("old")}});
    w.put(2, {{1, V::str("two")}});
    auto s1 = w.encode_meta_seg(std::vector<uint64_t>{1, 2});
    w.put(1, {{2, V::u64(9)}}); // new row replaces all fields of id 1
    w.erase(2);                 // id 2 loses its metadata
    auto s2 = w.encode_meta_seg(std::vector<uint64_t>{1, 2, 3});
    ASSERT_TRUE(s1.ok() && s2.ok());
    MetadataTable r;
    r.put(3, {{7, V::boolean(true)}}); // pre-existing row for an id s2 covers without values
    r.put(4, {{7, V::boolean(true)}}); // not covered: untouched
    ASSERT_TRUE(r.load_meta_seg(view(*s1)).ok());
    EXPECT_EQ(r.field(2, 1)->s, "two");
    ASSERT_TRUE(r.load_meta_seg(view(*s2)).ok());
    const Row want1 = {{2, V::u64(9)}};
    EXPECT_EQ(*r.get(1), want1);
    EXPECT_EQ(r.get(2), nullptr);
    EXPECT_EQ(r.get(3), nullptr);
    EXPECT_NE(r.get(4), nullptr);
    EXPECT_FALSE(r.has_field(1));
}

TEST(MetaSegRoundTrip, EmptySegmentsAndIdsWithoutRows) {
    MetadataTable t;
    auto empty = t.encode_meta_seg({});
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->size(), 128u); // header, empty directory padded to 64, id block padded to 64
    auto only_absent = t.encode_meta_seg(std::vector<uint64_t>{5});
    ASSERT_TRUE(only_absent.ok());
    core::MetaBodyView body;
    ASSERT_EQ(core::MetaBodyView::parse(view(*only_absent), body), Status::Ok);
    EXPECT_EQ(body.row_count, 1u);
    EXPECT_EQ(body.seg.header.field_count, 0u);
    EXPECT_EQ(body.seg.header.id_range_start, 5u);
    MetadataTable r;
    r.put(5, {{1, V::u64(1)}});
    ASSERT_TRUE(r.load_meta_seg(view(*empty)).ok());
    EXPECT_NE(r.get(5), nullptr);
    ASSERT_TRUE(r.load_meta_seg(view(*only_absent)).ok());
    EXPECT_EQ(r.get(5), nullptr);
}

// The bytes of a tiny segment, offset by offset (meta_column.hpp).
TEST(MetaSegLayout, PinnedBytes) {
    MetadataTable t;
    t.put(10, {{3, V::u64(7)}});
    t.put(20, {{3, V::u64(9)}, {4, V::str("ab")}});
    auto seg = t.encode_meta_seg(std::vector<uint64_t>{20, 10});
    ASSERT_TRUE(seg.ok());
    const auto &p = *seg;
    ASSERT_EQ(p.size(), 320u);
    EXPECT_EQ(core::load_u32_le(&p[0x00]), 0u);  // schema_id
    EXPECT_EQ(core::load_u64_le(&p[0x04]), 10u); // id_range_start
    EXPECT_EQ(core::load_u64_le(&p[0x0C]), 20u); // id_range_end
    EXPECT_EQ(core::load_u16_le(&p[0x14]), 2u);  // field_count
    EXPECT_EQ(p[0x16], 1);                       // column encoding
    // Directory: (3, u64, STORED, 192), (4, string, STORED|NULLABLE, 256).
    EXPECT_EQ(core::load_u16_le(&p[0x40]), 3u);
    EXPECT_EQ(p[0x42], 2);
    EXPECT_EQ(p[0x43], 0x08);
    EXPECT_EQ(core::load_u32_le(&p[0x44]), 192u);
    EXPECT_EQ(core::load_u16_le(&p[0x48]), 4u);
    EXPECT_EQ(p[0x4A], 0);
    EXPECT_EQ(p[0x4B], 0x0C);
    EXPECT_EQ(core::load_u32_le(&p[0x4C]), 256u);
    // Id block at 128: count 2, varint 10, delta 10.
    EXPECT_EQ(core::load_u32_le(&p[128]), 2u);
    EXPECT_EQ(p[132], 10);
    EXPECT_EQ(p[133], 10);
    for (size_t i = 134; i < 192; ++i)
        EXPECT_EQ(p[i], 0) << i;
    // u64 column: 7, 9.
    EXPECT_EQ(core::load_u64_le(&p[192]), 7u);
    EXPECT_EQ(core::load_u64_le(&p[200]), 9u);
    // String column: presence 0b10, pad to 8, dict_size 1, "ab" (varint len 2), pad to 4, code 0.
    EXPECT_EQ(p[256], 0x02);
    EXPECT_EQ(core::load_u32_le(&p[264]), 1u);
    EXPECT_EQ(p[268], 2);
    EXPECT_EQ(p[269], 'a');
    EXPECT_EQ(p[270], 'b');
    EXPECT_EQ(p[271], 0);
    EXPECT_EQ(p[272], 0); // code 0
    for (size_t i = 273; i < 320; ++i)
        EXPECT_EQ(p[i], 0) << i;
}

TEST(MetaSegCorrupt, TruncationsAndByteFlipsGiveTypedErrorsAndLeaveTableUntouched) {
    const MetadataTable src = table_of(edge_rows());
    auto seg = src.encode_meta_seg(keys_of(edge_rows()));
    ASSERT_TRUE(seg.ok());
    MetadataTable base;
    base.put(7, {{100, V::str("keep me")}});
    base.put(12345, {{100, V::u64(1)}});
    const auto before = base.encode_meta_seg(std::vector<uint64_t>{7, 12345});
    auto unchanged = [&](const MetadataTable &t) { return *t.encode_meta_seg(std::vector<uint64_t>{7, 12345}) == *before && t.size() == 2; };
    // Every truncation fails with a format status.
    for (size_t n = 0; n < seg->size(); n += (n < 512 ? 1 : 61)) {
        MetadataTable t = base;
        auto r = t.load_meta_seg(ByteView(seg->data(), n));
        ASSERT_FALSE(r.ok()) << n;
        EXPECT_TRUE(is_format_error(r.status())) << n << " " << r.error().to_string();
        EXPECT_TRUE(unchanged(t)) << n;
    }
    // Byte flips: either still a valid segment or a typed error; never a crash.
    size_t rejected = 0;
    for (size_t i = 0; i < seg->size(); i += (i < 1024 ? 1 : 97)) {
        auto q = *seg;
        q[i] ^= 0xA5;
        MetadataTable t = base;
        auto r = t.load_meta_seg(view(q));
        if (!r.ok()) {
            ++rejected;
            EXPECT_TRUE(is_format_error(r.status())) << i << " " << r.error().to_string();
            EXPECT_TRUE(unchanged(t)) << i;
        }
    }
    EXPECT_GT(rejected, 100u);
}

TEST(MetaSegCorrupt, TargetedDefects) {
    MetadataTable t;
    t.put(10, {{3, V::u64(7)}});
    t.put(20, {{3, V::u64(9)}, {4, V::str("ab")}});
    const auto good = *t.encode_meta_seg(std::vector<uint64_t>{10, 20}); // PinnedBytes layout
    auto load = [](const std::vector<uint8_t> &b) {
        MetadataTable x;
        return x.load_meta_seg(view(b)).status();
    };
    ASSERT_EQ(load(good), Status::Ok);
    auto q = good;
    q[0x16] = 0; // row encoding
    EXPECT_EQ(load(q), Status::UnsupportedLayout);
    q = good;
    q[0x43] |= core::MetaFieldFlag::Sorted;
    EXPECT_EQ(load(q), Status::UnsupportedLayout);
    q = good;
    q[0x4A] = uint8_t(core::MetaFieldType::Enum);
    EXPECT_EQ(load(q), Status::UnsupportedLayout);
    q = good;
    q[272] = 1; // string code ≥ dict_size
    EXPECT_EQ(load(q), Status::InvalidManifest);
    q = good;
    q[133] = 0; // second id == first: not strictly ascending
    EXPECT_EQ(load(q), Status::InvalidManifest);
    q = good;
    core::store_u64_le(&q[0x0C], 21); // id_range_end ≠ last id
    EXPECT_EQ(load(q), Status::InvalidManifest);
    q = good;
    q[256] = 0x06; // presence bit past row_count
    EXPECT_EQ(load(q), Status::InvalidManifest);
    q = good;
    q[150] = 1; // id-block padding
    EXPECT_EQ(load(q), Status::AlignmentError);
    q = good;
    q[300] = 1; // bytes after the last column's body
    EXPECT_EQ(load(q), Status::AlignmentError);
    q = good;
    core::store_u32_le(&q[128], 200); // row count beyond the bytes
    EXPECT_EQ(load(q), Status::TruncatedSegment);
    q = good;
    core::store_u32_le(&q[0x4C], 192); // second column overlaps the first
    EXPECT_EQ(load(q), Status::InvalidManifest);
    q = good;
    core::store_u16_le(&q[0x48], 3); // (3,string) after (3,u64): directory order broken
    EXPECT_EQ(load(q), Status::InvalidManifest);
    // Same field in two columns for one row: (3,string) then (3,u64) is correctly ordered, but
    // every row would then hold field 3 twice.
    {
        MetadataTable c;
        c.put(1, {{3, V::str("s")}, {4, V::u64(1)}});
        c.put(2, {{3, V::str("s")}, {4, V::u64(1)}});
        auto dup = *c.encode_meta_seg(std::vector<uint64_t>{1, 2});
        core::store_u16_le(&dup[0x48], 3); // directory (3,string),(4,u64) -> (3,string),(3,u64)
        MetadataTable x;
        auto r = x.load_meta_seg(view(dup));
        EXPECT_EQ(r.status(), Status::InvalidManifest);
        EXPECT_NE(r.error().message.find("already has this field"), std::string::npos) << r.error().message;
    }
}

// Spec types u32 / f32 (never written by us) decode to U64 / F64.
TEST(MetaSegLayout, ReadsSpecU32AndF32Columns) {
    MetadataTable t;
    t.put(1, {{1, V::u64(0xDEADBEEF)}, {2, V::f64(1.5)}});
    auto seg = *t.encode_meta_seg(std::vector<uint64_t>{1});
    // Rewrite the 8-byte values as 4-byte spec types (same columns, shorter bodies).
    core::MetaBodyView b;
    ASSERT_EQ(core::MetaBodyView::parse(view(seg), b), Status::Ok);
    const uint32_t off0 = b.seg.field(0).field_offset, off1 = b.seg.field(1).field_offset;
    seg[0x42] = uint8_t(core::MetaFieldType::U32);
    seg[0x4A] = uint8_t(core::MetaFieldType::F32);
    std::fill(seg.begin() + off0, seg.begin() + off0 + 16, 0);
    core::store_u32_le(&seg[off0], 0xDEADBEEF);
    std::fill(seg.begin() + off1, seg.begin() + off1 + 16, 0);
    core::store_f32_le(&seg[off1], 1.5f);
    MetadataTable r;
    ASSERT_TRUE(r.load_meta_seg(view(seg)).ok());
    EXPECT_EQ(*r.field(1, 1), V::u64(0xDEADBEEF));
    EXPECT_EQ(*r.field(1, 2), V::f64(1.5));
}

namespace {
// A table with a multi-level u64 tree (> 255·341 entries would be slow; 600 gives 3 leaves).
MetadataTable index_table(size_t n) {
    MetadataTable t;
    for (uint64_t i = 0; i < n; ++i) {
        Row r = {{1, V::u64(i % 97)}, {2, V::i64(static_cast<int64_t>(i % 13) - 6)},
                 {3, V::f64(i % 11 == 0 ? std::nan("") : (i % 7 == 0 ? -0.0 : static_cast<double>(i % 5) - 2.0))},
                 {4, V::str("s" + std::to_string(i % 17))}};
        if (i % 3 == 0)
            r.push_back({5, V::boolean(i % 2 == 0)});
        if (i % 4 == 0)
            r.push_back({6, V::bytes(std::string(1, static_cast<char>(i % 256)))});
        t.put(i * 3 + 1, r);
    }
    return t;
}
} // namespace

TEST(MetaIdx, EncodeDecodeCheckAndStaleDetection) {
    const MetadataTable t = index_table(600);
    auto segs = t.encode_metaidx_segs();
    ASSERT_TRUE(segs.ok());
    ASSERT_EQ(segs->size(), 6u); // one per (field, type)
    for (const auto &p : *segs) {
        auto r = t.check_metaidx_seg(view(p));
        EXPECT_TRUE(r.ok()) << r.error().to_string();
        core::MetaIdxSegView v;
        ASSERT_EQ(core::MetaIdxSegView::parse(view(p), v), Status::Ok);
        const auto *fi = t.field_index(v.header.field_id);
        ASSERT_NE(fi, nullptr);
        if (core::meta_field_type_is_range(v.header.field_type)) {
            core::RangeTreeView tree;
            ASSERT_EQ(core::RangeTreeView::parse(v, tree), Status::Ok);
            // In-order walk equals the index's (key, id) order.
            std::vector<std::pair<uint64_t, uint64_t>> want, got;
            const MetaType mt = v.header.field_type == 2 ? MetaType::U64 : v.header.field_type == 6 ? MetaType::I64 : MetaType::F64;
            for (const auto &[key, ids] : fi->by_type[size_t(mt)].numeric)
                for (uint64_t id : ids)
                    want.push_back({key, id});
            core::RangeTreeCursor c = tree.begin();
            for (uint64_t raw, id; c.next(raw, id);)
                got.push_back({core::meta_order_key(v.header.field_type, raw), id});
            EXPECT_EQ(got, want);
            EXPECT_EQ(v.header.total_vectors, want.size());
            // lower_bound lands on the first entry ≥ probe, for every key and between keys.
            for (size_t k = 0; k < want.size(); k += 7) {
                for (uint64_t probe : {want[k].first, want[k].first + 1}) {
                    const auto it = std::lower_bound(want.begin(), want.end(), std::make_pair(probe, uint64_t(0)));
                    core::RangeTreeCursor lb = tree.lower_bound(probe);
                    uint64_t raw = 0, id = 0;
                    if (it == want.end()) {
                        EXPECT_FALSE(lb.next(raw, id));
                    } else {
                        ASSERT_TRUE(lb.next(raw, id));
                        EXPECT_EQ(core::meta_order_key(v.header.field_type, raw), it->first);
                        EXPECT_EQ(id, it->second);
                    }
                }
            }
        } else {
            core::InvertedIndexView inv;
            ASSERT_EQ(core::InvertedIndexView::parse(v, inv), Status::Ok);
            core::InvertedTermCursor c = inv.cursor();
            size_t terms = 0, ids = 0;
            for (core::InvertedTerm term; c.next(term); ++terms) {
                std::set<uint64_t> posting;
                core::DeltaIdsCursor pc = term.postings.cursor();
                for (uint64_t id; pc.next(id);)
                    posting.insert(id);
                ids += posting.size();
                if (v.header.field_type == uint8_t(core::MetaFieldType::Bool)) {
                    EXPECT_EQ(posting, fi->by_type[size_t(MetaType::Bool)].numeric.at(term.term[0]));
                } else {
                    const MetaType mt = v.header.field_type == 0 ? MetaType::String : MetaType::Bytes;
                    EXPECT_EQ(posting, fi->by_type[size_t(mt)].text.at(std::string((const char *)term.term.data, term.term.size)));
                }
            }
            EXPECT_EQ(terms, v.header.unique_values);
            EXPECT_EQ(ids, v.header.total_vectors);
        }
    }
    // Stale: any change to an indexed column makes the old index not match.
    MetadataTable changed = t;
    changed.put(1, {{1, V::u64(5)}});
    size_t stale = 0;
    for (const auto &p : *segs) {
        auto r = changed.check_metaidx_seg(view(p));
        if (!r.ok()) {
            ++stale;
            EXPECT_EQ(r.status(), Status::InvalidManifest);
            EXPECT_NE(r.error().message.find("does not match"), std::string::npos);
        }
    }
    EXPECT_EQ(stale, 6u); // id 1 lost fields 2..6 and changed field 1
    // An index for a field the table does not have does not match either.
    EXPECT_EQ(MetadataTable().check_metaidx_seg(view(segs->front())).status(), Status::InvalidManifest);
}

TEST(MetaIdx, DeepTreeAndLongTermsSkipped) {
    MetadataTable t;
    for (uint64_t i = 0; i < 90000; ++i) // 353 leaves: two internal levels
        t.put(i, {{1, V::u64(i * 2654435761ull)}});
    t.put(1000000, {{2, V::str(std::string(70000, 'z'))}});
    auto segs = t.encode_metaidx_segs();
    ASSERT_TRUE(segs.ok());
    ASSERT_EQ(segs->size(), 1u); // the string column has a term over 65535 bytes: no index
    core::MetaIdxSegView v;
    ASSERT_EQ(core::MetaIdxSegView::parse(view(segs->front()), v), Status::Ok);
    core::RangeTreeView tree;
    ASSERT_EQ(core::RangeTreeView::parse(v, tree), Status::Ok);
    EXPECT_EQ(tree.height, 3);
    EXPECT_EQ(tree.page_count, 353u + 2u + 1u);
    EXPECT_TRUE(t.check_metaidx_seg(view(segs->front())).ok());
    const uint64_t probe = 12345ull * 2654435761ull;
    core::RangeTreeCursor c = tree.lower_bound(probe);
    uint64_t raw = 0, id = 0;
    ASSERT_TRUE(c.next(raw, id));
    EXPECT_EQ(raw, probe);
    EXPECT_EQ(id, 12345u);
}

TEST(MetaIdx, CorruptIndexesGiveTypedErrors) {
    const MetadataTable t = index_table(600);
    auto segs = *t.encode_metaidx_segs();
    for (const auto &p : segs) {
        for (size_t n = 0; n < p.size(); n += (n < 300 ? 1 : 331)) {
            auto r = t.check_metaidx_seg(ByteView(p.data(), n));
            ASSERT_FALSE(r.ok()) << n;
            EXPECT_TRUE(is_format_error(r.status())) << r.error().to_string();
        }
        for (size_t i = 0; i < p.size(); i += (i < 300 ? 1 : 173)) {
            auto q = p;
            q[i] ^= 0x5A;
            auto r = t.check_metaidx_seg(view(q));
            ASSERT_FALSE(r.ok()) << i; // any change is either malformed or a mismatch
            EXPECT_TRUE(is_format_error(r.status())) << r.error().to_string();
        }
    }
    auto q = segs.front();
    q[2] = uint8_t(core::MetaIndexType::Bitmap);
    EXPECT_EQ(t.check_metaidx_seg(view(q)).status(), Status::UnsupportedLayout);
}

TEST(MetadataTable, IncrementalIndexesEqualRebuilt) {
    std::mt19937_64 rng(7);
    MetadataTable t;
    std::map<uint64_t, Row> truth;
    auto rand_value = [&]() -> V {
        switch (rng() % 6) {
        case 0:
            return V::u64(rng() % 20);
        case 1:
            return V::i64(static_cast<int64_t>(rng() % 20) - 10);
        case 2:
            return V::f64(rng() % 9 == 0 ? std::nan("") : static_cast<double>(rng() % 7) - 3.0);
        case 3:
            return V::str(std::string(rng() % 3, static_cast<char>('a' + rng() % 3)));
        case 4:
            return V::boolean(rng() % 2);
        default:
            return V::bytes(std::string(rng() % 2, 'q'));
        }
    };
    for (int op = 0; op < 5000; ++op) {
        const uint64_t id = rng() % 400;
        if (rng() % 4 == 0) {
            t.erase(id);
            truth.erase(id);
            continue;
        }
        Row r;
        for (int k = static_cast<int>(rng() % 4); k > 0; --k)
            r.push_back({static_cast<uint16_t>(rng() % 5), rand_value()});
        t.put(id, r);
        MetadataTable one;
        one.put(id, r);
        if (one.get(id))
            truth[id] = *one.get(id);
        else
            truth.erase(id);
    }
    const MetadataTable rebuilt = table_of(truth);
    expect_same(t, rebuilt);
    ASSERT_EQ(t.field_indexes().size(), rebuilt.field_indexes().size());
    for (const auto &[f, fi] : t.field_indexes()) {
        const auto &gi = rebuilt.field_indexes().at(f);
        EXPECT_EQ(fi.rows, gi.rows);
        for (size_t ty = 0; ty < kMetaTypeCount; ++ty) {
            EXPECT_EQ(fi.by_type[ty].rows, gi.by_type[ty].rows);
            EXPECT_EQ(fi.by_type[ty].numeric, gi.by_type[ty].numeric);
            EXPECT_EQ(fi.by_type[ty].text, gi.by_type[ty].text);
        }
    }
    EXPECT_EQ(*t.encode_metaidx_segs(), *rebuilt.encode_metaidx_segs());
    EXPECT_EQ(t.ids(), keys_of(truth));
}

// inplace_partition_query_test.cpp — QueryOptions::nprobe (issue 17): a store whose file carries a
// partition map (compact() with partition_on_compact) answers from the rows of the nprobe
// partitions nearest the query plus every row the map does not cover, in the in-place opens
// (structural and full) and the copying one alike. Checked: the answer is exactly the exact
// search restricted to those rows, its recall against the unrestricted exact answer, deletes
// and appends made after the compaction (and after a reopen), filters, the typed refusals (no
// map, exact + nprobe), and damaged maps (typed error or a warning, never a crash; this suite
// also runs under native-asan).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <rvf/core/format/vec_seg.hpp>
#include <rvf/hash.hpp>
#include <rvf/partition_map.hpp>
#include <rvf/progressive.hpp>
#include <rvf/store.hpp>

#include "support/ann_data.hpp"
#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

using Bytes = std::vector<uint8_t>;
constexpr size_t kN = 20000, kDim = 32;

StoreOptions options(bool partitioned = true) {
    StoreOptions o;
    o.dimension = kDim;
    o.hnsw_m = 8;
    o.hnsw_ef_construction = 48;
    o.index_threads = 1; // the same graph and partitions every run
    o.partition_on_compact = partitioned;
    return o;
}

struct Data {
    test::Matrix base, queries;
};
const Data &data() {
    static const Data d = [] {
        test::MixtureSpec spec; // 100 clustered centres: partitions mean something
        spec.n = kN;
        spec.queries = 50;
        spec.dim = kDim;
        spec.seed = 11;
        Data x;
        test::gaussian_mixture(spec, x.base, x.queries);
        return x;
    }();
    return d;
}
std::span<const float> qrow(size_t i) { return {data().queries.row(i), kDim}; }

/// Every 3rd row carries field 1 = "odd"/"even" of its id (the rest none).
std::vector<MetadataEntry> meta_of(uint64_t id) {
    if (id % 3 != 0)
        return {};
    return {{1, MetadataValue::str(id % 2 ? "odd" : "even")}};
}

/// The compacted image (built once): ids 1..kN, indexed, compacted with or without partitions.
Bytes build_image(bool partitioned) {
    auto db = RvfStore::create_in_memory(options(partitioned));
    EXPECT_TRUE(db.ok());
    const test::Matrix &b = data().base;
    for (size_t at = 0; at < kN; at += 5000) {
        std::vector<uint64_t> ids(5000);
        std::vector<std::vector<MetadataEntry>> meta(5000);
        for (size_t i = 0; i < ids.size(); ++i) {
            ids[i] = at + i + 1;
            meta[i] = meta_of(ids[i]);
        }
        EXPECT_TRUE(db->ingest_batch(ids, std::span<const float>(b.row(at), 5000 * kDim), meta).ok());
    }
    EXPECT_TRUE(db->build_index().ok());
    EXPECT_TRUE(db->compact().ok());
    return db->to_bytes();
}
const Bytes &partitioned_image() {
    static const Bytes f = build_image(true);
    return f;
}
const Bytes &plain_image() {
    static const Bytes f = build_image(false);
    return f;
}

void write_file(const std::string &path, const Bytes &b) {
    FILE *fp = std::fopen(path.c_str(), "wb");
    ASSERT_NE(fp, nullptr);
    ASSERT_EQ(std::fwrite(b.data(), 1, b.size(), fp), b.size());
    std::fclose(fp);
}
OpenOptions structural() {
    OpenOptions o;
    o.verify = OpenVerify::Structural;
    return o;
}
OpenOptions full_in_place() { return OpenOptions{}; }
OpenOptions copying() {
    OpenOptions o;
    o.in_place = false;
    return o;
}

/// The file's newest partition map and, per partition, the ids its VEC segment holds (read from
/// the bytes with the codecs, independently of the store's binding).
struct FileMap {
    PartitionMap map;
    std::vector<std::vector<uint64_t>> ids; // per partition
    uint64_t payload_offset = 0;
};
std::optional<FileMap> file_map(const Bytes &file, const RvfStore &s) {
    std::optional<FileMap> out;
    std::vector<SegmentSummary> segs = s.segments();
    for (const SegmentSummary &g : segs) {
        if (g.seg_type != static_cast<uint8_t>(core::SegType::Index))
            continue;
        const uint64_t off = g.offset + core::kSegmentHeaderSize;
        const core::ByteView p(file.data() + off, static_cast<size_t>(g.payload_length));
        if (!is_partition_map(p))
            continue;
        auto m = decode_partition_map(p);
        EXPECT_TRUE(m.ok());
        if (!m)
            return std::nullopt;
        out.emplace();
        out->map = std::move(*m);
        out->payload_offset = off;
    }
    if (!out)
        return out;
    out->ids.resize(out->map.size());
    for (uint32_t p = 0; p < out->map.size(); ++p) {
        for (const SegmentSummary &g : segs) {
            if (g.id != out->map.parts[p].segment_id || out->map.parts[p].rows == 0)
                continue;
            const core::ByteView pay(file.data() + g.offset + core::kSegmentHeaderSize,
                                     static_cast<size_t>(g.payload_length));
            core::VecSegView v;
            EXPECT_EQ(core::VecSegView::parse(pay, v, crc32c_update), Status::Ok);
            for (uint32_t bi = 0; bi < v.block_count; ++bi) {
                core::VecBlockView blk;
                EXPECT_EQ(v.block(bi, blk), Status::Ok);
                auto cur = blk.delta_ids().cursor();
                for (uint32_t i = 0; i < blk.count(); ++i) {
                    uint64_t id = 0;
                    if (blk.id_encoding == static_cast<uint8_t>(core::IdEncoding::Raw))
                        id = blk.id(i);
                    else
                        EXPECT_TRUE(cur.next(id));
                    out->ids[p].push_back(id);
                }
            }
        }
        EXPECT_EQ(out->ids[p].size(), out->map.parts[p].rows) << "partition " << p;
    }
    return out;
}

/// Every live row (passing `filter`) ranked by the store's own exact scan: its distances, its
/// (distance, id) order.
std::vector<Neighbor> exact_all(const RvfStore &s, std::span<const float> q, const FilterExpr *filter = nullptr) {
    auto all = s.query(q, s.status().total_vectors, {.filter = filter, .exact = true});
    EXPECT_TRUE(all.ok());
    return all ? *all : std::vector<Neighbor>{};
}
/// The exact answer restricted to `allowed` ids: the first k of `ranked` (exact_all) allowed.
std::vector<Neighbor> exact_within(const std::vector<Neighbor> &ranked, size_t k, const std::set<uint64_t> &allowed) {
    std::vector<Neighbor> out;
    for (const Neighbor &n : ranked)
        if (allowed.count(n.id) && out.size() < k)
            out.push_back(n);
    return out;
}

/// Ids the probe must score for q: the nprobe nearest partitions' ids plus `extra` (rows the map
/// does not cover).
std::set<uint64_t> probed_ids(const FileMap &fm, std::span<const float> q, size_t nprobe,
                              const std::vector<uint64_t> &extra = {}) {
    std::set<uint64_t> ids(extra.begin(), extra.end());
    for (uint32_t p : fm.map.nearest(q, nprobe))
        ids.insert(fm.ids[p].begin(), fm.ids[p].end());
    return ids;
}

void expect_same(const std::vector<Neighbor> &got, const std::vector<Neighbor> &want, const std::string &what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].id, want[i].id) << what << " rank " << i;
        EXPECT_EQ(got[i].distance, want[i].distance) << what << " rank " << i;
    }
}

double recall(const std::vector<Neighbor> &got, const std::vector<Neighbor> &want) {
    size_t hit = 0;
    for (const Neighbor &w : want)
        for (const Neighbor &g : got)
            hit += g.id == w.id ? 1 : 0;
    return want.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(want.size());
}

struct Opened {
    const char *name;
    OpenOptions o;
};
const Opened kOpens[] = {{"structural", structural()}, {"full in place", full_in_place()}, {"copying", copying()}};

TEST(InPlacePartitionQuery, AnswersAreTheExactSearchOfTheProbedPartitions) {
    test::TempDir dir("rvf-probe");
    const std::string path = dir.file("p.rvf");
    write_file(path, partitioned_image());
    std::vector<std::vector<Neighbor>> first_answers; // per open: every query's answers, in order
    for (const Opened &op : kOpens) {
        auto s = RvfStore::open_readonly(path, op.o);
        ASSERT_TRUE(s.ok()) << op.name << ": " << s.error().to_string();
        EXPECT_TRUE(s->status().warnings.empty()) << op.name << ": " << s->status().warnings.front();
        auto fm = file_map(partitioned_image(), *s);
        ASSERT_TRUE(fm.has_value());
        EXPECT_EQ(fm->map.size(), partition_count(kN));
        std::vector<Neighbor> all;
        for (size_t qi = 0; qi < data().queries.n; qi += 2) { // half the queries: a debug build's exact scans are slow
            const std::vector<Neighbor> ranked = exact_all(*s, qrow(qi));
            for (uint32_t nprobe : {1u, 3u, 8u}) {
                QueryStats st;
                auto got = s->query(qrow(qi), 10, {.stats = &st, .nprobe = nprobe});
                ASSERT_TRUE(got.ok()) << got.error().to_string();
                const std::set<uint64_t> ids = probed_ids(*fm, qrow(qi), nprobe);
                expect_same(*got, exact_within(ranked, 10, ids),
                            std::string(op.name) + " q" + std::to_string(qi) + " nprobe " + std::to_string(nprobe));
                EXPECT_FALSE(st.exact);
                EXPECT_EQ(st.distance_evals, ids.size()); // every probed row once, nothing else
                all.insert(all.end(), got->begin(), got->end());
            }
        }
        first_answers.push_back(std::move(all));
    }
    for (size_t i = 1; i < first_answers.size(); ++i)
        expect_same(first_answers[i], first_answers[0], std::string(kOpens[i].name) + " vs structural");
}

TEST(InPlacePartitionQuery, RecallAgainstExact) {
    test::TempDir dir("rvf-probe");
    const std::string path = dir.file("p.rvf");
    write_file(path, partitioned_image());
    auto s = RvfStore::open_readonly(path, structural());
    ASSERT_TRUE(s.ok());
    double sum[3] = {0, 0, 0};
    const uint32_t probes[3] = {1, 4, 8};
    for (size_t qi = 0; qi < data().queries.n; ++qi) {
        auto want = s->query(qrow(qi), 10, {.exact = true});
        ASSERT_TRUE(want.ok());
        for (int i = 0; i < 3; ++i) {
            auto got = s->query(qrow(qi), 10, {.nprobe = probes[i]});
            ASSERT_TRUE(got.ok());
            sum[i] += recall(*got, *want);
        }
    }
    const double n = static_cast<double>(data().queries.n);
    // Measured on this data (141 partitions of ~142 rows, 100 clusters, 50 queries): 0.916 /
    // 1.000 / 1.000 at nprobe 1 / 4 / 8. The floors leave room for another k-means sample (a
    // query or two), not for a regression.
    EXPECT_GE(sum[0] / n, 0.85);
    EXPECT_GE(sum[1] / n, 0.98);
    EXPECT_GE(sum[2] / n, 0.99);
    std::printf("recall@10 vs exact: nprobe 1 %.3f, 4 %.3f, 8 %.3f\n", sum[0] / n, sum[1] / n, sum[2] / n);
}

/// The partitioned file, then a writable session: the best 3 answers of every 5th query deleted,
/// every query's vector appended as a new id (distance 0: it must come first) and one partition
/// row upserted with a query's vector. Returns the appended ids (uncovered by the map).
struct Changes {
    std::set<uint64_t> deleted;
    std::vector<uint64_t> appended;
    uint64_t upserted = 0;
};
Changes change_after_compaction(RvfStore &w) {
    Changes c;
    for (size_t qi = 0; qi < data().queries.n; qi += 5) {
        auto best = w.query(qrow(qi), 3, {.exact = true});
        EXPECT_TRUE(best.ok());
        for (const Neighbor &n : *best)
            c.deleted.insert(n.id);
    }
    std::vector<uint64_t> del(c.deleted.begin(), c.deleted.end());
    EXPECT_TRUE(w.remove(del).ok());
    for (size_t qi = 0; qi < data().queries.n; ++qi)
        c.appended.push_back(1000000 + qi);
    EXPECT_TRUE(w.ingest_batch(c.appended, std::span<const float>(data().queries.row(0), c.appended.size() * kDim)).ok());
    c.upserted = 7; // a row of some partition, moved far away from where its partition is
    std::vector<float> far(kDim, 40.0f);
    const uint64_t up[1] = {c.upserted};
    EXPECT_TRUE(w.upsert_batch(up, far).ok());
    c.appended.push_back(c.upserted); // its new row is not in any partition
    return c;
}

void expect_changes_seen(const RvfStore &s, const Changes &c, const FileMap &fm, const std::string &what) {
    for (size_t qi = 0; qi < data().queries.n; ++qi) {
        auto got = s.query(qrow(qi), 10, {.nprobe = 2});
        ASSERT_TRUE(got.ok()) << what << ": " << got.error().to_string();
        ASSERT_FALSE(got->empty());
        EXPECT_EQ((*got)[0].id, 1000000 + qi) << what << ": the appended copy of query " << qi << " comes first";
        EXPECT_EQ((*got)[0].distance, 0.0f);
        for (const Neighbor &n : *got)
            EXPECT_EQ(c.deleted.count(n.id), 0u) << what << ": deleted id " << n.id << " answered";
        if (qi % 2 != 0)
            continue; // the full comparison for half the queries (a debug build's exact scans are slow)
        std::set<uint64_t> ids = probed_ids(fm, qrow(qi), 2, c.appended);
        for (uint64_t d : c.deleted)
            ids.erase(d);
        expect_same(*got, exact_within(exact_all(s, qrow(qi)), 10, ids), what + " q" + std::to_string(qi));
    }
    std::vector<float> far(kDim, 40.0f); // the upserted row: found where it is now, once
    auto got = s.query(far, 1, {.nprobe = 1});
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].id, c.upserted) << what;
    EXPECT_EQ((*got)[0].distance, 0.0f) << what;
}

TEST(InPlacePartitionQuery, DeletesAndAppendsAfterTheCompaction) {
    test::TempDir dir("rvf-probe");
    const std::string path = dir.file("p.rvf");
    write_file(path, partitioned_image());
    Changes c;
    std::optional<FileMap> fm;
    {
        auto w = RvfStore::open(path);
        ASSERT_TRUE(w.ok()) << w.error().to_string();
        fm = file_map(partitioned_image(), *w);
        ASSERT_TRUE(fm.has_value());
        c = change_after_compaction(*w);
        expect_changes_seen(*w, c, *fm, "writable handle");
        ASSERT_TRUE(w->close().ok());
    }
    for (const Opened &op : kOpens) {
        auto s = RvfStore::open_readonly(path, op.o);
        ASSERT_TRUE(s.ok()) << op.name << ": " << s.error().to_string();
        expect_changes_seen(*s, c, *fm, std::string("reopened ") + op.name);
    }
}

TEST(InPlacePartitionQuery, FilterAppliesToProbedRows) {
    test::TempDir dir("rvf-probe");
    const std::string path = dir.file("p.rvf");
    write_file(path, partitioned_image());
    const FilterExpr odd = FilterExpr::eq(1, MetadataValue::str("odd"));
    const FilterExpr not_odd = FilterExpr::ne(1, MetadataValue::str("odd")); // also rows without metadata
    for (const Opened &op : kOpens) {
        auto s = RvfStore::open_readonly(path, op.o);
        ASSERT_TRUE(s.ok());
        auto fm = file_map(partitioned_image(), *s);
        ASSERT_TRUE(fm.has_value());
        for (const FilterExpr *f : {&odd, &not_odd})
            for (size_t qi = 0; qi < data().queries.n; qi += 3) {
                QueryStats st;
                auto got = s->query(qrow(qi), 10, {.filter = f, .stats = &st, .nprobe = 4});
                ASSERT_TRUE(got.ok()) << got.error().to_string();
                for (const Neighbor &n : *got) {
                    const bool is_odd = n.id % 3 == 0 && n.id % 2 == 1;
                    EXPECT_EQ(is_odd, f == &odd) << n.id;
                }
                expect_same(*got, exact_within(exact_all(*s, qrow(qi), f), 10, probed_ids(*fm, qrow(qi), 4)),
                            std::string(op.name) + " filtered q" + std::to_string(qi));
                EXPECT_EQ(st.strategy, FilterStrategy::Intra);
            }
    }
}

TEST(InPlacePartitionQuery, RefusedWithoutAMapAndWithExact) {
    test::TempDir dir("rvf-probe");
    const std::string plain = dir.file("plain.rvf"), part = dir.file("p.rvf");
    write_file(plain, plain_image());
    write_file(part, partitioned_image());
    for (const Opened &op : kOpens) {
        auto s = RvfStore::open_readonly(plain, op.o);
        ASSERT_TRUE(s.ok());
        auto r = s->query(qrow(0), 10, {.nprobe = 4});
        ASSERT_FALSE(r.ok()) << op.name;
        EXPECT_EQ(r.status(), Status::UnsupportedLayout) << op.name;
        EXPECT_NE(r.error().message.find("partition_on_compact"), std::string::npos) << r.error().message;
        EXPECT_TRUE(s->query(qrow(0), 10).ok()); // nprobe 0: today's behaviour
        auto p = RvfStore::open_readonly(part, op.o);
        ASSERT_TRUE(p.ok());
        auto e = p->query(qrow(0), 10, {.exact = true, .nprobe = 4});
        ASSERT_FALSE(e.ok());
        EXPECT_EQ(e.status(), Status::InvalidArgument);
    }
    // A store that never had a file: in memory, never compacted.
    auto m = RvfStore::create_in_memory(options());
    ASSERT_TRUE(m.ok());
    auto r = m->query(qrow(0), 10, {.nprobe = 1});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::UnsupportedLayout);
}

TEST(InPlacePartitionQuery, CompactionsReplaceOrDropTheMap) {
    // In memory: a partitioned compaction gives the handle its map; one without partitioning
    // renumbers the rows and drops it; a partitioned one again brings it back.
    auto w = RvfStore::from_bytes(partitioned_image());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->query(qrow(0), 10, {.nprobe = 2}).ok());
    w->set_partition_on_compact(false);
    const uint64_t gone[1] = {1};
    ASSERT_TRUE(w->remove(gone).ok());
    ASSERT_TRUE(w->compact().ok());
    auto r = w->query(qrow(0), 10, {.nprobe = 2});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::UnsupportedLayout);
    w->set_partition_on_compact(true);
    ASSERT_TRUE(w->compact().ok());
    auto again = w->query(qrow(0), 10, {.nprobe = 8});
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    auto exact = w->query(qrow(0), 10, {.exact = true});
    ASSERT_TRUE(exact.ok());
    EXPECT_GE(recall(*again, *exact), 0.9);
}

TEST(InPlacePartitionQuery, APartitionedFileOpenedWritableStaysPartitioned) {
    // Regression: a writable open() started with partition_on_compact off, so the next
    // compaction (or an auto-compaction) of a partitioned file silently dropped its map.
    test::TempDir dir("rvf-probe-reopen");
    const std::string path = dir.file("reopened.rvf");
    write_file(path, partitioned_image());
    {
        auto w = RvfStore::open(path);
        ASSERT_TRUE(w.ok()) << w.error().to_string();
        const uint64_t gone[1] = {2};
        ASSERT_TRUE(w->remove(gone).ok());
        ASSERT_TRUE(w->compact().ok());
        ASSERT_TRUE(w->query(qrow(1), 10, {.nprobe = 4}).ok());
    }
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r.ok());
    auto hits = r->query(qrow(1), 10, {.nprobe = 4});
    ASSERT_TRUE(hits.ok()) << hits.error().to_string();
    for (const Neighbor &h : *hits)
        EXPECT_NE(h.id, 2u);
}

TEST(InPlacePartitionQuery, AMergeAfterTheCompactionKeepsTheAnswers) {
    // A merge rewrites runs of small segments without moving rows between slots, so the
    // handle's binding stays right; and a reopen binds the file's map again only while every
    // partition's VEC segment is still listed with its rows (here the merge left them alone;
    // a map naming a segment that is not a listed VEC segment is refused: DamagedMap… below).
    auto w = RvfStore::from_bytes(partitioned_image());
    ASSERT_TRUE(w.ok());
    auto fm = file_map(partitioned_image(), *w);
    ASSERT_TRUE(fm.has_value());
    w->set_merge_trigger_segments(16);
    w->set_auto_compaction(0); // a merge, not a compaction
    const uint64_t id[1] = {5000000};
    ASSERT_TRUE(w->ingest_batch(id, qrow(0)).ok());
    ASSERT_GT(w->status().merges, 0u);
    for (size_t qi = 0; qi < data().queries.n; qi += 5) {
        auto got = w->query(qrow(qi), 10, {.nprobe = 3});
        ASSERT_TRUE(got.ok()) << got.error().to_string();
        expect_same(*got, exact_within(exact_all(*w, qrow(qi)), 10, probed_ids(*fm, qrow(qi), 3, {id[0]})),
                    "after a merge q" + std::to_string(qi));
    }
    auto r = RvfStore::from_bytes_readonly(w->to_bytes(), std::nullopt);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    for (size_t qi = 0; qi < data().queries.n; qi += 5) {
        auto got = r->query(qrow(qi), 10, {.nprobe = 3});
        ASSERT_TRUE(got.ok()) << got.error().to_string();
        expect_same(*got, exact_within(exact_all(*r, qrow(qi)), 10, probed_ids(*fm, qrow(qi), 3, {id[0]})),
                    "reopened after a merge q" + std::to_string(qi));
    }
}

TEST(InPlacePartitionQuery, MetricsWithPerRowSumsAnswerTheSameBeforeAndAfterTheSumsExist) {
    // Cosine and i8 inner product need per-row sums; an in-place table computes them for every
    // row at the first query that needs them (reading the whole file), except for nprobe, which
    // derives the sums of the rows it scores. Both must give the same distances to the bit: the
    // first nprobe query of a structural open (no sums yet) against the copying open (sums made
    // at load) and against the same handle once an exact query has made them.
    struct Case {
        Metric metric;
        StorageType storage;
    };
    for (const Case c : {Case{Metric::Cosine, StorageType::F32}, Case{Metric::InnerProduct, StorageType::I8},
                         Case{Metric::Cosine, StorageType::I8}}) {
        const std::string what = std::string(metric_name(c.metric)) + " " + storage_type_name(c.storage);
        StoreOptions o = options();
        o.metric = c.metric;
        o.storage = c.storage;
        auto db = RvfStore::create_in_memory(o);
        ASSERT_TRUE(db.ok());
        const size_t n = 6000;
        std::vector<uint64_t> ids(n);
        for (size_t i = 0; i < n; ++i)
            ids[i] = i + 1;
        ASSERT_TRUE(db->ingest_batch(ids, std::span<const float>(data().base.row(0), n * kDim)).ok());
        ASSERT_TRUE(db->build_index().ok());
        ASSERT_TRUE(db->compact().ok());
        test::TempDir dir("rvf-probe");
        const std::string path = dir.file("m.rvf");
        write_file(path, db->to_bytes());
        auto cold = RvfStore::open_readonly(path, structural());
        auto copy = RvfStore::open_readonly(path, copying());
        ASSERT_TRUE(cold.ok() && copy.ok()) << what;
        std::vector<std::vector<Neighbor>> first;
        for (size_t qi = 0; qi < 10; ++qi) {
            auto a = cold->query(qrow(qi), 10, {.nprobe = 3});
            ASSERT_TRUE(a.ok()) << what << ": " << a.error().to_string();
            first.push_back(*a);
            auto b = copy->query(qrow(qi), 10, {.nprobe = 3});
            ASSERT_TRUE(b.ok());
            expect_same(*a, *b, what + " structural vs copying q" + std::to_string(qi));
        }
        ASSERT_TRUE(cold->query(qrow(0), 10, {.exact = true}).ok()); // the sums now exist
        for (size_t qi = 0; qi < 10; ++qi) {
            auto again = cold->query(qrow(qi), 10, {.nprobe = 3});
            ASSERT_TRUE(again.ok());
            expect_same(*again, first[qi], what + " before vs after the sums q" + std::to_string(qi));
        }
    }
}

TEST(InPlacePartitionQuery, ProgressiveReadersHonourNprobeToo) {
    // Before completion a progressive reader of the same file answers nprobe from the held
    // partitions among the nprobe nearest: with those partitions fetched (wanted_for), exactly
    // the in-place store's answer. After completion RvfStore::query answers, nprobe included.
    const Bytes &f = partitioned_image();
    auto local = RvfStore::from_bytes(f);
    ASSERT_TRUE(local.ok());
    for (size_t qi = 0; qi < data().queries.n; qi += 7) {
        auto p = ProgressiveStore::begin(f.size());
        ASSERT_TRUE(p.ok());
        while (!p->queryable()) {
            const auto want = p->wanted();
            ASSERT_FALSE(want.empty());
            for (const ByteRange &r : want)
                ASSERT_TRUE(p->supply(r.offset, std::span<const uint8_t>(f.data() + r.offset, r.length)).ok());
        }
        auto want = p->wanted_for(qrow(qi), 3);
        ASSERT_TRUE(want.ok());
        for (const ByteRange &r : *want)
            ASSERT_TRUE(p->supply(r.offset, std::span<const uint8_t>(f.data() + r.offset, r.length)).ok());
        auto got = p->query(qrow(qi), 10, {.nprobe = 3});
        ASSERT_TRUE(got.ok()) << got.error().to_string();
        auto expect = local->query(qrow(qi), 10, {.nprobe = 3});
        ASSERT_TRUE(expect.ok());
        ASSERT_EQ(got->size(), expect->size());
        for (size_t i = 0; i < got->size(); ++i) // ids; distances come from another kernel (f32 copies)
            EXPECT_EQ((*got)[i].id, (*expect)[i].id) << "q" << qi << " rank " << i;
        EXPECT_EQ(p->query(qrow(qi), 10, {.exact = true, .nprobe = 3}).status(), Status::InvalidArgument);
    }
    // A file without a map (indexed, never compacted: layer A + routing codes): refused.
    auto small = RvfStore::create_in_memory(options(false));
    ASSERT_TRUE(small.ok());
    std::vector<uint64_t> ids(3000);
    for (size_t i = 0; i < ids.size(); ++i)
        ids[i] = i + 1;
    ASSERT_TRUE(small->ingest_batch(ids, std::span<const float>(data().base.row(0), ids.size() * kDim)).ok());
    ASSERT_TRUE(small->build_index().ok());
    const Bytes plain = small->to_bytes();
    auto p = ProgressiveStore::begin(plain.size());
    ASSERT_TRUE(p.ok());
    while (!p->queryable()) {
        const auto want = p->wanted();
        ASSERT_FALSE(want.empty());
        for (const ByteRange &r : want)
            ASSERT_TRUE(p->supply(r.offset, std::span<const uint8_t>(plain.data() + r.offset, r.length)).ok());
    }
    ASSERT_FALSE(p->complete()); // answering from layer A + codes
    auto r = p->query(qrow(0), 10, {.nprobe = 3});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::UnsupportedLayout);
    EXPECT_TRUE(p->query(qrow(0), 10).ok());
}

TEST(InPlacePartitionQuery, DamagedMapIsATypedErrorOrAWarning) {
    test::TempDir dir("rvf-probe");
    const std::string path = dir.file("p.rvf");
    write_file(path, partitioned_image());
    uint64_t map_at = 0, map_segment_id = 0;
    {
        auto s = RvfStore::open_readonly(path, copying());
        ASSERT_TRUE(s.ok());
        auto fm = file_map(partitioned_image(), *s);
        ASSERT_TRUE(fm.has_value());
        map_at = fm->payload_offset;
        for (const SegmentSummary &g : s->segments())
            if (g.offset + core::kSegmentHeaderSize == map_at)
                map_segment_id = g.id;
        ASSERT_NE(map_segment_id, 0u);
    }
    const uint32_t k = partition_count(kN);
    struct Damage {
        const char *what;
        size_t at;    // byte offset inside the map payload
        uint64_t x;   // xor (8 bytes little-endian from `at`)
    };
    const Damage damages[] = {
        {"K", 0x10, 0x40},                                      // entries and centroids misread: decode fails
        {"first segment id", kPartitionMapHeaderSize + 0, 1},  // decode fails (or another segment: bind fails)
        {"first rows", kPartitionMapHeaderSize + 16, 1},       // running sums break: decode fails
        {"a centroid's exponent", kPartitionMapHeaderSize + k * kPartitionEntrySize + 3, 0x7f}, // NaN/inf or far
        {"the magic", 0, 0x01},                                 // no longer a map at all
        // decodes (unique, non-zero) but names the map's own INDEX segment: the binding refuses it
        {"segment id of an INDEX segment", kPartitionMapHeaderSize + 0, 0},
    };
    for (const Damage &d : damages) {
        Bytes b = partitioned_image();
        if (d.x == 0) {
            const uint64_t want = map_segment_id, old = core::load_u64_le(&b[map_at + d.at]);
            const uint64_t x = want ^ old;
            for (int i = 0; i < 8; ++i)
                b[map_at + d.at + i] ^= static_cast<uint8_t>(x >> (8 * i));
        } else {
            for (int i = 0; i < 8; ++i)
                b[map_at + d.at + i] ^= static_cast<uint8_t>(d.x >> (8 * i));
        }
        write_file(path, b);
        for (const Opened &op : kOpens) {
            auto s = RvfStore::open_readonly(path, op.o);
            if (!s) { // the full checks see the content hash differ: refused, typed
                EXPECT_NE(s.status(), Status::Ok) << d.what;
                continue;
            }
            // Structural opens do not hash payloads: the map is refused by its decoder or its
            // binding (a warning) or, when the damage still decodes and binds, used as it reads.
            auto r = s->query(qrow(0), 10, {.nprobe = 3});
            if (r.ok()) {
                EXPECT_LE(r->size(), 10u);
            } else {
                EXPECT_EQ(r.status(), Status::UnsupportedLayout) << op.name << " " << d.what;
                if (std::string(d.what) != "the magic") { // no map at all needs no warning
                    EXPECT_FALSE(s->status().warnings.empty()) << op.name << " " << d.what << ": a refused map is a warning";
                }
            }
            EXPECT_TRUE(s->query(qrow(0), 10).ok()) << op.name << " " << d.what; // the graph still answers
        }
    }
}

} // namespace

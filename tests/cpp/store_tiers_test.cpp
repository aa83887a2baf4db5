// RvfStore temperature tiers (StoreOptions::tiering): the access sketch persists across reopen,
// hot blocks stay bit-identical, warm (per-dimension u8) blocks reconstruct within 0.5 %, cold
// (PQ / binary) blocks keep a recall floor, tiers follow a change of access pattern across two
// compactions, files shrink by the code-size ratio, the distances on codes equal the distances
// to the decoded rows, and a VEC block whose tier/dtype bytes disagree is a typed error.
//
// Data: blocks of 1024 rows drawn around well-separated centres (values 50..100, σ 2), so a query
// near centre b returns rows of block b only — each test controls exactly which blocks are read.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <thread>

#include <rvf/access_sketch.hpp>
#include <rvf/core/format/layout_s_manifest.hpp>
#include <rvf/core/format/store_config.hpp>
#include <rvf/core/format/vec_seg.hpp>
#include <rvf/file_report.hpp>
#include <rvf/layout_s_writer.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"
#include "support/ann_data.hpp"
#include "support/mulberry32.hpp"

using namespace rvf;
namespace fs = std::filesystem;

namespace {

constexpr size_t kBlock = 1024;

using TempDir = test::TempDir;

/// `blocks` × 1024 rows; block b's rows around its own centre.
struct Clustered {
    size_t dim = 0, blocks = 0;
    std::vector<float> centres, rows;
    std::vector<uint64_t> ids;
    const float *row(size_t i) const { return rows.data() + i * dim; }
    std::vector<float> near(size_t b, test::Mulberry32 &r) const {
        std::vector<float> q(dim);
        for (size_t d = 0; d < dim; ++d)
            q[d] = centres[b * dim + d] + static_cast<float>(r.gaussian());
        return q;
    }
};

Clustered clustered(size_t blocks, size_t dim, uint32_t seed) {
    Clustered c;
    c.dim = dim;
    c.blocks = blocks;
    test::Mulberry32 r(seed);
    c.centres.resize(blocks * dim);
    for (float &x : c.centres)
        x = static_cast<float>(50 + 50 * r.uniform());
    c.rows.resize(blocks * kBlock * dim);
    for (size_t i = 0; i < blocks * kBlock; ++i) {
        for (size_t d = 0; d < dim; ++d)
            c.rows[i * dim + d] = c.centres[(i / kBlock) * dim + d] + static_cast<float>(2 * r.gaussian());
        c.ids.push_back(i);
    }
    return c;
}

StoreOptions tiered(uint16_t dim, ColdCodec codec = ColdCodec::Pq, Metric m = Metric::L2) {
    StoreOptions o;
    o.dimension = dim;
    o.metric = m;
    o.index = IndexMode::Off; // exact scans: every test controls what it measures
    o.tiering.enabled = true;
    o.tiering.cold_codec = codec;
    o.tiering.hot_threshold = 20; // small thresholds keep the query counts small
    o.tiering.warm_threshold = 5;
    return o;
}

/// `n` queries near block b's centre (each reads block b only).
void read_block(const RvfStore &s, const Clustered &c, size_t b, size_t n, uint32_t seed) {
    test::Mulberry32 r(seed);
    for (size_t i = 0; i < n; ++i) {
        const auto q = c.near(b, r);
        auto hits = s.query(q, 5);
        ASSERT_TRUE(hits);
        for (const auto &h : *hits)
            ASSERT_EQ(h.id / kBlock, b) << "test data must keep each query inside one block";
    }
}

/// The newest SKETCH_SEG of an image.
std::optional<AccessSketch> newest_sketch(const RvfStore &s) {
    const auto bytes = s.to_bytes();
    std::optional<AccessSketch> out;
    for (const auto &g : s.segments())
        if (g.seg_type == static_cast<uint8_t>(core::SegType::Sketch)) {
            auto sk = AccessSketch::from_sketch_seg(core::ByteView(bytes.data() + g.offset + 64, g.payload_length));
            if (sk)
                out = std::move(*sk);
        }
    return out;
}

double rel_error(const RvfStore &s, const Clustered &c, size_t first, size_t n) {
    double err = 0, energy = 0;
    for (size_t i = first; i < first + n; ++i) {
        const auto v = s.vector(c.ids[i]);
        EXPECT_TRUE(v);
        if (!v)
            return 1.0;
        for (size_t d = 0; d < c.dim; ++d) {
            const double e = double((*v)[d]) - c.row(i)[d];
            err += e * e;
            energy += double(c.row(i)[d]) * c.row(i)[d];
        }
    }
    return std::sqrt(err / energy);
}

float ref_distance(Metric m, const float *a, const float *b, size_t dim) {
    double dot = 0, na = 0, nb = 0, l2 = 0;
    for (size_t i = 0; i < dim; ++i) {
        dot += double(a[i]) * b[i];
        na += double(a[i]) * a[i];
        nb += double(b[i]) * b[i];
        l2 += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    }
    if (m == Metric::L2)
        return float(l2);
    if (m == Metric::InnerProduct)
        return float(-dot);
    return float(1.0 - dot / std::sqrt(na * nb));
}

} // namespace

TEST(StoreTiers, ConfigFieldsRoundTripAndOldValuesStillDecode) {
    core::StoreConfig c;
    c.dimension = 16;
    c.flags = core::kStoreConfigWitness | core::kStoreConfigTiering;
    c.cold_codec = 0;
    c.pq_m = 4;
    c.hot_threshold = 128;
    c.warm_threshold = 16;
    uint8_t buf[core::kStoreConfigSize];
    core::ByteWriter w(core::MutByteView(buf, sizeof buf));
    ASSERT_EQ(core::encode_store_config(w, c), Status::Ok);
    core::StoreConfig back;
    ASSERT_EQ(core::decode_store_config(core::ByteView(buf, sizeof buf), back), Status::Ok);
    EXPECT_EQ(back.pq_m, 4);
    EXPECT_EQ(back.hot_threshold, 128u);
    EXPECT_EQ(back.warm_threshold, 16u);
    // Without the flag the tiering bytes are the old reserved zeros (a pre-tiering value decodes).
    core::StoreConfig old;
    old.dimension = 16;
    core::ByteWriter w2(core::MutByteView(buf, sizeof buf));
    ASSERT_EQ(core::encode_store_config(w2, old), Status::Ok);
    for (size_t i = 0x0C; i < core::kStoreConfigSize; ++i)
        EXPECT_EQ(buf[i], 0) << i;
    ASSERT_EQ(core::decode_store_config(core::ByteView(buf, sizeof buf), back), Status::Ok);
    EXPECT_EQ(back.flags & core::kStoreConfigTiering, 0);
    buf[0x0E] = 3; // pq_m without the tiering flag
    EXPECT_EQ(core::decode_store_config(core::ByteView(buf, sizeof buf), back), Status::InvalidManifest);
    buf[0x0E] = 0;
    buf[0x05] |= core::kStoreConfigTiering; // flag set, but PQ with pq_m 0
    EXPECT_EQ(core::decode_store_config(core::ByteView(buf, sizeof buf), back), Status::InvalidManifest);
}

TEST(StoreTiers, SketchPersistsAcrossReopen) {
    TempDir t;
    const std::string path = t.file("sk.rvf");
    const Clustered c = clustered(3, 16, 1);
    {
        auto s = RvfStore::create(path, tiered(16));
        ASSERT_TRUE(s);
        ASSERT_TRUE(s->ingest_batch(c.ids, c.rows));
        read_block(*s, c, 1, 40, 7);
        read_block(*s, c, 2, 3, 8);
        ASSERT_TRUE(s->close());
        const auto sk = newest_sketch(*s);
        ASSERT_TRUE(sk);
        EXPECT_GE(sk->estimate(1), 40u);
        EXPECT_GE(sk->estimate(2), 3u);
        EXPECT_EQ(sk->total_accesses(), 43u);
    }
    {
        auto s = RvfStore::open(path);
        ASSERT_TRUE(s) << s.error().to_string();
        EXPECT_TRUE(s->status().tiering);
        read_block(*s, c, 1, 10, 9);
        ASSERT_TRUE(s->close());
        const auto sk = newest_sketch(*s);
        ASSERT_TRUE(sk);
        EXPECT_GE(sk->estimate(1), 50u) << "the reopened store must continue the persisted counts";
        EXPECT_EQ(sk->total_accesses(), 53u);
    }
    // A store without tiering records nothing and writes no SKETCH_SEG.
    auto plain = RvfStore::create(t.file("plain.rvf"), {.dimension = 16});
    ASSERT_TRUE(plain);
    ASSERT_TRUE(plain->ingest_batch(c.ids, c.rows));
    read_block(*plain, c, 1, 5, 10);
    ASSERT_TRUE(plain->close());
    EXPECT_FALSE(newest_sketch(*plain));
    EXPECT_FALSE(plain->status().tiering);
}

TEST(StoreTiers, HotExactWarmWithinHalfPercentColdCodes) {
    TempDir t;
    const std::string path = t.file("tiers.rvf");
    const Clustered c = clustered(4, 32, 2);
    auto s = RvfStore::create(path, tiered(32));
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->ingest_batch(c.ids, c.rows));
    read_block(*s, c, 0, 30, 11); // > 20 → hot
    read_block(*s, c, 1, 10, 12); // > 5 → warm; blocks 2, 3 unread → cold
    auto r = s->compact();
    ASSERT_TRUE(r) << r.error().to_string();
    auto check = [&](const RvfStore &st) {
        const StoreStatus ss = st.status();
        EXPECT_EQ(ss.tier_rows, (std::array<uint64_t, 3>{1024, 1024, 2048}));
        EXPECT_EQ(ss.tier_bytes[0], 1024u * 32 * 4);
        EXPECT_EQ(ss.tier_bytes[1], 1024u * 32);
        EXPECT_EQ(ss.tier_bytes[2], 2048u * 8); // default pq_m = dim / 4
        for (size_t i = 0; i < kBlock; ++i) {
            const auto v = st.vector(c.ids[i]);
            ASSERT_TRUE(v);
            ASSERT_EQ(std::memcmp(v->data(), c.row(i), 32 * 4), 0) << "hot row " << i << " is not bit-identical";
        }
        const double warm = rel_error(st, c, kBlock, kBlock);
        const double cold = rel_error(st, c, 2 * kBlock, 2 * kBlock);
        std::printf("[ measure  ] warm u8 relative reconstruction error %.4f %%, cold PQ(8) %.4f %%\n", 100 * warm,
                    100 * cold);
        EXPECT_LT(warm, 0.005);
        EXPECT_GT(cold, warm); // 8 code bytes lose more than 32
        EXPECT_LT(cold, 0.1);
        EXPECT_TRUE(st.verify().ok);
    };
    check(*s);
    ASSERT_TRUE(s->close());
    auto o = RvfStore::open_readonly(path);
    ASSERT_TRUE(o) << o.error().to_string();
    check(*o);
    // Hot answers are exact: the same ids and distances as a brute force over the original rows.
    test::Mulberry32 rq(99);
    for (int qi = 0; qi < 5; ++qi) {
        const auto q = c.near(0, rq);
        auto hits = o->query(q, 10);
        ASSERT_TRUE(hits);
        std::vector<std::pair<float, uint64_t>> all;
        for (size_t i = 0; i < c.ids.size(); ++i)
            all.push_back({ref_distance(Metric::L2, q.data(), c.row(i), 32), c.ids[i]});
        std::sort(all.begin(), all.end());
        for (size_t j = 0; j < 10; ++j) {
            EXPECT_EQ((*hits)[j].id, all[j].second);
            EXPECT_NEAR((*hits)[j].distance, all[j].first, 1e-3 * all[j].first);
        }
    }
}

TEST(StoreTiers, DistancesOnCodesEqualDistancesToTheDecodedRows) {
    // dim 13: binary codes end in a partial byte, PQ in a short subspace.
    for (uint16_t dim : {16, 13})
    for (ColdCodec codec : {ColdCodec::Pq, ColdCodec::Binary})
        for (Metric m : {Metric::L2, Metric::InnerProduct, Metric::Cosine}) {
            const Clustered c = clustered(3, dim, 3);
            auto s = RvfStore::create_in_memory(tiered(dim, codec, m));
            ASSERT_TRUE(s);
            ASSERT_TRUE(s->ingest_batch(c.ids, c.rows));
            read_block(*s, c, 1, 10, 13); // block 1 warm, 0 and 2 cold
            ASSERT_TRUE(s->compact());
            EXPECT_EQ(s->status().tier_rows, (std::array<uint64_t, 3>{0, 1024, 2048}));
            test::Mulberry32 rq(5);
            for (size_t b = 0; b < 3; ++b) {
                const auto q = c.near(b, rq);
                auto hits = s->query(q, 20, {.exact = true});
                ASSERT_TRUE(hits);
                ASSERT_EQ(hits->size(), 20u);
                for (const auto &h : *hits) {
                    const auto v = s->vector(h.id);
                    ASSERT_TRUE(v);
                    const float want = ref_distance(m, q.data(), v->data(), dim);
                    EXPECT_NEAR(h.distance, want, 2e-3f * std::max(1.0f, std::fabs(want)))
                        << "dim " << dim << " codec " << int(codec) << " metric " << int(m) << " id " << h.id;
                }
            }
        }
}

TEST(StoreTiers, ColdRecallFloorOnAGaussianMixture) {
    // All rows cold (nothing read before the compaction). Recall@10 against exact neighbours of
    // the original rows; hot rows would be exact, so an all-cold store is the floor.
    test::MixtureSpec spec;
    spec.n = 4096;
    spec.queries = 100;
    spec.dim = 32;
    spec.clusters = 32;
    test::Matrix base, queries;
    test::gaussian_mixture(spec, base, queries);
    std::vector<std::vector<uint32_t>> truth(queries.n); // single-threaded: the wasm build has no threads
    for (size_t q = 0; q < queries.n; ++q) {
        std::vector<std::pair<float, uint32_t>> all(base.n);
        for (size_t i = 0; i < base.n; ++i)
            all[i] = {ref_distance(Metric::L2, queries.row(q), base.row(i), 32), static_cast<uint32_t>(i)};
        std::partial_sort(all.begin(), all.begin() + 10, all.end());
        for (size_t j = 0; j < 10; ++j)
            truth[q].push_back(all[j].second);
    }
    std::vector<uint64_t> ids(base.n);
    for (size_t i = 0; i < ids.size(); ++i)
        ids[i] = i;
    struct Case {
        ColdCodec codec;
        uint16_t m;
        double floor;
    };
    // Measured (this data, 4096 x 32, 32 clusters): PQ m=16 0.828, m=8 0.551, binary 0.264.
    for (const Case &cs : {Case{ColdCodec::Pq, 16, 0.7}, Case{ColdCodec::Pq, 8, 0.45}, Case{ColdCodec::Binary, 0, 0.2}}) {
        StoreOptions o = tiered(32, cs.codec);
        o.tiering.pq_m = cs.m;
        auto s = RvfStore::create_in_memory(o);
        ASSERT_TRUE(s);
        ASSERT_TRUE(s->ingest_batch(ids, base.v));
        ASSERT_TRUE(s->compact());
        ASSERT_EQ(s->status().tier_rows[2], base.n);
        std::vector<std::vector<std::pair<float, uint32_t>>> res(queries.n);
        for (size_t q = 0; q < queries.n; ++q) {
            auto hits = s->query(std::span(queries.row(q), 32), 10);
            ASSERT_TRUE(hits);
            for (const auto &h : *hits)
                res[q].push_back({h.distance, static_cast<uint32_t>(h.id)});
        }
        const double recall = test::recall_at_k(res, truth, 10);
        std::printf("[ measure  ] all-cold %s m=%u recall@10 %.3f\n", cs.codec == ColdCodec::Pq ? "PQ" : "binary", cs.m,
                    recall);
        EXPECT_GE(recall, cs.floor);
    }
}

TEST(StoreTiers, PromotionAndDemotionFollowTheAccessPattern) {
    TempDir t;
    const std::string path = t.file("pd.rvf");
    const Clustered c = clustered(4, 16, 4);
    auto s = RvfStore::create(path, tiered(16));
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->ingest_batch(c.ids, c.rows));
    read_block(*s, c, 0, 30, 21);
    ASSERT_TRUE(s->compact());
    EXPECT_EQ(s->status().tier_rows, (std::array<uint64_t, 3>{1024, 0, 3072}));
    std::vector<std::vector<float>> block3_cold;
    for (size_t i = 3 * kBlock; i < 4 * kBlock; ++i)
        block3_cold.push_back(*s->vector(c.ids[i]));
    ASSERT_TRUE(s->close());

    // The pattern moves: block 3 is read now; block 0 (30 → halved to 15 at compaction) cools.
    auto s2 = RvfStore::open(path);
    ASSERT_TRUE(s2) << s2.error().to_string();
    read_block(*s2, c, 3, 30, 22);
    // Deletes shift rows down at compaction; an image block takes the tier of the old block
    // most of its rows come from. Rows 1024-1025 (cold) join block 0's image block (warm), rows
    // 3072-3073 (block 3) stay in block 2's (cold).
    const std::vector<uint64_t> gone = {5, 6, 3500};
    ASSERT_TRUE(s2->remove(gone));
    ASSERT_TRUE(s2->compact());
    const StoreStatus st = s2->status();
    EXPECT_EQ(st.tier_rows[0], 1021u) << "block 3 promoted to hot";
    EXPECT_EQ(st.tier_rows[1], 1024u) << "block 0 demoted to warm";
    EXPECT_EQ(st.tier_rows[2], 2048u) << "blocks 1-2 stay cold";
    // Promotion re-encodes the decoded values at f32: exactly what vector() returned while cold.
    for (size_t i = 3 * kBlock; i < 4 * kBlock; ++i) {
        if (i == 3500) {
            EXPECT_FALSE(s2->vector(c.ids[i]));
            continue;
        }
        const auto v = s2->vector(c.ids[i]);
        ASSERT_TRUE(v);
        EXPECT_EQ(*v, block3_cold[i - 3 * kBlock]) << i;
    }
    // Demotion quantizes block 0's exact rows.
    double err = 0, energy = 0;
    for (size_t i = 0; i < kBlock; ++i) {
        if (i == 5 || i == 6)
            continue;
        const auto v = s2->vector(c.ids[i]);
        ASSERT_TRUE(v);
        for (size_t d = 0; d < 16; ++d) {
            err += std::pow(double((*v)[d]) - c.row(i)[d], 2);
            energy += std::pow(double(c.row(i)[d]), 2);
        }
    }
    EXPECT_LT(std::sqrt(err / energy), 0.005);
    EXPECT_TRUE(s2->verify().ok);
    ASSERT_TRUE(s2->close());
}

TEST(StoreTiers, FileShrinksByTheCodeSizeRatio) {
    const Clustered c = clustered(8, 64, 5);
    const size_t n = c.ids.size();
    StoreOptions plain;
    plain.dimension = 64;
    plain.index = IndexMode::Off;
    auto a = RvfStore::create_in_memory(plain);
    auto b = RvfStore::create_in_memory(tiered(64)); // PQ m = 16: 16 B per row instead of 256
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->ingest_batch(c.ids, c.rows));
    ASSERT_TRUE(b->ingest_batch(c.ids, c.rows));
    ASSERT_TRUE(a->compact());
    ASSERT_TRUE(b->compact());
    auto vec_bytes = [](const RvfStore &s) {
        uint64_t v = 0;
        for (const auto &g : s.segments())
            if (g.seg_type == static_cast<uint8_t>(core::SegType::Vec))
                v += g.payload_length;
        return v;
    };
    const double ratio = double(vec_bytes(*b)) / double(vec_bytes(*a));
    const double file_ratio = double(b->status().file_size) / double(a->status().file_size);
    // Per row: 256 B of f32 vs 16 B of codes, plus ~1 B of delta ids either way.
    std::printf("[ measure  ] %zu x 64 f32 → all-cold PQ(16): VEC bytes x%.4f (expected ~%.4f), file x%.4f\n", n, ratio,
                17.0 / 257.0, file_ratio);
    EXPECT_NEAR(ratio, 17.0 / 257.0, 0.01);
    EXPECT_LT(file_ratio, 0.15); // + the PQ codebook (64 KiB) and the 4 KiB sketch
}

TEST(StoreTiers, BadTierOrDtypeBytesAreATypedError) {
    const Clustered c = clustered(3, 16, 6);
    StoreOptions o = tiered(16);
    o.witness = false; // the rebuilt file below has no witness chain to keep consistent
    auto s = RvfStore::create_in_memory(o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->ingest_batch(c.ids, c.rows));
    read_block(*s, c, 0, 30, 31);
    read_block(*s, c, 1, 10, 32);
    ASSERT_TRUE(s->compact());
    const auto good = s->to_bytes();
    const FileReport rep = inspect_file(core::ByteView(good.data(), good.size()));
    ASSERT_TRUE(rep.manifest);
    const SegmentRecord *latest = nullptr;
    for (const auto &r : rep.segments)
        if (r.offset == rep.manifest->offset)
            latest = &r;
    ASSERT_NE(latest, nullptr);
    core::LayoutSManifestView mv;
    const uint64_t poff = rep.manifest->offset + 64;
    ASSERT_EQ(core::parse_layout_s_manifest(core::ByteView(good.data() + poff, latest->header.payload_length), poff, mv),
              Status::Ok);
    core::TlvRecord cfg;
    ASSERT_TRUE(mv.tlv.find(core::ManifestTag::ProfileConfig, cfg));
    const core::ByteView cfg_rec(mv.tlv_bytes.data + cfg.offset, static_cast<size_t>(core::tlv_record_span(cfg.length)));

    // Rebuild the committed file with one VEC directory byte changed and every hash re-sealed:
    // only the loader's tier/dtype rules can catch it. byte: 10 dtype, 11 tier of block `blk`.
    auto rebuilt = [&](uint32_t blk, size_t byte, uint8_t value) {
        LayoutSWriter w;
        for (const auto &d : rep.manifest->directory) {
            std::vector<uint8_t> p(good.begin() + static_cast<std::ptrdiff_t>(d.offset + 64),
                                   good.begin() + static_cast<std::ptrdiff_t>(d.offset + 64 + d.payload_length));
            if (d.seg_type == static_cast<uint8_t>(core::SegType::Vec))
                p[core::kVecDirHeaderSize + blk * core::kVecDirEntrySize + byte] = value;
            EXPECT_TRUE(w.append_segment(static_cast<core::SegType>(d.seg_type), d.flags,
                                         core::ByteView(p.data(), p.size())));
        }
        EXPECT_TRUE(w.append_manifest(mv.root, nullptr, cfg_rec));
        return w.take_bytes();
    };
    auto same = RvfStore::from_bytes(rebuilt(0, 11, 0)); // block 0 is hot already: unchanged bytes
    ASSERT_TRUE(same) << same.error().to_string();
    EXPECT_EQ(same->status().tier_rows, (std::array<uint64_t, 3>{1024, 1024, 1024}));

    struct Bad {
        uint32_t blk;
        size_t byte;
        uint8_t value;
    };
    for (const Bad &b : {Bad{1, 11, 0},    // warm u8 codes claimed hot (f32)
                         Bad{1, 11, 2},    // u8 codes claimed cold
                         Bad{2, 11, 1},    // PQ codes claimed warm
                         Bad{2, 11, 7},    // unknown tier
                         Bad{0, 10, 4},    // hot block with the u8 dtype
                         Bad{2, 10, 6},    // cold block with the binary dtype in a PQ store
                         Bad{1, 10, 200}}) { // unknown dtype
        auto o2 = RvfStore::from_bytes(rebuilt(b.blk, b.byte, b.value));
        ASSERT_FALSE(o2) << "block " << b.blk << " byte " << b.byte << " = " << int(b.value);
        EXPECT_EQ(o2.status(), Status::InvalidManifest) << o2.error().to_string();
    }
}

TEST(StoreTiers, EverySampledBitFlipInATieredFileIsDetected) {
    const Clustered c = clustered(3, 8, 7);
    StoreOptions o = tiered(8, ColdCodec::Binary);
    o.storage = StorageType::F16;
    auto s = RvfStore::create_in_memory(o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->ingest_batch(c.ids, c.rows));
    read_block(*s, c, 0, 30, 41);
    read_block(*s, c, 1, 10, 42);
    ASSERT_TRUE(s->compact());
    read_block(*s, c, 2, 3, 43);
    ASSERT_TRUE(s->close()); // + a SKETCH_SEG commit
    const auto good = s->to_bytes();
    std::set<uint8_t> types;
    size_t flips = 0, detected = 0;
    for (const auto &g : s->segments()) {
        types.insert(g.seg_type);
        const uint64_t bits = (64 + g.payload_length) * 8;
        const uint64_t step = std::max<uint64_t>(1, bits / 150);
        for (uint64_t b = 0; b < bits; b += step) {
            auto bad = good;
            bad[g.offset + b / 8] ^= static_cast<uint8_t>(1u << (b % 8));
            ++flips;
            auto opened = RvfStore::from_bytes(bad);
            if (!opened || !opened->status().warnings.empty() || !opened->verify().ok)
                ++detected;
            else
                ADD_FAILURE() << "undetected flip: segment " << g.id << " type " << int(g.seg_type) << " bit " << b;
        }
    }
    EXPECT_TRUE(types.count(static_cast<uint8_t>(core::SegType::Sketch)));
    EXPECT_TRUE(types.count(static_cast<uint8_t>(core::SegType::Quant)));
    EXPECT_EQ(detected, flips);
}

TEST(StoreTiers, HnswOverTieredRowsAndLz4) {
    const Clustered c = clustered(3, 16, 8);
    StoreOptions o = tiered(16);
    o.index = IndexMode::Auto;
#if !defined(__EMSCRIPTEN__)
    o.compression = Compression::Lz4;
#endif
    TempDir t;
    const std::string path = t.file("hnsw.rvf");
    auto s = RvfStore::create(path, o);
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->ingest_batch(c.ids, c.rows));
    read_block(*s, c, 0, 30, 51);
    ASSERT_TRUE(s->compact());
    EXPECT_EQ(s->status().tier_rows, (std::array<uint64_t, 3>{1024, 0, 2048}));
    // Rows added after the compaction are hot; the index takes them in.
    const Clustered more = clustered(1, 16, 80);
    std::vector<uint64_t> ids2(kBlock);
    for (size_t i = 0; i < kBlock; ++i)
        ids2[i] = 100000 + i;
    ASSERT_TRUE(s->ingest_batch(ids2, more.rows));
    ASSERT_TRUE(s->build_index());
    ASSERT_TRUE(s->close());
    auto r = RvfStore::open(path);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status().tier_rows, (std::array<uint64_t, 3>{2048, 0, 2048}));
    EXPECT_GT(r->status().indexed_vectors, 0u);
    test::Mulberry32 rq(3);
    size_t same = 0, total = 0;
    for (size_t b = 0; b < 3; ++b)
        for (int i = 0; i < 5; ++i) {
            const auto q = c.near(b, rq);
            QueryStats st;
            auto ann = r->query(q, 10, {.stats = &st});
            auto ex = r->query(q, 10, {.exact = true});
            ASSERT_TRUE(ann && ex);
            EXPECT_FALSE(st.exact);
            for (const auto &h : *ann)
                same += std::count_if(ex->begin(), ex->end(), [&](const Neighbor &e) { return e.id == h.id; });
            total += ex->size();
        }
    EXPECT_GE(double(same) / double(total), 0.9);
    auto layout_r = r->export_layout_r();
    ASSERT_TRUE(layout_r) << layout_r.error().to_string();
    auto image = r->export_layout_s();
    ASSERT_TRUE(image);
    auto again = RvfStore::from_bytes(*image);
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_EQ(again->vector(2000), r->vector(2000));
    EXPECT_EQ(again->status().tier_rows, r->status().tier_rows);
    EXPECT_TRUE(r->verify().ok);
}

TEST(StoreTiers, MetadataFiltersAndDeletesOnTieredRows) {
    const Clustered c = clustered(3, 8, 10);
    auto s = RvfStore::create_in_memory(tiered(8));
    ASSERT_TRUE(s);
    std::vector<std::vector<MetadataEntry>> meta(c.ids.size());
    for (size_t i = 0; i < meta.size(); ++i)
        meta[i] = {{1, MetadataValue::u64(i % 3)}};
    ASSERT_TRUE(s->ingest_batch(c.ids, c.rows, meta));
    read_block(*s, c, 0, 30, 71);
    read_block(*s, c, 1, 10, 72);
    ASSERT_TRUE(s->compact());
    EXPECT_EQ(s->status().tier_rows, (std::array<uint64_t, 3>{1024, 1024, 1024}));
    const FilterExpr f = FilterExpr::eq(1, MetadataValue::u64(2));
    ASSERT_TRUE(s->remove(std::vector<uint64_t>{2, 1026, 2050})); // one row of each tier
    test::Mulberry32 rq(4);
    for (size_t b = 0; b < 3; ++b) {
        auto hits = s->query(c.near(b, rq), 10, {.filter = &f});
        ASSERT_TRUE(hits);
        ASSERT_EQ(hits->size(), 10u);
        for (const auto &h : *hits) {
            EXPECT_EQ(h.id % 3, 2u);
            EXPECT_NE(h.id, 2u);
            EXPECT_NE(h.id, 1026u);
            EXPECT_NE(h.id, 2050u);
            ASSERT_NE(s->metadata(h.id), nullptr);
        }
    }
    ASSERT_TRUE(s->compact());
    EXPECT_EQ(s->status().total_vectors, 3 * kBlock - 3);
    EXPECT_FALSE(s->vector(1026));
    ASSERT_NE(s->metadata(1027), nullptr);
    EXPECT_EQ(s->metadata(1027)->front().value, MetadataValue::u64(1027 % 3));
    EXPECT_TRUE(s->verify().ok);
}

#if !defined(__EMSCRIPTEN__)
TEST(StoreTiers, ConcurrentQueriesRecordEveryAccess) {
    const Clustered c = clustered(4, 8, 9);
    auto s = RvfStore::create_in_memory(tiered(8));
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->ingest_batch(c.ids, c.rows));
    std::vector<std::thread> pool;
    for (size_t b = 0; b < 4; ++b)
        pool.emplace_back([&, b] { read_block(*s, c, b, 50, static_cast<uint32_t>(60 + b)); });
    for (auto &th : pool)
        th.join();
    ASSERT_TRUE(s->close());
    const auto sk = newest_sketch(*s);
    ASSERT_TRUE(sk);
    EXPECT_EQ(sk->total_accesses(), 200u);
    for (uint64_t b = 0; b < 4; ++b)
        EXPECT_GE(sk->estimate(b), 50u);
}
#endif

// Layout R codecs (spec §3, §6.1, §6.4, §7.4) against the files upstream's shipped runtime wrote
// (tests/data/upstream): every segment of every fixture is walked, decoded by type, checked
// against the .expected.json and re-encoded byte for byte. Vectors are regenerated from the
// recorded seed with the fixture script's PRNG and must match bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <rvf/core/format/file_identity.hpp>
#include <rvf/core/format/layout_r_index_trailer.hpp>
#include <rvf/core/format/layout_r_journal.hpp>
#include <rvf/core/format/layout_r_manifest.hpp>
#include <rvf/core/format/layout_r_vec.hpp>
#include <rvf/core/format/layout_r_witness.hpp>
#include <rvf/core/format/upstream_wasm_export.hpp>
#include <rvf/core/hash/crc32.hpp>
#include <rvf/core/scan/layout_r_tail_scan.hpp>
#include <rvf/core/scan/segment_walk.hpp>

using namespace rvf::core;
using json = nlohmann::json;

namespace {

std::vector<uint8_t> read_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    EXPECT_TRUE(f.good()) << path;
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}
std::string upstream(const std::string &name) { return std::string(RVF_TEST_DATA_DIR) + "/upstream/" + name; }
json read_json(const std::string &path) {
    std::ifstream f(path);
    return json::parse(f);
}
ByteView view(const std::vector<uint8_t> &v) { return ByteView(v.data(), v.size()); }
std::string hex(const uint8_t *p, size_t n) {
    static const char *d = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}

// Encode with a counting pass first, then for real; both must agree on the size.
template <class F> std::vector<uint8_t> encode(F &&f) {
    ByteWriter counter;
    EXPECT_EQ(f(counter), Status::Ok);
    std::vector<uint8_t> out(counter.pos());
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(f(w), Status::Ok);
    EXPECT_EQ(w.pos(), out.size());
    return out;
}

// The fixture generator's PRNG (gen-upstream-fixtures.mjs): mulberry32 + Box–Muller (cos branch),
// evaluated in double precision, each value rounded to f32 by the Float32Array store.
struct FixtureRng {
    uint32_t a;
    explicit FixtureRng(uint32_t seed) : a(seed) {}
    double u() {
        a = a + 0x6D2B79F5u;
        uint32_t t = a;
        t = (t ^ (t >> 15)) * (t | 1u);
        t ^= t + (t ^ (t >> 7)) * (t | 61u);
        return static_cast<double>(t ^ (t >> 14)) / 4294967296.0;
    }
    double g() {
        double u1 = u();
        if (u1 < 1e-300)
            u1 = 1e-300;
        const double u2 = u();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
    }
};

const char *const kNativeFixtures[] = {"cosine-1000x16",     "empty-d16",          "ip-1000x16",
                                       "l2-1000x16-deleted", "l2-1000x16-meta",    "l2-1000x16-noquery",
                                       "l2-1000x16-sparseids", "l2-5000x64"};

void expect_hash_ok(const WalkedSegment &s) {
    uint8_t want[16];
    layout_r_legacy_digest(crc32_ieee(s.payload), want);
    EXPECT_EQ(0, std::memcmp(want, s.header.content_hash, 16)) << "segment at " << s.offset;
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Every native fixture, end to end.

class UpstreamFixture : public ::testing::TestWithParam<const char *> {};

TEST_P(UpstreamFixture, EverySegmentDecodesMatchesExpectedAndReencodesExactly) {
    const std::string name = GetParam();
    const std::vector<uint8_t> file = read_file(upstream(name + ".rvf"));
    const json exp = read_json(upstream(name + ".expected.json"));
    ASSERT_EQ(file.size(), exp["fileBytes"].get<size_t>());
    EXPECT_EQ(detect_layout(view(file), file.size()), SegmentLayout::R);
    EXPECT_FALSE(looks_like_upstream_wasm_export(view(file)));

    SegmentWalker walker(view(file), SegmentLayout::R);
    WalkedSegment s;
    std::vector<WalkedSegment> manifests;
    std::vector<uint64_t> vec_ids;
    std::vector<float> vec_values;
    uint32_t vec_dim = 0;
    std::vector<uint8_t> prev_witness;
    int witnesses = 0, journals = 0, indexes = 0;
    while (walker.next(s)) {
        expect_hash_ok(s);
        EXPECT_EQ(s.header.checksum_algo, 0);
        EXPECT_EQ(s.header.alignment_pad, 0u);
        EXPECT_EQ(s.header.timestamp_ns, 0u);
        const std::vector<uint8_t> original(s.payload.data, s.payload.data + s.payload.size);
        switch (static_cast<SegType>(s.header.seg_type)) {
        case SegType::Manifest: {
            LayoutRManifestView m;
            ASSERT_EQ(decode_layout_r_manifest(s.payload, m), Status::Ok) << "manifest at " << s.offset;
            EXPECT_TRUE(m.has_identity);
            EXPECT_FALSE(m.has_rvgn);
            EXPECT_EQ(encode([&](ByteWriter &w) { return encode_layout_r_manifest(w, m); }), original);
            // Rebuild from plain arrays too (the writer's path).
            std::vector<LayoutRDirEntry> entries;
            for (uint32_t i = 0; i < m.entry_count(); ++i)
                entries.push_back(m.entry(i));
            std::vector<uint64_t> deleted;
            for (uint32_t i = 0; i < m.deleted_count; ++i)
                deleted.push_back(m.deleted_id(i));
            EXPECT_EQ(encode([&](ByteWriter &w) {
                          return encode_layout_r_manifest(w, m.header, entries.data(), m.entry_count(),
                                                          deleted.data(), m.deleted_count, &m.identity, nullptr);
                      }),
                      original);
            EXPECT_EQ(layout_r_manifest_size(m.entry_count(), m.deleted_count, true, false), original.size());
            manifests.push_back(s);
            break;
        }
        case SegType::Vec: {
            LayoutRVecView v;
            ASSERT_EQ(decode_layout_r_vec(s.payload, v), Status::Ok);
            vec_dim = v.dim;
            std::vector<uint64_t> ids;
            std::vector<float> vals(static_cast<size_t>(v.count) * v.dim);
            for (uint32_t i = 0; i < v.count; ++i) {
                ids.push_back(v.id(i));
                v.copy_vector(i, vals.data() + static_cast<size_t>(i) * v.dim);
            }
            EXPECT_EQ(encode([&](ByteWriter &w) { return encode_layout_r_vec(w, v); }), original);
            EXPECT_EQ(encode([&](ByteWriter &w) {
                          return encode_layout_r_vec(w, static_cast<uint16_t>(v.dim), ids.data(), vals.data(), v.count);
                      }),
                      original);
            vec_ids.insert(vec_ids.end(), ids.begin(), ids.end());
            vec_values.insert(vec_values.end(), vals.begin(), vals.end());
            break;
        }
        case SegType::Witness: {
            LayoutRWitnessView w;
            ASSERT_EQ(decode_layout_r_witness(s.payload, w), Status::Ok);
            const std::string action(reinterpret_cast<const char *>(w.action.data), w.action.size);
            if (witnesses == 0) {
                EXPECT_TRUE(w.prev_hash_is_zero()); // first witness of the session
                EXPECT_EQ(action, "ingest:count=" + std::to_string(exp["n"].get<int>()) + ",epoch=1");
                EXPECT_EQ(w.witness_type, kWitnessComputation);
            } else {
                EXPECT_TRUE(layout_r_witness_links(view(prev_witness), w)) << "witness chain broken";
                EXPECT_EQ(action, "delete:count=5,epoch=2");
                EXPECT_EQ(w.witness_type, kWitnessDataProvenance);
            }
            EXPECT_GT(w.timestamp_ns, 0u);
            EXPECT_EQ(encode([&](ByteWriter &wr) { return encode_layout_r_witness(wr, w); }), original);
            prev_witness = original;
            ++witnesses;
            break;
        }
        case SegType::Journal: {
            LayoutRJournalView j;
            ASSERT_EQ(decode_layout_r_journal(s.payload, j), Status::Ok);
            EXPECT_EQ(j.epoch, 2u);
            EXPECT_EQ(j.prev_journal_seg_id, 0u);
            std::vector<uint64_t> ids;
            for (uint32_t i = 0; i < j.entry_count; ++i) {
                EXPECT_EQ(j.entry(i).entry_type, kJournalDeleteVector);
                ids.push_back(j.vector_id(i));
            }
            EXPECT_EQ(ids, (std::vector<uint64_t>{0, 1, 2, 500, 999}));
            EXPECT_EQ(encode([&](ByteWriter &w) { return encode_layout_r_journal(w, j); }), original);
            EXPECT_EQ(encode([&](ByteWriter &w) { return encode_layout_r_journal(w, 2, ids.data(), 5); }), original);
            ++journals;
            break;
        }
        case SegType::Index: {
            LayoutRIndexView ix;
            ASSERT_EQ(decode_layout_r_index(s.payload, ix), Status::Ok);
            EXPECT_EQ(ix.graph.header.node_count, exp["n"].get<uint64_t>());
            ++indexes; // contents checked in detail by UpstreamIndex below
            break;
        }
        default:
            ADD_FAILURE() << "unexpected segment type " << int(s.header.seg_type);
        }
    }
    ASSERT_TRUE(walker.at_clean_end()) << status_name(walker.status()) << " at " << walker.offset();
    ASSERT_FALSE(manifests.empty());
    EXPECT_EQ(journals, exp.contains("delete") ? 1 : 0);
    EXPECT_EQ(witnesses, (exp["n"].get<int>() > 0 ? 1 : 0) + (exp.contains("delete") ? 1 : 0));
    EXPECT_EQ(indexes, name == "l2-5000x64" ? 1 : 0);

    // The latest manifest is the file's state after reopen.
    const WalkedSegment &last = manifests.back();
    EXPECT_EQ(last.next_offset, file.size()); // upstream always ends a mutation with a manifest
    LayoutRManifestView m;
    ASSERT_EQ(decode_layout_r_manifest(last.payload, m), Status::Ok);
    const json &st = exp["statusAfterReopen"];
    EXPECT_EQ(m.header.epoch, st["currentEpoch"].get<uint32_t>());
    EXPECT_EQ(m.header.dimension, exp["dim"].get<uint16_t>());
    EXPECT_EQ(m.header.profile_id, st["profileId"].get<uint8_t>());
    EXPECT_STREQ(layout_r_metric_name(m.header.metric), exp["metric"].get<std::string>().c_str());
    EXPECT_EQ(m.header.reserved, 0);
    EXPECT_EQ(m.header.total_vectors, exp["n"].get<uint64_t>()); // includes soft-deleted
    EXPECT_EQ(m.header.total_vectors - m.deleted_count, st["totalVectors"].get<uint64_t>());
    std::vector<uint64_t> deleted;
    for (uint32_t i = 0; i < m.deleted_count; ++i)
        deleted.push_back(m.deleted_id(i));
    const std::vector<uint64_t> want_deleted =
        exp.contains("delete") ? std::vector<uint64_t>{0, 1, 2, 500, 999} : std::vector<uint64_t>{};
    EXPECT_EQ(deleted, want_deleted);
    EXPECT_TRUE(m.deleted_ascending);
    for (uint64_t id : deleted)
        EXPECT_TRUE(m.is_deleted(id));
    EXPECT_FALSE(m.is_deleted(3));

    const json &segs = exp["segmentsAfterReopen"];
    ASSERT_EQ(m.entry_count(), segs.size());
    for (uint32_t i = 0; i < m.entry_count(); ++i) {
        const LayoutRDirEntry e = m.entry(i);
        EXPECT_EQ(e.seg_id, segs[i]["id"].get<uint64_t>());
        EXPECT_EQ(e.file_offset, segs[i]["offset"].get<uint64_t>());
        EXPECT_EQ(e.payload_length, segs[i]["payloadLength"].get<uint64_t>());
        ASSERT_NE(seg_type_name(e.seg_type), nullptr);
        EXPECT_EQ(std::string(seg_type_name(e.seg_type)), segs[i]["segType"].get<std::string>());
        // Each entry names a real header of that type and length.
        SegmentHeader h;
        ASSERT_EQ(decode_segment_header(view(file).from(e.file_offset), e.file_offset, file.size(), h), Status::Ok);
        EXPECT_EQ(h.seg_type, e.seg_type);
        EXPECT_EQ(h.payload_length, e.payload_length);
        EXPECT_EQ(h.segment_id, e.seg_id);
    }
    ASSERT_TRUE(m.has_identity);
    EXPECT_EQ(hex(m.identity.file_id, 16), exp["fileId"].get<std::string>());
    EXPECT_EQ(hex(m.identity.parent_id, 16), exp["parentId"].get<std::string>());
    EXPECT_EQ(m.identity.lineage_depth, exp["lineageDepth"].get<uint32_t>());
    EXPECT_TRUE(file_identity_is_root(m.identity));
    EXPECT_TRUE(file_identity_present(m.identity));
    for (const WalkedSegment &other : manifests) { // identity is constant over the file
        LayoutRManifestView o;
        ASSERT_EQ(decode_layout_r_manifest(other.payload, o), Status::Ok);
        EXPECT_TRUE(o.identity == m.identity);
    }

    // The tail scan agrees with the forward walk.
    TailScanCandidate c;
    ASSERT_EQ(find_latest_manifest(view(file), c), Status::Ok);
    EXPECT_EQ(c.offset, last.offset);

    // Ids in stored order and every f32 exactly as the generator made it.
    const std::vector<uint64_t> want_ids = exp["ids"].get<std::vector<uint64_t>>();
    EXPECT_EQ(vec_ids, want_ids);
    if (!want_ids.empty()) {
        EXPECT_EQ(vec_dim, exp["dim"].get<uint32_t>());
        FixtureRng rng(exp["vectorSeed"].get<uint32_t>());
        size_t differing = 0, max_ulps = 0;
        for (size_t i = 0; i < vec_values.size(); ++i) {
            const float want = static_cast<float>(rng.g());
            if (std::memcmp(&want, &vec_values[i], 4) != 0) {
                ++differing;
                int32_t a = 0, b = 0;
                std::memcpy(&a, &want, 4);
                std::memcpy(&b, &vec_values[i], 4);
                max_ulps = std::max<size_t>(max_ulps, static_cast<size_t>(std::llabs(int64_t(a) - int64_t(b))));
            }
        }
        EXPECT_EQ(differing, 0u) << differing << " of " << vec_values.size() << " f32 values differ, by up to "
                                 << max_ulps << " ulp (glibc vs V8 libm?)";
    }
}

INSTANTIATE_TEST_SUITE_P(AllNative, UpstreamFixture, ::testing::ValuesIn(kNativeFixtures),
                         [](const ::testing::TestParamInfo<const char *> &i) {
                             std::string s = i.param;
                             for (char &ch : s)
                                 if (ch == '-')
                                     ch = '_';
                             return s;
                         });

// ---------------------------------------------------------------------------------------------
// The INDEX segment of l2-5000x64 (spec §3.10 and README's partial decode).

TEST(UpstreamIndex, DecodesGraphAndTrailerAndReencodesExactly) {
    const std::vector<uint8_t> file = read_file(upstream("l2-5000x64.rvf"));
    const uint64_t off = 1320603; // from segmentsAfterReopen
    SegmentHeader h;
    ASSERT_EQ(decode_segment_header(view(file).from(off), off, file.size(), h), Status::Ok);
    ASSERT_EQ(h.seg_type, static_cast<uint8_t>(SegType::Index));
    ASSERT_EQ(h.payload_length, 246376u);
    const ByteView payload = view(file).sub(off + 64, h.payload_length);

    LayoutRIndexView ix;
    ASSERT_EQ(decode_layout_r_index(payload, ix), Status::Ok);
    const IndexSegView &g = ix.graph;
    EXPECT_EQ(g.header.index_type, 0);
    EXPECT_EQ(g.header.layer_level, 2);
    EXPECT_EQ(g.header.m, 16);
    EXPECT_EQ(g.header.ef_construction, 200u);
    EXPECT_EQ(g.header.node_count, 5000u);
    EXPECT_EQ(g.restart_interval, 64u);
    EXPECT_EQ(g.restart_count, 79u);
    EXPECT_EQ(g.restart_offset(0), 0u);
    EXPECT_EQ(g.restart_offset(1), 2971u); // README: 0, 2971, 5987, …
    EXPECT_EQ(g.restart_offset(2), 5987u);
    EXPECT_EQ(g.adjacency_offset, 448u);
    EXPECT_EQ(g.encoded_size, 241344u);
    EXPECT_EQ(g.max_layer_count, 3u);

    const LayoutRIndexTrailer &t = ix.trailer.fields;
    EXPECT_EQ(t.version, 1);
    EXPECT_EQ(t.m0, 32);
    EXPECT_EQ(t.max_layer, 2u);
    EXPECT_EQ(t.entry_ordinal, 558u);
    EXPECT_EQ(t.id_count, 5000u);
    EXPECT_EQ(ix.trailer.body_offset, 241344u);
    EXPECT_EQ(load_u32_le(payload.data + payload.size - 8), 5024u); // README: u32 0x13A0 then "RVIX"
    std::vector<uint64_t> ids(5000);
    ASSERT_EQ(ix.trailer.copy_ids(ids.data(), ids.size()), 5000u);
    for (uint64_t i = 0; i < 5000; ++i)
        ASSERT_EQ(ids[i], i);

    // Graph sanity: degree bounds (m0 on layer 0, M above), no self loops, lookups agree with
    // the sequential walk.
    std::vector<std::vector<std::vector<uint64_t>>> adj(5000);
    ASSERT_EQ(g.for_each_list([&](uint64_t n, uint32_t layer, uint32_t layers, IndexNeighborList &list) {
        if (adj[n].empty())
            adj[n].resize(layers);
        uint64_t id = 0;
        while (list.next(&id))
            adj[n][layer].push_back(id);
    }),
              Status::Ok);
    size_t edges = 0;
    for (uint64_t n = 0; n < 5000; ++n) {
        ASSERT_FALSE(adj[n].empty()) << n;
        for (size_t l = 0; l < adj[n].size(); ++l) {
            const auto &list = adj[n][l];
            EXPECT_LE(list.size(), l == 0 ? 32u : 16u);
            for (size_t k = 0; k < list.size(); ++k) {
                EXPECT_NE(list[k], n);
                if (k) {
                    EXPECT_LT(list[k - 1], list[k]); // ascending, unique
                }
            }
            edges += list.size();
            std::vector<uint64_t> got(64);
            size_t count = 0;
            ASSERT_EQ(g.node_neighbors(n, static_cast<uint32_t>(l), got.data(), got.size(), &count), Status::Ok);
            got.resize(count);
            EXPECT_EQ(got, list);
        }
    }
    EXPECT_GT(edges, 5000u * 8);
    uint32_t lc = 0;
    ASSERT_EQ(g.node_layer_count(558, &lc), Status::Ok);
    EXPECT_EQ(lc, 3u);

    // Decoding the same bytes as the rvf-wire flavour must fail: restart nodes hold absolute ids.
    IndexSegView wire;
    EXPECT_EQ(decode_index_seg(payload.sub(0, ix.trailer.body_offset), IndexFlavour::RvfWire, wire),
              Status::InvalidManifest);

    // Re-encode from plain arrays: identical bytes.
    std::vector<std::vector<IndexLayerInput>> layers(5000);
    std::vector<IndexNodeInput> nodes(5000);
    for (size_t n = 0; n < 5000; ++n) {
        for (auto &list : adj[n])
            layers[n].push_back(IndexLayerInput{list.data(), static_cast<uint32_t>(list.size())});
        nodes[n] = IndexNodeInput{layers[n].data(), static_cast<uint32_t>(layers[n].size())};
    }
    const std::vector<uint8_t> again =
        encode([&](ByteWriter &w) { return encode_layout_r_index(w, g.header, nodes.data(), t, ids.data()); });
    ASSERT_EQ(again.size(), payload.size);
    EXPECT_EQ(0, std::memcmp(again.data(), payload.data, payload.size));
}

TEST(UpstreamIndex, TrailerRejectsCorruption) {
    const std::vector<uint8_t> file = read_file(upstream("l2-5000x64.rvf"));
    const std::vector<uint8_t> orig(file.begin() + 1320603 + 64, file.begin() + 1320603 + 64 + 246376);
    auto status_after = [&](auto &&mutate) {
        std::vector<uint8_t> p = orig;
        mutate(p);
        LayoutRIndexView ix;
        return decode_layout_r_index(view(p), ix);
    };
    const size_t n = orig.size(), body = 241344;
    EXPECT_EQ(status_after([](auto &) {}), Status::Ok);
    EXPECT_EQ(status_after([&](auto &p) { p[n - 1] = 'Y'; }), Status::InvalidMagic);
    EXPECT_EQ(status_after([&](auto &p) { store_u32_le(&p[n - 8], 0xFFFFFFF0u); }), Status::TruncatedSegment);
    EXPECT_EQ(status_after([&](auto &p) { store_u32_le(&p[n - 8], 23); }), Status::TruncatedSegment);
    EXPECT_EQ(status_after([&](auto &p) { store_u32_le(&p[n - 8], 5025); }), Status::InvalidVersion); // body shifted
    EXPECT_EQ(status_after([&](auto &p) { store_u16_le(&p[body], 2); }), Status::InvalidVersion);
    EXPECT_EQ(status_after([&](auto &p) { p[body + 24 + 10] = 0; }), Status::InvalidManifest); // gap 0: not ascending
    EXPECT_EQ(status_after([&](auto &p) { store_u64_le(&p[body + 8], 5000); }), Status::InvalidManifest); // entry
    EXPECT_EQ(status_after([&](auto &p) { store_u64_le(&p[body + 8], 0); }), Status::InvalidManifest); // 1 layer
    EXPECT_EQ(status_after([&](auto &p) { store_u32_le(&p[body + 4], 64); }), Status::InvalidManifest); // max_layer
    EXPECT_EQ(status_after([&](auto &p) { store_u64_le(&p[body + 16], 5001); }), Status::TruncatedSegment);
    EXPECT_EQ(status_after([&](auto &p) { store_u64_le(&p[body + 16], 4999); }), Status::InvalidManifest);
    EXPECT_EQ(status_after([&](auto &p) { p[0] = 1; }), Status::InvalidManifest); // IVF, not HNSW
    EXPECT_EQ(status_after([&](auto &p) { p[20] = 1; }), Status::AlignmentError); // header pad
    // Every truncation from the end is rejected without a crash.
    for (size_t len = 0; len < n; len += (len < 64 || n - len < 6000) ? 1 : 997) {
        LayoutRIndexView ix;
        EXPECT_NE(decode_layout_r_index(ByteView(orig.data(), len), ix), Status::Ok) << len;
    }
}

// ---------------------------------------------------------------------------------------------
// Manifest codec: synthetic round trips and strict-reader negatives.

namespace {
FileIdentity sample_identity() {
    FileIdentity id;
    for (int i = 0; i < 16; ++i) {
        id.file_id[i] = static_cast<uint8_t>(0xA0 + i);
        id.parent_id[i] = static_cast<uint8_t>(0x10 + i);
    }
    for (int i = 0; i < 32; ++i)
        id.parent_hash[i] = static_cast<uint8_t>(i * 7);
    id.lineage_depth = 3;
    return id;
}
} // namespace

TEST(FileIdentityCodec, RoundTripsAt68Bytes) {
    const FileIdentity id = sample_identity();
    const std::vector<uint8_t> b = encode([&](ByteWriter &w) { return encode_file_identity(w, id) ? Status::Ok : Status::InvalidArgument; });
    ASSERT_EQ(b.size(), kFileIdentitySize);
    EXPECT_EQ(b[0], 0xA0);
    EXPECT_EQ(b[0x10], 0x10);
    EXPECT_EQ(b[0x21], 7);
    EXPECT_EQ(load_u32_le(&b[0x40]), 3u);
    FileIdentity back;
    ASSERT_EQ(decode_file_identity(view(b), back), Status::Ok);
    EXPECT_TRUE(back == id);
    EXPECT_FALSE(file_identity_is_root(back));
    EXPECT_EQ(decode_file_identity(ByteView(b.data(), 67), back), Status::TruncatedSegment);
    EXPECT_FALSE(file_identity_present(FileIdentity{}));
}

TEST(LayoutRManifestCodec, WorkedExampleSizesAndRvgnRoundTrip) {
    // §3.13: epoch 2, dim 4, total 3, 6 entries, deleted [20], FIDI → 256 B.
    LayoutRManifestHeader h;
    h.epoch = 2;
    h.dimension = 4;
    h.total_vectors = 3;
    h.metric = 2;
    h.profile_id = 1;
    const LayoutRDirEntry e[6] = {{1, 0, 98, 5},   {2, 162, 78, 1},  {3, 304, 67, 10},
                                  {4, 435, 173, 5}, {5, 672, 28, 4}, {6, 764, 67, 10}};
    const uint64_t del[1] = {20};
    const FileIdentity id = sample_identity();
    const auto b = encode([&](ByteWriter &w) { return encode_layout_r_manifest(w, h, e, 6, del, 1, &id, nullptr); });
    ASSERT_EQ(b.size(), 256u);
    EXPECT_EQ(load_u32_le(&b[14]), 6u); // seg_count from entry_count
    EXPECT_EQ(b[19], 2);
    EXPECT_EQ(load_u32_le(&b[22 + 150 + 4 + 8]), kFidiMagic);
    EXPECT_EQ(b[22 + 150 + 4 + 8], 0x49); // "IDIF" on disk
    LayoutRManifestView m;
    ASSERT_EQ(decode_layout_r_manifest(view(b), m), Status::Ok);
    EXPECT_EQ(m.entry(4).file_offset, 672u);
    EXPECT_EQ(m.entry(5).seg_type, 10);
    EXPECT_EQ(m.deleted_id(0), 20u);
    EXPECT_TRUE(m.identity == id);
    EXPECT_FALSE(m.has_rvgn);

    const RvgnTrailer g{7, 9};
    const auto withg = encode([&](ByteWriter &w) { return encode_layout_r_manifest(w, h, e, 6, del, 1, &id, &g); });
    ASSERT_EQ(withg.size(), 268u);
    ASSERT_EQ(decode_layout_r_manifest(view(withg), m), Status::Ok);
    ASSERT_TRUE(m.has_rvgn);
    EXPECT_EQ(m.rvgn.cow_map_generation, 7u);
    EXPECT_EQ(m.rvgn.membership_generation, 9u);
    EXPECT_EQ(encode([&](ByteWriter &w) { return encode_layout_r_manifest(w, m); }), withg);

    // No FIDI at all: ends right after the deletion list.
    const auto bare = encode([&](ByteWriter &w) { return encode_layout_r_manifest(w, h, e, 6, del, 1, nullptr, nullptr); });
    ASSERT_EQ(bare.size(), 184u);
    ASSERT_EQ(decode_layout_r_manifest(view(bare), m), Status::Ok);
    EXPECT_FALSE(m.has_identity);

    // RVGN needs FIDI; a too-small buffer is reported, not overrun.
    ByteWriter counter;
    EXPECT_EQ(encode_layout_r_manifest(counter, h, e, 6, del, 1, nullptr, &g), Status::InvalidArgument);
    uint8_t small[100];
    ByteWriter sw(MutByteView(small, sizeof small));
    EXPECT_EQ(encode_layout_r_manifest(sw, h, e, 6, del, 1, &id, nullptr), Status::InvalidArgument);
}

TEST(LayoutRManifestCodec, UnsortedDeletionListStillDecodesButIsFlagged) {
    LayoutRManifestHeader h;
    const uint64_t del[3] = {9, 3, 7};
    const auto b = encode([&](ByteWriter &w) { return encode_layout_r_manifest(w, h, nullptr, 0, del, 3, nullptr, nullptr); });
    LayoutRManifestView m;
    ASSERT_EQ(decode_layout_r_manifest(view(b), m), Status::Ok);
    EXPECT_FALSE(m.deleted_ascending);
    EXPECT_TRUE(m.is_deleted(3));
    EXPECT_FALSE(m.is_deleted(4));
}

TEST(LayoutRManifestCodec, EveryTruncationOfEveryUpstreamManifestIsTyped) {
    for (const char *name : kNativeFixtures) {
        const std::vector<uint8_t> file = read_file(upstream(std::string(name) + ".rvf"));
        SegmentWalker w(view(file), SegmentLayout::R);
        WalkedSegment s;
        while (w.next(s)) {
            if (s.header.seg_type != static_cast<uint8_t>(SegType::Manifest))
                continue;
            LayoutRManifestView full;
            ASSERT_EQ(decode_layout_r_manifest(s.payload, full), Status::Ok);
            const size_t list_end = s.payload.size - kFidiTrailerSize;
            for (size_t len = 0; len < s.payload.size; ++len) {
                LayoutRManifestView m;
                const Status st = decode_layout_r_manifest(ByteView(s.payload.data, len), m);
                if (len == list_end) {
                    EXPECT_EQ(st, Status::Ok); // legal: no FIDI
                    EXPECT_FALSE(m.has_identity);
                } else {
                    EXPECT_EQ(st, Status::TruncatedSegment) << name << " len " << len;
                }
            }
        }
    }
}

TEST(LayoutRManifestCodec, StrictTrailerRules) {
    const std::vector<uint8_t> file = read_file(upstream("l2-1000x16-deleted.rvf"));
    const std::vector<uint8_t> orig(file.begin() + 72874 + 64, file.end()); // 288-B final manifest
    ASSERT_EQ(orig.size(), 288u);
    auto st = [](const std::vector<uint8_t> &p) {
        LayoutRManifestView m;
        return decode_layout_r_manifest(view(p), m);
    };
    EXPECT_EQ(st(orig), Status::Ok);
    auto plus = [&](std::initializer_list<uint8_t> extra) {
        std::vector<uint8_t> p = orig;
        p.insert(p.end(), extra);
        return p;
    };
    EXPECT_EQ(st(plus({0x00})), Status::InvalidMagic);
    EXPECT_EQ(st(plus({0x4E, 0x47})), Status::TruncatedSegment); // start of "RVGN"
    EXPECT_EQ(st(plus({0x4E, 0x47, 0x56, 0x52, 1, 0, 0, 0, 2, 0, 0, 0})), Status::Ok);
    EXPECT_EQ(st(plus({0x4E, 0x47, 0x56, 0x52, 1, 0, 0, 0, 2, 0, 0, 0, 0})), Status::InvalidManifest);
    EXPECT_EQ(st(plus({0x4E, 0x47, 0x56, 0x53, 1, 0, 0, 0, 2, 0, 0, 0})), Status::InvalidMagic);
    std::vector<uint8_t> p = orig;
    p[288 - 72] ^= 1; // "FIDI" marker
    EXPECT_EQ(st(p), Status::InvalidMagic);
    p = orig;
    store_u32_le(&p[14], 0xFFFFFFFFu); // seg_count·25 far beyond the payload (no wrap on 32-bit)
    EXPECT_EQ(st(p), Status::TruncatedSegment);
    p = orig;
    store_u32_le(&p[22 + 6 * 25], 0xFFFFFFFFu); // deleted_count
    EXPECT_EQ(st(p), Status::TruncatedSegment);
    p = orig;
    store_u32_le(&p[22 + 6 * 25], 4); // one id short: the 5th id's bytes become trailer garbage
    EXPECT_EQ(st(p), Status::InvalidMagic);
    p = orig;
    store_u32_le(&p[14], 5); // one entry fewer: the rest no longer lines up
    EXPECT_NE(st(p), Status::Ok);
}

// ---------------------------------------------------------------------------------------------
// VEC, JOURNAL, WITNESS codecs.

TEST(LayoutRVecCodec, RoundTripAndExactLength) {
    const uint64_t ids[3] = {10, 20, 30};
    const float v[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    const auto b = encode([&](ByteWriter &w) { return encode_layout_r_vec(w, 4, ids, v, 3); });
    ASSERT_EQ(b.size(), 78u); // §3.13
    uint64_t size = 0;
    ASSERT_TRUE(layout_r_vec_payload_size(4, 3, &size));
    EXPECT_EQ(size, 78u);
    EXPECT_FALSE(layout_r_vec_payload_size(0xFFFF, UINT64_MAX / 4, &size));
    LayoutRVecView vv;
    ASSERT_EQ(decode_layout_r_vec(view(b), vv), Status::Ok);
    EXPECT_EQ(vv.dim, 4u);
    EXPECT_EQ(vv.count, 3u);
    EXPECT_EQ(vv.id(1), 20u);
    EXPECT_EQ(vv.value(2, 3), 12.0f);
    float out[4];
    vv.copy_vector(1, out);
    EXPECT_EQ(out[0], 5.0f);
    EXPECT_EQ(out[3], 8.0f);
    for (size_t len = 0; len < b.size(); ++len)
        EXPECT_EQ(decode_layout_r_vec(ByteView(b.data(), len), vv), Status::TruncatedSegment) << len;
    std::vector<uint8_t> longer = b;
    longer.push_back(0);
    EXPECT_EQ(decode_layout_r_vec(view(longer), vv), Status::InvalidManifest);
    uint8_t hostile[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}; // dim 65535, count 2^32-1
    EXPECT_EQ(decode_layout_r_vec(ByteView(hostile, 6), vv), Status::TruncatedSegment);
}

TEST(LayoutRJournalCodec, RoundTripAndNegatives) {
    const uint64_t ids[2] = {20, 1ull << 40};
    const auto b = encode([&](ByteWriter &w) { return encode_layout_r_journal(w, 2, ids, 2); });
    ASSERT_EQ(b.size(), 16u + 24u);
    EXPECT_EQ(b[16], 0x01);
    EXPECT_EQ(load_u16_le(&b[18]), 8u);
    LayoutRJournalView j;
    ASSERT_EQ(decode_layout_r_journal(view(b), j), Status::Ok);
    EXPECT_EQ(j.entry_count, 2u);
    EXPECT_EQ(j.vector_id(1), 1ull << 40);
    for (size_t len = 0; len < b.size(); ++len)
        EXPECT_EQ(decode_layout_r_journal(ByteView(b.data(), len), j), Status::TruncatedSegment) << len;
    std::vector<uint8_t> p = b;
    p.push_back(0);
    EXPECT_EQ(decode_layout_r_journal(view(p), j), Status::InvalidManifest);
    p = b;
    p[18] = 16; // entry_length ≠ 8
    EXPECT_EQ(decode_layout_r_journal(view(p), j), Status::InvalidManifest);
    p = b;
    store_u32_le(&p[0], 0xFFFFFFFFu);
    EXPECT_EQ(decode_layout_r_journal(view(p), j), Status::TruncatedSegment);
}

TEST(LayoutRWitnessCodec, RoundTripChainAndNegatives) {
    const std::string a1 = "ingest:count=3,epoch=1";
    const auto w1 = encode([&](ByteWriter &w) {
        return encode_layout_r_witness(w, kWitnessComputation, 123456789, reinterpret_cast<const uint8_t *>(a1.data()),
                                       static_cast<uint32_t>(a1.size()), nullptr);
    });
    ASSERT_EQ(w1.size(), 67u); // §3.13
    uint8_t link[32];
    layout_r_witness_chain_hash(view(w1), link);
    const std::string a2 = "delete:count=1,epoch=2";
    const auto w2 = encode([&](ByteWriter &w) {
        return encode_layout_r_witness(w, kWitnessDataProvenance, 5, reinterpret_cast<const uint8_t *>(a2.data()),
                                       static_cast<uint32_t>(a2.size()), link);
    });
    LayoutRWitnessView v;
    ASSERT_EQ(decode_layout_r_witness(view(w2), v), Status::Ok);
    EXPECT_EQ(v.witness_type, 0);
    EXPECT_EQ(v.timestamp_ns, 5u);
    EXPECT_EQ(std::string(reinterpret_cast<const char *>(v.action.data), v.action.size), a2);
    EXPECT_TRUE(layout_r_witness_links(view(w1), v));
    EXPECT_FALSE(layout_r_witness_links(view(w2), v));
    for (size_t len = 0; len < w2.size(); ++len)
        EXPECT_EQ(decode_layout_r_witness(ByteView(w2.data(), len), v), Status::TruncatedSegment) << len;
    std::vector<uint8_t> p = w2;
    p.push_back(0);
    EXPECT_EQ(decode_layout_r_witness(view(p), v), Status::InvalidManifest);
    p = w2;
    store_u32_le(&p[9], 0xFFFFFFF0u);
    EXPECT_EQ(decode_layout_r_witness(view(p), v), Status::TruncatedSegment);
}

// ---------------------------------------------------------------------------------------------
// The WASM build's export (spec §7.4): detected, reported, still importable.

TEST(UpstreamWasmExport, DetectedAndDecodable) {
    const std::vector<uint8_t> file = read_file(upstream("wasm-export-3x4.rvf"));
    ASSERT_EQ(file.size(), 250u);
    EXPECT_TRUE(looks_like_upstream_wasm_export(view(file)));
    EXPECT_EQ(check_not_upstream_wasm_export(view(file)), Status::UnsupportedLayout);
    EXPECT_NE(std::strstr(kUpstreamWasmExportMessage, "WASM"), nullptr);
    // Native readers find no Layout R manifest in it (upstream: ManifestNotFound).
    TailScanCandidate c;
    EXPECT_EQ(find_latest_manifest(view(file), c), Status::ManifestNotFound);

    SegmentWalker w(view(file), SegmentLayout::R);
    WalkedSegment vec, man;
    ASSERT_TRUE(w.next(vec));
    ASSERT_TRUE(w.next(man));
    EXPECT_FALSE(w.next(man));
    EXPECT_TRUE(w.at_clean_end());
    UpstreamWasmManifestView m;
    ASSERT_EQ(decode_upstream_wasm_manifest(man.payload, m), Status::Ok);
    EXPECT_EQ(m.epoch, 1u);
    EXPECT_EQ(m.dimension, 4);
    EXPECT_EQ(m.total_vectors, 3u);
    EXPECT_EQ(m.seg_count, 1u);
    const LayoutRDirEntry e = m.entry(0);
    EXPECT_EQ(e.seg_id, 1u);
    EXPECT_EQ(e.file_offset, 0u);
    EXPECT_EQ(e.payload_length, 78u);
    EXPECT_EQ(e.seg_type, 1);
    LayoutRVecView v;
    ASSERT_EQ(decode_upstream_wasm_vec(vec.payload, v), Status::Ok);
    ASSERT_EQ(v.count, 3u);
    ASSERT_EQ(v.dim, 4u);
    const json exp = read_json(upstream("wasm-export-3x4.expected.json"));
    for (uint32_t i = 0; i < 3; ++i) {
        EXPECT_EQ(v.id(i), exp["ids"][i].get<uint64_t>());
        for (uint32_t d = 0; d < 4; ++d)
            EXPECT_EQ(v.value(i, d), exp["vectors"][i][d].get<float>());
    }
    // Read as a native VEC it is nonsense (dim 3 / count 4 does not fit 78 bytes).
    EXPECT_NE(decode_layout_r_vec(vec.payload, v), Status::Ok);
    // Any non-zero hash makes it not-the-WASM-export.
    std::vector<uint8_t> p = file;
    p[0x28] = 1;
    EXPECT_FALSE(looks_like_upstream_wasm_export(view(p)));
    EXPECT_FALSE(looks_like_upstream_wasm_export(ByteView(file.data(), 100)));
}

// ---------------------------------------------------------------------------------------------
// Segment walk and layout detection.

namespace {
// Build a file of segments; Layout S pads each to 64 and sets alignment_pad.
std::vector<uint8_t> build(const std::vector<std::pair<uint8_t, std::vector<uint8_t>>> &segs, SegmentLayout layout,
                           uint8_t algo = 0) {
    std::vector<uint8_t> f;
    uint64_t id = 1;
    for (const auto &[type, payload] : segs) {
        SegmentHeader h;
        h.seg_type = type;
        h.segment_id = id++;
        h.payload_length = payload.size();
        h.checksum_algo = algo;
        h.alignment_pad = layout == SegmentLayout::S ? layout_s_pad(payload.size()) : 0;
        uint8_t hb[64];
        encode_segment_header(h, hb);
        f.insert(f.end(), hb, hb + 64);
        f.insert(f.end(), payload.begin(), payload.end());
        f.insert(f.end(), h.alignment_pad, 0);
    }
    return f;
}
std::vector<uint8_t> s_root_manifest() {
    std::vector<uint8_t> p(100 + 4096, 0);
    store_u32_le(&p[100], 0x52564D30);
    return p;
}
} // namespace

TEST(SegmentWalk, LayoutSFramingAndDetection) {
    const auto f = build({{1, std::vector<uint8_t>(10, 7)}, {5, s_root_manifest()}}, SegmentLayout::S, 1);
    ASSERT_EQ(f.size() % 64, 0u);
    EXPECT_EQ(detect_layout(view(f), f.size()), SegmentLayout::S);
    SegmentWalker w(view(f), SegmentLayout::S);
    WalkedSegment s;
    ASSERT_TRUE(w.next(s));
    EXPECT_EQ(s.payload.size, 10u);
    EXPECT_EQ(s.next_offset, 128u);
    ASSERT_TRUE(w.next(s));
    EXPECT_TRUE(is_layout_s_manifest_payload(s.payload));
    EXPECT_EQ(layout_of_manifest_payload(s.payload), SegmentLayout::S);
    EXPECT_FALSE(w.next(s));
    EXPECT_TRUE(w.at_clean_end());
    EXPECT_EQ(w.segments_seen(), 2u);
    // The newest reader's R walk accepts padded frames for algo ≠ 0.
    SegmentWalker wr(view(f), SegmentLayout::R);
    while (wr.next(s)) {
    }
    EXPECT_TRUE(wr.at_clean_end());

    auto g = f;
    g[64 + 10] = 1; // non-zero pad byte
    SegmentWalker w2(view(g), SegmentLayout::S);
    ASSERT_FALSE(w2.next(s));
    EXPECT_EQ(w2.status(), Status::AlignmentError);
    EXPECT_EQ(w2.offset(), 0u);

    // A packed file walked as Layout S: the second header is not 64-aligned.
    const auto r = build({{1, std::vector<uint8_t>(10, 7)}, {5, std::vector<uint8_t>(30, 0)}}, SegmentLayout::R);
    SegmentWalker w3(view(r), SegmentLayout::S);
    EXPECT_FALSE(w3.next(s)); // first header: pad 0 ≠ Layout S pad 54
    EXPECT_EQ(w3.status(), Status::AlignmentError);
    SegmentWalker w4(view(r), SegmentLayout::R);
    ASSERT_TRUE(w4.next(s));
    ASSERT_TRUE(w4.next(s));
    EXPECT_EQ(s.offset, 74u);
    EXPECT_TRUE(w4.at_clean_end());
    EXPECT_EQ(detect_layout(view(r), r.size()), SegmentLayout::R);
    EXPECT_FALSE(is_layout_s_manifest_payload(ByteView(r.data(), 100)));
}

TEST(SegmentWalk, StopsWithTypedStatusAtBadTail) {
    const std::vector<uint8_t> file = read_file(upstream("l2-1000x16-meta.rvf"));
    auto walk_status = [](const std::vector<uint8_t> &f, uint64_t *count) {
        SegmentWalker w(view(f), SegmentLayout::R);
        WalkedSegment s;
        while (w.next(s)) {
        }
        *count = w.segments_seen();
        return w.status();
    };
    uint64_t n = 0;
    std::vector<uint8_t> f = file;
    f.resize(file.size() - 1); // torn last payload
    EXPECT_EQ(walk_status(f, &n), Status::TruncatedSegment);
    EXPECT_EQ(n, 3u);
    f = file;
    f.insert(f.end(), 10, 0); // short garbage
    EXPECT_EQ(walk_status(f, &n), Status::TruncatedSegment);
    EXPECT_EQ(n, 4u);
    f = file;
    f.insert(f.end(), 64, 0); // a zeroed header
    EXPECT_EQ(walk_status(f, &n), Status::InvalidMagic);
    f = file;
    f[162 + 4] = 2; // version of the VEC header
    EXPECT_EQ(walk_status(f, &n), Status::InvalidVersion);
    EXPECT_EQ(n, 1u);
    f = file;
    f[162 + 0x3C] = 1; // alignment_pad on an algo-0 segment
    EXPECT_EQ(walk_status(f, &n), Status::AlignmentError);
    SegmentWalker bad(view(file), SegmentLayout::R, file.size() + 1);
    WalkedSegment s;
    EXPECT_FALSE(bad.next(s));
    EXPECT_EQ(bad.status(), Status::InvalidArgument);
}

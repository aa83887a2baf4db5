// ML-DSA-65 segment signatures end to end (spec §6.10 SignatureAlgo 1, docs/signing.md): the same
// checks as signing_test.cpp's Ed25519 ones — every committed segment and manifest root signed,
// a foreign key, a flipped bit, a re-hashed payload and a dropped signature each reported naming the segment — plus
// mixed-algorithm files and the refusal of SLH-DSA. Deterministic: fixed seeds and rows.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <rvf/file_report.hpp>
#include <rvf/hash.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"
#include "support/verify_report.hpp"

using namespace rvf;
using test::dump;
using test::first_of;
using test::has_problem;

namespace {

crypto::Ed25519Seed seed_of(uint8_t fill) {
    crypto::Ed25519Seed s{};
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = static_cast<uint8_t>(fill + 11 * i);
    return s;
}
crypto::KeyId id_of(uint8_t fill, crypto::SignatureAlgo a = crypto::SignatureAlgo::MlDsa65) {
    return crypto::SegmentSigner::from_seed(seed_of(fill), a)->key_id;
}

StoreOptions ml_options(uint8_t key) {
    StoreOptions o;
    o.dimension = 4;
    o.signing_key = seed_of(key);
    o.signing_algorithm = crypto::SignatureAlgo::MlDsa65;
    return o;
}

void ingest(RvfStore &s, uint64_t first, size_t n) {
    std::vector<uint64_t> ids;
    std::vector<float> rows;
    for (size_t i = 0; i < n; ++i) {
        ids.push_back(first + i);
        for (int d = 0; d < 4; ++d)
            rows.push_back(static_cast<float>((first + i) * 4 + d));
    }
    ASSERT_TRUE(s.ingest_batch(ids, rows).ok());
}

std::vector<uint8_t> signed_image(uint8_t key = 1) {
    auto s = RvfStore::create_in_memory(ml_options(key));
    EXPECT_TRUE(s.ok());
    ingest(*s, 1, 10);
    ingest(*s, 100, 5);
    return s->to_bytes();
}


} // namespace

TEST(MlDsaSigning, RoundTripEverySegmentSignedByTheKey) {
    const auto img = signed_image();
    const VerifyReport rep = verify_bytes(img);
    ASSERT_TRUE(rep.ok) << dump(rep);
    ASSERT_EQ(rep.signing_keys.size(), 1u);
    EXPECT_EQ(rep.signing_keys[0], id_of(1));
    size_t manifests = 0;
    for (const SegmentSignature &s : rep.signatures) {
        EXPECT_EQ(s.state, SignatureState::Valid) << "segment " << s.segment_id << ": " << s.what;
        ASSERT_TRUE(s.key_id.has_value());
        EXPECT_EQ(*s.key_id, id_of(1));
        ASSERT_TRUE(s.algorithm.has_value());
        EXPECT_EQ(*s.algorithm, crypto::SignatureAlgo::MlDsa65);
        manifests += s.seg_type == static_cast<uint8_t>(core::SegType::Manifest);
    }
    EXPECT_EQ(manifests, 3u);
    EXPECT_TRUE(require_signature(rep, id_of(1)).ok());
    // 3,309-byte signatures in the footer: alignment_pad covers 8 + 3309 bytes at least.
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    EXPECT_TRUE(vec.header.flags & core::SegFlag::Signed);
    EXPECT_GE(vec.header.alignment_pad, 8u + crypto::kMlDsa65SignatureBytes);
    EXPECT_EQ((vec.offset + 64 + vec.header.payload_length + vec.header.alignment_pad) % 64, 0u);
    const SegmentRecord key = first_of(img, core::SegType::Crypto);
    EXPECT_EQ(key.header.payload_length, crypto::kMlDsa65KeyRecordBytes);
    // Readers that do not verify skip the footers.
    auto s = RvfStore::from_bytes(img);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(*s->count(), 15u);
}

TEST(MlDsaSigning, ForeignKeyIsReportedAsUnknownSigner) {
    const auto img = signed_image(/*key=*/2);
    const VerifyReport rep = verify_bytes(img);
    ASSERT_TRUE(rep.ok) << dump(rep);
    auto r = require_signature(rep, id_of(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::UnknownSigner);
    EXPECT_NE(r.error().message.find("segment 1 (crypto)"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(crypto::key_id_hex(id_of(2))), std::string::npos) << r.error().message;
    // The same seed as an Ed25519 key is another key: its id differs.
    EXPECT_NE(id_of(1), id_of(1, crypto::SignatureAlgo::Ed25519));
}

TEST(MlDsaSigning, FlippedBitInSignedSegmentIsReportedNamingIt) {
    auto img = signed_image();
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    img[vec.offset + 64 + vec.header.payload_length / 2] ^= 0x04;
    const VerifyReport rep = verify_bytes(img);
    EXPECT_FALSE(rep.ok);
    const std::string name = "segment " + std::to_string(vec.header.segment_id) + " (vec)";
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, name)) << dump(rep);
    EXPECT_EQ(require_signature(rep, id_of(1)).status(), Status::InvalidSignature);
}

TEST(MlDsaSigning, FlippedBitInSignatureIsReportedNamingTheSegment) {
    auto img = signed_image();
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    img[vec.offset + 64 + vec.header.payload_length + 4 + 1000] ^= 0x01; // inside the signature
    const VerifyReport rep = verify_bytes(img);
    const std::string name = "segment " + std::to_string(vec.header.segment_id) + " (vec)";
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, name)) << dump(rep);
}

TEST(MlDsaSigning, RehashedPayloadWithoutMatchingSignatureIsReported) {
    // A forger who changes a payload and writes a valid content hash for it is still caught:
    // the signature covers the header, the hash and the payload's digest.
    auto img = signed_image();
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    uint8_t *payload = img.data() + vec.offset + 64;
    payload[8] ^= 0x01;
    uint8_t hash[16];
    ASSERT_EQ(content_hash(Layout::S, vec.header.checksum_algo,
                           core::ByteView(payload, static_cast<size_t>(vec.header.payload_length)), hash),
              Status::Ok);
    std::memcpy(img.data() + vec.offset + 0x28, hash, 16);
    const VerifyReport rep = verify_bytes(img);
    EXPECT_FALSE(has_problem(rep, Status::InvalidChecksum, "content hash mismatch")) << dump(rep);
    const std::string name = "segment " + std::to_string(vec.header.segment_id) + " (vec)";
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, name)) << dump(rep);
    EXPECT_EQ(require_signature(rep, id_of(1)).status(), Status::InvalidSignature);
}

TEST(MlDsaSigning, DroppedSignatureOnSignedSegmentIsReported) {
    auto img = signed_image();
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    const uint64_t footer = vec.offset + 64 + vec.header.payload_length;
    std::memset(img.data() + footer, 0, 8 + crypto::kMlDsa65SignatureBytes);
    const VerifyReport rep = verify_bytes(img);
    EXPECT_FALSE(rep.ok);
    const std::string name = "segment " + std::to_string(vec.header.segment_id) + " (vec)";
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, name)) << dump(rep);
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, "no valid signature footer")) << dump(rep);
}

TEST(MlDsaSigning, MixedAlgorithmsInOneFileEachVerifyUnderTheirKey) {
    test::TempDir dir;
    const std::string path = dir.file("mixed.rvf");
    {
        auto s = RvfStore::create(path, ml_options(1));
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        ingest(*s, 1, 3);
    }
    OpenOptions ed;
    ed.signing_key = seed_of(5);
    {
        auto s = RvfStore::open(path, ed);
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        ingest(*s, 10, 3);
    }
    const VerifyReport rep = verify_file(path);
    ASSERT_TRUE(rep.ok) << dump(rep);
    ASSERT_EQ(rep.signing_keys.size(), 2u);
    size_t ml = 0, e = 0;
    for (const SegmentSignature &s : rep.signatures) {
        ASSERT_EQ(s.state, SignatureState::Valid) << "segment " << s.segment_id << ": " << s.what;
        if (*s.algorithm == crypto::SignatureAlgo::MlDsa65) {
            EXPECT_EQ(*s.key_id, id_of(1));
            ++ml;
        } else {
            EXPECT_EQ(*s.key_id, id_of(5, crypto::SignatureAlgo::Ed25519));
            ++e;
        }
    }
    EXPECT_GT(ml, 0u);
    EXPECT_GT(e, 0u);
    // Not one key signed everything: the policy refuses under either id.
    EXPECT_EQ(require_signature(rep, id_of(1)).status(), Status::UnknownSigner);
}

TEST(MlDsaSigning, OpenPolicyAndReopenWithTheKey) {
    test::TempDir dir;
    const std::string path = dir.file("signed.rvf");
    {
        auto s = RvfStore::create(path, ml_options(1));
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        ingest(*s, 1, 4);
    }
    OpenOptions want;
    want.require_signature = id_of(1);
    want.signing_key = seed_of(1);
    want.signing_algorithm = crypto::SignatureAlgo::MlDsa65;
    {
        auto s = RvfStore::open(path, want);
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        ingest(*s, 50, 2);
        auto c = s->compact();
        ASSERT_TRUE(c.ok()) << c.error().to_string();
    }
    OpenOptions ro;
    ro.require_signature = id_of(1);
    auto again = RvfStore::open_readonly(path, ro);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(*again->count(), 6u);
    ro.require_signature = id_of(2);
    EXPECT_EQ(RvfStore::open_readonly(path, ro).status(), Status::UnknownSigner);
}

TEST(MlDsaSigning, SlhDsaIsRefusedByName) {
    StoreOptions o = ml_options(1);
    o.signing_algorithm = crypto::SignatureAlgo::SlhDsa128s;
    auto s = RvfStore::create_in_memory(o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status(), Status::InvalidOptions);
    EXPECT_NE(s.error().message.find("slh-dsa-128s"), std::string::npos) << s.error().message;
}

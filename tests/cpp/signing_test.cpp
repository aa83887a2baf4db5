// Ed25519 segment signatures end to end (spec §6.10, docs/signing.md): a store with a signing
// key signs every segment it commits and every manifest root; verify() names each segment's
// signer, or the segment whose signature fails; require_signature refuses what is not signed
// by the required key. Deterministic: fixed seeds and rows.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/commit_record.hpp>
#include <rvf/core/format/manifest_l0.hpp>
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
        s[i] = static_cast<uint8_t>(fill + 7 * i);
    return s;
}
crypto::KeyId id_of(uint8_t fill) { return crypto::key_id_of(crypto::ed25519_keypair_from_seed(seed_of(fill)).public_key); }

StoreOptions signed_options(std::optional<crypto::Ed25519Seed> key) {
    StoreOptions o;
    o.dimension = 4;
    o.signing_key = key;
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

/// A signed in-memory store after three commits (create, two ingests, one delete).
std::vector<uint8_t> signed_image(uint8_t key = 1) {
    auto s = RvfStore::create_in_memory(signed_options(seed_of(key)));
    EXPECT_TRUE(s.ok());
    ingest(*s, 1, 10);
    ingest(*s, 100, 5);
    const uint64_t gone[] = {3};
    EXPECT_TRUE(s->remove(gone).ok());
    return s->to_bytes();
}


} // namespace

TEST(Signing, RoundTripEverySegmentSignedByTheKey) {
    const auto img = signed_image();
    const VerifyReport rep = verify_bytes(img);
    ASSERT_TRUE(rep.ok) << dump(rep);
    ASSERT_EQ(rep.signing_keys.size(), 1u);
    EXPECT_EQ(rep.signing_keys[0], id_of(1));
    size_t manifests = 0, data = 0;
    for (const SegmentSignature &s : rep.signatures) {
        EXPECT_NE(s.seg_type, core::kCommitSegType) << "a signing store checkpoints every commit";
        EXPECT_EQ(s.state, SignatureState::Valid) << "segment " << s.segment_id << ": " << s.what;
        ASSERT_TRUE(s.key_id.has_value());
        EXPECT_EQ(*s.key_id, id_of(1));
        (s.seg_type == static_cast<uint8_t>(core::SegType::Manifest) ? manifests : data) += 1;
    }
    EXPECT_EQ(manifests, 4u); // create + two ingests + one delete
    EXPECT_GE(data, 8u);      // CRYPTO, VEC ×2, JOURNAL, WITNESS ×4
    EXPECT_TRUE(require_signature(rep, id_of(1)).ok());
    // The SIGNED flag and the footer are on disk, and the footer is outside payload and hash.
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    EXPECT_TRUE(vec.header.flags & core::SegFlag::Signed);
    EXPECT_GE(vec.header.alignment_pad, 72u);
    EXPECT_EQ((vec.offset + 64 + vec.header.payload_length + vec.header.alignment_pad) % 64, 0u);
}

TEST(Signing, ReadersThatDoNotVerifyStillReadSignedFiles) {
    const auto img = signed_image();
    auto s = RvfStore::from_bytes(img);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
    EXPECT_EQ(*s->count(), 14u);
    auto hits = s->query(std::vector<float>{400, 401, 402, 403}, 1);
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].id, 100u);
    const FileReport fr = inspect_file(core::ByteView(img.data(), img.size()));
    EXPECT_TRUE(fr.problems.empty()) << fr.problems.front().what;
}

TEST(Signing, ForeignKeyIsReportedAsUnknownSigner) {
    const auto img = signed_image(/*key=*/2);
    const VerifyReport rep = verify_bytes(img);
    ASSERT_TRUE(rep.ok) << dump(rep); // self-consistent: signed by the key it carries
    auto r = require_signature(rep, id_of(1));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status(), Status::UnknownSigner);
    EXPECT_NE(r.error().message.find("segment 1 (crypto)"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(crypto::key_id_hex(id_of(2))), std::string::npos) << r.error().message;
}

TEST(Signing, FlippedBitInSignedSegmentIsReportedNamingIt) {
    auto img = signed_image();
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    img[vec.offset + 64 + vec.header.payload_length / 2] ^= 0x04;
    const VerifyReport rep = verify_bytes(img);
    EXPECT_FALSE(rep.ok);
    const std::string name = "segment " + std::to_string(vec.header.segment_id) + " (vec)";
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, name)) << dump(rep);
    EXPECT_EQ(require_signature(rep, id_of(1)).status(), Status::InvalidSignature);
}

TEST(Signing, RehashedPayloadWithoutMatchingSignatureIsReported) {
    auto img = signed_image();
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    uint8_t *payload = img.data() + vec.offset + 64;
    payload[8] ^= 0x01;
    uint8_t hash[16];
    ASSERT_EQ(content_hash(Layout::S, vec.header.checksum_algo,
                           core::ByteView(payload, static_cast<size_t>(vec.header.payload_length)), hash),
              Status::Ok);
    std::memcpy(img.data() + vec.offset + 0x28, hash, 16); // a valid content hash again
    const VerifyReport rep = verify_bytes(img);
    EXPECT_FALSE(has_problem(rep, Status::InvalidChecksum, "content hash mismatch")) << dump(rep);
    const std::string name = "segment " + std::to_string(vec.header.segment_id) + " (vec)";
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, name)) << dump(rep);
    bool found = false;
    for (const SegmentSignature &s : rep.signatures)
        if (s.segment_id == vec.header.segment_id) {
            EXPECT_EQ(s.state, SignatureState::Invalid);
            found = true;
        }
    EXPECT_TRUE(found);
}

TEST(Signing, DroppedSignatureOnSignedSegmentIsReported) {
    auto img = signed_image();
    const SegmentRecord vec = first_of(img, core::SegType::Vec);
    const uint64_t footer = vec.offset + 64 + vec.header.payload_length;
    std::memset(img.data() + footer, 0, 72); // the footer gone, the SIGNED flag still set
    const VerifyReport rep = verify_bytes(img);
    EXPECT_FALSE(rep.ok);
    const std::string name = "segment " + std::to_string(vec.header.segment_id) + " (vec)";
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, name)) << dump(rep);
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature, "no valid signature footer")) << dump(rep);
}

TEST(Signing, TamperedManifestRootSignatureIsReported) {
    auto img = signed_image();
    const FileReport fr = inspect_file(core::ByteView(img.data(), img.size()));
    ASSERT_TRUE(fr.manifest.has_value());
    const uint64_t m = fr.manifest->offset;
    SegmentRecord mr;
    for (const SegmentRecord &r : fr.segments)
        if (r.offset == m)
            mr = r;
    // Change one signature byte and repair the root CRC and the content hash, as a forger would.
    uint8_t *payload = img.data() + m + 64;
    const size_t root = static_cast<size_t>(mr.header.payload_length) - core::kRootManifestSize;
    payload[root + core::l0_off::signature + 5] ^= 0x20;
    core::store_u32_le(payload + root + core::l0_off::root_checksum, core::manifest_l0_checksum(payload + root));
    uint8_t hash[16];
    ASSERT_EQ(content_hash(Layout::S, mr.header.checksum_algo,
                           core::ByteView(payload, static_cast<size_t>(mr.header.payload_length)), hash),
              Status::Ok);
    std::memcpy(img.data() + m + 0x28, hash, 16);
    const VerifyReport rep = verify_bytes(img);
    EXPECT_TRUE(has_problem(rep, Status::InvalidSignature,
                            "segment " + std::to_string(mr.header.segment_id) + " (manifest)"))
        << dump(rep);
}

TEST(Signing, UnsignedStoreIsUnsignedAndRefusedByPolicy) {
    auto s = RvfStore::create_in_memory(signed_options(std::nullopt));
    ASSERT_TRUE(s.ok());
    ingest(*s, 1, 3);
    const VerifyReport rep = verify_bytes(s->to_bytes());
    ASSERT_TRUE(rep.ok) << dump(rep);
    EXPECT_TRUE(rep.signing_keys.empty());
    for (const SegmentSignature &sig : rep.signatures)
        EXPECT_EQ(sig.state, SignatureState::Unsigned);
    EXPECT_EQ(require_signature(rep, id_of(1)).status(), Status::UnsignedManifest);
}

TEST(Signing, OpenPolicyRequireSignature) {
    test::TempDir dir;
    const std::string signed_path = dir.file("signed.rvf"), plain_path = dir.file("plain.rvf");
    {
        auto s = RvfStore::create(signed_path, signed_options(seed_of(1)));
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        ingest(*s, 1, 4);
    }
    {
        auto s = RvfStore::create(plain_path, signed_options(std::nullopt));
        ASSERT_TRUE(s.ok());
        ingest(*s, 1, 4);
    }
    OpenOptions want1;
    want1.require_signature = id_of(1);
    OpenOptions want2;
    want2.require_signature = id_of(2);
    EXPECT_TRUE(RvfStore::open_readonly(signed_path, want1).ok());
    auto foreign = RvfStore::open_readonly(signed_path, want2);
    ASSERT_FALSE(foreign.ok());
    EXPECT_EQ(foreign.status(), Status::UnknownSigner);
    EXPECT_EQ(RvfStore::open_readonly(plain_path, want1).status(), Status::UnsignedManifest);
    EXPECT_EQ(RvfStore::open(plain_path, want1).status(), Status::UnsignedManifest);

    // Reopen with the key: later commits are signed too, and the file still passes the policy.
    OpenOptions writer = want1;
    writer.signing_key = seed_of(1);
    {
        auto s = RvfStore::open(signed_path, writer);
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        ingest(*s, 50, 2);
        ASSERT_TRUE(s->close().ok());
    }
    const VerifyReport rep = verify_file(signed_path);
    ASSERT_TRUE(rep.ok) << dump(rep);
    EXPECT_TRUE(require_signature(rep, id_of(1)).ok());
    auto again = RvfStore::open_readonly(signed_path, want1);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(*again->count(), 6u);

    // A writer without the key appends unsigned segments: the policy then refuses the file.
    {
        auto s = RvfStore::open(signed_path);
        ASSERT_TRUE(s.ok());
        ingest(*s, 70, 1);
    }
    auto mixed = RvfStore::open_readonly(signed_path, want1);
    EXPECT_EQ(mixed.status(), Status::UnsignedManifest);
    OpenOptions bad;
    bad.signing_key = seed_of(1);
    EXPECT_EQ(RvfStore::open_readonly(signed_path, bad).status(), Status::InvalidOptions);
}

TEST(Signing, CompactionKeepsTheFileReadableAndLaterCommitsVerifiable) {
    auto s = RvfStore::create_in_memory(signed_options(seed_of(1)));
    ASSERT_TRUE(s.ok());
    ingest(*s, 1, 20);
    const uint64_t gone[] = {1, 2, 3, 4, 5};
    ASSERT_TRUE(s->remove(gone).ok());
    auto c = s->compact();
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    // The rewrite itself is signed: the compacted file passes the policy before any commit.
    const VerifyReport compacted = verify_bytes(s->to_bytes());
    ASSERT_TRUE(compacted.ok) << dump(compacted);
    EXPECT_TRUE(require_signature(compacted, id_of(1)).ok());
    for (const SegmentSignature &sig : compacted.signatures)
        EXPECT_EQ(sig.state, SignatureState::Valid) << "segment " << sig.segment_id << ": " << sig.what;
    ingest(*s, 500, 3);
    const VerifyReport rep = verify_bytes(s->to_bytes());
    // What the store commits after it is signed under the same key.
    ASSERT_TRUE(rep.ok) << dump(rep);
    EXPECT_TRUE(require_signature(rep, id_of(1)).ok());
    ASSERT_EQ(rep.signing_keys.size(), 1u);
    EXPECT_EQ(rep.signing_keys[0], id_of(1));
    size_t valid = 0;
    for (const SegmentSignature &sig : rep.signatures)
        valid += sig.state == SignatureState::Valid;
    EXPECT_GE(valid, 4u); // CRYPTO, VEC, WITNESS, manifest of the last commit
    auto reopened = RvfStore::from_bytes(s->to_bytes());
    ASSERT_TRUE(reopened.ok());
    EXPECT_EQ(*reopened->count(), 18u);
}

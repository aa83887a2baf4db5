// The audit trail (issue 19): append_witness commits an action of the caller's own (type +
// payload) to the witness chain durably; witness_entries reads the chain back with each appended
// entry's payload and its hash links; verify() checks appended entries like any commit (a flipped
// bit in the payload or the entry is reported); compaction carries them; a torn append is
// recovered like any torn commit.
#include <gtest/gtest.h>

#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>
#include <vector>

#include <rvf/byte_source.hpp>
#include <rvf/core/format/audit_record.hpp>
#include <rvf/file_report.hpp>
#include <rvf/store.hpp>

#include "support/temp_dir.hpp"

using namespace rvf;

namespace {

std::vector<uint8_t> slurp(const std::string &path) { return *read_file_bytes(path); }

void spit(const std::string &path, const std::vector<uint8_t> &data) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    ::close(fd);
}

std::vector<uint8_t> bytes_of(const std::string &s) { return {s.begin(), s.end()}; }

std::string text_of(const std::optional<std::vector<uint8_t>> &p) {
    return p ? std::string(p->begin(), p->end()) : std::string("<none>");
}

StoreOptions opts() {
    StoreOptions o;
    o.dimension = 4;
    o.index = IndexMode::Off;
    return o;
}

Result<IngestResult> insert(RvfStore &s, uint64_t id) {
    const float v[4] = {static_cast<float>(id), 0, 1, 0};
    return s.ingest_batch({&id, 1}, v);
}

/// Every caller entry's payload, in chain order.
std::vector<std::string> payloads(const RvfStore &s) {
    auto all = s.witness_entries(0, 1000);
    EXPECT_TRUE(all);
    std::vector<std::string> out;
    for (const WitnessRecord &r : *all)
        if (r.payload)
            out.push_back(text_of(r.payload));
    return out;
}

} // namespace

TEST(WitnessAppend, AppendsAreDurableLinkedAndReadBack) {
    test::TempDir dir;
    const std::string path = dir.file("w.rvf");
    {
        auto s = RvfStore::create(path, opts());
        ASSERT_TRUE(s);
        ASSERT_TRUE(insert(*s, 1));
        const uint64_t before = s->witness_count();
        auto a = s->append_witness(kWitnessAudit, bytes_of("store key=alpha"));
        ASSERT_TRUE(a) << a.error().to_string();
        EXPECT_EQ(a->index, before);
        EXPECT_EQ(a->witness_type, kWitnessAudit);
        EXPECT_EQ(text_of(a->payload), "store key=alpha");
        auto b = s->append_witness(kWitnessAttestation, {});
        ASSERT_TRUE(b);
        EXPECT_EQ(b->prev_hash, a->hash) << "each entry links to the one before";
        ASSERT_TRUE(insert(*s, 2));
        EXPECT_EQ(s->witness_count(), before + 3);
        EXPECT_EQ(s->status().total_vectors, 2u);
        // Nothing is closed: what a kill -9 here leaves must hold both appends.
        spit(dir.file("crashed.rvf"), slurp(path));
    }
    for (const std::string name : {"w.rvf", "crashed.rvf"}) {
        auto s = RvfStore::open_readonly(dir.file(name));
        ASSERT_TRUE(s) << name << ": " << s.error().to_string();
        auto all = s->witness_entries(0, 1000);
        ASSERT_TRUE(all);
        ASSERT_GE(all->size(), 5u); // create, ingest, audit, attestation, ingest (+ close's nothing)
        for (size_t i = 1; i < all->size(); ++i)
            EXPECT_EQ((*all)[i].prev_hash, (*all)[i - 1].hash) << name << " link " << i;
        EXPECT_EQ(payloads(*s), (std::vector<std::string>{"store key=alpha", ""})) << name;
        size_t caller = 0;
        for (const WitnessRecord &r : *all) {
            EXPECT_EQ(r.payload.has_value(), r.witness_type >= kWitnessDelegation) << name;
            caller += r.payload.has_value();
            EXPECT_GT(r.timestamp_ns, 0u);
        }
        EXPECT_EQ(caller, 2u);
        // Paging: from/limit select a window of the same entries.
        auto page = s->witness_entries(2, 2);
        ASSERT_TRUE(page);
        ASSERT_EQ(page->size(), 2u);
        EXPECT_EQ((*page)[0].hash, (*all)[2].hash);
        EXPECT_EQ((*page)[0].index, 2u);
        EXPECT_TRUE(s->witness_entries(all->size(), 10)->empty());
        const VerifyReport v = s->verify();
        EXPECT_TRUE(v.ok) << (v.problems.empty() ? "" : v.problems.front().what);
    }
}

TEST(WitnessAppend, RefusalsNameTheLimit) {
    auto s = RvfStore::create_in_memory(opts());
    ASSERT_TRUE(s);
    std::vector<uint8_t> big(kMaxWitnessPayload + 1, 'x');
    auto r = s->append_witness(kWitnessAudit, big);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status(), Status::SegmentTooLarge);
    EXPECT_NE(r.error().message.find("65536"), std::string::npos) << r.error().message;
    big.pop_back();
    EXPECT_TRUE(s->append_witness(kWitnessAudit, big)) << "exactly the limit is accepted";
    for (uint8_t t : {0, 1, 2, 6, 9, 255}) {
        auto bad = s->append_witness(t, bytes_of("x"));
        ASSERT_FALSE(bad) << int(t);
        EXPECT_EQ(bad.status(), Status::InvalidArgument);
        EXPECT_NE(bad.error().message.find("4 (audit)"), std::string::npos);
    }
    StoreOptions off = opts();
    off.witness = false;
    auto nw = RvfStore::create_in_memory(off);
    ASSERT_TRUE(nw);
    auto e = nw->append_witness(kWitnessAudit, bytes_of("x"));
    ASSERT_FALSE(e);
    EXPECT_EQ(e.status(), Status::InvalidOptions);
    EXPECT_NE(e.error().message.find("witness = false"), std::string::npos);
}

TEST(WitnessAppend, ReadOnlyHandlesRefuseAppends) {
    test::TempDir dir;
    const std::string path = dir.file("ro.rvf");
    ASSERT_TRUE(RvfStore::create(path, opts()));
    auto ro = RvfStore::open_readonly(path);
    ASSERT_TRUE(ro);
    auto r = ro->append_witness(kWitnessAudit, bytes_of("x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.status(), Status::ReadOnly);
}

// A flipped bit in an appended entry — its payload, or the 73-byte entry — is reported.
TEST(WitnessAppend, AFlippedBitInAnAppendedEntryIsReported) {
    test::TempDir dir;
    const std::string path = dir.file("f.rvf");
    {
        auto s = RvfStore::create(path, opts());
        ASSERT_TRUE(s);
        ASSERT_TRUE(s->append_witness(kWitnessAudit, bytes_of("delete key=beta")));
        ASSERT_TRUE(insert(*s, 1));
        ASSERT_TRUE(s->close());
    }
    const std::vector<uint8_t> good = slurp(path);
    ASSERT_TRUE(verify_bytes({good.data(), good.size()}).ok);
    const FileReport rep = inspect_file({good.data(), good.size()});
    uint64_t audit = 0, witness = 0;
    for (const SegmentRecord &r : rep.segments) {
        if (r.header.seg_type == core::kAuditSegType)
            audit = r.offset;
        if (audit && !witness && r.header.seg_type == static_cast<uint8_t>(core::SegType::Witness))
            witness = r.offset;
    }
    ASSERT_NE(audit, 0u);
    ASSERT_NE(witness, 0u);
    const size_t payload_byte = audit + core::kSegmentHeaderSize + core::kAuditFixedSize + 3; // inside "delete"
    const size_t entry_byte = witness + core::kSegmentHeaderSize + 0x40;                     // its timestamp
    for (size_t at : {payload_byte, entry_byte}) {
        std::vector<uint8_t> bad = good;
        bad[at] ^= 0x10;
        const VerifyReport v = verify_bytes({bad.data(), bad.size()});
        EXPECT_FALSE(v.ok) << "flip at " << at;
        ASSERT_FALSE(v.problems.empty());
    }
}

// Compaction rewrites the file: the chain history and every appended payload come along, the
// chain still verifies, and later appends continue it.
TEST(WitnessAppend, CompactionCarriesTheTrail) {
    test::TempDir dir;
    const std::string path = dir.file("c.rvf");
    auto s = RvfStore::create(path, opts());
    ASSERT_TRUE(s);
    for (uint64_t id = 1; id <= 5; ++id)
        ASSERT_TRUE(insert(*s, id));
    ASSERT_TRUE(s->append_witness(kWitnessAudit, bytes_of("one")));
    const uint64_t gone[] = {2, 3};
    ASSERT_TRUE(s->remove(gone));
    ASSERT_TRUE(s->append_witness(kWitnessDelegation, bytes_of("two")));
    const uint64_t before = s->witness_count();
    auto c = s->compact();
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_EQ(s->witness_count(), before + 1) << "the rewrite's own entry follows the history";
    EXPECT_EQ(payloads(*s), (std::vector<std::string>{"one", "two"}));
    ASSERT_TRUE(s->append_witness(kWitnessAudit, bytes_of("three")));
    EXPECT_TRUE(s->verify().ok);
    ASSERT_TRUE(s->close());
    auto r = RvfStore::open_readonly(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(payloads(*r), (std::vector<std::string>{"one", "two", "three"}));
    auto all = r->witness_entries(0, 1000);
    for (size_t i = 1; i < all->size(); ++i)
        EXPECT_EQ((*all)[i].prev_hash, (*all)[i - 1].hash) << "link " << i;
    const VerifyReport v = r->verify();
    EXPECT_TRUE(v.ok) << (v.problems.empty() ? "" : v.problems.front().what);
    // The O(1) read-only open (no payload hashed at open) reads the same trail.
    auto st = RvfStore::open_readonly(path, OpenOptions{.verify = OpenVerify::Structural});
    ASSERT_TRUE(st) << st.error().to_string();
    EXPECT_EQ(payloads(*st), (std::vector<std::string>{"one", "two", "three"}));
}

// Mirrors CommitChain.EveryCutInsideTheNewestCommitIsATornTail: an append cut anywhere is a torn
// tail — verify calls it uncommitted, a writer drops it and the trail is the one before.
TEST(WitnessAppend, ATornAppendIsRecoveredLikeAnyTornCommit) {
    test::TempDir dir;
    const std::string path = dir.file("t.rvf");
    std::vector<uint8_t> before, after;
    {
        auto s = RvfStore::create(path, opts());
        ASSERT_TRUE(s);
        ASSERT_TRUE(insert(*s, 1));
        ASSERT_TRUE(s->append_witness(kWitnessAudit, bytes_of("kept")));
        before = slurp(path);
        ASSERT_TRUE(s->append_witness(kWitnessAudit, bytes_of("torn away")));
        after = slurp(path);
    }
    ASSERT_GT(after.size(), before.size());
    size_t cuts = 0;
    for (size_t cut = before.size() + 1; cut < after.size(); ++cut) {
        if (cut % 5 != 0 && cut % 64 > 1 && cut % 64 < 63)
            continue;
        ++cuts;
        std::vector<uint8_t> torn(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(cut));
        const VerifyReport v = verify_bytes({torn.data(), torn.size()});
        EXPECT_TRUE(v.ok) << "cut " << cut << ": " << (v.problems.empty() ? "" : v.problems.front().what);
        spit(path, torn);
        {
            auto w = RvfStore::open(path);
            ASSERT_TRUE(w) << "cut " << cut << ": " << w.error().to_string();
            EXPECT_EQ(payloads(*w), std::vector<std::string>{"kept"}) << "cut " << cut;
        }
        const std::vector<uint8_t> now = slurp(path);
        ASSERT_GE(now.size(), before.size());
        EXPECT_TRUE(std::equal(before.begin(), before.end(), now.begin())) << "cut " << cut;
    }
    EXPECT_GT(cuts, 10u);
    // The whole append, once it is all there, is adopted.
    spit(path, after);
    auto w = RvfStore::open_readonly(path);
    ASSERT_TRUE(w);
    EXPECT_EQ(payloads(*w), (std::vector<std::string>{"kept", "torn away"}));
}

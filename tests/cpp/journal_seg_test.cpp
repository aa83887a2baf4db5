// Layout S JOURNAL_SEG (spec §6.8): header offsets, all five entry types with 8-byte aligned
// entries, iteration, strict rejection of malformed entries, every truncation rejected.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <rvf/core/format/journal_seg.hpp>

using namespace rvf::core;

namespace {
const uint8_t kKey[] = {'t', 'a', 'g'};
const uint8_t kVal[] = {'v', 'a', 'l', 'u', 'e', '!', '!'};

std::vector<JournalEntry> all_types() {
    std::vector<JournalEntry> e(6);
    e[0].type = JournalEntryType::DeleteVector;
    e[0].a = 42;
    e[1].type = JournalEntryType::DeleteRange;
    e[1].a = 1000;
    e[1].b = 2000;
    e[2].type = JournalEntryType::RemapId;
    e[2].a = 500;
    e[2].b = 3;
    e[3].type = JournalEntryType::UpdateMetadata;
    e[3].a = 7;
    e[3].key = ByteView(kKey, sizeof kKey);
    e[3].value = ByteView(kVal, sizeof kVal);
    e[4].type = JournalEntryType::MoveVector;
    e[4].a = 9;
    e[4].b = 11;
    e[4].c = 12;
    e[5].type = JournalEntryType::UpdateMetadata; // empty key and value
    e[5].a = 8;
    return e;
}
std::vector<uint8_t> encode(const JournalHeader &h, const std::vector<JournalEntry> &e) {
    ByteWriter c;
    EXPECT_EQ(encode_journal_seg(c, h, e.data(), e.size()), Status::Ok);
    std::vector<uint8_t> out(c.pos(), 0xCC);
    ByteWriter w(MutByteView(out.data(), out.size()));
    EXPECT_EQ(encode_journal_seg(w, h, e.data(), e.size()), Status::Ok);
    EXPECT_EQ(w.pos(), out.size());
    return out;
}
JournalHeader hdr() {
    JournalHeader h;
    h.journal_epoch = 7;
    h.prev_journal_seg_id = 12;
    return h;
}
Status parse(const std::vector<uint8_t> &b, JournalSegView &v) {
    return JournalSegView::parse(ByteView(b.data(), b.size()), v);
}
} // namespace

TEST(JournalSeg, SpecExampleWithAlignedEntries) {
    // Spec 07 §3.5: delete 42, delete [1000, 2000), remap 500 → 3 (payload offsets; the spec
    // shows file offsets, +0x40 for the segment header).
    auto e = all_types();
    e.resize(3);
    const auto p = encode(hdr(), e);
    EXPECT_EQ(load_u32_le(&p[0x00]), 3u);
    EXPECT_EQ(load_u32_le(&p[0x04]), 7u);
    EXPECT_EQ(load_u64_le(&p[0x08]), 12u);
    EXPECT_EQ(load_u32_le(&p[0x10]), 0u);
    for (size_t i = 0x14; i < 0x40; ++i)
        EXPECT_EQ(p[i], 0);
    // Entry 0 at 0x40: 01 00 0008, id 42, 4 zero bytes of padding.
    EXPECT_EQ(p[0x40], 0x01);
    EXPECT_EQ(p[0x41], 0x00);
    EXPECT_EQ(load_u16_le(&p[0x42]), 8u);
    EXPECT_EQ(load_u64_le(&p[0x44]), 42u);
    EXPECT_EQ(load_u32_le(&p[0x4C]), 0u);
    // Entry 1 at 0x50: 02 00 0010, 1000, 2000, then 4 bytes of padding (20 → 24).
    EXPECT_EQ(p[0x50], 0x02);
    EXPECT_EQ(load_u16_le(&p[0x52]), 16u);
    EXPECT_EQ(load_u64_le(&p[0x54]), 1000u);
    EXPECT_EQ(load_u64_le(&p[0x5C]), 2000u);
    EXPECT_EQ(load_u32_le(&p[0x64]), 0u);
    // Entry 2 at 0x68 (the spec example, which skips that padding, puts it at 0x64).
    EXPECT_EQ(p[0x68], 0x05);
    EXPECT_EQ(load_u16_le(&p[0x6A]), 16u);
    EXPECT_EQ(load_u64_le(&p[0x6C]), 500u);
    EXPECT_EQ(load_u64_le(&p[0x74]), 3u);
    EXPECT_EQ(p.size(), 0x80u);
}

TEST(JournalSeg, AllTypesRoundTrip) {
    const auto in = all_types();
    const auto p = encode(hdr(), in);
    JournalSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    EXPECT_EQ(v.header.entry_count, in.size());
    EXPECT_EQ(v.header.journal_epoch, 7u);
    EXPECT_EQ(v.header.prev_journal_seg_id, 12u);
    JournalCursor c = v.cursor();
    JournalEntry e;
    size_t i = 0;
    while (c.next(e)) {
        ASSERT_LT(i, in.size());
        EXPECT_EQ(e.type, in[i].type);
        EXPECT_EQ(e.a, in[i].a);
        EXPECT_EQ(e.b, in[i].b);
        EXPECT_EQ(e.c, in[i].c);
        ASSERT_EQ(e.key.size, in[i].key.size);
        ASSERT_EQ(e.value.size, in[i].value.size);
        if (e.key.size) {
            EXPECT_EQ(0, std::memcmp(e.key.data, in[i].key.data, e.key.size));
        }
        if (e.value.size) {
            EXPECT_EQ(0, std::memcmp(e.value.data, in[i].value.data, e.value.size));
        }
        ++i;
    }
    EXPECT_EQ(i, in.size());
    // Accessor names read the right fields.
    JournalCursor c2 = v.cursor();
    c2.next(e);
    EXPECT_EQ(e.vector_id(), 42u);
    c2.next(e);
    EXPECT_EQ(e.range_start(), 1000u);
    EXPECT_EQ(e.range_end(), 2000u);
    c2.next(e);
    EXPECT_EQ(e.old_id(), 500u);
    EXPECT_EQ(e.new_id(), 3u);
    c2.next(e);
    c2.next(e);
    EXPECT_EQ(e.src_seg(), 11u);
    EXPECT_EQ(e.dst_seg(), 12u);
    // UPDATE_METADATA: 8 + 2 + 3 + 2 + 7 = 22 payload bytes.
    EXPECT_EQ(journal_entry_payload_size(in[3]), 22u);
}

TEST(JournalSeg, EmptyJournal) {
    const auto p = encode(hdr(), {});
    EXPECT_EQ(p.size(), 64u);
    JournalSegView v;
    ASSERT_EQ(parse(p, v), Status::Ok);
    JournalEntry e;
    EXPECT_FALSE(v.cursor().next(e));
}

TEST(JournalSeg, EveryTruncationRejected) {
    const auto p = encode(hdr(), all_types());
    JournalSegView v;
    for (size_t n = 0; n < p.size(); ++n)
        EXPECT_NE(JournalSegView::parse(ByteView(p.data(), n), v), Status::Ok) << n;
}

TEST(JournalSeg, StrictChecks) {
    auto e = all_types();
    e.resize(3);
    const auto good = encode(hdr(), e);
    JournalSegView v;
    ASSERT_EQ(parse(good, v), Status::Ok);
    auto q = good;
    store_u32_le(&q[0x10], 1); // flags
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x30] = 1; // header reserved
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x41] = 1; // entry reserved byte
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x40] = 0x06; // unknown type
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x40] = 0x00;
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    q[0x4D] = 1; // entry padding
    EXPECT_EQ(parse(q, v), Status::AlignmentError);
    q = good;
    store_u64_le(&q[0x5C], 1000); // DELETE_RANGE with start == end
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u16_le(&q[0x42], 4); // DELETE_VECTOR with the wrong length (4 + 4 = 8: still aligned)
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[0], 2); // fewer entries declared than present → trailing bytes
    EXPECT_EQ(parse(q, v), Status::InvalidManifest);
    q = good;
    store_u32_le(&q[0], 4); // more declared than present
    EXPECT_EQ(parse(q, v), Status::TruncatedSegment);
    q = good;
    store_u32_le(&q[0], 0xFFFFFFFF);
    EXPECT_EQ(parse(q, v), Status::TruncatedSegment);

    // UPDATE_METADATA whose inner lengths disagree with entry_length.
    std::vector<JournalEntry> um(1, all_types()[3]);
    auto p = encode(hdr(), um);
    ASSERT_EQ(parse(p, v), Status::Ok);
    store_u16_le(&p[0x40 + 4 + 8], 4); // key_len 3 → 4
    EXPECT_EQ(parse(p, v), Status::InvalidManifest);
}

TEST(JournalSeg, EncoderRejectsBadInput) {
    ByteWriter c;
    JournalHeader h = hdr();
    h.flags = 1;
    EXPECT_EQ(encode_journal_seg(c, h, nullptr, 0), Status::InvalidArgument);
    std::vector<JournalEntry> e(1);
    e[0].type = JournalEntryType::DeleteRange;
    e[0].a = 5;
    e[0].b = 5;
    EXPECT_EQ(encode_journal_seg(c, hdr(), e.data(), 1), Status::InvalidArgument);
    e[0].type = static_cast<JournalEntryType>(9);
    EXPECT_EQ(encode_journal_seg(c, hdr(), e.data(), 1), Status::InvalidArgument);
    std::vector<uint8_t> big(70000);
    e[0].type = JournalEntryType::UpdateMetadata;
    e[0].value = ByteView(big.data(), big.size());
    EXPECT_EQ(encode_journal_seg(c, hdr(), e.data(), 1), Status::InvalidArgument);
}

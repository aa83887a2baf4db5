// Layout S Level-0 root (spec §4.2): every field at its code offset, round trip, CRC32C checked
// against an independent bitwise implementation, strict zero areas, single-bit-flip detection.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include <rvf/core/format/manifest_l0.hpp>

using namespace rvf::core;

namespace {

// Independent CRC-32C (reflected 0x82F63B78), one bit at a time: shares no code with the core.
uint32_t bitwise_crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k)
            c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : (c >> 1);
    }
    return c ^ 0xFFFFFFFFu;
}

void fill(uint8_t *p, size_t n, uint8_t base) {
    for (size_t i = 0; i < n; ++i)
        p[i] = static_cast<uint8_t>(base + i);
}

ManifestL0 sample() {
    ManifestL0 m;
    m.flags = 0x0004;
    m.l1_manifest_offset = 0x0102030405060708ull;
    m.l1_manifest_length = 0x1112131415161718ull;
    m.total_vector_count = 0x2122232425262728ull;
    m.dimension = 384;
    m.base_dtype = 1;
    m.profile_id = 2;
    m.epoch = 0x31323334;
    m.created_ns = 0x4142434445464748ull;
    m.modified_ns = 0x5152535455565758ull;
    m.entrypoint = {0x6162636465666768ull, 0x01010101, 0x02020202};
    m.toplayer = {0x7172737475767778ull, 0x03030303, 0x04040404};
    m.centroid = {0x8182838485868788ull, 0x05050505, 0x06060606};
    m.quantdict = {0x9192939495969798ull, 0x07070707, 0x08080808};
    m.hot_cache = {0xA1A2A3A4A5A6A7A8ull, 0x09090909, 0x0A0A0A0A};
    m.prefetch_map = {0xB1B2B3B4B5B6B7B8ull, 0x0B0B0B0B};
    m.sig_algo = 1;
    m.sig_length = 100;
    fill(m.signature, 100, 0x10);
    fill(m.file_id, 16, 0x20);
    fill(m.parent_id, 16, 0x30);
    fill(m.parent_hash, 32, 0x40);
    m.lineage_depth = 0xC1C2C3C4;
    m.cow_map_offset = 0xD1D2D3D4D5D6D7D8ull;
    m.cow_map_generation = 0xE1E2E3E4;
    m.membership_offset = 0xF1F2F3F4F5F6F7F8ull;
    m.membership_generation = 0x12345678;
    m.snapshot_epoch = 0x23456789;
    m.double_root_generation = 0x3456789A;
    fill(m.double_root_hash, 32, 0x60);
    return m;
}

std::vector<uint8_t> encode(const ManifestL0 &m) {
    std::vector<uint8_t> b(kRootManifestSize, 0xEE); // junk shows any byte the encoder skips
    EXPECT_EQ(encode_manifest_l0(m, MutByteView(b.data(), b.size())), Status::Ok);
    return b;
}

void reseal(std::vector<uint8_t> &b) { store_u32_le(b.data() + 0xFFC, bitwise_crc32c(b.data(), 0xFFC)); }

Status decode(const std::vector<uint8_t> &b) {
    ManifestL0 m;
    return decode_manifest_l0(ByteView(b.data(), b.size()), m);
}

} // namespace

TEST(ManifestL0, IndependentCrcHasCastagnoliCheckValue) {
    const char *s = "123456789";
    EXPECT_EQ(bitwise_crc32c(reinterpret_cast<const uint8_t *>(s), 9), 0xE3069283u);
}

TEST(ManifestL0, EncodesEveryFieldAtItsCodeOffset) {
    const auto b = encode(sample());
    const uint8_t *p = b.data();
    EXPECT_EQ(0, std::memcmp(p, "0MVR", 4)); // RVM0 stored little-endian
    EXPECT_EQ(load_u16_le(p + 0x004), 1);
    EXPECT_EQ(load_u16_le(p + 0x006), 0x0004);
    EXPECT_EQ(load_u64_le(p + 0x008), 0x0102030405060708ull);
    EXPECT_EQ(load_u64_le(p + 0x010), 0x1112131415161718ull);
    EXPECT_EQ(load_u64_le(p + 0x018), 0x2122232425262728ull);
    EXPECT_EQ(load_u16_le(p + 0x020), 384);
    EXPECT_EQ(p[0x022], 1);
    EXPECT_EQ(p[0x023], 2);
    EXPECT_EQ(load_u32_le(p + 0x024), 0x31323334u);
    EXPECT_EQ(load_u64_le(p + 0x028), 0x4142434445464748ull);
    EXPECT_EQ(load_u64_le(p + 0x030), 0x5152535455565758ull);
    const size_t hot[5] = {0x038, 0x048, 0x058, 0x068, 0x078};
    const uint64_t hot_off[5] = {0x6162636465666768ull, 0x7172737475767778ull, 0x8182838485868788ull,
                                 0x9192939495969798ull, 0xA1A2A3A4A5A6A7A8ull};
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(load_u64_le(p + hot[i]), hot_off[i]) << i;
        EXPECT_EQ(load_u32_le(p + hot[i] + 8), 0x01010101u * static_cast<uint32_t>(2 * i + 1)) << i;
        EXPECT_EQ(load_u32_le(p + hot[i] + 12), 0x01010101u * static_cast<uint32_t>(2 * i + 2)) << i;
    }
    EXPECT_EQ(load_u64_le(p + 0x088), 0xB1B2B3B4B5B6B7B8ull);
    EXPECT_EQ(load_u32_le(p + 0x090), 0x0B0B0B0Bu);
    EXPECT_EQ(load_u32_le(p + 0x094), 0u); // prefetch pad
    EXPECT_EQ(load_u16_le(p + 0x098), 1);  // sig_algo (code offset, not the spec's 0x094)
    EXPECT_EQ(load_u16_le(p + 0x09A), 100);
    EXPECT_EQ(p[0x09C], 0x10);
    EXPECT_EQ(p[0x09C + 99], static_cast<uint8_t>(0x10 + 99));
    for (size_t i = 0x09C + 100; i < 0xF00; ++i)
        ASSERT_EQ(p[i], 0) << i;
    EXPECT_EQ(p[0xF00], 0x20);
    EXPECT_EQ(p[0xF0F], 0x2F);
    EXPECT_EQ(p[0xF10], 0x30);
    EXPECT_EQ(p[0xF20], 0x40);
    EXPECT_EQ(p[0xF3F], 0x5F);
    EXPECT_EQ(load_u32_le(p + 0xF40), 0xC1C2C3C4u);
    EXPECT_EQ(load_u64_le(p + 0xF44), 0xD1D2D3D4D5D6D7D8ull);
    EXPECT_EQ(load_u32_le(p + 0xF4C), 0xE1E2E3E4u);
    EXPECT_EQ(load_u64_le(p + 0xF50), 0xF1F2F3F4F5F6F7F8ull);
    EXPECT_EQ(load_u32_le(p + 0xF58), 0x12345678u);
    EXPECT_EQ(load_u32_le(p + 0xF5C), 0x23456789u);
    EXPECT_EQ(load_u32_le(p + 0xF60), 0x3456789Au);
    EXPECT_EQ(p[0xF64], 0x60);
    EXPECT_EQ(p[0xF83], 0x7F);
    for (size_t i = 0xF84; i < 0xFFC; ++i)
        ASSERT_EQ(p[i], 0) << i;
    EXPECT_EQ(load_u32_le(p + 0xFFC), bitwise_crc32c(p, 0xFFC));
}

TEST(ManifestL0, RoundTripsEveryField) {
    const ManifestL0 in = sample();
    const auto b = encode(in);
    ManifestL0 out;
    ASSERT_EQ(decode_manifest_l0(ByteView(b.data(), b.size()), out), Status::Ok);
    EXPECT_EQ(out.l1_manifest_offset, in.l1_manifest_offset);
    EXPECT_EQ(out.l1_manifest_length, in.l1_manifest_length);
    EXPECT_EQ(out.total_vector_count, in.total_vector_count);
    EXPECT_EQ(out.dimension, in.dimension);
    EXPECT_EQ(out.base_dtype, in.base_dtype);
    EXPECT_EQ(out.profile_id, in.profile_id);
    EXPECT_EQ(out.epoch, in.epoch);
    EXPECT_EQ(out.created_ns, in.created_ns);
    EXPECT_EQ(out.modified_ns, in.modified_ns);
    EXPECT_EQ(out.quantdict.seg_offset, in.quantdict.seg_offset);
    EXPECT_EQ(out.hot_cache.count, in.hot_cache.count);
    EXPECT_EQ(out.prefetch_map.entries, in.prefetch_map.entries);
    EXPECT_EQ(out.sig_algo, in.sig_algo);
    EXPECT_EQ(out.sig_length, in.sig_length);
    EXPECT_EQ(0, std::memcmp(out.signature, in.signature, sizeof in.signature));
    EXPECT_EQ(0, std::memcmp(out.file_id, in.file_id, 16));
    EXPECT_EQ(0, std::memcmp(out.parent_hash, in.parent_hash, 32));
    EXPECT_EQ(out.cow_map_offset, in.cow_map_offset);
    EXPECT_EQ(out.double_root_generation, in.double_root_generation);
    EXPECT_EQ(0, std::memcmp(out.double_root_hash, in.double_root_hash, 32));
    EXPECT_EQ(out.root_checksum, load_u32_le(b.data() + 0xFFC));
    // Re-encoding the decoded root gives the same bytes.
    EXPECT_EQ(encode(out), b);
}

TEST(ManifestL0, MaximalSignatureRoundTrips) {
    ManifestL0 in;
    in.sig_length = static_cast<uint16_t>(kRootSignatureMax);
    fill(in.signature, kRootSignatureMax, 0x01);
    const auto b = encode(in);
    ManifestL0 out;
    ASSERT_EQ(decode_manifest_l0(ByteView(b.data(), b.size()), out), Status::Ok);
    EXPECT_EQ(0, std::memcmp(out.signature, in.signature, kRootSignatureMax));
}

TEST(ManifestL0, EncoderZeroesSignatureBytesPastSigLength) {
    ManifestL0 in;
    in.sig_length = 4;
    std::memset(in.signature, 0xAB, sizeof in.signature);
    const auto b = encode(in);
    EXPECT_EQ(b[0x09C + 3], 0xAB);
    EXPECT_EQ(b[0x09C + 4], 0);
    EXPECT_EQ(decode(b), Status::Ok);
}

TEST(ManifestL0, EncoderRefusesBadInput) {
    ManifestL0 m;
    std::vector<uint8_t> b(kRootManifestSize);
    m.sig_length = static_cast<uint16_t>(kRootSignatureMax + 1);
    EXPECT_EQ(encode_manifest_l0(m, MutByteView(b.data(), b.size())), Status::InvalidArgument);
    m.sig_length = 0;
    EXPECT_EQ(encode_manifest_l0(m, MutByteView(b.data(), b.size() - 1)), Status::InvalidArgument);
}

TEST(ManifestL0, ChecksInTheSpecifiedOrder) {
    auto b = encode(sample());
    // Wrong magic wins over a wrong checksum.
    b[0] ^= 1;
    EXPECT_EQ(decode(b), Status::InvalidManifest);
    b[0] ^= 1;
    b[0x100] ^= 1;
    EXPECT_EQ(decode(b), Status::InvalidChecksum);
    b[0x100] ^= 1;
    ASSERT_EQ(decode(b), Status::Ok);

    auto v = b;
    store_u16_le(v.data() + 0x004, 2);
    EXPECT_EQ(decode(v), Status::InvalidChecksum); // version is checked only under a valid CRC
    reseal(v);
    EXPECT_EQ(decode(v), Status::InvalidVersion);

    v = b;
    store_u16_le(v.data() + 0x09A, static_cast<uint16_t>(kRootSignatureMax + 1));
    reseal(v);
    EXPECT_EQ(decode(v), Status::InvalidManifest);
}

TEST(ManifestL0, StrictZeroAreas) {
    const auto b = encode(sample()); // sig_length 100
    const size_t must_be_zero[] = {0x094, 0x097, 0x09C + 100, 0xEFF, 0xF84, 0xFC0, 0xFFB};
    for (size_t at : must_be_zero) {
        auto v = b;
        v[at] = 1;
        reseal(v);
        EXPECT_EQ(decode(v), Status::InvalidManifest) << at;
    }
    // Bytes inside the signature (below sig_length) are free.
    auto v = b;
    v[0x09C + 99] ^= 0xFF;
    reseal(v);
    EXPECT_EQ(decode(v), Status::Ok);
}

TEST(ManifestL0, RejectsWrongSizes) {
    auto b = encode(sample());
    ManifestL0 m;
    EXPECT_EQ(decode_manifest_l0(ByteView(b.data(), 4095), m), Status::TruncatedSegment);
    EXPECT_EQ(decode_manifest_l0(ByteView(), m), Status::TruncatedSegment);
    b.push_back(0);
    EXPECT_EQ(decode_manifest_l0(ByteView(b.data(), b.size()), m), Status::InvalidArgument);
}

TEST(ManifestL0, EverySingleBitFlipIsDetected) {
    const auto b = encode(sample());
    auto v = b;
    for (size_t byte = 0; byte < kRootManifestSize; ++byte)
        for (int bit = 0; bit < 8; ++bit) {
            v[byte] ^= static_cast<uint8_t>(1u << bit);
            const Status s = decode(v);
            ASSERT_EQ(s, byte < 4 ? Status::InvalidManifest : Status::InvalidChecksum) << byte << ":" << bit;
            v[byte] ^= static_cast<uint8_t>(1u << bit);
        }
    EXPECT_EQ(v, b);
}

TEST(ManifestL0, PatchL1ResealsTheRoot) {
    auto b = encode(sample());
    patch_manifest_l0_l1(b.data(), 0x4040, 264);
    ManifestL0 m;
    ASSERT_EQ(decode_manifest_l0(ByteView(b.data(), b.size()), m), Status::Ok);
    EXPECT_EQ(m.l1_manifest_offset, 0x4040u);
    EXPECT_EQ(m.l1_manifest_length, 264u);
    EXPECT_EQ(m.epoch, 0x31323334u);
}

TEST(ManifestL0, OffsetsTableMatchesSpec) {
    static_assert(l0_off::sig_algo == 0x098 && l0_off::sig_length == 0x09A && l0_off::signature == 0x09C);
    static_assert(l0_off::file_id == 0xF00 && l0_off::double_root_hash == 0xF64 && l0_off::root_checksum == 0xFFC);
    EXPECT_TRUE(has_manifest_l0_magic(ByteView(reinterpret_cast<const uint8_t *>("0MVR"), 4)));
    EXPECT_FALSE(has_manifest_l0_magic(ByteView(reinterpret_cast<const uint8_t *>("RVM0"), 4)));
}

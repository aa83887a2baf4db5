// rvf/core/format/manifest_l0.hpp — Layout S Level-0 root manifest, exactly 4096 bytes (spec §4.2).
//
// The root is the last 4096 bytes of every Layout S MANIFEST_SEG payload (§4.1). Offsets follow
// the code, not the older spec text (§12 rows 12-13): the signature starts at 0x09C and the old
// "reserved" tail carries FileIdentity and COW pointers.
//
//  off    size  type      field
//  0x000    4   u32       magic                   0x52564D30 "RVM0" (on disk "0MVR")
//  0x004    2   u16       version                 1
//  0x006    2   u16       flags
//  0x008    8   u64       l1_manifest_offset      file offset of the Level-1 TLV area (0 = not told)
//  0x010    8   u64       l1_manifest_length      bytes in the TLV area
//  0x018    8   u64       total_vector_count
//  0x020    2   u16       dimension
//  0x022    1   u8        base_dtype              DataType (§6.1)
//  0x023    1   u8        profile_id              (§12 row 10: meaning disputed; stored as is)
//  0x024    4   u32       epoch
//  0x028    8   u64       created_ns
//  0x030    8   u64       modified_ns
//  0x038   16   Hotset    entrypoint              u64 seg_offset, u32 block_offset, u32 count
//  0x048   16   Hotset    toplayer                ... u32 node_count
//  0x058   16   Hotset    centroid                ... u32 count
//  0x068   16   Hotset    quantdict               ... u32 size (bytes)
//  0x078   16   Hotset    hot_cache               ... u32 vector_count
//  0x088   12   Prefetch  prefetch_map            u64 offset, u32 entries
//  0x094    4   u32       (prefetch pad)          must be 0
//  0x098    2   u16       sig_algo                SignatureAlgo (§6.10)
//  0x09A    2   u16       sig_length              <= 3684
//  0x09C 3684   u8[]      signature               bytes past sig_length must be 0
//  0xF00   16   u8[16]    file_id                 FileIdentity (code extension)
//  0xF10   16   u8[16]    parent_id
//  0xF20   32   u8[32]    parent_hash
//  0xF40    4   u32       lineage_depth
//  0xF44    8   u64       cow_map_offset          0 = no COW (unaligned on purpose: code layout)
//  0xF4C    4   u32       cow_map_generation
//  0xF50    8   u64       membership_offset
//  0xF58    4   u32       membership_generation
//  0xF5C    4   u32       snapshot_epoch
//  0xF60    4   u32       double_root_generation
//  0xF64   32   u8[32]    double_root_hash
//  0xF84  120   zero      reserved                must be 0
//  0xFFC    4   u32       root_checksum           CRC32C of bytes 0x000..0xFFB
// All integers little-endian. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // fixed-width integers

#include "../bytes.hpp"       // ByteReader/ByteWriter, LE loads/stores
#include "../hash/crc32c.hpp" // root_checksum
#include "../status.hpp"      // Status, RVF_CORRUPT

namespace rvf::core {

inline constexpr uint32_t kRootManifestMagic = 0x52564D30; // "RVM0"
inline constexpr uint16_t kRootManifestVersion = 1;
inline constexpr size_t kRootManifestSize = 4096;
inline constexpr size_t kRootSignatureMax = 3684;
inline constexpr size_t kRootReservedSize = 120;

/// One of the five hotset pointers (entrypoint, toplayer, centroid, quantdict, hot_cache). The
/// last u32 is a count, node count or byte size depending on the pointer (see the table above).
struct HotsetPointer {
    uint64_t seg_offset = 0;
    uint32_t block_offset = 0;
    uint32_t count = 0;
};

struct PrefetchMapPointer {
    uint64_t offset = 0;
    uint32_t entries = 0;
};

struct ManifestL0 {
    uint32_t magic = kRootManifestMagic;
    uint16_t version = kRootManifestVersion;
    uint16_t flags = 0;
    uint64_t l1_manifest_offset = 0;
    uint64_t l1_manifest_length = 0;
    uint64_t total_vector_count = 0;
    uint16_t dimension = 0;
    uint8_t base_dtype = 0;
    uint8_t profile_id = 0;
    uint32_t epoch = 0;
    uint64_t created_ns = 0;
    uint64_t modified_ns = 0;
    HotsetPointer entrypoint{};
    HotsetPointer toplayer{};
    HotsetPointer centroid{};
    HotsetPointer quantdict{};
    HotsetPointer hot_cache{};
    PrefetchMapPointer prefetch_map{};
    uint16_t sig_algo = 0;
    uint16_t sig_length = 0;
    uint8_t signature[kRootSignatureMax] = {}; // only the first sig_length bytes are stored
    uint8_t file_id[16] = {};
    uint8_t parent_id[16] = {};
    uint8_t parent_hash[32] = {};
    uint32_t lineage_depth = 0;
    uint64_t cow_map_offset = 0;
    uint32_t cow_map_generation = 0;
    uint64_t membership_offset = 0;
    uint32_t membership_generation = 0;
    uint32_t snapshot_epoch = 0;
    uint32_t double_root_generation = 0;
    uint8_t double_root_hash[32] = {};
    uint32_t root_checksum = 0; // filled by decode; ignored (recomputed) by encode
};

// Field offsets, checked against each other so a typo cannot shift the layout silently.
namespace l0_off {
inline constexpr size_t magic = 0x000, version = 0x004, flags = 0x006, l1_manifest_offset = 0x008,
                        l1_manifest_length = 0x010, total_vector_count = 0x018, dimension = 0x020, base_dtype = 0x022,
                        profile_id = 0x023, epoch = 0x024, created_ns = 0x028, modified_ns = 0x030, entrypoint = 0x038,
                        toplayer = 0x048, centroid = 0x058, quantdict = 0x068, hot_cache = 0x078, prefetch_map = 0x088,
                        prefetch_pad = 0x094, sig_algo = 0x098, sig_length = 0x09A, signature = 0x09C, file_id = 0xF00,
                        parent_id = 0xF10, parent_hash = 0xF20, lineage_depth = 0xF40, cow_map_offset = 0xF44,
                        cow_map_generation = 0xF4C, membership_offset = 0xF50, membership_generation = 0xF58,
                        snapshot_epoch = 0xF5C, double_root_generation = 0xF60, double_root_hash = 0xF64,
                        reserved = 0xF84, root_checksum = 0xFFC;
static_assert(modified_ns + 8 == entrypoint, "hotset pointers follow the timestamps");
static_assert(entrypoint + 16 == toplayer && toplayer + 16 == centroid && centroid + 16 == quantdict &&
                  quantdict + 16 == hot_cache && hot_cache + 16 == prefetch_map,
              "five 16-byte hotset pointers");
static_assert(prefetch_map + 12 == prefetch_pad && prefetch_pad + 4 == sig_algo, "prefetch map is 16 bytes");
static_assert(signature + kRootSignatureMax == file_id, "signature buffer is 3684 bytes");
static_assert(parent_hash + 32 == lineage_depth && lineage_depth + 4 == cow_map_offset, "FileIdentity is 68 bytes");
static_assert(double_root_hash + 32 == reserved, "COW pointers end at 0xF84");
static_assert(reserved + kRootReservedSize == root_checksum, "120 reserved bytes");
static_assert(root_checksum + 4 == kRootManifestSize, "root is 4096 bytes");
} // namespace l0_off

/// CRC32C over bytes 0x000..0xFFB of a 4096-byte root (the value stored at 0xFFC).
constexpr uint32_t manifest_l0_checksum(const uint8_t *root) {
    return crc32c_update_portable(0, root, l0_off::root_checksum);
}

/// True when `bytes` starts with the RVM0 magic (no other check).
constexpr bool has_manifest_l0_magic(ByteView bytes) {
    return bytes.size >= 4 && load_u32_le(bytes.data) == kRootManifestMagic;
}

namespace detail {
constexpr HotsetPointer read_hotset(ByteReader &r) {
    HotsetPointer p;
    p.seg_offset = r.u64();
    p.block_offset = r.u32();
    p.count = r.u32();
    return p;
}
constexpr void write_hotset(ByteWriter &w, const HotsetPointer &p) {
    w.u64(p.seg_offset);
    w.u32(p.block_offset);
    w.u32(p.count);
}
constexpr bool all_zero(ByteView v) {
    for (size_t i = 0; i < v.size; ++i)
        if (v.data[i] != 0)
            return false;
    return true;
}
} // namespace detail

/// Decode and validate a root. `bytes` must be exactly 4096 bytes.
/// Checks, in this order: size (TruncatedSegment when short, InvalidArgument when longer),
/// magic (InvalidManifest), CRC32C (InvalidChecksum), version != 1 (InvalidVersion),
/// sig_length > 3684 (InvalidManifest), then any non-zero byte in the prefetch pad, in the
/// signature buffer past sig_length, or in the reserved 0xF84..0xFFB area (InvalidManifest).
/// The zero checks are stricter than upstream's reader (which ignores those bytes): our writer
/// and upstream's both write zeros there, so a non-zero byte under a valid CRC means a writer we
/// do not understand, and guessing is worse than refusing.
constexpr Status decode_manifest_l0(ByteView bytes, ManifestL0 &m) {
    if (bytes.size < kRootManifestSize)
        return RVF_CORRUPT(Status::TruncatedSegment);
    if (bytes.size > kRootManifestSize)
        return Status::InvalidArgument;
    ByteReader r(bytes);
    m.magic = r.u32();
    if (m.magic != kRootManifestMagic)
        return RVF_CORRUPT(Status::InvalidManifest);
    m.root_checksum = load_u32_le(bytes.data + l0_off::root_checksum);
    if (m.root_checksum != manifest_l0_checksum(bytes.data))
        return RVF_CORRUPT(Status::InvalidChecksum);
    m.version = r.u16();
    if (m.version != kRootManifestVersion)
        return RVF_CORRUPT(Status::InvalidVersion);
    m.flags = r.u16();
    m.l1_manifest_offset = r.u64();
    m.l1_manifest_length = r.u64();
    m.total_vector_count = r.u64();
    m.dimension = r.u16();
    m.base_dtype = r.u8();
    m.profile_id = r.u8();
    m.epoch = r.u32();
    m.created_ns = r.u64();
    m.modified_ns = r.u64();
    m.entrypoint = detail::read_hotset(r);
    m.toplayer = detail::read_hotset(r);
    m.centroid = detail::read_hotset(r);
    m.quantdict = detail::read_hotset(r);
    m.hot_cache = detail::read_hotset(r);
    m.prefetch_map.offset = r.u64();
    m.prefetch_map.entries = r.u32();
    if (r.u32() != 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    m.sig_algo = r.u16();
    m.sig_length = r.u16();
    if (m.sig_length > kRootSignatureMax)
        return RVF_CORRUPT(Status::InvalidManifest);
    const ByteView sig = r.bytes(kRootSignatureMax);
    if (!r.ok() || !detail::all_zero(sig.from(m.sig_length)))
        return RVF_CORRUPT(Status::InvalidManifest);
    for (size_t i = 0; i < kRootSignatureMax; ++i)
        m.signature[i] = i < m.sig_length ? sig.data[i] : 0;
    r.copy(m.file_id, 16);
    r.copy(m.parent_id, 16);
    r.copy(m.parent_hash, 32);
    m.lineage_depth = r.u32();
    m.cow_map_offset = r.u64();
    m.cow_map_generation = r.u32();
    m.membership_offset = r.u64();
    m.membership_generation = r.u32();
    m.snapshot_epoch = r.u32();
    m.double_root_generation = r.u32();
    r.copy(m.double_root_hash, 32);
    const ByteView reserved = r.bytes(kRootReservedSize);
    if (!r.ok() || r.pos() != l0_off::root_checksum)
        return RVF_CORRUPT(Status::InvalidManifest); // unreachable with the asserts above
    if (!detail::all_zero(reserved))
        return RVF_CORRUPT(Status::InvalidManifest);
    return Status::Ok;
}

/// Encode `m` into the first 4096 bytes of `out` and store the computed root_checksum
/// (m.root_checksum is ignored). Signature bytes past sig_length are written as zeros whatever
/// the array holds, so the output always decodes. magic and version are written as given.
/// Returns Ok, or InvalidArgument when out is shorter than 4096 or sig_length > 3684.
constexpr Status encode_manifest_l0(const ManifestL0 &m, MutByteView out) {
    if (out.size < kRootManifestSize || m.sig_length > kRootSignatureMax)
        return Status::InvalidArgument;
    ByteWriter w(MutByteView(out.data, kRootManifestSize));
    w.u32(m.magic);
    w.u16(m.version);
    w.u16(m.flags);
    w.u64(m.l1_manifest_offset);
    w.u64(m.l1_manifest_length);
    w.u64(m.total_vector_count);
    w.u16(m.dimension);
    w.u8(m.base_dtype);
    w.u8(m.profile_id);
    w.u32(m.epoch);
    w.u64(m.created_ns);
    w.u64(m.modified_ns);
    detail::write_hotset(w, m.entrypoint);
    detail::write_hotset(w, m.toplayer);
    detail::write_hotset(w, m.centroid);
    detail::write_hotset(w, m.quantdict);
    detail::write_hotset(w, m.hot_cache);
    w.u64(m.prefetch_map.offset);
    w.u32(m.prefetch_map.entries);
    w.u32(0);
    w.u16(m.sig_algo);
    w.u16(m.sig_length);
    w.bytes(m.signature, m.sig_length);
    w.zeros(kRootSignatureMax - m.sig_length);
    w.bytes(m.file_id, 16);
    w.bytes(m.parent_id, 16);
    w.bytes(m.parent_hash, 32);
    w.u32(m.lineage_depth);
    w.u64(m.cow_map_offset);
    w.u32(m.cow_map_generation);
    w.u64(m.membership_offset);
    w.u32(m.membership_generation);
    w.u32(m.snapshot_epoch);
    w.u32(m.double_root_generation);
    w.bytes(m.double_root_hash, 32);
    w.zeros(kRootReservedSize);
    if (!w.ok() || w.pos() != l0_off::root_checksum)
        return Status::InvalidArgument; // unreachable with the asserts above
    w.u32(manifest_l0_checksum(out.data));
    return w.ok() ? Status::Ok : Status::InvalidArgument;
}

/// Rewrite the l1 offset/length of an encoded root in place and re-seal its checksum. Used by
/// the manifest encoder, which learns the TLV length only after writing it.
constexpr void patch_manifest_l0_l1(uint8_t *root, uint64_t l1_offset, uint64_t l1_length) {
    store_u64_le(root + l0_off::l1_manifest_offset, l1_offset);
    store_u64_le(root + l0_off::l1_manifest_length, l1_length);
    store_u32_le(root + l0_off::root_checksum, manifest_l0_checksum(root));
}

} // namespace rvf::core

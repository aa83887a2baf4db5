// rvf/core/format/store_config.hpp — our value for the Level-1 PROFILE_CONFIG record (TLV
// 0x0008, which the spec names but leaves unspecified, §4.4). It carries what the Level-0 root
// has no field for but a reopened store needs: the metric (spec §12 row 11: no Layout S field),
// the storage dtype as the store means it, the domain profile, compression and HNSW parameters.
//
// Value (32 B, LE):
//  off   size  type  field
//  0x00  1     u8    config_version   1
//  0x01  1     u8    metric           core::Metric (0 L2, 1 IP, 2 cosine, 3 Hamming)
//  0x02  1     u8    storage          0 f32, 1 f16, 2 i8 (scalar-quantised, QUANT_SEG holds the range)
//  0x03  1     u8    domain_profile   core::DomainProfile
//  0x04  1     u8    compression      0 none, 1 LZ4, 2 ZSTD (VEC segments; spec §2.3 values)
//  0x05  1     u8    flags            bit 0: witness chain on · bit 1: HNSW index off ·
//                                     bit 2: temperature tiering on (the fields below) ·
//                                     bit 3: frozen (writable opens refused) ·
//                                     bit 4: sharded collection root (SHARD_REFS lists the
//                                     shards; the file holds no rows: docs/format-shard-refs.md)
//  0x06  2     u16   dimension        must equal the root's
//  0x08  2     u16   hnsw_m
//  0x0A  2     u16   hnsw_ef_construction
//  0x0C  1     u8    cold_codec       tiering: 0 PQ, 1 binary                    (else 0)
//  0x0D  1     u8    hw_profile       hardware profile (ProfileId: 0 generic, 1 core, 2 hot, 3 full);
//                                     readers before it existed required 0 here, so they refuse
//                                     (InvalidManifest) a Core/Hot/Full file rather than ignore
//                                     its limits
//  0x0E  2     u16   pq_m             tiering + PQ: 1..dimension; binary: 0       (else 0)
//  0x10  4     u32   hot_threshold    tiering: access estimate > this → hot       (else 0)
//  0x14  4     u32   warm_threshold   tiering: > this → warm; ≤ hot_threshold     (else 0)
//  0x18  8     —     zeros
// The tiering fields were reserved zeros before bit 2 existed: a file without it reads as it
// always did, and a store without tiering writes the same 32 bytes as before.
// Freestanding.
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "../bytes.hpp"
#include "../status.hpp"
#include "enums.hpp"

namespace rvf::core {

inline constexpr size_t kStoreConfigSize = 32;
inline constexpr uint8_t kStoreConfigVersion = 1;
inline constexpr uint8_t kStoreConfigWitness = 0x01;
inline constexpr uint8_t kStoreConfigNoIndex = 0x02;
inline constexpr uint8_t kStoreConfigTiering = 0x04;
/// freeze(): every writable open refuses the file (SnapshotFrozen); read-only opens and derive work.
inline constexpr uint8_t kStoreConfigFrozen = 0x08;
/// A sharded collection's root (docs/format-shard-refs.md): stores refuse it (UnsupportedLayout).
inline constexpr uint8_t kStoreConfigShardedRoot = 0x10;
inline constexpr uint8_t kStoreConfigFlagsMask = kStoreConfigWitness | kStoreConfigNoIndex | kStoreConfigTiering |
                                                 kStoreConfigFrozen | kStoreConfigShardedRoot;

struct StoreConfig {
    uint8_t metric = 0;
    uint8_t storage = 0;
    uint8_t domain_profile = 0;
    uint8_t compression = 0;
    uint8_t flags = kStoreConfigWitness;
    uint16_t dimension = 0;
    uint16_t hnsw_m = 16;
    uint16_t hnsw_ef_construction = 200;
    // Tiering (meaningful with kStoreConfigTiering; zeros otherwise).
    uint8_t cold_codec = 0;
    uint16_t pq_m = 0;
    uint32_t hot_threshold = 0;
    uint32_t warm_threshold = 0;
    uint8_t hw_profile = 0; ///< ProfileId (offset 0x0D)
};

/// The tiering fields are consistent with the flags (see the table).
constexpr bool store_config_tiering_valid(const StoreConfig &c) {
    if ((c.flags & kStoreConfigTiering) == 0)
        return c.cold_codec == 0 && c.pq_m == 0 && c.hot_threshold == 0 && c.warm_threshold == 0;
    if (c.cold_codec > 1 || c.warm_threshold > c.hot_threshold)
        return false;
    return c.cold_codec == 0 ? (c.pq_m >= 1 && c.pq_m <= c.dimension) : c.pq_m == 0;
}

constexpr Status encode_store_config(ByteWriter &w, const StoreConfig &c) {
    if (c.metric > 3 || c.storage > 2 || c.domain_profile > 4 || c.compression > 2 || (c.flags & ~kStoreConfigFlagsMask) ||
        c.dimension == 0 || !store_config_tiering_valid(c) || !profile_id_known(c.hw_profile))
        return Status::InvalidArgument;
    w.u8(kStoreConfigVersion);
    w.u8(c.metric);
    w.u8(c.storage);
    w.u8(c.domain_profile);
    w.u8(c.compression);
    w.u8(c.flags);
    w.u16(c.dimension);
    w.u16(c.hnsw_m);
    w.u16(c.hnsw_ef_construction);
    w.u8(c.cold_codec);
    w.u8(c.hw_profile);
    w.u16(c.pq_m);
    w.u32(c.hot_threshold);
    w.u32(c.warm_threshold);
    w.zeros(kStoreConfigSize - 0x18);
    return w.ok() ? Status::Ok : Status::OutOfMemory;
}

/// InvalidManifest for a wrong size, unknown version, out-of-range enum or non-zero reserved bytes.
constexpr Status decode_store_config(ByteView v, StoreConfig &c) {
    if (v.size != kStoreConfigSize || v[0] != kStoreConfigVersion)
        return RVF_CORRUPT(Status::InvalidManifest);
    ByteReader r(v);
    r.skip(1);
    c.metric = r.u8();
    c.storage = r.u8();
    c.domain_profile = r.u8();
    c.compression = r.u8();
    c.flags = r.u8();
    c.dimension = r.u16();
    c.hnsw_m = r.u16();
    c.hnsw_ef_construction = r.u16();
    c.cold_codec = r.u8();
    c.hw_profile = r.u8();
    c.pq_m = r.u16();
    c.hot_threshold = r.u32();
    c.warm_threshold = r.u32();
    for (size_t i = 0x18; i < kStoreConfigSize; ++i)
        if (v[i] != 0)
            return RVF_CORRUPT(Status::InvalidManifest);
    if (!r.ok() || !profile_id_known(c.hw_profile) || c.metric > 3 || c.storage > 2 || c.domain_profile > 4 || c.compression > 2 ||
        (c.flags & ~kStoreConfigFlagsMask) || c.dimension == 0 || !store_config_tiering_valid(c))
        return RVF_CORRUPT(Status::InvalidManifest);
    return Status::Ok;
}

} // namespace rvf::core

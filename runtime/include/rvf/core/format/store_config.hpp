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
//  0x04  1     u8    compression      0 none, 1 LZ4 (VEC/INDEX segments)
//  0x05  1     u8    flags            bit 0: witness chain on · bit 1: HNSW index off
//  0x06  2     u16   dimension        must equal the root's
//  0x08  2     u16   hnsw_m
//  0x0A  2     u16   hnsw_ef_construction
//  0x0C  20    —     zeros
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
inline constexpr uint8_t kStoreConfigFlagsMask = kStoreConfigWitness | kStoreConfigNoIndex;

struct StoreConfig {
    uint8_t metric = 0;
    uint8_t storage = 0;
    uint8_t domain_profile = 0;
    uint8_t compression = 0;
    uint8_t flags = kStoreConfigWitness;
    uint16_t dimension = 0;
    uint16_t hnsw_m = 16;
    uint16_t hnsw_ef_construction = 200;
};

constexpr Status encode_store_config(ByteWriter &w, const StoreConfig &c) {
    if (c.metric > 3 || c.storage > 2 || c.domain_profile > 4 || c.compression > 1 || (c.flags & ~kStoreConfigFlagsMask) ||
        c.dimension == 0)
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
    w.zeros(kStoreConfigSize - 0x0C);
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
    for (size_t i = 0x0C; i < kStoreConfigSize; ++i)
        if (v[i] != 0)
            return RVF_CORRUPT(Status::InvalidManifest);
    if (!r.ok() || c.metric > 3 || c.storage > 2 || c.domain_profile > 4 || c.compression > 1 ||
        (c.flags & ~kStoreConfigFlagsMask) || c.dimension == 0)
        return RVF_CORRUPT(Status::InvalidManifest);
    return Status::Ok;
}

} // namespace rvf::core

// rvf/core/format/enums.hpp — small u8 enums shared by the Layout S payloads (spec §6.1).
//
//  enum             values (u8)
//  DataType         0 f32 · 1 f16 · 2 bf16 · 3 i8 · 4 u8 · 5 i4 · 6 binary · 7 PQ codes · 8 custom
//  QuantType        0 scalar · 1 product · 2 binary threshold · 3 residual PQ
//  TemperatureTier  0 hot · 1 warm · 2 cold
//  ProfileId        0 generic · 1 core (tile) · 2 hot (chip) · 3 full (desktop/server)   [hardware]
//  DomainProfile    0 generic · 1 rvdna · 2 rvtext · 3 rvgraph · 4 rvvision; 0x10-0xEF custom
//  DerivationType   0 clone · 1 filter · 2 merge · 3 quantize · 4 reindex · 5 transform ·
//                   6 snapshot · 0xFF user-defined
//  Metric           0 L2 · 1 InnerProduct · 2 Cosine · 3 Hamming (Layout R byte: 0-2 only, §3)
//
// Each enum comes with a `_known(uint8_t)` check: decoders take the raw byte from disk and ask,
// instead of casting an untrusted value into the enum. Freestanding.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // uint8_t

namespace rvf::core {

// --- DataType ---------------------------------------------------------------------------------
enum class DataType : uint8_t { F32 = 0, F16 = 1, Bf16 = 2, I8 = 3, U8 = 4, I4 = 5, Binary = 6, Pq = 7, Custom = 8 };

constexpr bool data_type_known(uint8_t v) { return v <= static_cast<uint8_t>(DataType::Custom); }

/// Bytes per stored element as the spec codecs (VEC_SEG, HOT_SEG) size them: f32 4, f16/bf16 2,
/// i8/u8 1, and every other value — packed types and unknown bytes alike — 1 (spec §6.1).
constexpr size_t data_type_element_size(uint8_t v) {
    switch (v) {
    case static_cast<uint8_t>(DataType::F32):
        return 4;
    case static_cast<uint8_t>(DataType::F16):
    case static_cast<uint8_t>(DataType::Bf16):
        return 2;
    default:
        return 1;
    }
}
constexpr size_t data_type_element_size(DataType t) { return data_type_element_size(static_cast<uint8_t>(t)); }

/// True for the types whose element is one addressable scalar (f32, f16, bf16, i8, u8); the packed
/// ones (i4, binary, PQ codes, custom) need a QUANT_SEG to interpret.
constexpr bool data_type_is_scalar(uint8_t v) { return v <= static_cast<uint8_t>(DataType::U8); }

constexpr const char *data_type_name(uint8_t v) {
    switch (v) {
    case 0:
        return "f32";
    case 1:
        return "f16";
    case 2:
        return "bf16";
    case 3:
        return "i8";
    case 4:
        return "u8";
    case 5:
        return "i4";
    case 6:
        return "binary";
    case 7:
        return "pq";
    case 8:
        return "custom";
    }
    return nullptr;
}

// --- QuantType --------------------------------------------------------------------------------
enum class QuantType : uint8_t { Scalar = 0, Product = 1, Binary = 2, ResidualPq = 3 };
constexpr bool quant_type_known(uint8_t v) { return v <= static_cast<uint8_t>(QuantType::ResidualPq); }

// --- TemperatureTier --------------------------------------------------------------------------
enum class TemperatureTier : uint8_t { Hot = 0, Warm = 1, Cold = 2 };
constexpr bool temperature_tier_known(uint8_t v) { return v <= static_cast<uint8_t>(TemperatureTier::Cold); }

inline constexpr uint32_t kHotThreshold = 128; // strictly above → hot
inline constexpr uint32_t kWarmThreshold = 16; // strictly above → warm

/// Tier for an estimated access count (a SKETCH_SEG estimate, 0..255): > 128 hot, > 16 warm,
/// otherwise cold. Thresholds are exclusive: 128 is warm, 16 is cold.
constexpr TemperatureTier assign_tier(uint32_t access_count) {
    if (access_count > kHotThreshold)
        return TemperatureTier::Hot;
    if (access_count > kWarmThreshold)
        return TemperatureTier::Warm;
    return TemperatureTier::Cold;
}

// --- Hardware profile (what the runtime stores in the root's profile byte, §12 #10) -----------
enum class ProfileId : uint8_t { Generic = 0, Core = 1, Hot = 2, Full = 3 };
constexpr bool profile_id_known(uint8_t v) { return v <= static_cast<uint8_t>(ProfileId::Full); }

// --- Domain profile ---------------------------------------------------------------------------
enum class DomainProfile : uint8_t { Generic = 0, Rvdna = 1, Rvtext = 2, Rvgraph = 3, Rvvision = 4 };

inline constexpr uint8_t kDomainProfileCustomFirst = 0x10;
inline constexpr uint8_t kDomainProfileCustomLast = 0xEF;

/// Known values 0-4 plus the custom range 0x10-0xEF (spec).
constexpr bool domain_profile_valid(uint8_t v) {
    return v <= static_cast<uint8_t>(DomainProfile::Rvvision) ||
           (v >= kDomainProfileCustomFirst && v <= kDomainProfileCustomLast);
}

/// PROFILE_SEG magic per domain (u32, stored LE); 0 for generic, which has none.
constexpr uint32_t domain_profile_magic(DomainProfile p) {
    switch (p) {
    case DomainProfile::Rvdna:
        return 0x52444E41; // "RDNA"
    case DomainProfile::Rvtext:
        return 0x52545854; // "RTXT"
    case DomainProfile::Rvgraph:
        return 0x52475248; // "RGRH"
    case DomainProfile::Rvvision:
        return 0x52564953; // "RVIS"
    case DomainProfile::Generic:
        break;
    }
    return 0;
}

/// File extension including the dot: ".rvf", ".rvdna", ".rvtext", ".rvgraph", ".rvvis".
constexpr const char *domain_profile_extension(DomainProfile p) {
    switch (p) {
    case DomainProfile::Generic:
        return ".rvf";
    case DomainProfile::Rvdna:
        return ".rvdna";
    case DomainProfile::Rvtext:
        return ".rvtext";
    case DomainProfile::Rvgraph:
        return ".rvgraph";
    case DomainProfile::Rvvision:
        return ".rvvis";
    }
    return nullptr;
}

/// Profile name as PROFILE_SEG spells it ("rvdna", ...); "generic" for 0.
constexpr const char *domain_profile_name(DomainProfile p) {
    switch (p) {
    case DomainProfile::Generic:
        return "generic";
    case DomainProfile::Rvdna:
        return "rvdna";
    case DomainProfile::Rvtext:
        return "rvtext";
    case DomainProfile::Rvgraph:
        return "rvgraph";
    case DomainProfile::Rvvision:
        return "rvvision";
    }
    return nullptr;
}

namespace detail {
constexpr bool ascii_ieq(char a, char b) {
    if (a >= 'A' && a <= 'Z')
        a = static_cast<char>(a - 'A' + 'a');
    if (b >= 'A' && b <= 'Z')
        b = static_cast<char>(b - 'A' + 'a');
    return a == b;
}
} // namespace detail

/// Domain profile implied by a path's extension (ASCII case-insensitive); false when the path
/// ends in none of the five. `path` need not be NUL-terminated.
constexpr bool domain_profile_from_path(const char *path, size_t len, DomainProfile &out) {
    for (uint8_t v = 0; v <= static_cast<uint8_t>(DomainProfile::Rvvision); ++v) {
        const auto p = static_cast<DomainProfile>(v);
        const char *ext = domain_profile_extension(p);
        size_t n = 0;
        while (ext[n] != '\0')
            ++n;
        if (n > len)
            continue;
        bool eq = true;
        for (size_t i = 0; i < n && eq; ++i)
            eq = detail::ascii_ieq(path[len - n + i], ext[i]);
        if (eq) {
            out = p;
            return true;
        }
    }
    return false;
}

// --- DerivationType (lineage) -----------------------------------------------------------------
enum class DerivationType : uint8_t {
    Clone = 0,
    Filter = 1,
    Merge = 2,
    Quantize = 3,
    Reindex = 4,
    Transform = 5,
    Snapshot = 6,
    UserDefined = 0xFF,
};
constexpr bool derivation_type_known(uint8_t v) {
    return v <= static_cast<uint8_t>(DerivationType::Snapshot) || v == 0xFF;
}

// --- Metric -----------------------------------------------------------------------------------
enum class Metric : uint8_t { L2 = 0, InnerProduct = 1, Cosine = 2, Hamming = 3 };
constexpr bool metric_known(uint8_t v) { return v <= static_cast<uint8_t>(Metric::Hamming); }
/// The Layout R manifest's metric byte (§3.3) only carries L2, InnerProduct or Cosine.
constexpr bool metric_valid_layout_r(uint8_t v) { return v <= static_cast<uint8_t>(Metric::Cosine); }

constexpr const char *metric_name(uint8_t v) {
    switch (v) {
    case 0:
        return "L2";
    case 1:
        return "InnerProduct";
    case 2:
        return "Cosine";
    case 3:
        return "Hamming";
    }
    return nullptr;
}

} // namespace rvf::core

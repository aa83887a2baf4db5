// store_profile.cpp — the hardware profile's limits (rvf/store.hpp kCoreMax*, kHotMaxDim; spec:
// a Core tile holds f16 rows of ≤ 384 dimensions or i8 rows of ≤ 768, with no PQ, no compression
// and no index; Hot allows up to 1024 dimensions). Checked at create and before every write, so a
// file whose PROFILE_CONFIG names Core but breaks its limits (another writer's file, an upstream
// Layout R file marked Core, which is f32) is refused with the limit named instead of growing.
#include "store_impl.hpp"

namespace rvf {

const char *profile_name(core::ProfileId p) {
    switch (p) {
    case core::ProfileId::Generic:
        return "generic";
    case core::ProfileId::Core:
        return "core";
    case core::ProfileId::Hot:
        return "hot";
    case core::ProfileId::Full:
        return "full";
    }
    return "unknown";
}

std::optional<core::ProfileId> profile_from_name(const std::string &name) {
    for (uint8_t v = 0; v <= static_cast<uint8_t>(core::ProfileId::Full); ++v)
        if (name == profile_name(static_cast<core::ProfileId>(v)))
            return static_cast<core::ProfileId>(v);
    return std::nullopt;
}

StorageType profile_default_storage(core::ProfileId p, uint16_t dimension) {
    if (p != core::ProfileId::Core)
        return StorageType::F32;
    return dimension <= kCoreMaxDimF16 ? StorageType::F16 : StorageType::I8;
}

Result<void> check_profile_limits(const core::StoreConfig &c) {
    if (!core::profile_id_known(c.hw_profile))
        return Error{Status::InvalidOptions, "unknown hardware profile " + std::to_string(c.hw_profile) +
                                                 " (0 generic, 1 core, 2 hot, 3 full)"};
    const auto p = static_cast<core::ProfileId>(c.hw_profile);
    const std::string dim = std::to_string(c.dimension);
    if (p == core::ProfileId::Hot && c.dimension > kHotMaxDim)
        return Error{Status::InvalidOptions, "the Hot profile allows at most " + std::to_string(kHotMaxDim) +
                                                 " dimensions, not " + dim + ": use profile full (or generic)"};
    if (p != core::ProfileId::Core)
        return {};
    const auto st = static_cast<StorageType>(c.storage);
    if (st == StorageType::F32)
        return Error{Status::InvalidOptions,
                     "the Core profile has no f32 storage: use storage f16 (≤ " + std::to_string(kCoreMaxDimF16) +
                         " dimensions) or i8 (≤ " + std::to_string(kCoreMaxDimI8) + "), or profile generic for f32"};
    if (st == StorageType::F16 && c.dimension > kCoreMaxDimF16)
        return Error{Status::InvalidOptions, "the Core profile allows f16 rows of at most " +
                                                 std::to_string(kCoreMaxDimF16) + " dimensions, not " + dim +
                                                 ": use storage i8 (≤ " + std::to_string(kCoreMaxDimI8) +
                                                 ") or profile hot/generic"};
    if (st == StorageType::I8 && c.dimension > kCoreMaxDimI8)
        return Error{Status::InvalidOptions, "the Core profile allows i8 rows of at most " +
                                                 std::to_string(kCoreMaxDimI8) + " dimensions, not " + dim +
                                                 ": use profile hot (≤ " + std::to_string(kHotMaxDim) + ") or generic"};
    if (c.compression != 0)
        return Error{Status::InvalidOptions, "the Core profile has no VEC compression (LZ4/ZSTD): leave compression "
                                             "None, or use profile generic"};
    if (c.flags & core::kStoreConfigTiering)
        return Error{Status::InvalidOptions, "the Core profile has no PQ or temperature tiering: leave tiering off, or "
                                             "use profile generic"};
    if ((c.flags & core::kStoreConfigNoIndex) == 0)
        return Error{Status::InvalidOptions, "the Core profile has no HNSW index (queries are exact scans): create it "
                                             "with index Off"};
    return {};
}

} // namespace rvf

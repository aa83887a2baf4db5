// rvf/core/format/derivation_names.hpp — the names every surface spells DerivationType with
// (derive({type}) in wasm, Node and the SDK; error messages): one table, so no binding keeps
// its own copy. Freestanding.
#pragma once
#include <stdint.h>

#include <rvf/core/format/enums.hpp>

namespace rvf::core {

/// In value order (0 clone … 6 snapshot), then "user-defined" (0xFF).
inline constexpr const char *kDerivationTypeNames[] = {"clone",   "filter",    "merge",    "quantize",
                                                       "reindex", "transform", "snapshot", "user-defined"};
/// What an error about an unknown name lists.
inline constexpr const char kDerivationTypeNameList[] =
    "clone, filter, merge, quantize, reindex, transform, snapshot, user-defined";

/// The name of a known type; nullptr for any other value.
constexpr const char *derivation_type_name(DerivationType t) {
    const uint8_t v = static_cast<uint8_t>(t);
    if (v <= static_cast<uint8_t>(DerivationType::Snapshot))
        return kDerivationTypeNames[v];
    return v == 0xFF ? kDerivationTypeNames[7] : nullptr;
}

/// The DerivationType named `name` (NUL-terminated, exact spelling); false for any other name.
constexpr bool derivation_type_from_name(const char *name, DerivationType &out) {
    for (uint8_t i = 0; i < 8; ++i) {
        const char *a = kDerivationTypeNames[i];
        const char *b = name;
        while (*a != '\0' && *a == *b)
            ++a, ++b;
        if (*a == '\0' && *b == '\0') {
            out = i < 7 ? static_cast<DerivationType>(i) : DerivationType::UserDefined;
            return true;
        }
    }
    return false;
}

} // namespace rvf::core

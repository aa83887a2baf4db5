// rvf/core/hash/fold_hash.hpp — Layout R's 32-byte non-cryptographic fold (spec §3.9).
//
// Upstream's runtime calls this "simple_shake256_256", but it is no SHAKE: a byte-wise
// add-and-rotate fold into 32 lanes, all arithmetic mod 256. For byte b at stream index i:
//
//   k = i mod 32;  out[k] += b;  j = (i + 13) mod 32;  out[j] += rotl8(out[k], 3)
//
// (j never equals k, so the rotation reads the freshly updated lane.) Starting state is all
// zeros. Byte parity matters, not strength: the shipped runtime writes this value as
//   * WITNESS prev_hash = H(previous witness payload),          spec §3.9
//   * FIDI file_id = first 16 B of H(path UTF-8 ‖ u64 LE ns),   spec §3.9
//   * derive parent_hash = H(last min(64 KiB, size) bytes),     spec §3.9
//   * KERNEL image_hash / EBPF program_hash,                    spec §3.11
// It offers no collision resistance; never use it to authenticate anything.
// Freestanding: <stdint.h>/<stddef.h> and bytes.hpp only.
#pragma once
#include <stddef.h> // size_t
#include <stdint.h> // uint8_t, uint64_t

#include "../bytes.hpp" // ByteView

namespace rvf::core {

inline constexpr size_t kFoldHashSize = 32;

/// Incremental form: feeding the bytes in pieces gives the same result as one call, because
/// the stream index i carries across update() calls. (Needed for H(path ‖ timestamp) without
/// a concatenation buffer.)
struct FoldHasher {
    uint8_t lanes[kFoldHashSize] = {};
    uint64_t index = 0; // bytes consumed so far

    constexpr void update(const uint8_t *p, size_t n) {
        for (size_t t = 0; t < n; ++t) {
            const size_t k = static_cast<size_t>(index % kFoldHashSize);
            const size_t j = static_cast<size_t>((index + 13) % kFoldHashSize);
            lanes[k] = static_cast<uint8_t>(lanes[k] + p[t]);
            const uint8_t v = lanes[k];
            lanes[j] = static_cast<uint8_t>(lanes[j] + static_cast<uint8_t>((v << 3) | (v >> 5)));
            ++index;
        }
    }
    constexpr void update(ByteView v) { update(v.data, v.size); }

    constexpr void finish(uint8_t out[kFoldHashSize]) const {
        for (size_t i = 0; i < kFoldHashSize; ++i)
            out[i] = lanes[i];
    }
};

/// One-shot fold of `data` into 32 bytes.
constexpr void fold_hash(ByteView data, uint8_t out[kFoldHashSize]) {
    FoldHasher h;
    h.update(data);
    h.finish(out);
}

} // namespace rvf::core

// rvf/hash.hpp — hosted hashing API: content hashes for both layouts (spec §2.4), CRC32C with
// hardware acceleration where the CPU has it, XXH3-128 via the xxHash library.
#pragma once
#include <cstddef>
#include <cstdint>

#include <rvf/core/bytes.hpp>
#include <rvf/core/status.hpp>

namespace rvf {

/// Which layout's rules give meaning to checksum_algo (they differ for algo 0, spec §2.4).
enum class Layout : uint8_t { R = 0, S = 1 };

/// CRC-32C of `data`, continuing from `crc` (0 to start). Uses SSE4.2 when the CPU has it
/// (checked once at run time), else the portable core implementation. Same results either way.
uint32_t crc32c(core::ByteView data, uint32_t crc = 0);
/// The same in the core's callback form (core::Crc32cUpdateFn), for the core parsers.
uint32_t crc32c_update(uint32_t crc, const uint8_t *p, size_t n);
/// True when crc32c() is using the hardware instruction on this machine.
bool crc32c_hardware_available();

/// XXH3-128 (seed 0, default secret) written as low64 LE ‖ high64 LE (spec §2.4; not xxHash's
/// canonical big-endian form).
void xxh3_128(core::ByteView data, uint8_t out[16]);

/// Content hash of a segment payload, per layout and checksum_algo (spec §2.4):
///  Layout R: 0 = rotated IEEE CRC32 digest; 1 = XXH3-128; 2 = SHAKE-256 first 16 bytes.
///  Layout S: 0, 1, 3 and unknown = XXH3-128; 2 = SHAKE-256 first 16 bytes.
/// Returns Ok, or AlgoUnsupported for Layout R algos other than 0-2 (the newest reader rejects).
core::Status content_hash(Layout layout, uint8_t checksum_algo, core::ByteView payload, uint8_t out[16]);

/// Recompute and compare (constant time) with `expected`. Ok, InvalidChecksum or AlgoUnsupported.
core::Status verify_content_hash(Layout layout, uint8_t checksum_algo, core::ByteView payload,
                                 const uint8_t expected[16]);

} // namespace rvf

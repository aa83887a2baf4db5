// rvf/crypto/ml_dsa65.hpp — ML-DSA-65 (FIPS 204, pure ML-DSA, empty context string) behind one
// seam: keys from a 32-byte seed, detached 3,309-byte signatures, verification.
//
// One backend in every build (native, Emscripten, portable, cross): PQClean's ml-dsa-65/clean
// with its FIPS 202 Keccak (third_party/pqclean-ml-dsa-65). Our own SHAKE-256 is not a drop-in
// for it: ML-DSA also needs SHAKE-128 and PQClean's incremental-context API.
//
// Deterministic by construction: PQClean draws the key-generation seed ξ and the signing
// randomness `rnd` through randombytes(); ours never reads system randomness but hands PQClean
// exactly the bytes passed here — ξ = the caller's seed, and rnd = 32 zero bytes by default,
// which is FIPS 204's deterministic variant (§3.4 / Algorithm 2 with rnd = {0}^32). A caller can
// pass its own rnd for the hedged variant (the NIST KAT does).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <rvf/core/bytes.hpp>

namespace rvf::crypto {

inline constexpr size_t kMlDsa65SeedBytes = 32;
inline constexpr size_t kMlDsa65PublicKeyBytes = 1952;
inline constexpr size_t kMlDsa65SecretKeyBytes = 4032;
inline constexpr size_t kMlDsa65SignatureBytes = 3309;
inline constexpr size_t kMlDsa65RndBytes = 32;

using MlDsa65Seed = std::array<uint8_t, kMlDsa65SeedBytes>;
using MlDsa65PublicKey = std::array<uint8_t, kMlDsa65PublicKeyBytes>;
using MlDsa65SecretKey = std::array<uint8_t, kMlDsa65SecretKeyBytes>;
using MlDsa65Signature = std::array<uint8_t, kMlDsa65SignatureBytes>;
using MlDsa65Rnd = std::array<uint8_t, kMlDsa65RndBytes>;

/// The expanded key pair (ML-DSA.KeyGen_internal(ξ)); 6 KB, so callers keep it on the heap.
struct MlDsa65KeyPair {
    MlDsa65PublicKey public_key{};
    MlDsa65SecretKey secret_key{};
    ~MlDsa65KeyPair(); ///< wipes secret_key
};

/// ML-DSA.KeyGen with ξ = `seed`: the same seed gives the same keys on every build.
std::unique_ptr<MlDsa65KeyPair> ml_dsa65_keypair_from_seed(const MlDsa65Seed &seed);

/// Detached signature of `message` (empty context). rnd = zeros: FIPS 204 deterministic signing.
MlDsa65Signature ml_dsa65_sign(const MlDsa65KeyPair &key, core::ByteView message, const MlDsa65Rnd &rnd = {});

/// True when `signature` is a valid signature of `message` (empty context) under `public_key`.
bool ml_dsa65_verify(const MlDsa65PublicKey &public_key, core::ByteView message, const MlDsa65Signature &signature);

} // namespace rvf::crypto

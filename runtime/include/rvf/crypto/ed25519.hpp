// rvf/crypto/ed25519.hpp — Ed25519 (RFC 8032, pure EdDSA) behind one seam: keys from a 32-byte
// seed, detached 64-byte signatures, verification.
//
// Two backends give the same bytes (Ed25519 signing is deterministic):
//  * Libsodium — Debian's libsodium-dev, in native gcc/clang builds (RVF_HAVE_LIBSODIUM);
//  * Vendored  — libsodium 1.0.18's own ref10 Ed25519 + SHA-512 sources (third_party/
//    libsodium-ed25519), in every build, and the only one under Emscripten, portable and cross
//    builds, where no system package serves.
// Default picks Libsodium where present, else Vendored. Both exist natively so the RFC 8032
// vectors can be checked against each (tests/cpp/ed25519_test.cpp).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include <rvf/core/bytes.hpp>

namespace rvf::crypto {

inline constexpr size_t kEd25519SeedBytes = 32;
inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

using Ed25519Seed = std::array<uint8_t, kEd25519SeedBytes>;
using Ed25519PublicKey = std::array<uint8_t, kEd25519PublicKeyBytes>;
using Ed25519Signature = std::array<uint8_t, kEd25519SignatureBytes>;

/// The secret is the seed (RFC 8032 §5.1.5's private key); the public key is derived from it.
struct Ed25519KeyPair {
    Ed25519Seed seed{};
    Ed25519PublicKey public_key{};
};

enum class Ed25519Backend : uint8_t { Default = 0, Libsodium = 1, Vendored = 2 };

/// Whether this build has `b` (Default and Vendored always; Libsodium in native gcc/clang builds).
bool ed25519_backend_available(Ed25519Backend b);
/// "libsodium" or "vendored" — the backend Default resolves to for Default.
const char *ed25519_backend_name(Ed25519Backend b);

/// Derive the key pair of `seed`. A backend this build lacks falls back to Vendored (check
/// ed25519_backend_available first when the choice matters, as the tests do).
Ed25519KeyPair ed25519_keypair_from_seed(const Ed25519Seed &seed, Ed25519Backend b = Ed25519Backend::Default);

/// Detached signature of `message` under `key` (deterministic: same key + message, same bytes).
/// `key` must come from ed25519_keypair_from_seed: a public key that does not match the seed
/// yields signatures that do not verify.
Ed25519Signature ed25519_sign(const Ed25519KeyPair &key, core::ByteView message,
                              Ed25519Backend b = Ed25519Backend::Default);

/// True when `signature` is a valid signature of `message` under `public_key` (libsodium's
/// checks: canonical S, no small-order R or public key).
bool ed25519_verify(const Ed25519PublicKey &public_key, core::ByteView message, const Ed25519Signature &signature,
                    Ed25519Backend b = Ed25519Backend::Default);

} // namespace rvf::crypto

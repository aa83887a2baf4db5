// Internal: the two Ed25519 backends behind rvf/crypto/ed25519.hpp, as plain byte-pointer calls.
// sign() takes the seed and its public key (ed25519.hpp's key pair) and assembles libsodium's
// 64-byte secret key for the call only, wiping it after.
#pragma once
#include <cstddef>
#include <cstdint>

namespace rvf::crypto::detail {

bool libsodium_available();
void libsodium_public_key(const uint8_t seed[32], uint8_t pk[32]);
void libsodium_sign(const uint8_t seed[32], const uint8_t pk[32], const uint8_t *msg, size_t len, uint8_t sig[64]);
bool libsodium_verify(const uint8_t pk[32], const uint8_t *msg, size_t len, const uint8_t sig[64]);

void vendored_public_key(const uint8_t seed[32], uint8_t pk[32]);
void vendored_sign(const uint8_t seed[32], const uint8_t pk[32], const uint8_t *msg, size_t len, uint8_t sig[64]);
bool vendored_verify(const uint8_t pk[32], const uint8_t *msg, size_t len, const uint8_t sig[64]);

} // namespace rvf::crypto::detail

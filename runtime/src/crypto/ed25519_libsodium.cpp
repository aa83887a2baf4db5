// Ed25519 through Debian's libsodium (native gcc/clang builds, RVF_HAVE_LIBSODIUM=1). Elsewhere
// this file compiles to "not available" stubs that ed25519.cpp never routes to.
#include "ed25519_backends.hpp"

#include <cstring>

#include <cstdlib>

#if RVF_HAVE_LIBSODIUM
#include <sodium.h>
#endif

namespace rvf::crypto::detail {

#if RVF_HAVE_LIBSODIUM
namespace {
// sodium_init() is thread-safe and idempotent; a function-local static runs it once.
bool init() {
    static const bool ok = sodium_init() >= 0;
    return ok;
}

struct SecretKey { // seed ‖ public key, wiped when the call ends
    unsigned char sk[crypto_sign_ed25519_SECRETKEYBYTES];
    ~SecretKey() { sodium_memzero(sk, sizeof sk); }
};
} // namespace

bool libsodium_available() { return init(); }

void libsodium_public_key(const uint8_t seed[32], uint8_t pk[32]) {
    SecretKey k;
    crypto_sign_ed25519_seed_keypair(pk, k.sk, seed);
}

void libsodium_sign(const uint8_t seed[32], const uint8_t pk[32], const uint8_t *msg, size_t len, uint8_t sig[64]) {
    // libsodium's secret key is seed ‖ public key: assembled, not re-derived (that would cost a
    // second scalar multiplication per signature).
    SecretKey k;
    std::memcpy(k.sk, seed, 32);
    std::memcpy(k.sk + 32, pk, 32);
    crypto_sign_ed25519_detached(sig, nullptr, msg, len, k.sk);
}

bool libsodium_verify(const uint8_t pk[32], const uint8_t *msg, size_t len, const uint8_t sig[64]) {
    return crypto_sign_ed25519_verify_detached(sig, msg, len, pk) == 0;
}
#else
bool libsodium_available() { return false; }
void libsodium_public_key(const uint8_t *, uint8_t *) { std::abort(); }
void libsodium_sign(const uint8_t *, const uint8_t *, const uint8_t *, size_t, uint8_t *) { std::abort(); }
bool libsodium_verify(const uint8_t *, const uint8_t *, size_t, const uint8_t *) { std::abort(); }
#endif

} // namespace rvf::crypto::detail

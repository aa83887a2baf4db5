// Ed25519 through the vendored libsodium 1.0.18 ref10 sources (third_party/libsodium-ed25519),
// compiled with every external symbol prefixed rvf_vsodium_ (rvf_sodium_prefix.h), so this copy
// and Debian's libsodium can live in one native binary.
#include "ed25519_backends.hpp"

#include <cstring>

extern "C" {
int rvf_vsodium_crypto_sign_ed25519_seed_keypair(unsigned char *pk, unsigned char *sk, const unsigned char *seed);
int rvf_vsodium_crypto_sign_ed25519_detached(unsigned char *sig, unsigned long long *siglen_p,
                                             const unsigned char *m, unsigned long long mlen,
                                             const unsigned char *sk);
int rvf_vsodium_crypto_sign_ed25519_verify_detached(const unsigned char *sig, const unsigned char *m,
                                                    unsigned long long mlen, const unsigned char *pk);
void rvf_vsodium_sodium_memzero(void *pnt, size_t len);
}

namespace rvf::crypto::detail {

namespace {
struct SecretKey { // seed ‖ public key, wiped when the call ends
    unsigned char sk[64];
    ~SecretKey() { rvf_vsodium_sodium_memzero(sk, sizeof sk); }
};
} // namespace

void vendored_public_key(const uint8_t seed[32], uint8_t pk[32]) {
    SecretKey k;
    rvf_vsodium_crypto_sign_ed25519_seed_keypair(pk, k.sk, seed);
}

void vendored_sign(const uint8_t seed[32], const uint8_t pk[32], const uint8_t *msg, size_t len, uint8_t sig[64]) {
    // libsodium's secret key is seed ‖ public key: assembled, not re-derived (that would cost a
    // second scalar multiplication per signature).
    SecretKey k;
    std::memcpy(k.sk, seed, 32);
    std::memcpy(k.sk + 32, pk, 32);
    rvf_vsodium_crypto_sign_ed25519_detached(sig, nullptr, msg, len, k.sk);
}

bool vendored_verify(const uint8_t pk[32], const uint8_t *msg, size_t len, const uint8_t sig[64]) {
    return rvf_vsodium_crypto_sign_ed25519_verify_detached(sig, msg, len, pk) == 0;
}

} // namespace rvf::crypto::detail

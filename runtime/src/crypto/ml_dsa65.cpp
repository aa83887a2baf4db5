// ML-DSA-65 through the vendored PQClean ml-dsa-65/clean (third_party/pqclean-ml-dsa-65). PQClean
// takes its randomness from a randombytes() hook; this file defines that hook (renamed
// rvf_pqc_randombytes by rvf_pqclean_prefix.h) to hand out exactly the bytes the caller supplied
// for this call, so keys and signatures are functions of their inputs (see ml_dsa65.hpp).
#include <rvf/crypto/ml_dsa65.hpp>

#include <cstdlib>
#include <cstring>

extern "C" {
int PQCLEAN_MLDSA65_CLEAN_crypto_sign_keypair(uint8_t *pk, uint8_t *sk);
int PQCLEAN_MLDSA65_CLEAN_crypto_sign_signature(uint8_t *sig, size_t *siglen, const uint8_t *m, size_t mlen,
                                                const uint8_t *sk);
int PQCLEAN_MLDSA65_CLEAN_crypto_sign_verify(const uint8_t *sig, size_t siglen, const uint8_t *m, size_t mlen,
                                             const uint8_t *pk);
int rvf_pqc_randombytes(uint8_t *out, size_t n);
}

namespace {
// The bytes the current call lets PQClean draw. thread_local: concurrent signers on other threads
// each hand out their own.
thread_local const uint8_t *g_supply = nullptr;
thread_local size_t g_supply_left = 0;

struct Supply { // scoped: set for one PQClean call, cleared after it
    Supply(const uint8_t *p, size_t n) {
        g_supply = p;
        g_supply_left = n;
    }
    ~Supply() {
        g_supply = nullptr;
        g_supply_left = 0;
    }
};
} // namespace

extern "C" int rvf_pqc_randombytes(uint8_t *out, size_t n) {
    // PQClean asks for 32 bytes once per keygen and once per signature. Asking for more than the
    // call supplied would mean the vendored code changed: stop rather than sign with guessed bytes.
    if (n > g_supply_left || g_supply == nullptr)
        std::abort();
    std::memcpy(out, g_supply, n);
    g_supply += n;
    g_supply_left -= n;
    return 0;
}

namespace rvf::crypto {

MlDsa65KeyPair::~MlDsa65KeyPair() {
    volatile uint8_t *p = secret_key.data();
    for (size_t i = 0; i < secret_key.size(); ++i)
        p[i] = 0;
}

std::unique_ptr<MlDsa65KeyPair> ml_dsa65_keypair_from_seed(const MlDsa65Seed &seed) {
    auto k = std::make_unique<MlDsa65KeyPair>();
    Supply s(seed.data(), seed.size());
    PQCLEAN_MLDSA65_CLEAN_crypto_sign_keypair(k->public_key.data(), k->secret_key.data());
    return k;
}

MlDsa65Signature ml_dsa65_sign(const MlDsa65KeyPair &key, core::ByteView message, const MlDsa65Rnd &rnd) {
    MlDsa65Signature sig{};
    size_t len = 0;
    Supply s(rnd.data(), rnd.size());
    PQCLEAN_MLDSA65_CLEAN_crypto_sign_signature(sig.data(), &len, message.data, message.size,
                                                key.secret_key.data());
    return sig;
}

bool ml_dsa65_verify(const MlDsa65PublicKey &public_key, core::ByteView message, const MlDsa65Signature &signature) {
    return PQCLEAN_MLDSA65_CLEAN_crypto_sign_verify(signature.data(), signature.size(), message.data, message.size,
                                                    public_key.data()) == 0;
}

} // namespace rvf::crypto

// Backend dispatch for rvf/crypto/ed25519.hpp: Default → libsodium where this build links it,
// else the vendored copy. The two backends live in ed25519_libsodium.cpp / ed25519_vendored.cpp.
#include <rvf/crypto/ed25519.hpp>

#include "ed25519_backends.hpp"

namespace rvf::crypto {

namespace {
Ed25519Backend resolve(Ed25519Backend b) {
    if (b == Ed25519Backend::Libsodium && detail::libsodium_available())
        return b;
    if (b == Ed25519Backend::Default && detail::libsodium_available())
        return Ed25519Backend::Libsodium;
    return Ed25519Backend::Vendored;
}
} // namespace

bool ed25519_backend_available(Ed25519Backend b) {
    return b != Ed25519Backend::Libsodium || detail::libsodium_available();
}

const char *ed25519_backend_name(Ed25519Backend b) {
    return resolve(b) == Ed25519Backend::Libsodium ? "libsodium" : "vendored";
}

Ed25519KeyPair ed25519_keypair_from_seed(const Ed25519Seed &seed, Ed25519Backend b) {
    Ed25519KeyPair k;
    k.seed = seed;
    if (resolve(b) == Ed25519Backend::Libsodium)
        detail::libsodium_public_key(seed.data(), k.public_key.data());
    else
        detail::vendored_public_key(seed.data(), k.public_key.data());
    return k;
}

Ed25519Signature ed25519_sign(const Ed25519KeyPair &key, core::ByteView message, Ed25519Backend b) {
    Ed25519Signature sig{};
    if (resolve(b) == Ed25519Backend::Libsodium)
        detail::libsodium_sign(key.seed.data(), key.public_key.data(), message.data, message.size, sig.data());
    else
        detail::vendored_sign(key.seed.data(), key.public_key.data(), message.data, message.size, sig.data());
    return sig;
}

bool ed25519_verify(const Ed25519PublicKey &public_key, core::ByteView message, const Ed25519Signature &signature,
                    Ed25519Backend b) {
    if (resolve(b) == Ed25519Backend::Libsodium)
        return detail::libsodium_verify(public_key.data(), message.data, message.size, signature.data());
    return detail::vendored_verify(public_key.data(), message.data, message.size, signature.data());
}

} // namespace rvf::crypto

// ML-DSA-65 (rvf/crypto/ml_dsa65.hpp): the NIST known-answer record PQClean pins for its
// ml-dsa-65 (META.yml `nistkat-sha256`), plus determinism and rejection checks.
//
// The KAT: PQClean's NIST harness seeds NIST's AES-256 CTR_DRBG with the bytes 00..2f, draws a
// 48-byte seed and a 33-byte message, reseeds with that seed, then runs keygen (32 drawn bytes:
// ξ) and sign (32 drawn bytes: rnd), and prints one record. The SHA-256 of that record is what
// PQClean publishes. The DRBG needs AES-256 and the check SHA-256: OpenSSL's libcrypto supplies
// both, in native builds only (tests/CMakeLists.txt links it to this test alone). Builds without
// it (Emscripten) check the same record through the DRBG's outputs, recorded below from the
// native run, and a SHAKE-256 digest of its pk ‖ sm.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <rvf/core/hash/shake256.hpp>
#include <rvf/crypto/ml_dsa65.hpp>

#if RVF_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/sha.h>
#endif

using namespace rvf;
using namespace rvf::crypto;

namespace {

// PQClean crypto_sign/ml-dsa-65/META.yml (PQClean commit 0fe83917), nistkat-sha256.
constexpr const char *kNistKatSha256 = "7cb96242eac9907a55b5c84c202f0ebd552419c50b2e986dc2e28f07ecebf072";

// The KAT record's inputs as the DRBG produced them (native run of NistKatRecordMatchesPqclean):
// ξ for keygen, rnd for signing, the 33-byte message; and SHAKE-256/256(pk ‖ sig ‖ msg).
constexpr const char *kKatXi = "7c9935a0b07694aa0c6d10e4db6b1add2fd81a25ccb148032dcd739936737f2d";
constexpr const char *kKatRnd = "8626ed79d451140800e03b59b956f8210e556067407d13dc90fa9e8b872bfb8f";
constexpr const char *kKatMsg = "d81c4d8d734fcbfbeade3d3f8a039faa2a2c9957e835ad55b22e75bf57bb556ac8";
constexpr const char *kKatShake = "98dd5a8ec131301bc716fabd2a4df26ca9552a40bb45ec2336470add442f6f76";

std::string hex(const uint8_t *p, size_t n, bool upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += digits[p[i] >> 4];
        s += digits[p[i] & 15];
    }
    return s;
}

std::vector<uint8_t> unhex(const std::string &h) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
    return out;
}

std::string shake_hex(const std::vector<uint8_t> &bytes) {
    uint8_t d[32];
    core::shake256(core::ByteView(bytes.data(), bytes.size()), d, sizeof d);
    return hex(d, sizeof d, false);
}

MlDsa65Seed seed_of(uint8_t fill) {
    MlDsa65Seed s{};
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = static_cast<uint8_t>(fill * 31 + i);
    return s;
}

#if RVF_TEST_HAVE_OPENSSL
/// NIST SP 800-90A AES-256 CTR_DRBG without derivation function, as NIST's KAT generator
/// (rng.c) uses it: no personalisation, no reseed.
class NistDrbg {
public:
    explicit NistDrbg(const uint8_t entropy[48]) { update(entropy); }
    void generate(uint8_t *out, size_t n) {
        while (n > 0) {
            increment();
            uint8_t block[16];
            encrypt(v_, block);
            const size_t take = n < 16 ? n : 16;
            std::memcpy(out, block, take);
            out += take;
            n -= take;
        }
        update(nullptr);
    }

private:
    void increment() {
        for (int j = 15; j >= 0; --j)
            if (++v_[j] != 0)
                break;
    }
    void encrypt(const uint8_t in[16], uint8_t out[16]) const {
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        int len = 0;
        EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), nullptr, key_, nullptr);
        EVP_CIPHER_CTX_set_padding(ctx, 0);
        EVP_EncryptUpdate(ctx, out, &len, in, 16);
        EVP_CIPHER_CTX_free(ctx);
    }
    void update(const uint8_t *provided) {
        uint8_t temp[48];
        for (int i = 0; i < 3; ++i) {
            increment();
            encrypt(v_, temp + 16 * i);
        }
        if (provided)
            for (int i = 0; i < 48; ++i)
                temp[i] ^= provided[i];
        std::memcpy(key_, temp, 32);
        std::memcpy(v_, temp + 32, 16);
    }
    uint8_t key_[32] = {};
    uint8_t v_[16] = {};
};
#endif

} // namespace

TEST(MlDsa65, SizesAreFips204Category3) {
    EXPECT_EQ(kMlDsa65PublicKeyBytes, 1952u);
    EXPECT_EQ(kMlDsa65SignatureBytes, 3309u);
    EXPECT_EQ(kMlDsa65SecretKeyBytes, 4032u);
}

#if RVF_TEST_HAVE_OPENSSL
TEST(MlDsa65, NistKatRecordMatchesPqclean) {
    uint8_t entropy[48];
    for (int i = 0; i < 48; ++i)
        entropy[i] = static_cast<uint8_t>(i);
    NistDrbg outer(entropy);
    uint8_t seed[48], msg[33];
    outer.generate(seed, sizeof seed);
    outer.generate(msg, sizeof msg);
    NistDrbg inner(seed);
    MlDsa65Seed xi{};
    MlDsa65Rnd rnd{};
    inner.generate(xi.data(), xi.size());
    inner.generate(rnd.data(), rnd.size());
    const auto key = ml_dsa65_keypair_from_seed(xi);
    const auto sig = ml_dsa65_sign(*key, core::ByteView(msg, sizeof msg), rnd);
    std::vector<uint8_t> sm(sig.begin(), sig.end());
    sm.insert(sm.end(), msg, msg + sizeof msg); // crypto_sign's attached form: sig ‖ m

    std::string rec = "count = 0\n";
    rec += "seed = " + hex(seed, 48, true) + "\n";
    rec += "mlen = 33\n";
    rec += "msg = " + hex(msg, 33, true) + "\n";
    rec += "pk = " + hex(key->public_key.data(), key->public_key.size(), true) + "\n";
    rec += "sk = " + hex(key->secret_key.data(), key->secret_key.size(), true) + "\n";
    rec += "smlen = " + std::to_string(sm.size()) + "\n";
    rec += "sm = " + hex(sm.data(), sm.size(), true) + "\n";
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char *>(rec.data()), rec.size(), digest);
    EXPECT_EQ(hex(digest, sizeof digest, false), kNistKatSha256) << "the record differs from PQClean's";
    EXPECT_TRUE(ml_dsa65_verify(key->public_key, core::ByteView(msg, sizeof msg), sig));

    // The inputs and digest the builds without OpenSSL replay (kKat* above).
    std::vector<uint8_t> all(key->public_key.begin(), key->public_key.end());
    all.insert(all.end(), sm.begin(), sm.end());
    EXPECT_EQ(hex(xi.data(), xi.size(), false), kKatXi);
    EXPECT_EQ(hex(rnd.data(), rnd.size(), false), kKatRnd);
    EXPECT_EQ(hex(msg, sizeof msg, false), kKatMsg);
    EXPECT_EQ(shake_hex(all), kKatShake);
}
#endif

TEST(MlDsa65, KatRecordReplaysFromRecordedDrbgOutputs) {
    const auto xi_bytes = unhex(kKatXi), rnd_bytes = unhex(kKatRnd), msg = unhex(kKatMsg);
    ASSERT_EQ(xi_bytes.size(), 32u);
    ASSERT_EQ(rnd_bytes.size(), 32u);
    MlDsa65Seed xi{};
    MlDsa65Rnd rnd{};
    std::memcpy(xi.data(), xi_bytes.data(), 32);
    std::memcpy(rnd.data(), rnd_bytes.data(), 32);
    const auto key = ml_dsa65_keypair_from_seed(xi);
    const auto sig = ml_dsa65_sign(*key, core::ByteView(msg.data(), msg.size()), rnd);
    std::vector<uint8_t> all(key->public_key.begin(), key->public_key.end());
    all.insert(all.end(), sig.begin(), sig.end());
    all.insert(all.end(), msg.begin(), msg.end());
    EXPECT_EQ(shake_hex(all), kKatShake);
    EXPECT_TRUE(ml_dsa65_verify(key->public_key, core::ByteView(msg.data(), msg.size()), sig));
}

TEST(MlDsa65, SameSeedSameKeysAndDeterministicSignatures) {
    const auto a = ml_dsa65_keypair_from_seed(seed_of(1));
    const auto b = ml_dsa65_keypair_from_seed(seed_of(1));
    const auto c = ml_dsa65_keypair_from_seed(seed_of(2));
    EXPECT_EQ(a->public_key, b->public_key);
    EXPECT_NE(a->public_key, c->public_key);
    const std::string m = "rvf segment";
    const core::ByteView mv(reinterpret_cast<const uint8_t *>(m.data()), m.size());
    const auto s1 = ml_dsa65_sign(*a, mv);
    const auto s2 = ml_dsa65_sign(*b, mv);
    EXPECT_EQ(s1, s2) << "rnd = zeros: FIPS 204 deterministic signing";
    MlDsa65Rnd hedge{};
    hedge[0] = 1;
    const auto s3 = ml_dsa65_sign(*a, mv, hedge);
    EXPECT_NE(s1, s3);
    EXPECT_TRUE(ml_dsa65_verify(a->public_key, mv, s1));
    EXPECT_TRUE(ml_dsa65_verify(a->public_key, mv, s3));
}

TEST(MlDsa65, RejectsOtherKeyChangedMessageAndFlippedSignatureBits) {
    const auto a = ml_dsa65_keypair_from_seed(seed_of(3));
    const auto c = ml_dsa65_keypair_from_seed(seed_of(4));
    std::vector<uint8_t> m(100);
    for (size_t i = 0; i < m.size(); ++i)
        m[i] = static_cast<uint8_t>(i * 7);
    const core::ByteView mv(m.data(), m.size());
    const auto sig = ml_dsa65_sign(*a, mv);
    EXPECT_TRUE(ml_dsa65_verify(a->public_key, mv, sig));
    EXPECT_FALSE(ml_dsa65_verify(c->public_key, mv, sig));
    auto changed = m;
    changed[50] ^= 1;
    EXPECT_FALSE(ml_dsa65_verify(a->public_key, core::ByteView(changed.data(), changed.size()), sig));
    for (size_t at : {size_t{0}, size_t{100}, size_t{2000}, kMlDsa65SignatureBytes - 1}) {
        auto bad = sig;
        bad[at] ^= 0x10;
        EXPECT_FALSE(ml_dsa65_verify(a->public_key, mv, bad)) << "bit flipped at byte " << at;
    }
}

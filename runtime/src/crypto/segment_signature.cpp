// Segment signature message, footer and CRYPTO_SEG codec. See rvf/crypto/segment_signature.hpp.
#include <rvf/crypto/segment_signature.hpp>

#include <cstring>
#include <memory>

#include <rvf/core/format/manifest_l0.hpp>
#include <rvf/core/hash/shake256.hpp>

namespace rvf::crypto {

size_t signature_bytes(SignatureAlgo a) {
    return a == SignatureAlgo::Ed25519 ? kEd25519SignatureBytes : a == SignatureAlgo::MlDsa65 ? kMlDsa65SignatureBytes : 0;
}

size_t public_key_bytes(SignatureAlgo a) {
    return a == SignatureAlgo::Ed25519 ? kEd25519PublicKeyBytes : a == SignatureAlgo::MlDsa65 ? kMlDsa65PublicKeyBytes : 0;
}

bool signature_algo_implemented(uint16_t a) {
    return a == static_cast<uint16_t>(SignatureAlgo::Ed25519) || a == static_cast<uint16_t>(SignatureAlgo::MlDsa65);
}

const char *signature_algo_name(SignatureAlgo a) {
    switch (a) {
    case SignatureAlgo::Ed25519: return "ed25519";
    case SignatureAlgo::MlDsa65: return "ml-dsa-65";
    case SignatureAlgo::SlhDsa128s: return "slh-dsa-128s";
    }
    return "unknown";
}

std::optional<SignatureAlgo> signature_algo_from_name(const std::string &name) {
    for (SignatureAlgo a : {SignatureAlgo::Ed25519, SignatureAlgo::MlDsa65, SignatureAlgo::SlhDsa128s})
        if (name == signature_algo_name(a))
            return a;
    return std::nullopt;
}

KeyId key_id_of(core::ByteView public_key) {
    KeyId id{};
    core::shake256(public_key, id.data(), id.size());
    return id;
}

KeyId key_id_of(const Ed25519PublicKey &pk) { return key_id_of(core::ByteView(pk.data(), pk.size())); }

bool verify_signature(SignatureAlgo algo, core::ByteView public_key, core::ByteView message, core::ByteView signature) {
    if (public_key.size != public_key_bytes(algo) || signature.size != signature_bytes(algo))
        return false;
    if (algo == SignatureAlgo::Ed25519) {
        Ed25519PublicKey pk{};
        Ed25519Signature sig{};
        std::memcpy(pk.data(), public_key.data, pk.size());
        std::memcpy(sig.data(), signature.data, sig.size());
        return ed25519_verify(pk, message, sig);
    }
    if (algo == SignatureAlgo::MlDsa65) {
        auto pk = std::make_unique<MlDsa65PublicKey>();
        auto sig = std::make_unique<MlDsa65Signature>();
        std::memcpy(pk->data(), public_key.data, pk->size());
        std::memcpy(sig->data(), signature.data, sig->size());
        return ml_dsa65_verify(*pk, message, *sig);
    }
    return false;
}

std::string key_id_hex(const KeyId &id) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (uint8_t b : id) {
        s += kHex[b >> 4];
        s += kHex[b & 15];
    }
    return s;
}

std::optional<KeyId> key_id_from_hex(const std::string &hex) {
    if (hex.size() != 2 * kKeyIdBytes)
        return std::nullopt;
    KeyId id{};
    for (size_t i = 0; i < id.size(); ++i) {
        uint8_t v = 0;
        for (size_t k = 0; k < 2; ++k) {
            const char c = hex[2 * i + k];
            const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                                       : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                                              : -1;
            if (d < 0)
                return std::nullopt;
            v = static_cast<uint8_t>(v << 4 | d);
        }
        id[i] = v;
    }
    return id;
}

std::vector<uint8_t> segment_signing_message(const uint8_t header[64], core::ByteView payload) {
    static constexpr char kContext[] = "RVF-v1-segment";
    std::vector<uint8_t> m(header, header + 0x38); // bytes 0x00..0x27, then content_hash 0x28..0x37
    m.insert(m.end(), kContext, kContext + sizeof kContext - 1);
    uint8_t id[8];
    std::memcpy(id, header + 0x08, 8); // segment_id, already little-endian in the header
    m.insert(m.end(), id, id + 8);
    uint8_t digest[16];
    core::shake256(payload, digest, sizeof digest);
    m.insert(m.end(), digest, digest + sizeof digest);
    return m;
}

std::vector<uint8_t> root_signing_message(uint64_t segment_id, core::ByteView payload, size_t root_at) {
    static constexpr char kContext[] = "RVF-v1-root";
    std::vector<uint8_t> copy(payload.data, payload.data + payload.size);
    if (root_at + core::kRootManifestSize <= copy.size()) {
        std::memset(copy.data() + root_at + core::l0_off::signature, 0, core::kRootSignatureMax);
        std::memset(copy.data() + root_at + core::l0_off::root_checksum, 0, 4);
    }
    std::vector<uint8_t> m(kContext, kContext + sizeof kContext - 1);
    uint8_t id[8];
    core::store_u64_le(id, segment_id);
    m.insert(m.end(), id, id + 8);
    uint8_t digest[32];
    core::shake256(core::ByteView(copy.data(), copy.size()), digest, sizeof digest);
    m.insert(m.end(), digest, digest + sizeof digest);
    return m;
}

std::vector<uint8_t> encode_signature_footer(SignatureAlgo algo, core::ByteView signature) {
    std::vector<uint8_t> f(kFooterFixedBytes + signature.size);
    core::store_u16_le(f.data(), static_cast<uint16_t>(algo));
    core::store_u16_le(f.data() + 2, static_cast<uint16_t>(signature.size));
    if (signature.size)
        std::memcpy(f.data() + 4, signature.data, signature.size);
    core::store_u32_le(f.data() + 4 + signature.size, static_cast<uint32_t>(f.size()));
    return f;
}

bool decode_signature_footer(core::ByteView after, SignatureFooter &out) {
    if (after.size < kFooterFixedBytes)
        return false;
    out.sig_algo = core::load_u16_le(after.data);
    out.sig_length = core::load_u16_le(after.data + 2);
    if (out.sig_length > kMaxSignatureBytes || after.size < kFooterFixedBytes + out.sig_length)
        return false;
    out.signature = after.sub(4, out.sig_length);
    out.footer_length = core::load_u32_le(after.data + 4 + out.sig_length);
    return out.footer_length == kFooterFixedBytes + out.sig_length;
}

std::vector<uint8_t> encode_crypto_seg(const SigningKeyRecord &rec) {
    const size_t n = rec.public_key.size();
    std::vector<uint8_t> p(2 + kKeyIdBytes + n + 16);
    p[0] = 0; // key_type: signing public key
    p[1] = static_cast<uint8_t>(rec.algorithm);
    std::memcpy(p.data() + 2, rec.key_id.data(), kKeyIdBytes);
    if (n)
        std::memcpy(p.data() + 2 + kKeyIdBytes, rec.public_key.data(), n);
    core::store_u64_le(p.data() + 2 + kKeyIdBytes + n, rec.valid_from_ns);
    core::store_u64_le(p.data() + 2 + kKeyIdBytes + n + 8, rec.valid_until_ns);
    return p;
}

bool decode_crypto_seg(core::ByteView payload, std::vector<SigningKeyRecord> &out) {
    if (payload.size == 0)
        return false;
    for (size_t at = 0; at < payload.size;) {
        const uint8_t *p = payload.data + at;
        if (payload.size - at < 2 || p[0] != 0 || !signature_algo_implemented(p[1]))
            return false; // certificate chains, encryption keys, rotation records: not written by us
        SigningKeyRecord r;
        r.algorithm = static_cast<SignatureAlgo>(p[1]);
        const size_t n = public_key_bytes(r.algorithm);
        if (payload.size - at < 2 + kKeyIdBytes + n + 16)
            return false;
        std::memcpy(r.key_id.data(), p + 2, kKeyIdBytes);
        r.public_key.assign(p + 2 + kKeyIdBytes, p + 2 + kKeyIdBytes + n);
        r.valid_from_ns = core::load_u64_le(p + 2 + kKeyIdBytes + n);
        r.valid_until_ns = core::load_u64_le(p + 2 + kKeyIdBytes + n + 8);
        if (key_id_of(core::ByteView(r.public_key.data(), n)) != r.key_id)
            return false;
        out.push_back(std::move(r));
        at += 2 + kKeyIdBytes + n + 16;
    }
    return true;
}

std::vector<uint8_t> SegmentSigner::sign(core::ByteView message) const {
    if (algorithm == SignatureAlgo::MlDsa65) {
        const auto sig = std::make_unique<MlDsa65Signature>(ml_dsa65_sign(*ml_dsa, message));
        return std::vector<uint8_t>(sig->begin(), sig->end());
    }
    const auto sig = ed25519_sign(key, message);
    return std::vector<uint8_t>(sig.begin(), sig.end());
}

std::shared_ptr<const SegmentSigner> SegmentSigner::from_seed(const Ed25519Seed &seed, SignatureAlgo algo) {
    auto s = std::make_shared<SegmentSigner>();
    s->algorithm = algo;
    if (algo == SignatureAlgo::Ed25519) {
        s->key = ed25519_keypair_from_seed(seed);
        s->public_key.assign(s->key.public_key.begin(), s->key.public_key.end());
    } else if (algo == SignatureAlgo::MlDsa65) {
        s->ml_dsa = ml_dsa65_keypair_from_seed(seed);
        s->public_key.assign(s->ml_dsa->public_key.begin(), s->ml_dsa->public_key.end());
    } else {
        return nullptr;
    }
    s->key_id = key_id_of(core::ByteView(s->public_key.data(), s->public_key.size()));
    return s;
}

} // namespace rvf::crypto

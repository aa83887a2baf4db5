// Segment signature message, footer and CRYPTO_SEG codec. See rvf/crypto/segment_signature.hpp.
#include <rvf/crypto/segment_signature.hpp>

#include <cstring>

#include <rvf/core/format/manifest_l0.hpp>
#include <rvf/core/hash/shake256.hpp>

namespace rvf::crypto {

KeyId key_id_of(const Ed25519PublicKey &pk) {
    KeyId id{};
    core::shake256(core::ByteView(pk.data(), pk.size()), id.data(), id.size());
    return id;
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
    std::vector<uint8_t> p(kEd25519KeyRecordBytes);
    p[0] = 0; // key_type: signing public key
    p[1] = 0; // algorithm: Ed25519
    std::memcpy(p.data() + 2, rec.key_id.data(), kKeyIdBytes);
    std::memcpy(p.data() + 2 + kKeyIdBytes, rec.public_key.data(), rec.public_key.size());
    core::store_u64_le(p.data() + 2 + kKeyIdBytes + 32, rec.valid_from_ns);
    core::store_u64_le(p.data() + 2 + kKeyIdBytes + 40, rec.valid_until_ns);
    return p;
}

bool decode_crypto_seg(core::ByteView payload, std::vector<SigningKeyRecord> &out) {
    if (payload.size == 0 || payload.size % kEd25519KeyRecordBytes != 0)
        return false;
    for (size_t at = 0; at < payload.size; at += kEd25519KeyRecordBytes) {
        const uint8_t *p = payload.data + at;
        if (p[0] != 0 || p[1] != 0)
            return false; // certificate chains, encryption keys, rotation records: not written by us
        SigningKeyRecord r;
        std::memcpy(r.key_id.data(), p + 2, kKeyIdBytes);
        std::memcpy(r.public_key.data(), p + 2 + kKeyIdBytes, 32);
        r.valid_from_ns = core::load_u64_le(p + 2 + kKeyIdBytes + 32);
        r.valid_until_ns = core::load_u64_le(p + 2 + kKeyIdBytes + 40);
        if (key_id_of(r.public_key) != r.key_id)
            return false;
        out.push_back(r);
    }
    return true;
}

std::shared_ptr<const SegmentSigner> SegmentSigner::from_seed(const Ed25519Seed &seed) {
    auto s = std::make_shared<SegmentSigner>();
    s->key = ed25519_keypair_from_seed(seed);
    s->key_id = key_id_of(s->key.public_key);
    return s;
}

} // namespace rvf::crypto

// rvf/crypto/segment_signature.hpp — segment signatures (spec §6.10): the signed message, the
// signature footer, CRYPTO_SEG key records, and the signer a writer carries.
//
// On disk (Layout S, see docs/signing.md): a SIGNED segment is
//   [64-B header, flags |= SIGNED][payload][footer][zero fill to 64]
// footer = u16 sig_algo | u16 sig_length | signature | u32 footer_length (= 8 + sig_length).
// payload_length and the content hash exclude the footer (spec §2); alignment_pad counts every
// byte after the payload — footer and fill — so a reader that skips 64 + payload_length +
// alignment_pad lands on the next header without parsing the footer.
// MANIFEST segments are not footer-signed: their Level-0 root has its own signature field
// (sig_algo / sig_length / signature at 0x098), which keeps the root at the end of the file
// where the tail scan looks for it.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <rvf/core/bytes.hpp>
#include <rvf/crypto/ed25519.hpp>
#include <rvf/crypto/ml_dsa65.hpp>

namespace rvf::crypto {

/// SignatureAlgo (spec §6.10; also the CRYPTO_SEG record's algorithm byte). Ed25519 and ML-DSA-65
/// are implemented; SLH-DSA-128s is refused by name.
enum class SignatureAlgo : uint16_t { Ed25519 = 0, MlDsa65 = 1, SlhDsa128s = 2 };
/// Signature / public key size of an implemented algorithm; 0 for the others.
size_t signature_bytes(SignatureAlgo a);
size_t public_key_bytes(SignatureAlgo a);
bool signature_algo_implemented(uint16_t a);
/// "ed25519", "ml-dsa-65", "slh-dsa-128s" (the names the CLI and the SDK take); "unknown" otherwise.
const char *signature_algo_name(SignatureAlgo a);
std::optional<SignatureAlgo> signature_algo_from_name(const std::string &name);
inline constexpr size_t kFooterFixedBytes = 8;      // u16 algo + u16 length + u32 footer_length
inline constexpr size_t kMaxSignatureBytes = 7856;  // SLH-DSA-128s, the largest the spec names
inline constexpr size_t kKeyIdBytes = 16;

using KeyId = std::array<uint8_t, kKeyIdBytes>;

/// Key id of an Ed25519 public key: the first 16 bytes of SHAKE-256(public key). The spec says
/// only "hash of pk"; SHAKE-256 is the hash the format already uses for witnesses.
KeyId key_id_of(core::ByteView public_key);
KeyId key_id_of(const Ed25519PublicKey &pk);
std::string key_id_hex(const KeyId &id);
/// Parse 32 hex digits; nullopt when malformed.
std::optional<KeyId> key_id_from_hex(const std::string &hex);

/// True when `signature` is `algo`'s valid signature of `message` under `public_key` (false for
/// wrong sizes and unimplemented algorithms).
bool verify_signature(SignatureAlgo algo, core::ByteView public_key, core::ByteView message, core::ByteView signature);

/// The message a segment signature covers (either algorithm) — upstream rvf-crypto's `sign_segment`
/// form (spec §6.10 / §12 row 26): header bytes 0x00..0x27 ‖ content_hash (header 0x28..0x37)
/// ‖ "RVF-v1-segment" ‖ u64 LE segment_id ‖ SHAKE-256/128(payload). `header` is the encoded
/// 64-byte header as written (SIGNED flag set, content hash filled in).
std::vector<uint8_t> segment_signing_message(const uint8_t header[64], core::ByteView payload);

/// The message a manifest's Level-0 root signature covers (ours; upstream never signs roots):
/// "RVF-v1-root" ‖ u64 LE segment_id ‖ SHAKE-256/256(manifest payload with the root's
/// signature bytes and root_checksum zeroed). `root_at` is the root's offset in `payload`.
std::vector<uint8_t> root_signing_message(uint64_t segment_id, core::ByteView payload, size_t root_at);

struct SignatureFooter {
    uint16_t sig_algo = 0;
    uint16_t sig_length = 0;
    core::ByteView signature; ///< points into the bytes decoded
    uint32_t footer_length = 0;
};
std::vector<uint8_t> encode_signature_footer(SignatureAlgo algo, core::ByteView signature);
/// Decode the footer that starts `after` (the bytes following the payload, at least the whole
/// footer). false when it is cut short or its lengths disagree.
bool decode_signature_footer(core::ByteView after, SignatureFooter &out);

/// One CRYPTO_SEG record (spec §6.10): u8 key_type (0 = signing public key) | u8 algorithm
/// (0 = Ed25519, 1 = ML-DSA-65) | key_id[16] | key_data (32 B Ed25519, 1,952 B ML-DSA-65) |
/// u64 valid_from_ns | u64 valid_until_ns. Records of both algorithms may follow each other.
struct SigningKeyRecord {
    KeyId key_id{};
    SignatureAlgo algorithm = SignatureAlgo::Ed25519;
    std::vector<uint8_t> public_key; ///< public_key_bytes(algorithm) bytes
    uint64_t valid_from_ns = 0;
    uint64_t valid_until_ns = 0; ///< 0 = never expires
};
inline constexpr size_t kEd25519KeyRecordBytes = 2 + kKeyIdBytes + kEd25519PublicKeyBytes + 16;
inline constexpr size_t kMlDsa65KeyRecordBytes = 2 + kKeyIdBytes + kMlDsa65PublicKeyBytes + 16;
std::vector<uint8_t> encode_crypto_seg(const SigningKeyRecord &rec);
/// Records of a CRYPTO_SEG payload we understand (Ed25519 / ML-DSA-65 signing keys whose id
/// matches their key); false when the payload is not a whole sequence of such records.
bool decode_crypto_seg(core::ByteView payload, std::vector<SigningKeyRecord> &out);

/// What a writer signs with: the key pair and its id, made once per store handle. The secret is
/// a 32-byte seed for both algorithms (Ed25519: RFC 8032's private key; ML-DSA-65: FIPS 204's ξ).
struct SegmentSigner {
    SignatureAlgo algorithm = SignatureAlgo::Ed25519;
    Ed25519KeyPair key;                     ///< Ed25519 only
    std::shared_ptr<MlDsa65KeyPair> ml_dsa; ///< ML-DSA-65 only
    std::vector<uint8_t> public_key;
    KeyId key_id{};
    /// Detached signature of `message` (signature_bytes(algorithm) bytes; deterministic).
    std::vector<uint8_t> sign(core::ByteView message) const;
    /// SLH-DSA-128s (not implemented) yields nullptr; check signature_algo_implemented first.
    static std::shared_ptr<const SegmentSigner> from_seed(const Ed25519Seed &seed,
                                                          SignatureAlgo algo = SignatureAlgo::Ed25519);
};

} // namespace rvf::crypto

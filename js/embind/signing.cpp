// Signing conversions of the Embind surface (signing.hpp). The checks name the option and say
// what to pass, as the addon's do (native/src/signing.cpp).
#include "signing.hpp"

#include <rvf/core/format/segment_header.hpp>

#include "convert.hpp"

namespace rvf::js {

Result<std::pair<crypto::SignatureAlgo, crypto::Ed25519Seed>> signing_key_from_js(const std::string &algorithm,
                                                                                  const val &key, size_t n) {
    const auto a = crypto::signature_algo_from_name(algorithm);
    if (!a || !crypto::signature_algo_implemented(static_cast<uint16_t>(*a)))
        return Error{Status::InvalidOptions,
                     "signing.algorithm '" + algorithm + "' is not implemented: use 'ed25519' or 'ml-dsa-65'"};
    crypto::Ed25519Seed seed{};
    if (n != seed.size())
        return Error{Status::InvalidOptions, "signing.key must be the 32-byte secret seed (a Uint8Array of 32 bytes), got " +
                                                 std::to_string(n) + " bytes"};
    const std::vector<uint8_t> bytes = copy_in<uint8_t>(key, n);
    std::copy(bytes.begin(), bytes.end(), seed.begin());
    return std::make_pair(*a, seed);
}

void add_signatures_to_js(val &out, const VerifyReport &r) {
    val sigs = val::array();
    for (const SegmentSignature &s : r.signatures) {
        val row = val::object();
        row.set("segmentId", static_cast<double>(s.segment_id));
        row.set("offset", static_cast<double>(s.offset));
        const char *name = core::seg_type_name(s.seg_type);
        row.set("segType", name ? val(std::string(name)) : val(static_cast<unsigned>(s.seg_type)));
        row.set("state", std::string(s.state == SignatureState::Valid     ? "valid"
                                     : s.state == SignatureState::Unsigned ? "unsigned"
                                                                           : "invalid"));
        if (s.key_id)
            row.set("keyId", crypto::key_id_hex(*s.key_id));
        if (s.algorithm)
            row.set("algorithm", std::string(crypto::signature_algo_name(*s.algorithm)));
        if (!s.what.empty())
            row.set("what", s.what);
        sigs.call<void>("push", row);
    }
    out.set("signatures", sigs);
    val keys = val::array();
    for (const auto &k : r.signing_keys)
        keys.call<void>("push", crypto::key_id_hex(k));
    out.set("signingKeys", keys);
}

val signing_key_id_js(const std::string &algorithm, const val &key, size_t n) {
    auto k = signing_key_from_js(algorithm, key, n);
    if (!k)
        return outcome_err(k.error());
    return outcome_ok(val(crypto::key_id_hex(crypto::SegmentSigner::from_seed(k->second, k->first)->key_id)));
}

} // namespace rvf::js

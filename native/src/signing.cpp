// Signing on the addon (signing.hpp): key parsing, signature states as JS and key ids (RvfDatabase's
// setSigningKey / requireSignature are in database.cpp, beside its store accessors). The checks name the option and say what to pass, as the
// Embind surface's do (js/embind/signing.cpp).
#include "signing.hpp"

#include <string>

#include <rvf/core/format/segment_header.hpp>

#include "errors.hpp"

namespace rvf::node {

std::optional<std::pair<crypto::SignatureAlgo, crypto::Ed25519Seed>> signing_from_js(Napi::Env env,
                                                                                     const Napi::Value &v) {
    if (v.IsUndefined() || (v.IsBoolean() && !v.As<Napi::Boolean>().Value()))
        return std::nullopt;
    if (!v.IsObject() || v.IsArray())
        throw_error(env, Status::InvalidOptions,
                    "signing must be an object {algorithm: 'ed25519' | 'ml-dsa-65', key: Uint8Array(32)}");
    const Napi::Object o = v.As<Napi::Object>();
    const Napi::Array keys = o.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
        const std::string k = keys.Get(i).ToString().Utf8Value();
        if (k != "algorithm" && k != "key")
            throw_error(env, Status::InvalidOptions, "signing: unknown option '" + k + "' (algorithm, key)");
    }
    const Napi::Value a = o.Get("algorithm");
    const std::string name = a.IsString() ? a.As<Napi::String>().Utf8Value() : std::string();
    const auto algo = crypto::signature_algo_from_name(name);
    if (!algo || !crypto::signature_algo_implemented(static_cast<uint16_t>(*algo)))
        throw_error(env, Status::InvalidOptions,
                    "signing.algorithm '" + name + "' is not implemented: use 'ed25519' or 'ml-dsa-65'");
    const Napi::Value key = o.Get("key");
    crypto::Ed25519Seed seed{};
    if (!key.IsTypedArray() || key.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array ||
        key.As<Napi::Uint8Array>().ByteLength() != seed.size())
        throw_error(env, Status::InvalidOptions, "signing.key must be the 32-byte secret seed as a Uint8Array");
    const Napi::Uint8Array bytes = key.As<Napi::Uint8Array>();
    std::copy(bytes.Data(), bytes.Data() + seed.size(), seed.begin());
    return std::make_pair(*algo, seed);
}

void add_signatures_to_js(Napi::Env env, Napi::Object &out, const VerifyReport &r) {
    Napi::Array sigs = Napi::Array::New(env, r.signatures.size());
    for (size_t i = 0; i < r.signatures.size(); ++i) {
        const SegmentSignature &s = r.signatures[i];
        Napi::Object row = Napi::Object::New(env);
        row.Set("segmentId", static_cast<double>(s.segment_id));
        row.Set("offset", static_cast<double>(s.offset));
        const char *name = core::seg_type_name(s.seg_type);
        if (name)
            row.Set("segType", name);
        else
            row.Set("segType", static_cast<double>(s.seg_type));
        row.Set("state", s.state == SignatureState::Valid      ? "valid"
                         : s.state == SignatureState::Unsigned ? "unsigned"
                                                               : "invalid");
        if (s.key_id)
            row.Set("keyId", crypto::key_id_hex(*s.key_id));
        if (s.algorithm)
            row.Set("algorithm", crypto::signature_algo_name(*s.algorithm));
        if (!s.what.empty())
            row.Set("what", s.what);
        sigs.Set(static_cast<uint32_t>(i), row);
    }
    out.Set("signatures", sigs);
    Napi::Array keys = Napi::Array::New(env, r.signing_keys.size());
    for (size_t i = 0; i < r.signing_keys.size(); ++i)
        keys.Set(static_cast<uint32_t>(i), crypto::key_id_hex(r.signing_keys[i]));
    out.Set("signingKeys", keys);
}

Napi::Value signing_key_id_js(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("algorithm", info[0]);
    o.Set("key", info[1]);
    const auto k = signing_from_js(env, o);
    return Napi::String::New(env, crypto::key_id_hex(crypto::SegmentSigner::from_seed(k->second, k->first)->key_id));
}

} // namespace rvf::node

// native/src/signing.hpp — the signing half of the addon: a signing key from JS ({algorithm, key}
// with key the 32-byte secret seed, docs/signing.md), verify()'s per-segment signature states,
// and the key id of a key. The RvfDatabase methods using them are in signing.cpp.
#pragma once
#include <napi.h>

#include <optional>
#include <utility>

#include <rvf/store.hpp>

namespace rvf::node {

/// create({signing}) / setSigningKey(): undefined or false → nullopt; else {algorithm:
/// 'ed25519' | 'ml-dsa-65', key: Uint8Array(32)}, or throws InvalidOptions naming what is wrong.
std::optional<std::pair<crypto::SignatureAlgo, crypto::Ed25519Seed>> signing_from_js(Napi::Env env,
                                                                                     const Napi::Value &v);
/// Adds `signatures` and `signingKeys` to a verify() result object.
void add_signatures_to_js(Napi::Env env, Napi::Object &out, const VerifyReport &r);
/// signingKeyId(algorithm, key): the key id (32 hex digits) of that key.
Napi::Value signing_key_id_js(const Napi::CallbackInfo &info);

} // namespace rvf::node

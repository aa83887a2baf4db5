// js/embind/signing.hpp — the signing half of the Embind surface: a signing key from JS
// ({algorithm, key} with key the 32-byte seed, docs/signing.md), verify()'s per-segment signature
// states as JS, and the key id of a key.
#pragma once
#include <emscripten/val.h>

#include <cstddef>
#include <string>
#include <utility>

#include <rvf/result.hpp>
#include <rvf/store.hpp>

namespace rvf::js {

using emscripten::val;

/// `algorithm` ('ed25519' | 'ml-dsa-65') and the n bytes of `key` (must be 32: the seed), checked.
Result<std::pair<crypto::SignatureAlgo, crypto::Ed25519Seed>> signing_key_from_js(const std::string &algorithm,
                                                                                  const val &key, size_t n);
/// Adds `signatures` ([{segmentId, offset, segType, state, keyId?, algorithm?, what?}]) and
/// `signingKeys` (key id hex strings) to a verify() result object.
void add_signatures_to_js(val &out, const VerifyReport &r);
/// Outcome of the key id (32 hex digits) of `algorithm`'s key with this seed.
val signing_key_id_js(const std::string &algorithm, const val &key, size_t n);

} // namespace rvf::js

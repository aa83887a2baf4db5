// native/src/database_witness.cpp — the audit trail (RvfStore::append_witness / witness_entries):
// appendWitness(witnessType, payload) and witnessEntries(from, limit). Payloads are bytes
// (Uint8Array / Buffer); a string is taken as its UTF-8 bytes. Entries come back as
// {index, witnessType, timestampNs (bigint), prevHash, hash, actionHash (hex), payload
// (Uint8Array, or null for the store's own commit entries)}.
#include <cmath>
#include <string>

#include "convert.hpp"
#include "database.hpp"
#include "errors.hpp"

namespace rvf::node {
namespace {

std::string hex(const std::array<uint8_t, 32> &d) {
    static const char *digits = "0123456789abcdef";
    std::string out;
    for (uint8_t b : d) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

Napi::Object entry_to_js(Napi::Env env, const WitnessRecord &r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("index", static_cast<double>(r.index));
    o.Set("witnessType", r.witness_type);
    o.Set("timestampNs", Napi::BigInt::New(env, r.timestamp_ns));
    o.Set("prevHash", hex(r.prev_hash));
    o.Set("hash", hex(r.hash));
    o.Set("actionHash", hex(r.action_hash));
    if (r.payload) {
        Napi::Uint8Array p = Napi::Uint8Array::New(env, r.payload->size());
        std::copy(r.payload->begin(), r.payload->end(), p.Data());
        o.Set("payload", p);
    } else {
        o.Set("payload", env.Null());
    }
    return o;
}

double count_arg(Napi::Env env, const Napi::Value &v, const char *what, double fallback) {
    if (v.IsUndefined() || v.IsNull())
        return fallback;
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= 9007199254740991.0 && std::floor(d) == d))
        throw_invalid(env, std::string("witnessEntries(from, limit): ") + what + " must be a non-negative integer");
    return d;
}

} // namespace

Napi::Value RvfDatabase::append_witness(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const double t = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
    if (!(t >= 0 && t <= 255 && std::floor(t) == t))
        throw_invalid(env, "appendWitness(witnessType, payload): witnessType must be 3 (delegation), 4 (audit) or 5 "
                           "(attestation)");
    std::vector<uint8_t> payload;
    const Napi::Value p = info[1];
    if (p.IsString()) {
        const std::string s = p.As<Napi::String>().Utf8Value();
        payload.assign(s.begin(), s.end());
    } else if (p.IsTypedArray() && p.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
        const Napi::Uint8Array a = p.As<Napi::Uint8Array>();
        payload.assign(a.Data(), a.Data() + a.ElementLength());
    } else if (!p.IsUndefined() && !p.IsNull()) {
        throw_invalid(env, "appendWitness(witnessType, payload): payload must be a Uint8Array or a string");
    }
    WriteAccess a(*handle_);
    if (!a.store)
        throw_closed(env);
    return entry_to_js(env, take(env, a.store->append_witness(static_cast<uint8_t>(t), payload)));
}

Napi::Value RvfDatabase::witness_entries(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const double from = count_arg(env, info[0], "from", 0);
    const double limit = count_arg(env, info[1], "limit", 9007199254740991.0);
    ReadAccess a(*handle_);
    if (!a.store)
        throw_closed(env);
    const std::vector<WitnessRecord> rs =
        take(env, a.store->witness_entries(static_cast<uint64_t>(from), static_cast<size_t>(limit)));
    Napi::Array out = Napi::Array::New(env, rs.size());
    for (size_t i = 0; i < rs.size(); ++i)
        out.Set(static_cast<uint32_t>(i), entry_to_js(env, rs[i]));
    return out;
}

} // namespace rvf::node

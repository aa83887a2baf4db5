// native/src/errors.hpp — rvf::Error → JS Error. Every error the addon raises carries
// `code` (the u16 status), `name` (its name from rvf/core/status.hpp's one list) and the
// runtime's message form "RVF error 0x0300: LockHeld (detail)" (spec §8: SDKs take the first
// 0x[0-9a-f]{4} of the message, so upstream's prefix is kept).
#pragma once
#include <napi.h>

#include <string>

#include <rvf/result.hpp>

namespace rvf::node {

/// The JS Error object for `e` (not thrown).
Napi::Error make_error(Napi::Env env, const Error &e);
/// Throw `e` as a JS exception (a C++ Napi::Error; node-addon-api turns it into the JS throw).
[[noreturn]] void throw_error(Napi::Env env, const Error &e);
[[noreturn]] void throw_error(Napi::Env env, Status s, const std::string &message);
/// Shorthands for argument errors.
[[noreturn]] void throw_invalid(Napi::Env env, const std::string &message);
[[noreturn]] void throw_closed(Napi::Env env);

/// The value of a Result, or throw its error.
template <class T> T take(Napi::Env env, Result<T> r) {
    if (!r)
        throw_error(env, r.error());
    return std::move(r).value();
}
inline void take(Napi::Env env, const Result<void> &r) {
    if (!r)
        throw_error(env, r.error());
}

/// {name: code} for every status of the one list (exported as RvfStatus).
Napi::Object status_table(Napi::Env env);

} // namespace rvf::node

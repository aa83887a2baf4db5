// openReadonly(path, { verify }) / openReadonlyAsync(path, { verify }) (issue 17): the read-only
// open's options from JS. The default is the in-place Structural open (O(1) in the file size:
// rows and the HNSW graph are used where they lie in the mapping; verify() still hashes every
// payload on demand); verify: 'full' keeps the open that hashes everything first.
#pragma once
#include <string>

#include <napi.h>
#include <rvf/store.hpp>

#include "errors.hpp"

namespace rvf::node {

inline rvf::OpenOptions readonly_options_from_js(Napi::Env env, const Napi::Value &v) {
    rvf::OpenOptions o;
    o.verify = rvf::OpenVerify::Structural;
    if (v.IsUndefined() || v.IsNull())
        return o;
    if (!v.IsObject() || v.IsArray())
        throw_invalid(env, "openReadonly(path, options): options must be an object { verify }");
    const Napi::Object obj = v.As<Napi::Object>();
    const Napi::Array keys = obj.GetPropertyNames();
    for (uint32_t i = 0; i < keys.Length(); ++i) {
        const std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
        if (k != "verify")
            throw_invalid(env, "openReadonly(): unknown option '" + k + "' (accepted: verify)");
    }
    const Napi::Value verify = obj.Get("verify");
    if (verify.IsUndefined())
        return o;
    const std::string s = verify.IsString() ? verify.As<Napi::String>().Utf8Value() : std::string();
    if (s == "full")
        o.verify = rvf::OpenVerify::Full;
    else if (s != "structural")
        throw_invalid(env, "openReadonly(): verify must be 'full' or 'structural', got " +
                               (verify.IsString() ? "'" + s + "'" : std::string("a non-string")));
    return o;
}

} // namespace rvf::node

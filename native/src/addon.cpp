// native/src/addon.cpp — module entry: exports RvfDatabase, RvfShardedCollection, Progressive and the RvfStatus table.
// Context-aware (NODE_API_MODULE): the constructor reference lives in per-environment
// instance data, so the addon loads in worker threads and in Vitest's thread pool.
#include <napi.h>

#include <rvf/store.hpp>
#include <rvf/version.hpp>

#include "convert.hpp"
#include "signing.hpp"
#include "database.hpp"
#include "errors.hpp"
#include "sharded.hpp"
#include "progressive.hpp"

namespace rvf::node {

/// verifyFile(path): every check without opening the store, so a damaged file still gets its
/// list of problems (`rvf verify`). Throws only for a path that is not a string.
Napi::Value verify_file_js(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    return verify_to_js(env, rvf::verify_file(path_from_js(env, info[0])));
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
    auto *data = new AddonData();
    env.SetInstanceData(data); // deleted by node-addon-api when the environment goes away
    Napi::Function ctor = RvfDatabase::define(env);
    data->constructor = Napi::Persistent(ctor);
    exports.Set("RvfDatabase", ctor);
    Napi::Function sharded = RvfShardedCollection::define(env);
    data->sharded_constructor = Napi::Persistent(sharded);
    exports.Set("RvfShardedCollection", sharded);
    exports.Set("Progressive", define_progressive(env)); // the HTTP Range driver's handle (progressive.hpp)
    exports.Set("RvfStatus", status_table(env));
    exports.Set("version", Napi::String::New(env, rvf::version()));
    exports.Set("verifyFile", Napi::Function::New(env, verify_file_js, "verifyFile"));
    exports.Set("signingKeyId", Napi::Function::New(env, signing_key_id_js, "signingKeyId"));
    return exports;
}

} // namespace rvf::node

static Napi::Object rvf_node_init(Napi::Env env, Napi::Object exports) { return rvf::node::init(env, exports); }

NODE_API_MODULE(rvf_node, rvf_node_init)

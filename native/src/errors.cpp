// native/src/errors.cpp — see errors.hpp.
#include "errors.hpp"

namespace rvf::node {

Napi::Error make_error(Napi::Env env, const Error &e) {
    Napi::Error err = Napi::Error::New(env, e.to_string());
    // `name` as an own property: the stack header and util.inspect then show "LockHeld: RVF error …".
    err.Set("name", Napi::String::New(env, core::status_name(e.status)));
    err.Set("code", Napi::Number::New(env, core::status_code(e.status)));
    return err;
}

void throw_error(Napi::Env env, const Error &e) { throw make_error(env, e); }

void throw_error(Napi::Env env, Status s, const std::string &message) { throw_error(env, Error{s, message}); }

void throw_invalid(Napi::Env env, const std::string &message) {
    throw_error(env, Status::InvalidArgument, message);
}

void throw_closed(Napi::Env env) { throw_error(env, Status::StoreClosed, "Store is closed"); }

Napi::Object status_table(Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
#define RVF_NODE_STATUS_(name, code) o.Set(#name, Napi::Number::New(env, code));
    RVF_STATUS_LIST(RVF_NODE_STATUS_)
#undef RVF_NODE_STATUS_
    o.Freeze();
    return o;
}

} // namespace rvf::node

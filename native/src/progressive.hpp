// native/src/progressive.hpp — the addon's class Progressive: one rvf::ProgressiveStore
// (rvf/progressive.hpp) with the method names and result shapes of the Embind class of the same
// name (js/embind/progressive_bindings.cpp), so npm/rvf-wasm/src/progressive.js drives either.
#pragma once
#include <napi.h>

namespace rvf::node {

/// The JS constructor `Progressive` (new Progressive(), then begin(size), wanted(), supply(...)).
Napi::Function define_progressive(Napi::Env env);

} // namespace rvf::node

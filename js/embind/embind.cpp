// js/embind/embind.cpp — Embind surface of the Emscripten build (rvf_core.mjs). Conversions
// only (STYLE §3): every value comes from the runtime or from RVF_STATUS_LIST, so JS never
// re-types the status table.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <stdint.h>
#include <string>

#include "rvf/core/status.hpp"
#include "rvf/version.hpp"

namespace {

struct StatusRow {
    uint16_t code;
    const char *name;
};

constexpr StatusRow kStatusRows[] = {
#define RVF_EMBIND_STATUS_ROW_(name, code) {code, #name},
    RVF_STATUS_LIST(RVF_EMBIND_STATUS_ROW_)
#undef RVF_EMBIND_STATUS_ROW_
};

std::string version() { return rvf::version(); }

// [{code, name}, ...] in list order, as plain JS objects (not an Embind vector handle).
emscripten::val status_table() {
    emscripten::val rows = emscripten::val::array();
    for (const StatusRow &r : kStatusRows) {
        emscripten::val row = emscripten::val::object();
        row.set("code", r.code);
        row.set("name", std::string(r.name));
        rows.call<void>("push", row);
    }
    return rows;
}

} // namespace

EMSCRIPTEN_BINDINGS(rvf_core) {
    emscripten::function("version", &version);
    emscripten::function("statusTable", &status_table);
}

// js/embind/lock_bindings.cpp — the writer-lock record and stale rules (rvf/io/writer_lock.hpp)
// for JS writers that persist a wasm store to a file (npm/rvf's wasm backend in Node). JS does
// the file-system steps and the pid probe; the record's bytes and the verdict come from here, so
// a native and a wasm writer exclude each other by the same rules.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <rvf/io/writer_lock.hpp>

#include "convert.hpp"

namespace rvf::js {
namespace {

std::array<uint8_t, 16> writer_id_in(const val &bytes) {
    std::array<uint8_t, 16> id{};
    const std::vector<uint8_t> v = copy_in<uint8_t>(bytes, id.size());
    std::copy(v.begin(), v.end(), id.begin());
    return id;
}

/// 104-byte record (Uint8Array), lock_version 1: a JS writer holds no OS lock. now_ns as a JS
/// number: sub-microsecond precision is not needed.
val lock_record_js(double pid, const std::string &host, double now_ns, const val &writer_id) {
    const auto rec = io::lock_record(static_cast<uint32_t>(pid), host, static_cast<uint64_t>(now_ns),
                                     writer_id_in(writer_id));
    return copy_out(rec.data(), rec.size());
}

/// {kind: 'invalid' | 'stale' | 'held', pid, holder}; pid_alive(pid) → boolean is called only when
/// the rules need it.
val judge_lock_js(const val &bytes, size_t n, double now_ns, const std::string &host, const val &pid_alive) {
    const std::vector<uint8_t> b = copy_in<uint8_t>(bytes, n);
    const io::LockJudgement j = io::judge_lock_record(
        core::ByteView(b.data(), b.size()), static_cast<uint64_t>(now_ns), host,
        [&](uint32_t pid) { return pid_alive(static_cast<double>(pid)).as<bool>(); });
    val o = val::object();
    o.set("kind", std::string(j.kind == io::LockJudgement::Kind::Held    ? "held"
                              : j.kind == io::LockJudgement::Kind::Stale ? "stale"
                                                                         : "invalid"));
    o.set("pid", static_cast<double>(j.pid));
    o.set("holder", j.holder);
    o.set("advice", j.advice);
    o.set("osLocked", j.os_locked);
    return o;
}

bool lock_has_writer_js(const val &bytes, size_t n, const val &writer_id) {
    const std::vector<uint8_t> b = copy_in<uint8_t>(bytes, n);
    return io::lock_record_has_writer(core::ByteView(b.data(), b.size()), writer_id_in(writer_id));
}

} // namespace
} // namespace rvf::js

EMSCRIPTEN_BINDINGS(rvf_lock) {
    emscripten::function("lockRecord", &rvf::js::lock_record_js);
    emscripten::function("judgeLock", &rvf::js::judge_lock_js);
    emscripten::function("lockHasWriter", &rvf::js::lock_has_writer_js);
}

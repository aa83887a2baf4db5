// Fault plan state and the RVF_FAULT_PLAN parser (test hook; see rvf/io/fault_injection.hpp).
#include "rvf/io/fault_injection.hpp"

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

namespace rvf::io {
namespace {

// 0: RVF_FAULT_PLAN not read yet; 1: no plan (fast path); 2: a plan is installed.
enum : int { kUnread = 0, kNone = 1, kActive = 2 };
std::atomic<int> g_state{kUnread};

struct PlanState {
    std::mutex mu;
    FaultPlan plan;
    long long writes = 0, syncs = 0, dir_syncs = 0, renames = 0; // wide: never overflow in a long test
};
PlanState &state() {
    static PlanState s; // function-local: no static constructor runs unless a hook is used
    return s;
}

void install_locked(PlanState &s, const FaultPlan &p) {
    s.plan = p;
    s.writes = s.syncs = s.dir_syncs = s.renames = 0;
    g_state.store(kActive, std::memory_order_release);
}

// Called with s.mu held. A malformed plan aborts: a crash harness that silently ran without its
// faults would report a pass it never tested.
void load_env_locked(PlanState &s) {
    if (g_state.load(std::memory_order_relaxed) != kUnread)
        return;
    const char *env = std::getenv("RVF_FAULT_PLAN");
    if (env == nullptr || *env == '\0') {
        g_state.store(kNone, std::memory_order_release);
        return;
    }
    auto parsed = parse_fault_plan(env);
    if (!parsed) {
        std::fprintf(stderr, "RVF_FAULT_PLAN: %s\n", parsed.error().to_string().c_str());
        std::abort();
    }
    install_locked(s, *parsed);
}

// Runs `f(state)` under the lock when a plan may be active; returns `fallback` on the fast path.
template <class F, class R> R with_plan(F f, R fallback) {
    if (g_state.load(std::memory_order_acquire) == kNone)
        return fallback;
    PlanState &s = state();
    std::lock_guard<std::mutex> lock(s.mu);
    load_env_locked(s);
    if (g_state.load(std::memory_order_relaxed) != kActive)
        return fallback;
    return f(s);
}

bool parse_count(std::string_view t, long long &out) {
    if (t.empty())
        return false;
    const char *end = t.data() + t.size();
    auto r = std::from_chars(t.data(), end, out);
    return r.ec == std::errc() && r.ptr == end && out >= 0 && out <= 0x7FFFFFFF;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        const size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

} // namespace

void set_fault_plan(const FaultPlan &plan) {
    PlanState &s = state();
    std::lock_guard<std::mutex> lock(s.mu);
    install_locked(s, plan);
}

void clear_fault_plan() {
    PlanState &s = state();
    std::lock_guard<std::mutex> lock(s.mu);
    g_state.store(kNone, std::memory_order_release);
}

Result<FaultPlan> parse_fault_plan(std::string_view text) {
    FaultPlan plan;
    for (std::string_view item : split(text, ',')) {
        item = trim(item);
        if (item.empty())
            continue;
        const auto bad = [&](const char *why) {
            return Error{Status::InvalidArgument, std::string(why) + ": '" + std::string(item) + "'"};
        };
        const std::vector<std::string_view> f = split(item, ':');
        long long n = 0;
        if (f.size() < 2 || !parse_count(f[1], n))
            return bad("expected <op>:<call index>");
        const int at = static_cast<int>(n);
        if (f[0] == "write") {
            if (f.size() < 3)
                return bad("write needs a kind (short, nospace, io, crash)");
            FaultPlan::Kind kind;
            const bool takes_bytes = f[2] == "short" || f[2] == "crash";
            if (f[2] == "short")
                kind = FaultPlan::Kind::ShortWrite;
            else if (f[2] == "crash")
                kind = FaultPlan::Kind::Crash;
            else if (f[2] == "nospace")
                kind = FaultPlan::Kind::NoSpace;
            else if (f[2] == "io")
                kind = FaultPlan::Kind::IoError;
            else
                return bad("unknown write fault kind");
            long long bytes = 0;
            if (takes_bytes ? (f.size() != 4 || !parse_count(f[3], bytes)) : f.size() != 3)
                return bad(takes_bytes ? "short/crash need a byte count" : "too many fields");
            plan.fail_write_at = at;
            plan.write_kind = kind;
            plan.short_write_bytes = static_cast<size_t>(bytes);
        } else if (f.size() != 2) {
            return bad("too many fields");
        } else if (f[0] == "sync") {
            plan.fail_sync_at = at;
        } else if (f[0] == "dirsync") {
            plan.fail_dir_sync_at = at;
        } else if (f[0] == "rename") {
            plan.fail_rename_at = at;
        } else {
            return bad("unknown operation (write, sync, dirsync, rename)");
        }
    }
    return plan;
}

namespace detail {

WriteFault next_write_fault() {
    return with_plan(
        [](PlanState &s) {
            WriteFault w;
            if (s.writes++ == s.plan.fail_write_at) {
                w.fire = true;
                w.kind = s.plan.write_kind;
                w.bytes = s.plan.short_write_bytes;
            }
            return w;
        },
        WriteFault{});
}

bool next_sync_fault() {
    return with_plan([](PlanState &s) { return s.syncs++ == s.plan.fail_sync_at; }, false);
}

bool next_dir_sync_fault() {
    return with_plan([](PlanState &s) { return s.dir_syncs++ == s.plan.fail_dir_sync_at; }, false);
}

bool next_rename_fault() {
    return with_plan([](PlanState &s) { return s.renames++ == s.plan.fail_rename_at; }, false);
}

} // namespace detail
namespace {
std::atomic<void (*)(void *)> g_sync_hook{nullptr};
std::atomic<void *> g_sync_hook_arg{nullptr};
} // namespace

void set_sync_hook(void (*hook)(void *), void *arg) {
    g_sync_hook_arg.store(arg);
    g_sync_hook.store(hook);
}

namespace detail {
void run_sync_hook() {
    if (auto *h = g_sync_hook.load(std::memory_order_acquire))
        h(g_sync_hook_arg.load());
}
} // namespace detail

} // namespace rvf::io

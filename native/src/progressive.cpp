// native/src/progressive.cpp — see progressive.hpp. Conversions only: the HTTP fetching lives in
// npm/rvf-wasm/src/progressive.js and every format rule, hash check and phase in the runtime.
// Where the Embind class returns an outcome object this one returns the value and throws the
// runtime's error (errors.hpp); the driver's `unwrap` is then the identity. Argument lists match
// the Embind ones (supply(offset, bytes, n), query(vector, n, k, ef, filter)) so one call site
// serves both; the counts are checked against the arrays rather than trusted.
#include "progressive.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rvf/index_layers.hpp> // kLayerA/B/C
#include <rvf/progressive.hpp>

#include "convert.hpp"
#include "database.hpp"
#include "errors.hpp"

namespace rvf::node {
namespace {

Napi::Array layers_to_js(Napi::Env env, uint8_t bits) {
    Napi::Array out = Napi::Array::New(env);
    uint32_t n = 0;
    if (bits & kLayerA)
        out.Set(n++, "A");
    if (bits & kLayerB)
        out.Set(n++, "B");
    if (bits & kLayerC)
        out.Set(n++, "C");
    return out;
}

/// A byte offset or size: a non-negative safe integer (files past 2^53 bytes do not occur).
uint64_t offset_from_js(Napi::Env env, const Napi::Value &v, const char *what) {
    if (!v.IsNumber())
        throw_invalid(env, std::string(what) + " must be a non-negative integer");
    const double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= 0) || d > 9007199254740991.0 || d != static_cast<double>(static_cast<uint64_t>(d)))
        throw_invalid(env, std::string(what) + " must be a non-negative integer");
    return static_cast<uint64_t>(d);
}

class Progressive : public Napi::ObjectWrap<Progressive> {
public:
    static Napi::Function define(Napi::Env env) {
        using P = Progressive;
        return DefineClass(env, "Progressive",
                           {
                               InstanceMethod<&P::begin>("begin"),
                               InstanceMethod<&P::wanted>("wanted"),
                               InstanceMethod<&P::wanted_for>("wantedFor"),
                               InstanceMethod<&P::supply>("supply"),
                               InstanceMethod<&P::state>("state"),
                               InstanceMethod<&P::query>("query"),
                               InstanceMethod<&P::to_bytes>("toBytes"),
                               InstanceMethod<&P::finish>("finish"),
                               InstanceMethod<&P::close>("close"),
                               // Embind handles are freed with delete(); the driver calls it on both.
                               InstanceMethod<&P::close>("delete"),
                           });
    }

    explicit Progressive(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Progressive>(info) {}

private:
    ProgressiveStore &live(Napi::Env env) {
        if (!p_)
            throw_error(env, Status::StoreClosed, "the progressive store is closed (or begin(size) was not called)");
        return *p_;
    }

    /// begin(fileSize, stream?, cacheBytes?): a new state machine for a file of that many bytes
    /// (stream false: a query-only reader, rvf::ProgressiveOptions).
    Napi::Value begin(const Napi::CallbackInfo &info) {
        const Napi::Env env = info.Env();
        ProgressiveOptions o;
        if (info.Length() > 1 && !info[1].IsUndefined()) {
            if (!info[1].IsBoolean())
                throw_invalid(env, "begin(fileSize, stream, cacheBytes): stream must be a boolean");
            o.stream = info[1].As<Napi::Boolean>().Value();
        }
        if (info.Length() > 2 && !info[2].IsUndefined())
            o.cache_bytes = offset_from_js(env, info[2], "cacheBytes");
        p_.emplace(take(env, ProgressiveStore::begin(offset_from_js(env, info[0], "fileSize"), o)));
        return env.Undefined();
    }

    static Napi::Array ranges_to_js(Napi::Env env, const std::vector<ByteRange> &w) {
        Napi::Array out = Napi::Array::New(env, w.size());
        for (size_t i = 0; i < w.size(); ++i) {
            Napi::Object o = Napi::Object::New(env);
            o.Set("offset", static_cast<double>(w[i].offset));
            o.Set("length", static_cast<double>(w[i].length));
            out.Set(static_cast<uint32_t>(i), o);
        }
        return out;
    }

    /// [{offset, length}] still needed by the current phase.
    Napi::Value wanted(const Napi::CallbackInfo &info) {
        const Napi::Env env = info.Env();
        return ranges_to_js(env, live(env).wanted());
    }

    /// wantedFor(vector, n, nprobe): a partitioned file's [{offset, length}] of the nprobe
    /// partitions nearest to the query not yet supplied (UnsupportedLayout without a map).
    /// `n` is ignored (the vector's length counts); it keeps the wasm handle's argument order.
    Napi::Value wanted_for(const Napi::CallbackInfo &info) {
        const Napi::Env env = info.Env();
        const ProgressiveStore &p = live(env);
        const FloatList q = floats_from_js(env, info[0], "vector");
        const uint64_t nprobe = offset_from_js(env, info[2], "nprobe");
        return ranges_to_js(env, take(env, p.wanted_for(q.view, static_cast<size_t>(nprobe))));
    }

    /// supply(offset, bytes: Uint8Array, n?): read in place (no copy on this side).
    Napi::Value supply(const Napi::CallbackInfo &info) {
        const Napi::Env env = info.Env();
        ProgressiveStore &p = live(env);
        const uint64_t offset = offset_from_js(env, info[0], "offset");
        if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
            throw_invalid(env, "supply(offset, bytes): bytes must be a Uint8Array");
        const Napi::Uint8Array b = info[1].As<Napi::Uint8Array>();
        size_t n = b.ElementLength();
        if (info.Length() > 2 && !info[2].IsUndefined()) {
            const uint64_t given = offset_from_js(env, info[2], "length");
            if (given > n)
                throw_invalid(env, "supply(offset, bytes, n): n is larger than bytes.length");
            n = static_cast<size_t>(given);
        }
        take(env, p.supply(offset, std::span<const uint8_t>(b.Data(), n)));
        return env.Undefined();
    }

    /// {phase, layers, queryable, complete, wholeFile, partitioned, partitions, bytesSupplied, fileSize, rowsExact,
    ///  dimensions, bytesByPhase: {tail, directory, hotset, stream}, warnings}
    Napi::Value state(const Napi::CallbackInfo &info) {
        const Napi::Env env = info.Env();
        const ProgressiveStore &p = live(env);
        Napi::Object o = Napi::Object::New(env);
        o.Set("phase", progressive_phase_name(p.phase()));
        o.Set("layers", layers_to_js(env, p.layers()));
        o.Set("queryable", p.queryable());
        o.Set("complete", p.complete());
        o.Set("wholeFile", p.whole_file());
        o.Set("partitioned", p.partitioned());
        o.Set("partitions", static_cast<double>(p.partitions()));
        o.Set("bytesSupplied", static_cast<double>(p.bytes_supplied()));
        o.Set("bytesHeld", static_cast<double>(p.bytes_held()));
        o.Set("fileSize", static_cast<double>(p.file_size()));
        o.Set("rowsExact", static_cast<double>(p.rows_exact()));
        o.Set("dimensions", p.dimension());
        const ProgressiveBytes by = p.bytes_by_phase();
        Napi::Object b = Napi::Object::New(env);
        b.Set("tail", static_cast<double>(by.tail));
        b.Set("directory", static_cast<double>(by.directory));
        b.Set("hotset", static_cast<double>(by.hotset));
        b.Set("stream", static_cast<double>(by.stream));
        o.Set("bytesByPhase", b);
        const std::vector<std::string> w = p.warnings();
        Napi::Array wa = Napi::Array::New(env, w.size());
        for (size_t i = 0; i < w.size(); ++i)
            wa.Set(static_cast<uint32_t>(i), w[i]);
        o.Set("warnings", wa);
        return o;
    }

    /// query(vector, n, k, efSearch, filter ('' or null: none)) →
    /// {ids: Uint32Array (lo, hi words), distances: Float32Array, layers, exact, distanceEvals}
    Napi::Value query(const Napi::CallbackInfo &info) {
        const Napi::Env env = info.Env();
        const ProgressiveStore &p = live(env);
        const FloatList q = floats_from_js(env, info[0], "vector");
        const size_t k = k_from_js(env, info[2]);
        const uint64_t ef = offset_from_js(env, info[3], "efSearch");
        if (ef > 0xffffffffu)
            throw_invalid(env, "efSearch must be at most 4294967295");
        std::optional<FilterExpr> filter;
        if (!(info[4].IsString() && info[4].As<Napi::String>().Utf8Value().empty()))
            filter = filter_from_js(env, info[4]);
        QueryStats st;
        QueryOptions opts;
        opts.ef_search = static_cast<uint32_t>(ef);
        if (info.Length() > 5 && !info[5].IsUndefined())
            opts.nprobe = static_cast<uint32_t>(std::min<uint64_t>(offset_from_js(env, info[5], "nprobe"), 0xffffffffu));
        opts.stats = &st;
        opts.filter = filter ? &*filter : nullptr;
        const std::vector<Neighbor> hits = take(env, p.query(q.view, k, opts));
        // ids as little-endian u32 word pairs in a fresh (8-aligned) buffer, as the Embind class.
        Napi::Uint32Array ids = Napi::Uint32Array::New(env, hits.size() * 2);
        Napi::Float32Array distances = Napi::Float32Array::New(env, hits.size());
        for (size_t i = 0; i < hits.size(); ++i) {
            ids[2 * i] = static_cast<uint32_t>(hits[i].id);
            ids[2 * i + 1] = static_cast<uint32_t>(hits[i].id >> 32);
            distances[i] = hits[i].distance;
        }
        Napi::Object o = Napi::Object::New(env);
        o.Set("ids", ids);
        o.Set("distances", distances);
        o.Set("layers", layers_to_js(env, st.layers));
        o.Set("exact", st.exact);
        o.Set("distanceEvals", static_cast<double>(st.distance_evals));
        return o;
    }

    /// The full image once complete (NotReady before).
    Napi::Value to_bytes(const Napi::CallbackInfo &info) {
        const Napi::Env env = info.Env();
        const RvfStore *s = live(env).store();
        if (!s)
            throw_error(env, Status::NotReady, "the file has not been fully loaded: await loaded() first");
        const std::vector<uint8_t> b = s->to_bytes();
        return Napi::Buffer<uint8_t>::Copy(env, b.data(), b.size());
    }

    /// finish(): the complete store as an addon RvfDatabase (moved out: this handle closes).
    /// NotReady before completion.
    Napi::Value finish(const Napi::CallbackInfo &info) {
        const Napi::Env env = info.Env();
        ProgressiveStore &p = live(env);
        if (!p.complete())
            throw_error(env, Status::NotReady, "the file has not been fully loaded: await loaded() first");
        RvfStore full = take(env, std::move(p).finish());
        p_.reset();
        return RvfDatabase::wrap(env, std::move(full));
    }

    /// Free the state (idempotent).
    Napi::Value close(const Napi::CallbackInfo &info) {
        p_.reset();
        return info.Env().Undefined();
    }

    std::optional<ProgressiveStore> p_;
};

} // namespace

Napi::Function define_progressive(Napi::Env env) { return Progressive::define(env); }

} // namespace rvf::node

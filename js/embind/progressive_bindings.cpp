// js/embind/progressive_bindings.cpp — the Embind class "Progressive": one rvf::ProgressiveStore
// (rvf/progressive.hpp). Conversions only: npm/rvf-wasm/src/progressive.js does the fetching
// (HTTP Range requests, ETag checks) and calls wanted()/supply(); every format rule, hash check
// and the phase logic stay in the runtime. Results are outcome objects (convert.hpp).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <rvf/filter.hpp>
#include <rvf/index_layers.hpp> // kLayerA/B/C
#include <rvf/progressive.hpp>

#include "convert.hpp"

namespace rvf::js {
namespace {

const Error kNotStarted{Status::StoreClosed, "the progressive store is closed"};

val layers_to_js(uint8_t bits) {
    val out = val::array();
    if (bits & kLayerA)
        out.call<void>("push", std::string("A"));
    if (bits & kLayerB)
        out.call<void>("push", std::string("B"));
    if (bits & kLayerC)
        out.call<void>("push", std::string("C"));
    return out;
}

val ranges_to_js(const std::vector<ByteRange> &ranges) {
    val out = val::array();
    for (const ByteRange &r : ranges) {
        val o = val::object();
        o.set("offset", static_cast<double>(r.offset));
        o.set("length", static_cast<double>(r.length));
        out.call<void>("push", o);
    }
    return out;
}

class Progressive {
public:
    /// file_size, cache_bytes: doubles (exact up to 2^53, far past any file a browser fetches).
    /// stream false: a query-only reader (rvf::ProgressiveOptions).
    val begin(double file_size, bool stream, double cache_bytes) {
        auto p = ProgressiveStore::begin(static_cast<uint64_t>(file_size),
                                         {.stream = stream, .cache_bytes = static_cast<uint64_t>(cache_bytes)});
        if (!p)
            return outcome_err(p.error());
        p_.emplace(std::move(*p));
        return outcome_ok();
    }

    /// [{offset, length}] as plain objects.
    val wanted() const {
        if (!p_)
            return outcome_err(kNotStarted);
        return outcome_ok(ranges_to_js(p_->wanted()));
    }

    /// Partitioned files: [{offset, length}] of the `nprobe` partitions nearest to the query
    /// that have not arrived (ProgressiveStore::wanted_for; UnsupportedLayout without a map).
    val wanted_for(const val &vector, size_t n_floats, size_t nprobe) const {
        if (!p_)
            return outcome_err(kNotStarted);
        const std::vector<float> q = copy_in<float>(vector, n_floats);
        auto w = p_->wanted_for(q, nprobe);
        if (!w)
            return outcome_err(w.error());
        return outcome_ok(ranges_to_js(*w));
    }

    val supply(double offset, const val &bytes, size_t n) {
        if (!p_)
            return outcome_err(kNotStarted);
        const std::vector<uint8_t> b = copy_in<uint8_t>(bytes, n);
        Result<void> r = p_->supply(static_cast<uint64_t>(offset), b);
        return r ? outcome_ok() : outcome_err(r.error());
    }

    /// {phase, layers, queryable, complete, wholeFile, partitioned, partitions, bytesSupplied, fileSize, rowsExact,
    ///  bytesByPhase: {tail, directory, hotset, stream}, warnings}
    val state() const {
        if (!p_)
            return outcome_err(kNotStarted);
        val o = val::object();
        o.set("phase", std::string(progressive_phase_name(p_->phase())));
        o.set("layers", layers_to_js(p_->layers()));
        o.set("queryable", p_->queryable());
        o.set("complete", p_->complete());
        o.set("wholeFile", p_->whole_file());
        o.set("partitioned", p_->partitioned());
        o.set("partitions", static_cast<double>(p_->partitions()));
        o.set("bytesSupplied", static_cast<double>(p_->bytes_supplied()));
        o.set("bytesHeld", static_cast<double>(p_->bytes_held()));
        o.set("fileSize", static_cast<double>(p_->file_size()));
        o.set("rowsExact", static_cast<double>(p_->rows_exact()));
        o.set("dimensions", p_->dimension());
        const ProgressiveBytes by = p_->bytes_by_phase();
        val b = val::object();
        b.set("tail", static_cast<double>(by.tail));
        b.set("directory", static_cast<double>(by.directory));
        b.set("hotset", static_cast<double>(by.hotset));
        b.set("stream", static_cast<double>(by.stream));
        o.set("bytesByPhase", b);
        o.set("warnings", val::array(p_->warnings()));
        return outcome_ok(o);
    }

    /// {ids: Uint32Array (lo, hi words), distances: Float32Array, layers: ['A', ...], exact, distanceEvals}
    val query(const val &vector, size_t n_floats, size_t k, unsigned ef_search, const std::string &filter_json,
              unsigned nprobe) const {
        if (!p_)
            return outcome_err(kNotStarted);
        const std::vector<float> q = copy_in<float>(vector, n_floats);
        QueryStats st;
        QueryOptions opts;
        opts.ef_search = ef_search;
        opts.nprobe = nprobe;
        opts.stats = &st;
        std::optional<FilterExpr> filter;
        if (auto r = set_query_filter(filter_json, filter, opts); !r)
            return outcome_err(r.error());
        auto hits = p_->query(q, k, opts);
        if (!hits)
            return outcome_err(hits.error());
        val o = neighbors_to_js(*hits);
        o.set("layers", layers_to_js(st.layers));
        o.set("exact", st.exact);
        o.set("distanceEvals", static_cast<double>(st.distance_evals));
        return outcome_ok(o);
    }

    /// The full store's image once complete (for RvfStore.fromBytes on the JS side).
    val to_bytes() const {
        if (!p_)
            return outcome_err(kNotStarted);
        const RvfStore *s = p_->store();
        if (!s)
            return outcome_err(Error{Status::NotReady, "the file has not been fully loaded"});
        const std::vector<uint8_t> b = s->to_bytes();
        return outcome_ok(copy_out(b.data(), b.size()));
    }

    val close() {
        p_.reset();
        return outcome_ok();
    }

private:
    std::optional<ProgressiveStore> p_;
};

} // namespace
} // namespace rvf::js

EMSCRIPTEN_BINDINGS(rvf_progressive) {
    using rvf::js::Progressive;
    emscripten::class_<Progressive>("Progressive")
        .constructor<>()
        .function("begin", &Progressive::begin)
        .function("wanted", &Progressive::wanted)
        .function("wantedFor", &Progressive::wanted_for)
        .function("supply", &Progressive::supply)
        .function("state", &Progressive::state)
        .function("query", &Progressive::query)
        .function("toBytes", &Progressive::to_bytes)
        .function("close", &Progressive::close);
}

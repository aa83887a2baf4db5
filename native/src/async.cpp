// native/src/async.cpp — the Promise-returning variants. Arguments are converted on the JS
// thread; the runtime call runs on the libuv pool (Napi::AsyncWorker::Execute) under the
// handle's lock (handle.hpp); the result is converted back on the JS thread (OnOK).
//
// Zero copy: a Float32Array argument is read in place by the worker. A reference keeps it
// alive until the promise settles; the caller must not modify it meanwhile (index.d.ts).
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "convert.hpp"
#include "database.hpp"
#include "errors.hpp"
#include "open_options.hpp"

namespace rvf::node {
namespace {

const Error kClosed{Status::StoreClosed, "Store is closed"};

/// One pool task settling one promise. `work` runs on the pool and returns the failure, if any;
/// `done` builds the resolved value on the JS thread from state the two lambdas share.
class PromiseWorker final : public Napi::AsyncWorker {
public:
    using Work = std::function<std::optional<Error>()>;
    using Done = std::function<Napi::Value(Napi::Env)>;

    PromiseWorker(Napi::Env env, Work work, Done done)
        : Napi::AsyncWorker(env, "rvf"), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)),
          done_(std::move(done)) {}

    /// Keep a JS object (an input typed array) alive until the worker is destroyed.
    void keep(const Napi::Value &v) {
        if (v.IsObject())
            refs_.push_back(Napi::Persistent(v.As<Napi::Object>()));
    }

    /// Queue the task; the promise it settles.
    Napi::Promise start() {
        Napi::Promise p = deferred_.Promise();
        Queue();
        return p;
    }

protected:
    void Execute() override { failure_ = work_(); }

    void OnOK() override {
        const Napi::Env env = Env();
        Napi::HandleScope scope(env);
        if (failure_) {
            deferred_.Reject(make_error(env, *failure_).Value());
            return;
        }
        try {
            deferred_.Resolve(done_(env));
        } catch (const Napi::Error &e) {
            deferred_.Reject(e.Value());
        }
    }

    // Execute threw a C++ exception (std::bad_alloc; the runtime itself never throws).
    void OnError(const Napi::Error &e) override {
        Napi::HandleScope scope(Env());
        deferred_.Reject(make_error(Env(), Error{Status::OutOfMemory, e.Message()}).Value());
    }

private:
    Napi::Promise::Deferred deferred_;
    Work work_;
    Done done_;
    std::optional<Error> failure_;
    std::vector<Napi::ObjectReference> refs_;
};

/// open/create on the pool; the store is wrapped into a JS object on the JS thread.
Napi::Value open_on_pool(Napi::Env env, std::function<Result<RvfStore>()> opener) {
    auto store = std::make_shared<std::optional<RvfStore>>();
    auto *w = new PromiseWorker(
        env,
        [opener = std::move(opener), store]() -> std::optional<Error> {
            Result<RvfStore> r = opener();
            if (!r)
                return r.error();
            store->emplace(std::move(*r));
            return std::nullopt;
        },
        [store](Napi::Env e) -> Napi::Value { return RvfDatabase::wrap(e, std::move(**store)); });
    return w->start();
}

} // namespace

Napi::Value RvfDatabase::create_async(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    std::string path = path_from_js(env, info[0]);
    const StoreOptions o = create_options_from_js(env, info[1]);
    return open_on_pool(env, [path = std::move(path), o] { return RvfStore::create(path, o); });
}

Napi::Value RvfDatabase::open_async(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    std::string path = path_from_js(env, info[0]);
    return open_on_pool(env, [path = std::move(path)] { return RvfStore::open(path); });
}

Napi::Value RvfDatabase::open_readonly_async(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    std::string path = path_from_js(env, info[0]);
    const OpenOptions o = readonly_options_from_js(env, info[1]);
    return open_on_pool(env, [path = std::move(path), o] { return RvfStore::open_readonly(path, o); });
}

Napi::Value RvfDatabase::ingest_batch_async(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    struct State {
        IdList ids;
        FloatList vectors;
        std::vector<std::vector<MetadataEntry>> meta;
        IngestResult result;
    };
    auto st = std::make_shared<State>();
    const bool vectors_first = holds_vectors(info[0]); // upstream's order (README "One API")
    st->ids = ids_from_js(env, info[vectors_first ? 1 : 0], "ids");
    st->ids.own(); // ids are small next to the vectors: copied, so the caller may reuse the array
    st->vectors = floats_from_js(env, info[vectors_first ? 0 : 1], "vectors");
    st->meta = metadata_from_js(env, info[2], st->ids.view.size());
    auto *w = new PromiseWorker(
        env,
        [h = handle_, st]() -> std::optional<Error> {
            WriteAccess a(*h);
            if (!a.store)
                return kClosed;
            auto r = a.store->ingest_batch(st->ids.view, st->vectors.view, st->meta);
            if (!r)
                return r.error();
            st->result = std::move(*r);
            return std::nullopt;
        },
        [st](Napi::Env e) { return ingest_to_js(e, st->result); });
    w->keep(info[0]);
    return w->start();
}

Napi::Value RvfDatabase::query_async(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    struct State {
        FloatList q;
        size_t k = 0;
        QueryParams params;
        std::vector<Neighbor> hits;
    };
    auto st = std::make_shared<State>();
    st->q = floats_from_js(env, info[0], "vector");
    st->k = k_from_js(env, info[1]);
    st->params = query_params_from_js(env, info[2]);
    auto *w = new PromiseWorker(
        env,
        [h = handle_, st]() -> std::optional<Error> {
            ReadAccess a(*h);
            if (!a.store)
                return kClosed;
            auto r = a.store->query(st->q.view, st->k, st->params.options());
            if (!r)
                return r.error();
            st->hits = std::move(*r);
            return std::nullopt;
        },
        [st](Napi::Env e) { return neighbors_to_js(e, st->hits); });
    w->keep(info[0]);
    return w->start();
}

Napi::Value RvfDatabase::query_batch_async(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    struct State {
        QueryRows rows;
        size_t k = 0;
        QueryParams params;
        std::vector<std::vector<Neighbor>> hits;
    };
    auto st = std::make_shared<State>();
    st->k = k_from_js(env, info[1]);
    st->params = query_params_from_js(env, info[2]);
    {
        ReadAccess a(*handle_); // the dimension, to split a flat batch into rows
        if (!a.store)
            throw_closed(env);
        st->rows = query_rows_from_js(env, info[0], a.store->status().dimension);
    }
    auto *w = new PromiseWorker(
        env,
        [h = handle_, st]() -> std::optional<Error> {
            ReadAccess a(*h);
            if (!a.store)
                return kClosed;
            st->hits.reserve(st->rows.rows.size());
            for (std::span<const float> q : st->rows.rows) {
                auto r = a.store->query(q, st->k, st->params.options());
                if (!r)
                    return r.error();
                st->hits.push_back(std::move(*r));
            }
            return std::nullopt;
        },
        [st](Napi::Env e) -> Napi::Value {
            Napi::Array out = Napi::Array::New(e, st->hits.size());
            for (size_t i = 0; i < st->hits.size(); ++i)
                out.Set(static_cast<uint32_t>(i), neighbors_to_js(e, st->hits[i]));
            return out;
        });
    w->keep(info[0]); // the flat array, or the array holding the row arrays
    return w->start();
}

Napi::Value RvfDatabase::build_index_async(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    auto *w = new PromiseWorker(
        env,
        [h = handle_]() -> std::optional<Error> {
            WriteAccess a(*h);
            if (!a.store)
                return kClosed;
            if (auto r = a.store->build_index(); !r)
                return r.error();
            return std::nullopt;
        },
        [](Napi::Env e) -> Napi::Value { return e.Undefined(); });
    return w->start();
}

Napi::Value RvfDatabase::compact_async(const Napi::CallbackInfo &info) {
    const Napi::Env env = info.Env();
    const CompactOptions opts = compact_options(env, info[0]);
    auto result = std::make_shared<CompactResult>();
    auto *w = new PromiseWorker(
        env,
        [h = handle_, opts, result]() -> std::optional<Error> {
            WriteAccess a(*h);
            if (!a.store)
                return kClosed;
            auto r = a.store->compact(opts);
            if (!r)
                return r.error();
            *result = *r;
            return std::nullopt;
        },
        [result](Napi::Env e) { return compact_to_js(e, *result); });
    return w->start();
}

} // namespace rvf::node

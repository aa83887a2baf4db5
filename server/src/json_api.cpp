// json_api.cpp — see rvf/server/json_api.hpp. Parsing never throws: nlohmann is asked for a
// discarded value instead of an exception, and every value's JSON type is checked before get<>.
#include <rvf/server/json_api.hpp>

#include <charconv>
#include <cmath>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include <rvf/core/status.hpp>
#include <rvf/json_depth.hpp>

namespace rvf::server {
namespace {

using json = nlohmann::json;

Error bad(const std::string &what) { return Error{Status::InvalidArgument, what}; }

std::string dump(const json &j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

JsonReply ok_reply(const json &j) { return {200, dump(j)}; }

Result<json> parse_object(std::string_view body) {
    // Before parsing: nlohmann's copy/dump/compare recurse per level, so deeper input is never
    // turned into a tree at all (60,000 nested arrays used to overflow the stack).
    if (json_depth_exceeds(body, kMaxRequestJsonDepth))
        return bad("request body nests deeper than " + std::to_string(kMaxRequestJsonDepth) +
                   " JSON levels (a filter has at most 64 levels): flatten it");
    json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded())
        return bad("request body is not valid JSON");
    if (!j.is_object())
        return bad("request body must be a JSON object");
    return j;
}

Result<uint64_t> id_from_json(const json &v, const std::string &path) {
    if (v.is_number_unsigned())
        return v.get<uint64_t>();
    if (v.is_string()) {
        const std::string &s = v.get_ref<const std::string &>();
        uint64_t out = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        if (ec == std::errc() && p == s.data() + s.size() && !s.empty())
            return out;
    }
    return bad(path + ": an id is an integer 0..2^64-1 or its decimal string");
}

Result<std::vector<uint64_t>> ids_from_json(const json &j, const char *key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_array())
        return bad(std::string("\"") + key + "\" must be an array of ids");
    std::vector<uint64_t> ids;
    ids.reserve(it->size());
    for (size_t i = 0; i < it->size(); ++i) {
        auto id = id_from_json((*it)[i], std::string(key) + "[" + std::to_string(i) + "]");
        if (!id)
            return id.error();
        ids.push_back(*id);
    }
    return ids;
}

// Appends one vector's components; JSON has no NaN/Inf, and values past the f32 range become
// ±inf here, which the runtime then rejects like any non-finite component.
Result<void> append_floats(const json &row, const std::string &path, size_t dim, std::vector<float> &out) {
    if (!row.is_array())
        return bad(path + " must be an array of numbers");
    if (row.size() != dim)
        return Error{Status::DimensionMismatch, path + " has " + std::to_string(row.size()) +
                                                    " components, the store has dimension " + std::to_string(dim)};
    for (size_t d = 0; d < row.size(); ++d) {
        if (!row[d].is_number())
            return bad(path + "[" + std::to_string(d) + "] is not a number");
        out.push_back(static_cast<float>(row[d].get<double>()));
    }
    return {};
}

Result<uint64_t> uint_field(const json &j, const char *key, std::optional<uint64_t> dflt) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
        if (dflt)
            return *dflt;
        return bad(std::string("\"") + key + "\" is required");
    }
    if (!it->is_number_unsigned())
        return bad(std::string("\"") + key + "\" must be a non-negative integer");
    return it->get<uint64_t>();
}

// A metadata value V: parsed by the runtime's filter JSON as the literal of a one-leaf filter,
// so ingest accepts exactly the literal grammar filters use (rvf/filter.hpp).
Result<MetadataValue> meta_value(const json &v, const std::string &path) {
    const json leaf = {{"op", "eq"}, {"field", 0}, {"value", v}};
    auto f = filter_from_json(dump(leaf));
    if (!f || f->values.size() != 1) {
        std::string why = f ? "not a single value" : f.error().message;
        const std::string prefix = "filter JSON $.value";
        if (why.rfind(prefix, 0) == 0) // re-anchor the runtime's message at this value's path
            why = why.substr(prefix.size());
        return bad(path + why);
    }
    return std::move(f->values[0]);
}

Result<uint16_t> field_id(const json &v, const std::string &path) {
    if (v.is_number_unsigned() && v.get<uint64_t>() <= UINT16_MAX)
        return static_cast<uint16_t>(v.get<uint64_t>());
    return bad(path + ": a field id is an integer 0..65535");
}

// {"field_id": F, "value": V}
Result<MetadataEntry> entry_object(const json &e, const std::string &path) {
    if (!e.is_object() || !e.contains("field_id") || !e.contains("value") || e.size() != 2)
        return bad(path + " must be {\"field_id\": F, \"value\": V}");
    auto f = field_id(e["field_id"], path + ".field_id");
    if (!f)
        return f.error();
    auto v = meta_value(e["value"], path + ".value");
    if (!v)
        return v.error();
    return MetadataEntry{*f, std::move(*v)};
}

Result<std::vector<MetadataEntry>> metadata_row(const json &row, const std::string &path) {
    std::vector<MetadataEntry> out;
    if (row.is_null())
        return out;
    if (row.is_array()) {
        for (size_t i = 0; i < row.size(); ++i) {
            auto e = entry_object(row[i], path + "[" + std::to_string(i) + "]");
            if (!e)
                return e.error();
            out.push_back(std::move(*e));
        }
        return out;
    }
    if (!row.is_object())
        return bad(path + " must be an object {\"<field id>\": value}, a list of {field_id, value} or null");
    for (auto it = row.begin(); it != row.end(); ++it) {
        const std::string &key = it.key();
        uint16_t f = 0;
        auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), f);
        if (key.empty() || ec != std::errc() || p != key.data() + key.size())
            return bad(path + "[\"" + key + "\"]: field ids are integers 0..65535");
        auto v = meta_value(it.value(), path + "[\"" + key + "\"]");
        if (!v)
            return v.error();
        out.push_back({f, std::move(*v)});
    }
    return out;
}

Result<std::vector<std::vector<MetadataEntry>>> metadata_from_json(const json &m, size_t n) {
    std::vector<std::vector<MetadataEntry>> rows(n);
    if (m.is_null())
        return rows;
    if (!m.is_array())
        return bad("\"metadata\" must be an array");
    const bool flat = !m.empty() && m[0].is_object() && m[0].contains("field_id");
    if (flat) { // upstream: entries for vector 0, then vector 1, ... (length / n each)
        if (n == 0 || m.size() % n != 0)
            return bad("\"metadata\" has " + std::to_string(m.size()) + " {field_id, value} entries, not a multiple of " +
                       std::to_string(n) + " vectors");
        const size_t per = m.size() / n;
        for (size_t i = 0; i < m.size(); ++i) {
            auto e = entry_object(m[i], "metadata[" + std::to_string(i) + "]");
            if (!e)
                return e.error();
            rows[i / per].push_back(std::move(*e));
        }
        return rows;
    }
    if (m.size() != n)
        return bad("\"metadata\" has " + std::to_string(m.size()) + " rows for " + std::to_string(n) + " vectors");
    for (size_t i = 0; i < n; ++i) {
        auto r = metadata_row(m[i], "metadata[" + std::to_string(i) + "]");
        if (!r)
            return r.error();
        rows[i] = std::move(*r);
    }
    return rows;
}

Result<FilterExpr> filter_field(const json &j) { return filter_from_json(dump(j["filter"])); }

} // namespace

int http_status_for(Status s) {
    switch (s) {
    case Status::InvalidArgument:
    case Status::DimensionMismatch:
    case Status::FilterParseError:
    case Status::KTooLarge:
    case Status::MetricUnsupported:
    case Status::InvalidOptions:
        return 400;
    case Status::ReadOnly:
        return 403;
    case Status::ManifestNotFound:
        return 404;
    case Status::LockHeld:
        return 409;
    case Status::SegmentTooLarge: // a request whose payload no segment may hold
        return 413;
    case Status::StoreClosed:
        return 503;
    default:
        return 500;
    }
}

JsonReply error_reply(const Error &e) {
    const json j = {{"error", e.to_string()}, {"code", core::status_code(e.status)}, {"name", core::status_name(e.status)}};
    return {http_status_for(e.status), dump(j)};
}

std::string event_json(const UpdateEvent &e) {
    return dump(json{{"epoch", e.epoch},
                     {"event", event_kind_name(e.kind)},
                     {"affected_count", e.affected_count},
                     {"new_total", e.new_total},
                     {"ids", e.ids},
                     {"ids_truncated", e.ids_truncated}});
}

namespace {

// The body of ingest and upsert: {"ids": [...], "vectors": [[...], ...], "metadata"?: [...]}.
struct RowsBody {
    std::vector<uint64_t> ids;
    std::vector<float> flat;
    std::vector<std::vector<MetadataEntry>> meta;
};

Result<RowsBody> rows_body(const StoreService &svc, std::string_view body) {
    auto j = parse_object(body);
    if (!j)
        return j.error();
    const auto vit = j->find("vectors");
    if (vit == j->end() || !vit->is_array())
        return bad("\"vectors\" must be an array of vectors");
    RowsBody out;
    auto ids = ids_from_json(*j, "ids");
    if (!ids)
        return ids.error();
    out.ids = std::move(*ids);
    if (out.ids.size() != vit->size())
        return bad("vectors and ids must have the same length (" + std::to_string(vit->size()) + " vs " +
                   std::to_string(out.ids.size()) + ")");
    out.flat.reserve(vit->size() * svc.dimension());
    for (size_t i = 0; i < vit->size(); ++i)
        if (auto r = append_floats((*vit)[i], "vectors[" + std::to_string(i) + "]", svc.dimension(), out.flat); !r)
            return r.error();
    if (const auto mit = j->find("metadata"); mit != j->end()) {
        auto m = metadata_from_json(*mit, out.ids.size());
        if (!m)
            return m.error();
        out.meta = std::move(*m);
    }
    return out;
}

JsonReply ingest_reply(const Result<IngestResult> &r) {
    if (!r)
        return error_reply(r.error());
    json rej = json::array();
    for (const Rejection &x : r->rejections)
        rej.push_back({{"index", x.index},
                       {"id", x.id},
                       {"code", core::status_code(x.status)},
                       {"name", core::status_name(x.status)},
                       {"message", Error{x.status, x.reason}.to_string()}});
    return ok_reply({{"accepted", r->accepted}, {"rejected", r->rejected}, {"epoch", r->epoch}, {"rejections", rej}});
}

// Refuses keys a route does not take, naming the key and the accepted ones.
Result<void> only_keys(const json &j, std::initializer_list<const char *> keys) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        bool known = false;
        for (const char *k : keys)
            known = known || it.key() == k;
        if (!known) {
            std::string list;
            for (const char *k : keys)
                list += std::string(list.empty() ? "" : ", ") + k;
            return Error{Status::InvalidOptions, "unknown field \"" + it.key() + "\" (accepted: " + list + ")"};
        }
    }
    return {};
}

// An optional filter: absent or null means every live row.
Result<std::optional<FilterExpr>> optional_filter(const json &j) {
    if (!j.contains("filter") || j["filter"].is_null())
        return std::optional<FilterExpr>{};
    auto f = filter_field(j);
    if (!f)
        return f.error();
    return std::optional<FilterExpr>{std::move(*f)};
}

} // namespace

JsonReply api_ingest(StoreService &svc, std::string_view body) {
    auto b = rows_body(svc, body);
    if (!b)
        return error_reply(b.error());
    return ingest_reply(svc.ingest(b->ids, b->flat, b->meta));
}

JsonReply api_upsert(StoreService &svc, std::string_view body) {
    auto b = rows_body(svc, body);
    if (!b)
        return error_reply(b.error());
    return ingest_reply(svc.upsert(b->ids, b->flat, b->meta));
}

JsonReply api_update_metadata(StoreService &svc, std::string_view body) {
    auto j = parse_object(body);
    if (!j)
        return error_reply(j.error());
    if (auto k = only_keys(*j, {"ids", "metadata"}); !k)
        return error_reply(k.error());
    auto ids = ids_from_json(*j, "ids");
    if (!ids)
        return error_reply(ids.error());
    const auto mit = j->find("metadata");
    if (mit == j->end())
        return error_reply(bad("\"metadata\" is required: one row per id (an empty row clears the id's metadata)"));
    auto m = metadata_from_json(*mit, ids->size());
    if (!m)
        return error_reply(m.error());
    return ingest_reply(svc.update_metadata(*ids, *m));
}

namespace {

std::string to_hex(const uint8_t *p, size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s(2 * n, '0');
    for (size_t i = 0; i < n; ++i) {
        s[2 * i] = kHex[p[i] >> 4];
        s[2 * i + 1] = kHex[p[i] & 15];
    }
    return s;
}

std::optional<std::vector<uint8_t>> from_hex(const std::string &h) {
    if (h.size() % 2)
        return std::nullopt;
    auto nib = [](char c) -> int {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    };
    std::vector<uint8_t> out(h.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int hi = nib(h[2 * i]), lo = nib(h[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out[i] = static_cast<uint8_t>(hi * 16 + lo);
    }
    return out;
}

json witness_json(const WitnessRecord &w) {
    return {{"index", w.index},
            {"witness_type", w.witness_type},
            {"timestamp_ns", std::to_string(w.timestamp_ns)},
            {"prev_hash", to_hex(w.prev_hash.data(), w.prev_hash.size())},
            {"hash", to_hex(w.hash.data(), w.hash.size())},
            {"action_hash", to_hex(w.action_hash.data(), w.action_hash.size())},
            {"payload", w.payload ? json(to_hex(w.payload->data(), w.payload->size())) : json(nullptr)}};
}

constexpr uint64_t kDefaultWitnessLimit = 1000, kMaxWitnessLimit = 100000;

} // namespace

JsonReply api_append_witness(StoreService &svc, std::string_view body) {
    auto j = parse_object(body);
    if (!j)
        return error_reply(j.error());
    if (auto k = only_keys(*j, {"witness_type", "payload"}); !k)
        return error_reply(k.error());
    auto t = uint_field(*j, "witness_type", std::nullopt);
    if (!t)
        return error_reply(t.error());
    if (*t > 255)
        return error_reply(bad("\"witness_type\" must be 3 (delegation), 4 (audit) or 5 (attestation)"));
    const auto pit = j->find("payload");
    if (pit == j->end() || !pit->is_string())
        return error_reply(bad("\"payload\" is required: the action's bytes as a hex string (\"\" for none)"));
    if (pit->get_ref<const std::string &>().size() > 2 * kMaxWitnessPayload)
        return error_reply(Error{Status::SegmentTooLarge, "\"payload\" is over " + std::to_string(kMaxWitnessPayload) +
                                                              " bytes: store the action elsewhere and append its hash"});
    const auto bytes = from_hex(pit->get<std::string>());
    if (!bytes)
        return error_reply(bad("\"payload\" must be hex digits (two per byte)"));
    auto r = svc.append_witness(static_cast<uint8_t>(*t), *bytes);
    if (!r)
        return error_reply(r.error());
    return ok_reply({{"entry", witness_json(*r)}});
}

JsonReply api_witness_entries(const StoreService &svc, std::string_view body) {
    auto j = parse_object(body.empty() ? std::string_view("{}") : body);
    if (!j)
        return error_reply(j.error());
    if (auto k = only_keys(*j, {"from", "limit"}); !k)
        return error_reply(k.error());
    auto from = uint_field(*j, "from", 0);
    if (!from)
        return error_reply(from.error());
    auto limit = uint_field(*j, "limit", kDefaultWitnessLimit);
    if (!limit)
        return error_reply(limit.error());
    if (*limit == 0 || *limit > kMaxWitnessLimit)
        return error_reply(bad("\"limit\" must be 1.." + std::to_string(kMaxWitnessLimit) +
                               ": page through the rest with \"from\""));
    auto r = svc.witness_entries(*from, static_cast<size_t>(*limit));
    if (!r)
        return error_reply(r.error());
    json entries = json::array();
    for (const WitnessRecord &w : *r)
        entries.push_back(witness_json(w));
    return ok_reply({{"entries", entries}});
}

JsonReply api_count(const StoreService &svc, std::string_view body) {
    auto j = parse_object(body.empty() ? std::string_view("{}") : body);
    if (!j)
        return error_reply(j.error());
    if (auto k = only_keys(*j, {"filter"}); !k)
        return error_reply(k.error());
    auto f = optional_filter(*j);
    if (!f)
        return error_reply(f.error());
    auto r = svc.count(*f ? &**f : nullptr);
    if (!r)
        return error_reply(r.error());
    return ok_reply({{"count", *r}});
}

JsonReply api_find(const StoreService &svc, std::string_view body) {
    auto j = parse_object(body.empty() ? std::string_view("{}") : body);
    if (!j)
        return error_reply(j.error());
    if (auto k = only_keys(*j, {"filter", "after", "limit"}); !k)
        return error_reply(k.error());
    auto f = optional_filter(*j);
    if (!f)
        return error_reply(f.error());
    std::optional<uint64_t> after;
    if (j->contains("after") && !(*j)["after"].is_null()) {
        auto a = id_from_json((*j)["after"], "after");
        if (!a)
            return error_reply(a.error());
        after = *a;
    }
    auto limit = uint_field(*j, "limit", kDefaultFindLimit);
    if (!limit)
        return error_reply(limit.error());
    if (*limit == 0 || *limit > kMaxFindLimit)
        return error_reply(bad("\"limit\" must be 1.." + std::to_string(kMaxFindLimit) +
                               ": page through the rest with \"after\" set to the last id returned"));
    auto r = svc.find_ids(*f ? &**f : nullptr, after, static_cast<size_t>(*limit));
    if (!r)
        return error_reply(r.error());
    // next_after: where the next page starts, null once this page is the last.
    json next = r->size() == *limit ? json(r->back()) : json(nullptr);
    return ok_reply({{"ids", *r}, {"next_after", next}});
}

namespace {

// The body of /v1/query: {"vector", "k", "ef_search"?, "filter"?, "exact"?} (+ the sharded
// extensions, read by api_sharded_query). The filter lives here so opts.filter stays valid.
struct QueryRequest {
    json body;
    std::vector<float> vector;
    size_t k = 0;
    QueryOptions opts;
    std::optional<FilterExpr> filter;
};

Result<void> parse_query(std::string_view text, QueryRequest &q) {
    auto j = parse_object(text);
    if (!j)
        return j.error();
    q.body = std::move(*j);
    const auto vit = q.body.find("vector");
    if (vit == q.body.end())
        return bad("\"vector\" is required");
    // The length is checked by the runtime (DimensionMismatch), as for every other caller.
    if (auto r = append_floats(*vit, "vector", vit->is_array() ? vit->size() : 0, q.vector); !r)
        return r.error();
    auto k = uint_field(q.body, "k", std::nullopt);
    if (!k)
        return k.error();
    q.k = static_cast<size_t>(std::min<uint64_t>(*k, SIZE_MAX));
    auto ef = uint_field(q.body, "ef_search", 100);
    if (!ef)
        return ef.error();
    q.opts.ef_search = static_cast<uint32_t>(std::min<uint64_t>(*ef, UINT32_MAX));
    if (q.body.contains("filter") && !q.body["filter"].is_null()) {
        auto f = filter_field(q.body);
        if (!f)
            return f.error();
        q.filter = std::move(*f);
        q.opts.filter = &*q.filter;
    }
    if (const auto e = q.body.find("exact"); e != q.body.end() && !e->is_null()) {
        if (!e->is_boolean())
            return bad("\"exact\" must be a boolean");
        q.opts.exact = e->get<bool>();
    }
    return {};
}

json results_json(const std::vector<Neighbor> &hits) {
    json results = json::array();
    for (const Neighbor &n : hits)
        results.push_back({{"id", n.id}, {"distance", n.distance}});
    return results;
}

} // namespace

JsonReply api_query(const StoreService &svc, std::string_view body) {
    QueryRequest q;
    if (auto p = parse_query(body, q); !p)
        return error_reply(p.error());
    for (const char *ext : {"max_shards", "require_all"})
        if (q.body.contains(ext))
            return error_reply(Error{Status::InvalidOptions, std::string("\"") + ext +
                                                                 "\" applies to a sharded root only; this server "
                                                                 "serves one store: drop it"});
    auto r = svc.query(q.vector, q.k, q.opts);
    if (!r)
        return error_reply(r.error());
    return ok_reply({{"results", results_json(*r)}});
}

JsonReply api_sharded_query(const ShardedCollection &coll, std::string_view body) {
    QueryRequest q;
    if (auto p = parse_query(body, q); !p)
        return error_reply(p.error());
    FanOutOptions fan;
    auto ms = uint_field(q.body, "max_shards", 0);
    if (!ms)
        return error_reply(ms.error());
    if (*ms > UINT16_MAX)
        return error_reply(bad("\"max_shards\" must be 0..65535 (0: every shard that may hold a neighbour)"));
    fan.max_shards = static_cast<uint16_t>(*ms);
    if (const auto e = q.body.find("require_all"); e != q.body.end() && !e->is_null()) {
        if (!e->is_boolean())
            return error_reply(bad("\"require_all\" must be a boolean"));
        fan.require_all = e->get<bool>();
    }
    auto r = coll.query(q.vector, q.k, q.opts, fan);
    if (!r)
        return error_reply(r.error());
    json failed = json::array();
    for (const ShardFailure &f : r->failed)
        failed.push_back({{"shard_id", f.shard_id},
                          {"name", f.name},
                          {"error", f.error.to_string()},
                          {"code", core::status_code(f.error.status)},
                          {"error_name", core::status_name(f.error.status)}});
    return ok_reply({{"results", results_json(r->neighbors)},
                     {"partial", r->partial()},
                     {"failed", failed},
                     {"stale", r->stale},
                     {"shards_queried", r->shards_queried},
                     {"shards_skipped", r->shards_skipped}});
}

JsonReply api_delete(StoreService &svc, std::string_view body) {
    auto j = parse_object(body);
    if (!j)
        return error_reply(j.error());
    const bool has_ids = j->contains("ids"), has_filter = j->contains("filter");
    if (has_ids == has_filter)
        return error_reply(bad("give exactly one of \"ids\" and \"filter\""));
    Result<DeleteResult> r = Error{Status::InvalidArgument, ""};
    if (has_filter) {
        auto f = filter_field(*j);
        if (!f)
            return error_reply(f.error());
        r = svc.remove_by_filter(*f);
    } else {
        auto ids = ids_from_json(*j, "ids");
        if (!ids)
            return error_reply(ids.error());
        if (ids->empty())
            return error_reply(bad("ids must not be empty"));
        r = svc.remove(*ids);
    }
    if (!r)
        return error_reply(r.error());
    return ok_reply({{"deleted", r->deleted}, {"epoch", r->epoch}});
}

JsonReply api_compact(StoreService &svc, std::string_view body) {
    // An empty body is {}: clients from before the options existed send none.
    auto j = parse_object(body.empty() ? std::string_view("{}") : body);
    if (!j)
        return error_reply(j.error());
    if (auto k = only_keys(*j, {"io_budget_bytes", "io_bytes_per_second"}); !k)
        return error_reply(k.error());
    CompactOptions opts;
    auto budget = uint_field(*j, "io_budget_bytes", 0);
    if (!budget)
        return error_reply(budget.error());
    auto rate = uint_field(*j, "io_bytes_per_second", 0);
    if (!rate)
        return error_reply(rate.error());
    opts.io_budget_bytes = *budget;
    opts.io_bytes_per_second = *rate;
    auto r = svc.compact(opts);
    if (!r)
        return error_reply(r.error());
    return ok_reply({{"segments_compacted", r->segments_compacted},
                     {"bytes_reclaimed", r->bytes_reclaimed},
                     {"epoch", r->epoch},
                     {"complete", r->complete}});
}

JsonReply api_status(const StoreService &svc) {
    const StoreStatus s = svc.status();
    auto tier = [&](size_t i) { return json{{"rows", s.tier_rows[i]}, {"bytes", s.tier_bytes[i]}}; };
    return ok_reply({{"total_vectors", s.total_vectors},
                     {"total_segments", s.total_segments},
                     {"file_size", s.file_size},
                     {"current_epoch", s.current_epoch},
                     {"profile_id", static_cast<unsigned>(s.domain_profile)},
                     {"profile", profile_name(s.profile)},
                     {"dead_space_ratio", s.dead_space_ratio},
                     {"dead_bytes", s.dead_bytes},
                     {"read_only", s.read_only},
                     {"deleted_vectors", s.deleted_vectors},
                     {"dimension", s.dimension},
                     {"metric", metric_name(s.metric)},
                     {"storage", storage_type_name(s.storage)},
                     {"tiering", s.tiering},
                     {"tiers", {{"hot", tier(0)}, {"warm", tier(1)}, {"cold", tier(2)}}}});
}

JsonReply api_sharded_status(const ShardedCollection &coll) {
    const ShardedStatus s = coll.status();
    json shards = json::array();
    for (const ShardInfo &i : s.shards)
        shards.push_back({{"shard_id", i.shard_id},
                          {"name", i.name},
                          {"file_size", i.file_size},
                          {"live_rows", i.live_rows},
                          {"centroids", i.centroids}});
    return ok_reply({{"sharded", true},
                     {"total_vectors", s.total_vectors},
                     {"current_epoch", s.epoch},
                     {"dimension", s.dimension},
                     {"metric", metric_name(s.metric)},
                     {"routing", s.routing == core::ShardRouting::IdHash ? "id" : "centroid"},
                     {"read_only", true},
                     {"shards", shards}});
}

JsonReply api_health() { return ok_reply({{"status", "ok"}}); }

} // namespace rvf::server

// The shared scenario (api/scenario.json) run against the C++ API, the canonical surface: the same
// steps, names and expectations that tests/js/surfaces/scenario.test.mjs runs against the N-API
// addon, the wasm build and the HTTP server. Each step's operation is dispatched by its C++ name;
// its arguments are taken in api/surface.json's order, which the signature checks below tie to
// RvfStore's declarations, so the table cannot say one order while the API takes another.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>
#include <rvf/core/status.hpp>
#include <rvf/filter.hpp>
#include <rvf/store.hpp>

namespace {

using json = nlohmann::json;
using namespace rvf;
using Meta = std::span<const std::vector<MetadataEntry>>;

// The table's argument order is the declarations' order (names are the parameter names in
// store.hpp; the types pin the positions).
static_assert(std::is_same_v<decltype(&RvfStore::ingest_batch),
                             Result<IngestResult> (RvfStore::*)(std::span<const uint64_t>, std::span<const float>, Meta)>);
static_assert(std::is_same_v<decltype(&RvfStore::upsert_batch),
                             Result<IngestResult> (RvfStore::*)(std::span<const uint64_t>, std::span<const float>, Meta)>);
static_assert(std::is_same_v<decltype(&RvfStore::update_metadata), Result<IngestResult> (RvfStore::*)(std::span<const uint64_t>, Meta)>);
static_assert(std::is_same_v<decltype(&RvfStore::count), Result<uint64_t> (RvfStore::*)(const FilterExpr *) const>);
static_assert(std::is_same_v<decltype(&RvfStore::find_ids),
                             Result<std::vector<uint64_t>> (RvfStore::*)(const FilterExpr *, std::optional<uint64_t>, size_t) const>);
static_assert(std::is_same_v<decltype(&RvfStore::ids_after), Result<std::vector<uint64_t>> (RvfStore::*)(std::optional<uint64_t>, size_t) const>);
static_assert(std::is_same_v<decltype(&RvfStore::remove), Result<DeleteResult> (RvfStore::*)(std::span<const uint64_t>)>);
static_assert(std::is_same_v<decltype(&RvfStore::remove_by_filter), Result<DeleteResult> (RvfStore::*)(const FilterExpr &)>);
static_assert(std::is_same_v<decltype(&RvfStore::append_witness),
                             Result<WitnessRecord> (RvfStore::*)(uint8_t, std::span<const uint8_t>)>);
static_assert(std::is_same_v<decltype(&RvfStore::witness_entries),
                             Result<std::vector<WitnessRecord>> (RvfStore::*)(uint64_t, size_t) const>);

json read_api(const char *file) {
    std::ifstream in(std::string(RVF_TEST_DATA_DIR) + "/../../api/" + file);
    EXPECT_TRUE(in.good()) << "api/" << file << " not found beside tests/";
    return json::parse(in);
}

// Each signature above, as the table must list it.
const std::vector<std::pair<std::string, std::vector<std::string>>> kSignatures = {
    {"ingest_batch", {"ids", "vectors", "metadata"}},
    {"upsert_batch", {"ids", "vectors", "metadata"}},
    {"update_metadata", {"ids", "metadata"}},
    {"query", {"vector", "k", "options"}},
    {"count", {"filter"}},
    {"find_ids", {"filter", "after", "limit"}},
    {"ids_after", {"after", "limit"}},
    {"remove", {"ids"}},
    {"remove_by_filter", {"filter"}},
    {"compact", {"options"}},
    {"status", {}},
    {"append_witness", {"witness_type", "payload"}},
    {"witness_entries", {"from", "limit"}},
};

std::vector<uint64_t> ids_of(const json &j) { return j.get<std::vector<uint64_t>>(); }

std::vector<float> rows_of(const json &j) {
    std::vector<float> out;
    for (const json &row : j)
        for (const json &x : row)
            out.push_back(x.get<float>());
    return out;
}

MetadataValue value_of(const json &v) {
    if (v.is_string()) return MetadataValue::str(v.get<std::string>());
    if (v.is_boolean()) return MetadataValue::boolean(v.get<bool>());
    if (v.is_number_unsigned()) return MetadataValue::u64(v.get<uint64_t>());
    if (v.is_number_integer()) return MetadataValue::i64(v.get<int64_t>());
    return MetadataValue::f64(v.get<double>());
}

std::vector<std::vector<MetadataEntry>> meta_of(const json &j) {
    std::vector<std::vector<MetadataEntry>> out;
    for (const json &row : j) {
        std::vector<MetadataEntry> r;
        if (row.is_object())
            for (const auto &[k, v] : row.items())
                r.push_back({static_cast<uint16_t>(std::stoul(k)), value_of(v)});
        out.push_back(std::move(r));
    }
    return out;
}

std::optional<FilterExpr> filter_of(const json &args) {
    if (!args.contains("filter") || args["filter"].is_null()) return std::nullopt;
    auto f = filter_from_json(args["filter"].dump());
    EXPECT_TRUE(f.ok()) << args["filter"].dump();
    return f ? std::optional<FilterExpr>(std::move(*f)) : std::nullopt;
}

std::optional<uint64_t> after_of(const json &args) {
    if (!args.contains("after") || args["after"].is_null()) return std::nullopt;
    return args["after"].get<uint64_t>();
}

json ingest_json(const IngestResult &r) {
    json rej = json::array();
    for (const Rejection &x : r.rejections)
        rej.push_back({{"index", x.index}, {"id", x.id}, {"code", core::status_code(x.status)}, {"name", core::status_name(x.status)}});
    return {{"accepted", r.accepted}, {"rejected", r.rejected}, {"epoch", r.epoch}, {"rejections", rej}};
}

json status_json(const StoreStatus &s) {
    return {{"total_vectors", s.total_vectors}, {"deleted_vectors", s.deleted_vectors}, {"total_segments", s.total_segments},
            {"file_size", s.file_size}, {"current_epoch", s.current_epoch}, {"profile_id", static_cast<unsigned>(s.domain_profile)},
            {"dimension", s.dimension}, {"metric", metric_name(s.metric)}, {"storage", storage_type_name(s.storage)},
            {"dead_bytes", s.dead_bytes}, {"dead_space_ratio", s.dead_space_ratio}, {"read_only", s.read_only}};
}

template <class T> T ok(Result<T> r, const std::string &op) {
    EXPECT_TRUE(r.ok()) << op << ": " << (r ? "" : r.error().to_string());
    return r ? std::move(*r) : T{};
}

/// One step by its canonical name; the result in the scenario's JSON form.
json run(RvfStore &db, const std::string &op, const json &a) {
    if (op == "ingest_batch" || op == "upsert_batch") {
        const auto ids = ids_of(a["ids"]);
        const auto rows = rows_of(a["vectors"]);
        const auto meta = a.contains("metadata") ? meta_of(a["metadata"]) : std::vector<std::vector<MetadataEntry>>{};
        return ingest_json(ok(op == "ingest_batch" ? db.ingest_batch(ids, rows, meta) : db.upsert_batch(ids, rows, meta), op));
    }
    if (op == "update_metadata")
        return ingest_json(ok(db.update_metadata(ids_of(a["ids"]), meta_of(a["metadata"])), op));
    if (op == "query") {
        const auto v = a["vector"].get<std::vector<float>>();
        const json o = a.value("options", json::object());
        const auto f = filter_of(o);
        QueryOptions qo;
        qo.filter = f ? &*f : nullptr;
        json out = json::array();
        for (const Neighbor &n : ok(db.query(v, a["k"].get<size_t>(), qo), op))
            out.push_back({{"id", n.id}, {"distance", n.distance}});
        return out;
    }
    if (op == "count") {
        const auto f = filter_of(a);
        return ok(db.count(f ? &*f : nullptr), op);
    }
    if (op == "find_ids") {
        const auto f = filter_of(a);
        return ok(db.find_ids(f ? &*f : nullptr, after_of(a), a["limit"].get<size_t>()), op);
    }
    if (op == "ids_after")
        return ok(db.ids_after(after_of(a), a["limit"].get<size_t>()), op);
    if (op == "remove" || op == "remove_by_filter") {
        DeleteResult r = op == "remove" ? ok(db.remove(ids_of(a["ids"])), op) : ok(db.remove_by_filter(*filter_of(a)), op);
        return {{"deleted", r.deleted}, {"epoch", r.epoch}};
    }
    if (op == "compact") {
        const json o = a.value("options", json::object());
        CompactOptions co{o.value("io_budget_bytes", uint64_t{0}), o.value("io_bytes_per_second", uint64_t{0})};
        const CompactResult r = ok(db.compact(co), op);
        return {{"segments_compacted", r.segments_compacted}, {"bytes_reclaimed", r.bytes_reclaimed}, {"epoch", r.epoch}, {"complete", r.complete}};
    }
    if (op == "status")
        return status_json(db.status());
    ADD_FAILURE() << "api/scenario.json names an operation this test does not run: " << op << " (add it to run())";
    return nullptr;
}

/// The parts of `actual` that `expected` names (numbers within 1e-6), as tests/js/surfaces/api.mjs.
void compare(const json &actual, const json &expected, const std::string &where) {
    if (expected.is_number()) {
        ASSERT_TRUE(actual.is_number()) << where << ": " << actual.dump();
        EXPECT_NEAR(actual.get<double>(), expected.get<double>(), 1e-6) << where;
    } else if (expected.is_array()) {
        ASSERT_TRUE(actual.is_array() && actual.size() == expected.size()) << where << ": " << actual.dump() << " vs " << expected.dump();
        for (size_t i = 0; i < expected.size(); ++i)
            compare(actual[i], expected[i], where + "[" + std::to_string(i) + "]");
    } else if (expected.is_object()) {
        ASSERT_TRUE(actual.is_object()) << where << ": " << actual.dump();
        for (const auto &[k, v] : expected.items()) {
            ASSERT_TRUE(actual.contains(k)) << where << ": no field " << k << " in " << actual.dump();
            compare(actual[k], v, where + "." + k);
        }
    } else {
        EXPECT_EQ(actual, expected) << where;
    }
}

TEST(ApiScenario, TableListsEachOperationInTheDeclarationsOrder) {
    const json table = read_api("surface.json");
    for (const auto &[name, args] : kSignatures) {
        const json *found = nullptr;
        for (const json &op : table["operations"])
            if (op["cpp"] == name) found = &op;
        ASSERT_NE(found, nullptr) << "api/surface.json lacks " << name;
        EXPECT_EQ((*found)["args"].get<std::vector<std::string>>(), args) << name;
    }
    EXPECT_EQ(table["operations"].size(), kSignatures.size()) << "an operation in api/surface.json has no signature check here";
}

TEST(ApiScenario, EveryStepAnswersAsTheSharedScenarioExpects) {
    const json sc = read_api("scenario.json");
    StoreOptions so;
    so.dimension = sc["create"]["dimension"].get<uint16_t>();
    bool metric_found = false;
    for (Metric m : {Metric::L2, Metric::InnerProduct, Metric::Cosine, Metric::Hamming})
        if (sc["create"]["metric"] == metric_name(m)) {
            so.metric = m;
            metric_found = true;
        }
    ASSERT_TRUE(metric_found) << sc["create"].dump();
    auto db = RvfStore::create_in_memory(so);
    ASSERT_TRUE(db.ok()) << db.error().to_string();
    size_t i = 0;
    for (const json &step : sc["steps"]) {
        const std::string op = step["op"];
        compare(run(*db, op, step["args"]), step["expect"], "step " + std::to_string(i++) + " " + op);
    }
}

} // namespace

// `rvf serve ROOT --readonly` for a sharded collection root (issue 21, server/sharded_server.hpp):
// fan-out /v1/query equals one store's exact answer, /v1/status lists the shards, /v1/files/
// serves the root and exactly the shard files it names (Range, ETag, 304), writes are refused,
// a missing shard gives a partial answer naming it, and a single store refuses the sharded
// query options. In process, over loopback on ephemeral ports. Native only (no server in wasm).
#include <gtest/gtest.h>

#if defined(RVF_HAVE_SERVER) && !defined(__EMSCRIPTEN__)

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <rvf/server/server.hpp>
#include <rvf/server/sharded_server.hpp>
#include <rvf/sharded.hpp>
#include <rvf/store.hpp>

#include "support/ann_data.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace rvf;
using namespace rvf::server;
using json = nlohmann::json;

constexpr const char *kToken = "sharded-test-token";

std::vector<uint8_t> read_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> bytes_of(const std::string &body) { return {body.begin(), body.end()}; }

class ShardedServe : public ::testing::Test {
protected:
    test::TempDir dir{"rvf-serve-shard"};
    test::Matrix base, queries;
    std::string root;
    std::unique_ptr<ShardedServer> srv;

    void SetUp() override {
        test::gaussian_mixture({.n = 3000, .queries = 12, .dim = 8, .clusters = 6, .seed = 11}, base, queries);
        root = dir.path + "/c.rvf";
    }

    RvfStore single() {
        auto s = RvfStore::create(dir.path + "/one.rvf", {.dimension = 8, .index = IndexMode::Off});
        EXPECT_TRUE(s.ok());
        std::vector<uint64_t> ids(base.n);
        for (size_t i = 0; i < base.n; ++i)
            ids[i] = i + 1;
        EXPECT_TRUE(s->ingest_batch(ids, base.v).ok());
        return std::move(*s);
    }

    void split_and_serve(const RvfStore &one, const std::string &remove_shard = "") {
        auto c = ShardedCollection::split(one, root, {.shards = 4, .store = {}, .routing = core::ShardRouting::Centroid,
                                                      .summary_centroids = 4});
        ASSERT_TRUE(c.ok()) << c.error().to_string();
        ASSERT_TRUE(c->close().ok());
        if (!remove_shard.empty())
            std::filesystem::remove(dir.path + "/" + remove_shard);
        auto r = ShardedCollection::open_readonly(root);
        ASSERT_TRUE(r.ok()) << r.error().to_string();
        ServerOptions o;
        o.http_port = 0;
        o.tcp_port = -1;
        o.access.token = kToken;
        auto s = ShardedServer::start(std::move(*r), root, o);
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        srv = std::move(*s);
    }

    httplib::Client client() {
        httplib::Client c("127.0.0.1", srv->http_port());
        c.set_read_timeout(10, 0);
        return c;
    }

    json query_body(size_t q, bool exact = true) {
        json v = json::array();
        for (size_t d = 0; d < queries.dim; ++d)
            v.push_back(queries.row(q)[d]);
        return {{"vector", v}, {"k", 10}, {"exact", exact}};
    }

    json post_query(const json &body, int expect_status = 200) {
        auto c = client();
        auto r = c.Post("/v1/query", body.dump(), "application/json");
        EXPECT_TRUE(r);
        if (!r)
            return json();
        EXPECT_EQ(r->status, expect_status) << r->body;
        return json::parse(r->body, nullptr, false);
    }
};

TEST_F(ShardedServe, FanOutQueryEqualsOneStoreExactly) {
    const RvfStore one = single();
    split_and_serve(one);
    for (size_t q = 0; q < queries.n; ++q) {
        auto want = one.query(std::span<const float>(queries.row(q), queries.dim), 10, {.exact = true});
        ASSERT_TRUE(want.ok());
        const json got = post_query(query_body(q));
        ASSERT_EQ(got["results"].size(), want->size()) << got.dump();
        for (size_t i = 0; i < want->size(); ++i) {
            EXPECT_EQ(got["results"][i]["id"].get<uint64_t>(), (*want)[i].id) << "query " << q << " rank " << i;
            EXPECT_FLOAT_EQ(got["results"][i]["distance"].get<float>(), (*want)[i].distance);
        }
        EXPECT_FALSE(got["partial"].get<bool>());
        EXPECT_TRUE(got["failed"].empty());
        EXPECT_EQ(got["shards_queried"].get<int>() + got["shards_skipped"].get<int>(), 4);
    }
    // Options are checked: a bad max_shards is a 400, max_shards 1 asks one shard.
    json b = query_body(0);
    b["max_shards"] = 70000;
    EXPECT_EQ(post_query(b, 400)["name"], "InvalidArgument");
    b["max_shards"] = 1;
    EXPECT_EQ(post_query(b)["shards_queried"], 1);
    b["max_shards"] = 0;
    b["require_all"] = "yes";
    EXPECT_EQ(post_query(b, 400)["name"], "InvalidArgument");
}

TEST_F(ShardedServe, StatusListsShardsAndWritesAreRefused) {
    const RvfStore one = single();
    split_and_serve(one);
    auto c = client();
    auto st = c.Get("/v1/status");
    ASSERT_TRUE(st && st->status == 200);
    const json s = json::parse(st->body);
    EXPECT_TRUE(s["sharded"].get<bool>());
    EXPECT_TRUE(s["read_only"].get<bool>());
    EXPECT_EQ(s["total_vectors"].get<uint64_t>(), base.n);
    EXPECT_EQ(s["dimension"].get<int>(), 8);
    EXPECT_EQ(s["routing"], "centroid");
    ASSERT_EQ(s["shards"].size(), 4u);
    uint64_t rows = 0;
    for (const json &sh : s["shards"])
        rows += sh["live_rows"].get<uint64_t>();
    EXPECT_EQ(rows, base.n);

    httplib::Headers auth = {{"Authorization", std::string("Bearer ") + kToken}};
    for (const char *route : {"/v1/ingest", "/v1/delete", "/v1/compact", "/v1/upsert"}) {
        auto r = c.Post(route, auth, R"({"ids":[1]})", "application/json");
        ASSERT_TRUE(r) << route;
        EXPECT_EQ(r->status, 403) << route << " " << r->body;
        EXPECT_EQ(json::parse(r->body)["name"], "ReadOnly") << route;
    }
    // Without the token a write is refused before it is routed, as on a single store.
    auto anon = c.Post("/v1/ingest", R"({})", "application/json");
    ASSERT_TRUE(anon);
    EXPECT_EQ(anon->status, 401);
    auto single_file = c.Get("/v1/file");
    ASSERT_TRUE(single_file);
    EXPECT_NE(single_file->status, 200);
    EXPECT_EQ(json::parse(single_file->body)["name"], "UnsupportedLayout");
}

TEST_F(ShardedServe, FilesRouteServesTheRootAndItsShardsOnly) {
    const RvfStore one = single();
    split_and_serve(one);
    auto c = client();
    auto whole = c.Get("/v1/files/c.rvf");
    ASSERT_TRUE(whole);
    EXPECT_EQ(whole->status, 200);
    EXPECT_EQ(bytes_of(whole->body), read_file(root));
    const std::string etag = whole->get_header_value("ETag");
    EXPECT_FALSE(etag.empty());

    // A shard by the name the root lists, with a Range.
    const json s = json::parse(c.Get("/v1/status")->body);
    const std::string name = s["shards"][1]["name"];
    const std::vector<uint8_t> shard = read_file(dir.path + "/" + name);
    ASSERT_GT(shard.size(), 200u);
    auto part = c.Get(("/v1/files/" + name).c_str(), {{"Range", "bytes=64-191"}});
    ASSERT_TRUE(part);
    EXPECT_EQ(part->status, 206);
    EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 64-191/" + std::to_string(shard.size()));
    EXPECT_EQ(bytes_of(part->body), std::vector<uint8_t>(shard.begin() + 64, shard.begin() + 192));
    auto tail = c.Get(("/v1/files/" + name).c_str(), {{"Range", "bytes=-4096"}});
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->status, 206);
    auto same = c.Get("/v1/files/c.rvf", {{"If-None-Match", etag}});
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 304);

    // Nothing else is reachable through it: other files next to the root, escapes, the shard
    // directory itself.
    for (const char *bad : {"/v1/files/one.rvf", "/v1/files/../one.rvf", "/v1/files/c.rvf.shards",
                            "/v1/files/c.rvf.shards/0009.rvf", "/v1/files//etc/passwd", "/v1/files/%2e%2e/one.rvf"}) {
        auto r = c.Get(bad);
        ASSERT_TRUE(r) << bad;
        EXPECT_EQ(r->status, 404) << bad << " " << r->body;
    }
}

TEST_F(ShardedServe, MissingShardGivesAPartialAnswerNamingIt) {
    const RvfStore one = single();
    split_and_serve(one, "c.rvf.shards/0003.rvf");
    const json got = post_query(query_body(0));
    EXPECT_TRUE(got["partial"].get<bool>());
    ASSERT_EQ(got["failed"].size(), 1u) << got.dump();
    EXPECT_EQ(got["failed"][0]["shard_id"], 3);
    EXPECT_EQ(got["failed"][0]["name"], "c.rvf.shards/0003.rvf");
    EXPECT_FALSE(got["failed"][0]["error_name"].get<std::string>().empty());
    // Every id returned lives in a shard that answered, and they are the exact top-10 of those.
    EXPECT_EQ(got["results"].size(), 10u);
    json strict = query_body(0);
    strict["require_all"] = true;
    auto c = client();
    auto r = c.Post("/v1/query", strict.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_NE(r->status, 200) << r->body;
    // The file route reports the missing shard too.
    auto f = c.Get("/v1/files/c.rvf.shards/0003.rvf");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->status, 404);
}

TEST(ShardedServeOptions, TcpIsRefusedAndASingleStoreRefusesShardOptions) {
    test::TempDir dir("rvf-serve-shard");
    {
        auto s = RvfStore::create(dir.path + "/one.rvf", {.dimension = 2});
        ASSERT_TRUE(s.ok());
        const std::vector<uint64_t> ids = {1, 2};
        const std::vector<float> v = {0, 0, 1, 1};
        ASSERT_TRUE(s->ingest_batch(ids, v).ok());
        auto c = ShardedCollection::split(*s, dir.path + "/c.rvf", {.shards = 2, .store = {}});
        ASSERT_TRUE(c.ok()) << c.error().to_string();
        ASSERT_TRUE(c->close().ok());
        ASSERT_TRUE(s->close().ok());
    }
    auto coll = ShardedCollection::open_readonly(dir.path + "/c.rvf");
    ASSERT_TRUE(coll.ok());
    ServerOptions o;
    o.http_port = 0;
    o.tcp_port = 0;
    o.access.token = kToken;
    auto s = ShardedServer::start(std::move(*coll), dir.path + "/c.rvf", o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().status, Status::InvalidOptions);

    auto store = RvfStore::open_readonly(dir.path + "/one.rvf");
    ASSERT_TRUE(store.ok());
    o.tcp_port = -1;
    auto one = Server::start(std::move(*store), o);
    ASSERT_TRUE(one.ok()) << one.error().to_string();
    httplib::Client c("127.0.0.1", (*one)->http_port());
    auto r = c.Post("/v1/query", R"({"vector":[0,0],"k":1,"max_shards":2})", "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    EXPECT_EQ(json::parse(r->body)["name"], "InvalidOptions");
    auto ok = c.Post("/v1/query", R"({"vector":[0,0],"k":1})", "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << ok->body;
}

} // namespace

#else

TEST(ShardedServe, NotBuilt) { GTEST_SKIP() << "rvf serve is built natively only (RVF_BUILD_SERVER, not Emscripten)"; }

#endif

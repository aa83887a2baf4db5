// `rvf serve` (server/): the HTTP JSON API, /v1/file (Range, ETag, 416, HEAD), SSE updates, the
// binary TCP protocol (ingest/query/delete/status, SUBSCRIBE → UPDATE_NOTIFY), malformed and
// oversized frames, abrupt disconnects, many readers + one writer, and graceful shutdown —
// all over loopback on ephemeral ports, in process. Native only: the server is not part of the
// Emscripten build (there this file is one skipped test).
#include <gtest/gtest.h>

#if defined(RVF_HAVE_SERVER) && !defined(__EMSCRIPTEN__)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <rvf/server/event_hub.hpp>
#include <rvf/server/http_file.hpp>
#include <rvf/server/server.hpp>
#include <rvf/server/tcp_protocol.hpp>
#include <rvf/store.hpp>

#include "support/server_harness.hpp"

namespace {

using namespace rvf;
using namespace rvf::server;
using json = nlohmann::json;
using tcp::MsgType;
using test::Frame;
using test::kToken;
using test::msg_id;
using test::TcpClient;

// --- helpers ----------------------------------------------------------------------------------------

std::string make_temp_dir() {
    char tmpl[] = "/tmp/rvf-server-test-XXXXXX";
    const char *d = ::mkdtemp(tmpl);
    return d ? d : "";
}

std::vector<uint8_t> read_file(const std::string &path) {
    std::ifstream f(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Collects the events of one GET /v1/subscribe stream on a background thread.
class SseCollector {
public:
    SseCollector(uint16_t port, const std::string &path, size_t want_updates) : want_(want_updates) {
        thread_ = std::thread([this, port, path] {
            httplib::Client c("127.0.0.1", port);
            c.set_read_timeout(20, 0);
            auto r = c.Get(path.c_str(), [this](const char *data, size_t n) {
                std::lock_guard<std::mutex> g(mu_);
                buf_.append(data, n);
                size_t at;
                while ((at = buf_.find("\n\n")) != std::string::npos) {
                    parse(buf_.substr(0, at));
                    buf_.erase(0, at + 2);
                }
                cv_.notify_all();
                return updates_.size() < want_ && !ended_;
            });
            std::lock_guard<std::mutex> g(mu_);
            finished_ = true;
            if (r)
                status_ = r->status;
            cv_.notify_all();
        });
    }
    ~SseCollector() {
        if (thread_.joinable())
            thread_.join();
    }
    /// Waits for the "subscribed" event; returns its data.
    json wait_subscribed() {
        std::unique_lock<std::mutex> g(mu_);
        cv_.wait_for(g, std::chrono::seconds(10), [&] { return subscribed_.has_value() || finished_; });
        return subscribed_.value_or(json());
    }
    std::vector<json> wait_updates() {
        if (thread_.joinable())
            thread_.join();
        std::lock_guard<std::mutex> g(mu_);
        return updates_;
    }
    std::vector<std::string> names() {
        std::lock_guard<std::mutex> g(mu_);
        return names_;
    }

private:
    void parse(const std::string &block) {
        std::string event = "message", data;
        size_t i = 0;
        while (i < block.size()) {
            size_t j = block.find('\n', i);
            if (j == std::string::npos)
                j = block.size();
            const std::string line = block.substr(i, j - i);
            if (line.rfind("event: ", 0) == 0)
                event = line.substr(7);
            else if (line.rfind("data: ", 0) == 0)
                data += line.substr(6);
            i = j + 1;
        }
        if (data.empty())
            return; // a ": ping" comment
        names_.push_back(event);
        const json j = json::parse(data);
        if (event == "subscribed")
            subscribed_ = j;
        else if (event == "update")
            updates_.push_back(j);
        else
            ended_ = true;
    }
    const size_t want_;
    std::thread thread_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::string buf_;
    std::optional<json> subscribed_;
    std::vector<json> updates_;
    std::vector<std::string> names_;
    bool ended_ = false, finished_ = false;
    int status_ = 0;
};

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = make_temp_dir();
        ASSERT_FALSE(dir_.empty());
        path_ = dir_ + "/s.rvf";
    }
    void TearDown() override {
        if (srv_) {
            EXPECT_TRUE(srv_->shutdown().ok());
        }
        srv_.reset();
        std::filesystem::remove_all(dir_);
    }
    void start(ServerOptions o = {}, bool readonly = false) {
        if (!std::filesystem::exists(path_)) {
            auto c = RvfStore::create(path_, {.dimension = 4});
            ASSERT_TRUE(c.ok()) << c.error().to_string();
            ASSERT_TRUE(c->close().ok());
        }
        auto st = readonly ? RvfStore::open_readonly(path_) : RvfStore::open(path_);
        ASSERT_TRUE(st.ok()) << st.error().to_string();
        o.http_port = 0;
        o.tcp_port = 0;
        o.http.sse_heartbeat_ms = 1000;
        if (!o.access.no_auth && o.access.token.empty())
            o.access.token = kToken;
        auto s = Server::start(std::move(*st), o);
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        srv_ = std::move(*s);
    }
    httplib::Client client() {
        httplib::Client c("127.0.0.1", srv_->http_port());
        c.set_read_timeout(10, 0);
        c.set_bearer_token_auth(kToken.c_str());
        return c;
    }
    json post(const std::string &route, const std::string &body, int expect_status = 200) {
        auto c = client();
        auto r = c.Post(route.c_str(), body, "application/json");
        EXPECT_TRUE(r) << route;
        if (!r)
            return json();
        EXPECT_EQ(r->status, expect_status) << route << " " << body << " → " << r->body;
        return json::parse(r->body, nullptr, false);
    }
    json get(const std::string &route) {
        auto c = client();
        auto r = c.Get(route.c_str());
        EXPECT_TRUE(r && r->status == 200) << route;
        return r ? json::parse(r->body, nullptr, false) : json();
    }
    /// Ingest ids with one-hot-ish vectors (id i → [i, 1, 0, 0]) through HTTP.
    json ingest_http(const std::vector<uint64_t> &ids) {
        json vecs = json::array();
        for (uint64_t id : ids)
            vecs.push_back({double(id), 1.0, 0.0, 0.0});
        return post("/v1/ingest", json{{"vectors", vecs}, {"ids", ids}}.dump());
    }

    std::string dir_, path_;
    std::unique_ptr<Server> srv_;
};

// --- HTTP JSON API -------------------------------------------------------------------------------------

TEST_F(ServerTest, HealthAndStatusHaveUpstreamShape) {
    start();
    EXPECT_EQ(get("/v1/health"), json({{"status", "ok"}}));
    const json s = get("/v1/status");
    for (const char *k : {"total_vectors", "total_segments", "file_size", "current_epoch", "profile_id",
                          "dead_space_ratio", "read_only"})
        EXPECT_TRUE(s.contains(k)) << k;
    EXPECT_EQ(s["total_vectors"], 0);
    EXPECT_EQ(s["dimension"], 4);
    EXPECT_EQ(s["read_only"], false);
    EXPECT_EQ(s["tiering"], false); // no TieringPolicy: every row hot
    EXPECT_EQ(s["tiers"], json::parse(R"({"hot":{"rows":0,"bytes":0},"warm":{"rows":0,"bytes":0},"cold":{"rows":0,"bytes":0}})"));
    EXPECT_EQ(s["file_size"], std::filesystem::file_size(path_));
}

TEST_F(ServerTest, IngestQueryDeleteWithMetadataAndFilters) {
    start();
    // Per-vector objects (the rvf-wasm form) with typed and shorthand values.
    json r = post("/v1/ingest", R"({"vectors": [[1,0,0,0],[0,1,0,0],[0,0,1,0]], "ids": [1, 2, "3"],
        "metadata": [{"1": "news", "2": {"u64": 7}}, {"1": "blog", "2": 9}, null]})");
    EXPECT_EQ(r["accepted"], 3);
    EXPECT_EQ(r["rejected"], 0);
    const uint32_t e1 = r["epoch"];
    // Upstream's flat {field_id, value} list: one entry per vector here.
    r = post("/v1/ingest", R"({"vectors": [[0,0,0,1],[1,1,0,0]], "ids": [4, 5],
        "metadata": [{"field_id": 1, "value": "news"}, {"field_id": 1, "value": "blog"}]})");
    EXPECT_EQ(r["accepted"], 2);
    EXPECT_EQ(r["epoch"], e1 + 1);

    r = post("/v1/query", R"({"vector": [0,1,0,0], "k": 2})");
    ASSERT_EQ(r["results"].size(), 2u);
    EXPECT_EQ(r["results"][0]["id"], 2);
    EXPECT_EQ(r["results"][0]["distance"], 0.0);
    EXPECT_EQ(r["results"][1]["id"], 5);

    r = post("/v1/query", R"({"vector": [0,1,0,0], "k": 10, "filter": {"op": "eq", "field": 1, "value": "news"}})");
    std::set<uint64_t> ids;
    for (const auto &h : r["results"])
        ids.insert(h["id"].get<uint64_t>());
    EXPECT_EQ(ids, (std::set<uint64_t>{1, 4}));
    r = post("/v1/query", R"({"vector": [0,1,0,0], "k": 10, "exact": true,
                              "filter": {"op": "ge", "field": 2, "value": {"u64": 8}}})");
    ASSERT_EQ(r["results"].size(), 1u);
    EXPECT_EQ(r["results"][0]["id"], 2);

    r = post("/v1/delete", R"({"ids": [1, 99]})");
    EXPECT_EQ(r["deleted"], 1);
    r = post("/v1/delete", R"({"filter": {"op": "eq", "field": 1, "value": "blog"}})");
    EXPECT_EQ(r["deleted"], 2);
    EXPECT_EQ(get("/v1/status")["total_vectors"], 2);
    EXPECT_EQ(srv_->service().status().total_vectors, 2u);
}

TEST_F(ServerTest, UpsertUpdateMetadataCountFindAndCompactOptions) {
    start();
    ingest_http({1, 2, 3});
    // Upsert: id 2 replaced (not rejected as a duplicate), id 9 inserted, one commit.
    json r = post("/v1/upsert", R"({"vectors": [[0,0,0,9],[9,0,0,0]], "ids": [2, 9],
        "metadata": [{"1": "new"}, {"1": "new"}]})");
    EXPECT_EQ(r["accepted"], 2);
    EXPECT_EQ(r["rejected"], 0);
    const uint32_t e_upsert = r["epoch"];
    r = post("/v1/query", R"({"vector": [0,0,0,9], "k": 1})");
    ASSERT_EQ(r["results"].size(), 1u);
    EXPECT_EQ(r["results"][0]["id"], 2);
    EXPECT_EQ(r["results"][0]["distance"], 0.0);
    EXPECT_EQ(post("/v1/count", "{}")["count"], 4);
    EXPECT_EQ(post("/v1/count", R"({"filter": {"op": "eq", "field": 1, "value": "new"}})")["count"], 2);

    // update_metadata: a live id changes, a missing id is rejected, the rest still committed.
    r = post("/v1/update_metadata", R"({"ids": [3, 77], "metadata": [{"1": "new"}, {"1": "x"}]})");
    EXPECT_EQ(r["accepted"], 1);
    EXPECT_EQ(r["rejected"], 1);
    ASSERT_EQ(r["rejections"].size(), 1u);
    EXPECT_EQ(r["rejections"][0]["id"], 77);
    EXPECT_EQ(r["epoch"], e_upsert + 1);
    EXPECT_EQ(post("/v1/count", R"({"filter": {"op": "eq", "field": 1, "value": "new"}})")["count"], 3);
    // A field no row has matches nothing (not an error).
    EXPECT_EQ(post("/v1/count", R"({"filter": {"op": "eq", "field": 40, "value": 1}})")["count"], 0);

    // find: a filter-only query, paged with after/next_after; no filter pages over every row.
    r = post("/v1/find", R"({"filter": {"op": "eq", "field": 1, "value": "new"}, "limit": 2})");
    EXPECT_EQ(r["ids"], json({2, 3}));
    EXPECT_EQ(r["next_after"], 3);
    r = post("/v1/find", R"({"filter": {"op": "eq", "field": 1, "value": "new"}, "limit": 2, "after": 3})");
    EXPECT_EQ(r["ids"], json({9}));
    EXPECT_TRUE(r["next_after"].is_null());
    EXPECT_EQ(post("/v1/find", "{}")["ids"], json({1, 2, 3, 9}));
    EXPECT_EQ(post("/v1/find", R"({"limit": 0})", 400)["name"], "InvalidArgument");
    EXPECT_EQ(post("/v1/find", R"({"limit": 100001})", 400)["name"], "InvalidArgument");
    EXPECT_EQ(post("/v1/find", R"({"limt": 5})", 400)["name"], "InvalidOptions");
    EXPECT_EQ(post("/v1/count", R"({"filtr": {}})", 400)["name"], "InvalidOptions");

    // compact takes its IO options; unknown ones are refused, not ignored.
    json bad = post("/v1/compact", R"({"io_bytes_per_sec": 1})", 400);
    EXPECT_EQ(bad["name"], "InvalidOptions");
    EXPECT_NE(bad["error"].get<std::string>().find("io_bytes_per_second"), std::string::npos);
    r = post("/v1/compact", R"({"io_budget_bytes": 1})");
    EXPECT_EQ(r["complete"], false); // a 1-byte budget stops the rewrite before it changes anything
    r = post("/v1/compact", R"({"io_bytes_per_second": 100000000})");
    EXPECT_EQ(r["complete"], true);
    EXPECT_EQ(post("/v1/find", "{}")["ids"], json({1, 2, 3, 9}));
    r = post("/v1/compact", "");
    EXPECT_EQ(r["complete"], true);

    // The new write routes need the token like the others.
    httplib::Client anon("127.0.0.1", srv_->http_port());
    for (const char *route : {"/v1/upsert", "/v1/update_metadata"}) {
        auto res = anon.Post(route, R"({"ids": [1], "vectors": [[1,2,3,4]]})", "application/json");
        ASSERT_TRUE(res) << route;
        EXPECT_EQ(res->status, 401) << route;
    }
}

TEST_F(ServerTest, BadRequestsAreTypedErrorsAndCommitNothing) {
    ServerOptions o;
    o.http.max_body = 4096;
    start(o);
    ingest_http({1, 2});
    const uint32_t epoch = get("/v1/status")["current_epoch"];
    json r = post("/v1/ingest", "{\"vectors\": [[1,2,3,4]", 400);
    EXPECT_EQ(r["name"], "InvalidArgument");
    EXPECT_EQ(r["code"], 0xFF04);
    r = post("/v1/ingest", R"({"vectors": [[1,2,3,4],[1,2,3]], "ids": [7, 8]})", 400);
    EXPECT_EQ(r["name"], "DimensionMismatch");
    r = post("/v1/ingest", R"({"vectors": [[1,2,3,4]], "ids": [7, 8]})", 400);
    EXPECT_EQ(r["name"], "InvalidArgument");
    r = post("/v1/ingest", R"({"vectors": [[1,2,3,4]], "ids": [-1]})", 400);
    EXPECT_EQ(r["name"], "InvalidArgument");
    r = post("/v1/ingest", R"({"vectors": [[1,2,3,4]], "ids": [7], "metadata": [{"x": 1}]})", 400);
    EXPECT_EQ(r["name"], "InvalidArgument");
    r = post("/v1/ingest", R"({"vectors": [[1,2,3,4]], "ids": [7], "metadata": [{"1": {"nope": 1}}]})", 400);
    EXPECT_EQ(r["name"], "InvalidArgument");
    r = post("/v1/query", R"({"vector": [1,2,3], "k": 1})", 400);
    EXPECT_EQ(r["name"], "DimensionMismatch");
    r = post("/v1/query", R"({"vector": [1,2,3,4]})", 400);
    EXPECT_EQ(r["name"], "InvalidArgument");
    r = post("/v1/query", R"({"vector": [1,2,3,4], "k": 1, "filter": {"op": "eq", "field": 9, "value": 1}})");
    EXPECT_TRUE(r["results"].empty()); // field 9 is held by no row: nothing matches
    r = post("/v1/query", R"({"vector": [1,2,3,4], "k": 0})");
    EXPECT_TRUE(r["results"].empty()); // k = 0 asks for nothing
    r = post("/v1/query", R"({"vector": [1,2,3,4], "k": 1, "filter": {"op": "zz"}})", 400);
    EXPECT_EQ(r["name"], "FilterParseError");
    r = post("/v1/query", R"({"vector": [1,2,3,4], "k": 2000000})", 400);
    EXPECT_EQ(r["name"], "KTooLarge");
    r = post("/v1/delete", R"({"ids": []})", 400);
    r = post("/v1/delete", R"([1,2])", 400);
    auto c = client();
    auto big = c.Post("/v1/ingest", std::string(8192, ' '), "application/json");
    ASSERT_TRUE(big);
    EXPECT_EQ(big->status, 413);
    auto nf = c.Get("/v1/nope");
    ASSERT_TRUE(nf);
    EXPECT_EQ(nf->status, 404);
    EXPECT_EQ(get("/v1/status")["current_epoch"], epoch);
    EXPECT_EQ(get("/v1/status")["total_vectors"], 2);
}

TEST_F(ServerTest, AuditTrailAppendsAndReadsBackOverHttp) {
    start();
    ingest_http({1, 2});
    json r = post("/v1/append_witness", R"({"witness_type": 4, "payload": "68656c6c6f"})");
    ASSERT_TRUE(r.contains("entry")) << r.dump();
    const json e = r["entry"];
    EXPECT_EQ(e["witness_type"], 4);
    EXPECT_EQ(e["payload"], "68656c6c6f"); // "hello"
    EXPECT_EQ(e["hash"].get<std::string>().size(), 64u);
    EXPECT_TRUE(e["timestamp_ns"].is_string()); // ns past 2^53 stay exact
    const json all = post("/v1/witness_entries", "{}")["entries"];
    ASSERT_GE(all.size(), 2u);
    EXPECT_EQ(all.back(), e);                     // the appended entry closes the chain...
    EXPECT_TRUE(all.front()["payload"].is_null()); // ...after the store's own commit entries
    EXPECT_EQ(all.back()["prev_hash"], all[all.size() - 2]["hash"]);
    const json page = post("/v1/witness_entries", json{{"from", all.size() - 1}, {"limit", 5}}.dump())["entries"];
    ASSERT_EQ(page.size(), 1u);
    EXPECT_EQ(page[0], e);
    // Refusals, each typed, nothing committed.
    EXPECT_EQ(post("/v1/append_witness", R"({"witness_type": 1, "payload": ""})", 400)["name"], "InvalidArgument");
    EXPECT_EQ(post("/v1/append_witness", R"({"witness_type": 4, "payload": "zz"})", 400)["name"], "InvalidArgument");
    EXPECT_EQ(post("/v1/append_witness", R"({"witness_type": 4})", 400)["name"], "InvalidArgument");
    EXPECT_EQ(post("/v1/append_witness", R"({"witness_type": 4, "payload": "", "x": 1})", 400)["name"], "InvalidOptions");
    EXPECT_EQ(post("/v1/append_witness", json{{"witness_type", 4}, {"payload", std::string(2 * kMaxWitnessPayload + 2, 'a')}}.dump(), 413)["name"],
              "SegmentTooLarge");
    EXPECT_EQ(post("/v1/witness_entries", R"({"limit": 0})", 400)["name"], "InvalidArgument");
    EXPECT_EQ(post("/v1/witness_entries", "{}")["entries"].size(), all.size());
    // A write route: no token, no append.
    httplib::Client anon("127.0.0.1", srv_->http_port());
    auto denied = anon.Post("/v1/append_witness", R"({"witness_type": 4, "payload": ""})", "application/json");
    ASSERT_TRUE(denied);
    EXPECT_EQ(denied->status, 401);
}

TEST_F(ServerTest, ReadOnlyServerRefusesWrites) {
    start({}, /*readonly=*/true);
    json r = post("/v1/ingest", R"({"vectors": [[1,2,3,4]], "ids": [1]})", 403);
    EXPECT_EQ(r["name"], "ReadOnly");
    EXPECT_EQ(get("/v1/status")["read_only"], true);
    TcpClient t(srv_->tcp_port(), kToken);
    auto payload = tcp::encode_ingest({.dim = 4, .ids = {1}, .vectors = {1, 2, 3, 4}});
    ASSERT_TRUE(payload.ok());
    const Frame f = t.request(MsgType::Ingest, 5, *payload);
    ASSERT_EQ(f.type, static_cast<uint8_t>(MsgType::Error));
    EXPECT_EQ(tcp::decode_error(f.view())->code, static_cast<uint16_t>(Status::ReadOnly));
}

// --- GET /v1/file ------------------------------------------------------------------------------------------

TEST_F(ServerTest, FileServesCommittedBytesWithRangeAndEtag) {
    start();
    ingest_http({1, 2, 3});
    auto c = client();
    auto full = c.Get("/v1/file");
    ASSERT_TRUE(full);
    EXPECT_EQ(full->status, 200);
    const std::vector<uint8_t> disk = read_file(path_);
    EXPECT_EQ(full->body, std::string(disk.begin(), disk.end()));
    EXPECT_EQ(full->get_header_value("Accept-Ranges"), "bytes");
    EXPECT_EQ(full->get_header_value("Content-Length"), std::to_string(disk.size()));
    const std::string etag = full->get_header_value("ETag");
    ASSERT_FALSE(etag.empty());

    auto part = c.Get("/v1/file", {{"Range", "bytes=64-127"}});
    ASSERT_TRUE(part);
    EXPECT_EQ(part->status, 206);
    EXPECT_EQ(part->body, std::string(disk.begin() + 64, disk.begin() + 128));
    EXPECT_EQ(part->get_header_value("Content-Range"), "bytes 64-127/" + std::to_string(disk.size()));

    auto tail = c.Get("/v1/file", {{"Range", "bytes=-4096"}}); // spec: boot from the last 4 KB
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->status, 206);
    EXPECT_EQ(tail->body, std::string(disk.end() - 4096, disk.end()));

    auto beyond = c.Get("/v1/file", {{"Range", "bytes=" + std::to_string(disk.size()) + "-"}});
    ASSERT_TRUE(beyond);
    EXPECT_EQ(beyond->status, 416);
    EXPECT_EQ(beyond->get_header_value("Content-Range"), "bytes */" + std::to_string(disk.size()));

    auto same = c.Get("/v1/file", {{"If-None-Match", etag}});
    ASSERT_TRUE(same);
    EXPECT_EQ(same->status, 304);
    EXPECT_TRUE(same->body.empty());

    auto head = c.Head("/v1/file");
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->get_header_value("Content-Length"), std::to_string(disk.size()));
    EXPECT_TRUE(head->body.empty());

    // A commit changes the ETag; If-Range with the old one yields the whole new file.
    ingest_http({4});
    const std::vector<uint8_t> disk2 = read_file(path_);
    ASSERT_GT(disk2.size(), disk.size());
    auto stale = c.Get("/v1/file", {{"Range", "bytes=0-9"}, {"If-Range", etag}});
    ASSERT_TRUE(stale);
    EXPECT_EQ(stale->status, 200);
    EXPECT_EQ(stale->body.size(), disk2.size());
    const std::string etag2 = stale->get_header_value("ETag");
    EXPECT_NE(etag2, etag);
    auto fresh = c.Get("/v1/file", {{"Range", "bytes=0-9"}, {"If-Range", etag2}});
    ASSERT_TRUE(fresh);
    EXPECT_EQ(fresh->status, 206);
    EXPECT_EQ(fresh->body, std::string(disk2.begin(), disk2.begin() + 10));
    auto old = c.Get("/v1/file", {{"If-None-Match", etag}});
    ASSERT_TRUE(old);
    EXPECT_EQ(old->status, 200);
}

TEST(HttpFilePlan, RangeDecisions) {
    const std::string tag = "\"t\"";
    EXPECT_EQ(plan_file_response(100, tag, {}, "", false, "").status, 200);
    auto p = plan_file_response(100, tag, {{10, -1}}, "", false, "");
    EXPECT_EQ(p.status, 206);
    EXPECT_EQ(p.offset, 10u);
    EXPECT_EQ(p.length, 90u);
    p = plan_file_response(100, tag, {{90, 500}}, "", false, "");
    EXPECT_EQ(p.content_range, "bytes 90-99/100");
    p = plan_file_response(100, tag, {{-1, 500}}, "", false, "");
    EXPECT_EQ(p.status, 206);
    EXPECT_EQ(p.offset, 0u);
    EXPECT_EQ(plan_file_response(100, tag, {{-1, 0}}, "", false, "").status, 416);
    EXPECT_EQ(plan_file_response(100, tag, {{100, 200}}, "", false, "").status, 416);
    EXPECT_EQ(plan_file_response(100, tag, {{0, 1}, {5, 6}}, "", false, "").status, 200);
    EXPECT_EQ(plan_file_response(100, tag, {{0, 1}}, "W/\"x\", \"t\"", false, "").status, 304);
    EXPECT_EQ(plan_file_response(100, tag, {{0, 1}}, "*", false, "").status, 304);
    EXPECT_EQ(plan_file_response(100, tag, {{0, 1}}, "", true, "Tue, 01 Jan 2030 00:00:00 GMT").status, 200);
}

// --- SSE ------------------------------------------------------------------------------------------------------

TEST_F(ServerTest, SseStreamsUpdateNotifications) {
    start();
    ingest_http({1});
    SseCollector sse(srv_->http_port(), "/v1/subscribe", 3);
    const json hello = sse.wait_subscribed();
    ASSERT_TRUE(hello.is_object());
    const uint32_t start_epoch = hello["epoch"];
    EXPECT_EQ(hello["total_vectors"], 1);
    ingest_http({2, 3});
    post("/v1/delete", R"({"ids": [1]})");
    ingest_http({4});
    const std::vector<json> ev = sse.wait_updates();
    ASSERT_EQ(ev.size(), 3u);
    EXPECT_EQ(ev[0], json({{"epoch", start_epoch + 1}, {"event", "ingest"}, {"affected_count", 2}, {"new_total", 3},
                           {"ids", {2, 3}}, {"ids_truncated", false}}));
    EXPECT_EQ(ev[1], json({{"epoch", start_epoch + 2}, {"event", "delete"}, {"affected_count", 1}, {"new_total", 2},
                           {"ids", {1}}, {"ids_truncated", false}}));
    EXPECT_EQ(ev[2], json({{"epoch", start_epoch + 3}, {"event", "ingest"}, {"affected_count", 1}, {"new_total", 3},
                           {"ids", {4}}, {"ids_truncated", false}}));
}

// A subscriber (another agent sharing the file) learns which rows changed, not only how many:
// accepted ids without the rejected ones, the ids a delete named, the rows a filter matched, and
// a bounded list with a flag when a commit is bigger than an event may carry.
TEST_F(ServerTest, SseEventsNameTheRowsTheyChanged) {
    start();
    SseCollector sse(srv_->http_port(), "/v1/subscribe", 5);
    ASSERT_TRUE(sse.wait_subscribed().is_object());
    post("/v1/ingest", R"({"vectors": [[1,0,0,0],[0,1,0,0]], "ids": [5, 6],
        "metadata": [{"field_id": 1, "value": "news"}, {"field_id": 1, "value": "blog"}]})");
    ingest_http({6, 7});                                            // 6 is a duplicate: rejected
    post("/v1/delete", R"({"ids": [7, 99]})");                      // the ids asked for
    post("/v1/delete", R"({"filter": {"op": "eq", "field": 1, "value": "blog"}})");
    std::vector<uint64_t> many(kMaxEventIds + 3);
    for (size_t i = 0; i < many.size(); ++i)
        many[i] = 1000 + i;
    ingest_http(many);
    const std::vector<json> ev = sse.wait_updates();
    ASSERT_EQ(ev.size(), 5u);
    EXPECT_EQ(ev[0]["ids"], json({5, 6}));
    EXPECT_EQ(ev[1]["ids"], json({7}));
    EXPECT_EQ(ev[1]["affected_count"], 1);
    EXPECT_EQ(ev[2]["ids"], json({7, 99}));
    EXPECT_EQ(ev[2]["affected_count"], 1);
    EXPECT_EQ(ev[3]["ids"], json({6}));
    EXPECT_EQ(ev[3]["event"], "delete");
    EXPECT_EQ(ev[4]["ids"].size(), kMaxEventIds);
    EXPECT_EQ(ev[4]["ids"][0], 1000);
    EXPECT_EQ(ev[4]["ids_truncated"], true);
    EXPECT_EQ(ev[4]["affected_count"], many.size());
}

TEST_F(ServerTest, SseFiltersByKindAndMinEpoch) {
    start();
    const uint32_t e0 = get("/v1/status")["current_epoch"];
    SseCollector sse(srv_->http_port(), "/v1/subscribe?events=delete&min_epoch=" + std::to_string(e0 + 3), 1);
    ASSERT_TRUE(sse.wait_subscribed().is_object());
    ingest_http({1, 2, 3});                     // e0+1: ingest (filtered out by kind)
    post("/v1/delete", R"({"ids": [1]})");     // e0+2: delete, below min_epoch
    post("/v1/delete", R"({"ids": [2]})");     // e0+3: delivered
    const std::vector<json> ev = sse.wait_updates();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0]["epoch"], e0 + 3);
    EXPECT_EQ(ev[0]["event"], "delete");
    auto c = client();
    auto bad = c.Get("/v1/subscribe?events=bogus");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
}

// --- event hub -------------------------------------------------------------------------------------------------

TEST(EventHub, FullQueueOverflowsWithoutBlockingThePublisher) {
    EventHub hub(2);
    auto slow = hub.subscribe();
    auto fast = hub.subscribe();
    std::vector<UpdateEvent> got_fast;
    for (uint32_t e = 1; e <= 5; ++e) {
        hub.publish({e, EventKind::Ingest, 1, e, {}, false}); // never waits for `slow`
        UpdateEvent x;
        ASSERT_EQ(fast->pop(x, std::chrono::milliseconds(0)), Subscription::Pop::Event);
        got_fast.push_back(x);
    }
    EXPECT_EQ(got_fast.size(), 5u);
    UpdateEvent x;
    EXPECT_EQ(slow->pop(x, std::chrono::milliseconds(0)), Subscription::Pop::Event);
    EXPECT_EQ(x.epoch, 1u);
    EXPECT_EQ(slow->pop(x, std::chrono::milliseconds(0)), Subscription::Pop::Event);
    EXPECT_EQ(x.epoch, 2u);
    EXPECT_EQ(slow->pop(x, std::chrono::milliseconds(0)), Subscription::Pop::Overflow);
    EXPECT_EQ(slow->dropped(), 3u);
    EXPECT_EQ(slow->last_epoch(), 2u);
    hub.close_all();
    EXPECT_EQ(fast->pop(x, std::chrono::milliseconds(0)), Subscription::Pop::Closed);
    EXPECT_EQ(hub.subscribe()->pop(x, std::chrono::milliseconds(0)), Subscription::Pop::Closed);
}

// --- TCP ---------------------------------------------------------------------------------------------------------

TEST_F(ServerTest, TcpIngestQueryDeleteStatus) {
    start();
    TcpClient t(srv_->tcp_port(), kToken);
    ASSERT_TRUE(t.connected());
    tcp::IngestRequest in{.dim = 4, .ids = {10, 11, 12}, .vectors = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}};
    in.metadata = {{{1, MetadataValue::str("a")}}, {{1, MetadataValue::str("b")}}, {}};
    Frame f = t.request(MsgType::Ingest, 0x010203, *tcp::encode_ingest(in));
    ASSERT_EQ(f.type, static_cast<uint8_t>(MsgType::IngestAck));
    EXPECT_EQ(f.id, msg_id(0x010203));
    auto ack = tcp::decode_ingest_ack(f.view());
    ASSERT_TRUE(ack.ok());
    EXPECT_EQ(ack->accepted, 3u);
    EXPECT_EQ(ack->rejected, 0u);

    // Upstream's exact QUERY payload (no EXT block) …
    f = t.request(MsgType::Query, 2, *tcp::encode_query({.k = 2, .vector = {0, 1, 0, 0}}));
    ASSERT_EQ(f.type, static_cast<uint8_t>(MsgType::QueryResult));
    EXPECT_EQ(f.payload.size(), 4u + 2 * 12);
    auto hits = tcp::decode_query_result(f.view());
    ASSERT_TRUE(hits.ok());
    EXPECT_EQ((*hits)[0], (Neighbor{11, 0.0f}));
    // … and with the filter extension.
    tcp::QueryRequest q{.k = 5, .vector = {0, 1, 0, 0}};
    q.filter = FilterExpr::eq(1, MetadataValue::str("a"));
    f = t.request(MsgType::Query, 3, *tcp::encode_query(q));
    hits = tcp::decode_query_result(f.view());
    ASSERT_TRUE(hits.ok());
    ASSERT_EQ(hits->size(), 1u);
    EXPECT_EQ((*hits)[0].id, 10u);

    f = t.request(MsgType::Delete, 4, *tcp::encode_delete({.ids = {10, 99}}));
    ASSERT_EQ(f.type, static_cast<uint8_t>(MsgType::DeleteAck));
    EXPECT_EQ(tcp::decode_delete_ack(f.view())->deleted, 1u);
    tcp::DeleteRequest byf;
    byf.filter = FilterExpr::eq(1, MetadataValue::str("b"));
    f = t.request(MsgType::Delete, 5, *tcp::encode_delete(byf));
    EXPECT_EQ(tcp::decode_delete_ack(f.view())->deleted, 1u);

    f = t.request(MsgType::Status, 6, {});
    ASSERT_EQ(f.type, static_cast<uint8_t>(MsgType::StatusResp));
    ASSERT_EQ(f.payload.size(), tcp::kStatusRespSize);
    auto st = tcp::decode_status_resp(f.view());
    ASSERT_TRUE(st.ok());
    const StoreStatus s = srv_->service().status();
    EXPECT_EQ(st->total_vectors, 1u);
    EXPECT_EQ(st->epoch, s.current_epoch);
    EXPECT_EQ(st->file_size, s.file_size);
    EXPECT_FALSE(st->read_only);
}

TEST_F(ServerTest, TcpMalformedFramesGetErrorsAndTheConnectionSurvives) {
    start();
    TcpClient t(srv_->tcp_port(), kToken);
    auto expect_error = [&](MsgType type, const std::vector<uint8_t> &payload, uint16_t code) {
        const Frame f = t.request(type, 77, payload);
        ASSERT_EQ(f.type, static_cast<uint8_t>(MsgType::Error)) << int(type);
        EXPECT_EQ(f.id, msg_id(77));
        auto e = tcp::decode_error(f.view());
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(e->code, code) << e->desc;
        EXPECT_FALSE(e->desc.empty());
    };
    expect_error(static_cast<MsgType>(0x42), {}, tcp::kErrUnknownType);
    expect_error(MsgType::Query, {1, 0, 0}, 0xFF04);                             // short header
    expect_error(MsgType::Query, {1, 0, 0, 0, 4, 0, 0, 0, 0, 0}, 0xFF04);         // short vector
    auto q = *tcp::encode_query({.k = 1, .vector = {1, 2, 3, 4}});
    q.push_back(9);
    expect_error(MsgType::Query, q, 0xFF04);                                     // trailing junk
    auto qf = *tcp::encode_query({.k = 1, .vector = {1, 2, 3, 4}, .ef_search = 50});
    qf[qf.size() - 4] = 3; // filter_len 3 with no bytes behind it
    expect_error(MsgType::Query, qf, 0xFF04);
    auto qbad = *tcp::encode_query({.k = 1, .vector = {1, 2, 3, 4}, .ef_search = 50});
    qbad[qbad.size() - 4] = 2;
    qbad.push_back(0x77); // an unknown filter op
    qbad.push_back(0);
    expect_error(MsgType::Query, qbad, static_cast<uint16_t>(Status::FilterParseError));
    expect_error(MsgType::Query, *tcp::encode_query({.k = 1, .vector = {1, 2, 3}}),
                 static_cast<uint16_t>(Status::DimensionMismatch));
    expect_error(MsgType::Ingest, *tcp::encode_ingest({.dim = 3, .ids = {1}, .vectors = {1, 2, 3}}),
                 static_cast<uint16_t>(Status::DimensionMismatch));
    // count says 1000 vectors, the payload holds one: refused before anything is allocated
    auto ing = *tcp::encode_ingest({.dim = 4, .ids = {1}, .vectors = {1, 2, 3, 4}});
    ing[0] = 0xE8;
    ing[1] = 0x03;
    expect_error(MsgType::Ingest, ing, 0xFF04);
    expect_error(MsgType::Delete, {2, 0, 0, 0, 1, 2, 3}, 0xFF04);
    expect_error(MsgType::Status, {1}, 0xFF04);
    expect_error(MsgType::Subscribe, {0, 0}, 0xFF04);
    // Still the same connection, still serving.
    const Frame ok = t.request(MsgType::Status, 8, {});
    EXPECT_EQ(ok.type, static_cast<uint8_t>(MsgType::StatusResp));
    EXPECT_EQ(srv_->service().status().total_vectors, 0u);
}

TEST_F(ServerTest, TcpOversizedFrameIsRefusedAndClosed) {
    ServerOptions o;
    o.tcp.max_frame = 1024;
    start(o);
    TcpClient t(srv_->tcp_port(), kToken);
    std::vector<uint8_t> hdr = tcp::encode_frame(MsgType::Ingest, msg_id(9), {});
    core::store_u32_be(hdr.data(), 1025);
    ASSERT_TRUE(t.send_raw(hdr));
    auto f = t.recv();
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->type, static_cast<uint8_t>(MsgType::Error));
    EXPECT_EQ(tcp::decode_error(f->view())->code, tcp::kErrFrameTooLarge);
    EXPECT_TRUE(t.closed_by_peer());
    // A frame of exactly the limit is fine (here: a malformed one, answered, not closed).
    TcpClient t2(srv_->tcp_port(), kToken);
    const Frame g = t2.request(MsgType::Query, 1, std::vector<uint8_t>(1024, 0));
    EXPECT_EQ(g.type, static_cast<uint8_t>(MsgType::Error));
    EXPECT_EQ(t2.request(MsgType::Status, 2, {}).type, static_cast<uint8_t>(MsgType::StatusResp));
}

TEST_F(ServerTest, TwoSubscribersSeeTheSameOrderedEpochs) {
    start();
    constexpr int kWrites = 40;
    std::vector<std::unique_ptr<TcpClient>> subs;
    std::vector<uint32_t> starts;
    for (int i = 0; i < 2; ++i) {
        subs.push_back(std::make_unique<TcpClient>(srv_->tcp_port()));
        const Frame ack = subs.back()->request(MsgType::Subscribe, 100 + i, tcp::encode_subscribe({}));
        ASSERT_EQ(ack.type, static_cast<uint8_t>(MsgType::StatusResp));
        starts.push_back(tcp::decode_status_resp(ack.view())->epoch);
    }
    EXPECT_EQ(starts[0], starts[1]);
    // Writers on both front ends at once: TCP ingests and HTTP ingests + deletes.
    std::thread tcp_writer([&] {
        TcpClient w(srv_->tcp_port(), kToken);
        for (int i = 0; i < kWrites / 2; ++i) {
            auto p = tcp::encode_ingest({.dim = 4, .ids = {uint64_t(1000 + i)}, .vectors = {1, 2, 3, float(i)}});
            w.request(MsgType::Ingest, i, *p);
        }
    });
    for (int i = 0; i < kWrites / 4; ++i) {
        ingest_http({uint64_t(2000 + i)});
        post("/v1/delete", json{{"ids", {2000 + i}}}.dump());
    }
    tcp_writer.join();
    std::vector<std::vector<UpdateEvent>> seen(2);
    for (int s = 0; s < 2; ++s)
        for (int i = 0; i < kWrites; ++i) {
            auto f = subs[s]->recv();
            ASSERT_TRUE(f.has_value()) << "subscriber " << s << " event " << i;
            ASSERT_EQ(f->type, static_cast<uint8_t>(MsgType::UpdateNotify));
            EXPECT_EQ(f->id, msg_id(100 + s)); // pushes carry the SUBSCRIBE's msg_id
            auto e = tcp::decode_update_notify(f->view());
            ASSERT_TRUE(e.ok());
            seen[s].push_back(*e);
        }
    EXPECT_EQ(seen[0], seen[1]);
    for (int i = 0; i < kWrites; ++i)
        EXPECT_EQ(seen[0][i].epoch, starts[0] + 1 + i); // every commit, in order, no gaps
    EXPECT_EQ(seen[0].back().new_total, srv_->service().status().total_vectors);
}

TEST_F(ServerTest, AbruptDisconnectsLeaveServerAndFileIntact) {
    start();
    ingest_http({1, 2, 3});
    {
        TcpClient t(srv_->tcp_port(), kToken); // header + half the payload, then gone
        auto p = *tcp::encode_ingest({.dim = 4, .ids = {50}, .vectors = {1, 2, 3, 4}});
        auto fr = tcp::encode_frame(MsgType::Ingest, msg_id(1), p);
        fr.resize(fr.size() / 2);
        ASSERT_TRUE(t.send_raw(fr));
        t.reset();
    }
    {
        TcpClient t(srv_->tcp_port(), kToken); // a complete ingest, then gone before reading the ack
        ASSERT_TRUE(t.send(MsgType::Ingest, 2, *tcp::encode_ingest({.dim = 4, .ids = {60}, .vectors = {6, 0, 0, 0}})));
        t.close();
    }
    {
        TcpClient t(srv_->tcp_port(), kToken); // a subscriber that resets
        t.request(MsgType::Subscribe, 3, tcp::encode_subscribe({}));
        t.reset();
    }
    {
        TcpClient t(srv_->tcp_port(), kToken); // half an HTTP request on the HTTP port
        (void)t;
        TcpClient h(srv_->http_port());
        const std::string half = "POST /v1/ingest HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"vec";
        ASSERT_TRUE(h.send_raw(std::vector<uint8_t>(half.begin(), half.end())));
        h.reset();
    }
    // Still serving on both front ends, writes included.
    ingest_http({4});
    TcpClient t(srv_->tcp_port(), kToken);
    const Frame st = t.request(MsgType::Status, 9, {});
    ASSERT_EQ(st.type, static_cast<uint8_t>(MsgType::StatusResp));
    for (int i = 0; i < 100 && srv_->service().status().total_vectors < 5; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20)); // the unread ingest (id 60) may still run
    EXPECT_EQ(srv_->service().status().total_vectors, 5u); // 1-4 and 60; never 50
    ASSERT_TRUE(srv_->shutdown().ok());
    auto reopened = RvfStore::open_readonly(path_);
    ASSERT_TRUE(reopened.ok());
    const VerifyReport v = reopened->verify();
    EXPECT_TRUE(v.ok);
    EXPECT_TRUE(v.uncommitted.empty());
    EXPECT_EQ(reopened->status().total_vectors, 5u);
    EXPECT_TRUE(reopened->vector(60).has_value());
    EXPECT_FALSE(reopened->vector(50).has_value());
}

// --- concurrency and shutdown -------------------------------------------------------------------------------

TEST_F(ServerTest, QueriesNeverSeeAHalfAppliedBatch) {
    start();
    StoreService &svc = srv_->service();
    constexpr int kBatches = 30, kBatch = 20;
    std::atomic<bool> done{false};
    std::atomic<int> bad{0}, queries{0};
    std::vector<std::thread> readers;
    for (int r = 0; r < 4; ++r)
        readers.emplace_back([&] {
            const std::vector<float> qv = {0, 0, 0, 0};
            QueryOptions o;
            o.exact = true;
            while (!done) {
                auto hits = svc.query(qv, kBatches * kBatch, o);
                if (!hits)
                    continue;
                std::vector<int> per(kBatches, 0);
                for (const Neighbor &n : *hits)
                    ++per[n.id / kBatch];
                for (int c : per)
                    if (c != 0 && c != kBatch)
                        ++bad;
                ++queries;
            }
        });
    for (int b = 0; b < kBatches; ++b) {
        std::vector<uint64_t> ids;
        std::vector<float> v;
        for (int i = 0; i < kBatch; ++i) {
            ids.push_back(uint64_t(b * kBatch + i));
            v.insert(v.end(), {float(b), float(i), 1, 1});
        }
        ASSERT_TRUE(svc.ingest(ids, v).ok());
    }
    done = true;
    for (auto &t : readers)
        t.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_GT(queries.load(), 0);
}

TEST_F(ServerTest, ShutdownFlushesAndReleasesTheWriterLock) {
    start();
    ingest_http({1, 2});
    post("/v1/ingest", R"({"vectors": [[5,5,5,5]], "ids": [3], "metadata": [{"4": {"i64": -2}}]})");
    auto locked = RvfStore::open(path_);
    EXPECT_FALSE(locked.ok());
    EXPECT_EQ(locked.status(), Status::LockHeld);
    ASSERT_TRUE(srv_->shutdown().ok());
    EXPECT_EQ(srv_->service().query(std::vector<float>{1, 2, 3, 4}, 1, {}).status(), Status::StoreClosed);
    auto again = RvfStore::open(path_);
    ASSERT_TRUE(again.ok()) << again.error().to_string();
    EXPECT_EQ(again->status().total_vectors, 3u);
    const auto *m = again->metadata(3);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ((*m)[0], (MetadataEntry{4, MetadataValue::i64(-2)}));
    EXPECT_TRUE(again->verify().ok);
    ASSERT_TRUE(again->close().ok());
}

} // namespace

#else

TEST(Server, NotBuilt) { GTEST_SKIP() << "rvf serve is built natively only (RVF_BUILD_SERVER, not Emscripten)"; }

#endif

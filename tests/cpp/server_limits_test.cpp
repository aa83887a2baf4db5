// `rvf serve` guards and limits from issue 14 (an adversarial run), one test per defect:
//   #5 deep JSON (request bodies, filters) → 400, the server survives;
//   #6 writes need the token (HTTP 401 / TCP ERROR 0x0109), foreign Origin and text/plain POSTs
//      never mutate, OPTIONS preflight, Host (DNS rebinding) refused;
//   #7 SSE caps → 503 while health answers, TCP payload buffers grow only as bytes arrive, idle
//      timeouts close sockets, bodies over --max-body → 413, TCP connection cap.
// Plus unit tests of the pure pieces (token compare, Host parsing, JSON depth scan, slot limiter,
// buffer growth). Loopback only, ephemeral ports, in process; every wait is bounded.
#include <gtest/gtest.h>

#if defined(RVF_HAVE_SERVER) && !defined(__EMSCRIPTEN__)

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <rvf/json_depth.hpp>
#include <rvf/server/access_control.hpp>
#include <rvf/server/server.hpp>
#include <rvf/server/slot_limiter.hpp>
#include <rvf/server/socket_read.hpp>
#include <rvf/store.hpp>

#include "support/server_harness.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace rvf;
using namespace rvf::server;
using json = nlohmann::json;
using test::connect_loopback;
using test::http_status_of;
using test::kToken;
using test::raw_http;
using test::recv_until_close;
using test::send_all;
using test::TcpClient;
using tcp::MsgType;

// A server over a fresh 4-dimensional store with ids 1..3 (ingested through the service, so the
// tests below start with rows to lose).
class Guarded : public ::testing::Test {
protected:
    void start(ServerOptions o = {}) {
        auto c = RvfStore::create(dir_.file("s.rvf"), {.dimension = 4});
        ASSERT_TRUE(c.ok()) << c.error().to_string();
        o.host = "127.0.0.1";
        o.http_port = 0;
        o.tcp_port = 0;
        o.http.sse_heartbeat_ms = 500;
        if (!o.access.no_auth && o.access.token.empty())
            o.access.token = kToken;
        auto s = Server::start(std::move(*c), o);
        ASSERT_TRUE(s.ok()) << s.error().to_string();
        srv_ = std::move(*s);
        const std::vector<uint64_t> ids = {1, 2, 3};
        const std::vector<float> v = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
        ASSERT_TRUE(srv_->service().ingest(ids, v).ok());
    }
    void TearDown() override {
        if (srv_)
            EXPECT_TRUE(srv_->shutdown().ok());
    }
    uint16_t http() const { return srv_->http_port(); }
    uint64_t rows() { return srv_->service().status().total_vectors; }

    // One request on its own connection; extra = header lines, each ending in \r\n.
    std::string request(const std::string &method, const std::string &path, const std::string &extra = "",
                        const std::string &body = "") {
        std::string r = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra;
        if (!body.empty() || method == "POST")
            r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
        return raw_http(http(), r + "\r\n" + body);
    }
    int status(const std::string &method, const std::string &path, const std::string &extra = "",
               const std::string &body = "") {
        return http_status_of(request(method, path, extra, body));
    }
    bool healthy() { return status("GET", "/v1/health") == 200; }

    static std::string auth() { return "Authorization: Bearer " + kToken + "\r\n"; }
    static std::string json_type() { return "Content-Type: application/json\r\n"; }

    test::TempDir dir_{"rvf-server-limits"};
    std::unique_ptr<Server> srv_;
};

std::string body_of(const std::string &response) {
    const size_t at = response.find("\r\n\r\n");
    return at == std::string::npos ? "" : response.substr(at + 4);
}

// --- #5: nesting depth ------------------------------------------------------------------------------

TEST(JsonDepth, CountsBracketsOutsideStringsOnly) {
    EXPECT_FALSE(json_depth_exceeds("[[1]]", 2));
    EXPECT_TRUE(json_depth_exceeds("[[[1]]]", 2));
    EXPECT_FALSE(json_depth_exceeds(R"({"a":"[[[[[\"[[["})", 1));
    EXPECT_TRUE(json_depth_exceeds(std::string(60000, '['), 160));
    EXPECT_FALSE(json_depth_exceeds("[]]]]][[", 2)); // stray closers do not make room for openers
    EXPECT_TRUE(json_depth_exceeds("[]]]]][[[", 2));
}

TEST_F(Guarded, DeepFilterQueryIs400AndTheServerSurvives) {
    start();
    // Issue 14 #5: 60,000 nested arrays (~120 KB) in "filter" crashed the server (SIGSEGV).
    const std::string deep = std::string(60000, '[') + std::string(60000, ']');
    const std::string r = request("POST", "/v1/query", json_type(), R"({"vector":[1,0,0,0],"k":1,"filter":)" + deep + "}");
    EXPECT_EQ(http_status_of(r), 400) << r.substr(0, 300);
    const json j = json::parse(body_of(r), nullptr, false);
    EXPECT_EQ(j.value("name", ""), "InvalidArgument");
    EXPECT_NE(j.value("error", "").find("nests deeper"), std::string::npos) << j.dump();
    // The same through delete-by-filter (a write: with the token), and as nested objects.
    std::string objs;
    for (int i = 0; i < 60000; ++i)
        objs += R"({"op":"not","child":)";
    EXPECT_EQ(status("POST", "/v1/delete", auth() + json_type(), R"({"filter":)" + objs + "}"), 400);
    // A filter deeper than 64 levels but shallower than the byte limit: the runtime's
    // FilterParseError, still a 400.
    std::string not70 = R"({"op":"eq","field":0,"value":1})";
    for (int i = 0; i < 70; ++i)
        not70 = R"({"op":"not","child":)" + not70 + "}";
    const std::string r70 = request("POST", "/v1/query", json_type(), R"({"vector":[1,0,0,0],"k":1,"filter":)" + not70 + "}");
    EXPECT_EQ(http_status_of(r70), 400);
    EXPECT_EQ(json::parse(body_of(r70), nullptr, false).value("name", ""), "FilterParseError");
    EXPECT_TRUE(healthy());
    EXPECT_EQ(rows(), 3u);
}

// --- #6: access control --------------------------------------------------------------------------------

TEST(AccessControl, TokenCompareBearerAndHostParsing) {
    EXPECT_TRUE(token_equal("abc", "abc"));
    EXPECT_FALSE(token_equal("abc", "abd"));
    EXPECT_FALSE(token_equal("abc", "ab"));
    EXPECT_FALSE(token_equal("abc", "abcd"));
    EXPECT_FALSE(token_equal("", "")); // an empty token never authorises
    EXPECT_TRUE(bearer_matches("Bearer abc", "abc"));
    EXPECT_TRUE(bearer_matches("bearer  abc ", "abc"));
    EXPECT_FALSE(bearer_matches("Basic abc", "abc"));
    EXPECT_FALSE(bearer_matches("Bearer", "abc"));
    EXPECT_EQ(host_of("[::1]:8080"), "[::1]");
    EXPECT_EQ(host_of("Example.COM:80"), "example.com");
    EXPECT_EQ(host_of("localhost"), "localhost");
    AccessOptions a;
    EXPECT_TRUE(host_allowed(a, "127.0.0.1:9", "127.0.0.1"));
    EXPECT_TRUE(host_allowed(a, "LOCALHOST:9", "127.0.0.1"));
    EXPECT_TRUE(host_allowed(a, "[::1]:9", "::1"));
    EXPECT_TRUE(host_allowed(a, "", "127.0.0.1")); // HTTP/1.0 without Host
    EXPECT_FALSE(host_allowed(a, "attacker.example:9", "127.0.0.1"));
    EXPECT_TRUE(host_allowed(a, "10.0.0.5:9", "10.0.0.5"));
    a.allow_hosts = {"vectors.internal"};
    EXPECT_TRUE(host_allowed(a, "vectors.internal:8080", "0.0.0.0"));
    EXPECT_FALSE(origin_allowed(a, "http://localhost:3000"));
    a.cors_origins = {"http://localhost:3000"};
    EXPECT_TRUE(origin_allowed(a, "http://localhost:3000"));
    EXPECT_FALSE(origin_allowed(a, "http://localhost:3001"));
}

TEST(AccessControl, TokenFromFileEnvOrGenerated) {
    test::TempDir d("rvf-token");
    {
        std::ofstream(d.file("t")) << "from-file \n";
    }
    bool gen = true;
    auto t = load_token(d.file("t"), &gen);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(*t, "from-file");
    EXPECT_FALSE(gen);
    {
        std::ofstream(d.file("empty")) << "\n";
    }
    EXPECT_EQ(load_token(d.file("empty"), &gen).error().status, Status::InvalidOptions);
    EXPECT_EQ(load_token(d.file("missing"), &gen).error().status, Status::InvalidOptions);
    ::setenv("RVF_SERVE_TOKEN", "from-env", 1);
    EXPECT_EQ(*load_token("", &gen), "from-env");
    ::unsetenv("RVF_SERVE_TOKEN");
    auto g1 = load_token("", &gen);
    ASSERT_TRUE(g1.ok());
    EXPECT_TRUE(gen);
    EXPECT_EQ(g1->size(), 64u);
    EXPECT_EQ(g1->find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(*g1, *generate_token()); // 256 random bits
}

TEST(AccessControl, ServerRefusesToStartWithoutTokenOrNoAuth) {
    test::TempDir d("rvf-noauth");
    auto c = RvfStore::create(d.file("s.rvf"), {.dimension = 4});
    ASSERT_TRUE(c.ok());
    ServerOptions o;
    o.http_port = 0;
    o.tcp_port = 0;
    auto s = Server::start(std::move(*c), o);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().status, Status::InvalidOptions);
}

TEST_F(Guarded, HttpWritesNeedTheToken) {
    start();
    const std::string ing = R"({"vectors":[[0,0,0,1]],"ids":[9]})";
    const std::string r = request("POST", "/v1/ingest", json_type(), ing);
    EXPECT_EQ(http_status_of(r), 401) << r.substr(0, 200);
    EXPECT_NE(r.find("WWW-Authenticate: Bearer"), std::string::npos);
    EXPECT_EQ(json::parse(body_of(r), nullptr, false).value("name", ""), "InvalidArgument");
    EXPECT_EQ(status("POST", "/v1/ingest", "Authorization: Bearer wrong\r\n" + json_type(), ing), 401);
    EXPECT_EQ(status("POST", "/v1/delete", json_type(), R"({"ids":[1]})"), 401);
    EXPECT_EQ(status("POST", "/v1/compact", json_type()), 401);
    EXPECT_EQ(rows(), 3u);
    // Reads stay open.
    EXPECT_EQ(status("POST", "/v1/query", json_type(), R"({"vector":[1,0,0,0],"k":1})"), 200);
    EXPECT_EQ(status("GET", "/v1/status"), 200);
    // With the token: 200.
    EXPECT_EQ(status("POST", "/v1/ingest", auth() + json_type(), ing), 200);
    EXPECT_EQ(status("POST", "/v1/delete", auth() + json_type(), R"({"ids":[1]})"), 200);
    EXPECT_EQ(status("POST", "/v1/compact", auth() + json_type()), 200);
    EXPECT_EQ(rows(), 3u); // +9 −1
}

TEST_F(Guarded, NoAuthLeavesWritesOpen) {
    ServerOptions o;
    o.access.no_auth = true;
    start(o);
    EXPECT_EQ(status("POST", "/v1/ingest", json_type(), R"({"vectors":[[0,0,0,1]],"ids":[9]})"), 200);
    TcpClient t(srv_->tcp_port());
    const auto f = t.request(MsgType::Delete, 1, *tcp::encode_delete({.ids = {9}}));
    EXPECT_EQ(f.type, static_cast<uint8_t>(MsgType::DeleteAck));
    EXPECT_EQ(rows(), 3u);
}

TEST_F(Guarded, TcpWritesNeedAuth) {
    start();
    TcpClient t(srv_->tcp_port());
    const auto ing = *tcp::encode_ingest({.dim = 4, .ids = {9}, .vectors = {0, 0, 0, 1}});
    auto f = t.request(MsgType::Ingest, 1, ing);
    ASSERT_EQ(f.type, static_cast<uint8_t>(MsgType::Error));
    EXPECT_EQ(tcp::decode_error(f.view())->code, tcp::kErrUnauthorized);
    f = t.request(MsgType::Delete, 2, *tcp::encode_delete({.ids = {1}}));
    EXPECT_EQ(tcp::decode_error(f.view())->code, tcp::kErrUnauthorized);
    // Reads need no AUTH, and the connection survived the refusals.
    f = t.request(MsgType::Status, 3, {});
    EXPECT_EQ(f.type, static_cast<uint8_t>(MsgType::StatusResp));
    EXPECT_EQ(rows(), 3u);
    // A wrong token: ERROR, then the connection is closed.
    f = t.request(MsgType::Auth, 4, {'n', 'o', 'p', 'e'});
    EXPECT_EQ(tcp::decode_error(f.view())->code, tcp::kErrUnauthorized);
    EXPECT_TRUE(t.closed_by_peer());
    // The right one: AUTH_OK, then writes work.
    TcpClient good(srv_->tcp_port(), kToken);
    f = good.request(MsgType::Ingest, 5, ing);
    EXPECT_EQ(f.type, static_cast<uint8_t>(MsgType::IngestAck));
    EXPECT_EQ(rows(), 4u);
}

TEST_F(Guarded, ForeignOriginTextPlainPostNeverMutates) {
    start();
    const std::string del = R"({"ids":[1,2,3]})";
    // A page on another origin can send a "simple" text/plain POST without a preflight; even
    // carrying the token (it cannot know it, but the guard must not depend on that) it is refused.
    const std::string r = request("POST", "/v1/delete", "Origin: http://attacker.example\r\nContent-Type: text/plain\r\n" + auth(), del);
    EXPECT_EQ(http_status_of(r), 403) << r.substr(0, 200);
    EXPECT_EQ(r.find("Access-Control-Allow-Origin"), std::string::npos);
    EXPECT_EQ(status("POST", "/v1/delete", "Origin: http://attacker.example\r\n" + json_type() + auth(), del), 403);
    EXPECT_EQ(status("POST", "/v1/query", "Origin: null\r\n" + json_type(), R"({"vector":[1,0,0,0],"k":1})"), 403);
    EXPECT_EQ(status("GET", "/v1/status", "Origin: http://attacker.example\r\n"), 403);
    // Without an Origin but as text/plain: 415, still nothing deleted.
    EXPECT_EQ(status("POST", "/v1/delete", "Content-Type: text/plain\r\n" + auth(), del), 415);
    EXPECT_EQ(status("POST", "/v1/delete", auth(), del), 415);
    EXPECT_EQ(rows(), 3u);
}

TEST_F(Guarded, OptionsPreflightOnlyForAllowedOrigins) {
    ServerOptions o;
    o.access.cors_origins = {"http://localhost:5173"};
    start(o);
    const std::string pre = "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type\r\n";
    std::string r = request("OPTIONS", "/v1/ingest", "Origin: http://localhost:5173\r\n" + pre);
    EXPECT_EQ(http_status_of(r), 204) << r;
    EXPECT_NE(r.find("Access-Control-Allow-Origin: http://localhost:5173"), std::string::npos) << r;
    EXPECT_NE(r.find("Access-Control-Allow-Headers: Authorization, Content-Type"), std::string::npos) << r;
    EXPECT_NE(r.find("Access-Control-Allow-Methods:"), std::string::npos) << r;
    r = request("OPTIONS", "/v1/ingest", "Origin: http://localhost:5174\r\n" + pre);
    EXPECT_EQ(http_status_of(r), 403);
    EXPECT_EQ(r.find("Access-Control-Allow-"), std::string::npos) << r;
    r = request("OPTIONS", "/v1/health");
    EXPECT_EQ(http_status_of(r), 204);
    EXPECT_EQ(r.find("Access-Control-Allow-Origin"), std::string::npos);
    // The allowed origin's real requests carry the CORS header.
    r = request("GET", "/v1/health", "Origin: http://localhost:5173\r\n");
    EXPECT_EQ(http_status_of(r), 200);
    EXPECT_NE(r.find("Access-Control-Allow-Origin: http://localhost:5173"), std::string::npos);
    EXPECT_EQ(rows(), 3u);
}

TEST_F(Guarded, HostRebindingIsRefused) {
    ServerOptions o;
    o.access.allow_hosts = {"vectors.internal"};
    start(o);
    auto get = [&](const std::string &host) {
        return http_status_of(raw_http(http(), "GET /v1/health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"));
    };
    EXPECT_EQ(get("rebind.attacker.example:" + std::to_string(http())), 403);
    EXPECT_EQ(get("localhost:" + std::to_string(http())), 200);
    EXPECT_EQ(get("127.0.0.1:" + std::to_string(http())), 200);
    EXPECT_EQ(get("vectors.internal"), 200);
    const std::string r = raw_http(http(), "POST /v1/delete HTTP/1.1\r\nHost: rebind.attacker.example\r\nConnection: close\r\n" +
                                               auth() + json_type() + "Content-Length: 11\r\n\r\n{\"ids\":[1]}");
    EXPECT_EQ(http_status_of(r), 403);
    EXPECT_EQ(rows(), 3u);
}

// --- #7: resource limits ----------------------------------------------------------------------------

TEST(SlotLimiter, TotalAndPerKeyCaps) {
    SlotLimiter l(3, 2);
    auto a1 = l.try_acquire("a"), a2 = l.try_acquire("a");
    EXPECT_TRUE(a1 && a2);
    EXPECT_FALSE(l.try_acquire("a"));
    auto b1 = l.try_acquire("b");
    EXPECT_TRUE(b1);
    EXPECT_FALSE(l.try_acquire("c")); // total
    a1.reset();
    EXPECT_EQ(l.in_use(), 2u);
    EXPECT_TRUE(l.try_acquire("c"));
}

TEST_F(Guarded, SseCapAnswers503WhileHealthAnswers) {
    ServerOptions o;
    o.http.threads = 8;
    o.http.max_sse = 4;
    o.http.max_sse_per_client = 3;
    start(o);
    // Idle subscribers: each holds a pool thread for as long as it stays connected.
    std::vector<int> open;
    int accepted = 0, refused = 0;
    for (int i = 0; i < 10; ++i) {
        const int fd = connect_loopback(http(), 5000);
        ASSERT_GE(fd, 0);
        send_all(fd, "GET /v1/subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        char buf[512];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        const int st = n > 0 ? http_status_of(std::string(buf, static_cast<size_t>(n))) : 0;
        if (st == 200) {
            ++accepted;
            open.push_back(fd);
        } else {
            EXPECT_EQ(st, 503);
            ++refused;
            ::close(fd);
        }
    }
    EXPECT_EQ(accepted, 3); // the per-address cap (every test client is 127.0.0.1)
    EXPECT_EQ(refused, 7);
    EXPECT_TRUE(healthy());
    const std::string r = request("GET", "/v1/subscribe");
    EXPECT_EQ(http_status_of(r), 503);
    EXPECT_NE(r.find("Retry-After"), std::string::npos);
    EXPECT_EQ(json::parse(body_of(r), nullptr, false).value("name", ""), "BudgetTokensExhausted");
    // A closed subscriber frees its slot (the server notices at its next write: the heartbeat).
    ::close(open.back());
    open.pop_back();
    bool again = false;
    for (int i = 0; i < 40 && !again; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        const int fd = connect_loopback(http(), 5000);
        send_all(fd, "GET /v1/subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        char buf[256];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        again = n > 0 && http_status_of(std::string(buf, static_cast<size_t>(n))) == 200;
        if (again)
            open.push_back(fd);
        else
            ::close(fd);
    }
    EXPECT_TRUE(again);
    EXPECT_TRUE(healthy());
    for (int fd : open)
        ::close(fd);
}

TEST(SocketRead, DeclaredLengthIsNotAllocatedBeforeBytesArrive) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ASSERT_TRUE(send_all(sv[1], std::string(100, 'x')));
    ::close(sv[1]);
    std::vector<uint8_t> buf;
    const auto r = read_payload(sv[0], 16u << 20, std::nullopt, buf);
    ::close(sv[0]);
    EXPECT_EQ(r, ReadResult::Eof);
    EXPECT_LE(buf.size(), 100u);
    EXPECT_LE(buf.capacity(), kPayloadChunk); // not the 16 MiB the header declared

    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    std::thread w([fd = sv[1]] {
        send_all(fd, std::string(300000, 'y'));
        ::close(fd);
    });
    buf.clear();
    EXPECT_EQ(read_payload(sv[0], 300000, std::nullopt, buf), ReadResult::Ok);
    w.join();
    ::close(sv[0]);
    EXPECT_EQ(buf.size(), 300000u);
    EXPECT_EQ(buf[299999], 'y');
}

TEST_F(Guarded, DeclaredSixteenMiBFramesDoNotGrowRss) {
    start();
    // 40 connections each declare a 16 MiB INGEST and send 1 KiB of it. Sized from the header,
    // that was 640 MiB of zero-filled buffers; grown as bytes arrive it is ~2.5 MiB.
    const size_t before = test::vm_rss_kib();
    std::vector<int> fds;
    for (int i = 0; i < 40; ++i) {
        const int fd = connect_loopback(srv_->tcp_port());
        ASSERT_GE(fd, 0);
        std::string f(8, '\0');
        f[0] = 0x01; // 16 MiB, big-endian
        f[4] = static_cast<char>(MsgType::Ingest);
        f += std::string(1024, '\x7f');
        send_all(fd, f);
        fds.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // let every reader take its bytes
    const size_t after = test::vm_rss_kib();
    std::printf("RSS before %zu KiB, with 40 half-sent 16 MiB frames %zu KiB\n", before, after);
    EXPECT_LT(after, before + 64 * 1024) << "payload buffers were sized from the declared length";
    for (int fd : fds)
        ::close(fd);
    EXPECT_TRUE(healthy());
    EXPECT_EQ(rows(), 3u);
}

TEST_F(Guarded, IdleTimeoutsCloseSockets) {
    ServerOptions o;
    o.tcp.idle_timeout_ms = 300;
    o.http.keep_alive_timeout_s = 1;
    start(o);
    const auto t0 = std::chrono::steady_clock::now();
    TcpClient idle(srv_->tcp_port());
    const auto f = idle.recv(); // ERROR Timeout, then EOF
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(tcp::decode_error(f->view())->code, core::status_code(Status::Timeout));
    EXPECT_TRUE(idle.closed_by_peer());
    const auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_LT(waited, std::chrono::seconds(5));
    // A subscriber is exempt: it waits for pushes, not for its own requests.
    TcpClient sub(srv_->tcp_port());
    auto ack = sub.request(MsgType::Subscribe, 1, tcp::encode_subscribe({}));
    EXPECT_EQ(ack.type, static_cast<uint8_t>(MsgType::StatusResp));
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    auto st = sub.request(MsgType::Status, 2, {});
    EXPECT_EQ(st.type, static_cast<uint8_t>(MsgType::StatusResp));
    // HTTP: a connection that never sends a request is closed after the keep-alive timeout.
    const int fd = connect_loopback(http(), 10000);
    ASSERT_GE(fd, 0);
    const auto h0 = std::chrono::steady_clock::now();
    char b;
    EXPECT_LE(::recv(fd, &b, 1, 0), 0);
    EXPECT_LT(std::chrono::steady_clock::now() - h0, std::chrono::seconds(8));
    ::close(fd);
}

TEST_F(Guarded, TcpConnectionCapRefusesBeyondIt) {
    ServerOptions o;
    o.tcp.max_connections = 4;
    start(o);
    std::vector<std::unique_ptr<TcpClient>> held;
    for (int i = 0; i < 4; ++i) {
        held.push_back(std::make_unique<TcpClient>(srv_->tcp_port()));
        EXPECT_EQ(held.back()->request(MsgType::Status, 1, {}).type, static_cast<uint8_t>(MsgType::StatusResp));
    }
    TcpClient extra(srv_->tcp_port());
    const auto f = extra.recv();
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(tcp::decode_error(f->view())->code, core::status_code(Status::BudgetTokensExhausted));
    EXPECT_TRUE(extra.closed_by_peer());
}

TEST_F(Guarded, BodyOverTheLimitIs413) {
    ServerOptions o;
    o.http.max_body = 64 * 1024;
    start(o);
    const std::string big = R"({"ids":[1],"pad":")" + std::string(70 * 1024, 'x') + "\"}";
    const std::string r = request("POST", "/v1/delete", auth() + json_type(), big);
    EXPECT_EQ(http_status_of(r), 413) << r.substr(0, 200);
    EXPECT_NE(body_of(r).find("--max-body"), std::string::npos) << body_of(r);
    // A declared length far past the limit is refused without reading it.
    EXPECT_EQ(http_status_of(raw_http(http(), "POST /v1/query HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                                                  json_type() + "Content-Length: 1099511627776\r\n\r\n{")),
              413);
    EXPECT_TRUE(healthy());
    EXPECT_EQ(rows(), 3u);
}

} // namespace

#else

TEST(ServerLimits, NotBuilt) { GTEST_SKIP() << "rvf serve is built natively only (RVF_BUILD_SERVER, not Emscripten)"; }

#endif

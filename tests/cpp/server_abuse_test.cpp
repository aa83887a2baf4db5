// The loopback abuse run of issue 14, against an in-process `rvf serve` (HTTP + TCP):
//   - 200 idle SSE subscribers (the server takes --max-sse of them and answers 503 to the rest),
//   - 2,000 idle TCP connections (it holds --max-connections and refuses the rest with ERROR),
//   - slow clients sending valid requests one byte at a time throughout,
//   - 10,000 malformed requests in 20 bursts of 500, from 4 threads: garbage request lines, bad
//     JSON, deep JSON, oversized declared lengths, truncated requests and frames, frames that
//     are not RVF frames ("wrong magic": HTTP on the TCP port), unknown types, writes without
//     the token.
// Between bursts it probes GET /v1/health on a fresh connection and asserts the slowest probe
// took < 100 ms (the bound the issue demands; probes run between bursts, not under them, so the
// number is about the server's state, not about sharing 2 cores with the load generator), and
// that this process's VmRSS (server and clients together) stays under a printed bound. Every
// request's outcome is checked. Counts are fixed and every wait is bounded, so pass/fail is
// deterministic; it runs alone (RUN_SERIAL in tests/CMakeLists.txt).
#include <gtest/gtest.h>

#if defined(RVF_HAVE_SERVER) && !defined(__EMSCRIPTEN__)

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <rvf/server/server.hpp>
#include <rvf/store.hpp>

#include "support/server_harness.hpp"
#include "support/temp_dir.hpp"

namespace {

using namespace rvf;
using namespace rvf::server;
using clock_type = std::chrono::steady_clock;
using test::connect_loopback;
using test::http_status_of;
using test::kToken;
using test::send_all;
using tcp::MsgType;

constexpr int kSse = 200;
constexpr size_t kMaxSse = 64;
constexpr int kIdleTcp = 2000;
constexpr size_t kMaxTcp = 1024;
constexpr int kHeldTcp = 1000; // idle TCP kept through the bursts (the rest of the cap serves them)
constexpr int kBursts = 20;
constexpr int kPerBurst = 500;
constexpr int kWorkers = 4;
constexpr int kSlowHttp = 8;
constexpr int kSlowTcp = 8;
// Under AddressSanitizer RSS also holds its 256 MiB free-quarantine and per-thread shadow and
// fake stacks (~1,100 threads here: measured ~490 MiB growth), so the bound there only catches
// gross growth; the plain build is held to 128 MiB (measured ~15 MiB).
#if defined(__SANITIZE_ADDRESS__)
#define RVF_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RVF_TEST_ASAN 1
#endif
#endif
#ifdef RVF_TEST_ASAN
constexpr size_t kRssGrowthBoundKiB = 1024 * 1024;
#else
constexpr size_t kRssGrowthBoundKiB = 128 * 1024;
#endif
constexpr double kHealthBoundMs = 100.0;

// One HTTP response: reads the head, then Content-Length bytes of body; the status, or 0 when
// the connection ended first (a reset after a refusal is a valid end for some requests).
int read_http_status(int fd) {
    std::string buf;
    char tmp[8192];
    size_t head_end = std::string::npos;
    while (head_end == std::string::npos) {
        const ssize_t r = ::recv(fd, tmp, sizeof tmp, 0);
        if (r <= 0)
            return 0;
        buf.append(tmp, static_cast<size_t>(r));
        head_end = buf.find("\r\n\r\n");
    }
    size_t want = 0;
    const size_t cl = buf.find("Content-Length: ");
    if (cl != std::string::npos && cl < head_end)
        want = std::strtoull(buf.c_str() + cl + 16, nullptr, 10);
    while (buf.size() < head_end + 4 + want) {
        const ssize_t r = ::recv(fd, tmp, sizeof tmp, 0);
        if (r <= 0)
            return 0;
        buf.append(tmp, static_cast<size_t>(r));
    }
    return http_status_of(buf);
}

// Milliseconds for GET /v1/health on a fresh connection (connect included); -1 on failure.
double health_ms(uint16_t port) {
    const auto t0 = clock_type::now();
    const int fd = connect_loopback(port, 5000);
    if (fd < 0)
        return -1;
    send_all(fd, "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    const int st = read_http_status(fd);
    const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    ::close(fd);
    return st == 200 ? ms : -1;
}

// The ERROR code of the next frame, or -1 (no frame: closed, reset, timeout).
int read_error_code(int fd) {
    uint8_t h[tcp::kFrameHeaderSize];
    size_t got = 0;
    while (got < sizeof h) {
        const ssize_t r = ::recv(fd, h + got, sizeof h - got, 0);
        if (r <= 0)
            return -1;
        got += static_cast<size_t>(r);
    }
    const tcp::FrameHeader fh = tcp::decode_header(h);
    std::vector<uint8_t> p(std::min<uint32_t>(fh.payload_len, 4096));
    got = 0;
    while (got < p.size()) {
        const ssize_t r = ::recv(fd, p.data() + got, p.size() - got, 0);
        if (r <= 0)
            return -1;
        got += static_cast<size_t>(r);
    }
    if (fh.type != static_cast<uint8_t>(MsgType::Error))
        return -2;
    auto e = tcp::decode_error({p.data(), p.size()});
    return e ? e->code : -1;
}

std::string frame(uint8_t type, uint32_t declared_len, const std::string &payload) {
    std::string f(8, '\0');
    f[0] = static_cast<char>(declared_len >> 24);
    f[1] = static_cast<char>(declared_len >> 16);
    f[2] = static_cast<char>(declared_len >> 8);
    f[3] = static_cast<char>(declared_len);
    f[4] = static_cast<char>(type);
    return f + payload;
}

struct Ports {
    uint16_t http, tcp;
};

// One malformed request of kind i % 10; returns true when the outcome is one the server may
// give (the expected refusal, or — TCP only — the connection-cap refusal).
bool malformed(const Ports &p, int i) {
    static const std::string deep = std::string(20000, '[') + std::string(20000, ']');
    const int kind = i % 10;
    if (kind <= 5) {
        const int fd = connect_loopback(p.http, 10000);
        if (fd < 0)
            return false;
        int st = 0;
        bool ok = false;
        const std::string h = "Host: 127.0.0.1\r\nConnection: close\r\n";
        switch (kind) {
        case 0: // garbage request line
            send_all(fd, "\x01\x02\x7f GARBAGE " + std::to_string(i) + "\r\n\r\n");
            ok = read_http_status(fd) == 400;
            break;
        case 1: { // bad JSON
            const std::string b = "{\"vector\": [1, 0,";
            send_all(fd, "POST /v1/query HTTP/1.1\r\n" + h + "Content-Type: application/json\r\nContent-Length: " +
                             std::to_string(b.size()) + "\r\n\r\n" + b);
            ok = read_http_status(fd) == 400;
            break;
        }
        case 2: { // deep JSON in the filter
            const std::string b = "{\"vector\":[1,0,0,0],\"k\":1,\"filter\":" + deep + "}";
            send_all(fd, "POST /v1/query HTTP/1.1\r\n" + h + "Content-Type: application/json\r\nContent-Length: " +
                             std::to_string(b.size()) + "\r\n\r\n" + b);
            ok = read_http_status(fd) == 400;
            break;
        }
        case 3: // a declared body far over --max-body
            send_all(fd, "POST /v1/query HTTP/1.1\r\n" + h +
                             "Content-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n{\"vec");
            st = read_http_status(fd);
            ok = st == 413 || st == 0;
            break;
        case 4: // truncated head, then gone
            send_all(fd, "POST /v1/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le");
            ok = true;
            break;
        case 5: { // a write without the token
            const std::string b = "{\"ids\":[1,2,3]}";
            send_all(fd, "POST /v1/delete HTTP/1.1\r\n" + h + "Content-Type: application/json\r\nContent-Length: " +
                             std::to_string(b.size()) + "\r\n\r\n" + b);
            st = read_http_status(fd);
            ok = st == 401 || st == 0;
            break;
        }
        }
        ::close(fd);
        return ok;
    }
    const int fd = connect_loopback(p.tcp, 10000);
    if (fd < 0)
        return false;
    bool ok = false;
    int code = 0;
    const int capped = core::status_code(Status::BudgetTokensExhausted);
    switch (kind) {
    case 6: // not an RVF frame: HTTP on the TCP port ("GET " reads as a 1.2 GB length)
        send_all(fd, "GET /v1/health HTTP/1.1\r\n\r\n");
        code = read_error_code(fd);
        ok = code == tcp::kErrFrameTooLarge || code == capped;
        break;
    case 7: // truncated frame: 100 bytes declared, 10 sent, then gone
        send_all(fd, frame(0x01, 100, std::string(10, '\0')));
        ok = true;
        break;
    case 8: // declared length one past the 16 MiB limit
        send_all(fd, frame(0x02, tcp::kDefaultMaxFrame + 1, "abc"));
        code = read_error_code(fd);
        ok = code == tcp::kErrFrameTooLarge || code == capped;
        break;
    case 9: { // three bad frames on one connection: unknown type, short QUERY, INGEST without AUTH
        send_all(fd, frame(0x42, 3, "xyz") + frame(0x01, 2, "\x01\x02") +
                         frame(0x02, 6, std::string("\x01\0\0\0\x04\0", 6)));
        code = read_error_code(fd);
        if (code == capped) {
            ok = true;
            break;
        }
        const int c2 = read_error_code(fd), c3 = read_error_code(fd);
        ok = code == tcp::kErrUnknownType && c2 == 0xFF04 && c3 == tcp::kErrUnauthorized;
        break;
    }
    }
    ::close(fd);
    return ok;
}

TEST(ServerAbuse, ResponsiveAndBoundedUnderLoopbackAbuse) {
    // Sockets: 200 SSE + 2,000 TCP on both ends, plus the bursts' and slow clients'.
    rlimit lim{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
    const rlim_t want = 8192;
    if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < want)
        GTEST_SKIP() << "needs RLIMIT_NOFILE " << want << " (hard limit " << lim.rlim_max << ")";
    lim.rlim_cur = std::max<rlim_t>(lim.rlim_cur, want);
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lim), 0);

    test::TempDir dir("rvf-server-abuse");
    auto store = RvfStore::create(dir.file("s.rvf"), {.dimension = 4});
    ASSERT_TRUE(store.ok());
    const std::vector<uint64_t> ids = {1, 2, 3};
    const std::vector<float> vecs = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    ASSERT_TRUE(store->ingest_batch(ids, vecs).ok());
    ServerOptions o;
    o.http_port = 0;
    o.tcp_port = 0;
    o.access.token = kToken;
    o.http.max_sse = kMaxSse;
    o.http.max_sse_per_client = kMaxSse; // every client here is 127.0.0.1: let the total cap bind
    o.tcp.max_connections = kMaxTcp;
    o.tcp.idle_timeout_ms = 300000; // idle connections stay for the whole run
    auto srv = Server::start(std::move(*store), o);
    ASSERT_TRUE(srv.ok()) << srv.error().to_string();
    const Ports ports{(*srv)->http_port(), (*srv)->tcp_port()};
    const auto t_start = clock_type::now();

    const size_t rss0 = test::vm_rss_kib();
    size_t rss_max = rss0;
    double health_max = 0;
    int health_probes = 0, health_failures = 0;
    auto probe = [&](int n) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50)); // between bursts, not under one
        for (int k = 0; k < n; ++k) {
            const double ms = health_ms(ports.http);
            ++health_probes;
            if (ms < 0)
                ++health_failures;
            else
                health_max = std::max(health_max, ms);
        }
        rss_max = std::max(rss_max, test::vm_rss_kib());
    };
    probe(3);

    // 200 idle SSE subscribers.
    std::vector<int> sse;
    int sse_ok = 0, sse_503 = 0;
    for (int i = 0; i < kSse; ++i) {
        const int fd = connect_loopback(ports.http, 10000);
        ASSERT_GE(fd, 0);
        send_all(fd, "GET /v1/subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        char buf[1024];
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        const int st = n > 0 ? http_status_of(std::string(buf, static_cast<size_t>(n))) : 0;
        if (st == 200) {
            ++sse_ok;
            sse.push_back(fd);
        } else {
            sse_503 += st == 503;
            ::close(fd);
        }
    }
    EXPECT_EQ(sse_ok, static_cast<int>(kMaxSse));
    EXPECT_EQ(sse_503, kSse - static_cast<int>(kMaxSse));
    probe(5);

    // 2,000 idle TCP connections: the cap's worth held, the rest told so and closed.
    std::vector<int> idle;
    for (int i = 0; i < kIdleTcp; ++i) {
        const int fd = connect_loopback(ports.tcp, 2000);
        ASSERT_GE(fd, 0) << "connect " << i;
        idle.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // the acceptor catches up
    std::vector<int> held;
    int tcp_refused = 0;
    for (int fd : idle) {
        pollfd pf{fd, POLLIN, 0};
        if (::poll(&pf, 1, 0) == 1) { // a refusal (ERROR) is the only thing an idle client receives
            tcp_refused += read_error_code(fd) == core::status_code(Status::BudgetTokensExhausted);
            ::close(fd);
        } else {
            held.push_back(fd);
        }
    }
    EXPECT_EQ(tcp_refused, kIdleTcp - static_cast<int>(kMaxTcp));
    EXPECT_EQ(held.size(), kMaxTcp);
    probe(5);
    // Free a few slots for the TCP part of the bursts; the rest stay idle throughout.
    while (held.size() > static_cast<size_t>(kHeldTcp)) {
        ::close(held.back());
        held.pop_back();
    }

    // Slow clients: valid requests one byte every 5 ms, answered correctly, all run long.
    std::atomic<bool> stop{false};
    std::atomic<int> slow_ok{0}, slow_bad{0};
    std::vector<std::thread> slow;
    for (int s = 0; s < kSlowHttp + kSlowTcp; ++s)
        slow.emplace_back([&, s] {
            const bool is_http = s < kSlowHttp;
            const std::string req = is_http ? "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                                            : frame(0x04, 0, "");
            while (!stop) {
                const int fd = connect_loopback(is_http ? ports.http : ports.tcp, 10000);
                if (fd < 0) {
                    ++slow_bad;
                    return;
                }
                for (char c : req) {
                    send_all(fd, std::string(1, c));
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                }
                bool ok;
                if (is_http) {
                    ok = read_http_status(fd) == 200;
                } else {
                    uint8_t h[tcp::kFrameHeaderSize];
                    ok = ::recv(fd, h, sizeof h, MSG_WAITALL) == static_cast<ssize_t>(sizeof h) &&
                         (h[4] == static_cast<uint8_t>(MsgType::StatusResp) ||
                          (h[4] == static_cast<uint8_t>(MsgType::Error))); // Error: the connection cap
                }
                ::close(fd);
                (ok ? slow_ok : slow_bad)++;
            }
        });

    // 10,000 malformed requests.
    std::atomic<int> bad_outcomes{0};
    int sent = 0;
    for (int b = 0; b < kBursts; ++b) {
        std::vector<std::thread> workers;
        for (int w = 0; w < kWorkers; ++w)
            workers.emplace_back([&, b, w] {
                for (int k = w; k < kPerBurst; k += kWorkers)
                    if (!malformed(ports, b * kPerBurst + k))
                        ++bad_outcomes;
            });
        for (auto &t : workers)
            t.join();
        sent += kPerBurst;
        probe(3);
    }
    stop = true;
    for (auto &t : slow)
        t.join();
    probe(5);

    const double secs = std::chrono::duration<double>(clock_type::now() - t_start).count();
    std::printf("abuse: %d malformed requests (%d unexpected outcomes), %d/%d SSE accepted/503, %d TCP refused at "
                "the cap, %zu idle TCP held, slow clients %d ok / %d bad, %.1f s\n",
                sent, bad_outcomes.load(), sse_ok, sse_503, tcp_refused, held.size(), slow_ok.load(), slow_bad.load(),
                secs);
    std::printf("abuse: health max %.2f ms over %d probes (bound %.0f ms, %d failed); VmRSS start %zu KiB, max %zu "
                "KiB, bound %zu KiB (start + %zu MiB)\n",
                health_max, health_probes, kHealthBoundMs, health_failures, rss0, rss_max, rss0 + kRssGrowthBoundKiB,
                kRssGrowthBoundKiB / 1024);
    EXPECT_EQ(sent, kBursts * kPerBurst);
    EXPECT_EQ(bad_outcomes.load(), 0);
    EXPECT_EQ(health_failures, 0);
    EXPECT_LT(health_max, kHealthBoundMs);
    EXPECT_LT(rss_max, rss0 + kRssGrowthBoundKiB);
    EXPECT_GT(slow_ok.load(), 0);
    EXPECT_EQ(slow_bad.load(), 0);
    EXPECT_EQ((*srv)->service().status().total_vectors, 3u); // nothing malformed wrote anything

    for (int fd : held)
        ::close(fd);
    for (int fd : sse)
        ::close(fd);
    EXPECT_TRUE((*srv)->shutdown().ok());
}

} // namespace

#else

TEST(ServerAbuse, NotBuilt) { GTEST_SKIP() << "rvf serve is built natively only (RVF_BUILD_SERVER, not Emscripten)"; }

#endif

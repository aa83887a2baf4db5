// Test support for `rvf serve` (server/): the write token test servers get, a blocking raw TCP
// client for the binary protocol, and a reader of a process's resident memory. Shared by
// server_test (behaviour), server_limits_test (issue 14's guards, one test per defect) and
// server_abuse_test (the loopback abuse run).
#pragma once
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rvf/server/tcp_protocol.hpp>

namespace rvf::test {

using server::tcp::MsgType;
namespace tcp = server::tcp;

// The write token every fixture server gets (ServerOptions::access), sent by client() and by
// TcpClient when given.
const std::string kToken = "test-token-0123456789abcdef";

std::array<uint8_t, 3> msg_id(uint32_t v) {
    return {static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

struct Frame {
    uint8_t type = 0;
    std::array<uint8_t, 3> id{};
    std::vector<uint8_t> payload;
    core::ByteView view() const { return {payload.data(), payload.size()}; }
};

// A blocking raw TCP client (10 s receive timeout so a broken server fails a test, not hangs it).
// With a token it sends AUTH first and expects AUTH_OK.
class TcpClient {
public:
    explicit TcpClient(uint16_t port, const std::string &token = {}) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
        timeval tv{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connected_ && !token.empty()) {
            const auto f = request(MsgType::Auth, 0xA0, std::vector<uint8_t>(token.begin(), token.end()));
            EXPECT_EQ(f.type, static_cast<uint8_t>(MsgType::AuthOk));
        }
    }
    ~TcpClient() { close(); }
    TcpClient(const TcpClient &) = delete;
    TcpClient &operator=(const TcpClient &) = delete;

    bool connected() const { return connected_; }
    void close() {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }
    /// Close with RST instead of FIN (an abrupt disconnect).
    void reset() {
        linger l{1, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        close();
    }
    bool send_raw(const std::vector<uint8_t> &b) {
        size_t off = 0;
        while (off < b.size()) {
            const ssize_t w = ::send(fd_, b.data() + off, b.size() - off, MSG_NOSIGNAL);
            if (w <= 0)
                return false;
            off += static_cast<size_t>(w);
        }
        return true;
    }
    bool send(MsgType t, uint32_t id, const std::vector<uint8_t> &payload) {
        return send_raw(tcp::encode_frame(t, msg_id(id), payload));
    }
    /// The next frame, or nullopt on EOF / reset / timeout.
    std::optional<Frame> recv() {
        uint8_t h[tcp::kFrameHeaderSize];
        if (!read_exact(h, sizeof h))
            return std::nullopt;
        const tcp::FrameHeader fh = tcp::decode_header(h);
        Frame f;
        f.type = fh.type;
        f.id = fh.msg_id;
        f.payload.resize(fh.payload_len);
        if (!read_exact(f.payload.data(), f.payload.size()))
            return std::nullopt;
        return f;
    }
    /// True when the server has closed the connection (EOF or reset, not a timeout).
    bool closed_by_peer() {
        uint8_t b;
        const ssize_t r = ::recv(fd_, &b, 1, 0);
        return r == 0 || (r < 0 && errno == ECONNRESET);
    }
    Frame request(MsgType t, uint32_t id, const std::vector<uint8_t> &payload) {
        EXPECT_TRUE(send(t, id, payload));
        auto f = recv();
        EXPECT_TRUE(f.has_value());
        return f ? *f : Frame{};
    }

private:
    bool read_exact(uint8_t *p, size_t n) {
        size_t got = 0;
        while (got < n) {
            const ssize_t r = ::recv(fd_, p + got, n - got, 0);
            if (r <= 0)
                return false;
            got += static_cast<size_t>(r);
        }
        return true;
    }
    int fd_ = -1;
    bool connected_ = false;
};

/// A blocking loopback connection with a receive timeout (so a broken server fails, not hangs).
/// Returns -1 when connect fails.
inline int connect_loopback(uint16_t port, int rcv_timeout_ms = 10000) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    timeval tv{rcv_timeout_ms / 1000, (rcv_timeout_ms % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

inline bool send_all(int fd, std::string_view b) {
    size_t off = 0;
    while (off < b.size()) {
        const ssize_t w = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
        if (w <= 0)
            return false;
        off += static_cast<size_t>(w);
    }
    return true;
}

/// Everything the peer sends until it closes, the receive timeout passes, or `max` bytes came.
inline std::string recv_until_close(int fd, size_t max = 1 << 20) {
    std::string out;
    char buf[16384];
    while (out.size() < max) {
        const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            break;
        out.append(buf, static_cast<size_t>(r));
    }
    return out;
}

/// The status code of an HTTP response's status line ("HTTP/1.1 403 Forbidden" → 403), or 0.
inline int http_status_of(const std::string &response) {
    if (response.rfind("HTTP/1.", 0) != 0 || response.size() < 12)
        return 0;
    return std::atoi(response.c_str() + 9);
}

/// Sends raw bytes to the HTTP port on a fresh connection and returns the whole response (the
/// request should carry "Connection: close").
inline std::string raw_http(uint16_t port, std::string_view request) {
    const int fd = connect_loopback(port);
    if (fd < 0)
        return {};
    send_all(fd, request);
    std::string r = recv_until_close(fd);
    ::close(fd);
    return r;
}

/// VmRSS of this process in KiB, from /proc/self/status (0 when unreadable).
inline size_t vm_rss_kib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::strtoull(line.c_str() + 6, nullptr, 10);
    return 0;
}

} // namespace rvf::test

// tcp_server.cpp — see rvf/server/tcp_server.hpp (threads, timeouts) and tcp_protocol.hpp
// (frames). All socket code of the TCP front end is here.
#include <rvf/server/tcp_server.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <list>
#include <mutex>
#include <thread>

#include <rvf/server/socket_read.hpp>

namespace rvf::server {
namespace {

using tcp::MsgType;
using MsgId = std::array<uint8_t, 3>;

struct Conn {
    int fd = -1;
    std::mutex write_mu;
    std::atomic<bool> dead{false};
    std::atomic<bool> finished{false};
    std::thread reader;
    std::thread pusher;
    std::shared_ptr<Subscription> sub;
    MsgId sub_id{};
    bool authed = false; // a good AUTH was received (reader thread only)

    // Whole frames only, under the write mutex, so replies and pushes never interleave.
    bool send(MsgType type, MsgId id, const std::vector<uint8_t> &payload) {
        const std::vector<uint8_t> f = tcp::encode_frame(type, id, payload);
        std::lock_guard<std::mutex> g(write_mu);
        if (dead)
            return false;
        size_t off = 0;
        while (off < f.size()) {
            const ssize_t w = ::send(fd, f.data() + off, f.size() - off, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) { // error, or SO_SNDTIMEO expired: a peer that does not read is dropped
                kill();
                return false;
            }
            off += static_cast<size_t>(w);
        }
        return true;
    }
    bool send_error(MsgId id, uint16_t code, const std::string &desc) {
        return send(MsgType::Error, id, tcp::encode_error(code, desc));
    }
    bool send_error(MsgId id, const Error &e) { return send_error(id, core::status_code(e.status), e.to_string()); }
    // Wakes the reader (recv returns 0) and fails every later send.
    void kill() {
        dead = true;
        ::shutdown(fd, SHUT_RDWR);
    }
};

} // namespace

struct TcpServer::Impl {
    StoreService &svc;
    TcpOptions opts;
    AccessOptions access;
    int listen_fd = -1;
    int wake[2] = {-1, -1};
    std::thread acceptor;
    std::atomic<bool> stopping{false};
    mutable std::mutex conns_mu;
    std::list<std::shared_ptr<Conn>> conns;

    Impl(StoreService &s, TcpOptions o, AccessOptions a) : svc(s), opts(o), access(std::move(a)) {}
    void accept_loop();
    void reap_finished_locked();
    void serve(const std::shared_ptr<Conn> &c);
    bool handle(Conn &c, const tcp::FrameHeader &h, const std::vector<uint8_t> &payload);
    bool may_write(Conn &c, const tcp::FrameHeader &h);
    void push_loop(Conn &c);
};

void TcpServer::Impl::reap_finished_locked() {
    for (auto it = conns.begin(); it != conns.end();) {
        if ((*it)->finished) {
            if ((*it)->reader.joinable())
                (*it)->reader.join();
            ::close((*it)->fd);
            it = conns.erase(it);
        } else {
            ++it;
        }
    }
}

void TcpServer::Impl::accept_loop() {
    for (;;) {
        pollfd p[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (stopping || (p[1].revents & POLLIN))
            return;
        if (!(p[0].revents & POLLIN))
            continue;
        const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            // Out of descriptors: the pending connection stays queued and poll() would report
            // it again at once — back off instead of spinning a core until one frees up.
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                pollfd w{wake[0], POLLIN, 0};
                ::poll(&w, 1, 50);
            }
            continue; // ECONNABORTED, ...: keep serving the others
        }
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        timeval tv{static_cast<time_t>(opts.send_timeout_ms / 1000),
                   static_cast<suseconds_t>((opts.send_timeout_ms % 1000) * 1000)};
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        auto c = std::make_shared<Conn>();
        c->fd = fd;
        std::lock_guard<std::mutex> g(conns_mu);
        reap_finished_locked();
        if (conns.size() >= opts.max_connections) {
            c->send_error({0, 0, 0}, core::status_code(Status::BudgetTokensExhausted),
                          "too many connections (limit " + std::to_string(opts.max_connections) + ")");
            ::close(fd);
            continue;
        }
        conns.push_back(c);
        c->reader = std::thread([this, c] { serve(c); });
    }
}

void TcpServer::Impl::serve(const std::shared_ptr<Conn> &cp) {
    using clock = std::chrono::steady_clock;
    Conn &c = *cp;
    std::vector<uint8_t> payload;
    while (!stopping && !c.dead) {
        uint8_t hdr[tcp::kFrameHeaderSize];
        // Idle wait for the next frame's first byte; a subscriber waits as long as it likes.
        Deadline idle;
        if (!c.sub)
            idle = clock::now() + std::chrono::milliseconds(opts.idle_timeout_ms);
        ReadResult r = read_exact(c.fd, hdr, 1, idle);
        if (r == ReadResult::Timeout)
            c.send_error({0, 0, 0}, core::status_code(Status::Timeout),
                         "idle for " + std::to_string(opts.idle_timeout_ms) + " ms: connection closed (reconnect when needed)");
        if (r != ReadResult::Ok)
            break; // EOF or reset: the client went away (a normal end)
        const Deadline frame_deadline = clock::now() + std::chrono::milliseconds(opts.read_timeout_ms);
        r = read_exact(c.fd, hdr + 1, sizeof hdr - 1, frame_deadline);
        tcp::FrameHeader h{};
        if (r == ReadResult::Ok) {
            h = tcp::decode_header(hdr);
            if (h.payload_len > opts.max_frame) {
                // The payload cannot be skipped without reading it all: answer, then close.
                c.send_error(h.msg_id, tcp::kErrFrameTooLarge,
                             "frame too large: " + std::to_string(h.payload_len) + " bytes (limit " +
                                 std::to_string(opts.max_frame) + ")");
                break;
            }
            r = read_payload(c.fd, h.payload_len, frame_deadline, payload);
        }
        if (r == ReadResult::Timeout)
            c.send_error(h.msg_id, core::status_code(Status::Timeout),
                         "frame incomplete after " + std::to_string(opts.read_timeout_ms) +
                             " ms: send a frame's bytes without pauses");
        if (r != ReadResult::Ok)
            break;
        if (!handle(c, h, payload))
            break;
        if (payload.capacity() > 4 * kPayloadChunk)
            std::vector<uint8_t>().swap(payload); // idle connections do not keep a large frame's buffer
    }
    c.kill();
    if (c.sub)
        c.sub->close();
    if (c.pusher.joinable())
        c.pusher.join();
    c.finished = true; // fd is closed by the reaper / stop(), after this thread is joined
}

// INGEST / DELETE: allowed after a good AUTH, or always with --no-auth.
bool TcpServer::Impl::may_write(Conn &c, const tcp::FrameHeader &h) {
    if (access.no_auth || c.authed)
        return true;
    c.send_error(h.msg_id, tcp::kErrUnauthorized,
                 "not authorised: send AUTH (type 0x10) with the server's token before INGEST or DELETE");
    return false;
}

bool TcpServer::Impl::handle(Conn &c, const tcp::FrameHeader &h, const std::vector<uint8_t> &payload) {
    const core::ByteView in(payload.data(), payload.size());
    switch (static_cast<MsgType>(h.type)) {
    case MsgType::Query: {
        auto q = tcp::decode_query(in);
        if (!q)
            return c.send_error(h.msg_id, q.error());
        QueryOptions o;
        o.ef_search = q->ef_search;
        o.filter = q->filter ? &*q->filter : nullptr;
        auto r = svc.query(q->vector, q->k, o);
        if (!r)
            return c.send_error(h.msg_id, r.error());
        return c.send(MsgType::QueryResult, h.msg_id, tcp::encode_query_result(*r));
    }
    case MsgType::Auth: {
        if (access.no_auth)
            return c.send(MsgType::AuthOk, h.msg_id, {});
        const std::string_view given(reinterpret_cast<const char *>(payload.data()), payload.size());
        if (payload.size() > tcp::kMaxAuthTokenSize || !token_equal(access.token, given)) {
            // Closed after a wrong token, so guessing costs a connection per try.
            c.send_error(h.msg_id, tcp::kErrUnauthorized, "wrong token: use the token rvf serve printed at start, "
                                                          "its --token-file or RVF_SERVE_TOKEN");
            return false;
        }
        c.authed = true;
        return c.send(MsgType::AuthOk, h.msg_id, {});
    }
    case MsgType::Ingest: {
        if (!may_write(c, h))
            return !c.dead;
        auto q = tcp::decode_ingest(in);
        if (!q)
            return c.send_error(h.msg_id, q.error());
        if (q->dim != svc.dimension() && !q->ids.empty())
            return c.send_error(h.msg_id, Error{Status::DimensionMismatch,
                                                "INGEST vectors have dimension " + std::to_string(q->dim) +
                                                    ", the store has dimension " + std::to_string(svc.dimension())});
        auto r = svc.ingest(q->ids, q->vectors, q->metadata);
        if (!r)
            return c.send_error(h.msg_id, r.error());
        return c.send(MsgType::IngestAck, h.msg_id, tcp::encode_ingest_ack(*r));
    }
    case MsgType::Delete: {
        if (!may_write(c, h))
            return !c.dead;
        auto q = tcp::decode_delete(in);
        if (!q)
            return c.send_error(h.msg_id, q.error());
        auto r = q->filter ? svc.remove_by_filter(*q->filter) : svc.remove(q->ids);
        if (!r)
            return c.send_error(h.msg_id, r.error());
        return c.send(MsgType::DeleteAck, h.msg_id, tcp::encode_delete_ack(*r));
    }
    case MsgType::Status:
        if (!payload.empty())
            return c.send_error(h.msg_id, Error{Status::InvalidArgument, "STATUS takes an empty payload"});
        return c.send(MsgType::StatusResp, h.msg_id, tcp::encode_status_resp(svc.status()));
    case MsgType::Subscribe: {
        if (c.sub)
            return c.send_error(h.msg_id, Error{Status::InvalidArgument, "this connection is already subscribed"});
        auto q = tcp::decode_subscribe(in);
        if (!q)
            return c.send_error(h.msg_id, q.error());
        uint32_t start = 0;
        auto sub = svc.subscribe(q->min_epoch, q->notify_flags, &start);
        StoreStatus st = svc.status();
        st.current_epoch = start; // the ack names the epoch the stream starts after
        // The ack goes out before the pusher exists, so it precedes every UPDATE_NOTIFY.
        if (!c.send(MsgType::StatusResp, h.msg_id, tcp::encode_status_resp(st)))
            return false;
        c.sub = std::move(sub);
        c.sub_id = h.msg_id;
        c.pusher = std::thread([this, &c] { push_loop(c); });
        return true;
    }
    default:
        return c.send_error(h.msg_id, tcp::kErrUnknownType, "unknown message type 0x" + [&] {
            char b[3];
            std::snprintf(b, sizeof b, "%02x", h.type);
            return std::string(b);
        }());
    }
}

void TcpServer::Impl::push_loop(Conn &c) {
    for (;;) {
        UpdateEvent e;
        switch (c.sub->pop(e, std::chrono::milliseconds(500))) {
        case Subscription::Pop::Event:
            if (!c.send(MsgType::UpdateNotify, c.sub_id, tcp::encode_update_notify(e)))
                return;
            break;
        case Subscription::Pop::Timeout:
            if (c.dead)
                return;
            break;
        case Subscription::Pop::Overflow:
            c.send_error(c.sub_id, tcp::kErrSubscriberOverflow,
                         "subscriber too slow: " + std::to_string(c.sub->dropped()) + " events dropped after epoch " +
                             std::to_string(c.sub->last_epoch()) + "; reconnect and resync with STATUS");
            c.kill();
            return;
        case Subscription::Pop::Closed:
            return;
        }
    }
}

TcpServer::TcpServer(StoreService &svc, TcpOptions options, AccessOptions access)
    : impl_(std::make_unique<Impl>(svc, options, std::move(access))) {}

TcpServer::~TcpServer() { stop(); }

Result<uint16_t> TcpServer::start(const std::string &host, int port) {
    Impl &s = *impl_;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo *res = nullptr;
    const std::string port_s = std::to_string(port);
    if (::getaddrinfo(host.c_str(), port_s.c_str(), &hints, &res) != 0 || !res)
        return Error{Status::IoError, "cannot resolve TCP host " + host};
    int fd = -1;
    std::string why = "no address";
    for (addrinfo *a = res; a; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        const int one = 1;
        ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 128) == 0)
            break;
        why = std::strerror(errno);
        ::close(fd);
        fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd < 0)
        return Error{Status::IoError, "cannot bind TCP to " + host + ":" + port_s + ": " + why};
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
    const uint16_t bound = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 &>(ss).sin6_port
                                                          : reinterpret_cast<sockaddr_in &>(ss).sin_port);
    if (::pipe2(s.wake, O_CLOEXEC) != 0) {
        ::close(fd);
        return Error{Status::IoError, std::string("pipe: ") + std::strerror(errno)};
    }
    s.listen_fd = fd;
    s.acceptor = std::thread([&s] { s.accept_loop(); });
    return bound;
}

void TcpServer::stop() {
    if (!impl_ || impl_->listen_fd < 0)
        return;
    Impl &s = *impl_;
    s.stopping = true;
    const char b = 1;
    (void)!::write(s.wake[1], &b, 1);
    if (s.acceptor.joinable())
        s.acceptor.join();
    std::list<std::shared_ptr<Conn>> all;
    {
        std::lock_guard<std::mutex> g(s.conns_mu);
        all.swap(s.conns);
    }
    // Half-close the read side: a reader blocked between frames sees EOF, one running a
    // request finishes it and still sends its reply.
    for (auto &c : all)
        ::shutdown(c->fd, SHUT_RD);
    for (auto &c : all) {
        if (c->reader.joinable())
            c->reader.join();
        ::close(c->fd);
    }
    ::close(s.listen_fd);
    ::close(s.wake[0]);
    ::close(s.wake[1]);
    s.listen_fd = s.wake[0] = s.wake[1] = -1;
}

size_t TcpServer::connection_count() const {
    std::lock_guard<std::mutex> g(impl_->conns_mu);
    size_t n = 0;
    for (const auto &c : impl_->conns)
        n += c->finished ? 0 : 1;
    return n;
}

} // namespace rvf::server

// rvf/server/tcp_server.hpp — the binary TCP front end of `rvf serve` (protocol:
// tcp_protocol.hpp) over a StoreService.
//
// Threads: one acceptor, and per connection one reader thread that decodes a frame, runs it
// against the store and writes the reply — so one connection's requests are answered in
// order — plus, once the connection has SUBSCRIBEd, one pusher thread that drains the
// subscription's bounded queue into UPDATE_NOTIFY frames. Both write through the connection's
// write mutex, whole frames at a time. Sends time out after TcpOptions::send_timeout_ms (a
// peer that stops reading is dropped). Limits (issue 14 #7): a connection that starts no frame
// for idle_timeout_ms is closed (a subscribed one is exempt: it is waiting for pushes, and its
// peer's death shows up as a failed send); once a frame's first byte arrives, the rest of it
// must arrive within read_timeout_ms; payload buffers grow as bytes arrive (socket_read.hpp),
// never to the declared length up front; beyond max_connections a new connection gets ERROR
// 0x0901 and is closed at once. Bad frames get an ERROR and the connection carries on; an
// oversized one (or a subscriber overflow, or a wrong AUTH token) gets an ERROR and the
// connection is closed. INGEST / DELETE need a prior AUTH unless access.no_auth.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <rvf/result.hpp>
#include <rvf/server/access_control.hpp>
#include <rvf/server/store_service.hpp>
#include <rvf/server/tcp_protocol.hpp>

namespace rvf::server {

struct TcpOptions {
    uint32_t max_frame = tcp::kDefaultMaxFrame; ///< payload bytes; larger ⇒ ERROR 0x0104 + close
    size_t max_connections = 1024;              ///< more are sent ERROR 0x0901 and closed at once
    unsigned idle_timeout_ms = 60000;           ///< no frame started for this long ⇒ closed (not subscribers)
    unsigned read_timeout_ms = 10000;           ///< for the rest of a frame once its first byte arrived
    unsigned send_timeout_ms = 10000;
};

class TcpServer {
public:
    TcpServer(StoreService &svc, TcpOptions options, AccessOptions access);
    ~TcpServer();
    /// Binds host:port (0 = ephemeral), starts the acceptor. Errors: IoError.
    Result<uint16_t> start(const std::string &host, int port);
    /// Stops accepting; each connection finishes the request it is running (its reply is sent),
    /// then is closed; joins every thread.
    void stop();
    /// Connections currently open (tests).
    size_t connection_count() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace rvf::server

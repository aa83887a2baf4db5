// rvf/server/server.hpp — `rvf serve`: one RvfStore behind an HTTP front end (JSON API, the
// .rvf file with Range/ETag, SSE updates) and a binary TCP front end (upstream rvf-server's
// protocol + SUBSCRIBE), sharing one StoreService (many readers, one writer).
//
//   auto store = RvfStore::open("vectors.rvf");                 // takes the writer lock
//   ServerOptions o{.http_port = 0, .tcp_port = 0};
//   o.access.token = *generate_token();                          // or o.access.no_auth = true
//   auto srv = Server::start(std::move(*store), o);
//   ... srv->http_port(), srv->tcp_port() ...
//   srv->shutdown();                                            // flush, close, release the lock
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <rvf/result.hpp>
#include <rvf/server/access_control.hpp>
#include <rvf/server/http_server.hpp>
#include <rvf/server/store_service.hpp>
#include <rvf/server/tcp_server.hpp>
#include <rvf/store.hpp>

namespace rvf::server {

struct ServerOptions {
    std::string host = "127.0.0.1"; ///< upstream binds 0.0.0.0; we default to loopback
    int http_port = 8080;           ///< 0: ephemeral; < 0: no HTTP front end
    int tcp_port = 9090;            ///< 0: ephemeral; < 0: no TCP front end
    size_t subscriber_queue = 1024; ///< events buffered per subscriber before it is dropped
    HttpOptions http;
    TcpOptions tcp;
    AccessOptions access; ///< a token, or no_auth = true: start() refuses neither (no silent open writes)
};

class Server {
public:
    /// Starts both front ends over `store`. Errors: IoError (a port cannot be bound),
    /// InvalidOptions (no token and not no_auth; max_sse ≥ threads); the store is closed again.
    static Result<std::unique_ptr<Server>> start(RvfStore store, const ServerOptions &options);
    ~Server();

    uint16_t http_port() const { return http_port_; } ///< 0 when HTTP is off
    uint16_t tcp_port() const { return tcp_port_; }   ///< 0 when TCP is off
    StoreService &service() { return *svc_; }

    /// Graceful stop: ends subscriptions, stops accepting, lets requests in flight finish (their
    /// writes are committed and answered), then closes the store (writes the metadata and
    /// index segments close() writes, releases the writer lock). Idempotent.
    Result<void> shutdown();

private:
    Server() = default;
    std::unique_ptr<StoreService> svc_;
    std::unique_ptr<HttpServer> http_;
    std::unique_ptr<TcpServer> tcp_;
    uint16_t http_port_ = 0;
    uint16_t tcp_port_ = 0;
    bool down_ = false;
};

} // namespace rvf::server

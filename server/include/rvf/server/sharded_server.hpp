// rvf/server/sharded_server.hpp — `rvf serve ROOT --readonly` for a sharded collection root
// (issue 21): the collection opened read-only behind the HTTP front end (http_server.hpp's
// sharded constructor: fan-out /v1/query, /v1/status, /v1/health, and /v1/files/ for readers
// that fan out themselves). HTTP only: the binary TCP protocol serves a single store.
//
//   auto coll = ShardedCollection::open_readonly("vectors.rvf");
//   auto srv = ShardedServer::start(std::move(*coll), "vectors.rvf", {.http_port = 0, .tcp_port = -1});
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <rvf/result.hpp>
#include <rvf/server/http_server.hpp>
#include <rvf/server/server.hpp>
#include <rvf/sharded.hpp>

namespace rvf::server {

class ShardedServer {
public:
    /// Errors: InvalidOptions (options.tcp_port ≥ 0: no TCP for a sharded root; no HTTP port),
    /// IoError (the port cannot be bound).
    static Result<std::unique_ptr<ShardedServer>> start(ShardedCollection coll, std::string root_path,
                                                        const ServerOptions &options);
    ~ShardedServer();

    uint16_t http_port() const { return http_port_; }
    const ShardedCollection &collection() const { return *coll_; }
    /// Stops accepting, lets requests in flight finish, closes the collection. Idempotent.
    Result<void> shutdown();

private:
    ShardedServer() = default;
    std::unique_ptr<ShardedCollection> coll_;
    std::unique_ptr<HttpServer> http_;
    uint16_t http_port_ = 0;
    bool down_ = false;
};

} // namespace rvf::server

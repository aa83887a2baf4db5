// rvf/server/http_server.hpp — the HTTP front end of `rvf serve` (cpp-httplib), over a
// StoreService. Routes: json_api.hpp's JSON API, GET/HEAD /v1/file (the committed .rvf with
// Range/ETag, http_file.hpp) and GET /v1/subscribe (Server-Sent Events).
//
// Why cpp-httplib: Debian 12 packages it (libcpp-httplib-dev 0.11.4 — the project takes only
// Debian packages), it is a small blocking thread-pool server that fits a std::shared_mutex
// store without an event loop, and it handles HTTP/1.1 parsing, keep-alive and chunked
// streaming (needed for SSE). Debian builds it as a shared library (libcpp-httplib.so, header
// in "split" mode) with OpenSSL, zlib and Brotli enabled, so we compile with its pkg-config
// flags (the same CPPHTTPLIB_*_SUPPORT defines, or the classes' layouts would differ) and link
// -lcpp-httplib; we serve plain HTTP only. cpp-httplib gives each connection a pool thread for
// its keep-alive lifetime, hence ServerOptions::http_threads.
//
// GET /v1/subscribe?min_epoch=N&events=ingest,delete,compaction (all by default) streams
//   event: subscribed   data: {"epoch": <start>, "total_vectors": n}     (once, first)
//   id: <epoch>  event: update  data: {"epoch", "event", "affected_count", "new_total", "ids", "ids_truncated"}
//   event: overflow     data: {"dropped": n, "last_epoch": e}  — queue full: the stream then ends
//   ": ping" comments every ServerOptions::sse_heartbeat_ms (so dead peers are noticed)
// and ends when the server shuts down.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include <rvf/result.hpp>
#include <rvf/server/access_control.hpp>
#include <rvf/server/store_service.hpp>
#include <rvf/sharded.hpp>

namespace rvf::server {

struct HttpOptions {
    size_t threads = 128;                  ///< worker threads = concurrent connections served
    size_t max_body = 16u << 20;           ///< request bodies larger than this get 413
    size_t max_sse = 64;                   ///< subscribe streams in all; must be < threads
    size_t max_sse_per_client = 16;        ///< subscribe streams per client address
    unsigned read_timeout_s = 10;          ///< one read or write on a connection
    unsigned keep_alive_timeout_s = 2;     ///< idle keep-alive connection closed after this
    unsigned sse_heartbeat_ms = 15000;
};

class HttpServer {
public:
    /// Errors from start(): InvalidOptions when max_sse ≥ threads (subscribers could take every thread).
    HttpServer(StoreService &svc, HttpOptions options, AccessOptions access);
    /// A sharded collection root, read-only (json_api.hpp: the sharded /v1/query and /v1/status;
    /// GET/HEAD /v1/files/<name>: the root file and the shard files it names, with Range/ETag;
    /// write routes answer 403 ReadOnly). `coll` and the file at `root_path` outlive the server.
    HttpServer(const ShardedCollection &coll, std::string root_path, HttpOptions options, AccessOptions access);
    ~HttpServer();
    /// Binds host:port (0 = an ephemeral port) and starts serving on a background thread.
    /// Errors: IoError when the address cannot be bound.
    Result<uint16_t> start(const std::string &host, int port);
    /// Stops accepting, lets in-flight requests finish, ends SSE streams (their subscriptions
    /// must be closed first: StoreService::close or EventHub::close_all), joins the threads.
    void stop();

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace rvf::server

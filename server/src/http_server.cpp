// http_server.cpp — routes of rvf/server/http_server.hpp on cpp-httplib 0.11 (Debian's
// libcpp-httplib; why that library: see the header). Handlers only move bytes: the JSON API is
// json_api.cpp, the Range/ETag decisions http_file.cpp.
#include <rvf/server/http_server.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include <httplib.h>

#include <rvf/server/http_file.hpp>
#include <rvf/server/json_api.hpp>
#include <rvf/server/slot_limiter.hpp>

namespace rvf::server {
namespace {

constexpr const char *kJson = "application/json";

void send_json(httplib::Response &res, const JsonReply &r) {
    res.status = r.http_status;
    res.set_content(r.body, kJson);
}

// Parses "ingest,delete,compaction" into SUBSCRIBE notify_flags (0 when a name is unknown).
uint8_t parse_event_names(const std::string &s) {
    uint8_t flags = 0;
    size_t i = 0;
    while (i <= s.size()) {
        size_t j = s.find(',', i);
        if (j == std::string::npos)
            j = s.size();
        const std::string name = s.substr(i, j - i);
        if (name == "ingest")
            flags |= notify_bit(EventKind::Ingest);
        else if (name == "delete")
            flags |= notify_bit(EventKind::Delete);
        else if (name == "compaction")
            flags |= notify_bit(EventKind::Compaction);
        else
            return 0;
        i = j + 1;
    }
    return flags;
}

// State of one SSE stream, shared by the provider calls of one response.
struct SseStream {
    std::unique_ptr<SlotLimiter::Slot> slot; // freed with the stream (the response's providers)
    std::shared_ptr<Subscription> sub;
    std::string hello;
    bool hello_sent = false;
    std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
    std::chrono::milliseconds heartbeat{15000};
};

bool sink_write(httplib::DataSink &sink, const std::string &s) { return sink.write(s.data(), s.size()); }

// A refusal from the guards: typed error JSON, and the connection closed after it (the body the
// client may still be sending was not read).
void refuse(httplib::Response &res, int status, Status code, const std::string &why) {
    JsonReply r = error_reply(Error{code, why});
    r.http_status = status;
    send_json(res, r);
    if (!res.has_header("Connection"))
        res.set_header("Connection", "close");
}

bool is_write_route(const httplib::Request &req) {
    return req.method == "POST" && (req.path == "/v1/ingest" || req.path == "/v1/upsert" || req.path == "/v1/update_metadata" ||
                                    req.path == "/v1/delete" || req.path == "/v1/compact" ||
                                    req.path == "/v1/append_witness");
}

// "application/json; charset=utf-8" → true: the media type before any parameter, any case.
bool is_json_content_type(const std::string &v) {
    std::string t = v.substr(0, v.find(';'));
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t'))
        t.pop_back();
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t'))
        t.erase(t.begin());
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return t == "application/json";
}

} // namespace

struct HttpServer::Impl {
    // Exactly one is set: a store (every route), or a sharded root (read-only routes + files).
    StoreService *svc = nullptr;
    const ShardedCollection *coll = nullptr;
    std::string root_path; ///< the sharded root's file (coll only)
    HttpOptions opts;
    AccessOptions access;
    std::string bound_host;
    SlotLimiter sse_slots;
    httplib::Server http;
    std::thread thread;
    bool started = false;

    Impl(StoreService *s, const ShardedCollection *c, std::string root, HttpOptions o, AccessOptions a)
        : svc(s), coll(c), root_path(std::move(root)), opts(o), access(std::move(a)),
          sse_slots(o.max_sse, o.max_sse_per_client) {}
    void routes();
    void store_routes();
    void sharded_routes();
    void sharded_file_route(const httplib::Request &req, httplib::Response &res);
    httplib::Server::HandlerResponse guard(const httplib::Request &req, httplib::Response &res);
    std::string too_large_message() const {
        return "request body larger than " + std::to_string(opts.max_body) +
               " bytes: send smaller batches, or start rvf serve with a larger --max-body";
    }
    void file_route(const httplib::Request &req, httplib::Response &res);
    void subscribe_route(const httplib::Request &req, httplib::Response &res);
};

void HttpServer::Impl::routes() {
    const size_t threads = std::max<size_t>(opts.threads, 2);
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(opts.max_body);
    http.set_keep_alive_max_count(100000); // the default (5) would reconnect every 5th request
    // An idle keep-alive connection holds its pool thread, and stop() waits for it: keep it short.
    http.set_keep_alive_timeout(static_cast<time_t>(opts.keep_alive_timeout_s));
    http.set_read_timeout(static_cast<time_t>(opts.read_timeout_s), 0);
    http.set_write_timeout(static_cast<time_t>(opts.read_timeout_s), 0);
    http.set_tcp_nodelay(true);
    // Runs after the request line and headers, before the body is read or a route runs.
    http.set_pre_routing_handler(
        [this](const httplib::Request &req, httplib::Response &res) { return guard(req, res); });
    if (coll)
        sharded_routes();
    else
        store_routes();
    // Errors cpp-httplib raises itself get a JSON body like every other error (it sends none):
    // unknown routes, oversized bodies, unparsable requests.
    http.set_error_handler([this](const httplib::Request &, httplib::Response &res) {
        if (!res.body.empty())
            return;
        if (res.status == 404)
            res.set_content(R"({"error":"no such route","code":65284,"name":"InvalidArgument"})", kJson);
        else if (res.status == 413)
            refuse(res, 413, Status::InvalidArgument, too_large_message());
        else if (res.status >= 400 && res.status < 500)
            refuse(res, res.status, Status::InvalidArgument, "malformed HTTP request");
    });
}

void HttpServer::Impl::store_routes() {
    http.Post("/v1/ingest", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_ingest(*svc, req.body));
    });
    http.Post("/v1/query", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_query(*svc, req.body));
    });
    http.Post("/v1/delete", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_delete(*svc, req.body));
    });
    http.Post("/v1/upsert", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_upsert(*svc, req.body));
    });
    http.Post("/v1/update_metadata", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_update_metadata(*svc, req.body));
    });
    http.Post("/v1/count", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_count(*svc, req.body));
    });
    http.Post("/v1/find", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_find(*svc, req.body));
    });
    http.Post("/v1/append_witness", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_append_witness(*svc, req.body));
    });
    http.Post("/v1/witness_entries", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_witness_entries(*svc, req.body));
    });
    http.Post("/v1/compact", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_compact(*svc, req.body));
    });
    http.Get("/v1/status", [this](const httplib::Request &, httplib::Response &res) {
        send_json(res, api_status(*svc));
    });
    http.Get("/v1/health", [](const httplib::Request &, httplib::Response &res) { send_json(res, api_health()); });
    http.Get("/v1/file", [this](const httplib::Request &req, httplib::Response &res) { file_route(req, res); });
    http.Get("/v1/subscribe",
             [this](const httplib::Request &req, httplib::Response &res) { subscribe_route(req, res); });
}

// A sharded root: fan-out queries, the collection's status, and the root and shard files for
// readers that fan out themselves (GET /v1/files/<root file name> — shard names in the root are
// relative to it, so they resolve to /v1/files/<its shard names>). Writes are refused: the
// collection is opened read-only (rvf shard / the SDK write it, each shard under its own lock).
void HttpServer::Impl::sharded_routes() {
    const ShardedCollection &c = *coll;
    http.Post("/v1/query", [&c](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_sharded_query(c, req.body));
    });
    http.Get("/v1/status", [&c](const httplib::Request &, httplib::Response &res) { send_json(res, api_sharded_status(c)); });
    http.Get("/v1/health", [](const httplib::Request &, httplib::Response &res) { send_json(res, api_health()); });
    http.Get(R"(/v1/files/(.+))",
             [this](const httplib::Request &req, httplib::Response &res) { sharded_file_route(req, res); });
    for (const char *route : {"/v1/ingest", "/v1/upsert", "/v1/update_metadata", "/v1/delete", "/v1/compact",
                              "/v1/append_witness", "/v1/count", "/v1/find", "/v1/witness_entries"})
        http.Post(route, [route](const httplib::Request &, httplib::Response &res) {
            send_json(res, error_reply(Error{Status::ReadOnly,
                                             std::string(route) + " is not served for a sharded root (rvf serve "
                                             "answers queries over it read-only): write with `rvf shard` or the "
                                             "SDK's sharded collection, or serve one shard file"}));
        });
    for (const char *route : {"/v1/file", "/v1/subscribe"})
        http.Get(route, [route](const httplib::Request &, httplib::Response &res) {
            send_json(res, error_reply(Error{Status::UnsupportedLayout,
                                             std::string(route) + " serves a single store; for a sharded root "
                                             "read /v1/files/<root name> and the shard names it lists"}));
        });
}

httplib::Server::HandlerResponse HttpServer::Impl::guard(const httplib::Request &req, httplib::Response &res) {
    using HR = httplib::Server::HandlerResponse;
    const std::string host = req.get_header_value("Host");
    if (!host_allowed(access, host, bound_host)) {
        refuse(res, 403, Status::InvalidArgument,
               "Host \"" + host + "\" is not allowed (DNS-rebinding guard): use http://127.0.0.1, or start rvf serve "
               "with --allow-host " + host_of(host));
        return HR::Handled;
    }
    if (req.has_header("Origin")) {
        const std::string origin = req.get_header_value("Origin");
        if (!origin_allowed(access, origin)) {
            refuse(res, 403, Status::InvalidArgument,
                   "Origin \"" + origin + "\" is not allowed: start rvf serve with --cors-origin " + origin +
                       " to let pages from it use this server");
            return HR::Handled;
        }
        res.set_header("Access-Control-Allow-Origin", origin);
        res.set_header("Vary", "Origin");
        res.set_header("Access-Control-Expose-Headers", "ETag, Content-Range, Accept-Ranges, Content-Length");
        if (req.method == "OPTIONS") {
            res.set_header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
            res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Range, If-Range, If-None-Match");
            res.set_header("Access-Control-Max-Age", "600");
        }
    }
    // A declared length over the limit is refused here, before cpp-httplib would spend up to
    // the read timeout draining a body it is going to refuse anyway.
    if (req.has_header("Content-Length")) {
        const std::string len = req.get_header_value("Content-Length");
        char *end = nullptr;
        errno = 0;
        const unsigned long long n = std::strtoull(len.c_str(), &end, 10);
        if (errno == ERANGE || (end && *end == '\0' && !len.empty() && n > opts.max_body)) {
            refuse(res, 413, Status::InvalidArgument, too_large_message());
            return HR::Handled;
        }
    }
    if (req.method == "OPTIONS") {
        res.status = 204;
        res.set_header("Allow", "GET, HEAD, POST, OPTIONS");
        return HR::Handled;
    }
    if (is_write_route(req)) {
        if (!access.no_auth && !bearer_matches(req.get_header_value("Authorization"), access.token)) {
            refuse(res, 401, Status::InvalidArgument,
                   "writes need \"Authorization: Bearer <token>\": the token rvf serve printed at start, its "
                   "--token-file, or RVF_SERVE_TOKEN");
            res.set_header("WWW-Authenticate", "Bearer");
            return HR::Handled;
        }
        if (!is_json_content_type(req.get_header_value("Content-Type"))) {
            refuse(res, 415, Status::InvalidArgument, "writes need \"Content-Type: application/json\"");
            return HR::Handled;
        }
    }
    return HR::Unhandled;
}

// A file's current bytes, for readers that fan out themselves: an open descriptor (a writer's
// rename cannot swap the bytes underneath) and a strong ETag from its identity, size and
// modification time, which every commit of an append-only file (or its compaction's rename) changes.
static Result<FileSnapshot> snapshot_file(const std::string &path) {
    FileSnapshot snap;
    snap.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (snap.fd < 0)
        return Error{errno == ENOENT ? Status::ManifestNotFound : Status::IoError,
                     "cannot open " + path + ": " + std::strerror(errno)};
    struct stat st {};
    if (::fstat(snap.fd, &st) != 0)
        return Error{Status::IoError, "cannot stat " + path + ": " + std::strerror(errno)};
    snap.size = static_cast<uint64_t>(st.st_size);
    snap.etag = "\"rvf-" + std::to_string(st.st_ino) + "-" + std::to_string(snap.size) + "-" +
                std::to_string(static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec) + "\"";
    return snap;
}

namespace {

// The Range/ETag answer for a snapshot of a file (http_file.hpp decides, this only sends).
void send_file(const httplib::Request &req, httplib::Response &res, FileSnapshot snap,
                    const std::vector<std::pair<int64_t, int64_t>> &ranges, const char *cache_control) {
    const FileResponsePlan plan =
        plan_file_response(snap.size, snap.etag, ranges, req.get_header_value("If-None-Match"),
                           req.has_header("If-Range"), req.get_header_value("If-Range"));
    res.status = plan.status;
    res.set_header("ETag", snap.etag);
    res.set_header("Accept-Ranges", "bytes");
    res.set_header("Cache-Control", cache_control);
    if (!plan.content_range.empty())
        res.set_header("Content-Range", plan.content_range);
    if (plan.status == 304 || plan.status == 416)
        return;
    auto fd = std::make_shared<FileSnapshot>(std::move(snap));
    const uint64_t base = plan.offset;
    res.set_content_provider(
        static_cast<size_t>(plan.length), "application/octet-stream",
        [fd, base](size_t off, size_t len, httplib::DataSink &sink) {
            char buf[64 * 1024];
            const size_t n = std::min(len, sizeof buf);
            const ssize_t got = ::pread(fd->fd, buf, n, static_cast<off_t>(base + off));
            if (got <= 0)
                return false; // the committed bytes are gone (cannot happen to an append-only file)
            return sink.write(buf, static_cast<size_t>(got));
        });
}

/// cpp-httplib's parsed ranges, taken over (see file_route).
std::vector<std::pair<int64_t, int64_t>> take_ranges(const httplib::Request &req) {
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (const auto &r : req.ranges)
        ranges.emplace_back(static_cast<int64_t>(r.first), static_cast<int64_t>(r.second));
    const_cast<httplib::Request &>(req).ranges.clear();
    return ranges;
}

} // namespace

void HttpServer::Impl::file_route(const httplib::Request &req, httplib::Response &res) {
    // cpp-httplib 0.11 would apply req.ranges to whatever body we set (and read past a content
    // provider's end for an unsatisfiable range); we decide Range ourselves (If-Range, 416), so
    // its parsed copy is cleared. The Request object is httplib's own non-const local
    // (Server::process_request), handed to handlers as const&, so the cast is well-defined.
    const auto ranges = take_ranges(req);
    auto snap = svc->file_snapshot();
    if (!snap) {
        send_json(res, error_reply(snap.error()));
        return;
    }
    send_file(req, res, std::move(*snap), ranges, "no-cache"); // revalidate: the file grows with every commit
}

void HttpServer::Impl::sharded_file_route(const httplib::Request &req, httplib::Response &res) {
    const auto ranges = take_ranges(req);
    const std::string name = req.matches.size() > 1 ? std::string(req.matches[1]) : std::string();
    // Only the root itself and the shard names it lists (relative ones: the codec has already
    // refused names that leave the root's directory) are served: never an arbitrary path.
    const std::filesystem::path root(root_path);
    std::string path;
    if (name == root.filename().string())
        path = root_path;
    else
        for (const ShardInfo &i : coll->status().shards)
            if (!i.path.empty() && name == i.name)
                path = i.path;
    if (path.empty()) {
        send_json(res, error_reply(Error{Status::ManifestNotFound,
                                         "no such file: /v1/files/ serves the root (" + root.filename().string() +
                                             ") and the shard names it lists (GET /v1/status)"}));
        return;
    }
    auto snap = snapshot_file(path);
    if (!snap) {
        send_json(res, error_reply(snap.error()));
        return;
    }
    send_file(req, res, std::move(*snap), ranges, "no-cache");
}

void HttpServer::Impl::subscribe_route(const httplib::Request &req, httplib::Response &res) {
    uint32_t min_epoch = 0;
    uint8_t flags = kNotifyAll;
    if (req.has_param("min_epoch")) {
        const std::string v = req.get_param_value("min_epoch");
        char *end = nullptr;
        const unsigned long long e = std::strtoull(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || e > UINT32_MAX) {
            send_json(res, error_reply(Error{Status::InvalidArgument, "min_epoch must be an integer 0..2^32-1"}));
            return;
        }
        min_epoch = static_cast<uint32_t>(e);
    }
    if (req.has_param("events")) {
        flags = parse_event_names(req.get_param_value("events"));
        if (flags == 0) {
            send_json(res, error_reply(Error{Status::InvalidArgument,
                                             "events is a comma-separated list of ingest, delete, compaction"}));
            return;
        }
    }
    auto st = std::make_shared<SseStream>();
    st->slot = sse_slots.try_acquire(req.remote_addr);
    if (!st->slot) {
        JsonReply r = error_reply(Error{Status::BudgetTokensExhausted,
                                        "too many subscribers (" + std::to_string(sse_slots.max_total()) + " in all, " +
                                            std::to_string(sse_slots.max_per_key()) +
                                            " per client address): close a stream, or raise --max-sse / "
                                            "--max-sse-per-client"});
        r.http_status = 503;
        send_json(res, r);
        res.set_header("Retry-After", "5");
        return;
    }
    uint32_t start = 0;
    uint64_t total = 0;
    st->sub = svc->subscribe(min_epoch, flags, &start, &total);
    st->heartbeat = std::chrono::milliseconds(opts.sse_heartbeat_ms ? opts.sse_heartbeat_ms : 15000);
    st->hello = "event: subscribed\ndata: {\"epoch\":" + std::to_string(start) +
                ",\"total_vectors\":" + std::to_string(total) + "}\n\n";
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [st](size_t, httplib::DataSink &sink) {
            using clock = std::chrono::steady_clock;
            if (!st->hello_sent) {
                st->hello_sent = true;
                st->last_write = clock::now();
                return sink_write(sink, st->hello);
            }
            UpdateEvent e;
            switch (st->sub->pop(e, std::chrono::milliseconds(250))) {
            case Subscription::Pop::Event:
                st->last_write = clock::now();
                return sink_write(sink, "id: " + std::to_string(e.epoch) + "\nevent: update\ndata: " + event_json(e) +
                                            "\n\n");
            case Subscription::Pop::Timeout:
                if (clock::now() - st->last_write < st->heartbeat)
                    return true;
                st->last_write = clock::now();
                return sink_write(sink, ": ping\n\n");
            case Subscription::Pop::Overflow:
                sink_write(sink, "event: overflow\ndata: {\"dropped\":" + std::to_string(st->sub->dropped()) +
                                     ",\"last_epoch\":" + std::to_string(st->sub->last_epoch()) + "}\n\n");
                sink.done();
                return true;
            case Subscription::Pop::Closed:
                sink.done();
                return true;
            }
            return false;
        },
        [st](bool) { st->sub->close(); }); // the client went away: stop queueing for it
}

HttpServer::HttpServer(StoreService &svc, HttpOptions options, AccessOptions access)
    : impl_(std::make_unique<Impl>(&svc, nullptr, std::string(), options, std::move(access))) {
    impl_->routes();
}

HttpServer::HttpServer(const ShardedCollection &coll, std::string root_path, HttpOptions options, AccessOptions access)
    : impl_(std::make_unique<Impl>(nullptr, &coll, std::move(root_path), options, std::move(access))) {
    impl_->routes();
}

HttpServer::~HttpServer() { stop(); }

Result<uint16_t> HttpServer::start(const std::string &host, int port) {
    Impl &s = *impl_;
    if (s.opts.max_sse >= std::max<size_t>(s.opts.threads, 2))
        return Error{Status::InvalidOptions, "--max-sse " + std::to_string(s.opts.max_sse) +
                                                 " must be below --threads " + std::to_string(s.opts.threads) +
                                                 " (subscribers would take every thread)"};
    s.bound_host = host;
    int bound = -1;
    if (port == 0)
        bound = s.http.bind_to_any_port(host);
    else if (s.http.bind_to_port(host, port))
        bound = port;
    if (bound <= 0)
        return Error{Status::IoError, "cannot bind HTTP to " + host + ":" + std::to_string(port)};
    s.thread = std::thread([&s] { s.http.listen_after_bind(); });
    s.started = true;
    // stop() is a no-op until the accept loop runs (httplib checks is_running()): wait for it,
    // so a stop right after start cannot leave the loop running forever.
    while (!s.http.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return static_cast<uint16_t>(bound);
}

void HttpServer::stop() {
    if (!impl_ || !impl_->started)
        return;
    impl_->http.stop();
    if (impl_->thread.joinable())
        impl_->thread.join();
    impl_->started = false;
}

} // namespace rvf::server

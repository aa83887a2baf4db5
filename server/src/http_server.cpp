// http_server.cpp — routes of rvf/server/http_server.hpp on cpp-httplib 0.11 (Debian's
// libcpp-httplib; why that library: see the header). Handlers only move bytes: the JSON API is
// json_api.cpp, the Range/ETag decisions http_file.cpp.
#include <rvf/server/http_server.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <httplib.h>

#include <rvf/server/http_file.hpp>
#include <rvf/server/json_api.hpp>

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
    std::shared_ptr<Subscription> sub;
    std::string hello;
    bool hello_sent = false;
    std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
    std::chrono::milliseconds heartbeat{15000};
};

bool sink_write(httplib::DataSink &sink, const std::string &s) { return sink.write(s.data(), s.size()); }

} // namespace

struct HttpServer::Impl {
    StoreService &svc;
    HttpOptions opts;
    httplib::Server http;
    std::thread thread;
    bool started = false;

    Impl(StoreService &s, HttpOptions o) : svc(s), opts(o) {}
    void routes();
    void file_route(const httplib::Request &req, httplib::Response &res);
    void subscribe_route(const httplib::Request &req, httplib::Response &res);
};

void HttpServer::Impl::routes() {
    const size_t threads = std::max<size_t>(opts.threads, 2);
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(opts.max_body);
    http.set_keep_alive_max_count(100000); // the default (5) would reconnect every 5th request
    // An idle keep-alive connection holds its pool thread, and stop() waits for it: keep it short.
    http.set_keep_alive_timeout(2);
    http.set_tcp_nodelay(true);

    http.Post("/v1/ingest", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_ingest(svc, req.body));
    });
    http.Post("/v1/query", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_query(svc, req.body));
    });
    http.Post("/v1/delete", [this](const httplib::Request &req, httplib::Response &res) {
        send_json(res, api_delete(svc, req.body));
    });
    http.Post("/v1/compact", [this](const httplib::Request &, httplib::Response &res) {
        send_json(res, api_compact(svc));
    });
    http.Get("/v1/status", [this](const httplib::Request &, httplib::Response &res) {
        send_json(res, api_status(svc));
    });
    http.Get("/v1/health", [](const httplib::Request &, httplib::Response &res) { send_json(res, api_health()); });
    http.Get("/v1/file", [this](const httplib::Request &req, httplib::Response &res) { file_route(req, res); });
    http.Get("/v1/subscribe",
             [this](const httplib::Request &req, httplib::Response &res) { subscribe_route(req, res); });
    // Unknown routes: a JSON body like every other error (cpp-httplib sends an empty 404).
    http.set_error_handler([](const httplib::Request &, httplib::Response &res) {
        if (res.status == 404 && res.body.empty())
            res.set_content(R"({"error":"no such route","code":65284,"name":"InvalidArgument"})", kJson);
    });
}

void HttpServer::Impl::file_route(const httplib::Request &req, httplib::Response &res) {
    // cpp-httplib 0.11 would apply req.ranges to whatever body we set (and read past a content
    // provider's end for an unsatisfiable range); we decide Range ourselves (If-Range, 416), so
    // its parsed copy is cleared. The Request object is httplib's own non-const local
    // (Server::process_request), handed to handlers as const&, so the cast is well-defined.
    std::vector<std::pair<int64_t, int64_t>> ranges;
    for (const auto &r : req.ranges)
        ranges.emplace_back(static_cast<int64_t>(r.first), static_cast<int64_t>(r.second));
    const_cast<httplib::Request &>(req).ranges.clear();

    auto snap = svc.file_snapshot();
    if (!snap) {
        send_json(res, error_reply(snap.error()));
        return;
    }
    const FileResponsePlan plan =
        plan_file_response(snap->size, snap->etag, ranges, req.get_header_value("If-None-Match"),
                           req.has_header("If-Range"), req.get_header_value("If-Range"));
    res.status = plan.status;
    res.set_header("ETag", snap->etag);
    res.set_header("Accept-Ranges", "bytes");
    res.set_header("Cache-Control", "no-cache"); // revalidate: the file grows with every commit
    if (!plan.content_range.empty())
        res.set_header("Content-Range", plan.content_range);
    if (plan.status == 304 || plan.status == 416)
        return;
    auto fd = std::make_shared<FileSnapshot>(std::move(*snap));
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
    uint32_t start = 0;
    uint64_t total = 0;
    st->sub = svc.subscribe(min_epoch, flags, &start, &total);
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

HttpServer::HttpServer(StoreService &svc, HttpOptions options) : impl_(std::make_unique<Impl>(svc, options)) {
    impl_->routes();
}

HttpServer::~HttpServer() { stop(); }

Result<uint16_t> HttpServer::start(const std::string &host, int port) {
    Impl &s = *impl_;
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

// serve_command.cpp — `rvf serve`: argument parsing, signals, and the listening line. Everything
// else is rvf::server::Server.
#include <rvf/server/serve_command.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <functional>
#include <pthread.h>
#include <string>

#include <rvf/server/server.hpp>
#include <rvf/server/sharded_server.hpp>

namespace rvf::server {
namespace {

const char kUsage[] =
    "  rvf serve FILE [--http PORT|off] [--tcp PORT|off] [--host ADDR] [--readonly]\n"
    "                 [--dimension N [--metric l2|cosine|ip] [--storage f32|f16|i8]] [options]\n"
    "                              HTTP JSON API + /v1/file + /v1/subscribe (SSE) on PORT (8080)\n"
    "                              and the binary TCP protocol on PORT (9090); 0 = any free port.\n"
    "                              --dimension creates FILE when it does not exist. SIGINT/SIGTERM\n"
    "                              close the store cleanly.\n"
    "                              A sharded collection root (rvf shard) is served with --readonly,\n"
    "                              over HTTP only: fan-out /v1/query, /v1/status, and its files\n"
    "                              under /v1/files/<root name> for readers that fan out themselves.\n"
    "    access (writes: HTTP ingest/upsert/update_metadata/delete/compact, TCP INGEST/DELETE\n"
    "    need the token):\n"
    "      --token-file PATH       token = the file's first line; else $RVF_SERVE_TOKEN; else a\n"
    "                              random one, printed once on stderr at start\n"
    "      --no-auth               writes open to every client that can connect\n"
    "      --allow-host H          accept Host: H besides localhost, 127.0.0.1, [::1] and --host\n"
    "                              (repeatable; * = any; the DNS-rebinding guard)\n"
    "      --cors-origin ORIGIN    allow requests from pages of ORIGIN (repeatable; * = any;\n"
    "                              default: none, any request with an Origin header gets 403)\n"
    "    limits:\n"
    "      --threads N             HTTP worker threads = connections served at once (128)\n"
    "      --max-body BYTES        HTTP request body limit, larger get 413 (16777216)\n"
    "      --max-sse N             /v1/subscribe streams in all, below --threads; more get 503\n"
    "                              (64, at most half of --threads)\n"
    "      --max-sse-per-client N  /v1/subscribe streams per client address (16)\n"
    "      --read-timeout S        HTTP: one read/write; TCP: rest of a started frame (10)\n"
    "      --keep-alive-timeout S  HTTP idle keep-alive connection closed after S (2)\n"
    "      --idle-timeout S        TCP connection with no frame for S closed; not subscribers (60)\n"
    "      --max-connections N     TCP connections at once; more get ERROR 0x0901 (1024)\n"
    "      --max-frame BYTES       TCP frame payload limit (16777216)\n"
    "      --queue N               events buffered per subscriber before it is dropped (1024)\n";

bool parse_uint(const char *s, unsigned long long max, unsigned long long &out) {
    char *end = nullptr;
    errno = 0;
    out = std::strtoull(s, &end, 10);
    return *s != '\0' && *s != '-' && *end == '\0' && errno == 0 && out <= max;
}

bool parse_port(const char *s, int &out) {
    if (std::strcmp(s, "off") == 0) {
        out = -1;
        return true;
    }
    unsigned long long v = 0;
    if (!parse_uint(s, 65535, v))
        return false;
    out = static_cast<int>(v);
    return true;
}

template <size_t N, class L>
const L *find_limit(const L (&limits)[N], const std::string &name) {
    for (const L &l : limits)
        if (name == l.name)
            return &l;
    return nullptr;
}

int usage_error(const std::string &why) {
    std::fprintf(stderr, "rvf serve: %s\nusage:\n%s", why.c_str(), kUsage);
    return 2;
}

/// Signals go to sigwait, never to a worker thread: block them before any thread starts
/// (threads inherit the mask). A peer closing a socket must not kill the process either.
sigset_t block_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return set;
}

void print_token_note(const ServerOptions &opts, bool generated) {
    // The generated token is shown once, on stderr (kept out of logs that capture stdout only).
    if (generated)
        std::fprintf(stderr,
                     "rvf serve: token %s (writes need it: HTTP \"Authorization: Bearer <token>\", TCP an AUTH "
                     "frame; set RVF_SERVE_TOKEN or --token-file to choose it)\n",
                     opts.access.token.c_str());
    else if (opts.access.no_auth)
        std::fprintf(stderr, "rvf serve: --no-auth: writes are open to every client that can connect\n");
}

int serve_sharded(ShardedCollection coll, const std::string &file, const ServerOptions &opts, bool generated) {
    sigset_t set = block_signals();
    const ShardedStatus st = coll.status();
    auto srv = ShardedServer::start(std::move(coll), file, opts);
    if (!srv) {
        std::fprintf(stderr, "rvf serve: %s\n", srv.error().to_string().c_str());
        return 2;
    }
    std::printf("rvf serve: listening http://%s:%u (%s, sharded root, %zu shards, %llu vectors, dimension %u, "
                "read-only)\n",
                opts.host.c_str(), static_cast<unsigned>((*srv)->http_port()), file.c_str(), st.shards.size(),
                static_cast<unsigned long long>(st.total_vectors), static_cast<unsigned>(st.dimension));
    std::fflush(stdout);
    print_token_note(opts, generated);
    int sig = 0;
    sigwait(&set, &sig);
    std::printf("rvf serve: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    std::fflush(stdout);
    if (auto closed = (*srv)->shutdown(); !closed) {
        std::fprintf(stderr, "rvf serve: close failed: %s\n", closed.error().to_string().c_str());
        return 1;
    }
    std::printf("rvf serve: closed %s\n", file.c_str());
    return 0;
}

} // namespace

const char *serve_usage() { return kUsage; }

int serve_command(int argc, char **argv) {
    std::string file;
    bool readonly = false;
    unsigned long long dimension = 0;
    std::string metric = "l2", storage = "f32";
    std::string token_file;
    bool max_sse_given = false, tcp_given = false;
    ServerOptions opts;
    // Options taking a count or seconds: name, range, target.
    struct Limit {
        const char *name;
        unsigned long long lo, hi;
        std::function<void(unsigned long long)> set;
    };
    const Limit limits[] = {
        {"--threads", 2, 4096, [&](auto v) { opts.http.threads = v; }},
        {"--max-body", 1, 1ull << 32, [&](auto v) { opts.http.max_body = v; }},
        {"--max-sse", 1, 4095, [&](auto v) { opts.http.max_sse = v; max_sse_given = true; }},
        {"--max-sse-per-client", 1, 4095, [&](auto v) { opts.http.max_sse_per_client = v; }},
        {"--read-timeout", 1, 3600, [&](auto v) { opts.http.read_timeout_s = v; opts.tcp.read_timeout_ms = v * 1000; }},
        {"--keep-alive-timeout", 1, 3600, [&](auto v) { opts.http.keep_alive_timeout_s = v; }},
        {"--idle-timeout", 1, 86400, [&](auto v) { opts.tcp.idle_timeout_ms = v * 1000; }},
        {"--max-connections", 1, 65536, [&](auto v) { opts.tcp.max_connections = v; }},
        {"--max-frame", 1, UINT32_MAX, [&](auto v) { opts.tcp.max_frame = static_cast<uint32_t>(v); }},
        {"--queue", 1, 1u << 24, [&](auto v) { opts.subscriber_queue = v; }},
    };
    for (int i = 0; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        unsigned long long v = 0;
        if (a == "--readonly")
            readonly = true;
        else if (a == "--http" && has_value) {
            if (!parse_port(argv[++i], opts.http_port))
                return usage_error("--http takes a port 0..65535 or off");
        } else if (a == "--tcp" && has_value) {
            tcp_given = true;
            if (!parse_port(argv[++i], opts.tcp_port))
                return usage_error("--tcp takes a port 0..65535 or off");
        } else if (a == "--host" && has_value)
            opts.host = argv[++i];
        else if (a == "--dimension" && has_value) {
            if (!parse_uint(argv[++i], 65535, dimension) || dimension == 0)
                return usage_error("--dimension takes 1..65535");
        } else if (a == "--metric" && has_value)
            metric = argv[++i];
        else if (a == "--storage" && has_value)
            storage = argv[++i];
        else if (a == "--token-file" && has_value)
            token_file = argv[++i];
        else if (a == "--no-auth")
            opts.access.no_auth = true;
        else if (a == "--allow-host" && has_value)
            opts.access.allow_hosts.push_back(argv[++i]);
        else if (a == "--cors-origin" && has_value)
            opts.access.cors_origins.push_back(argv[++i]);
        else if (const Limit *l = find_limit(limits, a); l && has_value) {
            if (!parse_uint(argv[++i], l->hi, v) || v < l->lo)
                return usage_error(a + " takes " + std::to_string(l->lo) + ".." + std::to_string(l->hi));
            l->set(v);
        } else if (a.rfind("--", 0) == 0)
            return usage_error("unknown or incomplete option " + a);
        else if (file.empty())
            file = a;
        else
            return usage_error("one FILE only");
    }
    if (file.empty())
        return usage_error("FILE is required");
    if (opts.http_port < 0 && opts.tcp_port < 0)
        return usage_error("--http off and --tcp off leave nothing to serve");
    if (opts.access.no_auth && !token_file.empty())
        return usage_error("--no-auth and --token-file contradict each other: pick one");
    // The default leaves at least half the threads to ordinary requests when --threads is small.
    if (!max_sse_given)
        opts.http.max_sse = std::min<size_t>(opts.http.max_sse, std::max<size_t>(opts.http.threads / 2, 1));
    if (opts.http.max_sse >= opts.http.threads)
        return usage_error("--max-sse must be below --threads (subscribers would take every thread)");
    bool generated = false;
    if (!opts.access.no_auth) {
        auto token = load_token(token_file, &generated);
        if (!token)
            return usage_error(token.error().message);
        opts.access.token = std::move(*token);
    }

    struct stat sb {};
    const bool exists = ::stat(file.c_str(), &sb) == 0;
    Result<RvfStore> store = Error{Status::InvalidArgument, ""};
    if (!exists) {
        if (dimension == 0 || readonly)
            return usage_error(file + " does not exist (pass --dimension N to create it)");
        StoreOptions so;
        so.dimension = static_cast<uint16_t>(dimension);
        bool found = false;
        for (Metric m : {Metric::L2, Metric::InnerProduct, Metric::Cosine, Metric::Hamming})
            if (metric == metric_name(m)) {
                so.metric = m;
                found = true;
            }
        if (!found)
            return usage_error("unknown --metric " + metric);
        found = false;
        for (StorageType t : {StorageType::F32, StorageType::F16, StorageType::I8})
            if (storage == storage_type_name(t)) {
                so.storage = t;
                found = true;
            }
        if (!found)
            return usage_error("unknown --storage " + storage);
        store = RvfStore::create(file, so);
    } else {
        store = readonly ? RvfStore::open_readonly(file) : RvfStore::open(file);
    }
    if (!store && store.error().status == Status::UnsupportedLayout) {
        // A sharded collection root (docs/format-shard-refs.md) holds no rows of its own.
        auto coll = ShardedCollection::open_readonly(file);
        if (coll) {
            if (!readonly)
                return usage_error(file + " is a sharded collection root: rvf serve answers it read-only, pass "
                                          "--readonly (write with `rvf shard` or the SDK)");
            if (tcp_given && opts.tcp_port >= 0)
                return usage_error("--tcp: the binary protocol serves one store; a sharded root is served over "
                                   "HTTP only (drop --tcp or pass --tcp off)");
            opts.tcp_port = -1;
            return serve_sharded(std::move(*coll), file, opts, generated);
        }
    }
    if (!store) {
        std::fprintf(stderr, "rvf serve: %s: %s\n", file.c_str(), store.error().to_string().c_str());
        return 2;
    }

    sigset_t set = block_signals();

    const StoreStatus st0 = store->status();
    auto srv = Server::start(std::move(*store), opts);
    if (!srv) {
        std::fprintf(stderr, "rvf serve: %s\n", srv.error().to_string().c_str());
        return 2;
    }
    std::string line = "rvf serve: listening";
    if ((*srv)->http_port())
        line += " http://" + opts.host + ":" + std::to_string((*srv)->http_port());
    if ((*srv)->tcp_port())
        line += " tcp://" + opts.host + ":" + std::to_string((*srv)->tcp_port());
    line += " (" + file + ", epoch " + std::to_string(st0.current_epoch) + ", " + std::to_string(st0.total_vectors) +
            " vectors, dimension " + std::to_string(st0.dimension) + (st0.read_only ? ", read-only" : "") + ")";
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
    print_token_note(opts, generated);

    int sig = 0;
    sigwait(&set, &sig);
    std::printf("rvf serve: %s received, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    std::fflush(stdout);
    auto closed = (*srv)->shutdown();
    const StoreStatus st1 = (*srv)->service().status();
    if (!closed) {
        std::fprintf(stderr, "rvf serve: close failed: %s\n", closed.error().to_string().c_str());
        return 1;
    }
    std::printf("rvf serve: closed %s at epoch %u with %llu vectors\n", file.c_str(), st1.current_epoch,
                static_cast<unsigned long long>(st1.total_vectors));
    return 0;
}

} // namespace rvf::server

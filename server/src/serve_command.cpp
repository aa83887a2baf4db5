// serve_command.cpp — `rvf serve`: argument parsing, signals, and the listening line. Everything
// else is rvf::server::Server.
#include <rvf/server/serve_command.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pthread.h>
#include <string>

#include <rvf/server/server.hpp>

namespace rvf::server {
namespace {

const char kUsage[] =
    "  rvf serve FILE [--http PORT|off] [--tcp PORT|off] [--host ADDR] [--readonly]\n"
    "                 [--dimension N [--metric l2|cosine|ip] [--storage f32|f16|i8]]\n"
    "                 [--threads N] [--max-frame BYTES] [--queue N]\n"
    "                              HTTP JSON API + /v1/file + /v1/subscribe (SSE) on PORT (8080)\n"
    "                              and the binary TCP protocol on PORT (9090); 0 = any free port.\n"
    "                              --dimension creates FILE when it does not exist. SIGINT/SIGTERM\n"
    "                              close the store cleanly.\n";

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

int usage_error(const std::string &why) {
    std::fprintf(stderr, "rvf serve: %s\nusage:\n%s", why.c_str(), kUsage);
    return 2;
}

} // namespace

const char *serve_usage() { return kUsage; }

int serve_command(int argc, char **argv) {
    std::string file;
    bool readonly = false;
    unsigned long long dimension = 0;
    std::string metric = "l2", storage = "f32";
    ServerOptions opts;
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
        else if (a == "--threads" && has_value) {
            if (!parse_uint(argv[++i], 4096, v) || v == 0)
                return usage_error("--threads takes 1..4096");
            opts.http.threads = v;
        } else if (a == "--max-frame" && has_value) {
            if (!parse_uint(argv[++i], UINT32_MAX, v) || v == 0)
                return usage_error("--max-frame takes 1..4294967295 bytes");
            opts.tcp.max_frame = static_cast<uint32_t>(v);
        } else if (a == "--queue" && has_value) {
            if (!parse_uint(argv[++i], 1u << 24, v) || v == 0)
                return usage_error("--queue takes 1..16777216");
            opts.subscriber_queue = v;
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
    if (!store) {
        std::fprintf(stderr, "rvf serve: %s: %s\n", file.c_str(), store.error().to_string().c_str());
        return 2;
    }

    // Signals go to sigwait below, never to a worker thread: block them before any thread starts
    // (threads inherit the mask). A peer closing a socket must not kill the process either.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

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
